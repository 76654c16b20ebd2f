"""How far a faster Markdown parser could take `ingest --no-embed` (issue 14, round 36).

    PYTHONPATH=src python bench/parse_share.py                 # 10,000 generated notes
    PYTHONPATH=src python bench/parse_share.py --corpus ../shared/corpora

Three figures for each folder, in one run:
1. `bench/ingest.py`'s ingest (2 reader workers): the writer's and the workers' CPU and the
   2-core ratio to markdown-it-py's CPU rate on the folder's Markdown;
2. the reader workers' path (`read_job(rows=True)` and the result's pickle) in this one process,
   twice with `MarkdownIt.parse` and `parseInline` timed and twice without (alternated): the
   share of that CPU inside markdown-it-py (its block, inline and core rules, with the rules and
   plugins our readers add, which run inside it);
3. from them, the 2-core ratio if that parse cost a tenth (a compiled parser, such as
   markdown-it-pyrs, measured at 8-10x markdown-it-py on these texts) or nothing, the rest of
   the CPU unchanged. The goal is 60%.

If markdown-it-pyrs is importable, its `tree()` rate on the same Markdown is printed beside
markdown-it-py's (commonmark preset, `table` and `strikethrough` on both), alone and with
every node's name, source map and meta read once from Python, the least an adapter to our
token walk would do. It is not a dependency of Grimoire.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import markdown_it  # noqa: E402
from ingest import generate, markdown_files, raw_markdown_cpu, time_ingest  # noqa: E402

import grimoire.ingest as gi  # noqa: E402
from grimoire.store import open_store  # noqa: E402


def _jobs(folder: Path) -> list[Any]:
    jobs = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "plan.db"))
        tally, root = gi._Tally(), str(Path(folder).resolve())
        for file, key, size, link in gi._walk(Path(root), root, tally, store, set()):
            job = gi._plan(store, file, key, root, size, None, tally, {}, link=link, inside=root)
            if job:
                jobs.append(job)
        store.close()
    return jobs


def parse_share(folder: Path, reps: int = 4) -> tuple[float, float]:
    """(workers' path CPU s, markdown-it-py's part of it s), the least of the timed passes."""
    jobs = _jobs(folder)
    spent, depth = [0.0], [0]

    def timed(f: Callable[..., Any]) -> Callable[..., Any]:
        def g(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:  # a parse inside a parse (a MyST directive's body) counts once
                return f(*args, **kwargs)
            depth[0] += 1
            start = time.process_time()
            try:
                return f(*args, **kwargs)
            finally:
                spent[0] += time.process_time() - start
                depth[0] -= 1
        return g

    cls = markdown_it.MarkdownIt
    plain = (cls.parse, cls.parseInline)
    totals, parses = [], []
    try:
        for rep in range(reps):
            on = rep % 2 == 1
            cls.parse, cls.parseInline = (timed(plain[0]), timed(plain[1])) if on else plain  # type: ignore[method-assign]
            spent[0] = 0.0
            start = time.process_time()
            for job in jobs:
                pickle.dumps(gi.read_job(job, rows=True), protocol=pickle.HIGHEST_PROTOCOL)
            (parses if on else totals).append((time.process_time() - start, spent[0]))
    finally:
        cls.parse, cls.parseInline = plain  # type: ignore[method-assign]
    return min(t for t, _ in totals), min(p for _, p in parses)


def pyrs_rates(files: list[Path]) -> str:
    if importlib.util.find_spec("markdown_it_pyrs") is None:
        return "markdown-it-pyrs: not installed"
    import markdown_it_pyrs

    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    py = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    rs = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])

    def parse_py() -> None:
        for t in texts:
            py.parse(t)

    def tree_rs() -> None:
        for t in texts:
            rs.tree(t)

    def walk_rs() -> None:
        for t in texts:
            for node in rs.tree(t).walk():
                _ = (node.name, node.srcmap, node.meta)

    runs: dict[str, Callable[[], None]] = {
        "markdown-it-py parse": parse_py,
        "markdown-it-pyrs tree": tree_rs,
        "markdown-it-pyrs tree + walk": walk_rs,
    }
    best: dict[str, float] = {}
    for _ in range(3):
        for name, run in runs.items():
            start = time.process_time()
            run()
            best[name] = min(best.get(name, 1e9), time.process_time() - start)
    ref = best["markdown-it-py parse"]
    return "; ".join(f"{name} {mb / s:.1f} MB/s ({ref / s:.1f}x)" for name, s in best.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", help="folders (default: generated)")
    parser.add_argument("--generated", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grimoire-bench-") as tmp:
        folders = list(args.corpus or [])
        if not folders:
            gen = Path(tmp) / "generated"
            for sub in ("vault", "blog", "gloss", "rst", "html"):
                (gen / sub).mkdir(parents=True)
            generate(gen, args.generated)
            folders.append(gen)
        for folder in folders:
            load = os.getloadavg()[0]
            md = markdown_files(folder)
            raw = raw_markdown_cpu(md)
            r = time_ingest(folder, args.workers)
            main_s = r["main_cpu_ms_per_file"] * r["files"] / 1000
            workers_s = r["workers_cpu_ms_per_file"] * r["files"] / 1000
            path_s, parse_s = parse_share(folder)
            share = parse_s / path_s

            def ratio(w: float, main_s: float = main_s, mb: float = r["mb"],
                      raw: float = raw) -> float:
                return mb / max((main_s + w) / 2, main_s) / raw

            need = 2 * r["mb"] / (0.6 * raw)
            print(f"{folder} ({r['files']} files, {r['mb']:.1f} MB; load {load:.1f} -> "
                  f"{os.getloadavg()[0]:.1f})")
            print(f"  ingest CPU: writer {main_s:.2f} s, workers {workers_s:.2f} s; markdown-it-py "
                  f"{raw:.2f} MB/s of CPU; 2-core ratio {ratio(workers_s):.0%}")
            print(f"  workers' path in one process: {path_s:.2f} s, of which markdown-it-py's "
                  f"parse {parse_s:.2f} s ({share:.1%})")
            print(f"  2-core ratio if that parse cost a tenth: "
                  f"{ratio(workers_s * (1 - 0.9 * share)):.0%}; nothing: "
                  f"{ratio(workers_s * (1 - share)):.0%}; 60% needs all the CPU within "
                  f"{need:.2f} s (now {main_s + workers_s:.2f} s)")
            if md:
                print(f"  {pyrs_rates(md)}")


if __name__ == "__main__":
    main()
