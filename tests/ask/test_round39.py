"""Round 39: an item of a list of tools or data answers only a question that names it or asks
for such a thing."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask as ask_module
from tests.conftest import CORPORA, ask_notes

CHEATSHEET = CORPORA / "ml-cheatsheet-rst"


@pytest.mark.parametrize("rule", [True, False])
@pytest.mark.parametrize("question", [
    # "Africa" is a word of a dataset's name on the cheat sheet's list of datasets.
    "What is the tallest mountain in Africa?",
    # A library on its list of libraries "facilitates drop-in replacement of grid search".
    "Should I tune hyperparameters with a grid search or a random search?",
    # "- Factory Miner - Automatically creates ...": a maker is asked for, not a library.
    "Who created the spaCy library?",
])
def test_a_list_item_sharing_a_word_is_no_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool, question: str) -> None:
    # Rule off, the list item is the answer again (all three were tune leaks of bench/ask.py).
    monkeypatch.setattr(ask_module, "CATALOGUE_NAMED", rule)
    answer = ask_notes(tmp_path, [CHEATSHEET], question)
    assert answer.abstained is rule, answer.answer


@pytest.mark.parametrize(("question", "path"), [
    ("What is CMU Sphinx?", "libraries.rst"),  # names the item
    ("Is there a dataset of ancient places?", "datasets.rst"),  # asks for data
    ("Which C++ library is made for recognising gestures in real time?", "libraries.rst"),
])
def test_a_list_item_still_answers_what_names_it_or_asks_for_it(
        tmp_path: Path, question: str, path: str) -> None:
    answer = ask_notes(tmp_path, [CHEATSHEET], question)
    assert not answer.abstained, answer.answer
    assert answer.citations[0].span.path.endswith(path), answer.citations


@pytest.mark.parametrize("rule", [True, False])
def test_a_list_under_the_asked_heading_says_no_how(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # Distill's Bayesian optimization article lists an SVM's hyperparameters under a heading
    # that names the SVM; the list says what each is, not how the margin is chosen (a tune
    # leak of bench/ask.py). Rule off, the list item is the answer again.
    monkeypatch.setattr(ask_module, "CATALOGUE_NAMED", rule)
    answer = ask_notes(tmp_path, [CORPORA / "distill-articles"],
                       "How does a support vector machine choose its margin?")
    assert answer.abstained is rule, answer.answer
