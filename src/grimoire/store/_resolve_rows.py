"""Helpers both backends use to build resolve's rows the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from grimoire.model import Span
from grimoire.store.concept_records import AddressRow, HeadingRow, LabelRow, NameRecord


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


# The front matter keys that state where a site generator publishes a page: the page's own
# address (Jekyll `permalink:`, Hugo `url:`) and addresses that redirect to it (Jekyll's
# jekyll-redirect-from `redirect_from:`, Hugo `aliases:`).
OWN_ADDRESS_KEYS = ("permalink", "url")
REDIRECT_KEYS = ("redirect_from", "aliases")
ADDRESS_KEYS = OWN_ADDRESS_KEYS + REDIRECT_KEYS


def address_rows(doc: int, path: str, meta: Any) -> Iterator[AddressRow]:
    """The addresses a document's front matter publishes it at. A site path only: Hugo's
    `url:` and `aliases:` start at the site's root ("/about/"), as does a Jekyll permalink
    (Jekyll adds the slash when it is left out); a web address with a scheme (`url:
    https://arxiv.org/...` of a paper's note), an Obsidian alias ("LoRA"), and a pattern
    (`/:categories/:title/`) are none."""
    if not isinstance(meta, dict):
        return
    for key in ADDRESS_KEYS:
        value = meta.get(key)
        for address in [value] if isinstance(value, str) else value if isinstance(
                value, list) else ():
            if not isinstance(address, str):
                continue
            address = address.strip()
            if key != "permalink" and not address.startswith("/"):
                continue
            if not address or "://" in address or address.startswith("//") or (
                    "/:" in "/" + address) or any(c.isspace() for c in address):
                continue
            yield AddressRow(doc, path, address, key in OWN_ADDRESS_KEYS)


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
