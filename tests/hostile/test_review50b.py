"""Round 50 (review50b): a second look at hostile50's changes.

- The polling fallback (`watch` past a symlink loop) reconciles at every poll (500 ms): a
  batch that failed to write (the store locked past its wait, the disk full) was read again
  and failed again at each one since hostile50 forgot what the last look saw of its files,
  an error line and a re-read of the whole batch twice a second, while its message said
  "again at its next full look, within 300 s". It now waits for that full look, unless the
  file changed again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import grimoire
from grimoire import watch
from tests.conftest import write_notes
from tests.test_watch import FAST


@pytest.mark.sqlite_only(reason="a SQLite write lock held by another connection")
def test_the_fallbacks_failed_batch_waits_for_the_next_full_look(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "b.md": "# Beta\n\nBeta is a note.\n"})
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        watcher = watch.Watcher(kb, [notes], options=FAST)
        watcher.catch_up()
        stored = {r.path for r in kb.sources()}  # as the fallback keeps them
        (notes / "a.md").write_text("# Alpha\n\nAlpha is a note changed while locked.\n")
        kb.store.conn.execute("PRAGMA busy_timeout = 0")  # SQLite's 60 s wait, not waited
        other = sqlite3.connect(db)  # another writer holding the store
        other.execute("BEGIN IMMEDIATE")
        try:
            failed = watcher.reconcile(stored)
            assert failed is not None and failed.errors, failed
            assert "tries it again in" in failed.errors[0]
            # hostile50: read again and failed again here, and at every poll after it
            assert watcher.reconcile(stored) is None
        finally:
            other.rollback()
            other.close()
        assert watcher.reconcile(stored) is None  # still before the next full look
        (notes / "b.md").write_text("# Beta\n\nBeta is a note changed later.\n")
        later = watcher.reconcile(stored)  # another note's change: read at once
        assert later is not None and not later.errors and later.report.updated == 1, later
        full = watcher.reconcile(stored, full=True)  # the store's paths read again
        assert full is not None and not full.errors and full.report.updated == 1, full
        assert "changed while locked" in kb.concept("Alpha").entries[0].entry.definition
        assert watcher.reconcile(stored) is None
        # A file changed again after its batch failed is read at the next poll.
        (notes / "a.md").write_text("# Alpha\n\nAlpha is a note changed twice.\n")
        with sqlite3.connect(db) as locker:
            locker.execute("BEGIN IMMEDIATE")
            assert watcher.reconcile(stored).errors  # type: ignore[union-attr]
            locker.rollback()
        (notes / "a.md").write_text("# Alpha\n\nAlpha is a note changed thrice.\n")
        again = watcher.reconcile(stored)
        assert again is not None and not again.errors and again.report.updated == 1, again
