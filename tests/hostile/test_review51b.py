"""Round 51 (review51b): a second look at hostile51's changes.

- A folder ingested apart by its real name, then the folder around it by a symlink: hostile51
  removed each of its records as soon as the walk of the outer folder saw the file, before the
  file was read under the outer name. A file that failed to read then (a dump cut off while it
  was being written) lost its last good version, which a failed read keeps; a kill during the
  read left the store without the folder's notes until the next ingest. The old record now
  goes in the transaction that writes the new one, and a failed read keeps it, failed.
- A folder ingested first through a symlink inside the vault (`vault/alias` to `vault/sub`),
  then the vault: hostile51 took a root named inside the vault for one named from it already,
  and the walk (which passes a link to a folder over) stored `vault/sub`'s notes again, each
  twice. Its records now move as any other spelling's do.
- A folder reached through a bind mount (`mount --bind /real/vault /mnt/vault`; on macOS,
  `~/Notes` and `~/notes`, one folder on a disk that ignores case) was stored twice, as
  main stored it: roots were compared by their resolved paths, which a bind mount or a
  letter's case leaves apart. They are compared by the folder's identity (device and inode)
  now, as hostile51's docstring said they were.
- A watch batch that failed to write waited out its doubled wait (up to `reconcile_s`) even
  once another batch had written: the store was writable again (the other ingest done, room
  made), and the change waited minutes more. A batch that writes now makes the waiting
  files due at once, their wait back to `retry_s`.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
from pathlib import Path

import pytest

import grimoire
from grimoire import watch
from tests.conftest import write_notes
from tests.test_ingest import DUMP
from tests.test_watch import FAST


def test_a_file_that_fails_to_read_as_it_moves_keeps_its_last_good_version(
        tmp_path: Path) -> None:
    real = write_notes(tmp_path / "real" / "vault", {
        "a.md": "# Alpha\n\nAlpha is a note.\n", "sub/wiki.xml": DUMP,
        "sub/d.md": "# Delta\n\nDelta is a note.\n"})
    link = tmp_path / "vault"
    link.symlink_to(real, target_is_directory=True)
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([real / "sub"], embed=False)
        assert "Dump Page" in {e.entry.term for e in kb.entries()}
        (real / "sub" / "wiki.xml").write_text(DUMP[:-40])  # cut off: a broken dump
        report = kb.ingest([link], embed=False)
        assert report.failed == 1, report
        # r51-hostile51: the dump's record removed, its entries gone, a failed record of no
        # pages left under the outer name
        assert "Dump Page" in {e.entry.term for e in kb.entries()}
        records = sorted((r.path, r.root, r.status) for r in kb.sources())
        assert records == [
            (str(real / "sub" / "wiki.xml"), str(real / "sub"), "failed"),
            (str(link / "a.md"), str(link), "ok"),
            (str(link / "sub" / "d.md"), str(link), "ok")], records
        # Whole again, it moves: one record, under the outer name.
        (real / "sub" / "wiki.xml").write_text(DUMP.replace("a page", "the page"))
        kb.ingest([link], embed=False)
        records = sorted((r.path, r.root, r.status) for r in kb.sources())
        assert records == [
            (str(link / "a.md"), str(link), "ok"),
            (str(link / "sub" / "d.md"), str(link), "ok"),
            (str(link / "sub" / "wiki.xml"), str(link), "ok")], records
        assert "Dump Page" in {e.entry.term for e in kb.entries()}


def test_a_folder_first_ingested_through_a_symlink_inside_the_vault_is_stored_once(
        tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "sub/d.md": "# Delta\n\nDelta is a note.\n"})
    (vault / "alias").symlink_to(vault / "sub", target_is_directory=True)
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([vault / "alias"], embed=False)
        kb.ingest([vault], embed=False)
        records = sorted((r.path, r.root) for r in kb.sources())
        # r51-hostile51: vault/alias/d.md under vault/alias as well
        assert records == [(str(vault / "a.md"), str(vault)),
                           (str(vault / "sub" / "d.md"), str(vault))], records


@pytest.mark.sqlite_only(reason="a SQLite write lock held by another connection")
def test_a_batch_that_writes_makes_the_failed_ones_due_at_once(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "b.md": "# Beta\n\nBeta is a note.\n"})
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        watcher = watch.Watcher(kb, [notes], options=dataclasses.replace(FAST, retry_s=600))
        watcher.catch_up()
        (notes / "a.md").write_text("# Alpha\n\nAlpha is a note changed while locked.\n")
        kb.store.conn.execute("PRAGMA busy_timeout = 0")
        with sqlite3.connect(db) as locker:
            locker.execute("BEGIN IMMEDIATE")
            failed = watcher.apply([str(notes / "a.md")], settled=True)
            assert failed.errors and "tries it again in 600 s" in failed.errors[0], failed
            locker.rollback()
        (notes / "b.md").write_text("# Beta\n\nBeta is a note changed.\n")
        assert not watcher.apply([str(notes / "b.md")], settled=True).errors
        # r51-hostile51: None, a.md's change waiting its 600 s though b.md's was written
        done = watcher.retry()
        assert done is not None and not done.errors and done.report.updated == 1, done
        assert "changed while locked" in kb.concept("Alpha").entries[0].entry.definition


def test_a_folder_reached_through_a_bind_mount_is_stored_once(tmp_path: Path) -> None:
    real = write_notes(tmp_path / "real", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                           "sub/d.md": "# Delta\n\nDelta is a note.\n"})
    mounted = tmp_path / "mnt"
    mounted.mkdir()
    bound = subprocess.run(["mount", "--bind", str(real), str(mounted)], capture_output=True,
                           check=False)
    if bound.returncode != 0:
        pytest.skip(f"no bind mount here: {bound.stderr.decode().strip()}")
    try:
        with grimoire.open(tmp_path / "kb.db") as kb:
            kb.ingest([mounted], embed=False)
            kb.ingest([real / "sub"], embed=False)  # inside it, by the other name
            kb.ingest([real], embed=False)  # the same folder
            records = sorted((r.path, r.root) for r in kb.sources())
            # r51-hostile51 (and main): real/sub/d.md under real/sub, then under real, and
            # real/a.md: each note twice
            assert records == [(str(mounted / "a.md"), str(mounted)),
                               (str(mounted / "sub" / "d.md"), str(mounted))], records
    finally:
        subprocess.run(["umount", str(mounted)], check=True)
