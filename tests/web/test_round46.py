"""Round 46 (faces46): the faces as a user sees them, on the session's examples/ store (read
only) and one small store of this module's own words (not embedded): `show`'s rule sets a
concept's kind apart; a snippet keeps a glossary's code lines apart from its definition and
breaks at a numbered item only where a list can begin; the search box's offers are one line
each; a second /health begins at once while the first's lint runs; MCP's search says why it
gave fewer hits than `k`; a command's error under --json is JSON; `lint` says what it checks
on a terminal; Escape closes the offers and keeps the words."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from fastapi.testclient import TestClient
from mcp import Client

import grimoire
from grimoire.cli import err, main
from grimoire.mcp_server import build_server
from grimoire.search import snippet
from tests.conftest import write_notes
from tests.web.conftest import Running, free_port, make_app


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Three notes of 30 parts each holding "zorblat": 90 passages, more than a words list
    ranks (search.CANDIDATES, 60), in three concepts."""
    folder = tmp_path_factory.mktemp("faces46")
    notes = write_notes(folder / "notes", {
        f"Zorblat {n}.md": f"# Zorblat {n}\n\n" + "".join(
            f"## Part {j}\n\nA zorblat part {j} of set {n}.\n\n" for j in range(30))
        for n in range(3)})
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    yield path


def test_show_rule_and_snippets_of_code_and_numbers(examples_db: Path, client: TestClient) -> None:
    """`show LoRA`'s rule read "Low-Rank Adaptation (LoRA)  Fine-Tuning" (the kind word only
    dimmed, two spaces before it: a stray space piped). The glossary's LoRA entry ends in three
    lines of code, which its snippet ran into the definition ("… slowed down. # rank 8 adapters
    … from peft import LoraConfig …"); each begins a line now (CLI, --json, /api/search and
    the page; the concept page sets them as a code block), and a passage of code alone runs
    on as before. A prose line beginning "2)" broke as a list item; a numbered item begins a
    line only at 1 or after the one before."""
    shown = CliRunner().invoke(main, ["--db", str(examples_db), "show", "LoRA"])
    rule = shown.stdout.splitlines()[0]
    assert "Low-Rank Adaptation (LoRA) · Fine-Tuning" in rule and "  Fine" not in rule, rule

    args = ["--db", str(examples_db), "search", "peft", "LoraConfig", "-k", "10",
            "--mode", "lexical"]
    hits = json.loads(CliRunner().invoke(main, [*args, "--json"]).stdout)
    (said,) = [h["snippet"] for h in hits if h["span"]["path"].endswith("glossary-hash.txt")]
    assert said.endswith("slowed down.\n# rank 8 adapters on the attention query and value "
                         "projections\nfrom «peft» import «LoraConfig»\nconfig = «LoraConfig»("
                         "r=8, lora_alpha=16, target_modules=[\"q_proj\", \"v_proj\"])"), said
    piped = CliRunner().invoke(main, args).stdout
    assert "slowed down.\n   # rank 8 adapters" in piped and "\n   from peft import" in piped
    api = client.get("/api/search", params={"q": "peft LoraConfig", "mode": "lexical",
                                            "k": 10}).json()
    assert said in [h["snippet"] for h in api]  # one serialization
    page = client.get("/search", params={"q": "peft LoraConfig", "mode": "lexical"}).text
    assert "slowed down.<br># rank 8 adapters" in page
    # The concept page set those lines as prose too: two or more after prose are code.
    card = client.get("/c/Low-Rank Adaptation (LoRA)").text
    assert ("slowed down.</p>\n<pre><code># rank 8 adapters on the attention query and value "
            "projections\nfrom peft import LoraConfig\nconfig = LoraConfig(r=8") in card

    code = "import torch\nx = torch.ones(3)\n# a zorblat of ones\ny = x * 2\n"
    assert snippet(code, {"zorblat"}) == ("import torch x = torch.ones(3) # a «zorblat» of "
                                          "ones y = x * 2")
    assert snippet("For example:\n\n2) is the zorblat.", {"zorblat"}) == \
        "For example: 2) is the «zorblat»."
    assert snippet("Steps:\n1) one\n2) zorblat\n3) three", {"zorblat"}) == \
        "Steps:\n1) one\n2) «zorblat»\n3) three"

    # The search box's offers: one line each (the stylesheet cuts each to one with an
    # ellipsis), where a list passage's snippet had put each line under the other.
    offers = client.get("/typeahead", params={"q": "gating network"}).text
    smalls = re.findall(r"<small>(.*?)</small>", offers, re.S)
    assert any("cross-entropy loss (see Perplexity) - the attention" in s for s in smalls)
    assert smalls and not any("<br>" in s for s in smalls), smalls


def test_a_second_health_begins_while_the_first_lint_runs(examples_db: Path) -> None:
    """Two /health loads at once: the second waited for the store's lock, which the first's
    lint held (all.db: its first byte after 10.0 s, at once after lint). Now it begins at
    once, saying a check is under way, and gets the same findings when it ends. The first's
    lint is held until the second has begun (a gate on it, for the order; no timing)."""
    port = free_port()
    app, kb = make_app(examples_db, port)
    lint = kb.lint
    linting, release = threading.Event(), threading.Event()

    def gated() -> Any:
        linting.set()
        release.wait(120)
        return lint()

    kb.lint = gated  # type: ignore[method-assign]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{port}"
    bodies: dict[str, str] = {}
    begun: dict[str, str] = {}

    def load(name: str) -> None:
        with httpx.stream("GET", base + "/health", timeout=180) as r:
            text = ""
            for chunk in r.iter_text():
                text += chunk
                if "</p>" in text and name not in begun:
                    begun[name] = text
            bodies[name] = text

    try:
        for _ in range(400):
            if server.started:
                break
            time.sleep(0.05)
        first = threading.Thread(target=load, args=("first",))
        first.start()
        assert linting.wait(120)
        second = threading.Thread(target=load, args=("second",))
        second.start()
        for _ in range(1200):  # the second's page begins while the first's lint is held
            if "second" in begun:
                break
            time.sleep(0.05)
        assert "second" in begun and "first" not in bodies, begun
        release.set()
        first.join(120)
        second.join(120)
    finally:
        release.set()
        server.should_exit = True
        serving.join(10)
        kb.close()
    stats = grimoire.open(examples_db, create=False)
    try:
        counts = f"{stats.stats().passages:,} passages and {stats.stats().entries:,} entries"
    finally:
        stats.close()
    assert f"Checking {counts} for problems" in begun["first"]
    assert f"A check of {counts} is under way" in begun["second"]
    for body in bodies.values():
        assert "Flash Attention" in body and body.rstrip().endswith("</html>")


def test_mcp_says_why_fewer_hits_and_json_errors(parts: Path) -> None:
    """MCP's search gave no cut notice (it did not pass `k`): 3 hits of 25 asked and nothing
    said why. And a command's error under --json was a line of text on stderr: it is now
    `{"error": ...}` on stdout (a miss with its suggestions), as the web API's."""
    kb = grimoire.open(parts, create=False)

    async def search() -> Any:
        async with Client(build_server(kb)) as mcp:
            return (await mcp.call_tool("search", {"query": "zorblat", "k": 25,
                                                   "mode": "lexical"})).structured_content

    try:
        got = anyio.run(search)
    finally:
        kb.close()
    hits = len(got["results"])  # a hit a concept (3; a part past them, on PostgreSQL)
    assert got["cut"] == hits < 25
    assert got["notice"].startswith(f"{hits} hits, not 25: a search ranks only the 60 best")
    # Round 47: it names no filter, which this tool does not take; the CLI's names them.
    assert got["notice"].endswith("more notes hold its words; more words narrow it")

    runner = CliRunner()
    db = ["--db", str(parts)]
    cli = runner.invoke(main, [*db, "search", "zorblat", "-k", "25", "--mode", "lexical",
                               "--json"])
    assert cli.exit_code == 0 and len(json.loads(cli.stdout)) == hits
    assert json.loads(cli.stderr)["notice"].endswith("a filter (source, format, tag) or more "
                                                     "words narrow it")
    taken = parts.parent / "taken"
    write_notes(taken, {"kept.txt": "not an export"})  # a folder holding something else
    export = runner.invoke(main, [*db, "export", "--json", "site", str(taken)])
    assert export.exit_code == 1
    assert json.loads(export.stdout) == {
        "error": f"{taken}: exists; replace it with --force (force=True in Python)"}
    graph = runner.invoke(main, [*db, "graph", "--json", "Zorblatt 1"])
    assert graph.exit_code == 1
    missed = json.loads(graph.stdout)
    assert missed["error"].startswith("no concept named 'Zorblatt 1'")
    assert "Zorblat 1" in missed["suggestions"]
    text = runner.invoke(main, [*db, "export", "site", str(taken)])  # no --json: a line
    assert text.exit_code == 1 and text.stdout == "" and text.stderr.startswith("error: ")

    # `lint` ran silent on a terminal until its first check ended (all.db: 17 s on a loaded
    # machine); it says what it checks meanwhile, on stderr, and nothing so piped.
    # rich decides once whether a console is interactive (draws a spinner): the CLI's stderr
    # console, kept for the process, is made anew for this terminal and again after it.
    err.cache_clear()
    try:
        shown = runner.invoke(main, [*db, "lint"], env={"TTY_COMPATIBLE": "1", "TERM": "xterm"})
    finally:
        err.cache_clear()
    with grimoire.open(parts, create=False) as kb:
        stats = kb.stats()
    assert f"checking {stats.passages:,} passages and {stats.entries:,} entries for problems" \
        in shown.stderr
    piped = runner.invoke(main, [*db, "lint"])
    assert piped.stdout and "checking" not in piped.stderr


def test_escape_closes_the_offers_and_keeps_the_words(server: Running, browser: Any) -> None:
    """Escape in the search box closed the offers and, the box being a search field, emptied
    it too: Enter then searched for nothing (`/search?q=`). The words stay now (a second
    Escape empties the box, as a search field does), and each offer is one line."""
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto(server.url + "/c/Attention")
        page.keyboard.press("/")
        page.keyboard.type("gating network")
        page.wait_for_selector(".typeahead a")
        lines = page.eval_on_selector_all(".typeahead small", """els => els.map(e =>
            e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).fontSize))""")
        assert lines and all(h < 2 for h in lines), lines  # under two lines' height each
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Escape")
        assert not page.is_visible(".typeahead a")
        assert page.input_value("#q") == "gating network"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/search?q=gating+network")

        # Round 47. Down opens again the offers Escape closed, for the same words. (The
        # search page's header box is empty since round 57: its words are in its own box.)
        assert page.input_value("#q") == "" and page.input_value("#sq") == "gating network"
        page.focus("#q")
        page.keyboard.type("gating network x")
        page.wait_for_selector(".typeahead a")
        page.keyboard.press("Escape")
        assert not page.is_visible(".typeahead a")
        page.keyboard.press("ArrowDown")
        assert page.is_visible(".typeahead a")
        assert page.get_attribute(".typeahead a", "aria-selected") == "true"
        # Focus gone past the offers closes them (they stayed open over the page).
        offers = len(page.query_selector_all(".typeahead a"))
        for _ in range(offers + 1):
            page.keyboard.press("Tab")
        assert not page.is_visible(".typeahead a")
        assert page.evaluate("document.activeElement.closest('form.find')") is None
        # Offers on their way when Escape is pressed are dropped: they opened the list again.
        held: list[Any] = []
        page.route("**/typeahead?*", lambda route: held.append(route))
        page.focus("#q")
        page.keyboard.press("End")
        page.keyboard.type("s")
        for _ in range(200):
            if held:
                break
            page.wait_for_timeout(50)
        page.keyboard.press("Escape")
        with page.expect_response("**/typeahead?*"):
            held[0].continue_()
        page.evaluate("() => new Promise((done) => setTimeout(done, 0))")
        assert not page.is_visible(".typeahead a")
        assert page.input_value("#q") == "gating network xs"

        # Round 48: a hit's place is one line when it fits; "Low-Rank" ended the line and
        # "Adaptation.md:6-13" began the next (the space in the file's name), 390 wide.
        page.goto(server.url + "/search?q=two+thin+matrices+low-rank&mode=lexical")
        places = page.eval_on_selector_all(".hit > .where", """els => els.map(e =>
            [e.textContent, e.getClientRects().length])""")
        assert any(" " in text for text, _ in places), places
        assert all(rects == 1 for _, rects in places), places

        # Round 50: a search sent says so until its page comes (the first hybrid one loads the
        # embedding model: seconds in which the page showed no change). Read as the form is
        # sent (`requestSubmit` runs the page's submit handlers before the navigation starts).
        page.fill("#sq", "softmax")
        with page.expect_navigation():
            sent = page.evaluate("""() => {
                const form = document.querySelector("form.search-form");
                form.requestSubmit();
                return [form.querySelector("button").textContent, form.getAttribute("aria-busy")];
            }""")
        assert sent == ["Searching…", "true"], sent
        assert page.text_content(".search-form button") == "Search"

        # Round 51: the graph drawn (a canvas) had no stop for Tab: past its form, the page's
        # footer. Its concepts are a list now, opened and followed by the keyboard alone.
        page.goto(server.url + "/graph?c=Softmax")
        page.wait_for_selector("#graph[data-ready]")
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.tagName") == "SUMMARY":
                break
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Softmax"
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/c/" in page.url and "id=" in page.url, page.url
    finally:
        page.close()
