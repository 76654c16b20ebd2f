"""Review of faces57 (review57d): a snippet whose window began in prose with an underscore,
before a `$` that closes no formula, keeps its prose in every face."""

from __future__ import annotations

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
