"""Why SQLite's "disk I/O error" happened, asked of the operating system.

SQLite turns every failed write but ENOSPC into SQLITE_IOERR ("disk I/O error") and keeps the
`errno` to itself (Python's sqlite3 does not show `sqlite3_system_errno`): a disk quota used up
(EDQUOT), a file system remounted read-only after a disk error (EROFS), a failing drive (EIO)
all read alike, as damage. A write of a few KB in the store's folder, to a file that has no
name (`O_TMPFILE`; nothing is left, nothing shows in a listing or to a watcher), gets the
errno back from the same disk, the same user and the same quota (round 53).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

# A write the size of a few SQLite pages: under a quota with less than that left, the store's
# own write (a batch's pages and its log) could not have fitted either.
_PROBE_BYTES = 64 * 1024

KEPT = "nothing of this write was kept and what was stored before is intact"
# What a disk made read-only leaves: a store that can be searched, or one whose schema this
# Grimoire must upgrade (a write) before it reads it (review54b: "it can be searched" was
# said of such a store, which the next command refused).
_READ = {True: ": it can be searched, not changed",
         False: ", in the schema the Grimoire that wrote it reads; this one reads it only "
                "once it has upgraded it"}


def probe(folder: Path) -> OSError | None:
    """What the operating system says to a write in `folder`, synced; None when it succeeds."""
    import tempfile  # only after a failed write: opening a store stays light (test_cold_start)

    try:
        with tempfile.TemporaryFile(dir=folder) as out:
            out.write(b"\0" * _PROBE_BYTES)
            out.flush()
            os.fsync(out.fileno())
    except OSError as e:
        return e
    return None


def io_cause(error: BaseException, path: str, *,
             searchable: bool = True) -> tuple[str, bool] | None:
    """For SQLite's "disk I/O error" writing the store at `path`: what to say, and whether it
    is for want of room (a smaller write may fit: `NoRoom`); None when the system's own write
    beside the store names no cause (then SQLite's words stand). `searchable`: whether the
    store as the disk holds it can be searched (an older schema this Grimoire must upgrade
    first cannot)."""
    failed = probe(Path(path).absolute().parent)
    if failed is None:
        return None
    said = f"{os.strerror(failed.errno)}; SQLite: {error}" if failed.errno else str(error)
    if failed.errno == errno.EDQUOT:
        return (f"the disk quota is used up (EDQUOT: {said}); {KEPT}: free some space within "
                "the quota (`quota -s` shows it) or ask for a larger one, and run it again",
                True)
    if failed.errno == errno.ENOSPC:
        return (f"the disk is full ({said}); {KEPT}: free some space and run it again", True)
    if failed.errno == errno.EROFS:
        return (f"the file system holding it became read-only (EROFS: {said}; a system remounts "
                "a disk read-only after an error on it); nothing of this write was kept and "
                f"what was stored before is as the disk holds it{_READ[searchable]}. The "
                "system log (`dmesg`) says why; once the disk is writable again, run it again",
                False)
    if failed.errno == errno.EIO:
        return (f"the disk failed a write (EIO: {said}: a failing drive, a lost network "
                "share?); nothing of this write was kept: run `grimoire check` once the disk "
                "is sound", False)
    return None
