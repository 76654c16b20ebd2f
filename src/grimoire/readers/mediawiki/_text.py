"""Wikitext to lines, blocks, passages and entries, keeping the source line of everything.

Used by `readers/mediawiki.py` for `.wiki` files and for each page of an XML dump. The page is
parsed once with mwparserfromhell; `str(node)` round-trips exactly, so summing node lengths gives
every node's offset in the source, hence its line. The page is rendered into `Line`s (one per
source line, headings and table rows apart), lines into `Block`s (a paragraph, a list, a table, a
code block), and blocks into passages under their heading path.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Text,
    Wikilink,
)
from mwparserfromhell.parser import ParserError
from mwparserfromhell.wikicode import Wikicode

from grimoire.model import Entry, Image, Link, LinkKind, Math, Problem, Reference, Span
from grimoire.readers.base import collapse
from grimoire.readers.conventions import is_see_also_heading
from grimoire.readers.mediawiki._blocks import (
    Line,
    WikiPage,
    dated_items,
    definition_entries,
    lead_entry,
    pack,
    section_tree,
    to_blocks,
)

# mwparserfromhell backtracks over the rest of the page for every construct left open, so its
# time is about (unclosed openers) x (page length): 8000 unclosed `{{a|` take 26 s
# (mwparserfromhell #364, memory #286). Past these limits the page is kept as plain text.
MAX_PAGE_CHARS = 2_000_000
MAX_TEMPLATES = 20_000
MAX_NESTING = 100
MAX_PARSE_NS = 1_000_000_000  # estimated parser time: unclosed openers x page characters x cost
MAX_WALK_DEPTH = 60


# (pattern, opener, ns of parser time per unclosed opener per page character): about twice what
# mwparserfromhell 0.7.2's C tokenizer takes on runs of unclosed openers; an unclosed tag costs
# up to 260 ns when stray closing tags of other names follow it (`<math></b>`).
_OPEN_CLOSE = (
    (re.compile(r"\{\{|\}\}"), "{{", 130),
    (re.compile(r"\[\[|\]\]"), "[[", 25),
    (re.compile(r"\{\||\|\}"), "{|", 30),
    (re.compile(r"<!--|-->"), "<!--", 8),
    (re.compile(r"\[(?:https?|ftp)://|\]"), "[", 20),
)
_TAG_NS = 260
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,30})(?:[^<>]{0,500}?(/)?>)?")
_VOID_TAGS = frozenset({"br", "hr", "wbr", "img"})
_MAGIC_WORD = re.compile(r"__[A-Z]{2,20}__")
_APOSTROPHES = re.compile(r"'{2,}")
_REDIRECT = re.compile(
    r"\A\s*#REDIRECT\s*:?\s*\[\[([^\[\]|\n]{1,255})(?:\|[^\[\]\n]{0,255})?\]\]", re.I
)
_PX = re.compile(r"(\d{1,5})?(?:x(\d{1,5}))?px")
_IMAGE_NAMESPACES = frozenset({"file", "image", "media"})
_IMAGE_OPTIONS = frozenset(
    {"thumb", "thumbnail", "frame", "framed", "frameless", "border", "left", "right", "center",
     "centre", "none", "baseline", "sub", "super", "top", "text-top", "middle", "bottom",
     "text-bottom", "upright"}
)
_IMAGE_KEYED = ("alt=", "link=", "upright=", "page=", "class=", "lang=", "thumb=", "thumbnail=")
# Interwiki prefixes that every wiki farm defines; other `prefix:` links are local namespaces.
_INTERWIKI = {
    "wikipedia": "https://en.wikipedia.org/wiki/",
    "w": "https://en.wikipedia.org/wiki/",
    "wikt": "https://en.wiktionary.org/wiki/",
    "wiktionary": "https://en.wiktionary.org/wiki/",
    "commons": "https://commons.wikimedia.org/wiki/",
    "mw": "https://www.mediawiki.org/wiki/",
    "mediawikiwiki": "https://www.mediawiki.org/wiki/",
    "meta": "https://meta.wikimedia.org/wiki/",
    "d": "https://www.wikidata.org/wiki/",
    "wikidata": "https://www.wikidata.org/wiki/",
    "arxiv": "https://arxiv.org/abs/",
    "doi": "https://doi.org/",
}
_LANGUAGE_LINK = re.compile(r"[a-z]{2,3}(?:-[a-z]{2,8})?")
_DROPPED_TAGS = frozenset(
    {"references", "script", "style", "templatestyles", "includeonly", "templatedata",
     "timeline", "graph", "inputbox", "categorytree", "score", "hiero", "imagemap", "section"}
)
_CODE_TAGS = frozenset({"pre", "syntaxhighlight", "source"})
_MATH_TAGS = frozenset({"math", "chem", "ce"})


@dataclass(slots=True)
class _Cur:
    """The line being rendered (or, with `capture`, an inline fragment such as a link label)."""

    parts: list[str] = field(default_factory=list)
    start: int = -1  # source offsets
    end: int = -1
    src_start: int = -1  # offset where the source line begins, for leading-space `<pre>`
    marker: str = ""
    capture: bool = False
    links: list[Link] = field(default_factory=list)
    math: list[Math] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    refs: list[Reference] = field(default_factory=list)

    def cover(self, a: int, b: int) -> None:
        self.start = a if self.start < 0 else min(self.start, a)
        self.end = max(self.end, b)


def parser_risk(text: str) -> str | None:
    """Why mwparserfromhell should not see `text` (size, nesting, unclosed constructs), or None."""
    if len(text) > MAX_PAGE_CHARS:
        return f"page has {len(text)} characters (limit {MAX_PAGE_CHARS})"
    cost = 0
    unclosed = 0
    for pattern, opener, ns in _OPEN_CLOSE:
        depth = deepest = opened = 0
        for m in pattern.finditer(text):
            if m.group() == opener if opener != "[" else m.group() != "]":
                depth += 1
                opened += 1
                deepest = max(deepest, depth)
            elif depth:
                depth -= 1
        if opener == "{{" and opened > MAX_TEMPLATES:
            return f"{opened} templates (limit {MAX_TEMPLATES})"
        if deepest > MAX_NESTING:
            return f"`{opener}` nested {deepest} deep (limit {MAX_NESTING})"
        unclosed += depth
        cost += depth * ns
    open_tags: dict[str, int] = {}
    for m in _TAG_TOKEN.finditer(text):
        tag = m.group(2).lower()
        if tag in _VOID_TAGS or m.group(3):
            continue
        if m.group(1):
            if open_tags.get(tag):
                open_tags[tag] -= 1
        else:
            open_tags[tag] = open_tags.get(tag, 0) + 1
    tags = sum(open_tags.values())
    unclosed += tags
    cost += tags * _TAG_NS
    if cost * len(text) > MAX_PARSE_NS:
        return f"{unclosed} unclosed wiki constructs in {len(text)} characters"
    return None


def read_wikitext(
    text: str, path: str, title: str, line_map: Sequence[int] | None = None
) -> WikiPage:
    """Render one page of wikitext; `line_map[k]` is the file line of wikitext line k + 1."""
    meta: dict[str, Any] = {}
    problems: list[Problem] = []
    redirect = _REDIRECT.match(text)
    if redirect:
        # Blank the redirect out (same length, so offsets hold) and keep the rest of the page.
        text = " " * redirect.end() + text[redirect.end() :]
    renderer = _Renderer(text, path, title, line_map)
    risk = parser_risk(text)
    code: Wikicode | None = None
    if risk is None:
        try:
            code = mwparserfromhell.parse(text, skip_style_tags=True)
        except (ParserError, RecursionError) as e:
            risk = f"wikitext parser failed: {e}"
    if code is None:
        problems.append(Problem(f"{risk}; kept as plain text", renderer.span(0, 0)))
        lines = renderer.plain()
    else:
        renderer.walk(code, 0, 0)
        lines = renderer.finish()
    problems.extend(renderer.problems)
    blocks, sections = to_blocks(lines)
    meta["sections"] = section_tree(sections)
    entries: list[Entry] = []
    if redirect:
        target, _, fragment = redirect.group(1).strip().partition("#")
        span = renderer.span(redirect.start(1), redirect.end() - 1)
        link = Link(target.strip(), LinkKind.WIKILINK, span, fragment=fragment.strip() or None)
        meta["redirect"] = link.target
        entries.append(Entry(title, "", span, links=(link,), redirect=link.target))
    else:
        entries.extend(lead_entry(title, blocks, path))
    entries.extend(definition_entries(lines, path))
    dated = dated_items(blocks)
    if dated:
        meta["dated_items"] = dated
    if renderer.languages:
        meta["interlanguage"] = renderer.languages
    if renderer.properties:
        meta["properties"] = renderer.properties
    return WikiPage(pack(blocks, path), entries, list(dict.fromkeys(renderer.tags)), problems, meta)


class _Renderer:
    """Walks the parse tree once, turning nodes into `Line`s with file spans and marks."""

    def __init__(self, text: str, path: str, title: str, line_map: Sequence[int] | None) -> None:
        self.text = text
        self.path = path
        self.title = title
        self.line_map = line_map
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines: list[Line] = []
        self.tags: list[str] = []
        self.languages: list[str] = []
        self.properties: dict[str, list[str]] = {}
        self.problems: list[Problem] = []
        self.cur = _Cur(src_start=0)
        self.stack: list[_Cur] = []
        self.groups = 0
        self.see_also = False

    # -- offsets and spans

    def file_line(self, offset: int) -> int:
        line = bisect_left(self.newlines, offset) + 1
        if self.line_map:
            return self.line_map[min(line, len(self.line_map)) - 1]
        return line

    def span(self, a: int, b: int) -> Span:
        start = self.file_line(a)
        return Span(self.path, start, max(start, self.file_line(max(a, b))))

    # -- output

    def emit(self, s: str, a: int, b: int) -> None:
        if not s:
            return
        self.cur.parts.append(s)
        self.cur.cover(a, b)

    def newline(self, offset: int) -> None:
        if self.cur.capture:
            self.emit(" ", offset, offset)
            return
        self.end_line()
        self.cur.src_start = offset + 1

    def end_line(self, kind: str = "text") -> None:
        cur = self.cur
        text = "".join(cur.parts)
        has_marks = cur.links or cur.math or cur.images or cur.refs
        if text.strip() or has_marks or cur.marker:
            if (
                kind == "text"
                and not cur.marker
                and cur.src_start >= 0
                and self.text.startswith(" ", cur.src_start)
                and text.strip()
            ):
                kind = "code"  # a line that starts with a space is preformatted in wikitext
                text = text[1:] if text.startswith(" ") else text
            else:
                text = collapse(text)
                shown = collapse(" ".join(i.caption or i.target for i in cur.images))
                if cur.images and not cur.marker and text == shown:
                    kind = "image"  # a thumbnail floats beside the text: not part of a paragraph
            a = cur.start if cur.start >= 0 else max(cur.src_start, 0)
            span = self.span(a, max(a, cur.end - 1))
            self.lines.append(
                Line(text, span.start_line, span.end_line, kind, cur.marker, links=cur.links,
                     math=cur.math, images=cur.images, refs=cur.refs)
            )
        self.cur = _Cur()

    def begin_capture(self) -> None:
        self.stack.append(self.cur)
        self.cur = _Cur(capture=True)

    def end_capture(self, keep_marks: bool = True) -> tuple[str, _Cur]:
        cap = self.cur
        self.cur = self.stack.pop()
        if keep_marks:
            self.cur.links.extend(cap.links)
            self.cur.math.extend(cap.math)
            self.cur.images.extend(cap.images)
            self.cur.refs.extend(cap.refs)
        return collapse("".join(cap.parts)), cap

    def finish(self) -> list[Line]:
        self.end_line()
        return self.lines

    # -- the walk

    def walk(self, code: Wikicode, offset: int, depth: int) -> None:
        for node in code.nodes:
            s = str(node)
            if depth > MAX_WALK_DEPTH:
                self.emit(collapse(node.__strip__(normalize=True, collapse=True) or ""), offset,
                          offset + len(s))
            else:
                self.node(node, s, offset, depth + 1)
            offset += len(s)

    def node(self, node: Node, s: str, offset: int, depth: int) -> None:
        if isinstance(node, Text):
            self.plain_text(node.value, offset)
        elif isinstance(node, Heading):
            self.heading(node, offset, depth)
        elif isinstance(node, Wikilink):
            self.wikilink(node, s, offset, depth)
        elif isinstance(node, ExternalLink):
            self.external_link(node, s, offset, depth)
        elif isinstance(node, Tag):
            self.tag(node, s, offset, depth)
        elif isinstance(node, HTMLEntity):
            self.emit(node.normalize(), offset, offset + len(s))
        elif isinstance(node, Argument) and node.default is not None:
            self.walk(node.default, offset + s.find(str(node.default)), depth)
        # Templates, comments and arguments without a default render as nothing.

    def plain_text(self, value: str, offset: int) -> None:
        pos = offset
        for i, seg in enumerate(value.split("\n")):
            if i:
                self.newline(pos - 1)
            if seg:
                if "[[" in seg or "{{" in seg or "]]" in seg:
                    self.problem(f"unbalanced wiki markup in {collapse(seg)[:60]!r}", pos)
                clean = _APOSTROPHES.sub("", _MAGIC_WORD.sub("", seg))
                self.emit(clean, pos, pos + len(seg))
            pos += len(seg) + 1

    def problem(self, message: str, offset: int) -> None:
        if len(self.problems) < 20:
            self.problems.append(Problem(message, self.span(offset, offset)))

    def heading(self, node: Heading, offset: int, depth: int) -> None:
        if self.cur.capture:
            self.walk(node.title, offset + node.level, depth)
            return
        self.end_line()
        self.begin_capture()
        self.walk(node.title, offset + node.level, depth)
        title, cap = self.end_capture(keep_marks=False)
        span = self.span(offset, offset + len(str(node)) - 1)
        self.lines.append(Line(title, span.start_line, span.end_line, "heading", level=node.level,
                               links=cap.links, math=cap.math, images=cap.images, refs=cap.refs))
        self.see_also = is_see_also_heading(title)
        self.cur = _Cur()

    def wikilink(self, node: Wikilink, s: str, offset: int, depth: int) -> None:
        raw = str(node.title).strip()
        end = offset + len(s)
        span = self.span(offset, end - 1)
        forced = raw.startswith(":")
        target = raw.lstrip(":").strip()
        prefix, colon, rest = target.partition(":")
        ns = prefix.strip().lower() if colon else ""
        if not forced and ns in _IMAGE_NAMESPACES:
            self.image(node, rest.strip(), span, offset, depth)
            return
        if not forced and ns == "category":
            self.tags.append(rest.strip())
            return
        if not forced and colon and _LANGUAGE_LINK.fullmatch(ns):
            self.languages.append(target)
            return
        prop, sep, value = target.partition("::")
        if sep and prop.strip():
            # Semantic MediaWiki `[[domain::NLP]]` states a property: data, not a link to a
            # page (issue 10, 11). The value shows as text and is kept in the page's meta.
            shown = value.split("|")[-1].strip() if node.text is None else str(node.text).strip()
            self.properties.setdefault(prop.strip(), []).append(value.split("|")[0].strip())
            self.emit(shown, offset, end)
            return
        label: str | None = None
        if node.text is not None:
            self.begin_capture()
            self.walk(node.text, offset + s.find("|") + 1, depth)
            label, _ = self.end_capture()
        if not label:
            label = None
        page, _, fragment = target.partition("#")
        page = page.strip() or self.title
        if ns in _INTERWIKI:
            url = _INTERWIKI[ns] + rest.strip().replace(" ", "_")
            link = Link(url, LinkKind.URL, span, label=label or target)
        else:
            kind = LinkKind.SEE_ALSO if self.see_also else LinkKind.WIKILINK
            link = Link(page, kind, span, label=label, fragment=fragment.strip() or None)
        self.cur.links.append(link)
        self.emit(label or target, offset, end)

    def image(self, node: Wikilink, target: str, span: Span, offset: int, depth: int) -> None:
        caption: str | None = None
        alt: str | None = None
        width = height = None
        if node.text is not None:
            params = [p.strip() for p in str(node.text).split("|")]
            for p in params:
                px = _PX.fullmatch(p)
                if px and (px.group(1) or px.group(2)):
                    width = int(px.group(1)) if px.group(1) else None
                    height = int(px.group(2)) if px.group(2) else None
                elif p.lower().startswith("alt="):
                    alt = p[4:].strip() or None
            last = params[-1] if params else ""
            if last and not (last.lower() in _IMAGE_OPTIONS or _PX.fullmatch(last)
                             or last.lower().startswith(_IMAGE_KEYED)):
                # The caption is the last unnamed parameter; render it for links and math in it.
                cap_offset = offset + len(str(node)) - 2 - len(str(node.text).split("|")[-1])
                self.begin_capture()
                self.walk(mwparserfromhell.parse(str(node.text).split("|")[-1]), cap_offset,
                          depth)
                caption, _ = self.end_capture()
        self.cur.images.append(Image(target, span, caption=caption or None, alt=alt, width=width,
                                     height=height))
        self.emit(caption or target, offset, offset + len(str(node)))

    def external_link(self, node: ExternalLink, s: str, offset: int, depth: int) -> None:
        url = str(node.url).strip()
        end = offset + len(s)
        span = self.span(offset, end - 1)
        label: str | None = None
        if node.title is not None and str(node.title).strip():
            self.begin_capture()
            self.walk(node.title, offset + s.find(str(node.title)), depth)
            label, _ = self.end_capture()
        self.cur.links.append(Link(url, LinkKind.URL, span, label=label or None))
        if label and node.brackets:
            self.cur.refs.append(Reference(label, url, span))
        self.emit(label or url, offset, end)

    def tag(self, node: Tag, s: str, offset: int, depth: int) -> None:
        name = str(node.tag).strip().lower()
        markup = node.wiki_markup
        if markup in ("*", "#", ";", ":") and name in ("li", "dt", "dd"):
            self.list_marker(markup, offset)
            return
        if name in _DROPPED_TAGS:
            return
        if name == "table" and not self.cur.capture:
            self.table(node, offset, depth)
        elif name in _MATH_TAGS:
            self.math(node, s, offset, name)
        elif name == "ref":
            self.ref(node, s, offset, depth)
        elif name in _CODE_TAGS and not self.cur.capture:
            self.code(node, s, offset)
        elif name == "gallery":
            self.gallery(node, s, offset)
        elif name == "nowiki":
            raw = str(node.contents) if node.contents is not None else ""
            self.emit(raw, offset, offset + len(s))
        elif name == "hr" and not self.cur.capture:
            self.end_line()
        elif name == "br":
            self.emit(" ", offset, offset)
        elif node.contents is not None:
            if name in ("td", "th") and self.cur.capture:
                self.emit(" ", offset, offset)
            self.walk(node.contents, _contents_offset(node, s, offset), depth)

    def list_marker(self, markup: str, offset: int) -> None:
        cur = self.cur
        if cur.parts and "".join(cur.parts).strip():
            if markup == ":" and cur.marker.endswith(";") and not cur.capture:
                # `;term : definition` on one line: the definition is a line of its own.
                marker = cur.marker[:-1] + ":"
                self.end_line()
                self.cur.marker = marker
                self.cur.cover(offset, offset + 1)
                return
            self.emit(markup, offset, offset + 1)
            return
        if cur.capture:
            return
        cur.marker += markup
        cur.cover(offset, offset + 1)

    def table(self, node: Tag, offset: int, depth: int) -> None:
        self.end_line()
        self.groups += 1
        group = self.groups
        rows: list[list[tuple[str, int, int]]] = []
        row_marks: list[_Cur] = []
        s = str(node)
        contents = node.contents
        if contents is None:
            return
        base = _contents_offset(node, s, offset)

        def cell(cell_node: Tag, cs: str, coff: int) -> None:
            if not rows:
                rows.append([])
                row_marks.append(_Cur())
            self.begin_capture()
            self.walk(cell_node.contents, _contents_offset(cell_node, cs, coff), depth)
            text, cap = self.end_capture(keep_marks=False)
            if text.startswith("+ ") or text == "+":  # `|+ caption`
                text = text[1:].strip()
            rows[-1].append((text, coff, coff + len(cs) - 1))
            marks = row_marks[-1]
            marks.links.extend(cap.links)
            marks.math.extend(cap.math)
            marks.images.extend(cap.images)
            marks.refs.extend(cap.refs)

        for child in contents.nodes:
            cs = str(child)
            if isinstance(child, Tag) and str(child.tag).lower() == "tr":
                rows.append([])
                row_marks.append(_Cur())
                roff = _contents_offset(child, cs, offset=base)
                for grand in child.contents.nodes if child.contents is not None else ():
                    gs = str(grand)
                    if isinstance(grand, Tag) and str(grand.tag).lower() in ("td", "th"):
                        cell(grand, gs, roff)
                    roff += len(gs)
            elif isinstance(child, Tag) and str(child.tag).lower() in ("td", "th"):
                cell(child, cs, base)
            base += len(cs)
        for cells, marks in zip(rows, row_marks, strict=True):
            texts = [t for t, _, _ in cells if t]
            if not texts and not marks.images:
                continue
            span = self.span(min(a for _, a, _ in cells), max(b for _, _, b in cells))
            self.lines.append(Line(" | ".join(texts), span.start_line, span.end_line, "table",
                                   group=group, links=marks.links, math=marks.math,
                                   images=marks.images, refs=marks.refs))
        self.cur = _Cur()

    def math(self, node: Tag, s: str, offset: int, name: str) -> None:
        tex = (str(node.contents) if node.contents is not None else "").strip()
        if not tex:
            return
        if name != "math":
            tex = f"\\ce{{{tex}}}"
        display = node.has("display") and str(node.get("display").value).strip() == "block"
        self.cur.math.append(Math(tex, display, self.span(offset, offset + len(s) - 1)))
        fence = "$$" if display else "$"
        self.emit(f"{fence}{collapse(tex)}{fence}", offset, offset + len(s))

    def ref(self, node: Tag, s: str, offset: int, depth: int) -> None:
        if node.contents is None:
            return
        self.begin_capture()
        self.walk(node.contents, _contents_offset(node, s, offset), depth)
        text, cap = self.end_capture(keep_marks=False)
        span = self.span(offset, offset + len(s) - 1)
        labelled = {r.url for r in cap.refs}
        for link in cap.links:
            if link.kind is LinkKind.URL and link.target not in labelled:
                label = link.label or collapse(text.replace(link.target, "")) or link.target
                self.cur.refs.append(Reference(label, link.target, span))
        self.cur.refs.extend(cap.refs)
        # A footnote is not part of the sentence it hangs on; its text is not rendered.

    def code(self, node: Tag, s: str, offset: int) -> None:
        self.end_line()
        self.groups += 1
        raw = str(node.contents) if node.contents is not None else ""
        pos = _contents_offset(node, s, offset)
        body = raw.split("\n")
        while body and not body[0].strip():
            pos += len(body.pop(0)) + 1
        while body and not body[-1].strip():
            body.pop()
        for seg in body:
            span = self.span(pos, pos)
            self.lines.append(Line(seg.rstrip(), span.start_line, span.end_line, "code",
                                   group=self.groups))
            pos += len(seg) + 1
        self.cur = _Cur()

    def gallery(self, node: Tag, s: str, offset: int) -> None:
        raw = str(node.contents) if node.contents is not None else ""
        pos = _contents_offset(node, s, offset)
        for seg in raw.split("\n"):
            target, _, caption = seg.strip().partition("|")
            ns, colon, name = target.partition(":")
            if target and not (colon and ns.strip().lower() in _IMAGE_NAMESPACES):
                name = target
            if name.strip():
                span = self.span(pos, pos + len(seg))
                image = Image(name.strip(), span, caption=collapse(caption) or None)
                if not self.cur.capture:
                    self.end_line()
                self.cur.images.append(image)
                self.emit(image.caption or image.target, pos, pos + len(seg))
            pos += len(seg) + 1
        if not self.cur.capture:
            self.end_line()

    # -- fallback

    def plain(self) -> list[Line]:
        """The page as plain text, one line per source line: headings, lists, paragraphs."""
        lines: list[Line] = []
        for number, raw in enumerate(self.text.split("\n"), start=1):
            fl = self.line_map[min(number, len(self.line_map)) - 1] if self.line_map else number
            stripped = raw.strip()
            level = _heading_level(stripped)
            if level:
                lines.append(Line(stripped[level:-level].strip(), fl, fl, "heading", level=level))
                continue
            marker = raw[: len(raw) - len(raw.lstrip("*#:;"))]
            text = collapse(_APOSTROPHES.sub("", raw[len(marker) :]))
            if text or marker:
                lines.append(Line(text, fl, fl, "text", marker))
        return lines


def _heading_level(line: str) -> int:
    """The level of a `== Title ==` line, 0 when it is not one."""
    if len(line) < 3 or line[0] != "=" or line[-1] != "=":
        return 0
    left = len(line) - len(line.lstrip("="))
    right = len(line) - len(line.rstrip("="))
    level = min(left, right, 6)
    if not line[level:-level].strip(" ="):
        return 0
    return level


def _contents_offset(node: Tag, s: str, offset: int) -> int:
    """Offset of a tag's contents: after its wiki markup or after the opening tag's `>`."""
    contents = str(node.contents) if node.contents is not None else ""
    if node.wiki_markup and s.startswith(node.wiki_markup):
        start = len(node.wiki_markup)
        i = s.find(contents, start) if contents else start
    else:
        start = s.find(">") + 1
        i = start if s.startswith(contents, start) else s.find(contents)
    return offset + max(i, 0)
