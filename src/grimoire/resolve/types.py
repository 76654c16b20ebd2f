"""What resolve reads from the store, what it writes back, and what the API hands out."""

from __future__ import annotations

from dataclasses import dataclass

from grimoire.model import ConceptId, Span
from grimoire.store.concept_records import (
    AddressRow,
    ConceptName,
    ConceptRecord,
    ConceptSummary,
    EntryRow,
    HeadingRow,
    LabelRow,
    LinkRow,
    LinkTarget,
    Mention,
    Merge,
    MergeRecord,
    NameRecord,
    Resolution,
    ResolveInput,
    Section,
    SectionRecord,
)
from grimoire.store.records import StoredEntry

# The records resolve reads and writes live in the store package (the store never imports a
# later stage); they are re-exported here under their old home.
__all__ = [
    "AddressRow", "Concept", "ConceptName", "ConceptRecord", "ConceptSummary", "DeadLink",
    "EntryRow", "HeadingRow", "LabelRow", "LinkRow", "LinkTarget", "Mention", "Merge",
    "MergeRecord", "NameRecord", "Resolution", "ResolveInput", "ResolveReport", "Section",
    "SectionRecord", "WantedPage",
]

@dataclass(frozen=True, slots=True)
class ResolveReport:
    """Counts from one resolve run; an incremental run counts only what it recomputed."""

    entries: int
    concepts: int
    merged: int  # concepts with entries from more than one source
    links: int
    resolved: int
    wanted: int
    ambiguous: int
    external: int
    seconds: float
    incremental: bool = False


# -- handed out by the API --------------------------------------------------------------------


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
    links: tuple[Mention, ...] = ()  # outgoing: resolved, wanted, ambiguous, dead, elsewhere
    backlinks: tuple[Mention, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """The files that say something about this concept, in order."""
        paths = [e.entry.span.path for e in self.entries]
        paths += [s.span.path for s in self.sections]
        return tuple(dict.fromkeys(paths))

    @property
    def shown_names(self) -> tuple[ConceptName, ...]:
        """Its names a note wrote, as every face shows them and every export gives them: not
        a spelling resolve made only to match (`ConceptName.written`: "Selfattention" for
        "Self-attention" was on the web page under "Also:", a SKOS altLabel, a TBX term)."""
        return tuple(n for n in self.names if n.written)

    @property
    def matched_names(self) -> tuple[ConceptName, ...]:
        """Its names resolve made only to match a spelling, which search and resolve find it
        by and no face shows as a name (a SKOS export gives them as hidden labels)."""
        written = {n.name for n in self.names if n.written}
        return tuple(n for n in self.names if not n.written and n.name not in written)

    @property
    def wanted(self) -> tuple[Mention, ...]:
        """Its outgoing links to a name no note defines yet: pages to write."""
        return tuple(m for m in self.links if m.status == "wanted")

    @property
    def dead(self) -> tuple[Mention, ...]:
        """Its outgoing file links that lead to no note: paths to fix (lint's dead links)."""
        return tuple(m for m in self.links if m.status == "dead")


@dataclass(frozen=True, slots=True)
class WantedPage:
    """A name that links point to but no entry defines, with every place that wants it."""

    name: str
    norm: str
    count: int
    spans: tuple[Span, ...]
    suggestions: tuple[str, ...] = ()
    spellings: tuple[str, ...] = ()  # other names links use for it ("supervised machine ...")

    @property
    def sources(self) -> int:
        """How many files want it."""
        return len({s.path for s in self.spans})


@dataclass(frozen=True, slots=True)
class DeadLink:
    """One link that leads to no concept ("wanted": a name, "dead": a file, "elsewhere": a
    file in a folder that holds no note) or to two at once ("ambiguous")."""

    span: Span
    target: str
    kind: str
    status: str
    suggestions: tuple[str, ...] = ()
    href: str | None = None  # the address as written, when `target` is a name taken from it

    @property
    def written(self) -> str:
        """The link as its source wrote it: the address, else the name."""
        return self.href or self.target
