"""A link keeps its address as written (`href`) in the store from the ingest on (schema step 6
on PostgreSQL, 13 on SQLite): the readers resolve a file link by its last segment
(`../guides/checkpoint.md#merge` is the name `checkpoint`), and lint, `show` and the API show
what the author wrote, read from the store, never from a source file that may have changed.
A store from before the step is upgraded when opened and keeps every row."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from grimoire.ingest import ingest
from grimoire.names import normalize
from grimoire.resolve import load_overrides, resolve
from grimoire.store import Store, open_store
from grimoire.store.records import TABLES
from tests.conftest import ENGINES, PgDatabases

NOTE = """# Adapters

Low-rank adapters are merged back as the [checkpoint guide](../guides/checkpoint.md#merge)
says; the [merging note](merging) and <a href="/docs/peft/prefix-tuning/">prefix tuning</a>
have more, and so does [the quantization page][q].

[q]: ../quantization.html
"""
MERGING = """# Merging

Folding an adapter back into the base weights, as the [adapters note](adapters.md) says.
"""
WRITTEN = {"../guides/checkpoint.md#merge", "/docs/peft/prefix-tuning/", "../quantization.html"}


def _notes(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adapters.md").write_text(NOTE, encoding="utf-8")
    (folder / "merging.md").write_text(MERGING, encoding="utf-8")
    return folder


def _ingested(store: Store, folder: Path) -> Store:
    ingest(store, [folder], workers=1)
    resolve(store, load_overrides(store.source_roots()))
    return store


def test_a_file_link_keeps_its_address_as_written(store: Store, tmp_path: Path) -> None:
    _ingested(store, _notes(tmp_path / "notes"))
    # A file link to no note is "dead", or "elsewhere" when its folder holds none (round 36)
    dead = {use.name: use.href for status in ("wanted", "dead", "elsewhere")
            for use in store.unresolved_links(status)}
    assert dead == {"checkpoint": "../guides/checkpoint.md#merge",
                    "prefix-tuning": "/docs/peft/prefix-tuning/",
                    "quantization": "../quantization.html"}
    stored = {row[TABLES["links"].index("target")]: row[TABLES["links"].index("href")]
              for row in store.dump("links")}
    # A link written as its name keeps no copy of it; one written as an address keeps it.
    assert stored["merging"] is None
    assert stored["adapters"] == "adapters.md"
    assert set(stored.values()) - {None} == {*WRITTEN, "adapters.md"}


def test_a_resolved_link_shows_its_address_in_the_concept(store: Store, tmp_path: Path) -> None:
    _ingested(store, _notes(tmp_path / "notes"))
    (match,) = store.concepts_named(normalize("Merging"))
    out = store.concept_links(match.concept_id, incoming=False)
    assert {(m.target, m.href, m.written) for m in out} == {
        ("adapters", "adapters.md", "adapters.md")}
    (adapters,) = store.concepts_named(normalize("Adapters"))
    back = store.concept_links(adapters.concept_id, incoming=True)
    assert [(m.target, m.href) for m in back] == [("adapters", "adapters.md")]


# The files' hashes as a Grimoire of the older readers wrote them (`ingest.READ_VERSION` is
# part of each): it was bumped with the step, so the next ingest reads every file again.
OLD_HASHES = "UPDATE sources SET sha256 = 'read-10:' || sha256"


def _rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    return {table: list(store.dump(table)) for table in TABLES}


def _without_href(rows: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    at = TABLES["links"].index("href")
    return {**rows, "links": [(*r[:at], *r[at + 1:]) for r in rows["links"]]}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_store_from_before_the_step_is_upgraded_and_keeps_every_row(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path, corpora: Path
) -> None:
    """Real notes (hf-docs' PEFT pages, whose relative links lead to pages the export left
    out) stored, the column taken away as a store of schema 12 (SQLite) or 5 (PostgreSQL)
    lacks it, then opened: every row of every table comes back, and the links have no
    address (NULL) until the next ingest reads their files again."""
    folder = corpora / "hf-docs" / "peft"
    if engine == "sqlite":
        from grimoire.store.sqlite import MIGRATIONS, _link_href

        location = str(tmp_path / "kb.db")
        old_version = MIGRATIONS.index(_link_href)
    else:
        from grimoire.store.postgres_schema import LINK_HREF
        from grimoire.store.postgres_schema import MIGRATIONS as PG_MIGRATIONS

        databases: PgDatabases = request.getfixturevalue("pg")
        location = databases.url()
        old_version = PG_MIGRATIONS.index(LINK_HREF)
    with closing(_ingested(open_store(location), folder)) as store:
        before = _rows(store)
    hrefs = [r[TABLES["links"].index("href")] for r in before["links"]]
    assert any(h and h.startswith("../") for h in hrefs)
    if engine == "sqlite":
        import sqlite3

        with closing(sqlite3.connect(location)) as conn, conn:
            conn.execute("ALTER TABLE links DROP COLUMN href")
            conn.execute(OLD_HASHES)
            conn.execute("UPDATE concept_state SET dirty = 0")  # as resolved: not by the step
            conn.execute(f"PRAGMA user_version = {old_version}")
    else:
        with psycopg.connect(location, autocommit=True) as conn, conn.transaction():
            conn.execute("ALTER TABLE links DROP COLUMN href")
            conn.execute(OLD_HASHES)
            conn.execute("UPDATE concept_state SET dirty = 0")  # as resolved: not by the step
            conn.execute("UPDATE grimoire_schema SET version = %s", (old_version,))
    with closing(open_store(location)) as store:
        after = _rows(store)
        assert _without_href(_same_hashes(after)) == _without_href(before)
        assert all(r[TABLES["links"].index("href")] is None for r in after["links"])
        # Shown by its name meanwhile, as before the step.
        assert {use.href for status in ("wanted", "dead", "elsewhere")
                for use in store.unresolved_links(status)} == {None}
        # The next ingest reads the files again (READ_VERSION) and the addresses come back.
        _ingested(store, folder)
        assert _addresses(store) == _addresses_of(before["links"])


def _same_hashes(rows: dict[str, list[tuple[object, ...]]]
                 ) -> dict[str, list[tuple[object, ...]]]:
    at = TABLES["sources"].index("sha256")
    return {**rows, "sources": [(*r[:at], str(r[at]).removeprefix("read-10:"), *r[at + 1:])
                                for r in rows["sources"]]}


def _addresses_of(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    keep = [TABLES["links"].index(c) for c in ("target", "href", "start_line", "kind")]
    return sorted((tuple(r[k] for k in keep) for r in rows), key=repr)


def _addresses(store: Store) -> list[tuple[object, ...]]:
    return _addresses_of(list(store.dump("links")))
