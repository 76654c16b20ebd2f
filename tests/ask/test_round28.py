"""Round 28: misses of the outsider set fresh18, each shape rebuilt here in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted, ingested

STEPS = """# Step sizes

Plain gradient descent converges while the step size stays below two over the largest
curvature of the loss, and the speed it reaches there is set by the ratio of the largest to the
smallest curvature.

Momentum lets the step size grow to twice the bound of plain gradient descent before the
iterates diverge, since the velocity term damps the oscillation that a large step sets off
along the directions of highest curvature.

Past that bound every method blows up, whatever its momentum, because the error along the
steepest direction is multiplied by a factor larger than one at every single step.
"""


def test_a_best_sentence_that_cannot_be_cited_gives_way_to_the_next(tmp_path: Path) -> None:
    # fresh18: "How much bigger a step size can momentum take ...?" was refused. The best
    # sentence held a formula read from markup the file does not hold as words, so the answer,
    # that sentence alone, had no citation left. Here the file changes after it was read:
    # its best sentence can no longer be checked, and the next one answers.
    note = tmp_path / "steps.md"
    note.write_text(STEPS, encoding="utf-8")
    question = "How much larger a step size can momentum take before the iterates diverge?"
    with ingested(tmp_path / "notes.db", str(note)) as base:
        first = base.ask(question)
        assert "Momentum lets the step size grow" in first.answer, first.answer
        note.write_text(STEPS.replace(
            STEPS.split("\n\n")[2], "The text here was rewritten."), encoding="utf-8")
        answer = base.ask(question)
    assert not answer.abstained, answer.answer
    assert "Momentum lets" not in answer.answer
    assert answer.citations


ADADELTA = """---
title: ADADELTA
---
ADADELTA is an optimizer built on gradient descent. Like AdaGrad, ADADELTA sets the learning
rate by itself as training goes on.
"""
LEARNING_RATE = """---
title: Learning rate
---
"""


def test_a_stub_named_beside_an_entry_that_answers_is_no_silence(tmp_path: Path) -> None:
    # fresh18: "What does ADADELTA do about the learning rate?" was refused: the title-only
    # entry "Learning rate" covers two of the question's words, ADADELTA's entry one, so the
    # stub was the passage the question named most closely, and it says nothing.
    files = [tmp_path / "adadelta.md", tmp_path / "learning-rate.md"]
    files[0].write_text(ADADELTA, encoding="utf-8")
    files[1].write_text(LEARNING_RATE, encoding="utf-8")
    answer = ask_notes(tmp_path, files, "What does ADADELTA do about the learning rate?")
    assert_quoted(answer, "ADADELTA sets the learning rate by itself")
    # The stub asked about alone still has nothing to say.
    (tmp_path / "alone").mkdir()
    alone = ask_notes(tmp_path / "alone", files, "What is the learning rate?")
    assert alone.abstained, alone.answer


INCEPTION = """---
title: Inception
---
Inception is the name of a network model from a 2015 conference paper on going deeper with
convolutions. Its blocks run $1 \\times 1$ convolutions beside wider ones.
"""


def test_a_count_needs_a_number_beside_what_is_counted(tmp_path: Path) -> None:
    # fresh18: "How many layers does the Inception network have?" was answered with the
    # paper's year and "1 x 1": numbers, but none that counts layers.
    note = tmp_path / "inception.md"
    note.write_text(INCEPTION, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "How many layers does the Inception network have?")
    assert answer.abstained, answer.answer
    counted = tmp_path / "counted"
    counted.mkdir()
    other = counted / "inception.md"
    other.write_text(INCEPTION + "\nThe network is 22 layers deep.\n", encoding="utf-8")
    answer = ask_notes(counted, [other], "How many layers does the Inception network have?")
    assert_quoted(answer, "22 layers deep")


ALIGN = """# Learning to transcribe

A recording comes with its transcript, but nobody marks which stretch of sound each letter
belongs to. This makes teaching a transcriber much harder than one would first expect.

One way out is a loss that sums over every possible alignment.
"""


def test_a_sentence_whose_subject_is_the_one_before_brings_it(tmp_path: Path) -> None:
    # fresh16 (tune): "Why is training a speech recognizer harder than it first seems?" was
    # answered "This makes training a speech recognizer harder ..." alone: what "this" is,
    # the reason asked for, is the sentence before.
    note = tmp_path / "transcribe.md"
    note.write_text(ALIGN, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "Why is teaching a transcriber harder than expected?")
    assert_quoted(answer, "nobody marks which stretch of sound each letter belongs to")


ODOURS = """# Smell

We use an odour dataset made of molecules, each with the smells people report for it.
Relating a molecular structure to its smell is a 100 year-old problem.
"""


def test_a_count_names_the_thing_counted_as_a_noun(tmp_path: Path) -> None:
    # fresh17 (tune): "How many molecules does the Leffingwell Odor Dataset contain?" was
    # answered with "a 100 year-old problem" beside "molecular": the same stem, not the noun.
    note = tmp_path / "smell.md"
    note.write_text(ODOURS, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "How many molecules does the odour dataset contain?")
    assert answer.abstained, answer.answer


STANDARD_SCORE = """---
title: Standard score scaling
---
A scaling method that swaps each raw value of a feature for the count of standard deviations
it lies from that feature's mean.

For example, take a feature whose mean is 50 and whose standard deviation is 10. The table
below shows how standard score scaling maps each raw value of the feature to its new value:
40 becomes -1 and 65 becomes 1.5.

The model then learns from the new values of the feature instead of the raw ones.
"""


def test_what_a_thing_turns_its_input_into_is_led_by_its_entrys_opening(
        tmp_path: Path) -> None:
    # fresh18: "What does Z-score normalization turn a raw feature value into?" was answered
    # by the table's introduction and the last sentence, which repeat the question's words;
    # the entry's first sentence, which says what the value becomes, tied them and was left out.
    note = tmp_path / "standard score scaling.md"
    note.write_text(STANDARD_SCORE, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "What does standard score scaling turn a raw feature value into?")
    assert_quoted(answer, "the count of standard deviations it lies from that feature's mean")
