"""PDF (papers, lecture notes, slides) through pypdf's text layer.

How a PDF reads:

- A citation names the page. In a PDF's spans the "lines" are page numbers: a passage on
  page 12 has `Span(path, 12, 12)`, and `paper.pdf:12` opens page 12 (`#page=12` in a viewer).
  A passage never crosses a page, and its heading path is `("p. 12",)` so that a hit shows its
  page beside the title. `Document.meta["span_unit"]` is `"page"`.
- Text is read page by page (pypdf `extract_text`), words broken at a line end by a hyphen are
  joined, and each page is cut at line ends into passages of about 1000 characters.
- Title: the metadata `/Title` when it is a real title (not empty, not "untitled", not a file
  name such as "Microsoft Word - draft.docx"), else the largest text on the first page, else the
  first line of the first page, else the file stem.
- A PDF without a text layer (a scan: pages of images) is refused with that reason, and pages
  with images but no text in an otherwise textual PDF are reported as problems, page by page.
- An encrypted PDF opens when it needs no password to read (the common "owner password only"
  case); otherwise it fails with "encrypted PDF: a password is needed". A damaged file fails with
  pypdf's reason. Both are `ReadError`s naming the file; nothing is half-stored.
- Bounds, because pypdf's time and memory grow with what a page draws (py-pdf/pypdf #2790,
  #3167): at most `MAX_PAGES` pages and `MAX_CHARS` characters are read (the rest is reported as
  a problem), and a page whose content streams exceed `MAX_PAGE_STREAM` bytes (a vector drawing,
  not prose) is skipped with a problem. Pages are extracted one at a time and only their text is
  kept, so memory follows one page, not the file.
- No entries: a paper or a slide deck is a page to search and cite; its title names it.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from grimoire.errors import ReadError
from grimoire.model import Document, Passage, Problem, Span

name = "pdf"
extensions: tuple[str, ...] = (".pdf",)
binary = True  # read from bytes; never decoded as text

MAX_PAGES = 2000
MAX_CHARS = 4_000_000
MAX_PAGE_STREAM = 8 * 1024 * 1024
PASSAGE_CHARS = 1000

_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
_JUNK_TITLE = re.compile(
    r"^(?:untitled|title|document\d*|slide\s*\d*|presentation\d*|microsoft \w+ - .*|"
    r".*\.(?:docx?|pptx?|tex|dvi|pdf|indd|odt|rtf|txt))$",
    re.I,
)


def sniff(head: str, path: str) -> bool:
    """The `%PDF-` header within the first KB (some writers put junk before it)."""
    return "%PDF-" in head[:1024]


class _Collect(logging.Handler):
    """pypdf reports what it repaired through `logging`; those become the file's problems."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = _FONT_DICT.sub("{...}", " ".join(record.getMessage().split()))
        if message and message not in self.messages and len(self.messages) < 20:
            self.messages.append(message)


# The font a report is about, as pypdf prints its whole dictionary ("... a CFF Type1 font in
# font dictionary {'/BaseFont': '/QMNIBZ+CMR10', '/Widths': [833, 0, ...], ...}"): one report a
# font made 20 problems of a paper, each a screen long (round 31). Said once, without it.
_FONT_DICT = re.compile(r"(?<=font dictionary )\{.*\}")


@contextmanager
def _pypdf_reports() -> Iterator[_Collect]:
    """pypdf's log records and warnings, kept for the reader instead of printed."""
    handler = _Collect()
    logger = logging.getLogger("pypdf")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield handler
        handler.messages.extend(str(w.message) for w in caught[:20])
    finally:
        logger.removeHandler(handler)


def _open(data: bytes, path: str) -> Any:
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, PdfReadError
    except ImportError as e:  # pragma: no cover - pypdf is a dependency
        raise ReadError(f"reading PDF needs pypdf ({e})", path) from e
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as e:
                raise ReadError(
                    "encrypted PDF (AES): reading it needs the 'cryptography' package", path
                ) from e
            if not opened:
                raise ReadError("encrypted PDF: a password is needed to read it", path)
        len(reader.pages)  # parses the page tree: a broken one fails here, not midway
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        raise ReadError(f"damaged or not a PDF: {e}", path) from e
    except RecursionError as e:
        raise ReadError("damaged PDF: objects nested too deeply", path) from e
    except NotImplementedError as e:  # pypdf's word for an /Encrypt version it lacks
        raise ReadError(f"a PDF pypdf cannot read: {e}", path) from e
    return reader


def _meta(reader: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        info = reader.metadata
    except Exception:
        return out
    if not info:
        return out
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer"):
        try:
            value = info.get(key)
        except Exception:
            continue
        if isinstance(value, str) and value.strip():
            out[key[1:].lower()] = " ".join(_whole(value).split())
    return out


# A font's ToUnicode map can give a glyph half of a UTF-16 pair (a math italic's "\ud835"
# without its second half): pypdf hands the half over as it is, no text encoding takes it, and
# the whole ingest stopped on writing the page (round 38: a book's equations PDF among its
# notebooks; every file after it was never read). Such a half is shown as U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole(text: str) -> str:
    """`text` with each lone UTF-16 half as U+FFFD (a pair is joined into its character)."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _stream_bytes(page: Any) -> int:
    """Encoded size of a page's content streams, read without decoding them."""
    try:
        contents = page.get("/Contents")
        if contents is None:
            return 0
        contents = contents.get_object()
        items = contents if isinstance(contents, list) else [contents]
        total = 0
        for item in items:
            obj = item.get_object()
            length = obj.get("/Length", 0)
            total += int(length.get_object() if hasattr(length, "get_object") else length)
        return total
    except Exception:
        return 0


def _has_images(page: Any) -> bool:
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return False
        return any(
            x.get_object().get("/Subtype") == "/Image" for x in xobjects.get_object().values()
        )
    except Exception:
        return False


def _page_text(page: Any, sizes: list[tuple[float, str]] | None) -> str:
    if sizes is None:
        return str(page.extract_text() or "")

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            scale = abs(float(tm[3]) * float(cm[3])) or 1.0
            sizes.append((round(float(size) * scale, 1), _glyphs(_whole(text))))

    return str(page.extract_text(visitor_text=visit) or "")


# A TeX font with no ToUnicode map (a Type 3 bitmap font of pdfTeX/dvips, or a Type 1 font in
# the "Cork" T1 encoding) gives pypdf its byte codes as they are, so its ligatures and dashes came
# out as control characters: "Arti\x1ccial", "Con\x1cdential \x16 For Jury". Codes 0x10-0x1F are
# no text in any encoding a page is written in, and T1 puts there the quotes, dashes and f-
# ligatures; OT1 (TeX's older encoding) puts ff, fi, ffi, ffl at 0x0B, 0x0C, 0x0E, 0x0F, taken as
# such only before a letter (0x0D, its fl, is a line end to every reader, so it is not guessed).
# Every other control character is a blank. The presentation forms U+FB00-FB06 a font with a
# ToUnicode map gives for a ligature ("ﬁ") are spelled out, so "ﬁnal" is found as "final".
_T1_CODES = dict(zip(range(0x10, 0x20), [
    "\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb", "\u2013", "\u2014", "", "",
    "\u0131", "\u0237", "ff", "fi", "fl", "ffi", "ffl",
], strict=True))
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
              "\ufb05": "st", "\ufb06": "st"}
_OT1_LIGATURE = re.compile(r"[\x0b\x0c\x0e\x0f](?=[^\W\d_])")
_OT1_CODES = {"\x0b": "ff", "\x0c": "fi", "\x0e": "ffi", "\x0f": "ffl"}
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufb00-\ufb06]")


# A font with no Unicode map whose codes are its glyphs' numbers (a CJK font embedded by
# Identity-H without ToUnicode, as some Markdown editors' PDF export writes) gives pypdf those
# numbers as characters: "3 \xa9 \xe5}\u0145\u0120", a fifth of them control codes. A TeX page
# whose T1/OT1 font writes its ligatures and quotes as control codes has a few in a hundred
# at most (1.3% the most seen; a test's line dense with ligatures 6-9%), and most of its
# characters are ASCII letters (75% and more), where glyph numbers are letters a quarter of the
# time at most (17-25% seen). A page of text with `_GARBLED` control codes or more and less
# than half its characters ASCII letters is unreadable (read56: five such chapters made five
# entries named by glyph numbers).
_GARBLED = 0.08
_GARBLED_MIN = 40  # the characters a page needs before it is judged so
_CODES = re.compile(r"[\x01-\x08\x0e-\x1f]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _garbled(text: str) -> bool:
    """Whether a page's extracted `text` is glyph numbers, not its words (`_GARBLED`)."""
    if not _CONTROL.search(text):
        return False
    shown = len(text) - sum(text.count(c) for c in " \t\n\r\x0b\x0c")
    return shown >= _GARBLED_MIN and len(_CODES.findall(text)) >= _GARBLED * shown \
        and 2 * len(_ASCII_LETTER.findall(text)) < shown


def _glyphs(text: str) -> str:
    """`text` with the ligatures and dashes a font wrote as control codes or presentation forms
    spelled as letters, and any other control character a blank (NUL, pypdf's "no text", goes)."""
    text = text.replace("\x00", "")
    if not _CONTROL.search(text):
        return text
    text = _OT1_LIGATURE.sub(lambda m: _OT1_CODES[m.group()], text)
    return _CONTROL.sub(
        lambda m: _T1_CODES.get(ord(m.group()), _LIGATURES.get(m.group(), " ")), text)


def _clean(text: str) -> list[str]:
    text = _glyphs(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return [" ".join(line.split()) for line in text.split("\n")]


def _passages(lines: list[str], page: int, path: str) -> list[Passage]:
    """A page's lines cut at line ends into pieces of about PASSAGE_CHARS, sentence ends first."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if not line:
            continue
        current.append(line)
        size += len(line) + 1
        if (size >= PASSAGE_CHARS and _SENTENCE_END.search(line)) or size >= 2 * PASSAGE_CHARS:
            out.append(" ".join(current))
            current, size = [], 0
    if current:
        out.append(" ".join(current))
    span = Span(path, page, page)
    return [Passage(text=t, span=span, heading_path=(f"p. {page}",)) for t in out]


def _joined(runs: list[str]) -> str:
    """The text runs of a title as one line. Word writes a hyphen as a run of its own
    ("Surpassing human", "-", "level performance"): it joins its neighbours, no spaces."""
    out = ""
    for run in runs:
        if not out:
            out = run
        elif run.strip() == "-" or (out.endswith("-") and out[-2:-1].isalnum()):
            out = out.rstrip() + run.strip()
        else:
            out = f"{out} {run}"
    return out


# The stamp arXiv prints up the margin of a paper's first page, in a larger type than its
# title: "arXiv:2310.06825v1 [cs.CL] 10 Oct 2023" (round 29: a paper was named so).
_ARXIV_STAMP = re.compile(r"^\s*arXiv:\s*\d{4}\.\d{4,5}", re.I)


# A numbered section's heading as a run of its own: "1 PixelRNN", "2.3 Results", "A.1 Proofs".
_SECTION_NUMBER = re.compile(
    r"\s*(?:\d{1,2}(?:\.\d{1,2}){0,3}|[A-H](?:\.\d{1,2}){1,3})\.?\s+[^\W\d_]")


# A title as a file's name or stem is written: "pca_ica", "pca_ica.md", "notes-week3"; one
# lowercase word ("attention"). Not "Attention Is All You Need", nor "Transformers".
_AS_FILE = re.compile(r"[^\s_.-]*[_.-]\S*|[^\sA-Z]+|.*\.[A-Za-z]{1,8}")


def _set_twice(sizes: list[tuple[float, str]], body: float) -> str | None:
    """A text of several words set twice on page one, once larger than the body: a slide
    deck's title, in the slide's header and in its title box, under the speaker's name set
    larger still (round 44: three lectures of a course were "Brenda Gunderson"). Set at two
    sizes: a running header and footer, one text at one size, are no title (review44a)."""
    seen: dict[str, tuple[float, float]] = {}  # a text's smallest and largest size
    for size, text in sizes:
        key = " ".join(text.split())
        low, high = seen.get(key, (size, size))
        seen[key] = (min(low, size), max(high, size))
    found = [(high, key) for key, (low, high) in seen.items()
             if 2 <= len(key.split()) <= 30 and high > body * 1.15 and high > low * 1.15]
    return max(found)[1] if found else None


def _title(meta: dict[str, str], sizes: list[tuple[float, str]], first: list[str],
           stem: str = "") -> str | None:
    title = meta.get("title", "")
    # A page printed from a browser keeps the page's file name as its /Title ("pca_ica" for
    # pca_ica.md): the name of a file, not the title its first page sets in large type
    # (round 32: a course's notes printed to PDF beside the note, a concept "pca_ica").
    # Only a title written as a file is named (review32): a paper saved as "Attention Is All You
    # Need.pdf" keeps its /Title, not the venue line above it or its first sentence.
    named_by_file = stem.casefold() in (title.casefold(), PurePath(title).stem.casefold()) \
        and _AS_FILE.fullmatch(title.strip()) is not None
    if title and not _JUNK_TITLE.match(title) and len(title) <= 300 and not named_by_file:
        return title
    sizes = [(s, t) for s, t in sizes if not _ARXIV_STAMP.match(t)]
    first = [line for line in first if not _ARXIV_STAMP.match(line)]
    if sizes:
        body = sorted(s for s, _ in sizes)[len(sizes) // 2]
        # A numbered section's heading ("1 PixelRNN", "2.3 Results") is no part of the title,
        # though set larger than the text: a paper with no title in large type was named by
        # its first two headings, "1 PixelRNN 2 Introduction" (round 39, qa39).
        sizes = [(s, t) for s, t in sizes if not _SECTION_NUMBER.match(t)] or [(body, "")]
        biggest = max(s for s, _ in sizes)
        if (twice := _set_twice(sizes, body)) is not None:
            return twice
        if biggest > body * 1.15:
            words = _joined([t for s, t in sizes if s >= biggest * 0.95]).split()
            if 1 <= len(words) <= 30:
                return _small_caps(words, first) or " ".join(words)
    return next((line for line in first if len(line) >= 3 and not _SECTION_NUMBER.match(line)),
                None)


def _small_caps(words: list[str], first: list[str]) -> str | None:
    """The title a paper sets in small capitals, when the largest type of page one is only
    its words' first letters ("P E R", each set larger than "RIORITIZED"): the lines of
    capitals from the first that opens with them ("PRIORITIZED EXPERIENCE", "REPLAY").
    Round 45: seven papers of a Logseq graph, in a conference's style, were concepts "P E R",
    "S T R L", "M EM", "H -D C C U G A E", or none ("C")."""
    letters = ["".join(c for c in w if c.isalpha()) for w in words]
    if not letters[0] or 4 * sum(len(w) <= 2 for w in letters) < 3 * len(words):
        return None
    lines: list[str] = []
    for line in first[:12]:
        capitals = not any(c.islower() for c in line) and any(
            len(w) > 2 and w.isalpha() for w in line.split())
        if lines and not capitals:
            break
        if capitals and (lines or line.startswith(letters[0][:1])):
            lines.append(line)
    return " ".join(lines) or None


# A stem as Logseq names a file it keeps in `assets/`: the name, "_", the time in ms, "_0".
_LOGSEQ_ASSET = re.compile(r"_\d{13}_\d+$")
# A title the text layer wrote with no spaces ("Anoverviewofgradientdescentoptimization")
# or in a font's glyph names ("/CC /D6/D9/CT"): the file names the paper better.
_NO_TITLE = re.compile(r".*[^\W\d_]{30}.*|(?:\s*/[A-Z0-9]{2})+\s*")


def _named(title: str | None, stem: str) -> str:
    """`title`, or the paper's file name when the title is unreadable (`_NO_TITLE`); the
    stem as it is when page one has no text at all (a cover: no title is read)."""
    if not title:
        return stem
    if not _NO_TITLE.fullmatch(title):
        return title
    return " ".join(_LOGSEQ_ASSET.sub("", stem).replace("_", " ").split()) or title


def _ranges(pages: list[int]) -> str:
    parts: list[str] = []
    start = prev = pages[0]
    for p in [*pages[1:], -1]:
        if p != prev + 1:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = p
        prev = p
    return ", ".join(parts)


def read(data: bytes, path: str) -> list[Document]:
    with _pypdf_reports() as reports:
        doc = _read(data, path)
    if not reports.messages:
        return [doc]
    repaired = tuple(Problem(f"pypdf: {m}", Span(path, 1, 1)) for m in reports.messages)
    return [replace(doc, problems=(*repaired, *doc.problems))]


def _read(data: bytes, path: str) -> Document:
    reader = _open(data, path)
    meta = _meta(reader)
    count = len(reader.pages)
    problems: list[Problem] = []
    passages: list[Passage] = []
    sizes: list[tuple[float, str]] = []
    first_lines: list[str] = []
    scanned: list[int] = []
    garbled: list[int] = []
    chars = 0
    for number in range(1, min(count, MAX_PAGES) + 1):
        try:
            page = reader.pages[number - 1]
            stream = _stream_bytes(page)
            if stream > MAX_PAGE_STREAM:
                problems.append(Problem(
                    f"page {number}: {stream / 1e6:.0f} MB of drawing commands, text not read",
                    Span(path, number, number),
                ))
                continue
            text = _page_text(page, sizes if number == 1 else None)
        except RecursionError:
            problems.append(Problem(f"page {number}: nested too deeply, text not read",
                                    Span(path, number, number)))
            continue
        except Exception as e:
            problems.append(Problem(f"page {number}: text could not be read ({e})",
                                    Span(path, number, number)))
            continue
        whole = _whole(text)
        halves = whole.count("\ufffd") - text.count("\ufffd")
        if halves:
            problems.append(Problem(
                f"page {number}: {halves} character(s) the font maps to half a UTF-16 pair, "
                "shown as U+FFFD", Span(path, number, number)))
        if _garbled(whole):
            garbled.append(number)
            continue
        lines = _clean(whole)
        if number == 1:
            first_lines = [line for line in lines if line]
        if not any(lines):
            if _has_images(page):
                scanned.append(number)
            continue
        chars += sum(len(line) for line in lines)
        passages.extend(_passages(lines, number, path))
        if chars > MAX_CHARS:
            problems.append(Problem(
                f"stopped after page {number} of {count}: over {MAX_CHARS:,} characters",
                Span(path, number, number),
            ))
            break
    else:
        if count > MAX_PAGES:
            problems.append(Problem(
                f"stopped after page {MAX_PAGES} of {count}: the page limit",
                Span(path, MAX_PAGES, MAX_PAGES),
            ))
    if not passages and scanned:
        raise ReadError(
            f"scanned PDF: {len(scanned)} of {count} pages are images with no text layer; "
            "run OCR on it (e.g. ocrmypdf) and ingest again",
            path,
        )
    if not passages and garbled:
        raise ReadError(
            f"unreadable text: on {len(garbled)} of {count} pages the fonts map their glyphs to "
            "no letters (a font embedded without a Unicode map); export the PDF again with its "
            "fonts' text, or ingest the note it was made from",
            path,
        )
    if garbled:
        problems.append(Problem(
            f"unreadable text (fonts without a Unicode map) on page(s) {_ranges(garbled)}",
            Span(path, garbled[0], garbled[0]),
        ))
    if not passages and not scanned and count:
        problems.append(Problem(f"no text on any of its {count} pages", Span(path, 1, 1)))
    if scanned:
        problems.append(Problem(
            f"no text layer (scanned images) on page(s) {_ranges(scanned)}",
            Span(path, scanned[0], scanned[0]),
        ))
    title = _named(_title(meta, sizes, first_lines, PurePath(path).stem), PurePath(path).stem)
    return Document(
        path=path,
        format=name,
        title=title,
        passages=tuple(passages),
        meta={**meta, "pages": count, "span_unit": "page"},
        problems=tuple(sorted(problems, key=lambda p: p.span.start_line)),
    )
