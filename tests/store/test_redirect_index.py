"""The index of redirect entries: what a hybrid search counts its vectors against, added to an
older database."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire.store.sqlite import ENTRY_REDIRECTS_INDEX, SQLiteStore
from tests.conftest import EXAMPLES
from tests.store.conftest import database_before


def test_an_older_database_gets_the_index_and_counts_units_without_redirects(
    tmp_path: Path,
) -> None:
    db = tmp_path / "old.db"
    database_before(db, ENTRY_REDIRECTS_INDEX).close()  # as the schema stood before it
    with grimoire.open(db) as kb:
        store = kb.store
        assert isinstance(store, SQLiteStore)
        kb.ingest([EXAMPLES], embed=False)
        conn = store.conn
        redirects = conn.execute(
            "SELECT count(*) FROM entries WHERE redirect IS NOT NULL").fetchone()[0]
        assert redirects > 0  # the wiki export's #REDIRECT pages
        units = conn.execute(
            "SELECT (SELECT count(*) FROM passages)"
            " + (SELECT count(*) FROM entries WHERE redirect IS NULL)").fetchone()[0]
        assert store.vector_counts() == (0, units)
        kb.embed()
        assert store.vector_counts() == (units, units)
        plan = " | ".join(str(r[-1]) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM entries WHERE redirect IS NOT NULL"))
        assert "entries_redirects" in plan, plan
