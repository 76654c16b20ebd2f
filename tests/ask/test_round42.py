"""Round 42 (ask42): a line typed at an interpreter's prompt is code, whatever statement
follows the prompt (fresh32's "Do all tokenizers ... work the same way?" was answered with
">> from transformers import BertTokenizer >>> tokenizer = ...")."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire.ask.extractive as extractive
from tests.conftest import ask_notes


@pytest.mark.parametrize("line", [
    ">>> from transformers import AutoTokenizer",
    ">> from transformers import BertTokenizer >>> tokenizer = BertTokenizer.from_pretrained(x)",
    ">>> import numpy as np",
    "> from transformers import BertTokenizer",
    ">>> print(tokenizer.decode(ids))",
])
def test_a_line_at_the_prompt_is_code(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extractive, "CODE_PROMPT", True)
    assert extractive._code(line)


@pytest.mark.parametrize("line", [
    ">> So the tokenizer splits words into pieces.",
    "> for example, a tokenizer may keep whole words.",
    "> Note (in passing) that the vocabulary is fixed.",
])
def test_a_quoted_reply_is_not_code(line: str) -> None:
    # the notes quote an e-mail or a book as prose
    assert not extractive._code(line)


@pytest.mark.parametrize("rule", [True, False])
def test_a_question_is_not_answered_with_the_import_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # Our own words, laid out as the transformers glossary lays out its tokenizer example.
    monkeypatch.setattr(extractive, "CODE_PROMPT", rule)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "tokenizers.md").write_text(
        "# Tokenizers\n\n"
        "Tokenizers differ in how they cut text, yet the same steps sit underneath all of "
        "them. Below, the WordPiece tokenizer of BERT:\n\n"
        "```python\n"
        ">>> from transformers import BertTokenizer\n\n"
        ">>> tokenizer = BertTokenizer.from_pretrained(\"bert-base-cased\")\n"
        "```\n", encoding="utf-8")
    (notes / "padding.md").write_text(
        "# Padding\n\nPadding adds a special token to the shorter sequences of a batch so "
        "that all of them have the same length.\n", encoding="utf-8")
    answer = ask_notes(tmp_path, [notes / "tokenizers.md", notes / "padding.md"],
                       "Do all transformers tokenizers work the same way?")
    assert ("import" not in answer.answer) is rule, answer.answer
