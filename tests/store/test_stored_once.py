"""An entry's JSON and a passage's marks are stored without what other columns hold (round 38,
schema step 16 on SQLite, 8 on PostgreSQL): an entry's term, span and redirect are columns of
`entries`, and every span's file is its source's path, kept once in `sources`. What the store
gives back is what the reader read; a store from before the step is upgraded when opened and
reads back the same."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest

from grimoire import readers
from grimoire.codec import dumps_records, from_data, to_data
from grimoire.ingest import ingest
from grimoire.model import Entry, Link, LinkKind, Span
from grimoire.names import normalize
from grimoire.store import Store, open_store
from grimoire.store.document_rows import entry_data, stored_json, stored_marks
from grimoire.store.records import TABLES
from tests.conftest import ENGINES, PgDatabases

# Real notes with aliases, links in definitions and "see also" lists, math and a redirect.
FOLDERS = ("ml-glossary-terms", "hf-docs/peft")


def _as_read(store: Store) -> tuple[dict[Any, Entry], dict[Any, dict[str, Any]]]:
    """Each file's entries and passages' marks as its reader gives them."""
    entries: dict[Any, Entry] = {}
    marks: dict[Any, dict[str, Any]] = {}
    for source in store.sources():
        if source.status != "ok" or not source.documents:
            continue
        data = Path(source.path).read_bytes()
        reader = readers.detect(source.path, data[:4096].decode("utf-8", "replace"))
        assert reader is not None
        for doc in readers.read_file(reader.name, data, source.path):
            for e in doc.entries:
                entries[(source.path, e.span.start_line, e.term)] = e
            for p in doc.passages:
                found = {k: v for k, v in (("links", p.links), ("math", p.math),
                                           ("images", p.images), ("references", p.references),
                                           ("language", p.language))
                         if v}
                marks[(source.path, p.span.start_line, p.text)] = to_data(found)
    return entries, marks


def _as_stored(store: Store) -> tuple[dict[Any, Entry], dict[Any, dict[str, Any]]]:
    entries = {(s.entry.span.path, s.entry.span.start_line, s.entry.term): s.entry
               for s in store.entries()}
    marks = {(p.span.path, p.span.start_line, p.text): p.marks for p in store.passages()}
    return entries, marks


def _location(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if engine == "sqlite":
        return str(tmp_path / "kb.db")
    databases: PgDatabases = request.getfixturevalue("pg")
    return databases.url()


@pytest.mark.parametrize("engine", ENGINES)
def test_entries_and_marks_come_back_as_read_and_are_stored_once(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path, corpora: Path
) -> None:
    with closing(open_store(_location(engine, request, tmp_path))) as store:
        ingest(store, [corpora / f for f in FOLDERS], workers=1)
        read_entries, read_marks = _as_read(store)
        stored_entries, stored_marks = _as_stored(store)
        assert stored_entries == read_entries
        assert any(e.links or e.see_also for e in stored_entries.values())
        assert any(e.redirect for e in stored_entries.values())
        assert stored_marks == read_marks
        assert sum(1 for m in stored_marks.values() if m) > 100
        # The raw rows hold no term, span or redirect of an entry, and no file of a span.
        columns = TABLES["entries"]
        for row in store.dump("entries"):
            data = json.loads(row[columns.index("data")])
            assert not {"term", "span", "redirect"} & set(data)
            assert '"path"' not in row[columns.index("data")]
        at = TABLES["passages"].index("marks")
        assert all('"path"' not in row[at] for row in store.dump("passages"))


def test_a_span_in_another_file_keeps_its_file() -> None:
    """A reader may give a span in another file than the document's (an included file's
    text): that span keeps its path, and the entry reads back whole."""
    here, there = "/notes/a.md", "/notes/_part.md"
    entry = Entry(term="LoRA", definition="Low-rank adapters.", span=Span(there, 3, 4),
                  aliases=("low-rank adaptation",), redirect=None,
                  links=(Link("adapter", LinkKind.WIKILINK, Span(there, 4, 4)),),
                  see_also=(Link("PEFT", LinkKind.WIKILINK, Span(here, 9, 9)),))
    stored = stored_json(entry, here)
    assert stored.count(there) == 2 and here not in stored
    back = entry_data(stored, here, "LoRA", 3, 4, None)
    assert from_data(Entry, back) == entry


@pytest.mark.parametrize("engine", ENGINES)
def test_a_store_from_before_the_step_is_upgraded_and_reads_back_the_same(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path, corpora: Path
) -> None:
    """Real notes stored, their rows written back as a store of schema 14 (SQLite) or 6
    (PostgreSQL) kept them (the whole record, every span with its file), then opened: the
    step leaves each row as a fresh ingest writes it, and every read is the same."""
    location = _location(engine, request, tmp_path)
    with closing(open_store(location)) as store:
        ingest(store, [corpora / f for f in FOLDERS], workers=1)
        fresh = {t: sorted(store.dump(t), key=repr) for t in ("entries", "passages")}
        reads = _as_stored(store)
        old_entries = [(dumps_records(s.entry), s.id) for s in store.entries()]
        old_marks = [(json.dumps(p.marks), p.id) for p in store.passages() if p.marks]
    assert any(str(tmp_path) in data or "/" in data for data, _ in old_entries)
    if engine == "sqlite":
        from grimoire.store.sqlite import MIGRATIONS, _stored_once

        with closing(sqlite3.connect(location)) as conn, conn:
            conn.executemany("UPDATE entries SET data = ? WHERE id = ?", old_entries)
            conn.executemany("UPDATE passages SET marks = ? WHERE id = ?", old_marks)
            conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_stored_once)}")
    else:
        from grimoire.store.postgres_schema import MIGRATIONS as PG_MIGRATIONS
        from grimoire.store.postgres_schema import stored_once

        with psycopg.connect(location, autocommit=True) as conn, conn.transaction():
            with conn.cursor() as cur:
                cur.executemany("UPDATE entries SET data = %s WHERE id = %s", old_entries)
                cur.executemany("UPDATE passages SET marks = %s WHERE id = %s", old_marks)
            conn.execute("UPDATE grimoire_schema SET version = %s",
                         (PG_MIGRATIONS.index(stored_once),))
    with closing(open_store(location)) as store:
        assert {t: sorted(store.dump(t), key=repr) for t in fresh} == fresh
        assert _as_stored(store) == reads


def test_a_row_in_the_old_form_reads_back_the_same() -> None:
    """A row written whole (a store copied by `store migrate` before its upgrade) reads back
    as the record it holds: only what a row lacks is filled in."""
    path = "/notes/a.md"
    link = Link("adapter", LinkKind.WIKILINK, Span(path, 4, 4))
    entry = Entry(term="LoRA", definition="Low-rank adapters.", span=Span(path, 3, 4),
                  redirect="PEFT", links=(link,))
    back = entry_data(dumps_records(entry), path, "LoRA", 3, 4, "PEFT")
    assert from_data(Entry, back) == entry
    marks = {"links": to_data((link,))}
    assert stored_marks(json.dumps(marks), path) == marks
    assert stored_marks(stored_json({"links": (link,)}, path), path) == marks


@pytest.mark.parametrize("engine", ENGINES)
def test_a_damaged_cell_is_left_as_it_was_and_the_store_opens(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A store from before the step with one cell that is no JSON (a damaged row, which that
    store opened and served around) opens after the upgrade as it did before: the step leaves
    that cell as it was, for `grimoire check` to name, and upgrades the rest (review38a: the
    step's JSON error stopped every command, `stats` and `check` included, with a traceback)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("dropout", "batch norm"):
        (notes / f"{name}.md").write_text(
            f"# {name.title()}\n\n{name.title()} is a layer; see [[Softmax]].\n", encoding="utf-8")
    location = _location(engine, request, tmp_path)
    with closing(open_store(location)) as store:
        ingest(store, [notes], workers=1)
        old = sorted((dumps_records(s.entry), s.id) for s in store.entries())
    damaged = '{"term": "Dropout", "span": {"path": "/x"'
    (_, broken), (whole, kept) = old
    term_of_kept = json.loads(whole)["term"]
    rows = [(damaged, broken), (whole, kept)]
    if engine == "sqlite":
        from grimoire.store.sqlite import MIGRATIONS, _stored_once

        with closing(sqlite3.connect(location)) as conn, conn:
            conn.executemany("UPDATE entries SET data = ? WHERE id = ?", rows)
            conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_stored_once)}")
    else:
        from grimoire.store.postgres_schema import MIGRATIONS as PG_MIGRATIONS
        from grimoire.store.postgres_schema import stored_once

        with psycopg.connect(location, autocommit=True) as conn, conn.transaction():
            with conn.cursor() as cur:
                cur.executemany("UPDATE entries SET data = %s WHERE id = %s", rows)
            conn.execute("UPDATE grimoire_schema SET version = %s",
                         (PG_MIGRATIONS.index(stored_once),))
    with closing(open_store(location)) as store:
        assert store.stats().entries == 2
        columns = TABLES["entries"]
        data = {row[columns.index("id")]: row[columns.index("data")]
                for row in store.dump("entries")}
        assert data[broken] == damaged
        assert '"path"' not in data[kept] and '"term"' not in data[kept]
        named = {s.entry.term for s in store.entries_named(normalize(term_of_kept))}
        assert term_of_kept in named  # the upgraded row reads back
