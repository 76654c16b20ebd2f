"""Round 43 (read43): round 42's reading leftovers, each on notes written here (no file of
../shared shows them; the public repositories that did are named in bench/README.md, round 42)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.readers import read_file
from tests.conftest import ingested, write_notes

# An Org note of the kind a LaTeX user writes: its macros in the file's LaTeX header (Org's
# preview and its LaTeX export both read them), used in the formulas below. Written here.
ORG_MACROS = """\
#+TITLE: Ridge regression
#+LATEX_HEADER: \\newcommand{\\R}{\\mathbb{R}}
#+LATEX_HEADER: \\newcommand{\\norm}[1]{\\left\\lVert #1 \\right\\rVert}
#+LATEX_HEADER_EXTRA: \\DeclareMathOperator*{\\argmin}{arg\\,min}

Ridge regression fits $w \\in \\R^d$ by \\(\\argmin_w \\norm{y - Xw}^2 + \\lambda \\norm{w}^2\\).

\\begin{equation}
\\hat w = (X^\\top X + \\lambda I)^{-1} X^\\top y, \\quad \\hat w \\in \\R^d
\\end{equation}

#+BEGIN_SRC latex
\\newcommand{\\R}{\\mathbf{R}}
#+END_SRC
"""


@pytest.mark.no_store
def test_an_org_notes_latex_header_macros_are_written_out_in_its_formulas() -> None:
    [doc] = read_file("org", ORG_MACROS.encode(), "/notes/ridge.org")
    text = "\n".join(p.text for p in doc.passages)
    maths = [m.tex for p in doc.passages for m in p.math]
    # a body of several tokens is one group where it stands (round 42's rule)
    assert "$w \\in {\\mathbb{R}}^d$" in text
    assert ("$\\operatorname*{arg\\,min}_w \\left\\lVert y - Xw \\right\\rVert^2 + \\lambda "
            "\\left\\lVert w \\right\\rVert^2$") in text
    assert any("\\hat w \\in {\\mathbb{R}}^d" in m for m in maths)
    assert not any("\\R" in m or "\\norm" in m or "\\argmin" in m for m in maths)
    assert "\\newcommand{\\R}{\\mathbf{R}}" in text  # code, as written
    assert "LATEX_HEADER" not in text and text.count("newcommand") == 1


@pytest.mark.no_store
def test_an_org_notes_own_definition_in_a_fragment_is_no_text_and_is_used() -> None:
    note = ("#+TITLE: Rank\n\n\\(\\newcommand{\\rk}{\\mathrm{rank}}\\)\n\n"
            "The score is $\\frac 1 \\rk$ over the queries.\n")
    [doc] = read_file("org", note.encode(), "/notes/rank.org")
    text = "\n".join(p.text for p in doc.passages)
    assert "The score is $\\frac 1 {\\mathrm{rank}}$ over the queries." in text
    assert "newcommand" not in text


# A programming note whose glossary has the arrow operator and two languages, and a linear
# algebra note defining "Operator". Written here (qa42's Jekyll site of course notes had the
# first pair).
OPERATORS = {
    "cpp.md": """\
# Glossary

## `->` operator
Gives access to a member of an object through a pointer to it: `p->area()`.

## C++
A compiled language that adds classes and templates to C.

## C#
A managed language of the .NET runtime.
""",
    "linalg.md": """\
# Glossary

## Operator
A linear map from a vector space to itself.
""",
}


def test_a_name_that_differs_by_an_operator_is_another_concept(tmp_path: Path) -> None:
    notes = {**OPERATORS, "work.md": "# Work\n\nI write [[C++]] and apply an [[Operator]].\n"}
    with ingested(tmp_path / "kb.db", write_notes(tmp_path / "notes", notes),
                  embed=False) as kb:
        concepts = {c.label: c for c in kb.concepts()}
        # "->" operator is no "Operator", "C++" no "C#": letters and digits alike (one key),
        # but the operator's symbols are the name
        assert {"-> operator", "Operator", "C++", "C#"} <= set(concepts)
        assert all(concepts[n].entries == 1 for n in ("-> operator", "Operator", "C++", "C#"))
        # a name as typed, and a link as written, find the one that writes its operators
        for name in ("-> operator", "Operator", "C++", "C#"):
            assert kb.concept(name).label == name
        assert [m.span.path for m in kb.backlinks("C++")] == [str(tmp_path / "notes/work.md")]
        assert [m.span.path for m in kb.backlinks("Operator")] == [
            str(tmp_path / "notes/work.md")]
        assert kb.backlinks("C#") == [] and kb.backlinks("-> operator") == []
        assert kb.wanted(suggestions=False) == []


def _terms(text: str, path: str) -> list[str]:
    return [e.term for d in read_file("markdown", text.encode(), path) for e in d.entries]


@pytest.mark.no_store
def test_a_named_list_of_problems_is_a_concept_but_a_numbered_sheet_is_none() -> None:
    # review42d: "Hilbert Problems 23" (the list a mathematician posed, by its count) was read
    # as a numbered sheet, as qa42's "C++ Exercises 03" rightly is.
    for title in ("Hilbert Problems 23", "Smale Problems 18"):
        text = f"# {title}\n\n{title} is a list of open questions posed to mathematicians.\n"
        assert _terms(text, "/notes/maths/list.md") == [title], title
    body = "1. Which clause keeps the rows of a group that pass a test?\n"
    for title in ("Practice Problems 3", "Review Questions 02", "Physics Problems Part 2",
                  "Graph Problems 04", "C++ Exercises 3", "Problems 4", "Questions 12"):
        assert _terms(f"# {title}\n\n{body}", "/notes/sheets/sheet.md") == [], title


@pytest.mark.no_store
def test_every_formula_of_a_long_paragraph_is_written_with_the_macros() -> None:
    # each formula is rewritten on the line it starts on (round 43: every formula tried on
    # every line of its paragraph was quadratic); the same formula twice is read once
    lines = "".join(f"Let $x_{{{i}}} \\in \\R^d$ and $\\R$ be.\n" for i in range(300))
    for fmt, path, defs in (("markdown", "/n/a.md", "$\\newcommand{\\R}{\\mathbb{R}}$\n\n"),
                            ("org", "/n/a.org", "#+LATEX_HEADER: \\def\\R{\\mathbb{R}}\n\n")):
        [doc] = read_file(fmt, (defs + lines).encode(), path)
        text = "\n".join(p.text for p in doc.passages)
        assert "\\R" not in text, fmt
        assert text.count("\\in {\\mathbb{R}}^d$ and $\\mathbb{R}$ be.") == 300, fmt
