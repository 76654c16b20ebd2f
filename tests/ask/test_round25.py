"""Ask, round 25 (ask26; bench/README.md, "Round 25 (ask26)"): misses seen on a public
collection of notes, in notes of our own of the same shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.ask.extractive import Question, choose, cuts_definition, score_sentences, stem
from grimoire.ask.retrieve import Candidate
from grimoire.model import Span
from tests.conftest import answer_words, ask_notes

# A reader keeps the sentence that introduces a list as a passage of its own, before the
# list's passage (the list's items get it as their `lead_in`).
LEAKY = """# Activation functions

## ReLU

ReLU returns zero for every negative input and the input itself otherwise. It is cheap to
compute, but a unit whose inputs stay negative stops learning.

## Leaky ReLU

Leaky ReLU keeps a unit learning by letting a small slope through when its input is negative:

- **Formula**: `f(x) = max(0.01x, x)`
- **Advantage**: Keeps units from dying while the network trains
- **Setting**: `negative_slope` sets how steep the line is below zero

## Tanh

Tanh squashes its input into the range from minus one to one and is centred on zero.
"""


def test_the_sentence_that_introduces_a_list_comes_with_its_item(tmp_path: Path) -> None:
    # The item "Advantage: Keeps units from dying ..." holds the question's words and was the
    # whole answer with two more items; how leaky ReLU does it is in the sentence above the
    # list, which names leaky ReLU and the item does not.
    note = tmp_path / "activations.md"
    note.write_text(LEAKY, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "How does leaky ReLU stop units from dying?")
    assert not answer.abstained, answer.answer
    text = " ".join(answer.answer.split())
    assert "letting a small slope through when its input is negative" in text, text
    assert text.index("letting a small slope") < text.index("Keeps units from dying"), text
    assert answer_words(answer) <= 40


@pytest.mark.no_store
def test_a_clipped_sentence_cut_off_from_what_defines_it_does_not_join() -> None:
    # On a public collection, "What is a weak learner in boosting?" was answered with a
    # sentence about boosting and, clipped to the room left, "Specifically, you explored: The
    # definition of a weak learner ...": the question's words kept, what a weak learner is
    # ("which is a model slightly better than random guessing") cut. Text written here.
    text = ("Bagging is an ensemble method that draws a bootstrap sample for each of many deep "
            "trees, trains each tree on its own bootstrap sample and averages what the trees "
            "predict. In short, you saw: The meaning of a bootstrap sample, which is a sample "
            "as large as the training set drawn from it with replacement, so that some rows "
            "repeat and others are left out.")
    cand = Candidate(1, text, Span("/notes/bagging.md", 1, 1), "Bagging", ("Bagging",),
                     "Bagging", None, 1.0, "search")
    q = Question("What is a bootstrap sample in bagging?",
                 {stem(w): 1.0 for w in ("bootstrap", "sample", "bagging")})
    chosen = choose(score_sentences(q, [cand]), q)
    assert [c.text for c in chosen] == [text.split(" In short")[0]]
    assert cuts_definition("\u2026 you saw: The meaning of a bootstrap sample \u2026", text, q)
    assert not cuts_definition("\u2026 a bootstrap sample, which is a sample as large as the "
                               "training set \u2026", text, q)


def test_a_date_asked_of_notes_that_never_date_the_thing_abstains(tmp_path: Path) -> None:
    # "In what year was the confusion matrix first used?" was answered with the definition
    # of a confusion matrix: the notes name it and never say when.
    note = tmp_path / "matrices.md"
    note.write_text(
        "# Confusion matrix\n\nA confusion matrix counts, for each true class, how many "
        "examples a classifier put in each predicted class. Its diagonal holds the correct "
        "predictions.\n\n# Hidden Markov model\n\nHidden Markov models were worked out in "
        "the late 1960s for speech and later for biological sequences.\n", encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "In what year was the confusion matrix first used?")
    assert answer.abstained, answer.answer
    dated = ask_notes(tmp_path, [note], "When were hidden Markov models first worked out?")
    assert not dated.abstained, dated.answer
    assert "1960s" in dated.answer


def test_an_amount_asked_of_notes_that_never_count_it_abstains(tmp_path: Path) -> None:
    # "How much of my data should I hold out for the validation set?" was answered with the
    # definition of a validation set; "What value is the momentum coefficient usually set
    # to?" with what momentum does. The notes name the thing and give no amount.
    note = tmp_path / "training.md"
    note.write_text(
        "# Validation set\n\nThe validation set is data kept apart from training and used to "
        "compare models and settings while they are tuned.\n\n# Mini-batch\n\nA mini-batch "
        "holds a few dozen examples, often 32 or 64, whose gradients are averaged for each "
        "step.\n", encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "How much of my data should I keep for the validation set?")
    assert answer.abstained, answer.answer
    counted = ask_notes(tmp_path, [note], "How many examples does a mini-batch hold?")
    assert not counted.abstained, counted.answer
    assert "32 or 64" in counted.answer


def test_an_introduction_that_only_counts_its_items_does_not_lead(tmp_path: Path) -> None:
    # "We can understand the intuition behind Thompson sampling by two observations:" led an
    # answer in place of the first observation: it says how many items follow, not what they
    # say.
    note = tmp_path / "activations.md"
    note.write_text(LEAKY.replace(
        "Leaky ReLU keeps a unit learning by letting a small slope through when its input is "
        "negative:", "Leaky ReLU can be understood by looking at its three main parts:"),
        encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "How does leaky ReLU stop units from dying?")
    assert not answer.abstained, answer.answer
    text = " ".join(answer.answer.split())
    assert text.startswith("Advantage: Keeps units from dying"), text
