"""A query none of whose words is in the notes ("qwzx vvbnm") still gets semantic
neighbours in hybrid mode; every face says so, in one shape (`serialize.search_notice`):
the Python API, the CLI (text and --json, on stderr), the web page and /api/search, and MCP
through the SDK's client over stdio."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from mcp import Client
from mcp.client.stdio import StdioServerParameters

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import build_server
from grimoire.serialize import NO_WORD, NOTHING_MATCHED

GIBBERISH = "qwzx vvbnm"
NOTICE = {"nothing_matched": True, "notice": NOTHING_MATCHED}
GRIMOIRE = str(Path(sys.executable).with_name("grimoire"))


def test_the_api_tells_words_found_from_nearest_in_meaning(examples_db: Path) -> None:
    with grimoire.open(examples_db, create=False) as kb:
        hits = kb.search(GIBBERISH, k=5)
        assert hits  # the neighbours in meaning are still given...
        assert kb.nothing_matched(GIBBERISH, hits)  # ...and known for what they are
        assert not kb.search(GIBBERISH, k=5, mode="lexical")
        for real in ("LoRA", "qwzx LoRA", "low rank adaptaton"):  # a typo still matches
            assert not kb.nothing_matched(real, kb.search(real, k=5)), real
            assert not kb.nothing_matched(real), real


def test_the_cli_says_it_on_stderr_in_text_and_json(examples_db: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["--db", str(examples_db), "search", *GIBBERISH.split()])
    assert shown.exit_code == 0, shown.output
    assert NOTHING_MATCHED in " ".join(shown.stderr.split())
    assert "1. " in shown.stdout  # the hits follow
    as_json = runner.invoke(main, ["--db", str(examples_db), "search", GIBBERISH, "--json"])
    assert as_json.exit_code == 0, as_json.output
    notices = [json.loads(line) for line in as_json.stderr.splitlines()
               if "nothing_matched" in line]
    assert notices == [NOTICE]
    assert json.loads(as_json.stdout)  # stdout stays the list of hits
    quiet = runner.invoke(main, ["--db", str(examples_db), "search", "LoRA", "--json"])
    assert "nothing_matched" not in quiet.stderr


def test_the_web_page_and_api_say_it(client: TestClient) -> None:
    page = client.get("/search", params={"q": GIBBERISH}).text
    assert 'class="notice"' in page and NOTHING_MATCHED in page
    assert 'class="hit"' in page
    api = client.get("/api/search", params={"q": GIBBERISH})
    assert api.json() and json.loads(api.headers["grimoire-notice"]) == NOTICE
    found = client.get("/api/search", params={"q": "LoRA"})
    assert "grimoire-notice" not in found.headers
    assert 'class="notice"' not in client.get("/search", params={"q": "LoRA"}).text


def _searched(server: Any) -> dict[str, Any]:
    """The MCP `search` tool's result for the gibberish query and for `LoRA`, through an
    MCP client of `server` (a server object in memory, or stdio parameters)."""

    async def session() -> dict[str, Any]:
        async with Client(server) as client:
            out: dict[str, Any] = {}
            for q in (GIBBERISH, "LoRA"):
                result = await client.call_tool("search", {"query": q, "k": 3})
                assert not result.is_error, result.content
                out[q] = result.structured_content
            return out

    return anyio.run(session)


def test_mcp_says_it_in_the_result(examples_db: Path) -> None:
    kb = grimoire.open(examples_db, create=False)
    found = _searched(build_server(kb))
    kb.close()
    assert found[GIBBERISH]["results"]
    assert {k: found[GIBBERISH][k] for k in NOTICE} == NOTICE
    assert "nothing_matched" not in found["LoRA"] and found["LoRA"]["results"]


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_mcp_over_stdio_says_it_in_the_result(examples_db: Path) -> None:
    # the SDK passes only a few variables on by default: PYTHONPATH (a checkout run without
    # installing it) must reach the server, or it is another copy of grimoire that answers
    params = StdioServerParameters(command=GRIMOIRE, args=["--db", str(examples_db), "mcp"],
                                   env=dict(os.environ))
    found = _searched(params)
    assert found[GIBBERISH]["results"]
    assert {k: found[GIBBERISH][k] for k in NOTICE} == NOTICE
    assert "nothing_matched" not in found["LoRA"] and found["LoRA"]["results"]


def test_a_filter_no_note_passes_is_named_not_just_no_results(examples_db: Path,
                                                              client: TestClient) -> None:
    # `search --format pdf lora` said only "no results", as if LoRA were not in the notes.
    with grimoire.open(examples_db, create=False) as kb:
        formats = sorted(kb.stats().by_format)
        assert "pdf" not in formats
        assert kb.filters_problem(format="pdf") == (
            f"no note is read as 'pdf'; the formats here: {', '.join(formats)}")
        assert kb.filters_problem(tag="no-such-tag") == "no note has the tag 'no-such-tag'"
        elsewhere = kb.filters_problem(source="/no/such/folder") or ""
        # it names what was ingested, to copy from
        roots = [r.root for r in kb.sources() if r.root]
        assert elsewhere.startswith("nothing ingested is /no/such/folder or under it (")
        assert roots and all(root in elsewhere for root in set(roots)), elsewhere
        assert kb.filters_problem(format=formats[0]) is None
        assert kb.filters_problem() is None
    runner = CliRunner()
    shown = runner.invoke(main, ["--db", str(examples_db), "search", "--format", "pdf", "LoRA"])
    assert shown.exit_code == 0
    assert "no note is read as 'pdf'; the formats here: " in shown.stderr
    as_json = runner.invoke(main, ["--db", str(examples_db), "search", "--tag", "nope",
                                   "LoRA", "--json"])
    assert json.loads(as_json.stdout) == []
    assert {"filters": True, "notice": "no note has the tag 'nope'"} in [
        json.loads(line) for line in as_json.stderr.splitlines() if line.startswith("{")]
    page = client.get("/search", params={"q": "LoRA", "format": "pdf"}).text
    assert "no note is read as &#39;pdf&#39;" in page
    api = client.get("/api/search", params={"q": "LoRA", "format": "pdf"})
    assert api.json() == [] and json.loads(api.headers["grimoire-notice"])["filters"] is True


def test_a_query_with_no_word_says_so_on_every_face(examples_db: Path,
                                                    client: TestClient) -> None:
    # Round 35 (qa35): `search '?!.'` gave five "nearest in meaning" passages, arbitrary
    # neighbours of punctuation. A query with no letter or digit is not searched, and every
    # face says why through the same call (`search_notice`).
    no_word = {"no_word": True, "notice": NO_WORD}
    with grimoire.open(examples_db, create=False) as kb:
        for query in ("?!.", "--", "'; --", "(((", "«»", "___"):
            for mode in ("hybrid", "semantic", "lexical"):
                hits = kb.search(query, k=5, mode=mode)
                assert hits == [], (query, mode)
                assert kb.search_notice(query, hits, mode) == no_word, (query, mode)
        for worded in ("é?", "7!", "LoRA?"):  # a letter or a digit of any script is a word
            assert kb.search_notice(worded, kb.search(worded, k=5)) != no_word, worded
    runner = CliRunner()
    shown = runner.invoke(main, ["--db", str(examples_db), "search", "?!."])
    assert shown.exit_code == 0, shown.output
    assert NO_WORD in " ".join(shown.stderr.split()) and "1. " not in shown.stdout
    as_json = runner.invoke(main, ["--db", str(examples_db), "search", "?!.", "--json"])
    assert json.loads(as_json.stdout) == []
    assert no_word in [json.loads(line) for line in as_json.stderr.splitlines()
                       if line.startswith("{")]
    api = client.get("/api/search", params={"q": "?!."})
    assert api.json() == [] and json.loads(api.headers["grimoire-notice"]) == no_word
    page = client.get("/search", params={"q": "?!."}).text
    assert 'class="notice"' in page and 'class="hit"' not in page
    kb = grimoire.open(examples_db, create=False)
    async def session() -> dict[str, Any]:
        async with Client(build_server(kb)) as mcp:
            result = await mcp.call_tool("search", {"query": "?!.", "k": 3})
            assert not result.is_error, result.content
            return dict(result.structured_content or {})
    found = anyio.run(session)
    kb.close()
    assert found["results"] == [] and {k: found[k] for k in no_word} == no_word
