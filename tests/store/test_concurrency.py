"""A team at once on PostgreSQL: several processes ingest different folders while others
search; nothing is lost, nothing deadlocks, and the result equals ingesting one by one."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import grimoire
from tests.conftest import PgDatabases

FOLDERS = ("distill-articles", "hf-docs", "ml-cheatsheet-rst", "ml-glossary-terms")


def _ingest(url: str, folder: str) -> tuple[int, int]:
    with grimoire.open(url) as kb:
        report = kb.ingest([folder], embed=False)
        return report.added, report.failed


def _search(url: str, rounds: int) -> int:
    found = 0
    with grimoire.open(url) as kb:
        for i in range(rounds):
            found += len(kb.search(["attention", "gradient", "lora", "entropy"][i % 4],
                                   mode="lexical"))
    return found


def test_concurrent_ingest_of_different_folders_loses_nothing(
    corpora: Path, tmp_path: Path, pg: PgDatabases
) -> None:
    folders = [str(corpora / f) for f in FOLDERS]
    shared = pg.url()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(len(folders) + 1, mp_context=ctx) as pool:
        searches = pool.submit(_search, shared, 20)
        reports = list(pool.map(_ingest, [shared] * len(folders), folders))
        assert searches.result(timeout=600) >= 0
    one_by_one = str(tmp_path / "serial.db")
    with grimoire.open(one_by_one) as kb:
        serial = [kb.ingest([f], embed=False) for f in folders]
        expected = kb.stats()
        # A concept's label comes from its first entry by id, which interleaved writers
        # number differently: compare what does not depend on write order.
        expected_concepts = sorted((c.entries, c.sources) for c in kb.concepts())
    assert reports == [(r.added, r.failed) for r in serial]
    with grimoire.open(shared) as kb:
        assert kb.stats() == expected
        assert kb.store.integrity_check() == "ok"
        assert sorted((c.entries, c.sources) for c in kb.concepts()) == expected_concepts
        for folder in folders:
            assert {s.path for s in kb.sources() if s.path.startswith(folder + "/")} == {
                s.path for s in kb.store.sources(root=folder)}
