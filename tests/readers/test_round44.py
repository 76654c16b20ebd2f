"""Round 44 (read44): round 43's reading leftovers, each on a note written here (no file of
../shared shows them; the public repositories that did are named in bench/README.md, round 43)."""

from __future__ import annotations

import json

from grimoire.readers import read_file

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
