"""Round 49 (hostile49): bad input and the cases trusted systems survive.

- The whole check of a large store (its checks at opening cut short, then run whole once)
  said on stderr that the store "was changed by something other than Grimoire" whatever cut
  them short: a Grimoire writer's own opening (watch, serve, an ingest carrying what it found:
  round 48), or no process having checked the file since it last changed, which is as often a
  store Grimoire just made as a copy. It now says which, and what is left to check.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grimoire.store import sqlite as store_sqlite
from grimoire.store import sqlite_checked
from tests.hostile.test_review45b import large  # noqa: F401 - a fixture
from tests.hostile.test_round45 import _checks_at_opening


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_the_whole_check_says_who_cut_the_check_at_opening_short(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sqlite_checked, "SAY_FROM_BYTES", 0)  # what 64 MB is to a real store
    db = tmp_path / "kb.db"
    store_sqlite.SQLiteStore(str(db), create=True).close()  # a store Grimoire just made
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)  # and a copy of it: both checked by no one since their last change
    for store in (db, copy):
        _checks_at_opening(store)  # cut short at once: nothing said
        assert capsys.readouterr().err == ""
        assert "PRAGMA quick_check(1)" in _checks_at_opening(store)  # the rest, whole: said
        said = capsys.readouterr().err
        assert "for damage, once: no Grimoire process has checked it whole since it last " \
               "changed" in said, said
        assert "the quick check, the integrity check, 2 full-text indexes left" in said, said
        assert "other than Grimoire" not in said, said  # 40e6a0c3: of the store just made too

    # A writer whose own opening was cut short carries that to each commit (round 48): the
    # next opening runs the rest whole, and says it was Grimoire's writer.
    db = tmp_path / "written.db"
    store_sqlite.SQLiteStore(str(db), create=True).close()
    writer = store_sqlite.SQLiteStore(str(db), create=False)  # cut short at once
    try:
        with writer.transaction() as conn:
            conn.execute("CREATE TABLE scratch(x)")
        capsys.readouterr()
        assert "PRAGMA quick_check(1)" in _checks_at_opening(db)
        said = capsys.readouterr().err
        assert "for damage, once: it was last written by Grimoire (watch, serve, an ingest), " \
               "carrying on from a check at opening cut short" in said, said
        assert "other than Grimoire" not in said, said  # 40e6a0c3: "something other than"
        assert _checks_at_opening(db) == []  # kept: nothing run, nothing said
        assert capsys.readouterr().err == ""
    finally:
        writer.close()
