"""Gather the passages an answer may draw on: hybrid search, widened along the notes.

From the search hits (one per concept), the pool grows by
- the other passages of the top entries (a definition often continues past its first line),
- the passage after a short one or one that ends in ':' ("defined as follows:"),
- the other sources' entries for the same concept (what each file says, for disagreement),
- the concepts the top concept links to or is linked from (see also, backlinks).
Each passage keeps a prior from how it was found, so widening never outranks direct hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from grimoire.ask.sentences import split_sentences
from grimoire.model import Hit, Span

if TYPE_CHECKING:
    from grimoire.search import Searcher
    from grimoire.store.base import Store


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage that may feed the answer."""

    passage_id: int
    text: str
    span: Span
    title: str
    heading_path: tuple[str, ...]
    concept: str | None
    concept_id: int | None
    prior: float  # 1.0 for the top hit, less for lower hits and for widening
    via: str  # "search" | "words" | "entry" | "next" | "concept" | "graph"
    format: str = ""
    # The sentence that introduces this passage when the passage before it ends with one
    # ("A GAN is successfully trained when both of these goals are achieved:" + a list).
    lead_in: str = ""


PASSAGE_MATCHES = 10


def _prior(rank: int) -> float:
    return 1.0 / (1.0 + 0.35 * rank)


def retrieve(searcher: Searcher, question: str, k: int = 8, *, widen: bool = True,
             mode: str = "hybrid", terms: Sequence[str] = (),
             vector: Future[Any] | None = None) -> tuple[list[Hit], list[Candidate]]:
    """The search hits for `question` and the candidate passages built from them (`vector`:
    the question's vector on its way, see `Searcher.search`)."""
    store = searcher.store
    hits = searcher.search(question, k=k, mode=mode, query_vector=vector)
    priors: dict[int, tuple[float, str]] = {}

    def add(pid: int | None, prior: float, via: str) -> None:
        if pid is not None and (pid not in priors or priors[pid][0] < prior):
            priors[pid] = (prior, via)

    for rank, hit in enumerate(hits):
        add(hit.passage_id, _prior(rank), "search")
    # Search returns one hit per concept, so prose outside any entry (a section of a long
    # page) can lose to the concepts around it; the passages that hold the question's words
    # are candidates on their own.
    if widen and terms:
        for rank, pid in enumerate(store.passages_matching(terms, PASSAGE_MATCHES)):
            add(pid, 0.75 * _prior(rank), "words")
    if widen and hits:
        top = hits[: min(4, len(hits))]
        for rank, hit in enumerate(top):
            if hit.entry_id is not None:
                for pid in store.entry_passage_ids([hit.entry_id], per_entry=6):
                    add(pid, 0.9 * _prior(rank), "entry")
        short = [h.passage_id for h in hits[:6]
                 if len(h.text) < 160 or h.text.rstrip().endswith(":")]
        for pid in store.following_passage_ids(short).values():
            add(pid, 0.8, "next")
        concept_of = store.passage_concepts([h.passage_id for h in top])
        top_concepts = list(dict.fromkeys(concept_of[h.passage_id][0] for h in top
                                          if h.passage_id in concept_of))
        rank_of = {concept_of[h.passage_id][0]: r for r, h in enumerate(top)
                   if h.passage_id in concept_of}
        entries = store.concept_entry_ids(top_concepts[:3])
        for cid, eids in entries.items():
            for pid in store.entry_passage_ids(eids[:6], per_entry=3):
                add(pid, 0.85 * _prior(rank_of.get(cid, 0)), "concept")
        if top_concepts:
            edges = store.concept_edges(top_concepts[:1])
            counts: dict[int, int] = {}
            for edge in edges:
                other = edge.target if edge.source == top_concepts[0] else edge.source
                counts[other] = counts.get(other, 0) + edge.count
            near = sorted(counts, key=lambda c: -counts[c])[:4]
            for eids in store.concept_entry_ids(near).values():
                for pid in store.entry_passage_ids(eids[:2], per_entry=1):
                    add(pid, 0.45, "graph")
    rows = store.passage_rows(list(priors))
    concepts = store.passage_concepts(list(rows))
    label_of_hit = {h.passage_id: h.concept for h in hits}
    out: list[Candidate] = []
    for pid, (prior, via) in priors.items():
        row = rows.get(pid)
        if row is None:
            continue
        found = concepts.get(pid)
        concept_id = found[0] if found else None
        label = found[1] if found else None
        out.append(Candidate(
            passage_id=pid, text=row.text, span=Span(row.path, row.start_line, row.end_line),
            title=row.title, heading_path=row.heading_path,
            concept=label or label_of_hit.get(pid) or row.term, concept_id=concept_id,
            prior=prior, via=via, format=row.format))
    out = _with_lead_ins(store, out)
    out.sort(key=lambda c: -c.prior)
    return hits, out


def _with_lead_ins(store: Store, candidates: list[Candidate]) -> list[Candidate]:
    """Each candidate that follows a candidate ending in ':' gets that sentence as its
    `lead_in` (a reader may cut the list from the sentence that introduces it)."""
    if not LEAD_INS:
        return candidates
    ends = {c.passage_id: c for c in candidates if c.text.rstrip().endswith(":")}
    if not ends:
        return candidates
    lead_of: dict[int, str] = {}
    for before, after in store.following_passage_ids(list(ends)).items():
        sentences = split_sentences(ends[before].text)
        if sentences:
            lead_of[after] = sentences[-1].text
    return [replace(c, lead_in=lead_of[c.passage_id]) if c.passage_id in lead_of else c
            for c in candidates]


LEAD_INS = True
