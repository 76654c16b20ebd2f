"""Round 55 (read55): the faults round 54 left in reading real notes, each on notes written
here in this test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from grimoire.readers.conventions import bare_name
from tests.conftest import one_page_pdf
from tests.readers.test_read51 import _md

_SITE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{title} &#8212; Kernel Methods Companion Site</title></head><body>
<div class="sidebar"><h1 class="site-logo" id="site-title">Kernel Methods Companion Site</h1>
<nav><ul><li><a href="feature-maps.html">Feature Maps</a></li></ul></nav></div>
<main><h1>{title}<a class="headerlink" href="#x" title="Permalink to this headline">{mark}</a></h1>
<p>{body}</p></main></body></html>
"""


@pytest.mark.no_store
def test_a_built_pages_title_keeps_no_site_name_its_logo_heading_states() -> None:
    # a course's built site (a Jupyter Book, a Sphinx theme) titles each page "Topic — Site"
    # and shows the site's name as the first <h1> (its logo), the page's own heading after:
    # round 54 left each page two entries, "Topic — Site" and "Topic"
    for mark in ("\u00b6", "#"):
        page = _SITE_PAGE.format(title="Feature Maps", mark=mark,
                                 body="A feature map sends each input to a vector of features,"
                                      " so that a linear method can work on them.")
        docs = readers.read_file("html", page.encode(), "site/feature-maps.html")
        assert [d.title for d in docs] == ["Feature Maps"], docs
        assert [e.term for e in docs[0].entries] == ["Feature Maps"], docs[0].entries
    # a title whose words after the dash are the page's own stays whole
    page = _SITE_PAGE.format(title="Mercer", mark="#", body="Mercer proved it.").replace(
        "Mercer &#8212; Kernel Methods Companion Site", "Mercer &#8212; A Theorem")
    doc = readers.read_file("html", page.encode(), "site/mercer.html")[0]
    assert doc.title == "Mercer \u2014 A Theorem", doc.title


@pytest.mark.no_store
def test_a_greek_letters_formula_joined_to_a_word_is_a_name() -> None:
    # "$\epsilon$-greedy" (a heading or a term opening on a Greek letter set as math) was no
    # name: round 54 named "$k$-NN" only, a Latin letter
    assert bare_name("$\\epsilon$-greedy") == "\u03b5-greedy"
    assert bare_name("$\\varepsilon$-Greedy Exploration") == "\u03b5-Greedy Exploration"
    assert bare_name("$\\chi^2$ Test") == "\u03c72 Test"
    assert bare_name("$\\lambda$-Returns") == "\u03bb-Returns"
    assert bare_name("$\\Gamma$-Convergence") == "\u0393-Convergence"
    for lead in ("An $\\epsilon$-greedy policy", "An \u03b5-greedy policy"):
        doc = _md(f"# Exploration\n\n## $\\epsilon$-greedy\n\n{lead} takes a random action with"
                  " probability $\\epsilon$ and the best known action otherwise.\n",
                  "vault/Exploration.md")
        assert "\u03b5-greedy" in [e.term for e in doc.entries], doc.entries
    # a formula alone, of a letter that is no Greek one, or of more than a letter names nothing
    assert bare_name("$\\alpha$") == "$\\alpha$"
    assert bare_name("$\\alpha + \\beta$ Schedules") == "$\\alpha + \\beta$ Schedules"
    # a Greek letter alone beside a word is a symbol's, as qa54 left it ("$\\alpha$ Schedules")
    assert bare_name("$\\alpha$ Schedules") == "$\\alpha$ Schedules"
    assert bare_name("$\\ell$-norms") == "$\\ell$-norms"


_DECK = ("\\documentclass{{beamer}}\n\\title{{Kernels}}\n\\begin{{document}}\n"
         "\\begin{{frame}}{{What a kernel is}}\nA kernel is an inner product.{note}\n"
         "\\end{{frame}}\n\\end{{document}}\n")
_ARTICLE = ("\\documentclass{article}\n\\title{Kernels}\n\\begin{document}\n\\section{Kernels}\n"
            "A kernel is an inner product.\n\\end{document}\n")


@pytest.mark.no_store
def test_a_notes_pdf_beside_an_article_is_no_beamer_notes_build(tmp_path: Path) -> None:
    # `x-notes.pdf` is Beamer's notes build of `x.tex` only when `x.tex` is a deck with
    # notes: beside an article, or a deck with none, it is a PDF of its own (round 54 left it
    # hidden as a build). Beamer's other builds (handout, trans) likewise need a deck.
    pdf = one_page_pdf([(20, "Kernels"), (11, "Lecture notes on kernels.")],
                       producer="pdfTeX-1.40.25")
    cases = {"article": _ARTICLE, "bare": _DECK.format(note=""),
             "deck": _DECK.format(note="\n\\note{Say why it is symmetric.}")}
    built = {}
    for name, tex in cases.items():
        (tmp_path / f"{name}.tex").write_text(tex)
        for kind in ("notes", "handout", "print", "43"):
            pdf_name = f"{name}-{kind}.pdf" if kind != "43" else f"{name}43.pdf"
            (tmp_path / pdf_name).write_bytes(pdf)
            built[pdf_name] = readers.built_copy(str(tmp_path / pdf_name))
    assert built == {"article-notes.pdf": False, "article-handout.pdf": False,
                     "article-print.pdf": True, "article43.pdf": True,
                     "bare-notes.pdf": False, "bare-handout.pdf": True,
                     "bare-print.pdf": True, "bare43.pdf": True,
                     "deck-notes.pdf": True, "deck-handout.pdf": True,
                     "deck-print.pdf": True, "deck43.pdf": True}, built


@pytest.mark.no_store
def test_a_tests_input_text_beside_its_code_is_no_note(tmp_path: Path) -> None:
    # a library's test reads `test/text/sample_corpus.txt` beside `test_tokenizer.py`: the
    # file was a concept "sample_corpus" (round 54 left it: only `fixtures`/`testdata` folders
    # were a test's). A text file in a test folder with no test code beside it is a note.
    code = tmp_path / "repo" / "test" / "text"
    code.mkdir(parents=True)
    (code / "test_tokenizer.py").write_text(
        'def test_split():\n    assert open("test/text/sample_corpus.txt").read()\n')
    (code / "sample_corpus.txt").write_text("the cat sat on the mat\n")
    notes = tmp_path / "vault" / "tests"
    notes.mkdir(parents=True)
    (notes / "hypothesis tests.txt").write_text("A t-test compares two means.\n")
    (notes / "chi-square.md").write_text("# Chi-square\n")
    assert readers.tool_file(str(code / "sample_corpus.txt"))
    assert not readers.tool_file(str(notes / "hypothesis tests.txt"))
    assert not readers.tool_file(str(code / "test_tokenizer.md"))


_ORG = """#+TITLE: Clustering
#+AUTHOR: A. Student

* K-means
K-means splits the points into /k/ groups, each point joining the group whose mean is
nearest, then moves each mean to the centre of its group until nothing changes.

* Spectral clustering
Spectral clustering embeds the points with the eigenvectors of a graph Laplacian and runs
k-means there. See [[https://example.org/spectral][a tutorial]].
"""
_RST = """==========
Clustering
==========

:Author: A. Student

K-means
=======

K-means splits the points into *k* groups, each point joining the group
whose mean is nearest, then moves each mean to the centre of its group
until nothing changes.

Spectral clustering
===================

Spectral clustering embeds the points with the eigenvectors of a graph
Laplacian and runs k-means there. See `a
tutorial <https://example.org/spectral>`__.
"""
_MD = """# K-means

K-means splits the points into *k* groups, each point joining the group whose mean is
nearest, then moves each mean to the centre of its group until nothing changes.

# Spectral clustering

Spectral clustering embeds the points with the eigenvectors of a graph Laplacian and runs
k-means there. See [a tutorial](https://example.org/spectral).
"""


@pytest.mark.no_store
def test_an_org_notes_export_beside_it_is_a_copy(tmp_path: Path) -> None:
    # a wiki kept in Org exports each page to reST (or Markdown) beside it for a site: each
    # page was read twice, lint calling every pair near-duplicates (round 54 left it). The
    # export is a copy when its words are the Org note's; a note of its own beside an Org
    # file of its name (more said in it) is read.
    (tmp_path / "clustering.org").write_text(_ORG)
    (tmp_path / "clustering.rst").write_text(_RST)
    (tmp_path / "other.org").write_text(_ORG)
    (tmp_path / "other.md").write_text(_MD)
    (tmp_path / "mine.org").write_text(_ORG)
    (tmp_path / "mine.rst").write_text(_RST + "\nDBSCAN\n======\n\nDBSCAN grows clusters from"
                                              " dense core points and leaves the rest as"
                                              " noise.\n")
    (tmp_path / "alone.rst").write_text(_RST)
    built = {n: readers.built_copy(str(tmp_path / n))
             for n in ("clustering.rst", "other.md", "mine.rst", "alone.rst", "clustering.org")}
    assert built == {"clustering.rst": True, "other.md": True, "mine.rst": False,
                     "alone.rst": False, "clustering.org": False}, built
    # an include naming a device is never opened (it would never end): it adds no words
    (tmp_path / "dev.org").write_text(_ORG + '\n#+INCLUDE: "/dev/zero"\n')
    (tmp_path / "dev.rst").write_text(_RST)
    assert readers.built_copy(str(tmp_path / "dev.rst"))


_CONF = '''project = "Notes on a textbook"
extensions = ["sphinx.ext.mathjax"]
rst_prolog = r"""
.. math::

    \\newcommand{\\vx}{\\mathbf{x}}
    \\newcommand{\\norm}[1]{\\lVert #1 \\rVert}
"""
'''
_CHAPTER = """Least Squares
=============

Least squares picks the :math:`\\vx` that makes :math:`\\norm{A\\vx - b}` smallest.

.. math::

    \\vx^\\star = (A^T A)^{-1} A^T b
"""


@pytest.mark.no_store
def test_a_sphinx_projects_prolog_macros_are_written_out(tmp_path: Path) -> None:
    # a textbook's notes define their macros once, in conf.py's `rst_prolog` (as `.. math::`
    # of `\newcommand`s); every chapter's formulas kept `\vx` as written (round 54 left it),
    # where the chapter's own definitions would be written out
    source = tmp_path / "docs" / "source"
    (source / "part1").mkdir(parents=True)
    (source / "conf.py").write_text(_CONF)
    chapter = source / "part1" / "least-squares.rst"
    chapter.write_text(_CHAPTER)
    doc = readers.read_file("rst", chapter.read_bytes(), str(chapter))[0]
    tex = [m.tex for p in doc.passages for m in p.math]
    assert tex == ["\\mathbf{x}", "\\lVert A{\\mathbf{x}} - b \\rVert",
                   "{\\mathbf{x}}^\\star = (A^T A)^{-1} A^T b"], tex
    text = "\n".join(p.text for p in doc.passages)
    assert "\\vx" not in text and "$\\lVert A{\\mathbf{x}} - b \\rVert$" in text, text
    # the chapter is read again when the prolog changes (its hash takes it in)
    before = readers.taken_from_others(chapter.read_bytes(), str(chapter))
    (source / "conf.py").write_text(_CONF.replace("mathbf", "boldsymbol"))
    assert readers.taken_from_others(chapter.read_bytes(), str(chapter)) != before
    # a page of no Sphinx project, or of one with no prolog, is read as it is
    alone = tmp_path / "least-squares.rst"
    alone.write_text(_CHAPTER)
    doc = readers.read_file("rst", alone.read_bytes(), str(alone))[0]
    assert "\\vx" in doc.passages[0].text
    assert readers.taken_from_others(alone.read_bytes(), str(alone)) == b""


_COURSE_DECK = ("\\documentclass{{beamer}}\n\\title{{{title}}}\n\\subtitle{{{subtitle}}}\n"
                "\\begin{{document}}\n\\begin{{frame}}\\titlepage\\end{{frame}}\n"
                "\\begin{{frame}}{{Why now}}\nMore data and faster chips.\n\\end{{frame}}\n"
                "\\end{{document}}\n")


@pytest.mark.no_store
def test_a_deck_named_more_by_its_subtitle_than_its_course_is_the_subtitles() -> None:
    # `deep_networks.tex` of a course "Deep Learning for Sequences" subtitled "1 - Deep
    # Networks": the file's name shares "deep" with the course, so read54 kept the course's
    # title (three decks of one name); it shares more with the subtitle
    course = "Deep Learning for Sequences"
    text = _COURSE_DECK.format(title=course, subtitle="1 - Deep Networks")
    assert readers.read_file("latex", text.encode(), "course/deep_networks.tex")[0].title \
        == "Deep Networks"
    # as many words shared with each: the title stays
    text = _COURSE_DECK.format(title=course, subtitle="1 - Deep Kernels")
    assert readers.read_file("latex", text.encode(), "course/deep_learning.tex")[0].title \
        == course


@pytest.mark.no_store
def test_a_german_definition_after_its_article_defines_its_heading() -> None:
    # "Die Faltung ist ..." under "## Faltung": the article before the name, as "The
    # convolution is ..." under "Convolution" (round 54 left German sections no entries)
    for heading, lead in (("Faltung", "Die Faltung ist eine Operation, die einen Filter"
                                      " schrittweise über das Bild schiebt."),
                          ("Rezeptives Feld", "Ein rezeptives Feld ist der Bereich des"
                                              " Bildes, den ein Neuron sieht.")):
        doc = _md(f"# Bildverarbeitung\n\n## {heading}\n\n{lead}\n", "vault/Bild.md")
        assert heading in [e.term for e in doc.entries], (heading, doc.entries)
    # a German sentence that only mentions the name further on defines nothing
    doc = _md("# Bildverarbeitung\n\n## Faltung\n\nBei CNNs wird die Faltung oft mit Pooling"
              " verbunden.\n", "vault/Bild.md")
    assert "Faltung" not in [e.term for e in doc.entries], doc.entries
