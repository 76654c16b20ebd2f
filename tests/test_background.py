"""Searchable at once: `ingest` returns before the vectors, and a background worker adds them.

Real notes from ../shared, the real model, real worker processes (issue 14).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import grimoire
from grimoire._background import EmbedLock, lock_path
from grimoire.cli import main
from grimoire.resolve.overrides import load_overrides
from grimoire.store import _vector_scan
from grimoire.store._vector_scan import open_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def cli(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def until(condition: Callable[[], bool], seconds: float = 600) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_ingest_returns_searchable_and_a_worker_embeds_in_the_background(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    code, out, _ = cli(db, "ingest", str(EXAMPLES), "--json")
    assert code == 0, out
    vectors = json.loads(out)["vectors"]
    assert vectors["have"] == 0 and vectors["missing"] == vectors["total"] > 100
    assert isinstance(vectors["worker"], int)
    code, out, _ = cli(db, "search", "LoRA", "--mode", "lexical", "--json")
    assert code == 0 and json.loads(out)[0]["concept"] == "Low-Rank Adaptation (LoRA)"

    kb = grimoire.open(db)
    assert until(lambda: kb.vector_status().worker is None), "the worker never finished"
    status = kb.vector_status()
    assert (status.have, status.missing) == (vectors["total"], 0)
    assert lock_path(str(db)) == Path(f"{db}.embed.lock")
    assert Path(f"{db}.embed.log").read_text() == ""  # the worker reported no error
    code, out, err = cli(db, "search", "train two small matrices instead of the weights",
                         "--mode", "semantic", "--json")
    assert code == 0 and json.loads(out) and err == ""  # covered: no note on stderr
    code, out, _ = cli(db, "ingest", str(EXAMPLES), "--json")
    assert json.loads(out)["vectors"] == {"have": status.have, "total": status.total,
                                          "missing": 0, "worker": None}  # nothing to start
    kb.close()


def test_search_says_how_many_vectors_are_missing(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    code, out, _ = cli(db, "ingest", str(EXAMPLES), "--no-embed", "--json")
    assert code == 0 and json.loads(out)["vectors"]["worker"] is None
    total = json.loads(out)["vectors"]["total"]
    code, out, err = cli(db, "search", "dropout", "--json")
    assert code == 0 and json.loads(out)[0]["concept"] == "Dropout"  # lexical and names still
    assert json.loads(err) == {"vectors": {"have": 0, "total": total, "missing": total,
                                           "worker": None}}
    code, out, err = cli(db, "search", "dropout")
    assert f"covers 0 of {total} passages and entries" in " ".join(err.split())
    assert "grimoire embed" in err
    code, out, err = cli(db, "search", "dropout", "--mode", "lexical")
    assert err == ""
    code, out, _ = cli(db, "embed", "--status", "--json")
    assert json.loads(out) == {"have": 0, "total": total, "missing": total, "worker": None,
                               "last_error": None}


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_one_worker_per_database(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([EXAMPLES], embed=False)
        held = EmbedLock(str(db))
        assert held.acquire(wait=False)
        try:
            assert kb.vector_status().worker == os.getpid()
            other = EmbedLock(str(db))
            assert not other.acquire(wait=False)
            assert other.holder() == os.getpid()
            assert kb.embed_worker() is None  # a second worker leaves at once
            assert kb.vector_status().have == 0
        finally:
            held.release()
        assert EmbedLock(str(db)).holder() is None


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_a_killed_worker_loses_nothing_and_the_next_run_continues(
    tmp_path: Path, seeds: Path
) -> None:
    db = tmp_path / "kb.db"
    code, out, _ = cli(db, "ingest", str(seeds), "--json")
    assert code == 0, out
    vectors = json.loads(out)["vectors"]
    pid, total = vectors["worker"], vectors["total"]
    kb = grimoire.open(db)
    # Entries and short passages go first, committed chunk by chunk: kill after the first.
    assert until(lambda: kb.vector_status().have > 0)
    os.kill(pid, signal.SIGKILL)
    assert until(lambda: kb.vector_status().worker is None, 60)
    after_kill = kb.vector_status()
    if after_kill.missing == 0:
        pytest.fail("the worker finished before it could be killed; the test needs more text")
    assert kb.store.integrity_check() == "ok"
    model = kb.searcher.embedder.name
    kinds, ids, _docs, _entries, matrix = kb.store.load_vectors(model)
    assert len(ids) == after_kill.have
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)
    if 0 in kinds and "entry" in {u.kind for u in kb.store.embed_units(model)}:
        # Entries go first: before every entry has a vector, the passages that have one are
        # those that share their entry's text, and so its vector.
        units = kb.store.embed_units(model, only_missing=False)
        entry_texts = {u.text for u in units if u.kind == "entry"}
        early = {int(i) for k, i in zip(kinds, ids, strict=True) if k == 0}
        assert all(u.text in entry_texts for u in units if u.kind == "passage" and u.id in early)

    code, out, _ = cli(db, "embed", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert 0 < report["embedded"] <= after_kill.missing  # only what was left
    status = kb.vector_status()
    assert (status.have, status.missing) == (total, 0)
    # The vectors kept across the kill are the model's vectors of their texts.
    units = {(u.kind, u.id): u.text for u in kb.store.embed_units(model, only_missing=False)}
    kinds, ids, _docs, _entries, matrix = kb.store.load_vectors(model)
    picked = list(range(0, len(ids), max(1, len(ids) // 6)))
    texts = [units["entry" if kinds[i] else "passage", int(ids[i])] for i in picked]
    fresh = kb.searcher.embedder.embed(texts)
    assert np.allclose(fresh, matrix[picked], atol=1e-4)
    kb.close()


def test_embedding_writes_the_vector_index_file_so_that_a_search_only_maps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small store kept as a large one is: its index quantized, in a file beside it.
    monkeypatch.setattr(_vector_scan, "EXACT_UP_TO", 20)
    db = tmp_path / "kb.db"
    file = Path(f"{db}-vectors")
    notes = tmp_path / "notes"
    shutil.copytree(EXAMPLES / "vault", notes, ignore=shutil.ignore_patterns("LoRA.md"))
    kb = grimoire.open(db)
    kb.ingest([notes], embed=False)
    assert kb.embed_worker() is not None  # the background worker's own run
    sqlite = kb.store.engine == "sqlite"
    status = kb.vector_status()
    assert status.missing == 0 and status.have > 20
    if not sqlite:  # PostgreSQL keeps no file: pgvector's index follows the rows
        assert not file.exists()
        hits = kb.search("train two small matrices instead of the weights", mode="semantic")
        assert hits and "Low-Rank" in hits[0].concept
        kb.close()
        return
    model = kb.searcher.embedder.name

    def current() -> os.stat_result:
        assert file.exists(), "embedding finished without writing the vector index file"
        scan = open_file(file, model, ())
        assert scan is not None and scan.stamp == kb.store.vector_stamp()  # type: ignore[attr-defined]
        return file.stat()

    def searched() -> os.stat_result:
        # A new process's first search: maps the file, does not write it.
        other = grimoire.open(db)
        hits = other.search("train two small matrices instead of the weights", mode="hybrid")
        assert hits and "Low-Rank" in hits[0].concept
        scan = other.store.vector_index(model)  # type: ignore[attr-defined]
        assert scan.stamp is not None and not scan.exact  # the file's index
        other.close()
        return file.stat()

    before = current()
    after = searched()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # More notes, embedded by `embed` (as `grimoire embed` and `ingest --wait` do).
    shutil.copy(EXAMPLES / "vault" / "LoRA.md", notes)
    kb.ingest([notes], embed=False)
    kb.embed()
    again = current()
    assert (again.st_ino, again.st_mtime_ns) != (before.st_ino, before.st_mtime_ns)
    after = searched()
    assert (after.st_ino, after.st_mtime_ns) == (again.st_ino, again.st_mtime_ns)
    kb.close()


@pytest.mark.sqlite_only(reason="the worker's lock is a file beside the database")
def test_ingest_merges_the_concepts_itself_unless_it_starts_a_worker(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    held = EmbedLock(str(db))  # a worker busy embedding: it does not look at concepts again
    assert held.acquire(wait=False)
    try:
        code, out, _ = cli(db, "ingest", str(EXAMPLES), "--json")
        assert code == 0, out
        assert json.loads(out)["vectors"]["worker"] == os.getpid()  # no new worker
        kb = grimoire.open(db)
        assert not kb.store.concepts_stale(load_overrides(kb.store.source_roots()).fingerprint)
    finally:
        held.release()
    # The same concepts as the Python API's ingest, which merges them before it returns.
    with grimoire.open(tmp_path / "other.db") as other:
        other.ingest([EXAMPLES], embed=False)
        assert [(c.label, c.kind, c.entries, c.sources) for c in other.concepts()] == \
            [(c.label, c.kind, c.entries, c.sources) for c in kb.concepts()]
        assert len(kb.concepts()) > 30
    kb.close()


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_the_background_worker_merges_the_concepts_an_ingest_left(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    code, out, _ = cli(db, "ingest", str(EXAMPLES), "--json")
    assert code == 0, out
    pid = json.loads(out)["vectors"]["worker"]
    assert isinstance(pid, int)
    kb = grimoire.open(db)
    fingerprint = load_overrides(kb.store.source_roots()).fingerprint
    try:
        # Only read here: no command of this test brings the concepts current.
        assert until(lambda: not kb.store.concepts_stale(fingerprint), 120)
    finally:
        os.kill(pid, signal.SIGTERM)
        assert until(lambda: kb.vector_status().worker is None, 60)
    assert Path(f"{db}.embed.log").read_text() == ""
    kb.close()
