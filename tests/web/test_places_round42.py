"""Round 42 (faces42): a card's `file:lines` place, in real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

import grimoire
from tests.conftest import write_notes
from tests.web.conftest import Running, run_server
from tests.web.test_browser import browser, open_context, watched_page

__all__ = ["browser"]  # the fixtures, shared with test_browser

# Layout in the browser: the store's part (the concepts, links and places each engine gives)
# is checked on both engines without a browser; the PostgreSQL pass skips these (round 43).
pytestmark = pytest.mark.one_pass(reason="the browser's wrapping of a card's place")

_PAGE = ("# Gradient Descent\n\nSteps the weights a little against the gradient of the loss, "
         "again and again, until the loss stops falling.\n")


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    # Three notes on one concept, in files with long names: three cards side by side.
    folder = tmp_path_factory.mktemp("places42")
    notes = write_notes(folder / "notes", {
        f"{name}.md": _PAGE for name in ("optimisation-notes-chapter-three",
                                         "training-loop-reading-group-2024",
                                         "first-order-methods-cheatsheet")})
    db = folder / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    yield from run_server(db)


def test_a_cards_place_is_one_line_when_it_fits(browser: Browser, places: Running) -> None:
    # Before: a card's "optimisation-notes-chapter-three.md:1-3" broke at a hyphen after the
    # term, "optimisation-notes-" ending one line and "chapter-three.md:1-3" opening the next
    # (as "glossary.txt:15-" / "17" did on all.db): now it moves whole under the term.
    context, watch = open_context(browser, places, viewport={"width": 1200, "height": 900})
    page = watched_page(context, watch)
    page.goto(places.url + "/c/Gradient%20Descent")
    found = page.eval_on_selector_all(
        ".card header a.where",
        "els => els.map(e => [e.textContent, e.getClientRects().length,"
        " e.getBoundingClientRect().right <= e.closest('.card').getBoundingClientRect().right])")
    context.close()
    assert len(found) == 3, found
    assert all(lines == 1 and inside for _, lines, inside in found), found
