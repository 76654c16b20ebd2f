"""Round 51 (faces51): concepts one passage shows are told apart on every face. A `<dl>` of
three terms is one passage, and each term a concept it shows: a search listed Vocabulary,
Pre-tokenization and Merge rule one after another with one snippet and one place
(tokenization-primer.html:66-75), and nothing said which words were whose."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import Tools

TERMS = {"Vocabulary": "The fixed list of", "Merge rule": "One learned BPE step",
         "Pre-tokenization": "The splitting of raw text"}


def test_concepts_one_passage_shows_each_show_their_own_words(
        examples_db: Path, client: TestClient) -> None:
    query = "tokens symbols chunks"
    api = client.get("/api/search", params={"q": query, "mode": "lexical"}).json()
    primer = [h for h in api if h["span"]["path"].endswith("tokenization-primer.html")
              and h["concept"] in TERMS]
    # every term searched for is still a result of its own ...
    assert {h["concept"] for h in primer} == set(TERMS), api
    # ... showing its own definition, at its own lines, its words marked
    for h in primer:
        assert h["snippet"].replace("«", "").startswith(TERMS[h["concept"]]), h
        assert h["text"].startswith(TERMS[h["concept"]]), h
    places = [(h["span"]["start_line"], h["span"]["end_line"]) for h in primer]
    assert len(set(places)) == 3 and all(b - a <= 2 for a, b in places), places
    assert any("«" in h["snippet"] for h in primer), primer

    # one serialization: `search --json` is /api/search, and the terminal says the same
    runner = CliRunner()
    db = ["--db", str(examples_db)]
    shown = runner.invoke(main, [*db, "search", query, "--mode", "lexical", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == api
    listed = runner.invoke(main, [*db, "search", query, "--mode", "lexical"],
                           env={"COLUMNS": "80"}).stdout
    for h in primer:
        assert f"tokenization-primer.html:{h['span']['start_line']}-" in listed, listed
    # the search page too
    page = client.get("/search", params={"q": query, "mode": "lexical"}).text
    for start, _ in places:
        assert f"tokenization-primer.html:{start}-" in page
    # and MCP's search tool: each its own preview and lines
    with grimoire.open(examples_db) as kb:
        found = Tools(kb, threading.Lock()).search(query, mode="lexical")["results"]
    told = {r["concept"]: r for r in found if r["concept"] in TERMS}
    assert set(told) == set(TERMS), found
    for name, r in told.items():
        assert r["preview"].startswith(TERMS[name]), r
    assert {r["span"]["start_line"] for r in told.values()} == {a for a, _ in places}
