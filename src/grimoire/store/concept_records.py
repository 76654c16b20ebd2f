"""Records of resolve and of the concept lookups: what resolve reads from the store and
writes back, and the concepts, names, sections and links the lookups return.

A search builds none of them, and does not import this module: building these dataclasses
took ~20 ms of a cold `grimoire search` (issue 14). The records a search does build
(`ConceptEntry`, for a concept's first entry) stay in `records.py`. Resolve's records live in
the store package so that the store never imports a later stage of the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grimoire.model import ConceptId, Span

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
    href: str | None = None  # the address as written, when `target` is a name taken from it
    no_page: str | None = None  # the reader's word that it asks for no page (`Link.no_page`)


@dataclass(frozen=True, slots=True)
class LabelRow:
    """A label a document defines (`meta["labels"]`: MyST `(intro)=`, Quarto `{#sec-intro}`,
    Sphinx `.. _intro:`) and the heading or term it names."""

    document_id: int
    path: str
    label: str
    name: str


@dataclass(frozen=True, slots=True)
class AddressRow:
    """An address a site generator publishes a document at, as its front matter states it
    (Jekyll `permalink:` and `redirect_from:`, Hugo `url:` and `aliases:`); `own` marks the
    page's own address (not a redirect), from which its relative links start."""

    document_id: int
    path: str
    address: str
    own: bool = True


@dataclass(frozen=True, slots=True)
class HeadingRow:
    """A section heading of a document and the lines its text covers."""

    document_id: int
    path: str
    heading_path: tuple[str, ...]
    start_line: int
    end_line: int
    # The entry whose text this heading's passages all belong to, when that entry begins
    # above the heading: a section of another term's page ("## Neural networks" of "Zero
    # padding"), not a page section about the heading's own name (see `attach_sections`).
    inside: int | None = None


@dataclass(frozen=True, slots=True)
class ResolveInput:
    """Everything resolve reads, in one go."""

    entries: list[EntryRow]
    links: list[LinkRow]
    headings: list[HeadingRow]
    # documents whose whole text is one page, by source path: the target of `[x](note.md)`
    documents: dict[str, int] = field(default_factory=dict)
    # the path of every ingested file: a file link into a folder that holds none of them
    # leads outside the notes ("elsewhere"), one into a folder that does is a dead link
    paths: tuple[str, ...] = ()
    # the labels every document defines: a label reference of one file to another's label
    labels: list[LabelRow] = field(default_factory=list)
    # the addresses documents are published at: a link to `/setup-instructions/` is a link
    # to the page whose `permalink:` it is (`resolve.addresses`)
    addresses: list[AddressRow] = field(default_factory=list)


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
    """Where one link leads: status is "resolved", "wanted" (a name nobody defines),
    "ambiguous", "external", "section" (a heading of its own page), "document" (a note that
    defines no concept), "dead" (a file link to no note) or "elsewhere" (a file link into a
    folder that holds no note); `target` and `source` index `Resolution.concepts`."""

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


# Why a name is one resolve made only to match a spelling nobody wrote ("Selfattention" for
# "Self-attention", "supervised learning" for "supervised machine learning":
# `resolve.merge.spelling_names`): search and resolve find the concept by it, and no face or
# export shows it as a name of the concept.
# "without head word": the words before a kind word the label keeps ("A Neural
# Conversational" of the paper "A Neural Conversational Model"; `names.HEADLESS`).
MATCHING_ONLY = frozenset({"spelling", "without head word"})


@dataclass(frozen=True, slots=True)
class ConceptName:
    """A name the concept goes by, and why."""

    name: str
    reason: str
    strength: int
    span: Span | None = None

    @property
    def written(self) -> bool:
        """Whether a note wrote this name (a term, an alias, an acronym it states, a link's
        label), rather than resolve making it to match a spelling (`MATCHING_ONLY`)."""
        return self.reason not in MATCHING_ONLY


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
    href: str | None = None  # the address as written, when `target` is a name taken from it

    @property
    def written(self) -> str:
        """The link as its source wrote it: the address, else the name."""
        return self.href or self.target


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
    href: str | None = None  # the address as written, when `name` is a name taken from it
    # True when the source marks the target as a page it has (a glossary's "See also" name
    # without brackets), False when it marks it as one it has not written yet
    exists_hint: bool | None = None


@dataclass(frozen=True, slots=True)
class ConceptEdge:
    """`count` resolved links of one kind from concept `source` to concept `target`."""

    source: int
    target: int
    kind: str
    count: int
