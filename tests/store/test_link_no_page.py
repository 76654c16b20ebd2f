"""A link by a name that asks for no page (`[[Source]]`, `[[See here]]`, `[[@smith2019]]`) is
marked so by its reader (`Link.no_page`, a column of `links` on both engines: schema step 15
on SQLite, 7 on PostgreSQL) and resolved "dead", never "wanted" (round 38: the store called
them wanted and each face left them out by a rule of its own). Real wanted pages stay wanted.
A store from before the step is upgraded when opened and keeps every row; the next ingest
reads its files again (`ingest.READ_VERSION`) and marks them."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from grimoire.ingest import ingest
from grimoire.lint import concept_findings
from grimoire.resolve import load_overrides, resolve
from grimoire.resolve.view import dead_links, wanted_pages
from grimoire.store import Store, open_store
from grimoire.store.records import TABLES
from tests.conftest import ENGINES, PgDatabases

# Our own words: a vault note that links a section word, "here", a citation, and two pages
# nobody wrote yet (one of them a word that heads sections but names a page when linked).
NOTE = """# Quantile regression

Fits a chosen quantile of the target instead of its mean, with the pinball loss; see
[[Quantile loss]] for its shape and update the [[parameters]] after each batch.

The idea comes from [[@koenker1978]], as [[Source]] says; the code is [[See here]].
"""
ABOUT_LOSS = """# Pinball loss

An asymmetric absolute loss whose slope differs above and below zero ([[Notes]]).
"""


def _notes(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".obsidian").mkdir(exist_ok=True)
    (folder / "Quantile regression.md").write_text(NOTE, encoding="utf-8")
    (folder / "Pinball loss.md").write_text(ABOUT_LOSS, encoding="utf-8")
    return folder


def _ingested(store: Store, folder: Path) -> Store:
    ingest(store, [folder], workers=1)
    resolve(store, load_overrides(store.source_roots()))
    return store


def _statuses(store: Store) -> dict[str, str]:
    return {use.name: status for status in ("wanted", "dead")
            for use in store.unresolved_links(status)}


def _marks(store: Store) -> dict[str, str | None]:
    at, mark = TABLES["links"].index("target"), TABLES["links"].index("no_page")
    return {str(row[at]): row[mark] for row in store.dump("links")}  # type: ignore[misc]


def test_a_link_that_asks_for_no_page_is_dead_not_wanted(store: Store, tmp_path: Path) -> None:
    _ingested(store, _notes(tmp_path / "notes"))
    assert _statuses(store) == {
        "Quantile loss": "wanted", "parameters": "wanted",
        "@koenker1978": "dead", "Source": "dead", "See here": "dead", "Notes": "dead"}
    assert _marks(store) == {"Quantile loss": None, "parameters": None,
                             "@koenker1978": "source", "Source": "part", "See here": "part",
                             "Notes": "part"}
    # Every face reads the wanted pages and lint from these statuses.
    assert [p.name for p in wanted_pages(store, suggestions=False, include_parts=True)] == [
        "parameters", "Quantile loss"]
    found = sorted(f.message for f in concept_findings(
        wanted_pages(store, suggestions=False, include_parts=True),
        dead_links(store, suggestions=False), []) if f.group == "dead-link")
    assert found == [
        "'@koenker1978' leads to no note; it cites a source, not a page to write",
        "'Notes' leads to no note; it names a part of a page, not a page to write",
        "'See here' leads to no note; it names a part of a page, not a page to write",
        "'Source' leads to no note; it names a part of a page, not a page to write"]


# The files' hashes as a Grimoire of the older readers wrote them (`ingest.READ_VERSION` is
# part of each): it was bumped with the step, so the next ingest reads every file again.
OLD_HASHES = "UPDATE sources SET sha256 = 'read-39:' || sha256"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_store_from_before_the_step_is_upgraded_and_marks_on_the_next_ingest(
        engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    folder = _notes(tmp_path / "notes")
    if engine == "sqlite":
        from grimoire.store.sqlite import MIGRATIONS, _link_no_page

        location = str(tmp_path / "kb.db")
        old_version = MIGRATIONS.index(_link_no_page)
    else:
        from grimoire.store.postgres_schema import LINK_NO_PAGE
        from grimoire.store.postgres_schema import MIGRATIONS as PG_MIGRATIONS

        databases: PgDatabases = request.getfixturevalue("pg")
        location = databases.url()
        old_version = PG_MIGRATIONS.index(LINK_NO_PAGE)
    with closing(_ingested(open_store(location), folder)) as store:
        before = {t: len(list(store.dump(t))) for t in TABLES}
    drop = ["ALTER TABLE links DROP COLUMN no_page", OLD_HASHES]
    if engine == "sqlite":
        import sqlite3

        with closing(sqlite3.connect(location)) as conn, conn:
            for sql in drop:
                conn.execute(sql)
            conn.execute(f"PRAGMA user_version = {old_version}")
    else:
        with psycopg.connect(location, autocommit=True) as conn, conn.transaction():
            for sql in drop:
                conn.execute(sql)
            conn.execute("UPDATE grimoire_schema SET version = %s", (old_version,))
    with closing(open_store(location)) as store:
        assert {t: len(list(store.dump(t))) for t in TABLES} == before
        assert set(_marks(store).values()) == {None}  # unmarked until the files are read
        _ingested(store, folder)
        assert _marks(store)["Source"] == "part"
        assert _statuses(store)["Source"] == "dead"
        assert _statuses(store)["Quantile loss"] == "wanted"
