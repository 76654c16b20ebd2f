"""A heading or title too long to be a name: no entry, and a warning that says why, with the
file and line (round 15 audit: a 15,000-character heading gave no entry and no word)."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire
from grimoire.readers import read_file
from grimoire.readers.sections import MAX_NAME_CHARS
from tests.conftest import write_notes

LONG_WORD = "x" * 15_000
LONG_WORDS = "Word " * 3_000

CASES = [
    ("markdown", "n.md", f"# {LONG_WORD}\n\nThe long heading thing is a note.\n", 1),
    ("markdown", "n.md", f"# {LONG_WORDS}\n\nThe long heading thing is a note.\n", 1),
    ("markdown", "n.md", f"---\ntitle: {LONG_WORD}\n---\n\nA body.\n", 1),
    # An Obsidian note's entry starts at its text, below the heading: the line it shows for it.
    ("obsidian", "n.md", f"# {LONG_WORD}\n\nThe [[long]] heading thing.\n", 3),
    ("html", "n.html", f"<html><head><title>{LONG_WORDS}</title></head><body><p>Text.</p>"
     "</body></html>", 1),
]


@pytest.mark.parametrize(("fmt", "name", "text", "line"), CASES)
@pytest.mark.no_store
def test_a_name_too_long_warns_at_its_line(fmt: str, name: str, text: str, line: int) -> None:
    (doc,) = read_file(fmt, text.encode(), name)
    assert all(len(e.term) <= MAX_NAME_CHARS for e in doc.entries)
    warnings = [p for p in doc.problems if "too long to be" in p.message]
    assert len(warnings) == 1, doc.problems
    assert warnings[0].span.start_line == line
    assert "15,000 characters" in warnings[0].message or "14,999" in warnings[0].message


def test_the_warning_reaches_the_user_and_the_rest_is_stored(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "long.md": f"# {LONG_WORD}\n\nThe long heading thing is a note.\n",
        "ok.md": "# Okay\n\nOkay is a note.\n",
    })
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest([notes], embed=False)
        assert report.failed == 0
        assert [e.entry.term for e in kb.entries()] == ["Okay"]
        (source,) = [s for s in kb.sources() if s.path.endswith("long.md")]
        assert [(p.span.start_line, "too long" in p.message) for p in source.problems] == \
            [(1, True)]
        assert kb.search("long heading thing", mode="lexical")  # its text is still found
