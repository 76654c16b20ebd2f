"""A semantic search starts loading its model before it brings the store current (cold start,
issue 14), and only when the store has vectors to compare the query with."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire.embed import MiniLM

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_model_loads_ahead_only_when_the_search_will_embed(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    model = MiniLM()  # its own instance, so its loading can be seen
    with grimoire.open(db, embedder=model) as kb:
        kb.ingest([EXAMPLES / "vault"], embed=False)
        # No vectors yet: a hybrid search is lexical, and loads no model at all.
        assert kb.search("low-rank adaptation", mode="hybrid")
        assert model._sessions == {}
        kb.embed()
    model = MiniLM()
    with grimoire.open(db, embedder=model) as kb:
        kb.searcher.prepare("lexical")
        kb.searcher.prepare("hybrid")
        kb.searcher._worker().submit(lambda: None).result()  # one worker: the load is done
        assert list(model._sessions) == [True]  # the query session, made ahead
        hits = kb.search("fine-tune a big model with two low-rank matrices", mode="hybrid")
        assert hits and list(model._sessions) == [True]
        assert kb.search("perplexity", mode="semantic")
