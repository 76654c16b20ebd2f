"""Round 56 (hostile56): what round 55 left.

- A read transaction's COMMIT (a search's `reading`, the loads of vectors and names) that SQLite
  refused said "interrupted" in place of the search's result, and left the connection inside
  the read: every later write of the process nested in it as a savepoint, never committed, and
  was lost when the process ended.
- A write's ROLLBACK refused while its file was moved away: the connection was closed, which
  left the file's log (its committed writes) beside the old path and the file without them.
- The connection opened again after a refused ROLLBACK mapped nothing for its searches.

As in round 55, an interrupt stands in for the refusal: a progress handler SQLite calls as it
runs the named statements alone (armed by its trace).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import RefusedValue, StoreError
from tests.conftest import write_notes
from tests.hostile.test_round55 import NOTES, _paths

LORA = {"lora.md": "# LoRA\n\nLoRA trains two small matrices.\n"}


def _refuse(conn: sqlite3.Connection, *statements: str) -> Callable[[], None]:
    """Make SQLite interrupt each of `statements` each time it runs on `conn` (and nothing
    else); the returned function undoes it."""
    armed = [False]
    conn.set_trace_callback(lambda sql: armed.__setitem__(0, sql in statements))
    conn.set_progress_handler(lambda: int(armed[0]), 1)

    def undo() -> None:
        with suppress(sqlite3.ProgrammingError):  # closed by the store since
            conn.set_trace_callback(None)
            conn.set_progress_handler(None, 1)

    return undo


def _failed_write(store: object, notes: Path, then: Callable[[], object] = lambda: None
                  ) -> None:
    """A write that fails on its own (a second row for a path stored already) after removing
    a source."""
    with store.transaction() as c:  # type: ignore[attr-defined]
        store.remove_source(str(notes / "dropout.md"))  # type: ignore[attr-defined]
        then()
        c.execute("INSERT INTO sources (path, status) VALUES (?, 'ok')",
                  (str(notes / "adam.md"),))


@pytest.mark.sqlite_only(reason="SQLite's own read transaction; PostgreSQL's `reading` holds "
                                "none")
@pytest.mark.parametrize("refused", [("COMMIT",), ("COMMIT", "ROLLBACK")],
                         ids=["COMMIT", "COMMIT and ROLLBACK"])
@pytest.mark.parametrize("where", ["file", "memory"])
def test_a_refused_end_of_a_read_hides_nothing_and_loses_no_later_write(
        tmp_path: Path, refused: tuple[str, ...], where: str) -> None:
    notes = write_notes(tmp_path / "notes", NOTES)
    db = tmp_path / "kb.db"
    with grimoire.open(db if where == "file" else ":memory:") as kb:
        kb.ingest([notes], embed=False)
        undo = _refuse(kb.store.conn, *refused)
        hits = kb.search("running means", mode="lexical")  # said "interrupted"
        undo()
        assert hits and hits[0].concept == "Adam"
        write_notes(notes, LORA)
        assert kb.ingest([notes], embed=False).added == 1
        if where == "file":  # committed: another connection reads it with this one open
            assert _paths(db) == {"dropout.md", "adam.md", "lora.md"}
        assert kb.search("small matrices", mode="lexical")[0].concept == "LoRA"
    if where == "file":
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.sqlite_only(reason="SQLite's own ROLLBACK and its log beside the file")
def test_a_refused_rollback_of_a_file_moved_away_leaves_its_writes_in_it(
        tmp_path: Path) -> None:
    """review55b's leftover: the connection was closed, and SQLite neither folds the log of a
    file renamed under it into the file nor deletes it: `moved.db` opened alone held no
    source (its writes were in `kb.db-wal`, which a new file at `kb.db` would replay)."""
    notes = write_notes(tmp_path / "notes", NOTES)
    db, moved = tmp_path / "kb.db", tmp_path / "moved.db"
    kb = grimoire.open(db)
    try:
        kb.ingest([notes], embed=False)
        undo = _refuse(kb.store.conn, "ROLLBACK")
        with pytest.raises(RefusedValue, match="UNIQUE"):
            _failed_write(kb.store, notes, lambda: db.rename(moved))
        undo()
        with pytest.raises(StoreError, match="no longer there"):
            kb.search("running means", mode="lexical")
    finally:
        kb.close()
    assert _paths(moved) == {"dropout.md", "adam.md"}  # all of it, nothing of the failed write
    log = Path(f"{db}-wal")
    assert not log.exists() or log.stat().st_size == 0
    with closing(sqlite3.connect(moved)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.sqlite_only(reason="SQLite's own ROLLBACK, as above")
def test_a_part_whose_rollback_is_refused_is_never_committed_by_the_whole(
        tmp_path: Path) -> None:
    """The file moved away keeps its connection inside the failed transaction: a caller that
    goes on past a part's error (as ingest does past a file's refused value) must not commit
    what that part did."""
    notes = write_notes(tmp_path / "notes", NOTES)
    db, moved = tmp_path / "kb.db", tmp_path / "moved.db"
    kb = grimoire.open(db)
    try:
        kb.ingest([notes], embed=False)
        store = kb.store
        undo = _refuse(store.conn, "ROLLBACK TO nested", "ROLLBACK")
        with pytest.raises(StoreError, match="nothing of this write is kept"), \
                store.transaction():
            with suppress(RefusedValue):
                _failed_write(store, notes, lambda: db.rename(moved))
            undo()
    finally:
        kb.close()
    assert _paths(moved) == {"dropout.md", "adam.md"}


@pytest.mark.sqlite_only(reason="SQLite's memory map of its file")
def test_a_connection_opened_again_maps_the_file_for_its_searches(tmp_path: Path) -> None:
    """The second search maps the file (`reading`); a connection opened again after a refused
    ROLLBACK mapped nothing, and every later search read as the first (review55b)."""
    notes = write_notes(tmp_path / "notes", NOTES)
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        for query in ("dropout", "adam"):
            kb.search(query, mode="lexical")
        first = kb.store.conn
        assert first.execute("PRAGMA mmap_size").fetchone()[0] > 0
        undo = _refuse(first, "ROLLBACK")
        with pytest.raises(RefusedValue):
            _failed_write(kb.store, notes)
        undo()
        assert kb.store.conn is not first  # opened again
        assert kb.search("running means", mode="lexical")[0].concept == "Adam"
        assert kb.store.conn.execute("PRAGMA mmap_size").fetchone()[0] > 0


@pytest.mark.sqlite_only(reason="SQLite's log and its index beside the file")
def test_a_log_deleted_under_an_open_store_is_not_called_damage(tmp_path: Path) -> None:
    """NAME-wal deleted (a clean-up of "temporary" files) while a process has the store open:
    that process holds the log and its close writes every commit into the file, but another
    opening read the pages the index still names from a new empty log, and was told "database
    is damaged ... rebuild, or restore a backup" (`check` too), while nothing was lost."""
    from click.testing import CliRunner

    from grimoire.cli import main

    notes = write_notes(tmp_path / "notes", NOTES)
    db = tmp_path / "kb.db"
    kb = grimoire.open(db)
    try:
        kb.ingest([notes], embed=False)
        Path(f"{db}-wal").unlink()
        with pytest.raises(StoreError, match="deleted or cut short while another process") \
                as caught:
            grimoire.open(db).close()
        assert "damaged" not in str(caught.value) and caught.value.path == str(db)
        result = CliRunner().invoke(main, ["--db", str(db), "check"])
        assert result.exit_code == 1
        assert "kb.db-wal" in result.output and "not damage" in result.output, result.output
        assert kb.search("running means", mode="lexical")[0].concept == "Adam"  # it holds them
    finally:
        kb.close()
    assert _paths(db) == {"dropout.md", "adam.md"}  # all of it, in the file
    with grimoire.open(db) as again:
        assert again.search("running means", mode="lexical")[0].concept == "Adam"
