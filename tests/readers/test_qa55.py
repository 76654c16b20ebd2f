"""Round 55 (qa55): what a new user met reading lecture notes and exam sheets written in
Typst (`.typ`, each beside the PDF Typst compiled of it): every `.typ` file was "not a note
format", and the compiled PDFs were read in their place. Each shape rebuilt here in our own
words. One store, built once for the module, no vectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grimoire import readers
from tests.conftest import one_page_pdf, written_store

_LECTURE = """\
#import "@preview/notes-template:0.1.0": *
#show: notes.with(
  title: "Deep Learning Lecture Notes",
  author: "A. Student",
)
#set text(size: 11pt)

// draft: reorder the sections later
#outline()

= Optimization

== Gradient Descent

Gradient descent moves the weights a small step against the gradient of the loss, over
and over, until the loss stops falling.

$
  theta_(t+1) = theta_t - eta nabla L(theta_t)
$

#remark("Step size")[
  Too large a step overshoots the minimum; too small a step crawls.
]

/ Learning rate: the factor $eta$ that scales each step.

See #link("https://example.org/adam")[the Adam paper] for adaptive steps.

```python
theta = theta - eta * grad
```

#pagebreak()

= Regularization <reg>

== Weight Decay

Weight decay adds the squared norm of the weights to the loss, which pulls every weight
towards zero a little at each step.
"""

NOTES = {
    "dl/lecture.typ": _LECTURE,
    # The PDF Typst compiled of the note beside it: a copy, not a second note.
    "dl/lecture.pdf": one_page_pdf(
        [(20, "Deep Learning Lecture Notes"), (11, "Gradient descent moves the weights a "
                                                   "small step against the gradient.")],
        producer="Typst 0.14.2").decode("latin-1"),
    # A PDF another program made beside a Typst note of its name: read.
    "dl/slides.typ": "= Dropout\n\nDropout zeroes a random share of the units at each "
                     "training step.\n",
    "dl/slides.pdf": one_page_pdf(
        [(20, "Dropout Slides"), (11, "Dropout zeroes units at random.")],
        producer="LibreOffice 7.6").decode("latin-1"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa55", NOTES)


def _status(kb: Any) -> dict[str, str]:
    return {s.path.split("/notes/", 1)[-1]: s.status for s in kb.sources()}


def test_a_typst_note_is_read_and_the_pdf_typst_made_of_it_is_not(kb: Any) -> None:
    """Every `.typ` file was skipped as "not a note format (.typ)": the user's notes were
    read only through the PDFs compiled of them, or not at all."""
    status = _status(kb)
    assert status["dl/lecture.typ"] == "ok", status
    assert status["dl/lecture.pdf"] == "skipped", status
    assert status["dl/slides.typ"] == "ok", status
    assert status["dl/slides.pdf"] == "ok", status  # another program's PDF is a note
    typ = next(s.path for s in kb.sources() if s.path.endswith("lecture.typ"))
    assert readers.built_pages(typ) == [typ[:-4] + ".pdf"]


def _lecture() -> tuple[Any, list[str]]:
    path = "notes/dl/lecture.typ"
    return readers.read_file("typst", _LECTURE.encode(), path)[0], _LECTURE.split("\n")


def test_a_typst_note_is_named_by_its_templates_title_and_keeps_its_headings() -> None:
    doc, lines = _lecture()
    assert doc.format == "typst"
    assert doc.title == "Deep Learning Lecture Notes"
    heads = {p.heading_path for p in doc.passages}
    assert ("Optimization", "Gradient Descent") in heads, heads
    assert ("Regularization", "Weight Decay") in heads, heads  # the label `<reg>` no name
    prose = next(p for p in doc.passages if "moves the weights" in p.text)
    assert lines[prose.span.start_line - 1].startswith("Gradient descent moves"), prose

def test_typst_markup_is_no_text_and_its_math_is_a_formula() -> None:
    doc, lines = _lecture()
    text = "\n".join(p.text for p in doc.passages)
    for code in ("#import", "#show", "notes.with", "#set", "#outline", "#pagebreak",
                 "draft: reorder", "author:", "<reg>", "#remark", "#link"):
        assert code not in text, (code, text)
    assert "Too large a step overshoots" in text  # a content block's text is kept
    assert "Step size" in text
    assert "the Adam paper" in text
    math = [m for p in doc.passages for m in p.math]
    assert any("theta_(t+1)" in m.tex and m.display for m in math), math
    url = [ln for ln in doc.links if ln.target == "https://example.org/adam"]
    assert url and lines[url[0].span.start_line - 1].startswith("See #link"), doc.links
    term = [p for p in doc.passages if "Learning rate" in p.text]
    assert term and lines[term[0].span.start_line - 1].startswith("/ Learning rate:"), term


_PART = """\
#import "../config.typ": *

== Linear Fitting

Here #term("linear regression", "least squares") fits a line to the points; see
#link("https://example.org/ols", [a derivation]).

#card(title: "Worked example")[
  Fit two points:
  ```
  y = a x + b
  ```
]

Both points lie on the line.
"""


def test_a_typst_books_part_is_named_by_its_heading_and_keeps_its_calls_words() -> None:
    """A book in Typst kept each part in a file `#include`d by its main file, opening at a
    level-2 heading: each was named by its file ("section1_1"). A call inline
    (`#term("...", "...")`) lost its words, and a raw block indented inside a content block
    never closed (the rest of the file was code)."""
    doc = readers.read_file("typst", _PART.encode(), "book/sections/part1_1.typ")[0]
    assert doc.title == "Linear Fitting"
    text = "\n".join(p.text for p in doc.passages)
    assert "linear regression least squares fits a line" in text, text
    assert "a derivation" in text and "Worked example" in text, text
    last = [p for p in doc.passages if "Both points lie on the line" in p.text]
    assert last and last[0].kind == "text", doc.passages


def test_a_typst_formula_over_lines_opened_inline_ends_where_it_ends() -> None:
    """A cheat sheet's formula opened inline and closed on a later line (`$f = cases(` ...
    `)$`), then a `$` alone closing the next one: the lone `$` was read as opening a display
    that ran to the end of the file, and every later box showed its markup as text."""
    sheet = ("= Sheet\n\n#box(title: [Attention])[\n  $a = f(\n    x)$\n  scores\n"
             "- costs $O(E + V log V)$ at most\n"
             "  $b = g(x)\n  $\n]\n\n#box(title: [Encoding])[\n  Positions get sines.\n]\n")
    doc = readers.read_file("typst", sheet.encode(), "sheet.typ")[0]
    text = "\n".join(p.text for p in doc.passages)
    assert "#box" not in text and "title:" not in text, text
    assert "Positions get sines." in text and "Encoding" in text, text
    assert "$O(E + V log V)$" in text, text  # a `+` in a list item's formula is no number


def test_a_typst_calls_arguments_over_lines_keep_their_content_blocks_text() -> None:
    """Lecture notes laid out two columns with `#grid(` ... `)` and tables in `#figure(`:
    the whole call was code, and the headings and text in its content blocks, a table's
    cells and its caption were nowhere; a definition (`#let`) over lines stays no text."""
    note = ("= Smoothing\n\n#grid(\n  columns: (1fr, 1fr),\n  [\n    == Shared Basis\n\n"
            "    Both bounds rest on one Lipschitz constant.\n  ],\n  [\n    #tip[\n"
            "      Noise means opposite things here.\n    ]\n  ],\n)\n\n#figure(\n  table(\n"
            "    columns: 2,\n    [Case], [Fix],\n    [too few samples], [draw more],\n  ),\n"
            "  caption: [Failure modes],\n)\n\n#let box(body) = {\n  [#body in a box]\n}\n\n"
            "Smoothing averages a classifier over noise.\n")
    doc = readers.read_file("typst", note.encode(), "rs.typ")[0]
    text = "\n".join(p.text for p in doc.passages)
    assert ("Smoothing", "Shared Basis") in {p.heading_path for p in doc.passages}, doc.passages
    for said in ("one Lipschitz constant", "opposite things", "too few samples | draw more",
                 "Failure modes", "averages a classifier"):
        assert said in text, (said, text)
    for code in ("columns", "1fr", "in a box", "#let"):
        assert code not in text, (code, text)


def test_a_typst_template_folders_example_is_no_concept() -> None:
    """The notes kept their style's demonstration in `template/` ("Basic ... Style" over
    "Hello world!"), read as a concept of two sources, as Obsidian's templates folder was."""
    demo = ('#show: style.with(title: "Plain Lecture Style")\n\n= Heading\n\nHello.\n')
    doc = readers.read_file("typst", demo.encode(), "notes/template/demo.typ")[0]
    assert doc.entries == () and doc.meta.get("vault_template"), (doc.entries, doc.meta)


def test_a_typst_list_deep_in_content_blocks_is_a_list_and_a_blocks_first_line_text() -> None:
    """Notes laid out in `#grid(` columns opened a column's block and its heading on one line
    (`[== AutoAttack`), and their lists sat six spaces deep in nested blocks: the heading was
    lost and each list was a code block (Markdown's four spaces)."""
    note = ("= Attacks\n\n#grid(\n  columns: (1fr, 1fr),\n  [== Ensembles\n\n"
            "    #definition(title: \"Ensemble\")[\n      Parts:\n\n"
            "      1. *First*: a gradient attack\n      2. *Second*: a margin attack\n"
            "        - nested detail\n    ]\n  ],\n  [=== Pseudocode\n\n    ```python\n"
            "    x_adv = attack(x)\n    ```],\n)\n\n== Contrastive View\n\n"
            "Contrastive training pulls an example and its attacked copy together.\n")
    doc = readers.read_file("typst", note.encode(), "att.typ")[0]
    assert ("Attacks", "Ensembles") in {p.heading_path for p in doc.passages}, doc.passages
    lists = [p for p in doc.passages if "a gradient attack" in p.text]
    assert lists and lists[0].kind == "list", doc.passages
    assert "nested detail" in lists[0].text, lists
    heads = {p.heading_path for p in doc.passages}
    assert ("Attacks", "Ensembles", "Pseudocode") in heads, heads  # a `[` before its heading
    assert ("Attacks", "Contrastive View") in heads, heads  # "```]," closed both blocks
