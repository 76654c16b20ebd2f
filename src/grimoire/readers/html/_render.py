"""Rendering an HTML subtree to passage text, collecting its links, math, images and citations.

Chrome (`SKIP`) and hidden elements render to nothing; inline elements (`INLINE`) run on within
a line, everything else breaks it. Lists are drawn with `-` / `1.` markers, table cells with
`|`. Math is kept as TeX: Distill `<d-math>`, `<script type="math/tex">`, MathML's TeX
annotation and, on pages that load MathJax or KaTeX, the `$..$` left in the text.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborNode

from grimoire.model import Image, Link, LinkKind, Math, Reference, Span
from grimoire.readers.base import collapse
from grimoire.readers.html._mathml import mathml_tex
from grimoire.readers.html._source import WORD, SourceMap
from grimoire.readers.inline_html import SCRIPT_MARKS

SKIP = frozenset(
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
INLINE = frozenset(
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
MATH_TAGS = frozenset({"d-math", "dt-math"})
_CITE_TAGS = frozenset({"d-cite", "dt-cite"})
NOTE_TAGS = frozenset({"d-footnote", "dt-fn"})
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
_PAGE_EXTS = frozenset({"", ".html", ".htm", ".xhtml", ".md", ".markdown", ".php", ".asp", ".aspx"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_TEX_OPEN = re.compile(r"\$\$|\\\(|\\\[|\$")
_TEX_CLOSE = {"$$": "$$", "\\(": "\\)", "\\[": "\\]", "$": "$"}
_MARKER_ONLY = re.compile(r"(?:\s*+(?:-|\d++\.))++\s*+")
_MAX_INDENT = 8  # deeper lists are drawn flat: indentation would grow quadratically
_INDENT = "\x00"  # marks list indentation through whitespace collapsing; never in parsed text


def hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    # A Bootstrap dropdown menu, shown only while its button is pressed (round 48, qa48b: an
    # R notebook page's "Show All Code / Hide All Code / Download Rmd" opened 16 chapters).
    if "dropdown-menu" in (attrs.get("class") or "").split():
        return True
    style = attrs.get("style") or ""
    return "display:none" in style.replace(" ", "").lower()


def plain(root: LexborNode) -> str:
    """Text of a subtree, skipping script/style/svg... below the root (for TeX and JSON islands)."""
    out: list[str] = []
    node = root
    while True:
        tag = (node.tag or "").lower()
        child = None
        if tag == "-text":
            out.append(node.text_content or "")
        elif not tag.startswith("-") and (node.mem_id == root.mem_id or tag not in SKIP):
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
class Marks:
    links: list[Link] = field(default_factory=list)
    math: list[Math] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    def extend(self, other: Marks) -> None:
        self.links.extend(other.links)
        self.math.extend(other.math)
        self.images.extend(other.images)
        self.references.extend(other.references)


class Page(Protocol):
    """What a renderer reads of the page being read."""

    path: str
    map: SourceMap
    bib: dict[str, Reference]  # citation key -> reference, from the page's BibTeX
    caption: str  # caption of the figure being rendered, given to its images
    # None: the page loads no TeX renderer; False: $$, \\( and \\[ only; True: also single $
    tex: bool | None


class Renderer:
    """Renders one subtree (or a run of inline siblings) into text and marks, without recursion."""

    def __init__(self, page: Page, preserve: bool = False) -> None:
        self.page = page
        self.preserve = preserve
        self.parts: list[str] = []
        self.marks = Marks()
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
            if self.page.tex is not None and not s.isspace():
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
        single = bool(self.page.tex)
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
                first_word = WORD.search(s)
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

    def break_line(self) -> None:
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
                parent = node.parent
                if parent is None:
                    return
                node = parent

    def _enter(self, node: LexborNode) -> bool:
        tag = (node.tag or "").lower()
        if tag == "-text":
            self._text_node = node
            self._text(node.text_content or "")
            self._text_node = None
            return False
        if tag.startswith("-"):
            return False
        if tag in MATH_TAGS:
            self._math(node, plain(node), "block" in node.attributes)
            return False
        if tag == "script":
            kind = (node.attributes.get("type") or "").lower()
            if kind.startswith("math/tex"):
                self._math(node, plain(node), "mode=display" in kind.replace(" ", ""))
            return False
        if tag in SKIP or hidden(node):
            return False
        if tag == "math":
            return self._mathml(node)
        if tag in _CITE_TAGS:
            for key in (node.attributes.get("key") or "").split(","):
                ref = self.page.bib.get(key.strip())
                if ref is not None:
                    self.marks.references.append(ref)
            # A citation written as words is the sentence's: "introduced by <dt-cite
            # key=...>its authors in its year</dt-cite>" (round 53: t-SNE's authors and year
            # were in no passage of a Distill article, and ask could not answer "who")
            return node.child is not None
        if tag in NOTE_TAGS:
            self.notes.append(node)
            return False
        if tag == "br":
            if self.preserve:
                self.parts.append("\n")
            else:
                self.break_line()
            return False
        if tag == "img":
            self._image(node)
            return False
        if tag in SCRIPT_MARKS:
            self.parts.append(SCRIPT_MARKS[tag])
            return True
        if tag == "a":
            if _is_permalink(node):
                return False  # Sphinx/MkDocs `¶` after a heading or term is not text
            self._links[node.mem_id] = (len(self.parts), node.attributes.get("href") or "")
            return True
        if tag in ("ul", "ol", "menu"):
            start = node.attributes.get("start") or "1"
            self._lists.append([tag == "ol", int(start) - 1 if start.isdigit() else 0])
            self.break_line()
            return True
        if tag == "li":
            self.break_line()
            depth = min(max(len(self._lists) - 1, 0), _MAX_INDENT)
            marker = "- "
            if self._lists and self._lists[-1][0]:
                self._lists[-1][1] += 1
                marker = f"{self._lists[-1][1]}. "
            self.parts.append(_INDENT * depth + marker)
            return True
        if tag == "tr":
            self.break_line()
            self._row_cells.append(0)
            return True
        if tag in ("td", "th"):
            if self._row_cells:
                if self._row_cells[-1]:
                    self.parts.append(" | ")
                self._row_cells[-1] += 1
            return True
        if tag not in INLINE:
            self.break_line()
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
            self.break_line()
        elif tag == "tr":
            if self._row_cells:
                self._row_cells.pop()
            self.break_line()
        elif (
            tag not in INLINE
            and tag not in ("td", "th")
            and not tag.startswith("-")
            and tag not in SKIP
        ):
            self.break_line()

    def _span(self, node: LexborNode, extra_lines: int = 0) -> Span:
        line = self.page.map.start_line(node)
        return Span(self.page.path, line, line + extra_lines)

    def _math(self, node: LexborNode, raw: str, display: bool) -> None:
        tex = raw.strip()
        if not tex:
            return
        self.marks.math.append(Math(tex, display, self._span(node, raw.rstrip().count("\n"))))
        flat = tex if self.preserve else " ".join(tex.split())
        self.parts.append(f" $${flat}$$ " if display else f"${flat}$")
        self.line_has_text = True

    def _mathml(self, node: LexborNode) -> bool:
        """MathML (KaTeX output, MathJax assistive markup): its TeX annotation if any, else its
        layout written as TeX (docutils, pandoc)."""
        note = _tex_annotation(node)
        tex = plain(note) if note is not None else node.attributes.get("alttext") or ""
        if not tex.strip() and note is None:
            tex = mathml_tex(node)
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
                caption=self.page.caption or None,
                alt=collapse(attrs.get("alt") or "") or None,
                width=int(width) if width.isdigit() else None,
                height=int(height) if height.isdigit() else None,
            )
        )

    def _link(self, node: LexborNode, href: str, label: str | None) -> None:
        bare = _CONTROL.sub("", href)
        low = bare.lower()
        if not bare or low.startswith(_BAD_SCHEMES):
            return
        span = self._span(node)
        fragment = unquote(bare.partition("#")[2])
        if fragment.startswith("term-") and not low.startswith(("http://", "https://", "//")):
            # Sphinx's glossary cross-reference (`#term-fit`, `api.html#term-API`): a link to
            # the term, on this page or another; its text is the term as the author wrote it.
            self.marks.links.append(
                Link(label or fragment[5:].replace("-", " "), LinkKind.REF, span, label,
                     fragment=fragment)
            )
            return
        if bare.startswith("#"):
            return
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
            Link(target, LinkKind.MARKDOWN, span, label, fragment=unquote(parts.fragment) or None,
                 href=bare if bare != target else None)  # the address as written, for lint
        )

    def finish(self) -> str:
        if self.preserve:
            return textwrap.dedent("".join(self.parts).replace(_INDENT, "  ")).strip("\n").rstrip()
        lines = ("".join(self.parts)).split("\n")
        out = (" ".join(line.split()).replace(_INDENT, "  ") for line in lines)
        return "\n".join(line for line in out if line.strip() and not _MARKER_ONLY.fullmatch(line))


_PERMALINK_CLASSES = frozenset({"headerlink", "anchor-link", "header-anchor", "anchorjs-link"})


def _is_permalink(node: LexborNode) -> bool:
    """A heading's or term's own permalink (`<a class="headerlink" href="#x">¶</a>`)."""
    classes = set((node.attributes.get("class") or "").split())
    return bool(classes & _PERMALINK_CLASSES)


def _tex_annotation(math: LexborNode) -> LexborNode | None:
    """The `<annotation encoding="application/x-tex">` of a `<math>`, where MathML puts it:
    in a `<semantics>` child. Only those two levels are looked at, so that unclosed nested
    `<math>` tags (each one the parent of the next) cost linear time, not quadratic (issue 11)."""
    child = math.child
    while child is not None:
        if child.tag == "semantics":
            inner = child.child
            while inner is not None:
                if (
                    inner.tag == "annotation"
                    and inner.attributes.get("encoding") == "application/x-tex"
                ):
                    return inner
                inner = inner.next
        child = child.next
    return None

