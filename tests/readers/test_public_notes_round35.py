"""Round 35: what more public notes gave as concepts, wanted pages, warnings and lost text,
each shape rebuilt here in our own words.

- A dated lecture vault: a note opening with a rule over its to-do list warned "front matter
  is not a key: value mapping" and its "TODOs" heading was a concept; an empty note
  "2023-05-09 - (x) Reinforcement Learning" was a concept "2023-05-09 - (x)" of kind
  "Reinforcement Learning"; a 0-byte notebook failed as "invalid JSON".
- A MyST book: "Random TODOs" was a concept; a mermaid fence in a list item was read as the
  list's lines; mystmd's `@label` references were text.
- A Quarto site: no `.qmd` was read at all; read, its ```` ```{python} ```` chunks made it a MyST
  note (the chunks' code read as text, its callouts lost); its listing pages, its 404 page and
  its "Daily Notes: <day>" pages were concepts; `/posts/` (a folder of folders) a dead link.
- A Sphinx site of notes: a draft opening with a rule gave a warning; "About", "Projects" and
  "Quotes" were concepts.
- An Obsidian vault: its `_meta_/Templates/` note was a second concept and its links wanted
  pages; `[[example_17]]` (a book's example) a wanted page; three web-clipped articles were
  named "<title>  by <author>  Feb, 2023  Towards Data Science".
- A Jekyll documentation-theme site (round 34's leftover): pages titled by their sidebar's
  section ("Preprocessing" on seven pages) whose file's name says neither.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.knowledge import Grimoire
from grimoire.model import LinkKind
from grimoire.readers import read_file
from grimoire.readers.conventions import bare_name, is_generic_heading, is_page_part
from tests.readers.conftest import labels, write_notes


def test_a_rule_over_a_todo_list_is_no_front_matter_and_names_nothing(
        kb: Grimoire, tmp_path: Path) -> None:
    text = ("---\n# TODOs\n- Draw the momentum figure\n- Check the SGD proof\n---\n\n"
            "The cost depends on the weights, so we walk downhill in weight space.\n")
    (doc,) = read_file("markdown", text.encode(), "momentum.md")
    assert [p.message for p in doc.problems] == []
    assert any("walk downhill" in p.text for p in doc.passages)
    # front matter that is no mapping and no Markdown is still worth a warning
    (odd,) = read_file("markdown", b"---\ntitle Momentum\n---\n\nText.\n", "odd.md")
    assert [p.message for p in odd.problems] == ["front matter is not a key: value mapping"]
    notes = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "2024-02-06 (x) - Momentum.md": text,
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Momentum"}
    assert is_generic_heading("Random TODOs") and is_generic_heading("Open to-dos")
    assert not is_generic_heading("Tod") and not is_generic_heading("Autodoc tools")


def test_a_dated_lecture_note_is_named_by_its_subject_also_when_empty(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "2024-04-02 - (x) Q-Learning.md": "",
        "2024-03-05 (x) - Backprop.md": "Backprop sends the error back through the layers.\n",
        "index.md": "See [[2024-04-02 - (x) Q-Learning]].\n",
    })
    kb.ingest([notes], embed=False)
    assert {"Q-Learning", "Backprop"} <= labels(kb)
    q = kb.concept("Q-Learning")
    assert q.kind is None
    # the file's name still finds it, and the link to it leads there
    assert kb.concept("2024-04-02 - (x) Q-Learning").label == "Q-Learning"
    assert kb.wanted() == []
    assert bare_name("2024-03-05 (x) - Backprop") == "Backprop"


def test_an_empty_notebook_is_an_empty_note_with_a_warning(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "course", {"lab1.ipynb": "", "lab2.ipynb": "  \n"})
    kb.ingest([notes], embed=False)
    status = {Path(s.path).name: s.status for s in kb.sources()}
    assert status == {"lab1.ipynb": "ok", "lab2.ipynb": "ok"}
    (doc,) = read_file("notebook", b"", "lab1.ipynb")
    assert [(p.message, p.span.path) for p in doc.problems] == [
        ("empty notebook (0 bytes): nothing to read", "lab1.ipynb")]
    assert doc.entries == ()


def test_a_to_do_page_names_no_concept(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "book", {
        "todo.md": "# Loose to-dos\n\nBefore the book is finished:\n\n- one style of boxes\n"
                   "- an index\n",
        "pooling.md": "# Pooling\n\nPooling shrinks a feature map by keeping one value of each "
                      "window.\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Pooling"}


@pytest.mark.no_store
def test_a_code_fence_in_a_list_item_is_code() -> None:
    text = ("# Stacks\n\nA network stacks blocks.\n\n- Each block has a norm.\n"
            "- Many blocks run in a row:\n\n  ```mermaid\n  flowchart LR\n"
            "    A[Tokens] --> B[Block]\n  ```\n\n- The last block feeds the head.\n")
    (doc,) = read_file("markdown", text.encode(), "stacks.md")
    kinds = [(p.kind, p.span.start_line) for p in doc.passages]
    assert kinds == [("text", 3), ("list", 5), ("code", 9), ("list", 13)]
    listed = [p.text for p in doc.passages if p.kind == "list"]
    assert not any("flowchart" in t for t in listed)


@pytest.mark.no_store
def test_a_myst_at_reference_is_a_label_link() -> None:
    text = ("(pooling-intro)=\n# Pooling\n\nThe windows were set up in @conv-windows, and "
            "@someone asked about it; write to ann@lab-x.org.\n")
    (doc,) = read_file("markdown", text.encode(), "pooling.md")
    links = [(x.target, x.kind) for p in doc.passages for x in p.links]
    assert links == [("conv-windows", LinkKind.LABEL)]
    whole = " ".join(p.text for p in doc.passages)
    assert "set up in conv-windows" in whole and "@someone" in whole and "ann@lab-x.org" in whole
    # a plain note keeps `@x-y` as text
    (plain,) = read_file("markdown", b"# Notes\n\nAsk @conv-windows.\n", "plain.md")
    assert [x for p in plain.passages for x in p.links] == []


QMD = """---
title: "Perceptron"
date: 2025-01-02
---

The perceptron fires when the weighted sum of its inputs passes a threshold.

::: {.callout-note}
The bias moves that threshold.
:::

```{python}
#| echo: false
#| label: fit
w = np.zeros(3)
```
"""

RMD = """---
title: "Ridge"
output: html_document
---

Ridge regression adds the squared weights to the loss.

```{r setup, include=FALSE}
library(glmnet)
```
"""


def test_quarto_and_r_markdown_notes_are_read(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "site", {"posts/perceptron.qmd": QMD, "ridge.Rmd": RMD})
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Perceptron", "Ridge"}
    (doc,) = read_file("markdown", QMD.encode(), "perceptron.qmd")
    passages = [(p.kind, p.span.start_line, p.text) for p in doc.passages]
    assert ("code", 15, "w = np.zeros(3)") in passages
    whole = "\n".join(p.text for p in doc.passages)
    assert "The bias moves that threshold." in whole
    assert ":::" not in whole and "#|" not in whole and "{python}" not in whole
    (rmd,) = read_file("markdown", RMD.encode(), "ridge.Rmd")
    assert [p.kind for p in rmd.passages] == ["text", "code"]
    # a div in a plain note is a Docusaurus or VitePress box (round 43): its text is kept,
    # its fences are no text
    (plain,) = read_file("markdown", b"# A\n\n::: warning\nkept\n:::\n", "a.md")
    assert "\n".join(p.text for p in plain.passages) == "kept"


def test_a_quarto_site_listing_404_and_daily_pages_name_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "site", {
        "_quarto.yml": "project:\n  type: website\n",
        "404.qmd": "---\ntitle: \"404 - Page not found\"\n---\n\nTry [the notes](/posts/).\n",
        "posts/logs/index.qmd": "---\ntitle: \"Study logs\"\nlisting:\n  contents: .\n---\n\n"
                                "What I did each day.\n",
        "posts/logs/2025-03-04/index.qmd": "---\ntitle: \"Daily Notes: 2025-03-04\"\n---\n\n"
                                           "Read about the perceptron today.\n",
        "posts/ideas/index.qmd": "---\ntitle: \"Adaline\"\n---\n\nAdaline learns from the raw "
                                 "weighted sum, not the thresholded one.\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Adaline"}
    groups = kb.lint().by_group()
    assert groups.get("dead-link", []) == [] and groups.get("wanted", []) == []


def test_a_rule_at_the_start_of_an_rst_page_is_no_problem_and_about_is_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "site", {
        "draft.rst": "------\n\nBridges\n=======\n\nA bridge joins two banks.\n",
        "about.rst": "About\n=====\n\nThese are my notes.\n",
        "quotes.rst": "Quotes\n======\n\nSome lines I like.\n",
    })
    kb.ingest([notes], embed=False)
    (doc,) = read_file("rst", (notes / "draft.rst").read_bytes(), str(notes / "draft.rst"))
    assert doc.problems == ()
    assert labels(kb) == {"Bridges"}
    # a docutils problem that loses text is still one
    (bad,) = read_file("rst", b"Title\n=====\n\n.. image::\n", "bad.rst")
    assert bad.problems != ()


def test_a_vaults_templates_hold_no_pages_and_a_books_example_no_wanted_page(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "_meta_/Templates/Distribution.md": "# Distribution\n\nA [[random quantity]] follows "
                                            "[[Some Law]] when ...\n",
        "Forms.md": "# Forms\n\nA form eats vectors.\n\n## Example\n\n[[example_12]]\n\n"
                    "[[example_3.2]]\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Forms"}
    assert kb.wanted() == []
    parts = [f for f in kb.lint().by_group().get("dead-link", [])
             if "names a part of a page" in f.message]
    assert len(parts) == 2
    assert is_page_part("example_12") and is_page_part("example_3.2")


def test_a_clipped_articles_byline_is_no_part_of_its_name(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "Why Dropout Works  by Ann Lee  Mar, 2023  Towards Data Science.md":
            "## Fewer co-adapted units\n\nDropping units at random keeps them from leaning on "
            "each other.\n",
    })
    kb.ingest([notes], embed=False)
    assert "Why Dropout Works" in labels(kb)
    assert bare_name("Dropout | by Ann Lee | Jan 5, 2023 | Medium") == "Dropout"
    assert bare_name("Learning by Doing May 2020") == "Learning by Doing May 2020"


def test_a_page_titled_by_its_sidebar_section_is_named_by_its_heading(
        kb: Grimoire, tmp_path: Path) -> None:
    front = ("---\ntitle: Cleaning\nsidebar: cleaning_sidebar\nfolder: categories/cleaning\n"
             "---\n\n")
    notes = write_notes(tmp_path / "site", {
        "pages/cleaning/cleaning_outliers.md": front + "## Outlier removal\n\nPoints far from "
                                                       "the rest are dropped before fitting.\n",
        "pages/cleaning/cleaning_intro.md": front + "## Cleaning introduction\n\nCleaning "
                                                    "readies raw rows for a model.\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Outlier removal", "Cleaning"}
    entries = kb.concept("Cleaning").entries
    assert [Path(e.entry.span.path).name for e in entries] == ["cleaning_intro.md"]


@pytest.mark.no_store
def test_a_title_written_as_a_one_item_list_is_the_title() -> None:
    text = ("---\nauthors: A. Writer\nyear: 2011\ntitle: [Matrix identities]\n---\n\n"
            "A book of identities for matrix calculus.\n")
    (doc,) = read_file("markdown", text.encode(), "Writer - Matrix identities.md")
    assert doc.problems == () and doc.title == "Matrix identities"
    (two,) = read_file("markdown", b"---\ntitle: [A, B]\n---\n\nText.\n", "two.md")
    assert [p.message for p in two.problems] == ["front matter title is not a string"]


@pytest.mark.no_store
def test_a_quarto_cross_reference_is_a_label_link() -> None:
    text = ("---\ntitle: \"Fitting\"\n---\n\n## Loss curves {#sec-curves}\n\nThe loss falls.\n\n"
            "## Stopping {#sec-halt .unnumbered}\n\nHalt when the curve of @sec-curves turns up, "
            "as @fig-rise shows [@lee2021]; ask @lee or a@b-c.org.\n")
    (doc,) = read_file("markdown", text.encode(), "fitting.qmd")
    assert doc.meta["labels"] == {"sec-curves": "Loss curves", "sec-halt": "Stopping"}
    links = [(x.target, x.kind, x.fragment) for p in doc.passages for x in p.links]
    assert links == [("Loss curves", LinkKind.LABEL, "sec-curves"),
                     ("fig-rise", LinkKind.LABEL, None)]
    whole = " ".join(p.text for p in doc.passages)
    assert "[@lee2021]" in whole and "@lee " in whole and "a@b-c.org" in whole
