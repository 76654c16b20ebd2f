"""A disk that fills during an ingest (RELIABILITY 2): a clear error, the write rolled back,
what was stored before intact, and the same ingest completes once there is room.

SQLite's `max_page_count` makes the file full the way a full disk does: the write fails with
SQLITE_FULL ("database or disk is full") and SQLite rolls the transaction back."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import StoreError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.sqlite_only(reason="SQLite's page limit stands in for a full disk")
def test_a_full_disk_keeps_what_was_stored(tmp_path: Path) -> None:
    more = tmp_path / "more"
    more.mkdir()
    for n in range(200):
        filler = " ".join(hashlib.sha256(f"{n}-{k}".encode()).hexdigest() for k in range(40))
        (more / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is a thing: {filler}.\n")
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([EXAMPLES], embed=False)
        before = sorted((e.entry.term, e.entry.span.path) for e in kb.entries())
        pages = kb.store.conn.execute("PRAGMA page_count").fetchone()[0]
        kb.store.conn.execute(f"PRAGMA max_page_count = {pages + 20}")
        with pytest.raises(StoreError, match="the disk is full") as caught:
            kb.ingest([more], embed=False)
        assert "free some space" in str(caught.value) and "kb.db" in str(caught.value)
        kb.store.conn.execute("PRAGMA max_page_count = 1073741823")
        assert sorted((e.entry.term, e.entry.span.path) for e in kb.entries()) == before
        assert kb.store.integrity_check() == "ok"
        report = kb.ingest([more], embed=False)
        assert report.failed == 0 and report.added + report.unchanged == 200
        assert len(kb.entries()) == len(before) + 200
