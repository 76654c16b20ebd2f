"""The Python API: one `Grimoire` object over a store. The CLI is a thin layer over this."""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import TracebackType

from rapidfuzz import fuzz, process

from grimoire.errors import NotFound
from grimoire.ingest import DEFAULT_OPTIONS, IngestReport, Progress, ingest
from grimoire.names import normalize
from grimoire.readers.base import ReadOptions
from grimoire.store import SourceRecord, Stats, StoredEntry, open_store
from grimoire.store.sqlite import SQLiteStore


class Grimoire:
    """A knowledge base in one store.

    >>> kb = grimoire.open("notes.db")
    >>> kb.ingest(["notes/"])
    >>> kb.entry("LoRA")[0].entry.span
    """

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def ingest(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        format: str | None = None,
        progress: Progress | None = None,
        options: ReadOptions = DEFAULT_OPTIONS,
    ) -> IngestReport:
        """Read files and folders; unchanged files are skipped, vanished ones removed."""
        return ingest(self.store, paths, format=format, progress=progress, options=options)

    def entries(self) -> list[StoredEntry]:
        """Every entry, A-Z by normalised term."""
        return list(self.store.entries())

    def entry(self, name: str) -> list[StoredEntry]:
        """The entries whose term or alias is `name` (case, hyphens, plurals ignored).

        Raises NotFound with the nearest names as suggestions.
        """
        found = self.store.entries_named(normalize(name))
        if not found:
            raise NotFound(f"no entry named {name!r}", suggestions=self.suggest(name))
        return found

    def suggest(self, name: str, limit: int = 5) -> tuple[str, ...]:
        """The known names nearest to `name`, for "did you mean"."""
        names = dict(self.store.entry_names())
        matches = process.extract(normalize(name), list(names), scorer=fuzz.WRatio, limit=limit,
                                  score_cutoff=70)
        return tuple(names[m[0]] for m in matches)

    def stats(self) -> Stats:
        """Counts of sources, documents, passages, entries and links, by format."""
        return self.store.stats()

    def sources(self, *, failed: bool = False) -> list[SourceRecord]:
        """Every file seen, with its format and status; `failed=True` keeps only failures."""
        return self.store.sources(failed=failed)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Grimoire:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open(url: str | os.PathLike[str] = "grimoire.db") -> Grimoire:
    """Open (or create) a knowledge base: a SQLite file path or a database URL."""
    return Grimoire(open_store(os.fspath(url)))
