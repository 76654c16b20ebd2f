"""`grimoire migrate` moves a knowledge base between engines with nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from grimoire.store import open_store
from grimoire.store.migrate import copy_store
from grimoire.store.records import TABLES
from tests.conftest import PgDatabases, write_notes
from tests.store.conftest import Handles
from tests.store.test_typo_vocabulary import _as_ts_stat_counts


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    store = open_store(url)
    try:
        tables = {t: list(store.dump(t)) for t in TABLES}
        tables["vectors"] = [
            (r.kind, r.id, r.hash, r.model, tuple(round(x, 6) for x in r.vector))
            for r in store.vector_rows()
        ]
        return tables
    finally:
        store.close()


def test_migrate_to_postgres_and_back(seeds: Path, tmp_path: Path, pg: PgDatabases) -> None:
    original = str(tmp_path / "kb.db")
    with grimoire.open(original) as kb:
        kb.ingest([seeds])
        kb.resolve()
        queries = ["lora", "perplexity", "what is a transformer", "kl divergence"]
        semantic = {q: [(h.span, h.concept) for h in kb.search(q, mode="semantic")]
                    for q in queries}
        top = {q: kb.search(q, k=1)[0].concept for q in queries[:2]}
        concepts = [(c.label, c.entries, c.sources) for c in kb.concepts()]
    postgres = pg.url()
    result = CliRunner().invoke(main, ["migrate", "--from", original, "--to", postgres, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["rows"]["passages"] > 100 and report["vectors"] > 200
    _as_ts_stat_counts(postgres)  # counted by the copy's COPY and its `tsv` update

    with grimoire.open(postgres) as kb:
        assert kb.store.engine == "postgresql"
        have, total = kb.store.vector_counts()
        assert have == total == report["vectors"]
        assert kb.store.embed_units(kb.searcher.embedder.name) == []  # nothing to re-embed
        assert [(c.label, c.entries, c.sources) for c in kb.concepts()] == concepts
        for q in queries:
            assert [(h.span, h.concept) for h in kb.search(q, mode="semantic")] == semantic[q]
        assert {q: kb.search(q, k=1)[0].concept for q in queries[:2]} == top

    back = str(tmp_path / "back.db")
    result = CliRunner().invoke(main, ["migrate", "--from", postgres, "--to", back])
    assert result.exit_code == 0, result.output
    assert "vectors" in result.output
    before, after = snapshot(original), snapshot(back)
    for table in before:
        assert before[table] == after[table], table


def test_migrate_refuses_a_destination_with_notes(seeds: Path, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    for db in (a, b):
        with grimoire.open(db) as kb:
            kb.ingest([seeds / "README.md"], embed=False)
    result = CliRunner().invoke(main, ["migrate", "--from", a, "--to", b])
    assert result.exit_code == 1
    assert "b.db" in result.output and "empty" in result.output
    with grimoire.open(b) as kb:
        assert kb.stats().sources == 1


def test_migrate_from_a_file_that_is_not_there_creates_nothing(tmp_path: Path) -> None:
    # A mistyped --from made an empty database there and one at --to, and said
    # "copied 0 files ... to new.db" (audit29).
    missing, new = tmp_path / "typo.db", tmp_path / "new.db"
    result = CliRunner().invoke(main, ["migrate", "--from", str(missing), "--to", str(new)])
    assert result.exit_code == 1
    assert f"{missing}: database does not exist" in result.output
    assert not missing.exists() and not new.exists()


@pytest.mark.parametrize("url", ["postgresql://nobody:secret@127.0.0.1:1/none"])
def test_unreachable_postgres_is_a_clear_error_without_the_password(url: str) -> None:
    result = CliRunner().invoke(main, ["--db", url, "stats"])
    assert result.exit_code == 1
    assert "cannot connect to PostgreSQL" in result.output
    assert "secret" not in result.output and "127.0.0.1:1/none" in result.output
    # PostgreSQL's own reason, not the pool's "initialization incomplete after 15 sec"
    assert "Connection refused" in result.output, result.output


@pytest.mark.parametrize("url", ["postgresql://nobody:secret@127.0.0.1:notaport/none",
                                 "postgresql://nobody:secret@[::1/none"])
def test_a_malformed_postgres_url_is_a_clear_error_without_the_password(url: str) -> None:
    result = CliRunner().invoke(main, ["--db", url, "stats"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "cannot connect to PostgreSQL" in result.output
    assert "secret" not in result.output and "none" in result.output


def test_a_socket_url_is_shown_as_a_url_without_its_password() -> None:
    # urlunsplit drops the // of a URL whose host part is empty: 'postgresql:/notes?host=...'
    # was shown, which no one can paste back.
    from grimoire._http import shown

    url = "postgresql://me:secret@/notes?host=/run/postgresql"
    assert shown(url) == "postgresql:///notes?host=/run/postgresql"
    assert shown("postgresql://me:secret@db.lab:5433/notes") == "postgresql://db.lab:5433/notes"


def test_a_missing_postgres_database_is_named_as_missing(pg: PgDatabases) -> None:
    url = pg.server.get_uri("no_such_database_here")
    result = CliRunner().invoke(main, ["--db", url, "stats"])
    assert result.exit_code == 1
    assert 'database "no_such_database_here" does not exist' in result.output, result.output


def test_migrate_while_the_source_is_written_copies_one_state_of_it(
        handles: Handles, tmp_path: Path) -> None:
    """A store copied while another process writes it (a `watch`, an ingest): its tables were
    read one by one, some before the write and some after. A file removed meanwhile was
    copied with its row and none of its documents' entries, the counts then differed after the
    copy had committed ("the copy differs", and the next migrate to it refused: "already holds
    notes"); a file added meanwhile failed the copy with "FOREIGN KEY constraint failed". The
    write lands here as the copy starts its second table (traced on the destination)."""
    from grimoire.ingest import ingest

    notes = write_notes(tmp_path / "notes", {
        "a.md": "# Alpha\n\nAlpha is the first. See [[Beta]].\n",
        "b.md": "# Beta\n\nBeta is the second.\n",
        "c.md": "# Gamma\n\nGamma is the third.\n"})
    src, writer = handles.store, handles.other
    ingest(src, [notes], workers=1)
    before = {t: list(src.dump(t)) for t in TABLES}
    dst = open_store(str(tmp_path / "copy.db"))
    written = []

    def write_meanwhile(sql: str) -> None:
        if not written and sql.startswith("INSERT INTO documents"):
            (notes / "b.md").unlink()
            written.append(ingest(writer, [notes], workers=1))

    dst.conn.set_trace_callback(write_meanwhile)  # type: ignore[attr-defined]
    try:
        copy_store(src, dst)
        dst.conn.set_trace_callback(None)  # type: ignore[attr-defined]
        assert written and written[0].removed == 1
        assert {t: list(dst.dump(t)) for t in TABLES} == before  # the state before the write
    finally:
        dst.close()
    again = open_store(str(tmp_path / "again.db"))
    try:
        copy_store(src, again)  # and the state after it, whole
        assert {Path(r[1]).name for r in again.dump("sources")} == {"a.md", "c.md"}
    finally:
        again.close()


def test_a_failed_read_of_the_source_names_the_source(tmp_path: Path, pg: PgDatabases) -> None:
    """A copy from one PostgreSQL database to another whose source connection ends mid-copy
    (the server or an administrator ends it): the source's reads inside its snapshot raised
    psycopg's own error, which the destination's transaction took for its own and named the
    destination (review56b). Here the destination ends it, from a trigger, after the copy
    read its second table, as the copy writes it."""
    import psycopg

    from grimoire.errors import StoreError
    from grimoire.ingest import ingest

    notes = write_notes(tmp_path / "notes", {
        "a.md": "# Alpha\n\nAlpha is the first. See [[Beta]].\n",
        "b.md": "# Beta\n\nBeta is the second.\n"})
    src_url, dst_url = pg.url(), pg.url()
    src, dst = open_store(src_url), open_store(dst_url)
    try:
        ingest(src, [notes], workers=1)
        with psycopg.connect(src_url) as c:
            row = c.execute("SELECT current_database()").fetchone()
            assert row is not None
            name = row[0]
        with psycopg.connect(dst_url, autocommit=True) as c:
            c.execute(f"""CREATE FUNCTION cut_source() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_terminate_backend(pid, 5000) FROM pg_stat_activity
                WHERE datname = '{name}' AND state = 'idle in transaction'; RETURN NULL;
                END $$""")
            c.execute("CREATE TRIGGER cut AFTER INSERT ON documents FOR EACH STATEMENT"
                      " EXECUTE FUNCTION cut_source()")
        with pytest.raises(StoreError) as caught:
            copy_store(src, dst)
        assert caught.value.path == src.url, (caught.value.path, str(caught.value))
        assert dst.stats().sources == 0  # nothing of the copy kept
        assert src.stats().sources == 2  # and the source reads on after it
    finally:
        src.close()
        dst.close()


def test_a_resolve_while_a_postgres_store_is_copied_commits_before_the_copy_ends(
        tmp_path: Path, pg: PgDatabases) -> None:
    """A resolve (a `watch` after an ingest) committing its concepts while `migrate` copied a
    PostgreSQL store: its TRUNCATE of the concept tables took them one by one, the last first,
    and waited for `concepts`, which the copy had read (its snapshot holds each table it
    reads until it ends); the copy then waited for `concept_names`: a deadlock, and the server
    ended one of the two (review56b). The copy then locked them all first, and the resolve
    waited for the whole copy (minutes of a large store: a `watch` stalled; review56b's
    leftover). It now empties them row by row when it cannot hold them within 2 s, and
    commits while the copy goes on; the copy is the state before it. The resolve lands here as
    the copy writes `concepts`."""
    import threading

    notes = write_notes(tmp_path / "notes", {
        "a.md": "# Alpha\n\nAlpha is the first. See [[Beta]].\n",
        "b.md": "# Beta\n\nBeta is the second.\n"})
    src_url = pg.url()
    with grimoire.open(src_url) as kb:
        kb.ingest([notes], embed=False)
        kb.resolve()
        (notes / "c.md").write_text("# Gamma\n\nGamma is the third, after [[Alpha]].\n")
        kb.ingest([notes], embed=False, resolve=False)  # concepts to make again
    src = open_store(src_url)
    before = {t: list(src.dump(t)) for t in TABLES}
    dst = open_store(str(tmp_path / "copy.db"))
    failed: list[BaseException] = []
    done: list[bool] = []

    def resolve() -> None:
        try:
            with grimoire.open(src_url) as other:
                other.resolve()
        except BaseException as e:  # said by the assert below
            failed.append(e)

    worker = threading.Thread(target=resolve)

    def resolve_meanwhile(sql: str) -> None:
        if worker.ident is None and sql.startswith("INSERT INTO concepts"):
            worker.start()
            worker.join(60)  # main: waits for the copy, which waits here
            done.append(not worker.is_alive())

    dst.conn.set_trace_callback(resolve_meanwhile)  # type: ignore[attr-defined]
    try:
        copy_store(src, dst)
        dst.conn.set_trace_callback(None)  # type: ignore[attr-defined]
        assert {t: list(dst.dump(t)) for t in TABLES} == before
    finally:
        worker.join(300)
        dst.close()
    try:
        assert done == [True] and not failed, (done, failed)
        after = {t: list(src.dump(t)) for t in TABLES}
        assert [dirty for _, dirty, _ in before["concept_state"]] == [1]
        assert [dirty for _, dirty, _ in after["concept_state"]] == [0]  # resolved
        assert "Gamma" not in {label for _, _, label, _ in before["concepts"]}
        assert "Gamma" in {label for _, _, label, _ in after["concepts"]}
    finally:
        src.close()
    with grimoire.open(src_url) as kb:  # the keys were marked unready: a whole resolve again
        assert kb.concept("Gamma").label == "Gamma"
