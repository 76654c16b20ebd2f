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


# An advisory lock of the server's own database: one bench at a time copies a store.
_COPY_LOCK = 0x47524D35  # "GRM5"


def on_postgres(kb: grimoire.Grimoire, name: str, server: Any) -> grimoire.Grimoire:
    """The SQLite store `kb` as a database `name` on `server`, copied the first time only (a
    changed collection needs a new cache). Ids are kept, so what a bench reads from the
    SQLite file (its peers' documents, labels) fits the copy.

    Two benches started at once on one cache take turns: the second waits for the first's
    copy, where it found the new database and read it empty, half-migrated, or failed on
    "cannot adapt type 'Vector'" (round 38). A database a killed copy left empty (the copy
    is one transaction) is copied into again."""
    name = "c_" + re.sub(r"\W", "_", name)
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_COPY_LOCK,))
        try:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
            copy = grimoire.open(server.get_uri(name))
            if copy.store.stats().sources == 0 and kb.store.stats().sources:
                copy.close()
                migrate(kb.store.url, server.get_uri(name))
                copy = grimoire.open(server.get_uri(name))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_COPY_LOCK,))
    return copy
