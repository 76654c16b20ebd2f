"""Round 44 (review44a): the edges of the round's reading rules (read44's and qa44's), each on
a note written here in our own words. No store: about a second a pass in all."""

from __future__ import annotations

import json

from grimoire.readers import not_a_note, read_file
from tests.conftest import one_page_pdf


def _notebook(*cells: tuple[str, str]) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, source in cells]}, indent=1).encode()


def test_a_notebook_named_from_scratch_is_named_by_its_subject() -> None:
    """read44's rule takes a notebook stem with a generic part for a file's name ("nlp_figs",
    "rnn_examples"). "scratch" is one ("a scratch page"), so "transformer_from_scratch", as
    many notebooks are named, was no concept: a stem written as a phrase, with a joining word
    ("from", "to", "of"), is a title with underscores, as "Hadoop Basics" is with a space."""
    nb = _notebook(("markdown", "A transformer built up from its attention layers, with "
                                "nothing but tensor operations.\n"),
                   ("code", "import torch\n"))
    for stem in ("transformer_from_scratch", "intro_to_pytorch", "svm", "Attention"):
        [doc] = read_file("notebook", nb, f"/repo/{stem}.ipynb")
        assert [e.term for e in doc.entries] == [stem], stem
    for stem in ("nlp_figs", "rnn_examples", "02-math-figs", "_test", "svm_basics"):
        [doc] = read_file("notebook", nb, f"/repo/{stem}.ipynb")
        assert doc.entries == (), stem


# A page of terms: a title in front matter, a line on what the page holds, then one H1 per
# term with a sentence under it that describes the term without a copula ("X is ...").
TERMS = """\
---
title: Regularization terms
---

A few words on the regularizers these notes use, one under each heading.

# Dropout

During training each unit's activation is zeroed at random with some probability, so that
units cannot lean on particular partners being present.

# Batch normalization

Normalizing each layer's inputs over the mini-batch, then rescaling them with two learned
parameters, which allows higher learning rates.

# Weight decay

Adding a penalty on the squared size of the weights to the loss, pulling every weight
towards zero at each update.
"""


def test_a_titled_page_of_terms_under_h1s_keeps_its_terms() -> None:
    """qa44's rule reads the H1s of a titled post that opens with a paragraph as its
    sections (a Hugo post's "# Experiment", "# Continuous spaces"). A page of terms has the
    same shape with no date: its three terms were lost. A post is dated; a page is not."""
    [doc] = read_file("markdown", TERMS.encode(), "/docs/regularization-terms.md")
    terms = {e.term: e.definition for e in doc.entries}
    assert {"Dropout", "Batch normalization", "Weight decay"} <= set(terms), terms
    assert terms["Weight decay"].startswith("Adding a penalty"), terms
    # the same page as a dated post: the H1s are its sections (qa44's rule holds)
    post = TERMS.replace("title: Regularization terms\n",
                         "title: Regularization terms\ndate: 2025-03-01\n")
    [doc] = read_file("markdown", post.encode(), "/content/posts/regularization-terms.md")
    assert not {"Dropout", "Batch normalization", "Weight decay"} & {e.term for e in doc.entries}


def test_a_text_note_about_go_templates_is_a_note() -> None:
    """qa44 looked at `.txt` files for Go/Jinja template tags as at HTML (a theme's
    `layouts/robots.txt`). A plain-text note about Hugo that starts lines with the actions
    it explains was skipped whole as a layout. In a `.txt` (no `<pre>` to quote in), only a
    line that is tags alone is a template's; the theme's robots.txt still is a layout."""
    note = ("Hugo templates\n\n"
            "A Go template loops and tests with actions in double braces:\n"
            "{{ range .Pages }} repeats its body once for each page of the section.\n"
            "{{ if .Draft }} keeps its body only for a draft, and {{ end }} closes either.\n")
    assert not_a_note("notes/hugo-templates.txt", note.encode(), note) is None
    [doc] = read_file("text", note.encode(), "notes/hugo-templates.txt")
    assert doc.title == "Hugo templates"
    robots = ("User-agent: *\n{{- if eq site.Params.env \"production\" }}\nDisallow:\n"
              "{{- else }}\nDisallow: /\n{{- end }}\n")
    why = not_a_note("themes/t/layouts/robots.txt", robots.encode(), robots)
    assert why is not None and why.endswith("(line 2)"), why


def test_a_running_header_and_footer_do_not_name_a_paper() -> None:
    """read44's rule names a slide deck by a text set twice on page one, once larger than the
    body (the header and the title box, at two sizes). A handout's running header and footer
    are one text at one size, twice: the handout was named by its course, not by its title
    set largest. Set twice means at two sizes."""
    runs = [(13, "Course Notes in Machine Learning"), (24, "Support Vector Machines"),
            (10, "A support vector machine separates two classes by the widest margin."),
            (10, "Only the points on the margin decide where the boundary lies."),
            (10, "A kernel lets the boundary bend without new features."),
            (10, "The margin's width is two over the norm of the weights."),
            (10, "A soft margin lets a few points fall inside it, at a cost."),
            (10, "The cost is weighed against the width by one constant."),
            (13, "Course Notes in Machine Learning")]
    [doc] = read_file("pdf", one_page_pdf(runs, top=760, step=40), "/notes/handout-3.pdf")
    assert doc.title == "Support Vector Machines"
