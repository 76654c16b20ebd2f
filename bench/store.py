"""Store benchmark: SQLite and PostgreSQL on the same generated corpus, in one run.

    .venv/bin/python bench/store.py                       # 20k passages, both engines
    .venv/bin/python bench/store.py --simulate 100000      # PostgreSQL alone (docs/scaling.md)
    .venv/bin/python bench/store.py --pg-url postgresql://me@host/db   # an existing server
    .venv/bin/python bench/store.py --json

For each engine it times, through the store contract only (what differs between engines):
- ingest: documents written as ingest writes them (100 files per transaction, each file in
  its own savepoint), then vectors saved (synthetic unit vectors of MiniLM's dimension, 384:
  the vector math costs the same as with real ones; the model's cost is the same on both);
- lexical: `fts_passages` + `fts_entries` for a two-word query (60 candidates each, as search);
- semantic: `nearest` (60 passages and 60 entries), unfiltered, and filtered to 1 in 10 files;
- hybrid: both, plus the rows of the top 10, as one search needs from the store;
- the same hybrid query from 8 clients at once (8 threads, one store connection each).
`--build-index` also drops and rebuilds PostgreSQL's HNSW index to time a fresh build.
Without `--pg-url` a PostgreSQL 16 + pgvector is started with pgserver in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from grimoire.model import Document, Entry, Passage, Span  # noqa: E402
from grimoire.store import Store, open_store  # noqa: E402
from grimoire.store.postgres_schema import hnsw_index  # noqa: E402
from grimoire.store.records import Filters, SourceRecord, TextQuery  # noqa: E402

DIM = 384
MODEL = "bench-synthetic-384"
PER_DOC = 10
CANDIDATES = 60


def vocabulary(n: int = 5000, seed: int = 3) -> list[str]:
    """Pronounceable made-up words with a Zipf-like use: some common, most rare."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ra", "tu", "vo", "ze", "shi", "pra", "tel", "gon",
                 "dar", "wen", "quo", "bel", "sim", "rox", "ly", "ent"]
    words = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(n * 2)}
    return sorted(words)[:n]


def documents(n_passages: int, words: list[str], seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    weights = [1.0 / (i + 1) for i in range(len(words))]
    docs = []
    for d in range(max(1, n_passages // PER_DOC)):
        file = f"/generated/{d % 10}/note{d:07d}.md"
        passages, entries = [], []
        for p in range(PER_DOC):
            line = p * 3 + 1
            text = " ".join(rng.choices(words, weights, k=rng.randint(30, 90)))
            if p % 4 == 0:
                term = " ".join(rng.choices(words, k=rng.randint(1, 3))).title() + f" {d}"
                entries.append(Entry(term=term, definition=text, span=Span(file, line, line + 1),
                                     aliases=(f"{term[:3].upper()}{d}",)))
                heading: tuple[str, ...] = (term,)
            else:
                heading = (f"Section {p}",)
            passages.append(Passage(text=text, span=Span(file, line, line + 1),
                                    heading_path=heading))
        docs.append(Document(path=file, format="markdown",
                             title=" ".join(rng.choices(words, k=3)), passages=tuple(passages),
                             entries=tuple(entries), tags=(f"group{d % 10}",)))
    return docs


def ingest(store: Store, docs: list[Document]) -> float:
    """Seconds to write `docs` as ingest does: batches of 100 files, a savepoint per file."""
    t = time.perf_counter()
    for start in range(0, len(docs), 100):
        with store.transaction():
            for doc in docs[start : start + 100]:
                store.replace_source(SourceRecord(path=doc.path, status="ok", format="markdown",
                                                  sha256=doc.path, root="/generated"), [doc])
    return time.perf_counter() - t


def save_vectors(store: Store, seed: int = 11) -> tuple[float, int]:
    rng = np.random.default_rng(seed)
    units = store.embed_units(MODEL)
    t = time.perf_counter()
    for start in range(0, len(units), 2000):
        part = units[start : start + 2000]
        vectors = rng.standard_normal((len(part), DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.save_vectors(MODEL, [(f"{u.kind}{u.id}", v) for u, v in zip(part, vectors,
                                                                              strict=True)],
                           [(u.kind, u.id, f"{u.kind}{u.id}") for u in part])
    return time.perf_counter() - t, len(units)


def percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {"p50": round(statistics.median(times) * 1000, 2),
            "p99": round(times[int(0.99 * (len(times) - 1))] * 1000, 2)}


def timed(run: Callable[[int], Any], n: int) -> list[float]:
    run(0)  # warm: caches, the first vector scan, connections
    out = []
    for i in range(n):
        t = time.perf_counter()
        run(i)
        out.append(time.perf_counter() - t)
    return out


class Workload:
    """The queries, the same for every engine."""

    def __init__(self, words: list[str], n: int, seed: int = 5) -> None:
        rng = random.Random(seed)
        common = words[:300]
        self.texts = [TextQuery((rng.choice(common), rng.choice(words))) for _ in range(n)]
        vrng = np.random.default_rng(seed)
        v = vrng.standard_normal((n, DIM)).astype(np.float32)
        self.vectors = v / np.linalg.norm(v, axis=1, keepdims=True)

    def lexical(self, store: Store, i: int) -> None:
        q = self.texts[i % len(self.texts)]
        store.fts_passages(q, CANDIDATES)
        store.fts_entries(q, CANDIDATES)

    def lexical_unweighted(self, store: Store, i: int) -> None:
        """PostgreSQL's peer: the same matches ranked by `ts_rank` alone (no idf, no length
        normalisation), as the store ranked them before it followed bm25."""
        q = self.texts[i % len(self.texts)]
        for table in ("passages", "entries"):
            store._all(  # type: ignore[attr-defined]
                f"""WITH q AS (SELECT plainto_tsquery('grimoire', %s)
                                      || plainto_tsquery('grimoire', %s) AS q)
                    SELECT t.id, ts_rank(t.tsv, q.q) AS s FROM {table} t, q
                    WHERE t.tsv @@ q.q ORDER BY s DESC, t.id LIMIT %s""",
                (*q.words, CANDIDATES))

    def semantic(self, store: Store, i: int, allowed: set[int] | None = None) -> None:
        store.nearest(MODEL, self.vectors[i % len(self.vectors)], CANDIDATES, allowed)

    def hybrid(self, store: Store, i: int) -> None:
        q = self.texts[i % len(self.texts)]
        lexical = store.fts_passages(q, CANDIDATES)
        store.fts_entries(q, CANDIDATES)
        passages, _ = store.nearest(MODEL, self.vectors[i % len(self.vectors)], CANDIDATES)
        store.passage_rows([s.id for s in (lexical[:5] + passages[:5])])


def concurrent(open_one: Callable[[], Store], work: Workload, clients: int,
               per_client: int) -> dict[str, float]:
    stores = [open_one() for _ in range(clients)]
    times: list[list[float]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients)

    def client(c: int) -> None:
        work.hybrid(stores[c], c)  # warm this client
        start.wait()
        for i in range(per_client):
            t = time.perf_counter()
            work.hybrid(stores[c], c * per_client + i)
            times[c].append(time.perf_counter() - t)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    for s in stores:
        s.close()
    flat = [x for ts in times for x in ts]
    return {**percentiles(flat), "qps": round(len(flat) / wall, 1)}


def size_of(store: Store, path: Path | None) -> int:
    if path is not None:
        return sum(f.stat().st_size for f in path.parent.glob(path.name + "*"))
    row = store._one("SELECT pg_database_size(current_database())")  # type: ignore[attr-defined]
    return int(row[0])


def run_engine(engine: str, open_one: Callable[[], Store], path: Path | None,
               docs: list[Document], work: Workload, args: argparse.Namespace) -> dict[str, Any]:
    store = open_one()
    seconds = ingest(store, docs)
    passages = store.stats().passages
    if args.build_index and engine == "postgres":
        # Bulk load: vectors first, the HNSW index once after (timed below), as a migration
        # does; maintaining the index row by row is what makes a large first load slow.
        store._hnsw.update({("passage_vecs", DIM), ("entry_vecs", DIM)})  # type: ignore[attr-defined]
    vec_seconds, units = save_vectors(store)
    out: dict[str, Any] = {
        "engine": engine,
        "passages": passages,
        "ingest files/s": round(len(docs) / seconds, 1),
        "ingest passages/s": round(passages / seconds, 1),
        "vectors/s": round(units / vec_seconds, 1),
    }
    if args.build_index and engine == "postgres":
        with store.transaction() as c:
            c.execute(f"DROP INDEX IF EXISTS passage_vecs_hnsw_{DIM}")
            c.execute(f"DROP INDEX IF EXISTS entry_vecs_hnsw_{DIM}")
        t = time.perf_counter()
        # As docs/scaling.md says to build: with the graph in memory (pgvector slows down
        # badly once it outgrows maintenance_work_mem, 64 MB by default).
        for table in ("passage_vecs", "entry_vecs"):
            with store.transaction() as c:
                c.execute(f"SET LOCAL maintenance_work_mem = '{args.build_memory}'")
                c.execute(hnsw_index(table, DIM))
        out["HNSW build s"] = round(time.perf_counter() - t, 1)
    out["vectors"] = units
    out["size MB"] = round(size_of(store, path) / 1e6, 1)
    allowed = store.filtered_documents(Filters(source="/generated/3"))
    n = args.queries
    peers: tuple[tuple[str, Callable[[int], Any]], ...] = ()
    if engine == "postgres":
        peers = (("lexical ts_rank alone", lambda i: work.lexical_unweighted(store, i)),)
    for name, run in (
        ("lexical", lambda i: work.lexical(store, i)),
        *peers,
        ("semantic", lambda i: work.semantic(store, i)),
        ("semantic 1/10", lambda i: work.semantic(store, i, allowed)),
        ("hybrid", lambda i: work.hybrid(store, i)),
    ):
        for key, value in percentiles(timed(run, n)).items():
            out[f"{name} {key} ms"] = value
    store.close()
    for key, value in concurrent(open_one, work, args.clients, max(10, n // 4)).items():
        out[f"hybrid x{args.clients} {key}{'' if key == 'qps' else ' ms'}"] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--pg-url", help="an existing PostgreSQL (with pgvector) to use")
    parser.add_argument("--build-index", action="store_true",
                        help="time a fresh HNSW build on PostgreSQL")
    parser.add_argument("--build-memory", default="1GB",
                        help="PostgreSQL maintenance_work_mem for the HNSW build")
    parser.add_argument("--simulate", type=int, metavar="PASSAGES",
                        help="PostgreSQL alone at this many passages, the HNSW index built"
                             " after the load: the docs/scaling.md simulation")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.simulate:
        args.passages, args.engines, args.build_index = args.simulate, "postgres", True

    words = vocabulary()
    docs = documents(args.passages, words)
    work = Workload(words, max(args.queries, 64))
    tmp = Path(tempfile.mkdtemp(prefix="grimoire-bench-"))
    results = []
    server = None
    versions = {"python": platform.python_version(),
                "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
                "cpus": str(os.cpu_count())}
    try:
        for engine in args.engines.split(","):
            if engine == "sqlite":
                import sqlite3

                versions["sqlite"] = sqlite3.sqlite_version
                path = tmp / "bench.db"
                results.append(run_engine(engine, lambda p=path: open_store(str(p)), path, docs,
                                          work, args))
            elif engine == "postgres":
                url = args.pg_url
                if url is None:
                    import warnings

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        import pgserver

                        server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
                    url = server.get_uri()
                probe = open_store(url)
                row = probe._one("SELECT version(), (SELECT extversion FROM pg_extension"  # type: ignore[attr-defined]
                                 " WHERE extname = 'vector')")
                versions["postgres"] = str(row[0]).split(" on ")[0]
                versions["pgvector"] = str(row[1])
                probe.close()
                results.append(run_engine(engine, lambda u=url: open_store(u), None, docs,
                                          work, args))
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    versions["load average at end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    if args.json:
        print(json.dumps({"versions": versions, "results": results}, indent=2))
        return
    print(" ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"{args.passages} generated passages, {args.queries} queries, {args.clients} clients")
    keys = list(dict.fromkeys(k for r in results for k in r))
    width = max(len(k) for k in keys)
    for key in keys:
        print(key.ljust(width), *(str(r.get(key, "")).rjust(12) for r in results))


if __name__ == "__main__":
    main()
