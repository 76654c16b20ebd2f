"""What resolve reads from the store, what it writes back, and what the API hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grimoire.model import ConceptId, Span

if TYPE_CHECKING:  # the store imports this module: no import back at run time
    from grimoire.store.base import StoredEntry

# -- read from the store ----------------------------------------------------------------------


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


# -- written to the store ---------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class ResolveReport:
    """Counts from one resolve run."""

    entries: int
    concepts: int
    merged: int  # concepts with entries from more than one source
    links: int
    resolved: int
    wanted: int
    ambiguous: int
    external: int
    seconds: float


# -- handed out by the API --------------------------------------------------------------------


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
class Concept:
    """One concept: every name, what each source says, links in and out."""

    id: ConceptId
    key: str
    label: str
    kind: str | None
    names: tuple[ConceptName, ...]
    entries: tuple[StoredEntry, ...]
    redirects: tuple[StoredEntry, ...] = ()
    sections: tuple[Section, ...] = ()
    merges: tuple[Merge, ...] = ()
    links: tuple[Mention, ...] = ()  # outgoing, resolved or wanted
    backlinks: tuple[Mention, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """The files that say something about this concept, in order."""
        paths = [e.entry.span.path for e in self.entries]
        paths += [s.span.path for s in self.sections]
        return tuple(dict.fromkeys(paths))

    @property
    def wanted(self) -> tuple[Mention, ...]:
        """Its outgoing links that lead to no concept yet."""
        return tuple(m for m in self.links if m.status == "wanted")


@dataclass(frozen=True, slots=True)
class WantedPage:
    """A name that links point to but no entry defines, with every place that wants it."""

    name: str
    norm: str
    count: int
    spans: tuple[Span, ...]
    suggestions: tuple[str, ...] = ()

    @property
    def sources(self) -> int:
        """How many files want it."""
        return len({s.path for s in self.spans})


@dataclass(frozen=True, slots=True)
class DeadLink:
    """One link that leads nowhere ("wanted") or to two concepts at once ("ambiguous")."""

    span: Span
    target: str
    kind: str
    status: str
    suggestions: tuple[str, ...] = ()
