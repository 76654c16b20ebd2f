"""Round 56 (qa56): what a new user met reading notes written in AsciiDoc (a book's chapters
as `.asc` files, a student's exam notes as `.ad`, an Antora site's `.adoc` pages): every file
was "not a note format". Each shape rebuilt here in our own words. One store, built once for
the module, no vectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grimoire import readers
from tests.conftest import written_store

_NOTE = """\
= Optimisation Notes
A. Student <a.student@example.org>
v0.3, 2026-11-02
:stem: latexmath
:course: Learning Systems 101
:toc:

// to do: add a section on line search

Summaries for {course}.

== Gradient Methods

Gradient descent:: Steps the weights against the gradient stem:[\\nabla L(\\theta)] of the
loss, a little at a time.

Momentum::
+
--
Keeps a running average of past gradients and steps along it.

[stem]
++++
v_{t+1} = \\beta v_t + \\nabla L(\\theta_t)
++++
--

NOTE: See xref:adaptive.adoc[adaptive methods] and <<sgd,the stochastic variant>>.

[[sgd]]
=== Stochastic Gradient Descent

Stochastic gradient descent estimates the gradient on a small random batch of examples,
so each step is cheap but noisy.

.One update
[source,python]
----
w -= lr * grad  # :stem: not an attribute here
----

* cheap steps
** noisy estimates
. shuffle the data
. take a batch

[cols="1,2"]
|===
|Method |Extra memory

|SGD |none
|Adam |two moment estimates
|===

////
Private: exam tips, not for the notes.
////

include::partials/footer.adoc[]
"""

NOTES = {
    "optim/gradient.adoc": _NOTE,
    "optim/adaptive.adoc": "= Adaptive Methods\n\nAdam scales each weight's step by running "
                           "estimates of the gradient's first two moments.\n",
    # A book's chapter kept as `.asc`, opening at a level-1 section of the whole book.
    "book/ch03-attention.asc": "[[ch03]]\n== Chapter 3: Attention\n\nAttention lets each "
                               "token weigh every other token's value by how well their "
                               "query and key agree.\n",
    # An exam question kept as `.ad`.
    "exam/q06.ad": "= Neural Networks\n:page-order: Q06\n\nBackpropagation::\nComputes the "
                   "loss gradient layer by layer, from the output back to the input.\n",
    # A book's section kept in a file of its own, opening at its numbered heading.
    "book/sections/activations.asc": "=== 2.5 Activation Functions\n\nAn activation "
                                     "function bends a layer's output so that stacked "
                                     "layers are more than one linear map.\n",
    # A gem the book's build vendors (Bundler's `vendor/gems/`), with its test fixtures.
    "vendor/gems/mathlib-1.2/README.md": "# mathlib\n\nRenders formulas to SVG.\n",
    "vendor/gems/mathlib-1.2/ext/tests/fixtures/root-1.html":
        "<html><body><p>$$\\root x \\of y$$</p></body></html>\n",
    # A diagram's source the book includes, and the book's Homebrew packages.
    "book/diagrams/merges.asc": "[graphviz, images/merges, svg]\n----\ndigraph merges {\n"
                                "  low -> lower;\n}\n----\n",
    "Brewfile": 'brew "graphviz"\nbrew "asciidoctor"\n',
    # An Antora module: its menu beside its pages.
    "site/modules/ml/nav.adoc": ".Basics\n* xref:regression.adoc[Linear regression]\n",
    "site/modules/ml/pages/regression.adoc": "= Linear Regression\n\nLinear regression fits "
                                             "a line by least squares.\n",
    # The page Asciidoctor rendered beside the note, and a page written by hand beside one.
    "optim/gradient.html": '<!DOCTYPE html>\n<html><head><meta charset="UTF-8">\n<meta '
                           'name="generator" content="Asciidoctor 2.0.23">\n<title>Optimisation '
                           'Notes</title></head><body><h1>Optimisation Notes</h1><p>Summaries '
                           'for Learning Systems 101.</p></body></html>\n',
    "book/ch03-attention.html": "<html><head><title>Attention, my summary</title></head><body>"
                                "<h1>Attention, my summary</h1><p>Queries meet keys; values "
                                "are blended by the scores.</p></body></html>\n",
    # An OpenPGP signature armored as `.asc` beside a release: no note.
    "KEYS.asc": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGExampleKeyData\n"
                "-----END PGP PUBLIC KEY BLOCK-----\n",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa56", NOTES)


def _note() -> tuple[Any, list[str]]:
    path = "notes/optim/gradient.adoc"
    return readers.read_file("asciidoc", _NOTE.encode(), path)[0], _NOTE.split("\n")


def test_asciidoc_files_are_notes_of_every_extension(kb: Any) -> None:
    """`.adoc`, `.asc` and `.ad` files were each skipped as "not a note format"."""
    status = {s.path.split("/notes/", 1)[-1]: (s.status, s.format) for s in kb.sources()}
    for path in ("optim/gradient.adoc", "optim/adaptive.adoc", "book/ch03-attention.asc",
                 "exam/q06.ad"):
        assert status[path] == ("ok", "asciidoc"), status
    # Asciidoctor's page of a note is a copy; a page another hand wrote beside one is a note.
    assert status["optim/gradient.html"][0] == "skipped", status
    assert status["book/ch03-attention.html"] == ("ok", "html"), status
    labels = {c.label for c in kb.concepts()}
    assert {"Optimisation Notes", "Neural Networks", "Stochastic Gradient Descent"} <= labels
    assert not any("PGP" in label for label in labels), labels
    found = kb.search("token query key agree", mode="lexical")
    assert found and found[0].span.path.endswith("ch03-attention.asc"), found


def test_an_asciidoc_note_is_named_by_its_title_and_keeps_its_section_path() -> None:
    doc, lines = _note()
    assert doc.format == "asciidoc"
    assert doc.title == "Optimisation Notes"
    heads = {p.heading_path for p in doc.passages}
    assert ("Optimisation Notes", "Gradient Methods", "Stochastic Gradient Descent") in heads
    prose = next(p for p in doc.passages if "small random batch" in p.text)
    assert lines[prose.span.start_line - 1].startswith("Stochastic gradient descent estim")
    names = {e.term for e in doc.entries}
    assert "Stochastic Gradient Descent" in names, names


def test_asciidoc_markup_is_no_text_and_its_stem_is_math() -> None:
    doc, _ = _note()
    text = "\n".join(p.text for p in doc.passages if p.kind != "code")
    for markup in (":stem:", ":toc:", "A. Student", "v0.3", "to do: add", "[[sgd]]",
                   "[source", "include::", "Private: exam tips", "xref:", "<<sgd", "|===",
                   "[cols", "stem:[", "++++", "NOTE:"):
        assert markup not in text, (markup, text)
    assert "Summaries for Learning Systems 101." in text  # an attribute's value
    assert "the stochastic variant" in text
    math = [m for p in doc.passages for m in p.math]
    assert any(r"\nabla L(\theta)" in m.tex and not m.display for m in math), math
    assert any(r"v_{t+1}" in m.tex and m.display for m in math), math
    code = [p for p in doc.passages if p.kind == "code"]
    assert code and "w -= lr * grad" in code[0].text, code
    assert any(ln.target.endswith("adaptive.adoc") for ln in doc.links), doc.links
    # A table with its header row above a blank line: a table, one row a line.
    rows = next(p for p in doc.passages if "Extra memory" in p.text)
    assert rows.kind == "table" and "\nAdam | two moment estimates" in rows.text, rows


def test_a_description_lists_term_leads_its_definition() -> None:
    """`Term:: text` and `Term::` with its text joined below by `+` and an open block read
    as a paragraph led by the term in bold: the term is no stray line of its own."""
    doc, _ = _note()
    first = next(p for p in doc.passages if "Steps the weights" in p.text)
    assert first.text.startswith("Gradient descent: Steps the weights"), first.text
    joined = next(p for p in doc.passages if "running average" in p.text)
    assert "\n\nMomentum: Keeps a running average" in joined.text, joined.text
    assert "Momentum:\n" not in joined.text, joined.text
    exam = readers.read_file("asciidoc", NOTES["exam/q06.ad"].encode(), "exam/q06.ad")[0]
    assert exam.title == "Neural Networks"
    assert any(p.text.startswith("Backpropagation: Computes the loss gradient")
               for p in exam.passages), exam.passages


def test_a_books_chapter_is_named_by_its_heading_and_a_pgp_key_is_no_note() -> None:
    doc = readers.read_file("asciidoc", NOTES["book/ch03-attention.asc"].encode(),
                            "book/ch03-attention.asc")[0]
    assert doc.title == "Chapter 3: Attention"
    assert readers.read_file("asciidoc", NOTES["KEYS.asc"].encode(), "KEYS.asc") == []


def test_a_books_section_file_is_named_by_its_heading_and_vendored_gems_are_no_notes(
        kb: Any) -> None:
    """A section file `include::`d by its chapter was named by its file ("activations",
    nine files "matrix"); a gem vendored by the book's build gave its fixtures as notes."""
    doc = readers.read_file("asciidoc", NOTES["book/sections/activations.asc"].encode(),
                            "book/sections/activations.asc")[0]
    assert doc.title == "Activation Functions"
    paths = [s.path for s in kb.sources()]
    assert not [p for p in paths if "/vendor/" in p], paths
    status = {s.path.split("/notes/", 1)[-1]: s.status for s in kb.sources()}
    assert status["Brewfile"] == "skipped", status
    labels = {c.label for c in kb.concepts()}
    assert not {"merges", "Brewfile", "nav"} & labels, labels
    assert "Linear Regression" in labels, labels
    assert not kb.search("Basics", mode="lexical"), "an Antora menu is no note"


_OVER_LINES = """= Reading List
:stem: latexmath

Inverse square falloff: stem:[\\min \\left(
\\frac{d}{x^2}, 1 \\right)] keeps the *force* bounded.

. link:https://example.org/lecture-01.pdf[
What statistics is for
]

Expected value stem:[E(X)]:: The mean of the outcomes weighted by their probabilities.

Convolution theorem (two signals):: A convolution in time is a product in frequency.

A class of languages: stem:[\\{L \\mid \\text{some machine $M$ decides } L\\}] in time.
"""


def test_asciidoc_formulas_and_links_over_lines_and_terms_with_formulas() -> None:
    doc = readers.read_file("asciidoc", _OVER_LINES.encode(), "reading.adoc")[0]
    text = "\n".join(p.text for p in doc.passages)
    for markup in ("stem:[", "link:", "::"):
        assert markup not in text, (markup, text)
    math = [m.tex for p in doc.passages for m in p.math]
    assert any("\\min \\left(" in m and "\\right)" in m for m in math), math
    assert "keeps the force bounded" in text, text
    assert any(ln.target == "https://example.org/lecture-01.pdf" for ln in doc.links), doc.links
    assert "Expected value $E(X)$: The mean" in text or "Expected value E(X): The mean" in text
    assert "Convolution theorem (two signals): A convolution" in text, text
    # Math in the formula's `\\text{}`: its `$` ended the formula ("broken-math" in lint).
    assert any("\\text{some machine \\(M\\) decides } L" in m for m in math), math
