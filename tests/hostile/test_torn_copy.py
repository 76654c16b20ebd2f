"""A torn copy of a store: the file copied while a checkpoint wrote it holds the first pages
of the new version and the rest of the old (RELIABILITY 4, 5; sqlite.org/howtocorrupt.html).
Made here page by page from two real versions of one SQLite file, so every split point is
tried, not the 1 in 40 a racing `cp` gives. SQLite opens most such files without complaint,
and a search, the statistics and the entries list answered from them with no error (round 38).
Opening one must say that the file is damaged, name it, say what to do, and leave it as it is.
"""

from __future__ import annotations

import hashlib
import importlib
import sqlite3
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import CorruptDatabase, StoreError
from tests.hostile.test_copied_while_written import integrity

pytestmark = pytest.mark.sqlite_only(reason="splices the pages of a SQLite file")


def _write_notes(notes: Path, version: int) -> None:
    for n in range(12):
        words = " ".join(f"w{version}x{k}" for k in range(60 + 7 * version))
        (notes / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is version {version}: {words}.\n")


def _versions(tmp_path: Path) -> tuple[bytes, bytes, int]:
    """The store's file after a first ingest and after every note changed, both closed."""
    notes, db = tmp_path / "notes", tmp_path / "kb.db"
    notes.mkdir()
    files = []
    for version in (1, 2):
        _write_notes(notes, version)
        with grimoire.open(db) as kb:
            kb.ingest([notes], embed=False)
        files.append(db.read_bytes())
    with sqlite3.connect(db) as conn:
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
    return files[0], files[1], page


def test_a_torn_copy_is_refused_at_opening_with_its_name_never_answered_from(
        tmp_path: Path) -> None:
    old, new, page = _versions(tmp_path)
    pages = len(new) // page
    torn = read = 0
    for split in range(1, pages):
        # The new file's first `split` pages, then the old file's (as long as the new one).
        copy = tmp_path / f"copy{split}" / "kb.db"
        copy.parent.mkdir()
        copy.write_bytes(new[:split * page] + old[split * page:len(new)] + new[len(old):])
        if integrity(copy) == "ok":
            continue
        torn += 1
        before = hashlib.sha256(copy.read_bytes()).hexdigest()
        with pytest.raises(CorruptDatabase) as caught:
            with grimoire.open(copy) as kb:
                for word in ("term", "version", "w1x3", "w2x3"):
                    kb.search(word, k=5, mode="lexical")
                kb.stats()
                kb.entries()
            read += 1
        message = str(caught.value)
        assert str(copy) in message and "damaged" in message, message
        assert "grimoire check" in message, message  # what to do
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == before, split
        assert not Path(f"{copy}-wal").exists() or Path(f"{copy}-wal").stat().st_size == 0
    assert torn >= 3, (torn, pages)  # the splices do tear the file
    assert read == 0


def test_a_file_locked_during_the_check_at_opening_is_not_called_damaged(tmp_path: Path) -> None:
    """The check at opening waits for a lock as any read does, and the wait outlasts its time
    budget (SQLite's interrupt does not cut a wait for a lock): a file another process holds
    locked past the wait is busy, not damaged (review39a: "database is damaged ... quick
    check at opening: database is locked" for a sound file)."""
    store_sqlite = importlib.import_module("grimoire.store.sqlite")  # `store.sqlite` is a name
    db = tmp_path / "kb.db"
    store_sqlite.connect(str(db)).close()
    with sqlite3.connect(db, isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # as rebuild leaves NAME.old
    holder = sqlite3.connect(db, isolation_level=None)
    reader = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    try:
        reader.execute("PRAGMA busy_timeout = 300")
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError) as raised:
            store_sqlite._damage_at_open(reader, str(db))
        assert not isinstance(raised.value, CorruptDatabase)
        assert "locked" in str(raised.value)
        assert "damaged" not in str(raised.value)
        holder.execute("ROLLBACK")
        assert store_sqlite._damage_at_open(reader, str(db)) is None
    finally:
        holder.close()
        reader.close()
