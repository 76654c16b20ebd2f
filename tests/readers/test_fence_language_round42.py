"""A code fence keeps its language (round 42, fences42): a note's ```` ```python ```` block, a
notebook's code cell in its kernel's language and an rst `.. code-block:: python` are stored
with it, `grimoire show` prints the fence with it, and the page's code block carries a
`language-python` class. What splits or embeds fenced text reads such a fence as before: the
same pieces, the same embedded words. Before, every fence was stored bare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grimoire.cli import main
from grimoire.fences import code_pieces, fenced, language, split_fences
from grimoire.readers import detect
from grimoire.store._embed_text import definition_embed_text
from grimoire.web.render import Renderer
from tests.conftest import ingested, write_notes


def _read(path: Path) -> list:  # type: ignore[type-arg]
    reader = detect(str(path), path.read_text(encoding="utf-8"))
    assert reader is not None
    return list(reader.read(path.read_bytes(), str(path)))


@pytest.mark.no_store
def test_a_real_note_and_a_real_rst_page_keep_their_code_language(corpora: Path) -> None:
    note = corpora / "hf-docs" / "transformers" / "perplexity.md"
    lines = note.read_text(encoding="utf-8").split("\n")
    (doc,) = _read(note)
    code = [p for p in doc.passages if p.kind == "code"]
    # each ```python block of the file, its code as written (the fence line is no code)
    opened = [n + 1 for n, line in enumerate(lines) if line == "```python"]
    assert [p.span.start_line - 1 for p in code] == opened and len(opened) == 3
    assert {p.language for p in code} == {"python"}
    first = code[0]
    assert first.text == "\n".join(lines[first.span.start_line - 1:first.span.end_line])

    page = corpora / "ml-cheatsheet-rst" / "regularization.rst"
    (doc,) = _read(page)
    assert [p.language for p in doc.passages if p.kind == "code"] == ["python"] * 6
    dropout = next(e for e in doc.entries if e.term == "Dropout")
    fences = [ln for ln in dropout.definition.split("\n") if ln.startswith("```")]
    assert fences == ["```python", "```", "```python", "```"]
    # split as a bare fence is, and the entry's vector reads the same words (the code and
    # its language left out: the code passage is embedded on its own)
    bare = dropout.definition.replace("```python", "```")
    assert split_fences(dropout.definition) == split_fences(bare)
    assert definition_embed_text(dropout.definition) == definition_embed_text(bare)
    assert "python" not in definition_embed_text(dropout.definition).casefold().split()


def test_show_prints_the_language_and_the_page_gives_its_class(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [
            "# Tricks\n\nSmall changes.\n\n## Clipping\n\nClipping caps the gradients' norm.\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": ["clip(params, 1.0)\n"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["One is a start."]},
    ]
    notes = write_notes(tmp_path / "notes", {
        "stopping.md": "# Early stopping\n\nIt ends training early.\n\n## Patience\n\n"
                       "The patience is how many epochs it waits.\n\n```python title=\"x.py\"\n"
                       "patience = 5\n```\n\nThen it stops.\n",
        "loop.md": "# Training loop\n\nThe loop runs the steps.\n\n## Clipping\n\n"
                   "```python\nclip(params, 2.0)\n```\n",
        "clip.ipynb": json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": cells,
                                  "metadata": {"kernelspec": {"language": "python"}}}),
    })
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False) as kb:
        kb.resolve()
        found = {e.entry.term: e.entry.definition for e in kb.entries()}
        assert found["Patience"] == ("The patience is how many epochs it waits.\n\n"
                                     "```python\npatience = 5\n```\n\nThen it stops.")
        assert found["Clipping"] == ("Clipping caps the gradients' norm.\n\n```python\n"
                                     "clip(params, 1.0)\n```\n\nOne is a start.")
        # a concept page's section, joined from the stored passages, keeps it too
        assert [(s.heading, s.text) for s in kb.concept("Clipping").sections] == [
            ("Clipping", "```python\nclip(params, 2.0)\n```")]
        # the site export's page of the concept, as the web page draws it
        kb.export("site", tmp_path / "site")
        pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "site" / "c").iterdir()]
        assert sum('<code class="language-python">patience = 5' in p for p in pages) == 1
    shown = CliRunner().invoke(main, ["--db", str(db), "show", "Patience"])
    assert shown.exit_code == 0, shown.output
    assert "  ```python\n  patience = 5\n  ```\n" in shown.output
    as_json = CliRunner().invoke(main, ["--db", str(db), "show", "Patience", "--json"])
    assert "```python\\npatience = 5\\n```" in as_json.output
    # the page's code block: Markdown and non-Markdown text alike
    html = str(Renderer().markdown(found["Patience"]))
    assert '<pre><code class="language-python">patience = 5\n</code></pre>' in html
    assert str(Renderer().text(found["Patience"])).count(
        '<pre><code class="language-python">patience = 5</code></pre>') == 1


@pytest.mark.no_store
def test_a_hostile_info_string_is_no_language(tmp_path: Path) -> None:
    long_info = "a" * 100_000
    notes = write_notes(tmp_path / "notes", {
        "hostile.md": f"# Hostile\n\nFences.\n\n```{long_info}\nx = 1\n```\n\n"
                      "~~~py`thon\ny = 2\n~~~\n\n```<script>alert(1)</script>\nz = 3\n```\n\n"
                      "```c++ {.numberLines}\nint w;\n```\n",
    })
    (doc,) = _read(notes / "hostile.md")
    # small code neighbours are one passage, as before; of two languages, it names none
    assert [(p.language, p.text) for p in doc.passages if p.kind == "code"] == [
        ("", "x = 1\n\ny = 2\n\nz = 3\n\nint w;")]
    assert language("c++ {.numberLines}") == "c++"
    assert language(long_info) == "" and language("py`thon") == ""
    assert language("<b>python</b>") == "" and language("{r, echo=FALSE}") == "r"
    # the page escapes what is no language: a class only from a plain word
    page = Renderer()
    html = str(page.markdown("```<script>alert(1)</script>\nz\n```\n\n```\"><b>x\ny\n```"))
    assert "<script>" not in html and "<b>" not in html and "class=" not in html
    # stored text holds no such opener; a text that does (another format's prose) shows it
    # as text, escaped, and a bounded word only opens a fence
    text = "```<img src=x onerror=alert(1)>\nq\n```"
    assert code_pieces(text) == [(None, text)]
    assert "<img" not in str(page.text(text)) and "&lt;img" in str(page.text(text))
    assert code_pieces(fenced("k = 1", long_info)) == [("", "k = 1")]
    assert code_pieces(fenced("k = 1", "c#")) == [("c#", "k = 1")]
