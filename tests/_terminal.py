"""Run a command on a real pseudo-terminal, as a user's shell would, and read all it shows."""

from __future__ import annotations

import os
import pty
import subprocess
from collections.abc import Sequence


def on_a_terminal(command: Sequence[str], columns: int = 80) -> tuple[int, str]:
    """The exit code of `command` and everything it wrote to a terminal `columns` wide."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "xterm"}
    proc = subprocess.Popen(list(command), stdin=follower, stdout=follower, stderr=follower,
                            env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(), b"".join(chunks).decode("utf-8", "replace")
