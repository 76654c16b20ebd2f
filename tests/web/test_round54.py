"""Round 54 (faces54): on a phone, examples/' graph draws every label it shows whole, inside
its card, and no hover preview covers the next search hit; a prime is drawn beside its letter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grimoire.web.render import math_html

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.web.conftest import Running

# The labels drawn whole (`text-opacity` 1) that run past the graph's card
CUT_LABELS = """() => { const cy = window.grimoireGraph, w = cy.width(), h = cy.height();
  return cy.nodes().filter((n) => n.style('text-opacity') === '1' && n.data('deg') > 0)
    .filter((n) => { const b = n.renderedBoundingBox({ includeNodes: false, includeEdges: false });
      return b.x1 < 0 || b.x2 > w || b.y1 < 0 || b.y2 > h; }).map((n) => n.data('label')); }"""


def test_a_phone_cuts_no_graph_label_and_no_preview_covers_the_next_hit(
        browser: Browser, server: Running) -> None:
    """faces53's walk and review53d: at 390 wide four labels of examples/' graph ran past its
    card ("-Rank Adaptation (LoRA)"), and a search hit's preview (its link focused) covered
    the next hit."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(server.url + "/graph")
        page.wait_for_selector("#graph[data-ready]", state="attached")
        assert page.evaluate(CUT_LABELS) == []
        assert page.evaluate("window.grimoireGraph.nodes().filter((n) => n.data('deg') > 0 "
                             "&& n.style('text-opacity') === '1').length") >= 15
        page.goto(server.url + "/search?q=attention&mode=lexical")
        titles = page.locator(".hit-title.internal")
        assert titles.count() >= 2
        titles.first.focus()
        page.wait_for_load_state("networkidle")  # the preview's fetch, if one is asked
        pop = page.locator("#popover")
        nxt = titles.nth(1).bounding_box()
        if pop.is_visible():
            box = pop.bounding_box()
            assert box is not None and nxt is not None
            assert box["y"] + box["height"] <= nxt["y"] or box["y"] >= nxt["y"] + nxt["height"]
    finally:
        context.close()
    # review54d: nor where nothing hovers (a phone turned to 844 x 390, a tablet): the
    # focused hit's preview covered the next hits (its top 321 px, the next hit at 421)
    context = browser.new_context(viewport={"width": 844, "height": 390}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(server.url + "/search?q=attention&mode=lexical")
        page.locator(".hit-title.internal").first.focus()
        page.wait_for_load_state("networkidle")
        assert not page.locator("#popover").is_visible()
    finally:
        context.close()


def test_a_prime_is_drawn_beside_its_letter() -> None:
    """LoRA's `W' = W + ΔW`: latex2mathml wrote the prime (a raised glyph already) as a
    superscript, and the browser raised it once more, a tick above the W."""
    for tex, base in (("W' = W + BA", "<mi>W</mi>"), ("f''(x)", "<mi>f</mi>"),
                      ("W^{\\prime}", "<mi>W</mi>"), ("b^{''}", "<mi>b</mi>")):
        drawn = str(math_html(tex))
        assert "<msup" not in drawn and "<msubsup" not in drawn, (tex, drawn)
        assert base + '<mo lspace="0em" rspace="0em">' in drawn, (tex, drawn)
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in str(math_html("x^2"))  # a power as before
    # review54d: a superscript after the primes (a square, a transpose) goes over the primed
    # base, and two `\\prime`s are one run: each prime was raised twice still
    prime = '<mo lspace="0em" rspace="0em">\u2032</mo>'
    for tex, over in (("x'^2", "<mn>2</mn>"), ("W'^T", "<mi>T</mi>"),
                      ("x^{\\prime 2}", "<mn>2</mn>")):
        drawn = str(math_html(tex))
        assert f"<msup><mrow><mi>{tex[0]}</mi>{prime}</mrow>{over}</msup>" in drawn, (tex, drawn)
    drawn = str(math_html("W^{\\prime\\prime}"))
    assert "<msup" not in drawn and f"<mi>W</mi>{prime[:-6]}\u2032\u2032</mo>" in drawn, drawn
    # faces55: `W'_0` stacks its prime over the 0 as TeX does (it was drawn after the 0), lowered
    # back to where a prime beside its letter is, at the letter's size; `b^{''}` (an empty
    # base's primes inside the superscript, above) was raised twice
    for tex in ("W'_0", "W_0'"):
        drawn = str(math_html(tex))
        assert ('<msubsup><mi>W</mi><mn>0</mn><mpadded voffset="-0.45em"><mstyle '
                f'scriptlevel="0">{prime}</mstyle></mpadded></msubsup>') in drawn, (tex, drawn)
