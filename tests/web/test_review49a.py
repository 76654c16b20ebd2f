"""Round 49 (review49a): a second look at faces49's formula drawing."""

from __future__ import annotations

from grimoire.web.render import math_html


def test_limits_go_under_an_operator_only_where_tex_sets_them_so() -> None:
    """faces49 set an operator's limits under it in every part of a display. TeX sets a
    fraction's parts and a script in a smaller style, with the limits beside (`\\frac{\\max_x
    f}{2}`, `e^{\\max_x f}`); `\\textstyle` does too, `\\displaystyle` in a line sets them
    under."""
    assert "<munder><mo>lim</mo>" in str(math_html(r"\lim_{n\to\infty} a_n", True))
    for tex in (r"\frac{\max_x f}{2}", r"e^{\max_x f}", r"\textstyle \lim_n a_n"):
        drawn = str(math_html(tex, True))
        assert "<munder>" not in drawn and "<msub><mo>" in drawn, (tex, drawn)
    assert "<munder><mo>lim</mo>" in str(math_html(r"\displaystyle \lim_n a_n", False))
    assert "<munder>" not in str(math_html(r"\lim_n a_n", False))
