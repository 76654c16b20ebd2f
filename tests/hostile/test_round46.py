"""Round 46 (hostile46): the checks at opening kept in the mark, by a long-lived writer killed,
and hostile marks.

- A long-lived writer (`watch`, `serve`, the embed worker) kept the checks at opening in the
  file's mark only when it closed: killed after many commits, it left the mark at the state
  of its opening, and the next openings of a large store ran the whole check (2 s quiet, 7-12 s
  loaded at 100k passages). The mark now follows each commit.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from grimoire.readers.markdown._blocks import _mdx_code
from grimoire.store import sqlite as store_sqlite
from grimoire.store import sqlite_checked
from tests.conftest import ingested, write_notes
from tests.hostile.test_linear import MAX_RATIO, ratio
from tests.hostile.test_review45b import checked_store, killed_after, large  # noqa: F401 - a fixture
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


# One opening by a new process: the check statements it runs, as JSON.
_OPENER = """
import json, sqlite3, sys
from grimoire.store.sqlite import connect
ran = []
plain = sqlite3.connect
def traced(*args, **kwargs):
    conn = plain(*args, **kwargs)
    conn.set_trace_callback(ran.append)
    return conn
sqlite3.connect = traced
connect(sys.argv[1], create=False).close()
print(json.dumps([s for s in ran if "_check(" in s or "integrity-check" in s]))
"""


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_a_long_lived_writer_killed_after_its_commits_leaves_the_store_checked(
        tmp_path: Path) -> None:
    notes, db = checked_store(tmp_path)
    opened_at = sqlite_checked.file_state(str(db))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", _WATCHER, str(db), str(notes)],
                             env=env, stdout=subprocess.PIPE, text=True)
    with killed_after(child) as said:
        assert said.readline().strip() == "committed"
    state = sqlite_checked.file_state(str(db))
    assert state is not None and state != opened_at
    known, _ = sqlite_checked.passed(str(db), state)
    # On a6d8c825: nothing known (the mark at the writer's opening), the checks run again.
    assert any("quick_check" in check for check in known)
    # The next opening, by a new process, runs none (as root, SQLite's opening of the -wal
    # the writer left changed its status-change time before the checks: they all ran).
    opener = subprocess.run([sys.executable, "-c", _OPENER, str(db)], env=env, check=True,
                            capture_output=True, text=True)
    assert json.loads(opener.stdout) == [], opener.stdout
    with sqlite3.connect(db) as conn:  # and it is sound: a committed write
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM passages WHERE text LIKE '%version 2%'"
                            ).fetchone()[0] == 1


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_the_whole_check_of_a_large_store_says_what_it_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Quokka\n\nA small marsupial.\n"})
    folder = tmp_path / "odd\x1b[2J name"  # a control sequence in the path: shown escaped
    folder.mkdir()
    db = folder / "kb.db"
    with ingested(db, notes, embed=False):
        pass
    Path(f"{db}.checked").unlink()  # as a copy, checked by no Grimoire (its maker marks it)
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


@pytest.mark.sqlite_only(reason="the mark beside a SQLite file")
def test_hostile_marks_neither_stop_an_opening_nor_skip_its_checks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_checked, "_SETTLED_NS", 0)
    monkeypatch.setattr(store_sqlite, "_CHECKED_AT_OPEN", {})
    notes = write_notes(tmp_path / "notes", {"a.md": "# Quokka\n\nA small marsupial.\n"})
    db = tmp_path / "kb.db"
    other = tmp_path / "other.db"
    for store in (db, other):
        with ingested(store, notes, embed=False):
            pass
        _checks_at_opening(store)
    mark = Path(f"{db}.checked")
    of_other = json.loads(Path(f"{other}.checked").read_text())
    state = list(sqlite_checked.file_state(str(db)) or ())
    hostile: dict[str, bytes] = {
        "nested 64 KB deep": b"[" * 65_536,  # a6d8c825: RecursionError at every opening
        "nested state": b'{"state": ' + b"[" * 60_000,
        "1 MB of garbage": bytes(range(256)) * 4096,
        "of another store": json.dumps(of_other).encode(),
        "a newer version's": json.dumps({"version": 2, "state": {"file": state},
                                         "done": {"at opening": ["PRAGMA quick_check(1)"]}}
                                        ).encode(),
        "numbers too long": b'{"state": [' + b"9" * 60_000 + b"]}",
    }
    for name, data in hostile.items():
        mark.write_bytes(data)
        assert "PRAGMA quick_check(1)" in _checks_at_opening(db), name  # not trusted
        assert json.loads(mark.read_text())["state"] == list(  # and replaced by a good one
            sqlite_checked.file_state(str(db)) or ()), name
    mark.unlink()
    mark.symlink_to("/dev/zero")  # a device: never read (nor waited on)
    assert "PRAGMA quick_check(1)" in _checks_at_opening(db)
    assert json.loads(mark.read_text())  # the link replaced, not written through
    mark.unlink()
    mark.mkdir()  # a folder: no mark kept, the checks run each time, no error
    assert "PRAGMA quick_check(1)" in _checks_at_opening(db)
    assert "PRAGMA quick_check(1)" in _checks_at_opening(db)


@pytest.mark.sqlite_only(reason="the mark beside a SQLite file")
def test_the_mark_is_written_through_no_name_planted_beside_it(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    with ingested(db, write_notes(tmp_path / "notes", {"a.md": "# A\n\nText.\n"}),
                  embed=False):
        pass
    state = sqlite_checked.file_state(str(db))
    assert state is not None
    # a6d8c825 wrote the mark through DB.checked.PID.tmp, a name known in advance: a
    # symlink planted there was written through (the file it named emptied), a FIFO waited
    # on forever.
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    planted = Path(f"{db}.checked.{os.getpid()}.tmp")
    planted.symlink_to(precious)
    sqlite_checked.remember(str(db), state, ["at opening: PRAGMA quick_check(1)"])
    assert precious.read_text() == "keep me\n"
    planted.unlink()
    os.mkfifo(planted)
    sqlite_checked.remember(str(db), state, ["at opening: PRAGMA quick_check(1)"])
    assert sqlite_checked.passed(str(db), state)[0] == {"at opening: PRAGMA quick_check(1)"}
    # readable by whoever reads the store; no name but the mark and the planted one left
    assert Path(f"{db}.checked").stat().st_mode & 0o777 == db.stat().st_mode & 0o666
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("kb.db.checked")
                  ) == ["kb.db.checked", planted.name]


def test_an_error_on_a_terminal_one_column_wide_keeps_every_character(tmp_path: Path) -> None:
    # Rich wrapped the error at the terminal's width: at 1 column a character two columns wide
    # fits no line, and was dropped (`show` of a CJK name: the name was blank lines).
    from click.testing import CliRunner

    from grimoire.cli import err, main, out

    db = tmp_path / "kb.db"
    with ingested(db, write_notes(tmp_path / "notes", {"a.md": "# A\n\nText.\n"}),
                  embed=False):
        pass
    try:
        for columns in ("1", "2", "7"):
            err.cache_clear()  # a console takes COLUMNS when it is made, once a process
            result = CliRunner().invoke(main, ["--db", str(db), "show", "量子もつれ"],
                                        env={"TTY_COMPATIBLE": "1", "COLUMNS": columns})
            said = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)
            assert result.exit_code == 1, said
            assert "量子もつれ" in "".join(said.split()), (columns, said)
    finally:
        # Neither console made under TTY_COMPATIBLE stays for the tests after: not one column
        # wide, and stdout's not styled (a later test's `show` read escape codes; round 46).
        err.cache_clear()
        out.cache_clear()


# Round 45's MDX rule (`_mdx_code`, run on every Markdown note with "={" in it) on hostile
# shapes: a tag's attribute expressions were found by a pattern that tried each `={` of a
# line as the one it needed, then the rest of the line after it: a line of them with no `>`
# cost its length squared (10 KB 0.4 s, 100 KB 41 s: past the reading budget at about 200 KB).
MDX_LINES: dict[str, Callable[[int], str]] = {
    "attribute expressions, no end": lambda n: "<a " + "={x} " * (4 * n),
}


@pytest.mark.parametrize("shape", sorted(MDX_LINES))
def test_mdx_expressions_cost_grows_linearly(shape: str) -> None:
    r = ratio(MDX_LINES[shape], _mdx_code)
    assert r <= MAX_RATIO, f"{shape}: 2n costs {r:.1f}x n"


def test_the_cut_notice_holds_for_filters_written_with_odd_characters(tmp_path: Path) -> None:
    # A search took its filters as stored (NUL dropped, a lone surrogate as `\xNN`) and the
    # notice looked for the cut under the filters as given: a NUL in `source` or `format`
    # (the web's ?source=, the API), or an empty one, kept "78 hits, not 1,000: ..." from
    # being said.
    sections = "".join(f"## Part {i}\n\nZebrafish part {i} swims.\n\n" for i in range(80))
    notes = write_notes(tmp_path / "notes", {"fish.md": "# Fish\n\n" + sections})
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False) as kb:
        folder = str(notes)
        for source, format in ((folder, "markdown"), (folder + "\x00", "markdown"),
                               (folder, "mark\x00down"), ("\x00" + folder, None),
                               ("", "markdown")):
            hits = kb.search("zebrafish", k=1000, mode="lexical", source=source, format=format)
            notice = kb.search_notice("zebrafish", hits, "lexical", source=source,
                                      format=format, k=1000)
            assert hits and notice is not None and notice.get("cut") == len(hits), (
                source, format, notice)
