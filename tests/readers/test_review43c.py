"""Round 43's review of the merged readers: `_macros` (hostile43's bounded rewrite with
read43's Org header) keeps read43's fixes for long notes; the operator rule in resolve.

CPU ratios in one run, as tests/hostile/test_linear.py measures them (the least of repeats).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from tests.conftest import ingested, write_notes
from tests.hostile.test_linear import MAX_RATIO, _least, ratio


def _name(i: int) -> str:
    return "".join("abcdefghijklmnopqrstuvwxyz"[i // 26**k % 26] for k in range(4))


def _defines_and_uses(n: int) -> str:
    """One paragraph: each line defines a macro in a formula of its own, then uses it."""
    return "# T\n\n" + "".join(f"Let $\\newcommand{{\\m{_name(i)}}}{{x}}$ and $y + \\m{_name(i)}$"
                               " be.\n" for i in range(n))


@pytest.mark.no_store
def test_a_paragraph_of_definitions_is_read_in_linear_time() -> None:
    # Each formula that only defines was taken out of every line of its paragraph, after
    # writing out the formulas before it on every line: 2,000 lines took 19 s (read43's
    # version: 0.2 s).
    reader = readers.by_name("markdown")
    [doc] = reader.read(_defines_and_uses(3).encode(), "a.md")
    assert "Let and $y + x$ be. Let and $y + x$ be." in doc.passages[0].text
    r = ratio(_defines_and_uses, lambda text: reader.read(text.encode(), "a.md"), n=100)
    assert r <= MAX_RATIO, f"2n lines cost {r:.1f}x n"


@pytest.mark.no_store
def test_a_formula_in_many_paragraphs_is_written_out_once() -> None:
    # A macro that never ends, used in 1,000 paragraphs, was tried to its limit in each: 5,000
    # paragraphs took 9 s (read43's version, which writes a formula out once a note: 0.3 s).
    uses = "".join(f"Use {i} $\\a$ here.\n\n" for i in range(1000))
    endless = "# T\n\n$\\def\\a{\\a\\a}$\n\n" + uses
    [doc] = readers.by_name("markdown").read(endless.encode(), "a.md")
    assert "Use 999 $\\a$ here." in doc.passages[-1].text  # as written: it never ends
    harmless = "# T\n\n$\\def\\a{b}$\n\n" + uses
    reader = readers.by_name("markdown")
    # Interleaved (`_least`): a change in the machine's load falls on both alike.
    at_endless, at_harmless = _least(lambda text: reader.read(text.encode(), "a.md"),
                                     [endless, harmless])
    r = at_endless / at_harmless
    assert r <= 4, f"the endless macro costs {r:.1f}x the harmless one"


def test_a_name_written_with_a_plus_between_words_is_one_concept(tmp_path: Path) -> None:
    # The operator rule (read43) took any `+` after a letter for an operator, so "CNN+LSTM"
    # and "CNN + LSTM" (one model, spaced otherwise) were two concepts; "Notepad++" stays
    # no "Notepad".
    notes = {
        "a.md": "# Glossary\n\n## CNN+LSTM\nA convolutional network whose features feed a "
                "recurrent one.\n\n## Notepad++\nNotepad++ is a text editor for code.\n",
        # (qa46: its text opens with the name; "Convolutions over each frame" spelled CNN
        # only by the letters inside its words)
        "b.md": "# Models\n\n## CNN + LSTM\nCNN + LSTM runs convolutions over each frame, "
                "then a recurrent layer over the frames.\n",
        "notepad.md": "# Notepad\n\nNotepad is a plain text editor.\n",
    }
    with ingested(tmp_path / "kb.db", write_notes(tmp_path / "notes", notes),
                  embed=False) as kb:
        entries = {c.label: c.entries for c in kb.concepts()}
    assert entries["Notepad++"] == 1 and entries["Notepad"] == 1
    assert sum(n for label, n in entries.items() if "LSTM" in label) == 2
    assert len([label for label in entries if "LSTM" in label]) == 1, entries
