"""Round 44 (read44): round 43's reading leftovers, each on a note written here (no file of
../shared shows them; the public repositories that did are named in bench/README.md, round 43)."""

from __future__ import annotations

import json

from grimoire.readers import read_file
from tests.conftest import one_page_pdf

# A Markdown note defining its own macro, then using it in a formula that the writer broke
# over two lines of a paragraph, and in a definition that is broken too. Written here.
TWO_LINE_MACROS = """\
# Ranking

$\\newcommand{\\rank}
{\\mathrm{rank}}$

The reciprocal rank of a query is the inverse $\\frac 1
\\rank$ of the position of its first right answer, averaged over
the queries as $\\sum_i \\frac 1 {\\rank_i}$ here.
"""


def test_a_formula_over_two_lines_of_a_paragraph_is_written_out_in_the_text() -> None:
    [doc] = read_file("markdown", TWO_LINE_MACROS.encode(), "/notes/ranking.md")
    text = "\n".join(p.text for p in doc.passages)
    assert "inverse $\\frac 1 {\\mathrm{rank}}$ of the position" in text
    assert "$\\sum_i \\frac 1 {{\\mathrm{rank}}_i}$" in text
    assert "\\rank" not in text and "newcommand" not in text


def _notebook(*cells: tuple[str, str], title: str | None = None) -> bytes:
    meta: dict[str, object] = {"kernelspec": {"name": "python3", "language": "python"}}
    if title:
        meta["title"] = title
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": meta, "cells": [
        {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, source in cells]}, indent=1).encode()


def test_a_notebook_with_no_title_of_its_own_is_no_concept_named_by_its_file() -> None:
    # A course's notebook of figure code with no heading (qa43: "nlp_figs", "02-math-figs",
    # "w2_assessment" were concepts): its file's name is a file's, not a term.
    figs = _notebook(("markdown", "Figures for the lecture on word embeddings.\n"),
                     ("code", "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4])\n"))
    [doc] = read_file("notebook", figs, "/course/nlp_figs.ipynb")
    assert doc.title == "nlp_figs" and doc.passages
    assert doc.entries == ()
    [doc] = read_file("notebook", figs, "/course/07-pca-iris.ipynb")
    assert doc.entries == ()
    # sections but no title: the file's name is still no concept ("11-rl_figs")
    [doc] = read_file("notebook", _notebook(("code", "import gym\n"), (
        "markdown", "## Epsilon-greedy exploration\n\nEpsilon-greedy exploration picks a "
                    "random action with probability epsilon.\n")), "/course/11-rl_figs.ipynb")
    assert "11-rl_figs" not in [e.term for e in doc.entries]
    # "Hadoop Basics" is a writer's title, not a file's name (round 30)
    [doc] = read_file("notebook", figs, "/course/Hadoop Basics.ipynb")
    assert [e.term for e in doc.entries] == ["Hadoop Basics"]
    # a file's name that names a thing stays its name (round 28's "LD_PRELOAD", round 29's)
    [doc] = read_file("notebook", figs, "/course/svm.ipynb")
    assert [e.term for e in doc.entries] == ["svm"]
    # a heading, or the notebook's own title, still names one
    [doc] = read_file("notebook", _notebook(("markdown", "# Word embeddings\n\nVectors.\n")),
                      "/course/nlp_figs.ipynb")
    assert [e.term for e in doc.entries] == ["Word embeddings"]
    [doc] = read_file("notebook", _notebook(("markdown", "Figures.\n"), title="Word embeddings"),
                      "/course/nlp_figs.ipynb")
    assert [e.term for e in doc.entries] == ["Word embeddings"]


def test_a_sidebar_label_abbreviating_only_the_titles_first_words_is_no_alias() -> None:
    # review43c: `sidebar_label: ML` over "Machine Learning Basics" made "ML" a name of the
    # basics page; ML abbreviates "Machine Learning", a concept of its own.
    def aliases(title: str, label: str) -> list[str]:
        text = f"---\ntitle: {title}\nsidebar_label: {label}\n---\n\nWhat {title} covers.\n"
        [doc] = read_file("markdown", text.encode(), "/docs/page.md")
        return [a for e in doc.entries for a in e.aliases]

    assert aliases("Machine Learning Basics", "ML") == []
    assert aliases("Support Vector Machines", "SVM") == ["SVM"]
    assert aliases("Principal Component Analysis", "PCA") == ["PCA"]
    assert aliases("Low-Rank Adaptation", "LoRA") == ["LoRA"]


# A Sphinx page referring to its own figure, table and equation by `:numref:`, `:ref:` and
# `:eq:` (qa43: maml's course read `:numref:`figNerveCell`` as the bare label). Written here.
SPHINX_REFS = """\
Neurons
=======

.. _fig-cell:

.. figure:: cell.png

   A nerve cell and its axon.

.. _tab-rates:

.. table:: Firing rates by cell type

   =====  ====
   cell   rate
   =====  ====
   a      10
   =====  ====

.. math:: z = w x + b
   :label: eq-lin

.. math::
   :label: eq-act

   a = \\sigma(z)

The cell of :numref:`fig-cell` fires at the rates of :numref:`tab-rates`; :ref:`fig-cell`
again, and :numref:`Figure %s <fig-cell>`. The unit computes :eq:`eq-lin` then :eq:`eq-act`,
as :eq:`eq-elsewhere` does.
"""


def test_sphinx_references_to_a_pages_own_figure_table_and_equation_read_as_sphinx_shows_them(
        ) -> None:
    [doc] = read_file("rst", SPHINX_REFS.encode(), "/course/neurons.rst")
    text = " ".join(p.text for p in doc.passages)
    assert ("The cell of A nerve cell and its axon. fires at the rates of Firing rates by cell "
            "type; A nerve cell and its axon. again, and Figure.") in text
    # Sphinx numbers a page's labelled equations (1), (2) ...
    assert "The unit computes (1) then (2), as eq-elsewhere does." in text
    assert "fig-cell" not in text and "tab-rates" not in text and "eq-lin" not in text


def test_a_slide_decks_title_set_twice_names_it_not_the_speaker_set_larger() -> None:
    # A course's lecture slides exported from Google Slides (qa43: three were "Brenda
    # Gunderson"): the title in the header and in its box, the speaker's name larger.
    runs = [(21, "Ridge Regression Inference"), (32, "Ridge Regression Inference"),
            (46, "Ada Lovelace"), (9, "Copyright the course team"), (9, "Licensed for reuse"),
            (9, "creativecommons.org")]
    [doc] = read_file("pdf", one_page_pdf(runs), "/slides/week2.pdf")
    assert doc.title == "Ridge Regression Inference"
    # a title set once is still the largest text
    [doc] = read_file("pdf", one_page_pdf([(30, "Ridge Regression"), (12, "Ada Lovelace"),
                                     (12, "The penalty shrinks weights.")]), "/slides/w.pdf")
    assert doc.title == "Ridge Regression"
