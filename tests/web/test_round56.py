"""Round 56 (faces56): a display formula wider than its box on a phone (no scrollbar drawn)
is drawn smaller to fit, or fades on the side it hides; the search box is a combobox to a
screen reader; the ask page's header search box no longer repeats the question."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from grimoire.web.render import math_html
from tests.conftest import write_notes
from tests.web.conftest import Running, browser

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from playwright.sync_api import Browser

__all__ = ["browser"]

# Two aligned matrices with no place to cut (`render._display_parts` never cuts an
# environment): the first a little wider than a phone's card, the second far wider.
ROW = " & ".join(f"w_{{{i}{j}}}" for i, j in ((1, 1), (1, 2), (1, 3), (1, 4), (1, 5)))
NARROWER = (r"\begin{aligned} \mathbf{W}_{t+1} &= \mathbf{W}_t - \eta \begin{bmatrix} "
            + ROW + r" \\ " + ROW + r" \end{bmatrix} \end{aligned}")
WIDE_ROW = " & ".join(f"\\frac{{\\partial L}}{{\\partial w_{{1{j}}}}}" for j in range(1, 9))
WIDER = (r"\begin{aligned} \nabla L &= \begin{bmatrix} " + WIDE_ROW + r" \\ " + WIDE_ROW
         + r" \end{bmatrix} \end{aligned}")
# rows outside any environment, as Sphinx's `.. math::` takes them (ml-cheatsheet's Adam)
ROWS = (r"m_t = \beta_1 m_{t-1} + (1 - \beta_1) \frac{\partial L}{\partial w} \\ "
        r"u_t = \beta_2 u_{t-1} + (1 - \beta_2) \left(\frac{\partial L}{\partial w}\right)^2 \\ "
        r"w = w - \eta \frac{m_t}{\sqrt{u_t} + \epsilon}")
# rows aligned at their "=" (`aligned`), the right side of the first far longer
ALIGNED = r"\begin{aligned} g(x) &= \left(x^2 + 3x + 2\right)^3 \\ &= u^3 \end{aligned}"
# cut before its `=` (`_display_parts`), the fraction still wider than a phone's card
PARTS = (r"\mathrm{Score} = \frac{\text{true positives} + \text{true negatives}}"
         r"{\text{true positives} + \text{false positives} + \text{negatives}}")


@pytest.fixture(scope="module")
def matrix_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    import grimoire
    from tests.web.conftest import run_server

    root = tmp_path_factory.mktemp("matrices")
    vault = write_notes(root / "vault", {
        "Weight Update.md": "# Weight Update\n\nThe **weight update** of a layer, "
                            "written out.\n\n$$\n" + NARROWER + "\n$$\n\nIts gradient:\n\n$$\n"
                            + WIDER + "\n$$\n\nA short one:\n\n$$\na = b\n$$\n\n"
                            "In parts:\n\n$$\n" + PARTS + "\n$$\n\nIn rows:\n\n$$\n" + ROWS
                            + "\n$$\n\nAligned:\n\n$$\n" + ALIGNED + "\n$$\n",
        # quoted under "Mentioned in": a code span of one long word
        "Optimizers.md": "# Optimizers\n\nEach step applies a [[Weight Update]] computed with "
                         "`numpy.dot() <https://numpy.example.org/doc/reference/generated/"
                         "numpy.dot.html#numpy-dot-of-two-arrays>`_ as written.\n"})
    db = root / "m.db"
    with grimoire.open(db) as kb:
        kb.ingest([vault], embed=False)
    yield from run_server(db)


# each display formula drawn: (font size in px, hidden px, scrolled px, its fade classes)
FORMULAS = """() => [...document.querySelectorAll('.card math[display=block]')]
    .filter((m) => !m.closest('.vh')).map((m) => [parseFloat(getComputedStyle(m).fontSize),
        m.scrollWidth - m.clientWidth, m.scrollLeft,
        ['more-left', 'more-right'].filter((c) => m.classList.contains(c)).join(' ')])"""


def test_a_wide_display_formula_fits_a_phone_or_shows_it_is_cut(browser: Browser,
                                                                 matrix_server: Running) -> None:
    """faces55 and review55d left it: an aligned matrix has no place to cut, scrolled in its
    box at 390 with its end cut at the card's edge, and a phone draws no scrollbar."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(matrix_server.url + "/c/Weight%20Update")
        page.wait_for_function("() => document.fonts.status === 'loaded'")
        wide = page.evaluate(FORMULAS)
        assert len(wide) == 7, wide  # then PARTS's two parts, ROWS and ALIGNED
        full = wide[2][0]  # `a = b`: a formula that fits, drawn at its size
        # at a laptop's width the narrower matrix fits as it is: untouched, no fade
        assert wide[0][0] == full and wide[0][1] <= 1 and wide[0][3] == "", wide
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(400)  # the resize's 100 ms wait, then the measures
        phone = page.evaluate(FORMULAS)
        full = phone[2][0]  # a phone's text is a size smaller than a laptop's
        # the narrower matrix: drawn smaller, whole inside its box (on main: 40-100 px hidden)
        assert phone[0][1] <= 1 and 0.75 * full - 0.5 <= phone[0][0] < full, phone
        assert phone[0][3] == "", phone
        # the wider one: at the smallest size still wider; its right side fades, and once
        # scrolled to its end its left side does instead
        assert phone[1][1] > 1 and phone[1][0] == pytest.approx(0.75 * full, abs=0.5), phone
        assert phone[1][3] == "more-right", phone
        assert phone[2] == [full, 0, 0, ""], phone
        # nothing wider than the phone: the quote's code span ran 200 px past it
        assert page.locator(".mentions blockquote code").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        # a formula in parts: its too-wide part drawn smaller, and its other parts with it
        # (the glossary vault's Accuracy: "Accuracy" above at full size, "= …" smaller)
        assert wide[3][0] == wide[4][0] == wide[2][0], wide
        assert phone[3][0] == phone[4][0] < full and phone[3][1] <= 1 >= phone[4][1], phone
        # rows outside an environment: one under the other, each inside the card at its size
        # (one line of 3 rows broken by an `mspace` no browser breaks: 500 px and more)
        rows = page.locator(".card math[display=block]").nth(-2)
        assert rows.locator("mtr").count() == 3 and phone[5][:2] == [full, 0], phone
        page.locator(".card math.more-right").evaluate("(m) => { m.scrollLeft = m.scrollWidth; }")
        page.wait_for_function("() => document.querySelector('.card math.more-left') !== null")
        assert page.evaluate(FORMULAS)[1][3] == "more-left"
        # the one that fits once smaller is no keyboard stop; the one that scrolls still is
        stops = []
        for _ in range(25):
            page.keyboard.press("Tab")
            stops.append(page.evaluate("document.activeElement.tagName + ' ' + "
                                       "document.activeElement.className"))
        assert {s for s in stops if s.startswith("math")} == {"math shrunk more-left"}, stops
        # an aligned formula's "=" one under the other: Chromium ignored `columnalign` and
        # centred each cell, the second "=" 60 px right of the first
        equals = page.locator(".card math[display=block]").last.locator("mtd mo").filter(
            has_text="=")
        assert equals.count() == 2
        lefts = [equals.nth(i).bounding_box()["x"] for i in range(2)]  # type: ignore[index]
        assert abs(lefts[0] - lefts[1]) < 1, lefts
        # back to a laptop's width: the narrower one at its size again
        page.set_viewport_size({"width": 1366, "height": 900})
        page.wait_for_timeout(400)
        assert page.evaluate(FORMULAS)[0][0] == wide[0][0]
    finally:
        context.close()


def test_rows_outside_an_environment_are_drawn_one_under_another() -> None:
    drawn = str(math_html(ROWS, True))
    assert drawn.count("<mtr") == 3 and "linebreak" not in drawn, drawn
    aligned = str(math_html(r"a &= b + c \\ d &= e", True))
    assert aligned.count("<mtr") == 2 and "&amp;" not in aligned, aligned
    # an environment's rows are its own (one table, not one inside another)
    inside = str(math_html(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True))
    assert inside.count("<mtable") == 1 and inside.count("<mtr") == 2, inside
    assert "<mtr" not in str(math_html(r"\text{a \\ b}", True))
    assert str(math_html(r"a = b \\ c", False)).count("<mtr") == 0  # inline: left as it was


def test_the_search_box_is_a_combobox_to_a_screen_reader(browser: Browser,
                                                          server: Running) -> None:
    """It had no role (a plain search field): its offers, which one the arrows picked and
    whether the list was open were the list's own, not told as the box's."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        box = page.get_by_role("combobox", name="Search your notes")
        assert box.count() == 1
        assert box.get_attribute("aria-expanded") == "false"
        assert box.get_attribute("aria-autocomplete") == "list"
        listbox = page.get_by_role("listbox", name="Suggestions", include_hidden=True)
        assert box.get_attribute("aria-controls") == listbox.get_attribute("id") == "typeahead"
        box.type("cross", delay=30)
        page.wait_for_function("() => { const l = document.querySelector('#typeahead'); "
                               "return l.getAttribute('aria-busy') === 'false' && !l.hidden; }")
        assert box.get_attribute("aria-expanded") == "true"
        options = page.get_by_role("listbox", name="Suggestions").get_by_role("option")
        assert options.count() >= 2
        page.keyboard.press("ArrowDown")
        picked = page.locator("#typeahead [aria-selected=true]")
        assert box.get_attribute("aria-activedescendant") == picked.get_attribute("id")
        page.keyboard.press("Escape")
        assert box.get_attribute("aria-expanded") == "false"
        assert box.get_attribute("aria-activedescendant") is None
    finally:
        context.close()


def test_the_ask_page_header_does_not_repeat_the_question(client: TestClient) -> None:
    """The question was in the ask box and again in the header's search box: two boxes of
    the same words on a phone (faces55)."""
    question = "what does LoRA replace a weight update with?"
    page = client.get("/ask", params={"q": question}).text
    header = re.search(r'<input id="q"[^>]*>', page)
    asked = re.search(r'<input id="aq"[^>]*>', page)
    assert header and asked
    assert "value=" not in header.group(0), header.group(0)
    assert f'value="{question}"' in asked.group(0)
    assert f"<title>Ask: {question}" in page
    # nor the search page's words (round 57): they are in its own box, with its mode
    found = client.get("/search", params={"q": "low rank"}).text
    header = re.search(r'<input id="q"[^>]*>', found)
    searched = re.search(r'<input id="sq"[^>]*>', found)
    assert header and "value=" not in header.group(0), header.group(0)
    assert searched and 'value="low rank"' in searched.group(0)
