"""Round 34 (myst34): MyST Markdown, as Jupyter Book and myst-parser render it, read as its
reader sees it. A MyST book's chapters were read as plain Markdown (qa34): roles showed as
"{dfn}term", a `:::{note}` block was a paragraph of its own markers, a `(label)=` line opened
a page (and kept its chapter from its definition), and `[text](#label)`, a reference to a
label of any chapter, was a link to the page itself: a chapter was "mentioned in" itself.
The notes here are our own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.knowledge import Grimoire
from grimoire.model import LinkKind
from grimoire.readers import read_file
from grimoire.readers.markdown._blocks import build_parser, parse
from tests.readers.conftest import write_notes

ATTENTION = """---
title: Attention heads
---

## Why several heads

Each {dfn}`attention head` looks at the tokens with its own {u}`query` weights.

:::{note} Where the name comes from
A head is one of several parallel copies.

They run side by side.
:::

```{admonition} Cost
:class: dropdown
Heads share the work of one wide layer.
```

:::{figure} images/heads.png
:alt: two heads
Two heads over the same tokens.
:::

(head-count)=
## Head count

The width is split evenly, see [the embeddings](#token-embeddings)
and {ref}`the count <head-count>`.

head width
: The size of one head's {dfn}`query` vectors.

{dfn}`head count`:
: How many heads a layer has.

```{mermaid}
flowchart LR
  A --> B
```
"""

EMBEDDINGS = """(token-embeddings)=

# Token embeddings

:::{warning} Draft
A token embedding is a learned vector for each entry of the vocabulary.
:::

## Tied embeddings

:::{warning} TODO
the output layer reuses the table
:::
"""


def _read(path: Path) -> list[str]:
    (doc,) = read_file("markdown", path.read_bytes(), str(path))
    return [p.text for p in doc.passages]


@pytest.mark.no_store
def test_myst_markup_is_not_text(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "book", {"heads.md": ATTENTION})
    texts = _read(notes / "heads.md")
    whole = "\n".join(texts)
    assert "attention head looks at the tokens with its own query weights" in whole
    for raw in ("{dfn}", "{u}", ":::", "{note}", ":class:", ":alt:", "(head-count)=", "{ref}",
                "images/heads.png", "```{"):
        assert raw not in whole, raw
    # an admonition's title is a line of text, its body paragraphs its own
    assert "weights.\n\nNote: Where the name comes from\n\nA head is one of several parallel " \
           "copies.\n\nThey run side by side.\n\nCost\n\nHeads share" in whole
    assert "Two heads over the same tokens." in whole
    assert "the count" in whole and "<head-count>" not in whole
    # no heading was made of a directive; every line is the note's own
    parsed = parse(ATTENTION, "heads.md", build_parser())
    assert [h.title for h in parsed.headings] == ["Why several heads", "Head count"]
    lines = {t: ln for b in parsed.blocks for ln, t in b.units}
    assert lines["Note: Where the name comes from"] == 9
    assert lines["They run side by side."] == 12
    assert lines["Heads share the work of one wide layer."] == 17
    assert lines["Two heads over the same tokens."] == 22
    assert lines["head width: The size of one head's query vectors."] == 32
    assert lines["head count: How many heads a layer has."] == 35
    assert lines["flowchart LR"] == 38
    # a figure is an image, as `![two heads](images/heads.png)` is
    (doc,) = read_file("markdown", (notes / "heads.md").read_bytes(), str(notes / "heads.md"))
    assert [(i.target, i.alt, i.span.start_line) for p in doc.passages for i in p.images] == [
        ("images/heads.png", "two heads", 20)]


@pytest.mark.no_store
def test_a_label_link_is_a_label_reference_not_the_page_itself(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "book", {"heads.md": ATTENTION})
    (doc,) = read_file("markdown", (notes / "heads.md").read_bytes(), str(notes / "heads.md"))
    links = [x for p in doc.passages for x in p.links]
    assert doc.meta["labels"] == {"head-count": "Head count"}
    assert all(x.target != "heads" for x in links)
    by_label = {x.label: x for x in links}
    assert by_label["the embeddings"].kind == LinkKind.LABEL
    assert by_label["the embeddings"].target == "token-embeddings"
    # a label of the page points at its heading
    assert any(x.kind == LinkKind.LABEL and x.target == "Head count" for x in links)


def test_a_chapter_under_a_target_line_has_its_definition(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "book", {"heads.md": ATTENTION, "embeddings.md": EMBEDDINGS})
    kb.ingest([notes], embed=False)
    entry = kb.concept("Token embeddings").entries[0].entry
    assert "learned vector for each entry of the vocabulary" in entry.definition
    assert entry.definition.startswith("Warning: Draft")
    # a title that only marks a draft is no text ("TODO" read as an acronym of a heading)
    (doc,) = read_file("markdown", (notes / "embeddings.md").read_bytes(),
                       str(notes / "embeddings.md"))
    assert [p.text for p in doc.passages][-1] == "the output layer reuses the table"
    # the chapter that refers to a label is not "mentioned in" itself
    assert all(m.concept != "Attention heads" for m in kb.concept("Attention heads").backlinks)


def test_a_chapter_that_marks_its_title_with_dfn_is_defined_there(kb: Grimoire,
                                                                   tmp_path: Path) -> None:
    """A chapter that opens with a section has no lead to define it; where it marks its own
    name with `{dfn}`, that paragraph defines it (a page entry had no text)."""
    notes = write_notes(tmp_path / "book", {
        "pooling.md": "# Pooling\n\n## Overview\n\nConvolutions give feature maps.\n\n"
                      "A step called {dfn}`pooling` then shrinks each map by keeping the "
                      "largest value of every window.\n\n## Variants\n\nAverage or max.\n",
        "strides.md": "# Strides\n\n## Overview\n\nA {dfn}`kernel` moves by more than one "
                      "pixel at a time.\n",
    })
    kb.ingest([notes], embed=False)
    entry = kb.concept("Pooling").entries[0].entry
    assert entry.definition.startswith("A step called pooling then shrinks each map")
    assert (entry.span.start_line, entry.span.end_line) == (7, 7)
    # a dfn of another term defines no chapter
    assert kb.concept("Strides").entries[0].entry.definition == ""


@pytest.mark.no_store
def test_plain_markdown_braces_are_no_myst(tmp_path: Path) -> None:
    """Inline code holding a name in braces, a Pandoc div, a parenthesis at a line's end:
    plain Markdown, read as it always was."""
    text = ("# Templates\n\nThe key `{reward_name}` is filled in.\n\n::: warning\nkept\n:::\n\n"
            "(a remark)\n\nSee [the key](#templates).\n")
    notes = write_notes(tmp_path / "plain", {"templates.md": text})
    (doc,) = read_file("markdown", (notes / "templates.md").read_bytes(),
                       str(notes / "templates.md"))
    whole = "\n".join(p.text for p in doc.passages)
    assert "`{reward_name}`" not in whole and "{reward_name}" in whole
    # The div is no MyST directive: its text is read as text. Its fences are no text either
    # (round 43: a Docusaurus or VitePress box, `::: warning` ... `:::`, `_containers`).
    assert "kept" in whole and ":::" not in whole and "(a remark)" in whole
    assert [x.kind for p in doc.passages for x in p.links] == [LinkKind.MARKDOWN]
