"""Round 37: faults a new user met reading a repository of course notebooks, fixed by general
rules. Files written here, in our own words; nothing of that repository is copied."""

from __future__ import annotations

import json
from pathlib import Path

import grimoire
from grimoire.readers import read_file

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _notebook(*cells: tuple[str, str]) -> str:
    return json.dumps({"cells": [
        {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True),
         **({"outputs": [], "execution_count": 1} if kind == "code" else {})}
        for kind, text in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def _store(tmp_path: Path, files: dict[str, str]) -> grimoire.Grimoire:
    notes = tmp_path / "notes"
    for name, text in files.items():
        (notes / name).parent.mkdir(parents=True, exist_ok=True)
        (notes / name).write_text(text, encoding="utf-8")
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([notes], embed=False)
    return kb


def test_a_bidi_override_in_a_heading_does_not_turn_a_name_around(tmp_path: Path) -> None:
    # U+202E in a heading reversed the rest of the title wherever a page drew it.
    files = {
        "trick.md": "# Gradient \u202eClipping\n\nClipping caps the norm of the gradient.\n",
        "book.ipynb": _notebook(
            ("markdown", "# Weight \u2067Decay\u2069\n\nDecay shrinks the weights every step.\n"),
            ("markdown", "## Why \u202bit\u202c helps\n\nSmaller weights, smoother fits.\n")),
    }
    with _store(tmp_path, files) as kb:
        terms = {e.entry.term for e in kb.entries()}
    assert {"Gradient Clipping", "Weight Decay"} <= terms, terms
    for name, fmt in (("trick.md", "markdown"), ("book.ipynb", "notebook")):
        (doc,) = read_file(fmt, files[name].encode("utf-8"), name)
        names = [doc.title, *(e.term for e in doc.entries),
                 *(h for p in doc.passages for h in p.heading_path)]
        assert not any(c in t for t in names for c in _BIDI), names
    # the text itself is kept as written
    assert "\u202e" in " ".join(p.text for p in read_file(
        "markdown", "# A\n\nsee \u202eabc here\n".encode(), "a.md")[0].passages)
