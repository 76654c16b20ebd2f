"""review32: a page's text outside its entries links from the page's own concept (round 32,
read32: `document_rows.page_entry`), and PostgreSQL writes those links as SQLite does; a link
into the page itself (`#lessons`, a table of contents) stays the free passage's."""

from __future__ import annotations

from pathlib import Path

from grimoire.ingest import ingest
from grimoire.names import normalize
from grimoire.resolve import load_overrides, resolve
from grimoire.store import Store
from grimoire.store.records import TABLES
from tests.conftest import write_notes

README = """# Course Notes

Course notes are the lessons of a deep learning course, one note a lesson.

## Contents

- [Lessons](#lessons)

## Lessons

| Lesson | Note |
|---|---|
| 1 | [Attention](attention.md) |
| 2 | [Transformers](transformers.md) |
"""
LESSONS = {
    "attention.md": "# Attention\n\nAttention weighs each token by its relevance to a query.\n",
    "transformers.md": "# Transformers\n\nA transformer stacks attention and feed-forward "
                       "layers, as the [course notes](course.md) say.\n",
}


def test_an_index_table_links_from_the_page_on_both_engines(store: Store, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "course.md": README,
    })
    for name, text in LESSONS.items():
        (notes / name).write_text(text, encoding="utf-8")
    ingest(store, [notes], workers=1)
    resolve(store, load_overrides(store.source_roots()))
    (page,) = store.concepts_named(normalize("Course Notes"))
    out = store.concept_links(page.concept_id, incoming=False)
    assert sorted((m.target, m.href) for m in out) == [
        ("attention", "attention.md"), ("transformers", "transformers.md")]
    # The table of contents' `#lessons` is stored, from no entry: its passage's.
    at = TABLES["links"].index
    rows = [(r[at("target")], r[at("href")], r[at("entry_id")] is None)
            for r in store.dump("links")]
    assert ("course", "#lessons", True) in rows
    assert sorted(rows) == sorted(set(rows)), rows  # each link once


def test_a_link_the_page_entry_holds_is_stored_once_on_both_engines(store: Store,
                                                                    tmp_path: Path) -> None:
    # Round 33: a page whose opening text is a badge that links (no words of its own, as a
    # library's docs open) has an entry with no span of text that holds the opening's links
    # (`add_page_entry`); the opening's passage, outside that span, gave them to the page's
    # entry again, and lint said each dead one twice.
    notes = write_notes(tmp_path / "notes", {
        "tuning.md":
                "# Preference Tuning\n\n[![chapter badge](badge.png)](missing_page.md)\n\n"
                "## Overview\n\nThe trainer compares two answers to one prompt.\n",
    })
    ingest(store, [notes], workers=1)
    resolve(store, load_overrides(store.source_roots()))
    at = TABLES["links"].index
    rows = [(r[at("target")], r[at("start_line")]) for r in store.dump("links")]
    assert rows.count(("missing_page", 3)) == 1, rows
