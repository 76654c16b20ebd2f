"""Round 45: a sentence of the best one's passage that scores nearly as well is read before a
lower one of it and before another passage's (`NEAR`); a question that asks which version of
something is not answered by sentences that give none (`VERSION_ASKED`), nor one that asks for
a year by an example's year (`EXAMPLE_UNDATED`). Each rule off, the answer is what it was
before."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire
import grimoire.ask as ask_module
import grimoire.ask.extractive as extractive


def test_round45_near_sentence_and_version_asked(
        tmp_path: Path, corpora: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = corpora / "google-ml-glossary-vault"
    losses = "How do you tell the DPO trainer to mix several loss functions?"
    python = "Which Python version was the gradient boosting code tested with?"
    tpu = "Which TPU version does a v2-8 TPU type have?"
    added = "In what year was hallucination added to Google's machine learning glossary?"
    with grimoire.open(tmp_path / "notes.db") as kb:
        kb.ingest([str(corpora / "hf-docs" / "trl" / "dpo_trainer.md"),
                   *(str(vault / name) for name in ("gradient boosting.md", "TPU type.md",
                                                        "hallucination.md"))])
        for rule in (True, False):
            monkeypatch.setattr(extractive, "NEAR", 0.85 if rule else 9.0)
            monkeypatch.setattr(ask_module, "VERSION_ASKED", rule)
            monkeypatch.setattr(ask_module, "EXAMPLE_UNDATED", rule)
            # The DPO page's fourth sentence on combined losses answers; without `NEAR` the
            # second, which scores lower, joins the first as its neighbour, and a sentence of
            # another passage fills the rest (fresh35, tune).
            near = kb.ask(losses)
            assert ("weights as lists" in near.answer) is rule, near.answer
            assert any(c.span.path.endswith("dpo_trainer.md") for c in near.citations)
            # No note gives a Python version (fresh34's and fresh35's leaks asked the cheat
            # sheet for a NumPy and a Python version); the TPU entry names its versions.
            asked = ask_module.gather(kb.searcher, python)
            assert ask_module.unversioned(python, asked) is rule
            given = kb.ask(tpu)
            assert not given.abstained and "v2" in given.answer, given.answer
            assert not ask_module.unversioned(tpu, ask_module.gather(kb.searcher, tpu))
            # The hallucination entry's only year is its example's, "Barack Obama died in
            # 1865" (fresh32, tune).
            dated = ask_module.gather(kb.searcher, added)
            assert "1865" in " ".join(s.text for s in dated.sentences[:3])
            assert ask_module.undated(added, dated) is rule
