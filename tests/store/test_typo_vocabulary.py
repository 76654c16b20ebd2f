"""The lexical index's vocabulary, which typo tolerance reads by prefix (`Store.index_terms`),
follows every write on both engines. On PostgreSQL it is a table the writes keep (round 42,
schema step 9: `passage_words`); before, the first typo query after each write read
`ts_stat` over every passage (about 2 s at 100k passages). Here the table is held to what
`ts_stat` counts after each kind of write, and a store from before the step gains it."""

from __future__ import annotations

import shutil
import threading
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


def _as_ts_stat_counts(location: str, at_least: int = 500) -> None:
    """On PostgreSQL: the kept table is exactly what `ts_stat` counts over every passage."""
    if not location.startswith("postgresql"):
        return
    with psycopg.connect(location) as conn:
        kept = conn.execute("SELECT word, ndoc FROM passage_words ORDER BY word").fetchall()
        counted = conn.execute("SELECT word, ndoc FROM ts_stat('SELECT tsv FROM passages')"
                               " ORDER BY word COLLATE \"C\"").fetchall()
        notes = conn.execute("SELECT count(*) FROM passage_word_changes").fetchone()
    assert kept == counted
    assert len(kept) > at_least
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
    from grimoire.store.postgres_schema import MIGRATIONS, PASSAGE_WORDS

    with psycopg.connect(url, autocommit=True) as conn:  # as schema 8 left it
        conn.execute("DROP TABLE passage_words, passage_word_changes, passage_words_pending")
        conn.execute("DROP FUNCTION grimoire_passage_words, grimoire_passage_words_commit,"
                     " grimoire_passage_words_truncated CASCADE")
        conn.execute("UPDATE grimoire_schema SET version = %s",
                     (MIGRATIONS.index(PASSAGE_WORDS),))
    with closing(open_store(url)) as store:
        _as_ts_stat_counts(url)
        assert dict(store.index_terms(stems["adapters"]))[stems["adapters"]] > 1
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT version FROM grimoire_schema").fetchone() == (
                len(MIGRATIONS),)


def _add(conn: psycopg.Connection[tuple[object, ...]], document: int, text: str) -> None:
    """One passage of `text` in `document`, its `tsv` as the ingest writes it (one statement)."""
    conn.execute(
        "INSERT INTO passages (document_id, seq, kind, heading_path, text, start_line, end_line,"
        " tsv) VALUES (%s, 0, 'paragraph', '[]', %s, 1, 1,"
        " to_tsvector('grimoire', grimoire_words(%s)))", (document, text, text))


def test_the_vocabulary_equals_ts_stat_after_every_kind_of_transaction(
    pg: PgDatabases, corpora: Path
) -> None:
    """Writes the store itself never makes, but a transaction may: rolled back whole or in a
    savepoint (its first write there only), `tsv` rewritten, two writers sharing most words
    at once, TRUNCATE (which fires no transition-table trigger: it left every word counted)."""
    url = pg.url()
    with closing(open_store(url)) as store:
        ingest(store, [corpora / NOTES], workers=1)
    with psycopg.connect(url, autocommit=True) as conn:
        texts = [str(t) for (t,) in conn.execute(
            "SELECT text FROM passages WHERE length(text) > 200 ORDER BY id").fetchall()]
        documents = [int(d) for (d,) in conn.execute(
            "SELECT id FROM documents ORDER BY id").fetchall()]
    assert len(texts) > 20 and len(documents) == 4
    first, second = documents[:2]

    with psycopg.connect(url) as conn:  # a transaction rolled back
        _add(conn, first, texts[0])
        conn.rollback()
        conn.execute("SAVEPOINT a")  # the transaction's first write, in a savepoint undone
        _add(conn, first, "zanzibar " + texts[1])
        conn.execute("ROLLBACK TO SAVEPOINT a")
        _add(conn, first, texts[2])
        conn.execute("SAVEPOINT b")  # a savepoint kept
        _add(conn, second, texts[3])
        conn.execute("RELEASE SAVEPOINT b")
    _as_ts_stat_counts(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE passages SET tsv = to_tsvector('grimoire', grimoire_words("
                     "text || ' madagascar')) WHERE id % 3 = 0")
        assert conn.execute("SELECT ndoc FROM passage_words WHERE word = 'zanzibar'"
                            ).fetchone() is None
    _as_ts_stat_counts(url)

    failures: list[Exception] = []

    def write(document: int, texts: list[str]) -> None:
        try:
            with psycopg.connect(url) as conn:
                for i, text in enumerate(texts):
                    with conn.transaction():
                        _add(conn, document, text)
                        _add(conn, document, text[::-1])
                        if i % 4 == 0:
                            conn.execute("DELETE FROM passages WHERE id = (SELECT min(id)"
                                         " FROM passages WHERE document_id = %s)", (document,))
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    writers = [threading.Thread(target=write, args=(d, texts[:16])) for d in (first, second)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    _as_ts_stat_counts(url)

    with psycopg.connect(url) as conn:  # TRUNCATE, then new passages in the same transaction
        _add(conn, first, texts[4])
        conn.execute("TRUNCATE documents CASCADE")
        conn.execute("INSERT INTO documents (id, source_id, title, format, tags, meta)"
                     " SELECT %s, min(id), 't', 'markdown', '[]', '{}' FROM sources", (first,))
        _add(conn, first, texts[5])
    _as_ts_stat_counts(url, at_least=10)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE passages CASCADE")
        assert conn.execute("SELECT count(*) FROM passage_words").fetchone() == (0,)


def test_a_file_of_more_passages_than_a_statement_holds(pg: PgDatabases, tmp_path: Path) -> None:
    """A file's passages go in 1,000 rows a statement: 1,100 sections, two statements, in
    their order, every word counted."""
    from grimoire.store.postgres import _PASSAGES_A_STATEMENT

    assert _PASSAGES_A_STATEMENT < 1100
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "long.md").write_text("# Long\n\n" + "\n\n".join(
        f"## Part {i}\n\nPart {i} of the text, on topic{i % 97} and gradient descent."
        for i in range(1100)), encoding="utf-8")
    url = pg.url()
    with closing(open_store(url)) as store:
        ingest(store, [notes], workers=1)
        assert dict(store.index_terms("gradient")) == {"gradient": 1100}
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT array_agg(seq ORDER BY id) FROM passages").fetchone() == (
            list(range(1100)),)
    _as_ts_stat_counts(url, at_least=100)
