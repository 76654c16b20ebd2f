"""Dataclasses that cross pipeline stages.

Every record taken from a file carries a `Span`, because every output cites file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NewType

Slug = NewType("Slug", str)
ConceptId = NewType("ConceptId", str)

# Why an entry named by its page exists (`Entry.reason`): the page is that concept, and the
# page's text outside other entries is about it.
PAGE_REASON = "a page is named by its title"
VAULT_PAGE_REASON = "a vault note is a page named by its file or title"
PAGE_REASONS = frozenset({PAGE_REASON, VAULT_PAGE_REASON})


@dataclass(frozen=True, slots=True)
class Span:
    """Where a record came from: a file and an inclusive 1-based line range."""

    path: str
    start_line: int
    end_line: int

    def __str__(self) -> str:
        if self.start_line == self.end_line:
            return f"{self.path}:{self.start_line}"
        return f"{self.path}:{self.start_line}-{self.end_line}"


class LinkKind(StrEnum):
    """How a source wrote a link; resolution treats them alike but lint reports them apart."""

    WIKILINK = "wikilink"  # [[target|label]]
    EMBED = "embed"  # ![[target]] that is not an image
    BRACKET = "bracket"  # [term] in a plain-text glossary
    MARKDOWN = "markdown"  # [label](target) to another note
    URL = "url"  # a link out to the web
    SEE_ALSO = "see_also"
    CONTRAST = "contrast"
    RELATED = "related"  # front matter related_terms
    REF = "ref"  # rst :ref: / :term:
    DOC = "doc"  # rst :doc:
    LABEL = "label"  # :ref:`x`, :numref:`x`, {eq}`x`: points at a labelled place, not a page
    # [`BertModel`], [`~Trainer.train`], `[[autodoc]] X`, :py:class:`x`: a code reference into
    # a library's API documentation, not a concept
    API = "api"


@dataclass(frozen=True, slots=True)
class Link:
    """A link as written: `target` is the name or address, `label` what the reader saw."""

    target: str
    kind: LinkKind
    span: Span
    label: str | None = None
    fragment: str | None = None  # heading or block after '#'
    # False when the source itself marks the target as having no entry yet
    # (a bracketed name in a glossary's "See also" list).
    exists_hint: bool | None = None
    # The address as the source wrote it, when `target` is a name taken from it (a file
    # link's last segment: `../guides/checkpoint#merge` is `checkpoint`); what lint shows.
    # Left out of the entry and passage JSON the store keeps when None (`codec.dumps_records`):
    # most links have none, and those rows stay as they were before it existed.
    href: str | None = field(default=None, metadata={"omit_none": True})
    # Why a link by name asks for no page, as its reader judged it (`conventions.no_page`):
    # "part" (`[[Source]]`, `[[See here]]`: a part of a page, or "here"), "source"
    # (`[[@smith2019]]`: a citation). Resolve calls such a link to no note "dead", never
    # "wanted" (round 38). Left out of the stored JSON when None, as `href`.
    no_page: str | None = field(default=None, metadata={"omit_none": True})

    @property
    def written(self) -> str:
        """The link as its source wrote it: the address, else the name."""
        return self.href or self.target


@dataclass(frozen=True, slots=True)
class Math:
    """A formula kept as the TeX the author wrote."""

    tex: str
    display: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Image:
    """An image or attachment embed; images are recorded, never parsed."""

    target: str
    span: Span
    caption: str | None = None
    alt: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """A cited source: a label and where it lives (`- paper - URL`)."""

    label: str
    url: str
    span: Span


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of a document's text under one heading path.

    `kind` is one of "text", "code", "list", "math", "quote", "table".
    """

    text: str
    span: Span
    heading_path: tuple[str, ...] = ()
    kind: str = "text"
    links: tuple[Link, ...] = ()
    math: tuple[Math, ...] = ()
    images: tuple[Image, ...] = ()
    references: tuple[Reference, ...] = ()
    language: str = ""  # a code passage's, where the note names it (`fences.language`)


@dataclass(frozen=True, slots=True)
class Entry:
    """A passage that defines a term, as one source wrote it."""

    term: str
    definition: str
    span: Span
    aliases: tuple[str, ...] = ()
    kind: str | None = None  # a trailing kind word: Model, Dataset, Person ...
    glosses: tuple[str, ...] = ()  # short one-line glosses ("~ ..." lines)
    see_also: tuple[Link, ...] = ()
    links: tuple[Link, ...] = ()
    math: tuple[Math, ...] = ()
    references: tuple[Reference, ...] = ()
    images: tuple[Image, ...] = ()
    redirect: str | None = None  # this entry only points at another concept
    # Why the reader took this passage for an entry, when it is a judgement rather than the
    # format's own statement (a section whose heading names a thing); `show` prints it.
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """Who changed a page and when, as the page states it."""

    timestamp: str | None  # ISO 8601, e.g. "2024-11-25T12:40"
    author: str | None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a reader could not read cleanly; reported, never fatal to a batch."""

    message: str
    span: Span

    def __str__(self) -> str:
        return f"{self.span}: {self.message}"


@dataclass(frozen=True, slots=True)
class Document:
    """What a reader returns for one file (or one page of a multi-page file)."""

    path: str
    format: str
    title: str
    passages: tuple[Passage, ...] = ()
    entries: tuple[Entry, ...] = ()
    tags: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    revision: Revision | None = None
    problems: tuple[Problem, ...] = ()
    # Set when one file holds several documents (a MediaWiki XML dump: one per page).
    page: str | None = None

    @property
    def links(self) -> tuple[Link, ...]:
        """Every link in the document, from passages and entries, in order."""
        seen: list[Link] = [link for p in self.passages for link in p.links]
        for e in self.entries:
            seen.extend(e.links)
            seen.extend(e.see_also)
        return tuple(dict.fromkeys(seen))


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a passage, the concept it belongs to, where it is, and why it ranked."""

    passage_id: int
    text: str
    span: Span
    score: float
    heading_path: tuple[str, ...] = ()
    title: str = ""
    format: str = ""
    concept: str | None = None  # the concept's label (else the entry's term), when there is one
    concept_id: ConceptId | None = None
    snippet: str = ""  # text around the matched words, each match wrapped in «...» (search.py)
    entry_id: int | None = None  # the glossary entry the passage belongs to, if any
    # Where other files nearly repeat this passage (a page copied each year), folded into
    # this hit rather than listed as results of their own (search.py, COPIES).
    copies: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered pointer from an answer to the exact lines it quotes."""

    n: int
    span: Span
    quote: str
    concept: str | None = None
    passage_id: int | None = None
    concept_id: ConceptId | None = None  # opens `concept` when another shares its label


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer with its citations; `abstained` when the notes do not cover the question."""

    question: str
    answer: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    nearest: tuple[str, ...] = ()  # concepts to look at instead, when abstaining
