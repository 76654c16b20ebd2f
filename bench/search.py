"""Search benchmark: quality (MRR@10, recall@10) against peers, latency, throughput, cold start.

    .venv/bin/python bench/search.py --cache /work/cache/search      # everything
    .venv/bin/python bench/search.py --only descriptions --split tune  # while tuning
    .venv/bin/python bench/search.py --only descriptions --hide source  # source's names, as spelled
    .venv/bin/python bench/search.py --skip-scale --json
    .venv/bin/python bench/search.py --only sentences  # sentences typed from the notes
    .venv/bin/python bench/search.py --only paired-names  # a concept's names as others spell them
    .venv/bin/python bench/search.py --only own-words  # concepts described in our own words
    .venv/bin/python bench/search.py --only own-words --own-words bench/queries/own_words2.jsonl
    .venv/bin/python bench/search.py --only own-words --own-words bench/queries/own_words3.jsonl

Descriptions (bench/queries/descriptions.jsonl, see bench/devset.py) mirror the held-out
protocol: each query runs against a fresh store holding only its target collection, and is
reported by half (tune/report), kind and target collection. Names, acronyms and typos
(bench/queries/dev.jsonl) run over examples/, ../shared/seeds and ../shared/corpora in one
store. Both are scored for Grimoire's three modes and, in the same run and over the same units
(one document per entry, one per free passage), for three peers: bm25s alone, the same
MiniLM alone, and a plain RRF of the two (what gluing two libraries together gives).
Results of every system are reduced to one per entry (or per document) before scoring.

Latency is measured in a warm process over generated passages (10k, 100k) with random unit
vectors (the vector math costs the same as with real ones); the query vector is computed by
the real model each time.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import grimoire  # noqa: E402
from grimoire.embed import MiniLM  # noqa: E402
from grimoire.model import Document, Entry, Passage, Span  # noqa: E402
from grimoire.names import normalize  # noqa: E402
from grimoire.search import embed_store  # noqa: E402
from grimoire.store.base import SourceRecord  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import devset  # noqa: E402
from engines import on_postgres, postgres_server  # noqa: E402

SHARED = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared"))
QUERIES = ROOT / "bench" / "queries" / "dev.jsonl"
_PAREN = re.compile(r"\(([^)]*)\)")


def corpus_roots(kb: grimoire.Grimoire) -> list[Path]:
    """The folders all.db is built from, with examples/ copied to one fixed folder.

    A store copied from one checkout to another would otherwise gain each checkout's
    examples/ again under a new path (and the names figure would move with the count of
    copies, not the code); sources under any other root are removed first.
    """
    examples = Path(tempfile.gettempdir()) / "grimoire-bench" / "examples"
    shutil.copytree(ROOT / "examples", examples, dirs_exist_ok=True)
    # The folder is shared by every checkout: a file another checkout's examples/ holds and
    # this one does not would be read with it (round 49: a new lecture moved two helpers'
    # names figures). Two checkouts benched at the same moment still share it.
    ours = {p.relative_to(ROOT / "examples") for p in (ROOT / "examples").rglob("*")}
    for extra in sorted(examples.rglob("*"), reverse=True):
        if extra.relative_to(examples) not in ours:
            if extra.is_dir() and not extra.is_symlink():
                shutil.rmtree(extra)
            else:
                extra.unlink()
    roots = [p for p in (examples, SHARED / "seeds", SHARED / "corpora") if p.exists()]
    keys = {os.path.abspath(p) for p in roots} | {str(p.resolve()) for p in roots}  # noqa: PTH100
    for record in kb.store.sources():
        if record.root not in keys:
            kb.store.remove_source(record.path)
    return roots


# -- quality --------------------------------------------------------------------------------


def variants(label: str | None) -> set[str]:
    """A label as the names it stands for: whole, without its "(...)", and the "(...)"."""
    if not label:
        return set()
    out = {normalize(label), normalize(_PAREN.sub(" ", label))}
    out.update(normalize(m) for m in _PAREN.findall(label))
    return {v for v in out if v}


def path_label(path: str) -> str:
    return Path(path).stem.replace("-", " ").replace("_", " ")


@dataclass(frozen=True, slots=True)
class Unit:
    """One peer document: an entry, or a passage outside any entry."""

    key: tuple[str, int]  # the group it belongs to, as Grimoire groups
    text: str
    labels: frozenset[str]


def load_units(kb: grimoire.Grimoire) -> tuple[list[Unit], dict[tuple[str, int], int]]:
    """Peer documents, and the row of each in the stored vector matrix."""
    conn = kb.store.conn
    units: list[Unit] = []
    index: dict[tuple[str, int], int] = {}
    for eid, term, data, title, path in conn.execute(
        """SELECT e.id, e.term, e.data, d.title, s.path FROM entries e
           JOIN documents d ON d.id = e.document_id JOIN sources s ON s.id = d.source_id
           WHERE e.redirect IS NULL"""
    ):
        d = json.loads(data)
        parts = [term, *d.get("aliases", ()), *d.get("glosses", ()), d.get("definition", "")]
        text = " ".join(parts)
        labels = variants(term) | variants(title) | variants(path_label(path))
        for alias in d.get("aliases", ()):
            labels |= variants(alias)
        index[("entry", eid)] = len(units)
        units.append(Unit(("e", eid), text, frozenset(with_redirects(kb, labels))))
    for pid, doc_id, text, heading, title, path in conn.execute(
        """SELECT p.id, p.document_id, p.text, p.heading_path, d.title, s.path FROM passages p
           JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id
           WHERE p.entry_id IS NULL"""
    ):
        head = " ".join(json.loads(heading))
        labels = variants(title) | variants(path_label(path))
        index[("passage", pid)] = len(units)
        units.append(Unit(("d", doc_id), f"{title} {head} {text}",
                          frozenset(with_redirects(kb, labels))))
    return units, index


def hit_labels(kb: grimoire.Grimoire, hit: grimoire.model.Hit) -> set[str]:
    labels = variants(hit.concept) | variants(hit.title) | variants(path_label(hit.span.path))
    if hit.entry_id is not None:
        for (name,) in kb.store.conn.execute(
            "SELECT name FROM entry_names WHERE entry_id = ?", (hit.entry_id,)
        ):
            labels |= variants(name)
    return with_redirects(kb, labels)


# A labelled target that is a redirect page ("imputation": a page that only says "see value
# imputation") has no text of its own: a hit of the page it leads to gives what following the
# target gives, and counts (round 38: before, no system could find such a target, for peers
# leave redirects out of their units and a hit's labels never held the redirect's name).
_REDIRECTS: dict[str, dict[str, set[str]]] = {}  # by the store's file


def with_redirects(kb: grimoire.Grimoire, labels: set[str] | frozenset[str]) -> set[str]:
    """`labels` with the names of the store's redirect pages that lead to one of them."""
    key = str(kb.store.conn.execute("PRAGMA database_list").fetchone()[2])
    if key not in _REDIRECTS:
        found: dict[str, set[str]] = {}
        for term, target in kb.store.conn.execute(
                "SELECT term, redirect FROM entries WHERE redirect IS NOT NULL"):
            for name in variants(target):
                found.setdefault(name, set()).update(variants(term))
        _REDIRECTS[key] = found
    out = set(labels)
    for label in labels:
        out |= _REDIRECTS[key].get(label, set())
    return out


def unit_vectors(index: dict[tuple[str, int], int], count: int, kinds: Sequence[int],
                 ids: Sequence[int],
                 stored: np.ndarray) -> np.ndarray:
    """One stored vector per unit (`load_units`' order; zeros where a unit has none), from
    the store's `load_vectors` rows: MiniLM alone, the peer, on the same units."""
    rows = {("entry" if k == 1 else "passage", int(i)): r
            for r, (k, i) in enumerate(zip(kinds, ids, strict=True))}
    matrix = np.zeros((count, stored.shape[1]), dtype=np.float32)
    for key, u in index.items():
        if key in rows:
            matrix[u] = stored[rows[key]]
    return matrix


def group_labels(kb: grimoire.Grimoire, keys: Sequence[tuple[str, int]]
                 ) -> dict[tuple[str, int], set[str]]:
    """The names each of search's candidate groups (`("c", concept id)`, `("e", entry id)`,
    `("d", document id)`) would be judged by, as a hit of it is (bench/fusion_fit.py and
    bench/search_evidence.py, which score candidates outside a search)."""
    out: dict[tuple[str, int], set[str]] = {k: set() for k in keys}
    for start in range(0, len(keys), 500):
        part = list(keys[start:start + 500])
        with kb.store.reading():
            hits = kb.searcher._hits(part, dict.fromkeys(part, 1.0), {}, set(), {}, None)
        for hit in hits:
            key = (("c", int(hit.concept_id)) if hit.concept_id is not None
                   else ("e", hit.entry_id) if hit.entry_id is not None else None)
            if key in out:
                out[key] = hit_labels(kb, hit)
    for key in keys:
        if key[0] == "d" and not out[key]:
            row = kb.store.conn.execute(
                "SELECT d.title, s.path FROM documents d JOIN sources s ON s.id = d.source_id"
                " WHERE d.id = ?", (key[1],)).fetchone()
            if row:
                out[key] = variants(row[0]) | variants(path_label(row[1]))
    return out


def relevant(labels: set[str] | frozenset[str], expected: Sequence[str]) -> bool:
    want = set().union(*(variants(e) for e in expected))
    return bool(labels & want)


Labels = set[str] | frozenset[str]


def score(ranked_labels: list[Labels], expected: Sequence[str]) -> tuple[float, float]:
    for rank, labels in enumerate(ranked_labels[:10], 1):
        if relevant(labels, expected):
            return 1.0 / rank, 1.0
    return 0.0, 0.0


def dedupe(order: Sequence[int], units: Sequence[Unit], k: int = 10) -> list[Unit]:
    seen: set[tuple[str, int]] = set()
    out: list[Unit] = []
    for i in order:
        if units[i].key not in seen:
            seen.add(units[i].key)
            out.append(units[i])
            if len(out) == k:
                break
    return out


Result = tuple[float, float]  # (reciprocal rank, found in the top 10)


def run_systems(
    kb: grimoire.Grimoire, queries: Sequence[tuple[str, Sequence[str]]],
    searched: grimoire.Grimoire | None = None,
) -> dict[str, list[Result]]:
    """Each system's (reciprocal rank, hit) for each (query, expected names), in order.
    Grimoire searches `searched` (the same notes on another engine) when given."""
    on = kb if searched is None else searched
    import bm25s

    units, index = load_units(kb)
    searcher = kb.searcher
    model = searcher.embedder
    # MiniLM alone: the stored vectors of the same units (entries and free passages).
    kinds, ids, _, _, stored = kb.store.load_vectors(model.name)
    matrix = unit_vectors(index, len(units), kinds, ids, stored)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([u.text for u in units], stopwords="en", show_progress=False),
                    show_progress=False)
    embedded: dict[str, np.ndarray] = {}

    def bm25_order(q: str) -> list[int]:
        tokens = bm25s.tokenize([q], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return []
        docs, _ = retriever.retrieve(tokens, k=min(200, len(units)), show_progress=False)
        return [int(i) for i in docs[0]]

    def vector_order(q: str) -> list[int]:
        if q not in embedded:
            embedded[q] = model.embed([q])[0]
        return [int(i) for i in np.argsort(-(matrix @ embedded[q]))[:200]]

    def rrf(*orders: list[int]) -> list[int]:
        fused: dict[int, float] = {}
        for order in orders:
            for rank, i in enumerate(order, 1):
                fused[i] = fused.get(i, 0.0) + 1.0 / (60 + rank)
        return sorted(fused, key=lambda i: -fused[i])

    systems: dict[str, Callable[[str], list[set[str] | frozenset[str]]]] = {
        f"grimoire {mode}": (
            lambda q, m=mode: [hit_labels(kb, h) for h in on.search(q, k=10, mode=m)]
        )
        for mode in ("lexical", "semantic", "hybrid")
    }
    systems["peer bm25s"] = lambda q: [u.labels for u in dedupe(bm25_order(q), units)]
    systems["peer MiniLM"] = lambda q: [u.labels for u in dedupe(vector_order(q), units)]
    systems["peer RRF(bm25s, MiniLM)"] = lambda q: [
        u.labels for u in dedupe(rrf(bm25_order(q), vector_order(q)), units)]
    # The same peers over entries only, "one vector per entry" as issue 9's held-out peer is
    # described (no passage outside an entry is a unit): stronger than the above on
    # descriptions2 `--hide source` (MiniLM 0.477 / 0.460 -> 0.490 / 0.473, RRF 0.453 / 0.417
    # -> 0.467 / 0.439, tune / report) and on own_words7-9 but one half (bench/peers.py,
    # bench/README.md round 36 peer36).
    rows_e = [i for i, u in enumerate(units) if u.key[0] == "e"]
    if rows_e:
        matrix_e = matrix[rows_e]
        retriever_e = bm25s.BM25()
        retriever_e.index(bm25s.tokenize([units[i].text for i in rows_e], stopwords="en",
                                         show_progress=False), show_progress=False)

        def bm25_order_e(q: str) -> list[int]:
            tokens = bm25s.tokenize([q], stopwords="en", show_progress=False)
            if not tokens.vocab:
                return []
            docs, _ = retriever_e.retrieve(tokens, k=min(200, len(rows_e)),
                                           show_progress=False)
            return [rows_e[int(i)] for i in docs[0]]

        def vector_order_e(q: str) -> list[int]:
            vector_order(q)  # embeds the query once
            return [rows_e[int(i)] for i in np.argsort(-(matrix_e @ embedded[q]))[:200]]

        systems["peer bm25s (entries)"] = lambda q: [
            u.labels for u in dedupe(bm25_order_e(q), units)]
        systems["peer MiniLM (entries)"] = lambda q: [
            u.labels for u in dedupe(vector_order_e(q), units)]
        systems["peer RRF (entries)"] = lambda q: [
            u.labels for u in dedupe(rrf(bm25_order_e(q), vector_order_e(q)), units)]
    return {name: [score(run(q), expected) for q, expected in queries]
            for name, run in systems.items()}


def summarize(
    results: dict[str, list[Result]], groups: Sequence[Sequence[str]]
) -> dict[str, dict[str, float]]:
    """Per system, MRR@10 and recall@10 for every group label a query carries ("all" too)."""
    out: dict[str, dict[str, float]] = {}
    for name, per_query in results.items():
        buckets: dict[str, list[Result]] = {}
        for labels, r in zip(groups, per_query, strict=True):
            for label in ("all", *labels):
                buckets.setdefault(label, []).append(r)
        out[name] = {}
        for label, vals in buckets.items():
            out[name][f"{label} MRR@10"] = round(statistics.fmean(x[0] for x in vals), 3)
            # the standard error of that mean: a change smaller than about two is noise
            out[name][f"{label} MRR@10 se"] = round(
                statistics.stdev(x[0] for x in vals) / len(vals) ** 0.5 if len(vals) > 1
                else 0.0, 3)
            out[name][f"{label} recall@10"] = round(statistics.fmean(x[1] for x in vals), 3)
            out[name][f"{label} n"] = len(vals)
    return out


def quality(kb: grimoire.Grimoire, queries: list[dict]) -> dict[str, dict[str, float]]:
    """The name/acronym/typo set over the whole corpus, by kind."""
    results = run_systems(kb, [(q["query"], q["expected"]) for q in queries])
    summary = summarize(results, [(q["kind"],) for q in queries])
    for name, per_query in results.items():
        summary[name]["_misses"] = [  # type: ignore[assignment]
            (q["query"], rr) for q, (rr, _) in zip(queries, per_query, strict=True) if rr < 1.0]
    return summary


def typed_sentences(kb: grimoire.Grimoire, n: int = 300, seed: int = 7) -> dict[str, object]:
    """Sentences typed from the notes: does the passage they come from come first?

    `n` sentences of 8-40 words, drawn from anywhere in the passages (one a passage, seeded),
    leaving out those that another passage holds too; each queried whole, with one word left
    out and with two neighbours swapped. Grimoire's lexical and hybrid modes, and a peer:
    bm25s over the same passages, one document each."""
    import bm25s

    rows = list(kb.store.conn.execute("SELECT id, text, entry_id FROM passages ORDER BY id"))
    texts = [t for _, t, _ in rows]
    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    drawn: list[tuple[int, bool, str]] = []
    for i in order:
        pid, text, entry = rows[i]
        found = [x.strip() for x in re.split(r"(?<=[.!?])\s+", text)
                 if 8 <= len(x.split()) <= 40]
        if not found:
            continue
        sentence = rng.choice(found)
        if sum(sentence in t for t in texts) == 1:
            drawn.append((pid, entry is not None, sentence))
        if len(drawn) == n:
            break
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False),
                    show_progress=False)

    def peer(q: str) -> list[int]:
        docs, _ = retriever.retrieve(bm25s.tokenize([q], stopwords="en", show_progress=False),
                                     k=10, show_progress=False)
        return [rows[int(i)][0] for i in docs[0]]

    systems: dict[str, Callable[[str], list[int | None]]] = {
        f"grimoire {mode}": (lambda q, m=mode: [h.passage_id for h in kb.search(q, mode=m)])
        for mode in ("lexical", "hybrid")}
    systems["peer bm25s (passages)"] = peer  # type: ignore[assignment]
    queries: list[tuple[int, str, str]] = []  # (passage id, label, query)
    for pid, in_entry, sentence in drawn:
        words = sentence.split()
        i = rng.randrange(len(words) - 1)
        where = "in an entry" if in_entry else "outside entries"
        queries += [(pid, f"exact, {where}", sentence),
                    (pid, f"a word left out, {where}", " ".join(words[:i] + words[i + 1:])),
                    (pid, f"two words swapped, {where}",
                     " ".join([*words[:i], words[i + 1], words[i], *words[i + 2:]]))]
    out: dict[str, object] = {"sentences": len(drawn), "seed": seed}
    for name, run in systems.items():
        buckets: dict[str, list[tuple[float, float]]] = {}
        for pid, label, query in queries:
            ranked = run(query)
            rank = ranked.index(pid) + 1 if pid in ranked else 0
            buckets.setdefault(label, []).append((float(rank == 1), 1.0 / rank if rank else 0.0))
        out[name] = {label: {"first": round(statistics.fmean(v[0] for v in vals), 3),
                             "MRR@10": round(statistics.fmean(v[1] for v in vals), 3),
                             "n": len(vals)}
                     for label, vals in sorted(buckets.items())}
    return out


def collection_store(collection: str, cache: Path) -> grimoire.Grimoire:
    """A store holding one collection only (kept in `cache`; ingest and embed are incremental)."""
    kb = grimoire.open(cache / f"{collection}.db")
    kb.ingest([devset.CORPORA / collection])
    return kb


# A display formula in a definition: a `$$` block, an rst `.. math::` block or role, or a
# LaTeX command with an argument.
_MATH = re.compile(r"\$\$|\.\. math::|:math:`|\\[A-Za-z]+\{")


def prose_targets(path: Path) -> set[str]:
    """Ids of the formula queries of `path` whose target's definition holds no formula: a
    formula can only be matched to it by what it means (round 28: 37 of the 58 formulas of
    descriptions2, which no system finds in 20 cases)."""
    out = set()
    for line in path.read_text().splitlines():
        ref = json.loads(line) if line.strip() else None
        if ref and ref["kind"] == "formula":
            t = ref["target"]
            if not _MATH.search(devset.read_lines(t["collection"], t["file"], tuple(t["lines"]))):
                out.add(ref["id"])
    return out


def descriptions(
    cache: Path, split: str | None = None, targets: Sequence[str] = devset.COLLECTIONS,
    mask: str = "blank", engine: str = "sqlite", queries: list[devset.DevQuery] | None = None,
    hide: str = "all", path: Path = devset.DESCRIPTIONS,
) -> dict[str, dict[str, float]]:
    """The reverse-dictionary set in `path` (or `queries` built like it): each query against a
    store of its target collection alone (on SQLite, or on PostgreSQL with `engine`)."""
    prose = set() if queries is not None else prose_targets(path)
    queries = devset.load(path, style=mask, hide=hide) if queries is None else queries
    results: dict[str, list[Result]] = {}
    groups: list[tuple[str, ...]] = []
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(postgres_server(cache)) if engine == "postgres" else None
        for collection in targets:
            mine = [q for q in queries if q.target == collection and split in (None, q.split)]
            if not mine:
                continue
            with contextlib.ExitStack() as stores:
                kb = stores.enter_context(collection_store(collection, cache))
                searched = (kb if server is None else
                            stores.enter_context(on_postgres(kb, collection, server)))
                pairs = [(q.text, q.expected) for q in mine]
                for name, per_query in run_systems(kb, pairs, searched).items():
                    results.setdefault(name, []).extend(per_query)
            # Formulas by what their target holds: a formula too, or prose only.
            groups += [(q.split, f"{q.split}/{q.kind}", f"{q.split}/{collection}",
                        *([f"{q.split}/{'to-prose' if q.id in prose else 'to-formula'}"]
                          if q.kind == "formula" else []))
                       for q in mine]
    return summarize(results, groups)


def seed_vectors(kb: grimoire.Grimoire, cache: Path) -> None:
    """Copy vectors the collection stores already computed (same model and text, same hash)."""
    conn = kb.store.conn
    for collection in devset.COLLECTIONS:
        path = cache / f"{collection}.db"
        if not path.exists():
            continue
        conn.execute("ATTACH DATABASE ? AS other", (str(path),))
        try:
            with conn:
                conn.execute("INSERT OR IGNORE INTO vec_blobs SELECT * FROM other.vec_blobs")
        finally:
            conn.execute("DETACH DATABASE other")


# -- scale ----------------------------------------------------------------------------------


def generate(path: str, n_passages: int, vocabulary: list[str], seed: int = 7) -> None:
    """A store of `n_passages` generated passages (10 per document, 1 in 4 a glossary entry)."""
    rng = random.Random(seed)
    kb = grimoire.open(path)
    store = kb.store
    dim = 384
    vrng = np.random.default_rng(seed)
    per_doc = 10
    for d in range(n_passages // per_doc):
        file = f"/generated/note{d:06d}.md"
        passages, entries = [], []
        for p in range(per_doc):
            line = p * 3 + 1
            words = rng.choices(vocabulary, k=rng.randint(30, 90))
            text = " ".join(words)
            if p % 4 == 0:
                term = " ".join(rng.choices(vocabulary, k=rng.randint(1, 3))).title() + f" {d}"
                entries.append(Entry(term=term, definition=text, span=Span(file, line, line + 1),
                                     aliases=(f"{term[:3].upper()}{d}",)))
                passages.append(Passage(text=text, span=Span(file, line, line + 1),
                                        heading_path=(term,)))
            else:
                passages.append(Passage(text=text, span=Span(file, line, line + 1),
                                        heading_path=(f"Section {p}",)))
        doc = Document(path=file, format="markdown", title=" ".join(rng.choices(vocabulary, k=3)),
                       passages=tuple(passages), entries=tuple(entries), tags=("generated",))
        store.replace_source(SourceRecord(path=file, status="ok", format="markdown",
                                          sha256=str(d), root="/generated"), [doc])
    units = store.embed_units("all-MiniLM-L6-v2-onnx-int8")
    for start in range(0, len(units), 5000):
        part = units[start : start + 5000]
        vectors = vrng.standard_normal((len(part), dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.save_vectors(
            "all-MiniLM-L6-v2-onnx-int8",
            [(f"g{u.kind}{u.id}", v) for u, v in zip(part, vectors, strict=True)],
            [(u.kind, u.id, f"g{u.kind}{u.id}") for u in part],
        )
    kb.close()


def latency(path: str, queries: list[str], mode: str = "hybrid") -> dict[str, float]:
    kb = grimoire.open(path)
    kb.search("warm up", mode=mode)
    times = []
    for _ in range(2):
        for q in queries:
            t = time.perf_counter()
            kb.search(q, k=10, mode=mode)
            times.append((time.perf_counter() - t) * 1000)
    kb.close()
    times.sort()
    return {"p50 ms": round(statistics.median(times), 1),
            "p99 ms": round(times[int(0.99 * (len(times) - 1))], 1)}


def throughput(kb: grimoire.Grimoire, n: int = 256) -> float:
    texts = [u.text for u in kb.store.embed_units("none", only_missing=False)[:n]]
    model = MiniLM()
    model.embed(["warm up"])
    t = time.perf_counter()
    model.embed(texts)
    return round(len(texts) / (time.perf_counter() - t), 1)


def cold_start(db: str, query: str, mode: str, runs: int = 3) -> float:
    exe = str(Path(sys.executable).with_name("grimoire"))
    best = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([exe, "--db", db, "search", query, "--mode", mode, "-k", "10"],
                       check=True, capture_output=True)
        best.append(time.perf_counter() - t)
    return round(statistics.median(best), 2)


# -- main -----------------------------------------------------------------------------------


SHORT = {"distill-articles": "distill", "google-ml-glossary-vault": "vault", "hf-docs": "hf",
         "ml-cheatsheet-rst": "cheat", "ml-glossary-terms": "terms", "description": "desc",
         "to-formula": "f>f", "to-prose": "f>prose"}


def print_sentences(result: dict[str, object]) -> None:
    print(f"\nsentences typed from the notes ({result['sentences']} drawn, seed "
          f"{result['seed']}): own passage first (MRR@10)")
    systems = [k for k in result if k not in ("sentences", "seed")]
    labels = list(result[systems[0]])  # type: ignore[call-overload]
    print(f"{'':38}" + "".join(f"{s[:22]:>24}" for s in systems))
    for label in labels:
        cells = []
        for system in systems:
            cell = result[system][label]  # type: ignore[index]
            cells.append(f"{cell['first']:.3f} ({cell['MRR@10']:.3f}) n={cell['n']}")
        print(f"{label:38}" + "".join(f"{c:>24}" for c in cells))


def print_descriptions(summary: dict[str, dict[str, float]], title: str = "descriptions") -> None:
    """One table per half: MRR@10 and recall@10, then each by kind and by target collection."""
    for split in ("tune", "report"):
        first = next(iter(summary.values()))
        if f"{split} MRR@10" not in first:
            continue
        n = int(first[f"{split} n"])
        cols = [k.split()[0] for k in first if k.startswith(f"{split}/") and k.endswith("MRR@10")]
        head = " ".join(f"{SHORT.get(c.split('/')[1], c.split('/')[1]):>8}" for c in cols)
        for metric in ("MRR@10", "recall@10"):
            print(f"\n{title}, {split} half ({n} queries; {metric} by kind and target collection)")
            print(f"{'system':28} {'MRR@10':>7} {'s.e.':>6} {'R@10':>6} {head}")
            print(f"{'':28} {'':>7} {'':>6} {'':>6} "
                  + " ".join(f"{int(first[c + ' n']):>8}" for c in cols))
            for name, r in summary.items():
                row = " ".join(f"{r[f'{c} {metric}']:8.3f}" for c in cols)
                print(f"{name:28} {r[split + ' MRR@10']:7.3f} {r[split + ' MRR@10 se']:6.3f}"
                      f" {r[split + ' recall@10']:6.3f} {row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "grimoire-bench"),
                        help="folder for the stores (re-used: ingest and embed are incremental)")
    parser.add_argument("--queries", default=str(QUERIES))
    parser.add_argument("--only", choices=("descriptions", "own-words", "paired-names", "names",
                                                "sentences"),
                        help="run one query set only (no cold start, throughput, latency)")
    parser.add_argument("--split", choices=("tune", "report"), help="one half of descriptions")
    parser.add_argument("--descriptions", type=Path, default=devset.DESCRIPTIONS,
                        help="the description pairs (bench/queries/descriptions2.jsonl: every"
                             " pair, no cap per pair of collections)")
    parser.add_argument("--own-words", type=Path, default=devset.OWN_WORDS,
                        help="the own-words queries (bench/queries/own_words2.jsonl: 297, the"
                             " first 110 and 187 more; own_words3.jsonl: 60 outsider queries,"
                             " own_words4.jsonl: 50 more over all five collections; both"
                             " reported, never tuned on)")
    parser.add_argument("--targets", default=",".join(devset.COLLECTIONS),
                        help="target collections of the descriptions to run")
    parser.add_argument("--mask", choices=tuple(devset.MASK_STYLES), default="blank",
                        help="how descriptions hide the names: ___, [MASK], 'this term',"
                             " nothing, X")
    parser.add_argument("--hide", choices=devset.HIDE, default="all",
                        help="descriptions: hide every name of both sides (all), or only the"
                             " source's own names as spelled (source: held-out-like)")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite",
                        help="the descriptions' stores on SQLite files or on PostgreSQL"
                             " (pgserver, started here; each store copied from its SQLite file)")
    parser.add_argument("--skip-scale", action="store_true", help="no 10k/100k latency runs")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--misses", action="store_true", help="list the queries each system missed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    devset.require_corpora()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)

    queries = [json.loads(line) for line in Path(args.queries).read_text().splitlines() if line]
    report: dict[str, object] = {
        "versions": {"python": platform.python_version(), "grimoire": grimoire.__name__,
                     "numpy": np.__version__},
        "queries": len(queries),
    }
    loaders: tuple[tuple[str, Callable[[], list[devset.DevQuery]]], ...] = (
        ("paired-names", devset.paired_names),
        ("own-words", lambda: devset.own_words(args.own_words)))
    for only, load in loaders:
        if args.only == only:
            title = only.replace("-", " ")
            report[title] = descriptions(cache, args.split, args.targets.split(","),
                                         engine=args.engine, queries=load())
            if args.json:
                print(json.dumps(report, indent=2, default=str))
            else:
                print_descriptions(report[title], title)  # type: ignore[arg-type]
            return
    if args.only != "names":
        report["descriptions"] = descriptions(cache, args.split, args.targets.split(","),
                                              args.mask, args.engine, hide=args.hide,
                                              path=args.descriptions)
    if args.only == "descriptions":
        if args.json:
            print(json.dumps(report, indent=2, default=str))
        else:
            print_descriptions(report["descriptions"])  # type: ignore[arg-type]
        return
    db = str(cache / "all.db")
    kb = grimoire.open(db)
    t = time.perf_counter()
    kb.ingest(corpus_roots(kb), embed=False)
    seed_vectors(kb, cache)
    embedded = embed_store(kb.store, kb.searcher.embedder)
    report["corpus"] = {"ingest+embed s": round(time.perf_counter() - t, 1),
                        "embedded": embedded.embedded, "vectors": embedded.total,
                        **{k: v for k, v in dataclasses.asdict(kb.stats()).items()
                           if isinstance(v, int)}}
    if args.only == "sentences":
        report["typed sentences"] = typed_sentences(kb)
        kb.close()
        if args.json:
            print(json.dumps(report, indent=2, default=str))
            return
        print_sentences(report["typed sentences"])  # type: ignore[arg-type]
        return
    report["quality"] = quality(kb, queries)
    tokens = [w for (text,) in kb.store.conn.execute("SELECT text FROM passages")
              for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text)]
    if args.only is None:
        report["embedding passages/s"] = throughput(kb)
    kb.close()
    if args.only is None:
        report["cold start s"] = {
            "lexical": cold_start(db, "kl div", "lexical"),
            "hybrid": cold_start(db, "fine-tune a big model with two low-rank matrices",
                                 "hybrid"),
        }
    if args.only is None and not args.skip_scale:
        # Words drawn with their frequencies in the real corpus, so that term statistics
        # (a few very common words, a long tail of rare ones) are those of real notes.
        vocabulary = tokens
        probe = [item["query"] for item in queries]
        scale = {}
        for size in (int(s) for s in args.sizes.split(",")):
            path = str(cache / f"generated-v2-{size}.db")
            if not Path(path).exists():
                generate(path, size, vocabulary)
            scale[f"{size} passages"] = {m: latency(path, probe, m)
                                         for m in ("lexical", "hybrid")}
        report["latency"] = scale
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    print(f"search bench · python {platform.python_version()} · numpy {np.__version__} · "
          f"corpus {report['corpus']}")
    if "descriptions" in report:
        print_descriptions(report["descriptions"])  # type: ignore[arg-type]
    print(f"\nnames, acronyms, typos ({len(queries)} queries over the whole corpus)")
    print(f"{'system':28} {'MRR@10':>7} {'R@10':>6}   by kind (MRR@10)")
    for name, r in report["quality"].items():  # type: ignore[union-attr]
        kinds = " ".join(f"{k.split()[0]}={v:.2f}" for k, v in r.items()
                         if k.endswith("MRR@10") and not k.startswith("all"))
        print(f"{name:28} {r['all MRR@10']:7.3f} {r['all recall@10']:6.3f}   {kinds}")
        if args.misses:
            for q, rr in r["_misses"]:
                print(f"      {rr:.2f}  {q}")
    if "embedding passages/s" in report:
        print(f"embedding: {report['embedding passages/s']} passages/s")
        print(f"cold start of `grimoire search`: {report['cold start s']}")
    for size, r in report.get("latency", {}).items():  # type: ignore[union-attr]
        print(f"latency {size}: {r}")


if __name__ == "__main__":
    main()
