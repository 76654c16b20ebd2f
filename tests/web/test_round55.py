"""Round 55 (faces55): a display formula wider than its card wraps between the parts its
author spaced apart, inside the card, at a laptop's width and a phone's; display formulas
joined on one line are each drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grimoire.web.render import Renderer, _display_parts, math_html

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.web.conftest import Running

# Each display formula on the page that runs past its card, or hides part of itself in a box
# to scroll (a phone shows no scrollbar: LoRA's was cut at the card's edge)
CUT_FORMULAS = """() => [...document.querySelectorAll('.card .math-block')].filter((b) => {
    const card = b.closest('.card'), style = getComputedStyle(card);
    const right = card.getBoundingClientRect().right - parseFloat(style.paddingRight);
    const hidden = [b, ...b.querySelectorAll('.math-part, .math-row math')].some(
      (e) => e.scrollWidth > e.clientWidth + 1);
    return hidden || b.getBoundingClientRect().right > right + 0.5; }).map((b) => b.textContent)"""


def test_lora_s_display_formula_wraps_inside_its_card(browser: Browser, server: Running
                                                      ) -> None:
    """faces54 and review54d left it: at 1366 and 390 wide LoRA's `W' = … BA, \\qquad B ∈ …`
    was 647 px in a 544 px card (327 px on a phone), scrolled in its box with its end cut."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(server.url + "/c/LoRA")
            assert page.locator(".card .math-block").count() >= 1
            assert page.evaluate(CUT_FORMULAS) == [], width
            assert page.locator(".card .math-part").count() >= 2, width
        # read once, whole, by a screen reader (review55d: each part was a formula of its own)
        parts = page.locator(".card .math-parts").first
        assert parts.get_by_role("math").count() == 1
        assert parts.get_by_role("math").text_content() == parts.locator(".math-row").text_content()
        # A display formula that fits is no Tab stop: a fraction's depth ran a few pixels
        # below its box, and each was a scroller the keyboard stopped on (Softmax's one)
        page.goto(server.url + "/c/Softmax")
        assert page.locator(".card math[display=block]").count() >= 1
        stops = []
        for _ in range(30):
            page.keyboard.press("Tab")
            stops.append(page.evaluate("document.activeElement.tagName"))
        assert "math" not in stops and "A" in stops, stops
    finally:
        context.close()


def test_where_a_display_formula_may_wrap() -> None:
    """Between the parts its author spaced apart, and before a long one's relations; never
    inside a group, brackets or an environment, nor in a short one."""
    said = r"\mathrm{total} = e^{1.2} + e^{2.5} + e^{1.8} + e^{0.3} = 21.9"
    assert [p for _, p in _display_parts(said)] == [
        r"\mathrm{total}", r"= e^{1.2} + e^{2.5} + e^{1.8} + e^{0.3}", "= 21.9"]
    assert _display_parts(r"x_1, \quad y") == [("", "x_1,"), (" gap-mid", "y")]
    for whole in (r"\hat{w} = \arg\min_w J(w)", r"\left( a, \; b \right)",
                  r"\begin{cases} a, \quad b \end{cases}", r"a \\\\ b \quad c"):
        assert _display_parts(whole) == [("", whole)], whole
    # review55d: never where a cut changes what is drawn or read: `\not=` is one relation
    # (≠), `\over` a fraction of all, a bar or `\lvert` a group, a condition's `=` no step
    tail = r" + \alpha_1 + \alpha_2 + \alpha_3 + \alpha_4"
    for whole in (r"a \not= b", r"a \not = b", r"a = b \over c", r"| x = y |",
                  r"\lvert x = y \rvert", r"\lbrace x = y, \; z \rbrace"):
        assert _display_parts(whole + tail) == [("", whole + tail)], whole
    assert [p for _, p in _display_parts(
        r"\sigma(z_i) = \frac{e^{z_i}}{\sum_j e^{z_j}}\ \ for\ i=1,\dots,K\ and\ z=z_1")] == [
        r"\sigma(z_i)", r"= \frac{e^{z_i}}{\sum_j e^{z_j}}\ \ for\ i=1,\dots,K\ and\ z=z_1"]
    assert [p for _, p in _display_parts(r"f(x) = 1" + tail + r", \quad \text{if } x = 0")] == [
        "f(x)", "= 1" + tail + ",", r"\text{if } x = 0"]
    assert len(_display_parts(r"\left| x - y \right| = 1" + tail)) == 2  # sized bars pair
    # a `\label{}` prints nothing, and is no part of its own (a lecture's "\label eq:bn")
    drawn = str(math_html(r"\label{eq:bn} \hat{x}_i = \frac{x_i - \mu}{\sigma}, \qquad y_i = x",
                          True))
    assert "label" not in drawn and drawn.count('<span class="math-part') == 1 + 4, drawn


def test_display_formulas_joined_on_one_line_are_each_drawn() -> None:
    """A reader joins a paragraph's lines: three `$$…$$` lines became one, and the page drew
    one formula from the first `$$` to the last, the `$$` between as four dollar signs (the
    glossary vault's softmax, 672 px in a 344 px box)."""
    page = str(Renderer().markdown("Each one:\n\n$$a = \\frac{1}{2}$$ $$b = 2$$ $$c = 3$$\n"))
    assert page.count("<math") == 3 and "<mi>$</mi>" not in page, page
    page = str(Renderer().markdown("$$a = 1$$ for $x$ <b>in</b> $$b = 2$$"))  # words: words
    assert page.count("<math") == 3 and "&lt;b&gt;in" in page and "$" not in page, page
