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
