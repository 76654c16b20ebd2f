"""Round 54 (qa54): what a new user met reading a repository of a textbook's chapter notes kept
as a Sphinx project (sources in `docs/source/`, the built site in `docs/build/html/`, as
`sphinx-quickstart` lays them out when asked to separate the two); each shape rebuilt here in
our own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.files import walk_folder
from grimoire.ingest import skipped_dir
from grimoire.readers import not_a_note, read_file
from grimoire.readers.conventions import bare_name
from tests.readers.conftest import write_notes

_CHAPTER = """\
Chapter 3 Mixture Models
========================

3.1 Expectation Maximization
----------------------------

Expectation maximization is an iterative method that alternates between assigning each
point a soft share of every component and refitting the components to those shares.
"""

_BUILT_PAGE = """\
<!DOCTYPE html>
<html><head><title>Chapter 3 Mixture Models &mdash; Notes  documentation</title></head>
<body><div role="main" class="document">
<h1>Chapter 3 Mixture Models</h1>
<h2>3.1 Expectation Maximization</h2>
<p>Expectation maximization is an iterative method that alternates between assigning each
point a soft share of every component and refitting the components to those shares.</p>
</div></body></html>
"""


@pytest.mark.no_store
def test_a_sphinx_projects_built_site_is_no_note(tmp_path: Path) -> None:
    """The repository kept its built site beside its sources in `docs/build/html/` (not
    `_build/`, which was skipped already): every chapter was read three times, from its
    `.rst`, from the copy Sphinx keeps in `_sources/x.rst.txt`, and from the page `x.html`;
    `list` gave each section three times and `lint` called them near-duplicates. Sphinx marks
    the folder it builds a site into with its `.buildinfo`. The walk an ingest makes, on disk."""
    repo = write_notes(tmp_path / "repo", {
        "docs/source/conf.py": "project = 'Notes'\n",
        "docs/source/part1/chap3.rst": _CHAPTER,
        "docs/build/html/.buildinfo": ("# Sphinx build info version 1\n"
                                       "config: 0123456789abcdef\ntags: fedcba9876543210\n"),
        "docs/build/html/_sources/part1/chap3.rst.txt": _CHAPTER,
        "docs/build/html/part1/chap3.html": _BUILT_PAGE,
        "docs/build/html/search.html": "<html><body><h1>Search</h1></body></html>\n",
    })
    walked = []
    for folder, dirs, files in walk_folder(repo):
        dirs[:] = [d for d in dirs if not skipped_dir(folder, d)]
        walked += [Path(folder, f).relative_to(repo).as_posix() for f in files]
    assert sorted(walked) == ["docs/source/conf.py", "docs/source/part1/chap3.rst"], walked


@pytest.mark.no_store
def test_a_chapters_number_before_its_title_is_no_part_of_its_name() -> None:
    """The book's chapters were titled "Chapter 13 Representative-based Clustering", the
    number and the title with no mark between (as "Lecture 3 Kernels" already was read):
    `show "Linear Discriminant Analysis"` only suggested "Chapter 20 Linear Discriminant
    Analysis", and each part's page was "Part 4 Classification"."""
    assert bare_name("Chapter 13 Representative-based Clustering") == \
        "Representative-based Clustering"
    assert bare_name("Chapter 5 Kernel Methods") == "Kernel Methods"
    assert bare_name("Part 4 Classification") == "Classification"
    assert bare_name("chapter 2 Numeric Attributes") == "Numeric Attributes"
    # What follows is no subject: more numbers, the chapter's own part, a word in lower case
    for title in ("Chapter 3 and 4", "Chapter 3 Part II", "Part 2 of 3", "Lecture 2 of 3",
                  "Part 1 was easy", "Chapter 7"):
        assert bare_name(title) == title, title


_CLASSIFIERS = """\
Chapter 4 Probabilistic Classifiers
===================================

4.1 Bayes Classifier
--------------------

The Bayes classifier picks for each point the class with the highest posterior probability,
which it gets from the class priors and the likelihood of the point under each class.

4.2 Naive Bayes Classifier
--------------------------

The naive Bayes approach makes the simple assumption that all the attributes are independent
given the class, so the likelihood of a point is the product of one term per attribute.

4.3 :math:`K` Nearest Neighbors Classifier
------------------------------------------

We illustrate the non-parametric approach using nearest neighbors density estimation, which
counts how many of the closest training points fall in each class around the point.
"""


@pytest.mark.no_store
def test_a_letter_set_as_math_in_a_heading_is_a_letter_of_its_name() -> None:
    """"18.3 :math:`K` Nearest Neighbors Classifier" held a formula, so was no name, and its
    sibling "Naive Bayes Classifier" (one of three topics of the chapter) was lost with it:
    `show "Naive Bayes"` found nothing. A formula of one letter, with a digit below or above
    it ("$L_1$ Regression"), is that letter in the name; a heading of a formula alone, or of
    more than a letter, still names nothing."""
    [doc] = read_file("rst", _CLASSIFIERS.encode(), "notes/chap4.rst")
    terms = [e.term for e in doc.entries]
    assert "Naive Bayes Classifier" in terms, terms
    assert "K Nearest Neighbors Classifier" in terms, terms
    assert bare_name("$L_1$ Regularization") == "L1 Regularization"
    assert bare_name("$k$-Means Clustering") == "k-Means Clustering"
    assert bare_name("$L^{2}$ Penalty") == "L2 Penalty"
    for title in ("$x$", "$\\alpha$ Schedules", "$x_i$ Values", "$K$"):
        assert bare_name(title) == title, title


_APIDOC = """\
tinygrad2.optim package
=======================

Submodules
----------

tinygrad2.optim.sgd module
--------------------------

.. automodule:: tinygrad2.optim.sgd
   :members:
   :undoc-members:
   :show-inheritance:

Subpackages
-----------

.. toctree::
   :maxdepth: 4

   tinygrad2.optim.schedules

Module contents
---------------

.. automodule:: tinygrad2.optim
   :members:
"""


@pytest.mark.no_store
def test_sphinx_apidocs_stub_pages_are_no_notes() -> None:
    """A course's library documented by Sphinx kept `sphinx-apidoc`'s pages beside its notes
    (`docs/autograd.rst`: "<package> package", "Submodules", "<module> module" headings over
    `.. automodule::` alone): each was a concept of no text, "autograd package". A page that
    says something of its own beside its `automodule` is still a note."""
    why = not_a_note("/repo/docs/tinygrad2.optim.rst", _APIDOC.encode(), _APIDOC)
    assert why is not None and "apidoc" in why, why
    written = _APIDOC.replace(
        "Submodules\n----------\n",
        "Submodules\n----------\n\nStochastic gradient descent steps each parameter against "
        "its gradient, scaled by the learning rate.\n")
    assert not_a_note("/repo/docs/tinygrad2.optim.rst", written.encode(), written) is None
    assert not_a_note("/repo/notes/sgd.md", _APIDOC.encode(), _APIDOC) is None
