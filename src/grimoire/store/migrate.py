"""Move a knowledge base from one store to another (SQLite <-> PostgreSQL), nothing lost.

Rows are copied with their ids, so concepts, link targets and vectors keep pointing at the
same passages; vectors are copied, never recomputed. The destination must be empty, and the
copy is one transaction there: a failure leaves it empty. The counts are compared before it
commits; the source is read as one state of it (`Store.snapshot`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grimoire.errors import StoreError
from grimoire.store import open_store
from grimoire.store.base import Store
from grimoire.store.records import TABLES, Stats

MigrateProgress = Callable[[str, int], None]  # (table, rows copied so far)


@dataclass(frozen=True, slots=True)
class MigrateReport:
    """What one migration copied."""

    source: str
    destination: str
    rows: dict[str, int]
    vectors: int
    stats: Stats


def copy_store(src: Store, dst: Store, progress: MigrateProgress | None = None) -> MigrateReport:
    """Copy every row and vector of `src` into the empty `dst`, then check the counts."""
    if dst.stats().sources or dst.vector_counts()[0]:
        raise StoreError("the destination already holds notes; migrate into an empty one",
                         dst.url)
    copied: dict[str, int] = {}
    vectors = 0
    # One state of `src` (a `watch` or an ingest may write it meanwhile: its tables were read
    # one by one, before and after a write, and the copy refused with a foreign key or kept
    # with a file's row and none of its documents), and the counts compared before `dst`
    # commits, so that a copy that differs leaves `dst` empty (it was kept, and a second
    # migrate was refused: "the destination already holds notes").
    with src.snapshot(), dst.transaction():
        for table in TABLES:
            n = 0

            def rows(table: str = table) -> object:
                nonlocal n
                for row in src.dump(table):
                    n += 1
                    if progress is not None and n % 5000 == 0:
                        progress(table, n)
                    yield row

            dst.load(table, rows())  # type: ignore[arg-type]
            copied[table] = n
        by_model: dict[str, dict[str, tuple[float, ...]]] = {}
        links: dict[str, list[tuple[str, int, str]]] = {}
        for row in src.vector_rows():
            by_model.setdefault(row.model, {}).setdefault(row.hash, row.vector)
            links.setdefault(row.model, []).append((row.kind, row.id, row.hash))
            vectors += 1
        import numpy as np

        for model, blobs in by_model.items():
            dst.save_vectors(
                model, [(h, np.asarray(v, dtype=np.float32)) for h, v in blobs.items()],
                links[model])
        dst.finish_load()
        before, after = src.stats(), dst.stats()
        if before != after or src.vector_counts() != dst.vector_counts():
            raise StoreError(f"the copy differs from the original ({before} / {after}); "
                             "nothing was copied", dst.url)
    return MigrateReport(src.url, dst.url, copied, vectors, after)


def migrate(source: str, destination: str,
            progress: MigrateProgress | None = None) -> MigrateReport:
    """Open both stores by URL (or path) and copy `source` into the empty `destination`."""
    src = open_store(source, create=False)  # a mistyped name is no empty knowledge base
    try:
        dst = open_store(destination)
        try:
            return copy_store(src, dst, progress)
        finally:
            dst.close()
    finally:
        src.close()
