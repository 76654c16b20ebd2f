"""Review of round 45's checks at opening kept in the mark (review45b).

- Every write changes the file's state, so the first two openings after an ingest into a
  store past 10 MB ran the checks again, the second one whole (7.2 s on a 100k-passage store
  on the branch hostile45): a `grimoire search` after each ingest. A store changed only by
  this process since its opening checked it whole now keeps those checks in the mark at its
  clean close (each commit since round 46); a file changed by anyone else, or a process
  killed mid-write, gets them run again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import CorruptDatabase
from grimoire.store import sqlite as store_sqlite
from grimoire.store import sqlite_checked
from tests._child import Lines
from tests.conftest import ingested, write_notes
from tests.hostile.test_round45 import _checks_at_opening, _torn_in_its_index_alone


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    # A budget of 0 s is what 0.1 s is to a store past 10 MB; "settled" at once (the 2 s wait
    # is for coarse file clocks). A new process: nothing found sound in memory.
    monkeypatch.setattr(store_sqlite, "OPEN_CHECK_BUDGET", 0.0)
    monkeypatch.setattr(sqlite_checked, "_SETTLED_NS", 0)
    monkeypatch.setattr(store_sqlite, "_CHECKED_AT_OPEN", {})


def _checked_whole(db: Path) -> None:
    """`db` opened until its checks at opening are all kept in its mark: at once for a store
    an ingest made (its maker marks it, round 50), in two openings for any other."""
    state = sqlite_checked.file_state(str(db))
    if state is None or not sqlite_checked.passed(str(db), state)[0]:
        _checks_at_opening(db)  # cut short at once
        assert "PRAGMA quick_check(1)" in _checks_at_opening(db)  # the rest, whole
    assert _checks_at_opening(db) == []


@contextmanager
def killed_after(child: subprocess.Popen[str]) -> Iterator[Lines[str]]:
    """The child's output to read, each line within `tests._child`'s deadline; the child
    killed (SIGKILL) and reaped when the block ends, whether its reading passed or not."""
    assert child.stdout is not None
    try:
        yield Lines(child)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()


def rewrite_a_page(db: Path) -> None:
    """A change no Grimoire writer makes: a program writing the store's second page back as
    it was (the file's times move, its bytes do not)."""
    with db.open("r+b") as f:
        f.seek(4096)
        page = f.read(4096)
        f.seek(4096)
        f.write(page)


def checked_store(tmp_path: Path) -> tuple[Path, Path]:
    """A notes folder of one note and `kb.db` ingested from it, its checks all kept."""
    notes = write_notes(tmp_path / "notes", {"a.md": "# Quokka\n\nA small marsupial.\n"})
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False):
        pass
    _checked_whole(db)
    return notes, db


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
def test_an_ingest_then_searches_do_not_check_the_store_again(
        tmp_path: Path, large: None) -> None:
    notes, db = checked_store(tmp_path)
    state = sqlite_checked.file_state(str(db))
    write_notes(notes, {"a.md": "# Quokka\n\nA small marsupial of Rottnest.\n",
                        "b.md": "# Zebrafish\n\nA fish.\n"})
    with grimoire.open(db) as kb:  # an ingest, then three searches: none checks again
        kb.ingest([notes], embed=False)
    assert sqlite_checked.file_state(str(db)) != state
    for _ in range(3):  # on 7cbae6ee: cut short at once, then the whole check
        assert _checks_at_opening(db) == []
    with grimoire.open(db) as kb:
        assert kb.search("Rottnest", mode="lexical")
    assert _checks_at_opening(db) == []

    # Changed by someone else (a program writing the same bytes back): checked again.
    rewrite_a_page(db)
    _checks_at_opening(db)
    assert "PRAGMA quick_check(1)" in _checks_at_opening(db)


@pytest.mark.sqlite_only(reason="splices the pages of a SQLite file")
def test_a_torn_copy_over_an_open_store_is_still_refused(tmp_path: Path, large: None) -> None:
    sound, torn = _torn_in_its_index_alone(tmp_path)
    _checked_whole(sound)
    # `cp` over the same file (same inode) while a process has it open: its close carries
    # nothing.
    with grimoire.open(sound):
        sound.write_bytes(torn.read_bytes())
    _checks_at_opening(sound)
    with pytest.raises(CorruptDatabase, match="full-text index"):
        _checks_at_opening(sound)


_WRITER = """
import sys, time
from grimoire.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1], create=False)
store.conn.execute("PRAGMA cache_size = 10")  # pages go to the log as they are written
if sys.argv[2] == "mid-write":
    with store.transaction() as conn:
        conn.execute("CREATE TABLE scratch(x)")
        conn.executemany("INSERT INTO scratch VALUES (?)", ((i,) for i in range(50_000)))
        print("writing", flush=True)
        time.sleep(60)
with store.transaction() as conn:
    conn.execute("CREATE TABLE scratch(x)")
print("committed", flush=True)
if sys.argv[2] == "closed":
    store.close()
    print("closed", flush=True)
time.sleep(60)
"""


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
def test_a_writer_killed_leaves_the_store_unknown_never_sound(
        tmp_path: Path, large: None) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Quokka\n\nA small marsupial.\n"})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    children = {}
    for how in ("mid-write", "committed", "closed"):  # side by side: one start-up's time
        (tmp_path / how).mkdir()
        db = tmp_path / how / "kb.db"
        with ingested(db, notes, embed=False):
            pass
        _checked_whole(db)
        children[how] = subprocess.Popen([sys.executable, "-c", _WRITER, str(db), how],
                                         env=env, stdout=subprocess.PIPE, text=True)
    for how, child in children.items():
        db = tmp_path / how / "kb.db"
        with killed_after(child) as said:
            for line in said:
                if line.strip() in {"writing", how}:
                    break
        state = sqlite_checked.file_state(str(db))
        assert state is not None
        known, _ = sqlite_checked.passed(str(db), state)
        if how != "mid-write":  # a commit carries them (round 46; on a clean close only before)
            assert any("quick_check" in check for check in known), how
            assert _checks_at_opening(db) == [], how
        else:
            assert known == frozenset(), how
            # checked again (the first opening's close folds the log in: a new state again)
            assert any("PRAGMA quick_check(1)" in _checks_at_opening(db)
                       for _ in range(3)), how
