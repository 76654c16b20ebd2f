"""HTML pages, saved web pages and Distill articles: the main content as passages.

Page chrome (scripts, styles, navigation, forms, SVG internals, iframes) never reaches passage
text. `<article>`, `<main>`, role=main and Distill's `<d-article>` / `<dt-article>` are preferred
when present. Distill math (`<d-math>`, `<dt-math>`) is kept as TeX, citations are dropped from
the text (kept as references when the page carries its BibTeX), footnotes become passages.

Glossary entries come from `<dl>` lists (one entry per `<dt>`) and from pages whose headings are
terms under a "Glossary" heading (or in a page titled as a glossary).

This module walks the content and cuts it into blocks. Beside it: `_html_source` (source
positions of parsed nodes), `_html_render` (a subtree to text, links, math and images),
`_html_meta` (title, front matter, BibTeX) and `_html_blocks` (blocks to passages, heading
glossaries).
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath

from selectolax.lexbor import LexborHTMLParser, LexborNode

from grimoire.model import Document, Entry, Image, Link, Problem, Span
from grimoire.names import normalize
from grimoire.readers import sniffs
from grimoire.readers.base import decode
from grimoire.readers.conventions import is_file_name
from grimoire.readers.html._blocks import (
    SEE_ALSO,
    Block,
    HeadingGlossary,
    after_see_also,
    passages,
)
from grimoire.readers.html._depth import MAX_DEPTH, flatten_deep
from grimoire.readers.html._meta import read_meta
from grimoire.readers.html._render import (
    INLINE,
    MATH_TAGS,
    NOTE_TAGS,
    SKIP,
    Renderer,
    hidden,
)
from grimoire.readers.html._source import SourceMap
from grimoire.readers.sections import add_section_entries

name = "html"
extensions = (".html", ".htm", ".xhtml")
sniff = sniffs.html

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


# --- walking the content ------------------------------------------------------------------

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
def _in_link(node: LexborNode) -> bool:
    """Whether a heading lies inside a link to another page: a landing page's card (`<a
    href="projects/x.html"><div class="card"><h3>X</h3><p>teaser</p></div></a>`), whose
    heading is the card's label and whose text a teaser of the page it leads to, no section of
    this page (round 38's leftover: a MkDocs theme's home page gave 14 concepts). A heading's
    own permalink (`#x`) is no such link. Only `_CARD_DEPTH` ancestors are asked (a card's
    heading sits a few levels under its link): a heading under thousands of nested inline tags
    costs no more than one under a few."""
    parent = node.parent
    for _ in range(_CARD_DEPTH):
        if parent is None or parent.tag in ("body", "html", "main", "article"):
            return False
        if parent.tag == "a":
            href = (parent.attributes.get("href") or "").strip()
            return bool(href) and not href.startswith("#")
        parent = parent.parent
    return False


_CARD_DEPTH = 8


_HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LONG_HEADING = 160


class _Reader:
    """One page: its metadata, then blocks and entries from walking its content roots."""

    def __init__(self, src: str, path: str) -> None:
        self.path = path
        src, flattened = flatten_deep(src)
        self.tree = LexborHTMLParser(src)
        root = self.tree.root
        if root is None:
            raise ValueError("no document")
        self.root = root
        self.map = SourceMap(src, root)
        page = read_meta(root, self.map, path)
        self.title, self.meta, self.problems = site_title(page.title), page.meta, page.problems
        self.title = _page_title(self.title, PurePath(path).stem, root)
        if flattened is not None:
            self.problems.append(Problem(
                f"blocks nested more than {MAX_DEPTH} deep: the deeper ones are read flat",
                Span(path, flattened, flattened)))
        self.bib, self.tex = page.bib, page.tex
        self.caption = ""
        self.blocks: list[Block] = []
        self.entries: list[Entry] = []
        self.glossary = HeadingGlossary(path, self.entries)
        self.headings: list[tuple[int, str]] = []
        self.pending_images: list[Image] = []  # seen before the next block with text
        self._title_heading_seen = False

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
            ids = {a.mem_id for a in articles}
            return [a for a in articles if not any(p.mem_id in ids for p in _ancestors(a))]
        body = self.tree.body
        return [body if body is not None else self.root]

    def walk(self, root: LexborNode) -> None:
        chrome = root.tag in ("body", "html")
        inline: Renderer | None = None
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
                        inline, first = Renderer(self), node
                    inline.feed(node)
                    last = node
            elif (
                tag.startswith("-")
                or tag in SKIP
                or hidden(node)
                or (chrome and tag in ("header", "footer", "aside"))
            ):
                pass
            elif (
                tag in MATH_TAGS
                or tag in NOTE_TAGS
                or (tag in INLINE and not _has_block_child(node))
            ):
                if inline is None:
                    inline, first = Renderer(self), node
                inline.feed(node)
                last = node
            elif tag in _HEADING and not _in_link(node):
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
                r = Renderer(self, preserve=kind == "code")
                r.feed(node)
                self.emit(r, kind, self.map.start(node), self.map.end(node))
            else:
                flush()
                if tag == "figure":
                    cap = node.css_first("figcaption")
                    if cap is not None:
                        r = Renderer(self)
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
                elif (node.tag or "-")[0] != "-" and node.tag not in INLINE:
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

    def emit(self, r: Renderer, kind: str, start: int, end: int) -> None:
        """A block from a renderer's text (images go on to the next block if it has none), then
        one block per footnote it met."""
        text = r.finish()
        marks = r.marks
        start_line, end_line = self.map.line(start), self.map.line(end)
        if not text:
            self.pending_images.extend(marks.images)
        else:
            if self.pending_images:
                marks.images[:0] = self.pending_images
                self.pending_images = []
            block = Block(
                text,
                kind,
                tuple(t for _, t in self.headings),
                start_line,
                max(end_line, start_line),
                marks,
            )
            self.blocks.append(block)
            self.glossary.add(block)
        for note in r.notes:
            sub = Renderer(self)
            child = note.child
            while child is not None:
                sub.feed(child)
                child = child.next
            self.emit(sub, "text", self.map.start(note), self.map.end(note))

    def heading(self, node: LexborNode, level: int) -> None:
        r = Renderer(self)
        r.feed(node)
        text = r.finish().replace("\n", " ")
        if len(text) > _LONG_HEADING:  # a subtitle or a sentence set in heading type
            self.emit(r, "text", self.map.start(node), self.map.end(node))
            return
        self.pending_images.extend(r.marks.images)
        if not self._title_heading_seen and level == 1 and text.casefold() == self.title.casefold():
            self._title_heading_seen = True
            self.headings = []
            self.glossary.title(text)
            return
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        if text:
            self.headings.append((level, text))
        self.glossary.heading(text, level, self.map.start_line(node))

    def definition_list(self, dl: LexborNode) -> None:
        """One block per dt/dd group, one Entry per dt."""
        if "glossary" in (dl.attributes.get("class") or "").split():
            # Sphinx's `dl.glossary` is the glossary: the section heading above it
            # ("General Concepts") is not a term of its own.
            self.glossary.discard_open()
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
                r = Renderer(self)
                r.feed(dt)
                names.append(r.finish().replace("\n", " "))
            r = Renderer(self)
            for dd in defs:
                r.feed(dd)
                r.break_line()
            definition = r.finish()
            first = (terms or defs)[0]
            last = (defs or terms)[-1]
            start, end = self.map.start(first), self.map.end(last)
            label = " / ".join(n for n in names if n)
            notes, r.notes = r.notes, []
            marks = r.marks
            see_also: list[Link] = []
            if SEE_ALSO.search(definition):
                see_also = [
                    link
                    for link in marks.links
                    if link.label and after_see_also(definition, link.label)
                ]
            links = [link for link in marks.links if link not in see_also]
            for dt, term in zip(terms, names, strict=True):
                if term:
                    self.entries.append(
                        Entry(
                            term=term,
                            definition=definition,
                            span=Span(self.path, self.map.start_line(dt), self.map.line(end)),
                            see_also=tuple(see_also),
                            links=tuple(links),
                            math=tuple(marks.math),
                            references=tuple(marks.references),
                            images=tuple(marks.images),
                        )
                    )
            holder = Renderer(self)
            holder.parts = [
                f"{label}: {definition}" if label and definition else label or definition
            ]
            holder.marks, holder.notes = marks, notes
            self.emit(holder, "text", start, end)


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


def _read_file(data: bytes, path: str) -> list[Document]:
    """Parse one HTML file into one Document."""
    reader = _Reader(_decode(data, path), path)
    for root in reader.content_roots():
        reader.headings = []  # d-title, d-article and d-appendix each start at the top
        reader.walk(root)
    reader.glossary.close()
    tags = reader.meta.pop("keywords", ())
    reader.meta.pop("og_title", None)
    if not reader.title and not reader.root.css_first("h1") and not _WHOLE_PAGE.search(
            data[:_FRAGMENT_HEAD]):
        # A piece of a page (round 36: a book's interactive figures, shown through an
        # `<iframe>`, were 14 concepts named by their file names, "em_stepper"): no
        # `<html>`, `<head>`, `<body>` or `<title>`, and no heading to name it. Its text
        # stays passages; it names no concept (`sections.not_a_page`).
        reader.meta["fragment"] = True
    return [
        Document(
            path=path,
            format=name,
            title=reader.title or PurePath(path).stem,
            passages=passages(reader.blocks, reader.map, path, reader.pending_images),
            entries=tuple(reader.entries),
            tags=tuple(tags) if isinstance(tags, tuple) else (),
            meta=reader.meta,
            problems=tuple(reader.problems),
        )
    ]


# What only a whole page has (a fragment made to be included or framed has none of them).
_WHOLE_PAGE = re.compile(rb"<(?:!doctype|html|head|body|title)\b", re.IGNORECASE)
_FRAGMENT_HEAD = 64 * 1024

# " — toykit 1.2 documentation", " | Project Docs", " - My Wiki": the site, not the page.
_SITE_SUFFIX = re.compile(
    r"\s+[\u2014\u2013|\u00b7-]\s+[^\u2014\u2013|]{0,80}?"
    r"\b(?:documentation|docs|manual|handbook|wiki|reference|guide|blog)\b[^\u2014\u2013|]{0,40}$",
    re.IGNORECASE,
)


# A title cut short after its separator ("10-autoencoders - " once the site is gone). Tried
# where a run of blanks starts only (from inside a long run it rescanned the run; audit30).
_DANGLING_SEPARATOR = re.compile(r"(?<!\s)\s+[\u2014\u2013|\u00b7:-]\s*$")


def _page_title(title: str, stem: str, root: LexborNode) -> str:
    """The page's name when its title only repeats its file's: a book generator's
    "2-neural-networks-intro - Neural Networks" is "Neural Networks", and "10-autoencoders - "
    is named by the heading the file name holds ("Autoencoders"), else by its first rendered
    heading. Other titles as they are."""
    bare = _DANGLING_SEPARATOR.sub("", title).strip()
    key = normalize(stem)
    head, sep, rest = bare.partition(" - ")
    if is_file_name(bare) and key:
        # `<title>pca_ica.md</title>`: a note exported to HTML by an editor keeps the note's
        # file name, and is named by its first heading like a file-named page (round 32)
        head, sep = stem, ""
    elif not key or ("-" not in stem and "_" not in stem):
        return title
    if normalize(head) != key:
        return title
    if sep and rest.strip():
        return rest.strip()
    headings = [(h1, " ".join(h1.text(deep=True).split())) for h1 in root.css("h1")]
    if not sep and any(normalize(text) == key and text.strip(" -") != stem
                       for _, text in headings):
        return title  # a heading of the page says it in words (its site's logo is no name)
    named = [(h1, text, name) for h1, text in headings
             if len(name := normalize(text)) >= 3 and name != key]
    # Else the first heading a Markdown renderer wrote (it gives each an id; a site's banner
    # and search box headings have none): "15-platforms-dato-graphlab" is "Dato Graphlab".
    return next((text for _, text, name in named if f" {name} " in f" {key} "),
                next((text for h1, text, _ in named if "id" in h1.attributes), title))


# "Attention | My Site": what follows the last " | " of a title is the site's name (round 27:
# every page of a public course was "<topic> | <course>", so no page was found by its topic).
_PIPE_SUFFIX = re.compile(r"\s+\|\s+[^|]{1,80}$")


def site_title(title: str) -> str:
    """A page title without the site's suffix (issue 10, defect 2).

    >>> site_title("Attention | My Site"), site_title("Bagging - sklearn documentation")
    ('Attention', 'Bagging')
    """
    stripped = _PIPE_SUFFIX.sub("", _SITE_SUFFIX.sub("", title)).strip()
    return stripped or title


def read(data: bytes, path: str) -> list[Document]:
    """Parse one file; sections that define their heading become entries (`sections`)."""
    return [add_section_entries(doc) for doc in _read_file(data, path)]

