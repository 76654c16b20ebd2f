"""Review of round 56 (review56b): what hostile56 left.

- NAME-shm (the index of the write-ahead log) deleted while a process had the store open:
  another process that opened the store then made a new index, read the log without the first
  one's and wrote its own commits; the first process wrote on with its old index, and the
  other's commits were lost with no word. The first process's next write now refuses, naming
  the file and what to do.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import StoreError
from tests.conftest import write_notes
from tests.hostile.test_round55 import NOTES, _paths

LORA = {"lora.md": "# LoRA\n\nLoRA trains two small matrices.\n"}


@pytest.mark.sqlite_only(reason="SQLite's log index beside the file, another process opening it")
def test_a_log_index_deleted_under_an_open_store_refuses_its_next_write(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", NOTES)
    more = write_notes(tmp_path / "more", LORA)
    db = tmp_path / "kb.db"
    exe = str(Path(sys.executable).with_name("grimoire"))
    kb = grimoire.open(db)
    try:
        kb.ingest([notes], embed=False)
        with grimoire.open(db) as beside:  # a second handle, same process: writes as before
            beside.ingest([more], embed=False)
        assert _paths(db) == {"dropout.md", "adam.md", "lora.md"}
        Path(f"{db}-shm").unlink()
        (more / "lora.md").write_text("# LoRA\n\nLoRA freezes the weights.\n")
        other = subprocess.run([exe, "--db", str(db), "ingest", str(more), "--no-embed"],
                               capture_output=True, text=True, timeout=300)
        assert other.returncode == 0, other.stderr
        (notes / "adam.md").unlink()
        with pytest.raises(StoreError, match=r"kb\.db-shm, the index of its log") as caught:
            kb.ingest([notes], embed=False)  # main: removed adam.md, no word
        assert caught.value.path == str(db) and "Nothing of this write" in str(caught.value)
    finally:
        kb.close()
    assert "adam.md" in _paths(db)  # the refused write did nothing
