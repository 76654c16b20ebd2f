"""Grimoire: every note you keep about AI and ML, read into one linked, searchable store."""

from grimoire.errors import CorruptDatabase, GrimoireError, NotFound, ReadError, StoreError
from grimoire.ingest import IngestReport
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
