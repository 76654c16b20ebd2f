"""The full-text index the store writes in bulk holds what the SQL that indexes a load holds,
and keeps no copy of the text (schema 14): rows leave it, by their values, when their file is
read again or removed, and an older store keeps its index through the upgrade."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import grimoire
from grimoire.store import open_store
from grimoire.store.migrate import copy_store
from grimoire.store.records import TABLES
from grimoire.store.sqlite import (
    FTS_OF_LOADED_ENTRIES,
    FTS_OF_LOADED_PASSAGES,
    SQLiteStore,
    _contentless_fts,
)
from tests.conftest import ingested

FTS_TABLES = ("passage_fts", "entry_fts")


def _vocab(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    """Every term of `table`'s index with the rows and the places that hold it, and the
    number of rows: what bm25 reads, whatever the rows' ids."""
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_{table} "
                 f"USING fts5vocab(main, '{table}', 'row')")
    rows = conn.execute(f"SELECT term, doc, cnt FROM temp.v_{table} ORDER BY term").fetchall()
    return [*rows, ("rows", conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])]


def _index(store: SQLiteStore) -> dict[str, list[tuple[object, ...]]]:
    return {table: _vocab(store.conn, table) for table in FTS_TABLES}


def _kb_index(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with grimoire.open(db) as kb:
        assert isinstance(kb.store, SQLiteStore)
        return _index(kb.store)


def test_bulk_fts_rows_match_the_sql_that_indexes_a_load(seeds: Path, tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", seeds, embed=False) as kb:
        store = kb.store
        assert isinstance(store, SQLiteStore)
        index = _index(store)
        assert index["passage_fts"][-1] == ("rows", store.stats().passages)
        assert index["entry_fts"][-1] == ("rows", store.stats().entries)
        assert store.stats().passages > 50 and store.stats().entries > 20
        # No second copy of the text: the tables are contentless.
        names = {n for (n,) in store.conn.execute("SELECT name FROM sqlite_master")}
        assert not {"passage_fts_content", "entry_fts_content"} & names
        assert store.conn.execute("SELECT max(body) FROM passage_fts").fetchone() == (None,)
        # A copy (load, then finish_load, whose SQL computes each row's values from the
        # stored rows) indexes the same terms in the same rows.
        copy = open_store(str(tmp_path / "copy.db"))
        copy_store(store, copy)
        assert isinstance(copy, SQLiteStore)
        assert _index(copy) == index
        copy.close()
        # And that SQL, run again on an emptied index, gives the index ingest wrote.
        conn = store.conn
        for table in FTS_TABLES:
            conn.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")
            assert _vocab(conn, table) == [("rows", 0)]
        conn.execute(FTS_OF_LOADED_PASSAGES)
        conn.execute(FTS_OF_LOADED_ENTRIES)
        assert _index(store) == index


def _notes(seeds: Path, folder: Path) -> list[Path]:
    shutil.copytree(seeds, folder)
    return sorted(p for p in folder.iterdir() if p.suffix == ".txt")


def test_a_file_read_again_or_removed_leaves_the_index(seeds: Path, tmp_path: Path) -> None:
    """The index after an edit, a removal and an emptied file is the index of a fresh
    ingest of the folder as it ends: no term of the old text is left behind."""
    notes = _notes(seeds, tmp_path / "notes")
    db = tmp_path / "kb.db"
    with ingested(db, tmp_path / "notes", embed=False) as kb:
        before = kb.stats().passages
        notes[0].write_text("Quokkas and zebrafish\n\nA note of ours about quokkas that "
                            "meet zebrafish at the river.\n", encoding="utf-8")
        notes[1].unlink()
        notes[2].write_text("", encoding="utf-8")
        kb.ingest([tmp_path / "notes"], embed=False)
        assert kb.stats().passages < before
        hits = kb.search("zebrafish quokkas", k=5, mode="lexical")
        assert hits and all(h.span.path.endswith(notes[0].name) for h in hits[:1])
    shutil.copytree(tmp_path / "notes", tmp_path / "again")
    with grimoire.open(tmp_path / "fresh.db") as kb:
        kb.ingest([tmp_path / "again"], embed=False)
    assert _kb_index(db) == _kb_index(tmp_path / "fresh.db")


def test_a_store_with_the_text_in_its_index_is_upgraded(seeds: Path, tmp_path: Path) -> None:
    """A store of schema 13 (full-text tables with their own copy of the text, a trigger to
    delete) keeps its index through the upgrade, and files read again afterwards leave it."""
    from tests.store.conftest import database_before

    notes = _notes(seeds, tmp_path / "notes")
    with ingested(tmp_path / "new.db", tmp_path / "notes", embed=False) as kb:
        found = [(h.span.path, h.score) for h in kb.search("learning rate", k=10, mode="lexical")]
    assert found
    expected = _kb_index(tmp_path / "new.db")
    old = tmp_path / "old.db"
    conn = database_before(old, _contentless_fts)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'passage_fts_content'"
                        ).fetchone() == (1,)
    conn.execute("ATTACH ? AS new", (str(tmp_path / "new.db"),))
    for table in ("sources", "documents", "entries", "entry_names", "passages", "links"):
        # the columns the older schema has (a later step adds `links.no_page`)
        have = {row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")}
        columns = ", ".join(c for c in TABLES[table] if c in have)
        conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM new.{table}")
    conn.execute(FTS_OF_LOADED_PASSAGES)
    conn.execute(FTS_OF_LOADED_ENTRIES)
    conn.commit()
    conn.close()
    assert _kb_index(old) == expected  # upgraded on opening
    with grimoire.open(old) as kb:
        assert [(h.span.path, h.score) for h in kb.search("learning rate", k=10,
                                                     mode="lexical")] == found
        notes[0].write_text("Quokkas\n\nA note of ours about quokkas.\n", encoding="utf-8")
        notes[1].unlink()
        kb.ingest([tmp_path / "notes"], embed=False)
        kb.ingest([tmp_path / "notes"], embed=False)
    with grimoire.open(tmp_path / "fresh.db") as kb:
        kb.ingest([tmp_path / "notes"], embed=False)
    assert _kb_index(old) == _kb_index(tmp_path / "fresh.db")


def test_an_old_database_is_upgraded_and_indexes_new_notes(seeds: Path, tmp_path: Path) -> None:
    from grimoire.store.sqlite import FTS_BY_STORE
    from tests.store.conftest import database_before

    db = tmp_path / "old.db"
    # A database as the schema left it just before FTS_BY_STORE: the insert triggers in place.
    conn = database_before(db, FTS_BY_STORE)
    names = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%fts%'"
    assert len(conn.execute(names).fetchall()) == 4
    conn.close()
    with grimoire.open(db) as kb:
        store = kb.store
        assert isinstance(store, SQLiteStore)
        kb.ingest([seeds], embed=False)
        assert store.conn.execute(names).fetchall() == []
        n = store.conn.execute("SELECT count(*) FROM passage_fts").fetchone()[0]
        assert n == kb.stats().passages > 50  # each passage indexed once, not twice


def test_a_nul_in_an_alias_leaves_the_index_with_its_file(tmp_path: Path) -> None:
    """SQLite's JSON functions end a string at an escaped NUL (`\\u0000`): a row's values
    computed again from `entries.data` to forget it were cut short there, and the terms
    after the NUL stayed in the index, found in the next file given the row's id."""
    notes = tmp_path / "notes"
    notes.mkdir()
    note = notes / "a.md"
    note.write_text('---\ntitle: Alpha\naliases: ["al\\0pha quokkas", "beta\\0zebrafish"]\n'
                    '---\n# Alpha\n\nAlpha is a thing of ours.\n', encoding="utf-8")
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False) as kb:
        assert kb.search("zebrafish", k=3, mode="lexical")
        note.write_text("# Alpha\n\nChanged.\n", encoding="utf-8")
        kb.ingest([notes], embed=False)
        assert not kb.search("zebrafish", k=3, mode="lexical")
    with grimoire.open(tmp_path / "fresh.db") as kb:
        kb.ingest([notes], embed=False)
    assert _kb_index(db) == _kb_index(tmp_path / "fresh.db")


def test_an_upgraded_store_indexes_what_its_rows_say(tmp_path: Path) -> None:
    """Schema 14 builds the contentless index from the stored rows, as `_FORGET_FTS` will
    compute them, not from the old tables' copy of the text: a row copied as the old
    writer wrote it (an alias with a NUL, which `entries.data` reads back cut short) could
    not be forgotten whole, and its words stayed in the index after the file changed."""
    from tests.store.conftest import database_before

    notes = tmp_path / "notes"
    notes.mkdir()
    note = notes / "a.md"
    note.write_text('---\naliases: ["beta zebrafish"]\n---\n# Alpha\n\nAlpha is ours.\n',
                    encoding="utf-8")
    with grimoire.open(tmp_path / "new.db") as kb:
        kb.ingest([notes], embed=False)
    old = tmp_path / "old.db"
    conn = database_before(old, _contentless_fts)
    conn.execute("ATTACH ? AS new", (str(tmp_path / "new.db"),))
    for table in ("sources", "documents", "entries", "entry_names", "passages", "links"):
        # the columns the older schema has (a later step adds `links.no_page`)
        have = {row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")}
        columns = ", ".join(c for c in TABLES[table] if c in have)
        conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM new.{table}")
    conn.execute(FTS_OF_LOADED_PASSAGES)
    # The entry as the writer of schema 13 stored it: the NUL kept in its data and its row.
    (entry_id, term, data), = conn.execute("SELECT id, term, data FROM entries").fetchall()
    record = json.loads(data)
    record["aliases"] = ["beta\x00zebrafish"]
    conn.execute("UPDATE entries SET data = ? WHERE id = ?", (json.dumps(record), entry_id))
    conn.execute("INSERT INTO entry_fts (rowid, names, body) VALUES (?, ?, ?)",
                 (entry_id, f"{term} ; beta\x00zebrafish", record["definition"] + " "))
    conn.commit()
    conn.close()
    with grimoire.open(old) as kb:
        note.write_text("# Alpha\n\nChanged.\n", encoding="utf-8")
        kb.ingest([notes], embed=False)
        assert not kb.search("zebrafish", k=3, mode="lexical")
    with grimoire.open(tmp_path / "fresh.db") as kb:
        kb.ingest([notes], embed=False)
    assert _kb_index(old) == _kb_index(tmp_path / "fresh.db")
