"""Storage behind one protocol; `open_store` picks the engine by URL scheme."""

from __future__ import annotations

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
    return SQLiteStore(path, create=create)


__all__ = ["SourceRecord", "Stats", "Store", "StoredEntry", "open_store"]
