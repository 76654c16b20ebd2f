"""Round 44 (qa44): what a new user met reading an mkdocs-material site of course notes and a
Hugo blog with math; each note rebuilt here in our own words."""

from __future__ import annotations

from grimoire.readers import read_file


def _entries(text: str, path: str) -> dict[str, str]:
    return {e.term: e.definition for d in read_file("markdown", text.encode(), path)
            for e in d.entries}


def test_keycap_digits_number_a_section() -> None:
    """An mkdocs-material page numbers its sections with keycap emoji after a decoration
    (`## 📘 1️⃣ Systems of Linear Equations`, `## 🔓 4️⃣ Free Variables`): the sections that
    define their heading were no concepts at all (`show "Free Variables"`: no concept), and
    the closing `## 🎯 8️⃣ Key Takeaways` was no page part. The keycap is the section's number,
    as "1." is."""
    text = ("# 🧮 Matrix Notes\n\n"
            "## 📘 1️⃣ Linear Systems\n\n"
            "A linear system is a set of linear equations in the same unknowns.\n\n"
            "## 🔓 2️⃣ Free Variables\n\n"
            "A free variable is an unknown whose column of the reduced matrix has no pivot.\n\n"
            "## 🎯 3️⃣ Key Takeaways\n\n"
            "Key takeaways are the few points to remember from these notes.\n")
    entries = _entries(text, "docs/topics/matrix-notes.md")
    assert entries.get("Linear Systems", "").startswith("A linear system is"), entries
    assert entries.get("Free Variables", "").startswith("A free variable is"), entries
    assert "Key Takeaways" not in entries, entries
    assert not any("\u20e3" in name for name in entries), entries


def test_a_practice_problems_hints_are_a_part_of_the_page() -> None:
    """A course site's practice problems each have `## 💡 Hints` (collapsed `<details>`
    boxes) between the task and its solution: eight concepts "Hints", and `lint` said
    "'Hints' is defined differently here and in 5 other places". Hints, like "Tips", are a
    part of the page."""
    text = ("# Problem 3: Serve a Model Behind a Load Balancer\n\n"
            "## Problem Statement\n\nPut two model servers behind one load balancer.\n\n"
            "## 💡 Hints\n\n<details>\n<summary>Hint 1: Health checks</summary>\n\n"
            "Health checks tell the balancer which server is up.\n\n</details>\n\n"
            "## Solution\n\nStart both servers, then register them as targets.\n")
    entries = _entries(text, "docs/practice/03-load-balancer.md")
    assert "Hints" not in entries, entries
    text = text.replace("## 💡 Hints", "### Hint")
    assert "Hint" not in _entries(text, "docs/practice/03-load-balancer.md")
