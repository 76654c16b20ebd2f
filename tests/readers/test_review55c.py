"""Round 55 (review55c): qa55's Typst reader on notes it was not written for: a course's
notes in Italian that put formulas in a grid's cells, a bachelor thesis whose headings carry
footnotes, and the escapes, comments and labelled formulas any Typst paper has. Each shape in
our own words; read with `read_file`, no store."""

from __future__ import annotations

from typing import Any

from grimoire import readers


def _read(text: str, path: str = "notes/n.typ") -> tuple[Any, list[str]]:
    return readers.read_file("typst", text.encode(), path)[0], text.split("\n")


def test_a_formula_in_a_grids_cell_ends_with_its_cell() -> None:
    """Two examples side by side, each a cell `[$` ... `$],` of a `#grid(`: the formula the
    cell opened was not followed, its `$` closing it opened a display instead and the rest of
    the chapter (its lemmas, proofs, headings) read as math, `#lemma()[` and all."""
    note = ("= Matrices\n\n#example[\n  #align(center, grid(\n    columns: 2,\n    [$\n"
            "      A = mat(1, 2; 3, 4)\n    $ $a > b$ \\ $c > d$],\n    [$\n"
            "      B = mat(5, 6; 7, 8)\n    $],\n  ))\n]\n\n#lemma()[\n"
            "  A dominant matrix keeps its pivots.\n]\n\n== Pivots\n\n"
            "Pivoting swaps rows before each elimination step.\n")
    doc, lines = _read(note)
    text = "\n".join(p.text for p in doc.passages)
    assert "#lemma" not in text and "columns" not in text, text
    heads = {p.heading_path for p in doc.passages}
    assert ("Matrices", "Pivots") in heads, heads
    prose = [p for p in doc.passages if "Pivoting swaps rows" in p.text]
    assert prose and prose[0].kind == "text", doc.passages
    assert lines[prose[0].span.start_line - 1].startswith("Pivoting swaps"), prose
    lemma = [p for p in doc.passages if "keeps its pivots" in p.text]
    assert lemma and lemma[0].kind == "text", doc.passages
    math = [m.tex for p in doc.passages for m in p.math]
    assert any("A = mat(1, 2; 3, 4)" in m for m in math), math
    assert any("B = mat(5, 6; 7, 8)" in m for m in math), math


def test_a_headings_footnote_is_no_part_of_its_name() -> None:
    """A thesis gave each tool its heading and the tool's site a footnote on it
    (`==== SvelteKit #footnote[https://...]`): the concept was "SvelteKit https://kit...",
    one for each tool."""
    note = ("= Frontend\n\n==== Vite #footnote[https://vite.example.org/]\n\n"
            "Vite bundles the frontend for production and serves it while developing.\n")
    doc, _ = _read(note)
    heads = {p.heading_path for p in doc.passages}
    assert ("Frontend", "Vite") in heads, heads
    assert "Vite" in {e.term for e in doc.entries}, doc.entries


def test_typst_escapes_comments_and_a_labelled_formula() -> None:
    """`\\#` is a hash (`C\\#`, `\\#tag`): it was read as a call and lost with its word; the
    text after a block comment's `*/` on its last line was lost, and an inline `/* ... */`
    was text; a display formula with its label (`$ a + b $ <eq:sum>`), as every paper
    numbers one, was inline math."""
    note = ("= Notation\n\nWe write \\#tag for a tag and C\\# for the language.\n"
            "/* a draft note\n   to drop */ The loss is a sum.\n"
            "A weight /* TODO: check */ decays each step.\n\n"
            "$ L = a + b $ <eq:sum>\n\nAs @eq:sum shows, both terms count.\n")
    doc, _ = _read(note)
    text = "\n".join(p.text for p in doc.passages)
    assert "#tag for a tag" in text and "C# for the language" in text, text
    assert "The loss is a sum." in text, text
    assert "TODO" not in text and "draft" not in text, text
    assert "A weight decays each step." in " ".join(text.split()), text
    math = [m for p in doc.passages for m in p.math]
    assert any("L = a + b" in m.tex and m.display for m in math), math


def test_a_list_in_a_grids_cell_keeps_its_items_side_by_side() -> None:
    """A cheat sheet's examples in three cells of a `#grid(`, each a short list six spaces
    deep: its second item was read as nested under the first (its indent was counted from
    the margin, the first item's from the list's)."""
    note = ("= Ambiguity\n\n#grid(\n  columns: 2,\n  [\n    Two readings:\n"
            "    - flies like fruit\n    - fruit flies like\n  ],\n  [\n    Scope:\n"
            "    - plastic cup holder\n      - a nested remark\n  ],\n)\n")
    doc, _ = _read(note)
    lists = [p.text for p in doc.passages if p.kind == "list"]
    assert "- flies like fruit\n- fruit flies like" in lists, lists
    assert "- plastic cup holder\n  - a nested remark" in lists, lists


def test_a_formula_in_a_calls_arguments_over_lines_is_the_calls() -> None:
    """A grammar's derivation set in `#block($` ... `$)` inside an example: its `$` was
    taken for a formula of the text, never closed (the call's `$)` was code), and the rest
    of the chapter read as math."""
    note = ("= Parsing\n\n#example()[\n  Given the input $c a d$:\n  #block($\n"
            "    & S -> c A d \\\\\n    & A -> a \"(match(); next)\"\n  $)\n]\n\n"
            "== Backtracking\n\nA parser backtracks when a production fails to match.\n")
    doc, _ = _read(note)
    heads = {p.heading_path for p in doc.passages}
    assert ("Parsing", "Backtracking") in heads, heads
    prose = [p for p in doc.passages if "backtracks when" in p.text]
    assert prose and prose[0].kind == "text" and not prose[0].math, doc.passages
