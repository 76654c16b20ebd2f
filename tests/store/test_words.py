"""Lexical search splits words where both engines split them: PostgreSQL's text parser keeps
a path ("ContextualAI/HALOs"), a host ("huggingface.co"), an address or a version ("v1.2")
as one token, where SQLite's FTS5 sees two words; a query for one of them found the passage
on SQLite only (a sentence of TRL's docs typed whole ranked 3rd on PostgreSQL, 1st on SQLite)."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import psycopg

from grimoire.ingest import ingest
from grimoire.store import Store, open_store
from grimoire.store.records import TextQuery
from tests.conftest import PgDatabases

NOTE = """# Preference tuning

The reference code lives at ContextualAI/HALOs on the hub at huggingface.co, written by
someone@lab.example for release v1.2 of the trainer.
"""
JOINED = ["halos", "contextualai", "huggingface", "someone", "example", "v1"]


def _write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tuning.md").write_text(NOTE, encoding="utf-8")
    return folder


def _found(store: Store) -> dict[str, bool]:
    return {w: bool(store.fts_passages(TextQuery((w,)), 5)) for w in JOINED} | {
        "phrase": bool(store.fts_passages(TextQuery((), (("contextualai", "halos"),)), 5))}


def test_a_word_joined_to_another_by_a_slash_dot_or_at_is_found(
    store: Store, tmp_path: Path
) -> None:
    ingest(store, [_write(tmp_path / "notes")], workers=1)
    assert _found(store) == dict.fromkeys([*JOINED, "phrase"], True)


def test_a_postgres_store_made_before_the_split_is_reindexed_when_opened(
    pg: PgDatabases, tmp_path: Path
) -> None:
    """A store whose rows were indexed as schema 4 indexed them (one token for
    "ContextualAI/HALOs") is brought to schema 5 on open: every stored vector is computed
    again, nothing else changes."""
    from grimoire.store.postgres_schema import MIGRATIONS, WORDS

    url = pg.url()
    with closing(open_store(url)) as store:
        ingest(store, [_write(tmp_path / "notes")], workers=1)
        rows = list(store.dump("passages"))
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute("UPDATE passages SET tsv = to_tsvector('grimoire', text),"
                     " body = to_tsvector('grimoire', text)")
        conn.execute("UPDATE entries SET tsv = to_tsvector('grimoire', term)")
        conn.execute("DROP FUNCTION grimoire_words")
        conn.execute("UPDATE grimoire_schema SET version = %s", (MIGRATIONS.index(WORDS),))
    with closing(open_store(url)) as store:
        assert list(store.dump("passages")) == rows
        assert _found(store) == dict.fromkeys([*JOINED, "phrase"], True)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version FROM grimoire_schema").fetchone() == (len(MIGRATIONS),)
