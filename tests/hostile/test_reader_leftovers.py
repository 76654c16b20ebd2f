"""Inputs round 14's audit left open (round 15): aliases written as Obsidian wikilinks in YAML,
and a notebook with a lone surrogate escape in one cell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import grimoire
from grimoire.readers import read_file


@pytest.mark.parametrize(("front", "aliases"), [
    ("aliases: [[Foo]]", ("Foo",)),                      # YAML: a list in a list
    ("aliases:\n  - [[Foo]]\n  - Bar", ("Foo", "Bar")),  # a list in a list item
    ('aliases: ["[[Foo|shown]]", "[[Bar]]"]', ("Foo", "Bar")),
    ("aliases: [[Foo, Bar]]", ("Foo", "Bar")),
    ("aliases: [Foo, Bar]", ("Foo", "Bar")),              # as before
])
@pytest.mark.no_store
def test_aliases_written_as_wikilinks(front: str, aliases: tuple[str, ...]) -> None:
    # An Obsidian note's aliases (a plain Markdown note's `aliases` are Hugo's old URLs).
    note = f"---\n{front}\n---\n\n# Qux\n\nQux is a thing.\n"
    (doc,) = read_file("obsidian", note.encode(), "q.md")
    assert [(e.term, e.aliases) for e in doc.entries] == [("Qux", aliases)]


def _notebook(tmp_path: Path) -> Path:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Good Cell\n", "Good Cell is a "
                                                              "fine thing.\n"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["## Bad\n", "Bad has a SURROGATE "
                                                              "in it.\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": ["x = 'SURROGATE'\n"]},
    ]
    text = json.dumps({"cells": cells, "metadata": {"title": "Book SURROGATE"},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)
    path = tmp_path / "book.ipynb"
    # json.dumps would escape the backslash; the file must hold the escape itself.
    path.write_text(text.replace("SURROGATE", "\\ud800"))
    return path


def test_a_lone_surrogate_costs_its_characters_not_the_notebook(tmp_path: Path) -> None:
    path = _notebook(tmp_path)
    (doc,) = read_file("notebook", path.read_bytes(), str(path))
    lines = path.read_text().splitlines()
    warned = [(p.span.start_line, p.message) for p in doc.problems]
    assert [line for line, _ in warned] == [
        n for n, text in enumerate(lines, start=1) if "\\ud800" in text and "title" not in text]
    assert all("cell" in m and "surrogate" in m for _, m in warned)
    assert doc.title == "Book \ufffd"
    assert any("Bad has a \ufffd in it." in p.text for p in doc.passages)
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest([path], embed=False)
        assert (report.added, report.failed) == (1, 0)
        assert kb.search("Good Cell fine thing", mode="lexical")
