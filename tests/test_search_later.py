"""LATER_PASSAGE: an entry's passages after its first weigh less in the vectors' list."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire import search
from grimoire.store.records import Scored


def test_an_entrys_later_passages_lose_later_passage_in_the_vectors_list(
        tmp_path: Path) -> None:
    # The entry's vector reads its opening; a passage further down (a worked example, a
    # formula, a caveat) competes for the entry in the vectors' list with LATER_PASSAGE less.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "recall.md").write_text(
        "\nThe share of the truly positive cases that a classifier manages to find.\n\n"
        "```\nrecall = TP / (TP + FN)\n```\n\n"
        "Recall matters most when the positive class is rare, as in a screening test.\n")
    (notes / "precision.md").write_text("\nThe share of flagged cases that really are "
                                        "positive.\n")
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes])
        conn = kb.store.conn
        rows = list(conn.execute(
            "SELECT p.id, e.term FROM passages p JOIN entries e ON e.id = p.entry_id"
            " ORDER BY p.id"))
        recall = [pid for pid, term in rows if term == "recall"]
        precision = [pid for pid, term in rows if term == "precision"]
        assert len(recall) == 3 and len(precision) == 1
        scored = [Scored(pid, 0.5) for pid in recall + precision]
        assert search.LATER_PASSAGE > 0.0
        with kb.store.reading():
            listed = {pid: value for _, pid, value in kb.searcher._passage_list(
                scored, search.LATER_PASSAGE)}
            plain = {pid: value for _, pid, value in kb.searcher._passage_list(scored)}
        assert listed[recall[0]] == 0.5 and listed[precision[0]] == 0.5
        assert listed[recall[1]] == listed[recall[2]] == 0.5 - search.LATER_PASSAGE
        assert set(plain.values()) == {0.5}  # the words' lists are not touched
