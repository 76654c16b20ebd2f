"""Round 43 (read43): lint's "sections are about it" for a wanted page finds the sections by
their headings, not among the passages that best hold the name's words anywhere (round 42
looked at the 200 best: a vault that names a topic in many passages hid its section). Notes
written here."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes

# A log of runs that names the method in each of its 210 headings and texts, a course note with
# one section headed by it, and a note that links to it by name.
_RUN = ("## Cross-validation run {n}\nCross-validation, cross-validation and cross-validation "
        "again, on fold {n}.\n\n")
NOTES = {
    ".obsidian/app.json": "{}",
    "log/Runs.md": "# Runs\n\n" + "".join(_RUN.format(n=n) for n in range(210)),
    "course/Week 2.md": """\
# Week 2

## 3. Cross-Validation (robust evaluation)
Split the rows into k folds; train on all but one fold, score on the one left, and repeat so
that every fold is scored once. The mean of the k scores says how the model does on rows it
has not seen, with less luck in it than one split gives.
""",
    "course/Plan.md": "# Plan\n\nRead up on [[Cross-Validation]] before the lab.\n",
}


def test_a_section_headed_by_a_wanted_name_is_found_however_often_its_words_appear(
        tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", write_notes(tmp_path / "notes", NOTES),
                  embed=False) as kb:
        [found] = [f for f in kb.lint().findings if f.group == "wanted"]
    assert found.concept == "Cross-Validation"
    assert "defined nowhere" not in found.message
    assert found.message.endswith("sections are about it at Week 2.md:4")
    assert found.other is not None and found.other.path.endswith("course/Week 2.md")
    assert found.other.start_line == 4
