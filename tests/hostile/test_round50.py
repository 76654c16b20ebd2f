"""Round 50 (hostile50): what `watch` records as seen follows what was stored.

- A reconcile whose batch failed to write (the disk full, the store locked past SQLite's
  wait) had already recorded the files' new times and sizes: the change was not read again
  until the file changed again (an update lost with no second try).
- A store Grimoire made was never marked checked: the first two openings of a large new store
  (after `grimoire ingest`) ran the 0.1 s checks, then the whole check (up to 15 s, said on
  stderr) of a file no other program had written. Its maker now marks it as every writer
  carries its opening's checks (round 48): from the empty file, each commit's state.
- A note stored as a root of its own (`grimoire ingest notes/c.md`) inside a watched folder,
  then deleted: the watch's batch removed nothing (ingest under the folder removes only the
  folder's records), and each reconcile named it again, a batch of 0 every 5 minutes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import grimoire
from grimoire import watch
from grimoire.store import sqlite_checked
from tests.conftest import ingested, write_notes
from tests.hostile.test_review45b import killed_after, large, rewrite_a_page  # noqa: F401 - large: a fixture
from tests.hostile.test_round45 import _checks_at_opening
from tests.test_watch import FAST


def _stored(kb: grimoire.Grimoire, path: Path) -> str | None:
    record = kb.store.source(str(path))
    return None if record is None else record.sha256


def _filler(n: int) -> str:
    return " ".join(hashlib.sha256(f"{n}-{k}".encode()).hexdigest() for k in range(n))


@pytest.mark.sqlite_only(reason="SQLite's page limit stands in for a disk full mid-batch")
def test_a_reconcile_whose_write_failed_reads_the_change_at_the_next(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "b.md": "# Beta\n\nBeta is a note.\n"})
    with grimoire.open(tmp_path / "kb.db") as kb:
        watcher = watch.Watcher(kb, [notes], options=FAST)
        watcher.catch_up()
        kept = _stored(kb, notes / "a.md")
        (notes / "a.md").write_text(f"# Alpha\n\nAlpha is a changed note: {_filler(400)}.\n")
        pages = kb.store.conn.execute("PRAGMA page_count").fetchone()[0]
        kb.store.conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        failed = watcher.reconcile()
        assert failed is not None and failed.errors, failed
        assert "disk is full" in failed.errors[0] and "kb.db" in failed.errors[0]
        assert "tries it again in" in failed.errors[0]
        assert _stored(kb, notes / "a.md") == kept  # as it was
        # The connection was opened again after the failed write (no page limit now): the
        # next reconcile reads the change (f9970031: None, the new time already recorded).
        retried = watcher.reconcile()
        assert retried is not None and not retried.errors and retried.report.updated == 1
        assert _stored(kb, notes / "a.md") != kept
        assert any("changed note" in e.entry.definition for e in kb.entries())
        assert watcher.reconcile() is None


def test_a_note_stored_as_its_own_root_and_deleted_is_removed_once(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    with grimoire.open(tmp_path / "kb.db") as kb:
        watcher = watch.Watcher(kb, [notes], options=FAST)
        watcher.catch_up()
        write_notes(notes, {"c.md": "# Gamma\n\nGamma is a note.\n",
                            "sub/d.md": "# Delta\n\nDelta is a note.\n",
                            "sub/e.md": "# Epsilon\n\nEpsilon is a note.\n"})
        # `grimoire ingest notes/c.md` and `grimoire ingest notes/sub` in a second terminal
        kb.ingest([notes / "c.md", notes / "sub"], embed=False)
        roots = {str(notes), str(notes / "c.md"), str(notes / "sub")}
        assert {r.root for r in kb.sources()} == roots
        seen = watcher.reconcile()  # new to the watcher, unchanged in the store
        assert seen is not None and seen.report.unchanged == 3, seen
        assert {r.root for r in kb.sources()} == roots
        (notes / "c.md").unlink()
        (notes / "sub" / "d.md").unlink()
        batch = watcher.reconcile()
        # f9970031: 0 removed, and the same batch at every reconcile after it
        assert batch is not None and batch.report.removed == 2, batch
        assert {Path(r.path).name for r in kb.sources()} == {"a.md", "e.md"}
        assert watcher.reconcile() is None
        # The folder ingested apart left empty (a drive unmounted?): kept, as ingest keeps it.
        (notes / "sub" / "e.md").unlink()
        kept = watcher.reconcile()
        assert kept is not None and kept.report.removed == 0, kept
        assert {Path(r.path).name for r in kb.sources()} == {"a.md", "e.md"}


_MAKER = """
import sys, time
from grimoire.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1], create=True)
store.conn.execute("PRAGMA cache_size = 10")  # pages go to the log as they are written
with store.transaction() as conn:
    conn.execute("CREATE TABLE scratch(x)")
    conn.executemany("INSERT INTO scratch VALUES (?)", ((i,) for i in range(50_000)))
    print("writing", flush=True)
    time.sleep(60)
"""


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_a_store_grimoire_made_is_checked_only_once_something_else_wrote_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sqlite_checked, "SAY_FROM_BYTES", 0)  # what 64 MB is to a real store
    notes = write_notes(tmp_path / "notes", {"a.md": "# Quokka\n\nA small marsupial.\n"})
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False):
        pass
    capsys.readouterr()
    # f9970031: cut short at once, then the whole check, said ("no Grimoire process has
    # checked it whole since it last changed (a store just made, ...)").
    assert _checks_at_opening(db) == [] and _checks_at_opening(db) == []
    assert capsys.readouterr().err == ""
    rewrite_a_page(db)  # another program's write (the same bytes): checked again, whole
    _checks_at_opening(db)
    assert "PRAGMA quick_check(1)" in _checks_at_opening(db)

    # Its maker killed mid-write: the log holds frames past its last commit's mark.
    made = tmp_path / "made" / "kb.db"
    made.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with killed_after(subprocess.Popen([sys.executable, "-c", _MAKER, str(made)], env=env,
                                       stdout=subprocess.PIPE, text=True)) as out:
        assert out.readline().strip() == "writing"
    state = sqlite_checked.file_state(str(made))
    assert state is not None and sqlite_checked.passed(str(made), state) == (frozenset(),
                                                                              frozenset())
    # cut short at once, twice (the first close folds the log in), then run whole
    assert any("PRAGMA quick_check(1)" in _checks_at_opening(made) for _ in range(3))
