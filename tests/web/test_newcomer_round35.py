"""What a newcomer met in round 35 (qa35), on a real server in real Chromium: a folder of
paper summaries (each titled by its paper, none linking another) drew the whole graph as a
grid of 100 labels of 60-110 characters written over each other, unreadable. The titles here
are our own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

import grimoire
from tests.conftest import ingested
from tests.web.conftest import Running, run_server

SUBJECTS = ["recurrent networks", "convolutional encoders", "sequence transduction",
            "character models", "memory networks", "reading comprehension", "dialogue agents",
            "machine translation", "sentence embeddings", "policy gradients",
            "residual learning", "knowledge distillation"]


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("r35web")
    notes = root / "notes"
    notes.mkdir()
    for i, subject in enumerate(SUBJECTS):
        title = (f"Surprisingly Effective Simple Baselines for {subject.title()} Trained "
                 f"at Scale with Little Tuning")
        (notes / f"{subject.replace(' ', '-')}.md").write_text(
            f"## [{title}](https://example.org/{i})\n\nTLDR; The authors show that a plain "
            f"baseline for {subject} matches far larger systems when it is trained longer.\n",
            encoding="utf-8")
    (notes / "Dropout.md").write_text("# Dropout\n\nDropout zeroes random units; see "
                                      "[[Weight Decay]].\n", encoding="utf-8")
    (notes / "Weight Decay.md").write_text("# Weight Decay\n\nWeight decay shrinks every "
                                           "weight a little at each step.\n", encoding="utf-8")
    db = root / "kb.db"
    with ingested(db, notes, embed=False) as kb:
        assert len(kb.entries()) == len(SUBJECTS) + 2
    return db


@pytest.fixture(scope="module")
def papers_server(papers: Path) -> Iterator[Running]:
    yield from run_server(papers)


def _overlaps(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j
            and a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]]


def test_the_whole_graph_draws_long_lone_labels_apart(papers_server: Running,
                                                      browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{papers_server.url}/graph")
    page.wait_for_selector("#graph[data-ready=true]")
    boxes = page.evaluate("""() => window.grimoireGraph.nodes('[deg = 0]').map((n) =>
        n.boundingBox({ includeNodes: false, includeLabels: true, includeOverlays: false }))""")
    linked = page.evaluate("""() => window.grimoireGraph.nodes('[deg >= 1]')
        .map((n) => n.style('text-wrap'))""")
    page.close()
    assert len(boxes) == len(SUBJECTS)
    assert not _overlaps(boxes), _overlaps(boxes)
    assert linked == ["none", "none"]  # a linked concept's label is left whole


def test_without_javascript_the_svg_cuts_them_too(papers_server: Running,
                                                  browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{papers_server.url}/graph")
    texts = page.eval_on_selector_all(".graph-svg text", "els => els.map((e) => e.textContent)")
    titles = page.eval_on_selector_all(".graph-svg a > title",
                                       "els => els.map((e) => e.textContent)")
    context.close()
    assert "Dropout" in texts and "Weight Decay" in texts
    lone = [t for t in texts if t not in ("Dropout", "Weight Decay")]
    assert len(lone) == len(SUBJECTS) and all(len(t) <= 26 and t.endswith("\u2026")
                                              for t in lone), lone
    # the whole name stays the node's title (the tooltip)
    assert sum(t.startswith("Surprisingly Effective Simple") and len(t) > 80
               for t in titles) == len(SUBJECTS)


def test_the_search_page_says_how_far_search_by_meaning_covers_the_notes(
        papers: Path, papers_server: Running, browser: Browser) -> None:
    # After `ingest --no-embed` (or while the background worker embeds), `grimoire search`
    # says on stderr that semantic search covers 0 of N passages; the search page gave the
    # word matches alone and said nothing, as if search by meaning had found nothing.
    page = browser.new_page()
    page.goto(f"{papers_server.url}/search?q=baselines+trained+longer")
    said = page.inner_text("main")
    page.goto(f"{papers_server.url}/search?q=baselines+trained+longer&mode=lexical")
    lexical = page.inner_text("main")
    assert "Search by meaning covers 0 of" in said and "grimoire embed" in said, said
    assert "Search by meaning covers" not in lexical
    with grimoire.open(papers, create=False) as kb:
        kb.embed()  # the real model
    page.goto(f"{papers_server.url}/search?q=baselines+trained+longer")
    embedded = page.inner_text("main")
    page.close()
    assert "Search by meaning covers" not in embedded
