"""Round 54 (read54): the faults round 53 left in reading real notes, each on notes written
here in this test's own words. Readers called directly (no store) unless the fault is in what
an ingest reads again: milliseconds a test."""

from __future__ import annotations

from tests.readers.test_read51 import _md


def test_an_r_columns_dollar_is_no_formula() -> None:
    # R names a data frame's column `df$col`: a sentence naming two columns read the words
    # between them as a formula ("col and df"), in the store and on every face (round 53
    # left it). After a letter, as after a digit, a `$` opens a formula of one word or of TeX
    # (`R$^2$`), never words with a blank between and no TeX command.
    from grimoire.showing import FORMULA
    from grimoire.web.render import Renderer
    for line, formulas in (
            ("Plot flights$dep_delay and flights$arr_delay against each other.", []),
            ("Then `summary(m)` shows fit$coef and fit$resid side by side.", []),
            ("A model's R$^2$ and its $\\alpha$ stay formulas.", ["^2", "\\alpha"]),
            ("With df$x we take $x \\cdot y$ once.", ["x \\cdot y"])):
        for path in ("notes/columns.md", "notes/columns.Rmd"):
            doc = _md(f"# Columns\n\n{line}\n", path)
            assert [m.tex for p in doc.passages for m in p.math] == formulas, (line, path)
        assert [m.group(2) for m in FORMULA.finditer(line)] == formulas, line
        assert str(Renderer().markdown(line)).count("<math") == len(formulas), line
