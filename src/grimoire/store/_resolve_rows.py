"""Helpers both backends use to build resolve's rows the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from grimoire.model import Span
from grimoire.store.concept_records import HeadingRow, LabelRow, NameRecord


def section_rows(
    doc: int, path: str, tree: Any, parents: tuple[str, ...]
) -> Iterator[HeadingRow]:
    """The headings a reader listed in `meta["sections"]`, as resolve reads them."""
    for node in tree if isinstance(tree, list) else ():
        if not isinstance(node, dict) or not isinstance(node.get("title"), str):
            continue
        here = (*parents, node["title"])
        line = node.get("line")
        if isinstance(line, int):
            yield HeadingRow(doc, path, here, line, line)
        yield from section_rows(doc, path, node.get("children"), here)


def label_rows(doc: int, path: str, labels: Any) -> Iterator[LabelRow]:
    """The labels a reader listed in `meta["labels"]` (label -> the heading it names)."""
    for label, name in labels.items() if isinstance(labels, dict) else ():
        if isinstance(label, str) and isinstance(name, str) and label and name:
            yield LabelRow(doc, path, label, name)


def label_places(rows: Iterable[LabelRow], headings: Iterable[HeadingRow]) -> list[Span]:
    """Where each of `rows` (one label's definitions) is written: the first line of the
    heading it names in its file, else the file's first line; by path (lint names them)."""
    first: dict[tuple[int, str], int] = {}
    for h in headings:
        key = (h.document_id, h.heading_path[-1] if h.heading_path else "")
        first[key] = min(first.get(key, h.start_line), h.start_line)
    return sorted({Span(r.path, line, line) for r in rows
                   for line in [first.get((r.document_id, r.name), 1)]},
                  key=lambda s: (s.path, s.start_line))


def unique_names(names: Sequence[NameRecord]) -> Iterator[NameRecord]:
    seen: set[str] = set()
    for n in names:
        if n.norm not in seen:
            seen.add(n.norm)
            yield n
