"""Round 53 (read53): the faults round 52 left in reading real notes, each on notes written
here in this test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grimoire import readers
from grimoire.errors import ReadError
from grimoire.readers.base import decode
from grimoire.showing import INLINE_MATH
from tests.conftest import one_page_pdf
from tests.readers.test_read51 import _md, _page
from tests.readers.test_read52 import _read

DOLLAR_LINES = (
    "The input is padded to $ n + p \\times n + p$ pixels on each side.",
    "A pair $ a + b $ with blanks and no command stays prose.",
    "It costs $5 and $y more, and $x$ is a formula.",
    "A 10$\\times$ speedup, and $z$2 is no formula.",
    "Both $\\alpha$ and $ \\beta $ are rates.",
)


def test_the_markdown_readers_inline_formulas_are_the_ones_every_face_draws() -> None:
    # round 52 taught the faces Pandoc's rule (`INLINE_MATH`): a blank just inside the
    # dollars is a formula's when a TeX command is there. The reader kept the plugin's rule
    # (no blank at all, no digit on either side), so `$ x \times y$` was text in the store,
    # and search, ask and lint read it so, while every face drew a formula. One rule now.
    for line in DOLLAR_LINES:
        doc = _md(f"# Dollars\n\n{line}\n", "notes/dollars.md")
        read = [m.tex for p in doc.passages for m in p.math]
        drawn = [m.group(1).strip() for m in INLINE_MATH.finditer(line)]
        assert read == drawn, (line, read, drawn)
    doc = _md(f"# Dollars\n\n{DOLLAR_LINES[0]}\n", "notes/dollars.md")
    assert [m.tex for p in doc.passages for m in p.math] == ["n + p \\times n + p"]


def test_a_generic_title_with_a_subtitle_of_manner_names_nothing() -> None:
    # "Notes, mostly", "Homework, explained": the subtitle says how the page treats its head,
    # and the head is a page's kind ("Notes", "Homework" alone name nothing); the whole title
    # was a concept of its own (round 52 left it). Now no entry, as for the head alone.
    body = ("What I wrote down this week, {how}: the gradient of the loss, a worked example "
            "and two questions for Friday.")
    for title in ("Notes, mostly", "Homework, explained", "Summary, briefly",
                  "Exercises, revisited"):
        head = title.split(",")[0]
        assert _page(head, body.format(how="in short"), "blog/week.md")[0] == "", head
        term, _ = _page(title, body.format(how=title.split(", ")[1]), "blog/week.md")
        assert term == "", (title, term)
    # the same title as a note's one H1
    doc = _md("# Homework, explained\n\n" + body.format(how="explained") + "\n", "vault/week.md")
    assert [e.term for e in doc.entries] == [], doc.entries
    # a subject before the subtitle still names the page (read52)
    term, aliases = _page("Backprop, slowly", "Backprop carries the error back.", "blog/bp.md")
    assert term == "Backprop" and "Backprop, slowly" in aliases, (term, aliases)


def test_a_section_headed_by_a_name_and_its_initials_is_an_entry() -> None:
    # "Intersection over union, IoU": "over" made the heading "a phrase, not a name", and a
    # section headed by a name the writer spelled out with its letters is a term even when its
    # text opens with no definition (round 52 left vlee's such section no entry)
    doc = _md("# Scoring detectors\n\n"
              "## Precision and recall\n\nHits among the boxes, hits among the objects.\n\n"
              "## Overlap of boxes, IoU\n\nsomething about boxes and their union\n\n"
              "## Intersection over union, IoU\n\n"
              "take the area both boxes cover and divide by the area either covers\n\n"
              "It decides whether a predicted box counts as a hit.\n", "notes/scoring.md")
    named = {e.term: e.aliases for e in doc.entries}
    assert "IoU" in named.get("Intersection over union", ()), named
    assert not any(t.startswith("Overlap") for t in named), named  # no initials of it


ONE_ITEM_LISTS = """\
Counting outcomes
=================

Outcomes and sets
-----------------

Sample point
    is one outcome of the experiment; the sample space holds them all.

Angles
------

The cosine similarity of two vectors depends on the angle between them only.

Cosine similarity
    :math:`\\cos\\theta = x^{T}y / (||x|| ||y||)`

Run
---

Batch size
    64 on one card, halved on the laptop.

Remarks
-------

Caveat
    the sample space must be fixed before counting.
"""


def test_a_definition_list_of_one_item_that_defines_its_term_is_an_entry() -> None:
    # read52 took a lone item only when a word of its term is in the section's heading: a
    # Nikola site lost "Dot product" (under "Norms", named by the paragraph before it, over
    # its formula) and "Event" (under "Probability axioms", "is a subset of ...")
    terms = {e.term for e in _read(ONE_ITEM_LISTS, "notes/counting.rst").entries}
    assert {"Sample point", "Cosine similarity"} <= terms, terms
    assert not terms & {"Batch size", "Caveat"}, terms  # a setting, a remark: no terms


def test_a_pdf_beside_a_tex_that_cannot_be_read_is_read(tmp_path: Path) -> None:
    # a chapter saved in GBK (as older Chinese LaTeX notes are) fails with "not UTF-8, and
    # its encoding cannot be told": the PDF pdfTeX made of it was skipped as a built copy
    # all the same, and its text was nowhere (round 52 left it)
    chapter = ("\\documentclass{ctexart}\n\\begin{document}\n\\section{梯度下降}\n"
               "梯度下降沿着负梯度方向一步一步地更新参数\uff0c直到损失不再下降。\n\\end{document}\n")
    pdf = one_page_pdf([(20, "Gradient descent"), (11, "Steps against the gradient.")],
                       producer="pdfTeX-1.40.25")
    (tmp_path / "gd.pdf").write_bytes(pdf)
    (tmp_path / "gd.tex").write_bytes(chapter.encode("gbk"))
    with pytest.raises(ReadError):
        decode((tmp_path / "gd.tex").read_bytes(), "gd.tex")
    assert not readers.built_copy(str(tmp_path / "gd.pdf"))
    (tmp_path / "gd.tex").write_bytes(chapter.encode("utf-8"))  # once it reads: a copy
    assert readers.built_copy(str(tmp_path / "gd.pdf"))


def test_a_chapter_uses_the_macros_its_main_file_defines(tmp_path: Path) -> None:
    # a course's main file defines `\T` and `\rowof` once and `\include`s its chapters: each
    # chapter's formulas kept the macros unexpanded (round 52 left it, qa52)
    (tmp_path / "chapters").mkdir()
    (tmp_path / "course.tex").write_text(
        "\\documentclass{book}\n\\newcommand{\\T}{^{\\top}}\n"
        "\\newcommand{\\rowof}[2]{#1_{#2,:}}\n% \\newcommand{\\T}{^{t}} an old spelling\n"
        "\\newcommand{\\abs}[1]{\\left\\lvert#1\\right\\rvert}\n"
        "\\begin{document}\n\\include{chapters/projections}\n\\end{document}\n")
    chapter = tmp_path / "chapters" / "projections.tex"
    chapter.write_text(
        "\\chapter{Projections}\n\\section{Orthogonal projection}\n"
        "Projecting onto the columns of $A$ multiplies by $A (A\\T A)^{-1} A\\T$, "
        "and a row of it is $\\rowof{P}{i}$, of size $\\abs{x}$.\n")
    doc = readers.read_file("latex", chapter.read_bytes(), str(chapter))[0]
    tex = [m.tex for p in doc.passages for m in p.math]
    product = next(t for t in tex if "^{-1}" in t)
    assert "\\T" not in product and product.count("^{\\top}") == 2, tex  # not the comment's
    assert "P_{i,:}" in tex, tex
    # a parameter after a control word: `\lvert#1` filled with x is no `\lvertx`
    assert "\\left\\lvert x\\right\\rvert" in tex, tex
    # a chapter no main file reads in keeps its macros as written
    alone = tmp_path / "alone.tex"
    alone.write_text(chapter.read_text())
    doc = readers.read_file("latex", alone.read_bytes(), str(alone))[0]
    assert "A (A\\T A)^{-1} A\\T" in [m.tex for p in doc.passages for m in p.math]


ORG_NOTE = ("#+TITLE: Gradient checks\n\n* Why check\n\nBackpropagation is easy to get subtly "
            "wrong, so compare its gradient with a *numerical* one.\n\n"
            "#+begin_src python\ndef numeric(f, w, eps=1e-5):\n"
            "    return (f(w + eps) - f(w - eps)) / (2 * eps)\n#+end_src\n\n[[./img/slope.png]]\n")


def _cells(*cells: tuple[str, str], org_key: bool) -> str:
    metadata = {"kernelspec": {"name": "python3"}, **({"org": None} if org_key else {})}
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": [text]}
                                 for kind, text in cells],
                       "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})


def test_whether_a_notebook_beside_its_org_note_is_a_copy_is_told_by_its_cells(
        tmp_path: Path) -> None:
    # round 52 told ox-ipynb's export by its "org" metadata key alone: a notebook the user
    # went on editing in Jupyter keeps the key and lost the cells added there; pandoc's
    # `org -> ipynb` writes no key and its copy was read twice. Now by the cells' words.
    (tmp_path / "checks.org").write_text(ORG_NOTE)
    exported = (("markdown", "# Why check\n\nBackpropagation is easy to get subtly wrong, so "
                             "compare its gradient with a **numerical** one."),
                ("code", "def numeric(f, w, eps=1e-5):\n    return (f(w + eps) - f(w - eps))"
                         " / (2 * eps)"),
                ("markdown", "![img](./img/slope.png)"))
    notebook = tmp_path / "checks.ipynb"
    notebook.write_text(_cells(*exported, org_key=False))  # pandoc's: no mark
    assert readers.built_copy(str(notebook))
    edited = (*exported, ("markdown", "Tried it on the two-layer net: the relative error was "
                                      "tiny for every weight except the biases."))
    notebook.write_text(_cells(*edited, org_key=True))  # ox-ipynb's, then edited
    assert not readers.built_copy(str(notebook))
