"""What every face shows of a note's text, below the faces (the web UI, the CLI, MCP and the
exports all show it so, and none imports another): a long text folded in two (`halves`), a
line as words to quote (`quote_words`), a preview (`plain`), a note's lines as the store read
it (`NoteFiles`), and the opening words of a note whose entry has no definition (`opening`,
`Said`: what `Grimoire.said` hands every face).
"""

from __future__ import annotations

import contextlib
import html
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from grimoire.errors import NotFound, ReadError
from grimoire.fences import without_bars
from grimoire.files import note_text, read_capped, real_inside, root_folder
from grimoire.formulas import INLINE_MATH, TEX_RENDERER
from grimoire.model import Span
from grimoire.names import normalize
from grimoire.store import SourceRecord

if TYPE_CHECKING:
    from grimoire.knowledge import Grimoire
    from grimoire.model import Hit

MAX_SOURCE_BYTES = 8 * 1024 * 1024

_WIKILINK = re.compile(r"\[\[([^\[\]|#\n]{1,200})(?:#[^\[\]|\n]*)?(?:\|([^\[\]\n]{1,200}))?\]\]")

_MD_LINK = re.compile(r"(?<!!)\[([^\[\]\n]{1,200})\]\([^()\s]{1,2000}\)")
_EMBED = re.compile(r"!\[\[[^\[\]\n]{1,400}\]\]?")
_SIZE = re.compile(r"\d{1,5}(?:x\d{1,5})?")  # `[[Bloom Filter|300]]`: Obsidian's width, no label


CLIP_CHARS = 1500  # a card's text shown before "Show the rest" (about a screen of a card)
CLIP_LINES = 20  # or this many of a note's lines (a list of papers, one short line each)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# A formula in a text every face shows: `$$…$$` (display) or `$…$` (inline), as the web page
# renders it and the Anki deck writes it for MathJax (round 36: below both, one pattern).
# The inline one is `formulas.INLINE_MATH`, the Markdown reader's rule too (round 53).
DISPLAY_MATH = re.compile(r"\$\$(.{1,4000}?)\$\$", re.S)
FORMULA = re.compile(f"{DISPLAY_MATH.pattern}|{INLINE_MATH.pattern}", re.S)  # either kind
# What a LaTeX file's formulas hold that prints nothing, which the web's MathML and Anki's
# MathJax showed as its source (round 49, a course's Beamer slides: "x \pause y" drew
# "\pause"): a slide's overlay commands (`\pause`, `\onslide<2->`, `\only<3>{x}` keeps x),
# a line's number marks, `\hfill`; `\ensuremath{x}` is x; a `\label{eq:bn}` (drawn
# "\label eq:bn" before an equation of a lecture's, review55d).
_UNPRINTED = re.compile(r"\\(?:pause|nonumber|notag|hfill|displaybreak|allowbreak|ensuremath)"
                        r"(?![A-Za-z])|\\(?:onslide|only|uncover|visible)\s*<[^<>{}]{0,40}>"
                        r"|\\label\s*\{[^{}]{0,80}\}")


def unprinted(tex: str) -> str:
    """A formula's TeX without the commands that print nothing (`_UNPRINTED`)."""
    return _UNPRINTED.sub("", tex)


SHOWN_CHARS = 200_000  # of a card's folded rest: a 10 MB note was a 10 MB page (round 37)


def in_part(text: str, limit: int = SHOWN_CHARS) -> tuple[str, int]:
    """`text` as a page shows it: whole, or its first part (at most `limit` characters, cut at
    its last blank line, else line end, else space) and how many words it leaves to the file."""
    if len(text) <= limit:
        return text, 0
    cut = next((at for mark in ("\n\n", "\n", " ")
                if (at := text.rfind(mark, 0, limit)) > limit // 2), limit)
    return text[:cut].rstrip(), len(text[cut:].split())


FOLD_LINES = 10  # a fold hides at least this many lines of a card (about a third of a screen)
CARD_LINE = 90  # characters of a card's line of text, about


def shown_lines(text: str) -> int:
    """About how many lines of a card `text` takes: each line that holds words one or more
    (wrapped at `CARD_LINE`); blank lines, which a card shows as a paragraph's gap, none."""
    return sum(-(-len(line.strip()) // CARD_LINE) for line in text.split("\n"))


def halves(text: str, limit: int = CLIP_CHARS) -> tuple[str, str]:
    """A long entry or section as the part a card shows and the part it folds away, split at
    a blank line (else a line end) past `limit` characters or `CLIP_LINES` lines, never inside
    a code fence or a `$$` formula; (text, "") when it is short, or when the part folded would
    take fewer than `FOLD_LINES` lines of the card: a "Show the rest" that hid one line of
    "Further reading" (17 words, round 40) cost a click and saved nothing. A 400-line section
    of a saved page was a 30,000-pixel card, and the cards under it out of reach."""
    head, rest = _halves(text, limit)
    if rest and shown_lines(rest) < FOLD_LINES:
        return text, ""
    return head, rest


def _halves(text: str, limit: int) -> tuple[str, str]:
    lines = text.split("\n")
    if len(text) <= limit * 1.3 and len(lines) <= CLIP_LINES * 1.3:
        return text, ""  # a fold that hides a few lines only costs a click
    fence: str | None = None
    math = False
    size = 0
    at_line: int | None = None  # the first line end past the limit, outside code and math
    for n, line in enumerate(lines):
        m = _FENCE.match(line)
        prose = fence is None and not math and m is None \
            and not line.lstrip().startswith("|") and not line.startswith(("    ", "\t"))
        if m and (fence is None or m.group(1)[0] == fence):
            fence = None if fence else m.group(1)[0]
        elif fence is None:
            math ^= line.count("$$") % 2 == 1
        if prose and size + len(line) > limit * 2 and (cut := _line_cut(line, limit - size)):
            # A paragraph on one line (a page's text, a PDF's) ends too far on to fold at its
            # end: 100,000 characters on one line were a card as long, unfolded.
            head, rest = "\n".join([*lines[:n], line[:cut].rstrip()]), line[cut:]
            return head, "\n".join([rest, *lines[n + 1:]]).strip("\n")
        size += len(line) + 1
        if n == len(lines) - 1:
            break
        if (size < limit and n < CLIP_LINES) or fence is not None or math:
            continue
        if not lines[n + 1].strip() and line.strip():
            head, rest = "\n".join(lines[:n + 1]), "\n".join(lines[n + 1:])
            return (head, rest.strip("\n")) if rest.strip() else (text, "")
        if size > limit * 2 or n > CLIP_LINES * 2:
            at_line = n  # no paragraph end soon: this line end will do
            break
    if at_line is None:
        return text, ""
    return "\n".join(lines[:at_line + 1]), "\n".join(lines[at_line + 1:]).strip("\n")


_SENTENCE_END = re.compile(r"[.!?][)\"'\u201d]?[ \t]+(?=\S)")
_BLANK = re.compile(r"[ \t]+(?=\S)")


def _line_cut(line: str, start: int) -> int | None:
    """Where a very long line folds: the first sentence end past `start` (else, none within
    `CLIP_CHARS` of it, a blank), outside `$...$` and `$$...$$`, a code span and a link's
    brackets; None when there is none, or when what it leaves is short (a fold that hides a
    sentence or two only costs a click)."""
    start = max(0, start)
    for pattern, end in ((_SENTENCE_END, start + CLIP_CHARS), (_BLANK, len(line))):
        dollars = ticks = brackets = 0
        last = 0
        for m in pattern.finditer(line, start, end):
            part = line[last:m.start()]
            dollars += part.count("$")
            ticks += part.count("`")
            brackets += part.count("[") - part.count("]")
            last = m.start()
            if dollars % 2 == 0 and ticks % 2 == 0 and brackets <= 0:
                return m.end() if len(line) - m.end() > CLIP_CHARS * 0.3 else None
    return None


def link_label(m: re.Match[str]) -> str:
    """The words a `[[target|label]]` shows: its label, never a size (`|300`, `|ARC|300`)."""
    parts = [p.strip() for p in (m.group(2) or "").split("|")]
    return next((p for p in parts if p and not _SIZE.fullmatch(p)), m.group(1).strip())


_BLOCK_MARK = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,3}[.)]\s+)?")
_CELL_RULE = re.compile(r"\|(?![^\[\]]*\]\])")  # a table's cell rule, not a `[[a|b]]`'s
# A line that is one HTML block element (`<li>[[coverage bias]]</li>`, a saved page's list in a
# note): its words, entities read (round 37: "Mentioned in" quoted the tags and `&#39;`).
_HTML_BLOCK = re.compile(r"<(li|p|dd|dt|td|th|div)(?:\s[^<>]{0,200})?>(.*?)(?:</\1>)?", re.I)
_MARKS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__|`([^`\n]+)`")


def quote_words(line: str) -> str:
    """A line of a note as words to quote: without the mark that opens its block (a list's
    `- ` or `1. `, a task's `[x]`, a heading's `##`, a quote's `>`, an HTML `<li>...</li>`),
    a table row's cells joined by " · " (its `| a | b |` was shown)."""
    text = _BLOCK_MARK.sub("", line, count=1).strip()
    if (m := _HTML_BLOCK.fullmatch(text)) is not None:
        text = html.unescape(m.group(2)).strip()
    if text.startswith("|") and text.endswith("|") and len(text) > 1:
        cells = [c.strip() for c in _CELL_RULE.split(text[1:-1])]
        text = " · ".join(c for c in cells if c)
    return text


def plain(text: str, limit: int = 300) -> str:
    """Text for a preview: markup-free enough to read, cut at a word near `limit` (a fenced
    code passage of a definition as its code, `fences`)."""
    text = without_bars(text)
    return cut_words(re.sub(r"\s+", " ", _WIKILINK.sub(link_label, text)).strip(), limit)


def cut_words(flat: str, limit: int) -> str:
    """`flat` (one line) whole when it fits `limit`, else cut at a word before it with " …",
    and never inside a formula: one the cut opened and did not close (in the text, or in what
    is left of it) is left out, its `$` paired with nothing and every face showed its TeX
    ("Solving for $D = …" on an Anki card, round 37; MCP's previews, round 50). A lone `$`
    before words (a price) stays; a `$$` is never a price."""
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    for m in FORMULA.finditer(flat, 0, limit + 4000):
        if m.start() < len(cut) < m.end():  # a formula the whole text closes after the cut
            cut = cut[:m.start()].rstrip()
            break
        if m.start() >= len(cut):
            break
    opened = _opened(cut)
    if opened >= 0 and (cut.startswith("$$", opened) or _FORMULA_TAIL.search(cut, opened)):
        cut = cut[:opened].rstrip()
    return f"{cut} …" if cut else "…"


_FORMULA_TAIL = re.compile(r"\\[A-Za-z]|[\^_{}=]")  # TeX or an equation after an open `$`
# a `$` that may open a formula: not a price's (a blank after it only before TeX, as above)
_OPENER = re.compile(r"\$(?!\d)(?!\s(?![^$\n]*\\[A-Za-z]))")


def _opened(text: str) -> int:
    """Where a formula `text` leaves open begins (the first `$` past its last closed formula
    that is no price: "costs $5 and $y" opens at "$y", round 52), or -1."""
    closed = max((m.end() for m in FORMULA.finditer(text)), default=0)
    m = _OPENER.search(text, closed)
    return m.start() if m else -1
# A code span of a note's lines: a run of backticks, then up to the next run of as many
# (CommonMark's rule; reST's ``literal`` alike). The readers keep its words, not its backticks.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.{1,1000}?)(?<!`)\1(?!`)")
# The formats whose backticks write code: LaTeX's ``…'' are quotes, and a formula inside them
# was drawn as code (review53d); HTML, MediaWiki and Org write code otherwise.
CODE_SPAN_FORMATS = frozenset({"markdown", "obsidian", "rst", "notebook", "glossary", "text"})


def code_formulas(lines: str) -> frozenset[str]:
    """The `$…$` (as `FORMULA` finds them) that `lines`, a note's own lines, write inside a
    code span and nowhere outside one: code, which the note's text as read holds without its
    backticks, so snippets and answers drew "`$...$`" of a README as a formula (review52d;
    round 53). Each face shows them as code (the web's `math_text(code=…)`)."""
    if "`" not in lines or "$" not in lines:
        return frozenset()
    inside = {m.group(0) for span in _CODE_SPAN.finditer(lines)
              for m in FORMULA.finditer(span.group(2))}
    if not inside:
        return frozenset()
    outside = {m.group(0) for m in FORMULA.finditer(_CODE_SPAN.sub(" ", lines))}
    return frozenset(inside - outside)


# A one-letter variable after a `$` ("… gives a logit of 0 and $p …"): math, not a price.
VARIABLE = re.compile(r"\$[A-Za-z](?!\w)")


def open_formula_cut(text: str) -> str:
    """`text` cut short already (a search snippet ending "…") without the formula its cut left
    open: "… so $p = 0.5$ gives a logit of 0 and $p …" showed "$p" (the web page as text, MCP's
    preview as TeX that never closes; round 51). A `$` before words (a price) stays, and so
    does a formula with nothing before it but "…": its TeX says more than " …" (review51d)."""
    if not text.endswith("…"):
        return text
    opened = _opened(text)
    kept = text[:opened].rstrip()
    if opened >= 0 and kept.strip("… ") and (
            text.startswith("$$", opened) or _FORMULA_TAIL.search(text, opened)
            or VARIABLE.match(text, opened)):
        return f"{kept} …"
    return text


_TEX = re.compile(r"\\[A-Za-z]|[\^_{}]")  # a command, a script or a group: not prose
# What stood round a formula after it, left over once the window's cut part of the formula is
# dropped: a bracket it closed, the comma or stop after it
_AFTER_FORMULA = re.compile(r"[)\]}]*[,.;:!?]?[ \t]*")


def _closes(text: str, at: int) -> bool:
    """Whether the `$` at `at` may close a formula: `$$`, or a `$` after no blank or `\\`
    and before no digit (`INLINE_MATH`'s closing `$`) nor a word's letter (R's "my_df$col",
    in code or prose, is no formula's end: `INLINE_MATH`'s "df$y")."""
    if text.startswith("$$", at):
        return True
    return (not text[at - 1].isspace() and text[at - 1] != "\\"
            and not re.match(r"\w", text[at + 1:at + 2]))


def whole_formulas(snippet: str) -> str:
    """`snippet` (a search snippet, a long line cut short) without the part of a formula that
    its window cut: before the first `$` of one that opens with "…" mid-formula (TeX before
    any `$`), with what closed round it ("… \\rVert}$)" was shown as "… )", faces56), and
    from the `$` of one left open at its "…" end (`open_formula_cut`: "$5" is a price).
    Either would show its TeX, or pair with the wrong `$`. A formula with nothing before it
    but "…" stays: " …" alone said nothing (review51d). Every face shows a snippet so."""
    text = snippet.strip()
    first = text.find("$")
    # (not a `$` that opens a formula: "… use learning_rate $\\eta$" is prose, then one; nor
    # one no formula closes with, after a blank or before a digit as `INLINE_MATH` has it:
    # "… my_var = 3, the bill was $5" and "… PATH_X, then echo $HOME" lost their prose,
    # review57d)
    if (text.startswith("…") and first > 0 and _TEX.search(text[:first])
            and not FORMULA.match(text, first) and _closes(text, first)):
        end = first + (2 if text.startswith("$$", first) else 1)
        after = _AFTER_FORMULA.match(text, end)
        rest = text[after.end() if after else end:]
        # the line it ended, if nothing else is left of it, is the "…" alone
        text = "…" + ("" if rest.startswith("\n") else " ") + rest
    return open_formula_cut(text)


# -- a note's lines, as the store read it --------------------------------------------------------


# Formats read from bytes that are no text (the readers with `binary = True`): their source is
# shown as the text ingest stored, by the unit their spans count (a PDF's "lines" are its
# pages), never as the file's bytes (a textbook's 2.2 MB of PDF operators, round 38).
PASSAGE_UNITS = {"pdf": "page"}

Passages = Callable[[str], Sequence[tuple[int, int, str, str]]]


@dataclass(frozen=True, slots=True)
class SourceText:
    """A note's lines, as the file holds them now; for a binary format (`PASSAGE_UNITS`), the
    text ingest stored, one item per `unit` its spans count ("page": `lines[11]` is page 12's
    text, its passages a paragraph each), empty where nothing was read."""

    path: str
    format: str | None
    lines: tuple[str, ...]
    unit: str = "line"


def stored_lines(passages: Sequence[tuple[int, int, str, str]]) -> tuple[str, ...]:
    """The text of a binary file's passages (start, end, text, kind), as a span reaches it:
    item n-1 holds the passages that start at unit n, one paragraph each."""
    last = max((start for start, _, _, _ in passages), default=0)
    units: list[list[str]] = [[] for _ in range(last)]
    for start, _, text, _ in passages:
        if start >= 1:
            units[start - 1].append(text)
    return tuple("\n\n".join(parts) for parts in units)


TEXTS_KEPT = 2048  # notes kept read (an export site of 600 notes read each 4 times at 512)


class NoteFiles:
    """The files a store read (asked again every `ttl` seconds) and their text (cached by
    mtime): only a file the store read well, inside its ingested folder, and never past the
    size cap. `sources` is the API's `Grimoire.sources`; `lock` is held around it when the
    caller shares one connection among threads (a web server)."""

    def __init__(self, sources: Callable[[], Sequence[SourceRecord]],
                 lock: threading.Lock | None = None, ttl: float = 5.0,
                 passages: Passages | None = None) -> None:
        self._sources = sources
        self._passages = passages  # `Grimoire.source_passages`: a binary file's stored text
        self._lock = lock
        self._ttl = ttl
        self._known: dict[str, SourceRecord] = {}
        self._by_name: dict[str, list[str]] = {}
        self._loaded: float | None = None  # never yet (monotonic time may start near 0)
        self._text: dict[str, tuple[float, SourceText]] = {}

    def known(self) -> dict[str, SourceRecord]:
        now = time.monotonic()
        if self._loaded is None or now - self._loaded > self._ttl:
            with self._lock if self._lock is not None else contextlib.nullcontext():
                records = self._sources()
            self._known = {r.path: r for r in records}
            by_name: dict[str, list[str]] = {}
            for r in records:
                by_name.setdefault(PurePosixPath(r.path).name.lower(), []).append(r.path)
            self._by_name = by_name
            self._loaded = now
        return self._known

    def forget(self) -> None:
        """Ask for the files again on the next call (the store changed)."""
        self._loaded = None

    def text(self, path: str) -> SourceText | None:
        """The lines of a note the store read; None for anything else. Files that never
        change (`ttl` infinite: an export's one look at the notes) are read and checked once:
        checking each again per line quoted was a fifth of `export site`'s time."""
        if self._ttl == math.inf and path in self._text:
            return self._text[path][1]
        record = self.known().get(path)
        if record is None or record.status != "ok":
            return None
        file = real_inside(path, record.root)
        try:
            stat = file.stat() if file is not None else None
        except OSError:
            return None
        if file is None or stat is None:
            return None
        cached = self._text.get(path)
        if cached is not None and cached[0] == stat.st_mtime:
            return cached[1]
        unit = PASSAGE_UNITS.get(record.format or "")
        if unit is not None:
            if self._passages is None:
                return None  # its bytes are no text to show
            with self._lock if self._lock is not None else contextlib.nullcontext():
                stored = self._passages(path)
            result = SourceText(path, record.format, stored_lines(stored), unit)
            self._keep(path, stat.st_mtime, result)
            return result
        if stat.st_size > MAX_SOURCE_BYTES:
            return SourceText(path, record.format, (
                f"(file too large to show here: {stat.st_size / 1e6:.1f} MB, over "
                f"{MAX_SOURCE_BYTES // (1024 * 1024)} MiB; open it in an editor: {path})",))
        try:  # a regular file only, and never past the cap (a FIFO blocks, /dev/zero never ends)
            data = read_capped(file, MAX_SOURCE_BYTES, inside=root_folder(record.root))
        except (OSError, ReadError):
            return None
        lines = tuple(note_text(data, path).split("\n"))
        result = SourceText(path, record.format, lines)
        self._keep(path, stat.st_mtime, result)
        return result

    def _keep(self, path: str, mtime: float, text: SourceText) -> None:
        if len(self._text) > TEXTS_KEPT:
            self._text.clear()
        self._text[path] = (mtime, text)

    def line(self, path: str, n: int) -> str:
        """Line `n` (1-based) of a note, stripped; empty when out of range or unknown."""
        src = self.text(path)
        if src is None or not 1 <= n <= len(src.lines):
            return ""
        return src.lines[n - 1].strip()

    def attachment(self, path: str) -> Path | None:
        """The real file behind `path` when it is a known file inside its ingested root."""
        record = self.known().get(path)
        if record is None or record.status not in ("ok", "attachment"):
            return None
        real = real_inside(path, record.root)
        return real if real is not None and real.is_file() else None


# The formats whose text as read keeps a writer's `\$` for a dollar sign: a glossary written
# for MathJax, and an HTML page that loads MathJax or KaTeX (`escapes_dollar`). The Markdown,
# notebook, LaTeX and reST readers resolve their escapes as they read (`costs \$5` is read
# "costs $5"), so a `\$` left in their text is written so, in a code span, a code block or
# cell, a `\verb` (review54d: a Markdown note's `^\$` in backticks and a notebook's
# `r"^\$"` showed `^$`); a text file's, an Org, wiki or plain HTML page's `\$` too (a regex
# `^\$` in a note's prose lost its backslash, review53d).
DOLLAR_ESCAPES = frozenset({"glossary", "html"})
KEPT_ESCAPE = "\\$"  # in `as_written`: the text's `\$` are shown so, not as a dollar sign


def escapes_dollar(files: NoteFiles, path: str) -> bool | None:
    """Whether a `\\$` in the text read from `path` is a dollar sign (`DOLLAR_ESCAPES`: an HTML
    page's only when its source names MathJax or KaTeX, `formulas.TEX_RENDERER`); None when
    the file is not known."""
    record = files.known().get(path)
    if record is None:
        return None
    if record.format != "html":
        return record.format in DOLLAR_ESCAPES
    src = files.text(path)
    return src is not None and any(TEX_RENDERER.search(line) for line in src.lines)


def as_written(files: NoteFiles, spans: Sequence[Span], shown: str) -> frozenset[str]:
    """What of `shown` (a snippet, an answer, a preview, a card's text, quoted from the lines
    of `spans`) every face shows as the note writes it: each `$…$` those lines write in code
    spans only (`code_formulas`: the text as read keeps a code span's words without its
    backticks, and snippets, answers, MCP's previews and Anki's cards drew them as formulas),
    and `KEPT_ESCAPE` when the spans' files are known and none writes `\\$` for a dollar sign
    (`escapes_dollar`). Read only when `shown` holds a `$`."""
    if "$" not in shown:
        return frozenset()
    found: set[str] = set()
    known = files.known()
    if KEPT_ESCAPE in shown:
        escapes = [escapes_dollar(files, span.path) for span in spans[:20]]
        if any(e is not None for e in escapes) and not any(escapes):
            found.add(KEPT_ESCAPE)
    for span in spans[:20]:
        record = known.get(span.path)
        if record is None or record.format not in CODE_SPAN_FORMATS:
            continue
        src = files.text(span.path)
        if src is not None:
            found |= code_formulas("\n".join(src.lines[span.start_line - 1:span.end_line]))
    return frozenset(found)


def dollars(text: str, code: frozenset[str]) -> str:
    """`text` with each `\\$` a dollar sign, unless `code` (`as_written`) keeps it as written:
    one rule for the web's prose (`render._prose`), MCP's previews and Anki's cards (a
    glossary's "costs \\$5" showed its backslash to an assistant and on a card; review54d)."""
    return text if KEPT_ESCAPE in code else text.replace(KEPT_ESCAPE, "$")


def code_marked(text: str, code: frozenset[str]) -> str:
    """`text` (plain words for an assistant) with each formula of `code` (`as_written`) back in
    the backticks its note writes around it: MCP's previews gave a README's "`$...$`" as a
    formula to read."""
    if not code - {KEPT_ESCAPE}:
        return text
    return FORMULA.sub(lambda m: f"`{m.group(0)}`" if m.group(0) in code else m.group(0), text)


# -- what a concept says -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Said:
    """Text a face shows for a concept, and where it is written: an entry's `definition`, a
    page `section`'s text, or, for an entry with no definition (a page named by its title keeps
    its text in its passages), the `opening` words of its note, as plain words."""

    text: str
    span: Span  # the file and the lines the text comes from
    kind: str  # "definition", "section" or "opening"
    entry_id: int | None = None  # the entry it is of (none for a section)


_MD_IMAGE = re.compile(r"!\[[^\[\]\n]{0,200}\]\([^()\s]{1,2000}\)")


def opening(passages: Sequence[tuple[Span, str, str]], label: str = "",
            most: int = 600) -> Said | None:
    """The opening words of a note from its first `passages` (span, text, kind) as ingest read
    them (`Store.opening_passages`: HTML, reStructuredText and a notebook as their text, a
    badge or a front matter block left out), at most about `most` characters, cut at a word,
    with the lines they come from; None when they say nothing but the entry's `label`. A
    passage that only repeats the title is no opening words; code before any words is left
    out, and code after some ends them with " …" (round 43 ran the words before a code block,
    "that is a few lines:", into the list after it). Each passage is a paragraph of its own
    and a list's items stay one a line (`_lines`): one run of words before."""
    title = normalize(label)
    pieces: list[str] = []
    spans: list[Span] = []
    more = False
    for span, text, kind in passages:
        if kind == "code":
            if pieces:
                more = True
                break
            continue
        # a Markdown link as its label, an image left out (a reStructuredText note may hold
        # them as text: "- [Probability Cheatsheet PDF](http://...) ![First Page](...)")
        found = _lines(_MD_LINK.sub(r"\1", _MD_IMAGE.sub("", text)), most * 2)
        if not found or normalize(found) == title:
            continue
        pieces.append(found)
        spans.append(span)
        if sum(len(p) + 2 for p in pieces) > most:
            break
    if not spans:
        return None
    first, last = spans[0], spans[-1]
    text = _cut_lines("\n\n".join(pieces), most)
    if more and not text.endswith("…"):
        text += " …"
    return Said(text, Span(first.path, first.start_line, max(last.end_line, first.start_line)),
                "opening")


_ITEM = re.compile(r"(?:[-*+•]|\d{1,3}[.)])\s")  # a line that opens a list item


def _lines(text: str, limit: int) -> str:
    """`text` as `plain` reads it, but its paragraphs apart ("\n\n") and each list item on
    a line of its own; a line that continues an item or a paragraph joins it."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if not line:
                continue
            if lines and not _ITEM.match(line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        flat = [plain(line, limit) for line in lines]
        if any(flat):
            paragraphs.append("\n".join(line for line in flat if line))
    return "\n\n".join(paragraphs)


def _cut_lines(text: str, limit: int) -> str:
    """`text` cut as `plain` cuts it, its line breaks kept."""
    if len(re.sub(r"\s+", " ", text)) <= limit:
        return text
    flat = plain(text, limit)  # where plain cuts: after this many words
    kept = len(flat.removesuffix(" …").split())
    words = list(re.finditer(r"\S+", text))
    return text[:words[kept - 1].end()] + " …" if kept else flat


def preview(said: Sequence[Said]) -> Said | None:
    """The one text to show of what a concept `said` (`Grimoire.preview`): its first
    definition, else its first page section's text, else its first note's opening words."""
    return next((s for kind in ("definition", "section", "opening") for s in said
                 if s.kind == kind), None)


def same_as(hits: Sequence[Hit]) -> list[int | None]:
    """For each of `hits`, the number (from 1) of an earlier hit showing the same words of the
    same passage, else None. A page's title and its first section have the same words there
    (the page opens with that section: `Grimoire.said`), and `told_apart` leaves them alike:
    the faces show the later one as "the same passage as 3. Activation Functions", not the
    snippet again."""
    first: dict[tuple[int, str, str, int], int] = {}
    out: list[int | None] = []
    for n, h in enumerate(hits, 1):
        key = (h.passage_id, h.snippet, h.span.path, h.span.start_line)
        out.append(first.get(key) if h.snippet.strip() else None)
        first.setdefault(key, n)
    return out


def told_apart(kb: Grimoire, hits: Sequence[Hit], query: str) -> list[Hit]:
    """`hits` as every face lists them (the CLI, `--json`, the web page and `/api/search`,
    MCP): where one passage shows several concepts (a `<dl>` of three terms, a glossary line
    naming two), each of them shows its own words in it, the entry of it written there, with
    that entry's lines, marked as the search marks them. Three concepts showed one snippet
    one after another (Pre-tokenization, Vocabulary and Merge rule the same "Vocabulary The
    fixed list of tokens …", round 50), and nothing told which was which. A concept with no
    words of its own in the passage (a page that links to it) keeps the passage when it is
    the first hit to show it, else shows its preview (`Grimoire.preview`), from wherever that
    is written. Every concept searched for stays, in its place."""
    from grimoire.search import MARKED, NO_PASSAGE, snippet

    shared = Counter(h.passage_id for h in hits
                     if h.passage_id != NO_PASSAGE and h.concept_id is not None)
    if all(n < 2 for n in shared.values()):
        return list(hits)
    words = {w.casefold() for w in re.findall(r"\w+", query)}
    words |= {w.casefold() for h in hits for w in MARKED.findall(h.snippet)}
    out: list[Hit] = []
    seen: set[int] = set()
    for h in hits:
        if shared.get(h.passage_id, 0) < 2 or h.concept_id is None:
            out.append(h)
            continue
        first = h.passage_id not in seen
        seen.add(h.passage_id)
        try:
            said = kb.said(kb.concept(h.concept or "", concept_id=h.concept_id))
        except NotFound:  # renamed since the search (a note edited meanwhile): as it was
            out.append(h)
            continue
        own = next((s for s in said if s.kind != "section" and s.span.path == h.span.path
                    and h.span.start_line <= s.span.start_line <= h.span.end_line
                    and s.text.strip()), None)
        shown = own if own is not None or first else preview(said)
        if shown is None or not shown.text.strip():
            out.append(h)
            continue
        out.append(replace(h, text=shown.text, span=shown.span,
                           entry_id=shown.entry_id if shown.entry_id is not None else h.entry_id,
                           snippet=snippet(shown.text, words)))
    return out
