"""A description's results leave out a page's filler: a passage of no entry in a page whose
entries all have text of their own (search.FILLER, round 38). Notes we wrote."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import grimoire
from tests.conftest import notes_store

# A description of Newton's method in our own words (own_words12); it never says the name.
NEWTON = ("an optimiser that uses the curvature (second derivatives) as well as the slope and "
          "jumps straight to the bottom of a quadratic fitted at the current point")

# An introduction that shares the description's words and says what no entry of the page is
# (a Sphinx page whose title has text of its own: the introduction belongs to no entry).
INTRO = """\
Introduction
============

Every optimiser in this note moves the weights downhill. Some use only the slope at the current
point, others the curvature too; some jump to the bottom of a fitted quadratic, others take small
steps. Pick by how costly second derivatives are for your model.
"""

SECTIONS = """\
Newton's method
===============

Newton's method models the loss near the current weights by its second-order Taylor expansion,
using the Hessian matrix, and moves to the minimum of that model in one step. It converges in few
iterations near a minimum, but forming and inverting the Hessian is expensive.

Momentum
========

Momentum keeps a running average of past gradients and moves along it, which damps oscillation
across narrow valleys and speeds travel along them.
"""

PAGE = ("==========\nOptimisers\n==========\n\n"
        "Ways of updating a model's weights to lower its loss.\n\n" + INTRO + "\n" + SECTIONS)


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    folder = tmp_path_factory.mktemp("filler-notes")
    (folder / "optimisers.rst").write_text(PAGE, encoding="utf-8")
    yield from notes_store(tmp_path_factory, "search-filler", [folder / "optimisers.rst"])


@pytest.fixture(scope="module")
def titled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    """The same sections in a page whose title has no text: the introduction is its text."""
    folder = tmp_path_factory.mktemp("filler-titled")
    page = "==========\nOptimisers\n==========\n\n" + INTRO + "\n" + SECTIONS
    (folder / "optimisers.rst").write_text(page, encoding="utf-8")
    yield from notes_store(tmp_path_factory, "search-filler-titled", [folder / "optimisers.rst"])


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    """A page of one entry (its title, with text): the whole page is about it."""
    folder = tmp_path_factory.mktemp("filler-single")
    page = ("==========\nOptimisers\n==========\n\n"
            "Ways of updating a model's weights to lower its loss.\n\n" + INTRO)
    (folder / "optimisers.rst").write_text(page, encoding="utf-8")
    yield from notes_store(tmp_path_factory, "search-filler-single", [folder / "optimisers.rst"])


def intro_of(kb: grimoire.Grimoire, hits: list[grimoire.model.Hit]) -> list[int]:
    return [h.passage_id for h in hits if h.heading_path[-1:] == ("Introduction",)]


def test_a_description_finds_the_concept_not_a_page_s_filler(sheet: grimoire.Grimoire) -> None:
    hits = sheet.search(NEWTON, k=5)
    assert hits[0].concept == "Newton's method", [(h.concept, h.heading_path) for h in hits]
    assert intro_of(sheet, hits) == []


def test_the_filler_is_found_by_words_and_by_name_like_queries(sheet: grimoire.Grimoire) -> None:
    # Lexical search keeps it, and the store says it is filler; the entries' passages are not.
    hits = sheet.search(NEWTON, k=5, mode="lexical")
    intro = intro_of(sheet, hits)
    assert len(intro) == 1
    assert sheet.store.filler_passages(intro) == set(intro)
    assert not sheet.store.filler_passages([h.passage_id for h in hits if h.entry_id])
    # A short query is not a description: it sees every passage.
    assert intro_of(sheet, sheet.search("fitted quadratic", k=5))


def test_a_page_whose_title_has_no_text_keeps_its_free_passages(
        titled: grimoire.Grimoire) -> None:
    hits = titled.search(NEWTON, k=5, mode="lexical")
    intro = intro_of(titled, hits)
    assert len(intro) == 1
    assert titled.store.filler_passages(intro) == set()
    assert intro_of(titled, titled.search(NEWTON, k=5)) == intro


def test_a_page_of_one_entry_keeps_its_free_passages(single: grimoire.Grimoire) -> None:
    hits = single.search(NEWTON, k=5, mode="lexical")
    intro = intro_of(single, hits)
    assert len(intro) == 1
    assert single.store.filler_passages(intro) == set()
    assert intro_of(single, single.search(NEWTON, k=5)) == intro
