"""Concepts as the API hands them out: looked up by any name, with sources and links.

Functions here read the concept tables through the store; they never resolve by themselves
(the caller makes sure the tables are fresh, see `Grimoire._fresh`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from grimoire.errors import NotFound
from grimoire.model import ConceptId, Span
from grimoire.names import normalize
from grimoire.resolve.links import link_key
from grimoire.resolve.types import (
    Concept,
    ConceptName,
    ConceptSummary,
    DeadLink,
    Mention,
    Merge,
    Section,
    WantedPage,
)
from grimoire.store.base import StoredEntry
from grimoire.store.sqlite_concepts import ConceptSQL


def find_concept(store: ConceptSQL, name: str) -> ConceptId:
    """The id of the concept called `name` (any name or alias; case, hyphens, plurals ignored).

    Raises NotFound with "did you mean" suggestions, or listing the candidates when two
    concepts share the name (`LDA`).
    """
    # The name as typed first ("Fully-connected/Linear" is one name), then as a link reads it
    # (`notes/LoRA.md` -> "LoRA").
    found = store.concepts_named(normalize(name))
    if not found and link_key(name)[1]:
        found = store.concepts_named(link_key(name)[1])
    if not found:
        raise NotFound(f"no concept named {name!r}", suggestions=suggest(store, name))
    top = found[0][1]
    best = [cid for cid, strength in found if strength == top]
    if len(best) > 1:
        labels = store.concept_labels(best)
        # By label, not by id: ids differ between an incremental store and a fresh one.
        raise NotFound(f"{name!r} names {len(best)} concepts; say which",
                       suggestions=tuple(sorted(labels[c][0] for c in best if c in labels)))
    return ConceptId(str(best[0]))


def suggest(store: ConceptSQL, name: str, limit: int = 5) -> tuple[str, ...]:
    """The concept names nearest to `name`, for "did you mean"."""
    names = _names_by_norm(store.concept_name_list())
    if not names:
        return ()
    query = normalize(name)
    matches = process.extract(query, sorted(names), scorer=fuzz.WRatio, limit=limit * 4,
                              score_cutoff=70)
    # WRatio rewards a short name inside a long one ('Bloom Filter' -> 'NER', 'Data
    # Parallelism' -> 'Linux Foundation AI And Data'); offer only what is likely right: a near
    # spelling of the whole name, or the same words in another order (issue 10, defect 11).
    likely = [m for m in matches if _likely_meant(query, m[0])]
    # Ties fall back to the name itself, so that every store with the same content suggests
    # the same names (issue 11, item 13), whatever order its rows were written in.
    ranked = sorted(likely, key=lambda m: (-fuzz.ratio(query, m[0]), -m[1], m[0]))
    return tuple(dict.fromkeys(names[m[0]] for m in ranked))[:limit]


TYPO_EVERY = 6  # one edit per this many characters: "Transfomer" -> "Transformer"
WORD_ORDER = 95  # fuzz.token_sort_ratio: the same words in another order
INFLECTION = 4  # a name cut short by a few letters: "zero pad" -> "zero padding"


def _likely_meant(query: str, candidate: str) -> bool:
    """Whether `candidate` is plausibly what `query` meant (both normalised): a near spelling,
    the same words reordered, or the same name with a longer ending. A shared word alone
    ('active learning' / 'feature learning', 'matrix' / 'user matrix') is not enough."""
    shorter = min(len(query), len(candidate))
    if Levenshtein.distance(query, candidate) <= max(1, shorter // TYPO_EVERY):
        return True
    if fuzz.token_sort_ratio(query, candidate) >= WORD_ORDER:
        return True
    a, b = sorted((query, candidate), key=len)
    return len(a) >= 6 and b.startswith(a) and len(b) - len(a) <= INFLECTION


def _names_by_norm(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """One display name per normalised name: the first in sort order, not in row order."""
    out: dict[str, str] = {}
    for norm, shown in pairs:
        if norm not in out or shown < out[norm]:
            out[norm] = shown
    return out


def load_concept(store: ConceptSQL, concept_id: ConceptId) -> Concept:
    """Everything known about one concept."""
    cid = int(concept_id)
    row = store.concept_row(cid)
    if row is None:
        raise NotFound(f"no concept with id {concept_id}")
    _, key, label, kind = row
    names = tuple(
        ConceptName(name, reason, strength, Span(path, line, line) if path and line else None)
        for name, reason, strength, path, line in store.concept_names_of(cid))
    entries: list[StoredEntry] = []
    redirects: list[StoredEntry] = []
    for stored, role in store.concept_entries_of(cid):
        (redirects if role == "redirect" else entries).append(stored)
    sections = tuple(Section(heading, Span(path, start, end), title, text)
                     for heading, path, start, end, title, text in store.concept_sections_of(cid))
    merges = tuple(Merge(Span(pa, la, la), Span(pb, lb, lb), name, reason)
                   for pa, la, pb, lb, name, reason in store.concept_merges_of(cid))
    return Concept(
        id=ConceptId(str(cid)), key=key, label=label, kind=kind, names=names,
        entries=tuple(entries), redirects=tuple(redirects), sections=sections, merges=merges,
        links=tuple(_mentions(store.concept_links(cid, incoming=False))),
        backlinks=tuple(_mentions(store.concept_links(cid, incoming=True))),
    )


def _mentions(rows: list[tuple[Any, ...]]) -> list[Mention]:
    return [
        Mention(span=Span(path, start, end), kind=kind, target=target, label=label,
                status=status, concept=other_label,
                concept_id=ConceptId(str(other)) if other is not None else None,
                document_title=title)
        for path, start, end, kind, target, label, status, other, other_label, title in rows
    ]


def summaries(store: ConceptSQL) -> list[ConceptSummary]:
    """Every concept, A-Z."""
    return [ConceptSummary(ConceptId(str(cid)), label, kind, n, s)
            for cid, label, kind, n, s in store.concept_summaries()]


def wanted_pages(store: ConceptSQL, *, suggestions: bool = True) -> list[WantedPage]:
    """Names linked to but defined nowhere, most wanted first (as a wiki's "wanted pages")."""
    groups: dict[str, tuple[list[str], list[Span]]] = {}
    for norm, name, path, start, end, _kind in store.unresolved_links("wanted"):
        names, spans = groups.setdefault(norm, ([], []))
        names.append(name)
        spans.append(Span(path, start, end))
    pages = []
    for norm, (names, spans) in groups.items():
        shown = max(set(names), key=lambda n: (names.count(n), n[:1].isupper(), n))
        unique = tuple(dict.fromkeys(spans))
        pages.append(WantedPage(shown, norm, len(unique), unique,
                                suggest(store, shown, 3) if suggestions else ()))
    pages.sort(key=lambda p: (-p.count, -p.sources, p.norm))
    return pages


def dead_links(store: ConceptSQL, *, suggestions: bool = True) -> list[DeadLink]:
    """Every link that leads to no concept, or to two; with "did you mean" candidates."""
    out: list[DeadLink] = []
    cache: dict[str, tuple[str, ...]] = {}
    for status in ("wanted", "ambiguous"):
        for norm, name, path, start, end, kind in store.unresolved_links(status):
            if suggestions and norm not in cache:
                cache[norm] = suggest(store, name, 3)
            out.append(DeadLink(Span(path, start, end), name, kind, status,
                                cache.get(norm, ())))
    out.sort(key=lambda d: (d.span.path, d.span.start_line))
    return out
