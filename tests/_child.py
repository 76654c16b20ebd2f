"""A child process's next line, read with a deadline.

A bare `proc.stdout.readline()` blocks until the child writes a line or closes the pipe: a
child that hangs without a line (a deadlock, a lock never given up, a server that never comes
up) hangs the test with it, past any ceiling, and says nothing of why. `readline` reads the
line on a thread of its own and waits for it at most DEADLINE seconds; past it the child is
killed (so that the pipe closes and the reading thread ends) and the test fails, saying what
it waited for. The pipe is the caller's again once the line is read: its later lines, the
child's `communicate()`, are read as before.
"""
from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from typing import IO, AnyStr, Generic

# As tests/test_watch.py's: a ceiling for a child that hangs, never a time a test measures (a
# loaded machine gives a niced child a few percent of a core).
DEADLINE = 600.0


def readline(proc: subprocess.Popen[AnyStr], stream: IO[AnyStr] | None = None,
             deadline: float = DEADLINE) -> AnyStr:
    """The next line `proc` writes to `stream` (its stdout unless named), "" or b"" at the
    end of the stream; the child killed and the test failed if no line comes within
    `deadline` seconds."""
    pipe = proc.stdout if stream is None else stream
    assert pipe is not None, "the child's output is not a pipe"
    got: list[AnyStr] = []
    failed: list[BaseException] = []

    def read() -> None:
        try:
            got.append(pipe.readline())
        except BaseException as e:  # raised again on the test's thread, below
            failed.append(e)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(deadline)
    if reader.is_alive():
        proc.kill()
        proc.wait()
        reader.join(5)
        raise AssertionError(f"no line from the child (pid {proc.pid}) within {deadline:.0f} s; "
                             "killed")
    if failed:
        raise failed[0]
    return got[0]


class Lines(Generic[AnyStr]):
    """A child's output read line by line, each line with `readline`'s deadline."""

    def __init__(self, proc: subprocess.Popen[AnyStr], stream: IO[AnyStr] | None = None) -> None:
        self.proc = proc
        self.stream = stream

    def readline(self) -> AnyStr:
        return readline(self.proc, self.stream)

    def __iter__(self) -> Iterator[AnyStr]:
        while line := self.readline():
            yield line
