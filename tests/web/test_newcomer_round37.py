"""What a newcomer met in round 37 (qa37), on a real server in real Chromium: the whole graph of
a folder of course notebooks, whose notes link nothing, was a field of unlabelled dots."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

import grimoire
from tests.web.conftest import Running, run_server

# Layout in the browser: the store's part (the concepts, links and places each engine gives)
# is checked on both engines without a browser; the PostgreSQL pass skips these (round 43).
pytestmark = pytest.mark.one_pass(reason="the browser's drawing of a graph without links")

_TOPICS = ("covariance", "gradient", "entropy", "kernel", "margin", "prior", "tensor", "norm")


@pytest.fixture(scope="module")
def unlinked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    # 320 notes named by their files, none linking another (a course's notebooks link
    # nothing: 314 concepts, 0 links); past 300 concepts the graph is drawn as a large one.
    root = tmp_path_factory.mktemp("r37graph")
    notes = root / "notes"
    notes.mkdir()
    for n in range(320):
        topic = _TOPICS[n % len(_TOPICS)]
        (notes / f"{topic.title()} note {n:03d}.md").write_text(
            f"Lecture {n} of the course works through one more example of {topic}.\n",
            encoding="utf-8")
    db = root / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    yield from run_server(db)


def test_a_graph_without_links_opens_on_readable_labels(unlinked: Running,
                                                        browser: Browser) -> None:
    # Before: fitted whole, 320 dots in a grid at a zoom of 0.3, every label under the
    # 9 px a large graph draws: not one name on screen.
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{unlinked.url}/graph")
    page.wait_for_selector("#graph[data-ready=true]", timeout=60_000)
    on_screen = page.evaluate("""() => { const cy = window.grimoireGraph;
        const w = cy.width(), h = cy.height();
        return cy.nodes().filter((n) => { const p = n.renderedPosition();
            return p.x > 0 && p.x < w && p.y > 0 && p.y < h; }).map((n) => n.data('label')); }""")
    font = page.evaluate("""() => { const cy = window.grimoireGraph;
        return parseFloat(cy.nodes()[0].style('font-size')) * cy.zoom(); }""")
    said = page.inner_text("p.dim")
    page.close()
    assert font >= 9, font  # a large graph draws no label under 9 px on screen
    assert 12 <= len(on_screen) < 320, len(on_screen)
    assert "Covariance note 000" in on_screen  # it opens on the first of A-Z
    assert "No note links one concept to another" in said, said
