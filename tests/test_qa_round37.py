"""Round 37 (qa37): what a new user met on a public repository of course notebooks (math in
Markdown cells, a setup cell of imports opening every notebook), rebuilt in our own words on
a real store, through the real CLI, the web app and the readers."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from tests.conftest import write_notes
from tests.web.conftest import make_app

# A notebook's first cell in a course: the same imports in every notebook (more than the
# 12 words near-duplicate compares).
_SETUP = ("import sys\nsys.path.append('../../helpers')\n\nimport numpy as np\nimport torch\n"
          "import matplotlib.pyplot as plt\n\nimport checks\nimport plots\n\nnp.random.seed(7)\n"
          "torch.manual_seed(7)")


def _notebook(cells: list[dict[str, Any]]) -> str:
    """A notebook as Jupyter writes it: indented, every source a list of lines."""
    for cell in cells:
        cell["source"] = cell["source"].splitlines(keepends=True)
        cell.setdefault("metadata", {})
        if cell["cell_type"] == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", 1)
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4},
                      indent=1)


def _md(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "source": text}


def _code(text: str) -> dict[str, Any]:
    return {"cell_type": "code", "source": text}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("qa37")
    notes = write_notes(root / "course", {
        "whitening.ipynb":
                _notebook([
                _code(_SETUP),
                _md("# Whitening\n\nWhitening maps a random vector $x$ to one whose covariance is "
                "the identity, $\\hat{x} = \\Sigma^{-1/2} (x - \\mu)$.\n"),
                _md("## Decorrelation\n\nDecorrelation alone rotates the data onto the "
                "eigenvectors of its covariance "
                "matrix so that the features no longer move together, and whitening then "
                "rescales each of them to unit variance.\n"),
                ]),
        "entropy.ipynb":
            _notebook([
            _code(_SETUP),
            _md("# Entropy\n\nThe entropy of a distribution $p$ is $H(p) = -\\sum_x p(x) \\log "
            "p(x)$, the bits a code for its outcomes needs on average.\n"),
            # The same paragraph as the whitening notebook's: a copied note lint must still find.
            _md("## Decorrelation\n\nDecorrelation alone rotates the data onto the "
            "eigenvectors of its covariance "
            "matrix so that the features no longer move together, and whitening then "
            "rescales each of them to unit variance.\n"),
            ]),
        "counted.ipynb":
            '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1", '
            '"execution_count": ' + "9" * 5000 + '}, {"cell_type": "markdown", "metadata": {}, '
            '"source": "# Mahalanobis distance\\n\\nThe Mahalanobis distance measures how far a '
            'point lies from a distribution in units of its spread."}], "metadata": {}, '
            '"nbformat": 4, "nbformat_minor": 4}',
        "kernel.md":
            "---\ntitle: Kernel trick\nseed: " + "7" * 5000 + "\n---\nThe kernel trick computes "
            "inner products in a feature space without building the features.\n",
        "Centering.md":
            "Centering subtracts from every feature its mean over the training set, so that the "
            "data cloud sits around the origin before any rotation or scaling is applied. " * 3
            + "It is the first step of whitening, done once. With $N$ observations the mean is "
            "$\\bar{x} = \\frac{1}{N} \\sum_{i=1}^{N} x_i = "
            "\\frac{x_1 + x_2 + x_3 + \\dots + x_N}{N}$ "
            "and each $x_i$ becomes $x_i - \\bar{x}$.\n",
    })
    path = root / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    return path


def test_a_number_longer_than_python_converts_fails_no_note(course: Path) -> None:
    # Before: counted.ipynb failed "reader notebook failed: ValueError: Exceeds the limit
    # (4300 digits) for integer string conversion ...; use sys.set_int_max_str_digits() to
    # increase the limit", and kernel.md lost its whole front matter (title) with that
    # message as its warning, at line 1.
    with grimoire.open(course) as kb:
        sources = {Path(s.path).name: s for s in kb.sources()}
        assert sources["counted.ipynb"].status == "ok", sources["counted.ipynb"]
        said = [p.message for s in sources.values() for p in s.problems]
        assert not any("set_int_max_str_digits" in m for m in said), said
        assert kb.concept("Mahalanobis distance") is not None
        kernel = kb.concept("Kernel trick")
        assert kernel is not None
        assert any(Path(e.entry.span.path).name == "kernel.md" for e in kernel.entries)


def test_lint_finds_a_copied_paragraph_not_the_setup_cell_every_notebook_opens_with(
        course: Path) -> None:
    # Before: the shared setup cell was a near-duplicate of every other notebook's (51 of a
    # course repository's 75 pairs), and the one finding per pair of files named it: the
    # copied paragraph was only "1 more passage repeats that file".
    done = CliRunner().invoke(main, ["--db", str(course), "lint", "--group", "near-duplicate",
                                     "--json"])
    rows = json.loads(done.output)["near-duplicate"]
    where = sorted((Path(f[k]["path"]).name, f[k]["start_line"]) for f in rows
                   for k in ("span", "other"))
    # The copy is the prose cell (line 37 of the JSON), never the setup cell (line 6).
    assert where == [("entropy.ipynb", 37), ("whitening.ipynb", 37)], where


def test_a_notebook_s_source_page_shows_its_json_as_written(course: Path) -> None:
    # Before: the source view drew the JSON's `$\\hat{x} = \\Sigma^{-1/2} ...$` as math,
    # where `\\` is a line break and "hat", "Sigma" plain letters: "hatx = Sigma".
    app, kb = make_app(course)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            page = client.get("/source", params={"path": str(Path(kb.sources()[0].path).parent
                                                             / "whitening.ipynb")})
    finally:
        kb.close()
    assert page.status_code == 200
    assert "<math" not in page.text
    text = re.sub(r"<[^>]+>", "", page.text)
    assert "\\\\hat{x} = \\\\Sigma^{-1/2}" in text, text[:2000]


def test_an_anki_card_cut_inside_a_formula_shows_no_tex(course: Path, tmp_path: Path) -> None:
    # Before: the card of a page with no definition ended "... the mean is $\\bar{x} =
    # \\frac{1}{N} …": the cut opened a formula it did not close, and Anki showed its TeX.
    deck = tmp_path / "deck.apkg"
    done = CliRunner().invoke(main, ["--db", str(course), "export", "anki", str(deck)])
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(deck) as z:
        z.extract("collection.anki2", tmp_path)
    with sqlite3.connect(tmp_path / "collection.anki2") as conn:
        backs = {f.split("\x1f")[0]: f.split("\x1f")[1]
                 for (f,) in conn.execute("SELECT flds FROM notes")}
    back = backs["Centering"]
    assert back.endswith("…"), back  # the opening words were cut
    prose = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", "", back)
    assert "$" not in prose and "\\frac" not in prose, back
