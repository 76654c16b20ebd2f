"""Review of round 46's checks at opening kept in the mark at each commit (review46b).

- A write's state before (taken at BEGIN, the write lock held) and after its commit framed
  all of the write's time as its own: a file copied over the store (in place, `cp`) while a
  writer was inside its transaction was marked sound at the commit, and the next opening ran
  no check on the torn file. Since round 46 that mark is written at every commit, so a
  long-lived writer (`watch`, `serve`, the embed worker) left it so even when killed. In WAL
  mode a transaction writes the log alone: the file itself changed by its commit is someone
  else's change, and the checks are no longer carried.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from grimoire.errors import CorruptDatabase
from grimoire.store import sqlite_checked
from tests._child import readline
from tests.hostile.test_review45b import _checked_whole, large  # noqa: F401 - a fixture
from tests.hostile.test_round45 import _checks_at_opening, _torn_in_its_index_alone

# A writer inside a transaction until told to commit; then alive, never closed (killed).
_WRITER = """
import sys, time
from grimoire.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1], create=False)
with store.transaction() as conn:
    conn.execute("CREATE TABLE scratch(x)")
    print("writing", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
time.sleep(60)
"""


@pytest.mark.sqlite_only(reason="splices the pages of a SQLite file")
@pytest.mark.usefixtures("large")
def test_a_torn_copy_over_the_store_during_a_write_is_not_marked_sound(tmp_path: Path) -> None:
    sound, torn = _torn_in_its_index_alone(tmp_path)
    _checked_whole(sound)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(sound)], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdin is not None and child.stdout is not None
        assert readline(child).strip() == "writing"
        sound.write_bytes(torn.read_bytes())  # `cp` over it: the same inode
        child.stdin.write("\n")
        child.stdin.flush()
        assert readline(child).strip() == "committed"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        for pipe in (child.stdin, child.stdout):
            if pipe is not None:
                pipe.close()
    state = sqlite_checked.file_state(str(sound))
    assert state is not None
    known, _ = sqlite_checked.passed(str(sound), state)
    assert known == frozenset()  # on 237b0ed4: every check at opening, "sound"
    with pytest.raises(CorruptDatabase, match="full-text index"):  # on 237b0ed4: opened
        for _ in range(3):  # cut short at once (twice: the first close folds the log in)
            _checks_at_opening(sound)
