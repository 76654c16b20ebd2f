"""Round 37: a count question whose quoted sentences count nothing, while a sentence near
the best does."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask as ask_module
import grimoire.ask.extractive as extractive
from tests.conftest import CORPORA, ask_notes, assert_quoted

PPO = CORPORA / "hf-docs" / "trl" / "ppo_trainer.md"
COMPLETIONS = "How many sample completions does the PPO trainer generate for logging by default?"


def test_the_sentence_that_counts_leads_a_count_question(tmp_path: Path) -> None:
    # The sentences that introduce the logged completions score above the one with the
    # number; quoting them alone, the answer counted nothing and was refused (`uncounted`).
    answer = ask_notes(tmp_path, [PPO], COMPLETIONS)
    assert_quoted(answer, "num_sample_generations 10")


@pytest.mark.parametrize("setting", ["COUNT_NEAR", "COUNT_PARTS"])
def test_without_the_rule_the_count_question_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    # Either part off, the question is refused: with COUNT_PARTS off the identifier
    # `num_sample_generations` names no samples, so no sentence counts them.
    monkeypatch.setattr(ask_module, setting, 0.0 if setting == "COUNT_NEAR" else False)
    # Round 45's NEAR (a sentence of the best one's passage scoring near it joins) reaches
    # the counting sentence too: off here, so this asks what the count rules alone do.
    monkeypatch.setattr(extractive, "NEAR", 9.0)
    assert ask_notes(tmp_path, [PPO], COMPLETIONS).abstained


def test_a_count_the_notes_never_give_is_still_refused(tmp_path: Path) -> None:
    # fresh26's aspect the notes do not state: no sentence near the best counts hours.
    answer = ask_notes(tmp_path, [PPO], "How many hours did TRL's PPO run on the 1B model take?")
    assert answer.abstained, answer.answer
