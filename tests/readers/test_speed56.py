"""Round 56 (speed56): the walk's folder listing spares `built_copy` a `stat` a note, with the
same answer as looking on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from grimoire.ingest import ingest
from grimoire.store import open_store
from tests.readers.test_read55 import _MD, _ORG, _RST


def _folder(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "clustering.org").write_text(_ORG)
    (notes / "clustering.rst").write_text(_RST)  # its export: a copy
    (notes / "other.org").write_text(_ORG)
    (notes / "other.md").write_text(_MD)  # its export too
    (notes / "alone.rst").write_text(_RST)  # no Org note of its name
    (notes / "folded.md").write_text(_MD)
    (notes / "folded.org").mkdir()  # a folder of that name is no source
    (notes / "dangling.md").write_text(_MD)
    (notes / "dangling.org").symlink_to(notes / "gone.org")  # listed, no file
    (notes / "Upper.md").write_text(_MD)
    (notes / "UPPER.ORG").write_text(_ORG)  # another name on a case-sensitive disk
    return notes


@pytest.mark.no_store
def test_built_copy_answers_alike_with_the_folders_listing(tmp_path: Path) -> None:
    notes = _folder(tmp_path)
    names = sorted(p.name for p in notes.iterdir())
    beside = readers.folder_names(names)
    for name in names:
        path = str(notes / name)
        assert readers.built_copy(path, str(notes), beside) == readers.built_copy(
            path, str(notes)), name
    on_disk = {n: readers.built_copy(str(notes / n), str(notes), beside)
               for n in ("clustering.rst", "other.md", "alone.rst", "folded.md", "dangling.md")}
    assert on_disk == {"clustering.rst": True, "other.md": True, "alone.rst": False,
                       "folded.md": False, "dangling.md": False}, on_disk
    # a listing that lacks a file on disk says it is not there: the walk's own listing is the
    # folder's, so only a name it holds is looked for
    assert not readers.built_copy(str(notes / "clustering.rst"), str(notes),
                                  readers.folder_names(["clustering.rst"]))
    # a name of other than ASCII is looked for on disk whatever the listing holds
    (notes / "r\u00e9sum\u00e9.org").write_text(_ORG)
    (notes / "r\u00e9sum\u00e9.rst").write_text(_RST)
    assert readers.built_copy(str(notes / "r\u00e9sum\u00e9.rst"), str(notes),
                              readers.folder_names([]))


def test_ingest_skips_an_org_export_its_walk_lists(tmp_path: Path) -> None:
    notes = _folder(tmp_path)
    store = open_store(str(tmp_path / "kb.db"))
    try:
        ingest(store, [notes])
        status = {n: ((r := store.source(str(notes / n))) is not None and r.status,
                      r is not None and r.reason == readers.BUILT_REASON)
                  for n in ("clustering.rst", "other.md", "alone.rst", "folded.md",
                            "dangling.md", "Upper.md")}
    finally:
        store.close()
    assert status == {"clustering.rst": ("skipped", True), "other.md": ("skipped", True),
                      "alone.rst": ("ok", False), "folded.md": ("ok", False),
                      "dangling.md": ("ok", False), "Upper.md": ("ok", False)}, status
