"""Grimoire: every note you keep about AI and ML, read into one linked, searchable store."""

import typing as _typing

from grimoire.errors import CorruptDatabase, GrimoireError, NotFound, ReadError, StoreError
from grimoire.knowledge import Grimoire, open
from grimoire.model import (
    Document,
    Entry,
    Image,
    Link,
    LinkKind,
    Math,
    Passage,
    Problem,
    Reference,
    Revision,
    Span,
)
from grimoire.store import SourceRecord, Stats, StoredEntry

if _typing.TYPE_CHECKING:
    from grimoire.ingest import IngestReport


def __getattr__(name: str) -> _typing.Any:
    # `grimoire.ingest` imports every reader; a search does not need them (cold start).
    if name == "IngestReport":
        from grimoire.ingest import IngestReport

        return IngestReport
    raise AttributeError(f"module 'grimoire' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "IngestReport"})

__all__ = [
    "CorruptDatabase",
    "Document",
    "Entry",
    "Grimoire",
    "GrimoireError",
    "Image",
    "IngestReport",
    "Link",
    "LinkKind",
    "Math",
    "NotFound",
    "Passage",
    "Problem",
    "ReadError",
    "Reference",
    "Revision",
    "SourceRecord",
    "Span",
    "Stats",
    "StoreError",
    "StoredEntry",
    "open",
]
