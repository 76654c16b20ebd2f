"""The sentence vectors ask keeps between questions, with the real embedding model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import grimoire
from grimoire.ask.vectors import SPLIT_AT, SentenceVectors
from grimoire.embed import MiniLM, default_embedder


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return default_embedder()


TEXTS = [
    "what does LoRA replace an N x M weight update with?",
    "LoRA: it emulates an [N, M] matrix with the product of two low-rank matrices",
    "Dropout zeroes random activations while training so units do not co-adapt.",
    "Perplexity is related to cross-entropy.",
    "A technique to add information about the position of a token in a sequence to the "
    "token's embedding, so that the model can tell the order of the words apart.",
    "Momentum",
    "Gradient descent takes a step against the gradient of the loss.",
]


@pytest.mark.no_store
def test_kept_vectors_are_the_models_vectors(model: MiniLM) -> None:
    assert len(TEXTS) >= SPLIT_AT  # the batch is cut in two by length
    kept = SentenceVectors(limit=100)
    first = kept.embed(model, TEXTS)
    direct = model.embed(TEXTS)
    assert first.shape == (len(TEXTS), model.dim)
    assert np.allclose(first, direct, atol=1e-3)
    again = kept.embed(model, list(reversed(TEXTS)))
    assert np.array_equal(again, first[::-1])  # served from what was kept, in the order asked
    assert len(kept) == len(TEXTS)


@pytest.mark.no_store
def test_the_least_recently_used_vectors_go_first(model: MiniLM) -> None:
    kept = SentenceVectors(limit=3)
    kept.embed(model, TEXTS[:3])
    kept.embed(model, TEXTS[:1])  # used again: stays
    kept.embed(model, TEXTS[3:5])
    assert len(kept) == 3
    names = {t for _, t in kept._vectors}
    assert names == {TEXTS[0], TEXTS[3], TEXTS[4]}
    assert kept.embed(model, []).shape == (0, model.dim)


class _Counting:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, model: MiniLM) -> None:
        self.model = model
        # A name of its own: the sentence vectors ask keeps between questions are keyed by
        # model name, and another test may have asked the same question of the real model.
        self.name = f"{model.name}+counting"
        self.dim = model.dim
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], **options: Any) -> np.ndarray:
        self.texts.extend(texts)
        return self.model.embed(texts, **options)


def test_the_question_is_embedded_once_per_ask(model: MiniLM, tmp_path: Path,
                                               seeds: Path) -> None:
    counting = _Counting(model)
    with grimoire.open(tmp_path / "kb.db", embedder=counting) as kb:
        kb.ingest([str(seeds)])
        kb.embed()
        # Asked by no other test: the kept sentence vectors are shared by the process.
        question = "which two smaller matrices stand in for LoRA's N x M weight update here?"
        answer = kb.ask(question)
    assert not answer.abstained
    assert counting.texts.count(question) == 1, counting.texts.count(question)
    assert len(counting.texts) > 1  # the sentences were weighed by meaning too
