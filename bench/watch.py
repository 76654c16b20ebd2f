"""Time `grimoire watch`: save-to-searchable, a 1,000-file burst, and an MCP search over stdio.

Generates a vault of N Markdown notes (one concept each, with wikilinks between them, 2% to
names no note defines), ingests it once (cached under --cache; no vectors: embedding 20,000
passages and entries takes minutes and is not what is timed here), then runs a real Watcher
(watchfiles; `--no-embed`, as searchable by words is what a save must reach) on its own
thread and connection, as `grimoire watch` does:

- saves: rewrites one note at a time with a word it never had, and polls a second connection
  (as the web UI or another process would) with a lexical search until that note is found:
  p50 and p99 over --saves saves. The peer, in the same run: what a save costs without a
  watcher, a whole `ingest` of the vault (every file hashed) after one change.
- burst: writes 1,000 new notes as fast as Python can (a `git checkout`), and times until
  all are stored and the last is searchable; then removes them and times that too.
- MCP: p50 of the `search` tool (lexical) called over stdio with the SDK's client (`grimoire
  mcp` as a subprocess), beside the same search called directly through the Python API.

- names: the name index search matches queries against, at --names entries: lookup p50
  beside a full scan of every name, and the index kept current after one saved file beside
  every name read again (what search did after each change before).

    python bench/watch.py --notes 10000 --saves 100 [--names 100000] [--only-names] [--json]
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
from pathlib import Path
from typing import Any

# This tree's grimoire, not whichever one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import grimoire
from grimoire.watch import Batch, Watcher, WatchOptions

_VOCABULARY = (
    "latent adaptive sparse neural residual gated kernel bayesian stochastic causal "
    "contrastive masked recurrent graph linear deep robust federated spectral convex "
    "generative discrete quantized attention memory transformer encoder decoder network "
    "regression sampling diffusion gradient boosting tree forest embedding token policy "
    "reward value critic agent search retrieval ranking clustering manifold flow"
)
WORDS = tuple(_VOCABULARY.split())


def make_vault(folder: Path, n: int, seed: int = 7) -> list[str]:
    """N notes in 100 folders; returns their titles."""
    rng = random.Random(seed)
    titles: list[str] = []
    seen: set[str] = set()
    while len(titles) < n:
        t = " ".join(w.capitalize() for w in rng.sample(WORDS, 3))
        if t not in seen:
            seen.add(t)
            titles.append(t)
    for i, title in enumerate(titles):
        links = [rng.choice(titles) if rng.random() > 0.02 else "Nobody Wrote This"
                 for _ in range(3)]
        path = folder / f"f{i % 100:02d}" / f"n{i:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = " ".join(rng.sample(WORDS, 12))
        path.write_text(f"# {title}\n\n{body.capitalize()}; see "
                        + ", ".join(f"[[{x}]]" for x in links) + ".\n")
    return titles


def prepared(cache: Path, n: int) -> tuple[Path, Path, float | None]:
    """The vault and its database, built (ingest + embed) once and reused."""
    vault, db = cache / f"vault{n}", cache / f"watch{n}.db"
    built = None
    if not db.exists():
        shutil.rmtree(vault, ignore_errors=True)
        make_vault(vault, n)
        started = time.perf_counter()
        with grimoire.open(db) as kb:
            kb.ingest([vault], embed=False)
        built = time.perf_counter() - started
    return vault, db, built


def wait(condition: Any, deadline: float = 600.0, every: float = 0.02) -> float:
    """Seconds until `condition()` holds (polled every `every` s)."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > deadline:
            raise TimeoutError("condition not met within the deadline")
        time.sleep(every)
    return time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_saves(vault: Path, db: Path, saves: int) -> dict[str, Any]:
    batches: list[Batch] = []
    stop = threading.Event()
    watcher_kb = grimoire.open(db)
    watcher = Watcher(watcher_kb, [vault], options=WatchOptions(embed=False),
                      on_batch=batches.append, stop=stop)
    thread = threading.Thread(target=watcher.run, daemon=True)
    started = time.perf_counter()
    thread.start()
    wait(lambda: batches, every=0.1)
    catch_up = time.perf_counter() - started
    time.sleep(2)  # the first reconcile, right after the catch-up
    reader = grimoire.open(db)
    rng = random.Random(11)
    notes = sorted(vault.glob("f*/n*.md"))
    latencies: list[float] = []
    first_save = len(batches)
    for i in range(saves):
        path = rng.choice(notes)
        word = f"zq{os.getpid()}x{i}x{rng.randrange(10**6)}"  # a word no earlier run wrote
        text = path.read_text().rstrip("\n") + f" Saved with {word}.\n"
        path.write_text(text)
        latencies.append(wait(lambda w=word, p=path: any(
            h.span.path == str(p) for h in reader.search(w, k=3, mode="lexical"))))
    # the watcher's share of a save: ingest and incremental resolve, per batch
    handled = [b.seconds for b in batches[first_save:] if b.reason == "events"]
    # the burst: 1,000 new notes at once
    burst = vault / f"burst{os.getpid()}"
    t0 = time.perf_counter()
    for i in range(1000):
        (burst / f"d{i // 100}").mkdir(parents=True, exist_ok=True)
        (burst / f"d{i // 100}" / f"b{i:04d}.md").write_text(
            f"# Burst Note {i}\n\nWritten in a burst, number bq{i}z.\n")
    written = time.perf_counter() - t0
    before = len(batches)

    def stored() -> int:
        return int(reader.store.conn.execute(  # type: ignore[attr-defined]
            "SELECT count(*) FROM sources WHERE path LIKE ?", (f"{burst}/%",)).fetchone()[0])

    absorbed = wait(lambda: stored() == 1000 and reader.search("bq999z", mode="lexical"),
                    every=0.1) + written
    wait(lambda: sum(b.report.added for b in batches[before:]) >= 1000, every=0.1)
    burst_batches = len(batches) - before
    t0 = time.perf_counter()
    shutil.rmtree(burst)
    removed = wait(lambda: stored() == 0, every=0.1) + (time.perf_counter() - t0)
    stop.set()
    thread.join(60)
    # the peer: a whole ingest after one saved note (every file read and hashed)
    path = notes[0]
    path.write_text(path.read_text() + " One more line.\n")
    t0 = time.perf_counter()
    reader.ingest([vault], embed=False)
    rescan = time.perf_counter() - t0
    reader.close()
    watcher_kb.close()
    return {
        "catch_up_s": round(catch_up, 2), "saves": saves,
        "save_p50_s": round(statistics.median(latencies), 3),
        "save_p99_s": round(pct(latencies, 0.99), 3), "save_max_s": round(max(latencies), 3),
        "save_batch_p50_s": round(statistics.median(handled), 3),
        "save_batch_p99_s": round(pct(handled, 0.99), 3),
        "peer_rescan_s": round(rescan, 3),
        "burst_files": 1000, "burst_write_s": round(written, 2),
        "burst_absorb_s": round(absorbed, 2), "burst_batches": burst_batches,
        "burst_remove_s": round(removed, 2), "polling": watcher.polling,
    }


def bench_mcp(db: Path, calls: int) -> dict[str, Any]:
    import anyio
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    queries = ["attention network", "gradient boosting", "latent diffusion", "policy reward",
               "token embedding", "kernel regression", "graph clustering", "memory encoder"]
    exe = str(Path(sys.executable).parent / "grimoire")
    params = StdioServerParameters(command=exe, args=["--db", str(db), "mcp"])
    over_stdio: list[float] = []

    async def session() -> None:
        async with Client(params) as client:
            await client.call_tool("search", {"query": "warm up", "k": 8, "mode": "lexical"})
            for i in range(calls):
                t0 = time.perf_counter()
                await client.call_tool("search", {"query": queries[i % len(queries)], "k": 8,
                                                  "mode": "lexical"})
                over_stdio.append(time.perf_counter() - t0)

    anyio.run(session)
    direct: list[float] = []
    with grimoire.open(db) as kb:
        kb.search("warm up", k=8, mode="lexical")
        for i in range(calls):
            t0 = time.perf_counter()
            kb.search(queries[i % len(queries)], k=8, mode="lexical")
            direct.append(time.perf_counter() - t0)
    return {"mcp_calls": calls, "mcp_search_p50_ms": round(statistics.median(over_stdio) * 1e3, 1),
            "api_search_p50_ms": round(statistics.median(direct) * 1e3, 1)}


def bench_names(cache: Path, n: int, queries: int = 300) -> dict[str, Any]:
    """The name index at `n` entries (bench/resolve.py's glossaries, a third with acronyms):
    lookup p50 beside a full scan of every name (the peer), and keeping it current after one
    saved file beside reading every name again (what search did after each change)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from rapidfuzz import fuzz, process
    from resolve import _one_file, generate  # type: ignore[import-not-found]

    from grimoire.names import normalize
    from grimoire.search_names import TYPO_CUTOFF, NameIndex
    from grimoire.store.sqlite import SQLiteStore

    db = cache / f"names{n}.db"
    if not db.exists():
        tmp = db.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        store = SQLiteStore(str(tmp))
        generate(store, n)
        store.close()
        tmp.rename(db)
    work = cache / f"names{n}-work.db"
    shutil.copy(db, work)
    store = SQLiteStore(str(work))
    t0 = time.perf_counter()
    index = NameIndex()
    index.refresh(store)
    full_read = time.perf_counter() - t0
    names = sorted(index.entries)
    rng = random.Random(5)
    asked: list[str] = []
    for _ in range(queries):
        name = rng.choice(names)
        kind = rng.randrange(3)
        if kind == 1:  # every word cut to its first letters: "late spar"
            name = " ".join(w[:max(2, len(w) - 3)] for w in name.split())
        elif kind == 2 and len(name) > 4:  # a typo: two letters swapped
            i = rng.randrange(1, len(name) - 2)
            name = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        asked.append(normalize(name))

    def full_scan(q: str) -> list[str]:
        """Every name looked at: prefixes word by word, then rapidfuzz over all of them."""
        words = q.split()
        found = [m for m in names if len(m.split()) == len(words) and all(
            a.startswith(b) for a, b in zip(m.split(), words, strict=True))]
        found += [m for m, _, _ in process.extract(q, names, scorer=fuzz.ratio,
                                                   score_cutoff=TYPO_CUTOFF, limit=5)]
        return found

    indexed: list[float] = []
    scanned: list[float] = []
    agree = 0
    for q in asked:
        t0 = time.perf_counter()
        mine = {m.name for m in index.match(q)}
        indexed.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        theirs = set(full_scan(q))
        scanned.append(time.perf_counter() - t0)
        agree += q in theirs or bool(mine & theirs) or not theirs
    saves: list[float] = []
    rereads: list[float] = []
    for k in range(10):
        store.replace_source(*_one_file(f"/bench/notes/{(k * 37) % (n // 100):05d}.txt", k))
        t0 = time.perf_counter()
        index.refresh(store)
        saves.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        NameIndex().refresh(store)
        rereads.append(time.perf_counter() - t0)
    assert index.match(normalize("Saved Term 9"))
    store.close()
    work.unlink()
    return {
        "names_entries": n, "names_distinct": len(names), "names_queries": len(asked),
        "name_lookup_p50_ms": round(statistics.median(indexed) * 1e3, 3),
        "name_lookup_p99_ms": round(pct(indexed, 0.99) * 1e3, 3),
        "peer_full_scan_p50_ms": round(statistics.median(scanned) * 1e3, 3),
        "peer_full_scan_p99_ms": round(pct(scanned, 0.99) * 1e3, 3),
        "names_found_by_both": f"{agree}/{len(asked)}",
        "names_first_read_s": round(full_read, 3),
        "names_after_save_p50_ms": round(statistics.median(saves) * 1e3, 2),
        "peer_names_reread_p50_ms": round(statistics.median(rereads) * 1e3, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--mcp-calls", type=int, default=50)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "grimoire-bench")
    parser.add_argument("--names", type=int, default=100_000,
                        help="entries for the name index lookup bench (0: skip it)")
    parser.add_argument("--only-names", action="store_true", help="the name index bench only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    row: dict[str, Any] = {}
    if not args.only_names:
        vault, db, built = prepared(args.cache, args.notes)
        row.update({"notes": args.notes, "build_s": None if built is None else round(built, 1)})
        row.update(bench_saves(vault, db, args.saves))
        row.update(bench_mcp(db, args.mcp_calls))
    if args.names:
        row.update(bench_names(args.cache, args.names))
    row["load_avg"] = round(os.getloadavg()[0], 1)
    if args.json:
        print(json.dumps(row, indent=2))
        return
    import watchfiles

    print(f"python {platform.python_version()} · watchfiles {watchfiles.__version__} · "
          f"{platform.machine()} · load {row['load_avg']}", file=sys.stderr)
    width = max(len(k) for k in row)
    for key, value in row.items():
        print(f"{key:>{width}} | {value}")


if __name__ == "__main__":
    main()
