"""Records that cross the store boundary: what goes in, what comes out, on every engine.

Every backend takes and returns these frozen dataclasses (never an engine's row or query
syntax). Resolve's input and output, and the concepts as their lookups return them, are in
`concept_records.py`: a search builds none of them (cold start, issue 14).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grimoire.model import Entry, Problem, Span


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

    def __reduce__(self) -> tuple[type[SourceRecord], tuple[object, ...]]:
        # Sent back by a reader worker for every file: a tuple of the fields pickles in C,
        # where a slotted dataclass's state goes through `dataclasses.fields` both ways.
        return SourceRecord, (self.path, self.status, self.format, self.reason, self.sha256,
                              self.size, self.root, self.documents, self.entries,
                              self.problems)


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as stored, with the document it came from."""

    id: int
    entry: Entry
    format: str
    document_title: str


@dataclass(frozen=True, slots=True)
class ConceptEntry:
    """An entry of a concept: `role` is "entry", or "redirect" for a page that points on."""

    stored: StoredEntry
    role: str


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


# Lexical column weights, a word in a name counting as ten in the body: (names, title, heading,
# body) for passages, (names, body) for entries. Search may pass others; each engine applies
# them its own way (FTS5 bm25 weights; PostgreSQL ts_rank weights, scaled to at most 1).
PASSAGE_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
ENTRY_WEIGHTS = (10.0, 1.0)


@dataclass(frozen=True, slots=True)
class TextQuery:
    """A lexical query in words and phrases: a passage matches if it holds any of them.

    Backends build their own engine's syntax from this (FTS5 MATCH, PostgreSQL tsquery), so
    nothing a user types is ever read as query syntax.
    """

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or any(self.phrases))


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrict search to some documents; None means no restriction on that field."""

    source: str | None = None  # a file path, or a folder prefix
    format: str | None = None
    tag: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.source, self.format, self.tag))


@dataclass(frozen=True, slots=True)
class PassageRow:
    """What a hit needs from one passage."""

    id: int
    document_id: int
    entry_id: int | None
    text: str
    path: str
    start_line: int
    end_line: int
    heading_path: tuple[str, ...]
    title: str
    format: str
    term: str | None


@dataclass(frozen=True, slots=True)
class PassageMarks:
    """A passage with its span and the marks the reader left (links, math, images...)."""

    id: int
    span: Span
    text: str
    marks: dict[str, Any]
    kind: str = "text"  # the passage's kind: "text", "code", "list", ...


@dataclass(frozen=True, slots=True)
class EmbedUnit:
    """A passage or entry waiting for a vector: `kind` is "passage" or "entry"."""

    kind: str
    id: int
    text: str


@dataclass(frozen=True, slots=True)
class Scored:
    """An id with a score from a ranked search; higher is better."""

    id: int
    score: float


@dataclass(frozen=True, slots=True)
class NameRow:
    """One name of an entry that search may match, with where the entry lives."""

    norm: str
    name: str
    entry_id: int
    document_id: int


@dataclass(frozen=True, slots=True)
class VectorRow:
    """One stored vector with what it belongs to (for moving a store to another engine)."""

    kind: str  # "passage" | "entry"
    id: int
    hash: str
    model: str
    vector: tuple[float, ...]


# The tables every engine keeps, with the columns that hold the data (what an engine derives
# from them, such as its lexical index, is rebuilt on load). `grimoire migrate` copies these.
TABLES: dict[str, tuple[str, ...]] = {
    "sources": ("id", "path", "root", "format", "status", "reason", "sha256", "size",
                "problems", "ingested_at"),
    "documents": ("id", "source_id", "page", "title", "format", "tags", "meta", "revision"),
    "entries": ("id", "document_id", "term", "norm", "start_line", "end_line", "redirect",
                "data"),
    "entry_names": ("entry_id", "name", "norm"),
    "passages": ("id", "document_id", "entry_id", "seq", "kind", "heading_path", "text",
                 "start_line", "end_line", "marks"),
    "links": ("id", "document_id", "entry_id", "target", "norm", "label", "kind", "fragment",
              "exists_hint", "start_line", "end_line", "href", "no_page"),
    "concepts": ("id", "key", "label", "kind"),
    "concept_names": ("concept_id", "name", "norm", "reason", "strength", "entry_id",
                      "link_id"),
    "concept_entries": ("entry_id", "concept_id", "role"),
    "concept_merges": ("concept_id", "entry_id", "other_entry_id", "name", "reason"),
    "concept_sections": ("concept_id", "document_id", "heading", "start_line", "end_line"),
    "link_targets": ("link_id", "status", "concept_id", "source_concept_id", "name", "norm"),
    "concept_state": ("id", "dirty", "overrides"),
}
