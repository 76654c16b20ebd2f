"""Search benchmark: quality (MRR@10, recall@10) against peers, latency, throughput, cold start.

    .venv/bin/python bench/search.py                 # everything, small table
    .venv/bin/python bench/search.py --skip-scale    # quality, throughput and cold start only
    .venv/bin/python bench/search.py --json

Quality runs the query set (bench/queries/dev.jsonl) over examples/, ../shared/seeds and
../shared/corpora, for Grimoire's three modes and, in the same run and over the same units
(one document per entry, one per free passage), for three peers: bm25s alone, the same
MiniLM alone, and a plain RRF of the two (what gluing two libraries together gives).
Results of every system are reduced to one per entry (or per document) before scoring.

Latency is measured in a warm process over generated passages (10k, 100k) with random unit
vectors (the vector math costs the same as with real ones); the query vector is computed by
the real model each time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import random
import re
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

SHARED = ROOT.parent / "shared"
CORPUS = [ROOT / "examples", SHARED / "seeds", SHARED / "corpora"]
QUERIES = ROOT / "bench" / "queries" / "dev.jsonl"
_PAREN = re.compile(r"\(([^)]*)\)")


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
        units.append(Unit(("e", eid), text, frozenset(labels)))
    for pid, doc_id, text, heading, title, path in conn.execute(
        """SELECT p.id, p.document_id, p.text, p.heading_path, d.title, s.path FROM passages p
           JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id
           WHERE p.entry_id IS NULL"""
    ):
        head = " ".join(json.loads(heading))
        labels = variants(title) | variants(path_label(path))
        index[("passage", pid)] = len(units)
        units.append(Unit(("d", doc_id), f"{title} {head} {text}", frozenset(labels)))
    return units, index


def hit_labels(kb: grimoire.Grimoire, hit: grimoire.model.Hit) -> set[str]:
    labels = variants(hit.concept) | variants(hit.title) | variants(path_label(hit.span.path))
    if hit.entry_id is not None:
        for (name,) in kb.store.conn.execute(
            "SELECT name FROM entry_names WHERE entry_id = ?", (hit.entry_id,)
        ):
            labels |= variants(name)
    return labels


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


def quality(kb: grimoire.Grimoire, queries: list[dict]) -> dict[str, dict[str, float]]:
    import bm25s

    units, index = load_units(kb)
    searcher = kb.searcher
    model = searcher.embedder
    # MiniLM alone: the stored vectors of the same units (entries and free passages).
    vec = searcher._vector_index()
    rows = {("entry" if k == 1 else "passage", int(i)): r
            for r, (k, i) in enumerate(zip(vec.kinds, vec.ids, strict=True))}
    matrix = np.zeros((len(units), vec.matrix.shape[1]), dtype=np.float32)
    for key, u in index.items():
        if key in rows:
            matrix[u] = vec.matrix[rows[key]]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([u.text for u in units], stopwords="en", show_progress=False),
                    show_progress=False)

    def bm25_order(q: str) -> list[int]:
        tokens = bm25s.tokenize([q], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return []
        docs, _ = retriever.retrieve(tokens, k=min(200, len(units)), show_progress=False)
        return [int(i) for i in docs[0]]

    def vector_order(q: str) -> list[int]:
        return [int(i) for i in np.argsort(-(matrix @ model.embed([q])[0]))[:200]]

    def rrf(*orders: list[int]) -> list[int]:
        fused: dict[int, float] = {}
        for order in orders:
            for rank, i in enumerate(order, 1):
                fused[i] = fused.get(i, 0.0) + 1.0 / (60 + rank)
        return sorted(fused, key=lambda i: -fused[i])

    systems: dict[str, Callable[[str], list[set[str] | frozenset[str]]]] = {
        f"grimoire {mode}": (
            lambda q, m=mode: [hit_labels(kb, h) for h in kb.search(q, k=10, mode=m)]
        )
        for mode in ("lexical", "semantic", "hybrid")
    }
    systems["peer bm25s"] = lambda q: [u.labels for u in dedupe(bm25_order(q), units)]
    systems["peer MiniLM"] = lambda q: [u.labels for u in dedupe(vector_order(q), units)]
    systems["peer RRF(bm25s, MiniLM)"] = lambda q: [
        u.labels for u in dedupe(rrf(bm25_order(q), vector_order(q)), units)]
    results: dict[str, dict[str, float]] = {}
    for name, run in systems.items():
        per_kind: dict[str, list[tuple[float, float]]] = {}
        misses = []
        for item in queries:
            rr, hit = score(run(item["query"]), item["expected"])
            per_kind.setdefault(item["kind"], []).append((rr, hit))
            per_kind.setdefault("all", []).append((rr, hit))
            if rr < 1.0:
                misses.append((item["query"], rr))
        results[name] = {
            f"{kind} {metric}": round(statistics.fmean(x[i] for x in vals), 3)
            for kind, vals in per_kind.items()
            for i, metric in ((0, "MRR@10"), (1, "recall@10"))
        }
        results[name]["_misses"] = misses  # type: ignore[assignment]
    return results


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "grimoire-bench.db"),
                        help="store for the real corpus (re-used: ingest is incremental)")
    parser.add_argument("--queries", default=str(QUERIES))
    parser.add_argument("--skip-scale", action="store_true", help="no 10k/100k latency runs")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--misses", action="store_true", help="list the queries each system missed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    queries = [json.loads(line) for line in Path(args.queries).read_text().splitlines() if line]
    report: dict[str, object] = {
        "versions": {"python": platform.python_version(), "grimoire": grimoire.__name__,
                     "numpy": np.__version__},
        "queries": len(queries),
    }
    kb = grimoire.open(args.db)
    t = time.perf_counter()
    kb.ingest([p for p in CORPUS if p.exists()], embed=False)
    embedded = embed_store(kb.store, kb.searcher.embedder)
    report["corpus"] = {"ingest+embed s": round(time.perf_counter() - t, 1),
                        "embedded": embedded.embedded, "vectors": embedded.total,
                        **{k: v for k, v in dataclasses.asdict(kb.stats()).items()
                           if isinstance(v, int)}}
    report["quality"] = quality(kb, queries)
    report["embedding passages/s"] = throughput(kb)
    tokens = [w for (text,) in kb.store.conn.execute("SELECT text FROM passages")
              for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text)]
    kb.close()
    report["cold start s"] = {
        "lexical": cold_start(args.db, "kl div", "lexical"),
        "hybrid": cold_start(args.db, "fine-tune a big model with two low-rank matrices", "hybrid"),
    }
    if not args.skip_scale:
        # Words drawn with their frequencies in the real corpus, so that term statistics
        # (a few very common words, a long tail of rare ones) are those of real notes.
        vocabulary = tokens
        probe = [item["query"] for item in queries]
        scale = {}
        for size in (int(s) for s in args.sizes.split(",")):
            path = str(Path(tempfile.gettempdir()) / f"grimoire-bench-v2-{size}.db")
            if not Path(path).exists():
                generate(path, size, vocabulary)
            scale[f"{size} passages"] = {m: latency(path, probe, m)
                                         for m in ("lexical", "hybrid")}
        report["latency"] = scale
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    print(f"search bench · python {platform.python_version()} · numpy {np.__version__} · "
          f"{len(queries)} queries · corpus {report['corpus']}")
    print(f"{'system':28} {'MRR@10':>7} {'R@10':>6}   by kind (MRR@10)")
    for name, r in report["quality"].items():  # type: ignore[union-attr]
        kinds = " ".join(f"{k.split()[0]}={v:.2f}" for k, v in r.items()
                         if k.endswith("MRR@10") and not k.startswith("all"))
        print(f"{name:28} {r['all MRR@10']:7.3f} {r['all recall@10']:6.3f}   {kinds}")
        if args.misses:
            for q, rr in r["_misses"]:
                print(f"      {rr:.2f}  {q}")
    print(f"embedding: {report['embedding passages/s']} passages/s")
    print(f"cold start of `grimoire search`: {report['cold start s']}")
    for size, r in report.get("latency", {}).items():  # type: ignore[union-attr]
        print(f"latency {size}: {r}")


if __name__ == "__main__":
    main()
