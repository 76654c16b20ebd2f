"""Round 48: the words a reply frees go to the sentences that would have joined
(`REPLY_REFILL`); the claim an example illustrates answers before the example
(`EXAMPLE_CLAIM`); a title-only entry the best sentence writes is spoken of (`STUB_IN_BEST`).
Each rule off, the answer is what it was before."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask as ask_module
import grimoire.ask.extractive as extractive
from tests.conftest import reading, shared_store


def test_round48_reply_refill(corpora: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The t-SNE article's own question ("..., can we always set perplexity to 50 ...?", 25
    # words) was chosen with a sentence on perplexity after it; its reply took the place of
    # both, and the 23 words left stayed empty (on the whole collection the sentence on
    # perplexity 100 now fills them; on the article alone a nearer one does). The same store
    # as tests/ask/test_round21.py and tests/test_ask_acronyms.py (the article alone).
    page = str(corpora / "distill-articles" / "misread-tsne.html")
    question = "In the t-SNE article, what goes wrong in the picture when perplexity is set to 100?"
    with reading(shared_store([page])) as kb:
        for rule in (True, False):
            monkeypatch.setattr(extractive, "REPLY_REFILL", rule)
            said = kb.ask(question)
            assert said.answer.startswith("Sadly, no. If we add more points"), said.answer
            assert "can we always set perplexity" not in said.answer, said.answer
            assert (len(said.citations) > 1) is rule, said.answer
            assert all("perplexity" in c.quote for c in said.citations), said.answer
            assert len(said.answer.split()) <= 40 + len(said.citations)  # the marks


def test_round48_claim_before_example_and_stub_in_best(
        corpora: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = [str(corpora / "google-ml-glossary-vault" / "class-imbalanced dataset.md"),
             str(corpora / "ml-glossary-terms" / "terms" / "dropout.md"),
             str(corpora / "ml-glossary-terms" / "terms" / "model-averaging.md")]
    with reading(shared_store(notes)) as kb:
        question = "Can a dataset with more than two classes be class-imbalanced?"
        for rule in (True, False):
            monkeypatch.setattr(extractive, "EXAMPLE_CLAIM", rule)
            answer = kb.ask(question).answer
            assert ("Multi-class datasets can also be class-imbalanced" in answer) is rule, answer
            assert "following multi-class classification dataset" in answer, answer
        # model-averaging.md is title-only; the dropout entry says what the question asks
        question = "Why is dropout likened to model averaging?"
        for rule in (True, False):
            monkeypatch.setattr(ask_module, "STUB_IN_BEST", rule)
            said = kb.ask(question)
            assert said.abstained is not rule, said.answer
            if rule:
                assert "analogous to model-averaging" in said.answer, said.answer
        # a stub asked about, which no sentence writes, is still silence
        assert kb.ask("How are the models combined in model averaging?").abstained
