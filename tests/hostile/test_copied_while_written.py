"""A store copied with `cp` while another process writes it (RELIABILITY 5; sqlite.org's
"how to corrupt": copying a live database copies neither its -wal nor a consistent file).
Grimoire, given such a copy, either reads it as a healthy store or says in one error that
names the file that it is damaged; it never recreates or rewrites the copy, and the store
that was being written stays whole. Real processes, real SQLite files."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import GrimoireError
from grimoire.store.sqlite_health import check

ENV = {**os.environ, "PYTHONPATH": str(Path(grimoire.__file__).parents[1])}
COPIES = 40

# A writer: ingest the folder again and again, each round with every note changed.
WRITER = """
import sys
from pathlib import Path
import grimoire
notes = Path(sys.argv[2])
for version in range(int(sys.argv[3])):
    for n in range(40):
        (notes / f"n{n}.md").write_text(f"# Term {n}\\n\\nTerm {n} is version {version}: "
                                        + " ".join(f"w{version}x{k}" for k in range(200))
                                        + ".\\n")
    with grimoire.open(sys.argv[1]) as kb:
        kb.ingest([notes], embed=False)
        kb.store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
print("done")
"""


def _slow_copy(source: Path, target: Path) -> None:
    """`source` copied a piece at a time, as a copy over a slow disk or network: the writer
    checkpoints meanwhile, and the copy holds pages of several versions of the file."""
    with source.open("rb") as src, target.open("wb") as out:
        while piece := src.read(32 * 1024):
            out.write(piece)
            time.sleep(0.002)


def integrity(path: Path) -> str:
    """SQLite's full integrity check of the file at `path`, opened read-only: "ok" or what
    is wrong (also used by test_torn_copy)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        conn.close()


def _full_text_sound(path: Path) -> bool:
    """FTS5's own integrity check of every full-text table, run on a scratch copy of the file
    (the check is an INSERT): a copy can pass SQLite's integrity check with its full-text
    index torn (round 43's fresh clone met one in 40 copies)."""
    scratch = path.with_name("scratch.db")
    shutil.copyfile(path, scratch)
    conn = sqlite3.connect(scratch, isolation_level=None)
    try:
        tables = [t for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'")]
        for table in tables:
            conn.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'integrity-check\')')
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
        scratch.unlink()


def _holds_passages(db: Path) -> bool:
    if not db.exists():
        return False
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return bool(conn.execute("SELECT count(*) FROM passages").fetchone()[0])
    except sqlite3.Error:
        return False  # the schema is not made yet
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only(reason="copies the SQLite file itself")
def test_a_store_copied_while_written_is_read_or_called_damaged_never_rewritten(
        tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    db = tmp_path / "kb.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(notes), "1000"],
                              env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    outcomes = {"read": 0, "damaged": 0, "torn": 0}
    try:
        while not db.exists() or db.stat().st_size < 64 * 1024:
            assert writer.poll() is None, writer.communicate()
            time.sleep(0.05)
        for n in range(COPIES):
            copy = tmp_path / f"copy{n}" / "kb.db"
            copy.parent.mkdir()
            # The file alone, mid-write, as `cp kb.db` copies it; every other one slowly.
            if n % 2:
                _slow_copy(db, copy)
            else:
                shutil.copyfile(db, copy)
            before = _digest(copy)
            sound = integrity(copy) == "ok"
            try:
                with grimoire.open(copy) as kb:
                    for word in ("term", "version", "w3x7", "thing"):
                        kb.search(word, k=5, mode="lexical")
                    kb.stats()
                    kb.entries()
                outcomes["read"] += 1
                # A torn copy is never answered from without an error (round 38: 1 in 40
                # was, until `check`): opening it runs SQLite's quick check.
                assert sound, f"copy {n} is torn ({integrity(copy)[:80]}) and was read"
            except GrimoireError as e:
                # One error naming the file and what is wrong, never a traceback.
                assert "kb.db" in str(e) and "damaged" in str(e), e
                outcomes["damaged"] += 1
            # `grimoire check` tells a torn copy from a sound one, and leaves it as it was;
            # it also runs FTS5's check, so a copy whose full-text index alone is torn (which
            # opening it, SQLite's quick check, does not see) is damaged to it.
            whole = sound and _full_text_sound(copy)
            assert check(str(copy)).ok == whole, n
            if not whole:
                assert _digest(copy) == before, f"copy {n} was rewritten"
                outcomes["torn"] += 1
            shutil.rmtree(copy.parent)
    finally:
        writer.kill()
        writer.communicate()
    assert outcomes["read"] + outcomes["damaged"] == COPIES, outcomes
    print(outcomes)  # shown under -s
    with grimoire.open(db) as kb:  # the store written, killed mid-write, is whole
        assert kb.store.integrity_check() == "ok"


@pytest.mark.sqlite_only(reason="SQLite's online backup of a file being written")
def test_a_backup_taken_while_another_process_ingests_is_whole(tmp_path: Path) -> None:
    """RELIABILITY 5 with a real writer: `backup` (SQLite's backup API, one read transaction)
    while another process ingests every note again and again. Each copy passes `check`, and
    each note in it is one version of that note, never half of two."""
    from grimoire.store.sqlite_health import backup

    notes = tmp_path / "notes"
    notes.mkdir()
    db = tmp_path / "kb.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(notes), "1000"],
                              env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        while not _holds_passages(db):  # the writer's first batch committed
            assert writer.poll() is None, writer.communicate()
            time.sleep(0.05)
        versions = set()
        for n in range(40):  # until copies of two versions were taken (at least three)
            copy = tmp_path / f"backup{n}.db"
            health = backup(str(db), str(copy))
            assert health.ok, (n, health.problems)
            conn = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
            try:
                rows = conn.execute(
                    "SELECT s.path, p.text FROM passages p JOIN documents d"
                    " ON d.id = p.document_id JOIN sources s ON s.id = d.source_id").fetchall()
            finally:
                conn.close()
            by_note: dict[str, set[str]] = {}
            for path, text in rows:
                for word in text.split():
                    if word.startswith("w") and "x" in word:
                        by_note.setdefault(path, set()).add(word.split("x")[0])
            assert by_note and all(len(v) == 1 for v in by_note.values()), (n, by_note)
            versions |= {v for vs in by_note.values() for v in vs}
            copy.unlink()
            if n >= 2 and len(versions) >= 2:
                break
            time.sleep(0.1)
    finally:
        writer.kill()
        writer.communicate()
    assert len(versions) >= 2, versions  # the copies were taken while it wrote
    with grimoire.open(db) as kb:
        assert kb.store.integrity_check() == "ok"
