"""Round 50 (faces50): a note whose every section is an entry says what it opens with (its
title's card quoted the first passage no section held, from the middle of the file, or said
nothing), on every face and in every format; an MCP preview never ends inside a formula."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from grimoire.cli import main
from grimoire.mcp_server import Tools, preview
from grimoire.showing import FORMULA
from tests.conftest import written_store
from tests.web.conftest import make_app

LECTURE = r"""\documentclass{article}
\title{Kernel Methods}
\begin{document}
\maketitle

\section{Feature maps}
A feature map $\phi$ sends each input to a vector of features.

\begin{definition}[Kernel]
A kernel is a function $k(x,y) = \langle \phi(x), \phi(y) \rangle$.
\end{definition}

\section{The kernel trick}
Inner products become kernel values in the dual problem.

\section{Common kernels}
Words of no section's entry, further down the file.
\end{document}
"""

PAGE = """# Optimizer notes

## Momentum
Momentum adds a share of the last step to the next one.

## Adam
Adam keeps running means of the gradient and of its square.
"""

RST = """Loss notes
==========

Hinge loss
----------
The hinge loss penalises a margin under one.

Log loss
--------
The log loss is the negative log likelihood of the labels.
"""

HTML = """<html><head><title>Norm layer notes</title></head><body>
<h1>Norm layer notes</h1>
<h2>Batch norm</h2><p>Batch norm scales each channel by the batch's statistics.</p>
<h2>Layer norm</h2><p>Layer norm scales each example by its own statistics.</p>
</body></html>
"""

WORDS = " ".join(["Ridge regression shrinks the weights toward zero"] * 4)
RIDGE = f"""# Ridge regression

Ridge regression is a linear model: {WORDS} and it picks
$\\hat w = (X^\\top X + \\lambda I)^{{-1}} X^\\top y$ as its weights, in closed form.
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "faces50", {
        "kernels.tex": LECTURE, "Optimizer notes.md": PAGE, "losses.rst": RST,
        "norms.html": HTML, "Ridge regression.md": RIDGE})


def _db(kb: Any) -> Path:
    """The path `written_store` opened (a PostgreSQL pass maps it to its database)."""
    found = next(iter(kb.sources())).path
    return Path(found).parent.parent / "kb.db"


def test_a_title_whose_every_section_is_an_entry_says_what_its_note_opens_with(
        kb: Any, tmp_path: Path) -> None:
    """The title's entry holds no passage and the store's rule took the passages of no entry
    after it: the lecture's title quoted its last section (lines 17-18), a Markdown, rST or
    HTML page of `##` terms said nothing ("(no definition)")."""
    opens = {}
    for title in ("Kernel Methods", "Optimizer notes", "Loss notes", "Norm layer notes"):
        said = [s for s in kb.said(kb.concept(title)) if s.kind == "opening"]
        assert len(said) == 1, (title, said)
        opens[title] = said[0]
    lecture = opens["Kernel Methods"]
    assert lecture.span.start_line == 7 and lecture.text.startswith("A feature map"), lecture
    # in the note's order: the last section's words (the store's pick) come last if at all
    assert lecture.text.index("A kernel is a function") < lecture.text.find("further down") \
        or "further down" not in lecture.text, lecture
    assert opens["Optimizer notes"].text.startswith("Momentum adds a share")
    assert opens["Optimizer notes"].span.start_line == 4
    assert opens["Loss notes"].text.startswith("The hinge loss penalises")
    assert opens["Norm layer notes"].text.startswith("Batch norm scales")

    # every face shows the same words: `show`, its --json (= /api/c/...), the concept page
    db = str(_db(kb))
    runner = CliRunner()
    shown = runner.invoke(main, ["--db", db, "show", "Kernel Methods"], env={"COLUMNS": "80"})
    assert re.search(r"\(no definition; the note opens, \S*kernels.tex:7-", shown.stdout), \
        shown.stdout
    assert "A feature map" in shown.stdout, shown.stdout
    data = json.loads(runner.invoke(main, ["--db", db, "show", "Kernel Methods",
                                           "--json"]).stdout)
    app, web = make_app(Path(db))
    with web, TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/c/Kernel Methods").json() == data
        page = c.get("/c/Kernel Methods").text
    assert "the note opens" in page and "A feature map" in page, page
    # an export names each note by its place in the folder: the title's note was asked by
    # that name, and opened with nothing
    kb.export("jsonl", tmp_path / "concepts.jsonl")
    lines = (tmp_path / "concepts.jsonl").read_text(encoding="utf-8").splitlines()
    exported = {c["label"]: c for c in map(json.loads, lines)}["Optimizer notes"]
    assert exported["entries"][0]["opening"]["span"]["path"] == "Optimizer notes.md"
    assert exported["entries"][0]["opening"]["text"].startswith("Momentum adds a share")


def test_an_mcp_preview_never_ends_inside_a_formula(kb: Any) -> None:
    """`preview` cut at the 280th character's word: a formula there was left half, a `$` that
    opens and never closes ("… it picks $\\hat w = (X^\\top X + …")."""
    tools = Tools(kb, threading.Lock())
    told = tools.show("Ridge regression")
    texts = [s["preview"] for s in told["sources"]]
    found = tools.search("ridge regression weights closed form", mode="lexical")
    texts += [r["preview"] for r in found["results"]]
    assert texts
    for text in texts:
        assert FORMULA.sub("", text).count("$") == 0, text
    cut = preview(RIDGE.split("\n", 2)[2].strip())
    assert cut.endswith("and it picks …") and len(cut) <= 282, cut
    formula = r"$a + b = c$ " * 40
    assert re.fullmatch(r"(\$a \+ b = c\$ )*\$a \+ b = c\$ …", preview(formula)), preview(formula)


def test_graph_with_no_name_is_the_web_s_whole_graph(examples_db: Path, client: TestClient) -> None:
    """/api/graph with no concept is every concept and link; `graph` asked for a NAME
    ("Missing argument", exit 2, --json too): now the same record, without the drawing's
    positions, and a list with every concept a "●"."""
    runner = CliRunner()
    db = ["--db", str(examples_db)]
    shown = runner.invoke(main, [*db, "graph", "--json"])
    assert shown.exit_code == 0, shown.output
    drawn = client.get("/api/graph").json()
    assert set(drawn.pop("positions")) == {n["id"] for n in drawn["nodes"]}
    assert json.loads(shown.stdout) == drawn and drawn["whole"] and len(drawn["nodes"]) > 20
    listed = runner.invoke(main, [*db, "graph"]).stdout.splitlines()
    bullets = [line for line in listed if line.startswith("● ")]
    assert len(bullets) == len(drawn["nodes"]), listed
    assert any(line.startswith("    → ") for line in listed)
    assert runner.invoke(main, [*db, "graph", "--dot"]).stdout.startswith("digraph")
