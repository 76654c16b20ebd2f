"""Round 57 (faces57): a hover preview's formulas fitted as the page's are; the search page
shows its words once, in its own box."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.conftest import write_notes
from tests.web.conftest import Running, browser

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["browser"]

# A sum with no place to cut (`render._display_parts` cuts at spaces its author wrote and
# before a relation): the first a little wider than a preview, the second far wider.
WIDE = " + ".join("abcdefghijklmn")
WIDER = " + ".join("abcdefghijklmnopqrstuvwxyz")


@pytest.fixture(scope="module")
def sums_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    import grimoire
    from tests.web.conftest import run_server

    root = tmp_path_factory.mktemp("sums")
    vault = write_notes(root / "vault", {
        "Wide Sum.md": f"# Wide Sum\n\nThe **wide sum** adds fourteen terms:\n\n$$\n{WIDE}\n$$\n",
        "Wider Sum.md": f"# Wider Sum\n\nThe **wider sum** adds them all:\n\n$$\n{WIDER}\n$$\n",
        "Sums.md": "# Sums\n\nTwo sums: the [[Wide Sum]] and the [[Wider Sum]]. Their "
                   "log-likelihood is $\\log p_\\theta(x)$, as $\\sin^2 x$ and "
                   "$\\log(x)$ are written.\n"})
    db = root / "s.db"
    with grimoire.open(db) as kb:
        kb.ingest([vault], embed=False)
    yield from run_server(db)


# the popover's display formulas drawn: (font size in px, hidden px, its fade classes)
POPPED = """() => [...document.querySelectorAll('#popover math[display=block]')]
    .filter((m) => !m.closest('.vh')).map((m) => [parseFloat(getComputedStyle(m).fontSize),
        m.scrollWidth - m.clientWidth,
        ['more-left', 'more-right'].filter((c) => m.classList.contains(c)).join(' ')])"""


def test_a_hover_preview_s_formula_is_fitted_as_the_page_s(browser: Browser,
                                                            sums_server: Running) -> None:
    """A preview's display formula wider than the popover (24rem) ran past its edge, cut, with
    nothing to say so: only the page's formulas were drawn smaller or faded (review56d)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(sums_server.url + "/c/Sums")
        page.wait_for_function("() => document.fonts.status === 'loaded'")
        seen = {}
        for name in ("Wide Sum", "Wider Sum"):
            page.mouse.move(0, 0)
            page.wait_for_selector("#popover", state="hidden")
            page.locator(f"main a[href^='/c/{name.replace(' ', '%20')}']").hover()
            page.wait_for_selector("#popover:not([hidden]) math")
            page.wait_for_timeout(100)
            seen[name] = page.evaluate(POPPED)
            assert len(seen[name]) == 1, seen
        # app.css's size for math, in the popover's text
        full = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#popover p'))"
                             ".fontSize) * 1.08")
        # drawn smaller, whole inside the popover, no fade
        size, hidden, fade = seen["Wide Sum"][0]
        assert hidden <= 1 and 0.75 * full - 0.5 <= size < full - 0.5 and fade == "", seen
        # at the smallest size still wider: its hidden side fades
        size, hidden, fade = seen["Wider Sum"][0]
        assert hidden > 1 and size == pytest.approx(0.75 * full, abs=0.5), seen
        assert fade == "more-right", seen
        # the popover itself inside the window
        box = page.locator("#popover").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366
    finally:
        context.close()


def test_the_search_page_shows_its_words_once(browser: Browser, server: Running) -> None:
    """The search page held its words in the header's box and in its own, one under the
    other on a phone (faces56 kept it, round 57's lead): they are in its own box, with its
    mode and filters; the header's box is empty, for a new search, as on every page."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(server.url + "/search?q=low+rank&mode=lexical")
        boxes = page.evaluate("""() => [...document.querySelectorAll('input')]
            .filter((i) => i.offsetParent !== null && i.type !== 'radio')
            .map((i) => [i.id, i.value, i.labels.length ? i.labels[0].textContent : ''])""")
        assert [b for b in boxes if b[1]] == [["sq", "low rank", "Query"]], boxes
        assert ["q", "", "Search your notes"] in boxes, boxes
        # keyboard only: "/" goes to the header's box, empty, for a new search ...
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "q"
        page.keyboard.type("softmax")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/search?q=softmax")
        assert page.input_value("#sq") == "softmax" and page.input_value("#q") == ""
        # ... and the page's own box refines this one, its mode kept
        page.focus("#sq")
        page.keyboard.press("End")
        page.keyboard.type(" function")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "q=softmax+function" in page.url and "mode=hybrid" in page.url
    finally:
        context.close()


def test_a_function_s_name_stands_apart_from_what_it_takes(browser: Browser,
                                                           sums_server: Running) -> None:
    """`\\log p_\\theta(x)` was drawn "logpθ(x)", one word: latex2mathml writes `\\log` as an
    identifier (`<mi>log</mi>`), which a browser sets with no space after it, where TeX sets a
    thin one (hf-docs' perplexity page, faces57). Before a bracket none, as TeX."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(sums_server.url + "/c/Sums")
        gaps = page.evaluate("""() => [...document.querySelectorAll('.card math')].map((m) => {
            const name = [...m.querySelectorAll('mi')].find((i) => i.textContent.length > 1);
            const after = name.parentElement.tagName === 'msup' ? name.parentElement : name;
            let next = after.nextElementSibling;
            while (next && next.tagName === 'mspace') next = next.nextElementSibling;
            return [name.textContent, next.textContent,
                    next.getBoundingClientRect().left - after.getBoundingClientRect().right];
        })""")
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.card math'))"
                             ".fontSize)")
        assert [g[:2] for g in gaps] == [["log", "pθ"], ["sin", "x"], ["log", "("]], gaps
        # a thin space (a sixth of an em) after "log" and "sin²", none before "("
        assert gaps[0][2] == pytest.approx(size / 6, abs=0.6), (gaps, size)
        assert gaps[1][2] == pytest.approx(size / 6, abs=0.6), (gaps, size)
        assert abs(gaps[2][2]) < 0.6, gaps
    finally:
        context.close()
