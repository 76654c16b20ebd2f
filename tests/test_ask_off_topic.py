"""An answer must come from a passage about what was asked, not only hold its words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes


def test_a_question_from_outside_the_field_is_not_answered_by_an_example(
        tmp_path: Path, corpora: Path) -> None:
    # The trainer pages show a dataset row {"chosen": "The sky is blue.", ...}: "Why is the sky
    # blue?" holds every word of it and was answered from "Reward Modeling > Expected dataset
    # type", a passage about something else.
    trl = corpora / "hf-docs" / "trl"
    answer = ask_notes(tmp_path, [trl / "reward_trainer.md", trl / "dpo_trainer.md"],
                       "Why is the sky blue?")
    assert answer.abstained, answer.answer


def test_a_question_in_other_words_than_its_passage_names_is_answered(
        tmp_path: Path, corpora: Path) -> None:
    # The other side of the same rule: the reward trainer page answers a question that names
    # neither its title nor its headings.
    note = corpora / "hf-docs" / "trl" / "reward_trainer.md"
    answer = ask_notes(tmp_path, [note], "What does a preference dataset hold for each prompt?")
    assert not answer.abstained, answer.answer
    assert all(c.span.path.endswith("reward_trainer.md") for c in answer.citations)
