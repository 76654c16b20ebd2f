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
