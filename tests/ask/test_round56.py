"""Round 56: a "why" question's clip keeps the clause that gives the reason (`CLIP_CAUSE`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask.extractive as extractive

# One sentence of 50 words: its opening holds as much of the question as the run that ends on
# the reason, so without the rule the first run is kept (`CLIP_FIRST`) and the reason is cut.
BATCHES = """# Batch size

## Large batches

Large batches are quick to train on since each step sees many examples at once, but they
tend to generalise worse to unseen data and will often settle in a sharp minimum because the
gradient noise that pushes a model out of sharp minima shrinks as a batch grows large.
"""

REASON = "because the gradient noise that pushes a model out of sharp minima shrinks"


@pytest.mark.parametrize("on", [False, True])
def test_a_why_question_keeps_the_clause_that_gives_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    import grimoire
    from grimoire.ask import gather

    note = tmp_path / "batches.md"
    note.write_text(BATCHES, encoding="utf-8")
    question = "Why do large batches generalise worse?"
    with grimoire.open(tmp_path / "notes.db") as kb:
        kb.ingest([str(note)])
        evidence = gather(kb.searcher, question)
    sentence = next(s for s in evidence.sentences if s.text.startswith("Large batches are"))
    assert len(sentence.text.split()) > extractive.MAX_WORDS
    monkeypatch.setattr(extractive, "CLIP_CAUSE", on)
    piece = extractive.clip(sentence, evidence.question, 36)
    assert piece is not None
    assert "generalise worse" in piece.text, piece.text
    assert (REASON in piece.text) is on, piece.text
