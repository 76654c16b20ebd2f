"""pgvector dropped from a PostgreSQL store while Grimoire has it open (round 38's leftover:
the pool skipped the missing type in silence). PostgreSQL refuses `DROP EXTENSION vector`
while a column uses its type; with CASCADE it drops every vector column. What Grimoire then
said was "database write failed ... cache lookup failed for type 16389" for a search, and
"column v.vec does not exist" after the next opening (which made the extension again).
Each call that needs a vector must say what happened, naming the database; nothing else
stored is lost. Real PostgreSQL (pgserver)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import psycopg
import pytest

import grimoire
from grimoire.errors import StoreError
from grimoire.store import open_store
from tests.conftest import PgDatabases


def _rows(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return sorted(conn.execute("SELECT term, norm FROM entries").fetchall())


def test_vectors_dropped_under_an_open_store_are_said_plainly(pg: PgDatabases,
                                                              tmp_path: Path) -> None:
    url = pg.url()
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("Alpha", "Beta"):
        (notes / f"{name}.md").write_text(f"# {name}\n\n{name} is a thing of ours.\n")
    with grimoire.open(url) as kb:
        kb.ingest([notes], embed=False)
    entries = _rows(url)
    assert len(entries) == 2
    store = open_store(url)
    try:
        vec = np.array([1.0, 0.5, 0.25], dtype=np.float32)
        store.save_vectors("m", [("h1", vec)], [])
        store.nearest("m", vec, 3)  # read back before the drop
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("DROP EXTENSION vector CASCADE")
        for call in (lambda: store.save_vectors("m", [("h2", vec)], []),
                     lambda: store.nearest("m", vec, 3)):
            with pytest.raises(StoreError) as caught:
                call()
            message = str(caught.value)
            assert store.url in message and "pgvector extension was dropped" in message, message
            assert "nothing of this call was kept" in message, message
    finally:
        store.close()
    # Opened again (which makes the extension again): refused at once, said the same way.
    with pytest.raises(StoreError) as caught:
        open_store(url).close()
    assert "pgvector extension was dropped" in str(caught.value), caught.value
    assert "not opened" in str(caught.value)
    assert _rows(url) == entries  # the notes' entries are all there
