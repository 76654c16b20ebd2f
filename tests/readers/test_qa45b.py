"""Round 45 (qa45b): what a new user met reading a Dendron vault of course, book and interview
notes and a course's notebooks whose markdown cells are the notes; each note rebuilt here in
our own words."""

from __future__ import annotations

import json

from grimoire.readers import read_file


def _entries(fmt: str, text: str, path: str) -> dict[str, str]:
    return {e.term: e.definition for d in read_file(fmt, text.encode(), path) for e in d.entries}


def _notebook(*cells: str) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": c} for c in cells]})


def test_a_work_in_progress_mark_is_no_part_of_a_name() -> None:
    """A course's maths notebooks each open with a heading marked unfinished ("## Mean [WIP]",
    "# Feature Scaling [WIP]"): the concepts were "Mean [WIP]" and "Feature Scaling [WIP]",
    `show Mean` found nothing and `ask "what is the mean?"` said the notes did not cover it.
    The mark says what state the note is in, as "(Draft)" before a heading does."""
    nb = _notebook("## Median [WIP]\n\nThe median is the middle value of a sorted list of "
                   "numbers.\n", "### Sources\n\n- a statistics textbook\n")
    entries = _entries("notebook", nb, "course/maths/median.ipynb")
    assert "Median" in entries and "Median [WIP]" not in entries, entries
    assert entries["Median"].startswith("The median is the middle value"), entries
    md = ("# Notes on distances (draft)\n\nSome words.\n\n"
          "## Cosine Similarity [work in progress]\n\n"
          "Cosine similarity is the cosine of the angle between two vectors.\n\n"
          "## Manhattan Distance (WIP)\n\n"
          "Manhattan distance is the sum of the absolute differences of coordinates.\n")
    entries = _entries("markdown", md, "notes/distances.md")
    assert "Cosine Similarity" in entries and "Manhattan Distance" in entries, entries
    assert not any("WIP" in t or "progress" in t for t in entries), entries
    # brackets that are part of a name stay
    kept = _entries("markdown", "# Word2Vec [Skip-gram]\n\nWord2Vec [Skip-gram] is a way to "
                    "learn word vectors from the words around each word.\n", "notes/w2v.md")
    assert "Word2Vec [Skip-gram]" in kept, kept


def test_a_numbered_citation_after_a_heading_is_no_part_of_its_name() -> None:
    """A note on habits of mind heads a section "# Focusing [2]", the number pointing at the
    second book of the note's reference list: the concept was "Focusing [2]"."""
    md = ("# Noticing\n\nNoticing is paying attention to what you feel before acting. [1]\n\n"
          "# Journaling [2]\n\nJournaling is writing down each day what happened and why.\n\n"
          "# Sources\n\n[1] A book on attention\n\n[2] A book on writing\n")
    entries = _entries("markdown", md, "notes/mind.md")
    assert "Journaling" in entries and "Journaling [2]" not in entries, entries
    assert entries["Journaling"].startswith("Journaling is writing"), entries


def test_a_front_matter_title_cut_mid_word_is_completed_by_the_file_name() -> None:
    """A Dendron note `deep learning.Coursera.Improving Deep Neural Networks.md` has the
    title "Improving Deep Neural Netwo" in its front matter, cut in the middle of a word:
    the concept was "Improving Deep Neural Netwo" and `show "Improving Deep Neural
    Networks"` found nothing. The file's name is the whole title."""
    front = "---\nid: k2j3h4g5f6d7s8a9\ntitle: {}\ndesc: ''\nupdated: 1686241869638\n" \
        "created: 1686139445590\n---\n"
    text = front.format("Tuning Hyperparame") + "\n# Search\n\nTry random values first.\n"
    path = "vault/ml.course.Tuning Hyperparameters.md"
    for fmt in ("markdown", "obsidian"):
        entries = _entries(fmt, text, path)
        assert "Tuning Hyperparameters" in entries, (fmt, entries)
        assert "Tuning Hyperparame" not in entries, (fmt, entries)
    # a title the file name only adds to stays as written
    for title, stem in (("GAN", "GANs"), ("Neural Network", "Neural Networks"),
                        ("Attention", "Attention Mechanism")):
        entries = _entries("markdown", front.format(title) + "\nA few words.\n",
                           f"vault/ml.{stem}.md")
        assert title in entries, (title, entries)


def test_wikilinks_in_a_nested_list_make_a_vault_note() -> None:
    """A Dendron note lists its steps as a numbered list with the links under each step, each
    nested item indented four spaces (`    - practice: [[interviews.Mock Interviews]]`).
    Those lines were taken for indented code, the note was read as plain Markdown and all
    eight of its links were lost: `graph` showed none, `show` no "links" part."""
    from grimoire.readers import detect

    text = ("---\nid: q1w2e3r4t5y6\ntitle: Getting Ready\ndesc: ''\nupdated: 1\ncreated: 1\n"
            "---\n\nThree steps before the first call.\n\n"
            "1. Study (**a month**)\n    - practice: [[interviews.Mock Interviews]]\n"
            "    - theory: [[interviews.Statistics]]\n\n"
            "2. Apply\n    - keep a list of places\n")
    path = "vault/interviews.Getting Ready.md"
    reader = detect(path, text)
    assert reader is not None and reader.name == "obsidian", reader
    entries = [e for d in read_file(reader.name, text.encode(), path) for e in d.entries]
    targets = {link.target for e in entries for link in e.links}
    assert {"interviews.Mock Interviews", "interviews.Statistics"} <= targets, targets
    # an indented block after a paragraph is still code: its brackets are no link
    code = "Some words.\n\n    x = table[[1, 2]]\n    y = [[name]]\n"
    assert detect("notes/code.md", code).name == "markdown"  # type: ignore[union-attr]


def test_a_buzzwords_section_is_no_concept() -> None:
    """Four notes of the vault (SQL, two probability courses, a statistics course) open with
    "# Buzzwords": a comma-separated run of the subject's words, then a few remarks. Each was
    a concept "Buzzwords", and `lint` said it was defined four different ways. A list of
    words to know is a part of the note, as "Terminology" and "Vocabulary" are."""
    md = ("# Buzzwords\nprior, posterior, likelihood, conjugate prior\n\n"
          "- the posterior is the prior updated by data\n\n"
          "# Conjugate Prior\n\nA conjugate prior is a prior whose posterior has the same "
          "form as itself.\n")
    for heading in ("Buzzwords", "Buzz words"):
        entries = _entries("markdown", md.replace("Buzzwords", heading), "notes/bayes.md")
        assert heading not in entries, entries
        assert entries.get("Conjugate Prior", "").startswith("A conjugate prior is"), entries
