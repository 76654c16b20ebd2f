"""Search at scale: latency at 100k and 1M passages, vector recall, memory, cold start.

    .venv/bin/python bench/scale.py --cache /work/cache/scale                  # 100k and 1M
    .venv/bin/python bench/scale.py --cache /work/cache/scale --sizes 100000
    .venv/bin/python bench/scale.py --cold /work/cache/scale/corpus.db         # cold start only
    .venv/bin/python bench/scale.py --cold STORE --against OTHER/src --runs 15     # A/B, in turn
    .venv/bin/python bench/scale.py --cache /work/cache/scale --sizes 100000 --postgres

The stores are generated (kept in --cache): 10 passages a note, 3 in 10 a glossary entry with
a term and an acronym, words drawn with their frequencies in ../shared/corpora. 100k passages
are written through the store API and resolved; a larger store is that one plus copies written
by SQL (`replicate`: ids shifted, names renumbered, fresh text and vectors; 1M in 4 minutes).
Their vectors are synthetic but shaped like real ones: each is a real MiniLM vector of a corpus
paragraph (tests/data/minilm_golden.npz) plus half of another plus noise, normalised, so that
neighbourhoods are uneven as in real notes. Queries are
bench/queries/dev.jsonl (names, acronyms, typos, descriptions), each embedded by the real
model inside the timed search.

Each size is measured in a fresh process, so its peak RSS (getrusage) is that search's own:
open the store, the first query (loads the vector index), then two rounds of the queries in
each mode (wall and CPU time, and the three slowest queries). Beside Grimoire, in the same
process: the bare FTS5 query with the same words (sqlite3, no grouping, no names) and the model
embedding the query alone. Exact float32 search
runs in a second process over the same vectors (its memory is the float32 matrix): its time
per query, and the top 10 / 60 that Grimoire's scan is scored against (recall).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import pty
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import grimoire  # noqa: E402
from grimoire.model import Document, Entry, Passage, Span  # noqa: E402
from grimoire.store.base import SourceRecord  # noqa: E402

SHARED = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared"))
QUERIES = ROOT / "bench" / "queries" / "dev.jsonl"
GOLDEN = ROOT / "tests" / "data" / "minilm_golden.npz"
MODEL = "all-MiniLM-L6-v2-onnx-int8"
PER_DOC = 10
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def vocabulary() -> list[str]:
    """Every word of ../shared/corpora, repeated as often as it occurs."""
    words: list[str] = []
    for path in sorted((SHARED / "corpora").rglob("*")):
        if path.is_file() and path.suffix in (".md", ".rst", ".txt", ".mdx", ".html"):
            words += WORD.findall(path.read_text(encoding="utf-8", errors="replace"))
    if not words:
        raise SystemExit(f"no words found under {SHARED / 'corpora'}")
    return words


def synthetic_vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` unit vectors around real MiniLM vectors (one real vector + half another + noise)."""
    real = np.asarray(np.load(GOLDEN)["vectors"], dtype=np.float32)
    a, b = rng.integers(0, len(real), n), rng.integers(0, len(real), n)
    noise = rng.standard_normal((n, real.shape[1])).astype(np.float32)
    v = real[a] + 0.5 * real[b] + noise * (0.7 / np.sqrt(real.shape[1]))
    out: np.ndarray = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    return out


def generate(path: Path, n_passages: int, seed: int = 7) -> None:
    """A store of `n_passages` generated passages with vectors, written through the store API."""
    words = vocabulary()
    rng = random.Random(seed)
    vrng = np.random.default_rng(seed)
    tmp = path.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    kb = grimoire.open(tmp)
    store = kb.store
    docs = n_passages // PER_DOC
    t = time.perf_counter()
    for first in range(0, docs, 500):
        with store.transaction():  # type: ignore[attr-defined]
            for d in range(first, min(docs, first + 500)):
                file = f"/generated/note{d:07d}.md"
                passages, entries = [], []
                for p in range(PER_DOC):
                    line = p * 3 + 1
                    text = " ".join(rng.choices(words, k=rng.randint(30, 90)))
                    span = Span(file, line, line + 1)
                    if p % 4 == 0:
                        term = " ".join(rng.choices(words, k=rng.randint(1, 3))).title() + f" {d}"
                        entries.append(Entry(term=term, definition=text, span=span,
                                             aliases=(f"{term[:3].upper()}{d}",)))
                        passages.append(Passage(text=text, span=span, heading_path=(term,)))
                    else:
                        passages.append(Passage(text=text, span=span,
                                                heading_path=(f"Section {p}",)))
                title = " ".join(rng.choices(words, k=3))
                doc = Document(path=file, format="markdown", title=title,
                               passages=tuple(passages), entries=tuple(entries),
                               tags=("generated",))
                store.replace_source(SourceRecord(path=file, status="ok", format="markdown",
                                                  sha256=str(d), root="/generated"), [doc])
        if first % 20_000 == 0:
            print(f"  {first * PER_DOC:,} passages written, {time.perf_counter() - t:.0f} s",
                  file=sys.stderr)
    units = [(u.kind, u.id) for u in store.embed_units(MODEL)]
    for start in range(0, len(units), 20_000):
        part = units[start : start + 20_000]
        vectors = synthetic_vectors(len(part), vrng)
        store.save_vectors(MODEL, [(f"g{k}{i}", v) for (k, i), v in zip(part, vectors,
                                                                       strict=True)],
                           [(k, i, f"g{k}{i}") for k, i in part])
    kb.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.rename(path)
    print(f"  generated {path} in {time.perf_counter() - t:.0f} s", file=sys.stderr)


BASE = 100_000  # passages written through the store API; larger stores copy this one


def build(cache: Path, n_passages: int) -> Path:
    """The generated store of `n_passages` in `cache`, made once."""
    path = cache / f"gen-{n_passages}.db"
    if path.exists():
        return path
    if n_passages <= BASE:
        generate(path, n_passages)
    else:
        base = build(cache, BASE)
        kb = grimoire.open(base)
        kb.resolve()  # the copies take the base's concepts (a new base has none yet)
        kb.close()
        replicate(base, path, n_passages)
    return path


def replicate(base: Path, path: Path, n_passages: int, seed: int = 11) -> None:
    """A store of `n_passages`: `base` (written through the API and resolved) plus copies of it.

    Writing 1M passages through the API takes over an hour here, so each copy is written by
    SQL: the same notes, entries, names and concepts with their ids shifted and their numbers
    renamed (note 5 of copy 2 is note 20005, its term "Softmax Layer 20005"), fresh passage
    text drawn from the same words, fresh synthetic vectors. The FTS triggers index the rows
    as an ingest would; the concepts are the base's resolution, copied.
    """
    import shutil
    import sqlite3

    from grimoire.names import normalize

    copies = -(-n_passages // BASE)
    words = vocabulary()
    rng = random.Random(seed)
    vrng = np.random.default_rng(seed)
    tmp = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    shutil.copy(base, tmp)
    c = sqlite3.connect(tmp, isolation_level=None)
    c.execute("PRAGMA synchronous = OFF")
    c.execute("PRAGMA cache_size = -200000")
    sources = c.execute("SELECT * FROM sources ORDER BY id").fetchall()
    documents = c.execute("SELECT * FROM documents ORDER BY id").fetchall()
    entries = c.execute("SELECT * FROM entries ORDER BY id").fetchall()
    names = c.execute("SELECT * FROM entry_names").fetchall()
    passages = c.execute("SELECT * FROM passages ORDER BY id").fetchall()
    concepts = c.execute("SELECT * FROM concepts ORDER BY id").fetchall()
    concept_names = c.execute("SELECT * FROM concept_names").fetchall()
    concept_entries = c.execute("SELECT * FROM concept_entries").fetchall()
    max_id = {t: c.execute(f"SELECT max({col}) FROM {t}").fetchone()[0]
              for t, col in (("sources", "id"), ("documents", "id"), ("entries", "id"),
                             ("passages", "id"), ("concepts", "id"))}
    note = {s[0]: int(s[1][-10:-3]) for s in sources}  # source id -> note number
    doc_note = {d[0]: note[d[1]] for d in documents}
    entry_note = {e[0]: doc_note[e[1]] for e in entries}
    concept_note = {cid: entry_note[eid] for eid, cid, _ in sorted(concept_entries, reverse=True)}
    notes = len(sources)
    t = time.perf_counter()

    def renamed(name: str, number: int, shift: int) -> str:
        tail = str(number)
        return name[: -len(tail)] + str(number + shift) if name.endswith(tail) else name

    for k in range(1, copies):
        s_off, d_off, e_off, p_off, c_off = (max_id[t] * k for t in (
            "sources", "documents", "entries", "passages", "concepts"))
        shift = notes * k
        texts = {p[0]: " ".join(rng.choices(words, k=rng.randint(30, 90))) for p in passages}
        c.execute("BEGIN")
        c.executemany("INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?,?)", [
            (s[0] + s_off, f"/generated/note{note[s[0]] + shift:07d}.md", s[2], s[3], s[4],
             s[5], str(note[s[0]] + shift), *s[7:]) for s in sources])
        c.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?)", [
            (d[0] + d_off, d[1] + s_off, d[2], " ".join(rng.choices(words, k=3)), *d[4:])
            for d in documents])
        definition = {p[2]: texts[p[0]] for p in passages if p[2] is not None}
        rows = []
        for e in entries:
            number = entry_note[e[0]]
            data = json.loads(e[7])
            # The term is the `entries.term` column (e[2]); the JSON holds no term, and no
            # span when the entry's is in its own file, which `sources` names (round 38's
            # `document_rows.stored_json`). A row in the old form keeps both, renamed.
            term = renamed(e[2], number, shift)
            if "term" in data:
                data["term"] = term
            data["aliases"] = [renamed(a, number, shift) for a in data["aliases"]]
            data["definition"] = definition.get(e[0], data["definition"])
            if "path" in data.get("span", {}):
                data["span"]["path"] = f"/generated/note{number + shift:07d}.md"
            rows.append((e[0] + e_off, e[1] + d_off, term, normalize(term),
                         e[4], e[5], e[6], json.dumps(data)))
        c.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?)", rows)
        c.executemany("INSERT INTO entry_names VALUES (?,?,?)", [
            (eid + e_off, new, normalize(new))
            for eid, name, _ in names
            for new in [renamed(name, entry_note[eid], shift)]])
        c.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?)", [
            (p[0] + p_off, p[1] + d_off, None if p[2] is None else p[2] + e_off, p[3], p[4],
             p[5] if p[2] is None else json.dumps(
                 [renamed(h, entry_note[p[2]], shift) for h in json.loads(p[5])]),
             texts[p[0]], *p[7:]) for p in passages])
        c.executemany("INSERT INTO concepts VALUES (?,?,?,?)", [
            (r[0] + c_off, normalize(renamed(r[2], concept_note[r[0]], shift)),
             renamed(r[2], concept_note[r[0]], shift), r[3]) for r in concepts])
        c.executemany("INSERT INTO concept_names VALUES (?,?,?,?,?,?,?)", [
            (r[0] + c_off, new, normalize(new), r[3], r[4],
             None if r[5] is None else r[5] + e_off, r[6])
            for r in concept_names for new in [renamed(r[1], concept_note[r[0]], shift)]])
        c.executemany("INSERT INTO concept_entries VALUES (?,?,?)", [
            (eid + e_off, cid + c_off, role) for eid, cid, role in concept_entries])
        units = [("p", p[0] + p_off) for p in passages] + [("e", e[0] + e_off) for e in entries]
        vectors = synthetic_vectors(len(units), vrng)
        c.executemany("INSERT INTO vec_blobs VALUES (?,?,?)", [
            (f"r{kind}{i}", MODEL, v.tobytes()) for (kind, i), v in zip(units, vectors,
                                                                       strict=True)])
        c.executemany("INSERT INTO passage_vecs VALUES (?,?)",
                      [(i, f"rp{i}") for kind, i in units if kind == "p"])
        c.executemany("INSERT INTO entry_vecs VALUES (?,?)",
                      [(i, f"re{i}") for kind, i in units if kind == "e"])
        c.execute("UPDATE concept_state SET dirty = 0")  # the copies are resolved as the base
        c.execute("COMMIT")
        print(f"  copy {k} of {copies - 1}: {(k + 1) * len(passages):,} passages,"
              f" {time.perf_counter() - t:.0f} s", file=sys.stderr)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.rename(path)


def queries() -> list[str]:
    return [json.loads(line)["query"] for line in QUERIES.read_text().splitlines() if line]


def percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {"p50 ms": round(float(statistics.median(times)), 1),
            "p99 ms": round(float(times[int(0.99 * (len(times) - 1))]), 1)}


def measure(path: Path, out: Path) -> None:
    """One size, in this (fresh) process: Grimoire, bare FTS5, query embedding; vectors used."""
    from grimoire.search import _text_query, _words
    from grimoire.store.sqlite_search import fts5_match

    qs = queries()
    report: dict[str, object] = {}
    index_file = Path(f"{path}-vectors")
    report["vector index file there before the run"] = index_file.exists()
    t = time.perf_counter()
    kb = grimoire.open(path)
    kb.search("warm up", mode="lexical")
    report["first lexical query s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    kb.search("warm up", mode="hybrid")
    report["first hybrid query s (loads or maps vectors)"] = round(time.perf_counter() - t, 2)
    # The second query started loading every name on a thread of its own; queries look names
    # up in the store until it is done. Timed from here on: the index in memory, as a server
    # has it once it is up.
    kb.searcher.names_loaded()
    report["name index ready s (from the second query's start)"] = round(
        time.perf_counter() - t, 2)
    for mode in ("lexical", "hybrid"):
        times, cpu = [], []
        worst: dict[str, float] = {}
        for _ in range(2):
            for q in qs:
                t, c = time.perf_counter(), time.process_time()
                kb.search(q, k=10, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                worst[q] = max(worst.get(q, 0.0), times[-1])
        report[f"grimoire {mode}"] = percentiles(times)
        report[f"grimoire {mode}, CPU of the process"] = percentiles(cpu)
        # The second pass may find what the first left behind (a typo's vocabulary ranges,
        # kept per state of the store): the first alone is a query never searched before.
        report[f"grimoire {mode}, first pass (CPU)"] = percentiles(cpu[:len(qs)])
        slow = sorted(worst, key=lambda q: -worst[q])[:3]
        report[f"grimoire {mode}, slowest queries ms"] = {q[:48]: round(worst[q], 1)
                                                         for q in slow}
    store = kb.store
    conn = store.conn  # type: ignore[attr-defined]
    times = []
    for _ in range(2):
        for q in qs:
            match = fts5_match(_text_query(_words(q)))
            t = time.perf_counter()
            conn.execute("SELECT rowid FROM passage_fts WHERE passage_fts MATCH ?"
                         " ORDER BY rank LIMIT 60", (match,)).fetchall()
            times.append((time.perf_counter() - t) * 1000)
    report["peer bare FTS5 (same words, one table)"] = percentiles(times)
    embedder = kb.searcher.embedder
    times = []
    vectors = []
    for q in qs:
        t = time.perf_counter()
        vectors.append(embedder.embed([q])[0])
        times.append((time.perf_counter() - t) * 1000)
    report["query embedding alone"] = percentiles(times)
    times = []
    found: list[list[int]] = []
    for v in vectors:
        t = time.perf_counter()
        passages, _ = store.nearest(MODEL, v, 60)
        times.append((time.perf_counter() - t) * 1000)
        found.append([s.id for s in passages])
    report["grimoire vector scan alone (60 passages + 60 entries)"] = percentiles(times)
    scan = store._scans[MODEL]  # type: ignore[attr-defined]
    report["vectors"] = len(scan.ids)
    report["vector index MB"] = round(scan.nbytes() / 2**20, 1)
    report["vector index MB held by the process (the rest mapped from the file)"] = round(
        scan.private_bytes() / 2**20, 1)
    status = Path("/proc/self/status")  # RSS now: anonymous, and file pages mapped (Linux)
    rss = {k: v.strip() for k, v in (line.split(":", 1) for line in
                                     (status.read_text().splitlines() if status.exists() else [])
                                     if ":" in line) if k in ("RssAnon", "RssFile")}
    report["RSS now (anonymous / file pages)"] = f"{rss.get('RssAnon')} / {rss.get('RssFile')}"
    report["vector index exact"] = scan.exact
    report["peak RSS MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    np.save(out.with_suffix(".queries.npy"), np.asarray(vectors, dtype=np.float32))
    out.write_text(json.dumps({"report": report, "found": found}))


def exact(path: Path, out: Path) -> None:
    """Exact float32 search over the same passage vectors: time per query and the true top 60."""
    import sqlite3

    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT v.passage_id, b.vec FROM passage_vecs v JOIN vec_blobs b ON b.hash = v.hash"
        " WHERE b.model = ?", (MODEL,)).fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
    del rows
    qv = np.load(out.with_suffix(".queries.npy"))
    times, tops = [], []
    for q in qv:
        t = time.perf_counter()
        scores = matrix @ q
        top = np.argpartition(-scores, 59)[:60]
        top = top[np.argsort(-scores[top])]
        times.append((time.perf_counter() - t) * 1000)
        tops.append(ids[top].tolist())
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out.write_text(json.dumps({"times": percentiles(times), "top": tops, "peak RSS MB": peak}))


def _run(cmd: list[str], env: dict[str, str], terminal: bool) -> None:
    """Run `cmd` with its output captured, or written to a pseudo-terminal (read and dropped)
    as when a user runs it: rich styles only a terminal's output, and piped output never
    imports it."""
    if not terminal:
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        return
    leader, follower = pty.openpty()
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                          env={**env, "COLUMNS": "120"}) as proc:
        os.close(follower)
        with contextlib.suppress(OSError):  # EIO once the command has exited
            while os.read(leader, 65536):
                pass
    os.close(leader)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)


def cold_start(
    db: Path, runs: int = 5, trees: Sequence[str | None] = (None,)
) -> dict[str, list[tuple[float, float]]]:
    """Median wall time and CPU time (user + system) of `grimoire search` and `ask` in a new
    process, beside `python -c pass` and a bare sqlite3 FTS5 query in a new process. On a loaded
    machine the wall time is mostly waiting for a core; the CPU time is the work. The commands
    print to a pipe (as a script reads them); the lexical search to a terminal too.

    One pair of figures per tree (a `src` folder put on PYTHONPATH; None: the environment's).
    The trees take turns run by run, so that a busy minute weighs on each alike."""
    exe = str(Path(sys.executable).with_name("grimoire"))
    bare = (f"import sqlite3; c = sqlite3.connect({str(db)!r}); c.execute(\"SELECT rowid FROM"
            " passage_fts WHERE passage_fts MATCH 'kl' ORDER BY rank LIMIT 10\").fetchall()")
    lexical = [exe, "--db", str(db), "search", "kl div", "--mode", "lexical"]
    commands = {
        "python -c pass": ([sys.executable, "-c", "pass"], False),
        "python + sqlite3 FTS5 query": ([sys.executable, "-c", bare], False),
        "grimoire search (lexical)": (lexical, False),
        "grimoire search (lexical, terminal)": (lexical, True),
        # Nothing found: a damaged index could look like this, so the store is checked.
        "grimoire search (lexical, no hits)": ([exe, "--db", str(db), "search",
                                                 "zebrafish quokka", "--mode", "lexical"],
                                                False),
        "grimoire search (hybrid)": ([exe, "--db", str(db), "search",
                                      "fine-tune a big model with two low-rank matrices",
                                      "--mode", "hybrid"], False),
        "grimoire ask (extractive)": ([exe, "--db", str(db), "ask", "what does a low-rank "
                                       "adapter train instead of the weights?"], False),
    }
    # As installed: bytecode cached (pip compiles it; this environment may say not to).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    envs = [env if tree is None else {**env, "PYTHONPATH": tree} for tree in trees]
    out = {}
    for name, (cmd, terminal) in commands.items():
        for tree_env in envs:
            _run(cmd, tree_env, terminal)  # warm caches
        walls: list[list[float]] = [[] for _ in envs]
        cpus: list[list[float]] = [[] for _ in envs]
        for _ in range(runs):
            for i, tree_env in enumerate(envs):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                _run(cmd, tree_env, terminal)
                walls[i].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[i].append(after.ru_utime + after.ru_stime - before.ru_utime
                               - before.ru_stime)
        out[name + " (wall s, cpu s)"] = [
            (round(statistics.median(w), 3), round(statistics.median(c), 3))
            for w, c in zip(walls, cpus, strict=True)]
    return out


def query_vectors(cache: Path) -> np.ndarray:
    """Real query vectors: the dev.jsonl queries and the description dev set, embedded once."""
    path = cache / "query-vectors.npy"
    if not path.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        import devset

        from grimoire.embed import MiniLM

        texts = queries() + [q.text for q in devset.load()]
        np.save(path, np.asarray(MiniLM().embed(texts), dtype=np.float32))
    out: np.ndarray = np.load(path)
    return out


def vectors_only(n: int, cache: Path, centers: Path | None, chunk: int = 10_000) -> None:
    """The vector index alone at `n` vectors, in memory: latency, memory, recall vs exact."""
    from grimoire.store._vector_scan import VectorScan

    if centers is not None:
        import sqlite3

        blobs = sqlite3.connect(centers).execute("SELECT vec FROM vec_blobs").fetchall()
        real = np.frombuffer(b"".join(b for (b,) in blobs), dtype=np.float32).reshape(
            len(blobs), -1)
        source = f"{len(real)} real vectors of {centers.name}"
    else:
        real = np.asarray(np.load(GOLDEN)["vectors"], dtype=np.float32)
        source = f"{len(real)} real vectors of tests/data/minilm_golden.npz"
    dim = real.shape[1]

    def part(start: int) -> np.ndarray:
        rng = np.random.default_rng([11, start])
        size = min(chunk, n - start)
        a, b = rng.integers(0, len(real), size), rng.integers(0, len(real), size)
        noise = rng.standard_normal((size, dim)).astype(np.float32) * (0.7 / np.sqrt(dim))
        v = real[a] + 0.5 * real[b] + noise
        out: np.ndarray = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
        return out

    def chunks() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        for start in range(0, n, chunk):
            v = part(start)
            ids = np.arange(start, start + len(v), dtype=np.int64)
            yield np.zeros(len(v), dtype=np.int8), ids, ids // PER_DOC, v

    qv = query_vectors(cache)
    part(0)  # the generator's own transient memory, before the baseline
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    scan = VectorScan.load((0,), n, dim, chunks())
    build = time.perf_counter() - t
    times: list[float] = []
    found: list[list[int]] = []
    for _ in range(2):
        found = []
        for q in qv:
            t = time.perf_counter()
            passages, _ = scan.nearest(q, 60, None)
            times.append((time.perf_counter() - t) * 1000)
            found.append([s.id for s in passages])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Exact float32 over the same vectors, regenerated chunk by chunk (the same work as one
    # product over the whole matrix, without holding it).
    exact_ms = np.zeros(len(qv))
    best = [np.zeros(0, dtype=np.int64) for _ in qv]
    best_scores = [np.zeros(0, dtype=np.float32) for _ in qv]
    for start in range(0, n, chunk):
        v = part(start)
        for i, q in enumerate(qv):
            t = time.perf_counter()
            scores = v @ q
            top = np.argpartition(-scores, 59)[:60]
            exact_ms[i] += (time.perf_counter() - t) * 1000
            ids = np.concatenate([best[i], top + start])
            sc = np.concatenate([best_scores[i], scores[top]])
            keep = np.argsort(-sc, kind="stable")[:60]
            best[i], best_scores[i] = ids[keep], sc[keep]
    print(f"\n{n:,} vectors in memory ({source}, + half another + noise; "
          f"{len(qv)} real query vectors)")
    rows = {
        # No store to read the re-ranked rows from here: the 4-bit scores rank alone.
        "index kind": "exact float32" if scan.exact else "4-bit codes + sign bits, no re-rank",
        "index MB": round(scan.nbytes() / 2**20, 1),
        "build s (from float32 chunks)": round(build, 1),
        "peak RSS MB (before the exact peer)": round(peak, 1),
        "peak RSS MB before building the index": round(before, 1),
        "grimoire scan, top 60": percentiles(times),
        "peer exact float32 (numpy matmul)": percentiles(list(exact_ms)),
        "peer exact float32 would hold MB": round(n * dim * 4 / 2**20, 1),
    }
    for k in (10, 60):
        rows[f"recall@{k} vs exact float32"] = round(statistics.fmean(
            len(set(f[:k]) & set(b[:k].tolist())) / k for f, b in zip(found, best,
                                                                       strict=True)), 3)
    for name, value in rows.items():
        print(f"  {name:40} {value}")


def measure_postgres(path: Path, cache: Path) -> dict[str, object]:
    """Warm latency of the same store copied into PostgreSQL (a pgserver under `cache`, with
    its default settings; the copy is made once, with its vectors)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from engines import on_postgres, postgres_server

    report: dict[str, object] = {}
    with postgres_server(cache) as server:
        with grimoire.open(path) as local:
            t = time.perf_counter()
            kb = on_postgres(local, path.stem, server)
            report["copy (first time) and open s"] = round(time.perf_counter() - t, 1)
        with kb:
            qs = queries()
            for mode in ("lexical", "hybrid"):
                for q in qs:
                    kb.search(q, k=10, mode=mode)  # warm: the server's buffers, the model
                times: list[float] = []
                worst: dict[str, float] = {}
                for _ in range(2):
                    for q in qs:
                        t = time.perf_counter()
                        kb.search(q, k=10, mode=mode)
                        times.append((time.perf_counter() - t) * 1000)
                        worst[q] = max(worst.get(q, 0.0), times[-1])
                report[f"grimoire {mode} on PostgreSQL"] = percentiles(times)
                slow = sorted(worst, key=lambda q: -worst[q])[:3]
                report[f"grimoire {mode} on PostgreSQL, slowest queries ms"] = {
                    q[:48]: round(worst[q], 1) for q in slow}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="/tmp/grimoire-scale")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--cold", help="a store to time cold start on (skips the sizes)")
    parser.add_argument("--against", metavar="SRC",
                        help="with --cold: another tree's src folder, its commands run in turn "
                             "with this tree's")
    parser.add_argument("--runs", type=int, default=5, help="with --cold: runs of each command")
    parser.add_argument("--vectors", help="sizes of an in-memory vector index only (no store)")
    parser.add_argument("--centers", help="a store whose real vectors seed --vectors")
    parser.add_argument("--postgres", action="store_true",
                        help="latency of each size on PostgreSQL instead (a copy of the store)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--exact", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure), Path(args.out))
        return
    if args.exact:
        exact(Path(args.exact), Path(args.out))
        return
    print(f"scale bench · python {platform.python_version()} · numpy {np.__version__} · "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.cold:
        trees = (None,) if args.against is None else (str(ROOT / "src"), args.against)
        if args.against:
            print(f"  {'':54} {ROOT / 'src'} | {args.against}")
        for name, values in cold_start(Path(args.cold), args.runs, trees).items():
            print(f"  {name:54} " + " | ".join(map(str, values)))
        return
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    if args.vectors:
        for size in (int(s) for s in args.vectors.split(",")):
            vectors_only(size, cache, Path(args.centers) if args.centers else None)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        path = build(cache, size)
        if args.postgres:
            print(f"\n{size:,} passages on PostgreSQL")
            for name, value in measure_postgres(path, cache).items():
                print(f"  {name:56} {value}")
            continue
        out = cache / f"result-{size}.json"
        me = [sys.executable, __file__]
        subprocess.run([*me, "--measure", str(path), "--out", str(out)], check=True)
        result = json.loads(out.read_text())
        subprocess.run([*me, "--exact", str(path), "--out", str(out)], check=True)
        truth = json.loads(out.read_text())
        report = result["report"]
        for k in (10, 60):
            recall = statistics.fmean(len(set(f[:k]) & set(t[:k])) / k
                                      for f, t in zip(result["found"], truth["top"],
                                                      strict=True))
            report[f"vector recall@{k} vs exact float32"] = round(recall, 3)
        report["peer exact float32 scan (numpy, passages only)"] = truth["times"]
        report["peer exact float32 peak RSS MB"] = truth["peak RSS MB"]
        print(f"\n{size:,} passages ({path.stat().st_size / 2**30:.1f} GB file)")
        for name, value in report.items():
            print(f"  {name:56} {value}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
