"""Ask on real notes, round 21 (bench/questions/README.md, "Findings, round 21"): a question
the notes ask brings the sentence that replies to it, a definition is led by its entry's
opening above the best sentence and not by a quote below it, the neighbour rule reads "how do
practitioners tune ..." as asked about practitioners, a why-question takes the sentence that
says what comes of the best one, and "strength" alone is no "pros"."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.ask import subject_phrase
from grimoire.ask.extractive import stem
from tests.conftest import ask_notes, assert_quoted, span_of


def test_a_question_of_the_notes_brings_its_reply(tmp_path: Path, corpora: Path) -> None:
    # The article asks the reader's question itself ("..., can we always set perplexity to
    # 50 ...?") and answers it in the next sentence, which holds none of the question's words:
    # the answer was the article's question and the sentence before it.
    page = corpora / "distill-articles" / "misread-tsne.html"
    answer = ask_notes(tmp_path, [page],
                       "Can I always set t-SNE's perplexity to 50 to see the global geometry?")
    assert_quoted(answer, span_of(page, "If we add more points", "compensate"))


def test_a_definition_is_not_led_by_a_quote_below_it(tmp_path: Path, corpora: Path) -> None:
    # The entry opens with a word on "entailment" in general, defines textual entailment in
    # its second sentence, and then quotes Wikipedia's examples, whose first sentence (the
    # first of its passage) took the lead.
    page = corpora / "ml-glossary-terms" / "terms" / "entailment.md"
    answer = ask_notes(tmp_path, [page], "What is textual entailment?")
    definition = span_of(page, "Textual entailment refers", "hypothesis")
    assert_quoted(answer, definition)
    assert answer.answer.startswith(definition), answer.answer


def test_how_do_practitioners_tune_is_about_practitioners(tmp_path: Path,
                                                          corpora: Path) -> None:
    # The verb was taken for the second word of a name ("practitioners tune"), which no
    # passage holds together: refused as a neighbouring concept.
    page = corpora / "distill-articles" / "bayesian-optimization.html"
    answer = ask_notes(tmp_path, [page],
                       "How do practitioners tune hyperparameters when the dataset is enormous?")
    assert not answer.abstained, answer.answer
    assert any(c.span.path.endswith("bayesian-optimization.html") for c in answer.citations)


@pytest.mark.no_store
def test_subject_phrase_after_do_and_does() -> None:
    # After "do" or "are", a plural first word before a singular one is the subject alone.
    assert subject_phrase("How do teachers grade essays when time is short?") == ("teachers",)
    # A name of two words puts its plural on the last word.
    assert subject_phrase("How do rotary position embeddings encode positions?") == (
        "rotary", "position")
    # After "does" the subject is one thing: a word ending in "s" is a name.
    assert subject_phrase("How does k-means assign points to clusters?") == (
        "k-means", "assign")


@pytest.mark.no_store
def test_strength_alone_is_not_pros() -> None:
    # "the L2 regularization strength" is how much it weighs; "the strengths of L2" its pros.
    assert stem("strength") != stem("pros")
    assert stem("strengths") == stem("pros") == stem("advantages")


def test_why_is_answered_by_what_comes_of_it(tmp_path: Path, corpora: Path) -> None:
    # The note defines a loss aggregator in its first sentence, which holds the question's
    # words, and says why one is used in the next ("As a result, ..."), which holds fewer.
    page = corpora / "google-ml-glossary-vault" / "loss aggregator.md"
    answer = ask_notes(tmp_path, [page],
                       "Why combine several models' predictions in a loss aggregator?")
    assert_quoted(answer, span_of(page, "a loss aggregator can reduce", "predictions"))
