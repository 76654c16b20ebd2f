"""Round 47 (faces47): the faces as a user sees them, on the session's examples/ store (read
only): a hit's first line wrapped at a terminal's width (or on the search page) never ends
with a lone "·" or ">"; a search or a question says on a terminal's stderr that the embedding
model is loading (and nothing under --json or piped)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from grimoire import cli
from grimoire.cli import main

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _terminal(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    """stdout and stderr are a terminal `columns` wide, to rich (its consoles made anew)."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", str(columns))
    cli.out.cache_clear()
    cli.err.cache_clear()


def test_a_wrapped_hit_line_ends_with_no_lone_separator(
        examples_db: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Rich breaks a hit's first line at any space, so at some widths a line ended with the
    "·" before its section or a ">" between two headings, the word after it on the next line
    ("…/Softmax.md:20-22 ·" over "Where it shows up"). The separator now begins the next line
    with that word; the lines still fit."""
    line = ("[bold]2. Softmax[/bold]  [dim]notes/vault/Softmax.md:20-22 · Where it shows up > "
            "In practice > Numerics[/dim]")
    try:
        for columns in range(24, 90):
            _terminal(monkeypatch, columns)
            cli._heading(line, hang=3)
            lines = _ANSI.sub("", capsys.readouterr().out).splitlines()
            assert "".join(lines).replace(" ", "") == \
                "2.Softmaxnotes/vault/Softmax.md:20-22·Whereitshowsup>Inpractice>Numerics"
            for shown in lines:
                assert len(shown) <= columns, (columns, lines)
                assert not shown.rstrip().endswith(("·", ">")), (columns, lines)
        # The glossary's hit through the CLI: "glossary-hash.txt:3-4 · A > Attention Mechanism".
        for columns in (40, 52, 64):
            _terminal(monkeypatch, columns)
            got = CliRunner().invoke(main, ["--db", str(examples_db), "search", "scaled",
                                            "dot-product", "--mode", "lexical", "-k", "3"])
            assert got.exit_code == 0 and "Attention" in got.stdout, got.output
            for shown in _ANSI.sub("", got.stdout).splitlines():
                assert not shown.rstrip().endswith(("·", ">")), (columns, got.stdout)
    finally:
        cli.out.cache_clear()
        cli.err.cache_clear()
    # The search page, 390 wide, ended a line with "·" too: each separator keeps to its word.
    page = client.get("/search", params={"q": "scaled dot-product", "mode": "lexical"}).text
    assert '<span class="dim">·&nbsp;A \u203a&nbsp;Attention Mechanism</span>' in page


def test_the_model_load_is_said_on_a_terminal_only(
        examples_db: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A hybrid search or a question in a new process waits 4-7 s for the embedding model on a
    loaded machine and said nothing meanwhile. While the model loads (its thread, held here
    by a gate) a spinner on stderr says so, then what the command does; piped or under --json
    nothing is said, and --json's stdout stays one JSON document."""
    gate = threading.Event()
    loading = threading.Thread(target=gate.wait, args=(60,))
    loading.start()
    try:
        _terminal(monkeypatch, 80)
        said = cli._said_loading(loading.is_alive, "searching", as_json=False)
        with said:
            said.live.refresh()
            gate.set()
            loading.join(60)
            said.live.refresh()
        drawn = capsys.readouterr()
        assert drawn.out == ""
        assert drawn.err.index("loading the embedding model…") < drawn.err.index("searching…")
        assert not cli._said_loading(loading.is_alive, "searching", as_json=True).live
        monkeypatch.setenv("TTY_COMPATIBLE", "0")
        cli.err.cache_clear()
        assert not cli._said_loading(loading.is_alive, "searching", as_json=False).live

        # Through the CLI on a terminal: the hits on stdout, no spinner's text among them.
        _terminal(monkeypatch, 80)
        runner = CliRunner()
        db = ["--db", str(examples_db)]
        shown = runner.invoke(main, [*db, "search", "attention", "softmax", "-k", "2"])
        assert shown.exit_code == 0 and "loading the embedding" not in shown.stdout
        as_json = runner.invoke(main, [*db, "search", "attention", "softmax", "-k", "2",
                                       "--json"])
        assert len(json.loads(as_json.stdout)) == 2
        assert "loading the embedding" not in as_json.stderr
    finally:
        gate.set()
        cli.out.cache_clear()
        cli.err.cache_clear()
