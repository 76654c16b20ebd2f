"""Round 44 (read44): round 43's reading leftovers, each on a note written here (no file of
../shared shows them; the public repositories that did are named in bench/README.md, round 43)."""

from __future__ import annotations

from grimoire.readers import read_file

# A Markdown note defining its own macro, then using it in a formula that the writer broke
# over two lines of a paragraph, and in a definition that is broken too. Written here.
TWO_LINE_MACROS = """\
# Ranking

$\\newcommand{\\rank}
{\\mathrm{rank}}$

The reciprocal rank of a query is the inverse $\\frac 1
\\rank$ of the position of its first right answer, averaged over
the queries as $\\sum_i \\frac 1 {\\rank_i}$ here.
"""


def test_a_formula_over_two_lines_of_a_paragraph_is_written_out_in_the_text() -> None:
    [doc] = read_file("markdown", TWO_LINE_MACROS.encode(), "/notes/ranking.md")
    text = "\n".join(p.text for p in doc.passages)
    assert "inverse $\\frac 1 {\\mathrm{rank}}$ of the position" in text
    assert "$\\sum_i \\frac 1 {{\\mathrm{rank}}_i}$" in text
    assert "\\rank" not in text and "newcommand" not in text
