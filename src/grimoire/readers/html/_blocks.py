"""Blocks of an HTML page into passages, and glossary entries from headings.

The reader emits one `Block` per paragraph, list, table... in document order. `passages` merges
neighbouring prose blocks under one heading into passages of about `_MERGE_CHARS` and cuts a
block longer than `_MAX_CHARS`, finding in the source the line where each piece starts.
`HeadingGlossary` turns the headings under a "Glossary" heading into entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from grimoire.model import Entry, Image, Link, Passage, Span
from grimoire.readers.conventions import SEE_ALSO_LINE
from grimoire.readers.html._render import Marks
from grimoire.readers.html._source import SourceMap, find_phrase

_MERGE_CHARS = 1000
_MAX_CHARS = 2000
# Blocks far apart in the source (a big figure between them) stay apart, so spans stay tight.
_MERGE_GAP_LINES = 20
_MERGEABLE = ("text", "list", "quote")
GLOSSARY = re.compile(r"\bglossary\b", re.IGNORECASE)
SEE_ALSO = SEE_ALSO_LINE


@dataclass
class Block:
    text: str
    kind: str
    path: tuple[str, ...]
    start: int
    end: int
    marks: Marks


def passages(
    blocks: list[Block], smap: SourceMap, path: str, trailing_images: list[Image]
) -> tuple[Passage, ...]:
    """Blocks merged into passages; images left after the last text go to the last passage."""
    out: list[Passage] = []
    group: list[Block] = []

    def close() -> None:
        if not group:
            return
        kinds = {b.kind for b in group}
        kind = kinds.pop() if len(kinds) == 1 else "text"
        marks = Marks()
        for b in group:
            marks.extend(b.marks)
        out.append(
            Passage(
                text="\n\n".join(b.text for b in group),
                span=Span(path, group[0].start, max(b.end for b in group)),
                heading_path=group[0].path,
                kind=kind,
                links=tuple(marks.links),
                math=tuple(marks.math),
                images=tuple(marks.images),
                references=tuple(marks.references),
            )
        )
        group.clear()

    for block in blocks:
        for piece in _split(block, smap):
            mergeable = piece.kind in _MERGEABLE
            if group and (
                not mergeable
                or group[0].kind not in _MERGEABLE
                or group[0].path != piece.path
                or sum(len(b.text) for b in group) + len(piece.text) > _MERGE_CHARS
                or piece.start - group[-1].end > _MERGE_GAP_LINES
            ):
                close()
            group.append(piece)
            if not mergeable:
                close()
    close()
    if trailing_images and out:
        last = out[-1]
        out[-1] = replace(last, images=last.images + tuple(trailing_images))
    return tuple(out)


def _split(block: Block, smap: SourceMap) -> list[Block]:
    """Cut a block longer than _MAX_CHARS at line, then sentence, then word boundaries."""
    if len(block.text) <= _MAX_CHARS:
        return [block]
    chunks = _chunks(block.text, _MERGE_CHARS)
    pos, hi = smap.line_bounds(block.start, block.end)
    starts = [block.start]
    for chunk in chunks[1:]:
        at = find_phrase(smap.src, chunk, pos, hi)
        line = smap.line(at) if at >= 0 else starts[-1]
        if at >= 0:
            pos = at
        starts.append(max(line, starts[-1]))
    out: list[Block] = []
    for i, chunk in enumerate(chunks):
        first = starts[i]
        last = max(starts[i + 1] if i + 1 < len(chunks) else block.end, first)
        mk = Marks()
        for attr in ("links", "math", "images", "references"):
            items = [
                x
                for x in getattr(block.marks, attr)
                if (
                    first <= x.span.start_line < (starts[i + 1] if i + 1 < len(chunks) else 1 << 60)
                )
                or (i == 0 and x.span.start_line < first)
            ]
            setattr(mk, attr, items)
        out.append(Block(chunk, block.kind, block.path, first, last, mk))
    return out


def _chunks(text: str, size: int) -> list[str]:
    """Pieces of about `size` characters cut at line, sentence or word ends (never > 2 * size)."""
    # Cut by index: slicing the rest off at each cut copied it, quadratic on one long line.
    out: list[str] = []
    at = 0
    while len(text) - at > _MAX_CHARS:
        cut, sep = -1, ""
        for sep in ("\n", ". ", " "):
            cut = text.rfind(sep, at + size // 2, at + size * 2)
            if cut >= 0:
                cut += len(sep)
                break
        if cut < 0:
            cut, sep = at + size, ""
        out.append(text[at:cut].rstrip())
        at = cut
        if sep != "\n":  # after a line break the next piece keeps its indentation (a list item)
            while at < len(text) and text[at].isspace():
                at += 1
    out.append(text[at:].rstrip())
    return [c for c in out if c.strip()]


def after_see_also(text: str, label: str) -> bool:
    m = SEE_ALSO.search(text)
    return m is not None and text.find(label, m.end()) >= 0


@dataclass
class _Term:
    term: str
    start: int
    end: int
    texts: list[str] = field(default_factory=list)
    marks: Marks = field(default_factory=Marks)
    see_also: list[Link] = field(default_factory=list)


class HeadingGlossary:
    """Entries from headings: each heading under a "Glossary" heading is a term, and the blocks
    up to the next heading of its level or above are its definition."""

    def __init__(self, path: str, entries: list[Entry]) -> None:
        self.path = path
        self.entries = entries  # closed terms are appended here
        self._gloss_level: int | None = None
        self._term_level: int | None = None
        self._term: _Term | None = None

    def title(self, text: str) -> None:
        """The page's title heading: on a page titled as a glossary, headings below it are terms."""
        if GLOSSARY.search(text):
            self._gloss_level, self._term_level = 1, None

    def heading(self, text: str, level: int, line: int) -> None:
        if self._term is not None and (self._term_level is None or level <= self._term_level):
            self.close()
        if GLOSSARY.search(text):
            self._gloss_level, self._term_level = level, None
            return
        if self._gloss_level is None:
            return
        if level <= self._gloss_level:
            self._gloss_level = self._term_level = None
            return
        if len(text) <= 3 or (self._term_level is not None and level < self._term_level):
            return  # a letter heading ("A", "0-9") between terms
        if text.rstrip().endswith(":"):
            return  # a sentence set as a heading ("The API uses these words:")
        if self._term_level is None:
            self._term_level = level
        if level == self._term_level:
            self._term = _Term(text, line, line)

    def discard_open(self) -> None:
        """Forget the open term: what follows is a glossary of its own (Sphinx `dl.glossary`)."""
        self._term = None

    def add(self, block: Block) -> None:
        """A block of the open term's definition, if a term is open."""
        term = self._term
        if term is None:
            return
        term.texts.append(block.text)
        term.end = block.end
        marks = block.marks
        if SEE_ALSO.match(block.text):
            term.see_also.extend(marks.links)
            marks = replace(marks, links=[])
        term.marks.extend(marks)

    def close(self) -> None:
        t = self._term
        self._term = None
        if t is None:
            return
        m = t.marks
        self.entries.append(
            Entry(
                term=t.term,
                definition="\n\n".join(t.texts),
                span=Span(self.path, t.start, t.end),
                see_also=tuple(t.see_also),
                links=tuple(m.links),
                math=tuple(m.math),
                references=tuple(m.references),
                images=tuple(m.images),
            )
        )
