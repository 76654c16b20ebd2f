"""Records that cross the store boundary: what goes in, what comes out, on every engine.

Every backend takes and returns these frozen dataclasses (never an engine's row or query
syntax). Resolve's input and output live here too, so that the store never imports a later
stage of the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grimoire.model import ConceptId, Entry, Problem, Span


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
              "exists_hint", "start_line", "end_line"),
    "concepts": ("id", "key", "label", "kind"),
    "concept_names": ("concept_id", "name", "norm", "reason", "strength", "entry_id",
                      "link_id"),
    "concept_entries": ("entry_id", "concept_id", "role"),
    "concept_merges": ("concept_id", "entry_id", "other_entry_id", "name", "reason"),
    "concept_sections": ("concept_id", "document_id", "heading", "start_line", "end_line"),
    "link_targets": ("link_id", "status", "concept_id", "source_concept_id", "name", "norm"),
    "concept_state": ("id", "dirty", "overrides"),
}


# -- resolve reads from the store ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryRow:
    """The parts of a stored entry that naming and merging need."""

    id: int
    document_id: int
    path: str
    line: int
    term: str
    definition: str  # its start only: enough to find an opening expansion
    redirect: str | None = None
    aliases: tuple[str, ...] = ()
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A stored link, with the entry it sits in (None for a free passage)."""

    id: int
    document_id: int
    entry_id: int | None
    path: str
    line: int
    target: str
    label: str | None
    kind: str
    fragment: str | None = None
    exists_hint: bool | None = None


@dataclass(frozen=True, slots=True)
class HeadingRow:
    """A section heading of a document and the lines its text covers."""

    document_id: int
    path: str
    heading_path: tuple[str, ...]
    start_line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class ResolveInput:
    """Everything resolve reads, in one go."""

    entries: list[EntryRow]
    links: list[LinkRow]
    headings: list[HeadingRow]
    # documents whose whole text is one page, by source path: the target of `[x](note.md)`
    documents: dict[str, int] = field(default_factory=dict)


# -- resolve writes to the store -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameRecord:
    """One name of a concept: why it is a name, and which entry (or link) states it."""

    name: str
    norm: str
    reason: str
    strength: int  # 3 a term, 2 a name a source states, 1 a name derived by us
    entry_id: int | None = None
    link_id: int | None = None


@dataclass(frozen=True, slots=True)
class MergeRecord:
    """Why two entries ended up in one concept."""

    entry_id: int
    other_entry_id: int
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class SectionRecord:
    """A section of a page whose heading names a concept: what that page says about it."""

    document_id: int
    heading: str
    start_line: int
    end_line: int


@dataclass(slots=True)
class ConceptRecord:
    """A concept as resolve builds it, before it gets its id."""

    key: str
    label: str
    kind: str | None
    entries: list[tuple[int, str]]  # (entry id, role: "entry" | "redirect")
    names: list[NameRecord]
    merges: list[MergeRecord]
    sections: list[SectionRecord]


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Where one link leads: status is "resolved", "wanted", "ambiguous", "external" or
    "section" (a heading of its own page); `target` and `source` index `Resolution.concepts`."""

    link_id: int
    status: str
    target: int | None
    source: int | None
    name: str
    norm: str


@dataclass(slots=True)
class Resolution:
    """The whole result of one resolve run."""

    concepts: list[ConceptRecord]
    links: list[LinkTarget]


# -- concepts as lookups return them (the API hands most of them out as they are) ----------------


@dataclass(frozen=True, slots=True)
class ConceptMatch:
    """A concept that goes by a looked-up name, and how strongly (as `NameRecord.strength`)."""

    concept_id: int
    strength: int


@dataclass(frozen=True, slots=True)
class ConceptRow:
    """A concept's own row."""

    id: int
    key: str
    label: str
    kind: str | None


@dataclass(frozen=True, slots=True)
class ConceptEntry:
    """An entry of a concept: `role` is "entry", or "redirect" for a page that points on."""

    stored: StoredEntry
    role: str


@dataclass(frozen=True, slots=True)
class ConceptName:
    """A name the concept goes by, and why."""

    name: str
    reason: str
    strength: int
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Merge:
    """Two entries merged into one concept, and the evidence."""

    entry: Span
    other: Span
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Section:
    """A page section about the concept (a wiki heading with the concept's name)."""

    heading: str
    span: Span
    title: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Mention:
    """One link, as a backlink or an outgoing link: from where, to what, how written."""

    span: Span
    kind: str
    target: str
    label: str | None
    status: str
    concept: str | None = None  # the concept at the other end, when there is one
    concept_id: ConceptId | None = None
    document_title: str = ""


@dataclass(frozen=True, slots=True)
class ConceptSummary:
    """A concept in a list: its label, kind, how many entries and sources."""

    id: ConceptId
    label: str
    kind: str | None
    entries: int
    sources: int


@dataclass(frozen=True, slots=True)
class LinkUse:
    """Where a link with a given status (wanted, ambiguous) is written, under which name."""

    norm: str
    name: str
    span: Span
    kind: str


@dataclass(frozen=True, slots=True)
class ConceptEdge:
    """`count` resolved links of one kind from concept `source` to concept `target`."""

    source: int
    target: int
    kind: str
    count: int
