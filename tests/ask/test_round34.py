"""Round 34: a shape of fresh24's tune leak, rebuilt here in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted

# A thing defined at length; no method of computing it is compared with another.
MEDIAN = """---
title: Median
---
The median of a list of numbers is the value in the middle once the list is sorted, so that
half of the numbers lie below it and half above it.

Unlike the mean, the median hardly moves when one number in the list is replaced by a very
large outlier.
"""

COMPARED = """---
title: Selection algorithms
---
A selection algorithm finds the k-th smallest number of a list, such as its median.

Quickselect is usually the fastest way to find the median of a list, taking linear time on
average, while sorting the whole list first takes longer.
"""


def test_which_is_fastest_is_refused_when_the_notes_never_compare_speed(tmp_path: Path) -> None:
    # fresh24: "Which algorithm finds the convex hull of points in the plane fastest?" was
    # answered with the convex hull's picture of a rubber band.
    note = tmp_path / "median.md"
    note.write_text(MEDIAN, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "Which algorithm finds the median of a list of numbers fastest?")
    assert answer.abstained, answer.answer


def test_which_is_fastest_is_answered_when_the_notes_compare_speed(tmp_path: Path) -> None:
    note = tmp_path / "selection algorithms.md"
    note.write_text(COMPARED, encoding="utf-8")
    answer = ask_notes(tmp_path, [note],
                       "Which algorithm finds the median of a list of numbers fastest?")
    assert_quoted(answer, "Quickselect is usually the fastest way")


def test_a_note_in_utf16_or_latin1_is_cited(tmp_path: Path) -> None:
    # A citation is checked against the file read again; that read took every file for UTF-8,
    # so a UTF-16 note (a NUL between letters) was never cited and its answer refused, and a
    # Windows-1252 one lost its accented words (round 34, qa34: notes saved by Windows tools).
    for encoding in ("utf-16", "cp1252"):
        note = tmp_path / encoding / "median.md"
        note.parent.mkdir()
        note.write_text(MEDIAN.replace("large outlier", "large outlier (a café's bill)"),
                        encoding=encoding)
        answer = ask_notes(note.parent, [note], "What is the median of a list of numbers?")
        assert_quoted(answer, "the value in the middle once the list is sorted")
        assert answer.citations[0].span.path.endswith("median.md"), encoding
