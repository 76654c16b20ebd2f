"""Round 53 (review53a): read53's reading rules on notes of kinds they were not written for,
each fault first a test on notes written here. Readers called directly (no store)."""

from __future__ import annotations

import json
from pathlib import Path

from grimoire import readers
from tests.readers.test_read51 import _md
from tests.readers.test_read52 import _read


def test_a_pages_part_or_a_sentence_with_its_initials_is_no_entry() -> None:
    # read53's `sections.initialled` made any heading spelled out with its letters an entry:
    # "Frequently Asked Questions (FAQ)" and "Today I Learned (TIL)" became concepts, though
    # the first names a part of a page and the second is a sentence ("I" names no thing)
    for heading in ("Frequently Asked Questions (FAQ)", "Today I Learned (TIL)",
                    "Getting Started - GS", "Do It Yourself (DIY)"):
        doc = _md("# Object detection\n\n## Precision\n\nHits among the predicted boxes.\n\n"
                  f"## {heading}\n\nwhat I noted about the boxes this week, with a link or two\n\n"
                  "and a second paragraph of words.\n", "notes/detection.md")
        assert [e.term for e in doc.entries] == ["Object detection"], (heading, doc.entries)
    doc = _md("# Object detection\n\n## Intersection over union, IoU\n\n"
              "the area both boxes cover over the area either covers\n", "notes/detection.md")
    assert "IoU" in {a for e in doc.entries for a in e.aliases}, doc.entries


STATUS_LISTS = """\
Installing
==========

Platforms
---------

Windows
    is not supported; use WSL.

Upgrading
---------

Python 2
    is no longer supported since 3.0.

Terms
-----

Wheel
    is a built package that pip installs without compiling.
"""


def test_a_lone_item_that_says_what_holds_of_its_term_is_no_definition() -> None:
    # read53's `rst/_tree._one_defined` took a one-item list whose definition opens "is":
    # an install page's "Windows / is not supported" and "Python 2 / is no longer
    # supported" became terms. A status ("is not", "is no longer", "is now") defines nothing.
    terms = {e.term for e in _read(STATUS_LISTS, "docs/install.rst").entries}
    assert "Wheel" in terms, terms
    assert not terms & {"Windows", "Python 2"}, terms


def test_a_subfile_uses_the_macros_of_the_main_file_it_names(tmp_path: Path) -> None:
    # the `subfiles` package: each chapter is `\documentclass[../main.tex]{subfiles}` with a
    # `\begin{document}` of its own (so it compiles alone) and the main file's preamble;
    # read53's `_includers_macros` looked only at files without `\begin{document}`, so a
    # subfile's formulas kept the book's macros unexpanded
    (tmp_path / "chapters").mkdir()
    (tmp_path / "book.tex").write_text(
        "\\documentclass{book}\n\\usepackage{subfiles}\n\\newcommand{\\R}{\\mathbb{R}}\n"
        "\\begin{document}\n\\subfile{chapters/vectors}\n\\end{document}\n")
    chapter = tmp_path / "chapters" / "vectors.tex"
    chapter.write_text("\\documentclass[../book.tex]{subfiles}\n\\begin{document}\n"
                       "\\section{Vectors}\nA vector of $n$ reals lives in $\\R^n$.\n"
                       "\\end{document}\n")
    doc = readers.read_file("latex", chapter.read_bytes(), str(chapter))[0]
    assert "{\\mathbb{R}}^n" in [m.tex for p in doc.passages for m in p.math], doc.passages


def test_a_chapter_is_read_beside_a_tex_file_that_cannot_be_decoded(tmp_path: Path) -> None:
    # read53's look for a chapter's main file decoded every `.tex` of the chapter's folder
    # and two above, and let the failure out: one old GBK file there ("not UTF-8, and its
    # encoding cannot be told") failed the chapter's own read, its text lost, with an error
    # naming the other file
    chapter_gbk = ("\\documentclass{ctexart}\n\\begin{document}\n\\section{梯度下降}\n"
                   "梯度下降沿着负梯度方向更新参数\uff0c直到损失不再下降。\n\\end{document}\n")
    (tmp_path / "old.tex").write_bytes(chapter_gbk.encode("gbk"))
    (tmp_path / "book.tex").write_text("\\documentclass{book}\n\\newcommand{\\R}{\\mathbb{R}}\n"
                                       "\\begin{document}\n\\input{vectors}\n\\end{document}\n")
    chapter = tmp_path / "vectors.tex"
    chapter.write_text("\\section{Vectors}\nA vector of $n$ reals lives in $\\R^n$.\n")
    doc = readers.read_file("latex", chapter.read_bytes(), str(chapter))[0]
    assert "{\\mathbb{R}}^n" in [m.tex for p in doc.passages for m in p.math], doc.passages


def _formulas(path: Path) -> list[str]:
    doc = readers.read_file("latex", path.read_bytes(), str(path))[0]
    return [m.tex for p in doc.passages for m in p.math]


def test_a_books_macros_reach_its_chapters_however_the_book_is_laid_out(tmp_path: Path) -> None:
    # read53's look for a chapter's main file found one that `\input`s the chapter itself,
    # defining its macros in its own preamble, among the first 40 `.tex` files of a folder.
    # Books are laid out otherwise too: a chapter's file `\input`s its sections, the macros
    # live in a file the preamble `\input`s or a `.sty` of the book's own, and a thesis
    # keeps its 45 chapters beside `thesis.tex` (sorted after them)
    section = "\\section{Vectors}\nA vector of $n$ reals lives in $\\R^n$, of norm $\\norm{x}$.\n"
    (tmp_path / "ch1").mkdir()
    (tmp_path / "macros.tex").write_text("\\newcommand{\\R}{\\mathbb{R}}\n")
    (tmp_path / "notation.sty").write_text("\\ProvidesPackage{notation}\n"
                                           "\\newcommand{\\norm}[1]{\\lVert #1\\rVert}\n")
    (tmp_path / "book.tex").write_text("\\documentclass{book}\n\\input{macros}\n"
                                       "\\usepackage{notation}\n\\begin{document}\n"
                                       "\\input{ch1/index}\n\\end{document}\n")
    (tmp_path / "ch1" / "index.tex").write_text("\\chapter{Spaces}\n\\input{ch1/vectors}\n")
    (tmp_path / "ch1" / "vectors.tex").write_text(section)
    tex = _formulas(tmp_path / "ch1" / "vectors.tex")
    assert "{\\mathbb{R}}^n" in tex and "\\lVert x\\rVert" in tex, tex
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    for i in range(45):
        (thesis / f"chapter{i:02d}.tex").write_text(section)
    (thesis / "thesis.tex").write_text(
        "\\documentclass{report}\n\\newcommand{\\R}{\\mathbb{R}}\n\\begin{document}\n"
        + "".join(f"\\include{{chapter{i:02d}}}\n" for i in range(45)) + "\\end{document}\n")
    assert "{\\mathbb{R}}^n" in _formulas(thesis / "chapter07.tex")


def _notebook(path: Path, *cells: tuple[str, str]) -> None:
    path.write_text(json.dumps({
        "cells": [{"cell_type": kind, "metadata": {}, "source": [text],
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                  for kind, text in cells],
        "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}))


def test_a_notebook_of_its_own_beside_an_org_note_of_its_name_is_read(tmp_path: Path) -> None:
    # read53 told an export of `x.org` by each cell's words being the note's as a set: a
    # notebook written in Jupyter beside a long Org journal of the same work holds few words
    # the journal lacks, in sentences of its own, and was skipped as a copy, its text
    # nowhere; nor did cells of two words each ("train(net)", "plot(losses)") count, so a
    # notebook of short cells beside a three-line Org note was a copy of it too
    days = ("* Day {}\nI trained the model on the data again and the loss went down; the "
            "learning rate was lowered, the batch size doubled, and the accuracy rose.\n")
    (tmp_path / "log.org").write_text("#+TITLE: Training log\n\n"
                                      + "".join(days.format(i) for i in range(20)))
    _notebook(tmp_path / "log.ipynb", ("markdown", "# Training log"),
              ("markdown", "The accuracy rose once the batch size doubled; the learning rate "
                           "was lowered when the loss went down again."),
              ("code", "model.fit(data)"))
    assert not readers.built_copy(str(tmp_path / "log.ipynb"))
    (tmp_path / "mnist.org").write_text("#+TITLE: MNIST\n* MNIST\nA small net on MNIST.\n")
    _notebook(tmp_path / "mnist.ipynb", ("markdown", "# MNIST"), ("code", "net = Net()"),
              ("code", "train(net)"), ("code", "net.eval()"), ("code", "plot(losses)"))
    assert not readers.built_copy(str(tmp_path / "mnist.ipynb"))
    # the export itself, links and emphasis rewritten, is still a copy (read53)
    (tmp_path / "gc.org").write_text(
        "#+TITLE: Gradient checks\n\n* Why check\nCompare the gradient of [[https://cs231n."
        "github.io/neural-networks-3/][the course notes]] with a *numerical* one.\n")
    _notebook(tmp_path / "gc.ipynb", ("markdown", "# Why check\nCompare the gradient of [the "
                                                  "course notes](https://cs231n.github.io/"
                                                  "neural-networks-3/) with a **numerical** one."))
    assert readers.built_copy(str(tmp_path / "gc.ipynb"))


def test_a_price_written_after_its_number_is_no_formula() -> None:
    # read53 gave the Markdown reader the faces' rule for `$`, a digit before the opening
    # one allowed ("a 10$\times$ speedup", "2$x$"): a note pricing models with the sign
    # after the number ("30$/1M tokens ... 0.5$/1M") had the words between two prices read
    # as a formula, in the store and on every face. After a digit a formula is one word or
    # TeX: no blank just inside, and a blank inside only with a TeX command.
    from grimoire.showing import FORMULA
    from grimoire.web.render import Renderer
    for line, formulas in (("GPT-4 costs 30$/1M tokens, the small one 0.5$/1M.", []),
                           ("It was 10$ (about 9 EUR) and 20$ later.", []),
                           ("costs 10$ (\\approx 9 EUR) and 20$ later", []),
                           ("a 10$\\times$ speedup, or 2$x$ in all", ["\\times", "x"]),
                           ("a 3$\\times 4$ grid", ["\\times 4"])):
        doc = _md(f"# Prices\n\n{line}\n", "notes/prices.md")
        assert [m.tex for p in doc.passages for m in p.math] == formulas, line
        assert [m.group(2) for m in FORMULA.finditer(line)] == formulas, line
        assert str(Renderer().markdown(line)).count("<math") == len(formulas), line
