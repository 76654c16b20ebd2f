"""A description that names what it defines as its subject (`SUBJECT_LIFT`), on real notes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import grimoire
from grimoire.search import _subjects
from tests.conftest import CORPORA, _need
from tests.test_search import names_of

CLASSIFICATION = ("precision", "accuracy", "recall", "average precision",
                  "classification threshold", "confusion matrix", "false negative (FN)",
                  "false positive (FP)",
                  "false positive rate (FPR)", "positive class", "negative class",
                  "precision-recall curve", "true positive (TP)", "true negative (TN)",
                  "true positive rate (TPR)", "binary classification", "performance")


@pytest.fixture(scope="module")
def classification_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    _need(CORPORA)
    kb = grimoire.open(tmp_path_factory.mktemp("subject") / "kb.db")
    vault = CORPORA / "google-ml-glossary-vault"
    kb.ingest([vault / f"{name}.md" for name in CLASSIFICATION])
    yield kb
    kb.close()


def test_a_description_that_says_what_it_defines_by_name_finds_it_first(
    classification_pages: grimoire.Grimoire,
) -> None:
    # The cheatsheet's definition of precision, its name left in as the subject of "measures":
    # the notes that share its words came first (accuracy, average precision; precision 3rd).
    # The subject read by name, which the vectors have among their first 10, gets one more
    # lexical list's first place (descriptions2 `--hide source`: 5 tune and 2 report queries
    # up, none down; bench/README.md, round 31).
    query = ("In the context of binary classification (Yes/No), precision measures the model's "
             "performance at classifying positive observations (i.e.")
    hits = classification_pages.search(query, k=5)
    assert "precision" in names_of(classification_pages, hits[0]), [h.concept for h in hits]


@pytest.mark.no_store
def test_a_kind_closed_by_a_relative_clause_is_not_the_subject_lifted() -> None:
    # "an optimizer that adapts ..." names the kind of thing described, not the thing: a
    # reader's own words open so as often as not (own_words2 and own_words3 lost a query
    # each when such a head was lifted).
    query = "an optimizer that adapts each parameter's step from a running average of its gradients"
    assert "optimizer" in _subjects(query)  # what the halving of neighbours reads
    assert "optimizer" not in _subjects(query, relative=False)  # what the lift reads
    assert "precision" in _subjects("In binary classification, precision measures how many "
                                    "predicted positives are right", relative=False)


def test_the_word_only_its_own_text_says_sets_a_sibling_apart(
    classification_pages: grimoire.Grimoire,
) -> None:
    # own_words28's description of a false positive: every page here is a sibling that speaks
    # of classifiers and classes, and the negative class came first. Of the query's words,
    # "actually" and "not" (3 of the 17 candidates say them), "email" and "spam" (6) are said
    # by the false positive's own definition and not by the negative class's: weighed by how
    # rare they are among the candidates, not in the whole store (`LOCAL_LIFT`), they put it
    # first (pooled own_words10-29 and descriptions2: bench/README.md, round 55).
    query = ("a case the classifier flagged as belonging to the target group when it actually "
             "does not, for instance a legitimate email sent to spam")
    hits = classification_pages.search(query, k=5)
    assert "false positive" in names_of(classification_pages, hits[0]), [h.concept for h in hits]
