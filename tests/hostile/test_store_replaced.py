"""A database file replaced or removed under a Grimoire that has it open: a backup restored
with `mv`, `grimoire rebuild` run by the owner while another user's `serve` reads it, the file
deleted. The open connection holds the old file (its inode) for good, so every read showed
the old notes, and what it wrote went into the old file's log (NAME-wal, by name), which the
next opener replayed into the new file. Real SQLite files and real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import StoreError
from grimoire.store import sqlite_health
from tests._child import readline

pytestmark = pytest.mark.sqlite_only(reason="a SQLite file renamed or deleted under its reader")


def _store(db: Path, notes: Path, **files: str) -> None:
    notes.mkdir()
    for name, text in files.items():
        (notes / f"{name}.md").write_text(text)
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)


def _concepts(kb: grimoire.Grimoire, word: str) -> list[str]:
    return [h.concept for h in kb.search(word, mode="lexical")]


def test_a_backup_moved_over_an_open_store_is_read_and_written_not_undone(
        tmp_path: Path) -> None:
    # `mv backup.db kb.db` while `serve --watch` ran: its pages kept the old notes, its next
    # write went into kb.db-wal, and the next opener replayed that log into the restored
    # file: Gamma, restored, was gone again and no error said so.
    db, backup = tmp_path / "kb.db", tmp_path / "backup.db"
    _store(db, tmp_path / "notes", a="# Alpha\n\nAlpha is a note about attention.\n")
    _store(backup, tmp_path / "restored", g="# Gamma\n\nGamma is the discount factor.\n")
    kb = grimoire.open(db)
    try:
        (tmp_path / "notes" / "b.md").write_text("# Beta\n\nBeta is a note about momentum.\n")
        kb.ingest([tmp_path / "notes"], embed=False)  # its log now holds pages of kb.db
        assert _concepts(kb, "momentum") == ["Beta"]
        backup.replace(db)
        assert _concepts(kb, "discount") == ["Gamma"]
        assert _concepts(kb, "momentum") == []
        (tmp_path / "notes" / "d.md").write_text("# Delta\n\nDelta is a small change.\n")
        kb.ingest([tmp_path / "notes"], embed=False)
    finally:
        kb.close()
    assert sqlite_health.check(str(db)).ok
    with grimoire.open(db) as again:
        assert _concepts(again, "discount") == ["Gamma"]
        assert _concepts(again, "change") == ["Delta"]
        assert again.stats().sources == 4  # the restored note and the three written after


def test_a_store_deleted_or_moved_away_under_an_open_one_says_so(tmp_path: Path) -> None:
    # It went on answering from the file it had open, and an ingest reported notes stored
    # into a file nobody would open again.
    db = tmp_path / "kb.db"
    _store(db, tmp_path / "notes", a="# Alpha\n\nAlpha is a note about attention.\n")
    with grimoire.open(db) as kb:
        assert kb.stats().sources == 1
        db.replace(tmp_path / "elsewhere.db")
        for call in (kb.stats, lambda: kb.ingest([tmp_path / "notes"], embed=False)):
            with pytest.raises(StoreError) as caught:
                call()
            assert str(db) in str(caught.value) and "no longer there" in str(caught.value)
        (tmp_path / "elsewhere.db").replace(db)
        assert kb.stats().sources == 1  # back where it was: the same file, read as before


_HOLDER = """
import sys, grimoire
kb = grimoire.open(sys.argv[1])
print(kb.stats().sources, flush=True)
sys.stdin.readline()
print(kb.stats().sources, [h.concept for h in kb.search("discount", mode="lexical")])
"""


def test_a_rebuild_under_a_read_only_readers_open_store_is_followed(tmp_path: Path) -> None:
    # A user who cannot write the folder reads the store without taking SQLite's locks, so
    # `rebuild` (run by its owner) is not held back: that user's serve or mcp went on showing
    # the old file, now kb.db.damaged, for as long as it ran.
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "kb.db"
    notes = tmp_path / "notes"
    _store(db, notes, a="# Alpha\n\nAlpha is a note about attention.\n")
    drop = (["setpriv", "--inh-caps=-dac_override,-dac_read_search",
             "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])
    folder.chmod(0o555)
    try:
        reader = subprocess.Popen([*drop, sys.executable, "-c", _HOLDER, str(db)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert readline(reader) == "1\n"
            (notes / "g.md").write_text("# Gamma\n\nGamma is the discount factor.\n")
            folder.chmod(0o755)

            def ingest(new: str, roots: Sequence[str]) -> None:
                with grimoire.open(new) as kb:
                    kb.ingest(roots, embed=False)

            health, kept = sqlite_health.rebuild(str(db), ingest)
            assert health.ok and kept.endswith("kb.db.old")
            out, _ = reader.communicate("\n", timeout=120)
        finally:
            if reader.poll() is None:
                reader.kill()
                reader.wait()
    finally:
        folder.chmod(0o755)
    assert reader.returncode == 0
    assert out == "2 ['Gamma']\n"
