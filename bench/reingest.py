"""What keeping the vectors of a re-read file costs: a collection re-ingested with and without it.

    python bench/reingest.py --store CACHE/ml-glossary-terms.db [--engines sqlite,postgres]

Every file of an embedded store is marked changed (its stored hash), then ingested again
(`--no-embed`, concepts left unresolved): the writer links each new passage and entry whose
embedded text is unchanged to the vector it had (`store/_carry_vectors.py`). The same
re-ingest runs with that step turned off in this process (`_carry_vectors.remember` does
nothing: no old rows are remembered, none linked), on a fresh copy of the store each time,
the two variants alternated; after the one that keeps none, the `embed` that links
the units to the kept vectors again (nothing to embed) is timed too. PostgreSQL: the store
copied into a pgserver under --cache once, each run on a database made from it as a
template.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import grimoire  # noqa: E402 - this tree's, from the path set above
from grimoire.store import _carry_vectors  # noqa: E402

REMEMBER = _carry_vectors.remember
SPENT = {"s": 0.0}  # seconds inside the steps that keep vectors (this process)
LATER = {"s": 0.0}  # seconds of the `embed` after a re-ingest that kept none


def _nothing(*_: object) -> None:
    return None


def _timed(cls: type, name: str) -> None:
    method = getattr(cls, name)

    def timed(*a: object, **k: object) -> object:
        t = time.perf_counter()
        try:
            return method(*a, **k)
        finally:
            SPENT["s"] += time.perf_counter() - t

    setattr(cls, name, timed)


def instrument() -> None:
    """Time the writer's two steps: the old units' vectors looked up (SQLite; on PostgreSQL
    those queries run inside `replace_source`, untimed here) and the new units linked."""
    from grimoire.store.postgres import PostgresStore
    from grimoire.store.sqlite import _RowWriter

    _timed(_RowWriter, "_vectors_of")
    _timed(_RowWriter, "_carry")
    _timed(PostgresStore, "_carry")


def one_run(url: str, carry: bool) -> tuple[float, float, int, float]:
    """(wall s, CPU s of this process and its reaped children, units with a vector after,
    s in the timed carry steps) of one re-ingest."""
    _carry_vectors.remember = REMEMBER if carry else _nothing  # type: ignore[assignment]
    kb = grimoire.open(url)
    roots = sorted({s.root for s in kb.store.sources() if s.root})
    SPENT["s"] = 0.0
    t, c = time.perf_counter(), _cpu()
    report = kb.ingest(roots, embed=False, resolve=False)
    wall, cpu = time.perf_counter() - t, _cpu() - c
    have, _ = kb.store.vector_counts()
    assert report.added + report.updated > 0, report
    if not carry:
        # What the units left without a vector cost the embedding run that follows: every
        # text is found among the kept vectors (nothing embedded), then linked.
        t = time.perf_counter()
        embedded = kb.embed()
        LATER["s"] = time.perf_counter() - t
        assert embedded.embedded == 0, embedded
    kb.close()
    _carry_vectors.remember = REMEMBER
    return wall, cpu, have, SPENT["s"] if carry else LATER["s"]


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def stale_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sources SET sha256 = 'stale'")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="an embedded SQLite store")
    parser.add_argument("--cache", default="/tmp/grimoire-reingest")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3, help="pairs of runs")
    args = parser.parse_args()
    instrument()
    store, cache = Path(args.store), Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"reingest bench · {store.name} · load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for engine in args.engines.split(","):
        times: dict[bool, list[tuple[float, float, int, float]]] = {True: [], False: []}
        if engine == "sqlite":
            for _ in range(args.runs):
                for carry in (True, False):
                    copy = cache / f"run-{store.name}"
                    for suffix in ("", "-wal", "-shm", "-vectors"):
                        Path(f"{copy}{suffix}").unlink(missing_ok=True)
                    shutil.copy(store, copy)
                    stale_sqlite(copy)
                    times[carry].append(one_run(str(copy), carry))
        else:
            from engines import on_postgres, postgres_server

            with postgres_server(cache) as server:
                with grimoire.open(store) as local:
                    on_postgres(local, store.stem, server).close()
                base = "c_" + "".join(ch if ch.isalnum() else "_" for ch in store.stem)
                for _ in range(args.runs):
                    for carry in (True, False):
                        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
                            conn.execute('DROP DATABASE IF EXISTS "run"')
                            conn.execute(f'CREATE DATABASE "run" TEMPLATE "{base}"')
                        with psycopg.connect(server.get_uri("run"), autocommit=True) as conn:
                            conn.execute("UPDATE sources SET sha256 = 'stale'")
                        times[carry].append(one_run(server.get_uri("run"), carry))
                with psycopg.connect(server.get_uri(), autocommit=True) as conn:
                    conn.execute('DROP DATABASE IF EXISTS "run"')
        for carry in (True, False):
            walls = [w for w, _, _, _ in times[carry]]
            cpus = [c for _, c, _, _ in times[carry]]
            steps = [s for _, _, _, s in times[carry]]
            print(f"  {engine:9} {'keeping vectors' if carry else 'not keeping them':17}"
                  f" wall s {' '.join(f'{w:.2f}' for w in walls)} (median"
                  f" {statistics.median(walls):.2f}), CPU s (with the workers) median"
                  f" {statistics.median(cpus):.2f}, "
                  + ("in the carry steps" if carry
                     else "the `embed` after it (model load included)")
                  + f" s median {statistics.median(steps):.3f}, units with a vector after"
                  f" {times[carry][-1][2]}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
