"""Review of faces57 (review57d): a snippet whose window began in prose with an underscore,
before a `$` that closes no formula, keeps its prose in every face."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from grimoire.errors import NotFound
from grimoire.mcp_server import Tools
from grimoire.showing import whole_formulas
from tests.conftest import one_page_pdf


def test_a_dollar_no_formula_closes_with_keeps_the_prose_before_it() -> None:
    # a price after snake_case prose: "$5" closes nothing (a digit after it)
    text = "… my_var = 3 and the bill was $5 in total"
    assert whole_formulas(text) == text
    # a shell variable after one: "$HOME" has a blank before it
    text = "… export PATH_X then echo $HOME and quit"
    assert whole_formulas(text) == text
    # R's column of a snake_case frame, and an escaped dollar
    text = "… the mean of my_df$col and of `other_df$x` is"
    assert whole_formulas(text) == text
    text = "… the sum_total is \\$x here"
    assert whole_formulas(text) == text
    # a cut formula's end still goes, with what closed round it
    assert whole_formulas("… x_i}$. Then $y$ is") == "… Then $y$ is"
    assert whole_formulas("… \\frac{a}{b} $$\nnext") == "…\nnext"


def test_search_keeps_prose_before_a_price_and_a_shell_variable(tmp_path: Path) -> None:
    """`grimoire search` on real notes: the snippet's window began in prose with a snake_case
    name, before "$5" and "$HOME"; faces57's rule showed "… 5 in total" and "… HOME before",
    the prose between lost."""
    prose = " ".join(["The warmup schedule for the optimizer is discussed at length here"] * 6)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "costs.md").write_text(f"# Costs\n\n{prose} and then my_var = 3 and the bill was "
                                    "$5 in total for the zebrafish run.\n", encoding="utf-8")
    (notes / "shell.md").write_text(f"# Shell\n\n{prose} then export PATH_X and echo $HOME "
                                    "before the quokka script starts.\n", encoding="utf-8")
    db = tmp_path / "kb.db"
    runner = CliRunner()
    done = runner.invoke(main, ["--db", str(db), "ingest", "--no-embed", str(notes)])
    assert done.exit_code == 0, done.output
    found = runner.invoke(main, ["--db", str(db), "search", "--mode", "lexical", "zebrafish",
                                 "quokka"])
    assert found.exit_code == 0, found.output
    text = " ".join(found.output.split())
    assert "bill was $5 in total" in text, found.output
    assert "echo $HOME before" in text, found.output
    assert "… 5 in" not in text and "… HOME" not in text, found.output


def test_read_source_of_a_failed_note_reads_no_other(tmp_path: Path) -> None:
    """MCP's `read_source` given the whole path of a note ingest kept out (a damaged PDF)
    read another note whose path ends the same in another case (faces57's name rule, its
    case-blind fallback): it says why that file was not read instead."""
    bad, good = tmp_path / "Notes" / "paper.pdf", tmp_path / "notes" / "paper.pdf"
    bad.parent.mkdir()
    good.parent.mkdir()
    bad.write_bytes(b"%PDF-1.4 damaged")
    good.write_bytes(one_page_pdf([(14, "Attention weights sum to one")]))
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([bad.parent, good.parent], embed=False)
        status = {r.path: r.status for r in kb.sources()}
        assert status == {str(bad): "failed", str(good): "ok"}, status
        tools = Tools(kb, threading.Lock())
        with pytest.raises(NotFound) as refused:
            tools.read_source(str(bad))
        assert "was not read as a note (failed" in str(refused.value), refused.value
        assert "Attention" in tools.read_source(str(good))["text"]
        # its name alone still reads the one note that has it in that case
        assert tools.read_source("notes/paper.pdf")["path"] == str(good)
