"""Round 40: round 39's reading leftovers (a loop invariant's three parts, a section opened by
a definition box, dated file names, paragraphs led by a name in bold, "what we call a X", a
LaTeX run-control file, a course's language label, a tag page that defines its tag, a PDF
named by its section headings, a site's built copy of a note beside the note). Notes written
here, in our own words; nothing of any public repository is copied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import grimoire
from grimoire.readers import built_copy, read_file, tool_file
from tests.readers._pdfgen import pdf_bytes
from tests.readers.conftest import terms_of, write_notes


def _entries(fmt: str, text: str, path: str) -> list[tuple[str, tuple[str, ...]]]:
    [doc] = read_file(fmt, text.encode(), path)
    return [(e.term, e.aliases) for e in doc.entries]


INVARIANT = """# Proving Bubble Sort Correct

Bubble sort swaps neighbours that are out of order until a pass makes no swap.

## Correctness

We use one loop invariant: after pass k, the last k items are the k largest, in order.

1. **Initialization**: it holds before the first pass.
2. **Maintenance**: if it holds before a pass, it holds after it.
3. **Termination**: when the loop stops, it gives the result.

### Initialization

Before the first pass k is zero, and an empty tail is trivially the largest items in order.

### Maintenance

A pass carries the largest item of the unsorted front to the end of the front, so the tail
grows by one item that is no larger than the items after it.

### Termination

The loop terminates when a pass makes no swap; then the front is sorted too, and so is the
whole array.
"""


@pytest.mark.no_store
def test_a_proof_s_three_parts_are_no_concepts() -> None:
    terms = {t for t, _ in _entries("markdown", INVARIANT, "/notes/bubble.md")}
    assert not terms & {"Initialization", "Maintenance", "Termination"}
    assert "Proving Bubble Sort Correct" in terms
    # a heading its text opens with still defines it: the rule only asks more of a verb
    # after a modifier ("The loop terminates")
    note = "# Notes\n\n## Early Stopping\n\nEarly stopping ends training when the validation " \
           "loss stops falling.\n"
    assert "Early Stopping" in {t for t, _ in _entries("markdown", note, "/notes/n.md")}


BOXED = """# Curved Spaces

A few notes on manifolds with a connection.

## Geodesics

> [!definition] Geodesic Curve
> A geodesic curve is a curve whose velocity is carried along itself by the connection.

On a sphere the geodesics are the great circles.

## Background

> [!definition] Tangent Space
> The tangent space at a point holds the velocities of every curve through that point.

More text on the background.
"""


def test_the_heading_of_a_section_a_box_opens_names_the_box_s_entry(tmp_path: Path) -> None:
    entries = dict(_entries("markdown", BOXED, "/notes/curved.md"))
    assert entries["Geodesic Curve"] == ("Geodesics",)
    assert entries["Tangent Space"] == ()  # a generic heading is no name of it
    notes = write_notes(tmp_path / "notes", {"curved.md": BOXED})
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        assert kb.concept("Geodesics") is not None


def test_a_dated_file_name_names_no_concept(tmp_path: Path) -> None:
    notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "import numpy as np\nx = np.random.randn(100)"},
        {"cell_type": "markdown", "metadata": {}, "source": "We fit two bumps to the samples."},
    ]})
    terms = terms_of(tmp_path, {
        "_notebooks/2021-04-11-gaussian-mixtures.ipynb": notebook,
        "_posts/2021-04-11-gaussian-mixtures.md": "---\ntitle: Gaussian Mixture Models\n"
                                                  "layout: post\n---\n\nA Gaussian mixture "
                                                  "model sums a few weighted normal "
                                                  "distributions.\n",
        "journal/2023-03-05-standup.md": "Talked about the loader; will fix shuffling.\n",
        "notes/2023 plans.md": "# 2023 plans\n\nRead more papers on diffusion.\n",
    })
    assert "Gaussian Mixture Models" in terms
    assert not terms & {"2021-04-11-gaussian-mixtures", "2023-03-05-standup"}


ACTIVATIONS = """# Neural Networks, Part 1

### Common activation functions

Every activation function takes one number and applies a fixed operation to it.

**Sigmoid.** The sigmoid non-linearity squashes a real number into the range from 0 to 1.

**Tanh.** The tanh non-linearity squashes a real number into the range from -1 to 1, centred
on zero.

**ReLU.** The Rectified Linear Unit keeps positive inputs and sets the others to zero.

**Maxout.** Maxout takes the largest of several linear functions of its input.

### Nearest Neighbor Classifier

As a first approach we build what we call a Nearest Neighbor Classifier, which labels an
image like the closest training image.
"""


@pytest.mark.no_store
def test_paragraphs_led_by_a_name_in_bold_are_entries() -> None:
    entries = _entries("markdown", ACTIVATIONS, "/notes/nn1.md")
    terms = [t for t, _ in entries]
    assert {"Sigmoid", "Tanh", "ReLU", "Maxout", "Nearest Neighbor Classifier"} <= set(terms)
    # the section that lists them is their list, not a thing of its own
    assert "Common activation functions" not in terms
    [doc] = read_file("markdown", ACTIVATIONS.encode(), "/notes/nn1.md")
    relu = next(e for e in doc.entries if e.term == "ReLU")
    assert relu.definition.startswith("The Rectified Linear Unit keeps")


@pytest.mark.no_store
def test_bold_words_that_are_no_names_give_no_entries() -> None:
    steps = ("# Running the job\n\n**Input:** a folder of images, one per class.\n\n"
             "**Output:** a file of labels, one line per image.\n\n"
             "**Note.** The job needs a GPU.\n")
    assert [t for t, _ in _entries("markdown", steps, "/notes/job.md")] == ["Running the job"]
    one = "# Losses\n\n**Hinge loss.** Hinge loss penalises margins below one.\n\nMore text.\n"
    assert "Hinge loss" not in {t for t, _ in _entries("markdown", one, "/notes/l.md")}


def test_a_run_control_file_is_no_note(tmp_path: Path) -> None:
    assert tool_file("thesis/latexmkrc") and tool_file("r/Rprofile")
    assert not tool_file("notes/arc") and not tool_file("notes/Marc")
    assert not tool_file("notes/vimrc.md")
    terms = terms_of(tmp_path, {
        "thesis/latexmkrc": "# Settings\n$pdf_mode = 1;\n$out_dir = 'build';\n",
        "thesis/notes.md": "# Thesis Layout\n\nThesis layout puts each chapter in a file.\n",
    })
    assert terms == {"Thesis Layout"}


def test_a_course_label_that_names_a_language_stays_in_the_name(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "python/lists.md": "# Python Basics: Lists\n\nA Python list is a mutable sequence "
                           "written in square brackets.\n",
        "haskell/lists.md": "# Haskell Basics: Lists\n\nA Haskell list is an immutable "
                            "linked sequence of one type.\n",
        "maths/norms.md": "# Mathematical Fundamentals: Vector Norms\n\nA vector norm gives "
                          "each vector a length.\n",
    })
    assert {"Python Lists", "Haskell Lists", "Vector Norms"} <= terms
    assert "Lists" not in terms


def test_a_tag_page_that_defines_its_tag_is_a_page(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "tags/attention.md": "---\nlayout: tag\ntitle: Attention\ntag: attention\n---\n\n"
                             "Attention is a mechanism that weighs each part of the input by "
                             "how much it matters to the current step. The posts below use "
                             "it.\n",
        "tags/optimizers.md": "---\nlayout: tag\ntitle: Optimizers\ntag: optimizers\n---\n",
        "tags/misc.md": "---\nlayout: tag\ntitle: Misc\n---\n\nPosts that fit nowhere else.\n",
    })
    assert "Attention" in terms
    assert not terms & {"Optimizers", "Misc"}


@pytest.mark.no_store
def test_a_pdf_is_not_named_by_its_numbered_section_headings() -> None:
    body = ["Notes on Pixel Models, spring term",
            "A pixel model generates an image one pixel at a time,",
            "each pixel given the ones before it in reading order.",
            "The model is trained to maximise the likelihood of the images."]
    data = pdf_bytes([body], heading=["1 Pixel Models", "2 Overview"])
    [doc] = read_file("pdf", data, "/notes/pixel_notes.pdf")
    assert doc.title == "Notes on Pixel Models, spring term"
    titled = pdf_bytes([["A pixel model generates an image one pixel at a time."]],
                       heading="A Survey of Pixel Models")
    [doc] = read_file("pdf", titled, "/notes/survey.pdf")
    assert doc.title == "A Survey of Pixel Models"


def test_a_site_s_built_copy_of_a_note_is_not_read_twice(tmp_path: Path) -> None:
    text = "# Dropout\n\nDropout switches off a random share of units at each step.\n"
    page = ("<!DOCTYPE html><html><head><title>Dropout - Notes</title></head><body><main>"
            "<h1>Dropout</h1><p>Dropout switches off a random share of units at each step."
            "</p></main></body></html>")
    notes = write_notes(tmp_path / "notes", {
        "docs/dropout.md": text,
        "docs/dropout/index.html": page,
        "site/pooling/index.html": page.replace("Dropout", "Pooling").replace(
            "switches off a random share of units at each step", "shrinks a feature map"),
    })
    assert built_copy(str(notes / "docs/dropout/index.html"))
    assert not built_copy(str(notes / "site/pooling/index.html"))
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        places = sorted(e.entry.span.path.rsplit("/", 2)[-2] + "/" +
                        e.entry.span.path.rsplit("/", 1)[-1] for e in kb.entries())
    assert places == ["docs/dropout.md", "pooling/index.html"]


# What two public repositories showed (a lecture book in MyST Markdown with sphinx-gallery
# folders, a Quarto book in R): each rule on notes written here.

def test_a_gallery_readme_names_no_concept(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "optim/examples/README.txt": "Examples for the optimization chapter\n"
                                     "======================================\n",
        "optim/examples/solutions/README.txt": "Solutions to this chapter's exercises\n"
                                               "=====================================\n",
        "plots/README.md": "# Code samples for Matplotlib\n\nEach script draws one figure.\n",
        "optim/index.md": "# Line Search\n\nA line search picks the step length along a "
                          "chosen direction.\n",
    })
    assert terms == {"Line Search"}


QUARTO = """---
title: Tuning
---

## Handling Errors {#sec-errors}

### `r index('Encapsulation')` {#sec-encapsulation}

With `r index('encapsulation')`, a learner runs in a separate process so that its errors
cannot stop the whole experiment; see `r ref("callr::r()")`.

### Fallback Learner (+)

When a learner fails, a `r index('fallback learner')` such as a featureless model predicts in
its place, so that scores can still be computed; it is set with `r round(0.5, 1)`.
"""


@pytest.mark.no_store
def test_inline_r_calls_read_as_the_name_they_print() -> None:
    [doc] = read_file("markdown", QUARTO.encode(), "/book/tuning.qmd")
    terms = [e.term for e in doc.entries]
    assert "Encapsulation" in terms
    assert not any("index(" in t for t in terms)
    text = " ".join(p.text for p in doc.passages)
    assert "With encapsulation, a learner runs" in text
    assert "see callr::r()." in text
    assert "r round(0.5, 1)" in text  # code that prints no name stays as written
    assert "Fallback Learner" in terms and "Fallback Learner (+)" not in terms


@pytest.mark.no_store
def test_an_index_mark_of_the_heading_defines_its_section() -> None:
    book = ("# Tuning\n\nTuning finds good settings.\n\n## Surrogate Models\n\n"
            "Roughly put, a `r index('surrogate model')` imitates the costly function "
            "from the points seen so far.\n\n## Plots\n\nWe draw `r index('contour plots')` "
            "of the surface here and there.\n")
    [doc] = read_file("markdown", book.encode(), "/book/tuning.qmd")
    terms = {e.term for e in doc.entries}
    assert "Surrogate Models" in terms
    assert "Plots" not in terms  # a mark of another term defines no section


@pytest.mark.no_store
def test_a_lower_case_description_after_a_folder_s_subject_is_no_name() -> None:
    note = ("# NumPy: creating and manipulating numerical data\n\nThis chapter shows the "
            "array object.\n")
    assert _entries("markdown", note, "/lectures/numpy/index.md")[0][0] == \
        "NumPy: creating and manipulating numerical data"
    named = "# Clustering: k-means\n\nk-means moves each centre to the mean of its points.\n"
    assert _entries("markdown", named, "/notes/clustering/kmeans.md")[0][0] == "k-means"


def test_a_prompt_line_and_package_files_name_nothing(tmp_path: Path) -> None:
    # a figure of a Python session saved as a PDF: its largest line is code
    [doc] = read_file("pdf", pdf_bytes([["array([3, 4])"]], heading=">>> a[0, 3:5]"),
                      "/figures/slicing.pdf")
    assert doc.entries == ()
    terms = terms_of(tmp_path, {
        "DESCRIPTION": "Type: Package\nPackage: mybook\nTitle: A Book\n",
        "NAMESPACE": "export(helper)\n",
        "debugging/gdbinit": "set pagination off\n",
        "build_requirements.txt": "# to build the site\npre-commit\nsite-theme@git+https://"
                                  "example.org/theme@abc123\nbook-tool>=1,<2\n",
        "notes/slicing.md": "# Slicing\n\nSlicing takes a part of an array by ranges of "
                            "indices.\n",
    })
    assert terms == {"Slicing"}


@pytest.mark.no_store
def test_a_section_that_defines_its_heading_keeps_it_over_bold_parts() -> None:
    # review40b: a section that opens by defining its heading, then names its kinds in bold,
    # is the heading's entry; the bold paragraphs made it their list and it was lost
    note = ("# Week 3 notes\n\n## Regularization\n\nRegularization is anything that lowers the "
            "test error without lowering the training error.\n\n**L2.** L2 regularization adds "
            "the squared norm of the weights to the loss.\n\n**L1.** L1 regularization adds "
            "the absolute norm of the weights to the loss.\n\n## Batch size\n\nBatch size is "
            "the number of examples in one gradient step.\n")
    terms = {t for t, _ in _entries("markdown", note, "/notes/week3.md")}
    assert {"Regularization", "Batch size"} <= terms


@pytest.mark.no_store
def test_a_lower_case_concept_after_a_folder_s_subject_is_still_its_name() -> None:
    # review40b: "a lower-case word after the colon describes the folder's subject" took
    # personal notes' lower-case concepts for descriptions and kept the label in their name
    for title, path, name in [
            ("Deep Learning: backpropagation", "/notes/Deep Learning/backprop.md",
             "backpropagation"),
            ("ML: gradient descent", "/notes/ml/gd.md", "gradient descent"),
            ("Statistics: hypothesis testing", "/notes/statistics/tests.md",
             "hypothesis testing")]:
        note = f"# {title}\n\nThe page explains it with one worked example.\n"
        assert _entries("markdown", note, path)[0][0] == name, title
