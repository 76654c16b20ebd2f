"""Round 42 (ask42b): abstention and citations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import grimoire.ask as ask_module
from tests.conftest import ask_notes, write_notes

_OLD_DATE = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)s?\b|\bcentur(?:y|ies)\b|\bdecades?\b",
                       re.IGNORECASE)


@pytest.mark.parametrize("rule", [True, False])
def test_a_number_inside_a_link_is_no_year(corpora: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # TRL's PPO page never says when the trainer was added; its benchmark command tags a run
    # "?tag=pr-1540", which was read as the year 1540 and answered the question (fresh30).
    if not rule:
        monkeypatch.setattr(ask_module, "_DATE", _OLD_DATE)
    answer = ask_notes(tmp_path, [corpora / "hf-docs" / "trl" / "ppo_trainer.md"],
                       "When did TRL get the PPO trainer?")
    assert answer.abstained is rule, answer.answer


def test_a_year_in_prose_still_dates(tmp_path: Path) -> None:
    # Our own words: a year written as a year answers; the same digits in a link do not.
    notes = write_notes(tmp_path / "notes", {
        "ppo.md": "# PPO trainer\n\nThe PPO trainer was added to the library in 2021, after "
                  "the reward model trainer.\n\nRun the benchmark with `--tag=pr-1540`.\n"})
    answer = ask_notes(tmp_path, [notes], "When was the PPO trainer added to the library?")
    assert not answer.abstained, answer.answer
    assert "2021" in answer.answer
