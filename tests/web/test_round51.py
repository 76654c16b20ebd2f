"""Round 51 (faces51): concepts one passage shows are told apart on every face. A `<dl>` of
three terms is one passage, and each term a concept it shows: a search listed Vocabulary,
Pre-tokenization and Merge rule one after another with one snippet and one place
(tokenization-primer.html:66-75), and nothing said which words were whose."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from mcp import Client

import grimoire
from grimoire.cli import main
from grimoire.lint import GROUPS
from grimoire.mcp_server import Tools, build_server, preview
from grimoire.showing import same_as, told_apart, whole_formulas
from tests.conftest import CORPORA, reading, shared_store
from tests.web.conftest import Running, make_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser

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


def test_mcp_tools_say_what_each_argument_takes(examples_db: Path) -> None:
    """A model reads a tool's schema: `k` was "K", an integer, `mode` "Mode", a string, and
    lint's `group` named no group. A 3,000-character query came back whole in the result."""
    kb = grimoire.open(examples_db, create=False)
    told: dict[str, Any] = {}

    async def session() -> None:
        async with Client(build_server(kb)) as client:
            told["tools"] = {t.name: t.input_schema for t in (await client.list_tools()).tools}
            found = await client.call_tool("search", {"query": "softmax " * 400,
                                                      "mode": "lexical", "k": 2})
            told["found"] = found.structured_content

    anyio.run(session)
    kb.close()
    plain = {"query", "name", "question", "path"}  # what each of these is, its tool says
    for tool, schema in told["tools"].items():
        for arg, spec in schema["properties"].items():
            assert arg in plain or spec.get("description"), (tool, arg, spec)
    search = told["tools"]["search"]["properties"]
    assert all(m in search["mode"]["description"] for m in ("hybrid", "lexical", "semantic"))
    assert "25" in search["k"]["description"]
    assert all(g in told["tools"]["lint"]["properties"]["group"]["description"] for g in GROUPS)
    echoed = told["found"]["query"]
    assert len(echoed) < 260 and echoed.endswith("(3,200 characters)"), echoed
    assert told["found"]["results"]


def test_a_snippet_cut_after_a_formula_s_opening_dollar_drops_it() -> None:
    """A search window that ends just after a formula opens ("… a score of 0 and $p …")
    showed "$p" on the search page and in MCP's preview: a `$` that never closes."""
    cut = "so $q = 1$ gives a score of 0 and $p …"
    assert whole_formulas(cut) == "so $q = 1$ gives a score of 0 and …"
    assert preview(cut) == "so $q = 1$ gives a score of 0 and …"
    for kept in ("it costs $5 …", "set $HOME …", "so $q = 1$ holds …"):
        assert whole_formulas(kept) == kept and preview(kept) == kept
    # A window that is all one open formula keeps it: " …" or "… …" said nothing at all.
    for whole in ("$\\alpha = \\beta + …", "… $p …", "$$ …", "… $$\\sum_i …"):
        assert whole_formulas(whole) == whole and preview(whole) == whole, whole


def test_a_title_and_its_first_section_are_one_snippet_shown_once() -> None:
    """A page's title opens with its first section, and that section is a concept too: both
    showed one passage, the same words at the same lines (the cheat sheet's Activation
    Functions and Linear). The later says which hit it repeats, on every face; `--json`
    keeps both records whole, as /api/search does."""
    db = shared_store([str(CORPORA / "ml-cheatsheet-rst")])
    query = "activation function"
    with reading(db) as kb:
        hits = told_apart(kb, kb.search(query, k=10, mode="lexical"), query)
        twins = same_as(hits)
        found = Tools(kb, threading.Lock()).search(query, k=10, mode="lexical")["results"]
    pairs = [(n, twin) for n, twin in enumerate(twins) if twin]
    assert pairs, [(h.concept, h.span) for h in hits]
    n, twin = pairs[0]
    first, later = hits[twin - 1], hits[n]
    assert (first.span, first.snippet) == (later.span, later.snippet)
    assert first.concept != later.concept
    told = f"the same passage as {twin}. {first.concept}"
    listed = CliRunner().invoke(main, ["--db", str(db), "search", query, "--mode", "lexical"])
    assert f"{n + 1}. {later.concept}" in listed.stdout and f"({told})" in listed.stdout
    app, web = make_app(db)
    with web, TestClient(app, base_url="http://127.0.0.1:8000") as c:
        page = c.get("/search", params={"q": query, "mode": "lexical", "k": 10}).text
    assert f'The same passage as <a href="#hit-{twin}">{twin}. {first.concept}</a>' in page
    assert found[n]["same_passage_as"] == first.concept and "preview" not in found[n]
    assert "preview" in found[twin - 1]


@pytest.mark.one_pass(reason="the browser's layout of the graph's list of concepts")
def test_the_graph_s_list_opened_keeps_a_phone_from_scrolling_sideways(
        browser: Browser, hostile_server: Running) -> None:
    """A concept named by one long word (a hostile note's `window.__pwned=1;fetch(…)`, a code
    name as `torch_nn_functional_…`) drew its chip past a 390 px page once the list was
    opened: 546 px wide (review51d)."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(hostile_server.url + "/graph")
        page.click("details.graph-list > summary")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, overflow
    finally:
        page.close()
