"""What a newcomer met in round 36 (qa36), on a real server in real Chromium: the whole graph
of a large glossary wrote its hubs' labels over each other in its core, and `$\\arg \\max$` on
a notation page showed the source `\\arg`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

import grimoire
from tests.conftest import write_notes
from tests.web.conftest import Running, run_server

# Layout in the browser: the store's part (the concepts, links and places each engine gives)
# is checked on both engines without a browser; the PostgreSQL pass skips these (round 43).
pytestmark = pytest.mark.one_pass(
    reason="the browser's drawing of the whole graph's labels and of a matrix")

def _overlaps(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j
            and a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]]


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> Iterator[Running]:
    db = tmp_path_factory.mktemp("r36vault") / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([corpora / "google-ml-glossary-vault"], embed=False)
    yield from run_server(db)


def test_the_whole_graph_draws_no_label_over_another(vault: Running, browser: Browser) -> None:
    # 541 concepts: the 13 hubs' labels (bold, one size on screen at any zoom) lay in the
    # core, and 10 of them crossed ("model" over "training", "feature", "example").
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{vault.url}/graph")
    page.wait_for_selector("#graph[data-ready=true]", timeout=60_000)
    shown = """() => window.grimoireGraph.nodes('[hub = 1]')
        .filter((n) => String(n.style('text-opacity')) !== '0')
        .map((n) => [n.data('label'), n.data('deg'),
                     n.boundingBox({ includeNodes: false, includeLabels: true,
                                     includeOverlays: false })])"""
    before = page.evaluate(shown)
    hubs = page.evaluate("() => window.grimoireGraph.nodes('[hub = 1]').length")
    most = page.evaluate("""() => window.grimoireGraph.nodes('[hub = 1]')
        .max((n) => n.data('deg')).ele.data('label')""")
    # Zoomed in, the hubs come apart and more of their labels are drawn.
    page.evaluate("""() => { const cy = window.grimoireGraph;
        cy.zoom({ level: cy.zoom() * 4, renderedPosition: { x: 600, y: 450 } }); }""")
    after = page.evaluate(shown)
    page.close()
    assert hubs >= 10
    assert not _overlaps([b for _, _, b in before]), [name for name, _, _ in before]
    assert most in [label for label, _, _ in before]  # the most linked keeps its label
    assert len(before) >= 4, before
    assert not _overlaps([b for _, _, b in after])
    assert len(after) > len(before), (before, after)


@pytest.fixture(scope="module")
def notation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("r36math")
    notes = write_notes(root / "notes", {
        "hadamard.md":
            "# Hadamard product\n\nThe Hadamard product multiplies two matrices entry by entry:\n\n"
            "$$\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix} \\odot \\begin{bmatrix} e & f "
            "\\\\ g & h \\end{bmatrix} = \\begin{bmatrix} ae & bf \\\\ cg & dh \\end{bmatrix}$$\n",
        "argmax.md":
            "# Argmax\n\nArgmax is written $\\arg \\max_x f(x)$ or $\\mathop{\\arg\\max}\\limits_x "
            "f(x)$: the input at which $f$ is largest, where $\\argmax_x$ is a shorthand.\n",
    })
    db = root / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    yield from run_server(db)


def test_arg_is_drawn_as_an_operator_name_not_as_source(notation: Running,
                                                        browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{notation.url}/c/Argmax")
    formulas = page.eval_on_selector_all("main math", "els => els.map((e) => e.textContent)")
    page.close()
    assert len(formulas) == 4, formulas
    assert not [f for f in formulas if "\\" in f], formulas
    assert "arg" in formulas[0] and "max" in formulas[0]


MATH_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf")  # fonts-dejavu-extra


def test_a_matrix_s_brackets_are_as_tall_as_the_matrix(notation: Running,
                                                       browser: Browser) -> None:
    # Drawn in the page's text font (no MATH table), a bmatrix's brackets stayed one line
    # high beside a two-row matrix: Chromium stretches an operator only with a math font.
    if not MATH_FONT.exists():
        pytest.skip("no math font on this machine (apt-get install fonts-dejavu-extra)")
    page = browser.new_page()
    page.goto(f"{notation.url}/c/Hadamard%20product")
    sizes = page.evaluate("""() => [...document.querySelectorAll('main math mo')]
        .filter((m) => m.textContent === '[')
        .map((m) => [m.getBoundingClientRect().height,
                     m.nextElementSibling.getBoundingClientRect().height])""")
    page.close()
    assert len(sizes) == 3, sizes
    assert all(bracket >= 0.9 * matrix for bracket, matrix in sizes), sizes
