"""Round 41 (ask41b): sentences past SEMANTIC_TOP of the best passages are weighed by meaning
too, up to a budget of words (`EXTRA_WORDS`), so an answer further on in a passage whose
opening sentences hold the question's words as well is found."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask.extractive as extractive
from tests.conftest import ask_notes

ON = extractive.EXTRA_WORDS or 160


@pytest.mark.parametrize("words", [ON, 0])
def test_a_sentence_past_the_first_eight_is_weighed_by_meaning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, words: int) -> None:
    # Eleven sentences each name momentum once and no other word of the question; the one
    # that answers comes last, so the words' order (the passage's) leaves it out of the eight
    # compared by meaning. With the budget it is compared, and its meaning wins. Our own words.
    monkeypatch.setattr(extractive, "EXTRA_WORDS", words)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "momentum.md").write_text(
        "# Momentum\n\n"
        "Momentum in gradient descent keeps a running average of past gradients. "
        "The momentum term is set to 0.9 in most code. "
        "With momentum, the step used is the average, not the latest gradient. "
        "A momentum of zero gives plain gradient descent. "
        "Nesterov momentum looks ahead before taking the gradient. "
        "Momentum is added to stochastic gradient descent by default in most libraries. "
        "Higher momentum needs a smaller learning rate. "
        "Momentum costs one more copy of the weights in memory. "
        "Adam keeps a momentum estimate for each weight. "
        "Momentum can overshoot a minimum when the rate is large. "
        "The usual image of momentum is a heavy ball rolling down a hilly landscape, gathering "
        "speed and carried past small bumps by its own weight.\n", encoding="utf-8")
    (notes / "pca.md").write_text(
        "# PCA\n\nPrincipal component analysis projects the data onto the directions of "
        "largest variance.\n", encoding="utf-8")
    answer = ask_notes(tmp_path, [notes], "What physical picture explains momentum?")
    assert ("heavy ball" in answer.answer) is bool(words), answer.answer
