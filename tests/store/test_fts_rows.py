"""The full-text rows the store writes in bulk (`FTS_BY_STORE`) are those the old triggers wrote."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire.store import open_store
from grimoire.store.migrate import copy_store
from grimoire.store.sqlite import FTS_OF_LOADED_ENTRIES, FTS_OF_LOADED_PASSAGES, SQLiteStore


def _rows(store: SQLiteStore, table: str) -> list[tuple[object, ...]]:
    return store.conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()


def test_bulk_fts_rows_match_the_sql_that_indexes_a_load(seeds: Path, tmp_path: Path) -> None:
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([seeds], embed=False)
        store = kb.store
        assert isinstance(store, SQLiteStore)
        passages, entries = _rows(store, "passage_fts"), _rows(store, "entry_fts")
        assert len(passages) == store.stats().passages > 50
        assert len(entries) == store.stats().entries > 20
        assert any(r[1] for r in passages) and any(" ; " in str(r[1]) for r in entries)
        # What the trigger of schema 4 computed, from the stored rows, for every passage.
        store.conn.execute("DELETE FROM passage_fts")
        store.conn.execute("DELETE FROM entry_fts")
        store.conn.execute(FTS_OF_LOADED_PASSAGES)
        store.conn.execute(FTS_OF_LOADED_ENTRIES)
        assert _rows(store, "passage_fts") == passages
        assert _rows(store, "entry_fts") == entries
        # A copy (load, then finish_load) is searchable like the original.
        copy = open_store(str(tmp_path / "copy.db"))
        copy_store(store, copy)
        assert isinstance(copy, SQLiteStore)
        assert _rows(copy, "passage_fts") == passages
        assert _rows(copy, "entry_fts") == entries
        copy.close()


def test_an_old_database_is_upgraded_and_indexes_new_notes(seeds: Path, tmp_path: Path) -> None:
    from grimoire.store.sqlite import FTS_BY_STORE
    from tests.store.conftest import database_before

    db = tmp_path / "old.db"
    # A database as the schema left it just before FTS_BY_STORE: the insert triggers in place.
    conn = database_before(db, FTS_BY_STORE)
    names = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%insert'"
    assert len(conn.execute(names).fetchall()) == 2
    conn.close()
    with grimoire.open(db) as kb:
        store = kb.store
        assert isinstance(store, SQLiteStore)
        kb.ingest([seeds], embed=False)
        assert store.conn.execute(names).fetchall() == []
        n = store.conn.execute("SELECT count(*) FROM passage_fts").fetchone()[0]
        assert n == kb.stats().passages > 50  # each passage indexed once, not twice
