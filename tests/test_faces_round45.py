"""Round 45 (faces45): the faces as a user sees them, on one small embedded store of our own
words (SQLite, and PostgreSQL in the suite's PostgreSQL pass): the cut notice is kept per
search (filters included) and said only when notes holding the query's words were left out;
a list passage's snippet keeps its items on lines of their own (CLI, --json, the search page);
MCP names a place by its `span` alone; /health streams "Checking ..." before lint's findings."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from mcp import Client

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import build_server
from tests.conftest import write_notes
from tests.web.conftest import browser, make_app, run_server  # noqa: F401 (a fixture)

MANY = 70  # notes holding "zorblat": more than a words list ranks (search.CANDIDATES, 60)
ADAPTER = """# Adapter notes

What mattered, in quuxite runs:

- Rank: higher changed nothing.
- Target modules: every linear layer.
- Learning rate: a higher one than full tuning.
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("faces45")
    glossary = "".join(f"Zorblat {i}#\nA made-up zorblat with {i + 2} parts.\n\n"
                       for i in range(MANY))  # one file: one transaction to store
    files = {"glossary.txt": glossary,
             "sub/zorblat spare.md": "# Zorblat spare\n\nA spare zorblat for the shelf.\n",
              "Adapter notes.md": ADAPTER,
              "reading.md": "# Reading\n\nFirst [[A Page Nobody Wrote]], then the rest.\n"}
    notes = write_notes(folder / "notes", files)
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes])  # embedded: the vectors' list of a hybrid search is full
    yield path


def test_the_cut_notice_is_each_search_own_and_only_for_notes_with_its_words(db: Path) -> None:
    """`Searcher._full` was kept by (query, mode): a thread searching one query with a filter
    between another thread's search and its notice gave that one the other's record. And the
    vectors' list counted as cut, which it is on any store over 60 passages: a word one note
    holds said "72 hits, not 100: ... more notes match" in hybrid. Now the record is kept by
    the filters too, and only a words list held more than it ranked."""
    sub = str(db.parent / "notes" / "sub")
    q = "zorblat"
    with grimoire.open(db, create=False) as kb:
        def run(first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
            """`first` searches, `second` searches on another thread, then `first` asks its
            notice, then `second` does: the order a threaded server can take."""
            searched, other_searched = threading.Event(), threading.Event()
            told: list[Any] = [None, None]

            def one() -> None:
                hits = first()
                searched.set()
                other_searched.wait(60)
                told[0] = kb.search_notice(q, hits, "lexical", k=100, **kwargs_of(first))

            def two() -> None:
                searched.wait(60)
                hits = second()
                other_searched.set()
                told[1] = kb.search_notice(q, hits, "lexical", k=100, **kwargs_of(second))

            threads = [threading.Thread(target=one), threading.Thread(target=two)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            return told

        def kwargs_of(search: Callable[[], Any]) -> dict[str, Any]:
            return {"source": sub} if search is filtered else {}

        def whole() -> Any:
            return kb.search(q, k=100, mode="lexical")

        def filtered() -> Any:
            return kb.search(q, k=100, mode="lexical", source=sub)

        for first, second in [(whole, filtered), (filtered, whole)]:
            told = dict(zip((first, second), run(first, second), strict=True))
            assert told[whole] is not None and 0 < told[whole]["cut"] < 100, told
            assert "more notes hold its words" in told[whole]["notice"]
            assert told[filtered] is None  # its one note was ranked: nothing left out

        # A word one note holds: hybrid ranked every note that has it, whatever the vectors.
        rare = kb.search("quuxite", k=100)
        assert 1 < len(rare) < 100  # the vectors' neighbours follow the one note
        assert kb.search_notice("quuxite", rare, "hybrid", k=100) is None
        many = kb.search(q, k=100)
        assert kb.search_notice(q, many, "hybrid", k=100)["cut"] == len(many)
        assert kb.search_notice(q, kb.search(q, k=100, mode="semantic"), "semantic",
                                k=100) is None


def test_a_list_passage_snippet_keeps_its_items_apart(db: Path) -> None:
    """A snippet was its passage's words joined by spaces: "… runs: - Rank: higher changed
    nothing. - Target modules: …". Now a list item begins a line: on a terminal under the
    hit's indent (wrapped past its marker at 40 columns), piped, in `--json` and /api/search
    (`\\n`), and on the search page (`<br>`)."""
    args = ["--db", str(db), "search", "quuxite rank target modules", "-k", "1",
            "--mode", "lexical"]
    as_json = CliRunner().invoke(main, [*args, "--json"])
    snippet = json.loads(as_json.stdout)[0]["snippet"]
    assert snippet.startswith("- «Rank»: higher changed nothing.\n- «Target» «modules»: every "
                              "linear layer.\n- Learning")
    piped = CliRunner().invoke(main, args)
    assert "   - Rank: higher changed nothing.\n   - Target modules: every linear layer.\n" \
        in piped.stdout
    shown = CliRunner().invoke(main, args, env={"TTY_COMPATIBLE": "1", "COLUMNS": "40"})
    lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line).rstrip()
             for line in shown.stdout.splitlines()]
    assert max(len(line) for line in lines) <= 40, lines
    at = lines.index("   - Target modules: every linear")
    assert lines[at + 1] == "     layer."  # under the item's words, not its marker

    # An error wraps on a terminal too (`show` of an unknown name: 84 columns); piped, or
    # when it begins with its file:line, it stays one line.
    missing = ["--db", str(db), "show", "zzzzqqq"]
    wrapped = CliRunner().invoke(main, missing, env={"TTY_COMPATIBLE": "1", "COLUMNS": "40"})
    said = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line).rstrip()
            for line in wrapped.stderr.splitlines()]
    assert wrapped.exit_code == 1 and len(said) > 1 and max(map(len, said)) <= 40, said
    piped_error = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", CliRunner().invoke(main, missing).stderr)
    assert piped_error.startswith("error: no concept named 'zzzzqqq'; search your notes")
    assert piped_error.count("\n") == 1

    app, kb = make_app(db)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            api = client.get("/api/search", params={"q": "quuxite rank target modules",
                                                    "mode": "lexical", "k": 1}).json()
            page = client.get("/search", params={"q": "quuxite rank target modules",
                                                 "mode": "lexical"}).text
    finally:
        kb.close()
    assert api[0]["snippet"] == snippet  # one serialization
    assert "- <mark>Rank</mark>: higher changed nothing.<br>- <mark>Target</mark>" in page


def test_mcp_names_a_place_by_its_span_alone(db: Path) -> None:
    """Round 44 gave every MCP place `span` and kept the flat `path`, `start_line`, `end_line`
    beside it: results 20-50% larger, and lint's 16,000-character cap held fewer findings.
    The SDK's tools declare only "an object" as their output, so no client reads the flat
    fields by name; read_source takes the span as it is."""
    cli = json.loads(CliRunner().invoke(main, ["--db", str(db), "search", "zorblat", "-k", "3",
                                               "--mode", "lexical", "--json"]).stdout)
    kb = grimoire.open(db, create=False)

    async def session() -> dict[str, Any]:
        async with Client(build_server(kb)) as client:
            tool = {t.name: t for t in (await client.list_tools()).tools}["search"]
            assert tool.output_schema is not None
            assert "properties" not in tool.output_schema  # nothing promised by name
            got = {"search": (await client.call_tool("search", {
                "query": "zorblat", "k": 3, "mode": "lexical"})).structured_content}
            got["show"] = (await client.call_tool("show", {"name": "Zorblat 7"})
                           ).structured_content
            got["lint"] = (await client.call_tool("lint", {})).structured_content
            first = got["search"]["results"][0]["span"]
            got["read"] = (await client.call_tool("read_source", first)).structured_content
            return got

    try:
        got = anyio.run(session)
    finally:
        kb.close()
    assert [r["span"] for r in got["search"]["results"]] == [h["span"] for h in cli]
    places = [*got["search"]["results"], *got["show"]["sources"], *got["lint"]["findings"]]
    assert places and all(set(p["span"]) == {"path", "start_line", "end_line"}
                          and not {"path", "start_line", "end_line"} & set(p) for p in places)
    assert got["read"]["start_line"] == got["search"]["results"][0]["span"]["start_line"]
    place = got["search"]["results"][0]["span"]
    lines = Path(place["path"]).read_text().splitlines()
    assert got["read"]["text"].split("\n")[0] == lines[place["start_line"] - 1]


def test_health_streams_what_it_checks_before_the_findings(
        db: Path, browser: Any) -> None:  # noqa: F811 (the fixture)
    """/health ran lint before sending a byte: on all.db the tab stayed blank 10-30 s on a
    loaded machine. Now the page and "Checking N passages and M entries" are sent first
    (chunked, no Content-Length), the findings when lint has them; the line shows while the
    page is still arriving and is hidden once the findings follow it."""
    running = run_server(db)
    server = next(running)
    try:
        with httpx.stream("GET", server.url + "/health", timeout=120) as r:
            assert r.status_code == 200 and "content-length" not in r.headers
            assert r.headers["transfer-encoding"] == "chunked"
            body = r.read().decode()
        with grimoire.open(db, create=False) as kb:
            stats = kb.stats()
        checking = (f"Checking {stats.passages:,} passages and {stats.entries:,} entries for "
                    "problems")
        assert checking in body
        assert body.index(checking) < body.index("A Page Nobody Wrote")
        cut = body[:body.index("</p>", body.index(checking)) + 4]  # as it is mid-stream

        page = browser.new_page(viewport={"width": 390, "height": 800})
        try:
            page.route(server.url + "/partial", lambda route: route.fulfill(
                body=cut, content_type="text/html"))
            page.goto(server.url + "/partial")
            assert page.is_visible("p.checking")
            page.goto(server.url + "/health")
            assert not page.is_visible("p.checking")
            assert page.is_visible("text=A Page Nobody Wrote")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            page.close()
    finally:
        next(running, None)
