"""Round 57 (faces57): MCP's `read_source` by the file name a user gives ("attention.md"),
through the SDK's client and a real `grimoire mcp` process over stdio."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

import grimoire
from grimoire.mcp_server import build_server

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GRIMOIRE = str(Path(sys.executable).with_name("grimoire"))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/, and a second Softmax.md in a folder of drafts."""
    folder = tmp_path_factory.mktemp("mcp57")
    notes = folder / "notes"
    shutil.copytree(EXAMPLES, notes)
    (notes / "drafts").mkdir()
    (notes / "drafts" / "Softmax.md").write_text("# Softmax\n\nA draft of my softmax note.\n")
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    return path


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_read_source_reads_the_one_note_a_file_name_names(db: Path, tmp_path: Path) -> None:
    # A user tells the assistant "read attention.wiki"; read_source refused it and named the
    # path to use, and the assistant had to call again (faces56's walk). The one note whose
    # path ends so is read now (any case when none has it as written), its full path in the
    # result; a name that several notes end gets their paths and no text; nothing else is
    # read (a path out of the notes, a name no note has, a bad line range).
    with grimoire.open(db, create=False) as kb:
        notes = Path(next(r.path for r in kb.sources()
                          if r.path.endswith("/glossary.txt"))).parent
        paths = {Path(r.path).relative_to(notes).as_posix(): r.path
                 for r in kb.sources() if r.status == "ok"}
    attention, vault_softmax = paths["wiki/Attention.wiki"], paths["vault/Softmax.md"]
    params = StdioServerParameters(command=GRIMOIRE, args=["--db", str(db), "mcp"],
                                   env=dict(os.environ))

    async def session() -> dict[str, Any]:
        out: dict[str, Any] = {}
        with (tmp_path / "stderr.txt").open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                for key, args in [
                        ("full", {"path": attention, "start_line": 1, "end_line": 5}),
                        ("name", {"path": "Attention.wiki", "start_line": 1, "end_line": 5}),
                        ("lower", {"path": "attention.wiki", "start_line": 1, "end_line": 5}),
                        ("folder", {"path": "vault/Softmax.md"}),
                        ("twice", {"path": "Softmax.md"}),
                        ("none", {"path": "attention.md"}),
                        ("outside", {"path": "/etc/passwd"}),
                        ("dots", {"path": "../notes/wiki/Attention.wiki"}),
                        ("slash", {"path": "/"}),
                        ("typed", {"path": "Attention.wiki", "start_line": "one"}),
                        ("range", {"path": "Attention.wiki", "start_line": 9, "end_line": 2})]:
                    out[key] = await client.call_tool("read_source", args)
        return out

    got = anyio.run(session)

    def text(key: str) -> str:
        return " ".join(c.text for c in got[key].content if hasattr(c, "text"))

    full = got["full"].structured_content
    assert not got["full"].is_error and full["text"], text("full")
    for key in ("name", "lower"):
        assert not got[key].is_error, text(key)
        assert got[key].structured_content == full, (key, got[key].structured_content)
    assert got["folder"].structured_content["path"] == vault_softmax
    assert "A draft" not in got["folder"].structured_content["text"]
    assert got["twice"].is_error
    assert "ends the paths of 2 notes" in text("twice"), text("twice")
    assert vault_softmax in text("twice") and paths["drafts/Softmax.md"] in text("twice")
    for key in ("none", "outside", "dots", "slash"):
        assert got[key].is_error, (key, got[key].structured_content)
        assert "not a note in this knowledge base" in text(key), text(key)
    assert "root:" not in text("outside")
    assert got["typed"].is_error and "start_line" in text("typed"), text("typed")
    # a range backwards reads its first line, as a path given whole does
    assert not got["range"].is_error, text("range")
    assert got["range"].structured_content["start_line"] == 9
    assert got["range"].structured_content["end_line"] == 9


def test_a_blank_query_question_or_name_is_refused(db: Path) -> None:
    """An empty question was answered "Your notes do not cover this." (abstained: a claim
    about the notes), an empty search gave no result and no reason, and an empty name was
    sent to `grimoire search`, a command an assistant cannot run (faces57's walk). Each now
    says what is empty, as the CLI does ("the query is empty")."""
    kb = grimoire.open(db, create=False)

    async def session() -> dict[str, Any]:
        async with Client(build_server(kb)) as client:
            return {key: await client.call_tool(tool, args) for key, tool, args in [
                ("search", "search", {"query": "  "}), ("empty", "search", {"query": ""}),
                ("ask", "ask", {"question": " \n "}), ("show", "show", {"name": ""}),
                ("asked", "ask", {"question": "what is LoRA?"})]}

    got = anyio.run(session)
    kb.close()
    said = {key: " ".join(c.text for c in r.content if hasattr(c, "text"))
            for key, r in got.items()}
    for key, what in (("search", "query"), ("empty", "query"), ("ask", "question"),
                      ("show", "name")):
        assert got[key].is_error, (key, said[key])
        assert said[key].endswith(f"the {what} is empty"), said[key]
    assert "grimoire search" not in said["show"]
    assert not got["asked"].is_error and got["asked"].structured_content["citations"]
