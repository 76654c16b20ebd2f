"""Round 42 (read42): round 41's reading leftovers, each on notes written here (the public
repositories that showed them are named in bench/README.md, round 42, read42)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grimoire.readers import read_file
from tests.conftest import ingested, write_notes

# An Org lecture file that links inside itself the ways Org allows: a dedicated target
# `<<x>>`, a named element `#+NAME: x`, a heading by `*Heading` (tags, TODO keyword, cookie and
# spacing as a hand writes them), and a link to a page no note defines. Written here.
LECTURE = """\
#+TITLE: Sorting lecture

* Heap Sort (selection by a heap)                                      :inplace:
Heap sort builds a heap, then removes the minimum n times; see [[bottomUp][the build step]].
It needs no extra array, unlike [[*Merge Sort ( top down)][merge sort]].

* DONE Merge Sort (top down) [2/2]
Merge sort splits the array, sorts both halves and merges them; see [[merge cost]].
The split is why the tree of calls is balanced, unlike an <<unbalanced tree>> of quicksort.

* Quicksort
A bad pivot gives an [[unbalanced tree]] of calls, which [[Randomized Pivot]] avoids.
Worse than [[*Heapsort][heap sort]] on sorted input.

#+NAME: bottomUp
#+BEGIN_SRC java
void bottomUp() { for (int i = n / 2; i > 0; i--) down(i); }
#+END_SRC

The cost of a merge is linear: <<merge cost>> each element is moved once per level.
"""


def test_an_org_link_to_a_target_name_or_heading_of_its_own_file_is_no_wanted_page(
        tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", write_notes(tmp_path / "notes", {"sort.org": LECTURE}),
                  embed=False) as kb:
        wanted = {w.name for w in kb.wanted(suggestions=False)}
    # `[[Randomized Pivot]]` names no target or heading of the file: a page to write. A `*`
    # link is to a heading of its own file, even one written as no heading reads (Org says
    # "no match"): never a page to write.
    assert wanted == {"Randomized Pivot"}


# A course note whose sections discuss a method none of them opens by defining, and a note
# that links to it by name. Written here.
COURSE = {
    ".obsidian/app.json": "{}",
    "ml/02 Model evaluation.md": """\
# Model evaluation

## 1. Hold-out split
Keep a fifth of the rows aside and score the model on them once, at the end.

## 2. Cross-Validation (Robust Evaluation)
With few rows, a fixed hold-out leaves too little to train on. Rotate instead: split the rows
into k folds, train on k - 1 of them, score on the one left, and average the k scores.

### K-Fold in practice
Five or ten folds are usual; shuffle first unless the rows are ordered in time.
""",
    "ml/Tuning.md": """\
# Tuning

Pick hyperparameters with [[Cross-Validation]], never on the test rows, and log each try
in [[Experiment Tracking]].
""",
}


def test_a_wanted_page_that_sections_discuss_says_where_instead_of_defined_nowhere(
        tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", write_notes(tmp_path / "notes", COURSE),
                  embed=False) as kb:
        found = {f.concept: f for f in kb.lint().findings if f.group == "wanted"}
    assert set(found) == {"Cross-Validation", "Experiment Tracking"}
    cv = found["Cross-Validation"]
    assert "defined nowhere" not in cv.message
    assert "02 Model evaluation.md:7" in cv.message  # its text, under the heading
    assert cv.other is not None and cv.other.path.endswith("02 Model evaluation.md")
    assert cv.other.start_line == 7
    assert "defined nowhere" in found["Experiment Tracking"].message


def _notebook(*cells: tuple[str, str]) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": text,
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells]}).encode()


# A course's homework notebook as a course writes them all: the course's name on top, the
# homework's number and subject under it. Written here.
HOMEWORK = _notebook(
    ("code", "import grader\ncheck = grader.Notebook('hw4.ipynb')"),
    ("markdown", "# STAT 441 - Practical Machine Learning\n\n## Homework 4: Feature scaling\n"
                 "### Lectures: 5 and 6\n\n**Due: Friday, 18:00.**"),
    ("markdown", "## Instructions\nWork in pairs; submit the notebook and its PDF."),
    ("markdown", "## Exercise 1: Standardize the columns\nFit the scaler on the training rows "
                 "only, then transform both splits."),
    ("code", "from sklearn.preprocessing import StandardScaler"),
)


@pytest.mark.no_store
def test_a_homework_notebook_is_titled_by_its_homework_not_by_the_course() -> None:
    [doc] = read_file("notebook", HOMEWORK, "/course/hw/hw4/hw4.ipynb")
    assert doc.title == "Homework 4: Feature scaling"
    assert "STAT 441 - Practical Machine Learning" not in [e.term for e in doc.entries]


@pytest.mark.no_store
def test_a_course_page_titled_by_the_course_keeps_it() -> None:
    # The course's own page: no numbered part right under its name.
    text = ("# STAT 441 - Practical Machine Learning\n\n"
            "A course on fitting, checking and shipping models.\n\n## Schedule\nWeekly.\n")
    [doc] = read_file("markdown", text.encode(), "/course/README.md")
    assert doc.title == "STAT 441 - Practical Machine Learning"


@pytest.mark.no_store
def test_a_notes_own_tex_macro_is_no_text_and_its_formulas_use_its_body(corpora: Path) -> None:
    # The term file of Mean Reciprocal Rank opens with `$\newcommand{\Correctrank}{...}$`: the
    # definition renders as nothing and its formulas mean `\mathrm{rank}`.
    path = corpora / "ml-glossary-terms" / "terms" / "mean-reciprocal-rank-mrr.md"
    [doc] = read_file("markdown", path.read_bytes(), str(path))
    [entry] = doc.entries
    assert entry.definition.startswith("Mean Reciprocal Rank is")
    text = " ".join(p.text for p in doc.passages)
    assert "newcommand" not in text and "Correctrank" not in text
    # `\frac 1 \Correctrank`: the macro is \frac's second argument, so its body is one group
    # (review42a: `\frac 1 \mathrm{rank}` hands \frac a bare `\mathrm`)
    assert "$\\frac 1 {\\mathrm{rank}}$ where $\\mathrm{rank}$ is" in text
    assert "\\frac 1 {{\\mathrm{rank}}_i}" in text
    assert any("\\frac 1 {{\\mathrm{rank}}_i}" in m.tex for p in doc.passages for m in p.math)


@pytest.mark.no_store
def test_macros_with_arguments_operators_and_def_are_written_out_but_code_is_not() -> None:
    note = """\
# Ridge regression

$$\\newcommand{\\norm}[1]{\\left\\| #1 \\right\\|} \\DeclareMathOperator*{\\argmin}{arg\\,min}
\\def\\bw{\\mathbf{w}}$$

Ridge regression picks $\\hat\\bw = \\argmin_{\\bw} \\norm{y - X\\bw}^2 + \\lambda \\norm{\\bw}^2$.

```latex
\\newcommand{\\norm}[1]{\\lVert #1 \\rVert}
```
"""
    [doc] = read_file("markdown", note.encode(), "/notes/ridge.md")
    text = "\n".join(p.text for p in doc.passages)
    # a body of more than one token is one group where it stands (`\hat\bw`: \hat's argument),
    # as it is alone in braces already or when a group would change it (an operator, \left)
    assert ("$\\hat{\\mathbf{w}} = \\operatorname*{arg\\,min}_{\\mathbf{w}} "
            "\\left\\| y - X{\\mathbf{w}} \\right\\|^2 + \\lambda "
            "\\left\\| {\\mathbf{w}} \\right\\|^2$") in text
    assert "\\newcommand{\\norm}[1]{\\lVert #1 \\rVert}" in text  # code, as written
    assert text.count("newcommand") == 1


@pytest.mark.parametrize("tex", [r"\def\a{\a\a}", r"\newcommand{\b}[1]{\b{#1}\b{#1}}",
                                 r"\def\a{aaaaaaaaaa}\def\b{\a\a\a\a\a\a\a\a\a\a}"
                                 r"\def\c{\b\b\b\b\b\b\b\b\b\b}"])
@pytest.mark.no_store
def test_a_macro_that_never_ends_or_bombs_leaves_its_formulas_as_written(tex: str) -> None:
    use = "$\\a + \\b{x} + \\c\\c\\c\\c\\c\\c\\c\\c$"
    [doc] = read_file("markdown", f"${tex}$\n\nThe sum {use} grows.\n".encode(), "/n/bomb.md")
    assert f"The sum {use} grows." in doc.passages[-1].text


@pytest.mark.no_store
def test_a_macro_is_written_out_only_where_it_is_used() -> None:
    note = ("$\\newcommand{\\a}{\\mathbf{a}}$\n\n"
            "The step $\\a$ scales by $\\alpha$ and $\\a \\cdot \\alpha$.\n")
    [doc] = read_file("markdown", note.encode(), "/n/step.md")
    assert ("The step $\\mathbf{a}$ scales by $\\alpha$ and ${\\mathbf{a}} \\cdot \\alpha$."
            in doc.passages[-1].text)


# review42a: a macro that stands as a command's argument is handed over whole, as TeX does.
@pytest.mark.parametrize(("use", "written"), [
    ("\\frac 1 \\rk", "\\frac 1 {\\mathrm{rank}}"),
    ("x^\\R + \\hat\\rk", "x^{\\mathbb{R}} + \\hat{\\mathrm{rank}}"),
    ("\\sqrt{\\rk}", "\\sqrt{\\mathrm{rank}}"),  # alone in braces already
    ("\\rk", "\\mathrm{rank}"),  # the whole formula
    ("\\am_{i} f + \\lp x \\rp", "\\operatorname*{arg\\,max}_{i} f + \\left( x \\right)"),
    ("\\sum_i \\al_i", "\\sum_i \\alpha_i"),  # one token
    ("\\amin_x f", "\\arg\\min_x f"),  # x under min, as TeX puts it
])
@pytest.mark.no_store
def test_a_macro_body_of_several_tokens_is_one_group_where_it_stands(
        use: str, written: str) -> None:
    defs = ("$\\newcommand{\\rk}{\\mathrm{rank}} \\def\\R{\\mathbb{R}} \\def\\al{\\alpha}"
            " \\DeclareMathOperator*{\\am}{arg\\,max} \\def\\lp{\\left(} \\def\\rp{\\right)}"
            " \\newcommand{\\amin}{\\arg\\min}$")
    [doc] = read_file("markdown", f"{defs}\n\nThe rank ${use}$ here.\n".encode(), "/n/rk.md")
    assert f"The rank ${written}$ here." in doc.passages[-1].text
    assert [m.tex for p in doc.passages for m in p.math] == [written]


@pytest.mark.no_store
def test_a_course_note_of_many_numbered_parts_keeps_the_course_name() -> None:
    # review42a: one file of a course's lectures, one after another, was titled by the first.
    text = ("# STAT 441 - Practical Machine Learning\n\n"
            "## Lecture 1: What a model is\nInputs, outputs and a loss to make small.\n\n"
            "## Lecture 2: Fitting a line\nLeast squares and its closed form.\n\n"
            "## Lecture 3: Checking a fit\nResiduals, held-out rows and what they show.\n")
    [doc] = read_file("markdown", text.encode(), "/course/lectures.md")
    assert doc.title == "STAT 441 - Practical Machine Learning"
