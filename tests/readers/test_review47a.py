"""Round 47 (review47a): qa47's rule that an alias two notes list merges neither, met as a
user with two sources meets it. One store of a few notes, no vectors, built once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import ingested, write_notes

NOTES = {
    # A glossary titles a page by the long name; two vaults' notes list it as an alias.
    "glossary/adaptive-moment-estimation.md": (
        "# Adaptive Moment Estimation\n\nAdaptive moment estimation is an optimizer that "
        "keeps decaying averages of past gradients and of their squares.\n"),
    "vault-one/adam.md": (
        "---\ntitle: Adam\naliases: [Adaptive Moment Estimation]\n---\n\n# Adam\n\nAdam "
        "steps each weight by its own rate, from running averages of the gradient.\n"),
    "vault-two/adam-optimiser.md": (
        "---\ntitle: Adam optimiser notes\naliases: [adaptive moment estimation]\n---\n\n"
        "# Adam optimiser notes\n\nThe optimiser I use by default; it rarely needs its "
        "learning rate tuned.\n"),
    # Two folders hold a note of one file name: a link by that name stays ambiguous.
    "vault-one/dropout/notes.md": (
        "---\ntitle: Dropout\naliases: [unit dropping]\n---\n\n# Dropout\n\nDropout zeroes "
        "random units while training.\n"),
    "vault-one/pruning/notes.md": (
        "---\ntitle: Pruning\naliases: [unit dropping]\n---\n\n# Pruning\n\nPruning removes "
        "the weights that matter least after training.\n"),
    "vault-one/guide.md": "# Guide\n\nSee [[notes]] and [[unit dropping]].\n",
}


def test_an_alias_two_notes_list_still_joins_the_page_it_titles(tmp_path: Path) -> None:
    """Two notes listing "Adaptive Moment Estimation" as an alias, and a page titled so: on
    the merge (qa47's rule) neither note joined the page, three concepts for Adam; the rule
    says an alias that is another note's title still joins it (main: one concept)."""
    notes = write_notes(tmp_path / "notes", NOTES)
    kb: Any
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        adam = kb.concept("Adam")
        assert adam.label == "Adaptive Moment Estimation"
        assert sorted(e.entry.span.path.rsplit("/", 2)[-2] for e in adam.entries) == [
            "glossary", "vault-one", "vault-two"]
        assert kb.concept("Adam optimiser notes").label == adam.label
        # a keyword alias two notes share, no page titled by it: two concepts, as qa47 made it
        assert kb.concept("Dropout").label != kb.concept("Pruning").label
        # a link by a file name two folders share leads to neither
        assert [m.span.path.rsplit("/", 1)[-1] for m in kb.backlinks("Dropout")] == []
