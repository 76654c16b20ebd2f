"""A full disk under PostgreSQL (RELIABILITY 2; round 39's leftover): the store's database
lives in a tablespace on a small tmpfs, which is filled to the last byte by a file of ours.
PostgreSQL then cannot grow a table or an index ("could not extend file ...: No space left
on device", SQLSTATE 53100): every call that fails must say the disk is full, naming the
database; nothing stored may be lost; once the file is removed the same ingest completes.
Real PostgreSQL (pgserver) and a real file system; skipped where a tmpfs cannot be mounted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

import grimoire
from grimoire.errors import StoreError
from tests.conftest import PgDatabases
from tests.hostile.test_disk_full import _small_tmpfs


@pytest.fixture
def small_disk_database(pg: PgDatabases) -> Iterator[tuple[str, Path]]:
    """A new database whose tables are on a 32 MB tmpfs; its URL and the tmpfs."""
    # Not under pytest's tmp folder: the server runs as another user, who must reach it.
    parent = Path(tempfile.mkdtemp(prefix="grimoire-pg-full-"))
    parent.chmod(0o755)
    disk = parent / "disk"
    if not _small_tmpfs(disk, "32m"):
        shutil.rmtree(parent, ignore_errors=True)
        pytest.skip("mounting a tmpfs is not allowed here")
    name = f"full{os.getpid()}"
    admin = pg.server.get_uri()
    try:
        space = disk / "space"
        space.mkdir()
        shutil.chown(space, pg.server.system_user)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE {name} LOCATION '{space}'")
            conn.execute(f"CREATE DATABASE {name} TABLESPACE {name}")
        yield str(pg.server.get_uri(name)), disk
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"DROP TABLESPACE IF EXISTS {name}")
        subprocess.run(["umount", str(disk)], capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)


def _fill(disk: Path) -> Path:
    """Write a file on `disk` until no byte is left."""
    filler = disk / "filler"
    block = b"\0" * (1 << 20)
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError:
            pass
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def _says_full(call: Callable[[], Any], url: str) -> bool:
    """Run `call`: True when it refused for want of room, naming the database (and saying
    nothing was kept); False when it answered. Any other error fails the test."""
    try:
        call()
    except StoreError as e:
        message = str(e)
        assert "disk is full" in message and "free some space" in message, message
        assert url.split("?")[0].rsplit("/", 1)[-1] in message, message
        return True
    return False


def test_a_full_disk_under_postgresql_is_said_and_loses_nothing(
        small_disk_database: tuple[str, Path], tmp_path: Path) -> None:
    url, disk = small_disk_database
    first, more = tmp_path / "first", tmp_path / "more"
    first.mkdir()
    more.mkdir()
    for n in range(3):
        (first / f"a{n}.md").write_text(f"# Alpha {n}\n\nAlpha {n} is a note of ours.\n")
    for n in range(120):
        filler = " ".join(hashlib.sha256(f"{n}-{k}".encode()).hexdigest() for k in range(40))
        (more / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is a thing: {filler}.\n")
    with grimoire.open(url) as kb:
        assert kb.ingest([first], embed=False).added == 3
        before = sorted((e.entry.term, e.entry.span.path) for e in kb.entries())
        found = [h.concept for h in kb.search("alpha", mode="lexical")]
        assert len(before) == 3 and found
        filler = _fill(disk)
        # On main: "database write failed, nothing kept of it: could not extend file ...",
        # and a search after it "database write failed" too: no word of a full disk.
        assert _says_full(lambda: kb.ingest([more], embed=False), url)
        # Every call now either answers from what is stored or says the disk is full.
        for call in (kb.entries, lambda: kb.search("alpha", mode="lexical"),
                     lambda: kb.ingest([first], embed=False), kb.stats):
            _says_full(call, url)
        filler.unlink()  # room made: the same store works again
        assert {(t, p) for t, p in before} <= {
            (e.entry.term, e.entry.span.path) for e in kb.entries()}
        report = kb.ingest([more], embed=False)
        assert report.failed == 0 and report.added + report.unchanged == 120, report
        assert len(kb.entries()) == 123
        assert [h.concept for h in kb.search("alpha", mode="lexical")] == found
    # Opened again, nothing of the first notes was lost.
    with grimoire.open(url) as kb:
        after = sorted((e.entry.term, e.entry.span.path) for e in kb.entries())
        assert set(before) <= set(after) and len(after) == 123
    # The store taken back to schema 9 (before step 10 made the resolve state's tables), then
    # opened by this Grimoire on the full disk (round 54): the step's tables cannot be made.
    from grimoire.store.postgres_schema import MIGRATIONS, RESOLVE_STATE

    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        for trigger, table in (("sources_resolve_log", "sources"),
                               ("sources_resolve_truncated", "sources"),
                               ("documents_resolve_truncated", "documents"),
                               ("concepts_resolve_truncated", "concepts")):
            conn.execute(f"DROP TRIGGER {trigger} ON {table}")
        conn.execute("DROP FUNCTION grimoire_resolve_log, grimoire_resolve_unready")
        conn.execute("DROP TABLE resolve_changed, resolve_ready, resolve_keys")
        conn.execute("UPDATE grimoire_schema SET version = %s",
                     (MIGRATIONS.index(RESOLVE_STATE),))
    filler = _fill(disk)
    with pytest.raises(StoreError) as caught:
        grimoire.open(url).close()
    message = str(caught.value)
    # main: "migration to schema 10 failed: could not extend file ...: No space left on device"
    assert "migration to schema 10 failed: the database server's disk is full" in message, \
        message
    assert message.endswith("the database keeps schema 9"), message
    assert url.split("?")[0].rsplit("/", 1)[-1] in message, message
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM grimoire_schema").fetchone() == (9,)
    filler.unlink()
    with grimoire.open(url) as kb:  # room made: upgraded, every entry there
        assert sorted((e.entry.term, e.entry.span.path) for e in kb.entries()) == after
