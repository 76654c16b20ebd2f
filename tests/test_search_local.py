"""LOCAL_LIFT's texts of candidates, kept between queries while the store does not change."""

from __future__ import annotations

from pathlib import Path

import grimoire

QUERY = ("a rule that keeps any single update from growing too large, so that one bad batch "
         "cannot wreck the weights during the training of a network")


def _texts(kb: grimoire.Grimoire) -> str:
    return " ".join(text for _, text in kb.searcher._local_memo[1].values())


def test_the_local_texts_are_kept_and_follow_an_edited_note(tmp_path: Path) -> None:
    # A description's lift reads its candidates' names and opening words (`_local_texts`):
    # kept for the next description, whose candidates are mostly the same neighbours, and
    # read again once a note changes (an edited page lifts by what it says now).
    notes = tmp_path / "notes"
    notes.mkdir()
    clipping = notes / "gradient clipping.md"
    clipping.write_text("Capping the norm of each gradient before the step is taken, so that "
                        "one bad batch cannot blow the weights up.\n")
    (notes / "weight decay.md").write_text("Shrinking every weight a little at each step: a "
                                           "penalty on large weights that keeps a model "
                                           "simple.\n")
    (notes / "learning rate.md").write_text("How far each step of gradient descent moves the "
                                            "weights; too large and training diverges.\n")
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes])
        first = kb.search(QUERY, k=3)
        assert "capping" in _texts(kb).casefold()
        kept = dict(kb.searcher._local_memo[1])
        assert kb.search(QUERY, k=3) == first  # the same hits from the kept texts
        assert kb.searcher._local_memo[1] == kept
        clipping.write_text("Limiting the norm of each gradient before the step is taken, so "
                            "that one bad batch cannot blow the weights up.\n")
        kb.ingest([notes])
        kb.search(QUERY, k=3)
        assert "limiting" in _texts(kb).casefold()
        assert "capping" not in _texts(kb).casefold()
