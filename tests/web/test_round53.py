"""Round 53 (faces53): a `$…$` a note writes in a code span is code in a snippet, an answer and
its quotes as on the note's page; an escaped `\\$` is a dollar sign on every face."""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import Tools
from grimoire.model import Answer
from grimoire.showing import FORMULA, code_formulas
from grimoire.web.app import answer_html, snippet_html
from grimoire.web.render import Renderer, math_text
from tests.export.test_anki import _notes
from tests.web.conftest import make_app


@pytest.mark.one_pass(reason="what the web shows of a note's code span")
def test_a_formula_in_a_code_span_is_code_in_snippets_and_answers(
        seeds: Path, tmp_path: Path) -> None:
    """The seeds' README says a glossary writes "Inline LaTeX in `$...$`": the reader keeps
    the code span's words without its backticks, and the search snippet and the answer drew
    "..." as a formula (review52d)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(seeds / "README.md", notes / "README.md")
    # review53d: LaTeX quotes with two backticks, not code: its formula was drawn as code
    (notes / "step.tex").write_text("\\section{Learning rate}\nThe ``step size $\\eta$'' of "
                                    "gradient descent and its ``schedule'' set its pace.\n")
    (notes / "anchors.txt").write_text("Anchors\n\nThe regex ^\\$ matches an empty line, "
                                       "\\$HOME a variable.\n")
    (notes / "delimiters.md").write_text("# Delimiters\n\nDelimiters mark inline math: a template "
                                         "writes `$x$` for it. It costs \\$5 a month.\n")
    # review54d: the Markdown and notebook readers resolve `\\$` as they read, so one left in
    # their text is code (a code span, a code cell) and keeps its backslash; an HTML page that
    # loads MathJax escapes a dollar with it
    (notes / "tokens.md").write_text("# Token patterns\n\nA tokenizer's pattern `^\\$` "
                                     "pins a blank token.\n")
    (notes / "cells.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Sentinel cells"]},
                  {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
                   "source": ['sentinel = re.compile(r"^\\$ sentinel line")']}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (notes / "fees.html").write_text(
        '<html><head><script src="https://cdn.example/mathjax/tex-chtml.js"></script>'
        "</head><body><h1>Fees</h1><p>The hosted tokenizer fee is \\$8 a seat.</p></body></html>")
    (notes / "pricing.glossary").write_text("Glossary\n\nHosted tier\n\nThe hosted tier "
                                            "costs \\$12 a seat each month.\n")
    line = next(x for x in (seeds / "README.md").read_text().splitlines() if "`$...$`" in x)
    assert code_formulas(line) == {"$...$"}
    assert code_formulas(line + " and $...$ outside") == frozenset()  # written as math too
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    app, kb = make_app(db)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            found = client.get("/search", params={"q": "Inline LaTeX", "mode": "lexical"}).text
            snippets = re.findall(r'<p class="snippet">(.*?)</p>', found, re.S)
            snippet = next(s for s in snippets if "LaTeX" in s)
            assert "<code>$...$</code>" in snippet and "<math" not in snippet, snippet
            found = client.get("/search", params={"q": "step size schedule",
                                                  "mode": "lexical"}).text
            snippet = next(s for s in re.findall(r'<p class="snippet">(.*?)</p>', found, re.S)
                           if "schedule" in s)
            assert "<math" in snippet and "<code>" not in snippet, snippet
            asked = client.get("/ask", params={
                "q": "How does the Grimoire glossary copy write inline LaTeX?"}).text
            answer = asked[asked.index('class="answer-text"'):asked.index("</ol>")]
            assert "<code>$...$</code>" in answer and "<math" not in answer, answer
            # round 54: a text file escapes no dollar (its regex keeps its backslash), a
            # Markdown note does ("costs \\$5" is a price)
            for q, shown in (("regex anchors empty line", r"^\$ matches"),
                             ("delimiters costs month", "</mark> $5 a "),
                             ("tokenizer pattern blank", r"pattern</mark> ^\$ "),
                             ("sentinel line", r"(r&quot;^\$ "),
                             ("tokenizer fee seat", "is $8 a ")):
                found = client.get("/search", params={"q": q, "mode": "lexical"}).text
                snippet = re.findall(r'<p class="snippet">(.*?)</p>', found, re.S)[0]
                assert shown in snippet, snippet
        # round 54: MCP's previews and Anki's card show a code span's formula as code too
        tools = Tools(kb, threading.Lock())
        found = tools.search("Inline LaTeX", mode="lexical")["results"]
        assert any("`$...$`" in r.get("preview", "") for r in found), found
        told = tools.show("Delimiters")["sources"]
        assert "a template writes `$x$` for it" in told[0]["preview"], told
        kb.export("anki", tmp_path / "deck.apkg")
        cards = [f for f in _notes(tmp_path / "deck.apkg", tmp_path).values()
                 if f[0] == "Delimiters"]
        assert "writes <code>$x$</code> for it" in cards[0][1], cards
        # review54d: a glossary's `\\$` is a dollar sign in MCP and on the card as on the web
        told = tools.show("Hosted tier")["sources"]
        assert "costs $12 a seat" in told[0]["preview"], told
        card = next(f for f in _notes(tmp_path / "deck.apkg", tmp_path).values()
                    if f[0] == "Hosted tier")
        assert "costs $12 a seat" in card[1], card
        # faces55: and in the terminal (`show`, `search`, `ask`), where it printed `\$12`; a
        # text file's regex keeps its backslash there as on the web, and `--json` is the
        # API's text as read
        lexical = ("--mode", "lexical")
        for args, shown in ((["show", "Hosted tier"], "costs $12 a seat"),
                            (["search", "hosted tier seat month", *lexical], "costs $12 a"),
                            (["ask", "how much does the hosted tier cost a seat"], "costs $12 a"),
                            (["search", "regex anchors empty line", *lexical], r"^\$ matches")):
            printed = CliRunner().invoke(main, ["--db", str(db), *args])
            assert printed.exit_code == 0 and shown in printed.stdout, (args, printed.output)
            assert "\\$12" not in printed.stdout, (args, printed.stdout)
        printed = CliRunner().invoke(main, ["--db", str(db), "show", "Hosted tier", "--json"])
        assert "costs \\\\$12" in printed.stdout, printed.stdout
    finally:
        kb.close()
    # as before where nothing says it is code
    assert "<math" in str(snippet_html("Inline LaTeX in $...$."))


def test_an_escaped_dollar_is_a_dollar_sign_and_opens_no_formula() -> None:
    r"""A glossary written for MathJax escapes its prices (`\$5`): the text faces showed the
    backslash, and `\$a\$` was a formula."""
    said = r"It costs \$5 and \$6, or \$a\$ once; $x$ is one."
    assert [m.group(0) for m in FORMULA.finditer(said)] == ["$x$"]
    for shown in (str(math_text(said)), str(Renderer().text(said)),
                  str(answer_html(Answer(question="q", answer=said))), str(snippet_html(said))):
        assert "It costs $5 and $6, or $a$ once;" in shown and "\\" not in shown, shown
        assert shown.count("<math") == 1, shown
    page = str(Renderer().markdown(said))  # the Markdown page read it so already
    assert "It costs $5 and $6, or $a$ once;" in page and page.count("<math") == 1, page


def test_a_hover_preview_draws_its_formulas(client: TestClient) -> None:
    """The popover set the preview's text as text: Softmax's showed "$\\sigma(z)_i = …$" as
    TeX where its page and the snippets draw it. The preview carries its text rendered."""
    said = client.get("/api/c/Softmax", params={"preview": "true"}).json()
    assert "$" in said["text"] and "<math" in said["html"], said
    assert "$" not in said["html"].split("<math")[0], said["html"]
