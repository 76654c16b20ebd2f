"""The plans for the links of search candidates to title-only pages: read by document."""

from __future__ import annotations

from pathlib import Path

import psycopg

import grimoire
from grimoire.store import postgres_queries
from grimoire.store.sqlite import SQLiteStore
from grimoire.store.sqlite_search import _TITLE_ONLY_LINKS
from tests.conftest import CORPORA, PgDatabases, _need


def test_the_links_of_a_few_passages_are_read_from_those_passages(tmp_path: Path) -> None:
    # Left to itself, SQLite started at every resolved link of the store (status index) and
    # joined back to the candidates: linear in the store's links, on every search. It reads the
    # links of the candidates' documents instead.
    terms = _need(CORPORA) / "ml-glossary-terms" / "terms"
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([terms], embed=False)
        kb.resolve()
        store = kb.store
        assert isinstance(store, SQLiteStore)
        ids = ",".join(str(i) for i in range(1, 300, 2))  # a search's candidates
        plan = [str(r[-1]) for r in store.conn.execute(
            "EXPLAIN QUERY PLAN " + _TITLE_ONLY_LINKS.format(ids=ids, documents=""))]
        assert "SEARCH passages USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
        assert "SEARCH l USING INDEX links_document (document_id=?)" in plan, plan
        assert not any("link_targets_status" in step or step.startswith("SCAN l")
                       for step in plan), plan


def test_postgres_reads_the_links_of_the_candidates_documents(pg: PgDatabases) -> None:
    # Joined to link_targets first, PostgreSQL started at every resolved link of the store
    # (status index) and kept those of the candidates' documents: linear in the store's links.
    terms = _need(CORPORA) / "ml-glossary-terms" / "terms"
    url = pg.url()
    with grimoire.open(url) as kb:
        kb.ingest([terms], embed=False)
        kb.resolve()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        ids = list(range(1, 300, 2))  # a search's candidates
        plan = "\n".join(str(r[0]) for r in conn.execute(
            "EXPLAIN (COSTS OFF) " + postgres_queries._TITLE_ONLY_LINKS, (ids, None, None)))
    assert "links_document" in plan, plan
    assert "link_targets_status" not in plan, plan
