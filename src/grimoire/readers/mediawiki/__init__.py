"""MediaWiki: wikitext files, XML export dumps, and pages saved from a browser as text.

Three inputs, told apart by content:

- An XML export (`<mediawiki xmlns=...>`) gives one Document per `<page>`, from its latest
  revision. It is parsed with defusedxml's expat SAX driver with DTDs forbidden, so billion
  laughs, XXE and external DTDs are refused before any entity is expanded, any file opened or
  any URL fetched. SAX streams: only the current page's latest revision is held. Lines: expat
  reports, for each run of character data, the line where it starts, so every line of a
  revision's wikitext is mapped to its line in the XML file (exact even across `&#10;`).
  A truncated or misnested dump keeps the pages completed before the break and records the break
  as a Problem (naming the page and line) on the last of them; with no complete page it raises
  ReadError. A half-read page is never returned: its text may be cut short.
- A page saved as rendered text ("Title", "From <wiki>", "Revision as of ...") keeps the revision,
  drops the navigation lines, and rebuilds sections from the bare heading lines.
- Anything else is wikitext (see `_wikitext.py`).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.saxutils import escape

from grimoire.errors import ReadError
from grimoire.model import Document, Problem, Revision, Span
from grimoire.readers import sniffs
from grimoire.readers.base import decode, suffix_of
from grimoire.readers.mediawiki import _blocks as wb
from grimoire.readers.mediawiki._page import read_rendered, sniff_rendered
from grimoire.readers.sections import add_section_entries

if TYPE_CHECKING:
    from defusedxml.expatreader import DefusedExpatParser

# Imported where a file needs them, not with the module: every Markdown note asks this one
# whether it is wikitext (`readers.detect`), and mwparserfromhell and defusedxml's SAX driver
# (which loads urllib.request) cost a cold ingest ~0.3 s (issue 14).

name = "mediawiki"
extensions = (".wiki", ".mediawiki", ".wikitext", ".xml")

_FEED_CHARS = 1 << 20


def sniff(head: str, path: str) -> bool:
    return _is_dump(head) or sniff_rendered(head) or sniffs.wikitext(head)


def _read_file(data: bytes, path: str) -> list[Document]:
    text = decode(data, path)
    if _xml_start(text) or suffix_of(path).lower() == ".xml":
        # Every XML file goes to the defused parser, which refuses DTDs and checks the root.
        return _read_dump(text, path)
    if sniff_rendered(text[:16384]):
        return [read_rendered(text, path)]
    title = PurePath(path).stem.replace("_", " ")
    from grimoire.readers.mediawiki import _text as wt

    page = wt.read_wikitext(text, path, title)
    return [_document(path, title, page)]


def _xml_start(text: str) -> bool:
    """Whether the text starts as an XML document (declaration, DOCTYPE or `<mediawiki>`)."""
    head = text[:16384].lstrip()
    for _ in range(10):  # leading comments
        if not head.startswith("<!--"):
            break
        end = head.find("-->")
        head = head[end + 3 :].lstrip() if end >= 0 else ""
    return (head.startswith(("<?xml", "<!DOCTYPE", "<mediawiki")) and (
        head.startswith("<mediawiki") or "<mediawiki" in head
    )) or head.startswith("<?xml")


def _is_dump(head: str) -> bool:
    return _xml_start(head) and "<mediawiki" in head


def _document(path: str, title: str, wiki: wb.WikiPage, **extra: Any) -> Document:
    meta = dict(wiki.meta)
    meta.update(extra.pop("meta", {}))
    return Document(
        path=path,
        format=name,
        title=title,
        passages=tuple(wiki.passages),
        entries=tuple(wiki.entries),
        tags=tuple(wiki.tags),
        meta=meta,
        problems=tuple(wiki.problems) + tuple(extra.pop("problems", ())),
        **extra,
    )


# -- XML export dumps


@dataclass(slots=True)
class _Rev:
    timestamp: str | None = None
    author: str | None = None
    comment: str | None = None
    model: str | None = None
    text: list[str] = field(default_factory=list)
    # line_map[k] is the XML file line of wikitext line k + 1
    line_map: list[int] = field(default_factory=list)
    line: int = 0


@dataclass(slots=True)
class _Page:
    title: str = ""
    line: int = 0
    ns: str | None = None
    page_id: str | None = None
    redirect: str | None = None
    revisions: int = 0
    latest: _Rev | None = None


class _DumpHandler(ContentHandler):
    """Collects pages from SAX events; element names are matched without namespace prefix."""

    def __init__(self, parser: DefusedExpatParser, path: str) -> None:
        super().__init__()
        self.parser = parser
        self.path = path
        self.stack: list[str] = []
        self.buf: list[str] = []
        self.page: _Page | None = None
        self.rev: _Rev | None = None
        self.in_text = False
        self.site: str | None = None
        self.documents: list[Document] = []
        self.root_seen = False

    def startElement(self, qname: str, attrs: Any) -> None:  # noqa: N802 (SAX API)
        tag = qname.rpartition(":")[2]
        line = self.parser.getLineNumber()
        if self.in_text:
            # Markup written unescaped in a page's text (`<math>`, `<ref name="a"/>`: an
            # export edited by hand) is an element to XML but wikitext to the page: kept as
            # written, so its formula is read as one (read51: the TeX reached the text bare)
            shown = "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in attrs.items())
            self.characters(f"<{qname}{shown}>")
            self.stack.append("")  # no field of the page
            return
        if not self.root_seen:
            self.root_seen = True
            if tag != "mediawiki":
                raise ReadError(f"root element is <{tag}>, not <mediawiki>", self.path, line)
        self.stack.append(tag)
        self.buf = []
        if tag == "page":
            self.page = _Page(line=line)
        elif tag == "revision" and self.page is not None:
            self.rev = _Rev(line=line)
        elif tag == "redirect" and self.page is not None:
            self.page.redirect = attrs.get("title")
        elif tag == "text" and self.rev is not None:
            self.in_text = True
            self.rev.line_map = [line]

    def characters(self, content: str) -> None:
        rev = self.rev
        if self.in_text and rev is not None:
            line = self.parser.getLineNumber()  # where this run of character data starts
            if not rev.text or rev.text[-1].endswith("\n"):
                # Correct the guess made at the previous newline: it may have been `&#10;`.
                rev.line_map[-1] = line
            rev.line_map.extend(range(line + 1, line + 1 + content.count("\n")))
            rev.text.append(content)
        elif self.stack and self.stack[-1] in _FIELDS:
            self.buf.append(content)

    def endElement(self, qname: str) -> None:  # noqa: N802 (SAX API)
        tag = qname.rpartition(":")[2]
        if self.in_text and self.stack and self.stack[-1] == "":
            self.stack.pop()
            self.characters(f"</{qname}>")
            return
        value = "".join(self.buf).strip()
        self.buf = []
        parent = self.stack[-2] if len(self.stack) > 1 else ""
        self.stack.pop()
        page, rev = self.page, self.rev
        if tag == "text":
            self.in_text = False
        elif tag == "sitename" and parent == "siteinfo":
            self.site = value or None
        elif page is not None and rev is not None and parent in ("revision", "contributor"):
            if tag == "timestamp":
                rev.timestamp = value or None
            elif tag in ("username", "ip") and not rev.author:
                rev.author = value or None
            elif tag == "comment":
                rev.comment = value or None
            elif tag == "model":
                rev.model = value or None
        elif page is not None and parent == "page":
            if tag == "title":
                page.title = value
            elif tag == "ns":
                page.ns = value
            elif tag == "id":
                page.page_id = value
        if tag == "revision" and page is not None and rev is not None:
            page.revisions += 1
            best = page.latest
            # Dumps list revisions oldest first; the timestamp decides when they do not.
            if best is None or (rev.timestamp or "") >= (best.timestamp or ""):
                page.latest = rev
            self.rev = None
        elif tag == "page" and page is not None:
            self.documents.append(self.finish_page(page))
            self.page = None

    def finish_page(self, page: _Page) -> Document:
        title = page.title or f"page at line {page.line}"
        rev = page.latest or _Rev(line=page.line, line_map=[page.line])
        text = "".join(rev.text)
        line_map = rev.line_map or [page.line]
        if rev.model in (None, "wikitext"):
            from grimoire.readers.mediawiki import _text as wt

            result = wt.read_wikitext(text, self.path, title, line_map)
        else:  # CSS, JavaScript, JSON, Lua pages: source code, not prose
            result = _code_page(text, self.path, line_map)
        meta: dict[str, Any] = {"revisions": page.revisions, "page_line": page.line}
        for key, value in (("namespace", page.ns), ("page_id", page.page_id),
                           ("site", self.site)):
            if value is not None:
                meta[key] = value
        if page.redirect and "redirect" not in result.meta:
            meta["redirect"] = page.redirect
        return _document(
            self.path, title, result, page=title, meta=meta,
            revision=Revision(rev.timestamp, rev.author, rev.comment) if page.latest else None,
        )


_FIELDS = frozenset(
    {"title", "ns", "id", "timestamp", "username", "ip", "comment", "sitename", "model"}
)


def _code_page(text: str, path: str, line_map: list[int]) -> wb.WikiPage:
    lines = [
        wb.Line(seg, line_map[min(i, len(line_map) - 1)], line_map[min(i, len(line_map) - 1)],
                "code", group=1)
        for i, seg in enumerate(text.split("\n"))
    ]
    blocks, _ = wb.to_blocks(lines)
    return wb.WikiPage(wb.pack(blocks, path), [], [], [], {})


def _read_dump(text: str, path: str) -> list[Document]:
    return list(_parse_dump((text[i : i + _FEED_CHARS] for i in range(0, len(text), _FEED_CHARS)),
                            path))


def _parse_dump(chunks: Iterable[str], path: str) -> Iterator[Document]:
    """Each page of a dump fed in `chunks`, as soon as the page after it is complete.

    One page is held back so that a break later in the dump can be recorded on the last page
    read; memory holds the current page and that one, whatever the size of the dump.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.expatreader import DefusedExpatParser

    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    handler = _DumpHandler(parser, path)
    parser.setContentHandler(handler)
    held: Document | None = None
    seen = 0
    try:
        for chunk in chunks:
            parser.feed(chunk)
            for doc in handler.documents:
                if held is not None:
                    yield held
                held, seen = doc, seen + 1
            handler.documents.clear()
        parser.close()
        for doc in handler.documents:
            if held is not None:
                yield held
            held, seen = doc, seen + 1
    except DefusedXmlException as e:
        raise ReadError(
            f"refused: the dump declares a DTD or entities ({type(e).__name__}); "
            "MediaWiki exports never do, and expanding them is how XML bombs and XXE work",
            path, parser.getLineNumber(),
        ) from e
    except SAXParseException as e:
        line = e.getLineNumber() or 1
        where = f" inside page {handler.page.title!r} (from line {handler.page.line})" if (
            handler.page is not None) else ""
        message = f"broken XML dump{where}: {e.getMessage()}"
        for doc in handler.documents:  # pages completed in the chunk that broke
            if held is not None:
                yield held
            held = doc
        if held is None:
            raise ReadError(message, path, line) from e
        problem = Problem(f"{message}; pages after line {line} not read", Span(path, line, line))
        held = _with_problem(held, problem)
    if held is not None:
        yield held


def streams(head: str) -> bool:
    """Whether a file starting with `head` is an XML export dump, which `stream` reads."""
    return _is_dump(head)


def stream(file: BinaryIO, path: str) -> Iterator[Document]:
    """The pages of an XML export dump read from `file` in chunks, one Document at a time.

    For dumps over the size cap of a whole-file read (issue 11, item 12): memory stays bounded
    whatever the size, since expat is fed 1 MiB at a time and only the current page is held.
    Bytes that are not UTF-8 are replaced (exports are UTF-8). DTDs and entities are refused
    as in `read`.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")

    def chunks() -> Iterator[str]:
        while block := file.read(_FEED_CHARS):
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True)

    for doc in _parse_dump(chunks(), path):
        yield add_section_entries(doc)


def _with_problem(doc: Document, problem: Problem) -> Document:
    return Document(
        path=doc.path, format=doc.format, title=doc.title, passages=doc.passages,
        entries=doc.entries, tags=doc.tags, meta=doc.meta, revision=doc.revision,
        problems=(*doc.problems, problem), page=doc.page,
    )


def read(data: bytes, path: str) -> list[Document]:
    """Parse one file; sections that define their heading become entries (`sections`)."""
    return [add_section_entries(doc) for doc in _read_file(data, path)]

