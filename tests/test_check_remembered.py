"""The damage check behind an empty result, remembered across processes (`DB.checked`).

A one-off `grimoire search` that finds nothing paid SQLite's check of a search's tables (0.15 s
at 100k passages, its 1 s budget at 1M) on every run, on a file nobody had touched. What a check
found sound is now kept beside the file with the file's state; these tests show that the next
process skips it only while the file is the same, and still finds damage done after it.
Each `grimoire.open` below is a fresh handle: what a new process would have in memory.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from grimoire.errors import CorruptDatabase
from grimoire.store import sqlite_checked
from grimoire.store.sqlite import SQLiteStore

DAMAGED = "database is damaged: run `grimoire check`"
QUERY = "zebrafish quokka"  # in no note below

pytestmark = pytest.mark.sqlite_only(reason="the SQLite file beside which the mark is kept")


@pytest.fixture
def settled_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written a moment ago counts as settled (the 2 s wait is for coarse file times;
    what these tests check is what a changed state does, not the clock)."""
    monkeypatch.setattr(sqlite_checked, "_SETTLED_NS", 0)


def _store(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    for i, word in enumerate(("Alpha", "Beta", "Gamma")):
        (notes / f"{word.lower()}.md").write_text(
            f"# {word}\n\n{word} is note number {i}, about windows and attention.\n")
    db = tmp_path / "kb.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", str(notes), "--no-embed"])
    assert result.exit_code == 0, result.output
    return db


def _checks_of_one_empty_search(db: Path) -> list[str]:
    kb = grimoire.open(db)
    statements: list[str] = []
    kb.store.conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    try:
        assert kb.search(QUERY, mode="lexical") == []
    finally:
        kb.close()
    return [s for s in statements if "quick_check" in s]


def _leaf_page(db: Path, table: str) -> int:
    """The byte offset of the page-type byte of `table`'s first leaf page, with every write
    folded into the file first (so that breaking it later changes nothing else)."""
    with sqlite3.connect(db) as conn:
        page = conn.execute("SELECT min(pageno) FROM dbstat WHERE name = ? AND pagetype = "
                            "'leaf'", (table,)).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return (page - 1) * size + (100 if page == 1 else 0)


@pytest.mark.usefixtures("settled_now")
def test_the_next_process_skips_the_check_of_an_unchanged_file(tmp_path: Path) -> None:
    db = _store(tmp_path)
    first = _checks_of_one_empty_search(db)
    assert "PRAGMA quick_check(passage_fts_data)" in first  # the search's tables were read
    assert Path(f"{db}.checked").exists()
    assert _checks_of_one_empty_search(db) == []  # main: the same checks again


@pytest.mark.usefixtures("settled_now")
def test_a_write_to_the_store_makes_the_next_process_check_again(tmp_path: Path) -> None:
    db = _store(tmp_path)
    _checks_of_one_empty_search(db)
    (tmp_path / "notes" / "delta.md").write_text("# Delta\n\nDelta is new.\n")
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", str(tmp_path / "notes"),
                                       "--no-embed"])
    assert result.exit_code == 0, result.output
    assert "PRAGMA quick_check(passage_fts_data)" in _checks_of_one_empty_search(db)


@pytest.mark.usefixtures("settled_now")
@pytest.mark.parametrize("times_put_back", [False, True])
def test_damage_after_a_remembered_check_is_still_found(tmp_path: Path,
                                                        times_put_back: bool) -> None:
    # The page broken is one a search that finds nothing does not read: only the check
    # behind the empty result can see it, so skipping that check on a stale mark would
    # answer "no results".
    # This process opened the file before the damage, as a server or `watch` would have,
    # and another connection keeps its -wal in place: what the check at opening found sound
    # stands while the file's times and size are the same (`sqlite._SOUND_AT_OPEN`), so with
    # the times put back only the check behind the empty result stands between the damage
    # and "no results".
    db = _store(tmp_path)
    offset = _leaf_page(db, "sources")
    keeper = sqlite3.connect(db)
    try:
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()
        _checks_of_one_empty_search(db)
        assert _checks_of_one_empty_search(db) == []
        before = db.stat()
        with db.open("r+b") as f:  # a page type no page has
            f.seek(offset)
            f.write(b"\x01")
        if times_put_back:  # `touch -r`, a copy keeping times: the status-change time moves
            os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))
        # The API's search: the command also asks which notes changed (it reads `sources`).
        # Without the times put back the check at opening reads the file again, and finds
        # it there.
        with pytest.raises(CorruptDatabase, match="database is damaged"):
            kb = grimoire.open(db)
            try:
                kb.search(QUERY, mode="lexical")
            finally:
                kb.close()
    finally:
        keeper.close()


def test_a_file_changed_within_the_last_two_seconds_is_not_remembered(tmp_path: Path) -> None:
    # A write in the same tick of a coarse file clock as the last one would leave the times
    # as they were: a file that new is checked by every process, as before.
    db = _store(tmp_path)
    os.utime(db)  # now, whatever the ingest took
    assert _checks_of_one_empty_search(db) != []
    state = sqlite_checked.file_state(str(db))
    assert state is not None and not sqlite_checked.settled(state, sqlite_checked.now_ns())
    assert sqlite_checked.passed(str(db), state) == (frozenset(), frozenset())
    assert _checks_of_one_empty_search(db) != []


@pytest.mark.usefixtures("settled_now")
def test_a_mark_of_another_file_or_unreadable_is_ignored(tmp_path: Path) -> None:
    db = _store(tmp_path)
    _checks_of_one_empty_search(db)
    mark = Path(f"{db}.checked")
    mark.write_text("{not json")
    assert "PRAGMA quick_check(passage_fts_data)" in _checks_of_one_empty_search(db)
    other = tmp_path / "other"
    other.mkdir()
    copy = _store(other)
    copy.replace(db)  # another file moved over the path, its mark left behind
    assert "PRAGMA quick_check(passage_fts_data)" in _checks_of_one_empty_search(db)


@pytest.mark.usefixtures("settled_now")
def test_a_check_cut_short_is_not_remembered_as_passed(tmp_path: Path) -> None:
    # Under load (or on a cold disk) the budgeted check of a store that a quiet process checks
    # in 0.15 s runs out of its 1 s: what it did not read is unchecked, not sound. A later
    # process with the pages cached reads them all; the mark must not tell it to skip them.
    # As above, this process found the file sound at opening and a keeper holds its -wal:
    # the times put back, only the budgeted check stands between the damage and "no results".
    db = _store(tmp_path)
    offset = _leaf_page(db, "passages")
    keeper = sqlite3.connect(db)
    try:
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()
        SQLiteStore(str(db), create=False).close()
        before = db.stat()
        with db.open("r+b") as f:  # damage there before any check: in the mark's state
            f.seek(offset)
            f.write(b"\x01")
        os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))
        slow = SQLiteStore(str(db), create=False)
        try:  # a check that runs out of its budget in `passages`, before the broken page
            running: list[str] = []
            slow.conn.set_trace_callback(running.append)
            slow.conn.set_progress_handler(
                lambda: bool(running[-1:] == ["PRAGMA quick_check(passages)"]
                             and time.sleep(0.05)), 1)
            assert not slow.damaged(budget=0.2, reads="search")
        finally:
            slow.conn.set_progress_handler(None, 1)
            slow.conn.set_trace_callback(None)
            slow.close()
        later = SQLiteStore(str(db), create=False)
        try:
            assert later.damaged(budget=3600, reads="search")
        finally:
            later.close()
    finally:
        keeper.close()
