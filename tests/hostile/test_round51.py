"""Round 51 (hostile51): what round 50 left.

- A watch batch that failed to write (the store locked past SQLite's wait, the disk full) was
  read again only at the next full look, up to `reconcile_s` (300 s) later, and the error said
  only that. It is now tried again after `retry_s`, the wait doubling while it fails (never at
  each poll: review50b), and the error says how long it waits and why.
- A folder ingested under two spellings (`grimoire ingest ~/vault`, a symlink, and `grimoire
  ingest /real/path/vault/sub`): its notes were stored twice, once under each name, and a note
  deleted kept the second name's record (the watch of `~/vault` removed the first alone).
  Roots are now compared by their resolved paths: a folder inside an ingested one is spelled
  as that one is; one ingested apart first is spelled again as the folder around it is when
  that one comes; a root that is gone (an unmounted drive) keeps its records and its name.
- A path holding a newline (`rebuild`'s "the old file is kept as ...", `check`, an error, a
  watch batch) was printed as it is, over two lines: it is now shown on one, its newline as
  `\\n`, as `sources` and a failed file's line already showed it (`_term.clean(lines=False)`).
- `rebuild` of a store inside its notes folder read the old store's files (kb.db, -wal, -shm,
  .checked) as skipped sources: the new file, `.kb.db.rebuild-PID`, was the only one its
  ingest knew as its own.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire import watch
from grimoire._cli_live import show_batch
from grimoire.cli import main
from tests.conftest import write_notes
from tests.test_watch import FAST


@pytest.mark.sqlite_only(reason="a SQLite write lock held by another connection")
def test_a_failed_batch_is_tried_again_before_the_full_look_less_often_while_it_fails(
        tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "b.md": "# Beta\n\nBeta is a note.\n"})
    db = tmp_path / "kb.db"
    later = time.monotonic() + 100_000  # a clock past any wait
    with grimoire.open(db) as kb:
        watcher = watch.Watcher(kb, [notes], options=dataclasses.replace(FAST, retry_s=60))
        watcher.catch_up()
        (notes / "a.md").write_text("# Alpha\n\nAlpha is a note changed while locked.\n")
        kb.store.conn.execute("PRAGMA busy_timeout = 0")  # SQLite's 60 s wait, not waited
        other = sqlite3.connect(db)  # another writer holding the store
        other.execute("BEGIN IMMEDIATE")
        try:
            failed = watcher.apply([str(notes / "a.md")], settled=True)  # a file event
            assert failed.errors, failed
            # why, and how long it waits (main: "at its next full look, within 3600 s")
            assert "is another grimoire using it?" in failed.errors[0], failed.errors
            assert "tries it again in 60 s" in failed.errors[0], failed.errors
            assert watcher.retry() is None  # not yet: not at each step or poll
            again = watcher.retry(now=later)
            assert again is not None and again.errors, again
            assert "tries it again in 120 s" in again.errors[0], again.errors
            assert watcher.retry() is None
        finally:
            other.rollback()
            other.close()
        done = watcher.retry(now=later)
        assert done is not None and not done.errors and done.report.updated == 1, done
        assert "changed while locked" in kb.concept("Alpha").entries[0].entry.definition
        assert watcher.retry(now=later) is None  # nothing waits
        assert watcher.reconcile() is None  # and the full look finds nothing left
        # Stored again: the next failure waits the first wait again.
        (notes / "b.md").write_text("# Beta\n\nBeta is a note changed while locked.\n")
        with sqlite3.connect(db) as locker:
            locker.execute("BEGIN IMMEDIATE")
            failed = watcher.reconcile()
            assert failed is not None and "tries it again in 60 s" in failed.errors[0], failed
            locker.rollback()
        done = watcher.retry(now=later)
        assert done is not None and not done.errors and done.report.updated == 1, done


def _names(kb: grimoire.Grimoire) -> list[tuple[str, str]]:
    return sorted((r.path, r.root) for r in kb.sources())


def test_a_folder_ingested_under_two_spellings_is_stored_once(tmp_path: Path) -> None:
    real = write_notes(tmp_path / "real" / "vault", {
        "a.md": "# Alpha\n\nAlpha is a note.\n", "sub/d.md": "# Delta\n\nDelta is a note.\n",
        "sub/e.md": "# Epsilon\n\nEpsilon is a note.\n"})
    link = tmp_path / "vault"
    link.symlink_to(real, target_is_directory=True)
    spelled = [(str(link / p), str(link)) for p in ("a.md", "sub/d.md", "sub/e.md")]
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([link], embed=False)
        # the folder inside it under its real name, as the watch of `link` sees it change
        kb.ingest([real / "sub"], embed=False)
        # main: d.md and e.md stored again, as real/vault/sub/d.md under root real/vault/sub
        assert [p for p, _ in _names(kb)] == [p for p, _ in spelled], _names(kb)
        watcher = watch.Watcher(kb, [link], options=FAST)
        watcher.catch_up()
        (real / "sub" / "d.md").unlink()
        gone = watcher.reconcile()
        assert gone is not None and gone.report.removed == 1, gone
        assert [p for p, _ in _names(kb)] == [spelled[0][0], spelled[2][0]], _names(kb)
        assert watcher.reconcile() is None  # main: the same batch, removing 0, each time

        # The other order, in a second vault: its inner folders first by their real names,
        # then the vault by its link; one of them, a drive's mount point, unmounted (left
        # empty) before.
        real2 = write_notes(tmp_path / "real2" / "vault", {
            "sub/d.md": "# Delta\n\nDelta is a note.\n", "mnt/f.md": "# Phi\n\nPhi is a note.\n"})
        link2 = tmp_path / "vault2"
        link2.symlink_to(real2, target_is_directory=True)
        kb.ingest([real2 / "sub", real2 / "mnt"], embed=False)
        (real2 / "mnt" / "f.md").rename(tmp_path / "f.md")
        report = kb.ingest([link2], embed=False)
        assert report.removed == 0, report
        # main: d.md twice
        assert [n for n in _names(kb) if n[1].startswith((str(real2), str(link2)))] == [
            (str(real2 / "mnt" / "f.md"), str(real2 / "mnt")),
            (str(link2 / "sub" / "d.md"), str(link2))], _names(kb)


@pytest.mark.sqlite_only(reason="rebuild and check work on a SQLite file")
def test_a_path_holding_a_newline_is_printed_on_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_notes(tmp_path / "odd\nname", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    db = str(folder / "kb.db")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "ingest", "--no-embed", str(folder)]).exit_code == 0
    shown = db.replace("\n", "\\n")
    rebuilt = runner.invoke(main, ["--db", db, "rebuild", "--no-embed"])
    assert rebuilt.exit_code == 0, rebuilt.output
    # main: "rebuilt .../odd" and "name/kb.db from 1 folder: ..." on two lines
    assert f"rebuilt {shown} from 1 folder: ok; the old file is kept as {shown}.old " \
        in rebuilt.output, rebuilt.output
    # The store lives in the notes folder: the rebuilt store lists none of the old one's
    # files as its sources (main: kb.db, its -wal, -shm and .checked, "skipped").
    with grimoire.open(db) as kb:
        assert [Path(r.path).name for r in kb.sources()] == ["a.md"]
    checked = runner.invoke(main, ["--db", db, "check"])
    assert checked.output == f"{shown}: ok\n", checked.output
    gone = str(tmp_path / "gone\nfolder")
    failed = runner.invoke(main, ["--db", db, "ingest", gone])
    assert failed.exit_code == 1
    assert failed.output.splitlines() == [
        f"error: {gone.replace(chr(10), '[n]')}: no such file or folder".replace("[n]", "\\n")]
    with grimoire.open(db) as kb:
        watcher = watch.Watcher(kb, [folder], options=FAST)
        watcher.catch_up()
        (folder / "a.md").write_text("# Alpha\n\nAlpha is a note changed.\n")
        batch = watcher.apply([str(folder / "a.md")], settled=True)
    capsys.readouterr()
    show_batch(batch)
    line, = capsys.readouterr().err.splitlines()
    assert f"events: {shown.removesuffix('kb.db')}a.md · new 0 · updated 1" in line, line
