"""Round 32: shapes of a user's refusal and of fresh22's tune misses, each rebuilt here in our
own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted

# A list of settings, each an identifier and what it does, on a page that never says which
# kind of model they belong to.
BOOSTING = """# Boosting checklist

A few settings matter most when a model memorises its training rows.

- `min_child_weight` — the strongest guard against memorising noise.
- `subsample` — a share of the rows below one makes every round see different data.
- `eta` — smaller steps generalise better, with more rounds.
"""


def test_an_identifier_the_best_sentence_holds_is_answered(tmp_path: Path) -> None:
    # A user's "what does max_depth do in a decision tree?" was refused by notes whose line
    # on max_depth never says "decision tree": the missing words kept the best sentence under
    # the abstention threshold although it names the identifier asked about.
    note = tmp_path / "boosting.md"
    note.write_text(BOOSTING, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "what does min_child_weight do in a decision tree?")
    assert_quoted(answer, "the strongest guard against memorising noise")


def test_an_identifier_the_notes_lack_is_still_refused(tmp_path: Path) -> None:
    note = tmp_path / "boosting.md"
    note.write_text(BOOSTING, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "what does max_leaf_nodes do in a random forest?")
    assert answer.abstained, answer.answer


STUB = """---
title: Speech recognition
---
"""

FRAMES = """---
title: Frame stacking
---
Frame stacking is a technique used in some speech recognition systems to give each step of the
model a wider view of the audio.

Frame stacks are hand-tuned windows of a few neighbouring frames, chosen to match the length of
the sounds being recognised.
"""


def test_a_stub_that_the_answering_entry_speaks_of_is_no_silence(tmp_path: Path) -> None:
    # fresh22: "How are the preset boxes of an object detector chosen?" was refused: it names
    # the title-only "Object detection", while the anchor box entry that answers it says
    # "... used in some computer vision object detection algorithms ...".
    stub = tmp_path / "speech recognition.md"
    stub.write_text(STUB, encoding="utf-8")
    note = tmp_path / "frame stacking.md"
    note.write_text(FRAMES, encoding="utf-8")
    answer = ask_notes(tmp_path, [stub, note],
                       "How are the audio windows of a speech recognizer chosen?")
    assert_quoted(answer, "hand-tuned windows of a few neighbouring frames")


GPU = """---
title: GPU
---
A GPU is a processor built for many parallel arithmetic operations at once.
"""

MIXED = """---
title: Mixed precision training
---
Mixed precision training lets the GPU keep most tensors in half precision, which halves the
memory they take and speeds up each step.
"""


def test_the_name_of_a_note_is_no_makers_name(tmp_path: Path) -> None:
    # fresh22: "Who first proposed chain-of-thought prompting?" was answered with "Chain-of-
    # thought prompting forces the LLM to ...": "LLM", the name of a note, passed for a maker.
    gpu = tmp_path / "gpu.md"
    gpu.write_text(GPU, encoding="utf-8")
    note = tmp_path / "mixed precision training.md"
    note.write_text(MIXED, encoding="utf-8")
    answer = ask_notes(tmp_path, [gpu, note], "Who first proposed mixed precision training?")
    assert answer.abstained, answer.answer


FEW_SHOT = """---
title: Few-shot prompting
---
A prompting technique that puts a handful of worked examples in the prompt itself.

Few-shot prompting lets the model copy the format of the examples, which often makes its
answers more consistent.
"""


def test_the_questions_own_words_hyphenated_are_no_makers_name(tmp_path: Path) -> None:
    # fresh22: the same answer's "Chain-of-thought", capitalised to open the sentence, is the
    # question's own words joined by hyphens, and passed for a maker's name too.
    note = tmp_path / "few-shot prompting.md"
    note.write_text(FEW_SHOT, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "Who first proposed few-shot prompting?")
    assert answer.abstained, answer.answer
