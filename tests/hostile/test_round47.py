"""Round 47 (hostile47): two long-lived writers on one store, and the mark's strays.

- Two writers at once (`watch` and `serve`, `watch` and the embed worker) each took the
  other's commits for a change it did not make and stopped carrying the checks at opening in
  the mark: the next opening ran them whole (seconds at 100k passages). A writer whose state
  before its write is one the mark names sound (another writer's carried commit) now carries
  on from it, as an opening at that state would; a change no one marked still stops it.
- A writer killed while it wrote the mark left `DB.checked.XXXXXXXXXXXX.tmp` beside the store
  for good: a later mark's write removes those no live writer holds.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from grimoire.fences import code_lines
from grimoire.readers.markdown._blocks import _quarto_divs
from grimoire.store import sqlite_checked
from tests._child import Lines, readline
from tests.conftest import ingested, write_notes
from tests.hostile.test_linear import MAX_RATIO, ratio
from tests.hostile.test_review45b import _checked_whole, killed_after, large, rewrite_a_page  # noqa: F401 - large: a fixture
from tests.hostile.test_round46 import _OPENER

# A long-lived writer: one committed write each time it reads a line; alive until killed.
_WRITER = """
import sys
from grimoire.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1], create=False)
print("open", flush=True)
for line in sys.stdin:
    with store.transaction() as conn:
        conn.execute("INSERT INTO scratch VALUES (?)", (sys.argv[2] + line.strip(),))
    print("committed", flush=True)
"""

# A process writing the mark, held inside the write until it reads a line (then killed, or
# let go): json.dump (the standard library's) waits.
_MARKER = """
import json, sys
from grimoire.store import sqlite_checked
dump = json.dump
def held(*args, **kwargs):
    print("writing", flush=True)
    sys.stdin.readline()
    dump(*args, **kwargs)
json.dump = held
sqlite_checked.remember(sys.argv[1], (1, 2, 3), ["held"])
print("marked", flush=True)
"""


@contextmanager
def _killed_after(child: subprocess.Popen[str]) -> Iterator[Lines[str]]:
    """`killed_after`, the child's input closed too."""
    try:
        with killed_after(child) as said:
            yield said
    finally:
        if child.stdin is not None:
            child.stdin.close()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def _writer(db: Path, name: str) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(db), name], env=_env(),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert readline(child).strip() == "open"
    return child


def _write(child: subprocess.Popen[str], n: int) -> None:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(f"{n}\n")
    child.stdin.flush()
    assert readline(child).strip() == "committed"


def _checks_by_a_new_process(db: Path) -> list[str]:
    opener = subprocess.run([sys.executable, "-c", _OPENER, str(db)], env=_env(), check=True,
                            capture_output=True, text=True)
    ran: list[str] = json.loads(opener.stdout)
    return ran


def a_store_with_a_table_of_its_own(tmp_path: Path) -> Path:
    """A store of one note with a table Grimoire did not make: a change from outside, so
    no mark of its checks holds and the next opening checks it whole."""
    notes = write_notes(tmp_path / "notes", {"a.md": "# Quokka\n\nA small marsupial.\n"})
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False):
        pass
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE scratch(x)")
    conn.close()
    return db


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_two_long_lived_writers_keep_the_store_checked(tmp_path: Path) -> None:
    db = a_store_with_a_table_of_its_own(tmp_path)
    _checked_whole(db)
    first, second = _writer(db, "a"), _writer(db, "b")  # both open the checked store
    with _killed_after(first), _killed_after(second):
        for n in range(2):  # interleaved: each sees the other's commits
            _write(first, n)
            _write(second, n)
        state = sqlite_checked.file_state(str(db))
        assert state is not None
        known, _ = sqlite_checked.passed(str(db), state)
        # On e657b7a5: nothing known at the last state (each stopped at the other's write).
        assert any("quick_check" in check for check in known), known
        assert _checks_by_a_new_process(db) == []

        # A change no writer made (a program writing the same bytes back) stops both.
        rewrite_a_page(db)
        _write(first, 2)
        _write(second, 2)
        state = sqlite_checked.file_state(str(db))
        assert state is not None
        assert sqlite_checked.passed(str(db), state) == (frozenset(), frozenset())
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM scratch").fetchone()[0] == 6
    conn.close()


def _marker(db: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", _MARKER, str(db)], env=_env(),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert readline(child).strip() == "writing"
    return child


def _temporaries(db: Path) -> set[str]:
    return {p.name for p in db.parent.iterdir() if ".checked." in p.name}


@pytest.mark.sqlite_only(reason="the mark beside a SQLite file")
def test_a_mark_left_half_written_is_cleared_by_a_later_one(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    db.write_bytes(b"")
    killed = _marker(db)
    with _killed_after(killed):
        pass
    stray = _temporaries(db)
    assert len(stray) == 1  # kb.db.checked.XXXXXXXXXXXX.tmp
    # Not ours, or not a file: kept. A symlink of our name is not followed, nor removed.
    target = tmp_path / "target"
    target.write_text("kept")
    others = {"kb.db.checked.notes.tmp", "kb.db.checked.0123456789ab.tmp.bak",
              "other.db.checked.0123456789ab.tmp", "kb.db.checked.0123456789ab.tmp"}
    for name in others - {"kb.db.checked.0123456789ab.tmp"}:
        (tmp_path / name).write_text("kept")
    (tmp_path / "kb.db.checked.0123456789ab.tmp").symlink_to(target)
    old = time.time() - 3600  # all an hour old, as a stray found a while after its kill
    for name in stray | others:
        os.utime(tmp_path / name, (old, old), follow_symlinks=False)

    live = _marker(db)  # a writer inside the mark's write right now, its file old too
    with _killed_after(live) as said:
        (held,) = _temporaries(db) - stray - others
        os.utime(tmp_path / held, (old, old))
        sqlite_checked.remember(str(db), (4, 5, 6), ["later"])
        # On e657b7a5: the killed writer's stray stays for good.
        assert _temporaries(db) == others | {held}
        assert target.read_text() == "kept"
        assert live.stdin is not None
        live.stdin.write("\n")
        live.stdin.flush()
        assert said.readline().strip() == "marked"  # the live one's write was not cut
    assert _temporaries(db) == others
    assert sqlite_checked.passed(str(db), (1, 2, 3))[0] == frozenset({"held"})


def _nested_tab_sets(n: int) -> str:
    # Tab sets opened and never closed, each of its own label: each was compared with every
    # other for a shared label.
    return "".join(f"::: {{.panel-tabset}}\n## Tab {i}\n" for i in range(n))


def test_quarto_tab_sets_cost_grows_linearly() -> None:
    r = ratio(_nested_tab_sets, lambda body: _quarto_divs(body, set()))
    assert r <= MAX_RATIO, f"2n costs {r:.1f}x n"  # e657b7a5: 4.7 (10,000 sets: 16 s)
    # What the labels decide is kept: a label of two sets makes both sets' headings labels.
    shown: set[int] = set()
    _quarto_divs("::: panel-tabset\n## R\n:::\n::: panel-tabset\n## R\n## Bagging\n:::\n"
                 "::: panel-tabset\n## Boosting\n:::\n", shown)
    assert shown == {2, 5, 6}


def test_a_formula_or_code_left_open_ends_with_its_paragraph() -> None:
    # A price ("$5") or a lone backtick in prose held every line after it as inside a
    # formula or inline code: the code below the paragraph was set as prose.
    code = ["import numpy as np", "x = np.zeros(3)"]
    for prose in ("It costs $5 a month.", "Run the `train step first."):
        assert code_lines([prose, "", *code]) == {2, 3}, prose  # e657b7a5: set()
    # Within a paragraph they still hold (review46a's formula over two lines).
    assert code_lines(["Where $L = \\sum_i", "x_i = y_i$ holds.", "", *code]) == {3, 4}
