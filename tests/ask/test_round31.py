"""Round 31: shapes of the tune half's misses, each rebuilt here in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted

# A page that says what a relevance vector machine is, with a number word opening a clause
# and the machine's initials, and never who made it.
RVM = """---
title: Relevance vector machine
---
Relevance Vector Machine: Two kinds of points are told apart by a sparse probabilistic model
whose weights mostly shrink to zero.

The Relevance Vector Machine, or RVM, is a sparse Bayesian model that keeps only a handful of
training points, the relevance vectors, for its predictions.
"""

# A page that says how a mark-and-count estimate works, with a formula, and never who first
# used it.
MARKS = """---
title: Mark and count estimate
---
A mark and count estimate guesses the size of a population by marking some of its members,
letting them go and counting the marked ones in a second catch.

If we mark $n_1$ birds and later see $m$ marked among $n_2$ caught, we take
$N = n_1 \\cdot n_2 / m$ as the size of the whole flock.
"""

# The same kind of page, with the name of whoever first used it.
MARKS_NAMED = MARKS.replace("population by marking", "population, as Laplace first used it to "
                            "count the people of France, by marking")


def test_initials_and_number_words_are_no_makers_name(tmp_path: Path) -> None:
    # fresh21: "Who invented the support vector machine?" was answered from the cheat sheet's
    # "Support Vector Machine: Two different categories ..." and "..., or SVM, is ...": "Two"
    # and "SVM" were taken for the maker's name.
    note = tmp_path / "rvm.md"
    note.write_text(RVM, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "Who invented the relevance vector machine?")
    assert answer.abstained, answer.answer


def test_who_first_used_asks_for_a_name(tmp_path: Path) -> None:
    # fresh21: "Who first used capture-recapture to estimate an animal population?" was
    # answered with the page's definition and formula: "who first used" was not read as
    # asking for whoever did it, and the formula's "N" would have passed for a name.
    note = tmp_path / "marks.md"
    note.write_text(MARKS, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "Who first used a mark and count estimate to size a population?")
    assert answer.abstained, answer.answer


def test_who_first_used_is_answered_when_the_notes_name_one(tmp_path: Path) -> None:
    note = tmp_path / "marks.md"
    note.write_text(MARKS_NAMED, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "Who first used a mark and count estimate to size a population?")
    assert_quoted(answer, "as Laplace first used it")


SAMPLING = """---
title: Active sampling
---
At every round, active sampling probes the input space to sharpen the estimates it keeps.

## Goal

Active sampling cuts labelling costs while keeping the accuracy of the model high.
"""


def test_a_short_answer_takes_a_near_best_sentence_that_fits(tmp_path: Path) -> None:
    # fresh17: "What is active learning trying to achieve?" was answered with one sentence of
    # 13 words; the one that says its aim scored 0.90 of it, fitted whole, and was left out
    # because it held no word of the question the first lacked.
    note = tmp_path / "active sampling.md"
    note.write_text(SAMPLING, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "What is active sampling trying to achieve?")
    assert_quoted(answer, "cuts labelling costs")


PIECES = """---
title: Word pieces
---
A sentence is first split into word pieces, each of them a whole word or a part of one. These
pieces can then be turned into numbers which the network understands. This can be done by
looking every piece up in a fixed table that the splitter learned beforehand, which is fast.
"""


def test_how_is_answered_by_the_sentence_that_says_by_what_means(tmp_path: Path) -> None:
    # fresh21: "How are tokens turned into IDs that a model understands?" was answered with
    # "These tokens can then be converted into IDs which are understandable by the model."
    # alone; the next sentence, "This can be done by directly feeding the sentence to the
    # tokenizer, ...", says how, and held none of the question's words.
    note = tmp_path / "word pieces.md"
    note.write_text(PIECES, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "How are pieces turned into numbers that a network understands?")
    assert_quoted(answer, "looking every piece up in a fixed table")


SPLITTER = """---
title: Piece splitter
---
The piece splitter takes care of cutting a sentence into the pieces its vocabulary holds.

```python
>>> from splitters import PieceSplitter
>>> splitter = PieceSplitter.load("plain-cased")
```
"""


def test_how_large_asks_for_an_amount(tmp_path: Path) -> None:
    # fresh21: "How large is the vocabulary of the BERT tokenizer in the transformers
    # glossary?" (the notes never give it) was answered with the tokenizer's `from_pretrained`
    # line and "The tokenizer takes care of splitting the sequence into tokens available in
    # the tokenizer vocabulary."
    note = tmp_path / "piece splitter.md"
    note.write_text(SPLITTER, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "How large is the vocabulary of the piece splitter?")
    assert answer.abstained, answer.answer


STACKED = """---
title: Prompt methods
---
This guide gives a short overview of the soft prompt methods in the library: prefix tuning,
stacked prompt tuning and a few more.

## Stacked prompt tuning

Stacked prompt tuning makes transfer between tasks cheap in parameters. Stacked prompt tuning
(SPT) learns a single prompt from the data of many task types, and that prompt is shared by
every target task. Other existing approaches learn a separate soft prompt for each task, which
has to be looked up or merged before it can be used.

The prompts of the source tasks are distilled into one prompt matrix that every task shares.
"""


def test_a_comparison_is_answered_by_the_sentence_that_contrasts(tmp_path: Path) -> None:
    # fresh21: "How does multitask prompt tuning differ from other soft prompt methods?"
    # quoted three sentences on multitask prompt tuning; "Other existing approaches learn a
    # separate soft prompt for each task ...", 0.95 of the best, did not fit after them.
    note = tmp_path / "stacked prompt tuning.md"
    note.write_text(STACKED, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "How does stacked prompt tuning differ from other soft prompt methods?")
    assert_quoted(answer, "learn a separate soft prompt for each task")
