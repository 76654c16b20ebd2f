"""Review of round 54's reliability changes (review54b).

- A disk the kernel makes read-only while an older store's schema is being upgraded (the
  upgrade waiting for another writer's lock meanwhile). ext4's `emergency_ro` (Linux 6.x)
  leaves `access` saying writable and SQLite says "attempt to write a readonly database",
  which `_migrate` did not ask the cause of: said so at each opening, the file's permissions
  fine. Where the cause was asked (SQLite's "disk I/O error"), it said, as a store's own
  write does, "what was stored before ... can be searched, not changed": not by this
  Grimoire, which refuses the older schema on that disk ("needs an upgrade: make it
  writable") or fails its upgrade again.
- A store closed cleanly (no -wal, no -shm) on a disk made read-only since, under
  `emergency_ro`: `access` says writable, SQLite cannot make the -wal, and the opening said
  "cannot open the database file ...: check its folder and permissions"; nothing could be
  searched, `check` called it damaged ("run grimoire rebuild") and `backup` failed. Each
  opens it read-only now, as on a disk mounted read-only.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import StoreError
from grimoire.store import open_store
from grimoire.store.sqlite_health import backup, check
from tests.conftest import write_notes
from tests.hostile.test_round53 import _ext4_and_a_note, _ext4_that_can_fail
from tests.hostile.test_round54 import _as_the_older_grimoire_reads, _older_store


@pytest.mark.sqlite_only(reason="a SQLite file on a file system made read-only")
def test_a_disk_made_read_only_during_an_upgrade_promises_no_search(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    trigger = _ext4_that_can_fail(disk, tmp_path / "disk.img")
    if trigger is None:
        pytest.skip("a loop device with ext4 cannot be mounted here")
    db = disk / "kb.db"
    try:
        rows = _older_store(db, write_notes(tmp_path / "notes", {
            "a.md": "# Alpha\n\nAlpha is a note.\n", "b.md": "# Beta\n\nBeta is a note.\n"}))
        failed: list[BaseException] = []
        with closing(sqlite3.connect(db, isolation_level=None)) as writer:
            writer.execute("BEGIN IMMEDIATE")  # another writer: the upgrade waits for it
            opening = threading.Thread(target=_open_refused, args=(str(db), failed))
            opening.start()
            # Waiting: SQLite's busy handler sleeps between its tries for the lock (the
            # opening's one wait; its reads before take no lock a writer holds in WAL mode).
            wchan = Path(f"/proc/self/task/{opening.native_id}/wchan")
            while opening.is_alive() and "nanosleep" not in wchan.read_text():
                pass
            trigger.write_text("test\n")  # the kernel makes the disk read-only (EROFS)
            writer.execute("ROLLBACK")
        opening.join()
        assert len(failed) == 1 and isinstance(failed[0], StoreError), failed
        first = str(failed[0])
        # The next opening, the disk still read-only: refused before any write where the
        # system says so (`access`), else its upgrade fails again (ext4's `emergency_ro`
        # still lets `access` say writable: review54b's kernel).
        with pytest.raises(StoreError) as refused:
            open_store(str(db)).close()
        again = str(refused.value)
        assert "needs an upgrade: make it writable" in again or (
            "EROFS" in again and again.endswith("the file keeps schema 15")), again
        # r54-hostile54: "... failed: attempt to write a readonly database; the file keeps
        # schema 15" or, SQLite's "disk I/O error" asked, "... can be searched, not changed"
        assert first.startswith(f"{db}: migration to schema 16 failed: "), first
        assert "EROFS" in first and first.endswith("the file keeps schema 15"), first
        assert "can be searched" not in first, first
        assert "once the disk is writable again" in first, first
        assert _as_the_older_grimoire_reads(db) == (15, rows)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.mark.sqlite_only(reason="a SQLite file on a file system made read-only")
def test_a_store_on_a_disk_made_read_only_since_it_was_closed_is_searched(
        tmp_path: Path) -> None:
    disk, trigger, notes = _ext4_and_a_note(tmp_path)
    db = disk / "kb.db"
    try:
        with grimoire.open(db) as kb:
            kb.ingest([notes], embed=False)
        trigger.write_text("test\n")  # the kernel makes the disk read-only (EROFS)
        write_notes(notes, {"b.md": "# Beta\n\nBeta is a note.\n"})
        # r54-hostile54: "cannot open the database file (unable to open database file):
        # check its folder and permissions" where `access` says writable (emergency_ro)
        with grimoire.open(db) as kb:
            assert kb.store.read_only
            assert [e.entry.term for e in kb.entries()] == ["Alpha"]
            assert [h.concept for h in kb.search("alpha", mode="lexical")] == ["Alpha"]
            with pytest.raises(StoreError, match="read-only: it can be searched"):
                kb.ingest([notes], embed=False)
        # r54-hostile54: "damaged: ... SQLite cannot read it: unable to open database file",
        # and a backup that failed ("run `grimoire check`")
        assert check(str(db)).ok, check(str(db))
        assert backup(str(db), str(tmp_path / "copy.db")).ok
        with grimoire.open(tmp_path / "copy.db") as copy:
            assert [e.entry.term for e in copy.entries()] == ["Alpha"]
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _open_refused(path: str, failed: list[BaseException]) -> None:
    try:
        open_store(path).close()
    except Exception as e:  # kept for the test's thread to look at
        failed.append(e)
