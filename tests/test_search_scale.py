"""Lexical search on a store large enough that words found nearly everywhere are left out.

From 4,000 passages, a word found in more than 1 passage in 50 (at least 2,000) is dropped from
the full-text query when rarer words remain: its bm25 weight is near zero, and scoring every
passage that holds it is what made a query slow at 100k passages (bench/scale.py). A query of
common words only keeps its rarest, as many as match the store's `lexical_rows` passages in all
(10,000 here on every engine; PostgreSQL's own is smaller, its rows being dearer). The store
is written through the store API in one transaction (a markdown folder of this size would take
a minute to ingest for what these tests need).
"""

from __future__ import annotations

import pytest

import grimoire
from grimoire.model import Document, Passage, Span
from grimoire.store.base import SourceRecord

NOTES = 500
PER_NOTE = 10  # 5,000 passages: above the 4,000 from which common words are dropped
BUDGET = 10_000  # passages bm25 may rank


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> grimoire.Grimoire:
    """Every passage says "model number" (heading "Part"); one in 2 also "even", one in 100
    "gradient"; one passage "quokka"."""
    path = tmp_path_factory.mktemp("scale") / "kb.db"
    kb = grimoire.open(path)
    kb.store.lexical_rows = BUDGET  # the figures below are worked out for it
    with kb.store.transaction():
        for d in range(NOTES):
            file = f"/notes/note{d:04d}.md"
            passages = []
            for p in range(PER_NOTE):
                n = d * PER_NOTE + p
                words = [f"model number {n}"]
                if n % 2 == 0:
                    words.append("even")
                if n % 100 == 0:
                    words.append("gradient")
                if n == 4321:
                    words.append("quokka")
                passages.append(Passage(text=" ".join(words), span=Span(file, p + 1, p + 1),
                                        heading_path=(f"Part {p}",)))
            kb.store.replace_source(
                SourceRecord(path=file, status="ok", format="markdown", sha256=str(d),
                             root="/notes"),
                [Document(path=file, format="markdown", title=f"Note {d}",
                          passages=tuple(passages))])
    return kb


def test_a_rare_word_beside_a_common_one_is_what_is_searched(kb: grimoire.Grimoire) -> None:
    # "model" is in every passage: only "quokka" is searched.
    hits = kb.search("model quokka", mode="lexical")
    assert [h.span.path for h in hits] == ["/notes/note0432.md"]


def test_a_typo_beside_a_common_word_still_finds_the_common_word(
    kb: grimoire.Grimoire,
) -> None:
    # The misspelt word is in no passage, nor near one ("qokka" is now read as "quokka", a
    # second-letter typo): dropping "model" as too common left nothing to search, and a query
    # that finds results on a small store found none on a large one.
    hits = kb.search("gradient xylph", mode="lexical", k=5)
    assert len(hits) == 5 and all("gradient" in h.text for h in hits)
    hits = kb.search("model xylph", mode="lexical", k=5)
    assert len(hits) == 5 and all("model" in h.text for h in hits)


def test_a_query_of_common_words_keeps_its_rarest_within_the_row_budget(
    kb: grimoire.Grimoire,
) -> None:
    # Every word is in 2,500 passages or more. "even" (2,500) is the rarest; one of the words
    # in all 5,000 fits beside it, a third would pass the budget: 12,500 passages to rank.
    kept = kb.searcher._prune_common(["number", "model", "even", "part"])
    assert kept == ["even", "number"]
    counts = kb.store.term_counts(kept, BUDGET + 1)
    assert sum(counts.values()) <= BUDGET
    hits = kb.search("part number model even", mode="lexical", k=5)
    assert len(hits) == 5 and all("even" in h.text for h in hits)


def test_ties_keep_the_query_order_and_a_word_in_no_passage_is_never_kept(
    kb: grimoire.Grimoire,
) -> None:
    # Three words in all 5,000 passages: the first two fill the budget exactly.
    assert kb.searcher._prune_common(["model", "number", "part"]) == ["model", "number"]
    # A typo is in no passage: the common word does the work; two typos are searched as typed.
    assert kb.searcher._prune_common(["model", "zzqx"]) == ["model"]
    assert kb.searcher._prune_common(["zzqx", "qqzx"]) == ["zzqx", "qqzx"]
