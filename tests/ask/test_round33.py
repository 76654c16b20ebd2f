"""Round 33: shapes of fresh23's tune misses and of the paraphrased questions of fresh22 and
fresh23, each rebuilt here in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted

# A method described at length, never timed.
PRUNING = """---
title: Magnitude pruning
---
Magnitude pruning removes the weights of smallest absolute value from a trained network, so
that the pruned model keeps most of its accuracy with far fewer parameters.

Pruning runs in rounds: each round removes a share of the remaining weights and fine-tunes the
network a little before the next.
"""

TIMED = """---
title: Distillation run
---
A distillation run copies a large teacher network into a small student network.

On four GPUs the distillation run takes about six hours from start to finish.
"""


def test_how_long_it_takes_is_refused_when_the_notes_never_time_it(tmp_path: Path) -> None:
    # fresh23: "How long does t-SNE take to run on a million points?" and "How long does
    # fine-tuning with IA3 take on a single GPU?" were answered with the method's description.
    note = tmp_path / "magnitude pruning.md"
    note.write_text(PRUNING, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "How long does magnitude pruning take on a trained network?")
    assert answer.abstained, answer.answer


def test_how_long_it_takes_is_answered_when_the_notes_time_it(tmp_path: Path) -> None:
    note = tmp_path / "distillation run.md"
    note.write_text(TIMED, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "How long does a distillation run take on four GPUs?")
    assert_quoted(answer, "takes about six hours")


MOMENTUM = """---
title: Momentum
---
Momentum adds a share of the previous update to the current one, so the descent keeps moving in
a consistent direction.

Plain gradient descent often begins with a quick fall in the loss, but as the iterations go on,
progress slows to a crawl.

With momentum, the steps along a narrow valley stop zigzagging and the run reaches the bottom
sooner.
"""


def test_a_paraphrase_near_in_meaning_is_answered(tmp_path: Path) -> None:
    # fresh22/23: a question asked in a student's words shares few words with the sentence
    # that answers it ("frustrating after a fast start" for "progress slows"), and its
    # confidence, mostly words, fell under the threshold; the meaning of the nearest sentence
    # lifts it.
    note = tmp_path / "momentum.md"
    note.write_text(MOMENTUM, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "Why does ordinary gradient descent feel frustrating after a promising"
                       " start?")
    assert_quoted(answer, "progress slows to a crawl")


def test_a_question_far_in_meaning_is_still_refused(tmp_path: Path) -> None:
    note = tmp_path / "momentum.md"
    note.write_text(MOMENTUM, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "How do I season a cast-iron pan before its first use?")
    assert answer.abstained, answer.answer
