"""Round 35: two answers a new user's notes got wrong (qa34), rebuilt here in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted

# A chapter whose section on a technique runs over several paragraphs: a lead-in, the
# sentence that says what the technique does (its subject written out), then how it works and
# a caveat that repeats the technique's name.
CHAPTER = """# Training tricks

## Weight decay

Weight decay adds the squared size of every weight to the loss, so that large weights cost
more than small ones.

## Dropout

Like weight decay, this trick is only switched on while the network trains.

The trouble it addresses is memorising: a network that fits the training examples so closely
that it does badly on anything new. A large network trained for long is prone to it.

Dropout counters this by making the network rely less on any single unit during training.

The method is plain: at each step, a random share of the units are set to zero. Every step
picks other units, so each one is trained without the others leaning on it.

There is one catch: the outputs must keep their scale once units are missing. In particular,
each output's expected value should not change when dropout is on. So the units that remain
are multiplied by a factor that depends on the dropout rate.

Note that:

- After dropping and rescaling, a layer's outputs no longer add up to what they did. That is
  fine: what matters is that each output's expected value is the same with or without dropout.
"""


def test_what_a_technique_does_is_the_sentence_that_names_it(tmp_path: Path) -> None:
    # qa34: "what does dropout do" was answered by the first sentence of a later paragraph
    # ("The only gotcha is that ...") and a note below, not by "Dropout solves this by ...".
    note = tmp_path / "training.md"
    note.write_text(CHAPTER, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "what does dropout do")
    assert not answer.abstained, answer.answer
    assert answer.citations[0].quote.startswith("Dropout counters this"), answer.answer


# Notes on a thing that never say who made it; some sentences open with a capitalised word
# that is no name ("Essentially", "Basically"), one holds a plural acronym.
TRANSFORMERS = """# Transformers

Transformers stack layers of attention and feed-forward blocks. Essentially, each layer lets
every token look at every other token before the result is passed on.

Basically, the decoder of a transformer hides the tokens that come later, so that it cannot
peek at the answer. People tend to see transformers as an architecture of their own, not as a
change to FFNs.
"""

PERCEPTRON = """# Perceptron

Rosenblatt proposed the perceptron as a model of a single neuron that learns a linear
boundary between two classes. It adds up its weighted inputs and fires when the sum passes a
threshold.
"""


def test_who_invented_is_refused_when_no_sentence_names_a_maker(tmp_path: Path) -> None:
    # qa34: "who invented transformers" was answered with two sentences opening "The process
    # of masking ..." and "Essentially, ...": the capitalised opening passed for a name.
    note = tmp_path / "transformers.md"
    note.write_text(TRANSFORMERS, encoding="utf-8")
    for question in ("who invented transformers", "who invented the transformer architecture?"):
        folder = tmp_path / question.split()[-1].strip("?")
        folder.mkdir()
        answer = ask_notes(folder, [note], question)
        assert answer.abstained, (question, answer.answer)


def test_who_invented_is_answered_by_a_name_that_opens_its_sentence(tmp_path: Path) -> None:
    note = tmp_path / "perceptron.md"
    note.write_text(PERCEPTRON, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "who came up with the perceptron?")
    assert_quoted(answer, "Rosenblatt proposed the perceptron")


# A sentence too long for the answer whose first clause answers, beside a clause that holds as
# many of the question's words; and one whose answer is the clause that says by what means.
BATCHES = """# Batches

Every sequence in a batch has to have the same length. The shorter of the two sequences has to
be padded with zeros at its end up to the length of the longer sequence, or the longer of the
two sequences has to be cut down at its very end so as to match the length of the shorter sequence.
"""

VOCABULARY = """# Subword vocabulary

A tokenizer with a fixed vocabulary of word pieces maps every text to pieces it knows. This
would limit the number of words the model can read if each word had to be one piece, but by
spelling a rare word as a sequence of several pieces from the vocabulary, it is possible for
a small vocabulary to cover an enormous number of different words.
"""


def test_a_clipped_sentence_keeps_its_first_clause_on_a_tie(tmp_path: Path) -> None:
    # fresh25 (tune): "... how can they still go into one tensor?" kept "... or the second one
    # needs to be truncated ..." and cut "The first sequence needs to be padded ...".
    note = tmp_path / "batches.md"
    note.write_text(BATCHES, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "When two sequences differ in length, how can they still share one batch?")
    assert "padded with zeros" in answer.answer, answer.answer


def test_a_clipped_sentence_keeps_the_means_a_how_question_asks_for(tmp_path: Path) -> None:
    # fresh25 (tune): "How can a small codebook still produce an enormous number of outputs?"
    # lost "by having the model emit a sequence ..." to the clauses around it.
    note = tmp_path / "vocabulary.md"
    note.write_text(VOCABULARY, encoding="utf-8")
    question = "How can a small vocabulary still let the model read an enormous number of words?"
    answer = ask_notes(tmp_path, [note], question)
    assert "by spelling a rare word" in answer.answer, answer.answer


# A page that explains a method at length and names who proposed it in one short sentence that
# holds few of the question's words.
LOOKAHEAD = """# Lookahead scoring

A lookahead search scores each candidate move by how close it brings the game to its best
reachable value. Ideally we would pick the move that minimizes the gap to the value reached at
the best final position. Unfortunately, we never know that value before the game ends, and
the search tree grows too quickly to reach the end. Halvorsen proposed the following rule to
get around the problem. It scores a move by the value expected after three steps. The scores
are then compared across the candidate moves, and the best one is played.

## Other rules

Many other scoring rules exist, each trading the depth of the search against its speed.
"""


def test_who_came_up_with_is_answered_by_the_sentence_that_names_a_maker(tmp_path: Path) -> None:
    # fresh25 (tune): "Who came up with the Bayesian optimization acquisition function that
    # tries to get close to the objective's value at its maximum?" was refused: the sentence
    # "Mockus proposed the following acquisition function ..." ranked below sentences that
    # repeat the question's words and name no one.
    note = tmp_path / "lookahead.md"
    note.write_text(LOOKAHEAD, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "Who came up with the lookahead scoring rule that "
                       "tries to get close to the value at the best final position?")
    assert "Halvorsen" in answer.answer, answer.answer
