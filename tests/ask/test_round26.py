"""Ask, round 26: a who-question whose subject the notes never name abstains (a public vault
answered "who invented the transformer?" from a worked example's "who invented the
telephone?"), in notes of our own of the same shape."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes

MULTI_HOP = """# Multi-hop Retrieval

A multi-hop question needs two lookups, the second built on what the first returned.

## Worked example

Question: "Which river runs through the capital of the country that invented paper money?"
Model output: "First I must find out: who invented paper money?"
Lookup: 'who invented paper money' Result: China, under the Song dynasty.
Lookup: 'capital of China' Result: Beijing, on no great river.
"""

DROPOUT = """# Dropout

Dropout zeroes a random share of a layer's units at each training step, so that no unit can
rely on another. Dropout was proposed by a Toronto group in 2012 for large image networks.
"""


def test_who_made_a_thing_the_notes_never_name_abstains(tmp_path: Path) -> None:
    notes = [tmp_path / "multi-hop.md", tmp_path / "dropout.md"]
    notes[0].write_text(MULTI_HOP, encoding="utf-8")
    notes[1].write_text(DROPOUT, encoding="utf-8")
    leak = ask_notes(tmp_path, notes, "Who invented the telephone?")
    assert leak.abstained, leak.answer
    answer = ask_notes(tmp_path, notes, "Who proposed dropout?")
    assert not answer.abstained
    assert "Toronto group" in answer.answer
