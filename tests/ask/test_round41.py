"""Round 41 (ask41): a question of the notes as good as the best sentence takes the room its
reply needs. (The round's other rule, `SKIP_WEAKER`, was measured and dropped: tune +2 -3.)"""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask.extractive as extractive
from tests.conftest import ask_notes


@pytest.mark.parametrize("rule", [True, False])
def test_a_question_of_the_notes_brings_its_reply_in_place_of_the_sentence_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # fresh30's tune miss (t-SNE): a 30-word sentence, then the notes' own question "How much
    # of a difference do those values make?" with no room left for its reply, which answers.
    # Rule off, the question is quoted without it. Our own words.
    monkeypatch.setattr(extractive, "REPLY_ROOM", rule)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "kmeans.md").write_text(
        "# Running k-means\n\n"
        "Each picture here came from running k-means with twenty random starts and a "
        "tolerance of one thousandth, and each run had settled by the number of its last "
        "round. How much of a difference do those settings make? "
        "Far more important than either is choosing the number of clusters to suit the data "
        "in front of you.\n", encoding="utf-8")
    (notes / "pca.md").write_text(
        "# PCA\n\nPrincipal component analysis projects the data onto the directions of "
        "largest variance.\n", encoding="utf-8")
    answer = ask_notes(tmp_path, [notes],
                       "When running k-means, what matters more than the number of starts and "
                       "the tolerance?")
    assert ("choosing the number of clusters" in answer.answer) is rule, answer.answer
