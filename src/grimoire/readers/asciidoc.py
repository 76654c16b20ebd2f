"""AsciiDoc (`.adoc`, `.asciidoc`, `.asc`, `.ad`): notes, books and Antora sites written for
Asciidoctor.

As Typst's, a note is read by the Markdown reader after its markup is written as Markdown's,
line for line (every span stays on its own line):

- `= Title` opens the document (its author and revision lines under it no text), `== Section`
  to `====== Section` are headings of their level; a title's trailing `=` no part of it.
- Attribute entries (`:stem: latexmath`, `:toc:`), comments (`// ...`, `////` blocks), block
  anchors (`[[id]]`), block attribute lines (`[source,python]`, `[NOTE]`), preprocessor
  lines (`include::x.adoc[]`, `ifdef::...[]`, `endif::[]`) and `toc::[]` are no text; an
  attribute defined in the note is its value where it is referred to (`{course}`).
- `----` and `....` blocks are code (their `[source,lang]` language kept); a `++++` block
  under `[stem]`, `[latexmath]` or `[asciimath]` is display math, any other is raw output
  (no text). Example, sidebar, open and quote blocks (`====`, `****`, `--`, `____`) and
  admonitions (`NOTE: ...`, `[TIP]` blocks) are read as their text.
- A block title (`.Algorithm`) is emphasized text. A table (`|===`) whose first row stands on
  a line of its own above a blank line (Asciidoctor's header) is a Markdown table, the blank
  line its delimiter row; another table reads one row a line, its cells parted by `|`.
- Lists: `*`/`-` bullets and `.` numbered items nested by their marks' count (`**`, `..`); a
  description list's item `Term:: text` is a paragraph led by its term in bold ("Term:
  text"), as the Markdown reader's bold-lead entries read one; `Term::` with its text below
  (past a `+` and the open block it joins) is written on that text's first line.
- Inline: `*strong*`, `_emphasis_`, `` `code` ``, `stem:[...]`/`latexmath:[...]` as `$...$`
  (also over lines; a `$x$` inside its `\\text{}` as `\\(x\\)`), `link:url[text]`,
  `https://url[text]` (also over lines), `xref:page.adoc[text]` and `<<page.adoc#,text>>` as
  links, `<<id,text>>` its text, anchors (`[[id]]`, `[[[ref]]]`) nothing, `image:`/`image::`
  as images, `footnote:[...]` its text in brackets, index terms `((term))` the term and
  `(((...)))` nothing, `pass:[...]` its words.
- Naming: the document title; a book's section file that opens at its numbered heading
  (`=== 2.5 Activation Functions`) is named by the heading, its number aside; a file of only
  a listing or a diagram's source (kept for `include::`) names nothing; an Antora module's
  `nav.adoc` (its menu) and an OpenPGP key or signature armored as `.asc` are no notes.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field

from grimoire.model import Document, Link, LinkKind, Span
from grimoire.readers import markdown, sniffs
from grimoire.readers.base import collapse, decode
from grimoire.readers.conventions import names_no_concept, unnumbered
from grimoire.readers.markdown._blocks import Block, build_parser, parse

name = "asciidoc"
extensions: tuple[str, ...] = (".adoc", ".asciidoc", ".asc", ".ad")
sniff = sniffs.asciidoc

_MD = build_parser()

_HEADING = re.compile(r"(={1,6})[ \t]+(\S.*?)(?:[ \t]+=+)?[ \t]*")
_ATTRIBUTE = re.compile(r":(!?[\w][\w-]*!?):(?:[ \t]+(.*))?")
_ANCHOR = re.compile(r"\[\[[^\[\]\n]*\]\]|\[#[^\[\]\n]*\]")
_BLOCK_ATTRIBUTES = re.compile(r"\[([^\[\]\n]*)\]")
_KNOWN_STYLE = re.compile(r"[ \t]*(?:source|listing|literal|stem|latexmath|asciimath|quote"
                          r"|verse|NOTE|TIP|IMPORTANT|WARNING|CAUTION)\b")
_BLOCK_TITLE = re.compile(r"\.([^.\s].*)")
# A table's `|===` may run on (`|======`, as wide as its source): its closing line is the same.
# `,===` and `:===` open a table of comma- or colon-separated values (`format=csv`, `dsv`).
_DELIMITER = re.compile(r"(-{4,}|\.{4,}|\+{4,}|/{4,}|={4,}|\*{4,}|_{4,}|--|[|!,:]={3,})[ \t]*")
# An include tag (`tag::name[]`, `end::name[]`) behind any language's comment mark (`# `).
_TAG_LINE = re.compile(r"\S{0,4}[ \t]*(?:tag|end)::[^\s\[]*\[\][ \t]*(?:-->|\*/)?")
# A file the note reads in: `include::chapters/attention.adoc[]` (its target, attributes unread).
_INCLUDE = re.compile(r"include::([^\s\[]+)\[[^\]\n]*\][ \t]*")
_NOTE_SUFFIXES = (".adoc", ".asciidoc", ".asc", ".ad")
# A note of nothing but a template's placeholders (`{{ toc }}`, `{% include nav.html %}`):
# progit's `book/toc.asc`, which a site generator fills in, was a concept "toc".
_PLACEHOLDERS = re.compile(r"(?:\s*(?:\{\{[^{}\n]*\}\}|\{%[^{}\n]*%\}))+\s*")
_MACRO_LINE = re.compile(r"[A-Za-z][\w-]*::[^\s\[]*\[.*\][ \t]*")
_IMAGE_LINE = re.compile(r"image::([^\s\[]+)\[([^\]\n]*)\][ \t]*")
_ADMONITION = re.compile(r"(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION):[ \t]+(.*)")
_MATH_STYLES = frozenset({"stem", "latexmath", "asciimath"})
_LIST = re.compile(r"([ \t]*)(\*{1,5}|-|\.{1,5}|\d+\.|[a-zA-Z]\.)[ \t]+(\S.*)")
# A description list's term (as Asciidoctor finds one): words ending in no blank or colon,
# then `::` (`:::`, `::::`, `;;`) and the line's end or a blank (`std::vector` is none).
_TERM = re.compile(r"[ \t]*(\S|\S.*?[^\s:])(:{2,4}|;;)(?:[ \t]+(.*))?[ \t]*")
# An inline formula that runs on over later lines: `stem:[` with no `]` after it on its line.
_OPEN_MATH = re.compile(r"(?:stem|latexmath|asciimath):\[(?=(?:[^\]\\\n]|\\.){0,1000}$)")
# A link whose text runs on over later lines: `link:url[` or `https://url[` ending its line.
_OPEN_LINK = re.compile(r"(?:link:)?((?:https?|ftp|mailto):[^\s\[\]]+|link:[^\s\[\]]+)\[[ \t]*$")
_CLOSE_MATH = re.compile(r"(?:[^\]\\\n]|\\.)*\]")
_CALLOUT = re.compile(r"<(\d+|\.)>[ \t]+(.*)")
# Inline: math and code first (kept as written), then macros and marks.
# Bracketed text: a formula's, a footnote's or a passthrough's at most 1000 characters and a
# link's no `[`, so that each opening scans no further (round 56, review56c: a line of 4,000
# `footnote:[` left open took 22 s, each scanning the rest of the line for its `]`).
_SEGMENT = re.compile(r"(?:stem|latexmath|asciimath):\[((?:[^\]\\\n]|\\.){0,1000})\]|`[^`\n]+`")
_PASS = re.compile(r"pass:[a-z,]*\[((?:[^\]\\\n]|\\.){0,1000})\]")
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_FOOTNOTE = re.compile(r"footnote(?:ref)?:[\w-]*\[((?:[^\]\\\n]|\\.){0,1000})\]")
_URL_LINK = re.compile(r"(?:link:)?((?:https?|ftp|mailto|file):[^\s\[\]]+|link:[^\s\[\]]+)"
                       r"\[([^\[\]\n]*)\]")
_XREF = re.compile(r"xref:([^\s\[\]]+)\[([^\[\]\n]*)\]")
_CROSS = re.compile(r"<<([^<>,\n]+?)(?:,[ \t]*([^<>\n]*))?>>")
_IMAGE = re.compile(r"image:([^\s:\[][^\s\[]*)\[([^\[\]\n]*)\]")
_INLINE_MACRO = re.compile(r"\b(?:kbd:|btn:|menu:[^\s\[]*|indexterm2:|icon:[^\s\[]*)"
                           r"\[([^\[\]\n]*)\]")
# An anchor inline: a bibliography entry's `[[[id]]]`, `[[id]]`, `anchor:id[]`: no text.
_INLINE_ANCHOR = re.compile(r"\[\[\[[^\[\]\n]*\]\]\]|\[\[[A-Za-z_][^\[\]\n]*\]\]"
                            r"|anchor:[\w-]+\[[^\]\n]*\]")
_INDEXTERM = re.compile(r"indexterm:\[[^\[\]\n]*\]|\(\(\([^()\n]*\)\)\)")
_INDEXTERM2 = re.compile(r"\(\(([^()\n]+)\)\)")
_STRONG = re.compile(r"(?<![\w*\\])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_STRONG2 = re.compile(r"\*\*(?=\S)([^*\n]*?\S)\*\*")
_MARKED = re.compile(r"(?:\[[^\[\]\n]*\])?(?<![\w#\\])#(?=\S)([^#\n]*?\S)#(?![\w#])")
_PLUS = re.compile(r"(?<![\w+\\])\+\+?(?=\S)([^+\n]*?\S)\+\+?(?![\w+])")
_REFERENCE = re.compile(r"\{([\w][\w-]*)\}")
_BUILT_IN = {"nbsp": " ", "sp": " ", "empty": "", "blank": "", "zwsp": "", "plus": "+",
             "amp": "&", "lt": "<", "gt": ">", "apos": "'", "quot": '"', "startsb": "[",
             "endsb": "]", "vbar": "|", "caret": "^", "asterisk": "*", "tilde": "~",
             "backslash": "\\", "backtick": "`", "two-colons": "::", "two-semicolons": ";;",
             "deg": "°", "zwj": ""}
# An armored key, signature or certificate (OpenPGP's, PEM's `-----BEGIN PUBLIC KEY-----`).
_ARMOR = re.compile(r"-----BEGIN [A-Z0-9 ]{2,40}-----")


@dataclass
class _State:
    title: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    header: bool = False  # the lines under the document's title, up to the first blank one
    started: bool = False  # a line of the document read (its title, if any, is the first)
    front: bool = False  # in YAML front matter
    style: str = ""  # the block attribute line's style for the next block (`source`, `stem`)
    language: str = ""  # a `[source,lang]`'s language
    verbatim: str = ""  # the delimiter of the code, math, raw or comment block open
    kind: str = ""  # "code", "math", "raw", "comment"
    table: str = ""  # the table's delimiter when open (`|===`), its cell separator its first
    started_table: bool = False  # the table's first row read
    columns: int = 0  # the columns of the Markdown table written, 0 when none is open
    body: bool = False  # the header's delimiter row written
    indent: str = ""  # the margin of the list item's blocks joined by `+` ("" out of one)
    joined: str = ""  # the delimiter of the joined block open ("" a paragraph)
    attach: bool = False  # a `+` read: the next block is the list item's
    item_indent: str = ""  # the margin of the last list item's text
    in_list: bool = False
    math: bool = False  # an inline formula open over lines (`stem:[` ... `]`)
    link: str = ""  # the target of a link whose text runs on over lines
    lines: list[str] = field(default_factory=list)  # the note's lines, for a look ahead
    number: int = 0  # the line's index
    held: dict[int, str] = field(default_factory=dict)  # a term to write at a later line
    header_option: bool = False  # the block attribute line asks for a table's header row
    table_format: str = ""  # the next or open table's `format` ("csv", "dsv", "" its `|`s)
    cols: int = 0  # the next or open table's columns as its `cols` attribute counts them
    delimiter_at: int = -1  # the line a table's header delimiter row is written on
    includes: list[tuple[int, str]] = field(default_factory=list)  # (line, file) read in


def _inline(st: _State, text: str) -> str:
    """A line of text in Markdown's markup."""
    tail = ""
    if (opened := _OPEN_LINK.search(text)) is not None:
        text, tail = text[:opened.start()], "["
        st.link = opened.group(1).removeprefix("link:")
    elif (opened := _OPEN_MATH.search(text)) is not None and "`" not in text[:opened.start()]:
        # `stem:[\min \left(` closed on a later line: a formula over lines, as Markdown's
        text, tail = text[:opened.start()], "$" + text[opened.end():].replace("\\]", "]")
        st.math = True
    out, last = [], 0
    for m in _SEGMENT.finditer(text):
        out.append(_markup(st, text[last:m.start()]))
        if m.group(1) is not None:
            formula = _unnested(m.group(1).replace("\\]", "]").strip())
            out.append(f"${formula}$" if formula else "")
        else:
            out.append(m.group())
        last = m.end()
    out.append(_markup(st, text[last:]))
    return ("".join(out) + tail).rstrip()


def _math_line(st: _State, line: str) -> str:
    """A line of an inline formula opened on a line above: up to its `]`, then text."""
    end = _CLOSE_MATH.match(line)
    if end is None:
        return line.replace("\\]", "]")
    st.math = False
    formula = line[:end.end() - 1].replace("\\]", "]")
    return formula + "$" + _inline(st, line[end.end():])


def _unnested(formula: str) -> str:
    """A formula's math inside its `\\text{...}` (`\\text{for some $M$}`) as `\\(M\\)`: a
    `$` there would end the Markdown formula written around it."""
    if "$" not in formula:
        return formula
    parts = formula.split("$")
    if len(parts) % 2 == 0:
        return formula
    return "".join(p + ("" if k == len(parts) - 1 else "\\(" if k % 2 == 0 else "\\)")
                   for k, p in enumerate(parts))


def _label(text: str) -> str:
    """A link's text: its words before any named attribute (`[text,window=_blank]`)."""
    text = re.sub(r",\s*\w+=.*$", "", text).rstrip("^")
    return text.strip().strip('"')


def _cross(m: re.Match[str]) -> str:
    target, text = m.group(1).strip(), (m.group(2) or "").strip()
    page = target.split("#", 1)[0]
    if page.endswith(_NOTE_SUFFIXES):
        return f"[{text or _stem(page)}]({target})"
    if "#" in target and page and " " not in page:
        # `<<attention#scaled>>`: another page's section, its `.adoc` left out as Asciidoctor
        # allows (round 56: with no text it read as nothing, and linked nowhere)
        return f"[{text or _stem(page)}]({page}.adoc#{target.split('#', 1)[1]})"
    return text  # an anchor of the page (a section, a bibliography entry): its text or none


def _xref(m: re.Match[str]) -> str:
    target = m.group(1)
    page = target.rsplit(":", 1)[-1]  # Antora's `module:page.adoc`
    text = _label(m.group(2))
    return f"[{text or _stem(page.split('#', 1)[0])}]({page})"


def _stem(page: str) -> str:
    stem = page.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("-", " ").replace("_", " ") or page


def _url(m: re.Match[str]) -> str:
    url = m.group(1).removeprefix("link:")
    text = _label(m.group(2))
    return f"[{text}]({url})" if text else f"<{url}>"


def _markup(st: _State, text: str) -> str:
    if not text:
        return text
    if "{" in text:
        text = _REFERENCE.sub(lambda m: st.attributes.get(
            m.group(1), _BUILT_IN.get(m.group(1), m.group())), text)
    if ":" in text:
        text = _PASS.sub(lambda m: _TAG.sub("", m.group(1)), text)
        text = _FOOTNOTE.sub(lambda m: f" ({m.group(1).strip()})", text)
        text = _XREF.sub(_xref, text)
        text = _URL_LINK.sub(_url, text)
        text = _IMAGE.sub(lambda m: f"![{_label(m.group(2))}]({m.group(1)})", text)
        text = _INDEXTERM.sub("", text)
    if "<<" in text:
        text = _CROSS.sub(_cross, text)
    if "[" in text:
        text = _INLINE_MACRO.sub(lambda m: m.group(1), text)
        text = _INLINE_ANCHOR.sub("", text)
    if "((" in text:
        text = _INDEXTERM.sub("", text)
        text = _INDEXTERM2.sub(r"\1", text)
    if "*" in text:
        text = _STRONG2.sub(lambda m: "\0" + m.group(1) + "\0", text)
        text = _STRONG.sub(lambda m: "\0" + m.group(1) + "\0", text)
        text = text.replace("\0", "**")
    if "#" in text:
        text = _MARKED.sub(r"\1", text)
    if "+" in text:
        text = _PLUS.sub(r"\1", text)
        if text.endswith(" +"):
            text = text[:-2]  # a hard line break
    return text


def _style(attributes: str) -> tuple[str, str]:
    """The style and a source block's language of a block attribute line's text."""
    parts = [p.strip() for p in attributes.split(",")]
    first = parts[0] if parts else ""
    style = first.split("%", 1)[0].split("#", 1)[0].split(".", 1)[0]
    if "=" in style:
        style = ""
    language = parts[1] if style == "source" and len(parts) > 1 and "=" not in parts[1] else ""
    if not style and first.startswith("%"):
        style = "source" if any(p.startswith("source") for p in parts) else ""
    return style, language


def _table_options(attributes: str) -> tuple[bool, str, int]:
    """A block attribute line's table options: whether it asks for a header row (`%header`,
    `options="header"`), its `format` (`csv`, `dsv`, `tsv`) and its columns (`cols="1,2"`,
    `cols="3*"`; 0 when it does not say)."""
    header = bool(re.search(r"%header\b|\boptions=\"?[^\"\]]*\bheader\b", attributes))
    m = re.search(r"\bformat=\"?(csv|dsv|tsv|psv)\b", attributes)
    fmt = m.group(1) if m is not None and m.group(1) != "psv" else ""
    cols = 0
    if (m := re.search(r"\bcols=(?:\"([^\"]*)\"|'([^']*)'|(\d+))", attributes)) is not None:
        value = m.group(1) if m.group(1) is not None else m.group(2) or m.group(3) or ""
        if (times := re.fullmatch(r"[ \t]*(\d+)\*.*", value)) is not None:
            cols = int(times.group(1))
        elif value.strip().isdigit() and m.group(3) is not None:
            cols = int(value)
        elif value.strip():
            cols = value.count(",") + value.count(";") + 1
    return header, fmt, cols


def _row_cells(st: _State, line: str) -> list[str]:
    """A table line's cells, by the table's format: `|` (or `!`) before each cell, commas
    (CSV, quoted as CSV quotes), colons (DSV) or tabs (TSV) between them."""
    if st.table_format == "csv":
        cells = next(csv.reader([line], skipinitialspace=True), [])
    elif st.table_format == "tsv":
        cells = line.split("\t")
    elif st.table_format == "dsv":
        cells = [c.replace("\\:", ":") for c in re.split(r"(?<!\\):", line)]
    else:
        return _cells(line, st.table[0])
    return [c.strip().replace("|", "\\|") for c in cells]


def _row_start(st: _State, line: str) -> bool:
    """Whether a table line opens a row: every line of a CSV or DSV table does."""
    return bool(st.table_format) or line.startswith(st.table[0])


def _cells(line: str, separator: str) -> list[str]:
    """A table line's cells, each cell's format (`2+`, `a`, `^.^`) dropped."""
    cells = re.split(r"(?:^|(?<=\s))(?:[\d.+*]*[<^>]?(?:\.[<^>])?[adehlmsv]?)?"
                     + re.escape(separator), line)
    return [c.strip().replace("|", "\\|") for c in cells if c.strip()]


def _table_line(st: _State, stripped: str) -> str:
    """A line of a table: a Markdown table's when its first row stands alone on its line above
    a blank one (Asciidoctor's header), the blank line its delimiter row and each later row on
    a line of its own; else its cells parted by `|` (a row over lines, no header)."""
    if stripped == st.table:
        st.table, st.columns, st.table_format, st.cols = "", 0, "", 0
        return ""
    if stripped.startswith("//"):
        return ""
    if st.number == st.delimiter_at:  # the header row was written on the table's first line
        st.delimiter_at = -1
        return "|" + " --- |" * st.columns
    if not stripped:
        if st.columns > 0 and not st.body:
            st.body = True
            return "|" + " --- |" * st.columns
        st.columns = 0  # a blank line ends a Markdown table: the rows below read as text
        return ""
    cells = _row_cells(st, stripped)
    if not st.started_table:
        st.started_table = True
        following = st.lines[st.number + 1].strip() if st.number + 1 < len(st.lines) else ""
        if _row_start(st, stripped) and not following \
                and (len(cells) > 1 or (st.header_option and cells)):
            st.columns, st.body = len(cells), False
            return "| " + " | ".join(_inline(st, c) for c in cells) + " |"
    if st.columns > 0 and st.body and _row_start(st, stripped):
        return "| " + " | ".join(_inline(st, c) for c in cells) + " |"
    return _inline(st, " | ".join(c for c in cells if c))


def _open_table(st: _State, delimiter: str) -> str:
    """A table's opening line: empty, or its header row when the note asks for one
    (`[%header]`, `options="header"`) and the rows follow it with no blank line between (no
    line is left for Markdown's delimiter row: the header is written here, one line up, and
    the delimiter row on the header's own line)."""
    st.table, st.columns, st.started_table = delimiter, 0, False
    st.table_format = {",": "csv", ":": "dsv"}.get(delimiter[0], st.table_format)
    if not st.header_option or st.number + 2 >= len(st.lines):
        return ""
    first, after = st.lines[st.number + 1].strip(), st.lines[st.number + 2].strip()
    if not first or not after or after == delimiter or not _row_start(st, first) \
            or first.startswith("//"):
        return ""  # no row, or a blank line under it: the header Asciidoctor finds anyway
    cells = _row_cells(st, first)
    if not cells or (st.cols and len(cells) != st.cols):
        return ""  # a row's cells over lines (`cols="2"`, a cell a line): no Markdown table
    st.columns, st.body, st.started_table, st.delimiter_at = len(cells), True, True, st.number + 1
    return "| " + " | ".join(_inline(st, c) for c in cells) + " |"


def _open(st: _State, delimiter: str) -> str:
    """The line a block's opening delimiter becomes."""
    style, st.style = st.style, ""
    language, st.language = st.language, ""
    if delimiter[0] not in "|!,:":  # a table's options are for a table only
        st.header_option, st.table_format, st.cols = False, "", 0
    if delimiter.startswith("/"):
        st.verbatim, st.kind = delimiter, "comment"
        return ""
    if delimiter.startswith("+"):
        st.verbatim = delimiter
        if style in _MATH_STYLES:
            st.kind = "math"
            return "$$"
        st.kind = "raw"
        return ""
    if (delimiter.startswith(("-", ".")) and delimiter != "--") \
            or style in ("source", "listing", "literal"):  # an open block styled so too
        st.verbatim, st.kind = delimiter, "code"
        return "```" + language
    if delimiter[0] in "|!,:":  # `|===` (or longer), `!===` in a cell, `,===` CSV, `:===` DSV
        opened = _open_table(st, delimiter)
        st.header_option = False
        return opened
    return ""  # example, sidebar, open, quote, admonition blocks: their text is read


def _verbatim(st: _State, line: str) -> str:
    if line.strip() == st.verbatim:  # indented under a list item too, as it was opened
        kind, st.verbatim, st.kind = st.kind, "", ""
        closing = {"code": "```", "math": "$$"}.get(kind, "")
        return st.indent + closing if closing else ""
    if st.kind in ("comment", "raw"):
        return ""
    return st.indent + line if line.strip() else line


def _list_item(st: _State, m: re.Match[str]) -> str:
    mark, text = m.group(2), m.group(3)
    depth = len(mark) - 1 if mark[0] in "*." else 0
    numbered = mark[0] == "." or mark[0].isdigit() or mark[0].isalpha()
    indent = "    " * depth
    marker = "1." if numbered and not mark[0].isdigit() else ("-" if not numbered else mark)
    st.in_list = True
    st.item_indent = indent + " " * (len(marker) + 1)
    return f"{indent}{marker} {_inline(st, text)}"


def _line(st: _State, line: str) -> str:
    stripped = line.strip()
    if st.front:
        if stripped == "---":
            st.front = False
        return line
    if not st.started and stripped == "---":
        st.started = st.front = True
        return line
    if st.verbatim:
        return _verbatim(st, line)
    if st.math:
        if line.strip():
            return _math_line(st, line)
        st.math = False  # a paragraph's end ends the formula as Asciidoctor's does
    if st.link and "]" in line:
        end = line.index("]")
        line, st.link = line[:end] + "](" + st.link + ")" + line[end + 1:], ""
        stripped = line.strip()
    elif st.link and not line.strip():
        st.link = ""
    if st.table:
        return _table_line(st, stripped)
    if not stripped:
        st.header = False
        st.in_list = False  # `+` joins a block to the item only right under it
        if st.indent and not st.joined:
            st.indent = ""  # a joined paragraph ends
        return ""
    if stripped.startswith("//") and not stripped.startswith("////"):
        return ""
    if st.header:  # the author and revision lines under the title
        if _ATTRIBUTE.fullmatch(stripped):
            return _attribute(st, stripped)
        return ""
    if (m := _DELIMITER.fullmatch(stripped)) is not None:
        delimiter = m.group(1)
        if st.joined and delimiter == st.joined:
            st.joined = st.indent = ""
            return ""
        if st.attach and delimiter in ("--", "====", "****", "____") and not st.joined:
            st.attach, st.joined = False, delimiter
            st.style = ""
            return ""
        st.attach = False
        opened = _open(st, delimiter)
        return (st.indent + opened) if opened else ""
    if stripped == "+" and (st.in_list or st.indent):
        st.attach = True
        if not st.indent:
            st.indent = st.item_indent
        return ""
    if (m := _ATTRIBUTE.fullmatch(stripped)) is not None and not line[0].isspace():
        return _attribute(st, stripped)
    if _ANCHOR.fullmatch(stripped):
        return ""
    if stripped in ("<<<", "'''", "---", "***", "- - -", "* * *"):
        return ""
    if (m := _BLOCK_ATTRIBUTES.fullmatch(stripped)) is not None \
            and (not line[0].isspace() or _KNOWN_STYLE.match(m.group(1))):
        st.style, st.language = _style(m.group(1))
        st.header_option, st.table_format, st.cols = _table_options(m.group(1))
        return ""
    if (m := _HEADING.fullmatch(line)) is not None:
        level, title = len(m.group(1)), _inline(st, m.group(2))
        if not st.started and level == 1:
            st.title, st.header = title, True
        st.started = True
        st.in_list, st.indent, st.joined, st.attach = False, "", "", False
        return "#" * level + " " + title
    st.started = True
    if (m := _IMAGE_LINE.fullmatch(stripped)) is not None:
        return f"{st.indent}![{_label(m.group(2))}]({m.group(1)})"
    if (m := _INCLUDE.fullmatch(stripped)) is not None:
        _include(st, m.group(1))
        return ""
    if _MACRO_LINE.fullmatch(stripped) or _TAG_LINE.fullmatch(stripped):
        return ""  # include::, ifdef::, endif::, toc::, video::, tag:: and the like
    if (m := _BLOCK_TITLE.fullmatch(stripped)) is not None and not line[0].isspace():
        return f"{st.indent}*{_inline(st, m.group(1))}*"
    st.attach = False
    if (m := _ADMONITION.fullmatch(stripped)) is not None:
        return st.indent + _inline(st, m.group(1))
    if (m := _LIST.fullmatch(line)) is not None:
        return st.indent + _list_item(st, m)
    if (m := _CALLOUT.fullmatch(stripped)) is not None:
        return st.indent + _inline(st, m.group(2))
    if (m := _TERM.fullmatch(line)) is not None:
        st.in_list, st.item_indent = True, ""
        term = f"**{_inline(st, m.group(1).strip())}**:"
        if text := _inline(st, m.group(3) or ""):
            return f"{st.indent}{term} {text}"
        if (at := _definition_line(st)) >= 0:
            st.held[at] = term + " "  # written on its definition's first line
            return ""
        return st.indent + term
    text = st.held.pop(st.number, "") + _inline(st, stripped)
    if text.startswith("#"):
        text = "\\" + text  # text (`# of merges`), no Markdown heading or tag
    return st.indent + text


def _include(st: _State, target: str) -> None:
    """Keep a note `include::`d for a link: a book's chapter reads its sections in, and its
    page links to each (round 56, qa56: the book's 13 chapters linked none of their sections)."""
    if "{" in target:
        target = _REFERENCE.sub(lambda m: st.attributes.get(m.group(1), m.group()), target)
    if "{" in target or "://" in target or not target.lower().endswith(_NOTE_SUFFIXES):
        return  # an attribute the note does not set, a URL, code or data read into a block
    st.includes.append((st.number + 1, target))


def _with_includes(parsed_blocks: list[Block], includes: list[tuple[int, str]],
                   path: str) -> None:
    """Each file read in as a link of the block at or above its line (the first when none)."""
    for line, target in includes:
        at = [b for b in parsed_blocks if b.units and b.units[0][0] <= line]
        block = at[-1] if at else next((b for b in parsed_blocks if b.units), None)
        if block is None:
            continue
        name = target.rstrip("/").rsplit("/", 1)[-1]
        block.links.append(Link(name, LinkKind.MARKDOWN, Span(path, line, line),
                                href=target if target != name else None))


def _definition_line(st: _State) -> int:
    """The line a description list's term with no text on its own line is defined on: the
    first line of text under it, past blank lines, a `+` and the open block it joins
    (`Term::`, `+`, `--`, `Text ...`); -1 when a list, code or another term comes first."""
    for at in range(st.number + 1, min(len(st.lines), st.number + 6)):
        line = st.lines[at].strip()
        if not line or line == "+" or line in ("--", "====", "****"):
            continue
        if _DELIMITER.fullmatch(line) or _LIST.fullmatch(st.lines[at]) \
                or _TERM.fullmatch(st.lines[at]) or _HEADING.fullmatch(st.lines[at]) \
                or _BLOCK_ATTRIBUTES.fullmatch(line) or _BLOCK_TITLE.fullmatch(line) \
                or _MACRO_LINE.fullmatch(line) or line.startswith("//"):
            return -1
        return at
    return -1


def _attribute(st: _State, stripped: str) -> str:
    m = _ATTRIBUTE.fullmatch(stripped)
    if m is not None:
        key = m.group(1)
        if not key.startswith("!") and not key.endswith("!"):
            st.attributes[key] = (m.group(2) or "").strip()
        else:
            st.attributes.pop(key.strip("!"), None)
    return ""


def _antora_nav(path: str) -> bool:
    """Whether `path` is an Antora module's navigation file: `nav.adoc` beside the module's
    `pages/` folder (round 56, qa56: a course site's three menus were each a concept "nav")."""
    folder, _, file = path.replace("\\", "/").rpartition("/")
    return file == "nav.adoc" and os.path.isdir(os.path.join(folder or ".", "pages"))  # noqa: PTH112, PTH118


def _antora_partial(path: str) -> bool:
    """Whether `path` is in an Antora module's `partials/` (beside its `pages/`): a fragment
    the pages `include::` (round 56, review56c: a documentation site's 35 parameter tables
    `specific-configuration.adoc` were one concept "specific-configuration")."""
    parts = path.replace("\\", "/").split("/")
    return any(part == "partials" and os.path.isdir("/".join([*parts[:at], "pages"]) or ".")  # noqa: PTH112
               for at, part in enumerate(parts[:-1]))


def to_markdown(text: str) -> tuple[str, str]:
    """The note written in Markdown, line for line, and its document title ("" if none)."""
    markdown_text, title, _ = _converted(text)
    return markdown_text, title


def _converted(text: str) -> tuple[str, str, list[tuple[int, str]]]:
    """The note in Markdown, its title and the AsciiDoc files it reads in (line, target)."""
    st = _State(lines=text.split("\n"))
    out = []
    for number, line in enumerate(st.lines):
        st.number = number
        out.append(_line(st, line))
    return "\n".join(out), st.title, st.includes


def read(data: bytes, path: str) -> list[Document]:
    source = decode(data, path)
    if _ARMOR.match(source.lstrip()):
        return []  # a key, signature or certificate armored as `.asc`: no note, its key no text
    if _antora_nav(path):
        return []  # a site's menu of its pages: its lines were a concept "nav", cited by ask
    if _PLACEHOLDERS.fullmatch(source):
        return []  # a template's slot (`{{ toc }}`) a site generator fills: no note
    text, title, includes = _converted(source)
    parsed = parse(text, path, _MD)
    _with_includes(parsed.blocks, includes, path)
    if title:
        parsed.front.meta = {"title": title, **parsed.front.meta}
    title = markdown.title_of(parsed, path, any_heading=True)  # a chapter opens at `==`
    opening = next((line for line in text.split("\n") if line.strip()), "")
    if parsed.headings and opening.startswith("#") \
            and all(collapse(h.title) != title for h in parsed.headings):
        # A book's section kept as a file of its own, opening at its numbered heading
        # (`=== 2.5 Activation Functions` in `activations.asc`, `include::`d by its chapter):
        # the heading names it, its number aside, not the file ("activations", "matrix").
        heading = unnumbered(collapse(parsed.headings[0].title))
        if heading and not names_no_concept(heading):
            title = heading
    entries = markdown.markdown_entries(parsed, path, title)
    # A diagram's or a listing's source kept in a file for `include::` (a book's
    # `diagrams/bpe-merges.asc`: `[graphviz]` over `----`): no page, no concept.
    listing = not parsed.headings and bool(parsed.blocks) \
        and all(b.kind == "code" for b in parsed.blocks)
    # An Antora partial with no heading of its own: its text read, no concept by its file.
    listing = listing or (not parsed.headings and _antora_partial(path))
    if listing:
        entries = []
    # A description list's items (`Term:: text`) read as paragraphs led by their term in bold.
    entries = markdown.with_bold_lead_entries(
        parsed, path, title, markdown.with_box_entries(parsed, path, title, entries))
    return [markdown.make_document(parsed, path, name, title, entries,
                                   markdown.tags_of(parsed), template=listing)]
