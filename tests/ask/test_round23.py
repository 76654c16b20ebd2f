"""Ask on real notes, round 23 (bench/questions/README.md, "Findings, round 23"): a sentence
that fits whole in the words left joins whole; the other side of a contrast is no repeat; a
sentence that writes an acronym holds the question's words that spell it out."""

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


def test_an_acronym_in_a_sentence_holds_the_words_it_stands_for(
        tmp_path: Path, corpora: Path) -> None:
    # "For VLMs, truncating may remove image tokens, leading to errors during training." held
    # "truncating" and "training" of the question but not "vision language model".
    page = corpora / "hf-docs" / "trl" / "kto_trainer.md"
    answer = ask_notes(tmp_path, [page],
                       "Why can truncation break training of a vision language model?")
    assert_quoted(answer, span_of(page, "For VLMs, truncating", "during training"))


def test_spelled_by_acronym() -> None:
    from grimoire.ask.extractive import _spelled_by_acronym

    # Sentences written here: the letters in order, a plural "s" allowed, an acronym no
    # words of the question spell gives nothing.
    asked = "How does a graph neural network pass messages?"
    assert _spelled_by_acronym(asked, "GNNs pass messages along edges.") == {
        "graph", "neural", "networ"}
    assert _spelled_by_acronym(asked, "A CNN pools its inputs.") == frozenset()
    assert _spelled_by_acronym("What is a neural network?", "GNN") == frozenset()
