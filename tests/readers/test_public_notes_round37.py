"""Round 37: false entries found on public notes nobody here wrote (a Quarto book, a lecture
set filed by level, a static wiki with redirect pages and a timeline), fixed by general rules.
Files written here, in our own words; nothing of those repositories is copied."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire
from grimoire.model import LinkKind
from grimoire.readers import metadata_file, read_file
from grimoire.readers.conventions import bare_name, is_generic_heading, names_nothing
from tests.readers.conftest import terms_of


def test_a_quarto_book_s_unnumbered_mark_and_partials_name_nothing(tmp_path: Path) -> None:
    chapter = (
        "# Kernel Smoothing {-}\n\n"
        "Kernel smoothing estimates a curve as a weighted average of nearby points.\n\n"
        "::: {.callout-tip}\n\n"
        "# Pick the bandwidth first\n\n"
        "A bandwidth that is too small gives a jagged curve; try a few values.\n\n"
        ":::\n\n"
        "## Nadaraya-Watson Estimator\n\n"
        "The Nadaraya-Watson estimator divides a kernel-weighted sum of the targets by the "
        "sum of the kernel weights.\n\n"
        "## Local Linear Regression\n\n"
        "Local linear regression fits a weighted straight line around each query point, "
        "which removes the bias of the Nadaraya-Watson estimator at the edges.\n"
    )
    terms = terms_of(tmp_path, {
        "book/smoothing.qmd": chapter,
        # included by the chapters, never a page of the book
        "book/_setup.qmd": "```{r}\nlibrary(stats)\nset.seed(7)\n```\n",
        "book/_box-course.qmd": "::: {.callout-note}\nA course on these methods runs in May.\n"
                                ":::\n",
    })
    assert "Kernel Smoothing" in terms
    assert not any("{-}" in t for t in terms)
    # the include line is an instruction to Quarto, no part of the chapter's text
    (doc,) = read_file("markdown", ("# Kernel Smoothing\n\n{{< include _setup.qmd >}}\n\n"
                                    + chapter.split("\n", 1)[1]).encode(),
                       str(tmp_path / "notes/book/smoothing.qmd"))
    assert doc.passages[0].text.startswith("Kernel smoothing estimates")
    assert "{{<" not in " ".join(p.text for p in doc.passages)
    assert not terms & {"_setup", "_box-course", "Pick the bandwidth first"}
    assert {"Nadaraya-Watson Estimator", "Local Linear Regression"} <= terms


@pytest.mark.no_store
def test_a_quarto_callout_s_heading_is_its_title_not_a_section_of_the_page() -> None:
    text = ("# Kernel Smoothing\n\nKernel smoothing averages nearby points with weights.\n\n"
            "::: {.callout-tip}\n\n# Pick the bandwidth first\n\nA tiny bandwidth gives a "
            "jagged curve.\n\n:::\n\n## Nadaraya-Watson Estimator\n\nThe Nadaraya-Watson "
            "estimator divides a kernel-weighted sum of targets by the sum of the weights.\n")
    [doc] = read_file("markdown", text.encode(), "/notes/book/smoothing.qmd")
    paths = {p.heading_path for p in doc.passages}
    assert ("Kernel Smoothing", "Nadaraya-Watson Estimator") in paths
    assert not any("Pick the bandwidth first" in path for path in paths)
    assert "jagged curve" in " ".join(p.text for p in doc.passages)
    # a heading after a fence that is no callout stays a section
    text = text.replace("{.callout-tip}", "{.column-margin}")
    [doc] = read_file("markdown", text.encode(), "/notes/book/smoothing.qmd")
    assert any("Pick the bandwidth first" in p.heading_path for p in doc.passages)


def test_a_licence_file_named_by_its_licence_is_no_note(tmp_path: Path) -> None:
    for name in ("MIT-License.txt", "CC-BY-NC-SA-4.0.txt", "cc0-1.0.md", "Apache-License-2.0.txt"):
        assert metadata_file(name), name
    for name in ("notes/Creative Commons.md", "notes/CCA-analysis.md", "notes/License-free.md",
                 "notes/licensing of models.md"):
        assert not metadata_file(name), name
    terms = terms_of(tmp_path, {
        "MIT-License.txt": "MIT License\n\nCopyright 2024 A. Writer\n\nPermission is granted to "
                           "use this software free of charge.\n",
        "CC-BY-4.0.txt": "Attribution 4.0 International\n\nThis licence lets others share the "
                         "text with credit.\n",
        "ridge.md": "# Ridge Regression\n\nRidge regression adds a squared penalty on the "
                    "weights to least squares.\n",
    })
    assert terms == {"Ridge Regression"}


def test_an_html_page_that_only_redirects_names_no_concept(tmp_path: Path) -> None:
    moved = ('<!doctype html><html><head><meta charset="utf-8">'
             "<title>Redirecting to Momentum</title>"
             '<meta http-equiv="refresh" content="0; url=../../momentum.html"></head>'
             '<body><p>This page moved to <a href="../../momentum.html">Momentum</a>.</p>'
             "</body></html>\n")
    # a page that reloads itself every five minutes is a page
    live = ("<!doctype html><html><head><title>Training Dashboard</title>"
            '<meta http-equiv="refresh" content="300"></head><body><h1>Training Dashboard</h1>'
            "<p>The training dashboard plots the loss of each run as it trains.</p>"
            "</body></html>\n")
    page = ("<!doctype html><html><head><title>Momentum</title></head><body><h1>Momentum</h1>"
            "<p>Momentum adds a fraction of the last update to the current one.</p>"
            "</body></html>\n")
    terms = terms_of(tmp_path, {"go/momentum/index.html": moved, "momentum.html": page,
                              "dashboard.html": live})
    assert terms == {"Momentum", "Training Dashboard"}


def test_a_course_s_level_before_a_title_and_a_number_after_an_emoji(tmp_path: Path) -> None:
    note = (
        "# Starter: 2. Perceptron\n\n"
        "A perceptron is a linear classifier that thresholds a weighted sum of its inputs.\n\n"
        "## \U0001F4D8 1. What is a Learning Rate?\n\n"
        "The learning rate is the step size the perceptron rule multiplies each correction "
        "by; a learning rate that is too large makes the weights swing.\n\n"
        "## \U0001F4D8 2. Decision Boundary\n\n"
        "The decision boundary is the hyperplane where the weighted sum equals the "
        "threshold; the decision boundary moves with every mistake.\n\n"
        "## \U0001F4D8 **Principle**\n\n"
        "Each mistake moves the weights towards the misclassified example.\n"
    )
    other = ("# Core Networks: LeNet\n\nLeNet stacks two convolution and pooling stages "
             "before fully connected layers.\n")
    # a colon in a title whose first part is not the folder's name stays
    paper = ("# Attention: A Survey\n\nAttention: a survey reviews ways of weighting the "
             "parts of an input.\n")
    terms = terms_of(tmp_path, {"03. Starter/Starter: 2. Perceptron.md": note,
                              "07 Core Networks and Beyond/lenet.md": other,
                              "papers/attention survey.md": paper})
    assert {"Perceptron", "LeNet", "Attention: A Survey"} <= terms
    assert {"Learning Rate", "Decision Boundary"} <= terms
    assert not any(t.startswith(("Starter", "Core Networks", "1.", "2.")) for t in terms)
    assert "Principle" not in terms
    assert bare_name("\U0001F4D8 3. Weight Update") == "Weight Update"
    assert bare_name("\U0001F4D8 3D Convolution") == "3D Convolution"


@pytest.mark.no_store
def test_a_page_s_strengths_principle_and_code_explanation_are_parts_of_it() -> None:
    for heading in ("Strengths", "Weaknesses", "Interpretation", "Principle", "Core Principle",
                    "Code Explanation", "Software", "Software and alternatives",
                    "PyTorch Usage", "Basic usage"):
        assert is_generic_heading(heading), heading
    for heading in ("Principal Component Analysis", "Interpretability", "Software Engineering",
                    "Strength Reduction", "GPU Memory Usage",
                    "Memory usage", "Token Usage"):  # a quantity (review37b)
        assert not is_generic_heading(heading), heading


def test_a_release_number_left_of_a_timeline_heading_names_nothing(tmp_path: Path) -> None:
    for name in ("v0.2", "v0.13.1", "V2", "1.4.0"):
        assert names_nothing(name), name
    for name in ("YOLOv3", "GPT-4", "Inception v3", "Python 3.12", "2048", "L2",
                 "V100"):  # a GPU (review37b)
        assert not names_nothing(name), name
    timeline = (
        "# Project Timeline\n\n"
        "What changed in the loader, release by release.\n\n"
        "## v0.1 \u2014 first loader\n\nThe first release read one file at a time.\n\n"
        "## v0.2 \u2014 parallel reads\n\nThe second release read files in parallel.\n\n"
        "## v0.3.1 \u2014 fewer copies\n\nA fix release stopped copying each buffer twice.\n"
    )
    terms = terms_of(tmp_path, {"timeline.md": timeline})
    assert not any(t.casefold().startswith("v0.") for t in terms)


def test_a_book_chapter_s_anchor_link_is_a_label_reference_not_its_own_page(
        tmp_path: Path) -> None:
    bagging = ("# Bagging {#bagging}\n\nBagging trains each model on a bootstrap sample and "
               "averages their predictions.\n")
    forest = ("# Random Forest {#forest}\n\nA random forest is bagging of decision trees that "
              "also samples the features at each split; see [the chapter on bagging](#bagging) "
              "and [the split rule](#split-rule) below.\n\n## Split Rule {#split-rule}\n\n"
              "The split rule picks the feature and threshold that most lower the impurity.\n")
    notes = tmp_path / "notes"
    for name, text in {"book/bagging.qmd": bagging, "book/forest.Rmd": forest}.items():
        (notes / name).parent.mkdir(parents=True, exist_ok=True)
        (notes / name).write_text(text, encoding="utf-8")
    (doc,) = read_file("markdown", (notes / "book/forest.Rmd").read_bytes(),
                       str(notes / "book/forest.Rmd"))
    links = {x.label: x for p in doc.passages for x in p.links}
    assert links["the chapter on bagging"].kind == LinkKind.LABEL
    assert links["the chapter on bagging"].target == "bagging"
    # a label of the chapter itself points at its heading
    assert links["the split rule"].target == "Split Rule"
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        # the chapter that refers to another's label is not "mentioned in" itself
        assert all(m.concept != "Random Forest" for m in kb.concept("Random Forest").backlinks)
        assert any(m.concept == "Random Forest" for m in kb.concept("Bagging").backlinks)
    # a plain Markdown note's `#anchor` is still a link into its own page
    (doc,) = read_file("markdown", forest.encode(), str(notes / "book/forest.md"))
    links = {x.label: x for p in doc.passages for x in p.links}
    assert links["the chapter on bagging"].kind == LinkKind.MARKDOWN


def test_a_title_labelled_by_its_folder_keeps_a_name(tmp_path: Path) -> None:
    """review37b: the folder's label goes ("Optimizers: Adam" in `Optimizers/` is Adam), but
    never so that a page part or an article's phrase is left as the name."""
    terms = terms_of(tmp_path, {
        "Optimizers/adam.md": "# Optimizers: Adam\n\nAdam keeps running means of the gradient "
                              "and of its square.\n",
        "Regularization/overview.md": "# Regularization: an overview\n\nRegularization adds a "
                                      "penalty on the weights to the loss.\n",
        "Loss/summary.md": "# Loss: Summary\n\nA loss scores predictions against targets.\n",
    })
    assert "Adam" in terms
    assert not terms & {"an overview", "Summary"}, terms
