"""Hostile input and faults left by round 44, made reproducible (round 45, hostile45).

- A store too large for the check at opening's 0.1 s (about 10 MB) was never checked whole
  there: torn in its full-text index alone, it opened and answered the searches that missed
  the torn page, on every opening. What the check found sound is now kept beside the file
  with the file's state (`DB.checked`), and the checks a first opening left cut short run
  whole at the next opening of the unchanged file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import grimoire
from grimoire.errors import CorruptDatabase
from grimoire.readers import read_file
from grimoire.store import sqlite as store_sqlite
from grimoire.store import sqlite_checked
from tests.conftest import ingested, write_notes
from tests.hostile.test_round44 import torn_copies


def _torn_in_its_index_alone(tmp_path: Path) -> tuple[Path, Path]:
    """A sound store, and a copy of it torn in one page of its full-text index alone (the
    page as it was before the last checkpoint: round 44's splice, first one found)."""
    sound = tmp_path / "sound" / "kb.db"
    sound.parent.mkdir()
    for _, copy in torn_copies(tmp_path, sound):
        return sound, copy
    raise AssertionError("no splice tears the index alone")


def _checks_at_opening(db: Path) -> list[str]:
    """The check statements one opening of `db` runs (a new process's: nothing in memory)."""
    store_sqlite._SOUND_AT_OPEN.clear()
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sqlite3, "connect", traced)
        store_sqlite.connect(str(db), create=False).close()
    return [s for s in statements if "_check(" in s or "integrity-check" in s]


@pytest.mark.sqlite_only(reason="splices the pages of a SQLite file")
def test_a_store_too_large_for_the_check_at_opening_is_checked_whole_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The stores here are checked in milliseconds: a budget of 0 s is what 0.1 s is to a
    # store past 10 MB. "Settled" at once: the 2 s wait is for coarse file clocks.
    monkeypatch.setattr(store_sqlite, "OPEN_CHECK_BUDGET", 0.0)
    monkeypatch.setattr(sqlite_checked, "_SETTLED_NS", 0)
    sound, torn = _torn_in_its_index_alone(tmp_path)
    before = hashlib.sha256(torn.read_bytes()).hexdigest()
    _checks_at_opening(torn)  # cut short at once: opened, as on main at every opening
    with pytest.raises(CorruptDatabase) as caught:
        _checks_at_opening(torn)
    message = str(caught.value)
    assert str(torn) in message and "full-text index" in message, message
    assert "grimoire check" in message, message
    assert hashlib.sha256(torn.read_bytes()).hexdigest() == before
    with pytest.raises(CorruptDatabase):  # and every opening after, at the same cost
        _checks_at_opening(torn)

    # The sound store: checked whole at its second opening, not at all at the third.
    _checks_at_opening(sound)
    second = _checks_at_opening(sound)
    assert "PRAGMA quick_check(1)" in second and "PRAGMA integrity_check(1)" in second
    assert sum("integrity-check" in s for s in second) == 2  # passage_fts, entry_fts
    assert _checks_at_opening(sound) == []
    with grimoire.open(sound) as kb:  # a search leaves the file as it was
        assert len(kb.search("w1x7", k=50, mode="lexical")) == 40
    assert _checks_at_opening(sound) == []
    with grimoire.open(sound) as kb:  # a write: checked again
        kb.store.conn.execute("CREATE TABLE scratch(x)")
    _checks_at_opening(sound)  # cut short, as the first time
    assert "PRAGMA quick_check(1)" in _checks_at_opening(sound)


@pytest.mark.no_store
def test_references_to_a_long_caption_grow_a_note_only_so_far() -> None:
    # Round 44: `:ref:` to a figure or a table reads as its caption, as Sphinx shows it. A
    # caption of 5,000 words referred to 3,000 times (a 105 KB note) was written out at each:
    # 86.6 MB of text in 87,029 passages, 60 s, a 207 MB store (twice the references: past the
    # reading budget, the note failed). As round 43's formulas: a note grows by at most
    # 200,000 characters or 4 times its length; past that a reference reads as written.
    caption = "\n   ".join(" ".join(f"w{i}" for i in range(j, j + 10))
                           for j in range(0, 2_000, 10))
    refs = "\n\n".join(f"See :ref:`bigfig` and :numref:`Fig. %s, {{name}} <bigfig>` {n}."
                       for n in range(300))
    note = (f"Title\n=====\n\n.. _bigfig:\n\n.. figure:: a.png\n\n   {caption}\n\nText.\n\n"
            f"{refs}\n")
    [doc] = read_file("rst", note.encode(), "/book/figures.rst")
    texts = [p.text for p in doc.passages]
    assert sum(map(len, texts)) < 200_000 + 5 * len(note), sum(map(len, texts))
    assert any(t.startswith("See w0 w1 w2 ") for t in texts)  # the first as Sphinx shows it
    assert texts[-1].endswith("\n\nSee bigfig and Fig. , 299."), texts[-1]  # as written


@pytest.mark.sqlite_only(reason="the mark beside a SQLite file")
def test_a_fifo_where_the_mark_goes_holds_no_opening(tmp_path: Path) -> None:
    # `DB.checked` was opened as any file: a FIFO of that name (or a device) held a search
    # that found nothing forever on main, and every opening once the checks at opening were
    # kept there. The mark is now read only from a regular file, never waited on.
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False):
        pass
    Path(f"{db}.checked").unlink()  # its maker's mark (round 50), where the FIFO goes
    os.mkfifo(f"{db}.checked")
    done = subprocess.run(
        [sys.executable, "-m", "grimoire", "--db", str(db), "search", "qqzzxx", "--mode",
         "lexical"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "no results" in done.stdout + done.stderr, done
