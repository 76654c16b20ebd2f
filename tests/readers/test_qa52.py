"""Round 52 (qa52): what a new user met reading an instructor's lecture notes in LaTeX (each
`x.tex` kept beside the `x.pdf` pdfTeX made of it) and a tutorial's notes in Org (each
`x.org` beside the notebook `ox-ipynb` exported from it, its parts headed "Part 1, ...");
each shape rebuilt here in our own words. One store, built once for the module, no vectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grimoire import readers
from tests.conftest import one_page_pdf, written_store

_SECTION = (r"\documentclass{article}" "\n" r"\begin{document}" "\n"
            r"\section{Principal Directions}" "\n"
            "The principal directions of a data set are the eigenvectors of its covariance, "
            "ordered by how much variance each one keeps.\n" r"\end{document}" "\n")


def _notebook(first: str, metadata: str) -> str:
    """A notebook of one Markdown cell, `metadata` its metadata object's JSON."""
    return ('{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["' + first
            + '"]}], "metadata": ' + metadata + ', "nbformat": 4, "nbformat_minor": 5}\n')


_ORG_PARTS = (
    "* The network\n\nA small net maps two inputs through one hidden layer to a score.\n\n"
    "* Part 1, Forward Pass\n\nThe forward pass multiplies the inputs by the first layer's "
    "weights, squashes each sum with a sigmoid, and feeds the result to the next layer.\n\n"
    "* Part 2, Gradient Checking\n\nGradient checking nudges each weight a small step both "
    "ways and compares the slope it measures with the one backpropagation computed.\n")

_RIDGE = "Bayesian ridge puts a Gaussian prior on the weights and reads the fit as a posterior."

NOTES = {
    # A chapter in LaTeX and the PDF pdfTeX made of it, side by side (latexmk's habit).
    "course/tex/directions.tex": _SECTION,
    "course/tex/directions.pdf": one_page_pdf(
        [(20, "Principal Directions"), (11, "The principal directions of a data set are the "
                                            "eigenvectors of its covariance.")],
        producer="pdfTeX-1.40.25").decode("latin-1"),
    # A handout scanned or typed elsewhere, beside a `.tex` of its name: no TeX made it.
    "course/tex/margins.tex": _SECTION.replace("Principal Directions", "Margin Notes"),
    "course/tex/margins.pdf": one_page_pdf(
        [(20, "Widest Margins"), (11, "A margin is the gap between the classes and the "
                                      "boundary.")],
        producer="Microsoft Word").decode("latin-1"),
    # Org notes and the notebook ox-ipynb exported of them (its metadata keeps an "org" key).
    "nets/forward.org": _ORG_PARTS,
    "nets/forward.ipynb": _notebook(
        "## The network", '{"kernelspec": {"name": "python3"}, "org": null}'),
    # A notebook of its own beside an Org note of the same name: read.
    "nets/sampling.org": "* Sampling\n\nSampling draws points from a distribution.\n",
    "nets/sampling.ipynb": _notebook("# Rejection Sampling Demo", '{"kernelspec": {}}'),
    # A notebook and the copy Jupyter's "Duplicate" made of it, each titled by its file.
    "gp/Bayesian Ridge.ipynb": _notebook(_RIDGE, "{}"),
    "gp/Bayesian Ridge-Copy1.ipynb": _notebook(_RIDGE, "{}"),
    # Org displays over several lines, as Org's preview reads them: a matrix product in
    # `\[ ... \]`, a sum in `$$ ... $$`.
    "nets/errors.org": (
        "* Output errors\n\nEach output's error, scaled by the slope of its activation:\n\n"
        "\\[\n\\begin{bmatrix}\ny_1 - p_1 \\\\\ny_2 - p_2\n\\end{bmatrix} \\circ "
        "\\begin{bmatrix}\ns'(z_1) \\\\\ns'(z_2)\n\\end{bmatrix} = \\delta\n\\]\n\n"
        "and the cost they add up to:\n\n$$\nJ = \\frac{1}{2}\\sum_i (y_i - p_i)^2\n$$\n"),
    # A lecture's demo program saved as text.
    "bounds/chebyshev_demo.txt": (
        "import numpy as np\nimport matplotlib.pyplot as plt\n\n# how often a sample lands "
        "k deviations out\nx = np.random.randn(10000)\nfor k in (1, 2, 3):\n"
        "    print(k, np.mean(np.abs(x) > k), 1 / k**2)\n"),
    # A text note that opens by importing an idea, not a module.
    "bounds/reading.txt": "Importance sampling\n\nImportance sampling reweights draws from "
                          "an easy distribution to estimate an average under a hard one.\n",
    # review52c: a note whose first line reads as an import, a sentence after it; a program
    # after its coding line.
    "bounds/tariffs.txt": "import tariffs\n\nImport tariffs are taxes a country levies on "
                          "the goods brought across its border.\n",
    "bounds/tail_demo.txt": "# -*- coding: utf-8 -*-\nimport numpy as np\nprint(np.mean("
                            "np.random.randn(500) > 2))\n",
    # XeTeX's PDF beside its source, its /Info strings in hex (or compressed, as xdvipdfmx
    # keeps them): no literal "(XeTeX" in the file. Same length, so the offsets hold.
    "course/tex/sheet.tex": _SECTION.replace("Principal Directions", "Cheat Sheet"),
    "course/tex/sheet.pdf": one_page_pdf(
        [(20, "Cheat Sheet"), (11, "Every distribution on one page.")],
        producer="XeTeX 0.99992").replace(
            b"(XeTeX 0.99992)", b"<" + b"XeTeX".hex().encode() + b">   ").decode("latin-1"),
    # A paper's main file whose sections are not here: its PDF is the only copy of its text.
    "paper/main.tex": (r"\documentclass{article}" "\n" r"\begin{document}" "\n"
                       r"\input{sections/margins}" "\n" r"\end{document}" "\n"),
    "paper/main.pdf": one_page_pdf(
        [(20, "Soft Margins"), (11, "A soft margin lets a few points cross the boundary at "
                                    "a cost.")], producer="pdfTeX-1.40.25").decode("latin-1"),
    # qa53: a course's plots saved as PDFs beside its decks' sources (matplotlib's), and a
    # handout of one page another program made.
    "boost/img/gif/003.pdf": one_page_pdf(
        [(12, "Iteration: 0003"), (8, "0.0 0.5 1.0")],
        producer="matplotlib pdf backend 3.8.0").decode("latin-1"),
    # review53c: a handout pdfTeX made, a matplotlib plot on its page (the plot's /Info
    # copied into the file, as pdfTeX does).
    "boost/handout_plotted.pdf": one_page_pdf(
        [(20, "Margins"), (11, "A margin is the distance from the boundary to the nearest "
                               "point.")], producer="pdfTeX-1.40.25",
        figure_producer="matplotlib pdf backend 3.8.0").decode("latin-1"),
    "boost/handout.pdf": one_page_pdf(
        [(20, "Stumps"), (11, "A stump is a decision tree of one split.")],
        producer="LibreOffice 7.6").decode("latin-1"),
    # A part headed "Part N, ..." with a manner after its subject.
    "nets/slowly.md": ("# Part 4, Backpropagation, slowly\n\nBackpropagation carries each "
                       "output's error back through the layers, one product at a time.\n"),
    # A display opened before a code block: the block's bracket closes nothing.
    "nets/slices.org": ("* Slices\n\nA slice of the weights:\n\\[ W_{1:k}\n"
                        "#+begin_src python\nrows = W[:k]  # \\]\n#+end_src\n"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa52", NOTES)


def _status(kb: Any) -> dict[str, str]:
    return {s.path.split("/notes/", 1)[-1]: s.status for s in kb.sources()}


def test_a_pdf_tex_made_beside_its_source_is_a_built_copy(kb: Any) -> None:
    """An instructor's LaTeX notes kept `PCA-notes.pdf` beside `PCA-notes.tex`: both were
    read, the PDF's title a second entry of the same concept and its pages 5 of lint's 16
    near-duplicates."""
    status = _status(kb)
    assert status["course/tex/directions.tex"] == "ok", status
    assert status["course/tex/directions.pdf"] == "skipped", status
    said = kb.said(kb.concept("Principal Directions"))
    assert {s.span.path.rsplit("/", 1)[-1] for s in said} == {"directions.tex"}, said
    # watch looks at the PDF again when its source is written or deleted
    tex = next(s.path for s in kb.sources() if s.path.endswith("directions.tex"))
    assert readers.built_pages(tex) == [tex[:-4] + ".pdf"]


def test_a_pdf_no_tex_made_beside_a_tex_file_is_read(kb: Any) -> None:
    """A PDF that says another program made it is a document of its own."""
    assert _status(kb)["course/tex/margins.pdf"] == "ok", _status(kb)


def test_a_notebook_exported_from_org_beside_it_is_a_built_copy(kb: Any) -> None:
    """A tutorial's notes in Org kept the notebook ox-ipynb exported of each (to show the
    maths on GitHub): every note was read twice, the notebook's first heading ("The net") a
    concept of its own."""
    status = _status(kb)
    assert status["nets/forward.org"] == "ok", status
    assert status["nets/forward.ipynb"] == "skipped", status
    assert status["nets/sampling.ipynb"] == "ok", status
    assert not kb.documents_titled("The network")  # the notebook's first heading


def test_a_numbered_part_before_a_comma_is_no_part_of_the_name(kb: Any) -> None:
    """The tutorial's headings "Part 1, Forward Propagation", "Part 5, Numerical Gradient
    Checking" were concepts of those names; `show "Forward Propagation"` found nothing."""
    labels = [c.label for c in kb.concepts()]
    assert {"Forward Pass", "Gradient Checking"} <= set(labels), labels
    assert not [label for label in labels if label.startswith("Part ")], labels


def test_a_notebooks_copy_is_named_as_the_notebook(kb: Any) -> None:
    """A course's folder kept "Bayesian Linear Regression-Copy1.ipynb" beside the notebook
    it copies: the concept "Bayesian Linear Regression-Copy1" stood beside the notebook's."""
    labels = [c.label for c in kb.concepts()]
    assert not [label for label in labels if "Copy" in label], labels
    said = kb.said(kb.concept("Bayesian Ridge"))
    assert len({s.span.path for s in said}) == 2, said


def test_a_program_saved_as_text_is_named_by_its_file(kb: Any) -> None:
    """A course kept a demo's Python as `concentration_demos.txt`: its first line was the
    concept "import numpy as np"."""
    labels = [c.label for c in kb.concepts()]
    assert not [label for label in labels if label.startswith("import n")], labels
    assert _status(kb)["bounds/chebyshev_demo.txt"] == "ok", _status(kb)
    assert kb.documents_titled("Importance sampling"), labels


def test_an_org_display_over_several_lines_is_one_formula(kb: Any) -> None:
    """A tutorial's Org notes wrote each matrix product as `\\[` on a line, the matrices, `\\]`
    on a line: the display was text with its brackets, its first matrix a formula of its
    own, and lint reported "\\begin{bmatrix} is never ended" twice (no display over several
    lines was math, `$$` ones neither)."""
    path = next(s.path for s in kb.sources() if s.path.endswith("errors.org"))
    texts = [text for _, _, text, _ in kb.source_passages(path)]
    assert any(t.startswith("$$\\begin{bmatrix}") and t.endswith("= \\delta$$")
               for t in texts), texts
    assert any(t.startswith("$$J = ") for t in texts), texts
    assert not any("\\[" in t or "\\]" in t for t in texts), texts


def test_review52c_a_parts_subject_is_named_without_its_manner(kb: Any) -> None:
    """Review52c: "Part 4, Backpropagation, slowly" was named "Backpropagation, slowly",
    read52's manner rule not met after the part's number ("Part 7, explained" going on in
    lower case: `conventions.bare_name`'s doctest)."""
    labels = [c.label for c in kb.concepts()]
    assert "Backpropagation" in labels, labels


def test_review52c_import_then_prose_is_a_note_and_a_coding_line_program_is_not(kb: Any) -> None:
    """Review52c: "import tariffs" over a sentence on them was taken for a program; a program
    opening with a coding line was a page named by its file ("tail_demo")."""
    assert kb.documents_titled("import tariffs")
    labels = [c.label.casefold() for c in kb.concepts()]
    assert "tail_demo" not in labels and "tail demo" not in labels, labels


def test_review52c_which_pdfs_beside_a_tex_are_built(kb: Any) -> None:
    """Review52c: a paper's `main.tex` kept without the sections it inputs, its PDF beside it:
    the PDF was skipped as a built copy and its text was nowhere; and a PDF XeTeX made was
    read beside its source (its /Info not in plain bytes: a cheat sheet's 135 pages twice)."""
    status = _status(kb)
    assert status["paper/main.pdf"] == "ok", status
    assert status["course/tex/sheet.pdf"] == "skipped", status


def test_review52c_a_display_does_not_run_into_a_code_block(kb: Any) -> None:
    """Review52c: a `\\[` left open before a source block was closed by a `\\]` in the code,
    the block's first lines read as a formula."""
    path = next(s.path for s in kb.sources() if s.path.endswith("slices.org"))
    texts = [text for _, _, text, _ in kb.source_passages(path)]
    assert not any("begin_src" in t for t in texts), texts


def test_a_plot_a_plotting_library_saved_as_pdf_is_no_note(kb: Any) -> None:
    """qa53: a course kept its plots as PDFs for its Beamer decks to include (100 frames of an
    animation, `img/boosting/gif/000.pdf` ...): each was read as a page, the concepts
    "Iteration: 0000" to "Iteration: 0099", "Estimated", "1e8 1.25 1.50". A PDF whose /Info
    says matplotlib made it is a figure, skipped with the reason; another one-page PDF is
    read."""
    status = _status(kb)
    assert status["boost/img/gif/003.pdf"] == "skipped", status
    assert status["boost/handout.pdf"] == "ok", status
    # review53c: a document that includes a plot is no plot; its own /Info says who made it.
    assert status["boost/handout_plotted.pdf"] == "ok", status
    why = {s.path.split("/notes/", 1)[-1]: s.reason for s in kb.sources()}
    assert "figure" in (why["boost/img/gif/003.pdf"] or ""), why
    assert not kb.documents_titled("Iteration: 0003")
