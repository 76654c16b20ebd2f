"""Round 40: a page whose own passage says nothing is not silent when its sections speak; the
other rules of ask40 (the first rule it wrote, a stub named in another word order, was dropped
at the merge: it was built from a report-half question)."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask as ask_module
from tests.conftest import ask_notes, ingested, write_notes


@pytest.mark.parametrize("rule", [True, False])
def test_a_page_whose_sections_speak_is_not_silent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # A course page named by its file, "transformers", opens with a table of contents; its
    # section "Transformer Overview" says who introduced the transformer (qa39's cs231n notes:
    # refused, the page's own passage holding no sentence). Our own words.
    monkeypatch.setattr(ask_module, "PAGE_SECTIONS", rule)
    notes = write_notes(tmp_path / "notes", {
        "transformers.md":
                "Contents:\n\n- [Overview](#overview)\n- [Attention heads](#heads)\n\n"
                "### Transformer Overview\n\n"
                "In 2017 Vaswani and seven co-authors introduced the Transformer, a network built "
                "from attention layers alone with no recurrence. It trains in parallel over the "
                "whole sequence.\n\n"
                "### Attention heads\n\n"
                "Each head projects the queries, keys and values to a smaller space before the "
                "scaled dot product.\n",
        "rnn.md":
            "# Recurrent networks\n\nA recurrent network reads one token at a time and carries a "
            "hidden state from step to step.\n",
    })
    answer = ask_notes(tmp_path, [notes], "who introduced the transformer?")
    assert answer.abstained is not rule, answer.answer
    if rule:
        assert "Vaswani" in answer.answer, answer.answer


@pytest.mark.parametrize("rule", [True, False])
def test_an_acronym_held_only_inside_a_longer_name_is_no_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # "What GPU did the GNN article's authors train ...?" was answered by Distill's "Code for
    # the Neural GPU publication was open sourced ..." (fresh29's report leak): "GPU" there
    # is a word of a model's name. Rule off, that sentence answers again. Our own words.
    monkeypatch.setattr(ask_module, "ACRONYM_IN_NAME", rule)
    notes = write_notes(tmp_path / "notes", {
        "graphs.md":
        "# Message passing on graphs\n\n"
        "Each node gathers the vectors of its neighbours and updates its own from their sum.\n\n"
        "The authors' playground trains small graph models in the browser.\n\n"
        "The code of the Neural GPU paper was released in a public repository.\n",
    })
    answer = ask_notes(tmp_path, [notes],
                       "What GPU did the graph article's authors train their models on?")
    assert answer.abstained is rule, answer.answer


def test_an_acronym_that_is_the_name_itself_still_answers(tmp_path: Path) -> None:
    # "GPU" alone, or named with a word the question holds, is the thing asked about.
    notes = write_notes(tmp_path / "notes", {
        "hardware.md":
            "# Hardware\n\nA GPU runs thousands of small arithmetic units in parallel, which suits "
            "the matrix products of neural network training.\n",
    })
    answer = ask_notes(tmp_path, [notes], "Why is a GPU good for training neural networks?")
    assert not answer.abstained, answer.answer


@pytest.mark.parametrize("rule", [True, False])
def test_where_to_get_something_is_answered_by_a_list_item(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # review39b: "Where do I get pretrained checkpoints for audio?" was refused its list item
    # by `unlisted` (the question gives none of the item's name). Rule off, refused again.
    # Our own words.
    monkeypatch.setattr(ask_module, "WHERE_TO_GET", rule)
    notes = write_notes(tmp_path / "notes", {
        "hubs.md":
                "# Model hubs\n\n"
                "- Open Weights Shelf - pretrained checkpoints for text, images and audio\n"
                "- Loop Kit - a training loop with logging and early stopping\n",
        "audio.md":
                "# Audio features\n\nA spectrogram shows how the energy of a sound is spread over "
                "frequencies through time.\n",
    })
    answer = ask_notes(tmp_path, [notes], "Where do I get pretrained checkpoints for audio?")
    assert answer.abstained is not rule, answer.answer
    if rule:
        assert "Open Weights Shelf" in answer.answer, answer.answer


@pytest.mark.parametrize("rule", [True, False])
def test_how_a_cost_grows_is_not_answered_by_something_else_growing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpora: Path, rule: bool) -> None:
    # Distill's Gaussian process article says the uncertainty "grows as we move further away"
    # from the training data; it never says what the regression costs (a tune leak of
    # bench/ask.py since fresh19). Rule off, the uncertainty sentence answers again.
    monkeypatch.setattr(ask_module, "COST_ASKED", rule)
    answer = ask_notes(tmp_path, [corpora / "distill-articles"],
                       "How does the cost of Gaussian process regression grow with the number "
                       "of training points?")
    assert answer.abstained is rule, answer.answer


def test_how_a_cost_grows_is_answered_by_its_order(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "gp.md":
            "# Gaussian process regression\n\nExact inference inverts the kernel matrix of the "
            "training points, so its cost grows cubically with their number.\n",
    })
    answer = ask_notes(tmp_path, [notes], "How does the cost of Gaussian process regression "
                                          "grow with the number of training points?")
    assert not answer.abstained and "cubically" in answer.answer, answer.answer


def test_a_stub_search_did_not_return_is_still_named(tmp_path: Path) -> None:
    # "What does feature learning replace in a machine learning pipeline?" was answered by
    # the data augmentation entry: the title-only "Feature learning" was not among search's
    # hits (a tune leak of bench/ask.py's fresh30, which now abstains). Its name is looked up
    # from the question's words, found or not; an entry with text is no stub. Our own words.
    from grimoire.ask import unfound_stubs

    notes = write_notes(tmp_path / "notes", {
        "feature-learning.md": "---\ntitle: Feature learning\n---\n",
        "machine-learning.md":
                "---\ntitle: Machine learning\n---\nMachine learning fits a model's parameters to "
                "examples instead of writing its rules by hand.\n",
    })
    with ingested(tmp_path / "notes.db", str(notes)) as kb:
        question = "What does feature learning replace in a machine learning pipeline?"
        assert unfound_stubs(kb.searcher.store, question) == ["feature learning"]
