"""Round 57 (faces57): a search snippet whose window began inside a formula, as the CLI (at
80 columns and piped), MCP (the SDK's client) and the web show it, on examples/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import build_server
from grimoire.showing import whole_formulas
from grimoire.web.app import snippet_html
from tests.conftest import EXAMPLES, reading, write_notes

# What a line began with when a snippet's window began inside a formula: what closed round
# it (a bracket, a stop), or the formula's own TeX
_LEFTOVER = re.compile(r"…\s*(?:[)\]},.;:]|\S*\\[A-Za-z]|\S*\$)")


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("examples57") / "kb.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    with reading(db):
        yield db


def test_whole_formulas_drops_what_closed_round_a_cut_formula() -> None:
    # examples/' RAG note: "… with cosine similarity $\cos\theta = \frac{u \cdot v}{\lVert u
    # \rVert \lVert v \rVert}$)" then its next list item; the window began at "\rVert}$)"
    assert whole_formulas("… \\rVert}$)\n3. fuse the «rankings» $x$") == \
        "…\n3. fuse the «rankings» $x$"
    assert whole_formulas("… v \\rVert}$), which is «nice»") == "… which is «nice»"
    assert whole_formulas("… 2}$. Then more") == "… Then more"
    # a `$` that opens a formula after prose with an underscore is no cut formula's end
    assert whole_formulas("… use learning_rate $\\eta$ then") == \
        "… use learning_rate $\\eta$ then"
    assert whole_formulas("… a (see $x$) b") == "… a (see $x$) b"


def test_a_snippet_begun_inside_a_formula_shows_none_of_it(examples_db: Path) -> None:
    """The RAG note's hit for "low rank" began "… \\rVert}$)" in the CLI and "… )" on the web
    (faces56's walk): its window began at the end of a formula. Every face now begins it with
    the line after, and no face shows a line that begins with what closed round a formula."""
    kb = grimoire.open(examples_db, create=False)
    hits = kb.search("low rank", k=8, mode="lexical")
    rag = next(h for h in hits if h.span.path.endswith("Retrieval-Augmented Generation.md"))
    assert rag.snippet.startswith("… \\rVert}$)"), rag.snippet  # the case: search.py's window

    # the web: the page's snippet, as its HTML reads
    html = str(snippet_html(rag.snippet))
    assert html.startswith("…<br>3. fuse the two rankings"), html[:200]

    # MCP: the preview, one line
    async def session() -> dict[str, Any]:
        async with Client(build_server(kb)) as client:
            found = await client.call_tool("search", {"query": "low rank", "k": 8,
                                                      "mode": "lexical"})
            assert not found.is_error, found.content
            data: dict[str, Any] = found.structured_content  # type: ignore[assignment]
            return data

    found = anyio.run(session)
    kb.close()
    previews = {r["span"]["path"]: r.get("preview", "") for r in found["results"]}
    preview = previews[rag.span.path]
    assert preview.startswith("… 3. fuse the two rankings"), preview
    assert not [p for p in previews.values() if _LEFTOVER.match(p)], previews

    # the CLI, at 80 columns and piped
    for env in ({"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"}, {}):
        result = CliRunner(env=env).invoke(main, ["--db", str(examples_db), "search", "--mode",
                                                  "lexical", "-k", "8", "low", "rank"])
        assert result.exit_code == 0, result.output
        lines = [line.strip() for line in
                 re.sub(r"\x1b\[[0-9;]*m", "", result.output).splitlines()]
        assert "\\rVert" not in result.output, result.output
        assert not [line for line in lines if _LEFTOVER.match(line)], result.output
        # the "…" alone, then the list item after the formula's
        assert any(line == "…" and after.startswith("3. fuse the two rankings")
                   for line, after in pairwise(lines)), result.output


def test_show_wraps_a_list_item_under_its_text(tmp_path: Path) -> None:
    """At 80 columns `show` ran a list item's later lines on under its "-" (ml-cheatsheet's
    Adam: "($v_{dW}$)." under the marker), where `search` hangs them past it."""
    notes = write_notes(tmp_path / "notes", {"Adam.md": (
        "# Adam\n\nAdam is an optimizer that works as follows:\n\n"
        "- First, it computes the exponentially weighted average of all the past gradients "
        "($v_{dW}$).\n"
        "12. Then it computes the exponentially weighted average of the squares of the past "
        "gradients.\n\nA plain paragraph after the list, long enough to be wrapped at eighty "
        "columns by the terminal as well.\n")})
    db = tmp_path / "kb.db"
    assert CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed",
                                     str(notes)]).exit_code == 0
    result = CliRunner(env={"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"}).invoke(
        main, ["--db", str(db), "show", "Adam"])
    assert result.exit_code == 0, result.output
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.output).splitlines()
    assert max(len(line) for line in lines) <= 80, result.output
    first = next(n for n, line in enumerate(lines) if line.startswith("  - First"))
    assert lines[first + 1].startswith("    ") and "($v_{dW}$)." in lines[first + 1], \
        result.output
    then = next(n for n, line in enumerate(lines) if line.startswith("  12. Then"))
    assert lines[then + 1].startswith("      ") and lines[then + 1][6] != " ", result.output
    plain = next(n for n, line in enumerate(lines) if line.startswith("  A plain paragraph"))
    assert lines[plain + 1].startswith("  ") and lines[plain + 1][2] != " ", result.output
