"""Code in a definition stays code (round 34, fence34): a notebook's code cell and a Markdown
note's code block are fenced in the entry's definition and in a concept page's section, and
the page shows them as code. Before, the card joined them as prose: a `# comment` line of a
Markdown note's code was a heading, a notebook's code ran into its paragraphs. In real
Chromium, on a real store built from notes written here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

import grimoire
from tests.web.conftest import Running, run_server

CELL_CODE = ("# clip the gradients in place\n"
             "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n\noptimizer.step()")
NOTE_CODE = "# a patience of five epochs\npatience = 5"
SECTION_CODE = "# clip before the step\nclip_grad_norm_(params, max_norm=1.0)"


def write_notes(root: Path) -> None:
    root.mkdir(parents=True)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [
            "# Training tricks\n", "\n", "Small changes that keep a training loop stable.\n",
            "\n", "## Gradient clipping\n", "\n",
            "Gradient clipping caps the norm of the gradients before the optimizer steps.\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": CELL_CODE.splitlines(keepends=True)},
        {"cell_type": "markdown", "metadata": {}, "source": ["A max norm of one is a start."]},
    ]
    (root / "tricks.ipynb").write_text(json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, indent=1))
    (root / "early-stopping.md").write_text(
        "# Early stopping\n\nEarly stopping ends training when the validation loss stops "
        "improving.\n\n## Patience\n\nThe patience is how many epochs without progress it "
        f"waits.\n\n```python\n{NOTE_CODE}\n```\n\nA longer patience trains longer.\n")
    (root / "loop.md").write_text(
        "# Training loop\n\nThe loop runs the forward pass, the loss, the backward pass and "
        f"the step.\n\n## Gradient clipping\n\n```python\n{SECTION_CODE}\n```\n")


@pytest.fixture(scope="module")
def fenced_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fences")
    write_notes(root / "notes")
    db = root / "fences.db"
    with grimoire.open(db) as kb:
        kb.ingest([root / "notes"], embed=False)
        kb.resolve()
    return db


@pytest.fixture(scope="module")
def fenced_server(fenced_db: Path) -> Iterator[Running]:
    yield from run_server(fenced_db)


def test_code_passages_are_fenced_in_definitions_and_sections(fenced_db: Path) -> None:
    with grimoire.open(fenced_db) as kb:
        found = {e.entry.term: (e.format, e.entry.definition) for e in kb.entries()}
        assert found["Gradient clipping"] == (
            "notebook", "Gradient clipping caps the norm of the gradients before the optimizer "
            f"steps.\n\n```\n{CELL_CODE}\n```\n\nA max norm of one is a start.")
        assert found["Patience"] == (
            "markdown", "The patience is how many epochs without progress it waits.\n\n"
            f"```python\n{NOTE_CODE}\n```\n\nA longer patience trains longer.")
        sections = kb.concept("Gradient clipping").sections
        assert [(s.heading, s.text) for s in sections] == [
            ("Gradient clipping", f"```python\n{SECTION_CODE}\n```")]


def test_the_concept_page_shows_code_as_code(browser: Browser, fenced_server: Running) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    for name, code in (("Gradient clipping", CELL_CODE), ("Gradient clipping", SECTION_CODE),
                       ("Patience", NOTE_CODE)):
        page.goto(fenced_server.url + "/c/" + name.replace(" ", "%20"))
        blocks = page.locator("main .prose pre code").all_inner_texts()
        assert code in [b.rstrip("\n") for b in blocks], (name, blocks)
        # the note's ```python keeps its language as the block's class (round 42), a notebook
        # with no kernel named none
        lang = "" if code == CELL_CODE else "language-python"
        assert lang == page.locator("main .prose pre code", has_text=code.split("\n")[-1]
                                    ).first.evaluate("e => e.className"), name
        # the comment is no heading, the code no paragraph of prose
        assert page.locator("main .prose :is(h1, h2, h3, h4, h5, h6, p)",
                            has_text=code.split("\n")[0][2:]).count() == 0, name
    page.close()


def test_a_preview_shows_the_code_without_its_fence(browser: Browser,
                                                    fenced_server: Running) -> None:
    # The hover preview flattens the text: the fence's backticks were not in the note.
    page = browser.new_page()
    page.goto(fenced_server.url + "/api/c/Patience?preview=true")
    text = json.loads(page.inner_text("body"))["text"]
    assert text == ("The patience is how many epochs without progress it waits. "
                    "# a patience of five epochs patience = 5 A longer patience trains longer.")
    page.close()


@pytest.mark.no_store
def test_a_bar_closes_only_on_its_own_length_and_an_unclosed_one_is_text() -> None:
    from grimoire.fences import fenced, split_fences
    from grimoire.web.render import Renderer

    code = "s = '```'\n\nprint(s)"
    text = f"Intro.\n\n{fenced(code)}\n\n```\nnot closed"
    assert split_fences(text) == [(False, "Intro.\n"), (True, code),
                                  (False, "\n```\nnot closed")]
    html = str(Renderer().text(text))
    assert html.count("<pre>") == 1 and "s = &#x27;```&#x27;\n\nprint(s)" in html
    assert "<p>```<br>not closed</p>" in html
    # A thousand different bars, none closed: all text, read in one pass (a regular
    # expression scanned the rest of the text once per bar: minutes on such a note).
    many = "\n".join("`" * (3 + i) + "\nx" for i in range(1000))
    assert split_fences(many) == [(False, many)]
