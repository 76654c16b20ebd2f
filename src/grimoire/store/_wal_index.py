"""What a SQLite file's write-ahead log index (NAME-shm) says of its log (NAME-wal).

A log deleted (or cut short) while a process has the store open: that process writes on in
the log it holds open, and its close folds every commit into the file; but the index it keeps
in NAME-shm still names frames of the log, so another process opening the file reads them from
the new empty log SQLite makes there, and fails every read of those pages ("unable to get the
page", a short read). Grimoire called that damage, and said to rebuild or restore a backup (a
backup would have lost every write since it) while nothing was lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct

# The index's header (wal.c, `WalIndexHdr`), twice at the start of NAME-shm, in the machine's
# byte order (an index is never moved to another): version, unused, change counter,
# initialised, big-endian checksums, page size (1 means 65536), last valid frame, pages in the
# file.
_HEADER = struct.Struct("=IIIBBHII")
_HEADER_BYTES = 48
_VERSION = 3007000
_WAL_HEADER, _FRAME_HEADER = 32, 24


def frames_missing(path: str | os.PathLike[str]) -> int:
    """How many frames NAME-shm names that NAME-wal no longer holds (0 when none, when there is
    no index, or when it cannot be read whole)."""
    name = os.fspath(path)
    try:
        with open(f"{name}-shm", "rb") as f:  # noqa: PTH123 - a path that may be a str
            head = f.read(2 * _HEADER_BYTES)
    except OSError:
        return 0
    if len(head) < 2 * _HEADER_BYTES or head[:_HEADER_BYTES] != head[_HEADER_BYTES:]:
        return 0  # none, or being written: the two copies differ until a write ends
    version, _, _, init, _, page, last, _ = _HEADER.unpack_from(head)
    if version != _VERSION or not init or not last:
        return 0
    page = 65536 if page == 1 else int(page)
    try:
        size = os.stat(f"{name}-wal").st_size  # noqa: PTH116 - a path that may be a str
    except FileNotFoundError:
        size = 0
    except OSError:
        return 0
    held = max(0, size - _WAL_HEADER) // (_FRAME_HEADER + page)
    return max(0, int(last) - held)


def log_cut(path: str | os.PathLike[str]) -> str | None:
    """What to say when NAME-wal lacks frames its index names (see the module), else None."""
    missing = frames_missing(path)
    if not missing:
        return None
    name = os.path.basename(os.fspath(path))  # noqa: PTH119 - a path that may be a str
    return (f"{name}-wal, its log of writes not yet in the file, was deleted or cut short "
            f"while another process had the store open ({name}-shm lists {missing} page "
            "writes the log no longer holds): that process still holds them; close it "
            "(`watch`, `serve`, a Python session) and its close writes them into the file. "
            "This is not damage: nothing was read and the file was left as it is")


# SQLite's lock bytes in the database file (os_unix.c; the file format's lock-byte page): a
# connection that reads holds a read lock on the SHARED range, and a close folds the log into
# the file and deletes it only once it holds a write lock on that range (no other connection
# has the file open).
_SHARED_FIRST, _SHARED_SIZE = 0x40000000 + 2, 510
# struct flock on 64-bit Linux: type, whence, start, length, pid (0 for a lock of its own
# open file), padded to 32 bytes.
_FLOCK = struct.Struct("hhqqi4x")
# The database files (device, inode) this process holds so, each by a descriptor of its own,
# never closed: closing any descriptor of a file drops every POSIX lock of the process on it,
# the ones SQLite's connections hold among them.
_HELD: dict[tuple[int, int], int] = {}
_KEPT: list[int] = []


def hold_log(path: str) -> bool:
    """Keep every connection of this process from folding the log of `path` into the file at
    its close (a checkpoint) and deleting it, until the process ends: True once held.

    Its NAME-shm replaced under it, a connection's index of the log is stale: it lacks what
    other processes wrote since, and the checkpoint of its close copied its own old pages over
    theirs and deleted the log that held them (hostile56's leftover: their notes were lost
    when the first process closed; Python 3.11's sqlite3 cannot set SQLite's
    NO_CKPT_ON_CLOSE). A read lock on SQLite's SHARED range taken by an open file description
    of its own (Linux's OFD locks, which conflict with the POSIX locks SQLite takes, even in
    the same process) makes that close's exclusive lock fail: SQLite then leaves the log as it
    is, and the next process that opens the file alone rebuilds its index from the log and
    keeps every commit in it. Other processes read and write as before. False where OFD locks
    do not exist (not Linux) or the file cannot be opened."""
    command = getattr(fcntl, "F_OFD_SETLK", None)
    if command is None:
        return False
    try:
        info = os.stat(path)  # noqa: PTH116 - a str in hand
        if (info.st_dev, info.st_ino) in _HELD:
            return True
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    info = os.fstat(fd)
    key = (info.st_dev, info.st_ino)
    try:
        fcntl.fcntl(fd, command, _FLOCK.pack(fcntl.F_RDLCK, os.SEEK_SET, _SHARED_FIRST,
                                             _SHARED_SIZE, 0))
    except OSError:
        _KEPT.append(fd)  # not closed, for the reason above
        return False
    if key in _HELD:
        _KEPT.append(fd)
    else:
        _HELD[key] = fd
    return True


def let_log_go(key: tuple[int, int]) -> None:
    """Drop the hold `hold_log` took on the file (device, inode) `key`, once this process has
    no connection left to it that could fold the log by a stale index: a connection opened
    since maps NAME-shm as it is now. Held to the process's end, it kept every later close
    of this process from folding the log, and every other process's exclusive lock on the
    file fail (a change of journal mode, the swap of `grimoire check`'s repair), with every
    store of this one closed (review57b). Unlocked, not closed (closing drops this process's
    other locks on it)."""
    fd = _HELD.pop(key, None)
    if fd is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, _FLOCK.pack(fcntl.F_UNLCK, os.SEEK_SET,
                                                       _SHARED_FIRST, _SHARED_SIZE, 0))
    _KEPT.append(fd)
