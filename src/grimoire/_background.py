"""Vectors computed in the background: at most one embedding worker per database.

`grimoire ingest` returns once the files are read and the lexical index is written, and starts
a detached `grimoire embed --worker` (`spawn`). The worker embeds whatever has no vector yet,
entries and short passages first, and commits every small batch (`grimoire.search.embed_store`),
so killing it loses at most the batch in hand and the next run continues from there.

One worker per database: whoever embeds holds an exclusive `flock` on `DB.embed.lock` (beside the
database; for a server URL, in the temporary folder). The kernel drops the lock when the process
dies, so a killed worker never leaves a stale lock behind. A worker that finds the lock taken
exits at once; a foreground `embed` (the API's `ingest`, `ingest --wait`) waits for it, then
embeds what is left. The worker writes its errors to `DB.embed.log`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from grimoire.errors import GrimoireError

# The worker yields the CPU to whatever the user is doing in the foreground.
WORKER_NICENESS = 10


@dataclass(frozen=True, slots=True)
class VectorStatus:
    """How far semantic search covers the store."""

    have: int  # passages and entries with a vector
    total: int  # passages and entries that should have one
    worker: int | None = None  # pid of the embedding worker running now, if any

    @property
    def missing(self) -> int:
        return max(0, self.total - self.have)


def _is_file_url(url: str) -> bool:
    return "://" not in url and url != ":memory:" and not url.startswith("file:")


def lock_path(url: str) -> Path | None:
    """The lock file of the database at `url` (None for an in-memory database)."""
    if url == ":memory:" or url.startswith("file:"):
        return None
    if _is_file_url(url):
        return Path(os.path.abspath(url) + ".embed.lock")  # noqa: PTH100 - symlinks kept
    # Only a server URL's lock needs these; a search asks a file's (cold start, issue 14).
    import hashlib
    import tempfile

    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"grimoire-embed-{digest}.lock"


def log_path(url: str) -> Path | None:
    """Where a background worker writes its errors."""
    lock = lock_path(url)
    return None if lock is None else lock.with_suffix(".log")


class EmbedLock:
    """The exclusive right to embed into one database, held until `release` or process exit."""

    def __init__(self, url: str) -> None:
        self.path = lock_path(url)
        self._file: IO[str] | None = None

    def acquire(self, *, wait: bool) -> bool:
        """Take the lock; False when another process holds it and `wait` is off.

        A lock file that cannot be created (a read-only folder) gives no protection, and none
        is needed: such a database cannot be written either.
        """
        if self.path is None or self._file is not None:
            return True
        try:
            f = self.path.open("a+", encoding="utf-8")
        except OSError:
            return True
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as e:
            f.close()
            if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise GrimoireError(f"cannot lock for embedding: {e}", str(self.path)) from e
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._file = f
        return True

    def adopt(self, fd: int) -> None:
        """Hold the lock that the process which started this one took for it (`spawn`)."""
        self._file = os.fdopen(fd, "a+", encoding="utf-8")

    def handed_over(self, pid: int) -> None:
        """Record `pid` as the holder and drop this process's hold; the child keeps the lock."""
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            self._file.write(f"{pid}\n")
            self._file.flush()
            self._file.close()  # the lock lives on in the child's copy of the descriptor
            self._file = None

    def fileno(self) -> int | None:
        return None if self._file is None else self._file.fileno()

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.truncate(0)
            self._file.close()  # closing drops the flock
            self._file = None

    def holder(self) -> int | None:
        """The pid of the process that holds the lock now, or None when it is free."""
        if self.path is None or self._file is not None:
            return os.getpid() if self._file is not None else None
        try:
            with self.path.open("r", encoding="utf-8") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except OSError:
                    text = f.read().strip()
                    return int(text) if text.isdigit() else -1
                fcntl.flock(f, fcntl.LOCK_UN)
                return None
        except OSError:
            return None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Wait for the lock, hold it inside the block."""
        self.acquire(wait=True)
        try:
            yield
        finally:
            self.release()


def worker_command(
    url: str | None, embed_url: str | None, embed_model: str | None, lock_fd: int | None = None
) -> list[str]:
    """The command line of a detached worker for the database at `url` (None: the one its
    environment's GRIMOIRE_DB names)."""
    command = [sys.executable, "-m", "grimoire"]
    if url is not None:
        command += ["--db", os.path.abspath(url) if _is_file_url(url) else url]  # noqa: PTH100
    if embed_url:
        command += ["--embed-url", embed_url]
        if embed_model:
            command += ["--embed-model", embed_model]
    command += ["embed", "--worker"]
    return command if lock_fd is None else [*command, "--lock-fd", str(lock_fd)]


def spawn(
    url: str, *, dsn: str | None = None, embed_url: str | None = None,
    embed_model: str | None = None, api_key: str | None = None,
) -> int:
    """Start a detached embedding worker for the database at `url`; returns its pid. `dsn`:
    the URL to connect with, when `url` is the store's as shown (its user and password left
    out); the worker gets it through its environment, never on its command line.

    The lock is taken here and handed to the worker, so the worker counts as running from the
    moment this returns. If a worker is running already, its pid is returned instead: it looks
    for new work before it stops, so what was stored before this call will get its vectors.
    The worker outlives this process (its own session, no terminal).
    """
    import subprocess  # on use: a search asks who holds the lock, and starts nothing

    if lock_path(url) is None:
        raise GrimoireError("an in-memory database cannot be embedded in the background")
    lock = EmbedLock(url)
    while not lock.acquire(wait=False):
        running = lock.holder()
        if running is not None and running > 0:
            return running
        time.sleep(0.01)  # taken a moment ago (its pid not written yet), or just released
    fd = lock.fileno()
    env = dict(os.environ)
    if api_key:
        env["GRIMOIRE_EMBED_KEY"] = api_key  # never on the command line, where ps shows it
    secret = dsn is not None and dsn != url
    if secret:
        # The store's URL as shown could not connect where the server asks for a user and
        # password (round 55: every worker `ingest` started on such a server failed).
        env["GRIMOIRE_DB"] = str(dsn)
    log = log_path(url)
    try:
        err: IO[bytes] | int = log.open("wb") if log is not None else subprocess.DEVNULL
    except OSError:
        err = subprocess.DEVNULL
    fds = () if fd is None else (fd,)
    try:
        # A short-lived launcher starts the worker and exits, so the worker is nobody's child:
        # this process need not wait for it, and may exit first.
        launcher = subprocess.run(
            [sys.executable, "-c", _LAUNCH, *map(str, fds), "--",
             *worker_command(None if secret else url, embed_url, embed_model, fd)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env,
            pass_fds=fds, check=False, timeout=60,
        )
        pid = int(launcher.stdout.strip() or b"0")
    except (OSError, ValueError, subprocess.SubprocessError) as e:
        lock.release()
        raise GrimoireError(f"could not start the embedding worker: {e}") from e
    finally:
        if not isinstance(err, int):
            err.close()
    if launcher.returncode != 0 or pid <= 0:
        lock.release()
        raise GrimoireError("could not start the embedding worker (see its log)",
                            str(log) if log else None)
    lock.handed_over(pid)
    return pid


# argv: the descriptors to pass on, "--", the worker's command. Prints the worker's pid.
_LAUNCH = """
import subprocess, sys
cut = sys.argv.index("--")
fds = tuple(int(x) for x in sys.argv[1:cut])
p = subprocess.Popen(sys.argv[cut + 1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     start_new_session=True, pass_fds=fds)
print(p.pid, flush=True)
"""


def last_error(url: str) -> str | None:
    """The last line a background worker wrote to its log, if any."""
    log = log_path(url)
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log else []
    except OSError:
        return None
    lines = [line for line in lines if line.strip()]
    return lines[-1] if lines else None


def be_nice() -> None:
    """Lower this process's priority (the background worker's)."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
