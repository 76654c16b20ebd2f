"""Round 43 (faces43): what a new user meets on the faces. A typo in a name's first letter
is offered the name (search box, `show`, the concept page); `graph --json` has /api/graph's
shape and says when the graph was cut at its limit; an ingest whose grimoire.toml fails the
merge still prints what it read and which files failed, each failure as `file:line:`. The
notes are our own words, on a real store (SQLite, and PostgreSQL in the suite's PostgreSQL
pass), through the public API, the CLI and the web app."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import GRAPH_LIMIT, main
from tests.conftest import write_notes
from tests.web.conftest import browser, make_app, run_server  # noqa: F401 (a fixture)

# 540 made-up names, each linked from the hub's page: the hub's graph is past GRAPH_LIMIT.
_FIRST = ["Sparse", "Dense", "Causal", "Latent", "Robust", "Greedy"]
_SECOND = ["Kernel", "Encoder", "Decoder", "Sampler", "Scheduler", "Optimizer", "Router",
           "Probe", "Critic"]
_THIRD = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Theta", "Kappa", "Lambda",
          "Sigma"]
MANY = [" ".join(words) for words in itertools.product(_FIRST, _SECOND, _THIRD)]
NAMED = ["Gradient Descent", "Attention Mechanism", "Clustering", "Transformer",
         "Wombat Sieve", "Combat Sieve"]  # a name, and a name but for its first letter


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("faces43")
    glossary = "".join(f"{term}#\nA made-up term, number {i} of a list of names.\n\n"
                       for i, term in enumerate(MANY + NAMED))
    notes = write_notes(folder / "notes", {
        "glossary.txt": glossary,
        "Hub.md": "# Hub\n\nEvery made-up term: " + ", ".join(f"[[{t}]]" for t in MANY) + "\n",
        "Reading.md": "# Reading\n\nStart at [[Gradient Descent]], then [[Transformer]].\n",
    })
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    yield path


def test_a_typo_in_the_first_letter_is_offered_the_name(db: Path) -> None:
    """Every look for offers began with the query's first letter: "radient descent" (a
    letter dropped), "xttention" (replaced), "rgadient" (swapped) and "llustering" (one too
    many) were offered nothing on main, in the search box and by `show`."""
    with grimoire.open(db) as kb:
        typed = {q: kb.suggest(q) for q in ("radient descent", "radient desc", "xttention mech",
                                            "rgadient descent", "cllustering", "ransformer")}
        meant = {q: kb.suggest_concepts(q) for q in ("radient descent", "ransformer")}
        nothing = kb.suggest("qqqqqqqq")
        named = kb.suggest("gradient desc")  # no typo: as before
        whole = kb.suggest("Wombat Sieve")  # a name typed whole is no typo of another
    assert typed["radient descent"][0] == "Gradient Descent"
    assert typed["radient desc"][0] == "Gradient Descent"  # half typed
    assert typed["xttention mech"][0] == "Attention Mechanism"
    assert typed["rgadient descent"][0] == "Gradient Descent"
    assert typed["cllustering"][0] == "Clustering"
    assert typed["ransformer"][0] == "Transformer"
    assert meant == {"radient descent": ("Gradient Descent",), "ransformer": ("Transformer",)}
    assert nothing == ()
    assert named == ("Gradient Descent",)
    assert whole == ("Wombat Sieve",)
    out = CliRunner().invoke(main, ["--db", str(db), "show", "radient descent"])
    assert out.exit_code == 1
    assert "did you mean: Gradient Descent" in out.output
    app, web_kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        offered = client.get("/typeahead", params={"q": "radient desc"})
        page = client.get("/c/radient descent")
    web_kb.close()
    assert offered.status_code == 200
    assert "Gradient Descent" in offered.text
    assert page.status_code == 404
    assert "Gradient Descent" in page.text


def test_graph_json_is_the_web_apis_and_says_when_it_was_cut(db: Path) -> None:
    """`graph --json` was `{nodes, edges}` where /api/graph is `{nodes, edges, positions,
    centre, depth, whole, truncated}`, and a graph stopped at GRAPH_LIMIT concepts said so
    nowhere (`graph --depth 6` on ../shared's all.db: 500 concepts, no word of it)."""
    runner = CliRunner()
    small = runner.invoke(main, ["--db", str(db), "graph", "Reading", "--json"])
    hub = runner.invoke(main, ["--db", str(db), "graph", "Hub", "--json"])
    text = runner.invoke(main, ["--db", str(db), "graph", "Hub"])
    app, web_kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        web = client.get("/api/graph", params={"c": "Reading"}).json()
    web_kb.close()
    cli = json.loads(small.stdout)
    assert {**cli, "positions": web["positions"]} == web
    assert (cli["centre"], cli["depth"], cli["truncated"]) == ("Reading", 1, False)
    assert {n["label"] for n in cli["nodes"]} == {"Reading", "Gradient Descent", "Transformer"}
    cut = json.loads(hub.stdout)
    assert len(cut["nodes"]) == GRAPH_LIMIT
    assert (cut["centre"], cut["truncated"], cut["whole"]) == ("Hub", True, False)
    assert text.exit_code == 0
    assert f"cut at {GRAPH_LIMIT:,} concepts" in text.stderr
    assert "cut at" not in small.stderr


def test_an_ingest_whose_grimoire_toml_fails_still_says_what_it_read(tmp_path: Path) -> None:
    """A grimoire.toml that is no TOML stops the merge of the concepts: ingest printed only
    that error, not that the notes were read and stored nor that a notebook failed. Now the
    summary, each failure as `file:line: why`, then the error, exit 1; `--json` prints the
    report."""
    notes = write_notes(tmp_path / "notes", {
        "grimoire.toml": "[join\nnames = 1\n",
        "broken.ipynb": '{"cells": [1,\n',
        "Dropout.md": "# Dropout\n\nZeroes a random share of the activations in training.\n",
    })
    db = str(tmp_path / "kb.db")
    runner = CliRunner()
    out = runner.invoke(main, ["--db", db, "ingest", str(notes), "--no-embed"])
    again = runner.invoke(main, ["--db", db, "ingest", str(notes), "--no-embed", "--json"])
    assert out.exit_code == 1
    assert "read 1 (new 1, updated 0)" in out.stdout
    assert "failed 1" in out.stdout
    assert f"{notes / 'broken.ipynb'}:2: not a notebook" in out.stderr
    assert f"{notes / 'grimoire.toml'}:1: cannot read overrides" in out.stderr
    assert out.stderr.index("not a notebook") < out.stderr.index("grimoire.toml")
    assert again.exit_code == 1
    report = json.loads(again.stdout)
    assert (report["unchanged"], report["failed"]) == (1, 1)
    assert "grimoire.toml" in again.stderr
    with grimoire.open(db) as kb:
        assert kb.stats().documents == 1  # the note was stored


@pytest.mark.no_store  # the children open a SQLite file in either pass
def test_rebuild_shows_its_progress_on_a_terminal(tmp_path: Path) -> None:
    """`rebuild` re-reads every source and embeds them again with no bar and no word until
    the end (minutes on a large store); it now draws `ingest`'s reading bar on a terminal."""
    import subprocess
    import sys

    notes = write_notes(tmp_path / "notes", {
        f"Note {i}.md": f"# Note {i}\n\nA short note, number {i}.\n" for i in range(3)})
    db = str(tmp_path / "kb.db")

    def grimoire_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run([sys.executable, "-m", "grimoire", "--db", db, *args],
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "COLUMNS": "80", **env})

    grimoire_cli("ingest", str(notes), "--no-embed")
    shown = grimoire_cli("rebuild", "--no-embed", FORCE_COLOR="1")
    assert "reading" in shown.stderr and "3/3" in shown.stderr
    assert "rebuilt" in shown.stdout


def test_the_search_page_links_to_more_results(db: Path) -> None:
    """The search page showed the first 20 hits and no word of more: a full page now links
    to 20 more, opened at the first new one; a page that is not full, or at /api/search's
    100, links to none, and a k past it is 100."""
    import re

    app, web_kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        first = client.get("/search", params={"q": "made-up term", "mode": "lexical"})
        more = re.search(r'<p class="more"><a href="([^"]+)">More results</a>', first.text)
        assert more is not None
        second = client.get(more[1].replace("&amp;", "&"))
        widest = client.get("/search", params={"q": "made-up term", "mode": "lexical",
                                               "k": "100000"})
        api = client.get("/api/search", params={"q": "made-up term", "mode": "lexical",
                                                "k": "100"}).json()
        few = client.get("/search", params={"q": "wombat", "mode": "lexical"})
    web_kb.close()
    assert first.text.count('<li class="hit"') == 20
    assert more[1] == "/search?q=made-up+term&amp;mode=lexical&amp;k=40#hit-21"
    assert second.status_code == 200
    assert second.text.count('<li class="hit"') == 40 and 'id="hit-21"' in second.text
    assert widest.status_code == 200
    assert widest.text.count('<li class="hit"') == len(api) > 40  # as k=100 gives
    assert "More results" not in widest.text
    assert few.status_code == 200 and "More results" not in few.text


def test_more_results_opens_below_the_header_in_a_browser(db: Path, browser: Any) -> None:  # noqa: F811
    """In Chromium at a phone's width: "More results" is reached by the keyboard and opens
    the page at hit 21, below the sticky header (two rows there), not under it."""
    running = run_server(db)
    base = next(running).url
    try:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{base}/search?q=made-up+term&mode=lexical")
        page.locator("p.more a").focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**#hit-21")
        top = page.evaluate("document.getElementById('hit-21').getBoundingClientRect().top")
        header = page.evaluate("document.querySelector('header').getBoundingClientRect().bottom")
        shown = page.locator("li.hit").count()
        page.close()
    finally:
        next(running, None)
    assert shown == 40
    assert header <= top < header + 60
