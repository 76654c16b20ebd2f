"""Round 24: what a public collection of plain Markdown notes (written by someone else, read
from a GitHub copy) gave as false names, each shape rebuilt here in our own words.

- Section headings numbered by their page ("## 1. Sentiment Analysis", "### 7.11. Toolkits")
  named their entries with the number: `show "Sentiment Analysis"` found nothing, and the
  concept never met its namesakes in other notes.
- An extensionless file read as plain text, opening with a table, was named by the table's
  first row ("| | Savings | Savings |").
- A topic note kept as `general.md` in the topic's folder made a concept called "general".
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from tests.readers.conftest import write_notes

PIPELINES = """# Ready-made pipelines

A pipeline wraps a tokenizer and a model behind one call.

## Tasks

### 1. Sentiment Analysis

Sentiment analysis labels a sentence as positive or negative, with a score for the label.

### 2.3 Zero-Shot Classification

Zero-shot classification scores a text against labels the model was never trained on, by entailment.

### 4) Summarization

Summarization writes a shorter text that keeps what the longer one says.

### 3D Convolution

A 3D convolution slides a cube-shaped kernel over a volume: depth is one more dimension.
"""


def test_a_numbered_section_is_named_without_its_number(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "pipelines.md": PIPELINES,
        "sentiment.md": "# Sentiment Analysis\n\nFinding whether a text is for or against.\n",
    })
    kb.ingest([notes], embed=False)
    terms = {e.entry.term for e in kb.entries()}
    assert {"Sentiment Analysis", "Zero-Shot Classification", "Summarization"} <= terms
    assert not [t for t in terms if t[:1].isdigit() and t != "3D Convolution"]
    assert "3D Convolution" in terms  # a number that is part of a name stays
    # The numbered section and the note of the same name are one concept now.
    concept = kb.concept("Sentiment Analysis")
    assert {Path(e.entry.span.path).name for e in concept.entries} == {"pipelines.md",
                                                                      "sentiment.md"}
    line = PIPELINES.splitlines().index("### 1. Sentiment Analysis") + 1
    # Its text starts on the line after the blank one below the heading.
    assert any(e.entry.span.start_line == line + 2 for e in concept.entries)


def test_a_numbered_vault_note_keeps_its_file_name_for_links(kb: Grimoire, tmp_path: Path) -> None:
    """A page named by its file ("2. Attention.md") is found by its name without the number,
    and a link that writes the file's name still leads to it: no wanted page."""
    notes = write_notes(tmp_path / "vault", {
        "2. Attention.md": "Attention weighs every input by its relevance to the query.\n",
        "Transformer.md": "A transformer stacks layers of [[2. Attention]] and MLPs.\n",
    })
    (notes / ".obsidian").mkdir()
    kb.ingest([notes], embed=False)
    assert Path(kb.concept("Attention").entries[0].entry.span.path).name == "2. Attention.md"
    assert kb.wanted() == []
    assert [m.span.path for m in kb.backlinks("Attention")] == [str(notes / "Transformer.md")]


def test_a_text_file_opening_with_a_table_is_named_by_its_file(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes", {
        "knn-vs-trees": "| | k-NN | trees |\n| --- | --- | --- |\n| training | none | slow |\n",
        "kernels": "Kernel trick\n\nA kernel computes an inner product in a feature space.\n",
        "margins": "- wide margins generalise better\n- support vectors set the margin\n",
    })
    kb.ingest([notes], embed=False)
    titles = {Path(e.entry.span.path).name: e.document_title for e in kb.entries()}
    assert titles == {"knn-vs-trees": "knn-vs-trees", "kernels": "Kernel trick",
                      "margins": "margins"}
    assert sorted(e.entry.term for e in kb.entries()) == ["Kernel trick", "knn-vs-trees",
                                                          "margins"]


def test_a_note_called_general_is_no_concept_called_general(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes", {
        "pca/general.md": "Principal component analysis projects data onto the directions of "
                          "largest variance.\n",
        "tsne/general.md": "# t-SNE\n\nKeeps near neighbours near in two dimensions.\n",
    })
    kb.ingest([notes], embed=False)
    terms = {e.entry.term for e in kb.entries()}
    assert "general" not in {t.casefold() for t in terms}
    assert "t-SNE" in terms
