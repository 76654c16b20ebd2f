"""Ingest throughput: files/s and MB/s, beside markdown-it-py's raw parse rate on the same Markdown.

    python bench/ingest.py                          # generated 10,000 notes + ../shared/corpora
    python bench/ingest.py --corpus ~/notes --json
    python bench/ingest.py --profile                # also the hottest functions (one core)
    python bench/ingest.py --stages                 # CPU a file of each stage, one process
    python bench/ingest.py --reader-stages          # CPU a note of each reader and its stages

Parsing, extracting and storing are timed; embeddings are not (ingest --no-embed). Beside the
wall-clock rates (which a busy machine drags down, the three ingest processes more than
markdown-it-py's one), the CPU time of the writer and of the reader workers is reported, and
from it the ratio two idle cores would give, and where each process's wall time went: on a
CPU, waiting for one, or blocked (`Waits`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

import markdown_it

# This tree's grimoire, not whichever one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import grimoire
from grimoire.ingest import ATTACHMENT_EXTENSIONS, ingest
from grimoire.store import open_store

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared")) / "corpora"

WORDS = [
    "model",
    "gradient",
    "loss",
    "token",
    "attention",
    "layer",
    "weight",
    "matrix",
    "rank",
    "adapter",
    "prompt",
    "embedding",
    "vector",
    "softmax",
    "entropy",
    "divergence",
    "sample",
    "batch",
    "optimizer",
    "learning",
    "rate",
    "transformer",
    "decoder",
    "encoder",
    "residual",
    "norm",
    "dropout",
    "reward",
    "policy",
    "value",
]


def sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(folder: Path, n: int, seed: int = 1) -> None:
    """`n` notes in a realistic mix: vault notes, blog posts, glossaries, wiki, rst, html."""
    rng = random.Random(seed)
    for i in range(n):
        kind = i % 10
        para = " ".join(sentence(rng) for _ in range(rng.randint(3, 8)))
        other = f"Concept {rng.randrange(n)}"
        if kind < 4:
            text = (
                f"---\naliases: [C{i}]\ntags: [ml]\n---\n# Concept {i}\n\n{para} See "
                f"[[{other}]] and $x_{i} = W x$.\n\n## Details\n\n{para}\n"
            )
            (folder / f"vault/c{i}.md").write_text(text)
        elif kind < 7:
            text = (
                f"---\ntitle: Post {i}\ntags: [ml, notes]\n---\n\n## Part one\n\n{para}\n\n"
                f"- {sentence(rng)}\n- {sentence(rng)}\n\n## Part two\n\n"
                "$$L = -\\sum y \\log p$$\n\n"
                f"{para} [link](https://example.org/{i})\n"
            )
            (folder / f"blog/p{i}.md").write_text(text)
        elif kind == 7:
            entries = "".join(
                f"Term {i}-{j} (T{j}) Model#\n{sentence(rng)}\nSee also T, [{other}]\n"
                for j in range(5)
            )
            (folder / f"gloss/g{i}.txt").write_text(f"T#\n{entries}")
        elif kind == 8:
            text = (
                f"Page {i}\n{'=' * len(f'Page {i}')}\n\nSection\n-------\n\n{para} "
                f":math:`a^2+b^2`\n\n.. note::\n\n   {sentence(rng)}\n"
            )
            (folder / f"rst/r{i}.rst").write_text(text)
        else:
            text = (
                f"<!doctype html><html><head><title>Article {i}</title><script>var x=1;</script>"
                f"</head><body><nav>menu</nav><article><h1>Article {i}</h1><h2>Intro</h2>"
                f"<p>{para}</p><h2>More</h2><p>{para}</p></article></body></html>\n"
            )
            (folder / f"html/a{i}.html").write_text(text)


def markdown_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if not any(s.startswith(".") for s in p.parts))


def raw_markdown_rate(files: list[Path]) -> tuple[float, int]:
    """MB/s at which markdown-it-py alone (commonmark preset, one core) tokenizes these files."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    size = sum(len(t.encode()) for t in texts)
    md = markdown_it.MarkdownIt("commonmark")
    start = time.perf_counter()
    for t in texts:
        md.parse(t)
    return size / 1e6 / (time.perf_counter() - start), size


def raw_markdown_cpu(files: list[Path]) -> float:
    """MB per CPU second of markdown-it-py on these files (less sensitive to a busy machine)."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    md = markdown_it.MarkdownIt("commonmark")
    start = time.process_time()
    for t in texts:
        md.parse(t)
    return sum(len(t.encode()) for t in texts) / 1e6 / max(time.process_time() - start, 1e-9)


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def folder_bytes(folder: Path) -> tuple[int, int]:
    """Note files and their bytes (attachments such as images are not read, so not counted)."""
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() not in ATTACHMENT_EXTENSIONS
        and not any(s.startswith(".") for s in p.relative_to(folder).parts)
    ]
    return len(files), sum(p.stat().st_size for p in files)


def _schedstat(pid: int | str) -> tuple[float, float]:
    """Seconds a process (its main thread) has run on a CPU and waited to run (Linux)."""
    with open(f"/proc/{pid}/schedstat") as f:  # noqa: PTH123 - a pseudo-file
        run, wait, _ = f.read().split()
    return int(run) / 1e9, int(wait) / 1e9


class Waits:
    """Where the wall time of the writer and of the reader workers went: on a CPU, waiting
    for one (a busy machine), or blocked (waiting on each other, or on the disk).

    The workers are gone when ingest returns, so a thread samples their /proc/PID/schedstat
    every 20 ms (the last 20 ms of each can be missed). Linux only; elsewhere all zeros.
    """

    def __init__(self) -> None:
        self.seen: dict[int, tuple[float, float, float, float]] = {}  # pid: first, last, run, wait
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")

    def __enter__(self) -> Waits:
        self.start = time.monotonic()
        self.writer0 = _schedstat(os.getpid()) if self.children.exists() else (0.0, 0.0)
        if self.children.exists():
            self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.monotonic() - self.start
        self.writer = (0.0, 0.0)
        if self.children.exists():
            run, wait = _schedstat(os.getpid())
            self.writer = (run - self.writer0[0], wait - self.writer0[1])
            self.stop.set()
            self.thread.join()

    def _sample(self) -> None:
        while not self.stop.wait(0.02):
            now = time.monotonic()
            for pid in self.children.read_text().split():
                try:
                    run, wait = _schedstat(pid)
                except OSError:
                    continue  # it ended
                first = self.seen.get(int(pid), (now, 0.0, 0.0, 0.0))[0]
                self.seen[int(pid)] = (first, now, run, wait)

    def figures(self) -> dict[str, float]:
        """Seconds summed over the workers, and the writer's, each as run / queue / blocked."""
        run = sum(s[2] for s in self.seen.values())
        wait = sum(s[3] for s in self.seen.values())
        life = sum(s[1] - s[0] for s in self.seen.values())
        return {
            "writer_run_s": self.writer[0],
            "writer_queue_s": self.writer[1],
            "writer_blocked_s": max(0.0, self.seconds - sum(self.writer)),
            "workers_run_s": run,
            "workers_queue_s": wait,
            "workers_blocked_s": max(0.0, life - run - wait),
        }


def time_ingest(folder: Path, workers: int | None, profile: bool = False) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "bench.db"))
        profiler = cProfile.Profile() if profile else None
        # The reader workers are waited for before ingest returns, so their CPU time is in
        # RUSAGE_CHILDREN by then.
        main0, workers0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        with Waits() as waits:
            report = ingest(store, [folder], workers=workers)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start
        main_cpu = _cpu(resource.RUSAGE_SELF) - main0
        workers_cpu = _cpu(resource.RUSAGE_CHILDREN) - workers0
        stats = store.stats()
        store.close()
    files, size = folder_bytes(folder)
    result = {
        "files": files,
        "mb": size / 1e6,
        "seconds": seconds,
        "files_per_s": files / seconds,
        "mb_per_s": size / 1e6 / seconds,
        "main_cpu_ms_per_file": 1000 * main_cpu / files,
        "workers_cpu_ms_per_file": 1000 * workers_cpu / files,
        # What two idle cores would give: all the CPU spread over both, unless the one writer
        # process is the longer part.
        "two_core_mb_per_s": size / 1e6 / max((main_cpu + workers_cpu) / 2, main_cpu, 1e-9),
        # The same with the writer's CPU taken as nothing: the most any work on the writer
        # (the parent: walk, results, SQL) could give; the reader workers alone, over as
        # many cores as there are workers, at most two (round 35).
        "writer_free_mb_per_s": size / 1e6 / max(workers_cpu / max(1, min(workers or 2, 2)),
                                                 1e-9),
        "writer_cpu_share": main_cpu / max(main_cpu + workers_cpu, 1e-9),
        "failed": report.failed,
        "entries": stats.entries,
        "passages": stats.passages,
        **waits.figures(),
    }
    if profiler:
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(18)
        print(buf.getvalue(), file=sys.stderr)
    return result


class _Timed:
    """A connection whose statements' CPU time is summed by statement (`--stages`)."""

    def __init__(self, conn: object, spent: dict[str, float]) -> None:
        self._conn, self._spent = conn, spent

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)

    def _timed(self, how: str, sql: str, *args: object) -> object:
        start = time.process_time()
        result = getattr(self._conn, how)(sql, *args)
        key = " ".join(sql.split())[:60]
        self._spent[key] = self._spent.get(key, 0.0) + time.process_time() - start
        return result

    def execute(self, sql: str, *args: object) -> object:
        return self._timed("execute", sql, *args)

    def executemany(self, sql: str, *args: object) -> object:
        return self._timed("executemany", sql, *args)


def stages(folder: Path) -> dict[str, object]:
    """CPU ms a file of each stage of `ingest --no-embed`, one process, no pipe: what a worker
    does (check: read, hash, detect; read: the reader; rows: `document_rows`; pickle: the
    result as sent), then what the writer does with the rows (batches of 100 files, one
    transaction each, as `_Batches`), by SQL statement, beside markdown-it-py's parse of the
    folder's Markdown at its MB/s (the goal's reference, as the 2-core ratio takes it)."""
    import pickle

    from grimoire import ingest as ingest_module
    from grimoire import readers
    from grimoire.store import sqlite as sqlite_store
    from grimoire.store.document_rows import document_rows

    root = folder.resolve()
    paths = sorted(p for p in root.rglob("*") if p.is_file()
                   and p.suffix.lower() not in ATTACHMENT_EXTENSIONS)
    jobs = [ingest_module._Job(path=str(p), root=str(root), file=str(p), size=p.stat().st_size,
                               existed=False) for p in paths]
    spent = dict.fromkeys(("check", "read", "rows", "pickle"), 0.0)
    items = []
    for job in jobs:
        t0 = time.process_time()
        checked = ingest_module.check(job, ingest_module.DEFAULT_OPTIONS.max_bytes)
        t1 = time.process_time()
        spent["check"] += t1 - t0
        if not isinstance(checked, ingest_module._Loaded) or checked.stream is not None:
            continue
        documents = readers.read_file(checked.reader.name, checked.data, job.path)
        t2 = time.process_time()
        rows = [document_rows(d) for d in documents]
        t3 = time.process_time()
        record = ingest_module.SourceRecord(path=job.path, root=job.root, status="ok",
                                            format=checked.reader.name, sha256=checked.sha256,
                                            size=len(checked.data))
        pickle.dumps(ingest_module._Read("ok", record, rows), protocol=pickle.HIGHEST_PROTOCOL)
        spent["read"] += t2 - t1
        spent["rows"] += t3 - t2
        spent["pickle"] += time.process_time() - t3
        items.append((record, rows))
    statements: dict[str, float] = {}
    writer_init = sqlite_store._RowWriter.__init__
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "stages.db"))
        sqlite_store._RowWriter.__init__ = (  # type: ignore[method-assign]
            lambda self, c: writer_init(self, _Timed(c, statements)))
        try:
            start = time.process_time()
            for i in range(0, len(items), 100):
                with store.transaction():
                    store.replace_sources(items[i:i + 100])
            spent["writer"] = time.process_time() - start
        finally:
            sqlite_store._RowWriter.__init__ = writer_init  # type: ignore[method-assign]
            store.close()
    # As the ingest rows' 2-core ratio: MB/s against markdown-it-py's MB/s on the Markdown,
    # here as the CPU markdown-it-py would take for all these bytes at its rate.
    md_files = markdown_files(root)
    mb = sum(job.size for job in jobs) / 1e6
    md_cpu = mb / raw_markdown_cpu(md_files) if md_files else 0.0
    n = max(len(jobs), 1)
    return {"files": len(jobs),
            "ms_per_file": {k: 1000 * v / n for k, v in spent.items()},
            "markdown_it_ms_per_file": 1000 * md_cpu / n,
            "writer_statements_ms_per_file": {k: 1000 * v / n for k, v in
                                              sorted(statements.items(), key=lambda kv: -kv[1])}}


# The Markdown readers' stages `--reader-stages` times: (module, function), where the Markdown
# readers look each up, inclusive of what each calls (the section entries are part of the
# document, the front matter of the parse); `_named` is every reader's.
READER_STAGES = (
    ("grimoire.readers", "_named"),
    ("grimoire.readers.markdown", "read_with"),
    ("grimoire.readers.markdown._blocks", "split_front_matter"),
    ("grimoire.readers.markdown._blocks", "parser_for"),
    ("markdown_it.main", "MarkdownIt.parse"),
    ("grimoire.readers.markdown._blocks", "_Walker.walk"),
    ("grimoire.readers.markdown", "make_document"),
    ("grimoire.readers.markdown", "add_section_entries"),
)


def reader_stages(folder: Path, rounds: int = 3) -> dict[str, object]:
    """CPU ms a note of `read_file` by format (the folder a generated note sits in, else the
    suffix) and of the Markdown readers' stages (`READER_STAGES`, each timed by a wrapper, no
    profiler), beside markdown-it-py's bare commonmark parse of the same Markdown; the least
    of `rounds` passes, all in this process (the `.md` of a 10k-note folder fit in memory)."""
    import importlib

    from grimoire import readers

    bare_parse = markdown_it.MarkdownIt.parse  # before it is wrapped below
    spent: dict[str, float] = {}
    for module_name, qualified in READER_STAGES:
        owner: object = importlib.import_module(module_name)
        *outer, name = qualified.split(".")
        for part in outer:
            owner = getattr(owner, part)
        function = getattr(owner, name)

        def timed(*args: object, _f: object = function, _k: str = qualified,
                  **kwargs: object) -> object:
            start = time.process_time()
            try:
                return _f(*args, **kwargs)  # type: ignore[operator]
            finally:
                spent[_k] = spent.get(_k, 0.0) + time.process_time() - start

        # in the module named, where the Markdown readers look it up (another reader that
        # imported it by name, as the rst reader does `add_section_entries`, is not timed)
        setattr(owner, name, timed)
    root = folder.resolve()
    paths = sorted(p for p in root.rglob("*") if p.is_file()
                   and p.suffix.lower() not in ATTACHMENT_EXTENSIONS)
    files = []
    for p in paths:
        data = p.read_bytes()
        found = readers.detect(str(p), readers.sniff_head(data, str(p)))
        if found is not None:
            kind = p.parent.name if root.name == "generated" else p.suffix.lower()
            files.append((str(p), data, found.name, kind))
    for path, data, fmt, _ in files[:50]:  # imports and first compiles
        readers.read_file(fmt, data, path)
    markdown = [data.decode("utf-8", "replace") for path, data, _, _ in files
                if path.endswith(".md")]
    bare = markdown_it.MarkdownIt("commonmark")
    best: dict[str, float] = {}
    for _ in range(rounds):
        start = time.process_time()
        for text in markdown:
            bare_parse(bare, text)
        found_spent = {"markdown-it-py bare (.md)": time.process_time() - start}
        spent.clear()
        by_kind: dict[str, float] = {}
        for path, data, fmt, kind in files:
            start = time.process_time()
            readers.read_file(fmt, data, path)
            by_kind[kind] = by_kind.get(kind, 0.0) + time.process_time() - start
        found_spent.update({f"read_file {k}": v for k, v in by_kind.items()})
        found_spent.update({f"  {k}": v for k, v in spent.items()})
        for k, v in found_spent.items():
            best[k] = min(best.get(k, v), v)
    counts: dict[str, int] = {"markdown-it-py bare (.md)": len(markdown)}
    for _, _, _, kind in files:
        counts[f"read_file {kind}"] = counts.get(f"read_file {kind}", 0) + 1
    counts["  _named"] = len(files)  # every reader's documents go through it
    md_notes = sum(1 for path, _, fmt, _ in files if fmt in ("markdown", "obsidian"))
    return {"files": len(files), "ms_per_note": {
        k: 1000 * v / max(counts.get(k, md_notes), 1) for k, v in best.items()},
        "stages_per": "Markdown note (markdown and obsidian readers; `_named`: a file)"}


def print_reader_stages(name: str, r: dict[str, object]) -> None:
    ms = r["ms_per_note"]
    assert isinstance(ms, dict)
    print(f"{name}: {r['files']} files, CPU ms a note (least of the passes; stages: a "
          f"{r['stages_per']}, inclusive)")
    for k, v in ms.items():
        print(f"  {k:45s} {v:.3f}")


def print_stages(name: str, r: dict[str, object]) -> None:
    ms = r["ms_per_file"]
    assert isinstance(ms, dict)
    md = r["markdown_it_ms_per_file"]
    assert isinstance(md, float)
    print(f"{name}: {r['files']} files, CPU ms a file (one process): "
          + ", ".join(f"{k} {v:.3f}" for k, v in ms.items())
          + f"; markdown-it-py on as many bytes {md:.3f}")
    if md:
        total = sum(ms.values())
        print(f"  all stages {total:.3f} ms = {total / md:.1f}x markdown-it-py; on 2 idle cores "
              f"{md / max(total / 2, ms['writer']):.0%} of its rate (the goal: 60%)")
    statements = r["writer_statements_ms_per_file"]
    assert isinstance(statements, dict)
    for sql, v in list(statements.items())[:8]:
        print(f"  writer {v:.4f}  {sql}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="a folder to ingest (default: generated notes and ../shared/corpora)",
    )
    parser.add_argument("--generated", type=int, default=10_000, help="generated notes (0: none)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print the hottest functions")
    parser.add_argument("--workers", default="1,2", help="reader worker counts to time")
    parser.add_argument("--reader-stages", action="store_true",
                        help="CPU a note of each reader format and of the Markdown readers' "
                             "stages (no profiler), beside markdown-it-py's bare parse")
    parser.add_argument("--stages", action="store_true",
                        help="CPU a file of each stage (check, read, rows, pickle, writer by "
                             "statement) in one process, instead of timing ingest")
    args = parser.parse_args()

    rows: list[dict[str, object]] = []
    tmp = Path(tempfile.mkdtemp(prefix="grimoire-bench-"))
    try:
        corpora: list[tuple[str, Path]] = [(str(c), c) for c in args.corpus or []]
        if not args.corpus:
            if args.generated:
                gen = tmp / "generated"
                for sub in ("vault", "blog", "gloss", "rst", "html"):
                    (gen / sub).mkdir(parents=True)
                generate(gen, args.generated)
                corpora.append((f"generated ({args.generated} notes)", gen))
                # Their Markdown alone (vault notes and blog posts, 7 in 10): like for like.
                gen_md = tmp / "generated-markdown"
                shutil.copytree(gen / "vault", gen_md / "vault")
                shutil.copytree(gen / "blog", gen_md / "blog")
                corpora.append(("generated, .md only", gen_md))
            if CORPORA.is_dir():
                corpora.append(("shared/corpora", CORPORA))
                # The same Markdown markdown-it-py is timed on, alone: the like-for-like ratio.
                md_only = tmp / "corpora-markdown"
                for i, src in enumerate(markdown_files(CORPORA)):
                    dest = md_only / src.parent.name / f"{i}-{src.name}"
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(src, dest)
                corpora.append(("shared/corpora, .md only", md_only))
        if args.reader_stages:
            found = {name: reader_stages(folder) for name, folder in corpora
                     if not name.endswith(".md only")}
            if args.json:
                print(json.dumps(found, indent=2))
            else:
                for name, r in found.items():
                    print_reader_stages(name, r)
            return
        if args.stages:
            found = {name: stages(folder) for name, folder in corpora}
            if args.json:
                print(json.dumps(found, indent=2))
            for name, r in found.items():
                if not args.json:
                    print_stages(name, r)
            return
        for name, folder in corpora:
            md_files = markdown_files(folder)
            raw, _ = raw_markdown_rate(md_files) if md_files else (0.0, 0)
            raw_cpu = raw_markdown_cpu(md_files) if md_files else 0.0
            for workers in (int(w) for w in args.workers.split(",")):
                r = time_ingest(folder, workers, profile=args.profile and workers == 1)
                rows.append(
                    {
                        "corpus": name,
                        "workers": workers,
                        **r,
                        "markdown_it_mb_per_s": raw,
                        "ratio_to_markdown_it": r["mb_per_s"] / raw if raw else None,
                        "markdown_it_cpu_mb_per_s": raw_cpu,
                        "two_core_ratio": r["two_core_mb_per_s"] / raw_cpu if raw_cpu else None,
                        "writer_free_ratio": (r["writer_free_mb_per_s"] / raw_cpu
                                              if raw_cpu else None),
                    }
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    versions = {
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "peak_rss_mb": f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
        "grimoire": version("grimoire"),
        "markdown-it-py": version("markdown-it-py"),
        "python": sys.version.split()[0],
    }
    if args.json:
        print(json.dumps({"versions": versions, "rows": rows}, indent=2))
        return
    print(" ".join(f"{k} {v}" for k, v in versions.items()))
    print(
        f"{'corpus':<28} {'workers':>7} {'files':>6} {'MB':>6} {'files/s':>8} {'MB/s':>6} "
        f"{'md-it MB/s':>10} {'ratio':>6} {'main ms':>7} {'workers ms':>10} {'2-core':>6} "
        f"{'entries':>7} {'failed':>6}"
    )
    for r in rows:
        ratio, two = r["ratio_to_markdown_it"], r["two_core_ratio"]
        print(
            f"{r['corpus']:<28} {r['workers']:>7} {r['files']:>6} {r['mb']:>6.1f} "
            f"{r['files_per_s']:>8.0f} {r['mb_per_s']:>6.2f} {r['markdown_it_mb_per_s']:>10.2f} "
            f"{(f'{ratio:.0%}' if ratio else '-'):>6} {r['main_cpu_ms_per_file']:>7.2f} "
            f"{r['workers_cpu_ms_per_file']:>10.2f} {(f'{two:.0%}' if two else '-'):>6} "
            f"{r['entries']:>7} {r['failed']:>6}"
        )
    print("main ms, workers ms: CPU per file of the writer and of the reader workers; 2-core: "
          "the ratio two idle cores would give (CPU time over both cores, or the writer's if "
          "longer, against markdown-it-py's CPU time)")
    print(f"\n{'corpus':<28} {'workers':>7}  writer's share of the CPU, 2-core ratio with a "
          "writer that costs nothing")
    for row in rows:
        free = row["writer_free_ratio"]
        print(f"{row['corpus']:<28} {row['workers']:>7}  {row['writer_cpu_share']:.0%}, "
              f"{(f'{free:.0%}' if free else '-')}")
    print(f"\n{'corpus':<28} {'workers':>7}  seconds on a CPU / waiting for one / blocked")
    for row in rows:
        print(f"{row['corpus']:<28} {row['workers']:>7}  writer {row['writer_run_s']:.1f} / "
              f"{row['writer_queue_s']:.1f} / {row['writer_blocked_s']:.1f}, workers (summed) "
              f"{row['workers_run_s']:.1f} / {row['workers_queue_s']:.1f} / "
              f"{row['workers_blocked_s']:.1f}")
    print("blocked: waiting on each other (the writer for results, a worker for jobs) or on "
          "the disk; waiting for a CPU: the machine is busy")
    _ = grimoire


if __name__ == "__main__":
    main()
