"""Rebuild's copies where no extended attribute can be kept (round 40's leftover).

rebuild keeps the two newest `NAME.old*` copies it made and removes older ones; a copy of
the user's own under that name, or one they wrote into since, is never removed. Its copies
were told apart by an extended attribute only: on a file system without user xattrs (ramfs,
FAT, tmpfs before Linux 6.6) and under macOS's Python (no `os.setxattr`) every copy was kept
forever, one whole store per rebuild. Real files on a real ramfs, real rebuilds.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.store import sqlite_health

pytestmark = pytest.mark.sqlite_only(reason="rebuild swaps SQLite files")


def _terms(db: Path) -> set[str]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return {term for (term,) in conn.execute("SELECT term FROM entries")}
    finally:
        conn.close()


def _ingest(new: str, roots: list[str]) -> None:
    with grimoire.open(new) as kb:
        kb.ingest(roots, embed=False)


@pytest.fixture
def ramfs(tmp_path: Path) -> Iterator[Path]:
    """A ramfs mounted in the test's folder: it keeps no user extended attributes."""
    folder = tmp_path / "ramfs"
    folder.mkdir()
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "ramfs", "ramfs", str(folder)], capture_output=True).returncode:
        pytest.skip("mounting a ramfs is not allowed here")
    try:
        probe = folder / "probe"
        probe.write_bytes(b"")
        try:
            os.setxattr(probe, "user.grimoire.probe", b"1")
        except OSError:
            pass
        else:
            pytest.skip("this kernel's ramfs keeps user extended attributes")
        probe.unlink()
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def _rebuilds_keep_only_their_own_two(tmp_path: Path, folder: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(2):
        (notes / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is a thing of ours.\n")
    db = folder / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    mine = db.with_name("kb.db.old")
    shutil.copyfile(db, mine)  # the user's own copy, under the name rebuild uses
    theirs = mine.read_bytes()
    made = []
    health = None
    for n in range(4):
        health, kept = sqlite_health.rebuild(str(db), _ingest)
        assert health.ok, health.problems
        made.append(Path(kept))
        assert mine.read_bytes() == theirs, n
        if n == 1:  # the user writes a note of theirs into the first copy rebuild made
            extra = tmp_path / "extra"
            extra.mkdir()
            (extra / "x.md").write_text("# Xerus\n\nXerus is a note kept in a copy.\n")
            with grimoire.open(made[0]) as kb:
                assert kb.ingest([extra], embed=False).added == 1
    assert health is not None
    assert made[0].name == "kb.db.old.2" and "Xerus" in _terms(made[0])  # theirs now: kept
    # On main at ac76370: all four copies kept (nothing could be marked).
    assert [m.is_file() for m in made] == [True, False, True, True], made
    said = " ".join(notice for notice in health.notices if "removed" in notice)
    assert made[1].name in said and "kb.db.old " not in said, said
    left = sorted(p.name for p in folder.iterdir()  # the marks of checks left out
                  if p.name.startswith("kb.db") and "-" not in p.name and p.suffix != ".checked")
    assert left == ["kb.db", "kb.db.old", *sorted(made[n].name for n in (0, 2, 3))], left
    assert _terms(db) == {"Term 0", "Term 1"} and _terms(mine) == {"Term 0", "Term 1"}
    for copy in made[2:]:
        assert _terms(copy) == {"Term 0", "Term 1"}


def test_on_a_file_system_without_xattrs_rebuild_removes_only_its_own_copies(
        tmp_path: Path, ramfs: Path) -> None:
    _rebuilds_keep_only_their_own_two(tmp_path, ramfs)


def test_without_xattr_calls_rebuild_removes_only_its_own_copies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As under macOS's Python, whose `os` has no `setxattr` and no `getxattr`."""
    for name in ("setxattr", "getxattr", "listxattr", "removexattr"):
        monkeypatch.delattr(os, name, raising=False)
    folder = tmp_path / "store"
    folder.mkdir()
    _rebuilds_keep_only_their_own_two(tmp_path, folder)


def test_a_copy_replaced_by_one_of_the_users_at_the_same_name_is_kept(
        tmp_path: Path, ramfs: Path) -> None:
    """The user removes rebuild's copy and puts their own at its name, with the same bytes
    and modification time (`cp -p`): it is not taken for rebuild's (a new inode here; where
    a freed inode number is given again, its change time differs) and is kept."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Alpha\n\nAlpha is a thing of ours.\n")
    db = ramfs / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    first = Path(sqlite_health.rebuild(str(db), _ingest)[1])
    saved = tmp_path / "saved"
    shutil.copy2(first, saved)
    first.unlink()
    shutil.copy2(saved, first)  # same bytes, same modification time, a new file
    for _ in range(3):
        health, _kept = sqlite_health.rebuild(str(db), _ingest)
        assert health.ok, health.problems
    assert first.is_file() and first.read_bytes() == saved.read_bytes()
    assert len(sorted(ramfs.glob("kb.db.old*"))) == 3  # theirs and rebuild's two newest
