"""Round 41 (ask41): a stronger sentence one further on in the passage than a weaker one
joins the answer as a neighbour would; a question of the notes as good as the best sentence
takes the room its reply needs."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask.extractive as extractive
from tests.conftest import ask_notes


@pytest.mark.parametrize("rule", [True, False])
def test_a_stronger_sentence_past_a_weaker_neighbour_joins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # fresh31's tune miss (shrinkage in the vault): the opening sentence, its neighbour and
    # the neighbour's neighbour were quoted; the sentence that answers, one further on and
    # scoring higher than the one before it, was left out. Rule off, left out again. Our
    # own words.
    monkeypatch.setattr(extractive, "SKIP_WEAKER", rule)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "shrinkage.md").write_text(
        "# Shrinkage\n\n"
        "A setting of gradient boosting that keeps overfitting in check. "
        "Shrinkage in gradient boosting plays the part the learning rate plays in gradient "
        "descent. Shrinkage is a decimal value between 0.0 and 1.0. "
        "A lower shrinkage value curbs overfitting more than a higher shrinkage value.\n",
        encoding="utf-8")
    (notes / "boosting.md").write_text(
        "# Gradient boosting\n\nEach new tree of gradient boosting is fitted to the errors "
        "the trees before it left.\n", encoding="utf-8")
    # "value" as common here as in a glossary: the answer's sentence adds no rare word.
    (notes / "values.md").write_text(
        "# Values\n\nA value of a feature.\n\n## Missing values\n\nA missing value is left "
        "blank.\n\n## Default values\n\nA default value is used when none is given.\n\n"
        "## Value ranges\n\nEach value lies in a range.\n", encoding="utf-8")
    answer = ask_notes(tmp_path, [notes],
                       "Does a smaller shrinkage value fight overfitting better in gradient "
                       "boosting?")
    assert ("curbs overfitting more" in answer.answer) is rule, answer.answer


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
