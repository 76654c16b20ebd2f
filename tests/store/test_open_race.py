"""Two processes opening one fresh PostgreSQL store at once: both read and write vectors.

Each process's connection pool opens its first connection before the store's migration has
created pgvector's type; the process that migrates knows it and starts its pool again, the
one that waited on the migration lock and found the store migrated must not keep a
connection that cannot send a vector ("cannot adapt type 'Vector'", two PostgreSQL benches
started at once on one cache)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import grimoire
from grimoire.store import open_store
from tests.conftest import PgDatabases

ENV = {**os.environ, "PYTHONPATH": str(Path(grimoire.__file__).parents[1])}

# A child: open the store, write one vector, find it again by a nearest-neighbour query.
CHILD = """
import sys
import numpy as np
from grimoire.store import open_store
store = open_store(sys.argv[1])
vec = np.array([1.0, 0.5, float(sys.argv[2])], dtype=np.float32)
store.save_vectors("race-model", [(f"hash-{sys.argv[2]}", vec)], [])
store.nearest("race-model", vec, 3)
store.close()
print("ok")
"""


def _waiting(url: str) -> int:
    """How many lock requests wait in the database of `url`."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND database ="
                           " (SELECT oid FROM pg_database WHERE datname = current_database())"
                           ).fetchone()
    return int(row[0]) if row else 0


def _two_children_held_then_released(url: str, *lock_sql: str) -> list[tuple[str, str]]:
    """Two children run CHILD on `url` while this process holds a lock (`lock_sql`, in one
    transaction); once both wait on a lock, it is released. Their output, both checked."""
    import psycopg

    with psycopg.connect(url) as holder:
        for sql in lock_sql:
            holder.execute(sql)
        children = [subprocess.Popen([sys.executable, "-c", CHILD, url, str(i)], env=ENV,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True) for i in (1, 2)]
        deadline = time.monotonic() + 120
        while _waiting(url) < 2:
            assert all(c.poll() is None for c in children), [c.communicate() for c in children]
            assert time.monotonic() < deadline, "the two children never reached the lock"
            time.sleep(0.05)
        holder.commit()
    results = [c.communicate(timeout=300) for c in children]
    assert [c.returncode for c in children] == [0, 0], results
    assert [out for out, _ in results] == ["ok\n", "ok\n"], results
    store = open_store(url)
    try:
        assert store.known_vectors(["hash-1", "hash-2"]) == {"hash-1", "hash-2"}
        assert store.integrity_check() == "ok"
    finally:
        store.close()
    return results


def test_two_processes_opening_a_fresh_store_at_once_both_write_vectors(
    pg: PgDatabases,
) -> None:
    """Both children open their pools while the store has no schema yet and this test holds
    the migration lock; released, one migrates, the other finds the store migrated."""
    from grimoire.store.postgres import _LOCK_MIGRATE

    _two_children_held_then_released(pg.url(), f"SELECT pg_advisory_xact_lock({_LOCK_MIGRATE})")


def test_two_processes_storing_their_first_vectors_at_once_both_keep_them(
    pg: PgDatabases,
) -> None:
    """Both children reach the vector index of a new dimension while this test locks the
    table it is built on; released, both build it at once ("CREATE INDEX IF NOT EXISTS" is
    no test-and-set: the second failed on a duplicate name)."""
    url = pg.url()
    open_store(url).close()  # migrated: the race is the index's alone
    _two_children_held_then_released(url, "LOCK TABLE passage_vecs IN EXCLUSIVE MODE")


# -- the benches' copies of a SQLite store on PostgreSQL (bench/engines.py) ------------------

ENGINES_PY = Path(__file__).resolve().parents[2] / "bench" / "engines.py"

# A child: a bench's `on_postgres` of the SQLite store argv[1] as database argv[2] on the
# server of argv[3] (a URL whose database is named DBNAME); prints the copy's sources.
BENCH_CHILD = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("bench_engines", sys.argv[4])
engines = importlib.util.module_from_spec(spec)
spec.loader.exec_module(engines)
import grimoire

class Server:
    def get_uri(self, database=None):
        return sys.argv[3].replace("DBNAME", database or "postgres")

with grimoire.open(sys.argv[1]) as kb:
    copy = engines.on_postgres(kb, sys.argv[2], Server())
    print(copy.store.stats().sources, copy.store.stats().entries)
    copy.close()
"""


def _sqlite_store(folder: Path, notes: int) -> tuple[Path, tuple[int, int]]:
    (folder / "notes").mkdir(parents=True)
    for n in range(notes):
        (folder / "notes" / f"n{n}.md").write_text(
            f"# Term {n}\n\nTerm {n} is a thing linked to [[Term {(n + 1) % notes}]].\n")
    db = folder / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([folder / "notes"], embed=False)
        return db, (kb.store.stats().sources, kb.store.stats().entries)


def test_two_benches_copying_one_store_at_once_both_read_it_whole(
    pg: PgDatabases, tmp_path: Path
) -> None:
    db, counts = _sqlite_store(tmp_path, 400)
    template = pg.server.get_uri("DBNAME")
    name = f"race_{os.getpid()}"
    children = [subprocess.Popen([sys.executable, "-c", BENCH_CHILD, str(db), name, template,
                                  str(ENGINES_PY)], env=ENV, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [c.communicate(timeout=600) for c in children]
    assert [c.returncode for c in children] == [0, 0], results
    assert [tuple(map(int, out.split())) for out, _ in results] == [counts, counts], results


def test_a_benchs_copy_left_empty_by_a_kill_is_copied_again(
    pg: PgDatabases, tmp_path: Path
) -> None:
    import importlib.util

    import psycopg

    spec = importlib.util.spec_from_file_location("bench_engines", ENGINES_PY)
    assert spec is not None and spec.loader is not None
    engines = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(engines)
    db, counts = _sqlite_store(tmp_path, 5)
    name = f"killed_{os.getpid()}"
    # What a bench killed during its copy leaves: the database, migrated, and no rows (the
    # copy is one transaction).
    with psycopg.connect(pg.server.get_uri(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "c_{name}"')
    open_store(pg.server.get_uri(f"c_{name}")).close()
    with grimoire.open(db) as kb:
        copy = engines.on_postgres(kb, name, pg.server)
        try:
            assert (copy.store.stats().sources, copy.store.stats().entries) == counts
        finally:
            copy.close()
