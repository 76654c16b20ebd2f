"""Round 35 (follow35): words that are no question, a shape qa35 found, in our own words."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import grimoire
from grimoire.cli import main

# Notes on tables of symbols and on a word that drops things: "table" and "drop" are both in
# the notes, never together.
NOTES = {
    "notation.md": "# Notation\n\nNote: the tables of symbols below are made with a table "
                   "generator, one table for each chapter.\n\nEach symbol is written once, "
                   "in the chapter that first uses it.\n",
    "dropout.md": "# Dropout\n\nDropout drops a random half of the units of a layer at each "
                  "training step, so no unit can rely on another being there.\n",
    "pooling.md": "# Max pooling\n\nMax pooling keeps the largest value of each window of a "
                  "feature map and drops the others.\n",
}


def test_words_that_are_no_question_are_answered_only_from_a_passage_holding_them(
        tmp_path: Path) -> None:
    # `grimoire ask "'; DROP TABLE notes; --"` was answered from the table generator's note,
    # which holds "table" and not "drop".
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, text in NOTES.items():
        (notes / name).write_text(text, encoding="utf-8")
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes])
    runner = CliRunner()
    for words in ("'; DROP TABLE notes; --", "drop table notes"):
        asked = runner.invoke(main, ["--db", str(db), "ask", words, "--json"])
        assert asked.exit_code == 0, asked.output
        assert json.loads(asked.stdout)["abstained"], (words, asked.stdout)
    # words its passage holds are answered, and so is a question, as before
    for words in ("table generator", "what are the tables of symbols made with?"):
        asked = runner.invoke(main, ["--db", str(db), "ask", words, "--json"])
        answer = json.loads(asked.stdout)
        assert not answer["abstained"] and "generator" in answer["answer"], (words, answer)
