"""Hostile input at what round 42 added (round 43, hostile43): a note's own TeX macros, the
typo lookup's second-letter ranges, and the schema steps that came with them.

- A macro whose body uses its argument many times, given a long argument: the expansion is
  sized before it is written, so the note is stored with its formula as written instead of
  failing on the reader's memory budget (RELIABILITY case 29, 17).
- A query of thousands of unknown words: the typo lookup reads its prefix ranges for a bounded
  number of words, not for each (the second-letter ranges made that 55 reads a word).
"""

from __future__ import annotations

from pathlib import Path

import grimoire
from tests.conftest import write_notes


def test_a_macro_filled_past_memory_keeps_its_note_and_formula_as_written(
        tmp_path: Path) -> None:
    # 50,000 uses of #1 filled with 100,000 characters: 5 GB written out, over the 2 GiB a
    # reader worker may use; the note itself is 200 KB.
    body = "#1" * 50_000
    argument = "x" * 100_000
    notes = write_notes(tmp_path / "notes", {
        "bomb.md": "# Bomb\n\nBomb is a note whose macro repeats its argument.\n\n"
                   f"$\\newcommand{{\\rep}}[1]{{{body}}}$\n\n$$\\rep{{{argument}}}$$\n\n"
                   "Bombfollows is the text after the formula.\n",
        "plain.md": "# Plain\n\nPlain is a note beside it.\n",
    })
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest([notes], embed=False)
        assert (report.added, report.failed) == (2, 0), report.failures
        texts = [text for _, _, text, _ in kb.source_passages(str(notes / "bomb.md"))]
    assert any("Bombfollows" in t for t in texts), texts
    # the formula as written, its macro not expanded
    assert any("\\rep{xxxx" in t for t in texts)
    assert max(map(len, texts)) < 300_000


def test_a_query_of_thousands_of_unknown_words_reads_few_ranges(tmp_path: Path) -> None:
    # SQLite's own trace counts the vocabulary's range reads a search runs (the lookup is the
    # same code on PostgreSQL: search.py). 3,000 words no note holds, each up to 55 prefix
    # ranges: 160,000 reads (660,000 statements in all) before, 26 s on these five notes.
    import random
    import string

    from grimoire.ingest import ingest
    from grimoire.search import Searcher
    from grimoire.store.sqlite import SQLiteStore

    notes = write_notes(tmp_path / "notes", {
        f"{word}.md": f"# {word.title()}\n\n{word.title()} is a note on gradient descent, "
                      f"regularization and {word} in neural networks.\n"
        for word in ("backpropagation", "dropout", "embedding", "attention", "optimizer")})
    rng = random.Random(43)
    junk = " ".join("".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(5))
                    for _ in range(3_000))
    store = SQLiteStore(str(tmp_path / "kb.db"))
    try:
        ingest(store, [notes])
        searcher = Searcher(store)
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        # an ordinary query's typos are still corrected
        assert searcher.searched_for("gradiant dropuot") \
            == "gradient dropout"
        statements.clear()
        searcher.search(junk + " dropuot", mode="lexical")
        assert len([s for s in statements if "_vocab" in s]) < 2_000, len(statements)
        statements.clear()
        searcher.search(" ".join(a + b + "zzq" for a in string.ascii_lowercase
                                 for b in string.ascii_lowercase), mode="lexical")
        assert len([s for s in statements if "_vocab" in s]) < 2_000, len(statements)
    finally:
        store.close()
