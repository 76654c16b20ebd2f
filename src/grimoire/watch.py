"""Watch folders and keep a knowledge base current as notes are saved, moved and deleted.

Built on watchfiles: the Rust `notify` crate (inotify, FSEvents, ReadDirectoryChangesW)
with debouncing done in Rust, so a burst (a `git checkout` of 1,000 files) arrives as a few
batches of paths, not 1,000 wake-ups; and a polling mode (`force_polling`) for mounts where
the OS sends no events. Events are hints, never the truth: each batch goes through the same
`ingest` as `grimoire ingest` (content hash per file, one savepoint per file), and a periodic
reconcile compares every file's mtime, size and ctime with the last scan, so a missed event (an
overflowed inotify queue, a network mount, a folder copied in before its watch existed:
watchfiles issue #294) is caught within `reconcile` seconds. Killed at any point, the store
holds the last committed batch; on restart the first scan catches up.

>>> Watcher(kb, ["notes/"], on_batch=print).run()  # until Ctrl-C or `stop` is set
"""

from __future__ import annotations

import math
import os
import queue
import stat
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grimoire import readers
from grimoire.errors import GrimoireError, NoRoom
from grimoire.files import path_of, storable, walk_folder
from grimoire.ingest import IngestReport, own_files, skipped_dir, skipped_name
from grimoire.root_names import known_spelling
from grimoire.store import SourceRecord

if TYPE_CHECKING:
    from grimoire.knowledge import Grimoire

# Editors' temporary files: vim swap files, backups (`notes.md~`), emacs lock and autosave
# files (`.#notes.md`, `#notes.md#`), partial downloads. Hidden names are skipped as in ingest.
TEMP_SUFFIXES = (".swp", ".swo", ".swx", "~", ".tmp", ".part", ".crdownload")
# File systems whose changes the kernel does not report to a watcher on this machine.
NETWORK_FS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "drvfs", "fuse.sshfs", "sshfs",
    "fuse.rclone", "davfs", "fuse.davfs2", "afs", "fuse.gcsfuse", "fuse.s3fs", "virtiofs",
})


@dataclass(frozen=True, slots=True)
class Batch:
    """One round of changes made current: why, which paths, what ingest did, how long."""

    reason: str  # "start", "events" or "reconcile"
    paths: tuple[str, ...]
    report: IngestReport
    seconds: float
    embedded: int = 0
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """How the watcher waits: debounce and step in ms (as watchfiles), reconcile in seconds."""

    debounce_ms: int = 1600  # the longest a burst is gathered before it is handled
    step_ms: int = 100  # quiet time that ends a batch (an atomic save's rename comes within it)
    reconcile_s: float = 300.0
    # A batch that failed to write (the store locked past SQLite's wait, the disk full) is
    # tried again after this long, the wait doubling while it fails, up to `reconcile_s`:
    # the full look alone was up to 5 minutes away, and each poll's try (review50b) met the
    # same lock or the same full disk twice a second.
    retry_s: float = 5.0
    force_polling: bool | None = None  # None: poll only where events cannot arrive
    poll_ms: int = 500
    embed: bool = True
    # A file written in the last `settle_ms` is still being written (a batch is cut at
    # `debounce_ms` while the writes go on): it is read once it has been quiet that long, not
    # half-written and then again (qa39: a 32 MB note read twice, 4.4 s and 45.5 s).
    settle_ms: int = 1000
    # A file at least this large is read on a thread of its own (its own connection to a
    # SQLite file), so a deletion or a save of another note is not held behind it.
    long_read_bytes: int = 4 << 20


def ignored(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether a change to `path` (inside `root`) is none of the knowledge base's business."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return True
    parent = os.fspath(root)
    for part in parts:
        if skipped_dir(parent, part):
            return True
        parent = os.path.join(parent, part)  # noqa: PTH118
    return bool(parts) and _ignored_name(parts[-1])


def _ignored_name(name: str) -> bool:
    """Whether a file called `name` is ignored wherever it is: hidden, or named as a tool's
    folder (`skipped_dir`'s tests of a name alone), or an editor's temporary file."""
    return (skipped_name(name) or name.endswith(TEMP_SUFFIXES)
            or (name.startswith("#") and name.endswith("#")))


def _gone_or_empty(folder: Path) -> bool:
    """Whether `folder` is gone or holds nothing (an unmounted drive's mount point)."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return True


def polling_reason(paths: Iterable[Path], mounts: str = "/proc/mounts") -> str | None:
    """Why file events cannot be trusted under `paths` (a network mount), or None."""
    try:
        table = Path(mounts).read_text().splitlines()
    except OSError:
        return None
    points: list[tuple[str, str]] = []
    for line in table:
        fields = line.split()
        if len(fields) >= 3:
            points.append((fields[1].replace("\\040", " "), fields[2]))
    for path in paths:
        here = str(path.resolve())
        best = max((p for p in points if here == p[0] or here.startswith(p[0].rstrip("/") + "/")),
                   key=lambda p: len(p[0]), default=None)
        if best is not None and best[1] in NETWORK_FS:
            return f"{path} is on a {best[1]} mount, where file events do not arrive"
    return None


@dataclass(slots=True)
class _Scan:
    """Every watched file's signature (`_stamp`) at the last look."""

    files: dict[str, Stamp] = field(default_factory=dict)
    # Folders listed since file events were last checked to cover them (`_unwatched`).
    unchecked: set[str] = field(default_factory=set)


def inotify_watched(proc: str = "/proc/self") -> set[int] | None:
    """The inodes this process's inotify instances watch, from /proc's `fdinfo` (a line a
    watch); None where that cannot be read (no /proc, no inotify instance: not Linux)."""
    watched: set[int] = set()
    found = False
    try:
        fds = [fd.name for fd in Path(proc, "fd").iterdir()]
    except OSError:
        return None
    for fd in fds:
        try:
            if str(Path(proc, "fd", fd).readlink()) != "anon_inode:inotify":
                continue
            lines = Path(proc, "fdinfo", fd).read_text().splitlines()
        except OSError:
            continue
        found = True
        for line in lines:
            if line.startswith("inotify wd:"):
                watched.update(int(f[4:], 16) for f in line.split() if f.startswith("ino:"))
    return watched if found else None


def _smallest_first(path: str) -> tuple[bool, int, str]:
    """The order in which a batch that did not fit is stored again: deletions (nothing to
    write; they give room back) and small files first, folders (their files unknown) last."""
    try:
        st = Path(path).stat()
    except OSError:
        return False, 0, path
    return stat.S_ISDIR(st.st_mode), st.st_size, path


# What the look for changes compares: modification time, size and change time. The change
# time (ctime) is set by the system at each write and each change of the modification time,
# and no program can set it: a note rewritten to the same length with its time put back to
# the stamp last seen (`touch -r`, a copy or sync that keeps times, a clock set back) looked
# unchanged to `reconcile` and to polling, its old text kept for good (round 54).
Stamp = tuple[int, int, int]


def _stamp(st: os.stat_result) -> Stamp:
    return st.st_mtime_ns, st.st_size, st.st_ctime_ns


def _signature(path: str) -> Stamp | None:
    try:
        st = os.stat(path)  # noqa: PTH116
    except OSError:
        return None
    return _stamp(st)


def _watch_limit() -> str:
    try:
        limit = int(Path("/proc/sys/fs/inotify/max_user_watches").read_text())
    except (OSError, ValueError):
        return "fs.inotify.max_user_watches"
    return f"fs.inotify.max_user_watches = {limit:,}"


class Watcher:
    """Keeps `kb` current with the files under `paths` until `stop` is set (or Ctrl-C)."""

    def __init__(
        self,
        kb: Grimoire,
        paths: Sequence[str | os.PathLike[str]],
        *,
        options: WatchOptions = WatchOptions(),
        on_batch: Callable[[Batch], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.kb = kb
        self.roots = [Path(os.path.abspath(p)) for p in paths]  # noqa: PTH100 - keep symlinks
        for root in self.roots:
            if not root.exists():
                raise GrimoireError("no such file or folder", str(root))
        # A folder ingested before under another name (a symlink, a bind mount) is watched
        # under that name, as ingest stores it: events then name the paths already stored.
        self.roots = [known_spelling(kb.store, root) for root in self.roots]
        self.options = options
        self.on_batch = on_batch or (lambda _b: None)
        self.on_notice = on_notice or (lambda _m: None)
        self.stop = stop or threading.Event()
        self.polling = bool(options.force_polling)
        self.scan = _Scan()
        # The database and its journal may live inside a watched folder: never our input.
        self.own = own_files(kb.store)
        # Files changed too lately to read (`settle_ms`): path -> (mtime_ns, size) last seen,
        # and when it was first seen so (a clock ahead of ours must not hold it for ever).
        self.settling: dict[str, tuple[tuple[int, int], float]] = {}
        # Long reads (`long_read_bytes`), done on a thread of their own, and the batches that
        # thread finished, handed to `on_batch` by the loop's thread.
        self._long: queue.Queue[tuple[Path, str] | None] = queue.Queue()
        self._long_thread: threading.Thread | None = None
        self._long_done: queue.Queue[Batch] = queue.Queue()
        self._long_pending: set[str] = set()
        self._long_lock = threading.Lock()
        # Roots gone at the last batch that named them (`apply`).
        self._away: set[Path] = set()
        # The files of batches that failed to write, as they were on the disk then (None:
        # gone), read again by `retry` when `_retry_at` (monotonic) comes, at the next full
        # look (`reconcile`), or sooner once changed again; `_retry_wait` the wait after the
        # last failure (0: none since a write went through).
        self._failed: dict[str, Stamp | None] = {}
        self._retry_at = 0.0
        self._retry_wait = 0.0

    # -- what changed --------------------------------------------------------------------

    def _root_of(self, path: str) -> Path | None:
        found = [r for r in self.roots if path == str(r) or path.startswith(str(r) + os.sep)]
        return max(found, key=lambda r: len(str(r)), default=None)

    def wanted(self, path: str) -> bool:
        """Whether a change at `path` should be looked at."""
        if path in self.own:
            return False
        root = self._root_of(path)
        if root is None:
            return False
        return path == str(root) or not ignored(path, root)

    def _files(self) -> dict[str, Stamp]:
        """The `_stamp` of every file ingest would look at, walked as ingest walks."""
        out: dict[str, Stamp] = {}
        unlisted: list[str] = []
        for root in self.roots:
            if root.is_file():
                st = root.stat()
                out[str(root)] = _stamp(st)
                continue
            found = len(out)
            for folder, dirs, files in walk_folder(
                    root, onerror=lambda e: unlisted.append(str(e.filename))):
                dirs[:] = [d for d in dirs if not skipped_dir(folder, d)]
                self.scan.unchecked.add(folder)
                mine = self.own.holds(folder)
                for name in files:
                    path = os.path.join(folder, name)  # noqa: PTH118 - hot loop
                    # The walk kept the folders above it, and a file is no folder: only its
                    # name is left to judge (`wanted` asked `skipped_dir` of each folder above
                    # each file again: 1 s of CPU for 10,000 notes, each poll past a symlink
                    # loop; review48a).
                    if (mine and self.own.named(name)) or _ignored_name(name):
                        continue
                    try:
                        st = os.stat(path)  # noqa: PTH116
                    except OSError:
                        continue
                    out[path] = _stamp(st)
            if len(out) == found:
                # Gone or empty (a drive unmounted, a share away, the folder moved off): its
                # notes keep their records, as ingest keeps a folder's (review48a: each was
                # removed, at the first poll past a symlink loop, at the 5-minute reconcile).
                unlisted.append(str(root))
        # A folder that cannot be listed (no permission, an I/O error) is not a deletion: its
        # files keep what the last look saw, as ingest keeps their records.
        for folder in unlisted:
            inside = folder.rstrip(os.sep) + os.sep
            out.update((p, sig) for p, sig in self.scan.files.items() if p.startswith(inside))
        return out

    # -- making it current ---------------------------------------------------------------

    def catch_up(self) -> Batch:
        """Ingest every root as `grimoire ingest` would: what changed while nobody watched."""
        started = time.perf_counter()
        self.scan.files = self._files()
        report = self.kb.ingest(self.roots, embed=False)
        embedded = self._embed()
        batch = Batch("start", tuple(str(r) for r in self.roots), report,
                      time.perf_counter() - started, embedded)
        self.on_batch(batch)
        return batch

    def apply(self, paths: Iterable[str], reason: str = "events", *,
              settled: bool = False) -> Batch:
        """Ingest the changed `paths` (files or folders, present or gone) under their roots.

        A file still being written waits (`settle_ms`, `settle`), unless `settled`; a long one
        is read on the long reads' thread (`long_read_bytes`); the rest, deletions first, here.
        """
        started = time.perf_counter()
        groups: dict[Path, set[str]] = {}
        paths = list(paths)
        # A site's built copy of a note (`x/index.html` beside `x.md`) is read or not by
        # whether the note is there: a note written or deleted changes it too, as a full
        # ingest would find (review40b).
        paths += [page for p in paths for page in readers.built_pages(p)]
        for p in filter(None, map(self._unaliased, paths)):
            root = self._root_of(p)
            if root is not None and self.wanted(p):
                if not root.is_file() and p != str(root) and self._later(p, root, settled):
                    continue
                groups.setdefault(root, set()).add(p)
        # A root gone (a drive unmounted, a share away) is said once: notify's polling watcher
        # names it at each poll while it stays away, and each was a batch saying its notes
        # were kept (5 a second at 200 ms; round 49). Its notes keep their records meanwhile.
        self._away = {r for r in self._away if not r.exists()}
        for root in [r for r in groups if not r.exists()]:
            if root in self._away:
                del groups[root]
            self._away.add(root)
        totals: dict[str, int] = {}
        failures: list[SourceRecord] = []
        notices: list[str] = []
        errors: list[str] = []
        for root, group in groups.items():
            # a folder that changed (or went) is handled whole: what is under it needs no
            # second look (a removed folder of 1,000 notes is one path, not 1,001)
            group = {p for p in group if not any(str(a) in group for a in Path(p).parents)}
            reports: list[IngestReport] = []
            unfit: str | None = None
            try:
                if root.is_file() or str(root) in group or _gone_or_empty(root):
                    # The root itself changed; or gone or empty (a drive unmounted, a share
                    # away), when ingest keeps what it held (review48a: a reconcile removed
                    # each note, at the first poll past a symlink loop, in 5 minutes else)
                    reports.append(self.kb.ingest([root], embed=False))
                else:
                    reports = [self.kb.ingest(paths, root=other, embed=False, resolve=False)
                               for other, paths in self._stored_elsewhere(root, group)]
                    fitted = sorted(group)
                    stored, unfit = self._what_fits(fitted, root)
                    reports += stored
            except GrimoireError as e:
                # Nothing of the group is known stored: its files are read again (`retry`),
                # the reconcile having recorded their new times before this batch (the
                # change of a note in a batch that found the store locked past the wait, or
                # no room, was then never read until it changed again; round 50).
                errors.append(self._not_stored(group, e))
                continue
            if unfit is not None:  # stored but for the files that did not fit
                left, group = group - set(fitted), set(fitted)
                self._stored(group)
                errors.append(self._not_stored(left, unfit))
            else:
                self._stored(group)
            for done in reports:
                for name in ("added", "updated", "unchanged", "removed", "failed", "skipped",
                             "attachments", "problems", "kept"):
                    totals[name] = totals.get(name, 0) + getattr(done, name)
                failures.extend(done.failures)
                notices.extend(done.notices)
            for p in group:
                self._rescan(p)
        report = IngestReport(**totals, failures=tuple(failures),
                              notices=tuple(notices))
        embedded = self._embed() if report.read else 0
        batch = Batch(reason, tuple(sorted(p for g in groups.values() for p in g)), report,
                      time.perf_counter() - started, embedded, tuple(errors))
        if groups or errors:  # not when every path was left for later
            self.on_batch(batch)
        return batch

    def _what_fits(self, paths: list[str], root: Path) -> tuple[list[IngestReport], str | None]:
        """Ingest `paths` under `root`: the reports, and what to say of the paths that did not
        fit (None: all stored), which are taken out of `paths`. A batch that fails for want of
        room (a file too big for what is left of the disk) is stored in parts, the smallest
        files first (`_fitting`), so that every file that fits is stored: failed whole, the
        small files read with the big one failed with it at each retry (review51b), and
        round 52's halves stopped where both failed (two big files, one in each half)."""
        try:
            return [self.kb.ingest(paths, root=root, embed=False)], None
        except NoRoom as e:
            if len(paths) == 1:
                raise
            error = e
        reports, unfit = self._fitting(paths, root)
        if not unfit:  # every part fitted (the failed write's log given back): all stored;
            return reports, None  # "0 of its files did not fit" was an error, tried again
        left = set(unfit)
        paths[:] = [p for p in paths if p not in left]
        what = storable(unfit[0]) if len(unfit) == 1 else f"{len(unfit):,} of its files"
        return reports, (f"{error}; {what} did not fit, the batch's other {len(paths):,} "
                         f"{'file was' if len(paths) == 1 else 'files were'} stored")

    def _fitting(self, paths: list[str], root: Path) -> tuple[list[IngestReport], list[str]]:
        """`_what_fits` past a batch of n files that did not fit whole: the reports of the
        parts stored and the paths left out. The files go smallest first (deletions, then
        files by size, folders last), in parts of half the batch: a part that fits is stored
        and the next part is as long; one that fails is halved. What is left when a part of
        one file fails is the biggest files, which did not fit beside or after the smaller
        ones. Bounded: the parts' length halves at most ceil(log2 n) + 1 times (a full disk:
        that many tries, each of fewer files), and the tries stop at 2 ceil(log2 n) + 1 (room
        that comes and goes), so n = 100 files cost at most 15 tries past the whole one, and
        read at most 3 n files."""
        left = sorted(paths, key=_smallest_first)
        reports: list[IngestReport] = []
        size, tries = (len(left) + 1) // 2, 2 * math.ceil(math.log2(len(left))) + 1
        while left and size and tries:
            tries -= 1
            try:
                reports.append(self.kb.ingest(left[:size], root=root, embed=False))
            except NoRoom:
                size //= 2
                continue
            left = left[size:]
            size = min(size, len(left))
        return reports, left

    def _stored_elsewhere(self, root: Path, group: set[str]) -> list[tuple[str, list[str]]]:
        """The paths of `group` gone from the disk whose records another ingested root holds,
        by that root: a note or folder also ingested by its own path (`grimoire ingest
        notes/c.md` in a second terminal), or a folder above `root`. Ingest under `root`
        removes only `root`'s records: such a note deleted was a batch removing nothing, at
        every reconcile after it (round 50). `root` is there and holds files (the caller's
        test), so a deletion under it is one, whichever root stored the note; but a folder
        ingested apart that is now gone or empty keeps its records, as ingest keeps them."""
        gone = {storable(p): p for p in group if not os.path.lexists(p)}  # as stored
        if not gone:
            return []
        here = storable(str(root))
        out: list[tuple[str, list[str]]] = []
        for other in sorted(self.kb.store.source_roots()):
            if other == here:
                continue
            paths = [p for key, p in gone.items() if key == other
                     or other.startswith(key + os.sep)
                     or key.startswith(other.rstrip(os.sep) + os.sep)]
            if not paths or (_gone_or_empty(Path(path_of(other)))
                             and self.kb.store.source(other) is None):
                continue  # a folder of its own gone or emptied (unmounted?): kept, as ingest
            out.append((path_of(other), paths))
        return out

    def _not_stored(self, paths: Iterable[str], error: GrimoireError | str) -> str:
        """`paths` of a batch that failed to write for `error`: what the last look saw of them
        is dropped (`_forget`) and they wait, as they are on the disk now, for `retry` (or
        the next full look, or a change of their own); the message that says so."""
        paths = set(paths)
        self._forget(paths)
        self._failed.update((p, _signature(p)) for p in paths)
        self._retry_wait = min(max(self.options.retry_s, 2 * self._retry_wait),
                               self.options.reconcile_s)
        self._retry_at = time.monotonic() + self._retry_wait
        again = "it" if len(paths) == 1 else f"these {len(paths):,} paths"
        # One file: named, unless the error names it already (a store's error names the
        # store: "kb.db: the disk is full ..." said nothing of which note waits).
        only = storable(next(iter(paths))) if len(paths) == 1 else None
        named = f": {only}" if only is not None and only not in str(error) else ""
        return f"{error} (watch tries {again} again in {self._retry_wait:g} s{named})"

    def _stored(self, paths: Iterable[str]) -> None:
        """`paths` written: none of them waits to be tried again, and the files that do are
        due at once (the store writes again: the other writer done, room made; they waited
        out their doubled wait, up to `reconcile_s`, review51b); the next failure waits
        `retry_s` again."""
        if self._failed:
            paths = set(paths)
            inside = tuple(p + os.sep for p in paths)
            for known in [k for k in self._failed if k in paths or k.startswith(inside)]:
                del self._failed[known]
            self._retry_at = 0.0
        self._retry_wait = 0.0

    def retry(self, now: float | None = None) -> Batch | None:
        """Read the files of the batches that failed to write again, once their wait is over
        (`now`: monotonic, by default the clock's); None when none waits or its time has not
        come. Failing again, they wait twice as long (`retry_s`, up to `reconcile_s`)."""
        if not self._failed or (time.monotonic() if now is None else now) < self._retry_at:
            return None
        paths, self._failed = list(self._failed), {}
        return self.apply(paths, "retry", settled=True)

    def _in_step(self, stored: set[str], paths: set[str], batch: Batch,
                 gone: set[str]) -> None:
        """The polling fallback's `stored` paths after `batch` of `paths`: those the scan holds
        are stored (a failed group's are not: `_forget`), and unless the batch failed (then
        they are looked at again at the next call) the `gone` ones are not."""
        stored |= paths & self.scan.files.keys()
        if not batch.errors:
            stored -= gone

    def _forget(self, paths: Iterable[str]) -> None:
        """Drop what the last look saw of `paths` and of the files under them."""
        paths = set(paths)
        inside = tuple(p + os.sep for p in paths)
        files = self.scan.files
        for known in [k for k in files if k in paths or k.startswith(inside)]:
            del files[known]

    def _later(self, path: str, root: Path, settled: bool) -> bool:
        """Whether the file at `path` is left for later: written too lately to read yet, or
        long enough to read on the long reads' thread."""
        try:
            st = os.stat(path)  # noqa: PTH116
        except OSError:
            self.settling.pop(path, None)
            return False  # gone (a deletion: at once) or unreadable (ingest says so)
        if not os.path.isfile(path):  # noqa: PTH113
            return False
        sig = (st.st_mtime_ns, st.st_size)
        if not settled and time.time_ns() - st.st_mtime_ns < self.options.settle_ms * 1_000_000:
            seen = self.settling.get(path)
            self.settling[path] = (sig, seen[1] if seen and seen[0] == sig else time.monotonic())
            return True
        self.settling.pop(path, None)
        with self._long_lock:
            if path in self._long_pending:
                return True  # being read there; read again there if it changed meanwhile
        if st.st_size >= self.options.long_read_bytes and self._long_reads_here():
            with self._long_lock:
                self._long_pending.add(path)
            self._long.put((root, path))
            return True
        return False

    def settle(self) -> Batch | None:
        """Read the files that have been quiet for `settle_ms` since they were put off (or
        unchanged that long by our clock, when theirs runs ahead), and hand on the batches the
        long reads' thread finished."""
        self._hand_on_long_reads()
        if not self.settling:
            return None
        quiet = self.options.settle_ms * 1_000_000
        ready: list[str] = []
        for path, (sig, since) in list(self.settling.items()):
            try:
                st = os.stat(path)  # noqa: PTH116
            except OSError:
                ready.append(path)  # gone: a deletion
                continue
            now_sig = (st.st_mtime_ns, st.st_size)
            if now_sig != sig:
                self.settling[path] = (now_sig, time.monotonic())
            elif time.time_ns() - st.st_mtime_ns >= quiet or \
                    time.monotonic() - since >= self.options.settle_ms / 1000:
                ready.append(path)
        for path in ready:
            self.settling.pop(path, None)
        return self.apply(ready, "events", settled=True) if ready else None

    def _long_reads_here(self) -> bool:
        """Long reads go to a thread of their own with a connection of their own: to the
        SQLite file (another connection is another writer SQLite serialises) or the
        PostgreSQL database. An in-memory store has no second connection: read here."""
        store = self.kb.store
        target = getattr(store, "_dsn", None) if store.engine != "sqlite" else getattr(
            store, "path", None)
        if not isinstance(target, str) or target == ":memory:" or target.startswith("file:") \
                or (store.engine == "sqlite" and not os.path.isfile(target)):  # noqa: PTH113
            return False
        if self._long_thread is None:
            self._long_thread = threading.Thread(target=self._long_reads, args=(target,),
                                                 name="grimoire-watch-long-reads", daemon=True)
            self._long_thread.start()
        return True

    def _long_reads(self, db: str) -> None:
        """The long reads' thread: each file read with its own connection, again while it
        changed during the read (that is a change of its own), removed when it went."""
        from grimoire.knowledge import open as open_kb

        kb = open_kb(db, create=False)
        try:
            while (job := self._long.get()) is not None:
                root, path = job
                started = time.perf_counter()
                errors: tuple[str, ...] = ()
                report = IngestReport()
                try:
                    for _ in range(3):
                        before = _signature(path)
                        report = kb.ingest([path], root=root, embed=False)
                        if _signature(path) == before:
                            break  # else changed or gone while read: again, or removed
                except GrimoireError as e:
                    errors = (str(e),)
                finally:
                    with self._long_lock:
                        self._long_pending.discard(path)
                self._long_done.put(Batch("long read", (path,), report,
                                          time.perf_counter() - started, 0, errors))
        finally:
            kb.close()

    def _hand_on_long_reads(self) -> None:
        """On the loop's thread: the long reads finished since the last look, to `on_batch`,
        their files' new state noted and their vectors asked for."""
        while True:
            try:
                batch = self._long_done.get_nowait()
            except queue.Empty:
                return
            if batch.errors:
                batch = Batch(batch.reason, batch.paths, batch.report, batch.seconds,
                              batch.embedded, (self._not_stored(batch.paths, batch.errors[0]),))
            else:
                self._stored(batch.paths)
                for path in batch.paths:
                    self._rescan(path)
            if batch.report.read:
                batch = Batch(batch.reason, batch.paths, batch.report, batch.seconds,
                              self._embed(), batch.errors)
            self.on_batch(batch)

    def close(self, *, wait: bool = True) -> None:
        """Stop the long reads' thread; with `wait`, once it has finished the read it is in
        (without, the read stops with the process: ingest commits per file)."""
        if self._long_thread is not None:
            self._long.put(None)
            if wait:
                self._long_thread.join()
            self._long_thread = None
            self._hand_on_long_reads()

    def _unaliased(self, path: str) -> str | None:
        """`path` as a full ingest spells it. A folder inside a root may hold a symlink to a
        folder of the same root (`loop/up -> ..`): ingest walks past it, but a file's events
        came through it ("loop/up/note.md"), so its notes were stored twice and a rename left
        the first spelling's records behind (round 38). Such a path is named by the real
        folder; one a link leads out of its root is nobody's (None)."""
        root = self._root_of(path)
        if root is None or root.is_file() or path == str(root):
            return path  # the root itself (a change of its own): no folder of it to follow
        parent, name = os.path.split(path)
        folder = str(root)
        for part in Path(parent).relative_to(root).parts:
            folder = os.path.join(folder, part)  # noqa: PTH118
            if os.path.islink(folder):  # noqa: PTH114
                break
        else:
            return path
        real_root = os.path.realpath(root)
        real = os.path.realpath(parent)
        if real != real_root and not real.startswith(real_root + os.sep):
            return None
        return os.path.normpath(os.path.join(root, os.path.relpath(real, real_root), name))  # noqa: PTH118

    def _rescan(self, path: str) -> None:
        files = self.scan.files
        target = Path(path)
        was_file = files.pop(path, None) is not None
        if not was_file and not target.is_file():  # a folder, or gone: forget what it held
            for known in [k for k in files if k.startswith(path + os.sep)]:
                del files[known]
        if target.is_file():
            st = target.stat()
            files[path] = _stamp(st)
        elif target.is_dir():
            for folder, dirs, names in walk_folder(target):
                dirs[:] = [d for d in dirs if not skipped_dir(folder, d)]
                self.scan.unchecked.add(folder)  # moved in or made: is it watched?
                for name in names:
                    p = os.path.join(folder, name)  # noqa: PTH118
                    if self.wanted(p):
                        st = os.stat(p)  # noqa: PTH116
                        files[p] = _stamp(st)

    def reconcile(self, stored: set[str] | None = None, *,
                  full: bool | None = None) -> Batch | None:
        """Compare every file's stamp (`_stamp`) with the last scan; ingest what differs, and
        remove what the store holds that is gone from the disk: a folder moved in and out
        again at once is stored from the first event, and its files were gone before the
        scan saw them (file events then failed on the vanished folder; the store kept its
        notes).

        `stored`: the store's paths as the caller keeps them, in step with the batches this
        call sends (the polling fallback's, read once: each read of the store was 85 ms of
        CPU at 10,000 notes, at every poll; round 49); None reads them from the store.
        `full`: the full look, every `reconcile_s` (by default when `stored` is None), which
        reads again the files of batches that failed to write; a poll between two reads them
        only once changed again (the fallback polls every `poll_ms`: such a batch was read
        again and failed again at each poll, twice a second; review50b)."""
        now = self._files()
        before = self.scan.files
        changed = {p for p, sig in now.items() if before.get(p) != sig}
        changed |= before.keys() - now.keys()
        known = (r.path for r in self.kb.sources()) if stored is None else stored
        changed |= {p for p in known if p not in now and self._root_of(p) is not None
                    and self.wanted(p) and not os.path.lexists(p)}
        if full is None:
            full = stored is None
        if full:
            self._failed.clear()
        elif self._failed:
            # Left unseen (not in the scan) until the full look, as they stand now.
            held = {p for p in changed if p in self._failed and self._failed[p] == now.get(p)}
            changed -= held
            now = {p: sig for p, sig in now.items() if p not in held}
        self.scan.files = now
        if not changed:
            return None
        batch = self.apply(changed, "reconcile")
        if stored is not None:
            self._in_step(stored, changed, batch, changed - now.keys())
        return batch

    def _embed(self) -> int:
        """Vectors for what changed, by the store's background worker when it can run one (the
        watcher goes back to events at once; search works on words meanwhile)."""
        if not self.options.embed:
            return 0
        try:
            self.kb.embed_in_background()
            return 0
        except GrimoireError:  # an embedder that cannot run in a worker, an in-memory store
            return self.kb.embed().embedded

    def _unwatched(self) -> int:
        """How many folders listed since the last call no inotify watch covers. Past the
        system's limit of watches, notify watches nothing more and says nothing (watchfiles
        1.3): a folder moved in, or every folder of a large vault, changed unseen until the
        next reconcile (5 minutes). 0 where it cannot be told (no /proc, not inotify)."""
        folders, self.scan.unchecked = self.scan.unchecked, set()
        if self.polling or not folders:
            return 0
        watched = inotify_watched()
        if watched is None:
            return 0
        missing = 0
        for folder in folders:
            try:
                missing += os.stat(folder).st_ino not in watched  # noqa: PTH116
            except OSError:
                continue  # gone since: nothing to watch
        return missing

    def _poll_if_unwatched(self) -> bool:
        """Switch to polling, and say so, when file events miss some folder (`_unwatched`)."""
        missing = self._unwatched()
        if not missing:
            return False
        self.polling = True
        folders = f"{missing:,} folder" + ("s" if missing > 1 else "")
        self.on_notice(f"file events do not reach {folders} here (the system's limit of "
                       f"inotify watches is reached: {_watch_limit()}); polling every "
                       f"{self.options.poll_ms} ms instead")
        return True  # the polling watcher's first step reconciles (`_run`)

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> None:
        """Catch up, then handle batches of events until `stop` is set.

        Ctrl-C raises KeyboardInterrupt between batches; a batch is never cut in half by it
        (ingest commits per file, so even a kill loses only the open batch).

        Neither a Ctrl-C nor `stop` waits for a long read (`long_read_bytes`) under way: it
        writes its file in one transaction on a connection of its own, which the process's
        end leaves uncommitted (nothing of the file is stored, and the next start reads it
        again). `serve --watch` stopped by Ctrl-C waited for it: 20.6 s for a 13 MB note.
        """
        try:
            self._run()
        except KeyboardInterrupt:
            self.close(wait=False)
            raise
        self.close(wait=False)

    def _run(self) -> None:
        import watchfiles

        reason = None if self.polling else polling_reason(self.roots)
        if reason is not None:
            self.polling = True
            self.on_notice(f"{reason}; polling every {self.options.poll_ms} ms instead")
        self.catch_up()
        # What changed between the catch-up's scan and the first event the watcher can see
        # (embedding a large first ingest takes a while) is found by a reconcile at once; so
        # is what changed while a watcher is replaced by a polling one. That reconcile runs at
        # the new watcher's first step, after its first look at the files: one run before it
        # started missed a note saved in between until the next reconcile, 5 minutes on (a
        # CI run: the note saved just after the notice that the watch limit was reached).
        last = -float("inf")
        while not self.stop.is_set():
            try:
                for changes in watchfiles.watch(
                    *self.roots, watch_filter=lambda _c, p: self.wanted(p),
                    debounce=self.options.debounce_ms, step=self.options.step_ms,
                    stop_event=self.stop, rust_timeout=1000, yield_on_timeout=True,
                    force_polling=self.polling, poll_delay_ms=self.options.poll_ms,
                    raise_interrupt=True, ignore_permission_denied=True,
                ):
                    if changes:
                        self.apply({p for _, p in changes})
                    self.settle()
                    self.retry()
                    if time.monotonic() - last >= self.options.reconcile_s:
                        self.reconcile()
                        last = time.monotonic()
                    if self.stop.is_set():
                        return
                    if self._poll_if_unwatched():
                        last = -float("inf")
                        break  # watched again, by polling
            except (OSError, RuntimeError) as e:
                if self.polling and "loop found" in str(e):
                    # notify's polling watcher follows links, and stops at one to a folder
                    # above it (`sub/up -> ..`), which ingest never follows: the files are
                    # compared as `reconcile` walks them instead (round 48; it said "cannot
                    # watch" and stopped).
                    self.on_notice(f"{e}; comparing the files every "
                                   f"{self.options.poll_ms} ms instead")
                    # The store's paths are read again each `reconcile_s`, as the event
                    # path's reconcile reads them: another writer (an ingest in a second
                    # terminal, `serve`) stores notes too, and one gone before a poll saw it
                    # kept its record until the watch restarted (review49c).
                    stored, read = {r.path for r in self.kb.sources()}, time.monotonic()
                    while not self.stop.wait(self.options.poll_ms / 1000):
                        full = time.monotonic() - read >= self.options.reconcile_s
                        if full:
                            stored, read = {r.path for r in self.kb.sources()}, time.monotonic()
                        self.reconcile(stored, full=full)
                        self.settle()
                        if (retried := self.retry()) is not None:
                            tried = set(retried.paths)
                            self._in_step(stored, tried, retried,
                                          {p for p in tried if not os.path.lexists(p)})
                    return
                if self.polling:
                    raise GrimoireError(f"cannot watch: {e}") from e
                self.polling = True
                self.on_notice(f"file events unavailable ({e}); polling every "
                               f"{self.options.poll_ms} ms instead")
                last = -float("inf")  # whatever happened while the watcher was down
