"""Ask on real notes, round 8 (bench/questions/README.md, "Findings, round 8"): words that
only frame a question weigh nothing; the sentence that goes on about the best one joins with
its first clauses when it is too long to join whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.ask import verify_citation
from grimoire.ask.extractive import content_words
from tests.conftest import answer_words, ask_notes, assert_quoted, span_of


@pytest.mark.no_store
def test_words_that_frame_a_question_carry_nothing() -> None:
    assert content_words("If you differentiate something with x cubed in it, what kind of "
                         "term do you get?") == ["differentiate", "cubed", "term"]
    assert content_words("What happens to the world after the agent acts?") == [
        "world", "agent", "acts"]


def test_a_question_framed_with_something_and_get_is_answered(tmp_path: Path,
                                                             corpora: Path) -> None:
    # "something" and "get" weighed like the question's content words, so the calculus page's
    # sentence on derivatives of cubic terms fell below the abstention threshold (refused).
    sheet = corpora / "ml-cheatsheet-rst"
    answer = ask_notes(tmp_path, [sheet],
                       "If you differentiate something with x cubed in it, what kind of term "
                       "do you get?")
    assert not answer.abstained, answer.answer
    assert answer_words(answer) <= 40
    assert all(verify_citation(c) for c in answer.citations)


def test_the_sentence_that_goes_on_about_the_best_joins_with_its_first_clauses(
        tmp_path: Path, corpora: Path) -> None:
    # "OFT is a method that primarily focuses on preserving ..." is the best sentence; the
    # next one ("It tries to maintain the same cosine similarity ...") says how, holds no word
    # of the question and is too long to join whole: its first clauses join.
    adapters = corpora / "hf-docs" / "peft" / "adapters.md"
    answer = ask_notes(tmp_path, [adapters],
                       "How does OFT keep a fine-tuned model close to the original?")
    assert_quoted(answer, span_of(adapters, "maintain", "layer"))


def test_the_entry_named_by_the_question_is_cited_over_a_section_of_another(
        tmp_path: Path, corpora: Path) -> None:
    # Both term files define the stride in nearly the same words, and the question names
    # both alike: "Convolution" by its section "Stride", "Stride (convolution)" by its own
    # name. The entry whose own name it is leads (the other was cited, by 0.01 of score).
    terms = corpora / "ml-glossary-terms" / "terms"
    stride = terms / "stride-convolution.md"
    answer = ask_notes(tmp_path, [terms / "convolution.md", stride],
                       "What is the stride of a convolution?")
    assert not answer.abstained
    assert answer.citations[0].span.path.endswith("stride-convolution.md"), answer.answer
    assert span_of(stride, "horizontal", "takes") in answer.answer, answer.answer
    assert all(verify_citation(c) for c in answer.citations)


def test_the_section_the_question_names_most_closely_leads_a_definition(
        tmp_path: Path, corpora: Path) -> None:
    # "linear activation function" names three words of the section "Linear" on the page
    # "Activation Functions", two of the concepts page's "Activation Functions": the
    # section's first sentence leads (the general page's sentence on why activation
    # functions matter scored 0.02 higher).
    sheet = corpora / "ml-cheatsheet-rst"
    page = sheet / "activation_functions.rst"
    answer = ask_notes(tmp_path, [page, sheet / "nn_concepts.rst"],
                       "What does a linear activation function do?")
    assert not answer.abstained
    assert answer.citations[0].span.path.endswith("activation_functions.rst"), answer.answer
    assert span_of(page, "activation", "input") in answer.answer, answer.answer
    assert answer_words(answer) <= 40
    assert all(verify_citation(c) for c in answer.citations)
