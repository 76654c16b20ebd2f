"""The contract suite's stores: every test here runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grimoire.ingest import ingest
from grimoire.store import Store, open_store
from tests.conftest import ENGINES, PgDatabases


def new_store(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if engine == "sqlite":
        return open_store(str(tmp_path / "kb.db"))
    databases: PgDatabases = request.getfixturevalue("pg")
    return open_store(databases.url())


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
