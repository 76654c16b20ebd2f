"""Ingest: walk folders, read changed files (in worker processes), store each in one transaction.

Incremental by content hash: unchanged files are skipped, changed ones replaced, and files gone
from an ingested folder removed. One bad file never stops the batch: it is recorded as failed,
with its reason, and whatever was stored for it before is kept.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from grimoire import readers
from grimoire.errors import GrimoireError, ReadError
from grimoire.model import Document
from grimoire.readers.base import ReadOptions, looks_binary
from grimoire.store.base import SourceRecord, Store

SKIP_DIRS = frozenset({"node_modules", "__pycache__", "_build", "site-packages", "venv"})
ATTACHMENT_EXTENSIONS = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".avif",
    ".pdf", ".mp4", ".webm", ".mov", ".mp3", ".wav", ".ogg", ".m4a",
    ".excalidraw", ".canvas",
})
# Part of every file's content hash: bump it when a reader changes what it extracts, so that
# the next ingest rereads files whose bytes did not change.
READ_VERSION = b"grimoire-read-2\x00"
# Below this many files to read, worker start-up costs more than it saves.
PARALLEL_THRESHOLD = 64

Progress = Callable[[int, int, str], None]
DEFAULT_OPTIONS = ReadOptions()


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest did, file by file."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    skipped: int = 0
    attachments: int = 0
    problems: int = 0
    failures: tuple[SourceRecord, ...] = ()

    @property
    def read(self) -> int:
        """Files parsed in this run (new or changed)."""
        return self.added + self.updated


@dataclass(slots=True)
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[SourceRecord] = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def report(self) -> IngestReport:
        return IngestReport(**self.counts, failures=tuple(self.failures))


@dataclass(frozen=True, slots=True)
class _Job:
    path: str
    root: str
    data: bytes
    sha256: str
    format: str
    existed: bool


def ingest(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    format: str | None = None,
    options: ReadOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Read files and folders into `store`; see the module docstring for the rules."""
    if format is not None:
        readers.by_name(format)  # fail before any work on an unknown name
    tally = _Tally()
    jobs: list[_Job] = []
    for given in paths:
        root = Path(os.path.abspath(given))  # noqa: PTH100 - absolute, symlinks kept
        if not root.exists():
            known = store.sources(root=str(root))
            if not known:
                raise GrimoireError("no such file or folder", str(given))
            for record in known:
                store.remove_source(record.path)
            tally.add("removed", len(known))
            continue
        seen: set[str] = set()
        files = _walk(root, tally, store, seen) if root.is_dir() else iter([root])
        for file in files:
            seen.add(str(file))
            job = _triage(store, file, root, format, options, tally)
            if job is not None:
                jobs.append(job)
        if root.is_dir():
            for record in store.sources(root=str(root)):
                if record.path not in seen:
                    store.remove_source(record.path)
                    tally.add("removed")
    _read_and_store(store, jobs, tally, progress, workers)
    return tally.report()


def _walk(root: Path, tally: _Tally, store: Store, seen: set[str]) -> Iterator[Path]:
    """Files under `root`, sorted, skipping hidden and tool folders and outward symlinks.

    Skipped files are recorded (and added to `seen`, so that they stay listed in `sources`).
    """
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            seen.add(str(path))
            if path.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    _skip(store, path, root, "broken or looping symlink", tally)
                    continue
                if not target.is_relative_to(real_root):
                    reason = "symlink points outside the folder; not followed"
                    _skip(store, path, root, reason, tally)
                    continue
                if not target.is_file():
                    continue
            yield path


def _skip(store: Store, path: Path, root: Path, reason: str, tally: _Tally) -> None:
    store.mark_source(SourceRecord(path=str(path), root=str(root), status="skipped", reason=reason))
    tally.add("skipped")


def _triage(
    store: Store, file: Path, root: Path, forced: str | None, options: ReadOptions, tally: _Tally
) -> _Job | None:
    """Decide what to do with one file; returns a job when it must be (re)read."""
    path, root_s = str(file), str(root)
    previous = store.source(path)
    try:
        size = file.stat().st_size
        if file.suffix.lower() in ATTACHMENT_EXTENSIONS and forced is None:
            if previous is None or previous.status != "attachment":
                store.mark_source(SourceRecord(path=path, root=root_s, status="attachment",
                                               size=size, format=file.suffix.lower()[1:]))
            tally.add("attachments")
            return None
        if size > options.max_bytes:
            raise ReadError(
                f"file is {size / 2**20:.1f} MiB, over the {options.max_bytes / 2**20:g} MiB "
                "limit",
                path,
            )
        data = file.read_bytes()
    except OSError as e:
        _fail(store, SourceRecord(path=path, root=root_s, status="failed",
                                  reason=f"cannot read: {e.strerror or e}"), tally)
        return None
    except ReadError as e:
        _fail(store, SourceRecord(path=path, root=root_s, status="failed", reason=e.message,
                                  size=size), tally)
        return None
    sha = hashlib.sha256(READ_VERSION + data).hexdigest()
    if previous is not None and previous.sha256 == sha and previous.status == "ok":
        tally.add("unchanged")
        return None
    if looks_binary(data):
        _skip(store, file, root, "binary file, not a note", tally)
        return None
    reader: readers.Reader | None
    try:
        if forced:
            reader = readers.by_name(forced)
        else:
            reader = readers.detect(path, readers.sniff_head(data, path))
    except ReadError as e:
        _fail(store, SourceRecord(path=path, root=root_s, status="failed", reason=e.message), tally)
        return None
    if reader is None:
        _skip(store, file, root, f"not a note format ({file.suffix or 'no extension'})", tally)
        return None
    # A file that failed after a good read still has that read stored: this is an update.
    existed = previous is not None and previous.sha256 is not None
    return _Job(path=path, root=root_s, data=data, sha256=sha, format=reader.name, existed=existed)


def _fail(store: Store, record: SourceRecord, tally: _Tally) -> None:
    # mark_source keeps the documents stored for this file before: the last good state stays.
    store.mark_source(record)
    tally.add("failed")
    tally.failures.append(record)


def read_job(job: _Job) -> tuple[list[Document], str | None]:
    """Parse one file; returns (documents, None) or ([], reason). Runs in a worker process."""
    try:
        return readers.by_name(job.format).read(job.data, job.path), None
    except GrimoireError as e:
        return [], str(e).removeprefix(f"{job.path}:").lstrip(" :") or e.message
    except RecursionError:
        return [], "input nested too deeply to read"
    except Exception as e:  # a reader bug must not stop the batch; report it per file
        return [], f"reader {job.format} failed: {type(e).__name__}: {e}"


_Read = tuple[_Job, tuple[list[Document], str | None]]
CHUNK_BYTES = 64 * 1024


def read_chunk(chunk: list[_Job]) -> list[_Read]:
    """Parse several files in one worker call (one round trip instead of one per file)."""
    return [(job, read_job(job)) for job in chunk]


def _results(jobs: list[_Job], workers: int | None) -> Iterable[_Read]:
    """Each job with its result, in the order they finish.

    Files go out in chunks, largest first, so that a slow format (a big rst page) starts
    early and both workers stay busy while this process stores what is done.
    """
    n = workers if workers is not None else min(2, os.cpu_count() or 1)
    if n <= 1 or len(jobs) < PARALLEL_THRESHOLD:
        return ((job, read_job(job)) for job in jobs)
    chunks: list[list[_Job]] = []
    size = CHUNK_BYTES
    for job in sorted(jobs, key=lambda j: -len(j.data)):
        if size >= CHUNK_BYTES or len(chunks[-1]) >= 16:
            chunks.append([])
            size = 0
        chunks[-1].append(job)
        size += len(job.data)
    pool = ProcessPoolExecutor(max_workers=n)

    def drain() -> Iterator[_Read]:
        try:
            for future in as_completed([pool.submit(read_chunk, c) for c in chunks]):
                yield from future.result()
        finally:
            pool.shutdown(cancel_futures=True)

    return drain()


class _Batches:
    """Commit every `files` files or `seconds` seconds, each file inside its own savepoint.

    A file is still all-or-nothing (its savepoint), but SQLite and FTS5 pay for a commit once
    per batch instead of once per file, which was most of the cost of storing small notes.
    A kill loses at most the open batch; the next ingest sees those files as changed and
    redoes them.
    """

    def __init__(self, store: Store, files: int = 100, seconds: float = 0.5) -> None:
        self.store, self.files, self.seconds = store, files, seconds
        self.stack = ExitStack()
        self.count = 0
        self.started = 0.0

    def __enter__(self) -> _Batches:
        self._open()
        return self

    def _open(self) -> None:
        self.stack.enter_context(self.store.transaction())
        self.count, self.started = 0, time.monotonic()

    def tick(self) -> None:
        self.count += 1
        if self.count >= self.files or time.monotonic() - self.started > self.seconds:
            self.stack.close()  # commits
            self._open()

    def __exit__(self, *exc: object) -> None:
        self.stack.__exit__(*exc)  # type: ignore[arg-type]


def _read_and_store(
    store: Store, jobs: list[_Job], tally: _Tally, progress: Progress | None, workers: int | None
) -> None:
    with _Batches(store) as batches:
        for done, (job, (documents, error)) in enumerate(_results(jobs, workers), 1):
            _store_one(store, job, documents, error, tally)
            batches.tick()
            if progress is not None:
                progress(done, len(jobs), job.path)


def _store_one(
    store: Store, job: _Job, documents: list[Document], error: str | None, tally: _Tally
) -> None:
    if error is not None:
        _fail(store, SourceRecord(path=job.path, root=job.root, status="failed",
                                  format=job.format, reason=error, size=len(job.data)), tally)
        return
    problems = tuple(p for d in documents for p in d.problems)
    record = SourceRecord(path=job.path, root=job.root, status="ok", format=job.format,
                          sha256=job.sha256, size=len(job.data), problems=problems)
    store.replace_source(record, documents)
    tally.add("updated" if job.existed else "added")
    tally.add("problems", len(problems))
