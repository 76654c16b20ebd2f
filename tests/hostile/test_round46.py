"""Round 46 (hostile46): the checks at opening kept in the mark, by a long-lived writer killed,
and hostile marks.

- A long-lived writer (`watch`, `serve`, the embed worker) kept the checks at opening in the
  file's mark only when it closed: killed after many commits, it left the mark at the state
  of its opening, and the next openings of a large store ran the whole check (2 s quiet, 7-12 s
  loaded at 100k passages). The mark now follows each commit.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from grimoire.store import sqlite_checked
from tests.conftest import ingested, write_notes
from tests.hostile.test_review45b import _checked_whole, large  # noqa: F401 - a fixture
from tests.hostile.test_round45 import _checks_at_opening

# A long-lived writer: the notes ingested again after each change, as `watch` does, one
# commit each; killed after the last commit, before any close.
_WATCHER = """
import sys, time
from pathlib import Path
import grimoire
kb = grimoire.open(sys.argv[1])
notes = Path(sys.argv[2])
for n in range(3):
    (notes / "b.md").write_text(f"# Zebrafish\\n\\nA fish, version {n}.\\n")
    kb.ingest([notes], embed=False)
print("committed", flush=True)
time.sleep(60)
"""


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
def test_a_long_lived_writer_killed_after_its_commits_leaves_the_store_checked(
        tmp_path: Path, large: None) -> None:  # noqa: F811 - the fixture
    notes = write_notes(tmp_path / "notes", {"a.md": "# Quokka\n\nA small marsupial.\n"})
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False):
        pass
    _checked_whole(db)
    opened_at = sqlite_checked.file_state(str(db))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", _WATCHER, str(db), str(notes)],
                             env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "committed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    state = sqlite_checked.file_state(str(db))
    assert state is not None and state != opened_at
    known, _ = sqlite_checked.passed(str(db), state)
    # On a6d8c825: nothing known (the mark at the writer's opening), the checks run again.
    assert any("quick_check" in check for check in known)
    assert _checks_at_opening(db) == []
    with sqlite3.connect(db) as conn:  # and it is sound: a committed write
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM passages WHERE text LIKE '%version 2%'"
                            ).fetchone()[0] == 1


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
def test_the_whole_check_of_a_large_store_says_what_it_does(
        tmp_path: Path, large: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811 - the fixture
    notes = write_notes(tmp_path / "notes", {"a.md": "# Quokka\n\nA small marsupial.\n"})
    folder = tmp_path / "odd\x1b[2J name"  # a control sequence in the path: shown escaped
    folder.mkdir()
    db = folder / "kb.db"
    with ingested(db, notes, embed=False):
        pass
    monkeypatch.setattr(sqlite_checked, "SAY_FROM_BYTES", 0)  # what 64 MB is to a real store
    capsys.readouterr()
    _checks_at_opening(db)  # cut short at once: nothing said
    assert capsys.readouterr().err == ""
    assert "PRAGMA quick_check(1)" in _checks_at_opening(db)  # the rest, whole: said
    said = capsys.readouterr().err
    assert said.startswith("Checking ") and "for damage, once" in said, said
    assert "\\x1b[2J name" in said and "\x1b" not in said, said
    assert _checks_at_opening(db) == []  # then nothing: nothing said
    assert capsys.readouterr().err == ""
