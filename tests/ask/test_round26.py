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


ATTENTION = """# Attention

Attention lets each token weigh every other token.

## Transformer

A transformer stacks attention layers with feed-forward layers between them. It reads a whole
sequence at once.
"""

ADAM = """# Adam

Adam keeps running averages of the gradient and its square. Kingma and Ba introduced it in 2014.
"""


def test_who_made_a_thing_the_notes_define_but_never_credit_abstains(tmp_path: Path) -> None:
    # The notes define the transformer and never say who made it: the definition was the
    # answer. A maker the notes do name is found, also when the question says more of the
    # thing than the sentence does ("the Adam optimizer" of a page on Adam).
    notes = [tmp_path / "attention.md", tmp_path / "adam.md"]
    notes[0].write_text(ATTENTION, encoding="utf-8")
    notes[1].write_text(ADAM, encoding="utf-8")
    leak = ask_notes(tmp_path, notes, "Who invented the transformer?")
    assert leak.abstained, leak.answer
    for question in ("Who introduced Adam?", "Who proposed the Adam optimizer?"):
        answer = ask_notes(tmp_path, notes, question)
        assert not answer.abstained, question
        assert "Kingma and Ba" in answer.answer, answer.answer
