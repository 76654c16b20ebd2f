"""A full write-ahead log volume under PostgreSQL (round 40's leftover): `pg_wal` on a small
tmpfs of its own (initdb's `--waldir`, the usual way to put it on a volume of its own), the
data directory with room to spare. PostgreSQL cannot add a WAL segment, PANICs and stops (its
startup process cannot write the end of its recovery either): every call must say that the
server stopped or cannot be reached, naming the database, with no traceback; nothing
committed before is lost; once room is made and the server started again the same store
object works and the same ingest completes. Real PostgreSQL (pgserver), real file systems;
skipped where a tmpfs cannot be mounted. A server of its own (the session's must not stop).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

import grimoire
from grimoire.errors import StoreError
from tests.hostile.test_disk_full import _small_tmpfs

pytestmark = pytest.mark.postgres


@pytest.fixture
def wal_on_small_disk() -> Iterator[tuple[Any, Path, Path]]:
    """A new PostgreSQL server whose `pg_wal` is on a 6 MB tmpfs (1 MB segments, so that it
    is small): the server, its data directory and the tmpfs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR in CI
        import pgserver
        from pgserver._commands import initdb, pg_ctl
    # Not under pytest's tmp folder: the server runs as another user, who must reach it.
    parent = Path(tempfile.mkdtemp(prefix="grimoire-pg-wal-"))
    parent.chmod(0o755)
    wal = parent / "wal"
    if os.geteuid() != 0 or not _small_tmpfs(wal, "6m"):
        shutil.rmtree(parent, ignore_errors=True)
        pytest.skip("mounting a tmpfs is not allowed here")
    data = parent / "data"
    data.mkdir()
    user = pwd.getpwnam("pgserver") if _has_user("pgserver") else None
    try:
        if user is not None:
            for folder in (data, wal):
                os.chown(folder, user.pw_uid, user.pw_gid)
        # Old segments are removed, never renamed into spares ahead of the log: with spares
        # (initdb left four), 1.8 MB of WAL could fit in the filled tmpfs.
        initdb(["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres",
                "--no-sync", "--wal-segsize=1", "--waldir", str(wal / "pg_wal"),
                "--set", "wal_recycle=off", "--set", "min_wal_size=2MB"],
               pgdata=data, user=user.pw_name if user else None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(data, cleanup_mode=None)
        yield server, data, wal
    finally:
        # A stop that fails (a pid file left by a server killed outright) must not keep the
        # tmpfs mounted: it is detached whatever happened (review41a).
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=data,
                       user=user.pw_name if user else None)
        if subprocess.run(["umount", str(wal)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(wal)], capture_output=True)
        # Removed by a process of its own while the run goes on, as the session's server.
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" </dev/null >/dev/null 2>&1 &', "sh",
                        str(parent)], check=True, start_new_session=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (1 << 16, 1 << 12):
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError:
                pass
    return filler


def _says_server_down(error: StoreError, db: str) -> None:
    message = str(error)
    assert "PostgreSQL server" in message and "nothing of this call was kept" in message, message
    assert "pg_wal" in message and db in message, message
    assert "Traceback" not in message


def test_a_full_wal_volume_is_said_and_loses_nothing(
        wal_on_small_disk: tuple[Any, Path, Path], tmp_path: Path) -> None:
    server, data, wal = wal_on_small_disk
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE walfull")
    url = str(server.get_uri("walfull"))
    first, more = tmp_path / "first", tmp_path / "more"
    first.mkdir()
    more.mkdir()
    for n in range(3):
        (first / f"a{n}.md").write_text(f"# Alpha {n}\n\nAlpha {n} is a note of ours.\n")
    for n in range(40):
        filler = " ".join(hashlib.sha256(f"{n}-{k}".encode()).hexdigest() for k in range(120))
        (more / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is a thing: {filler}.\n")
    with grimoire.open(url) as kb:
        assert kb.ingest([first], embed=False).added == 3
        before = sorted((e.entry.term, e.entry.span.path) for e in kb.entries())
        found = [h.concept for h in kb.search("alpha", mode="lexical")]
        assert len(before) == 3 and found
        # A checkpoint first: the segments the store's creation wrote (schema step 9's
        # vocabulary among them) are removed, so that the room the filler takes is what the
        # server gets back when it is removed.
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute("CHECKPOINT")
        filler = _fill(wal)
        # Room left for the log: the rest of its current 1 MB segment and at most one spare;
        # the ingest below writes about 3.5 MB of it.
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            current = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()
        assert current is not None
        ahead = [p.name for p in (wal / "pg_wal").iterdir() if len(p.name) == 24
                 and p.name > current[0]]
        assert len(ahead) <= 1, ahead
        # On main at ac76370: "database write failed, nothing kept of it: consuming input
        # failed: server closed the connection unexpectedly", then "database query failed:
        # couldn't get a connection after 30.00 sec": no word of a server that stopped.
        with pytest.raises(StoreError) as failed:
            kb.ingest([more], embed=False)
        _says_server_down(failed.value, "walfull")
        assert "No space left on device" in (data / "log").read_text()
        # The wait for a connection from the pool, 30 s by default, made short here.
        kb.store.pool.timeout = 2.0  # type: ignore[attr-defined]
        for call in (kb.entries, lambda: kb.search("alpha", mode="lexical")):
            with pytest.raises(StoreError) as failed:
                call()
            _says_server_down(failed.value, "walfull")
        filler.unlink()  # room made; the server, stopped, is started again
        server.ensure_postgres_running()
        kb.store.pool.timeout = 30.0  # type: ignore[attr-defined]
        assert set(before) <= {(e.entry.term, e.entry.span.path) for e in kb.entries()}
        report = kb.ingest([more], embed=False)
        assert report.failed == 0 and report.added + report.unchanged == 40, report
        assert len(kb.entries()) == 43
        assert [h.concept for h in kb.search("alpha", mode="lexical")] == found
    with grimoire.open(url) as kb:
        after = sorted((e.entry.term, e.entry.span.path) for e in kb.entries())
        assert set(before) <= set(after) and len(after) == 43
        assert kb.store.integrity_check() == "ok"
