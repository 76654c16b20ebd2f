"""Review of round 42's "sections are about it" for wanted pages (review42a): the same answer
on both engines, whatever the length of the name's words. Notes written here."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes

# A course note with a section headed by a name of two letters, and one with a name of a
# short word and a long one; a note that links to both by name.
NOTES = {
    ".obsidian/app.json": "{}",
    "course/Week 5.md": """\
# Week 5

## 1. RL (the short version)
An agent acts, the world answers with a reward, and the agent learns which acts pay off.

## 2. Q Learning
A table of how much each act is worth in each state, updated after every step.
""",
    "course/Plan.md": """\
# Plan

Read up on [[RL]] and then on [[Q Learning]] before the lab, and note each open question.
""",
}


def test_a_wanted_page_named_by_short_words_finds_its_sections_on_either_engine(
        tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", write_notes(tmp_path / "notes", NOTES),
                  embed=False) as kb:
        found = {f.concept: f for f in kb.lint().findings if f.group == "wanted"}
    assert set(found) == {"RL", "Q Learning"}
    for name, line in (("RL", 4), ("Q Learning", 7)):
        assert "defined nowhere" not in found[name].message, name
        assert f"Week 5.md:{line}" in found[name].message, name
