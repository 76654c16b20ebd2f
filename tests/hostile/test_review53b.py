"""Review of round 53's overlapping roots (review53b): two cases hostile53's change broke.

- A store that read `notes` whole before, then `grimoire ingest notes notes/sub`: the files of
  `notes/sub` keep `notes` as their root (an unchanged file's record is not rewritten), and
  the walk of `notes` passed everything under `notes/sub` over, removals too: a note deleted
  there kept its record, and was found by search, at every ingest after (main removed it).
- A root given by a symlink to a folder inside another root given (`grimoire ingest notes
  link`, `link -> notes/sub`): resolved up front, before any record of this call was
  written, it was not seen as `notes/sub`: each of its files was stored twice, and each later
  run removed the link's records (the same files as `notes/sub`'s) and read them again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ingested, write_notes


@pytest.mark.one_pass(reason="which paths ingest reads and removes is decided before any store")
def test_nested_roots_remove_what_was_deleted_and_read_a_symlinked_root_once(
        tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "sub/b.md": "# Beta\n\nBeta is a note.\n",
                                             "sub/c.md": "# Gamma\n\nGamma is a note.\n"})
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        assert kb.ingest([notes, notes / "sub"], embed=False).unchanged == 3
        (notes / "sub" / "b.md").unlink()
        for roots in ([notes, notes / "sub"], [notes / "sub", notes]):
            kb.ingest(roots, embed=False)
            held = sorted(Path(r.path).name for r in kb.sources())
            # hostile53: b.md's record kept, under `notes`, at every run
            assert held == ["a.md", "c.md"], (roots, held)
            assert sorted(e.entry.term for e in kb.entries()) == ["Alpha", "Gamma"], roots
    link = tmp_path / "link"
    link.symlink_to(notes / "sub")
    for order, roots in {"folder first": [notes, link], "link first": [link, notes]}.items():
        with ingested(tmp_path / f"{order}.db", embed=False) as kb:
            first = kb.ingest(roots, embed=False)
            # hostile53 (and main): b.md and c.md stored under both names, "added 4"
            assert first.added == 2, (order, first)
            held = {Path(r.path).name: Path(r.root).name for r in kb.sources()}
            assert held == {"a.md": "notes", "c.md": "sub"}, (order, held)
            again = kb.ingest(roots, embed=False)
            # hostile53: the link's records removed and read again at every run ("added 1")
            assert (again.read, again.unchanged) == (0, 2), (order, again)
            assert sorted(e.entry.term for e in kb.entries()) == ["Alpha", "Gamma"], order
