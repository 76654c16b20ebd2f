"""Review of faces57 (review57d): a snippet whose window began in prose with an underscore,
before a `$` that closes no formula, keeps its prose in every face."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from grimoire.cli import main
from grimoire.showing import whole_formulas


def test_a_dollar_no_formula_closes_with_keeps_the_prose_before_it() -> None:
    # a price after snake_case prose: "$5" closes nothing (a digit after it)
    text = "… my_var = 3 and the bill was $5 in total"
    assert whole_formulas(text) == text
    # a shell variable after one: "$HOME" has a blank before it
    text = "… export PATH_X then echo $HOME and quit"
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
