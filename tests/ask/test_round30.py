"""Round 30: misses of the tune half, each shape rebuilt here in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted

CHUNKS = """---
title: Phrase tagging
---
In phrase tagging, each token gets exactly one label, named by another mark for the first
token of a phrase than for the tokens inside it.

Also called light parsing, phrase tagging splits a sentence into flat groups such as noun
groups and verb groups, without building a full tree over them, and it is much faster than
a parser that builds one.
"""


def test_the_clause_that_gives_another_name_is_kept(tmp_path: Path) -> None:
    # fresh15: "What is another name for chunking?" quoted the entry's first sentence clipped
    # to "... chunking aims at labeling segments ..." and left out "Also called shallow
    # parsing": the clip kept the clauses that hold the question's words.
    note = tmp_path / "phrase tagging.md"
    note.write_text(CHUNKS, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "What is another name for phrase tagging?")
    assert_quoted(answer, "Also called light parsing")
