"""The reader pool: a worker reads on while the parent is busy elsewhere (writing a batch)."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from grimoire._readpool import _SEND_BUFFER, Budget, ReadPool

RESULT = 64 * 1024  # a large note's rows


def _read(job: tuple[str, int]) -> bytes:
    folder, k = job
    (Path(folder) / f"{k}.done").touch()  # before its result is sent
    return b"x" * RESULT


def _failed(job: tuple[str, int], reason: str) -> bytes:
    return reason.encode()


def test_a_worker_reads_on_while_the_parent_reads_nothing(tmp_path: Path) -> None:
    """The parent takes one result and then reads nothing (as while it writes a batch): the
    worker still reads every job queued to it, its results waiting in the pipe. The socket's
    default buffer (208 KB) holds about three of them: without `_widen` the worker stopped
    there and this test failed."""
    wmem_max = Path("/proc/sys/net/core/wmem_max")
    if not wmem_max.exists() or int(wmem_max.read_text()) < _SEND_BUFFER:
        pytest.skip("the system caps a socket's send buffer below the pool's")
    jobs = [(str(tmp_path), k) for k in range(16)]
    pool = ReadPool(_read, _failed, Budget(60, 1 << 30), workers=1, depth=16)
    results = pool.run(jobs)
    try:
        first = next(results)
        deadline = time.monotonic() + 20
        while len(list(tmp_path.glob("*.done"))) < len(jobs) and time.monotonic() < deadline:
            time.sleep(0.02)
        done = len(list(tmp_path.glob("*.done")))
        rest = list(results)
    finally:
        results.close()
    assert done == len(jobs)
    assert [job for job, _ in [first, *rest]] == jobs
    assert all(result == b"x" * RESULT for _, result in [first, *rest])


class _Finalized:
    """Writes `marker` when it is finalized in a process other than the one that made it."""

    def __init__(self, marker: Path) -> None:
        self.marker, self.pid, self.cycle = marker, os.getpid(), self

    def __del__(self) -> None:
        if os.getpid() != self.pid:
            self.marker.write_text(str(os.getpid()))


def _collect(job: tuple[str, int]) -> bytes:
    gc.collect()  # what a worker's own allocations do sooner or later
    return b"read"


def test_a_worker_never_finalizes_what_its_parent_left_for_collection(tmp_path: Path) -> None:
    """A forked worker inherits the parent's unreachable cycles. Collected there, an embedding
    model's onnxruntime session was destroyed in the worker, where its thread pool's threads do
    not exist, and the worker hung in pthread_cond_destroy until its time budget killed it: the
    file was read as failed (a PostgreSQL test pass, a store's model left from an earlier test).
    The worker must leave the parent's objects alone."""
    marker = tmp_path / "finalized-in-a-worker"
    gc.disable()  # the cycle must still be there when the worker starts
    try:
        _Finalized(marker)  # unreachable at once, but for its own cycle
        pool = ReadPool(_collect, _failed, Budget(60, 1 << 30), workers=1)
        assert [result for _, result in pool.run([(str(tmp_path), 0)])] == [b"read"]
    finally:
        gc.enable()
        gc.collect()  # here, in its own process: no marker
    assert not marker.exists(), f"finalized in worker {marker.read_text()}"


def _read_slowly(job: tuple[str, int]) -> bytes:
    folder, _k = job
    (Path(folder) / "reading").write_text(str(os.getpid()))
    time.sleep(300)  # a long read
    return b""


def test_a_worker_ends_on_sigterm_whatever_handler_its_parent_had(tmp_path: Path) -> None:
    """`serve` runs under uvicorn, whose SIGTERM handler only notes the signal; a worker forked
    there inherited it, and the parent's exit (which terminates its daemon workers and waits
    for them) waited for the file the worker was reading: Ctrl-C of `serve --watch` during a
    long read took 15-20 s to stop (round 41)."""
    import signal
    import threading

    noted: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda signum, _frame: noted.append(signum))
    pool = ReadPool(_read_slowly, _failed, Budget(600, 1 << 30), workers=1)
    results = pool.run([(str(tmp_path), 0)])
    reader = threading.Thread(target=lambda: list(results), daemon=True)
    try:
        reader.start()
        deadline = time.monotonic() + 60
        # Until the pid is in it: `write_text` creates the file before it writes.
        while not ((tmp_path / "reading").exists() and (tmp_path / "reading").read_text()) \
                and time.monotonic() < deadline:
            time.sleep(0.02)
        pid = int((tmp_path / "reading").read_text())
        os.kill(pid, signal.SIGTERM)
        reader.join(60)  # the pool reports the dead worker's job as failed, and ends
        assert not reader.is_alive(), "the worker read on after SIGTERM"
    finally:
        signal.signal(signal.SIGTERM, before)
        if reader.is_alive():
            os.kill(pid, signal.SIGKILL)
            reader.join(10)


def _die_on_three(job: tuple[str, int]) -> bytes:
    if job[1] == 3:
        os._exit(3)  # a reader that takes its process down (a stack overflow in C, say)
    return b"r%d" % job[1] * (job[1] * 9000)  # results of 0 to 90 KB: some span two reads


def test_a_worker_that_dies_costs_the_file_it_was_reading_only(tmp_path: Path) -> None:
    """The parent reads the results a worker sent in bulk (`_Inbox`): those sent before it
    died are all delivered, the file it died on fails with its exit code, and the files
    queued behind it are read by its replacement."""
    jobs = [(str(tmp_path), k) for k in range(11)]
    pool = ReadPool(_die_on_three, _failed, Budget(60, 1 << 30), workers=1, depth=16)
    results = dict(pool.run(jobs))
    assert sorted(results) == jobs
    for job, result in results.items():
        if job[1] == 3:
            assert b"reader process died (exit code 3)" in result
        else:
            assert result == b"r%d" % job[1] * (job[1] * 9000)


def _start_slowly() -> None:
    time.sleep(1.2)  # a worker's imports, longer than a file's budget (a cold cache, a load)


def _start_never() -> None:
    time.sleep(300)  # imports that hang


def test_a_workers_imports_are_not_its_first_files_time(tmp_path: Path) -> None:
    """Round 52: the first file's time budget started when it was sent, and the worker's
    `prepare` (its reader imports) ran on it: imports longer than the budget failed a file
    that reads at once ("reading took over 1 s"). It starts once the worker is ready; a
    `prepare` that never ends is still stopped, after `prepare_seconds`."""
    jobs = [(str(tmp_path), k) for k in range(2)]
    pool = ReadPool(_read, _failed, Budget(1, 1 << 30), workers=1, prepare=_start_slowly)
    assert [result for _, result in pool.run(jobs)] == [b"x" * RESULT] * 2
    pool = ReadPool(_read, _failed, Budget(60, 1 << 30), workers=1, prepare=_start_never,
                    prepare_seconds=0.5)
    results = pool.run(jobs)
    try:
        first = next(results)
    finally:
        results.close()  # the second job's worker, which never starts either
    assert first == (jobs[0], b"the reader process took over 0.5 s to start; stopped")



_IMPORTED: list[list[int]] = []


def _import_much() -> None:
    _IMPORTED.extend([k] for k in range(20_000))  # a reader's modules, made in `prepare`


def _frozen(job: int) -> int:
    return gc.get_freeze_count()


def test_a_workers_imports_are_frozen_before_it_reads(tmp_path: Path) -> None:
    """Issue 14: what a worker's `prepare` made (its reader imports, kept for its whole life) is
    frozen before the first file, as the parent's objects are across the fork, so that the
    worker's full collections do not walk it again and again."""
    gc.collect()
    pool = ReadPool(_frozen, lambda job, reason: -1, Budget(60, 1 << 30), workers=1,
                    prepare=_import_much)
    parent = gc.get_freeze_count() + len(gc.get_objects())  # at most what the fork froze
    [(_, frozen)] = list(pool.run([0]))
    assert frozen >= parent + 15_000  # without the freeze: the fork's alone, within a few hundred

def _exit_at_start() -> None:
    os._exit(4)  # a reader's import that takes its process down


def test_a_worker_dead_before_its_first_read_fails_its_files_and_stops_nothing() -> None:
    """Round 52 (lead): a worker whose `prepare` ended its process before it read its pipe
    made the parent's send to it raise BrokenPipeError, and the whole run stopped (3 of 10
    runs of 40 files on the round's merge). Each file now fails as a death and the run goes
    on; 100 files give the race many chances to come up."""
    jobs = [("unused", k) for k in range(100)]
    pool = ReadPool(_read, _failed, Budget(60, 1 << 30), workers=1, prepare=_exit_at_start)
    results = dict(pool.run(jobs))
    assert sorted(results) == jobs
    assert set(results.values()) == {
        b"the reader process died (exit code 4); a memory or stack limit?"}
