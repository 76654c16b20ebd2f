"""Review of round 39's `unlisted` rule (review39b): a list item named by the short name in its
brackets still answers a question that names it so. Our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, write_notes


def test_a_list_item_named_by_its_abbreviation_answers(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "models.md":
            "# Sequence models\n\nThe models I tried for the speech project last spring.\n\n"
            "- Long Short-Term Memory (LSTM) - a recurrent network whose gates decide what its "
            "cell state keeps and forgets.\n"
            "- Temporal Convolutional Network (TCN) - stacks dilated causal convolutions over "
            "time.\n",
        "dropout.md":
                "# Dropout\n\nDropout zeroes random activations during training so units cannot "
                "co-adapt.\n",
    })
    for question, said in (("What is an LSTM?", "cell state"), ("What does a TCN stack?",
                                                                 "dilated causal")):
        answer = ask_notes(tmp_path, [notes], question)
        assert not answer.abstained and said in answer.answer, (question, answer.answer)
