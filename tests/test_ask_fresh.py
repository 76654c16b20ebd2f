"""Ask on real notes, for questions worded the way someone who has not read them would ask
(bench/questions/ask_dev.jsonl, set "fresh"): tables, acronyms the question spells out, a
sentence that leans on the one before, the reason after a restated why, and lists of tools
under a heading the notes leave empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.ask import catalogue_item, verify_citation
from grimoire.ask.sentences import split_sentences
from grimoire.model import Answer
from tests.conftest import answer_words, ask_notes, notes_store


def _files(answer: Answer) -> set[str]:
    return {Path(c.span.path).name for c in answer.citations}


@pytest.fixture(scope="module")
def cheatsheet(tmp_path_factory: pytest.TempPathFactory,
               corpora: Path) -> Iterator[grimoire.Grimoire]:
    """Real Sphinx pages: tables of symbols, a list of papers, a list of libraries by topic,
    and a page of applications whose headings have no text yet."""
    pages = corpora / "ml-cheatsheet-rst"
    yield from notes_store(tmp_path_factory, "ask-fresh-cheatsheet", [pages / f"{n}.rst" for n in (
        "math_notation", "papers", "libraries", "applications")])


@pytest.mark.no_store
def test_a_table_row_is_a_sentence_of_its_own() -> None:
    text = ("Symbol | Name | Description\n"
            "$(f ∘ g)$ | composite function | a nested function\n"
            "$∆$ | delta | change / difference\n"
            "A sentence after the table | with a bar in it.")
    got = [s.text for s in split_sentences(text)]
    assert got[:3] == ["Symbol | Name | Description",
                       "$(f ∘ g)$ | composite function | a nested function",
                       "$∆$ | delta | change / difference A sentence after the table | with a"
                       " bar in it."]


def test_a_table_row_answers(cheatsheet: grimoire.Grimoire) -> None:
    answer = cheatsheet.ask("What does the delta symbol mean in math notation?")
    assert not answer.abstained
    assert "change / difference" in answer.answer, answer.answer
    assert "math_notation.rst" in _files(answer)
    assert all(verify_citation(c) for c in answer.citations)
    assert answer_words(answer) <= 40


def test_an_acronym_the_question_spells_out_is_not_unknown(
        cheatsheet: grimoire.Grimoire) -> None:
    # The notes list the paper by its title only; "YOLO" is nowhere in them.
    answer = cheatsheet.ask("Who wrote the YOLO paper, You only look once?")
    assert not answer.abstained, answer.answer
    assert "J. Redmon" in answer.answer
    assert "papers.rst" in _files(answer)
    # Without the spelled-out title, the name is unknown and the notes are silent.
    assert cheatsheet.ask("Who wrote the YOLO paper?").abstained


def test_a_list_of_tools_under_an_empty_heading_is_no_answer(
        cheatsheet: grimoire.Grimoire) -> None:
    # applications.rst has "Speech Recognition" with only "Be the first to contribute!";
    # libraries.rst lists toolkits under the same heading ("Kaldi - Kaldi is a toolkit for
    # speech recognition ..."): neither says how speech recognition works.
    answer = cheatsheet.ask("How does speech recognition turn audio into text?")
    assert answer.abstained, answer.answer
    # An item of such a list still answers a question about the item itself.
    darknet = cheatsheet.ask("What language is Darknet written in?")
    assert not darknet.abstained
    assert "C and CUDA" in darknet.answer, darknet.answer


@pytest.mark.no_store
def test_catalogue_item() -> None:
    raw = ("- Kaldi - Kaldi is a toolkit for speech recognition. It is for researchers.\n"
           "- HTK -The Hidden Markov Model Toolkit.\n"
           "- Dropout is a regularization technique that drops units - at random - in training.")
    assert catalogue_item(raw, raw.index("Kaldi - Kaldi"))
    assert catalogue_item(raw, raw.index("It is for"))
    assert catalogue_item(raw, raw.index("HTK"))
    assert not catalogue_item(raw, raw.index("Dropout"))


def test_why_gets_the_reason_the_next_sentence_gives(
        tmp_path: Path, corpora: Path) -> None:
    answer = ask_notes(tmp_path, [corpora / "hf-docs" / "trl" / "lora_without_regret.md"],
                       "Why can reinforcement learning get away with a small LoRA rank?")
    assert not answer.abstained
    # "... smaller LoRA ranks can be used. This is because policy gradient algorithms
    # extract roughly ~1 bit of information per episode, ..."
    assert "~1 bit of information per episode" in answer.answer, answer.answer
    assert answer_words(answer) <= 40
    assert all(verify_citation(c) for c in answer.citations)


def test_a_sentence_that_points_back_is_read_with_the_one_before(
        tmp_path: Path, corpora: Path) -> None:
    answer = ask_notes(
        tmp_path, [corpora / "distill-articles" / "gnn-intro.html"],
        "Why is matrix multiplication by the adjacency matrix like traversing a graph?")
    assert not answer.abstained
    # "In this sense, matrix multiplication is a form of traversing over a graph." leans on
    # the sentence before it.
    assert "propagate information at greater distances" in answer.answer, answer.answer
    at = answer.answer.index("propagate")
    assert at < answer.answer.index("In this sense")
    assert answer_words(answer) <= 40
    assert all(verify_citation(c) for c in answer.citations)


def test_a_sentence_that_names_its_subject_is_read_with_the_next(
        tmp_path: Path, corpora: Path) -> None:
    answer = ask_notes(
        tmp_path, [corpora / "distill-articles" / "visual-exploration-gaussian-processes.html"],
        "What is conditioning used for in Gaussian processes?")
    assert not answer.abstained
    # "Another important operation for Gaussian processes is conditioning. It is used to
    # determine the probability of one variable depending on another variable."
    assert "determine the probability of one variable depending on another variable" in (
        answer.answer), answer.answer
    assert answer_words(answer) <= 40
    assert all(verify_citation(c) for c in answer.citations)


def test_what_does_it_mean_when_leads_with_the_definition(
        tmp_path: Path, corpora: Path) -> None:
    vault = corpora / "google-ml-glossary-vault"
    answer = ask_notes(
        tmp_path, [vault / f"{n}.md" for n in (
            "hallucination", "confabulation", "generative model", "generative AI")],
        "What does it mean when a generative model hallucinates?")
    assert not answer.abstained
    # The entry's first sentence, not its example ("... claims that Barack Obama died in
    # 1865 is hallucinating"), which holds more of the question's words.
    assert answer.answer.startswith("The production of plausible-seeming but factually "
                                    "incorrect output"), answer.answer
    assert _files(answer) == {"hallucination.md"}
    assert answer_words(answer) <= 40


def test_why_prefers_the_sentence_that_says_what_it_is_for(
        tmp_path: Path, corpora: Path) -> None:
    terms = corpora / "ml-glossary-terms" / "terms"
    answer = ask_notes(tmp_path, [terms / f"{n}.md" for n in (
        "one-hot-encoding", "bag-of-words", "categorical-mixture-model-cmm")],
        "Why use one-hot encoding?")
    assert not answer.abstained
    # "One-hot encoding can make it easier for machine learning algorithms to manipulate
    # and learn categorical variables." rather than only what the encoding is.
    assert "manipulate and learn categorical variables" in answer.answer, answer.answer
    assert answer_words(answer) <= 40


def test_the_next_sentence_that_opens_with_the_subject_joins(
        tmp_path: Path, corpora: Path) -> None:
    answer = ask_notes(tmp_path, [corpora / "hf-docs" / "trl" / "grpo_trainer.md"],
                       "How does continuous batching make generation faster?")
    assert not answer.abstained
    # "... continuous batching engine for faster generation." restates the question; the
    # next sentence, which opens with "Continuous batching", says how.
    assert "removes finished sequences from the batch immediately" in answer.answer, (
        answer.answer)
    assert answer_words(answer) <= 40
    assert all(verify_citation(c) for c in answer.citations)
