"""Ask on real notes, round 22 (bench/questions/README.md, "Findings, round 22"): "the idea
behind X" asks about X, and a why-question's long sentence keeps the clause that gives the
reason when it is clipped to the answer's 40 words."""

from __future__ import annotations

from pathlib import Path

from grimoire.ask.extractive import Question, Scored, clip, stem
from grimoire.ask.retrieve import Candidate
from grimoire.model import Span
from tests.conftest import ask_notes, assert_quoted, span_of


def test_the_idea_behind_a_thing_asks_about_the_thing(tmp_path: Path, corpora: Path) -> None:
    # The notes say "The premise behind dropout is ...": the question's "idea" is an aspect
    # word, as "the idea of X" already was, and the answer was refused because no sentence
    # about dropout said "idea".
    page = corpora / "ml-cheatsheet-rst" / "layers.rst"
    answer = ask_notes(tmp_path, [page], "What is the idea behind dropout?")
    assert_quoted(answer, span_of(page, "The premise behind dropout", "into a layer"))


def test_why_keeps_the_reason_clause(tmp_path: Path, corpora: Path) -> None:
    # The one sentence that answers is longer than the answer may be; its clauses that hold
    # the question's words were kept, and the reason ("because the model will have less
    # context ...") that ends it was cut.
    page = corpora / "hf-docs" / "transformers" / "perplexity.md"
    answer = ask_notes(tmp_path, [page],
                       "Why is perplexity worse when I score a text in separate chunks?")
    assert_quoted(answer, span_of(page, "because the model will have less context", "steps"))


def _scored(text: str) -> Scored:
    cand = Candidate(1, text, Span("/notes/n.md", 1, 1), "n", (), None, None, 1.0, "search")
    return Scored(cand, 0, text, text, 0, len(text), 1.0, 0.0, 1.0, frozenset(), False, 1.0)


def test_clip_for_why_and_for_what() -> None:
    # Sentences written here: the same long sentence, clipped to 20 words. A why-question
    # keeps the run with the reason clause; another question the run with more of its words.
    text = ("Long chains of thought are slow to sample on small devices with little memory, "
            "but they score better on hard puzzles because every step can be checked "
            "against the rules.")
    # The first clause holds 1.5 of the question's weight, the second 1.0 and the reason.
    stems = {stem("chains"): 1.0, stem("slow"): 0.5, stem("puzzles"): 1.0}
    why = clip(_scored(text), Question("Why are chains of thought slow on puzzles?", stems), 20)
    what = clip(_scored(text), Question("What are chains of thought slow on?", stems), 20)
    assert why is not None and what is not None
    assert "because every step can be checked" in why.text, why.text
    assert "because" not in what.text, what.text
