"""The Store protocol: every backend offers these, and one contract suite tests them all."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from grimoire.model import Document, Entry, Problem


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One file seen by ingest: what it was read as, and how that went.

    `status` is "ok", "failed" (kept out, with `reason`), "skipped" (not a note) or
    "attachment" (an image or other file that notes embed; recorded, not parsed).
    """

    path: str
    status: str
    format: str | None = None
    reason: str | None = None
    sha256: str | None = None
    size: int = 0
    root: str | None = None
    documents: int = 0
    entries: int = 0
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as stored, with the document it came from."""

    id: int
    entry: Entry
    format: str
    document_title: str


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts over the whole store, and per format."""

    sources: int
    documents: int
    passages: int
    entries: int
    links: int
    failed: int
    by_format: dict[str, dict[str, int]]


class Store(Protocol):
    """Persistence for documents; SQL lives only in the backends."""

    def transaction(self) -> AbstractContextManager[Any]:
        """One atomic unit of work; nested calls become savepoints."""
        ...

    def source(self, path: str) -> SourceRecord | None: ...

    def sources(self, *, root: str | None = None, failed: bool = False) -> list[SourceRecord]: ...

    def replace_source(self, record: SourceRecord, documents: Sequence[Document]) -> None:
        """Write one file's record and documents in one transaction, replacing what it had."""
        ...

    def mark_source(self, record: SourceRecord) -> None:
        """Record a file's status without touching its stored documents."""
        ...

    def remove_source(self, path: str) -> None: ...

    def entries(self) -> Iterator[StoredEntry]: ...

    def entries_named(self, norm: str) -> list[StoredEntry]: ...

    def entry_names(self) -> list[tuple[str, str]]:
        """(normalised name, display name) for every entry term and alias."""
        ...

    def stats(self) -> Stats: ...

    def close(self) -> None: ...
