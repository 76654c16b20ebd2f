"""review40b: ask40's rule on acronyms inside names (ACRONYM_IN_NAME) against questions of
other shapes. Notes in our own words."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask as ask_module
from tests.conftest import ask_notes, write_notes


def _language_notes(tmp_path: Path) -> Path:
    """A folder of one note where "GPT, BERT" stand side by side, a comma between them."""
    notes = write_notes(tmp_path / "notes", {
        "language-models.md":
                "# Language models\n\nUnlike GPT, BERT reads each sentence in both directions at "
                "once, so every word sees the words after it as well as those before it.\n\n"
                "A tokenizer splits text into pieces from a fixed vocabulary.\n",
    })
    return notes


@pytest.mark.parametrize("question", [
    "Why does BERT see the words after each word?",
    "Which direction does BERT read in?",
])
def test_an_acronym_beside_another_acronym_is_still_the_thing_asked(
        tmp_path: Path, question: str) -> None:
    # "GPT, BERT": two names side by side (a comma between them), neither a word of the
    # other's name; the sentence is about BERT, the acronym the question asks about.
    assert ask_module.ACRONYM_IN_NAME
    answer = ask_notes(tmp_path, [_language_notes(tmp_path)], question)
    assert not answer.abstained, answer.answer


@pytest.mark.parametrize("question", ["What is BERT?", "Tell me about BERT"])
def test_an_acronym_after_a_comma_is_no_word_of_the_name_before_it(
        tmp_path: Path, question: str) -> None:
    # "Unlike GPT, BERT reads ...": ACRONYM_IN_NAME took "GPT" and "BERT" for one name and
    # refused a question that names BERT alone (review40b).
    assert ask_module.ACRONYM_IN_NAME
    answer = ask_notes(tmp_path, [_language_notes(tmp_path)], question)
    assert not answer.abstained, answer.answer
    assert "both directions" in answer.answer, answer.answer
