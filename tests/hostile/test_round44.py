"""Hostile input and faults met in round 43, made reproducible (round 44, hostile44).

- A store copied while a checkpoint wrote it, torn in its full-text index alone: SQLite's
  quick and integrity checks pass it (they read the index's pages as rows, not as an index),
  so it opened and answered the searches that missed the torn page (round 43's fresh clone:
  1 copy in 40). FTS5's own check now runs at opening, in the same time budget.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import grimoire
from grimoire.errors import CorruptDatabase
from tests.conftest import PgDatabases, ingested, write_notes
from tests.hostile.test_copied_while_written import _full_text_sound, integrity


def _checkpoint(tmp_path: Path) -> tuple[bytes, dict[int, bytes], int]:
    """A store's file as the last checkpoint left it, and the pages (by number) of its next
    ingest, every note changed, that a checkpoint would write into it from the -wal."""
    notes, db = tmp_path / "notes", tmp_path / "kb.db"
    notes.mkdir()
    for version in (0, 1):
        for n in range(40):
            words = " ".join(f"w{version}x{k}" for k in range(200))
            (notes / f"n{n}.md").write_text(f"# Term {n}\n\nTerm {n} is version {version}: "
                                            f"{words}.\n")
        with grimoire.open(db) as kb:
            if version == 0:
                kb.ingest([notes], embed=False)
                kb.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                file = db.read_bytes()
                continue
            kb.store.conn.execute("PRAGMA wal_autocheckpoint = 0")
            kb.ingest([notes], embed=False)
            log = Path(f"{db}-wal").read_bytes()
    # sqlite.org/fileformat2.html 4.1: a 32-byte header, then frames of a 24-byte header
    # (page number, the file's size in pages after a commit, the log's salt) and a page.
    page = struct.unpack(">I", log[8:12])[0]
    pages: dict[int, bytes] = {}
    committed: dict[int, bytes] = {}
    at = 32
    while at + 24 + page <= len(log) and log[at + 8:at + 16] == log[16:24]:
        number, commit = struct.unpack(">II", log[at:at + 8])
        pages[number] = log[at + 24:at + 24 + page]
        if commit:
            committed = dict(pages)
        at += 24 + page
    return file, committed, page


def torn_copies(tmp_path: Path, sound: Path) -> Iterator[tuple[int, Path]]:
    """Writes the sound store to `sound` (`_checkpoint`'s file with its log's pages), then
    yields each copy of it holding one page of its full-text tables as it was before the
    checkpoint (a `cp` that read that page before the checkpoint wrote it, and every other
    page after) that is torn in that index alone: copies SQLite's own checks call damaged
    (test_torn_copy), or not torn at all, are passed over."""
    old, pages, size = _checkpoint(tmp_path)
    new = bytearray(old)
    for number, content in pages.items():
        new[(number - 1) * size:number * size] = content.ljust(size, b"\0")
    sound.write_bytes(new)
    with sqlite3.connect(sound) as conn:  # the pages of the full-text tables
        index = [n for (n,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name LIKE '%fts%' ORDER BY pageno")]
    conn.close()
    for number in index:
        if number not in pages or number * size > len(old):
            continue
        start = (number - 1) * size
        copy = tmp_path / f"copy{number}" / "kb.db"
        copy.parent.mkdir()
        copy.write_bytes(new[:start] + old[start:start + size] + new[start + size:])
        if integrity(copy) == "ok" and not _full_text_sound(copy):
            yield number, copy


@pytest.mark.sqlite_only(reason="splices the pages of a SQLite file")
def test_a_copy_torn_in_its_full_text_index_alone_is_refused_at_opening(
        tmp_path: Path) -> None:
    sound = tmp_path / "sound.db"
    index_only = answered = 0
    for number, copy in torn_copies(tmp_path, sound):
        index_only += 1
        before = hashlib.sha256(copy.read_bytes()).hexdigest()
        with pytest.raises(CorruptDatabase) as caught, grimoire.open(copy) as kb:
            for word in ("term", "version", "w1x7", "w0x7", "w1x150", "thing"):
                try:
                    kb.search(word, k=5, mode="lexical")
                    answered += 1  # main answered some of these from the torn index
                except CorruptDatabase:
                    pass
            raise AssertionError(f"copy{number} opened, {answered} searches answered")
        message = str(caught.value)
        assert str(copy) in message and "damaged" in message, message
        assert "full-text index" in message and "grimoire check" in message, message
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == before, number
    assert index_only >= 1  # the splices do tear the index alone
    with grimoire.open(sound) as kb:  # the whole file opens and answers
        assert len(kb.search("w1x7", k=50, mode="lexical")) == 40


def test_a_word_of_thousands_of_bytes_is_found_on_both_engines(tmp_path: Path) -> None:
    """PostgreSQL indexes no word over 2,047 bytes (a tsvector's limit): a passage whose only
    mark was such a word (a key, a base64 blob) was found by SQLite and not by PostgreSQL
    (round 43). Both find it now, by the long word, the words around it, and not by a part."""
    latin = "q" + "z" * 2_999  # 3,000 bytes
    cyrillic = "ж" * 1_100  # 2,200 bytes in UTF-8
    mixed = "k9" * 1_200
    notes = write_notes(tmp_path / "notes", {
        "long.md": f"# Long\n\nLong holds {latin} in its text.\n\nAnd {cyrillic} here.\n",
        "mixed.md": f"# Mixed\n\nMixed holds {mixed}.\n",
        "other.md": "# Other\n\nOther is a note beside them.\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        def found(query: str) -> list[str]:
            return [Path(h.span.path).name for h in kb.search(query, k=5, mode="lexical")]

        assert found(latin) == ["long.md"]
        assert found(cyrillic) == ["long.md"]
        assert found(mixed) == ["mixed.md"]
        assert found(f"holds {latin}")[0] == "long.md"
        assert found("beside") == ["other.md"]
        assert found("q" + "z" * 2_000) == []  # a word is found whole, as SQLite finds it


def back_to_schema_10(url: str) -> None:
    """Index the PostgreSQL store at `url` as schema 10 did (its long words dropped from every
    tsvector) and mark it schema 10, so that opening it runs step 11."""
    from grimoire.store.postgres_schema import (
        ENTRY_TSV_UPDATE,
        MIGRATIONS,
        PASSAGE_TSV_UPDATE,
        long_words,
    )

    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute("CREATE OR REPLACE FUNCTION grimoire_words(t text) RETURNS text"
                     " LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT"
                     " RETURN translate(t, '/.@:', '    ')")  # schema 10's
        conn.execute(PASSAGE_TSV_UPDATE)
        conn.execute(ENTRY_TSV_UPDATE)
        conn.execute("UPDATE grimoire_schema SET version = %s", (MIGRATIONS.index(long_words),))


def test_a_postgres_store_indexed_before_finds_its_long_words_once_opened(
        pg: PgDatabases, tmp_path: Path) -> None:
    """A store of schema 10 (its long words dropped from every tsvector) is brought to 11 on
    open: the rows holding a long word are indexed again, the word table counts its pieces."""
    from grimoire.store.postgres_schema import (
        MIGRATIONS,
    )

    cyrillic = "ж" * 1_100  # 2,200 bytes, in a passage of its own (the reader cuts longer ones)
    notes = write_notes(tmp_path / "notes", {
        "long.md": f"# Long\n\nLong holds {cyrillic} in its text.\n",
        "other.md": "# Other\n\nOther is a note beside it.\n"})
    url = pg.url()
    with ingested(url, notes, embed=False) as kb:
        rows = list(kb.store.dump("passages"))
    back_to_schema_10(url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM passage_words WHERE word LIKE 'жж%'"
                            ).fetchone() == (0,)
    with grimoire.open(url) as kb:
        assert list(kb.store.dump("passages")) == rows
        assert [Path(h.span.path).name for h in kb.search(cyrillic, k=5, mode="lexical")] == [
            "long.md"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version FROM grimoire_schema").fetchone() == (
            len(MIGRATIONS),)
        assert conn.execute("SELECT count(*) FROM passage_words WHERE word LIKE 'жж%'"
                            ).fetchone() == (2,)  # 250 letters, then the last 100
