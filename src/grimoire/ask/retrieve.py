"""Gather the passages an answer may draw on: hybrid search, widened along the notes.

From the search hits (one per concept), the pool grows by
- the other passages of the top entries (a definition often continues past its first line),
- the passage after a short one or one that ends in ':' ("defined as follows:"),
- the other sources' entries for the same concept (what each file says, for disagreement),
- the concepts the top concept links to or is linked from (see also, backlinks).
Each passage keeps a prior from how it was found, so widening never outranks direct hits.
"""

from __future__ import annotations

import re
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
    via: str  # "search" | "words" | "vector" | "entry" | "next" | "concept" | "graph"
    format: str = ""
    # The sentence that introduces this passage when the passage before it ends with one
    # ("A GAN is successfully trained when both of these goals are achieved:" + a list).
    lead_in: str = ""
    # Its place among the passages nearest the question by vector (-1: not among them).
    near: int = -1


PASSAGE_MATCHES = 10
# Round 33, measured and dropped (bench/README.md): the passages whose own vectors lie nearest
# the question's, looked up when NEAREST_PASSAGES > 0. Each candidate found otherwise keeps its
# place among them (`Candidate.near`); the nearest one is a candidate on its own when it is a
# placeholder (a heading with "TODO" under it) nearer than every passage with text, for
# `ask.nearest_is_empty` (tune +1 abstained, report -1 answered); NEAREST_WIDEN makes all of
# them candidates (a paraphrase's passage may share no word with it; tune +1 -1, report -4).
NEAREST_PASSAGES = 0
NEAREST_PRIOR = 0.75
NEAREST_WIDEN = False
_PLACEHOLDER = re.compile(
    r"^\W*(?:todo|tbd|tba|wip|coming\s+soon|to\s+be\s+(?:written|added|done|continued)"
    r"|placeholder|work\s+in\s+progress)\W*$", re.IGNORECASE)
# The placeholder must lie nearer the question than any passage with text, by this much
# (cosine): "is Q-learning on- or off-policy?" is near an empty "On-Policy vs. Off-Policy"
# heading and as near the Q-learning passage that answers it.
EMPTY_MARGIN = 0.05


def placeholder(text: str) -> bool:
    """True when a passage holds nothing but a placeholder ("TODO", "Coming soon")."""
    return bool(_PLACEHOLDER.match(text))


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
    near_rank: dict[int, int] = {}
    if widen and vector is not None and NEAREST_PASSAGES:
        nearest = _nearest_passages(searcher, vector, NEAREST_PASSAGES)
        near_rank = {pid: rank for rank, (pid, _) in enumerate(nearest)}
        near_rows = store.passage_rows([pid for pid, _ in nearest])
        empty = _empty_first(nearest, near_rows)
        if empty is None and nearest:
            near_rank.pop(nearest[0][0], None)  # rank 0 marks a placeholder that stands out
        elif empty is not None:
            add(empty, NEAREST_PRIOR, "vector")
        if NEAREST_WIDEN:
            for pid, rank in near_rank.items():
                add(pid, NEAREST_PRIOR * _prior(rank), "vector")
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
            prior=prior, via=via, format=row.format, near=near_rank.get(pid, -1)))
    out = _with_lead_ins(store, out)
    out.sort(key=lambda c: -c.prior)
    return hits, out


def _nearest_passages(searcher: Searcher, vector: Future[Any],
                      k: int) -> list[tuple[int, float]]:
    """The ids and cosines of the `k` passages whose vectors lie nearest the question's (none
    when the store holds no vectors of the searcher's model)."""
    found, _ = searcher.store.nearest(searcher.embedder.name, vector.result(), k)
    return [(s.id, s.score) for s in found]


def _empty_first(nearest: list[tuple[int, float]], rows: dict[int, Any]) -> int | None:
    """The nearest passage when it is a placeholder nearer the question than every passage
    with text by EMPTY_MARGIN, else None."""
    if not nearest or nearest[0][0] not in rows or not placeholder(rows[nearest[0][0]].text):
        return None
    texts = [score for pid, score in nearest[1:]
             if pid in rows and not placeholder(rows[pid].text)]
    if texts and nearest[0][1] - texts[0] < EMPTY_MARGIN:
        return None
    return nearest[0][0]


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
