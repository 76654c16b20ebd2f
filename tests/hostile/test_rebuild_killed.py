"""`grimoire rebuild` killed (SIGKILL, as a power cut) at random points: while it reads the
notes into its new file, checks it, keeps the old one as NAME.old and swaps the new one in.
After every kill the store is at its path, healthy, with every note; the next rebuild removes
what the killed one left and says so. Real processes, real SQLite files (RELIABILITY 1, 3)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import grimoire
from tests.conftest import write_notes

ENV = {**os.environ, "PYTHONPATH": str(Path(grimoire.__file__).parents[1])}
KILLS = 16


def _rebuild(db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "grimoire", "--db", str(db), "rebuild",
                             "--no-embed"], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _entries(db: Path) -> list[tuple[str, str]]:
    # Read-write, as every opener of the store: a rebuild killed while a file was in rollback
    # mode leaves a hot journal, which SQLite rolls back on opening and a read-only
    # connection cannot ("attempt to write a readonly database", seen at load 16-35).
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT e.term, s.path FROM entries e JOIN documents d ON"
                                   " d.id = e.document_id JOIN sources s ON s.id = d.source_id"))
    finally:
        conn.close()


@pytest.mark.sqlite_only(reason="rebuild swaps SQLite files")
def test_a_rebuild_killed_anywhere_leaves_the_store_whole(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(60):
        (notes / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is a thing linked to "
                                        f"[[Term {(n + 1) % 60}]].\n\n## More\n\nMore on it.\n")
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    expected = _entries(db)
    assert len(expected) >= 60
    started = time.monotonic()
    clean = _rebuild(db)
    out, _ = clean.communicate(timeout=600)
    assert clean.returncode == 0, out
    duration = time.monotonic() - started
    rng = random.Random(3801)
    for kill in range(KILLS):
        child = _rebuild(db)
        time.sleep(rng.uniform(0.1, 1.0) * duration)
        os.killpg(child.pid, signal.SIGKILL)  # it and its reader workers, as a power cut
        child.communicate(timeout=60)
        assert db.exists(), f"kill {kill}: no store at its path"
        assert _entries(db) == expected, f"kill {kill}"
        with grimoire.open(db) as kb:
            assert kb.store.integrity_check() == "ok", f"kill {kill}"
    final = _rebuild(db)
    out, _ = final.communicate(timeout=600)
    assert final.returncode == 0, out
    # What the killed runs left (their .kb.db.rebuild-PID files) is gone, and said.
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".kb.db.rebuild-")], out
    assert _entries(db) == expected
    # Each old file kept whole: a store of every note, never half a swap.
    for old in folder.glob("kb.db.old*"):
        if not old.name.endswith(("-wal", "-shm", "-journal")):
            assert _entries(old) == expected, old.name


@pytest.mark.sqlite_only(reason="rebuild swaps SQLite files")
def test_a_store_written_during_a_rebuild_is_not_swapped_away(tmp_path: Path) -> None:
    """Another process ingests a new folder into the store while `rebuild` reads the old
    folders into its new file: the swap would drop that folder's notes from the store (the
    new file never read them). Refused, said, and the store keeps them."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(400):
        (notes / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is a thing of ours.\n")
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    late = write_notes(tmp_path / "late", {
        "quokka.md": "# Quokka\n\nQuokka is a note written during a rebuild.\n",
    })
    child = _rebuild(db)
    partial = folder / f".kb.db.rebuild-{child.pid}"
    while not partial.exists():
        assert child.poll() is None, child.communicate()
        time.sleep(0.01)
    with grimoire.open(db) as kb:  # while the rebuild reads the notes into its new file
        assert kb.ingest([late], embed=False).added == 1
    out, _ = child.communicate(timeout=600)
    assert child.returncode == 1, out
    assert "changed while it was being rebuilt" in out and "nothing was changed" in out, out
    assert ("Quokka", str(late / "quokka.md")) in _entries(db)
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".kb.db.rebuild-")]
    assert not list(folder.glob("kb.db.old*"))
