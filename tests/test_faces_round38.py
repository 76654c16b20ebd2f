"""Round 38 (faces38): round 37's leftovers on the faces. The notes are our own words, on a real
store (SQLite, and PostgreSQL in the suite's PostgreSQL pass) through the real CLI, server and
MCP client."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner

from grimoire.cli import main
from tests.test_faces_round36 import ingested
from tests.test_faces_round37 import ANCHORS


def run(db: str, *args: str) -> str:
    done = CliRunner().invoke(main, ["--db", db, *args])
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.sqlite_only(reason="a SQLite file its user cannot write")
def test_mcp_says_a_read_only_store_was_merged_by_older_rules(tmp_path: Path) -> None:
    # Before: the CLI said so on stderr and the web atop every page, but an assistant over MCP
    # read the old link statuses and merges as current, with nothing said.
    import dataclasses

    from mcp import Client
    from mcp.client.stdio import StdioServerParameters, stdio_client

    import grimoire
    from grimoire.resolve import build

    db, _ = ingested(tmp_path, ANCHORS)
    with grimoire.open(db) as kb:
        store = kb.store
        with store.resolving():
            result = build(store.resolve_input())
            store.write_resolution(dataclasses.replace(result), "")  # an older Grimoire's
    drop = (["setpriv", "--inh-caps=-dac_override,-dac_read_search",
             "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])
    command = [*drop, sys.executable, "-m", "grimoire", "--db", db, "mcp"]
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    replies: dict[str, Any] = {}

    async def session() -> None:
        with (tmp_path / "stderr.txt").open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                for tool, args in [("show", {"name": "Accuracy"}), ("wanted", {}),
                                   ("search", {"query": "precision", "mode": "lexical"})]:
                    reply = await client.call_tool(tool, args)
                    assert not reply.is_error, reply.content
                    replies[tool] = reply.structured_content
                resource = await client.read_resource("grimoire://concept/Accuracy")
                replies["resource"] = resource.contents[0].text

    Path(db).chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        anyio.run(session)
    finally:
        tmp_path.chmod(0o755)
        Path(db).chmod(0o644)
    for tool in ("show", "wanted", "search"):
        notices = replies[tool].get("store_notices", [])
        assert any("read-only" in n and "link statuses" in n for n in notices), replies[tool]
    assert replies["resource"].startswith("> note: this database is read-only"), \
        replies["resource"][:300]
