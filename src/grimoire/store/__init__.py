"""Storage behind one protocol; `open_store` picks the engine by URL scheme."""

from __future__ import annotations

import os

from grimoire.store.base import Store
from grimoire.store.records import SourceRecord, Stats, StoredEntry

POSTGRES_SCHEMES = ("postgres://", "postgresql://")


def open_store(url: str, *, create: bool = True) -> Store:
    """A store for `url`: a file path or `sqlite:///path`, or `postgresql://user@host/db`.

    With `create=False` a SQLite file that does not exist is an error, and nothing is created
    (a PostgreSQL database is never created here: its owner creates it).
    """
    if url.startswith(POSTGRES_SCHEMES):
        from grimoire.store.postgres import PostgresStore

        return PostgresStore(url)
    from grimoire.store.sqlite import SQLiteStore

    path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
    # A path from GRIMOIRE_DB in a service or .env file reaches us without a shell to expand it.
    if path.startswith("~"):
        path = os.path.expanduser(path)  # noqa: PTH111 - a str in, a str out
    return SQLiteStore(path, create=create)


__all__ = ["SourceRecord", "Stats", "Store", "StoredEntry", "open_store"]
