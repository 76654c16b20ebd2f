"""A disk that fills, made with a file-size limit (`ulimit -f`, RLIMIT_FSIZE): a write past it
fails with EFBIG as on a full disk (Python ignores SIGXFSZ). The limit is this process's soft
limit, set around one call and put back; the PostgreSQL server's files are not this process's.

Each face that writes: a clear error that names the file, nothing half-written left, and
what was there before intact."""

from __future__ import annotations

import hashlib
import resource
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import GrimoireError, StoreError
from grimoire.store import sqlite_health
from tests.conftest import ingested

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """The limit, and no bytecode written under it. Round 52 (suite52): a module first imported
    under it (rdflib's 40 for the skos export, grimoire.export's own) had its .pyc cut at `size`
    bytes and kept (the import system takes a short write as done), and every later import of
    it through the same bytecode folder (`.ci/run` shares one between both passes) failed with
    "EOFError: marshal data too short": in reverse module order, faces_round35's skos test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        sys.dont_write_bytecode = writes


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", ["jsonl", "skos", "anki", "tbx"])
def test_an_export_that_cannot_be_written_says_so_and_keeps_the_old_one(
        tmp_path: Path, fmt: str) -> None:
    # anki's collection is a SQLite file built in a temporary folder: its failed commit
    # came out as a traceback (sqlite3.OperationalError: disk I/O error).
    out = tmp_path / f"notes.{fmt}"
    out.write_text("the export before\n")
    with ingested(tmp_path / "kb.db", EXAMPLES, embed=False) as kb:
        with file_size_limit(2048), pytest.raises(GrimoireError) as caught:
            kb.export(fmt, out, force=True)
        assert str(out) in str(caught.value)
        assert out.read_text() == "the export before\n"
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
        assert kb.export(fmt, out, force=True).concepts > 0


@pytest.mark.sqlite_only(reason="the SQLite file itself grows past the limit")
def test_an_ingest_past_the_file_size_limit_says_so_and_keeps_the_store(
        tmp_path: Path) -> None:
    # SQLite reports EFBIG as "disk I/O error": the message said only "could not commit:
    # disk I/O error", which reads like a failing drive or damage.
    more = tmp_path / "more"
    more.mkdir()
    for n in range(300):
        filler = " ".join(hashlib.sha256(f"{n}-{k}".encode()).hexdigest() for k in range(40))
        (more / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is a thing: {filler}.\n")
    db = tmp_path / "kb.db"
    with ingested(db, EXAMPLES, embed=False) as kb:
        before = sorted((e.entry.term, e.entry.span.path) for e in kb.entries())
        size = max(db.stat().st_size, Path(f"{db}-wal").stat().st_size)
        with file_size_limit(size + 65536), pytest.raises(StoreError) as caught:
            kb.ingest([more], embed=False)
        message = str(caught.value)
        assert "kb.db" in message and "file-size limit" in message, message
        assert "intact" in message, message
        assert sorted((e.entry.term, e.entry.span.path) for e in kb.entries()) == before
        assert kb.store.integrity_check() == "ok"
        report = kb.ingest([more], embed=False)
        assert report.failed == 0 and report.added == 300


@pytest.mark.sqlite_only(reason="the SQLite file itself grows past the limit")
def test_an_embed_past_the_file_size_limit_says_so_and_keeps_the_store(
        tmp_path: Path) -> None:
    # The vectors' commit raised sqlite3.OperationalError (disk I/O error) out of
    # `grimoire embed` and `kb.embed()`: a traceback (audit29).
    db = tmp_path / "kb.db"
    with ingested(db, EXAMPLES, embed=False) as kb:
        passages = kb.stats().passages
        with sqlite3.connect(db) as conn:  # fold the log in: the file is all there is
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        with file_size_limit(65536), pytest.raises(StoreError) as caught:  # the log grows
            kb.embed()
        message = str(caught.value)
        assert "kb.db" in message and "file-size limit" in message, message
        assert kb.store.integrity_check() == "ok"
        assert kb.stats().passages == passages
        assert kb.embed().total == kb.vector_status().total


@pytest.mark.sqlite_only(reason="backup copies a SQLite file")
def test_a_backup_that_cannot_be_written_names_the_copy_not_the_database(
        tmp_path: Path) -> None:
    # "kb.db: backup failed: disk I/O error; run `grimoire check`": the database was
    # fine, the copy could not be written.
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([EXAMPLES], embed=False)
    sqlite3.connect(db).close()
    before = digest(db)
    copy = tmp_path / "copy.db"
    with file_size_limit(65536), pytest.raises(StoreError) as caught:
        sqlite_health.backup(str(db), str(copy))
    message = str(caught.value)
    assert message.startswith(str(copy)) and "grimoire check" not in message, message
    assert "file-size limit" in message, message
    assert digest(db) == before and not copy.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_killed_exports_scratch_folder_is_removed_by_the_next_and_said(
        tmp_path: Path) -> None:
    # An export is written in .NAME.XXXX.part beside its target and renamed when complete;
    # killed (kill -9, a power cut), that folder (a half-written site, a partial file)
    # stayed for good, another with every killed run.
    import subprocess

    from click.testing import CliRunner

    from grimoire.cli import main

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its PID names no process now, as a killed export's
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([EXAMPLES], embed=False)
    for fmt, name in (("site", "site"), ("jsonl", "notes.jsonl")):
        scratch = tmp_path / f".{name}.{gone.pid}-x1y2.part"
        (scratch / "export").mkdir(parents=True)
        (scratch / "export" / "index.html").write_text("half")
        result = CliRunner().invoke(main, ["--db", str(tmp_path / "kb.db"), "export", fmt,
                                           str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert scratch.name in result.output and "interrupted" in result.output
        assert not scratch.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
