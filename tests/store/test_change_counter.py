"""The store's change counter, on both engines: it moves when, and only when, a transaction
that wrote to THIS store commits, whichever connection wrote. Search, lint, the names index
and the vectors are kept in memory under it: a counter that misses a commit serves stale
answers, one that moves for another store's writes throws them away (the lint report on the
suite's shared PostgreSQL server, before it was the store's own)."""

from __future__ import annotations

import threading
from contextlib import closing
from pathlib import Path

import numpy as np
import psycopg
import pytest

from grimoire.ingest import ingest
from grimoire.resolve import load_overrides, resolve
from grimoire.store import SourceRecord, Store, open_store
from grimoire.store.migrate import copy_store
from tests.conftest import PgDatabases
from tests.store.conftest import Handles
from tests.store.test_contract import DIM, embed_all, write_vault


def _failed(path: str) -> SourceRecord:
    return SourceRecord(path, "failed", reason="a test's write")


def test_the_counter_moves_when_another_connection_commits_and_not_before(
    handles: Handles, tmp_path: Path
) -> None:
    """Search keeps what it worked out from the store (whether it has concepts, the names
    index, the ingested folders) until the counter moves: a write by another connection
    must move it, or a server would go on answering from before that process's files; and
    only its commit may, or a cache filled before the commit is kept after it."""
    store, other = handles.store, handles.other
    write_vault(tmp_path / "first", 2, "alpha")
    write_vault(tmp_path / "second", 2, "beta")
    ingest(store, [tmp_path / "first"], workers=1)
    seen = store.change_counter()
    with store.reading():
        store.resolve_input()
    # A read inside a transaction (PostgreSQL's nearest sets its search options in one).
    other.nearest("test-model", np.ones(DIM, dtype=np.float32), 3)
    assert store.change_counter() == seen
    with other.transaction():
        other.mark_source(_failed(str(tmp_path / "second" / "beta-0.md")))
        assert store.change_counter() == seen
    assert store.change_counter() != seen
    seen = store.change_counter()
    with pytest.raises(RuntimeError), other.transaction():
        other.mark_source(_failed(str(tmp_path / "second" / "beta-1.md")))
        raise RuntimeError("rolled back")
    assert store.change_counter() == seen
    ingest(other, [tmp_path / "second"], workers=1)
    assert store.change_counter() != seen


def test_every_kind_of_write_moves_the_counter(handles: Handles, tmp_path: Path) -> None:
    """Each way the store is written, seen from another connection: a copy into it, files,
    concepts, vectors, a file's record, removals. (On PostgreSQL the bump is the last
    statement of the store's transactions: a write outside one would be missed here.)"""
    store, other = handles.store, handles.other
    write_vault(tmp_path / "copied", 2, "alpha")
    write_vault(tmp_path / "vault", 3, "beta")
    with closing(open_store(str(tmp_path / "source.db"))) as source:
        ingest(source, [tmp_path / "copied"], workers=1)
        steps = {
            "a copy into it": lambda: copy_store(source, other),
            "files": lambda: ingest(other, [tmp_path / "vault"], workers=1),
            "concepts": lambda: resolve(other, load_overrides(other.source_roots())),
            "vectors": lambda: embed_all(other),
            "a file's record": lambda: other.mark_source(_failed(str(tmp_path / "x.md"))),
            "a file removed": lambda: other.remove_source(str(tmp_path / "vault" / "beta-0.md")),
            "its orphan vectors dropped": lambda: other.drop_orphan_vectors() or pytest.fail(
                "the removed file left no vector to drop"),
        }
        for what, step in steps.items():
            seen = store.change_counter()
            step()
            assert store.change_counter() != seen, what
    assert store.stats().sources == 5


def test_a_transaction_sees_its_own_writes_move_the_counter(handles: Handles) -> None:
    """A cache consulted inside a transaction that wrote must not serve what it held before
    the write."""
    store = handles.store
    before = store.change_counter()
    with store.transaction():
        store.mark_source(_failed("/notes/own.md"))
        inside = store.change_counter()
        assert inside != before
        store.mark_source(_failed("/notes/own2.md"))
        assert store.change_counter() != inside
    assert store.change_counter() not in (before, inside)


def test_a_write_to_another_store_leaves_the_counter(
    handles: Handles, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Another store beside this one: a second file in the same folder, or a second database
    on the same PostgreSQL server (the team server holds several; the test suite's holds
    hundreds). Its commits are not this store's changes."""
    store = handles.store
    if handles.engine == "sqlite":
        location = str(tmp_path / "other.db")
    else:
        databases: PgDatabases = request.getfixturevalue("pg")
        location = databases.url()
    seen = store.change_counter()
    with closing(open_store(location)) as neighbour:
        write_vault(tmp_path / "vault", 3, "gamma")
        ingest(neighbour, [tmp_path / "vault"], workers=1)
        assert neighbour.stats().entries == 3
    assert store.change_counter() == seen
    handles.other.mark_source(_failed(str(tmp_path / "mine.md")))
    assert store.change_counter() != seen


def test_a_store_in_another_schema_of_the_same_database_has_its_own_counter(
    pg: PgDatabases, tmp_path: Path
) -> None:
    """A PostgreSQL store is the tables of one schema (the first on the URL's search_path):
    two stores may share a database, and each counts only its own writes."""
    url = pg.url()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA team")
    with closing(open_store(url)) as plain:
        team_url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3Dteam,public"
        with closing(open_store(team_url)) as team:
            seen, seen_team = plain.change_counter(), team.change_counter()
            write_vault(tmp_path / "vault", 2, "delta")
            ingest(team, [tmp_path / "vault"], workers=1)
            assert (plain.stats().sources, team.stats().sources) == (0, 2)
            assert plain.change_counter() == seen
            assert team.change_counter() != seen_team


def test_two_writers_at_once_lose_no_bump_and_do_not_deadlock(pg: PgDatabases) -> None:
    """Each commit of a transaction that wrote counts once, however writers interleave: the
    second of two writers at once waits for the first's commit (a moment: the bump is their
    last statement) and adds to its count."""
    url = pg.url()
    stores = [open_store(url) for _ in range(3)]
    try:
        start = stores[0].change_counter()
        rounds = 25
        errors: list[BaseException] = []

        def write(writer: Store, name: str) -> None:
            try:
                for i in range(rounds):
                    with writer.transaction():
                        writer.mark_source(_failed(f"/notes/{name}-{i}.md"))
                        writer.mark_source(_failed(f"/notes/{name}-{i}-again.md"))
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=write, args=(s, n))
                   for s, n in zip(stores[1:], ("left", "right"), strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors
        assert stores[0].stats().sources == 4 * rounds
        # Every commit bumped the row by one (what the counter holds on PostgreSQL).
        assert stores[0].change_counter() == (start[0] + 2 * rounds,)
    finally:
        for s in stores:
            s.close()


def test_a_store_made_before_the_counter_gets_it_and_keeps_its_rows(pg: PgDatabases) -> None:
    """A database as the schema stood before the counter's table (the steps before it, run
    as that version ran them) is upgraded on open, keeps its rows, and counts from then on."""
    from grimoire.store.postgres_schema import CHANGES, MIGRATIONS

    url = pg.url()
    before = MIGRATIONS.index(CHANGES)
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute("CREATE TABLE grimoire_schema (version integer)")
        for script in MIGRATIONS[:before]:
            conn.execute(script)
        conn.execute("INSERT INTO grimoire_schema (version) VALUES (%s)", (before,))
        conn.execute("INSERT INTO sources (path, status, reason)"
                     " VALUES ('/notes/old.md', 'failed', 'written by the old schema')")
    store, other = open_store(url), open_store(url)
    try:
        assert [s.path for s in store.sources()] == ["/notes/old.md"]
        seen = store.change_counter()
        assert store.change_counter() == seen
        other.remove_source("/notes/old.md")
        assert store.change_counter() != seen
        assert store.sources() == []
    finally:
        other.close()
        store.close()


def test_a_search_asks_the_counter_once_and_sees_a_commit_only_after_it(
    handles: Handles, tmp_path: Path
) -> None:
    """A search asks the counter at every cache it consults (13 times a hybrid query). On
    SQLite, inside `reading` it is the value the read began with, asked once: nothing another
    connection commits meanwhile is seen before the read ends. On both engines a write of its
    own moves it, and another connection's commit is seen once the read is over."""
    store, other = handles.store, handles.other
    write_vault(tmp_path / "first", 2, "alpha")
    ingest(store, [tmp_path / "first"], workers=1)
    with store.reading():
        seen = store.change_counter()
        with store.transaction():
            store.mark_source(_failed(str(tmp_path / "first" / "alpha-0.md")))
        assert store.change_counter() != seen
    statements: list[str] = []
    with store.reading():
        if handles.engine == "sqlite":
            store.conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
        seen = store.change_counter()
        assert store.change_counter() == seen
        with other.transaction():
            other.mark_source(_failed(str(tmp_path / "first" / "alpha-1.md")))
        if handles.engine == "sqlite":
            store.conn.set_trace_callback(None)  # type: ignore[attr-defined]
            assert store.change_counter() == seen  # the read's snapshot is from before it
            assert not any("data_version" in s for s in statements)
    assert store.change_counter() != seen
