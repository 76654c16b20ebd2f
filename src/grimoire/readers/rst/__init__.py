"""reStructuredText, as Sphinx sites write it; docutils parses, this module reads the tree.

Parsing is locked down: no `include` or file reads (``file_insertion_enabled`` off), no raw
HTML (``raw_enabled`` off), no docutils.conf, nothing printed; docutils' messages of level
warning and up become `Problem`s with their line (at most `_MAX_PROBLEMS` per file).

Sphinx writes directives and roles docutils does not know. They are handled by a parser of
our own (`_rst_sphinx`), so they never fail and docutils' global registries are not touched:

- ``.. glossary::``: each item (term lines, then an indented definition) is one `Entry`;
  several term lines on consecutive lines are one entry, the later ones its `aliases` (the
  format says so explicitly).
- A definition list is a list of entries when it sits under a heading (or rubric) whose
  title says glossary, terminology, vocabulary, lexicon or definitions. Elsewhere it is an
  ordinary list passage: in the sites we read, a definition list inside an article names the
  symbols of a formula (``Weight``, ``Bias``), whose definitions only hold in that article.
- ``:ref:`` and ``:term:`` give `LinkKind.REF` links, ``:doc:`` `LinkKind.DOC`, target as
  written, label when the ``text <target>`` form gives one; the clean text shows the label,
  or the target when there is none. ``.. toctree::`` entries are DOC links.
  Other unknown roles (``:py:func:``, ``:kbd:`` ...) keep their text and give no link.
- ``:math:`` and ``.. math::`` give `Math` records, kept as ``$...$`` / ``$$...$$``.
- ``.. code-block::``, ``::`` literal blocks and doctest blocks are passages of kind "code".
- ``.. image::`` / ``.. figure::`` give `Image` records (a figure's caption is its caption).
- Other unknown directives keep their argument and content as text; ``literalinclude`` (a
  file read), ``index``, ``highlight`` and module markers give nothing.
- ``.. rubric::`` is a heading without a section: it joins the heading path of what follows
  it, up to the next rubric or section.

Sections, with any adornment, give the heading path; the first section's title is the
document's title, and is also the first element of the heading paths under it. Nikola's
metadata comments at the top of a page (``.. title: X``, ``.. slug: x``, ``.. date: ...``)
name it instead, and go to `meta` (round 51: a Nikola site's pages were each named by their
first section, which then said the whole page).
Explicit labels (``.. _name:``) are listed in ``Document.meta["labels"]`` (label -> section
title or term), so that ``:ref:`` links can be resolved; docinfo fields go to `meta` too.

Blocks (paragraph, list, table, code, math, admonition, figure ...) come from `_rst_tree`;
neighbouring blocks under one heading path merge into passages of about 1000 characters,
code stays alone, and a block over 2000 characters is cut at paragraph, line, then sentence
boundaries. A glossary entry's definition is also a passage, under the heading path plus
the term. A file with a line over 10000 characters or indented over 160 columns is read as
plain paragraphs, with a Problem: docutils refuses the first and nests a state machine per
level of the second until it runs out of stack.
"""

from __future__ import annotations

import ast
import functools
import io
import os
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from docutils import frontend, nodes, utils, writers
from docutils.core import Publisher, publish_doctree

from grimoire.model import (
    Document,
    Image,
    Link,
    Math,
    Passage,
    Problem,
    Reference,
    Span,
)
from grimoire.readers import sniffs
from grimoire.readers.base import collapse, decode, nikola_metadata
from grimoire.readers.conventions import WORD
from grimoire.readers.labels import link_local_labels
from grimoire.readers.markdown._macros import _NOTE_GROWTH, _rewritten, definitions, expand
from grimoire.readers.rst import _sphinx as _rst_sphinx
from grimoire.readers.rst._tree import Block, Record, Walker, indent
from grimoire.readers.sections import add_section_entries

name = "rst"
extensions = sniffs.RST_EXTENSIONS
sniff = sniffs.rst

_PASSAGE_TARGET = 1000  # merge blocks into a passage up to about this many characters
_PASSAGE_MAX = 2000  # never more than this in one passage
_MAX_PROBLEMS = 100
# docutils refuses a document with a longer line; its inline parser is slow on such lines.
_LINE_LIMIT = 10000
_MAX_INDENT = 160  # columns; Sphinx sources stay far below, hostile nesting goes far above

_SETTINGS: dict[str, Any] = {
    "report_level": 5,  # never print
    "halt_level": 5,  # never raise on a message
    "exit_status_level": 5,
    "traceback": True,  # raise instead of calling sys.exit
    "file_insertion_enabled": False,  # `include`, `csv-table :file:` and the like read nothing
    "raw_enabled": False,
    "_disable_config": True,  # no docutils.conf
    "doctitle_xform": False,  # keep the title a section: it is a real heading in the file
    "sectsubtitle_xform": False,
    "syntax_highlight": "none",  # no Pygments: faster, no "unknown lexer" messages
    "smart_quotes": False,
    "line_length_limit": _LINE_LIMIT,
    "language_code": "en",
}

_WORD = WORD


@functools.cache
def _default_settings() -> frontend.Values:
    """docutils' settings for our components and `_SETTINGS`, built once per process.

    Building them runs an `optparse` parser over every component's options: a third of the
    time of reading a short page, when done per file as `settings_overrides` does.
    """
    publisher = Publisher(_rst_sphinx.DocReader(), _rst_sphinx.SphinxParser(lambda _m: None),
                          writers.get_writer_class("null")())
    settings: frontend.Values = publisher.get_settings(**_SETTINGS)
    return settings


def _settings() -> frontend.Values:
    """A copy of the default settings for one document, with its own mutable parts."""
    settings: frontend.Values = _default_settings().copy()
    settings.warning_stream = io.StringIO()
    settings.record_dependencies = utils.DependencyList()
    return settings

def _read_file(data: bytes, path: str) -> list[Document]:
    text = decode(data, path)
    lines = text.split("\n")
    too_long = next((n for n, line in enumerate(lines, 1) if len(line) > _LINE_LIMIT), None)
    if too_long:
        return [_fallback(text, path, f"line longer than {_LINE_LIMIT} characters", too_long)]
    too_deep = next((n for n, line in enumerate(lines, 1) if indent(line) > _MAX_INDENT), None)
    if too_deep:
        # docutils nests a state machine per level: slow, then out of stack.
        return [_fallback(text, path, f"indented more than {_MAX_INDENT} columns", too_deep)]
    messages: list[nodes.system_message] = []
    try:
        tree = publish_doctree(
            text,
            source_path=path,
            reader=_rst_sphinx.DocReader(),
            parser=_rst_sphinx.SphinxParser(messages.append),
            settings=_settings(),
        )
    except Exception as e:  # docutils has no error hierarchy for its own failures
        # One file docutils trips over must not stop a batch: keep its text readable.
        return [_fallback(text, path, f"reStructuredText parser failed ({type(e).__name__}: {e})")]
    walker = Walker(path, lines, tree)
    walker.walk()
    problems = _problems(messages, walker.problems, path)
    comments = nikola_metadata(lines)
    return [
        Document(
            path=path,
            format=name,
            title=comments.get("title") or walker.title or PurePath(path).stem,
            passages=tuple(_passages(walker.blocks, lines, path)),
            entries=tuple(walker.entries),
            meta={**comments, **walker.meta},
            problems=problems,
        )
    ]


def _fallback(text: str, path: str, why: str, line: int = 1) -> Document:
    """Paragraphs as plain text, for a file docutils cannot parse."""
    passages: list[Passage] = []
    start: int | None = None
    lines = text.split("\n")
    for i, row in enumerate([*lines, ""], start=1):
        if row.strip() and start is None:
            start = i
        elif not row.strip() and start is not None:
            body = "\n".join(lines[start - 1 : i - 1]).strip()
            passages.extend(_split_plain(body, Span(path, start, i - 1)))
            start = None
    first = next((p.text.split("\n")[0][:200] for p in passages), PurePath(path).stem)
    problem = Problem(why + "; read as plain text", Span(path, line, line))
    return Document(
        path=path, format=name, title=first, passages=tuple(passages), problems=(problem,)
    )


def _split_plain(body: str, span: Span) -> Iterator[Passage]:
    for piece in _pieces(body):
        yield Passage(text=piece, span=span)


# Where a rule (`------`) stands, as docutils complains of it: the start or the end of the
# page, or beside another rule. A rule drawn for looks, which loses nothing of the text (round
# 35: a notes site's draft essays open with one; each was "1 warning").
_TRANSITION = re.compile(r"^(?:Transition at the start of the document|Document or section may "
                         r"not begin with a transition|Document may not end with a transition"
                         r"|At least one body element must separate transitions)")


def _problems(
    messages: list[nodes.system_message], own: list[Problem], path: str
) -> tuple[Problem, ...]:
    seen: dict[tuple[str, int], Problem] = {}
    for msg in messages:
        if msg["level"] < 2:  # info and debug: not problems
            continue
        text = collapse(msg[0].astext()) if len(msg) else "reStructuredText problem"
        if _TRANSITION.search(text):
            continue
        line = msg.get("line") or 1
        seen.setdefault((text, line), Problem(text, Span(path, line, line)))
    for p in own:
        seen.setdefault((p.message, p.span.start_line), p)
    found = sorted(seen.values(), key=lambda p: p.span.start_line)
    if len(found) > _MAX_PROBLEMS:
        rest = len(found) - _MAX_PROBLEMS
        last = found[_MAX_PROBLEMS].span
        found = [*found[:_MAX_PROBLEMS], Problem(f"... and {rest} more problems", last)]
    return tuple(found)


# ---------------------------------------------------------------------- passages


def _passages(blocks: list[Block], lines: list[str], path: str) -> list[Passage]:
    """Merge small neighbouring blocks of one heading path; cut long ones; code stays alone."""
    out: list[Passage] = []
    pending: list[Record] = []  # records of text-less blocks (an image alone)
    current: Block | None = None
    for block in _cut(blocks, lines):
        if not block.text:
            if current is not None and current.heading_path == block.heading_path:
                current.records.extend(block.records)
                current.end = max(current.end, block.end)
            else:
                pending.extend(block.records)
            continue
        if pending:
            block.records[:0] = pending
            block.start = min(block.start, *(r.span.start_line for r in pending))
            pending = []
        if (
            current is not None
            and current.heading_path == block.heading_path
            and "code" not in (current.kind, block.kind)
            and len(current.text) + len(block.text) + 2 <= _PASSAGE_TARGET
        ):
            current.text += "\n\n" + block.text
            current.kind = current.kind if current.kind == block.kind else "text"
            current.end = max(current.end, block.end)
            current.records.extend(block.records)
            continue
        if current is not None:
            out.append(_passage(current, path))
        current = block
    if current is not None:
        current.records.extend(pending)
        out.append(_passage(current, path))
    elif pending and out:
        out[-1] = replace(
            out[-1], images=out[-1].images + tuple(r for r in pending if isinstance(r, Image))
        )
    return out


def _passage(block: Block, path: str) -> Passage:
    records = block.records
    return Passage(
        text=block.text,
        span=Span(path, block.start, max(block.start, block.end)),
        heading_path=block.heading_path,
        kind=block.kind,
        links=tuple(r for r in records if isinstance(r, Link)),
        math=tuple(r for r in records if isinstance(r, Math)),
        images=tuple(r for r in records if isinstance(r, Image)),
        references=tuple(r for r in records if isinstance(r, Reference)),
        language=block.language,
    )


def _cut(blocks: list[Block], lines: list[str]) -> Iterator[Block]:
    """Blocks longer than `_PASSAGE_MAX`, cut at paragraph, line, then sentence boundaries."""
    for block in blocks:
        if len(block.text) <= _PASSAGE_MAX:
            yield block
            continue
        pieces = _pieces(block.text)
        starts: list[int] = []
        cursor = block.start
        for piece in pieces:
            found = _locate(piece, lines, cursor, block.end)
            cursor = found or cursor
            starts.append(cursor)
        for k, piece in enumerate(pieces):
            start = starts[k]
            end = (
                block.end
                if k + 1 == len(pieces)
                else max(start, starts[k + 1] - (starts[k + 1] > start))
            )
            mine = [
                r
                for r in block.records
                if start <= r.span.start_line <= end
                and (k == 0 or r.span.start_line > starts[k - 1] or starts[k - 1] < start)
            ]
            yield Block(piece, block.kind, block.heading_path, start, end, mine, block.language)


def _pieces(text: str) -> list[str]:
    """`text` in pieces of at most `_PASSAGE_MAX` characters, each about `_PASSAGE_TARGET`."""
    units: list[tuple[str, str]] = []  # (separator before it, text)
    for para in text.split("\n\n"):
        sep = "\n\n"
        lines = [para] if len(para) <= _PASSAGE_TARGET else para.split("\n")
        for line in lines:
            for part in _sentences(line):
                units.append((sep, part))
                sep = " " if part is not line else "\n"
            sep = "\n"
    pieces: list[str] = []
    for sep, unit in units:
        if pieces and len(pieces[-1]) + len(unit) + 2 <= _PASSAGE_TARGET:
            pieces[-1] += sep + unit
        else:
            pieces.append(unit)
    return [p.strip() for p in pieces if p.strip()]


def _sentences(line: str) -> list[str]:
    # Cut by index: slicing the rest off at each cut copied it, quadratic on one long line.
    out: list[str] = []
    at = 0
    while len(line) - at > _PASSAGE_TARGET:
        limit = at + _PASSAGE_TARGET
        cut = line.rfind(". ", at, limit)
        if cut - at < _PASSAGE_TARGET // 4:
            cut = line.rfind(" ", at, limit)
        if cut - at < _PASSAGE_TARGET // 4:
            cut = limit - 1
        out.append(line[at : cut + 1].rstrip())
        at = cut + 1
        while at < len(line) and line[at].isspace():
            at += 1
    out.append(line if at == 0 else line[at:])
    return out


def _locate(piece: str, lines: list[str], start: int, end: int) -> int | None:
    """The first line in start..end holding the first words of `piece`, in order, as words."""
    probe = _WORD.findall(piece.lstrip().split("\n")[0][:200])[:3]
    if not probe:
        return None
    for n in range(start, min(end, len(lines)) + 1):
        words = iter(_WORD.findall(lines[n - 1]))
        if all(any(w == p for w in words) for p in probe):
            return n
    return None


def read(data: bytes, path: str) -> list[Document]:
    """Parse one file; sections that define their heading become entries (`sections`)."""
    docs = [link_local_labels(add_section_entries(doc)) for doc in _read_file(data, path)]
    if _DEFINES.search(prolog := _prolog_read(data, path)):
        # after the entries are found: the formulas written out are longer, and a section's
        # lead read for its definition would reach less far (a chapter lost one entry so)
        docs = [_with_macros(doc, definitions(prolog)[0]) for doc in docs]
    return docs


# A Sphinx project's `rst_prolog` (conf.py), the text Sphinx puts before each page: a book's
# notes define their TeX macros in it once, as a `.. math::` of `\newcommand`s (read55; qa54,
# a textbook's 27 chapters kept `\D`, `\x`, `\cds` in every formula).
_PROLOG = re.compile(r"^rst_prolog\s*=\s*([rRuU]?(?:'''.*?'''|\"\"\".*?\"\"\"))",
                     re.MULTILINE | re.DOTALL)
_DEFINES = re.compile(r"\\(?:(?:re)?newcommand|def|DeclareMathOperator)(?![A-Za-z])")
_CONF_UP = 3  # the folders above a page's looked in for its project's conf.py
_CONF_BYTES = 1 << 20


def project_prolog(path: str) -> str:
    """The `rst_prolog` of the Sphinx project the `.rst` page at `path` (on disk, absolute)
    belongs to: the nearest `conf.py` in its folder or up to `_CONF_UP` above; "" if none, or
    none set (or for another file: a page read from memory is looked up nowhere)."""
    if not path.endswith(".rst") or not os.path.isabs(path):  # noqa: PTH117 - a text path
        return ""
    folder = os.path.dirname(path)  # noqa: PTH120 - a text path
    for _ in range(_CONF_UP + 1):
        conf = os.path.join(folder, "conf.py")  # noqa: PTH118
        try:
            info = os.stat(conf)  # noqa: PTH116
        except OSError:
            up = os.path.dirname(folder)  # noqa: PTH120
            if up == folder:
                return ""
            folder = up
            continue
        # a FIFO or a device named conf.py is never opened (it may never end)
        return _prolog_of(conf, info.st_mtime_ns, info.st_size) \
            if stat.S_ISREG(info.st_mode) else ""
    return ""


# The prolog `hashed_prolog` found for a page, with the page's bytes as its hash took them:
# the read of those same bytes that follows in the job (`ingest.check`, then the reader) takes
# it instead of looking for conf.py again, 4 `stat`s a page (issue 14). The bytes are matched
# by identity, so any other read (other bytes, another page, a read with no hash before it)
# looks on disk as before; and the read sees the prolog its hash covered.
_HASHED: list[tuple[bytes, str, str]] = []


def hashed_prolog(data: bytes, path: str) -> str:
    """`project_prolog(path)`, for the hash of the page `path` of bytes `data`: kept for the
    read of the same `data` (`_prolog_read`)."""
    prolog = project_prolog(path)
    _HASHED[:] = [(data, path, prolog)]
    return prolog


def _prolog_read(data: bytes, path: str) -> str:
    """`project_prolog(path)` for reading the page `path` of bytes `data`: what its hash
    found when that hash was of these very bytes (`hashed_prolog`), else looked up."""
    if _HASHED:
        (hashed, page, prolog), = _HASHED
        _HASHED.clear()
        if hashed is data and page == path:
            return prolog
    return project_prolog(path)


@functools.lru_cache(maxsize=64)
def _prolog_of(conf: str, mtime: int, size: int) -> str:
    """The `rst_prolog` string a `conf.py` sets ("" if none), while its mtime and size stay."""
    if size > _CONF_BYTES:
        return ""
    try:
        with open(conf, "rb") as f:  # noqa: PTH123 - a text path
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    found = _PROLOG.search(text)
    try:
        # the string as Python reads it: most conf.py write it plain, each backslash doubled
        # ("\\newcommand"), which a raw string writes once (review55a)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a "\\m" Python warns of, in a string not raw
            value = ast.literal_eval(found[1]) if found is not None else ""
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return ""
    return value if isinstance(value, str) else ""


def _with_macros(doc: Document, macros: dict[str, tuple[int, str]]) -> Document:
    """`doc` with the prolog's macros written out in each formula of its passages and
    entries, and in their text (as a note's own definitions are, `_macros.expand_macros`)."""
    done: dict[str, str] = {}
    budget = [max(_NOTE_GROWTH, 4 * sum(len(m.tex) for p in doc.passages for m in p.math))]

    def written(math: tuple[Math, ...], text: str) -> tuple[tuple[Math, ...], str]:
        rewrites: dict[str, str] = {}
        out = []
        for m in math:
            if m.tex not in done:
                new = expand(m.tex, macros) if budget[0] > 0 else m.tex
                budget[0] -= max(0, len(new) - len(m.tex))
                done[m.tex] = new
            if done[m.tex] != m.tex:
                rewrites[m.tex] = done[m.tex]
                m = replace(m, tex=done[m.tex])
            out.append(m)
        if not rewrites:
            return math, text
        return tuple(out), "\n".join(t for _, t in _rewritten(
            list(enumerate(text.split("\n"))), rewrites, {}))

    passages = []
    for p in doc.passages:
        if p.math and p.kind != "code":
            math, text = written(p.math, p.text)
            p = replace(p, math=math, text=text)
        passages.append(p)
    entries = []
    for e in doc.entries:
        if e.math:
            math, text = written(e.math, e.definition)
            e = replace(e, math=math, definition=text)
        entries.append(e)
    return replace(doc, passages=tuple(passages), entries=tuple(entries))

