"""Rendered wiki lines to blocks, passages, sections and entries (shared by the MediaWiki readers).

A `Line` is one rendered source line with its file span and marks; `to_blocks` groups lines into
paragraphs, lists, tables and code under their heading path; `pack` merges small blocks of one
section into passages of about 1000 characters and cuts long ones at line or sentence ends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from grimoire.model import Entry, Image, Link, Math, Passage, Problem, Reference, Span
from grimoire.readers.base import collapse

PASSAGE_TARGET = 1000
PASSAGE_MAX = 2000
_DATED = re.compile(r"(\d{4}-\d{2}(?:-\d{2})?)(?:[A-Z][a-z]{2})?\s*:\s*(\S.*)")


@dataclass(slots=True)
class Line:
    """One rendered line: its clean text, file lines, and the marks found in it."""

    text: str
    start: int
    end: int
    kind: str = "text"  # text | list | code | table | heading
    marker: str = ""  # list markers as written: "*", "#:", ";" ...
    level: int = 0  # heading level
    group: int = 0  # the table or code element the line belongs to
    links: list[Link] = field(default_factory=list)
    math: list[Math] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    refs: list[Reference] = field(default_factory=list)

    def has_content(self) -> bool:
        return bool(self.text.strip() or self.images or self.math)


@dataclass(slots=True)
class Block:
    """Consecutive lines of one kind under one heading path."""

    kind: str  # text | list | code | table
    heading_path: tuple[str, ...]
    lines: list[Line]

    def render(self) -> str:
        if self.kind == "text":
            return collapse(" ".join(ln.text for ln in self.lines))
        if self.kind == "list":
            return "\n".join(_list_lines(self.lines))
        return "\n".join(ln.text for ln in self.lines).strip("\n")


@dataclass(slots=True)
class WikiPage:
    """What a page's wikitext gives, before it becomes a Document."""

    passages: list[Passage]
    entries: list[Entry]
    tags: list[str]
    problems: list[Problem]
    meta: dict[str, Any]


def _list_lines(lines: Sequence[Line]) -> list[str]:
    """List lines as a reader sees them: bullets, numbers, indentation for nesting."""
    out: list[str] = []
    counters: list[int] = []
    for ln in lines:
        marker = ln.marker or "*"
        depth = len(marker)
        del counters[depth:]
        while len(counters) < depth:
            counters.append(0)
        last = marker[-1]
        indent = "  " * (depth - 1)
        if last == "#":
            counters[depth - 1] += 1
            out.append(f"{indent}{counters[depth - 1]}. {ln.text}")
        elif last == "*":
            out.append(f"{indent}• {ln.text}")
        elif last == ":":
            out.append(f"{indent}  {ln.text}")
        else:  # `;` term
            out.append(f"{indent}{ln.text}")
    return out


def to_blocks(lines: Sequence[Line]) -> tuple[list[Block], list[tuple[str, int, int]]]:
    """Group lines into blocks under heading paths; also list (title, level, line) of headings."""
    blocks: list[Block] = []
    sections: list[tuple[str, int, int]] = []
    stack: list[tuple[int, str]] = []
    current: Block | None = None
    last_group = -1
    for ln in lines:
        if ln.kind == "heading":
            current = None
            while stack and stack[-1][0] >= ln.level:
                stack.pop()
            stack.append((ln.level, ln.text))
            sections.append((ln.text, ln.level, ln.start))
            continue
        if not ln.has_content() and not ln.marker:
            current = None
            continue
        kind = "list" if ln.marker else ln.kind
        path = tuple(title for _, title in stack if title)
        same = (
            current is not None
            and kind != "image"
            and current.kind == kind
            and current.heading_path == path
            and (kind not in ("table", "code") or ln.group == last_group)
        )
        if same and current is not None:
            current.lines.append(ln)
        else:
            current = Block("text" if kind == "image" else kind, path, [ln])
            blocks.append(current)
            if kind == "image":
                current = None
        last_group = ln.group
    return blocks, sections


def section_tree(sections: Sequence[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Headings as a nested list of {"title", "level", "line", "children"}."""
    root: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for title, level, line in sections:
        node: dict[str, Any] = {"title": title, "level": level, "line": line, "children": []}
        while stack and stack[-1]["level"] >= level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(node)
        stack.append(node)
    return root


class _Marks(TypedDict):
    links: tuple[Link, ...]
    math: tuple[Math, ...]
    images: tuple[Image, ...]
    references: tuple[Reference, ...]


def _marks(lines: Sequence[Line]) -> _Marks:
    return {
        "links": tuple(x for ln in lines for x in ln.links),
        "math": tuple(x for ln in lines for x in ln.math),
        "images": tuple(x for ln in lines for x in ln.images),
        "references": tuple(x for ln in lines for x in ln.refs),
    }


def _passage(blocks: Sequence[Block], path: str) -> Passage:
    lines = [ln for b in blocks for ln in b.lines]
    text = "\n\n".join(t for t in (b.render() for b in blocks) if t)
    span = Span(path, min(ln.start for ln in lines), max(ln.end for ln in lines))
    return Passage(text, span, blocks[0].heading_path, blocks[0].kind, **_marks(lines))


def _split(block: Block) -> list[Block]:
    """A block short enough for one passage, or pieces of it cut at line (list item) bounds."""
    if len(block.render()) <= PASSAGE_MAX:
        return [block]
    pieces: list[Block] = []
    current: list[Line] = []
    size = 0
    for ln in block.lines:
        top_item = len(ln.marker) <= 1
        if current and (size + len(ln.text) > PASSAGE_MAX
                        or (size + len(ln.text) > PASSAGE_TARGET and top_item)):
            pieces.append(Block(block.kind, block.heading_path, current))
            current, size = [], 0
        current.append(ln)
        size += len(ln.text) + 1
    if current:
        pieces.append(Block(block.kind, block.heading_path, current))
    out: list[Block] = []
    for piece in pieces:
        if len(piece.lines) == 1 and len(piece.lines[0].text) > PASSAGE_MAX:
            out.extend(_split_line(piece))
        else:
            out.append(piece)
    return out


def _split_line(block: Block) -> list[Block]:
    """One very long line (a wikitext paragraph is one line) cut at sentence ends."""
    # Cut by index: slicing the rest off at each cut copied it, quadratic on one long line.
    ln = block.lines[0]
    text = ln.text
    end = len(text.rstrip())
    at = 0
    out: list[Block] = []
    first = True
    while at < end:
        cut = end
        if end - at > PASSAGE_TARGET:
            limit = at + PASSAGE_TARGET + 500
            cut = text.rfind(". ", at + PASSAGE_TARGET // 2, limit) + 1
            cut = cut or text.rfind(" ", at, limit) + 1 or min(limit, len(text))
        piece = text[at:cut].strip()
        at = cut
        while at < end and text[at].isspace():
            at += 1
        marks = ln if first else Line("", ln.start, ln.end)
        out.append(Block(block.kind, block.heading_path, [
            Line(piece, ln.start, ln.end, ln.kind, ln.marker, links=marks.links, math=marks.math,
                 images=marks.images, refs=marks.refs)
        ]))
        first = False
    return out


def pack(blocks: Sequence[Block], path: str) -> list[Passage]:
    """Blocks to passages: consecutive small blocks of a kind and section merged to ~1000 chars."""
    passages: list[Passage] = []
    group: list[Block] = []
    size = 0
    for block in (piece for b in blocks for piece in _split(b)):
        length = len(block.render())
        if group and (
            group[0].kind != block.kind
            or group[0].heading_path != block.heading_path
            or size + length > PASSAGE_TARGET
        ):
            passages.append(_passage(group, path))
            group, size = [], 0
        group.append(block)
        size += length + 2
    if group:
        passages.append(_passage(group, path))
    return [p for p in passages if p.text or p.images]


def lead_entry(title: str, blocks: Sequence[Block], path: str) -> list[Entry]:
    """The page as a concept: its title, defined by the lead text before the first heading."""
    # Definition lists give entries of their own (`definition_entries`).
    lead = [
        b for b in blocks
        if not b.heading_path and b.kind in ("text", "list") and b.render()
        and not any(";" in ln.marker for ln in b.lines)
    ]
    if not lead or not title:
        return []
    lines = [ln for b in lead for ln in b.lines]
    definition = "\n\n".join(b.render() for b in lead)
    span = Span(path, min(ln.start for ln in lines), max(ln.end for ln in lines))
    return [Entry(title, definition, span, **_marks(lines))]


def definition_entries(lines: Sequence[Line], path: str) -> list[Entry]:
    """`;term` followed by `:definition` lines (or `;term : definition`): one entry per term."""
    entries: list[Entry] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.marker != ";" or not ln.text:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].marker.startswith(":") and lines[j].kind != "heading":
            j += 1
        defs = lines[i + 1 : j]
        definition = collapse(" ".join(d.text for d in defs))
        if definition:
            span = Span(path, ln.start, max(d.end for d in defs))
            entries.append(Entry(ln.text, definition, span, **_marks(lines[i:j])))
        i = j
    return entries


def dated_items(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """List items that start with a date (`2024-06: title`), the way wiki reading lists run."""
    items: list[dict[str, Any]] = []
    for b in blocks:
        if b.kind != "list":
            continue
        for ln in b.lines:
            m = _DATED.match(ln.text)
            if m:
                items.append({"date": m.group(1), "text": m.group(2), "line": ln.start,
                              "depth": len(ln.marker) or 1, "section": list(b.heading_path)})
    return items
