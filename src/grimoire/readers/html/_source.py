"""Where parsed HTML sits in its source: start tags found by a linear scan, lined up with the tree.

selectolax does not report source positions, so every element is matched to its start tag in
the source by one forward pass over both sequences (`_align`). `SourceMap` then answers the
offset of a node's start and end, and the line of an offset.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from selectolax.lexbor import LexborNode

from grimoire.readers import conventions

# Content the tokenizer does not parse as markup: skip to the matching end tag.
_RAWTEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "template"}
)
# Elements the parser invents or moves (implied tbody, tr ...): left out of the alignment on both
# sides, else one invented element would shift every later match.
_UNALIGNED = frozenset(
    {"html", "head", "body", "tbody", "thead", "tfoot", "tr", "td", "th", "col", "colgroup"}
)
_TAG_NAME = re.compile(r"[A-Za-z][^\s/>]*")
# Quotes open a value only after "=" (`<img '="">` is a valid if odd attribute name).
# Possessive quantifiers: no backtracking whatever the input.
_TAG_REST = re.compile(r"""(?:[^>=]++|=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]*+))*+>""")
# An empty <p> is told apart: a stray </p> makes the parser invent one, and matching it to the
# next real <p> would shift every later paragraph by one.
_EMPTY_P = re.compile(r"\s*</p", re.IGNORECASE)
_WINDOW = 40
_LOOKAHEAD = 8
WORD = conventions.WORD


def _source_tags(src: str) -> list[tuple[str, int]]:
    """Start tags of `src` in order, as (lowercase name, offset): a linear scan, no tree."""
    tags: list[tuple[str, int]] = []
    pos, n = 0, len(src)
    while True:
        lt = src.find("<", pos)
        if lt < 0 or lt + 1 >= n:
            return tags
        nxt = src[lt + 1]
        if src.startswith("<!--", lt):
            end = src.find("-->", lt + 4)
            pos = n if end < 0 else end + 3
            continue
        if nxt in "!?/":
            end = src.find(">", lt + 2)
            pos = n if end < 0 else end + 1
            continue
        m = _TAG_NAME.match(src, lt + 1)
        if m is None:
            pos = lt + 1
            continue
        tag = m.group().lower()
        rest = _TAG_REST.match(src, m.end())
        if rest is not None:
            pos = rest.end()
        else:
            end = src.find(">", m.end())
            pos = n if end < 0 else end + 1
        if tag == "p" and _EMPTY_P.match(src, pos):
            tag = "p/"
        if tag not in _UNALIGNED:
            tags.append((tag, lt))
        if tag in _RAWTEXT:
            close = re.compile("</" + re.escape(tag), re.IGNORECASE).search(src, pos)
            pos = n if close is None else close.start()


class SourceMap:
    """Offsets of DOM nodes in the source text, and offset to line."""

    def __init__(self, src: str, root: LexborNode) -> None:
        self.src = src
        self._newlines = _newlines(src)
        self.nodes: dict[int, tuple[int, int]] = {}  # mem_id -> (first index, index after subtree)
        dom: list[str] = []  # aligned elements' tags in document order
        node = root
        while True:
            tag = (node.tag or "").lower()
            child = None
            if tag == "-text":
                self.nodes[node.mem_id] = (len(dom), len(dom))
            elif not tag.startswith("-"):
                self.nodes[node.mem_id] = (len(dom), -1)
                if tag not in _UNALIGNED:
                    dom.append("p/" if tag == "p" and _blank(node) else tag)
                child = node.child
            if child is not None:
                node = child
                continue
            while True:
                first, after = self.nodes.get(node.mem_id, (0, 0))
                if after < 0:
                    self.nodes[node.mem_id] = (first, len(dom))
                sibling = node.next if node.mem_id != root.mem_id else None
                if sibling is not None:
                    node = sibling
                    break
                parent = node.parent if node.mem_id != root.mem_id else None
                if parent is None:
                    break
                node = parent
            if sibling is None:
                break
        self.offsets = _align(dom, _source_tags(src), len(src))

    def line(self, offset: int) -> int:
        return bisect_right(self._newlines, offset - 1) + 1

    def start_line(self, node: LexborNode) -> int:
        return self.line(self.start(node))

    def line_bounds(self, first: int, last: int) -> tuple[int, int]:
        """Source offsets around lines `first` to `last`: the newline before `first` (0 at the
        top) and the newline ending `last` (the end of the source for the last line)."""
        newlines = self._newlines
        lo = newlines[first - 2] if first > 1 else 0
        hi = newlines[last - 1] if last - 1 < len(newlines) else len(self.src)
        return lo, hi

    def _next_offset(self, after: int) -> int:
        return self.offsets[after] if after < len(self.offsets) else len(self.src)

    def start(self, node: LexborNode) -> int:
        first, after = self.nodes.get(node.mem_id, (0, 0))
        if not (node.tag or "").startswith("-"):
            if first < len(self.offsets):
                return self.offsets[first]
            return len(self.src)
        lo = self.offsets[first - 1] if first > 0 else 0
        hi = max(self._next_offset(after), lo)
        m = WORD.search(node.text_content or "")
        if m is not None:
            at = self.src.find(m.group(), lo, hi)
            if at >= 0:
                return at
        return lo

    def end(self, node: LexborNode) -> int:
        """Offset of the last character of a node's content (no end tag, no trailing space)."""
        start = self.start(node)
        _, after = self.nodes.get(node.mem_id, (0, 0))
        pos = max(self._next_offset(after), start + 1)
        src = self.src
        while pos > start + 1:
            while pos > start + 1 and src[pos - 1].isspace():
                pos -= 1
            if src[pos - 1] != ">":
                break
            lt = src.rfind("<", start + 1, pos)
            if lt < 0 or not src.startswith(("</", "<!--"), lt):
                break
            pos = lt
        return max(pos - 1, start)

    def span_lines(self, node: LexborNode) -> tuple[int, int]:
        return self.line(self.start(node)), self.line(self.end(node))


def _blank(node: LexborNode) -> bool:
    child = node.child
    while child is not None:
        if child.tag != "-text" or (child.text_content or "").strip():
            return False
        child = child.next
    return True


def _agree(dom: list[str], i: int, src: list[tuple[str, int]], j: int) -> int:
    return sum(
        1
        for t in range(_LOOKAHEAD)
        if i + t < len(dom) and j + t < len(src) and dom[i + t] == src[j + t][0]
    )


def _align(dom: list[str], src: list[tuple[str, int]], end: int) -> list[int]:
    """Source offset of each DOM element: a greedy forward alignment of the two tag sequences.

    Where they disagree, either the parser dropped source tags (skip ahead to the next start
    tag of that name) or it invented the element (a stray `</p>` makes an empty `<p>`): the
    choice that makes the next few tags agree wins. The element sits where the source is.
    """
    offsets: list[int] = []
    j = 0
    for i, tag in enumerate(dom):
        if j < len(src) and src[j][0] == tag:
            offsets.append(src[j][1])
            j += 1
            continue
        best, best_score = -1, _agree(dom, i + 1, src, j)
        tries = 0
        for k in range(j + 1, min(j + _WINDOW, len(src))):
            if src[k][0] == tag:
                score = 1 + _agree(dom, i + 1, src, k + 1)
                if score > best_score:
                    best, best_score = k, score
                tries += 1
                if tries == 3:
                    break
        if best >= 0:
            offsets.append(src[best][1])
            j = best + 1
        else:
            offsets.append(src[j][1] if j < len(src) else end)
    return offsets


def _newlines(src: str) -> list[int]:
    out: list[int] = []
    at = src.find("\n")
    while at >= 0:
        out.append(at)
        at = src.find("\n", at + 1)
    return out


# Between two words of a passage the source may hold tags, entities and punctuation only.
_GAP_NOISE = re.compile(r"<[^>]*>|&#?\w+;|\s+")
_PUNCT = ".,;:!?()[]'\"-/*\u2013\u2014\u201c\u201d\u2018\u2019"
_MARKER = re.compile(r"\s*(?:[-*]|\d+\.)\s")


def find_phrase(src: str, text: str, pos: int, hi: int) -> int:
    """Where `text` starts in the source between pos and hi: its first words, in order, close
    together (tags and entities may sit between them). -1 if not found."""
    text = re.sub(r"\$[^$]*\$", " ", text[:300])
    m = _MARKER.match(text)
    words = [
        w.group() for _, w in zip(range(4), WORD.finditer(text, m.end() if m else 0), strict=False)
    ]
    if not words:
        return -1
    at = src.find(words[0], pos, hi)
    for _ in range(50):
        if at < 0:
            return -1
        p = at + len(words[0])
        for w in words[1:]:
            q = src.find(w, p, min(hi, p + 300))
            if q < 0 or _GAP_NOISE.sub("", src[p:q]).strip(_PUNCT):
                break
            p = q + len(w)
        else:
            return at
        at = src.find(words[0], at + 1, hi)
    return -1
