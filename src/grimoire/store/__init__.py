"""Storage backends behind one protocol; `open_store` picks one by URL."""

from __future__ import annotations

from grimoire._http import shown
from grimoire.errors import StoreError
from grimoire.store.base import SourceRecord, Stats, Store, StoredEntry
from grimoire.store.sqlite import SQLiteStore


def open_store(url: str, *, create: bool = True) -> SQLiteStore:
    """A store for `url`: a file path or `sqlite:///path` (PostgreSQL comes as `postgresql://`).

    With `create=False` a database that does not exist is an error, and nothing is created.
    """
    if url.startswith(("postgres://", "postgresql://")):
        # Never echo the URL as given: it may carry a password.
        raise StoreError("the PostgreSQL backend is not built yet; use a SQLite file", shown(url))
    path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
    return SQLiteStore(path, create=create)


__all__ = ["SQLiteStore", "SourceRecord", "Stats", "Store", "StoredEntry", "open_store"]
