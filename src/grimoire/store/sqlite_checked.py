"""Which parts of SQLite's damage check found a store file sound, remembered across processes.

The check behind an empty result (`Grimoire._not_damaged`) reads the tables a search reads:
0.15-0.3 s at 100k passages, its whole 1 s budget at 1M. A process remembered its finding only
while it ran, so every one-off `grimoire search` that found nothing paid it again on a file
nobody had touched. `DB.checked`, beside the file, holds the file's state when a check ran and
the check statements that passed at that state; a later process skips those while the state is
the same. A statement its budget cut short read part of the file only: it is kept apart
("cut"), and run again after the others until one process reads it whole (review41a).
The checks at opening (`sqlite._damage_at_open`) are kept in the same mark, named "at opening:
..." (round 45).

Why that is sound: the state is the device, inode, size, modification and status-change times
(nanoseconds) of the file and of its -wal when that holds anything. Any write through the file
system (SQLite's own, a `cp` over it, a stray `dd`, a restored backup) sets the status-change
time, which no program can set back; a file moved over the path has another inode. A mark is
written only when the file's state was the same before and after the check, the check ran
outside a read transaction (so it read that state, not an older snapshot), and the times are
at least `_SETTLED_NS` old, so that a write in the same clock tick as the last one (a coarse
kernel clock, a file system with 1-2 s times) cannot leave them unchanged. What it does not
see is what no state shows: a disk that changes a block under the file system. A process that
re-read such a page in its own check found it; one that trusts the mark does not. Run as root,
the -wal's status-change time is not kept (SQLite sets it at every opening, round 46): there
a -wal of the same size written over with its modification time set back (`cp -p`) goes
unseen.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import stat
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from grimoire._term import clean

SUFFIX = ".checked"
_SETTLED_NS = 2_000_000_000  # FAT keeps times to 2 s; ext4's clock ticks in 1-10 ms
_MAX_BYTES = 65_536
# A store this large says on stderr that its checks at opening run whole (`sqlite.
# _damage_at_open`, once after a change Grimoire did not make): 2 s quiet, 7-12 s loaded at
# 100k passages (435 MB), in which a one-off `grimoire search` showed nothing (round 46).
SAY_FROM_BYTES = 64 * 2**20


# A state holds this many numbers per file (device, inode, size, mtime, ctime): the store
# file's own first, then its -wal's when that holds anything.
PER_FILE = 5


def file_state(path: str) -> tuple[int, ...] | None:
    """The file's and its -wal's (device, inode, size, mtime, ctime); None when unreadable.
    An empty or missing -wal counts as none: readers make an empty one and the last to close
    removes it, neither of which changes what the file holds."""
    try:
        info = os.stat(path)  # noqa: PTH116 - a str in hand
    except OSError:
        return None
    state = [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]
    try:
        wal = os.stat(path + "-wal")  # noqa: PTH116
    except FileNotFoundError:
        return tuple(state)
    except OSError:
        return None
    if wal.st_size:
        # SQLite run as root gives the -wal the file's owner each time a process opens it
        # (`robustFchown`), which sets its status-change time alone: every opening of a store
        # a writer left unclosed (killed, or still running) changed its state before its
        # checks (round 46). There the -wal's own time stands for it.
        changed = wal.st_mtime_ns if os.geteuid() == 0 else wal.st_ctime_ns
        state += [wal.st_dev, wal.st_ino, wal.st_size, wal.st_mtime_ns, changed]
    return tuple(state)


def the_file_itself(state: tuple[int, ...] | None) -> tuple[int, ...]:
    """The part of `state` that is the store file's own, its -wal's left out (empty for
    None): in WAL mode a transaction writes the -wal alone until its commit."""
    return () if state is None else state[:PER_FILE]


def settled(state: tuple[int, ...], now_ns: int) -> bool:
    """True when every time in `state` is `_SETTLED_NS` older than `now_ns`."""
    times = [t for i in range(0, len(state), PER_FILE) for t in state[i + 3:i + PER_FILE]]
    return all(t <= now_ns - _SETTLED_NS for t in times)


def passed(path: str, state: tuple[int, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The check statements remembered as done for `path` at `state`, and those cut short by
    their budget there (none when the mark is missing, unreadable, or of another state)."""
    data = _mark(path, state)
    if data is None:
        return frozenset(), frozenset()
    done, cut = data["done"], data.get("cut", [])
    return frozenset(done), frozenset(cut) - frozenset(done)


def by_writer(path: str, state: tuple[int, ...]) -> bool:
    """True when the mark at `state` was written by a writer carrying what its opening found
    (`sqlite.SQLiteStore._carry_checks`), not by an opening that checked the file there."""
    data = _mark(path, state)
    return data is not None and data.get("by") == "writer"


def _mark(path: str, state: tuple[int, ...]) -> dict[str, Any] | None:
    """The mark of `path` when it is one and names `state`."""
    try:
        # Not waited on: a FIFO (or a device) of that name would hold every opening.
        fd = os.open(path + SUFFIX, os.O_RDONLY | os.O_NONBLOCK)
        with open(fd, "rb") as f:  # noqa: PTH123
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            data = json.loads(f.read(_MAX_BYTES))
        if tuple(data["state"]) != state:
            return None
        if not all(isinstance(part, list) and all(isinstance(s, str) for s in part)
                   for part in (data["done"], data.get("cut", []))):
            return None
        return dict(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None  # RecursionError: 64 KB of "[" (json's C decoder nests by recursion)


def remember(path: str, state: tuple[int, ...], done: Sequence[str],
             cut: Sequence[str] = (), *, writer: bool = False) -> None:
    """Write the mark: `done` statements at `state`, and those `cut` short by their budget
    (not sound: what they did not read is unchecked; the next process runs them after the
    ones never started, so each is read whole once a process has the time). Best effort: a
    read-only folder, a full disk or a race with another process leaves the old mark or
    none, which only costs a check. `writer`: written by a writer carrying what its opening
    found (`by_writer`), which the notice of a whole check says."""
    folder, name = os.path.split(path + SUFFIX)
    try:
        # A name no one else holds (O_EXCL): one fixed in advance (NAME.checked.PID.tmp) was
        # opened through a symlink planted there, emptying the file it named, or waited on
        # forever as a FIFO.
        # As tempfile.mkstemp makes it, without importing tempfile (and random) into every
        # process that opens a store: a cold search starts no more than it needs (round 46).
        tmp = os.path.join(folder or ".", f"{name}.{os.urandom(6).hex()}.tmp")  # noqa: PTH118
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return
    try:
        # Held while written: a later mark's write leaves it alone (`_clear_strays`).
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # already taken for a stray by a clearing of the folder: let go
        os.close(fd)
        return
    except OSError:
        # A file system without flock (ENOLCK, EOPNOTSUPP): written unlocked, as before round
        # 47; no clearing can lock it either, so none removes it. Given up, it left an empty
        # file at each write and never a mark (review47b).
        pass
    try:
        with open(fd, "w", encoding="utf-8") as f:  # noqa: PTH123
            # Readable by whoever can read the store (mkstemp's 0600 shut others out).
            os.fchmod(fd, stat.S_IMODE(os.stat(path).st_mode) & 0o666)  # noqa: PTH116
            json.dump({"state": list(state), "done": sorted(set(done)),
                       "cut": sorted(set(cut) - set(done)),
                       **({"by": "writer"} if writer else {})}, f)
            f.flush()
            os.replace(tmp, path + SUFFIX)  # noqa: PTH105 - the lock held until renamed
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # noqa: PTH108
        return
    if path not in _CLEARED:  # once a process: a stray is made by a process killed
        _CLEARED.add(path)
        _clear_strays(folder or ".", name)


# What `remember` names its temporary file (NAME.XXXXXXXXXXXX.tmp; NAME.PID.tmp before round
# 46), after NAME.; one left `_STRAY_S` old with no writer holding it is a stray.
_TEMPORARY = re.compile(r"(?:[0-9a-f]{12}|[0-9]+)\.tmp")
_STRAY_S = 600
_CLEARED: set[str] = set()  # the marks whose strays this process cleared


def _clear_strays(folder: str, name: str) -> None:
    """Remove the temporary files of marks of `name` in `folder` that a writer killed while
    it wrote them left behind (one a kill, there for good: round 46). Only regular files of
    that name (a symlink is neither followed nor removed), `_STRAY_S` old and not locked: a
    live writer holds its own until it is renamed into place (`remember`), and the lock goes
    with the process. Best effort, as the mark."""
    old = time.time() - _STRAY_S
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not (entry.name.startswith(name + ".")
                    and _TEMPORARY.fullmatch(entry.name, len(name) + 1)):
                continue
            with contextlib.suppress(OSError):
                seen = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(seen.st_mode) or seen.st_mtime > old:
                    continue
                fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: a live writer's
                    held = os.fstat(fd)
                    if (held.st_dev, held.st_ino) == (seen.st_dev, seen.st_ino):
                        os.unlink(entry.path)  # noqa: PTH108
                finally:
                    os.close(fd)


def now_ns() -> int:
    return time.time_ns()


@contextmanager
def said_while_checked(path: str, seconds: float, why: str) -> Iterator[None]:
    """A line on stderr while the whole check of a store past SAY_FROM_BYTES runs (for at most
    `seconds`), saying `why` it runs. In a log it stays, naming the file; on a terminal it
    fits one line and is wiped once the check ends."""
    try:
        size = os.stat(path).st_size  # noqa: PTH116 - a str in hand
    except OSError:
        size = 0
    if size < SAY_FROM_BYTES:
        yield
        return
    what = f"({size / 1e6:,.0f} MB) for damage, once: {why}; up to {seconds:.0f} s..."
    try:
        shown = sys.stderr.isatty()
        if shown:
            width = shutil.get_terminal_size().columns - 1
            sys.stderr.write(f"Checking the store {what}"[:max(width, 0)])
        else:
            sys.stderr.write(f"Checking {clean(path, lines=False)} {what}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # no stderr, or a closed one
        shown = False
    try:
        yield
    finally:
        if shown:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
