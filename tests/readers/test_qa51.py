"""Round 51 (qa51): what a new user met reading a Nikola site's repository (each page's
reStructuredText source kept beside the page built from it) and a Pelican course site's
lectures in Markdown; each shape rebuilt here in our own words. One store, built once for
the module, no vectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import written_store

_NIKOLA_HEAD = (
    ".. title: Design Choices For A Net\n.. slug: design-choices\n"
    ".. date: 2017-03-01 10:00:00 UTC\n.. tags: \n.. category: \n.. type: text\n\n"
    ".. contents::\n\n")

NOTES = {
    # Nikola keeps a page's title in reST comments at the top of its source; the page's
    # sections follow, the first of them no title of the page.
    "site/pages/design-choices/index.rst": (
        _NIKOLA_HEAD
        + "Weight Start\n============\n\n- small random values\n- scaled by fan-in\n\n"
        "Squashing Functions\n===================\n\n- logistic curve\n- rectifier\n\n"
        "Penalties\n=========\n\n- weight decay\n- dropping units\n"),
    # The page Nikola built from it, beside it in the same folder (its `copy_sources`).
    "site/pages/design-choices/index.html": (
        "<!DOCTYPE html><html><head><title>Design Choices For A Net | My Notes</title>"
        '<meta name="generator" content="Nikola (getnikola.com)"></head>'
        "<body><article><h1>Design Choices For A Net</h1><h2>Weight Start</h2><ul>"
        "<li>small random values</li><li>scaled by fan-in</li></ul><h2>Squashing Functions"
        "</h2><ul><li>logistic curve</li><li>rectifier</li></ul><h2>Penalties</h2><ul>"
        "<li>weight decay</li><li>dropping units</li></ul></article></body></html>\n"),
    # A page whose title is its one section's: the comments name it as well.
    "site/pages/kernels/index.rst": (
        ".. title: Kernel Trick\n.. slug: kernels\n\n"
        "The kernel trick computes inner products in a feature space through a function of "
        "the inputs alone, never building the features.\n"),
    # Nikola's Markdown post: the same comments, inside an HTML comment at its top.
    "site/posts/smoothing.md": (
        "<!--\n.. title: Kernel Smoothing\n.. slug: smoothing\n.. date: 2018-05-02\n"
        ".. tags: statistics, density\n-->\n\nKernel smoothing estimates a density by "
        "placing a small bump on every sample and adding the bumps up.\n"),
    # A Sphinx site's paper notes in Markdown name each model with its venue and year.
    "papers/detectors.md": (
        "# Detectors\n\n## Region Voting Net (CVPR 2018)\n\nRegion Voting Net is a detector "
        "that lets every region vote for the box it belongs to.\n\n"
        "## Corner Pairing Net (Siggraph Asia 2017)\n\nCorner Pairing Net is a detector that "
        "pairs the corners it finds into boxes.\n"),
    # A textbook's chapter, by its part in Roman numerals and its number, joined to its name.
    "site/pages/book/vectors/index.rst": (
        ".. title: I.2.Vector Spaces\n.. slug: vectors\n\n"
        "A vector space is a set closed under addition and scaling by numbers.\n"),
    # Pelican's Markdown: `Key: value` lines up to the first blank line are the metadata.
    "course/content/lecture05.md": (
        "Title:  Lecture 05, Margins and Kernels\nDate:  Monday, October 3, 2016\n"
        "Category: lectures\n\nLearning Objectives:\n\n* Find the widest margin between two "
        "classes\n* Swap inner products for a kernel\n"),
    # One lecture in two parts, each a page of the site.
    "course/content/lecture08.md": (
        "Title: Lecture 8. Ensembles of Trees, Part I\nDate: Monday, October 10, 2016\n\n"
        "Ensembles of trees average many trees, each grown on a resample of the data.\n"),
    "course/content/lecture09.md": (
        "Title: Lecture 9. Ensembles of Trees, Part II\nDate: Wednesday, October 12, 2016\n\n"
        "Boosted ensembles of trees grow each tree on the errors of the ones before.\n"),
    # A note that opens with a line of the same shape, and no title among its keys: a note.
    "course/content/remarks.md": (
        "Note: margins grow as the penalty weight shrinks.\n\nThe wider margin tolerates "
        "more points inside it.\n"),
    # review51c: a meeting note opening with `Title:` and `Date:`, then a line of its own.
    "meetings/sync.md": (
        "Title: Ranking sync\nDate: 2024-03-04\nDecision: swap the reranker for a "
        "cross-encoder\n\nLatency stays under budget.\n"),
    # Pelican's own summary is the page's text too.
    "course/content/lecture12.md": (
        "Title: Lecture 12. Boosting\nAuthors: Ada Byron\nDate: Monday, October 17, 2016\n"
        "Summary: weak "
        "learners reweighted into a strong one\n\nEach round fits the errors left.\n"),
    # A folder's note and a page written by hand beside it: no generator built the page.
    "talks/index.md": "# Talks\n\nSlides of the reading group, by date.\n",
    "talks/index.html": (
        "<!DOCTYPE html><html><head><title>Reading group</title></head><body><h1>Reading "
        "group</h1><p>Quantisation of weights to four bits keeps most accuracy.</p>"
        "</body></html>\n"),
    # A notebook named `index` and a report written by hand on it: not nbconvert's page.
    "demo/index.ipynb": (
        '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Demo"]}], '
        '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'),
    "demo/index.html": (
        "<html><head><title>Demo report</title></head><body><p>Pruned weights recover "
        "after fine-tuning.</p></body></html>\n"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa51", NOTES)


def test_a_nikola_page_is_titled_by_its_metadata_comment(kb: Any) -> None:
    """A Nikola site's page source keeps its title in a `.. title:` comment, then its
    sections: "Architecture Decisions Flow" was the concept "Data Augmentation" (its first
    section), cited at line 1 and saying every other section of the page, and the links
    to the page led there."""
    labels = [c.label for c in kb.concepts()]
    assert "Design Choices For A Net" in labels, labels
    spans = kb.documents_titled("Design Choices For A Net")
    assert [s.path.rsplit("/", 2)[-2] for s, _ in spans] == ["design-choices"], spans
    said = [s.span for s in kb.said(kb.concept("Weight Start"))] \
        if "Weight Start" in labels else []
    assert all(s.end_line < 16 for s in said), said  # its own list, not the page's others
    assert kb.documents_titled("Kernel Trick"), labels


def test_a_nikola_markdown_post_is_titled_by_its_metadata_comment(kb: Any) -> None:
    """Nikola's Markdown posts keep the same `.. title:` lines inside `<!-- -->` at the top:
    such a post was titled by its file's name and named no concept."""
    assert kb.documents_titled("Kernel Smoothing"), [c.label for c in kb.concepts()]
    said = kb.said(kb.concept("Kernel Smoothing"))
    assert [s.span.path.rsplit("/", 1)[-1] for s in said] == ["smoothing.md"], said
    assert said[0].span.start_line <= 8 <= said[0].span.end_line, said  # as front matter's


def test_a_chapter_number_joined_to_a_page_title_is_no_part_of_its_name(kb: Any) -> None:
    """A site's notes on a textbook titled its chapters "I.2.Linear Algebra", "I.3.Probability
    And Information Theory": the concepts were named so, number and all."""
    labels = [c.label for c in kb.concepts()]
    assert "Vector Spaces" in labels, labels
    assert not [label for label in labels if label.startswith("I.2")], labels


def test_a_venue_and_year_after_a_models_name_are_no_part_of_it(kb: Any) -> None:
    """A Sphinx site's paper notes headed each model "DCGAN (ICLR 2016)", "SSD (ECCV 2016)",
    "HDRCNN (Siggraph Asia 2017)": 51 concepts were named with their venue and year, and
    `show SSD` found nothing (a year alone was dropped since round 47)."""
    labels = [c.label for c in kb.concepts()]
    assert {"Region Voting Net", "Corner Pairing Net"} <= set(labels), labels
    assert not [label for label in labels if "2018" in label or "2017" in label], labels


def test_a_page_built_beside_its_source_in_one_folder_is_a_built_copy(kb: Any) -> None:
    """Nikola's output kept each page's `index.html` and its source `index.rst` in one
    folder: every concept of the site was read twice, once from each."""
    status = {s.path.split("/notes/", 1)[-1]: s.status for s in kb.sources()}
    assert status["site/pages/design-choices/index.rst"] == "ok", status
    assert status["site/pages/design-choices/index.html"] == "skipped", status


def test_pelican_markdown_metadata_titles_the_page(kb: Any) -> None:
    """A Pelican course site's lectures open with `Title:` and `Date:` lines: each was
    titled by its file's stem ("lecture05") and the metadata was the text of its first
    passage."""
    assert kb.documents_titled("Lecture 05, Margins and Kernels"), kb.sources()
    lecture = next(s.path for s in kb.sources() if s.path.endswith("lecture05.md"))
    texts = [text for _, _, text, _ in kb.source_passages(lecture)]
    assert texts and not any("Date:" in t or "Title:" in t for t in texts), texts
    remarks = next(s.path for s in kb.sources() if s.path.endswith("remarks.md"))
    assert any(t.startswith("Note: margins") for _, _, t, _ in kb.source_passages(remarks))


def test_a_lecture_in_two_parts_is_one_concept(kb: Any) -> None:
    """A course site's lectures "Support Vector Machines, Part I" and "..., Part II" were two
    concepts named with their parts, and `show "Support Vector Machines"` found neither."""
    labels = [c.label for c in kb.concepts()]
    assert "Ensembles of Trees" in labels, labels
    assert not [label for label in labels if "Part I" in label], labels
    files = {s.span.path.rsplit("/", 1)[-1] for s in kb.said(kb.concept("Ensembles of Trees"))}
    assert files == {"lecture08.md", "lecture09.md"}, files


def test_key_lines_pelican_does_not_read_stay_text(kb: Any) -> None:
    """review51c: a meeting note opening "Title:", "Date:", "Decision: ..." lost its decision
    from every passage (the block was metadata for its `Title:` and `Date:`); Pelican's
    `Summary:` is the page's own words too, and a paper note's `Authors:` what it is found by."""
    def texts(name: str) -> str:
        path = next(s.path for s in kb.sources() if s.path.endswith(name))
        return " ".join(text for _, _, text, _ in kb.source_passages(path))
    assert "cross-encoder" in texts("sync.md"), texts("sync.md")
    assert "weak learners reweighted" in texts("lecture12.md"), texts("lecture12.md")
    assert "Ada Byron" in texts("lecture12.md"), texts("lecture12.md")
    assert kb.documents_titled("Lecture 12. Boosting"), kb.sources()


def test_a_page_written_by_hand_beside_a_folders_note_is_read(kb: Any) -> None:
    """review51c: `x/index.html` beside `x/index.md` is a built copy only when a site
    generator says it built it (Nikola's `<meta name="generator">`); a page written by hand
    was skipped, its text in no passage."""
    status = {s.path.split("/notes/", 1)[-1]: s.status for s in kb.sources()}
    assert status["talks/index.html"] == "ok", status
    assert status["talks/index.md"] == "ok", status
    assert status["demo/index.html"] == "ok", status  # not nbconvert's (review49a's rule)
