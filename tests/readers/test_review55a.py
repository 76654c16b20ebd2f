"""Round 55 (review55a): read55's reading rules on notes of kinds they were not written for,
each on small notes written here in this test's own words. Readers called directly (no
store): milliseconds a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from tests.readers.test_read51 import _md

# A blog built by Pelican's default theme: the blog's name is the banner's `<h1>` (a link to
# its home page) and comes first in the `<title>`, the post's own `<h1>` after it.
_BLOG_POST = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Lab Notebook - {title}</title><meta name="generator" content="Pelican"></head><body>
<header id="banner"><h1><a href="/">Lab Notebook</a></h1><nav><a href="/">Home</a></nav></header>
<article><header><h1 class="entry-title"><a href="/{slug}.html">{title}</a></h1></header>
<div class="entry-content"><p>{body}</p></div></article></body></html>
"""


@pytest.mark.no_store
def test_a_blogs_posts_titled_after_its_name_keep_their_own() -> None:
    # read55 cut "X - Site" to X over a logo <h1>; a title "Site - X" was already cut to the
    # site's name when the first <h1> is the site's: every post was "Lab Notebook", an entry
    # "Lab Notebook" on each page
    posts = {"Gradient Boosting": "Gradient boosting adds shallow trees one after another,"
                                  " each fitted to what the trees before it got wrong.",
             "Dropout": "Dropout is a regularizer that zeroes random activations while"
                        " training, so that no unit leans on another."}
    titles, terms = [], []
    for title, body in posts.items():
        slug = title.lower().replace(" ", "-")
        page = _BLOG_POST.format(title=title, slug=slug, body=body)
        docs = readers.read_file("html", page.encode(), f"blog/{slug}.html")
        titles += [d.title for d in docs]
        terms += [e.term for d in docs for e in d.entries]
    assert titles == list(posts), titles
    assert "Lab Notebook" not in terms, terms
    # ... or its heading an <h2> (Pelican's "simple" theme)
    page = _BLOG_POST.format(title="Dropout", slug="dropout", body=posts["Dropout"])
    page = page.replace('<h1 class="entry-title">', "<h2>").replace("</a></h1></header>",
                                                                    "</a></h2></header>")
    assert "<h2>" in page and page.count("<h1") == 1
    assert readers.read_file("html", page.encode(), "blog/dropout.html")[0].title == "Dropout"
    # a page whose own first <h1> opens its title keeps that part, as before
    page = _BLOG_POST.format(title="Dropout", slug="dropout", body="Dropout zeroes units.")
    page = page.replace('<h1><a href="/">Lab Notebook</a></h1>', "").replace(
        "Lab Notebook - Dropout", "Dropout - Lab Notebook")
    assert readers.read_file("html", page.encode(), "blog/dropout.html")[0].title == "Dropout"


@pytest.mark.no_store
def test_exam_notes_in_a_tests_folder_beside_code_are_notes(tmp_path: Path) -> None:
    # read55 skipped every text file of a `tests` folder holding a test's code: a student's
    # exam notes beside the answers they wrote as `test_1.py` were lost. The code must name
    # the file to make it its input.
    exams = tmp_path / "course" / "tests"
    exams.mkdir(parents=True)
    (exams / "test_1.py").write_text("def gradient(w):\n    return 2 * w\n")
    (exams / "midterm.txt").write_text("Bias is the error of the average model.\n")
    (exams / "test_reader.py").write_text('DATA = "tokens.txt"\n')
    (exams / "tokens.txt").write_text("a b c\n")
    assert not readers.tool_file(str(exams / "midterm.txt"))
    assert readers.tool_file(str(exams / "tokens.txt"))


@pytest.mark.no_store
def test_a_greek_letters_name_is_spelled_out_as_an_alias() -> None:
    # read55 named "## $\epsilon$-greedy" "\u03b5-greedy": `show epsilon-greedy`, a link
    # [[epsilon-greedy]] or a note's "Epsilon-Greedy" found no such name
    doc = _md("# Exploration\n\n## $\\epsilon$-greedy\n\nAn $\\epsilon$-greedy policy explores"
              " at random with a small probability and exploits otherwise.\n\n## $\\beta$-VAE\n\n"
              "A $\\beta$-VAE weighs its KL term by a factor above one.\n", "vault/Exploration.md")
    names = {e.term: e.aliases for e in doc.entries}
    assert "epsilon-greedy" in names.get("\u03b5-greedy", ()), names
    assert "beta-VAE" in names.get("\u03b2-VAE", ()), names
    # a name in Greek words is no letter standing alone: no alias
    doc = _md("# \u039b\u03cc\u03b3\u03bf\u03c2\n\n\u039f \u03bb\u03cc\u03b3\u03bf\u03c2 is"
              " a ratio of two numbers, a word in Greek.\n", "vault/Logos.md")
    assert all(not e.aliases or e.aliases == (doc.title,) for e in doc.entries), doc.entries


_LONG = ("Gradient descent starts from a guess of the weights and moves them a small step against"
         " the gradient of the loss, again and again, until the loss stops falling. The step's"
         " size is the learning rate: too small and the descent crawls, too large and it jumps"
         " over the valley and may diverge. With a batch of examples drawn at random each step"
         " the method is stochastic, cheaper per step and noisier, and the noise can help it"
         " leave a flat region or a poor local minimum behind. Momentum keeps a running average"
         " of past gradients so that the steps along a narrow valley add up.")


@pytest.mark.no_store
def test_an_org_export_the_user_wrote_into_is_read(tmp_path: Path) -> None:
    # read55 skipped `x.md` beside `x.org` when each paragraph's runs of words were 90% the
    # Org note's: a sentence the user added to a long paragraph of the export was lost with it
    (tmp_path / "descent.org").write_text(f"#+TITLE: Descent\n\n* Gradient descent\n{_LONG}\n")
    added = _LONG.replace(" Momentum keeps", " Warm restarts reset the schedule periodically."
                                             " Momentum keeps")
    (tmp_path / "descent.md").write_text(f"# Gradient descent\n\n{added}\n")
    assert not readers.built_copy(str(tmp_path / "descent.md"))
    # the export as Org wrote it is a copy still
    (tmp_path / "plain.org").write_text(f"#+TITLE: Descent\n\n* Gradient descent\n{_LONG}\n")
    (tmp_path / "plain.md").write_text(f"# Gradient descent\n\n{_LONG}\n")
    assert readers.built_copy(str(tmp_path / "plain.md"))


_CONF = '''import os
project = "Convex notes"
rst_prolog = """
.. math::

   \\\\newcommand{\\\\R}{\\mathbb{R}}
"""
'''


@pytest.mark.no_store
def test_a_prolog_in_a_plain_python_string_is_unescaped(tmp_path: Path) -> None:
    # read55 took `rst_prolog`'s text as the file writes it: in a string that is not raw (as
    # most conf.py write it) each backslash is doubled, and no macro was found
    (tmp_path / "conf.py").write_text(_CONF)
    # the file holds each backslash twice, or once where Python keeps it ("\\m", which it
    # warns of: a warning is no failure)
    assert "\\\\newcommand{\\\\R}{\\mathbb" in _CONF
    page = tmp_path / "cones.rst"
    page.write_text("Cones\n=====\n\nA cone is a set :math:`K \\subseteq \\R^n` closed under"
                    " positive scaling.\n")
    doc = readers.read_file("rst", page.read_bytes(), str(page))[0]
    assert [m.tex for p in doc.passages for m in p.math] == ["K \\subseteq {\\mathbb{R}}^n"], doc


@pytest.mark.no_store
def test_a_title_of_two_headings_no_banner_is_cut_as_before() -> None:
    # a page of two sections "Bias" and "Variance" titled "Bias - Variance": no banner (no
    # link home), the first <h1> is the page's as round 54 read it
    page = ("<html><head><title>Bias - Variance</title></head><body><h1 id='bias'>Bias</h1>"
            "<p>Bias is the error of the average model.</p><h1 id='variance'>Variance</h1>"
            "<p>Variance is how much the model moves with its sample.</p></body></html>")
    assert readers.read_file("html", page.encode(), "notes/tradeoff.html")[0].title == "Bias"


@pytest.mark.no_store
def test_an_english_die_is_no_german_article() -> None:
    # read55 let German articles lead a name ("Die Faltung ist ..."): English sentences on
    # dice opened with "Die" + the heading, and "Casting", "Roll" became entries
    doc = _md("# Probability\n\n## Casting\n\nDie casting made the cubes of our dice example;"
              " it has nothing to do with sampling.\n\n## Roll\n\nDie roll outcomes are"
              " uniform over six faces when the die is fair.\n", "vault/Probability.md")
    assert [e.term for e in doc.entries] == ["Probability"], doc.entries
