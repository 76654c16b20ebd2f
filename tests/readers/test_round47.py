"""Round 47 (read47): a title that opens with an article keeps its last word.

"The Lean Startup" (a book in a public Logseq graph) was labelled "The Lean", its last word
taken for a kind word as in "PPO Algorithm"; "The PPO Algorithm" became "The PPO". After an
article the words are one title: the kind is split off only from a bare name. Names written
here."""

from __future__ import annotations

from grimoire.resolve.merge import labelled


def test_a_title_after_an_article_keeps_its_kind_word() -> None:
    for title in ("The Lean Startup", "The PPO Algorithm", "A Tiny Transformer Model",
                  "An Adaptive Gradient Method"):
        assert labelled(title) == (title, None)
    # a bare name still sheds its kind word
    assert labelled("PPO Algorithm") == ("PPO", "Algorithm")
