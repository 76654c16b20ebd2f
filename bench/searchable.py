"""Searchable at once: `grimoire ingest` (vectors in the background) beside `ingest --wait`.

    .venv/bin/python bench/searchable.py ../shared/corpora
    .venv/bin/python bench/searchable.py NOTES --stop-after 30 --no-peer   # a large folder
    .venv/bin/python bench/searchable.py ../shared/corpora --json

In a fresh store under --out: `grimoire ingest FOLDER --json` timed to its return; at once a
lexical and a hybrid `grimoire search --json` (their wall time, hits, and the missing-vectors
line the hybrid one writes on stderr; the first waits for the concepts if the worker is still
merging them); when the concepts are current (read from the store); then `grimoire embed
--status --json` every 2 s until nothing is missing, with the background worker's peak RSS
(VmHWM, read from /proc while it runs). With --stop-after S, the worker is stopped (SIGTERM,
by its pid) S seconds after the ingest started. The peer, in the same run: `grimoire ingest
FOLDER --wait` into another fresh store, which returns only once every vector is computed
(what `ingest` did before round 3).
With --beside busy, a one-core Python busy loop runs from the ingest's start until every
vector is in place (other work on the machine, at the bench's priority; the worker lowers
its own); with --beside search, `grimoire search --mode hybrid` runs in a loop instead, one
process after another as a user types them, and their wall times are reported: what the
worker costs the user's searches, and what they cost it.
Each command runs in its own process, as a user runs it; bytecode is cached as after install.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).with_name("grimoire"))
QUERY = "gradient descent"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH"))
                                        if p)
    return env


def run(db: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall seconds and result of `grimoire --db DB ARGS...` in a new process."""
    t = time.perf_counter()
    done = subprocess.run([EXE, "--db", str(db), *args], capture_output=True, text=True,
                          env=_env(), check=False)
    return time.perf_counter() - t, done


def peak_rss_mb(pid: int) -> int | None:
    """VmHWM of a running process, in MB (None once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def concepts_current(db: Path, start: float, limit: float = 600) -> float | None:
    """Seconds from `start` until the store's concepts are current (the background worker,
    or the search just run, merged them: `ingest` returns before that since round 22)."""
    while time.perf_counter() - start < limit:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True,
                                                timeout=60)) as conn:
            if not conn.execute("SELECT dirty FROM concept_state WHERE id = 1").fetchone()[0]:
                return round(time.perf_counter() - start, 2)
        time.sleep(0.05)
    return None


class Beside:
    """Work beside the worker from the ingest's start: none, a busy loop, or searches."""

    def __init__(self, kind: str, db: Path) -> None:
        self.kind, self.db = kind, db
        self.busy: subprocess.Popen[bytes] | None = None
        self.searches: list[float] = []
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> Beside:
        if self.kind == "busy":
            self.busy = subprocess.Popen([sys.executable, "-c", "while True:\n    pass\n"])
        elif self.kind == "search":
            self.thread = threading.Thread(target=self._search, daemon=True)
            self.thread.start()
        return self

    def _search(self) -> None:
        while not self.stop.is_set():
            if not self.db.exists():
                time.sleep(0.1)
                continue
            seconds, _ = run(self.db, "search", QUERY, "--mode", "hybrid", "--json", "-k", "5")
            self.searches.append(seconds)

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        if self.busy is not None:
            self.busy.kill()
            self.busy.wait()
        if self.thread is not None:
            self.thread.join()

    def figures(self) -> dict[str, Any]:
        if not self.searches:
            return {}
        ordered = sorted(self.searches)
        return {"searches beside": len(ordered),
                "their wall s, p50 / max": (round(ordered[len(ordered) // 2], 2),
                                            round(ordered[-1], 2))}


def measure(folder: Path, out: Path, stop_after: float | None, peer: bool,
            beside: str = "none") -> dict[str, Any]:
    report: dict[str, Any] = {"load before": [round(x, 1) for x in os.getloadavg()],
                              "beside": beside}
    db = out / "background.db"
    with Beside(beside, db) as work:
        _measure(report, db, folder, stop_after)
    report.update(work.figures())
    if peer:
        seconds, _ = run(out / "wait.db", "ingest", str(folder), "--wait", "--json")
        report["peer: ingest --wait s"] = round(seconds, 2)
    report["load after"] = [round(x, 1) for x in os.getloadavg()]
    return report


def _measure(report: dict[str, Any], db: Path, folder: Path, stop_after: float | None) -> None:
    start = time.perf_counter()
    seconds, done = run(db, "ingest", str(folder), "--json")
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest failed: {done.stderr[-2000:]}")
    report["ingest returned s"] = round(seconds, 2)
    for mode in ("lexical", "hybrid"):
        seconds, done = run(db, "search", QUERY, "--mode", mode, "--json", "-k", "5")
        data = json.loads(done.stdout or "[]")
        report[f"{mode} search right after: s"] = round(seconds, 2)
        report[f"{mode} search right after: hits"] = len(data if isinstance(data, list)
                                                         else data.get("hits", []))
        report[f"{mode} search right after: stderr"] = done.stderr.strip()[:200]
    report["concepts current, s from the ingest's start"] = concepts_current(db, start)
    peak = 0
    while True:
        _, done = run(db, "embed", "--status", "--json")
        status = json.loads(done.stdout)
        elapsed = round(time.perf_counter() - start, 1)
        worker = status.get("worker")
        if worker:
            peak = max(peak, peak_rss_mb(int(worker)) or 0)
        if not status.get("missing"):
            report["every vector in place, s from the ingest's start"] = elapsed
            break
        if not worker:
            report["worker gone, vectors missing"] = status
            break
        if stop_after is not None and elapsed >= stop_after:
            os.kill(int(worker), signal.SIGTERM)
            report[f"worker stopped at {elapsed} s, vectors have / missing"] = (
                status.get("have"), status.get("missing"))
            break
        time.sleep(2)
    report["worker peak RSS MB (VmHWM)"] = peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, help="folder for the two stores (default: a "
                                                  "temporary one, removed after)")
    parser.add_argument("--stop-after", type=float, metavar="S",
                        help="stop the background worker S seconds after the ingest started")
    parser.add_argument("--no-peer", action="store_true", help="skip `ingest --wait`")
    parser.add_argument("--beside", choices=("none", "busy", "search"), default="none",
                        help="work beside the worker until every vector is in place")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="grimoire-searchable-"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    try:
        report = measure(args.folder.resolve(), out, args.stop_after, not args.no_peer,
                         args.beside)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=1))
        return
    for name, value in report.items():
        print(f"  {name:52} {value}")


if __name__ == "__main__":
    main()
