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
