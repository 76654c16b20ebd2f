"""What a newcomer met on saved pages and a Sphinx site (round 32, qa32), in real Chromium: a
long section of a saved page filled the concept page (a 400-line one was 30,000 pixels), and
the cards after it were out of reach. The shared Distill articles and Sphinx cheat sheet have
such sections: Distill's GNN introduction (12,000 characters under one heading) and the cheat
sheet's list of papers (108 lines)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

import grimoire
from tests.web.conftest import Running, run_server

LONG = (("Graph Neural Networks", "gnn-intro.html"), ("Deep Learning", "papers.rst"))


@pytest.fixture(scope="module")
def pages_db(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("r32web") / "pages.db"
    with grimoire.open(db) as kb:
        kb.ingest([corpora / "distill-articles", corpora / "ml-cheatsheet-rst"], embed=False)
    return db


@pytest.fixture(scope="module")
def pages_server(pages_db: Path) -> Iterator[Running]:
    yield from run_server(pages_db)



def _texts(db: Path) -> dict[str, str]:
    """Each long card's whole text, as the store has it."""
    out = {}
    with grimoire.open(db) as kb:
        for name, file in LONG:
            view = kb.concept(name)
            texts = [e.entry.definition for e in view.entries
                     if Path(e.entry.span.path).name == file]
            texts += [s.text for s in view.sections if Path(s.span.path).name == file]
            assert len(texts) == 1, (name, texts)
            out[name] = texts[0]
    return out


def _last_words(text: str) -> str:
    words = re.findall(r"[A-Za-z]{4,}", text)
    return " ".join(words[-3:])


def _card(page: Page, file: str) -> object:
    return page.locator("section.card", has=page.locator(f"a.where:text-matches('{file}')"))


def _check(page: Page, texts: dict[str, str], base: str, suffix: str = "") -> None:
    for name, file in LONG:
        page.goto(base + name + suffix)
        card = _card(page, re.escape(file))
        assert card.count() == 1, name  # type: ignore[attr-defined]
        height = card.bounding_box()["height"]  # type: ignore[attr-defined]
        # it showed the whole text: 3,606 and 8,578 px at 1280 wide, 9,072 and 8,074 at 390
        assert height < 2.6 * page.viewport_size["height"], (name, height)  # type: ignore[index]
        summary = card.locator("details.more > summary")  # type: ignore[attr-defined]
        assert re.fullmatch(r"Show the rest \([\d,]+ more words\)", summary.inner_text()), name
        last = _last_words(texts[name])
        assert last not in " ".join(re.findall(r"[A-Za-z]{4,}",
                                                card.inner_text())), name  # type: ignore[attr-defined]
        summary.click()
        shown = " ".join(re.findall(r"[A-Za-z]{4,}", card.inner_text()))  # type: ignore[attr-defined]
        assert last in shown, (name, last)  # the rest, one click away
        # and nothing lost on the way: every word of the note is on the card
        words = set(re.findall(r"[A-Za-z]{4,}", re.sub(r"\$[^$]*\$", " ", texts[name])))
        assert words - set(shown.split()) == set(), name


def test_a_long_section_folds_its_rest_on_the_concept_page(
        browser: Browser, pages_server: Running, pages_db: Path) -> None:
    texts = _texts(pages_db)
    for width, height in ((1280, 800), (390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        _check(page, texts, pages_server.url + "/c/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.close()


def test_the_static_site_folds_it_too(browser: Browser, pages_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    with grimoire.open(pages_db) as kb:
        kb.export("site", out)
        pages = {name: next(p for p in (out / "c").glob("*.html")
                            if f"<h1>{name}</h1>" in p.read_text("utf-8"))
                 for name, _ in LONG}
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    texts = _texts(pages_db)
    for name, file in LONG:
        page.goto(pages[name].as_uri())
        card = _card(page, re.escape(file))
        summary = card.locator("details.more > summary")  # type: ignore[attr-defined]
        summary.click()
        assert _last_words(texts[name]) in " ".join(
            re.findall(r"[A-Za-z]{4,}", card.inner_text())), name  # type: ignore[attr-defined]
    page.close()


def test_the_whole_graph_opens_on_its_linked_concepts_labels_readable(
        browser: Browser, pages_server: Running) -> None:
    # 281 concepts, 61 links: the concepts without a link were a ring around the rest, and the
    # view that fit them all drew each label under 2 px high. The linked ones are laid out
    # together and shown first, their labels 9 px at least on a wide screen; the lone ones
    # lie under them, A-Z, and the page says so.
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(pages_server.url + "/graph")
    page.wait_for_selector("#graph[data-ready=true]")
    seen = page.evaluate("""(() => {
        const cy = window.grimoireGraph, ext = cy.extent();
        const linked = cy.nodes('[deg >= 1]'), lone = cy.nodes('[deg = 0]');
        const inView = (n) => { const p = n.position();
          return p.x >= ext.x1 && p.x <= ext.x2 && p.y >= ext.y1 && p.y <= ext.y2; };
        return {
          linked: linked.length, lone: lone.length, inView: linked.filter(inView).length,
          smallest: Math.min(...linked.map(n => parseFloat(n.style('font-size')) * cy.zoom())),
          lowest: Math.max(...linked.map(n => n.position().y)),
          grid: lone.map(n => [n.position().y, n.position().x, n.data('label')]),
        }; })()""")
    assert seen["linked"] >= 20 and seen["lone"] >= 100, seen["linked"]
    assert seen["inView"] == seen["linked"]
    assert seen["smallest"] >= 9, seen["smallest"]  # px on screen
    grid = sorted(seen["grid"])
    assert all(y > seen["lowest"] for y, _, _ in grid)
    labels = [label for _, _, label in grid]
    assert labels == sorted(labels, key=str.casefold)
    assert f"The {seen['lone']:,} concepts without a link are under the linked ones" in \
        page.inner_text("main")
    page.close()
