"""The benches' stores on PostgreSQL: a pgserver started under the cache, and a SQLite store
copied into a database of its own there (ids and vectors kept, nothing embedded again)."""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

import grimoire
from grimoire.store.migrate import migrate


@contextlib.contextmanager
def postgres_server(cache: Path) -> Iterator[Any]:
    """A PostgreSQL server whose data lives in `cache`/pg, started here and stopped after."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR
        import pgserver

        server = pgserver.get_server(cache / "pg", cleanup_mode="stop")
    try:
        yield server
    finally:
        server.cleanup()


def on_postgres(kb: grimoire.Grimoire, name: str, server: Any) -> grimoire.Grimoire:
    """The SQLite store `kb` as a database `name` on `server`, copied the first time only (a
    changed collection needs a new cache). Ids are kept, so what a bench reads from the
    SQLite file (its peers' documents, labels) fits the copy."""
    name = "c_" + re.sub(r"\W", "_", name)
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return grimoire.open(server.get_uri(name))
        conn.execute(f'CREATE DATABASE "{name}"')
    migrate(kb.store.url, server.get_uri(name))
    return grimoire.open(server.get_uri(name))
