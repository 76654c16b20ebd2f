"""Round 56 (review56d): faces56's rows outside an environment (`render._bare_rows`) on
formulas it was not written for."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from grimoire.web.render import math_html
from tests.conftest import write_notes
from tests.web.conftest import Running, browser

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["browser"]


def _drawn(tex: str) -> tuple[str, list[str]]:
    """The MathML drawn for a display `tex`, and the text of each of its table rows."""
    drawn = str(math_html(tex, True))
    assert drawn.startswith("<math"), drawn
    rows = [re.sub(r"<[^>]+>", "", row) for row in re.split(r"<mtr[^>]*>", drawn)[1:]]
    return drawn, rows


def test_a_comment_on_the_last_row_does_not_hide_the_rows() -> None:
    """The table's end went after the comment on the last line, so the comment hid it: the
    whole formula was shown as source, with an `array` its author never wrote."""
    drawn, rows = _drawn("v_t = \\beta v + g_t \\\\\nw_t = w + \\eta v_t % step")
    assert rows == ["vt=βv+gt", "wt=w+ηvt"], drawn
    # a `\\` in a comment breaks no row, and a `{` there opens no group
    drawn, rows = _drawn("a = b % one \\\\ two {\n\\\\ c = d")
    assert rows == ["a=b", "c=d"], drawn
    # an escaped `\%` is a percent sign, not a comment: its row breaks as written
    drawn, rows = _drawn("p = 50\\% \\\\ q = 1")
    assert rows == ["p=50%", "q=1"], drawn


def test_the_space_after_a_row_break_is_not_drawn_as_text() -> None:
    """`\\\\[4pt]` asks for space between rows; latex2mathml drew "[4pt]" at the start of the
    next row, in every environment and in bare rows."""
    for tex in ("\\begin{aligned} a &= b \\\\[4pt] c &= d \\end{aligned}",
                "a = b \\\\[1ex] c = d", "a &= b \\\\ [ 0.5em ] c &= d",
                "f = \\begin{cases} 1 & x > 0 \\\\[2pt] 0 & x \\le 0 \\end{cases}"):
        drawn, rows = _drawn(tex)
        assert len(rows) == 2 and not re.search(r"\d(pt|ex|em)", "".join(rows)), (tex, rows)
    # a row opening with an interval keeps it
    drawn, rows = _drawn("x \\in A \\\\ [0, 1]")
    assert rows == ["x∈A", "[0,1]"], drawn


def test_a_formula_that_cannot_be_drawn_shows_its_own_source() -> None:
    """The source shown was our rewrite of it: `split` for its `aligned`, an `array` round
    bare rows."""
    for tex in ("\\begin{aligned} a &= \\sqrt[ b \\\\ c \\end{aligned}", "a = \\sqrt[ b \\\\ c"):
        shown = str(math_html(tex, True))
        assert shown.startswith("<pre"), shown
        assert "split" not in shown and "array" not in shown, shown
        assert shown.count("\\\\") == 1, shown


def test_the_offer_the_arrows_pick_is_in_sight(browser: Browser, server: Running) -> None:
    """The offers scroll in a list 60vh high; the arrows picked those below its fold (the
    last, "All results for …") and the list stayed where it was: the pick was out of sight."""
    context = browser.new_context(viewport={"width": 390, "height": 300})
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.locator("#q").type("attention", delay=30)
        page.wait_for_function("() => { const l = document.querySelector('#typeahead'); "
                               "return !l.hidden && l.getAttribute('aria-busy') === 'false'; }")
        assert page.evaluate("(() => { const l = document.querySelector('#typeahead'); "
                             "return l.scrollHeight > l.clientHeight + 10; })()")  # it scrolls
        count = page.locator("#typeahead a").count()
        seen = []
        for _ in range(count):
            page.keyboard.press("ArrowDown")
            seen.append(page.evaluate("""() => {
                const l = document.querySelector('#typeahead').getBoundingClientRect();
                const a = document.querySelector('#typeahead a[aria-selected=true]')
                    .getBoundingClientRect();
                return a.top >= l.top - 1 && a.bottom <= l.bottom + 1; }"""))
        assert len(seen) == count >= 3 and all(seen), seen
        page.keyboard.press("ArrowDown")  # round to the first: back in sight at the top
        assert page.evaluate("document.querySelector('#typeahead').scrollTop") == 0
    finally:
        context.close()


def test_an_exported_site_s_wide_formula_shows_it_is_cut(browser: Browser,
                                                          tmp_path: Path) -> None:
    """An exported page has no script: a formula wider than a phone's card scrolled with its
    end cut at the card's edge and nothing to say so (13 of ml-cheatsheet's 90 at 390)."""
    import grimoire

    row = " & ".join(f"\\frac{{\\partial L}}{{\\partial w_{{1{j}}}}}" for j in range(1, 9))
    notes = write_notes(tmp_path / "notes", {"Gradient.md": (
        "# Gradient\n\nThe **gradient** of a loss, written out.\n\n$$\n"
        "\\begin{bmatrix} " + row + " \\end{bmatrix}\n$$\n\nAnd a short one:\n\n$$\na = b\n$$\n")})
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        kb.export("site", tmp_path / "site")
    page_file = next((tmp_path / "site" / "c").glob("gradient-*.html"))
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        masks = """() => [...document.querySelectorAll('.card math[display=block]')]
            .filter((m) => !m.closest('.vh')).map((m) =>
            [m.scrollWidth - m.clientWidth, getComputedStyle(m).maskImage])"""
        (wide, wide_mask), (fits, fits_mask) = page.evaluate(masks)
        assert wide > 50 and "to right" in wide_mask and fits <= 1 and fits_mask == "none"
        page.locator(".card math[display=block]").first.evaluate(
            "(m) => { m.scrollLeft = m.scrollWidth; }")
        page.wait_for_function("() => getComputedStyle(document.querySelector("
                               "'.card math[display=block]')).maskImage.includes('to left')")
    finally:
        context.close()
