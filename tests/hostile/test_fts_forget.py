"""The contentless full-text index (schema 14) forgets a file's rows only by being told their
values again (`sqlite._FORGET_FTS`). A write that fails half-way (a full disk) or two writers
re-reading the same files at once must leave the index exactly as a fresh ingest of the
notes as they end would: no word of an old version left behind to be found in a row id the
next file takes, none of the new one missing. Real files, real SQLite, real processes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import StoreError
from tests.store.test_fts_rows import _kb_index

ENV = {**os.environ, "PYTHONPATH": str(Path(grimoire.__file__).parents[1])}
FILES = 24


def _write(notes: Path, version: int) -> None:
    """FILES notes of `version`, with the values the index is told again to forget a row:
    aliases (one with a NUL from a YAML escape), a definition, glosses, headings with " / ",
    a title from front matter. Each version's words are its own (`v{version}w{n}`)."""
    notes.mkdir(exist_ok=True)
    for n in range(FILES):
        filler = " ".join(hashlib.sha256(f"{version}-{n}-{k}".encode()).hexdigest()[:12]
                          for k in range(30))
        word = f"v{version}w{n}"
        (notes / f"note-{n}.md").write_text(
            f'---\ntitle: "Topic {n} {word}title"\n'
            f'aliases: ["{word}alias", "al\\0ias {word}nul", "T{n} / {word}slash"]\n---\n'
            f"# Topic {n} {word}title\n\nTopic {n} {word}title is a thing of version"
            f" {version}: {word}body {filler}.\n\n## Part / {word}head\n\n{word}part text.\n",
            encoding="utf-8")


def _fresh_index(notes: Path, folder: Path) -> dict[str, list[tuple[object, ...]]]:
    """The index of a fresh ingest of `notes` as they are now (copied: same names, new root)."""
    again = folder / "notes"
    shutil.copytree(notes, again)
    with grimoire.open(folder / "fresh.db") as kb:
        kb.ingest([again], embed=False)
    return _kb_index(folder / "fresh.db")


@pytest.mark.sqlite_only(reason="SQLite's page limit stands in for a full disk")
def test_a_full_disk_while_files_are_read_again_leaves_the_index_as_it_was(
        tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    _write(notes, 1)
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    before = _kb_index(db)
    _write(notes, 2)  # every file changed: each re-read forgets its old rows first
    with grimoire.open(db) as kb:
        pages = kb.store.conn.execute("PRAGMA page_count").fetchone()[0]
        kb.store.conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        with pytest.raises(StoreError, match="the disk is full") as caught:
            kb.ingest([notes], embed=False)
        assert "kb.db" in str(caught.value)
        kb.store.conn.execute("PRAGMA max_page_count = 1073741823")
        assert kb.store.integrity_check() == "ok"
        assert kb.search("v1w3body", k=3, mode="lexical")
        assert not kb.search("v2w3body", k=3, mode="lexical")
    assert _kb_index(db) == before  # nothing forgotten that is still stored, nothing added
    with grimoire.open(db) as kb:
        report = kb.ingest([notes], embed=False)
        assert report.failed == 0
        assert not kb.search("v1w3body", k=3, mode="lexical")
    assert _kb_index(db) == _fresh_index(notes, tmp_path / "fresh")


# A child: ingest the folder, say how many files it read and how many failed.
CHILD = """
import sys
import grimoire
with grimoire.open(sys.argv[1]) as kb:
    r = kb.ingest([sys.argv[2]], embed=False)
print(r.read, r.failed)
"""


@pytest.mark.sqlite_only(reason="other processes open the file by its path")
def test_two_writers_reading_the_same_changed_files_at_once_leave_one_index(
        tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    _write(notes, 1)
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    for version in (2, 3):
        _write(notes, version)
        children = [subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(notes)],
                                     env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True) for _ in range(2)]
        results = [c.communicate(timeout=600) for c in children]
        assert [c.returncode for c in children] == [0, 0], results
        # Each file read by one of them at least, failed by none.
        read = [tuple(map(int, out.split())) for out, _ in results]
        assert all(failed == 0 for _, failed in read), results
        assert sum(n for n, _ in read) >= FILES, results
        with grimoire.open(db) as kb:
            assert kb.store.integrity_check() == "ok"
            assert not kb.search(f"v{version - 1}w5body", k=3, mode="lexical")
            assert kb.search(f"v{version}w5body", k=3, mode="lexical")
    assert _kb_index(db) == _fresh_index(notes, tmp_path / "fresh")
