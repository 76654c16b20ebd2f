"""Ask on real notes, round 11 (bench/questions/README.md, "Findings, round 11"): a
definition leads even when the best sentence opens a later section of the same note; a formula
is shown as the note writes it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ask_notes, assert_quoted, span_of


def test_the_opening_of_a_note_leads_over_the_opening_of_its_later_section(
        tmp_path: Path, corpora: Path) -> None:
    # The vault's confusion-matrix note opens with what the thing is, in words that do not
    # name it; a later paragraph opens with the name ("The confusion matrix for a multi-class
    # ...") and scored best. A best sentence that opens its passage was taken as the note's
    # opening, so the definition never led: the answer was two sentences of examples.
    vault = corpora / "google-ml-glossary-vault"
    note = vault / "confusion matrix.md"
    answer = ask_notes(tmp_path, [note, vault / "accuracy.md", vault / "precision.md"],
                       "What is a confusion matrix?")
    assert_quoted(answer, span_of(note, "NxN", "predictions"))
    first = answer.citations[0]
    assert first.span.path.endswith("confusion matrix.md")
    opening = next(i for i, line in enumerate(note.read_text(encoding="utf-8").splitlines(), 1)
                   if "NxN" in line)
    assert first.span.start_line == opening, answer.answer


def test_a_formula_in_an_answer_is_quoted_as_written(tmp_path: Path, seeds: Path) -> None:
    # The notes' own reference marks ("see [6]") are shown in parentheses so they do not read
    # as the answer's citations; inside a formula the brackets are TeX: the geometric mean's
    # root of index 2 was turned into another formula in the answer, while its quote kept it.
    note = next(seeds.glob("000_*.txt"))
    answer = ask_notes(tmp_path, [note], "What is the geometric mean?")
    assert not answer.abstained
    quoted = set(re.findall(r"\$[^$]+\$", " ".join(c.quote for c in answer.citations)))
    shown = re.findall(r"\$[^$]+\$", answer.answer)
    assert any("[" in m for m in shown), answer.answer
    assert set(shown) <= quoted, answer.answer
