"""Round 48 (review48a): a second look at hostile48's changes.

- A long-lived writer whose opening was cut short carries the check cut short to the state
  each of its commits leaves (round 48), so that the next opening runs the rest whole. That
  mark is written at once, a commit's own; the mark an opening writes waits until the state
  is 2 s old (`sqlite_checked.settled`). So every opening in the 2 s after each commit ran
  the whole check (up to OPEN_CHECK_WHOLE, 15 s, saying the store was "changed by something
  other than Grimoire" past 64 MB), and none could keep what it found: a `grimoire search`
  right after `watch` stored a saved note paid it each time (before round 48: 0.1 s).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grimoire.store import sqlite as store_sqlite
from grimoire.store import sqlite_checked
from tests.hostile.test_review45b import large  # noqa: F401 - a fixture
from tests.hostile.test_round45 import _checks_at_opening


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_openings_right_after_a_carried_commit_leave_the_whole_check_to_a_settled_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "kb.db"
    store_sqlite.SQLiteStore(str(db), create=True).close()  # the schema: SQLite's, FTS5's
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
