"""Round 27: ask on a public course's notes, each shape rebuilt here in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes

DECODING = """# Decoding

The network gives a probability for every word of the vocabulary at each step.

Taking the likeliest word each time is not always best. You can keep the few likeliest
partial sentences at every step and extend each of them, keeping the best few again. Doing
this is called beam search.

The sentence with the highest total probability at the end wins.
"""


def test_a_sentence_that_only_names_what_the_one_before_says_brings_it(tmp_path: Path) -> None:
    # "How does beam search work?" was answered "Doing this is called beam search.": the
    # sentence that says what "this" is came first in the notes and was left out.
    note = tmp_path / "decoding.md"
    note.write_text(DECODING, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "How does beam search work?")
    assert not answer.abstained
    assert "keep the few likeliest partial sentences" in answer.answer, answer.answer
    assert answer.answer.index("keep the few") < answer.answer.index("Doing this is called")


KMEANS = """**K-Means** is a clustering algorithm. It splits a dataset into K groups by the
distance of each point to the nearest group centre.
"""


def test_a_name_joined_to_a_letter_is_asked_by_its_words(tmp_path: Path) -> None:
    # A public vault: "How does K-Means work?" was answered, "How does k-means work?"
    # abstained: a lone lower-case letter and "means" (a stopword of "what does X mean?")
    # left the question no word to look for.
    note = tmp_path / "K-Means.md"
    note.write_text(KMEANS, encoding="utf-8")
    for question in ("How does k-means work?", "How does K-Means work?"):
        answer = ask_notes(tmp_path, [note], question)
        assert not answer.abstained, question
        assert "clustering algorithm" in answer.answer
