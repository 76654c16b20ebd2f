"""Round 57 (hostile57): what rounds 56 left of failures that lose what is stored.

- NAME-shm (the index of the write-ahead log) deleted while a process (A) had the store open,
  another process (B) then writing: A's next write was refused (review56b), but A's close
  still folded the log into the file by A's stale index and deleted the log, and B's notes
  were lost. A process whose index was replaced now holds the log (an OFD lock on SQLite's
  SHARED range): its close leaves the log whole, and the next opening keeps B's commits. So
  does a process that ends with the store open, having only read.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing, suppress
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import RefusedValue, StoreError
from tests.conftest import write_notes
from tests.hostile.test_round55 import NOTES, _paths
from tests.hostile.test_round56 import _failed_write, _refuse

LORA = {"lora.md": "# LoRA\n\nLoRA trains two small matrices.\n"}
GRIMOIRE = str(Path(sys.executable).with_name("grimoire"))


def _other_process_ingests(db: Path, folder: Path) -> None:
    other = subprocess.run([GRIMOIRE, "--db", str(db), "ingest", str(folder), "--no-embed"],
                           capture_output=True, text=True, timeout=300)
    assert other.returncode == 0, other.stderr


def _closed_after_a_refused_write(tmp_path: Path) -> Path:
    """A (this process) ingests, its NAME-shm is deleted, B (another process) ingests lora.md
    into the log A's index does not know, A's next write (adam.md gone) is refused, and A
    closes. Returns the store's path."""
    notes = write_notes(tmp_path / "notes", NOTES)
    more = write_notes(tmp_path / "more", LORA)
    db = tmp_path / "kb.db"
    kb = grimoire.open(db)
    try:
        kb.ingest([notes], embed=False)
        Path(f"{db}-shm").unlink()
        _other_process_ingests(db, more)
        (notes / "adam.md").unlink()
        with pytest.raises(StoreError, match=r"kb\.db-shm, the index of its log"):
            kb.ingest([notes], embed=False)
    finally:
        kb.close()  # main: folded its stale index's pages and deleted the log: lora.md lost
    return db


@pytest.mark.sqlite_only(reason="SQLite's log index beside the file, another process writing")
def test_a_log_index_deleted_under_an_open_store_loses_nothing_at_its_close(
        tmp_path: Path) -> None:
    db = _closed_after_a_refused_write(tmp_path)
    assert _paths(db) == {"dropout.md", "adam.md", "lora.md"}
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with grimoire.open(db) as again:
        assert again.search("LoRA small matrices", mode="lexical")


@pytest.mark.sqlite_only(reason="SQLite's log index beside the file, another process writing")
def test_a_store_opened_again_after_its_log_index_was_replaced_refuses_to_write(
        tmp_path: Path) -> None:
    """A second store of the same process opened after NAME-shm was replaced reads and writes
    through the index the first one mapped (SQLite shares it in a process), stale: it recorded
    the new -shm as its own, wrote over the other process's commits, and lost them."""
    notes = write_notes(tmp_path / "notes", NOTES)
    more = write_notes(tmp_path / "more", LORA)
    third = write_notes(tmp_path / "third", {"gelu.md": "# GELU\n\nGELU weighs inputs.\n"})
    db = tmp_path / "kb.db"
    kb = grimoire.open(db)
    try:
        kb.ingest([notes], embed=False)
        Path(f"{db}-shm").unlink()
        _other_process_ingests(db, more)
        with grimoire.open(db) as again, \
                pytest.raises(StoreError, match=r"kb\.db-shm, the index of its log"):
            again.ingest([third], embed=False)  # main: "added 1", over lora.md's pages
    finally:
        kb.close()
    assert _paths(db) == {"dropout.md", "adam.md", "lora.md"}
    with grimoire.open(db) as after:  # every process gone: a store of its own again
        assert after.ingest([third], embed=False).added == 1
    assert _paths(db) == {"dropout.md", "adam.md", "lora.md", "gelu.md"}


# A process that opens the store, reads it, waits for a line on stdin, searches again and
# ends with the store open (no close: Python closes the connection as it ends).
_READER = textwrap.dedent("""
    import sys
    import grimoire
    kb = grimoire.open(sys.argv[1])
    kb.search("dropout", mode="lexical")
    print("open", flush=True)
    sys.stdin.readline()
    kb.search("dropout", mode="lexical")
    print("done", flush=True)
""")


@pytest.mark.sqlite_only(reason="SQLite's log index beside the file, processes writing")
def test_a_reader_ending_with_a_replaced_log_index_loses_no_other_write(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", NOTES)
    more = write_notes(tmp_path / "more", LORA)
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    with subprocess.Popen([sys.executable, "-c", _READER, str(db)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as reader:
        assert reader.stdout is not None and reader.stdin is not None
        try:
            assert reader.stdout.readline().strip() == "open"
            Path(f"{db}-shm").unlink()
            _other_process_ingests(db, more)
            reader.stdin.write("go\n")
            reader.stdin.flush()
            assert reader.stdout.readline().strip() == "done"
            assert reader.wait(timeout=120) == 0  # main: its end folded by its stale index
        finally:
            if reader.poll() is None:
                reader.kill()
    assert _paths(db) == {"dropout.md", "adam.md", "lora.md"}


@pytest.mark.sqlite_only(reason="SQLite's own ROLLBACK TO and ROLLBACK")
@pytest.mark.parametrize("refused", [("ROLLBACK TO nested",), ("ROLLBACK TO nested", "ROLLBACK")],
                         ids=["ROLLBACK TO", "ROLLBACK TO and ROLLBACK"])
def test_a_part_whose_rollback_is_refused_ends_the_whole_write_and_refuses_the_rest(
        tmp_path: Path, refused: tuple[str, ...]) -> None:
    """A nested write (a savepoint) that fails and whose ROLLBACK TO SQLite refuses ends the
    whole transaction (round 55); a caller that went on past the part's error then wrote
    outside any transaction, each statement committed alone (the connection opened again,
    or the whole rolled back), and its own end said "cannot commit - no transaction is
    active". Every later write of that caller is refused now, and so is its end."""
    notes = write_notes(tmp_path / "notes", {**NOTES, **LORA})
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
        store = kb.store
        with pytest.raises(StoreError, match="nothing of this write is kept") as whole, \
                store.transaction() as c:
            store.remove_source(str(notes / "lora.md"))
            undo = _refuse(store.conn, *refused)
            with suppress(RefusedValue):
                _failed_write(store, notes)
            undo()
            with suppress(sqlite3.ProgrammingError):  # closed, when it was opened again
                c.execute("DELETE FROM sources WHERE path = ?", (str(notes / "dropout.md"),))
            with pytest.raises(StoreError, match="nothing of this write is kept") as later:
                store.remove_source(str(notes / "adam.md"))  # main: committed alone
            assert later.value.path == str(db)
        assert "UNIQUE" in str(whole.value) and whole.value.path == str(db)
        assert _paths(db) == {"dropout.md", "adam.md", "lora.md"}
        store.remove_source(str(notes / "lora.md"))  # the handle writes again once it ended
        assert _paths(db) == {"dropout.md", "adam.md"}
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.sqlite_only(reason="SQLite's log index beside the file, another process writing")
def test_a_held_log_is_let_go_once_the_process_has_closed_the_store(tmp_path: Path) -> None:
    """review57b: the hold on the log (above) lasted until the process ended: with every store
    of the process closed, its later closes of the file left NAME-wal whole, and no other
    process could lock the file alone (`grimoire check`'s repair, a backup: "database is
    locked") while, say, the Python session that saw the stale index lived on. It is let go
    once the process's last store of the file has closed."""
    db = _closed_after_a_refused_write(tmp_path)
    assert Path(f"{db}-wal").stat().st_size  # held at that close: lora.md's commits in it
    with grimoire.open(db) as again:
        assert again.search("LoRA small matrices", mode="lexical")
    assert not Path(f"{db}-wal").exists()  # 3f6e264f: held, every later close left it
    alone = subprocess.run(
        [sys.executable, "-c", "import sqlite3, sys\n"
         "c = sqlite3.connect(sys.argv[1], timeout=0)\n"
         "print(c.execute('PRAGMA journal_mode = DELETE').fetchone()[0])", str(db)],
        capture_output=True, text=True, timeout=120)
    assert alone.stdout.strip() == "delete", alone.stderr  # 3f6e264f: "database is locked"
    assert _paths(db) == {"dropout.md", "adam.md", "lora.md"}


def _descriptors_of(db: Path) -> int:
    """How many descriptors of this process open `db` (its inode)."""
    key = (db.stat().st_dev, db.stat().st_ino)
    found = 0
    for fd in Path("/proc/self/fd").iterdir():
        with suppress(OSError):
            info = fd.stat()
            found += (info.st_dev, info.st_ino) == key
    return found


@pytest.mark.sqlite_only(reason="SQLite's file descriptors")
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="no /proc/self/fd")
def test_a_store_dropped_without_close_lets_its_file_go_at_the_next_collection(
        tmp_path: Path) -> None:
    """review57b: the finalizer that holds a stale log at a process's end held the store's
    connection among its arguments; the connection, in a cycle of its own, then outlived the
    store's collection, its descriptors (and SQLite's lock on the file) kept until a later
    one (30 dropped stores: 38 descriptors left after a `gc.collect()`)."""
    import gc

    notes = write_notes(tmp_path / "notes", NOTES)
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    assert _descriptors_of(db) == 0
    for _ in range(5):
        kb = grimoire.open(db)
        assert kb.search("dropout", mode="lexical")
        del kb
    gc.collect()
    assert _descriptors_of(db) == 0  # 3f6e264f: 5
