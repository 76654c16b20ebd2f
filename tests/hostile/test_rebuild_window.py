"""`grimoire rebuild`'s last moment and what it leaves behind (RELIABILITY 1, 3).

Between its last check and the rename that swaps the new file in, a process could open the
old file, write and close it: its note went into what became NAME.old, and the store lost it
without a word (round 38, read in the code). The rename is slowed here (the rebuild's process
waits before it), and a note is ingested into the store in that moment. Each rebuild also kept
one more whole copy of the store, NAME.old, NAME.old.2, ... and nothing removed them. Real
processes and files.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import StoreError
from grimoire.store import sqlite_health
from tests._child import readline
from tests.conftest import write_notes

pytestmark = pytest.mark.sqlite_only(reason="rebuild swaps SQLite files")
ENV = {**os.environ, "PYTHONPATH": str(Path(grimoire.__file__).parents[1])}
def _store(tmp_path: Path, notes: int = 3) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(notes):
        (folder / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is a thing of ours.\n")
    db = tmp_path / "store" / "kb.db"
    db.parent.mkdir()
    with grimoire.open(db) as kb:
        kb.ingest([folder], embed=False)
    return db


def _terms(db: Path) -> set[str]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return {term for (term,) in conn.execute("SELECT term FROM entries")}
    finally:
        conn.close()


def _late_note(tmp_path: Path) -> Path:
    late = write_notes(tmp_path / "late", {
        "quokka.md": "# Quokka\n\nQuokka is a note stored as rebuild swaps.\n",
    })
    return late


# `grimoire rebuild`, whose rename of the new file over the store's path waits 1.5 s as it
# starts. Until round 55 strace slowed every rename of the process (`inject=...:delay_enter`):
# the four writes of its `.checked` mark and each module's bytecode written as it was
# imported (scripts/test.sh writes it), 1.5 s each, 8-11 s a test in a fresh clone for the
# one rename the test is about; and the tests were skipped where ptrace is not allowed.
SLOWED_REBUILD = """
import os, sys, time
from grimoire.cli import run
db = sys.argv[1]
def slowed(rename):
    def slowed_rename(source, target, *args, **kwargs):
        if os.fspath(target) == db:
            print("a rename onto the store slowed", flush=True)
            time.sleep(1.5)
        rename(source, target, *args, **kwargs)
    return slowed_rename
os.replace, os.rename = slowed(os.replace), slowed(os.rename)
sys.argv[1:] = ["--db", db, "rebuild", "--no-embed"]
run(prog_name="grimoire")  # as `python -m grimoire` runs it
"""


def _slowed_rebuild(db: Path, kept_name: str) -> tuple[subprocess.Popen[str], Path]:
    """`grimoire rebuild` of `db` whose rename of the new file over `db` waits 1.5 s as it
    starts, once the copy of the old file (`kept_name`, a hard link made just before that
    rename) is there. It says so in its output: a swap made another way would
    not be slowed, and the test would no longer test the moment."""
    child = subprocess.Popen([sys.executable, "-c", SLOWED_REBUILD, str(db)], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    kept = db.with_name(kept_name)
    while not kept.exists():
        assert child.poll() is None, child.communicate()
        time.sleep(0.01)
    return child, kept


def test_a_note_stored_in_the_moment_before_the_swap_is_in_the_store(tmp_path: Path) -> None:
    db = _store(tmp_path)
    late = _late_note(tmp_path)
    child, kept = _slowed_rebuild(db, "kb.db.old")
    with grimoire.open(db) as kb:  # waits for the swap, then writes into the new file
        assert kb.ingest([late], embed=False).added == 1
    out, _ = child.communicate(timeout=300)
    assert child.returncode == 0, out
    assert "a rename onto the store slowed" in out, out
    assert "Quokka" in _terms(db), (sorted(_terms(db)), sorted(_terms(kept)))
    assert _terms(db) == {"Term 0", "Term 1", "Term 2", "Quokka"}
    with grimoire.open(db) as kb:
        assert kb.store.integrity_check() == "ok"
    # Nothing of the old file's log lies beside the new one.
    assert not Path(f"{db}-journal").exists()


def _ingest(new: str, roots: list[str]) -> None:
    with grimoire.open(new) as kb:
        kb.ingest(roots, embed=False)


def test_rebuild_keeps_two_old_copies_and_never_a_damaged_ones_place(tmp_path: Path) -> None:
    db = _store(tmp_path, notes=2)
    damaged = db.with_name("kb.db.damaged")
    damaged.write_bytes(b"kept as evidence")  # a damaged file an earlier rebuild set aside
    kept_names = []
    for n in range(3):
        health, kept = sqlite_health.rebuild(str(db), _ingest)
        assert health.ok, health.problems
        kept_names.append(Path(kept).name)
        olds = sorted(p.name for p in db.parent.glob("kb.db.old*"))
        # The copy just made, and the one before it: never more than two.
        assert Path(kept).name in olds and len(olds) == min(n + 1, 2), (n, olds)
        if n >= 2:
            assert any("removed" in notice and "kb.db.old" in notice
                       for notice in health.notices), health.notices
    assert damaged.read_bytes() == b"kept as evidence"
    # The two kept are the last two rebuilds' (each a whole store of the notes).
    olds = {p.name for p in db.parent.glob("kb.db.old*") if p.suffix not in (".wal", ".shm")}
    assert kept_names[-1] in olds
    for name in olds:
        assert _terms(db.parent / name) == {"Term 0", "Term 1"}
    assert _terms(db) == {"Term 0", "Term 1"}


INGEST = """
import sys
import grimoire
with grimoire.open(sys.argv[1]) as kb:
    print(kb.ingest([sys.argv[2]], embed=False).added)
"""


def _has_open(pid: int, inode: int) -> bool:
    """Whether process `pid` holds a file of `inode` open (Linux /proc)."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if fd.stat().st_ino == inode:
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc")
def test_an_opener_that_waited_while_a_file_was_renamed_over_the_path_opens_the_new_one(
        tmp_path: Path) -> None:
    """What rebuild's lock relies on, without strace: a process opening the store waits for
    the lock another holds; meanwhile another file is renamed over the path. It must write
    into the file now at the path, not into the one it waited on."""
    db = _store(tmp_path, notes=2)
    new = db.with_name("new.db")
    shutil.copyfile(db, new)
    late = write_notes(tmp_path / "late", {
        "quokka.md": "# Quokka\n\nQuokka is a note stored after a swap.\n",
    })
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")  # readers wait too
    child = subprocess.Popen([sys.executable, "-c", INGEST, str(db), str(late)], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waited_on = db.stat().st_ino
    while not _has_open(child.pid, waited_on):  # it opened kb.db and waits for the lock
        assert child.poll() is None, child.communicate()
        time.sleep(0.02)
    time.sleep(0.3)
    old = db.with_name("kb.db.was")
    os.link(db, old)
    new.replace(db)
    holder.execute("ROLLBACK")
    holder.close()
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0 and out.strip() == "1", (out, err)
    assert "Quokka" in _terms(db)
    assert "Quokka" not in _terms(old)


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="rebuild marks its copies by xattr")
def test_rebuild_removes_only_the_copies_it_made(tmp_path: Path) -> None:
    """`kb.db.old` made by the user (`cp kb.db kb.db.old` before an upgrade) is theirs: the
    third rebuild removed it as the oldest `NAME.old*` (round 39's leftover). So is a copy
    rebuild made that the user wrote into since. Only rebuild's own, unchanged, may go."""
    probe = tmp_path / "xattr-probe"
    probe.write_bytes(b"")
    try:  # a tmpfs before Linux 6.6 keeps no user xattrs: rebuild then marks and removes none
        os.setxattr(probe, "user.grimoire.probe", b"1")
    except OSError:
        pytest.skip("the test folder's file system keeps no user extended attributes")
    probe.unlink()
    db = _store(tmp_path, notes=2)
    mine = db.with_name("kb.db.old")
    shutil.copyfile(db, mine)  # the user's own copy, under the name rebuild uses
    theirs = mine.read_bytes()
    made = []
    for n in range(4):
        health, kept = sqlite_health.rebuild(str(db), _ingest)
        assert health.ok, health.problems
        made.append(Path(kept))
        assert mine.read_bytes() == theirs, n
        if n == 1:  # the user writes a note of theirs into the first copy rebuild made
            extra = write_notes(tmp_path / "extra", {
                "x.md": "# Xerus\n\nXerus is a note kept in a copy.\n",
            })
            with grimoire.open(made[0]) as kb:
                assert kb.ingest([extra], embed=False).added == 1
    assert made[0].name == "kb.db.old.2" and made[0].is_file()
    assert "Xerus" in _terms(made[0])  # written into since: the user's now, kept
    # rebuild's own, unchanged: the two newest kept, the one before them removed.
    assert not made[1].exists() and made[2].is_file() and made[3].is_file(), made
    said = " ".join(notice for notice in health.notices if "removed" in notice)
    assert made[1].name in said and "kb.db.old " not in said and "kb.db.old.2" not in said, said
    assert _terms(db) == {"Term 0", "Term 1"} and _terms(mine) == {"Term 0", "Term 1"}


# A child that opens the store, stops at a point of `connect` (argv[3], an event and a
# function: right after it found the file at the path to be the one it opened, or as it
# starts the switch to WAL) until a line comes on its stdin, then stores a note. The stop is
# what the scheduler can do to any process at that moment; nothing of Grimoire is replaced.
PAUSED_OPEN = """
import sys
import grimoire
from grimoire.store import sqlite as store_sqlite

event_at, function = sys.argv[3].split(":")
at = getattr(store_sqlite, function).__code__
stopped = []


def stop_after_the_check(frame, event, arg):
    if event == event_at and frame.f_code is at and not stopped:
        stopped.append(1)
        print("checked", flush=True)
        sys.stdin.readline()


sys.setprofile(stop_after_the_check)
kb = grimoire.open(sys.argv[1])
sys.setprofile(None)
print(kb.ingest([sys.argv[2]], embed=False).added, flush=True)
kb.close()
"""


def _journal_mode(db: Path) -> str:
    """The file's own journal mode, from its header (byte 18: 1 rollback, 2 WAL)."""
    return {1: "rollback", 2: "wal"}[db.read_bytes()[18]]


@pytest.mark.parametrize("stop", ["return:_replaced", "call:_use_wal"])
def test_a_rebuild_between_an_openers_check_and_its_next_statement_loses_nothing(
        tmp_path: Path, stop: str) -> None:
    """Right after a rebuild the store is in a rollback journal's mode, in which an opener
    holds no lock between two statements. A second rebuild could take its lock after the
    opener's replaced-file check, rename its file over the path and let go: the opener went
    on writing into the old file, now NAME.old, through a -wal named for the new one (round
    39's leftover: "the microseconds between connect's check and its next statements")."""
    db = _store(tmp_path, notes=2)
    sqlite_health.rebuild(str(db), _ingest)
    assert _journal_mode(db) == "rollback"
    late = _late_note(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", PAUSED_OPEN, str(db), str(late), stop],
                             env=ENV,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    try:
        assert readline(child).strip() == "checked", child.communicate()
        try:
            sqlite_health.rebuild(str(db), _ingest)
            swapped = True
        except StoreError as e:  # the opener holds the file: refused, nothing changed
            assert "is open in another process" in str(e) and str(db) in str(e), e
            swapped = False
        child.stdin.write("\n")
        child.stdin.flush()
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0 and out.strip() == "1", (out, err)
    # The note is in the file at the path, and that file is whole.
    assert _terms(db) == {"Term 0", "Term 1", "Quokka"}, sorted(_terms(db))
    with grimoire.open(db) as kb:
        assert kb.store.integrity_check() == "ok"
        assert {e.entry.term for e in kb.entries()} == {"Term 0", "Term 1", "Quokka"}
    # Held from its check on, the opener made the rebuild wait; stopped after the file was let
    # go, it found the new file at the path and wrote there.
    assert swapped == (stop == "call:_use_wal"), swapped


def _digest(file: Path) -> str:
    import hashlib

    return hashlib.sha256(file.read_bytes()).hexdigest()


def test_a_note_stored_as_a_damaged_store_is_swapped_is_in_the_new_store(tmp_path: Path) -> None:
    """Round 39's leftover: rebuild held a sound file locked up to the swap, but not a damaged
    one (its log must not be folded into it: it is kept as it is). Damage SQLite's check at
    opening cannot see (a JSON value no longer JSON) lets an ingest open the file: a note it
    stored just before the swap went into NAME.damaged, and the store lost it."""
    db = _store(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE sources SET problems = '[not json' WHERE id = 1")
    conn.commit()
    conn.close()
    assert not sqlite_health.check(str(db)).ok
    damaged_bytes = _digest(db)
    late = _late_note(tmp_path)
    child, kept = _slowed_rebuild(db, "kb.db.damaged")
    with grimoire.open(db) as kb:  # waits for the swap, then writes into the new file
        assert kb.ingest([late], embed=False).added == 1
    out, _ = child.communicate(timeout=300)
    assert child.returncode == 0, out
    assert "a rename onto the store slowed" in out, out
    assert _terms(db) == {"Term 0", "Term 1", "Term 2", "Quokka"}, (
        sorted(_terms(db)), sorted(_terms(kept)))
    assert sqlite_health.check(str(db)).ok
    # The damaged file is kept as it was: nothing was written into it or folded into it.
    assert _digest(kept) == damaged_bytes
