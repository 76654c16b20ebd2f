"""Round 48 (qa48b): what a new user met reading an R book's repository (its R notebooks kept
as `x.Rmd` beside the `x.nb.html` R builds from each) and a course repository of LaTeX
lectures and Jupyter notebooks (several notebooks all code, not a line of prose); each shape
rebuilt here in our own words. One store, built once for the module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grimoire.errors import NotFound
from grimoire.readers import built_copy, built_pages
from tests.conftest import ingested, write_notes


def _notebook(*cells: tuple[str, str]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True),
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells]})


_RMD = ("---\ntitle: \"Gradient Boosting\"\noutput: html_notebook\n---\n\n"
        "Gradient boosting adds small trees one at a time, each fitted to what the trees "
        "before it still get wrong.\n")
# R's page keeps a Bootstrap menu of buttons over the title, shown only when opened.
_NB_HTML = ("<!DOCTYPE html><html><head><title>Gradient Boosting</title></head><body>"
            "<div class=\"fluid-row\" id=\"header\"><div class=\"btn-group pull-right\">"
            "<button type=\"button\" class=\"btn dropdown-toggle\"><span>Code</span></button>"
            "<ul class=\"dropdown-menu\" style=\"min-width: 50px;\"><li><a id=\"rmd-show-all-"
            "code\" href=\"#\">Show All Code</a></li><li role=\"separator\" class=\"divider\">"
            "</li><li><a id=\"rmd-download-source\" href=\"#\">Download Rmd</a></li></ul></div>"
            "<h1 class=\"title toc-ignore\">Gradient Boosting</h1></div><p>Gradient boosting adds "
            "small trees one at a time, each fitted to what the trees before it still get "
            "wrong.</p></body></html>")

NOTES = {
    # An R notebook and the page R builds from it, side by side (R Markdown's
    # `html_notebook`, or a knitted `x.html`); a notebook whose source is gone is still read.
    "book/notebooks/12-boosting.Rmd": _RMD,
    "book/notebooks/12-boosting.nb.html": _NB_HTML,
    "book/notebooks/13-knn.qmd": (
        "# Nearest Neighbours\n\nA nearest-neighbour model predicts from the training points "
        "closest to the query.\n"),
    "book/notebooks/13-knn.html": (
        "<html><head><title>Nearest Neighbours</title></head><body><h1>Nearest Neighbours"
        "</h1><p>A nearest-neighbour model predicts from the training points closest to the "
        "query.</p></body></html>"),
    "book/notebooks/11-forests.nb.html": _NB_HTML.replace("Gradient Boosting", "Random "
                                                          "Forests").replace(
        "adds small trees one at a time, each fitted to what the trees before it still get "
        "wrong", "averages many deep trees, each grown on a resample of the rows"),
    # A note in Markdown and a saved web page of one name: two notes, each read.
    "clips/attention.md": "# Attention\n\nAttention weighs every input by its relevance.\n",
    "clips/attention.html": (
        "<html><head><title>Self-Attention</title></head><body><h1>Self-Attention</h1><p>"
        "Self-attention lets each token look at every other token.</p></body></html>"),
    # A course's notebooks: one all code (its only prose a comment in the first cell), one
    # with a markdown heading over its code.
    "course/gd_with_line_search.ipynb": _notebook(
        ("code", "# Shows plain gradient descent beside a line search.\nimport numpy as np"),
        ("code", "def step(x, g, eta):\n    return x - eta * g\n")),
    "course/ridge_and_lasso_paths.ipynb": _notebook(
        ("code", "# Draws the ridge and lasso paths: each weight as the penalty grows.\n"
                 "import numpy as np")),
    # The course's page of what each week should teach, titled as courses title it.
    "course/learning-objectives.md": (
        "# Learning Objectives\n\nBy the end of each week you should be able to explain "
        "why a step along the negative gradient lowers the loss.\n"),
    "course/momentum.ipynb": _notebook(
        ("markdown", "# Classical Momentum\n\nMomentum keeps a running sum of past gradients "
                     "and steps along it."),
        ("code", "v = 0.9 * v + g\nx = x - eta * v\n")),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("qa48b")
    with ingested(root / "kb.db", write_notes(root / "notes", NOTES), embed=False) as base:
        base.notes_root = root / "notes"
        yield base


def _places(kb: Any) -> list[str]:
    return sorted(e.entry.span.path.split("/notes/", 1)[1] for e in kb.entries())


def test_an_r_notebook_s_built_page_beside_its_source_is_not_read_twice(kb: Any) -> None:
    """The R book kept each chapter's notebook as `12-gbm.Rmd` and the `12-gbm.nb.html` R
    builds from it in one folder: 11 chapters were two entries each, one concept of two
    sources saying the same. The built page beside its `.Rmd` / `.qmd` source is skipped as
    a site's `x/index.html` is; one whose source is not there is read, and a Markdown note
    beside a saved page of its name keeps both."""
    places = _places(kb)
    assert "book/notebooks/12-boosting.Rmd" in places
    assert "book/notebooks/12-boosting.nb.html" not in places
    assert "book/notebooks/13-knn.qmd" in places and "book/notebooks/13-knn.html" not in places
    assert "book/notebooks/11-forests.nb.html" in places
    assert {"clips/attention.md", "clips/attention.html"} <= set(places)
    assert len(kb.concept("Gradient Boosting").entries) == 1
    skipped = {s.path.split("/notes/", 1)[1]: s.reason for s in kb.sources()
               if s.status == "skipped"}
    assert "built" in skipped["book/notebooks/12-boosting.nb.html"]
    root: Path = kb.notes_root
    assert built_copy(str(root / "book/notebooks/13-knn.html"))
    assert not built_copy(str(root / "clips/attention.html"))
    # watch asks which pages a source's change makes read or skipped
    assert built_pages(str(root / "book/notebooks/12-boosting.Rmd")) == [
        str(root / "book/notebooks/12-boosting.nb.html")]


def test_a_notebook_of_code_alone_names_no_concept(kb: Any) -> None:
    """The course's code-only notebooks (no markdown cell at all) were concepts named by
    their files, "gd_fixed_and_backtracking", "sgd-animation", "data_preparation", each
    defined by its imports. A notebook with no prose defines nothing (its code is still
    searched); one with a heading over its code is named by the heading."""
    places = _places(kb)
    assert "course/gd_with_line_search.ipynb" not in places
    assert "course/ridge_and_lasso_paths.ipynb" not in places
    assert "course/momentum.ipynb" in places
    assert kb.concept("Classical Momentum").entries
    hits = kb.search("line search", k=5, mode="lexical")
    assert any(h.span.path.endswith("gd_with_line_search.ipynb") for h in hits), hits


def test_a_bootstrap_dropdown_menu_is_no_part_of_the_page(kb: Any) -> None:
    """Every R notebook page of the book opened "- Show All Code - Hide All Code - - Download
    Rmd": the code-folding menu over the title, which the page shows only when its button is
    pressed. `show` gave it as the opening of 16 chapters; a dropdown menu is left out."""
    root: Path = kb.notes_root
    texts = [passage[2] for passage in kb.source_passages(
        str(root / "book/notebooks/11-forests.nb.html"))]
    assert any("averages many deep trees" in t for t in texts), texts
    assert not any("Show All Code" in t or "Download Rmd" in t for t in texts), texts


def test_a_course_s_learning_objectives_name_no_concept(kb: Any) -> None:
    """The course's `learning-objectives.md`, titled "Learning Objectives", was a concept (as
    "Objectives" alone is not): a course's list of what it teaches, no term to look up."""
    assert "course/learning-objectives.md" not in _places(kb)
    with pytest.raises(NotFound):
        kb.concept("Learning Objectives")
