"""Plain-text glossaries, in the two styles people copy out of web glossaries.

Style "term-hash" (a glossary site's letter page saved as text):

- ``L#`` alone on a line (one letter or digit, then ``#``) is a letter heading.
- ``Term Name (ACRONYM) Kind#`` starts an entry. A heading line ends with ``#``, holds no other
  ``#``, starts with a letter or digit and has none of ``= { } ; < > | " `` (code never passes:
  ``# pip install x`` starts with ``#``, ``x = 1  #`` has ``=`` and a space before the ``#``).
  The whole line minus ``#`` is ``Entry.term``; aliases, acronyms and kind words are left to
  a later stage.
- ``~ text`` lines are short glosses (``Entry.glosses``), kept out of ``Entry.definition``.
- ``More at:`` (also ``More at;``, ``More at :``, ``More at``) opens a list of references:
  ``- label - URL`` gives ``Reference(label, URL)``; ``- URL`` takes its label from the latest
  label-only line (``- articles``) above it, which is a caption, not a reference.
- ``See also L, A, [B]`` gives see-also links: the leading index letter is dropped, ``...``
  means none, a bracketed name has no entry yet (``exists_hint=False``) and a plain one does
  (``exists_hint=True``). ``Contrast with X.`` gives a ``CONTRAST`` link.
- ``See X`` as a whole definition makes the entry a redirect to X.
- Liquid tags ``{% youtube "URL" %}`` become references and leave the text.
- Empty entries (a heading followed by another heading or by ``See also`` only) are entries.

Style "term-paragraph" (a personal web glossary copied as text): an optional title line,
then blocks separated by blank lines. A *term line* is a block of one line of at most 80
characters and 10 words, with a letter, no ``$``, no list marker and no sentence-final
punctuation (``. ! ? : ; ,``). A term line starts an entry; the blocks after it up to the next
term line are its definition, and the first block after a term is always its definition,
even if it looks like a term (a short definition without a final period), unless the block
after *that* is a paragraph: then the term is empty and the term-like block starts the next
entry. The first line is the title when the block after it is also a term line.

In both styles: ``$...$`` / ``$$...$$`` on one line are math (kept in the text; an opening
``$`` is followed and a closing one preceded by a non-space, and a closing ``$`` is not
followed by a digit, so ``$37.5 million`` is money). ``[term]`` is a ``BRACKET`` link and is
reduced to ``term`` in clean text. Not links, and left in the text as written: brackets
inside math, task boxes (``[ ]``, ``[x]``), footnote and number markers (``[1]``, ``[0]``,
``[^2]``), intervals and shapes (``[0, 1]``, ``[N, k]``), single letters, and lost-link
markers (``[yt]``, ``[video]``, ``[paper]`` ...), which are recorded as
``Reference(label, url="")``. Web addresses in text become ``URL`` links.

Passages: one per entry under ``(letter, term)`` or ``(term,)`` (more when an entry passes
2000 characters), holding the glosses and definition; ``More at`` lists and ``See also``
lines live only on the entry. A stray bracket in a see-also name is a Problem.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TypeVar

from grimoire.model import Document, Entry, Link, LinkKind, Math, Passage, Problem, Reference, Span
from grimoire.readers.base import collapse, decode, ended
from grimoire.readers.conventions import SEE_ALSO_LINE

_Record = TypeVar("_Record", Link, Math, Reference)

name = "glossary"
extensions = (".glossary",)

STYLE_TERM_HASH = "term-hash"
STYLE_TERM_PARAGRAPH = "term-paragraph"

_PASSAGE_TARGET = 1000  # merge lines into a passage up to about this many characters
_PASSAGE_MAX = 2000  # never more than this in one passage

_LETTER_HEADING = re.compile(r"[A-Za-z0-9]#")
_ENTRY_HEADING = re.compile(r"[A-Za-z0-9][^#\n]{0,150}#")
_CODE_CHARS = frozenset('={};<>|"`')
_MORE_AT = re.compile(r"More at\s*[:;]?", re.IGNORECASE)
_SEE_ALSO = re.compile(SEE_ALSO_LINE.pattern + "(.*)", re.IGNORECASE)
_BRACKET = re.compile(r"\[([^\[\]\n]{0,300})\]")
_URL = re.compile(r"https?://[^\s<>\"'\[\]]+")
_LIQUID = re.compile(r"\{%\s*(\w{1,40})\s+[\"']([^\"'\n]{0,2000})[\"'][^%\n]{0,200}%\}")
_ONLY_DOTS = re.compile(r"\.{2,}|…")
_FOOTNOTE = re.compile(r"\^?[0-9ivx]{1,4}", re.IGNORECASE)
_TERM_END = tuple(".!?:;,")
_DASHES = "-\u2013\u2014"  # hyphen, en dash, em dash
_LIST_START = ("- ", "* ", "• ", "+ ", "> ", "#", "|", "<", "![", "{")

# Bracketed words that stand for a link whose address was lost when the page was copied.
_REFERENCE_MARKERS = frozenset(
    {
        "yt", "youtube", "video", "vid", "link", "paper", "pdf", "source", "src", "ref",
        "slides", "blog", "article", "here", "url", "web", "site", "demo", "github", "arxiv",
        "wiki", "notebook", "colab", "tweet", "podcast", "talk", "doc", "docs",
    }
)  # fmt: skip


# ---------------------------------------------------------------- line marks


@dataclass(slots=True)
class _Marks:
    """Links, math and references found in some lines, with the clean text of each line."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    math: list[Math] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


def _math_spans(line: str) -> list[tuple[int, int, bool]]:
    """(start, end, display) of each `$...$` / `$$...$$` in one line; linear in the line."""
    spans: list[tuple[int, int, bool]] = []
    dollars = [i for i, c in enumerate(line) if c == "$" and (i == 0 or line[i - 1] != "\\")]
    k = 0
    while k < len(dollars):
        a = dollars[k]
        if k + 1 < len(dollars) and dollars[k + 1] == a + 1:  # `$$`: display math
            end = line.find("$$", a + 2)
            if end < 0:
                break  # no `$$` after this one, so none after any later one either
            spans.append((a, end + 2, True))
            k = next((j for j in range(k + 2, len(dollars)) if dollars[j] >= end + 2), len(dollars))
            continue
        if a + 1 >= len(line) or line[a + 1].isspace():
            k += 1
            continue
        # A closer's validity does not depend on the opener, so when none is found the
        # search is over: this keeps `$1$1$1...` linear.
        j = k + 1
        while j < len(dollars):
            b = dollars[j]
            after = line[b + 1] if b + 1 < len(line) else ""
            if b > a + 1 and not line[b - 1].isspace() and not after.isdigit():
                break
            j += 1
        if j >= len(dollars):
            break
        spans.append((a, dollars[j] + 1, False))
        k = j + 1
    return spans


def _bracket_kind(inner: str) -> str:
    """'link', 'marker' (a lost link: a reference) or 'text' for the inside of `[...]`."""
    word = inner.strip()
    if word.lower() in _REFERENCE_MARKERS:
        return "marker"
    if len(word) < 2 or not any(c.isalpha() for c in word) or _FOOTNOTE.fullmatch(word):
        return "text"  # task boxes, footnotes, numbers, single letters
    if any(c in _CODE_CHARS or c in "\\$@^" for c in word):
        return "text"
    if "," in word and all(len(part.strip()) <= 3 for part in word.split(",")):
        return "text"  # intervals and shapes: [0, 1], [N, k], [0, inf]
    return "link"


def _strip_url(url: str) -> str:
    url = url.rstrip(".,;:!?")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;:!?")
    return url


def _scan(marks: _Marks, lineno: int, line: str, path: str) -> None:
    """Record the marks of one line in `marks` and append its clean text."""
    span = Span(path, lineno, lineno)
    for m in _LIQUID.finditer(line):
        marks.references.append(Reference(m.group(1), m.group(2).strip(), span))
    line = _LIQUID.sub("", line)
    maths = _math_spans(line)
    for a, b, display in maths:
        tex = line[a + 2 : b - 2] if display else line[a + 1 : b - 1]
        marks.math.append(Math(tex.strip(), display, span))

    starts = [a for a, _, _ in maths]

    def in_math(pos: int) -> bool:
        k = bisect_right(starts, pos) - 1  # spans are sorted and disjoint
        return k >= 0 and pos < maths[k][1]

    out: list[str] = []
    last = 0
    for m in _BRACKET.finditer(line):
        if in_math(m.start()):
            continue
        if m.end() < len(line) and line[m.end()] == "(":
            continue  # [label](target): not this format's link
        kind = _bracket_kind(m.group(1))
        if kind == "marker":
            marks.references.append(Reference(m.group(1).strip(), "", span))
        elif kind == "link":
            target = collapse(m.group(1))
            marks.links.append(Link(target, LinkKind.BRACKET, span))
            out.append(line[last : m.start()])
            out.append(target)
            last = m.end()
    out.append(line[last:])
    for m in _URL.finditer(line):
        if not in_math(m.start()):
            marks.links.append(Link(_strip_url(m.group(0)), LinkKind.URL, span))
    marks.lines.append((lineno, "".join(out).rstrip()))


def _scan_lines(lines: Iterable[tuple[int, str]], path: str) -> _Marks:
    marks = _Marks()
    for lineno, line in lines:
        _scan(marks, lineno, line, path)
    return marks


# ---------------------------------------------------------------- passages


def _pieces(text: str) -> list[str]:
    """A line longer than the passage limit, cut at sentence ends, else at spaces."""
    # Cut by index: slicing the rest off at each cut copied it, quadratic on one long line.
    pieces: list[str] = []
    at = 0
    while len(text) - at > _PASSAGE_TARGET:
        limit = at + _PASSAGE_TARGET
        cut = text.rfind(". ", at, limit) + 1
        if not cut:
            cut = text.rfind(" ", at, limit)
            if cut <= at:
                cut = limit
        pieces.append(text[at:cut].strip())
        at = cut
    if text[at:].strip():
        pieces.append(text[at:].strip())
    return pieces


def _chunks(lines: Sequence[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Group lines into passages: all in one if it fits, else about 1000 characters each."""
    if sum(len(t) + 1 for _, t in lines) <= _PASSAGE_MAX:
        return [list(lines)]
    flat: list[tuple[int, str]] = []
    for lineno, t in lines:
        flat.extend((lineno, p) for p in (_pieces(t) if len(t) > _PASSAGE_MAX else [t]))
    chunks: list[list[tuple[int, str]]] = [[]]
    size = 0
    for lineno, t in flat:
        if chunks[-1] and size + len(t) > _PASSAGE_TARGET:
            chunks.append([])
            size = 0
        chunks[-1].append((lineno, t))
        size += len(t) + 1
    return chunks


def _passages(marks: _Marks, heading_path: tuple[str, ...], path: str) -> list[Passage]:
    lines = [(n, t) for n, t in marks.lines if t.strip()]
    out: list[Passage] = []
    claimed = 0  # a long line cut into several passages gives its marks to the first one
    for chunk in _chunks(lines) if lines else []:
        first, last = max(chunk[0][0], claimed + 1), chunk[-1][0]
        out.append(
            Passage(
                text="\n".join(t for _, t in chunk).strip(),
                span=Span(path, chunk[0][0], last),
                heading_path=heading_path,
                links=_between(marks.links, first, last),
                math=_between(marks.math, first, last),
                references=_between(marks.references, first, last),
            )
        )
        claimed = last
    return out


def _between(records: list[_Record], first: int, last: int) -> tuple[_Record, ...]:
    """The records (sorted by line) whose line is in first..last."""
    lo = bisect_left(records, first, key=_line)
    hi = bisect_right(records, last, key=_line)
    return tuple(records[lo:hi])


def _line(record: Link | Math | Reference) -> int:
    return record.span.start_line


def _after(prefix: str, line: str) -> str | None:
    """The rest of `line` after `prefix` (any case) and a space, without a final period.

    Plain string work, not a regex: `\\s+(.+?)\\s*\\.?` backtracks quadratically on long
    runs of spaces (RELIABILITY case 37).
    """
    line = line.strip()
    if len(line) > 300 or not line.lower().startswith(prefix):
        return None
    if line[len(prefix) : len(prefix) + 1] not in (" ", "\t"):
        return None
    rest = collapse(line[len(prefix) :].rstrip(".").strip())
    return rest or None


def _redirect(definition: str) -> str | None:
    """X when a whole definition is `See X`, `See: X` or `See [X].`."""
    rest = _after("see:", definition) or _after("see", definition)
    if rest is None or rest.lower().startswith("also"):
        return None
    if rest.startswith("[") and rest.endswith("]"):
        rest = rest[1:-1].strip()
    return None if not rest or "[" in rest or "]" in rest else rest


# ---------------------------------------------------------------- style "term-hash"


def _is_letter_heading(line: str) -> bool:
    return len(line) == 2 and _LETTER_HEADING.fullmatch(line) is not None


def _is_entry_heading(line: str) -> bool:
    if len(line) < 2 or len(line) > 152 or not line.endswith("#") or line.endswith(" #"):
        return False
    return _ENTRY_HEADING.fullmatch(line) is not None and not (_CODE_CHARS & set(line))


def _see_also(rest: str, span: Span, problems: list[Problem]) -> list[Link]:
    """The links of a `See also L, A, [B]` line."""
    rest = rest.strip()
    if not rest or _ONLY_DOTS.fullmatch(rest):
        return []
    links: list[Link] = []
    for k, raw in enumerate(rest.split(",")):
        item = raw.strip()
        if not item or _ONLY_DOTS.fullmatch(item):
            continue
        if k == 0 and len(item) == 1 and item.isalpha():
            continue  # the letter index of the site, not a term
        if item.startswith("[") and item.endswith("]") and item.count("[") == 1:
            target = collapse(item[1:-1])
            if target:
                links.append(Link(target, LinkKind.SEE_ALSO, span, exists_hint=False))
            continue
        if "[" in item or "]" in item:
            # e.g. two names run together by a lost comma: `Encoder]Latent Variable`.
            problems.append(Problem(f"stray bracket in see-also name {item!r}", span))
            for part in re.split(r"[\[\]]", item):
                if part.strip():
                    links.append(Link(collapse(part), LinkKind.SEE_ALSO, span))
            continue
        links.append(Link(collapse(item), LinkKind.SEE_ALSO, span, exists_hint=True))
    return links


def _reference(item: str, caption: str, span: Span) -> tuple[Reference | None, str]:
    """A `- label - URL` line as a Reference (None for a caption) and the caption to carry on."""
    m = _URL.search(item)
    if m is None:
        return None, item.strip().rstrip(_DASHES + ": ").strip()
    label = item[: m.start()].strip().rstrip(_DASHES + ":").strip()
    return Reference(label or caption, _strip_url(m.group(0)), span), caption


@dataclass(slots=True)
class _RawEntry:
    term: str
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)


def _build_entry(
    raw: _RawEntry, letter: str, path: str, problems: list[Problem]
) -> tuple[Entry, list[Passage]]:
    glosses: list[tuple[int, str]] = []
    text: list[tuple[int, str]] = []
    see_also: list[Link] = []
    references: list[Reference] = []
    contrasts: list[Link] = []
    in_refs = False
    caption = ""
    for lineno, line in raw.body:
        stripped = line.strip()
        span = Span(path, lineno, lineno)
        if _MORE_AT.fullmatch(stripped):
            in_refs, caption = True, ""
            continue
        if in_refs and stripped.startswith("-"):
            ref, caption = _reference(stripped[1:], caption, span)
            if ref is not None:
                references.append(ref)
            continue
        in_refs = False
        see = _SEE_ALSO.fullmatch(stripped)
        if see:
            see_also.extend(_see_also(see.group(1), span, problems))
        elif stripped.startswith("~"):
            glosses.append((lineno, stripped[1:].strip()))
        else:
            contrast = _after("contrast with", stripped)
            if contrast:
                contrasts.append(Link(contrast, LinkKind.CONTRAST, span))
            text.append((lineno, line))
    marks = _scan_lines(sorted(glosses + text), path)
    marks.links = sorted(marks.links + contrasts, key=_line)
    gloss_lines = {n for n, _ in glosses}
    definition = "\n".join(t for n, t in marks.lines if n not in gloss_lines).strip()
    redirect = _redirect(definition) if definition.count("\n") == 0 else None
    if redirect and not any(x.target == redirect for x in marks.links):
        line_no = next(n for n, t in marks.lines if n not in gloss_lines and t.strip())
        see_also.insert(0, Link(redirect, LinkKind.SEE_ALSO, Span(path, line_no, line_no)))
    # The span ends at the last non-blank line: blank lines before the next heading are not it.
    end = max((n for n, line in raw.body if line.strip()), default=raw.line)
    heading_path = (letter, raw.term) if letter else (raw.term,)
    entry = Entry(
        term=raw.term,
        definition=definition,
        span=Span(path, raw.line, end),
        glosses=tuple(t for n, t in marks.lines if n in gloss_lines and t),
        see_also=tuple(see_also),
        links=tuple(marks.links),
        math=tuple(marks.math),
        references=tuple(marks.references + references),
        redirect=redirect,
    )
    # A gloss heads the definition under it: ended, so the passage does not read "... to look
    # at Lets every position ..." when its lines are joined (read51); the entry keeps it bare
    marks.lines = [(n, ended(t.rstrip()) if n in gloss_lines else t) for n, t in marks.lines]
    return entry, _passages(marks, heading_path, path)


def _read_term_hash(text: str, path: str) -> Document:
    lines = text.split("\n")
    entries: list[Entry] = []
    passages: list[Passage] = []
    problems: list[Problem] = []
    letter = ""
    raw: _RawEntry | None = None
    loose: list[tuple[int, str]] = []  # text before the first entry under a letter

    def flush() -> None:
        nonlocal raw, loose
        if loose:
            passages.extend(_passages(_scan_lines(loose, path), (letter,) if letter else (), path))
            loose = []
        if raw is not None:
            entry, entry_passages = _build_entry(raw, letter, path, problems)
            entries.append(entry)
            passages.extend(entry_passages)
            raw = None

    for lineno, line in enumerate(lines, start=1):
        heading = line.strip()
        if _is_letter_heading(heading):
            flush()
            letter = heading[:-1]
        elif _is_entry_heading(heading):
            flush()
            raw = _RawEntry(collapse(heading[:-1]), lineno)
        elif raw is not None:
            raw.body.append((lineno, line))
        elif heading:
            loose.append((lineno, line))
    flush()
    return Document(
        path=path,
        format=name,
        title=PurePath(path).stem,
        passages=tuple(passages),
        entries=tuple(entries),
        problems=tuple(problems),
        meta={"style": STYLE_TERM_HASH},
    )


# ---------------------------------------------------------------- style "term-paragraph"

_Block = list[tuple[int, str]]


def _blocks(lines: Sequence[str]) -> list[_Block]:
    """Runs of non-blank lines, each line with its 1-based number."""
    blocks: list[_Block] = []
    current: _Block = []
    for lineno, line in enumerate(lines, start=1):
        if line.strip():
            current.append((lineno, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_term_line(block: _Block, max_chars: int = 80, max_words: int = 10) -> bool:
    if len(block) != 1:
        return False
    line = block[0][1].strip()
    return (
        0 < len(line) <= max_chars
        and len(line.split()) <= max_words
        and any(c.isalpha() for c in line)
        and "$" not in line
        and not line.startswith(_LIST_START)
        and not line.endswith(_TERM_END)
    )


def _read_term_paragraph(text: str, path: str) -> Document:
    lines = text.split("\n")
    blocks = _blocks(lines)
    title = PurePath(path).stem
    start = 0
    if len(blocks) >= 2 and _is_term_line(blocks[0]) and _is_term_line(blocks[1]):
        title = blocks[0][0][1].strip()
        start = 1
    entries: list[Entry] = []
    passages: list[Passage] = []
    problems: list[Problem] = []
    is_term = [_is_term_line(b) for b in blocks]
    i = start
    while i < len(blocks):
        if not is_term[i]:
            # A paragraph before any term line: kept as text, but it defines nothing.
            passages.extend(_passages(_scan_lines(blocks[i], path), (), path))
            i += 1
            continue
        term_line, term = blocks[i][0][0], collapse(blocks[i][0][1])
        body: list[_Block] = []
        j = i + 1
        empty = j >= len(blocks) or (is_term[j] and j + 1 < len(blocks) and not is_term[j + 1])
        if not empty:
            body.append(blocks[j])
            j += 1
            while j < len(blocks) and not is_term[j]:
                body.append(blocks[j])
                j += 1
        else:
            where = Span(path, term_line, term_line)
            problems.append(Problem(f"term {term!r} has no definition", where))
        body_lines = [pair for block in body for pair in block]
        marks = _scan_lines(body_lines, path)
        # Paragraphs apart by a blank line stay apart in the text.
        blank_after = {block[-1][0] for block in body[:-1]}
        definition = "\n".join(
            t + ("\n" if n in blank_after else "") for n, t in marks.lines
        ).strip()
        end = body_lines[-1][0] if body_lines else term_line
        redirect = _redirect(definition) if "\n" not in definition else None
        entries.append(
            Entry(
                term=term,
                definition=definition,
                span=Span(path, term_line, end),
                links=tuple(marks.links),
                math=tuple(marks.math),
                references=tuple(marks.references),
                redirect=redirect,
            )
        )
        passages.extend(_passages(marks, (term,), path))
        i = j
    return Document(
        path=path,
        format=name,
        title=title,
        passages=tuple(passages),
        entries=tuple(entries),
        problems=tuple(problems),
        meta={"style": STYLE_TERM_PARAGRAPH},
    )


# ---------------------------------------------------------------- detection and entry point


def _looks_term_hash(head: str) -> bool:
    """Letter heading and entry headings, or many entry headings with `See also` lines."""
    lines = [line.strip() for line in head.split("\n")]
    nonblank = [line for line in lines if line]
    if not nonblank or nonblank[0] == "---" or nonblank[0].startswith("<"):
        return False
    letter_first = any(_is_letter_heading(line) for line in nonblank[:5])
    headings = sum(1 for line in nonblank if _is_entry_heading(line))
    see_also = sum(1 for line in nonblank if line.startswith("See also"))
    if letter_first and headings >= 2:
        return True
    return headings >= 5 and (see_also >= 3 or headings * 10 >= len(nonblank))


def _looks_term_paragraph(head: str) -> bool:
    """A short first line, then mostly `term line / blank / paragraph` pairs."""
    blocks = _blocks(head.split("\n"))
    if len(blocks) > 4:
        blocks = blocks[:-1]  # the head may cut the last block short
    if len(blocks) < 7 or not _is_term_line(blocks[0], 60, 8):
        return False
    rest = blocks[1:]
    pairs = 0
    k = 0
    while k + 1 < len(rest):
        term, para = rest[k], rest[k + 1]
        first = para[0][1].strip()
        if (
            _is_term_line(term, 60, 8)
            and not _is_term_line(para)
            and len(first) >= 20
            and not first.startswith(_LIST_START)
            and not first[:1].isdigit()
        ):
            pairs += 1
            k += 2
        else:
            k += 1
    return pairs >= 3 and 2 * pairs >= 0.8 * len(rest)


def sniff(head: str, path: str) -> bool:
    """Either glossary style; specific enough to be tried on any `.txt` file."""
    return _looks_term_hash(head) or _looks_term_paragraph(head)


def read(data: bytes, path: str) -> list[Document]:
    """One document: the glossary's entries, one passage per entry (more if it is long)."""
    text = decode(data, path)
    if _looks_term_hash(text):
        return [_read_term_hash(text, path)]
    if _looks_term_paragraph(text):
        return [_read_term_paragraph(text, path)]
    # Forced or `.glossary` files too small to judge: any `Term#` heading decides.
    if any(_is_entry_heading(line.strip()) for line in text.split("\n")):
        return [_read_term_hash(text, path)]
    return [_read_term_paragraph(text, path)]
