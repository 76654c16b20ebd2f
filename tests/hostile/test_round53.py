"""Round 53 (hostile53): what round 52 left.

- A watch batch that failed for want of room was split in halves, but the split stopped where
  both halves failed: two files too big for the disk, one in each half, kept every other file
  of the batch out of the store at each retry. Every file that fits is stored now, in a
  bounded number of tries.
- A disk remounted read-only by the kernel (after an error on it) under the store was said as
  SQLite's "disk I/O error": the store's write now names the cause, asked of the system.
- Two roots that overlap in one ingest (`grimoire ingest notes notes/sub`, either order, or a
  folder given twice) read each file under both twice: counted twice ("read 3 (new 3)" for 2
  notes) and stored under whichever root came last. Each file is read once now, under the
  nearest root given.
"""

from __future__ import annotations

import gc
import hashlib
import subprocess
import weakref
from pathlib import Path

import pytest

import grimoire
from grimoire import watch
from grimoire.errors import NoRoom, StoreError
from tests.conftest import ingested, write_notes
from tests.hostile.test_disk_full import _small_tmpfs
from tests.test_watch import FAST


@pytest.mark.sqlite_only(reason="a SQLite file on a full file system")
def test_two_files_too_big_in_both_halves_of_a_batch_leave_the_rest_stored(
        tmp_path: Path) -> None:
    """A real full disk (a 1 MB tmpfs, as round 52's test): two notes too big for what is left,
    one in each half of the batch (by name: `a-big.md` first, `z-big.md` last)."""
    disk = tmp_path / "disk"
    if not _small_tmpfs(disk, "1m"):
        pytest.skip("mounting a tmpfs is not allowed here")
    small = {f"s{n}.md": f"# Small {n}\n\nSmall {n} is a short note.\n" for n in range(6)}
    notes = write_notes(tmp_path / "notes", {"first.md": "# First\n\nFirst is a note.\n"})
    filler = " ".join(hashlib.sha256(str(k).encode()).hexdigest() for k in range(10_000))
    big = {name: f"# Big {name}\n\nBig is a long note: {filler}.\n"
           for name in ("a-big.md", "z-big.md")}
    try:
        with grimoire.open(disk / "kb.db") as kb:
            watcher = watch.Watcher(kb, [notes], options=FAST)
            watcher.catch_up()
            write_notes(notes, {**small, **big})
            failed = watcher.apply([str(notes / name) for name in (*small, *big)],
                                   settled=True)
            # round 52: both halves failed, the split stopped, and the six small notes waited
            # with the two big ones at every retry
            assert failed.report.added == 6, failed
            stored = sorted(Path(r.path).name for r in kb.sources())
            assert stored == sorted(["first.md", *small]), stored
            assert len(failed.errors) == 1 and "the disk is full" in failed.errors[0], failed
            assert "2 of its files did not fit, the batch's other 6 files were stored" in \
                failed.errors[0], failed.errors
            subprocess.run(["mount", "-o", "remount,size=16m", str(disk)], check=True)
            done = watcher.retry(now=float("inf"))  # room made
            assert done is not None and not done.errors and done.report.added == 2, done
            assert len(kb.sources()) == 9 and kb.store.integrity_check() == "ok"
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _ext4_that_can_fail(folder: Path, image: Path) -> Path | None:
    """A 16 MB ext4 file system on a loop device mounted at `folder`, that the kernel makes
    read-only at its first error (`errors=remount-ro`, as most distributions mount their
    disks): its sysfs `trigger_fs_error`, which raises such an error; None where a loop device
    or a mount is not allowed."""
    import shutil

    if shutil.which("mkfs.ext4") is None or shutil.which("mount") is None:
        return None
    subprocess.run(["truncate", "-s", "16M", str(image)], check=True)
    if subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True).returncode:
        return None
    folder.mkdir()
    if subprocess.run(["mount", "-o", "loop,errors=remount-ro", str(image), str(folder)],
                      capture_output=True).returncode:
        return None
    device = Path(next(line.split()[0] for line in Path("/proc/mounts").read_text().splitlines()
                       if line.split()[1] == str(folder)))
    trigger = Path("/sys/fs/ext4") / device.name / "trigger_fs_error"
    if not trigger.exists():
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        return None
    return trigger


def _ext4_and_a_note(tmp_path: Path) -> tuple[Path, Path, Path]:
    """`_ext4_that_can_fail` mounted at tmp_path/disk (skipped where it cannot be), its
    trigger, and a folder of one note; the caller unmounts the disk."""
    disk = tmp_path / "disk"
    trigger = _ext4_that_can_fail(disk, tmp_path / "disk.img")
    if trigger is None:
        pytest.skip("a loop device with ext4 cannot be mounted here")
    return disk, trigger, write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n"})


@pytest.mark.sqlite_only(reason="a SQLite file on a file system made read-only")
def test_a_disk_remounted_read_only_under_the_store_is_said(tmp_path: Path) -> None:
    """The kernel makes a disk read-only after an error on it (ext4's `errors=remount-ro`):
    SQLite's write fails with "disk I/O error" (SQLITE_IOERR_WRITE; EROFS is not ENOSPC), said
    as "database write failed, nothing kept of it: disk I/O error", which reads as damage. It
    must name the store, the cause (read-only) and what was kept; and the store is still read."""
    disk, trigger, notes = _ext4_and_a_note(tmp_path)
    db = disk / "kb.db"
    try:
        with grimoire.open(db) as kb:
            kb.ingest([notes], embed=False)
            write_notes(notes, {"b.md": "# Beta\n\nBeta is a note.\n"})
            trigger.write_text("test\n")
            with pytest.raises(StoreError) as caught:
                kb.ingest([notes], embed=False)
            message = str(caught.value)
            # main: "kb.db: database write failed, nothing kept of it: disk I/O error"
            assert message.startswith(f"{db}: ") and "read-only" in message, message
            assert "EROFS" in message and "nothing of this write was kept" in message, message
            assert not isinstance(caught.value, NoRoom)  # no smaller write can fit
            # Said, and let go (round 54): the store held SQLite's error, and through its
            # traceback the batch, until the next error or its close.
            said = weakref.ref(caught.value.__cause__)
            del caught
            gc.collect()
            assert said() is None
            assert [e.entry.term for e in kb.entries()] == ["Alpha"]
        with grimoire.open(db) as kb:  # opened again: all there, and a write said so again
            assert [e.entry.term for e in kb.entries()] == ["Alpha"]
            with pytest.raises(StoreError, match="read-only"):
                kb.ingest([notes], embed=False)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.mark.one_pass(reason="which paths ingest reads is decided before any store")
def test_roots_that_overlap_in_one_ingest_read_each_file_once(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "sub/b.md": "# Beta\n\nBeta is a note.\n",
                                             "sub/c.png": "not a picture"})
    for order, roots in {"outer first": [notes, notes / "sub", notes / "a.md"],
                         "inner first": [notes / "a.md", notes / "sub", notes],
                         "twice": [notes, notes]}.items():
        with ingested(tmp_path / f"{order}.db", embed=False) as kb:
            first = kb.ingest(roots, embed=False)
            # round 52: each file read under each root holding it ("added 4, attachments 2")
            assert (first.added, first.attachments) == (2, 1), (order, first)
            again = kb.ingest(roots, embed=False)
            assert (again.read, again.unchanged, again.attachments) == (0, 2, 1), (order, again)
            held = {Path(r.path).name: Path(r.root).name for r in kb.sources()}
            if order != "twice":  # under the nearest root given, whatever the order
                assert held == {"a.md": "a.md", "b.md": "sub", "c.png": "sub"}, (order, held)
            assert sorted(e.entry.term for e in kb.entries()) == ["Alpha", "Beta"], order
