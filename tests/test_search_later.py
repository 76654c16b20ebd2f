"""LATER_PASSAGE: a later passage that names a specific neighbour weighs less in the vectors'
list; one that names a broad page, or only its own name, keeps its cosine."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire import search
from grimoire.store.records import Scored


def test_a_later_passage_that_names_a_specific_neighbour_loses_later_passage(
        tmp_path: Path) -> None:
    # recall's last passage speaks of a class-imbalanced dataset in passing: a description
    # of such a dataset can find it nearer than the dataset's own note. It names that
    # neighbour, which one passage says: its cosine falls by LATER_PASSAGE. accuracy's last
    # passage names only "dataset", which three of the candidates say (a broad name), and
    # "figure", a note of its own but a word of its own name ("accuracy figure"): it keeps its
    # cosine.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "recall.md").write_text(
        "\nThe share of the truly positive cases that a classifier manages to find.\n\n"
        "```\nrecall = TP / (TP + FN)\n```\n\n"
        "On a class-imbalanced dataset, where one label is rare, recall says far more than "
        "the share of right answers.\n")
    (notes / "class-imbalanced dataset.md").write_text(
        "A dataset whose labels are far from even: one class is much rarer than the other.\n")
    (notes / "accuracy figure.md").write_text(
        "\nThe share of all predictions that are right.\n\n"
        "```\naccuracy = (TP + TN) / N\n```\n\n"
        "The figure misleads on a dataset where nearly every example has the same label.\n")
    (notes / "dataset.md").write_text("A collection of examples used to train or test a "
                                      "classifier.\n")
    (notes / "figure.md").write_text("A chart or a picture in a report.\n")
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes])
        conn = kb.store.conn
        rows = list(conn.execute(
            "SELECT p.id, e.term FROM passages p JOIN entries e ON e.id = p.entry_id"
            " ORDER BY p.id"))
        of = {term: [pid for pid, t in rows if t == term] for _, term in rows}
        assert len(of["recall"]) == 3 and len(of["accuracy figure"]) == 3
        order = [of["recall"][2], of["class-imbalanced dataset"][0], of["recall"][0],
                 of["accuracy figure"][2], of["accuracy figure"][0], of["dataset"][0],
                 of["figure"][0]]
        scored = [Scored(pid, 0.9 - 0.05 * i) for i, pid in enumerate(order)]
        assert search.LATER_PASSAGE > 0.0
        with kb.store.reading():
            both = kb.searcher._passage_list(scored)
            after = {pid: value for _, pid, value in kb.searcher._later_discounted(both)}
        before = {pid: value for _, pid, value in both}
        assert after[of["recall"][2]] == before[of["recall"][2]] - search.LATER_PASSAGE
        assert all(after[pid] == before[pid] for pid in order if pid != of["recall"][2])
