"""The contract suite's stores: every test here runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from grimoire.ingest import ingest
from grimoire.store import Store, open_store
from tests.conftest import ENGINES, SPLIT, TEST_STORE, PgDatabases


def database_before(path: Path, migration: object) -> sqlite3.Connection:
    """A SQLite database at `path` as the schema stood just before `migration` (one of
    `MIGRATIONS`), left open so a test can look at it before Grimoire upgrades it."""
    from grimoire.store.sqlite import APPLICATION_ID, MIGRATIONS, _run_script

    before = MIGRATIONS.index(migration)
    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:before]:
        if callable(step):  # a repair written in Python
            step(conn)
        else:
            _run_script(conn, step)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    return conn


@pytest.fixture(autouse=True)
def _engines_as_named(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test here opens the engine it names, in either pass: on PostgreSQL, the real
    `open_store` (a SQLite path stays a SQLite file, as in the SQLite pass); in a split
    SQLite pass, no PostgreSQL database (the PostgreSQL pass runs those tests: a test that
    asks for one here was not recognised by `on_postgres` in tests/conftest.py)."""
    patch = pytest.MonkeyPatch()
    if TEST_STORE == "postgres":
        from grimoire import knowledge, store

        patch.setattr(knowledge, "open_store", store.open_store)
    elif SPLIT:
        def refuse(self: PgDatabases, key: str | None = None) -> str:
            raise AssertionError(
                f"{request.node.nodeid} opens a PostgreSQL database in the SQLite pass: give it"
                " a `pg` argument, a \"postgres\" param or the `postgres` mark, so that the"
                " PostgreSQL pass runs it")

        patch.setattr(PgDatabases, "url", refuse)
    yield
    patch.undo()


def new_store(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if engine == "sqlite":
        return open_store(str(tmp_path / "kb.db"))
    databases: PgDatabases = request.getfixturevalue("pg")
    # A copy of the pass's empty store (`store_url`); a new database's own schema is made by
    # the tests that call `pg.url()`.
    return open_store(databases.store_url(str(tmp_path / "kb.db"), open_store))


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store on each engine."""
    s = new_store(request.param, tmp_path, request)
    yield s
    s.close()


@pytest.fixture(scope="module", params=ENGINES)
def seeded(
    request: pytest.FixtureRequest, seeds: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The five seed notes ingested and resolved, on each engine (read-only for tests)."""
    from grimoire.resolve import load_overrides, resolve

    s = new_store(request.param, tmp_path_factory.mktemp("seeded"), request)
    ingest(s, [seeds], workers=1)
    resolve(s, load_overrides(s.source_roots()))
    yield s
    s.close()


class Handles(NamedTuple):
    """Two connections to one store, as two processes have."""

    engine: str
    store: Store
    other: Store


@pytest.fixture(params=ENGINES)
def handles(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Handles]:
    if request.param == "sqlite":
        location = str(tmp_path / "kb.db")
    else:
        databases: PgDatabases = request.getfixturevalue("pg")
        location = databases.url()
    found = Handles(request.param, open_store(location), open_store(location))
    yield found
    found.other.close()
    found.store.close()
