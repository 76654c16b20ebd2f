"""Round 48 (hostile48): a long-lived writer whose checks at opening were cut short, and
hostile input at round 47's code.

- A writer (`watch`, `serve`, the embed worker) whose opening ran out of its budget before
  every check ran (a large store) never carried the checks afterwards: each commit left a
  state no mark named, so every later opening of a large store paid the check again, the
  whole check every second one. It now carries what its opening found (the checks done and
  those cut short, so the next opening runs the rest whole), and picks up the checks another
  process's opening found done at the state its own last write left.
- A price ("$5"), a shell's `$HOME` or `$$` in inline code, a stray backtick hid the code
  lines after it from `fences.code_lines` (a `$$` every later line of the passage).
- A question padded with a run of spaces cost ask's patterns seconds (18 s at 19,000).
- Entry vectors that are NaN hid a conflict from lint's cosine rule.
- RELIABILITY 34 by a real `grimoire serve` off loopback with no --token given.
- A polling `watch` stopped at a symlink to a folder above the notes ("File system loop found").
"""

from __future__ import annotations

import dataclasses
import os
import re
import sqlite3
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import grimoire
from grimoire.fences import code_lines
from grimoire.store import sqlite_checked
from tests.conftest import write_notes
from tests.hostile.test_linear import MAX_RATIO, MIN_SECONDS, _least
from tests.hostile.test_review45b import killed_after, large, rewrite_a_page  # noqa: F401 - large: a fixture
from tests.hostile.test_round45 import _checks_at_opening
from tests.hostile.test_round47 import _write, a_store_with_a_table_of_its_own
from tests.test_store_health import copy_of, pristine  # noqa: F401 - pristine: a fixture
from tests.test_watch import FAST, Running

# A long-lived writer whose opening is cut short at once (a budget of 0 s is what 0.1 s is to
# a store past 10 MB), marks settled at once: one committed write each line it reads.
_CUT_WRITER = """
import sys
from grimoire.store import sqlite, sqlite_checked
sqlite.OPEN_CHECK_BUDGET = 0.0
sqlite_checked._SETTLED_NS = 0
store = sqlite.SQLiteStore(sys.argv[1], create=False)
print("open", flush=True)
for line in sys.stdin:
    with store.transaction() as conn:
        conn.execute("INSERT INTO scratch VALUES (?)", (line.strip(),))
    print("committed", flush=True)
"""


def _opening_checks(db: Path) -> tuple[frozenset[str], frozenset[str]]:
    state = sqlite_checked.file_state(str(db))
    assert state is not None
    return sqlite_checked.passed(str(db), state)


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_a_writer_whose_opening_was_cut_short_carries_what_was_checked(
        tmp_path: Path) -> None:
    db = a_store_with_a_table_of_its_own(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writer = subprocess.Popen([sys.executable, "-c", _CUT_WRITER, str(db)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    with killed_after(writer) as said:
        assert said.readline().strip() == "open"
        _write(writer, 1)
        # What its opening found is carried to its commit: nothing done, the quick check cut
        # short, so the next opening runs the checks whole (b250541b: no mark at this state).
        done, cut = _opening_checks(db)
        assert done == frozenset() and any("quick_check" in c for c in cut), (done, cut)
        assert "PRAGMA quick_check(1)" in _checks_at_opening(db)  # whole, once
        checked, cut = _opening_checks(db)
        assert len(checked) >= 4 and not cut, (checked, cut)  # SQLite's two, FTS5's two
        # The writer picks up what that opening found at the state its write left, and carries
        # it: the next opening runs none (b250541b: every check, after every commit).
        _write(writer, 2)
        _write(writer, 3)
        assert _opening_checks(db) == (checked, frozenset())

        # A change no writer made (a program writing the same bytes back) still stops it.
        rewrite_a_page(db)
        _write(writer, 4)
        assert _opening_checks(db) == (frozenset(), frozenset())
        assert writer.stdin is not None
        writer.stdin.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM scratch").fetchone()[0] == 4
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_dollar_or_backtick_nothing_closes_opens_no_formula_nor_code() -> None:
    # A price, a shell's variables or its `$$` (the shell's own process id), a stray
    # backtick: none is closed, or closed inside inline code, so none is a formula or inline
    # code left open over the lines after it (b250541b: the rest of the paragraph set as prose,
    # a `$$` the rest of the text).
    code = ["import numpy as np", "x = np.zeros(3)"]
    for prose in ("It costs $5 a month.", "From $5 to $10 a month.", "Set `echo $HOME` first.",
                  "Stop it with `kill $$` then.", "Pay $$5 twice.", "The `train step."):
        assert code_lines([prose, *code]) == {1, 2}, prose
        assert code_lines([prose, "", "More prose.", "", *code]) == {4, 5}, prose
    # What is closed still holds: a formula or inline code over two lines, `$$` over a blank
    # line, an environment's rows, a span of two backticks holding one.
    assert code_lines(["Where $L = \\sum_i", "x_i = y_i$ holds.", *code]) == {2, 3}
    assert code_lines(["Call `setup(", "rank = 8)` once.", *code]) == {2, 3}
    assert code_lines(["See $$", "a = b", "", "c = d", "$$", *code]) == {5, 6}
    assert code_lines(["See", "\\begin{bmatrix}", "a = 1 & b \\\\", "\\end{bmatrix}",
                       *code]) == {4, 5}
    assert code_lines(["Write ``a ` b`` here.", *code]) == {1, 2}


@pytest.mark.sqlite_only(reason="a store's vectors written over in SQLite; ask reads alike")
def test_a_padded_question_and_vectors_that_are_no_numbers(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "attention.md": "# Attention\n\nAttention is used for weighting each token by its "
                        "relevance to the others.\n",
        # one word, two meanings: a conflict lint reports (tests/lint/test_round47_conflicts)
        "stats/variance.md": "# Variance\n\nThe expected squared distance of a random "
                             "variable from its mean, a measure of its spread.\n",
        "models/variance.md": "# Variance\n\nHow far a model's predictions for one input "
                              "scatter when it is refit on fresh training samples; high "
                              "variance means overfitting.\n"})
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes])
        # The question's patterns (`\s*\??\s*$` after "mean", "used for", "what is X") tried
        # every split of a run of spaces: 19,000 of them cost 18 s of CPU (b250541b; the cap
        # is 20,000 characters), each doubling four times the work.
        plain = "what is attention used for x"
        padded = "what is attention used for" + " " * 10_000 + "x"
        answer = kb.ask(plain).answer  # the model loaded, caches warm
        cost_plain, cost_padded = _least(kb.ask, [plain, padded], repeats=2)
        # b250541b: 0.25 s at 6,000 spaces, 4 ms unpadded; a floor of MIN_SECONDS for noise
        assert cost_padded <= MAX_RATIO * max(cost_plain, MIN_SECONDS), (cost_plain, cost_padded)
        assert kb.ask(padded).answer == answer
    # Vectors that are no numbers (NaN) or none (zeros) say nothing of two meanings: the
    # words decide, as for a store without vectors (b250541b: NaN hid the conflict).
    for value in (float("nan"), 0.0):
        with sqlite3.connect(db) as conn:
            for blob_hash, size in conn.execute("SELECT hash, length(vec) FROM vec_blobs"
                                                ).fetchall():
                conn.execute("UPDATE vec_blobs SET vec = ? WHERE hash = ?",
                             (struct.pack(f"{size // 4}f", *[value] * (size // 4)), blob_hash))
        conn.close()
        with grimoire.open(db) as kb:
            conflicts = {f.concept for f in kb.lint().findings if f.group == "conflict"}
        assert conflicts == {"Variance"}, (value, conflicts)


def _status(url: str, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return e.code


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_serve_off_loopback_in_its_own_process_answers_only_with_its_token(
        pristine: Path, tmp_path: Path) -> None:  # noqa: F811 (the fixture)
    # RELIABILITY 34 ("non-loopback bind refuses without auth"): tests/web checked the app
    # made in process, and of the command only that its --help names --token.
    db = copy_of(pristine, tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen([sys.executable, "-m", "grimoire", "--db", str(db), "serve",
                               "--host", "0.0.0.0", "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with killed_after(server) as said:
        assert "requests need a token" in said.readline()
        announced = said.readline()
        m = re.match(r"Grimoire on http://0\.0\.0\.0:(\d+)/\?token=(\S+)", announced)
        assert m is not None, announced
        home = f"http://127.0.0.1:{m[1]}/api/home"
        for _ in range(300):  # until it answers at all
            try:
                _status(home, {})
                break
            except OSError:
                time.sleep(0.1)
        assert _status(home, {}) == 401
        assert _status(home, {"Authorization": "Bearer wrong"}) == 401
        assert _status(home, {"Authorization": f"Bearer {m[2]}"}) == 200
        assert _status(home, {"Authorization": f"Bearer {m[2]}", "Host": "evil.com"}) == 403


@pytest.mark.sqlite_only(reason="the watcher's own polling, the same on either engine")
def test_polling_past_a_symlink_loop_still_sees_a_new_note(tmp_path: Path) -> None:
    # RELIABILITY 21 ("directory loop: the walk terminates") for `watch` when it polls (`--poll`,
    # a network file system, past the inotify watch limit): notify's polling watcher follows
    # links and stopped at `sub/up -> ..` ("File system loop found"), and the watch with it
    # (b250541b: "cannot watch"). Ingest never follows such a link.
    vault = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    (vault / "sub").mkdir()
    (vault / "sub" / "up").symlink_to("..", target_is_directory=True)
    db = tmp_path / "kb.db"
    run = Running(db, vault, dataclasses.replace(FAST, force_polling=True, poll_ms=200))
    try:
        write_notes(vault, {"b.md": "# Beta\n\nBeta is a later note.\n"})
        run.eventually(lambda: "b.md" in run.paths(), "a note saved while polling")
        assert run.paths() == {"a.md", "b.md"}  # nothing read through the loop
    finally:
        run.close()
