"""Round 48 (faces48): the faces as a user sees them, on the session's examples/ store (read
only): a terminal of 20-22 columns fits every line; a usage error shows a byte that is not
UTF-8 as `\\xNN`; `show lroa` offers LoRA; `graph` sets a kind apart from a name, and
/api/graph is `graph --json` plus the layout; a search on a database URL says when the
embedding model loads."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire import cli
from grimoire._term import packed
from grimoire.cli import main
from grimoire.embed import MiniLM, default_embedder
from grimoire.mcp_server import Tools
from tests.conftest import write_notes
from tests.web.conftest import make_app
from tests.web.test_round47 import _ANSI, _terminal


def test_the_cli_at_its_narrowest_and_its_errors(
        examples_db: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 20-22 columns a hit's, a citation's or a definition's hung lines were 1-3 columns
    wider than the terminal (a floor of 20 columns for the text beside its hang), and so was
    ingest's first count (a group kept whole however wide). A byte that
    is not UTF-8 in a usage error showed as Python's stand-in `\\udcff`. `show lroa` offered
    nothing, LoRA with two letters swapped. `graph` ran a kind on after a name. /api/graph is
    `graph --json` and the layout. MCP's `show` listed wanted pages and itself as links."""
    runner = CliRunner()
    db = ["--db", str(examples_db)]
    try:
        for columns in (20, 22):
            _terminal(monkeypatch, columns)
            for args in (["search", "attention", "softmax", "--mode", "lexical", "-k", "4"],
                         ["show", "softmax"]):
                got = runner.invoke(main, [*db, *args])
                assert got.exit_code == 0, got.output
                lines = _ANSI.sub("", got.stdout).splitlines()
                assert len(lines) > 10
                assert max(map(len, lines)) <= columns, (columns, args, got.stdout)
        # ingest's summary keeps a count with its word, but a group wider than the terminal
        # ran past it ("read 0 (new 0, updated 0) ·": 27 columns at 20)
        summary = "read 0 (new 0, updated 0) · unchanged 19 · removed 0"
        lines = packed(summary, 20, whole=("read 0 (new 0, updated 0) ·", "unchanged 19 ·")
                       ).splitlines()
        assert max(map(len, lines)) <= 20 and "unchanged 19 ·" in lines, lines
    finally:
        monkeypatch.undo()  # piped again
        cli.out.cache_clear()
        cli.err.cache_clear()

    for args in (["search", "--mode", "\udcff", "x"], ["export", "\udcff", "out.jsonl"],
                 ["stats", "\udcff"], ["\udcff"]):
        got = runner.invoke(main, [*db, *args])
        assert got.exit_code == 2 and "\\xff" in got.stderr, got.output
        assert "udc" not in got.output, got.output
    as_json = runner.invoke(main, [*db, "search", "--mode", "\udcff", "x", "--json"])
    assert json.loads(as_json.stdout) == {
        "error": "Invalid value for '--mode': '\\xff' is not one of 'hybrid', 'lexical', "
                 "'semantic'."}

    swapped = runner.invoke(main, [*db, "show", "lroa", "--json"])
    assert swapped.exit_code == 1 and json.loads(swapped.stdout)["suggestions"][0] == "LoRA"
    assert client.get("/api/c/lroa").json()["suggestions"][0] == "LoRA"

    # A concept's kind and a link's kinds after " · ": "● Low-Rank Adaptation (LoRA)
    # Fine-Tuning" read as one name, "see_also,wikilink" as code.
    listed = runner.invoke(main, [*db, "graph", "LoRA"]).stdout.splitlines()
    assert listed[0] == "● Low-Rank Adaptation (LoRA) · Fine-Tuning"
    assert "    → Mixture of Experts · see also, wikilink" in listed
    shown = json.loads(runner.invoke(main, [*db, "graph", "LoRA", "--json"]).stdout)
    drawn = client.get("/api/graph", params={"c": "LoRA"}).json()
    assert set(drawn.pop("positions")) == {n["id"] for n in shown["nodes"]}
    assert drawn == shown and len(shown["nodes"]) > 1

    # MCP's `show` listed a wanted page under "links" too, and the concept itself (a
    # glossary line's link to its own page); `show` lists neither.
    with grimoire.open(examples_db) as kb:
        told = Tools(kb, threading.Lock()).show("LoRA")
    assert told["links"] == ["Attention", "LoRA in practice", "Mixture of Experts"]
    assert told["wanted"] == ["Parameter-Efficient Fine-Tuning", "QLoRA"]


def test_a_search_on_a_database_url_says_the_model_loads(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A PostgreSQL URL starts no early load (`_preload` reads SQLite files only), and the
    search loaded the model in silence: the spinner now asks the model itself whether it is
    loading, so it says "searching…", "loading the embedding model…" while the search loads
    it, then "searching…" again. A words-only search on a URL draws nothing."""
    ctx = click.Context(main, obj=("postgresql://127.0.0.1/notes", None))  # (--db, embedder)
    assert cli._start_once(ctx, embeds=True) == default_embedder().is_loading
    assert cli._start_once(ctx, embeds=False) is None
    model = MiniLM()
    assert not model.is_loading()
    with model._lock:  # what a thread loading it holds (`warm`), its session not yet built
        assert model.is_loading()
    default_embedder().warm()
    assert not default_embedder().is_loading()

    loading = [False]  # the model's answer, as a search on a URL meets it
    try:
        _terminal(monkeypatch, 80)
        said = cli._said_loading(lambda: loading[0], "searching", as_json=False)
        with said:
            for now in (False, True, False):
                loading[0] = now
                said.live.refresh()
        drawn = capsys.readouterr()
    finally:
        cli.out.cache_clear()
        cli.err.cache_clear()
    assert drawn.out == ""
    first = drawn.err.index("searching…")
    assert first < drawn.err.index("loading the embedding model…") < \
        drawn.err.rindex("searching…")


def test_the_home_page_counts_as_the_cli_does(tmp_path: Path) -> None:
    """The home page's counts had no thousands separator ("4755 links", the CLI's `stats`
    says "4,755"), nor a wanted page's links; the graph and health pages' counts neither."""
    notes = write_notes(tmp_path / "notes",
                        {"big.md": "# Big\n\n" + "See [[Wanted Page]].\n" * 1000})
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
        kb.resolve()
    app, kb = make_app(db)
    with kb, TestClient(app, base_url="http://127.0.0.1:8000") as c:
        home = c.get("/").text
    assert "<strong>1,000</strong> links" in home and "1,000 links</span>" in home

