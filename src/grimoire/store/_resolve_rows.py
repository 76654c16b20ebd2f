"""Helpers both backends use to build resolve's rows the same way."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

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


def unique_names(names: Sequence[NameRecord]) -> Iterator[NameRecord]:
    seen: set[str] = set()
    for n in names:
        if n.norm not in seen:
            seen.add(n.norm)
            yield n
