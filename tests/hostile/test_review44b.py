"""Round 44's second look (review44b) at hostile44's and faces44's merged changes."""

from __future__ import annotations

from pathlib import Path

import psycopg

import grimoire
from tests.conftest import PgDatabases, ingested, write_notes
from tests.hostile.test_round44 import back_to_schema_10


def test_schema_11_indexes_again_a_long_word_kept_escaped_in_json(
        pg: PgDatabases, tmp_path: Path) -> None:
    """Step 11 picks the rows to index again by their text; a heading and an entry's
    definition are kept as JSON with non-ASCII letters escaped (`\\u0436`), where no run of
    letters shows. Once opened, every vector is what indexing it again gives."""
    from grimoire.store.postgres_schema import (
        ENTRY_TSV_UPDATE,
        PASSAGE_TSV_UPDATE,
    )

    cyrillic = "ж" * 1_100  # 2,200 bytes: dropped from a tsvector by schema 10
    notes = write_notes(tmp_path / "notes", {
        "long.md": f"# Long\n\nLong holds {cyrillic} in its definition.\n\n"
                   f"## Part {cyrillic}\n\nA short section.\n",
        "other.md": "# Other\n\nOther is a note beside it.\n"})
    url = pg.url()
    with ingested(url, notes, embed=False):
        pass
    back_to_schema_10(url)
    with grimoire.open(url):
        pass  # migrated

    def vectors(conn: psycopg.Connection[tuple[object, ...]]) -> list[tuple[object, ...]]:
        return [*conn.execute("SELECT id, tsv::text, body::text FROM passages ORDER BY id"),
                *conn.execute("SELECT id, tsv::text, '' FROM entries ORDER BY id")]

    with psycopg.connect(url, autocommit=True) as conn:
        migrated = vectors(conn)
        with conn.transaction():
            conn.execute(PASSAGE_TSV_UPDATE)
            conn.execute(ENTRY_TSV_UPDATE)
            again = vectors(conn)
    assert sum("жж" in str(row[1]) for row in again) >= 2  # the heading's passage, the entry
    assert migrated == again


def test_only_a_word_the_parser_reads_is_cut(pg: PgDatabases) -> None:
    """`grimoire_words` cuts a run of 250 of the letters PostgreSQL's parser joins into one
    word: under a UTF-8 locale (pgserver's C.UTF-8) it ends a word at "。", a no-break space
    or a dash, so a Japanese paragraph or words joined by no-break spaces, each word short,
    are indexed as they were on schema 10 (cut, a word across each 250th letter was split
    and no longer found as typed)."""
    url = pg.url()
    with grimoire.open(url):
        pass
    japanese = "日本語の文章です。" * 40  # 360 letters, no ASCII
    spaced = "\u00a0".join(["naïve", "café", "déjà"] * 60)
    dashed = "\u2014".join(["жизнь"] * 60)
    long_word = "ж" * 1_100
    with psycopg.connect(url) as conn:
        def same(text: str) -> bool:
            return bool(conn.execute(
                "SELECT to_tsvector('grimoire', grimoire_words(%(t)s))"
                " = to_tsvector('grimoire', translate(%(t)s, '/.@:', '    '))",
                {"t": text}).fetchone()[0])  # type: ignore[index]

        assert same(japanese) and same(spaced) and same(dashed)
        assert not same(long_word)  # still cut: 250, 250, 250, 250, 100
        assert conn.execute("SELECT length(grimoire_words(%s))", (long_word,)).fetchone() == (
            1_100 + 4,)
