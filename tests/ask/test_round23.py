"""Ask on real notes, round 23 (bench/questions/README.md, "Findings, round 23"): a sentence
that fits whole in the words left joins whole; the other side of a contrast is no repeat."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import answer_words, ask_notes, assert_quoted, span_of


def test_a_next_sentence_that_fits_exactly_joins(tmp_path: Path, corpora: Path) -> None:
    # "Imputation means replacing missing data values with substitute values." (9 words) is
    # the best sentence; the next one names the ways (31 words): 40 together. Two words were
    # kept back for ellipses even for a sentence taken whole, so the ways were left out.
    page = corpora / "ml-glossary-terms" / "terms" / "imputation.md"
    answer = ask_notes(tmp_path, [page], "How are missing values filled in by imputation?")
    assert_quoted(answer, span_of(page, "There are several ways", "of that column"))
    assert answer_words(answer) == 40


def test_the_glossary_entry_keeps_its_second_sentence(tmp_path: Path, corpora: Path) -> None:
    # The underfitting entry: a 23-word definition and "You can tell a model is underfitting
    # when it performs poorly on both training and test sets." (17 words) were cut to "...
    # when it performs poorly on both training ..." to keep two words for ellipses.
    page = corpora / "ml-cheatsheet-rst" / "glossary.rst"
    answer = ask_notes(tmp_path, [page], "How can I tell that my model is underfitting?")
    assert_quoted(answer, span_of(page, "You can tell a model is underfitting", "test sets"))


def test_the_other_side_of_a_contrast_is_no_repeat(tmp_path: Path, corpora: Path) -> None:
    # The two sentences of the model parallelism entry share most of their words ("computing
    # nodes", "same", "parameters", "data"), so the second was taken for the first said
    # again and the answer kept only data parallelism's side.
    page = corpora / "ml-glossary-terms" / "terms" / "model-parallelism.md"
    answer = ask_notes(tmp_path, [page],
                       "How does model parallelism differ from data parallelism?")
    assert_quoted(answer, span_of(page, "Model parallelism is where", "hyperparameters"))
    assert_quoted(answer, span_of(page, "where the different computing nodes", "different data"))

