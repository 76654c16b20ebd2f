"""Ask on real notes, round 22 (bench/questions/README.md, "Findings, round 22"): "the idea
behind X" asks about X."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.ask import subject_missing
from grimoire.ask.extractive import Scored
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


def _scored(text: str, concept: str | None = None) -> Scored:
    cand = Candidate(1, text, Span("/notes/n.md", 1, 1), "n", (), concept, None, 1.0, "search")
    return Scored(cand, 0, text, text, 0, len(text), 1.0, 0.0, 1.0, frozenset(), False, 1.0)


@pytest.mark.no_store
def test_aspect_words_before_behind_and_for() -> None:
    # Sentences written here. The aspect word ("idea", "motivation", "rationale") need not
    # be in the answer; the thing asked about must.
    said = _scored("The premise behind bagging is to average many noisy models.")
    assert not subject_missing("What is the idea behind bagging?", said)
    assert not subject_missing("What is the motivation for bagging?", said)
    assert not subject_missing("What is the rationale behind bagging?", said)
    assert subject_missing("What is the idea behind boosting?", said)
