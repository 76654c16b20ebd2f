"""Round 47: a near tie that holds words of the question no chosen sentence holds takes the
room of the best one's other clauses (`ROOM_TIE`); "what is X used for?" asks for a purpose
(`PURPOSE_ASKED`); an acronym beside a capitalised word of the question is a word of a name
there (`ACRONYM_NAMED`). Each rule off, the answer is what it was before."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask as ask_module
import grimoire.ask.extractive as extractive
from tests.conftest import reading, shared_store

NOTES = ["ml-glossary-terms/terms/pca-color-augmentation.md",
         "ml-glossary-terms/terms/multiple-crops-at-test-time.md",
         "google-ml-glossary-vault/Metrics API (tf.metrics).md"]


def test_round47_room_for_tie_purpose_and_named_acronym(
        corpora: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with reading(shared_store([str(corpora / n) for n in NOTES])) as kb:
        usual = "In the PCA color augmentation entry, what is a usual way image-recognition " \
                "datasets are augmented?"
        for tie in (extractive.ROOM_TIE, 9.0):
            monkeypatch.setattr(extractive, "ROOM_TIE", tie)
            answer = kb.ask(usual).answer
            # The 12-word near tie names image recognition; the best sentence (31 words, on
            # color balance) is cut to its clauses that hold the question beside it.
            assert ("flipped vertically or horizontally" in answer) is (tie < 1), answer
            assert "color balance" in answer, answer
            assert len(answer.split()) <= 44, answer  # 40 words and the citation marks
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
