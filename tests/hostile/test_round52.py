"""Round 52 (hostile52): what round 51 left.

- `NAME.old` / `NAME.damaged` (and `.2`, `.3` ...), the copies `grimoire rebuild` keeps
  beside the store, were read by the next ingest of a notes folder holding the store as
  skipped sources ("binary file, not a note"), and named by the watch: they are the store's
  own files, never input.
- A watch batch that failed for want of room (a file too big for what is left of the disk)
  failed whole, with the small files read with it, at each retry: a batch that fails so is
  split, and the files that fit are stored.
- A root reached through a symlink that was then deleted kept its records beside the real
  folder's (each note twice, until `--prune`): the records belong to the real folder.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire import watch
from grimoire.cli import main
from tests.conftest import write_notes
from tests.hostile.test_disk_full import _small_tmpfs
from tests.test_watch import FAST


@pytest.mark.sqlite_only(reason="a store file inside the notes folder")
def test_the_copies_rebuild_keeps_beside_the_store_are_never_read(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    db = notes / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    # The copies rebuild keeps (a sound file as NAME.old, a damaged one as NAME.damaged, the
    # next ones numbered), with the -wal a copy may carry; and a note whose name only begins
    # with the store's: a note still.
    for name in ("kb.db.old", "kb.db.old.2", "kb.db.damaged", "kb.db.damaged.3",
                 "kb.db.old-wal"):
        shutil.copyfile(db, notes / name)
    (notes / "kb.db.older.md").write_text("# Beta\n\nBeta is a note.\n", encoding="utf-8")
    with grimoire.open(db) as kb:
        report = kb.ingest([notes], embed=False)
        # main: 5 skipped sources ("binary file, not a note")
        assert report.skipped == 0, report
        assert sorted(Path(r.path).name for r in kb.sources()) == ["a.md", "kb.db.older.md"]
        watcher = watch.Watcher(kb, [notes], options=FAST)
        assert not watcher.wanted(str(notes / "kb.db.old.2"))
        assert not watcher.wanted(str(notes / "kb.db.damaged"))
        assert watcher.wanted(str(notes / "kb.db.older.md"))
    result = CliRunner().invoke(main, ["--db", str(db), "sources"])
    assert result.exit_code == 0, result.output
    assert "kb.db.old.2" not in result.output and "kb.db.damaged" not in result.output


@pytest.mark.sqlite_only(reason="a SQLite file on a full file system")
def test_a_batch_that_fails_for_want_of_room_stores_the_files_that_fit(tmp_path: Path) -> None:
    """A real full disk (a 1 MB tmpfs; SQLite's page limit is lost when the store opens its
    file again after a write that found no room)."""
    disk = tmp_path / "disk"
    if not _small_tmpfs(disk, "1m"):
        pytest.skip("mounting a tmpfs is not allowed here")
    small = {f"s{n}.md": f"# Small {n}\n\nSmall {n} is a short note.\n" for n in range(5)}
    notes = write_notes(tmp_path / "notes", {"first.md": "# First\n\nFirst is a note.\n"})
    filler = " ".join(hashlib.sha256(str(k).encode()).hexdigest() for k in range(10_000))
    try:
        with grimoire.open(disk / "kb.db") as kb:
            watcher = watch.Watcher(kb, [notes], options=FAST)
            watcher.catch_up()
            # 650 KB of text, where under 600 KB is left
            write_notes(notes, {**small, "big.md": f"# Big\n\nBig is a long note: {filler}.\n"})
            failed = watcher.apply([str(notes / name) for name in (*small, "big.md")],
                                   settled=True)
            # main: the whole batch failed, the five small notes with the big one, at each
            # retry
            assert len(failed.errors) == 1 and "the disk is full" in failed.errors[0], failed
            assert f"{notes / 'big.md'} did not fit, the batch's other 5 files were stored" in \
                failed.errors[0] and "tries it again in 5 s" in failed.errors[0], failed.errors
            assert failed.report.added == 5, failed
            stored = sorted(Path(r.path).name for r in kb.sources())
            assert stored == sorted(["first.md", *small]), stored
            again = watcher.retry(now=float("inf"))
            assert again is not None and again.report.added == 0, again
            # the retry of that file alone names it (the store's error names the store)
            assert f"tries it again in 10 s: {notes / 'big.md'})" in again.errors[0], again.errors
            subprocess.run(["mount", "-o", "remount,size=16m", str(disk)], check=True)
            done = watcher.retry(now=float("inf"))  # room made
            assert done is not None and not done.errors and done.report.added == 1, done
            assert len(kb.sources()) == 7 and kb.store.integrity_check() == "ok"
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_root_whose_symlink_was_deleted_gives_its_records_to_the_real_folder(
        tmp_path: Path) -> None:
    real = write_notes(tmp_path / "real" / "vault", {
        "a.md": "# Alpha\n\nAlpha is a note.\n", "sub/d.md": "# Delta\n\nDelta is a note.\n"})
    link = tmp_path / "vault"
    link.symlink_to(real, target_is_directory=True)
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([link], embed=False)
        link.unlink()
        report = kb.ingest([real], embed=False)
        # main: both notes twice, under `vault` (kept: "an unmounted drive?") and `real/vault`
        names = sorted((r.path, r.root) for r in kb.sources())
        assert names == [(str(real / "a.md"), str(real)), (str(real / "sub/d.md"), str(real))]
        assert len(kb.entries()) == 2
        assert any(str(link) in n and "same files" in n for n in report.notices), report
        # A second ingest finds nothing to do.
        again = kb.ingest([real], embed=False)
        assert again.added == again.removed == 0 and not again.notices, again
    # Said in the CLI's output, one line.
    link2 = tmp_path / "vault2"
    real2 = write_notes(tmp_path / "real2", {"b.md": "# Beta\n\nBeta is a note.\n"})
    link2.symlink_to(real2, target_is_directory=True)
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([link2], embed=False)
    link2.unlink()
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "kb.db"), "ingest", "--no-embed",
                                       str(real2)])
    assert result.exit_code == 0, result.output
    assert str(link2) in result.output and "same files" in result.output, result.output
    with grimoire.open(tmp_path / "kb.db") as kb:
        assert [r.path for r in kb.sources() if "real2" in r.path or "vault2" in r.path] == [
            str(real2 / "b.md")]


def test_an_unmounted_folder_whose_files_differ_keeps_its_records(
        tmp_path: Path) -> None:
    """The other side of the rule: a root gone whose files are not the ones of the folder
    ingested (another drive, unmounted) keeps its records, as before."""
    real = write_notes(tmp_path / "real", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    other = write_notes(tmp_path / "drive", {"a.md": "# Alpha\n\nAlpha is another note, longer.\n"})
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([other], embed=False)
        shutil.rmtree(other)
        report = kb.ingest([real], embed=False)
        assert not any("same files" in n for n in report.notices), report
        assert sorted(r.path for r in kb.sources()) == [str(other / "a.md"), str(real / "a.md")]


def test_a_folder_gone_beside_another_it_shares_files_with_keeps_its_records(
        tmp_path: Path) -> None:
    """review52b: the rule above is for a symlink deleted before its folder was ingested by
    its own name. Two folders both ingested, one a copy of the other (`cp -a` onto a drive
    whose mount point goes with it when unmounted) or two vaults of one template (index.md,
    README.md), then one gone: the other's ingest took the gone one's records (said "a
    symlink to it, deleted?") where a missing folder's are kept until `--prune`."""
    template = {"index.md": "# Index\n\nIndex is where it starts.\n",
                "README.md": "# Readme\n\nReadme says how.\n"}
    vault = write_notes(tmp_path / "vault", {**template, "a.md": "# Alpha\n\nAlpha is a note.\n"})
    drive = tmp_path / "drive"
    shutil.copytree(vault, drive)  # a copy, times kept
    other = write_notes(tmp_path / "other", {**template, "b.md": "# Beta\n\nBeta is a note.\n"})
    with grimoire.open(tmp_path / "kb.db") as kb:
        for folder in (drive, vault, other):
            kb.ingest([folder], embed=False)
        shutil.rmtree(drive)
        shutil.rmtree(other)
        for folder in (vault, write_notes(tmp_path / "fresh", template)):
            report = kb.ingest([folder], embed=False)
            # review52b: "... is gone and held the same files as ...", its records removed
            assert not any("same files" in n for n in report.notices), report
        for gone in (drive, other):
            assert len(kb.store.sources(root=str(gone))) == 3, kb.sources()


@pytest.mark.sqlite_only(reason="a store file inside the notes folder")
def test_a_store_in_its_notes_folder_reached_through_a_symlink_is_not_read(
        tmp_path: Path) -> None:
    """review52b: the store named by one spelling of its folder, the notes walked by another
    (a symlink to it; or `cd ~/vault; grimoire --db kb.db ingest .`, where the working folder
    is the resolved one and the root the link's name): its files, and a copy rebuild kept,
    were skipped sources ("binary file, not a note", "not a note format (.db-wal)")."""
    notes = write_notes(tmp_path / "real" / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                                     "kb.db.md": "# Beta\n\nBeta is a note.\n"})
    link = tmp_path / "notes"
    link.symlink_to(notes, target_is_directory=True)
    with grimoire.open(notes / "kb.db") as kb:
        kb.ingest([link], embed=False)
        shutil.copyfile(notes / "kb.db", notes / "kb.db.old")
        report = kb.ingest([link], embed=False)
        # main: 5 skipped (kb.db, -wal, -shm, .checked, .old)
        assert report.skipped == 0, kb.sources()
        assert sorted(Path(r.path).name for r in kb.sources()) == ["a.md", "kb.db.md"]
        watcher = watch.Watcher(kb, [link], options=FAST)
        assert not watcher.wanted(str(link / "kb.db-wal"))
        assert watcher.wanted(str(link / "kb.db.md"))
