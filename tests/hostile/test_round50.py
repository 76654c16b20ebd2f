"""Round 50 (hostile50): what `watch` records as seen follows what was stored.

- A reconcile whose batch failed to write (the disk full, the store locked past SQLite's
  wait) had already recorded the files' new times and sizes: the change was not read again
  until the file changed again (an update lost with no second try).
- A note stored as a root of its own (`grimoire ingest notes/c.md`) inside a watched folder,
  then deleted: the watch's batch removed nothing (ingest under the folder removes only the
  folder's records), and each reconcile named it again, a batch of 0 every 5 minutes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import grimoire
from grimoire import watch
from tests.conftest import write_notes
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
        assert "again at its next full look" in failed.errors[0]
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
                            "sub/d.md": "# Delta\n\nDelta is a note.\n"})
        # `grimoire ingest notes/c.md` and `grimoire ingest notes/sub` in a second terminal
        kb.ingest([notes / "c.md", notes / "sub"], embed=False)
        roots = {str(notes), str(notes / "c.md"), str(notes / "sub")}
        assert {r.root for r in kb.sources()} == roots
        seen = watcher.reconcile()  # new to the watcher, unchanged in the store
        assert seen is not None and seen.report.unchanged == 2, seen
        assert {r.root for r in kb.sources()} == roots
        (notes / "c.md").unlink()
        (notes / "sub" / "d.md").unlink()
        batch = watcher.reconcile()
        # f9970031: 0 removed, and the same batch at every reconcile after it
        assert batch is not None and batch.report.removed == 2, batch
        assert {Path(r.path).name for r in kb.sources()} == {"a.md"}
        assert watcher.reconcile() is None
