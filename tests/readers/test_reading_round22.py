"""Round 22 (read22): what the Sphinx cheat sheet's pages still lost when read.

- A rubric (`.. rubric:: Pros`) or a sub-heading inside a section entry is a small heading: it
  stays a line of the entry's text, where a reader of the page sees it.
- A grid-table row is one line, even when a cell holds a formula written over two lines.
- A section with no text of its own whose first part defines it ("Numpy" > "Dot product"), or
  that opens with the question what it is ("Dropout" > "What is Dropout?"), is an entry:
  before, it could not be a search result at all.

Every expectation is read from ../shared at run time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grimoire.model import Document
from grimoire.readers import rst


def _read(path: Path) -> tuple[Document, list[str]]:
    (doc,) = rst.read(path.read_bytes(), str(path))
    return doc, path.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def activations(corpora: Path) -> tuple[Document, list[str]]:
    return _read(corpora / "ml-cheatsheet-rst" / "activation_functions.rst")


def test_a_rubric_stays_a_heading_line_of_the_entry(
    activations: tuple[Document, list[str]]
) -> None:
    doc, lines = activations
    rubrics = [(n, m.group(1).strip()) for n, line in enumerate(lines, 1)
               if (m := re.match(r"\.\. rubric::\s*(\S.*)$", line))]
    checked = 0
    for entry in doc.entries:
        inside = [(n, name) for n, name in rubrics
                  if entry.span.start_line <= n <= entry.span.end_line]
        if not inside:
            continue
        paragraphs = entry.definition.split("\n\n")
        # Each rubric is a paragraph of its own, in the page's order, after the entry's lead.
        at = [paragraphs.index(name, i) for i, (_, name) in zip(range(1, 99), inside,
                                                                  strict=False)]
        assert at == sorted(at) and at[0] > 0, entry.term
        # The text under a rubric follows its line.
        for n, name in inside:
            under = next(p for p in doc.passages if p.span.start_line > n)
            assert under.heading_path[-1] == name
            assert entry.definition.index(under.text) > \
                entry.definition.index(f"\n\n{name}\n\n")
        checked += 1
    assert checked >= 6  # Linear, ELU, ReLU, LeakyReLU, Sigmoid, Tanh have Pros and Cons


def test_a_grid_table_row_is_one_line(activations: tuple[Document, list[str]]) -> None:
    doc, lines = activations
    grids = [n for n, line in enumerate(lines, 1) if line.startswith(("+=", "+-"))]
    held = [p for p in doc.passages if any(p.span.start_line <= n <= p.span.end_line
                                           for n in grids)]
    assert len(held) >= 6  # the page's function/derivative tables
    for p in held:
        for line in p.text.split("\n"):
            assert line.count("$$") % 2 == 0, line  # a formula never runs over a row's end
    linear = next(e for e in doc.entries if e.term == "Linear")
    header = next(line for line in lines if line.startswith("| Function"))
    cells = [c.strip() for c in header.strip("|").split("|")]
    assert " | ".join(cells) in linear.definition.split("\n")
    formula = next(line for line in linear.definition.split("\n") if "R(z,m)" in line)
    assert "R'(z,m)" in formula  # the function and its derivative: one row, one line


def test_a_section_opened_by_its_first_part_is_an_entry(corpora: Path) -> None:
    doc, lines = _read(corpora / "ml-cheatsheet-rst" / "linear_algebra.rst")
    # "Numpy" holds no text of its own; its first part's text opens with its name.
    heading = next(n for n, line in enumerate(lines, 1)
                   if line == "Numpy" and set(lines[n]) == {"="})
    numpy = next(e for e in doc.entries if e.term == "Numpy")
    assert heading < numpy.span.start_line
    assert numpy.definition.startswith("Numpy ")
    assert "no text of its own" in (numpy.reason or "")
    # It stops where the next entry of the page starts (Broadcasting, a part that defines
    # itself), and its first part ("Dot product", a heading the page repeats) is no entry.
    after = [e for e in doc.entries if e.span.start_line > numpy.span.start_line]
    assert after and numpy.span.end_line < after[0].span.start_line
    assert [e.term for e in doc.entries].count("Dot product") == 1


def test_a_question_part_that_asks_for_the_heading_opens_its_section(corpora: Path) -> None:
    # regularization.rst: "Dropout" holds only a rubric "What is Dropout?" and its text.
    doc, lines = _read(corpora / "ml-cheatsheet-rst" / "regularization.rst")
    asked = next(n for n, line in enumerate(lines, 1)
                 if re.match(r"\.\. rubric::\s*What is Dropout\?", line))
    dropout = next(e for e in doc.entries if e.term == "Dropout")
    assert asked < dropout.span.start_line <= asked + 3
    assert dropout.definition.startswith("Dropout is ")
    # A question about something else is no opening part: "What is overfitting?" sits under
    # the page's title, which is no section entry.
    assert "What is overfitting?" not in [e.term for e in doc.entries]
