"""The lexical index's vocabulary, which typo tolerance reads by prefix (`Store.index_terms`),
follows every write on both engines. On PostgreSQL it is a table the writes keep (round 42,
schema step 9: `passage_words`); before, the first typo query after each write read
`ts_stat` over every passage (about 2 s at 100k passages). Here the table is held to what
`ts_stat` counts after each kind of write, and a store from before the step gains it."""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from grimoire.ingest import ingest
from grimoire.search import Searcher
from grimoire.store import Store, open_store
from tests.conftest import ENGINES, PgDatabases

NOTES = "hf-docs/peft"  # four real pages, 48 kB


def _counts(store: Store, *words: str) -> dict[str, int]:
    """How many passages hold each of `words` (by its index term), 0 for none, as the prefix
    ranges typo tolerance reads give it."""
    stems = store.index_stems(words)
    return {w: dict(store.index_terms(stems[w])).get(stems[w], 0) for w in words}


def _as_ts_stat_counts(location: str) -> None:
    """On PostgreSQL: the kept table is exactly what `ts_stat` counts over every passage."""
    if not location.startswith("postgresql"):
        return
    with psycopg.connect(location) as conn:
        kept = conn.execute("SELECT word, ndoc FROM passage_words ORDER BY word").fetchall()
        counted = conn.execute("SELECT word, ndoc FROM ts_stat('SELECT tsv FROM passages')"
                               " ORDER BY word COLLATE \"C\"").fetchall()
        notes = conn.execute("SELECT count(*) FROM passage_word_changes").fetchone()
    assert kept == counted
    assert len(kept) > 500
    assert notes == (0,)  # each transaction's notes were summed at its commit, then cleared


@pytest.mark.parametrize("engine", ENGINES)
def test_the_vocabulary_follows_adds_edits_and_deletes(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path, corpora: Path
) -> None:
    location = (str(tmp_path / "kb.db") if engine == "sqlite"
                else request.getfixturevalue("pg").url())
    notes = tmp_path / "notes"
    shutil.copytree(corpora / NOTES, notes)
    with closing(open_store(location)) as store:
        ingest(store, [notes], workers=1)
        _as_ts_stat_counts(location)
        searcher = Searcher(store)
        before = _counts(store, "adapters", "zanzibar")
        assert before["adapters"] > 1 and before["zanzibar"] == 0
        assert searcher.searched_for("zanzibbar") is None  # no word near it yet

        # A new note: its words are counted at once, and a typo of one is corrected.
        (notes / "islands.md").write_text(
            "# Islands\n\nZanzibar lies off the coast; its adapters are of another kind.\n",
            encoding="utf-8")
        ingest(store, [notes], workers=1)
        _as_ts_stat_counts(location)
        assert _counts(store, "adapters", "zanzibar") == {
            "adapters": before["adapters"] + 1, "zanzibar": 1}
        assert searcher.searched_for("zanzibbar") == "zanzibar"

        # The note edited: the word it lost goes, the one it gained comes.
        (notes / "islands.md").write_text("# Islands\n\nMadagascar lies off the coast.\n",
                                          encoding="utf-8")
        ingest(store, [notes], workers=1)
        _as_ts_stat_counts(location)
        assert _counts(store, "adapters", "zanzibar", "madagascar") == {
            "adapters": before["adapters"], "zanzibar": 0, "madagascar": 1}
        assert store.index_terms("zanz") == []

        # The note deleted, and one of the real pages with it.
        (notes / "islands.md").unlink()
        (notes / "adapters.md").unlink()
        ingest(store, [notes], workers=1)
        _as_ts_stat_counts(location)
        after = _counts(store, "adapters", "madagascar")
        assert after["madagascar"] == 0 and 0 < after["adapters"] < before["adapters"]


def test_a_store_from_before_the_step_gains_the_vocabulary(
    pg: PgDatabases, corpora: Path
) -> None:
    url = pg.url()
    with closing(open_store(url)) as store:
        ingest(store, [corpora / NOTES], workers=1)
        stems = store.index_stems(["adapters"])
    from grimoire.store.postgres_schema import MIGRATIONS

    with psycopg.connect(url, autocommit=True) as conn:  # as schema 8 left it
        conn.execute("DROP TABLE passage_words, passage_word_changes, passage_words_pending")
        conn.execute("DROP FUNCTION grimoire_passage_words, grimoire_passage_words_commit"
                     " CASCADE")
        conn.execute("UPDATE grimoire_schema SET version = %s", (len(MIGRATIONS) - 1,))
    with closing(open_store(url)) as store:
        _as_ts_stat_counts(url)
        assert dict(store.index_terms(stems["adapters"]))[stems["adapters"]] > 1
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT version FROM grimoire_schema").fetchone() == (
                len(MIGRATIONS),)
