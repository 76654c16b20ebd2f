"""The index by document on `concept_sections`: used by search, added to an older database."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire.store.sqlite import CONCEPT_SECTIONS_DOCUMENT_INDEX, SQLiteStore
from tests.store.conftest import database_before


def _plan(store: SQLiteStore, passage_ids: list[int]) -> str:
    ids = ",".join(map(str, passage_ids))
    rows = store.conn.execute(
        f"""EXPLAIN QUERY PLAN SELECT p.id, (SELECT cs.concept_id FROM concept_sections cs
                WHERE cs.document_id = p.document_id
                  AND p.start_line BETWEEN cs.start_line AND cs.end_line
                ORDER BY cs.end_line - cs.start_line LIMIT 1)
            FROM passages p WHERE p.id IN ({ids})""").fetchall()
    return " | ".join(str(r[-1]) for r in rows)


def test_an_older_database_gets_the_index_and_search_finds_concepts_through_sections(
    corpora: Path, tmp_path: Path
) -> None:
    db = tmp_path / "old.db"
    # A database as the schema left it before the index.
    database_before(db, CONCEPT_SECTIONS_DOCUMENT_INDEX).close()
    with grimoire.open(db) as kb:
        store = kb.store
        assert isinstance(store, SQLiteStore)
        kb.ingest([corpora / "ml-cheatsheet-rst"], embed=False)
        kb.resolve()
        sections = store.conn.execute(
            "SELECT count(*) FROM concept_sections").fetchone()[0]
        assert sections > 10
        # Passages outside any entry, inside a section about a concept.
        rows = store.conn.execute(
            """SELECT p.id, cs.concept_id FROM passages p JOIN concept_sections cs
               ON cs.document_id = p.document_id
               AND p.start_line BETWEEN cs.start_line AND cs.end_line
               WHERE p.entry_id IS NULL ORDER BY p.id LIMIT 20""").fetchall()
        assert rows
        found = store.concepts_of_passages([pid for pid, _ in rows])
        assert set(found) == {pid for pid, _ in rows}
        assert "USING INDEX concept_sections_document" in _plan(store, [r[0] for r in rows])
