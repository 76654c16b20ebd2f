"""Round 49 (review49a): a second look at qa49's reading rules with notes a user of another
kind writes: a search or database vault that tags its notes `index`, a Hugging Face vault
that tags them `hub`, a hand-written page beside a notebook of the same name, a Japanese
method named "why-why". One store, built once for the module, no vectors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import written_store

NOTES = {
    # Tagged by their subject: the tag says what the note is about, not that it is a hub.
    "search/Inverted index.md": (
        "---\ntags: [index]\n---\n\n# Inverted index\n\nAn inverted index keeps, for each "
        "word, the list of documents holding it, so a query reads only its words' lists.\n"),
    "search/B-tree index.md": (
        "---\ntags: index\n---\n\n# B-tree index\n\nA B-tree index keeps a table's keys in "
        "order in a shallow balanced tree: a lookup reads a handful of pages.\n"),
    "hf/Hugging Face Hub.md": (
        "---\ntags: hub\n---\n\n# Hugging Face Hub\n\nThe Hugging Face Hub keeps models, data "
        "sets and demos as git repositories anyone may clone.\n"),
    # A hub still: its name is no index's, its tag its role.
    "search/Search course.md": (
        "---\ntags: index\n---\n\n# Search course\n\nThe notes of this course: [[Inverted "
        "index]], [[B-tree index]].\n"),
    # A report written by hand beside the notebook it reports on: no nbconvert page.
    "study/optimizers.ipynb": json.dumps({
        "cells": [{"cell_type": "markdown", "metadata": {},
                   "source": "# Optimizer runs\n\nThe runs behind the report."}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
    "study/optimizers.html": (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Optimizer study</title>"
        "</head><body><h1>Optimizer study</h1><p>Our optimizer study sets three optimizers "
        "on one network; Adam reached the target loss first.</p></body></html>\n"),
    # A Japanese chapter on quality control: "なぜなぜ分析" (five-whys analysis) is a method's
    # name that opens with "なぜ" (why), no question.
    "qc/quality.qmd": (
        "# 品質管理\n\n品質管理の手法を順に見る章である。\n\n## なぜなぜ分析\n\n"
        "なぜなぜ分析 は、起きた問題に「なぜ」を何度も重ねて問い、根にある原因までたどる"
        "手法である。\n\n## 特性要因図\n\n"
        "特性要因図\uff08フィッシュボーン図\uff09は、結果と原因の関係を魚の骨の形に整理する図である。\n"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "review49a", NOTES)


def test_a_note_tagged_by_the_thing_it_names_is_no_hub(kb: Any) -> None:
    """qa49 made a note tagged only `index`, `moc` or `hub` a hub, no concept. A note named
    for an index or a hub and tagged so is about that index or hub: "Inverted index" tagged
    `index`, "Hugging Face Hub" tagged `hub` were lost."""
    labels = {c.label for c in kb.concepts()}
    assert {"Inverted index", "B-tree index", "Hugging Face Hub"} <= labels, labels
    assert "Search course" not in labels, labels


def test_a_hand_written_page_beside_a_notebook_is_read(kb: Any) -> None:
    """qa49 skipped `x.html` beside `x.ipynb` as nbconvert's copy. A page that nbconvert did
    not write (no Jupyter markup) is a note of its own."""
    status = {s.path.rsplit("/", 1)[-1]: s.status for s in kb.sources()}
    assert status["optimizers.html"] == "ok", status
    assert "Optimizer study" in {c.label for c in kb.concepts()}


def test_a_japanese_name_that_opens_with_why_is_no_question(kb: Any) -> None:
    """qa49 read a Japanese heading opening with "なぜ" (why) as a question, no name: "なぜなぜ
    分析" (five-whys analysis, a quality-control method) was lost; its neighbour stays."""
    labels = {c.label for c in kb.concepts()}
    assert {"なぜなぜ分析", "特性要因図"} <= labels, labels
