"""Reader worker processes with a budget per file, so that a reader bug costs one file.

Each worker reads one file at a time, with a few more queued in its pipe (`depth`), so that it
goes on reading while the parent is busy storing what came back. A file that runs past its time
budget has its worker killed and replaced (the files queued behind it go to the next free
worker); the memory budget is an address-space limit inside the worker, so an allocation past
it raises MemoryError there. Either way that file is reported as failed and the batch goes on.
Workers ignore Ctrl-C (the parent stops them) and die with their parent, even when it is
killed outright (Linux `PR_SET_PDEATHSIG`; elsewhere, a closed pipe).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import select
import signal
import socket
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkProcess
from typing import Any, Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1
# Jobs sent to a worker at a time, at most (`ReadPool._dispatch`).
_GROUP = 8
# Bytes of results a worker may have sent that the parent has not read yet. The parent reads
# nothing while it writes a batch (15-40 ms); with the socket's default buffer (208 KB here:
# 44 results of 4 KB) a worker found it full about once every 60 notes of a 10k-note ingest
# and waited there, 7% of its time, for the parent to come back, and with both workers
# waiting a core sat idle (issue 14). The system may cap it lower (`net.core.wmem_max`).
_SEND_BUFFER = 1 << 20
# What a worker sends once it has run `prepare` (its imports) and set its memory limit: its
# first file's time budget starts when the parent reads it (round 52; it started at dispatch,
# and the imports counted against the first file's seconds: at `--max-seconds 1` on a loaded
# machine, a note that reads in milliseconds could fail). No result is ever empty bytes.
_READY = b""
# How long a worker may take to get ready (its imports: well under a second on a quiet
# machine), by default: ingest's own default budget for a file.
_PREPARE_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Budget:
    """What one file may cost a reader worker."""

    seconds: float
    memory: int  # bytes of address space on top of what the worker started with


_Serve = Callable[[Connection, Connection, int, int], None]


class _Worker:
    def __init__(self, serve: _Serve, memory: int) -> None:
        ctx = multiprocessing.get_context("fork")  # no re-import: a new worker is cheap
        here, there = ctx.Pipe()
        _widen(there)
        # The parent's pid is taken here, before the fork: read in the child, it would already
        # be init's if the parent was killed in between, and the check would pass.
        self.proc: ForkProcess = ctx.Process(target=serve, args=(there, here, memory, os.getpid()),
                                             daemon=True)
        # Ctrl-C reaches the whole process group; held back across the fork, it can never hit
        # a worker before the worker ignores it (a traceback per worker on the terminal).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        # The worker inherits the parent's unreachable cycles, and its collector would
        # finalize them there: an embedding model's onnxruntime session, destroyed in a
        # process without its thread pool's threads, hangs in pthread_cond_destroy. Frozen
        # across the fork, the parent's objects are never collected in the worker (the
        # parent collects its own as before).
        gc.freeze()
        try:
            self.proc.start()
        finally:
            gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        there.close()
        self.conn = here
        # Sent and not yet answered, oldest first: the worker is reading the first.
        self.jobs: deque[Any] = deque()
        # Until `_READY` comes, the deadline is the worker's own, for its `prepare`; its
        # first file's budget starts then.
        self.ready = False
        self.deadline = 0.0
        self.bytes = 0  # the `cost` of the queued jobs

    def stop(self) -> None:
        self.conn.close()
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()


def _widen(conn: Connection) -> None:
    """Give the worker's end of the pipe `_SEND_BUFFER` bytes to send into (a socket pair)."""
    fd = os.dup(conn.fileno())
    try:
        end = socket.socket(fileno=fd)  # takes the descriptor over, and closes it with itself
    except OSError:  # not a socket (a platform whose pipes are pipes): its buffer stays
        os.close(fd)
        return
    with end, contextlib.suppress(OSError):
        end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SEND_BUFFER)


class _Ready:
    """Which busy workers have a result to read.

    One poll set for the whole run, kept in step with the busy workers, where
    `multiprocessing.connection.wait` builds and fills a selector on every call (twice a
    file: issue 14). A dead worker's end of the pipe reads as ready (end of file).
    """

    def __init__(self) -> None:
        self.poll = select.poll()
        self.conns: dict[int, Connection] = {}

    def __call__(self, busy: list[_Worker], timeout: float) -> list[Connection]:
        conns = {w.conn.fileno(): w.conn for w in busy}
        if conns.keys() != self.conns.keys():
            for fd in self.conns.keys() - conns.keys():
                self.poll.unregister(fd)
            for fd in conns.keys() - self.conns.keys():
                self.poll.register(fd, select.POLLIN)
        self.conns = conns
        return [conns[fd] for fd, _ in self.poll.poll(timeout * 1000)]


def _die_with_parent(parent: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(0)


def _limit_memory(extra: int) -> None:
    try:
        import resource

        with open("/proc/self/statm") as f:  # noqa: PTH123 - a pseudo-file
            size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + extra, resource.RLIM_INFINITY))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimits: the time budget still holds


def _send(conn: Connection, obj: object) -> None:
    """`conn.send(obj)` with a plain pickler: `Connection.send` builds a `ForkingPickler`,
    copying copyreg's dispatch table, for every job and every result (issue 14); jobs and
    results hold no sockets or descriptors that need its reducers."""
    conn.send_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _recv(conn: Connection) -> Any:
    """What `_send` sent (our own process at the other end of the pipe)."""
    return pickle.loads(conn.recv_bytes())


def _serve_with(read: Callable[[J], R], prepare: Callable[[], None]) -> _Serve:
    def serve(conn: Connection, parent_end: Connection, memory: int, parent: int) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        # SIGTERM ends a worker, whatever handler the parent had: under `serve`, uvicorn's
        # (inherited by the fork) only noted it, and the parent's exit, which terminates its
        # workers and waits for them, waited for the file a worker was reading (Ctrl-C of
        # `serve --watch` during a long read: 15.6 s, round 41).
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with_parent(parent)
        parent_end.close()  # so that the parent's death reads as end of file here
        prepare()  # the worker's own imports, outside the first file's budget (both of them)
        # Those imports (the readers, markdown-it, docutils, PyYAML) live as long as the
        # worker: frozen, as the parent's objects were across the fork, each full collection
        # walks only what reading made since (issue 14: 0.5% of a generated note's
        # instructions, callgrind).
        gc.freeze()
        _limit_memory(memory)
        conn.send_bytes(_READY)
        while True:
            try:
                jobs = _recv(conn)
            except (EOFError, OSError):
                return  # the parent is gone
            if jobs is None:
                return
            for job in jobs:  # jobs come in groups (`ReadPool._dispatch`), answered one by one
                _send(conn, read(job))

    return serve


class ReadPool(Generic[J, R]):
    """Runs `read` on each job in `workers` processes, within `budget` per job.

    `failed(job, reason)` makes the result for a job whose worker was stopped or died;
    `prepare()`, run in each worker before its memory budget is set and before its first
    file's time budget starts, imports what reading will need (a reader imported under them
    counted against the first file's budgets), within `prepare_seconds`;
    `seconds(job)`, when given, is that job's time budget instead of the budget's.

    Each worker holds up to `depth` jobs, as long as their `cost` (the bytes of the files, say)
    stays within `queued`; it always holds one. Jobs must be small to send (a path, not the
    file's bytes): a worker's pipe holds the queued ones while it writes a result back.
    """

    def __init__(
        self,
        read: Callable[[J], R],
        failed: Callable[[J, str], R],
        budget: Budget,
        workers: int,
        seconds: Callable[[J], float] | None = None,
        depth: int = 1,
        cost: Callable[[J], int] | None = None,
        queued: int = 1 << 20,
        prepare: Callable[[], None] = lambda: None,
        prepare_seconds: float = _PREPARE_SECONDS,
    ) -> None:
        self.serve = _serve_with(read, prepare)
        self.failed = failed
        self.budget = budget
        self.workers = max(1, workers)
        self.seconds = seconds or (lambda _job: budget.seconds)
        self.depth = max(1, depth)
        self.cost = cost or (lambda _job: 0)
        self.queued = queued
        self.prepare_seconds = prepare_seconds

    def run(
        self, jobs: Sequence[J], idle: Callable[[], float | None] | None = None
    ) -> Generator[tuple[J, R], None, None]:
        """Each job with its result, in the order they finish.

        `idle()` is called before waiting on the workers (the caller writes its batch there
        when it is due); it returns None, or at most how many seconds to wait before it is
        called again (the batch falls due then).
        """
        pending = deque(jobs)
        pool: list[_Worker] = []
        ready_of = _Ready() if hasattr(select, "poll") else None
        try:
            for _ in range(min(self.workers, len(pending))):
                pool.append(self._start())
                self._dispatch(pool[-1], pending)
            while busy := [w for w in pool if w.jobs]:
                ready = self._wait(ready_of, busy, 0.0)
                if not ready:
                    pause = idle() if idle is not None else None
                    soonest = min(w.deadline for w in busy) - time.monotonic()
                    if pause is not None:
                        soonest = min(soonest, pause)
                    ready = self._wait(ready_of, busy, max(0.0, soonest))
                for i, worker in enumerate(pool):
                    if not worker.jobs:
                        continue
                    job: J = worker.jobs[0]
                    if not worker.ready and worker.conn in ready and self._started(worker):
                        continue
                    if worker.conn in ready:
                        result = self._receive(worker)
                    elif time.monotonic() >= worker.deadline:
                        reason = (f"reading took over {self.seconds(job):g} s; stopped"
                                  if worker.ready else "the reader process took over "
                                  f"{self.prepare_seconds:g} s to start; stopped")
                        result = self.failed(job, reason)
                    else:
                        continue
                    worker.jobs.popleft()
                    worker.bytes -= self.cost(job)
                    if worker.conn not in ready or not worker.proc.is_alive():
                        # The jobs queued behind this one were never read: they go first
                        # to whichever worker is free next, this one's replacement included.
                        pending.extendleft(reversed(worker.jobs))
                        worker.stop()
                        worker = pool[i] = self._start()
                    elif worker.jobs:  # the worker starts the next one now
                        worker.deadline = time.monotonic() + self.seconds(worker.jobs[0])
                    self._dispatch(worker, pending)
                    yield job, result
        finally:
            for worker in pool:
                with contextlib.suppress(OSError):
                    worker.stop()

    @staticmethod
    def _wait(ready_of: _Ready | None, busy: list[_Worker], timeout: float) -> list[Any]:
        if ready_of is None:  # no poll() on this system
            return wait([w.conn for w in busy], timeout=timeout)
        return ready_of(busy, timeout)

    def _started(self, worker: _Worker) -> bool:
        """Read a worker's `_READY` and start its first file's budget; False if it died
        before (its first file fails as a death, `_receive`)."""
        try:
            worker.conn.recv_bytes()
        except (EOFError, OSError):
            return False
        worker.ready = True
        worker.deadline = time.monotonic() + self.seconds(worker.jobs[0])
        return True

    def _receive(self, worker: _Worker) -> R:
        try:
            result: R = _recv(worker.conn)
        except (EOFError, OSError):
            worker.proc.join()
            return self.failed(worker.jobs[0], f"the reader process died (exit code "
                                               f"{worker.proc.exitcode}); a memory or stack "
                                               "limit?")
        return result

    def _start(self) -> _Worker:
        worker = _Worker(self.serve, self.budget.memory)
        worker.deadline = time.monotonic() + self.prepare_seconds
        return worker

    def _dispatch(self, worker: _Worker, pending: deque[J]) -> None:
        """Queue jobs on `worker` up to its depth and cost, in one message.

        A worker with fewer than `_GROUP` free places gets nothing yet: it takes jobs a group
        at a time, where one job a message cost both sides a pickling and a system call or two
        per file (issue 14). Small groups keep the queue near its depth, which is what lets a
        worker read on while the parent writes a batch; refilled only from half its depth, a
        worker would start a batch write with as few as 16 files queued.
        """
        if len(worker.jobs) > max(0, self.depth - _GROUP):
            return
        group: list[J] = []
        while pending and len(worker.jobs) < self.depth and (
                not worker.jobs or worker.bytes + self.cost(pending[0]) <= self.queued):
            job = pending.popleft()
            if not worker.jobs and worker.ready:
                worker.deadline = time.monotonic() + self.seconds(job)
            worker.jobs.append(job)
            worker.bytes += self.cost(job)
            group.append(job)
        if group:
            # A worker that died before reading (its `prepare` took the process down) has
            # closed its end: the jobs stay queued on it, and its death is read like any
            # other (`_receive`: the first fails, the rest go to its replacement).
            with contextlib.suppress(OSError):
                _send(worker.conn, group)
