"""Round 54 (hostile54): what round 53 left.

- The schema migration run when an older store is opened was the one write that did not ask
  the system why SQLite said "disk I/O error" (`store/_io_cause.py`): on a disk failing under
  it, "migration to schema 16 failed: disk I/O error"; and a store opened on a full disk, whose
  -shm could not be made, "cannot open the database: disk I/O error". Both name the cause now,
  and the older store is left as its own Grimoire wrote it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from contextlib import closing, suppress
from pathlib import Path

import pytest

from grimoire.codec import dumps_records
from grimoire.errors import StoreError
from grimoire.ingest import ingest
from grimoire.store import open_store
from tests.conftest import ingested, write_notes
from tests.hostile.test_disk_full import _small_tmpfs
from tests.hostile.test_round53 import _ext4_that_can_fail


def _older_store(db: Path, notes: Path) -> list[tuple[object, ...]]:
    """Real notes stored at `db`, written back as schema 15 kept them (before step 16,
    `_stored_once`: each entry's whole record, every span with its file); its entries' rows."""
    from grimoire.store.sqlite import MIGRATIONS, _stored_once

    with closing(open_store(str(db))) as store:
        ingest(store, [notes], workers=1)
        entries = [(dumps_records(s.entry), s.id) for s in store.entries()]
        marks = [(json.dumps(p.marks), p.id) for p in store.passages() if p.marks]
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany("UPDATE entries SET data = ? WHERE id = ?", entries)
        conn.executemany("UPDATE passages SET marks = ? WHERE id = ?", marks)
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_stored_once)}")
    return _as_the_older_grimoire_reads(db)[1]


def _as_the_older_grimoire_reads(db: Path) -> tuple[int, list[tuple[object, ...]]]:
    """The schema step of the file at `db` and its entries' rows, after SQLite's integrity
    check: what the Grimoire of that step needs to open it."""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return (conn.execute("PRAGMA user_version").fetchone()[0],
                conn.execute("SELECT id, term, data FROM entries ORDER BY id").fetchall())


@pytest.mark.sqlite_only(reason="a SQLite file on a failing and on a full file system")
def test_a_migration_on_a_failing_or_full_disk_names_the_file_and_the_cause(
        tmp_path: Path, corpora: Path) -> None:
    """A store of schema 15 opened by this Grimoire (step 16 rewrites its entries) on an ext4
    disk whose device fails each write (a loop device over a file on a tmpfs then filled up:
    the kernel aborts the disk's journal and makes it read-only), and a copy of it on that
    full tmpfs itself. Each error names the file and the cause; the file keeps schema 15, whole,
    and once the disk is sound again it is opened and upgraded with every row."""
    backing = tmp_path / "backing"
    if not _small_tmpfs(backing, "40m"):
        pytest.skip("mounting a tmpfs is not allowed here")
    disk = tmp_path / "disk"
    image = backing / "disk.img"
    try:
        if _ext4_that_can_fail(disk, image) is None:
            pytest.skip("a loop device with ext4 cannot be mounted here")
        db, full = disk / "kb.db", backing / "kb.db"
        rows = _older_store(db, corpora / "hf-docs" / "peft")
        full.write_bytes(db.read_bytes())
        # The store on the disk's device before the tmpfs under it is filled (that disk
        # alone: `os.sync` waits for every disk of the machine).
        subprocess.run(["sync", "-f", str(db)], check=True)
        with suppress(OSError), (backing / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 1_048_576)
        with pytest.raises(StoreError) as failing:
            open_store(str(db)).close()
        message = str(failing.value)
        # main: "kb.db: migration to schema 16 failed: disk I/O error"
        assert message.startswith(f"{db}: migration to schema 16 failed: "), message
        # What the system says to its own write there: the device's failed write (EIO),
        # ext4 then read-only (EROFS), or the loop device's ENOSPC passed up (the disk is full).
        assert any(cause in message for cause in ("EROFS", "EIO", "the disk is full (No space")), \
            message
        assert message.endswith("the file keeps schema 15"), message
        with pytest.raises(StoreError) as no_room:
            open_store(str(full)).close()
        message = str(no_room.value)
        # main: "kb.db: cannot open the database: disk I/O error"
        assert message.startswith(f"{full}: cannot open the database: the disk is full"), message
        (backing / "filler").unlink()
        subprocess.run(["umount", "-l", str(disk)], check=True)
        subprocess.run(["e2fsck", "-fy", str(image)], capture_output=True)
        subprocess.run(["mount", "-o", "loop", str(image), str(disk)], check=True)
        for path in (db, full):
            assert _as_the_older_grimoire_reads(path) == (15, rows)
            with closing(open_store(str(path))) as store:
                assert sorted(s.id for s in store.entries()) == [r[0] for r in rows]
            assert _as_the_older_grimoire_reads(path)[0] == 16
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
        subprocess.run(["umount", "-l", str(backing)], capture_output=True)


@pytest.mark.one_pass(reason="which files watch reads again is decided before any store")
def test_a_note_changed_under_the_same_size_and_modification_time_is_read_again(
        tmp_path: Path) -> None:
    """A note rewritten to text of the same length with its modification time put back to
    the very stamp watch saw (`touch -r`, a copy or sync that keeps times, a clock set back):
    the look that catches what no file event reported (`reconcile`, and the polling of
    network mounts, which has no events at all) compared size and modification time only,
    and kept the old text for good. The change time (ctime), which no program can set, tells."""
    from grimoire import watch
    from tests.test_watch import FAST

    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a bird.\n"})
    with ingested(tmp_path / "kb.db") as kb:
        watcher = watch.Watcher(kb, [notes], options=FAST)
        watcher.catch_up()  # ingests the note
        seen = (notes / "a.md").stat()
        (notes / "a.md").write_text("# Alpha\n\nAlpha is a fish.\n", encoding="utf-8")
        os.utime(notes / "a.md", ns=(seen.st_atime_ns, seen.st_mtime_ns))
        batch = watcher.reconcile()
        # main: None, and "Alpha is a bird." stored for good
        assert batch is not None and batch.report.updated == 1, batch
        assert [e.entry.definition for e in kb.entries()] == ["Alpha is a fish."]
        # A change of the change time alone (chmod; chown, a hard link, a rename, `touch -a`
        # alike): the note read once, found unchanged, nothing stored again; not at each
        # look after (review54b).
        (notes / "a.md").chmod(0o600)
        batch = watcher.reconcile()
        assert batch is not None and (batch.report.read, batch.report.unchanged) == (0, 1)
        assert watcher.reconcile() is None
