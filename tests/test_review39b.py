"""Review of round 39's faces (review39b): what users see. Our own words."""

from __future__ import annotations

import pytest

from grimoire.web.render import Renderer, math_text


@pytest.mark.no_store
def test_a_formula_alone_on_its_line_inside_a_paragraph_is_display_math() -> None:
    # `$$...$$` on a line of its own between two lines of one paragraph: display on the
    # concept page (Markdown) as in the source view (`math_text`), as `in_sentence` says.
    note = "The loss has the form:\n$$L = \\sum_i (y_i - w x_i)^2$$\nwhere w is the weight.\n"
    for html in (str(Renderer().markdown(note)), str(math_text(note))):
        assert html.count("math-block") == 1, html
