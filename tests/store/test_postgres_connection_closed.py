"""A pooled connection the server closed while the server stays up (an administrator's
`pg_terminate_backend`, `idle_session_timeout`, a firewall dropping an idle link) is not a
stopped server: the next call gets a live connection and is answered. It failed, said as
"the PostgreSQL server stopped or cannot be reached ... start it again" (round 41's message
for a server that went away) while the server ran (review41a). Real PostgreSQL (pgserver)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest

import grimoire
from grimoire.errors import StoreError
from tests.conftest import ingested, write_notes

pytestmark = pytest.mark.postgres


def test_a_connection_the_server_closed_is_replaced_not_said_as_a_stopped_server(
        pg: Any, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "alpha.md").write_text("# Alpha\n\nAlpha is a note of ours.\n", encoding="utf-8")
    url = pg.url()
    with grimoire.open(url) as kb:
        kb.ingest([notes], embed=False)
        before = [e.entry.term for e in kb.entries()]
        assert before == ["Alpha"]
        with psycopg.connect(url, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000))"
                " FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()").fetchone()
        assert ended is not None and ended[0] >= 1  # the pool's idle connection(s)
        assert [e.entry.term for e in kb.entries()] == before
        assert [h.concept for h in kb.search("alpha", mode="lexical")]
        (notes / "beta.md").write_text("# Beta\n\nBeta is another.\n", encoding="utf-8")
        assert kb.ingest([notes], embed=False).added == 1


def test_a_connection_ended_mid_write_says_why(pg: Any, tmp_path: Path) -> None:
    """The server ends the store's connection in the middle of a write, saying why (SQLSTATE
    57P01: a shutdown, or an administrator's `pg_terminate_backend`, the same words): the call
    says that, not a server that "stopped or cannot be reached" (round 52); the next call is
    answered, nothing lost."""
    url = pg.url()
    notes = write_notes(tmp_path / "notes", {"alpha.md": "# Alpha\n\nAlpha is a note.\n"})
    with ingested(url, notes, embed=False) as kb:
        with pytest.raises(StoreError) as ended, kb.store.transaction() as conn:
            conn.execute("DELETE FROM sources")
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s, 10000)", (conn.info.backend_pid,))
            conn.execute("SELECT 1")
        message = str(ended.value)
        assert "SQLSTATE 57P01" in message and "shutting down" in message, message
        assert "administrator ended this session" in message, message
        assert "nothing of this call was kept" in message, message
        assert [e.entry.term for e in kb.entries()] == ["Alpha"]


def test_an_opening_whose_connection_ends_while_it_upgrades_says_why(
        pg: Any, tmp_path: Path) -> None:
    """The server ends an opening's connection (a shutdown, `pg_terminate_backend`: SQLSTATE
    57P01) while it waits for another process's upgrade (the migration lock), or inside a step
    it waits in: the first was psycopg's bare "terminating connection due to administrator
    command", naming no store and no cause (review54b); the second says the step and the
    schema kept. Opened again once nothing holds it: upgraded, every entry there."""
    from grimoire.store.postgres import _LOCK_MIGRATE

    url, last = _one_step_behind(pg, tmp_path)
    with psycopg.connect(url, autocommit=True) as admin:
        for hold, said in ((f"SELECT pg_advisory_xact_lock({_LOCK_MIGRATE})",
                            "cannot open the database: "),
                           ("LOCK TABLE passages IN ACCESS EXCLUSIVE MODE",
                            f"migration to schema {last} failed: ")):
            failed: list[BaseException] = []
            with psycopg.connect(url) as holder:  # its transaction open till the block's end
                holder.execute(hold)
                opening = threading.Thread(target=_open_refused, args=(url, failed))
                opening.start()
                waiting = None
                while waiting is None and opening.is_alive():
                    waiting = admin.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND pid <> %s",
                        (holder.info.backend_pid,)).fetchone()
                assert waiting is not None, failed
                admin.execute("SELECT pg_terminate_backend(%s, 10000)", waiting)
                opening.join()
            # main: psycopg.errors.AdminShutdown: terminating connection due to ...
            assert len(failed) == 1 and isinstance(failed[0], StoreError), failed
            message = str(failed[0])
            assert said in message and "SQLSTATE 57P01" in message, message
            assert "nothing of this call was kept" in message, message
            assert admin.execute("SELECT version FROM grimoire_schema").fetchone() == (last - 1,)
        assert message.endswith(f"the database keeps schema {last - 1}"), message
        with grimoire.open(url) as kb:
            assert [e.entry.term for e in kb.entries()] == ["Alpha"]
        assert admin.execute("SELECT version FROM grimoire_schema").fetchone() == (last,)


def _one_step_behind(pg: Any, tmp_path: Path) -> tuple[str, int]:
    """A new database holding one note, its schema marked one step behind this Grimoire's
    (the last step runs again at the next opening: it rewrites what it wrote, its functions
    replaced); its URL and the current schema."""
    from grimoire.store.postgres_schema import MIGRATIONS

    url = pg.url()
    notes = write_notes(tmp_path / "notes", {"alpha.md": "# Alpha\n\nAlpha is a note.\n"})
    with ingested(url, notes, embed=False):
        pass
    last = len(MIGRATIONS)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("UPDATE grimoire_schema SET version = %s", (last - 1,))
    return url, last


def _open_refused(url: str, failed: list[BaseException]) -> None:
    try:
        grimoire.open(url).close()
    except Exception as e:  # kept for the test's thread to look at
        failed.append(e)


# At the upgrade's COMMIT, its deferred trigger ends its own session, as a server stopping
# then (`pg_ctl stop`: SQLSTATE 57P01) would: the client cannot tell whether the commit landed.
_ENDED_AT_COMMIT = """
CREATE FUNCTION t_end_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(10); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER t_end_at_commit AFTER UPDATE ON grimoire_schema
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION t_end_at_commit();
"""


def test_an_upgrade_whose_commit_the_server_ends_keeps_one_schema_whole(
        pg: Any, tmp_path: Path) -> None:
    """The server ends the opening's session as its upgrade commits: said as what it is (the
    commit's outcome unknown to the client: the old schema or the new one, whole, never
    "nothing of this call was kept", which main said whatever the server had kept); the
    database holds one schema whole; the next opening reads which and goes on."""
    url, last = _one_step_behind(pg, tmp_path)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(_ENDED_AT_COMMIT)
        with pytest.raises(StoreError) as caught:
            grimoire.open(url).close()
        message = str(caught.value)
        assert "SQLSTATE 57P01" in message and "as it committed" in message, message
        assert f"schema {last - 1} or schema {last}, whole" in message, message
        assert "nothing of this call was kept" not in message, message
        assert admin.execute("SELECT version FROM grimoire_schema").fetchone() == (last - 1,)
        admin.execute("DROP TRIGGER t_end_at_commit ON grimoire_schema")
        with grimoire.open(url) as kb:
            assert [e.entry.term for e in kb.entries()] == ["Alpha"]
        assert admin.execute("SELECT version FROM grimoire_schema").fetchone() == (last,)


def test_a_write_whose_commit_the_server_ends_says_its_outcome_is_unknown(
        pg: Any, tmp_path: Path) -> None:
    """The server ends a write's session as it commits (the trigger above, on the row every
    write's transaction bumps last): the client cannot know whether the server kept it, and
    said "nothing of this call was kept". Now it says that the server kept all of it or none;
    the same ingest run again stores what is missing."""
    url = pg.url()
    notes = write_notes(tmp_path / "notes", {"alpha.md": "# Alpha\n\nAlpha is a note.\n"})
    with ingested(url, notes, embed=False) as kb, \
            psycopg.connect(url, autocommit=True) as admin:
        admin.execute(_ENDED_AT_COMMIT.replace("grimoire_schema", "grimoire_changes"))
        write_notes(notes, {"beta.md": "# Beta\n\nBeta is another.\n"})
        with pytest.raises(StoreError) as caught:
            kb.ingest([notes], embed=False)
        message = str(caught.value)
        assert "SQLSTATE 57P01" in message and "as it committed" in message, message
        assert "kept all of it or none" in message, message
        assert "nothing of this call was kept" not in message, message
        admin.execute("DROP TRIGGER t_end_at_commit ON grimoire_changes")
        kb.ingest([notes], embed=False)
        assert sorted(e.entry.term for e in kb.entries()) == ["Alpha", "Beta"]
