"""Round 47: "what is X used for?" asks for a purpose (`PURPOSE_ASKED`); an acronym beside a
capitalised word of the question is a word of a name there (`ACRONYM_NAMED`). Each rule off,
the answer is what it was before."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask as ask_module
import grimoire.ask.extractive as extractive
from tests.conftest import reading, shared_store

NOTES = ["ml-glossary-terms/terms/multiple-crops-at-test-time.md",
         "google-ml-glossary-vault/Metrics API (tf.metrics).md"]


def test_round47_purpose_and_named_acronym(
        corpora: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with reading(shared_store([str(corpora / n) for n in NOTES])) as kb:
        crops = "What are multiple crops at test time used for?"
        assert extractive._cue("Why use multiple crops?") is extractive._PURPOSE
        for rule in (True, False):
            monkeypatch.setattr(extractive, "PURPOSE_ASKED", rule)
            assert (extractive._cue(crops) is not None) is rule
            answer = kb.ask(crops).answer
            assert ("use to improve accuracy" in answer) is rule, answer
        metrics = "What is the Metrics API, tf.metrics, for?"
        for rule in (True, False):
            monkeypatch.setattr(ask_module, "ACRONYM_NAMED", rule)
            said = kb.ask(metrics)
            assert said.abstained is not rule, said.answer
            if rule:
                assert "API for evaluating models" in said.answer, said.answer
        # "GPU" after the question's first word is no part of a name (round 40's leak)
        words = ["What", "GPU", "did", "the", "GNN", "article", "use"]
        assert not ask_module._in_asked_name(words, 1)
        assert ask_module._in_asked_name(["What", "is", "the", "Metrics", "API"], 4)
