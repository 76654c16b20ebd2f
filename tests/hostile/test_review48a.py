"""Round 48 (review48a): a second look at hostile48's changes.

- A long-lived writer whose opening was cut short carries the check cut short to the state
  each of its commits leaves (round 48), so that the next opening runs the rest whole. That
  mark is written at once, a commit's own; the mark an opening writes waits until the state
  is 2 s old (`sqlite_checked.settled`). So every opening in the 2 s after each commit ran
  the whole check (up to OPEN_CHECK_WHOLE, 15 s, saying the store was "changed by something
  other than Grimoire" past 64 MB), and none could keep what it found: a `grimoire search`
  right after `watch` stored a saved note paid it each time (before round 48: 0.1 s).
- A polling `watch` past a symlink loop compares the files as `reconcile` walks them at each
  poll (round 48). That walk asked `skipped_dir` of every folder above each file again (its
  settings files, its tools' markers: a dozen `stat`s a file), which the walk had asked
  already: 1 s of CPU a poll for 10,000 notes, notify's own poll 30 ms.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import grimoire
from grimoire import watch
from grimoire.store import sqlite as store_sqlite
from grimoire.store import sqlite_checked
from tests.conftest import write_notes
from tests.hostile.test_review45b import large  # noqa: F401 - a fixture
from tests.hostile.test_round45 import _checks_at_opening


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_openings_right_after_a_carried_commit_leave_the_whole_check_to_a_settled_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "kb.db"
    store_sqlite.SQLiteStore(str(db), create=True).close()  # the schema: SQLite's, FTS5's
    Path(f"{db}.checked").unlink()  # its maker's mark (round 50): unmarked, as a copy
    writer = store_sqlite.SQLiteStore(str(db), create=False)  # its opening cut short at once
    try:
        with writer.transaction() as conn:
            conn.execute("CREATE TABLE scratch(x)")
        state = sqlite_checked.file_state(str(db))
        assert state is not None
        done, cut = sqlite_checked.passed(str(db), state)  # carried: the quick check cut
        assert not done and any("quick_check" in c for c in cut), (done, cut)
        # Just committed: what an opening finds now cannot be kept. It checks for its budget
        # alone, as at any state nobody marked (review48a: the whole check, each time).
        monkeypatch.setattr(sqlite_checked, "_SETTLED_NS", 10**18)
        assert _checks_at_opening(db) == []
        assert _checks_at_opening(db) == []
        # Settled: the rest is run whole, once, and kept; the writer takes it up.
        monkeypatch.setattr(sqlite_checked, "_SETTLED_NS", 0)
        assert "PRAGMA integrity_check(1)" in _checks_at_opening(db)
        assert _checks_at_opening(db) == []
        with writer.transaction() as conn:
            conn.execute("INSERT INTO scratch VALUES (1)")
        assert _checks_at_opening(db) == []
    finally:
        writer.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.sqlite_only(reason="the walk of the notes; any store")
def test_the_walk_a_polling_watch_repeats_asks_once_and_keeps_a_folder_gone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = write_notes(tmp_path / "notes", {
        **{f"d{d}/n{n}.md": f"# Note {d}{n}\n\nA note.\n" for d in range(3) for n in range(2)},
        "d0/.hidden.md": "# Hidden\n", "d1/draft.md~": "# Draft\n", "d2/#autosave.md#": "x\n",
        "node_modules/pkg/readme.md": "# Package\n", ".obsidian/app.md": "# Settings\n"})
    (notes / "d0" / "up").symlink_to("..", target_is_directory=True)
    wanted = sorted(f"d{d}/n{n}.md" for d in range(3) for n in range(2))
    kb = grimoire.open(tmp_path / "kb.db")
    try:
        watcher = watch.Watcher(kb, [notes])
        asked: list[tuple[str, str]] = []
        skipped_dir = watch.skipped_dir

        def counted(parent: str, name: str) -> bool:
            asked.append((parent, name))
            return skipped_dir(parent, name)

        with monkeypatch.context() as patch:
            patch.setattr(watch, "skipped_dir", counted)
            files = watcher._files()
        assert sorted(Path(p).relative_to(notes).as_posix() for p in files) == wanted
        # Each folder asked once (3, node_modules, .obsidian, the link): no file's folders
        # again (review48a: 21 asks of 6 files).
        assert len(asked) == len(set(asked)) == 6, asked

        # The folder gone (a drive unmounted, a share away), then an empty mount point: its
        # notes keep their records, as ingest keeps them (review48a: each removed).
        watcher.catch_up()
        stored = sorted(r.path for r in kb.sources())
        assert len(stored) >= len(wanted), stored
        notes.rename(tmp_path / "away")
        watcher.reconcile()
        notes.mkdir()
        watcher.reconcile()
        assert sorted(r.path for r in kb.sources()) == stored
        watcher.apply([str(notes)])  # file events: the folder changed, then a reconcile
        watcher.reconcile()
        assert sorted(r.path for r in kb.sources()) == stored
        notes.rmdir()
        (tmp_path / "away").rename(notes)
        back = watcher.reconcile()  # back as it was: nothing read again, nothing removed
        assert back is None or (back.report.added, back.report.updated,
                                back.report.removed) == (0, 0, 0), back
        assert sorted(r.path for r in kb.sources()) == stored
    finally:
        kb.close()
