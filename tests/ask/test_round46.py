"""Round 46: a formula's legend ("where: $n$ is the number of examples.") joins an answer only
after its formula (`LEGEND`); the words before the verb of "how many ...?" name the thing
counted together (`COUNTED_PHRASE`). Each rule off, the answer is what it was before."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask as ask_module
import grimoire.ask.extractive as extractive
from tests.conftest import ingested, reading, shared_store, write_notes

# Our words, shaped as the cheat sheet's backpropagation page says it (fresh36, tune: refused).
GRADIENT_CHECK = """# Gradient checking

Gradient checking compares the gradients of backpropagation with numerical estimates.

Here are the last 4 formulas that together make up the core of gradient checking.

Each formula nudges one weight by a small step and measures the change in the loss.
"""


def test_round46_legend_and_counted_phrase(
        tmp_path: Path, corpora: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mse = "What does MSE mean?"
    closing = "How many closing formulas does the note say make up the core of gradient checking?"
    entry = corpora / "google-ml-glossary-vault" / "Mean Squared Error (MSE).md"
    # the store tests/test_ask_acronyms.py asks the same question of
    with reading(shared_store([str(entry)])) as kb:
        # The legend's sentences point at the formula they follow: "where:" at the one before
        # it, each "$y$ is ..." after it at the same one.
        scored = ask_module.gather(kb.searcher, mse).sentences
        where = next(s for s in scored if s.text.startswith("where:"))
        symbol = next(s for s in scored if s.text.startswith("$y$ is"))
        formula = next(s for s in scored if s.text.startswith("$$"))
        place = (formula.candidate.passage_id, formula.index)
        assert extractive.legend_formula(scored, where) == place
        assert extractive.legend_formula(scored, symbol) == place
        assert extractive.legend_formula(scored, formula) is None
        for rule in (True, False):
            monkeypatch.setattr(extractive, "LEGEND", rule)
            # The definition leads; without `LEGEND`, `NEAR` joins two lines of the formula's
            # legend after it, the formula left out.
            meant = kb.ask(mse)
            assert "The average loss per example" in meant.answer, meant.answer
            assert ("where:" in meant.answer) is not rule, meant.answer
    notes = write_notes(tmp_path / "notes", {"gradient-checking.md": GRADIENT_CHECK})
    with ingested(tmp_path / "kb.db", notes) as kb:
        for rule in (True, False):
            monkeypatch.setattr(ask_module, "COUNTED_PHRASE", rule)
            # "closing" is no word of the note; "formulas" is.
            assert ("formula" in ask_module._things(closing)) is rule  # type: ignore[operator]
            counted = kb.ask(closing)
            assert counted.abstained is not rule, counted.answer
            if rule:
                assert "last 4 formulas" in counted.answer, counted.answer
        # two things joined by "and": the first is counted, as before
        assert ask_module._things("How many inputs and outputs does a layer have?") == {"input"}
