"""HTML pages, saved web pages and Distill articles: the main content as passages.

Page chrome (scripts, styles, navigation, forms, SVG internals, iframes) never reaches passage
text. `<article>`, `<main>`, role=main and Distill's `<d-article>` / `<dt-article>` are preferred
when present. Distill math (`<d-math>`, `<dt-math>`) is kept as TeX, citations are dropped from
the text (kept as references when the page carries its BibTeX), footnotes become passages.

Glossary entries come from `<dl>` lists (one entry per `<dt>`) and from pages whose headings are
terms under a "Glossary" heading (or in a page titled as a glossary).

selectolax does not report source positions, so every element is matched to its start tag in
the source by one forward pass over both sequences (see `_SourceMap`).
"""

from __future__ import annotations

import codecs
import json
import re
import textwrap
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import PurePath, PurePosixPath
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from grimoire.model import (
    Document,
    Entry,
    Image,
    Link,
    LinkKind,
    Math,
    Passage,
    Problem,
    Reference,
    Span,
)
from grimoire.readers.base import collapse, decode

name = "html"
extensions = (".html", ".htm", ".xhtml")

_SNIFF = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)


def sniff(head: str, path: str) -> bool:
    """An HTML document starts with a tag and names doctype/html/head/body near its start."""
    start = head.lstrip("\ufeff \t\r\n")
    return start.startswith("<") and _SNIFF.search(start, 0, 1024) is not None


# --- decoding --------------------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
# base.decode already falls back to cp1252, which is what browsers use for these labels.
_WESTERN = {"latin_1", "iso8859_1", "cp1252", "ascii", "utf_8", "iso8859_15"}


def _decode(data: bytes, path: str) -> str:
    """base.decode, except that a non-UTF-8 page declaring another charset is decoded with it."""
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and not data.startswith(codecs.BOM_UTF8):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            m = _META_CHARSET.search(data, 0, 4096)
            if m:
                try:
                    codec = codecs.lookup(m.group(1).decode("ascii")).name.replace("-", "_")
                except LookupError:
                    codec = "cp1252"
                if codec not in _WESTERN:
                    text = data.decode(codec, errors="replace").replace("\x00", "")
                    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return decode(data, path)


# --- source positions --------------------------------------------------------------------------

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
_WORD = re.compile(r"\w{2,}|\w")


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


class _SourceMap:
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
        m = _WORD.search(node.text_content or "")
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


# --- rendering ----------------------------------------------------------------------------------

_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "canvas",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "nav",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "audio",
        "video",
        "source",
        "track",
        "map",
        "area",
        "dialog",
        "frameset",
        "frame",
        "applet",
        "param",
        "datalist",
        "output",
        "progress",
        "meter",
        "slot",
        "d-front-matter",
        "d-byline",
        "dt-byline",
        "d-bibliography",
        "d-citation-list",
        "d-footnote-list",
        "distill-header",
        "distill-footer",
        "dt-header",
        "dt-footer",
        "d-toc",
    }
)
_INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
        "br",
        "img",
        "label",
        "font",
        "del",
        "ins",
        "tt",
        "big",
        "strike",
        "nobr",
        "ruby",
        "rt",
        "rp",
        "picture",
        "math",
        "d-math",
        "dt-math",
        "d-cite",
        "dt-cite",
        "d-footnote",
        "dt-fn",
    }
)
_BLOCKISH = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "ul",
        "ol",
        "dl",
        "table",
        "pre",
        "blockquote",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "aside",
        "header",
        "footer",
        "li",
        "dd",
        "dt",
        "figcaption",
        "address",
        "details",
        "summary",
        "center",
    }
)
_LEAF_KIND = {
    "p": "text",
    "figcaption": "text",
    "address": "text",
    "summary": "text",
    "caption": "text",
    "dt": "text",
    "dd": "text",
    "li": "list",
    "ul": "list",
    "ol": "list",
    "menu": "list",
    "pre": "code",
    "d-code": "code",
    "listing": "code",
    "blockquote": "quote",
    "table": "table",
}
_HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_MATH_TAGS = frozenset({"d-math", "dt-math"})
_CITE_TAGS = frozenset({"d-cite", "dt-cite"})
_NOTE_TAGS = frozenset({"d-footnote", "dt-fn"})
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
_PAGE_EXTS = frozenset({"", ".html", ".htm", ".xhtml", ".md", ".markdown", ".php", ".asp", ".aspx"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_TEX_OPEN = re.compile(r"\$\$|\\\(|\\\[|\$")
_TEX_CLOSE = {"$$": "$$", "\\(": "\\)", "\\[": "\\]", "$": "$"}
_TEX_RENDERER = re.compile(r"mathjax|katex", re.IGNORECASE)
_TEX_SINGLE_DOLLAR = re.compile(r"""['"]\$['"]""")
_MARKER_ONLY = re.compile(r"(?:\s*+(?:-|\d++\.))++\s*+")
_MAX_INDENT = 8  # deeper lists are drawn flat: indentation would grow quadratically
_INDENT = "\x00"  # marks list indentation through whitespace collapsing; never in parsed text


def _hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style) and "display:none" in style.replace(" ", "").lower()


def _plain(root: LexborNode) -> str:
    """Text of a subtree, skipping script/style/svg... below the root (for TeX and JSON islands)."""
    out: list[str] = []
    node = root
    while True:
        tag = (node.tag or "").lower()
        child = None
        if tag == "-text":
            out.append(node.text_content or "")
        elif not tag.startswith("-") and (node.mem_id == root.mem_id or tag not in _SKIP):
            child = node.child
        if child is not None:
            node = child
            continue
        while True:
            if node.mem_id == root.mem_id:
                return "".join(out)
            sibling = node.next
            if sibling is not None:
                node = sibling
                break
            parent = node.parent
            if parent is None:
                return "".join(out)
            node = parent


@dataclass
class _Marks:
    links: list[Link] = field(default_factory=list)
    math: list[Math] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


class _Renderer:
    """Renders one subtree (or a run of inline siblings) into text and marks, without recursion."""

    def __init__(self, reader: _Reader, preserve: bool = False) -> None:
        self.r = reader
        self.preserve = preserve
        self.parts: list[str] = []
        self.marks = _Marks()
        self.notes: list[LexborNode] = []
        self.line_has_text = False
        self._lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self._row_cells: list[int] = []
        self._links: dict[int, tuple[int, str]] = {}
        self._text_node: LexborNode | None = None

    def _text(self, s: str) -> None:
        if not s:
            return
        if self.preserve:
            self.parts.append(s)
            self.line_has_text = True
        else:
            if self.r.tex is not None and not s.isspace():
                s = self._scan_tex(s)
            self.parts.append(" ".join(s.split()) if not s.isspace() else " ")
            if s.strip():
                if s[0].isspace():
                    self.parts.insert(len(self.parts) - 1, " ")
                if s[-1].isspace():
                    self.parts.append(" ")
                self.line_has_text = True

    def _scan_tex(self, s: str) -> str:
        """Record the `$..$`, `$$..$$`, `\\(..\\)`, `\\[..\\]` TeX a page leaves for MathJax/KaTeX.

        Linear: once a closing delimiter is missing, no later opener of that kind can close.
        """
        single = bool(self.r.tex)
        out: list[str] = []
        missing: set[str] = set()
        pos = done = 0
        while True:
            m = _TEX_OPEN.search(s, pos)
            if m is None:
                break
            op = m.group()
            close = _TEX_CLOSE[op]
            if (op == "$" and not single) or close in missing:
                pos = m.end()
                continue
            end = s.find(close, m.end())
            if end < 0:
                missing.add(close)
                pos = m.end()
                continue
            raw = s[m.end() : end]
            if op == "$" and (len(raw) > 500 or "\n\n" in raw or not raw.strip()):
                pos = m.end()
                continue
            display = op in ("$$", "\\[")
            if raw.strip():
                # the text node's span starts at its first word, not at its leading newlines
                first_word = _WORD.search(s)
                extra = s.count("\n", first_word.start() if first_word else 0, m.start())
                span = self._span(self._text_node, 0) if self._text_node is not None else None
                if span is not None:
                    line = span.start_line + extra
                    span = Span(span.path, line, line + raw.count("\n"))
                    self.marks.math.append(Math(raw.strip(), display, span))
                flat = " ".join(raw.split())
                out.append(s[done : m.start()])
                out.append(f"$${flat}$$" if display else f"${flat}$")
                done = end + len(close)
            pos = end + len(close)
        out.append(s[done:])
        return "".join(out)

    def _break(self) -> None:
        if self.line_has_text:
            self.parts.append("\n")
            self.line_has_text = False

    def feed(self, root: LexborNode) -> None:
        node = root
        while True:
            child = node.child if self._enter(node) else None
            if child is not None:
                node = child
                continue
            while True:
                self._leave(node)
                if node.mem_id == root.mem_id:
                    return
                sibling = node.next
                if sibling is not None:
                    node = sibling
                    break
                node = node.parent
                if node is None:
                    return

    def _enter(self, node: LexborNode) -> bool:
        tag = (node.tag or "").lower()
        if tag == "-text":
            self._text_node = node
            self._text(node.text_content or "")
            self._text_node = None
            return False
        if tag.startswith("-"):
            return False
        if tag in _MATH_TAGS:
            self._math(node, _plain(node), "block" in node.attributes)
            return False
        if tag == "script":
            kind = (node.attributes.get("type") or "").lower()
            if kind.startswith("math/tex"):
                self._math(node, _plain(node), "mode=display" in kind.replace(" ", ""))
            return False
        if tag in _SKIP or _hidden(node):
            return False
        if tag == "math":
            return self._mathml(node)
        if tag in _CITE_TAGS:
            for key in (node.attributes.get("key") or "").split(","):
                ref = self.r.bib.get(key.strip())
                if ref is not None:
                    self.marks.references.append(ref)
            return False
        if tag in _NOTE_TAGS:
            self.notes.append(node)
            return False
        if tag == "br":
            if self.preserve:
                self.parts.append("\n")
            else:
                self._break()
            return False
        if tag == "img":
            self._image(node)
            return False
        if tag == "a":
            self._links[node.mem_id] = (len(self.parts), node.attributes.get("href") or "")
            return True
        if tag in ("ul", "ol", "menu"):
            start = node.attributes.get("start") or "1"
            self._lists.append([tag == "ol", int(start) - 1 if start.isdigit() else 0])
            self._break()
            return True
        if tag == "li":
            self._break()
            depth = min(max(len(self._lists) - 1, 0), _MAX_INDENT)
            marker = "- "
            if self._lists and self._lists[-1][0]:
                self._lists[-1][1] += 1
                marker = f"{self._lists[-1][1]}. "
            self.parts.append(_INDENT * depth + marker)
            return True
        if tag == "tr":
            self._break()
            self._row_cells.append(0)
            return True
        if tag in ("td", "th"):
            if self._row_cells:
                if self._row_cells[-1]:
                    self.parts.append(" | ")
                self._row_cells[-1] += 1
            return True
        if tag not in _INLINE:
            self._break()
        return True

    def _leave(self, node: LexborNode) -> None:
        tag = (node.tag or "").lower()
        if tag == "a":
            begin, href = self._links.pop(node.mem_id, (len(self.parts), ""))
            label = collapse("".join(self.parts[begin:]).replace(_INDENT, "")) or None
            self._link(node, href, label)
        elif tag in ("ul", "ol", "menu"):
            if self._lists:
                self._lists.pop()
            self._break()
        elif tag == "tr":
            if self._row_cells:
                self._row_cells.pop()
            self._break()
        elif (
            tag not in _INLINE
            and tag not in ("td", "th")
            and not tag.startswith("-")
            and tag not in _SKIP
        ):
            self._break()

    def _span(self, node: LexborNode, extra_lines: int = 0) -> Span:
        line = self.r.map.line(self.r.map.start(node))
        return Span(self.r.path, line, line + extra_lines)

    def _math(self, node: LexborNode, raw: str, display: bool) -> None:
        tex = raw.strip()
        if not tex:
            return
        self.marks.math.append(Math(tex, display, self._span(node, raw.rstrip().count("\n"))))
        flat = tex if self.preserve else " ".join(tex.split())
        self.parts.append(f" $${flat}$$ " if display else f"${flat}$")
        self.line_has_text = True

    def _mathml(self, node: LexborNode) -> bool:
        """MathML (KaTeX output, MathJax assistive markup): its TeX annotation if any."""
        note = node.css_first('annotation[encoding="application/x-tex"]')
        tex = _plain(note) if note is not None else node.attributes.get("alttext") or ""
        if tex.strip():
            self._math(node, tex, node.attributes.get("display") == "block")
            return False
        return True

    def _image(self, node: LexborNode) -> None:
        src = (node.attributes.get("src") or "").strip()
        if not src or _CONTROL.sub("", src).lower().startswith(_BAD_SCHEMES):
            return
        attrs = node.attributes
        width, height = attrs.get("width") or "", attrs.get("height") or ""
        self.marks.images.append(
            Image(
                target=src,
                span=self._span(node),
                caption=self.r.caption or None,
                alt=collapse(attrs.get("alt") or "") or None,
                width=int(width) if width.isdigit() else None,
                height=int(height) if height.isdigit() else None,
            )
        )

    def _link(self, node: LexborNode, href: str, label: str | None) -> None:
        bare = _CONTROL.sub("", href)
        low = bare.lower()
        if not bare or low.startswith(_BAD_SCHEMES) or bare.startswith("#"):
            return
        span = self._span(node)
        if low.startswith(("http://", "https://", "//")):
            self.marks.links.append(Link(bare, LinkKind.URL, span, label))
            return
        if ":" in bare.split("/", 1)[0]:
            return  # mailto:, tel:, ftp: ... are not notes
        parts = urlsplit(bare)
        page = PurePosixPath(unquote(parts.path))
        if page.suffix.lower() not in _PAGE_EXTS:
            return
        target = page.stem
        if target.lower() in ("index", "readme", "_index") and page.parent.name:
            target = page.parent.name
        if not target or target in (".", ".."):
            return
        self.marks.links.append(
            Link(target, LinkKind.MARKDOWN, span, label, fragment=unquote(parts.fragment) or None)
        )

    def finish(self) -> str:
        if self.preserve:
            return textwrap.dedent("".join(self.parts).replace(_INDENT, "  ")).strip("\n").rstrip()
        lines = ("".join(self.parts)).split("\n")
        out = (" ".join(line.split()).replace(_INDENT, "  ") for line in lines)
        return "\n".join(line for line in out if line.strip() and not _MARKER_ONLY.fullmatch(line))


# --- reading ----------------------------------------------------------------------------------

_MERGE_CHARS = 1000
_MAX_CHARS = 2000
# Blocks far apart in the source (a big figure between them) stay apart, so spans stay tight.
_MERGE_GAP_LINES = 20
_LONG_HEADING = 160
_GLOSSARY = re.compile(r"\bglossary\b", re.IGNORECASE)
_SEE_ALSO = re.compile(r"\s*see also\b", re.IGNORECASE)


@dataclass
class _Block:
    text: str
    kind: str
    path: tuple[str, ...]
    start: int
    end: int
    marks: _Marks


@dataclass
class _Term:
    term: str
    start: int
    end: int
    texts: list[str] = field(default_factory=list)
    marks: _Marks = field(default_factory=_Marks)
    see_also: list[Link] = field(default_factory=list)


class _Reader:
    def __init__(self, src: str, path: str) -> None:
        self.path = path
        self.tree = LexborHTMLParser(src)
        root = self.tree.root
        if root is None:
            raise ValueError("no document")
        self.root = root
        self.map = _SourceMap(src, root)
        self.problems: list[Problem] = []
        self.meta: dict[str, object] = {}
        self.bib: dict[str, Reference] = {}
        self.caption = ""
        # None: the page loads no TeX renderer; False: $$, \\( and \\[ only; True: also single $
        self.tex: bool | None = None
        self.blocks: list[_Block] = []
        self.entries: list[Entry] = []
        self.headings: list[tuple[int, str]] = []
        self.title = ""
        self.title_heading_level = 0
        self._title_heading_seen = False
        self._pending_images: list[Image] = []
        # heading-glossary state
        self._gloss_level: int | None = None
        self._term_level: int | None = None
        self._term: _Term | None = None

    # front matter and title

    def read_meta(self) -> None:
        fm = self.root.css_first(
            'd-front-matter script[type="text/json"], script#distill-front-matter'
        )
        if fm is not None:
            try:
                data = json.loads(_plain(fm))
            except ValueError as e:
                self.problems.append(
                    Problem(f"invalid front matter JSON: {e}", self._node_span(fm))
                )
            else:
                if isinstance(data, dict):
                    self._take_front_matter(data)
        yml = self.root.css_first('script[type="text/front-matter"]')
        if yml is not None and not self.title:
            self._take_front_matter(_yaml_front_matter(_plain(yml)))
        for meta in self.root.css("meta[name], meta[property]"):
            key = (meta.attributes.get("name") or meta.attributes.get("property") or "").lower()
            value = collapse(meta.attributes.get("content") or "")
            if not value:
                continue
            if key in ("description", "og:description") and "description" not in self.meta:
                self.meta["description"] = value
            elif key == "keywords":
                self.meta["keywords"] = tuple(k.strip() for k in value.split(",") if k.strip())
            elif key in ("author", "citation_author"):
                self.meta.setdefault("authors", (value,))
            elif key == "og:title" and "og_title" not in self.meta:
                self.meta["og_title"] = value
        lang = self.root.attributes.get("lang")
        if lang:
            self.meta["lang"] = lang
        if not self.title:
            for candidate in ("d-title h1", "dt-article h1", "title", "h1"):
                node = self.root.css_first(candidate)
                text = collapse(_plain(node)) if node is not None else ""
                if text:
                    self.title = text
                    break
        if not self.title:
            self.title = str(self.meta.get("og_title") or "")
        for script in self.root.css("script"):
            code = _plain(script) if not script.attributes.get("src") else ""
            if _TEX_RENDERER.search((script.attributes.get("src") or "") + code[:4096]):
                self.tex = bool(self.tex) or _TEX_SINGLE_DOLLAR.search(code) is not None
        for script in self.root.css('script[type="text/bibliography"]'):
            self._read_bib(script)

    def _take_front_matter(self, data: dict[str, object]) -> None:
        title = data.get("title")
        if isinstance(title, str) and title.strip():
            self.title = collapse(title)
        desc = data.get("description")
        if isinstance(desc, str) and desc.strip():
            self.meta["description"] = collapse(desc)
        authors = data.get("authors")
        if isinstance(authors, list):
            names = []
            for a in authors:
                if isinstance(a, dict):
                    a = a.get("author") or a.get("name") or next(iter(a), "")
                if isinstance(a, str) and a.strip():
                    names.append(collapse(a))
            if names:
                self.meta["authors"] = tuple(names)
        for key in ("published", "doi", "url"):
            if isinstance(data.get(key), str):
                self.meta[key] = data[key]

    def _read_bib(self, script: LexborNode) -> None:
        start = self.map.start(script)
        body_at = self.map.src.find(">", start) + 1
        for key, label, url, at in _bibtex(_plain(script)):
            line = self.map.line(body_at + at)
            self.bib[key] = Reference(label, url, Span(self.path, line, line))

    def _node_span(self, node: LexborNode) -> Span:
        a, b = self.map.span_lines(node)
        return Span(self.path, a, b)

    # main content

    def content_roots(self) -> list[LexborNode]:
        article = self.root.css_first("d-article, dt-article")
        if article is not None:
            extra = self.root.css("d-title, d-article, dt-article, d-appendix, dt-appendix")
            return extra or [article]
        for selector in ("main", '[role="main"]'):
            node = self.root.css_first(selector)
            if node is not None:
                return [node]
        articles = self.root.css("article")
        if articles:
            outer = [
                a
                for a in articles
                if not any(p.mem_id in {b.mem_id for b in articles} for p in _ancestors(a))
            ]
            return outer
        body = self.tree.body
        return [body if body is not None else self.root]

    def walk(self, root: LexborNode) -> None:
        chrome = root.tag in ("body", "html")
        inline: _Renderer | None = None
        first: LexborNode | None = None
        last: LexborNode | None = None
        captions: dict[int, str] = {}

        def flush() -> None:
            nonlocal inline, first, last
            if inline is not None and first is not None and last is not None:
                self.emit(inline, "text", self.map.start(first), self.map.end(last))
            inline, first, last = None, None, None

        node = root
        while True:
            descend = False
            tag = (node.tag or "").lower()
            if tag == "-text":
                if inline is not None or (node.text_content or "").strip():
                    if inline is None:
                        inline, first = _Renderer(self), node
                    inline.feed(node)
                    last = node
            elif (
                tag.startswith("-")
                or tag in _SKIP
                or _hidden(node)
                or (chrome and tag in ("header", "footer", "aside"))
            ):
                pass
            elif (
                tag in _MATH_TAGS
                or tag in _NOTE_TAGS
                or (tag in _INLINE and not _has_block_child(node))
            ):
                if inline is None:
                    inline, first = _Renderer(self), node
                inline.feed(node)
                last = node
            elif tag in _HEADING:
                flush()
                self.heading(node, _HEADING[tag])
            elif tag == "dl":
                flush()
                self.definition_list(node)
            elif tag in _LEAF_KIND:
                flush()
                kind = _LEAF_KIND[tag]
                if tag == "li" and node.parent is not None and node.parent.tag in ("ul", "ol"):
                    kind = "list"
                r = _Renderer(self, preserve=kind == "code")
                r.feed(node)
                self.emit(r, kind, self.map.start(node), self.map.end(node))
            else:
                flush()
                if tag == "figure":
                    cap = node.css_first("figcaption")
                    if cap is not None:
                        r = _Renderer(self)
                        r.feed(cap)
                        captions[node.mem_id] = self.caption
                        self.caption = r.finish().replace("\n", " ")
                descend = True
            child = node.child if descend else None
            if child is not None:
                node = child
                continue
            while True:
                if node.mem_id in captions:
                    flush()
                    self.caption = captions.pop(node.mem_id)
                elif (node.tag or "-")[0] != "-" and node.tag not in _INLINE:
                    flush()
                if node.mem_id == root.mem_id:
                    flush()
                    return
                sibling = node.next
                if sibling is not None:
                    node = sibling
                    break
                parent = node.parent
                if parent is None:
                    flush()
                    return
                node = parent

    def emit(
        self, r: _Renderer, kind: str, start: int, end: int, path: tuple[str, ...] | None = None
    ) -> None:
        text = r.finish()
        marks = r.marks
        start_line, end_line = self.map.line(start), self.map.line(end)
        if not text:
            self._pending_images.extend(marks.images)
        else:
            if self._pending_images:
                marks.images[:0] = self._pending_images
                self._pending_images = []
            block = _Block(
                text,
                kind,
                path if path is not None else self.heading_path(),
                start_line,
                max(end_line, start_line),
                marks,
            )
            self.blocks.append(block)
            if self._term is not None:
                self._term.texts.append(text)
                self._term.end = block.end
                if _SEE_ALSO.match(text):
                    self._term.see_also.extend(marks.links)
                    marks = replace(marks, links=[])
                _extend(self._term.marks, marks)
        for note in r.notes:
            sub = _Renderer(self)
            child = note.child
            while child is not None:
                sub.feed(child)
                child = child.next
            self.emit(sub, "text", self.map.start(note), self.map.end(note))

    def heading_path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.headings)

    def heading(self, node: LexborNode, level: int) -> None:
        r = _Renderer(self)
        r.feed(node)
        text = r.finish().replace("\n", " ")
        if len(text) > _LONG_HEADING:  # a subtitle or a sentence set in heading type
            self.emit(r, "text", self.map.start(node), self.map.end(node))
            return
        self._pending_images.extend(r.marks.images)
        if not self._title_heading_seen and level == 1 and text.casefold() == self.title.casefold():
            self._title_heading_seen = True
            self.title_heading_level = 1
            self.headings = []
            if _GLOSSARY.search(text):
                self._gloss_level, self._term_level = 1, None
            return
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        if text:
            self.headings.append((level, text))
        self._glossary_heading(text, level, self.map.line(self.map.start(node)))

    def _glossary_heading(self, text: str, level: int, line: int) -> None:
        if self._term is not None and (self._term_level is None or level <= self._term_level):
            self._close_term()
        if _GLOSSARY.search(text):
            self._gloss_level, self._term_level = level, None
            return
        if self._gloss_level is None:
            return
        if level <= self._gloss_level:
            self._gloss_level = self._term_level = None
            return
        if len(text) <= 3 or (self._term_level is not None and level < self._term_level):
            return  # a letter heading ("A", "0-9") between terms
        if self._term_level is None:
            self._term_level = level
        if level == self._term_level:
            self._term = _Term(text, line, line)

    def _close_term(self) -> None:
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

    def definition_list(self, dl: LexborNode) -> None:
        """One block per dt/dd group, one Entry per dt."""
        groups: list[tuple[list[LexborNode], list[LexborNode]]] = []
        stack = [dl.child] if dl.child is not None else []
        while stack:
            node = stack.pop()
            if node.next is not None:
                stack.append(node.next)
            tag = (node.tag or "").lower()
            if tag == "div" and node.child is not None:
                stack.append(node.child)
            elif tag == "dt":
                if not groups or groups[-1][1]:
                    groups.append(([], []))
                groups[-1][0].append(node)
            elif tag == "dd":
                if not groups:
                    groups.append(([], []))
                groups[-1][1].append(node)
        for terms, defs in groups:
            names = []
            for dt in terms:
                r = _Renderer(self)
                r.feed(dt)
                names.append(r.finish().replace("\n", " "))
            r = _Renderer(self)
            for dd in defs:
                r.feed(dd)
                r._break()
            definition = r.finish()
            first = (terms or defs)[0]
            last = (defs or terms)[-1]
            start, end = self.map.start(first), self.map.end(last)
            label = " / ".join(n for n in names if n)
            notes, r.notes = r.notes, []
            marks = r.marks
            see_also: list[Link] = []
            if _SEE_ALSO.search(definition):
                see_also = [
                    link
                    for link in marks.links
                    if link.label and _after_see_also(definition, link.label)
                ]
            links = [link for link in marks.links if link not in see_also]
            for dt, term in zip(terms, names, strict=True):
                if term:
                    self.entries.append(
                        Entry(
                            term=term,
                            definition=definition,
                            span=Span(
                                self.path, self.map.line(self.map.start(dt)), self.map.line(end)
                            ),
                            see_also=tuple(see_also),
                            links=tuple(links),
                            math=tuple(marks.math),
                            references=tuple(marks.references),
                            images=tuple(marks.images),
                        )
                    )
            holder = _Renderer(self)
            holder.parts = [
                f"{label}: {definition}" if label and definition else label or definition
            ]
            holder.marks, holder.notes = marks, notes
            self.emit(holder, "text", start, end)

    def passages(self) -> tuple[Passage, ...]:
        out: list[Passage] = []
        group: list[_Block] = []

        def close() -> None:
            if not group:
                return
            kinds = {b.kind for b in group}
            kind = kinds.pop() if len(kinds) == 1 else "text"
            marks = _Marks()
            for b in group:
                _extend(marks, b.marks)
            out.append(
                Passage(
                    text="\n\n".join(b.text for b in group),
                    span=Span(self.path, group[0].start, max(b.end for b in group)),
                    heading_path=group[0].path,
                    kind=kind,
                    links=tuple(marks.links),
                    math=tuple(marks.math),
                    images=tuple(marks.images),
                    references=tuple(marks.references),
                )
            )
            group.clear()

        for block in self.blocks:
            for piece in self._split(block):
                mergeable = piece.kind in ("text", "list", "quote")
                if group and (
                    not mergeable
                    or group[0].kind not in ("text", "list", "quote")
                    or group[0].path != piece.path
                    or sum(len(b.text) for b in group) + len(piece.text) > _MERGE_CHARS
                    or piece.start - group[-1].end > _MERGE_GAP_LINES
                ):
                    close()
                group.append(piece)
                if not mergeable:
                    close()
        close()
        if self._pending_images and out:
            last = out[-1]
            out[-1] = replace(last, images=last.images + tuple(self._pending_images))
        return tuple(out)

    def _split(self, block: _Block) -> list[_Block]:
        """Cut a block longer than _MAX_CHARS at line, then sentence, then word boundaries."""
        if len(block.text) <= _MAX_CHARS:
            return [block]
        chunks = _chunks(block.text, _MERGE_CHARS)
        src, lines = self.map.src, self.map
        lo = self.map._newlines[block.start - 2] if block.start > 1 else 0
        hi = (
            self.map._newlines[block.end - 1]
            if block.end - 1 < len(self.map._newlines)
            else len(src)
        )
        starts = [block.start]
        pos = lo
        for chunk in chunks[1:]:
            at = _find_phrase(src, chunk, pos, hi)
            line = lines.line(at) if at >= 0 else starts[-1]
            if at >= 0:
                pos = at
            starts.append(max(line, starts[-1]))
        out: list[_Block] = []
        for i, chunk in enumerate(chunks):
            first = starts[i]
            last = max(starts[i + 1] if i + 1 < len(chunks) else block.end, first)
            mk = _Marks()
            for attr in ("links", "math", "images", "references"):
                items = [
                    x
                    for x in getattr(block.marks, attr)
                    if (
                        first
                        <= x.span.start_line
                        < (starts[i + 1] if i + 1 < len(chunks) else 1 << 60)
                    )
                    or (i == 0 and x.span.start_line < first)
                ]
                setattr(mk, attr, items)
            out.append(_Block(chunk, block.kind, block.path, first, last, mk))
        return out

    def finish_terms(self) -> None:
        self._close_term()


def _chunks(text: str, size: int) -> list[str]:
    """Pieces of about `size` characters cut at line, sentence or word ends (never > 2 * size)."""
    out: list[str] = []
    rest = text
    while len(rest) > _MAX_CHARS:
        cut, sep = -1, ""
        for sep in ("\n", ". ", " "):
            cut = rest.rfind(sep, size // 2, size * 2)
            if cut > 0:
                cut += len(sep)
                break
        if cut <= 0:
            cut, sep = size, ""
        out.append(rest[:cut].rstrip())
        # after a line break the next piece keeps its indentation (a nested list item)
        rest = rest[cut:] if sep == "\n" else rest[cut:].lstrip()
    out.append(rest.rstrip())
    return [c for c in out if c.strip()]


# Between two words of a passage the source may hold tags, entities and punctuation only.
_GAP_NOISE = re.compile(r"<[^>]*>|&#?\w+;|\s+")
_PUNCT = ".,;:!?()[]'\"-/*\u2013\u2014\u201c\u201d\u2018\u2019"
_MARKER = re.compile(r"\s*(?:[-*]|\d+\.)\s")


def _find_phrase(src: str, text: str, pos: int, hi: int) -> int:
    """Where `text` starts in the source between pos and hi: its first words, in order, close
    together (tags and entities may sit between them). -1 if not found."""
    text = re.sub(r"\$[^$]*\$", " ", text[:300])
    m = _MARKER.match(text)
    words = [
        w.group() for _, w in zip(range(4), _WORD.finditer(text, m.end() if m else 0), strict=False)
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


def _extend(into: _Marks, marks: _Marks) -> None:
    into.links.extend(marks.links)
    into.math.extend(marks.math)
    into.images.extend(marks.images)
    into.references.extend(marks.references)


def _after_see_also(text: str, label: str) -> bool:
    m = _SEE_ALSO.search(text)
    return m is not None and text.find(label, m.end()) >= 0


def _ancestors(node: LexborNode) -> list[LexborNode]:
    out = []
    parent = node.parent
    while parent is not None:
        out.append(parent)
        parent = parent.parent
    return out


def _has_block_child(node: LexborNode) -> bool:
    child = node.child
    while child is not None:
        if (child.tag or "").lower() in _BLOCKISH:
            return True
        child = child.next
    return False


def _yaml_front_matter(text: str) -> dict[str, object]:
    """Title, description and author names from Distill v1's YAML island, line by line.

    A full YAML parser is not needed for these keys, and a line scan cannot be made to expand
    aliases or run constructors.
    """
    out: dict[str, object] = {}
    authors: list[str] = []
    section = ""
    base: int | None = None
    for raw in text.split("\n"):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        if base is None:
            base = indent
        if item.startswith("-"):
            if section == "authors":
                author = item[1:].strip().split(": http", 1)[0].strip().rstrip(":").strip("\"'")
                if author:
                    authors.append(author)
            continue
        key, sep, value = item.partition(":")
        if sep and indent <= base:
            section = key.strip().lower()
            value = value.strip().strip("\"'")
            if section in ("title", "description", "published", "doi") and value:
                out[section] = value
    if authors:
        out["authors"] = authors
    return out


_BIB_START = re.compile(r"@\s*(\w+)\s*\{\s*([^,\s{}]+)\s*,")
_BIB_FIELD = re.compile(r"\s*,?\s*(\w+)\s*=\s*")


def _bibtex(text: str) -> list[tuple[str, str, str, int]]:
    """(key, title, url, offset) for each BibTeX entry that has a URL or DOI; one linear pass."""
    out: list[tuple[str, str, str, int]] = []
    pos = 0
    while True:
        m = _BIB_START.search(text, pos)
        if m is None:
            return out
        fields: dict[str, str] = {}
        i, n = m.end(), len(text)
        while i < n:
            f = _BIB_FIELD.match(text, i)
            if f is None:
                break
            i = f.end()
            if i < n and text[i] in '{"':
                close = "}" if text[i] == "{" else '"'
                depth, j = 0, i
                while j < n:
                    c = text[j]
                    if c == "{":
                        depth += 1
                    elif c == "}":
                        depth -= 1
                    if (close == "}" and depth == 0) or (
                        close == '"' and c == '"' and j > i and depth == 0
                    ):
                        break
                    j += 1
                fields[f.group(1).lower()] = text[i + 1 : j]
                i = j + 1
            else:
                end = i
                while end < n and text[end] not in ",}\n":
                    end += 1
                fields[f.group(1).lower()] = text[i:end]
                i = end
        pos = max(i, m.end())
        url = fields.get("url", "").strip()
        if not url and fields.get("doi"):
            url = "https://doi.org/" + fields["doi"].strip()
        if url:
            title = collapse(fields.get("title", "").replace("{", "").replace("}", "")) or m.group(
                2
            )
            out.append((m.group(2), title, url, m.start()))


def read(data: bytes, path: str) -> list[Document]:
    """Parse one HTML file into one Document."""
    src = _decode(data, path)
    reader = _Reader(src, path)
    reader.read_meta()
    for root in reader.content_roots():
        reader.headings = []  # d-title, d-article and d-appendix each start at the top
        reader.walk(root)
    reader.finish_terms()
    passages = reader.passages()
    title = reader.title or PurePath(path).stem
    tags = reader.meta.pop("keywords", ())
    reader.meta.pop("og_title", None)
    return [
        Document(
            path=path,
            format=name,
            title=title,
            passages=passages,
            entries=tuple(reader.entries),
            tags=tuple(tags) if isinstance(tags, tuple) else (),
            meta=reader.meta,
            problems=tuple(reader.problems),
        )
    ]
