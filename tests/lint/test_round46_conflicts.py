"""Round 46 (read46): lint's conflicts that were no disagreement (wanted45's three false ones).

A course's outline of a subject (a page of nested topics) against the note that defines it; a
tutorial that opens "We will implement ..." under its author's byline against the page that
defines the method; a book's README ("This material is the basis of a course ...") against
the chapter that defines its subject. None of them says what the term is, so none can say it
differently. Two notes that define one word two ways still conflict. Notes written here."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes


def test_an_outline_a_tutorial_and_a_readme_do_not_conflict(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "algebra/notes.md": "# Linear Algebra\n\nLinear algebra studies vectors, the linear "
                            "maps between vector spaces and the matrices that write them.\n",
        "algebra/outline.md": "# Linear Algebra\n\n- Basics\n  - transpose\n  - identity "
                              "and diagonal forms\n- Determinants\n  - cofactor expansion\n"
                              "- Eigendecomposition\n  - the spectral theorem\n  - "
                              "diagonalising a symmetric form\n",
        "methods/pca.md": "# Principal Component Analysis\n\nPrincipal component analysis "
                          "rotates the data onto the directions of largest variance and keeps "
                          "the first few of them.\n",
        "methods/pca_tutorial.md": "# Principal Component Analysis\n\nby Ada Example and Bo "
                                   "Sample\n\nWe will write the method step by step, then run "
                                   "it on a set of scanned handwritten digits.\n",
        "book/README.md": "# Statistical Learning\n\nThis material is the basis of a two-term "
                          "course on data science methods, written as a Quarto book.\n",
        "book/chapter1.md": "# Statistical Learning\n\nStatistical learning blends statistical "
                            "modelling with machine learning, leaning on prediction more than "
                            "on testing hypotheses.\n",
        # one word, two meanings: a true conflict
        "stats/variance.md": "# Variance\n\nVariance is the expected squared distance of a "
                             "random variable from its mean, a measure of its spread.\n",
        "models/variance.md": "# Variance\n\nVariance is how much a fitted model changes when "
                              "it is trained on another sample drawn from the same source.\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        conflicts = {f.concept for f in kb.lint().findings if f.group == "conflict"}
    assert conflicts == {"Variance"}, conflicts
