"""Round 52 (faces52): a price is no formula on any face, and a big graph draws its core
first."""

from __future__ import annotations

from grimoire.mcp_server import preview
from grimoire.model import Answer
from grimoire.showing import FORMULA
from grimoire.web.app import answer_html
from grimoire.web.render import Renderer, math_text, whole_formulas

# A `$` before a digit opens no formula the text closes after a blank: "costs $5 and $y"
# paired the price with the next `$` and drew "5 and" as math (Pandoc's rule: a formula's
# `$` has no blank inside it, and a closing `$` no digit after it).
PRICED = "It costs $5 and $y = 2$ more, or $10 to $20 a month; $1$ is one."


def test_a_price_is_no_formula_on_any_face() -> None:
    shown = str(math_text(PRICED))
    assert "It costs $5 and" in shown and "$10 to $20 a month" in shown, shown
    assert shown.count("<math") == 2, shown  # y = 2, and 1
    assert "<mi>y</mi>" in shown, shown
    # the answer's text, and a note's page (Markdown)
    said = str(answer_html(Answer(question="q", answer=PRICED, citations=())))
    assert said == shown, said
    note = str(Renderer().markdown(PRICED))
    assert "It costs $5 and" in note and "$10 to $20 a month" in note, note
    assert note.count("<math") == 2, note
    # the pattern every face shares (previews, Anki, cut snippets)
    assert [m.group(0) for m in FORMULA.finditer(PRICED)] == ["$y = 2$", "$1$"]
    cut = "It costs $5 and $y …"
    assert preview(cut) == "It costs $5 and …" and whole_formulas(cut) == "It costs $5 and …"
    # a formula of one digit, or that begins with one, is still one
    for formula in ("$2x$", "$0.5$", "$1 - \\epsilon$"):
        assert [m.group(0) for m in FORMULA.finditer(f"so {formula}, then")] == [formula]
