"""A team at once on PostgreSQL: several processes ingest different folders while others
search; nothing is lost, nothing deadlocks, and the result equals ingesting one by one."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import grimoire
from grimoire.ingest import ingest
from grimoire.resolve import Overrides, ResolveReport, build, load_overrides, refresh
from grimoire.store import Store, open_store
from grimoire.store.migrate import copy_store
from tests.conftest import PgDatabases
from tests.store.conftest import Handles
from tests.store.test_contract import write_vault

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


def _ingest_report(url: str, folder: str) -> tuple[int, int, int]:
    with grimoire.open(url) as kb:
        report = kb.ingest([folder], embed=False)
        return report.added + report.updated, report.unchanged, report.failed


def test_concurrent_ingest_of_the_same_folder_takes_turns(
    corpora: Path, tmp_path: Path, pg: PgDatabases
) -> None:
    """Two people ingest one shared folder at once: each file is written by one process,
    then replaced or skipped by the other; no write fails on the other's rows."""
    folder = str(corpora / "ml-glossary-terms")
    shared = pg.url()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(3, mp_context=ctx) as pool:
        reports = list(pool.map(_ingest_report, [shared] * 3, [folder] * 3))
    with grimoire.open(str(tmp_path / "serial.db")) as kb:
        kb.ingest([folder], embed=False)
        expected = kb.stats()
        expected_concepts = sorted((c.entries, c.sources) for c in kb.concepts())
        # the folder's SOURCE.txt is recorded as skipped (metadata), neither written nor
        # unchanged
        files = sum(1 for s in kb.sources() if s.status == "ok")
    assert files == expected.sources - 1
    for written, unchanged, failed in reports:
        assert failed == 0
        assert written + unchanged == files
    with grimoire.open(shared) as kb:
        assert kb.stats() == expected
        assert kb.store.integrity_check() == "ok"
        assert sorted((c.entries, c.sources) for c in kb.concepts()) == expected_concepts


def _during_a_resolve(store: Store, overrides: Overrides, action: Callable[[], object]) -> None:
    """Run `action` on a thread while `store` resolves; it must wait for the resolve (it can
    only finish early if it did not), then finish."""
    done = threading.Event()

    def run() -> None:
        action()
        done.set()

    thread = threading.Thread(target=run)
    with store.resolving():
        data = store.resolve_input()
        thread.start()
        assert not done.wait(1.0)
        store.write_resolution(build(data, overrides), overrides.fingerprint)
    thread.join(120)
    assert done.is_set()


def test_a_file_written_during_a_resolve_waits_and_is_resolved_after(
    handles: Handles, tmp_path: Path
) -> None:
    """The race behind a lost merge: a resolve that read before another process wrote its
    files must not write its concepts over theirs and mark them current."""
    store, other = handles.store, handles.other
    first, second = tmp_path / "first", tmp_path / "second"
    write_vault(first, 3, "alpha")
    write_vault(second, 3, "beta")
    ingest(store, [first], workers=1)
    overrides = load_overrides(store.source_roots())
    _during_a_resolve(store, overrides, lambda: ingest(other, [second], workers=1))
    assert store.concepts_stale(overrides.fingerprint)
    refresh(store, load_overrides(store.source_roots()))
    assert sorted(c.label for c in store.concept_summaries()) == [
        f"{topic} {i}" for topic in ("Alpha", "Beta") for i in range(3)]


def test_a_migration_during_a_resolve_waits_and_keeps_its_concepts(
    handles: Handles, tmp_path: Path
) -> None:
    """A migration writes files too: a resolve of the destination that read before the copy
    committed must not write its (empty) concepts over the copied ones and mark them current."""
    destination, other = handles.store, handles.other
    write_vault(tmp_path / "vault", 3, "alpha")
    with contextlib.closing(open_store(str(tmp_path / "src.db"))) as source:
        ingest(source, [tmp_path / "vault"], workers=1)
        overrides = load_overrides(source.source_roots())
        refresh(source, overrides)
        _during_a_resolve(other, overrides, lambda: copy_store(source, destination))
        assert sorted(c.label for c in other.concept_summaries()) == sorted(
            c.label for c in source.concept_summaries())
        assert not other.concepts_stale(overrides.fingerprint)


def test_a_refresh_queued_behind_a_resolve_does_not_run_again(
    handles: Handles, tmp_path: Path
) -> None:
    """Processes that find the concepts stale at once queue on the lock: once the first has
    resolved, the others find them current and rebuild nothing."""
    store, other = handles.store, handles.other
    write_vault(tmp_path / "vault", 3, "alpha")
    ingest(store, [tmp_path / "vault"], workers=1)
    overrides = load_overrides(store.source_roots())
    assert other.concepts_stale(overrides.fingerprint)
    reports: list[ResolveReport] = []
    _during_a_resolve(store, overrides, lambda: reports.append(refresh(other, overrides)))
    assert len(reports) == 1
    assert reports[0].incremental and reports[0].entries == reports[0].concepts == 0
    assert not other.concepts_stale(overrides.fingerprint)
    assert sorted(c.label for c in other.concept_summaries()) == [
        f"Alpha {i}" for i in range(3)]
