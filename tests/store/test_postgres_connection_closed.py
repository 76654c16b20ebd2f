"""A pooled connection the server closed while the server stays up (an administrator's
`pg_terminate_backend`, `idle_session_timeout`, a firewall dropping an idle link) is not a
stopped server: the next call gets a live connection and is answered. It failed, said as
"the PostgreSQL server stopped or cannot be reached ... start it again" (round 41's message
for a server that went away) while the server ran (review41a). Real PostgreSQL (pgserver)."""

from __future__ import annotations

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
