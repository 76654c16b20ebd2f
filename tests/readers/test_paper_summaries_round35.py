"""Round 35 (read35b): a folder of paper summaries, each note titled by its paper as a link
to it, then a short summary and generic parts ("Key Points:", "Notes:"), as a new user's
public repository has them; rebuilt here in our own words.

- A title with "Vocabulary for" in it was taken for a glossary's heading, and the note's
  "Key Points:" and "Notes:" became its terms: one concept "Key Points" then gathered the
  "Key Points" sections of every other note (a false merge).
- A bracketed source tag after a title ("[arXiv]", itself a link) stayed in the name.
- A note that opens with its title as a bare link paragraph, no heading, was named by its
  file's slug.
- A HonKit book's slugs keep the heading's curly apostrophe, `,` and `&`: taken for a
  file name that names its note, they named the page instead of its heading.
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from grimoire.readers.conventions import is_generic_heading
from tests.readers.conftest import labels, write_notes

_SUMMARY = ("TLDR; We train a recurrent model whose output layer covers a million words by "
            "sampling a few of them per batch, and decode with a short list per sentence.\n\n")


def test_a_paper_title_saying_vocabulary_for_is_no_glossary(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "papers", {
        "huge-vocab.md": (
            "## [Sampled Softmax over a Huge Vocabulary for Speech Recognition]"
            "(https://arxiv.org/abs/0000.00001)\n\n" + _SUMMARY
            + "#### Key Points:\n\n- Sampling keeps the softmax cheap.\n- Beam width ten.\n\n"
            "#### Notes:\n\n- How was the short list chosen?\n"),
        "other.md": (
            "## [Gated Memory for Long Documents](https://arxiv.org/abs/0000.00002)\n\n"
            "TLDR; A memory that a gate writes to once per paragraph.\n\n"
            "#### Key Points\n\n- The gate is a sigmoid.\n"),
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Sampled Softmax over a Huge Vocabulary for Speech Recognition",
                          "Gated Memory for Long Documents"}


def test_a_source_tag_after_the_title_is_no_part_of_its_name(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "papers", {
        "gated-memory.md": (
            "## Gated Memory for Long Documents [[arXiv](https://arxiv.org/abs/0000.00002)]\n\n"
            "TLDR; A memory that a gate writes to once per paragraph.\n"),
        "route.md": (
            "## [Routing Tokens to Experts](notes/route.md) [[arXiv](https://arxiv.org/abs/1)]"
            "\n\nTLDR; Each token is sent to two of sixty-four experts.\n"),
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Gated Memory for Long Documents", "Routing Tokens to Experts"}
    # found by the name as written too
    assert kb.concept("Routing Tokens to Experts [arXiv]").label == "Routing Tokens to Experts"


def test_a_book_slug_keeping_apostrophes_commas_and_ampersands_is_a_slug(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "book" / "contents", {
        "3.1-the-reviewer\u2019s-view.md": (
            "## 3.1 The reviewer\u2019s view\n\nA reviewer reads the abstract first, then the "
            "figures, and decides within minutes.\n"),
        "5.2-losses,-scores,-and-ranks.md": (
            "### 5.2 Losses, scores, and ranks\n\nA loss is minimised while training; a score "
            "is reported after it.\n"),
        "6.1-slides-&-posters.md": (
            "### 6.1 Slides & posters\n\nA poster holds one figure that a passer-by can read "
            "from two metres.\n"),
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"The reviewer\u2019s view", "Losses, scores, and ranks",
                          "Slides & posters"}


def test_a_note_opening_with_its_paper_as_a_bare_link_is_named_by_the_link(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "papers", {
        "local-attn-mt.md": (
            "[Windowed Attention for Translating Long Sentences](https://arxiv.org/abs/0000.3)"
            "\n\nTLDR; Attention looks at a window of source words around a predicted "
            "position instead of all of them.\n"),
        # a link that names no paper, or a note named by its file in words, keeps its name
        "reading-queue.md": "[pdf](https://example.org/a.pdf)\n\nTo read next week.\n",
        "Beam Search Tricks.md": (
            "[A Survey of Decoding Methods](https://example.org/survey)\n\n"
            "Length penalties keep beams from preferring short outputs.\n"),
    })
    kb.ingest([notes], embed=False)
    assert "Windowed Attention for Translating Long Sentences" in labels(kb)
    assert "local-attn-mt" not in labels(kb)
    assert "A Survey of Decoding Methods" not in labels(kb)


def test_key_points_and_thoughts_are_parts_of_a_summary(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "papers", {
        "Highway Layers.md": ("# Key Points:\n\n- A gate mixes the input with the layer's "
                              "output.\n\n## Thoughts\n\n- Worth trying on our model.\n"),
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Highway Layers"}
    assert is_generic_heading("Key Points:") and is_generic_heading("Thoughts")
    assert not is_generic_heading("Key Point Detection")
