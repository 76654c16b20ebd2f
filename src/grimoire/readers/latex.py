"""LaTeX (`.tex`, `.ltx`): lecture notes, slides and papers as their source.

A small line-based reader, not a TeX engine: the commands a note is written with are read,
macros are not run. (pylatexenc's LatexWalker, the library made for a tree of LaTeX, was tried
in round 48: about 5.6 us a character, four minutes for a 50 MB file, and a RecursionError
from 1,000 nested braces; its known issues #48 and #133 are `\\newcommand` bodies and `\\href`.)

What becomes what:

- The preamble (before `\\begin{document}`) is no text: `\\title{}` is the title (else the first
  `\\chapter`/`\\section`, else the file name), `\\author{}` and `\\date{}` go to `meta`, and the
  macros it defines (`\\newcommand`, `\\def`) are written out in the formulas (`_macros`).
- Headings: `\\part`, `\\chapter`, `\\section`, `\\subsection`, `\\subsubsection`, `\\paragraph`
  (starred forms too), and a Beamer slide's title (`\\begin{frame}{Title}`, `\\frametitle{}`)
  under them; the highest level the file uses is level 1.
- Text: a command's braced argument is kept (`\\textbf{X}`, `\\emph{X}` read X); comments (`%`,
  not `\\%`) and layout commands (`\\vspace{}`, `\\pause`) are dropped; `\\item` lists are list
  lines (`\\item[term]` reads "term: ..."); `\\footnote{}` is text where it stands.
- Math keeps its TeX: `$x$` and `\\(x\\)` show as `$x$`, `$$x$$`, `\\[x\\]` and the display
  environments (`equation`, `align`, ...) as `$$...$$`, as the Markdown reader writes them.
- `figure` and `table` are their captions; `verbatim`, `lstlisting`, `minted` are code;
  `comment`, `tikzpicture` and an `\\iffalse ... \\fi` block (an old draft) are nothing.
- Entries: a `definition` (or `defn`, `dfn`) environment is an entry named by its optional
  title (`\\begin{definition}[Margin]`) or else by the first term it sets in bold or italics;
  the section and bold-lead rules of the Markdown reader apply as to any note.
- Links: `\\label{}` names the section (or definition) it stands in (`meta["labels"]`), and
  `\\ref{}`, `\\eqref{}`, `\\autoref{}`, `\\cref{}` are LABEL links to it; `\\href{url}{text}`
  and `\\url{}` link out; `\\input{f}` / `\\include{f}` link to the file (never inlined);
  `\\cite{key}` reads "[key]".
- Bad input is read on: an unbalanced brace, an unclosed environment or `$` is a `Problem`
  with its line. Every scan moves forward only (closers are found once, `_Finder`), so a
  hostile file reads in time linear in its size.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import PurePath

from grimoire.errors import ReadError
from grimoire.model import Document, Entry, Image, Link, LinkKind, Math, Problem, Span
from grimoire.names import initials_match, normalize
from grimoire.readers import markdown, sniffs
from grimoire.readers.base import collapse, decode
from grimoire.readers.conventions import is_generic_title
from grimoire.readers.labels import twice_message
from grimoire.readers.markdown._blocks import Block, Heading, Parsed
from grimoire.readers.markdown._frontmatter import FrontMatter
from grimoire.readers.markdown._macros import expand_macros
from grimoire.readers.sections import DEFINITION_ENVIRONMENT

name = "latex"
extensions: tuple[str, ...] = (".tex", ".ltx")
sniff = sniffs.latex

_LEVELS = {"part": 0, "chapter": 1, "section": 2, "subsection": 3, "subsubsection": 4,
           "paragraph": 5, "subparagraph": 6, "frametitle": 7, "frame": 7}
# `\\verb|...|` on one line: what it quotes (`%`, braces, `\\end{document}`) is no LaTeX.
_VERB = r"\\verb\*?(?P<q>[^A-Za-z*\s])[^\n]{0,500}?(?P=q)"
# A comment: the first `%` not escaped (`\\%` is a percent sign) nor quoted by `\\verb`. One
# pass from the start (the group is atomic: a failed match is not tried again another way).
_COMMENT = re.compile(rf"^((?>[^%\\]|{_VERB}|\\.)*)%", re.S)
# A line that opens with a structural command: a heading, an environment's begin or end,
# an item, a slide's title, display math's opener.
_LINE_COMMAND = re.compile(
    r"[ \t]*\\(?:(?P<head>part|chapter|section|subsection|subsubsection|paragraph|subparagraph"
    r"|frametitle)(?![A-Za-z])\*?"
    r"|(?P<edge>begin|end)[ \t]*\{(?P<env>[A-Za-z@]+\*?)\}"
    r"|(?P<item>item)(?![A-Za-z])"
    r"|(?P<display>\[))")
_LISTS = frozenset({"itemize", "enumerate", "description", "list", "compactitem", "compactenum"})
_MATH_ENVS = frozenset({
    "equation", "equation*", "align", "align*", "alignat", "alignat*", "eqnarray", "eqnarray*",
    "gather", "gather*", "multline", "multline*", "flalign", "flalign*", "displaymath", "math",
})
_CODE_ENVS = frozenset({"verbatim", "verbatim*", "lstlisting", "minted", "lyxcode", "Verbatim",
                        "alltt", "code"})
_DROPPED_ENVS = frozenset({"comment", "tikzpicture", "picture", "pgfpicture", "thebibliography"})
_FLOATS = frozenset({"figure", "figure*", "table", "table*", "wrapfigure", "wraptable",
                     "subfigure"})
_DEFINITIONS = frozenset({"definition", "definition*", "defn", "defn*", "dfn", "dfn*", "defi"})
# Commands whose arguments are not text (layout, set-up, references to files and keys).
_DROP_ARGS = frozenset({
    "vspace", "hspace", "vskip", "hskip", "setlength", "addtolength", "setcounter",
    "addtocounter", "usepackage", "documentclass", "RequirePackage", "bibliographystyle",
    "bibliography", "addbibresource", "pagestyle", "thispagestyle", "includegraphics",
    "usetheme", "usecolortheme", "usefonttheme", "useinnertheme", "useoutertheme",
    "setbeamercolor", "setbeamertemplate", "setbeamerfont", "definecolor", "color",
    "textcolor", "colorbox", "hypersetup", "graphicspath", "newtheorem", "theoremstyle", "input",
    "include", "label", "ref", "eqref", "autoref", "cref", "Cref", "pageref", "nameref",
    "cite", "citep", "citet", "citealp", "citeauthor", "citeyear", "nocite", "url", "href",
    "title", "author", "date", "institute", "subtitle", "titlegraphic", "logo", "thanks",
    "newenvironment", "renewenvironment", "newcounter", "numberwithin", "AtBeginSection",
    "AtBeginSubsection", "AtBeginDocument", "resizebox", "scalebox", "rule", "lstset",
    "captionsetup", "geometry", "tikzset", "pgfplotsset", "newlength", "settowidth",
    "frametitle", "framesubtitle", "bibitem", "includecomment", "excludecomment",
    "DeclareMathOperator", "newcommand", "renewcommand", "providecommand", "def", "gdef",
    "edef", "xdef", "let", "caption", "subcaption",
})
_CITES = frozenset({"cite", "citep", "citet", "citealp", "citeauthor", "citeyear"})
_REFS = frozenset({"ref", "eqref", "autoref", "cref", "Cref", "pageref", "nameref"})
_DEFINE = frozenset({"newcommand", "renewcommand", "providecommand", "DeclareMathOperator",
                     "newenvironment", "renewenvironment"})
_TEX_DEF = frozenset({"def", "gdef", "edef", "xdef"})
# A command that names a symbol in text: what it prints.
_SYMBOLS = {"LaTeX": "LaTeX", "TeX": "TeX", "ldots": "...", "dots": "...", "textendash": "-",
            "textemdash": "-", "S": "§", "ie": "i.e.", "eg": "e.g.", "newline": " ",
            "linebreak": " ", "quad": " ", "qquad": " ", "par": " ", "lyxdot": ".",
            # LyX writes what a typewriter line shows as commands
            "textquotedbl": '"', "textquotesingle": "'", "textquoteleft": "\u2018",
            "textquoteright": "\u2019", "textasciitilde": "~", "textasciicircum": "^",
            "textbackslash": "\\", "textless": "<", "textgreater": ">", "textbar": "|",
            "textunderscore": "_", "textbraceleft": "{", "textbraceright": "}"}
_EMPHASIS = frozenset({"textbf", "emph", "textit", "bf", "em", "it", "alert", "structure",
                       "underline", "textsl"})
_TOKEN = re.compile(r"\\(?:[A-Za-z@]+\*?|.)?|\$\$?|[{}~&]|[^\\${}~&]+", re.S)
_BRACE = re.compile(rf"{_VERB}|\\.|[{{}}]", re.S)
_OPTIONAL_MAX = 300
_BLANK = re.compile(r"[ \t]*$")
_WINDOW = 4000
# The name of a file `\input` reads in that holds a table, a figure or macros, never a
# section: a folder or a stem naming it ("tables/results", "fig_loss", "plot2", "macros").
# "Graph", "image", "diagram" only as a folder or numbered ("images/", "graph3"): a stem
# "graph_networks" or "image_classification" is a chapter's (review52a).
_NO_SECTIONS = re.compile(
    r"(?:^|[/_.-])(?:(?:tab|tabs|table|tables|fig|figs|figure|figures|plot|plots|tikz|pgf"
    r"|macros|macro|defs|commands|preamble|header|packages)(?:$|[/_.\d-])"
    r"|(?:graph|graphs|diagram|diagrams|img|images|image)[/\d])", re.IGNORECASE)
_MAX_DEPTH = 6  # what a heading's or an environment's arguments are looked for in
# Pseudocode (algorithmicx, algorithmic): its steps, each a line, read as text
_PSEUDOCODE = frozenset({"algorithmic"})
# A float whose body is read line by line (its caption is its title): an algorithm's steps
_ALGORITHMS = frozenset({"algorithm", "algorithm*"})
_WHOLE = _MATH_ENVS | _CODE_ENVS | _DROPPED_ENVS | _FLOATS | _PSEUDOCODE  # read at once
# The environments whose begin and end are the note's structure, read line by line: any other
# (`array`, `cases`, `pmatrix`) is part of a formula and of the text it stands in.
# Statements numbered by `\\newtheorem`'s counters: a `\\ref` to one reads as its title
_THEOREMS = frozenset({
    "theorem", "lemma", "proposition", "corollary", "thm", "lem", "prop", "cor", "claim",
    "fact", "observation", "theorem*", "lemma*", "proposition*", "corollary*", "remark",
    "remark*", "rem", "example", "example*", "exercise", "problem", "question",
})
_STRUCTURE = _WHOLE | _LISTS | _DEFINITIONS | _ALGORITHMS | frozenset({
    "document", "frame", "center", "flushleft", "flushright", "quote", "quotation", "abstract",
    "theorem", "lemma", "proposition", "corollary", "proof", "example", "examples", "remark",
    "note", "block", "alertblock", "exampleblock", "columns", "column", "minipage", "thm",
    "thm*", "lem", "prop", "cor", "rem", "exercise", "problem", "solution", "question",
    "answer", "claim", "fact", "observation", "theorem*", "lemma*", "proposition*",
    "corollary*", "example*", "remark*", "verse", "frame*", "tabular", "tabular*", "itemize*",
    "description*", "enumerate*", "beamercolorbox", "small", "footnotesize", "scriptsize",
    "multicols", "titlepage", "appendix", "subequations",
})
_MID_LINE = re.compile(
    rf"(?P<verb>{_VERB})|"
    r"\\(?:(?:begin|end)[ \t]*\{(?P<env>[A-Za-z@]+\*?)\}|item(?![A-Za-z])"
    r"|(?:part|chapter|section|subsection|subsubsection|paragraph|frametitle)(?![A-Za-z]))")


class _Finder:
    """`text.find(needle, start)` for starts that only grow: a search that found nothing, or a
    match still ahead, is not done again (10,000 unclosed `\\[` each scanned the rest)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.memo: dict[str, tuple[int, int]] = {}

    def find(self, needle: str, start: int) -> int:
        hit = self.memo.get(needle)
        if hit is not None and hit[0] <= start and (hit[1] < 0 or hit[1] >= start):
            return hit[1]
        found = self.text.find(needle, start)
        self.memo[needle] = (start, found)
        return found


def _closes(text: str) -> tuple[dict[int, int], int]:
    """Each `{`'s matching `}` by position, and the line offset of the first unbalanced one
    (-1 when balanced)."""
    closes: dict[int, int] = {}
    stack: list[int] = []
    bad = -1
    for m in _BRACE.finditer(text):
        c = m.group()
        if c == "{":
            stack.append(m.start())
        elif c == "}":
            if stack:
                closes[stack.pop()] = m.start()
            elif bad < 0:
                bad = m.start()
    if stack and (bad < 0 or stack[0] < bad):
        bad = stack[0]
    return closes, bad


@dataclass(slots=True)
class _Definition:
    title: str
    first: int
    start_block: int
    term: str = ""


@dataclass(slots=True)
class _State:
    path: str
    parsed: Parsed
    levels: dict[str, int]
    stack: list[tuple[int, str]] = field(default_factory=list)
    block: Block | None = None
    lists: int = 0
    definition: _Definition | None = None
    # Definition environments: term, first and last line, and their blocks' range
    entries: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)  # each `\\ref`'s command, key
    macros: list[str] = field(default_factory=list)
    label_lines: dict[str, int] = field(default_factory=dict)  # each label's first line
    titled: bool = False  # an environment just begun, whose `[Title]` may open its text
    # What a `\\ref` to an equation's or a float's label prints: its number when this file
    # alone decides it, else None (the label is shown); `counters` are those numbers
    numbers: dict[str, str | None] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    numbering: bool = True  # False when numbers hang on a chapter or section counter
    float_kind: str = ""  # the float being read line by line (`algorithm`)
    theorem: str | None = None  # the title of the theorem read ("" untitled), None outside
    frame: int = 0  # slides begun so far
    overlay_frame: int = -1  # the last slide seen to hold an overlay (`\\only<2>{...}`)
    label_frames: dict[str, int] = field(default_factory=dict)  # the slide of each label
    # The number LaTeX gives the section read ("2.1"; None when not this file's to say:
    # a book's chapters, a piece of a document, `\\appendix`, after an `\\input`), each
    # unstarred level's count, and the section a label stands in, for a `\\ref` to it (read51)
    sections: list[int] = field(default_factory=list)
    section_number: str | None = None
    section_numbering: bool = True
    section_labels: dict[str, str | None] = field(default_factory=dict)
    # Each open list's items so far (-1: not numbered, an `itemize` or an `\\item[x]`): a
    # label in an item reads as the item's number, "2", as LaTeX prints it (read51)
    items: list[int] = field(default_factory=list)

    def heading_path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.stack)

    def open(self, kind: str, joiner: str = " ") -> Block:
        if self.block is None or self.block.kind != kind:
            self.flush()
            self.block = Block(kind, [], self.heading_path(), joiner=joiner)
        return self.block

    def flush(self) -> None:
        block = self.block
        if block is not None and (block.units or block.images):
            self.parsed.blocks.append(block)
        elif block is not None and block.links and self.parsed.blocks:
            # A line of links and no text (`\input{intro}`): they link from the text before
            self.parsed.blocks[-1].links.extend(block.links)
        self.block = None

    def label(self, key: str, line: int) -> None:
        named = self.definition.term if self.definition and self.definition.term else None
        target = named or (self.stack[-1][1] if self.stack else "")
        if not key or not target:
            return
        first = self.label_lines.setdefault(key, line)
        frame = self.label_frames.setdefault(key, self.frame)
        if first != line and frame == self.frame == self.overlay_frame:
            # Beamer labels one overlay of a slide (`\\only<1>{..\\label{x}}`,
            # `\\only<2>{..\\label{x}}`): one label to LaTeX, no warning
            return
        if first != line and key in self.parsed.labels:
            # LaTeX warns "multiply defined"; a reference leads to the first (lint says so)
            self.problem(twice_message(key, first), line)
        self.parsed.labels.setdefault(key, target)
        if named is None and self.items:
            # a top-level enumerate's item prints its number; a nested one's "2a" and an
            # item of a bullet list are not guessed (the label is shown)
            number = self.items[0] if len(self.items) == 1 else -1
            self.section_labels.setdefault(key, str(number) if number > 0 else None)
        elif named is None and self.section_number != "":
            self.section_labels.setdefault(key, self.section_number)
        if self.theorem is not None and self.definition is None:
            # "Theorem~\\ref{thm:x}": its number hangs on `\\newtheorem`'s counters, so
            # its title, else its label; never its section's title
            self.numbers.setdefault(key, self.theorem or None)

    def number_section(self, command: str, starred: bool) -> None:
        """Step the section counters as LaTeX does for a heading; a starred one prints no
        number and sets none, so a label under it keeps its title ("" here)."""
        if starred or command not in _SECTION_DEPTH:
            self.section_number = "" if starred else self.section_number
            return
        depth = _SECTION_DEPTH[command]
        if depth:
            del self.sections[depth + 1 :]
        self.sections.extend([0] * (depth + 1 - len(self.sections)))
        self.sections[depth] += 1
        if not self.section_numbering:
            self.section_number = None
        elif depth == 0:  # article's `\\part` is "I", "II", ...: its own counter
            self.section_number = _roman(self.sections[0])
        else:
            self.section_number = ".".join(str(n) for n in self.sections[1:])

    def count(self, counter: str, keys: list[str], tag: str = "") -> str | None:
        """The next number of `counter` (`equation`, `figure`, ...), or `tag` when written:
        the number `keys` (the labels on it) print; None when it is not this file's to say."""
        number: str | None = tag or None
        if not tag:
            self.counters[counter] = self.counters.get(counter, 0) + 1
            number = str(self.counters[counter]) if self.numbering else None
        for key in keys:
            if key and key not in self.numbers:
                self.numbers[key] = number
        return number

    def problem(self, message: str, line: int) -> None:
        if len(self.parsed.problems) < 50:
            self.parsed.problems.append(Problem(message, Span(self.path, line, line)))


# --------------------------------------------------------------------------- inline text


class _Inline:
    """One run of source lines (a paragraph, a heading, a caption) to text, a line of output
    for each line of input, with the links, math and images found on `block`."""

    def __init__(self, st: _State, block: Block, text: str, line: int) -> None:
        self.st, self.block, self.text, self.line = st, block, text, line
        self.closes, bad = _closes(text)
        self.dollars = _Finder(text)
        self.newlines = _Finder(text)
        self.out: list[str] = []
        # Bold or italic words: whether only space came before them, and the words
        self.emphasis: list[tuple[bool, str]] = []
        self.lead = False  # the text opens with bold words closed by a stop or a colon
        self.seen = (0, line)  # the last position asked for by `here`, and its line
        if bad >= 0:
            st.problem("unbalanced brace: read as text", line + text.count("\n", 0, bad))

    def here(self, pos: int) -> int:
        """The line of position `pos`; positions asked for grow, so counting is linear."""
        last, line = self.seen
        if pos < last:
            last, line = 0, self.line
        line += self.text.count("\n", last, pos)
        self.seen = (pos, line)
        return line

    def skip(self, start: int, end: int, shown: str = "") -> int:
        """Source `start:end` shown as `shown`, its line ends kept so lines stay aligned."""
        self.out.append(shown + "\n" * self.text.count("\n", start, end))
        return end

    def argument(self, pos: int) -> tuple[str, int, int] | None:
        """The `{...}` argument at `pos` (after spaces and one `[...]`): its text, the position
        of its `{` and the position after its `}`."""
        text = self.text
        n = len(text)
        while pos < n and text[pos] in " \t\n*":
            pos += 1
        if pos < n and text[pos] == "[":
            end = text.find("]", pos, pos + _OPTIONAL_MAX)
            if end > 0:
                pos = end + 1
                while pos < n and text[pos] in " \t\n":
                    pos += 1
        if pos >= n or text[pos] != "{":
            return None
        # The argument's text is cut at `_WINDOW`: each of 10,000 nested or unclosed groups
        # copying the rest of its line is quadratic.
        close = self.closes.get(pos)
        if close is None:
            end = self.newlines.find("\n", pos)
            close = n if end < 0 else end
            return text[pos + 1 : min(close, pos + 1 + _WINDOW)], pos, close
        return text[pos + 1 : min(close, pos + 1 + _WINDOW)], pos, close + 1

    def run(self) -> list[str]:
        text = self.text
        pos = 0
        n = len(text)
        while pos < n:
            m = _TOKEN.match(text, pos)
            assert m is not None  # every character starts a token
            tok = m.group()
            if tok[0] == "\\":
                pos = self.command(tok, m.end())
            elif tok[0] == "$":
                pos = self.math(tok, m.end())
            elif tok in "{}":
                pos = m.end()
            elif tok == "~":
                self.out.append(" ")
                pos = m.end()
            elif tok == "&":
                self.out.append(" | ")
                pos = m.end()
            else:
                self.out.append(tok.replace("``", "\u201c").replace("''", "\u201d"))
                pos = m.end()
        return "".join(self.out).split("\n")

    def math(self, opener: str, start: int) -> int:
        end = self.dollars.find(opener, start)
        while end > 0 and text_escaped(self.text, end):
            end = self.dollars.find(opener, end + 1)
        if end > 0 and opener == "$":
            end = self.boxed_end(start, end)
        if end < 0:
            self.st.problem(f"unclosed {opener}: read as text", self.here(start))
            self.out.append(opener)
            return start
        return self.formula(start, end, display=opener == "$$") + len(opener)

    def boxed_end(self, start: int, end: int) -> int:
        """The `$` that closes a formula opened at `start`, when the first one, `end`, is in a
        text box of it (`$f = \\mbox{$2\\theta$ for $x$}$`): the first `$` after the boxes;
        `end` when the boxes are unclosed or run on (a few boxes, each looked at once)."""
        for _ in range(8):
            box = _TEXT_BOX.search(self.text, start, end)
            if box is None:
                return end
            close = self.closes.get(box.end() - 1)
            if close is None or close < end:
                start = box.end()
                continue
            after = self.dollars.find("$", close)
            if after < 0 or close - box.end() > _WINDOW:
                return end
            start, end = close, after
        return end

    def formula(self, start: int, end: int, *, display: bool) -> int:
        tex = collapse(self.text[start:end])
        if not tex:
            return self.skip(start, end)
        line = self.here(start)
        for key in _LABEL_IN_MATH.findall(tex):
            self.st.label(key, line)
        tex = collapse(_LABEL_IN_MATH.sub("", tex))
        self.block.math.append(Math(tex, display, Span(self.st.path, line, self.here(end))))
        return self.skip(start, end, f"$${tex}$$" if display else f"${tex}$")

    def command(self, tok: str, after: int) -> int:
        text = self.text
        word = tok[1:].rstrip("*")
        if len(tok) == 2 and not tok[1].isalpha():
            c = tok[1]
            if c in "([":
                closer = "\\)" if c == "(" else "\\]"
                end = self.dollars.find(closer, after)
                if end >= 0:
                    return self.formula(after, end, display=c == "[") + 2
                self.st.problem(f"unclosed \\{c}: read as text", self.here(after))
                return after
            if c == "\\":
                self.out.append(" ")
                return after
            self.out.append(c if c in "%$&#_{}" else "")
            return after
        if word in _SYMBOLS:
            self.out.append(_SYMBOLS[word])
            return after
        if word == "verb" and (quote := _VERB_AT.match(text, after - len(tok))):
            self.out.append(quote.group(2))  # the quoted text as it stands
            return quote.end()
        if word in _TEX_DEF:
            # `\def\name#1#2{body}`: the name and parameters, then the body, are no text
            brace = text.find("{", after, after + _OPTIONAL_MAX)
            close = self.closes.get(brace) if brace >= 0 else None
            end = close + 1 if close is not None else after
            self.st.macros.append(text[after - len(tok) : end])
            return self.skip(after, end)
        if word in _DEFINE:
            first = self.argument(after)
            if first is None:  # `\newcommand\name{...}`
                name_end = _CONTROL_NAME.match(text, after)
                first_end = name_end.end() if name_end else after
            else:
                first_end = first[2]
            body = self.argument(first_end)
            end = body[2] if body is not None else first_end
            if word == "newenvironment" or word == "renewenvironment":
                more = self.argument(end)
                end = more[2] if more is not None else end
            self.st.macros.append(text[after - len(tok) : end])
            return self.skip(after, end)
        if word in _DROP_ARGS:
            arg = self.argument(after)
            if arg is None:
                return after
            value, _, end = arg
            shown = self.marked(word, value, after, end)
            return self.skip(after, end, shown)
        if word in _EMPHASIS:
            arg = self.argument(after)
            if arg is not None and len(arg[0]) <= 120 and len(self.emphasis) < 8:
                opening = not "".join(self.out).strip()
                words = collapse(arg[0])
                self.emphasis.append((opening, words))
                if opening and (words.endswith((".", ":")) or text[arg[2] : arg[2] + 1] in ".:"):
                    self.lead = True
            return after
        if text.startswith("<", after):  # a Beamer overlay: `\only<2>{...}`, `\item<1->`
            self.st.overlay_frame = self.st.frame
            end = text.find(">", after, after + 20)
            return end + 1 if end > 0 else after
        return after  # any other command: its name is no text, its arguments are

    def marked(self, word: str, value: str, start: int, end: int) -> str:
        """What a command whose argument is not plain text shows, and its link or image."""
        st = self.st
        span = Span(st.path, self.here(start), self.here(start))
        value = value.strip()
        if word == "label":
            st.label(value, span.start_line)
            if st.float_kind and st.float_kind in st.counters and value not in st.numbers:
                count = st.counters[st.float_kind]
                st.numbers[value] = str(count) if st.numbering else None
        elif word in _REFS:
            keys = [k.strip() for k in value.split(",") if k.strip()]
            markers = []
            for key in keys:
                self.block.links.append(Link(key, LinkKind.LABEL, span))
                markers.append(f"\x00{len(st.refs)}\x00")  # `_fill_refs` writes it
                st.refs.append((word, key))
            return ", ".join(markers)
        elif word in _CITES:
            return "[" + ", ".join(k.strip() for k in value.split(",") if k.strip()) + "]"
        elif word == "url":
            self.block.links.append(Link(value, LinkKind.URL, span))
            return value
        elif word == "href":
            text = self.argument(end)
            label = collapse(text[0]) if text is not None else ""
            self.block.links.append(Link(value, LinkKind.URL, span, label=label or None))
            return ""  # the label follows in the stream as text
        elif word in ("input", "include"):
            # the file read in may hold sections of its own, numbered before those that
            # follow: their numbers are no longer this file's to say (review51a); not a
            # table's, a figure's or a file of macros (read52: `\input{tables/x}` made
            # every later section read by its title)
            if _NO_SECTIONS.search(value) is None:
                st.section_numbering = False
            target = value if PurePath(value).suffix else value + ".tex"
            if PurePath(target) == PurePath(PurePath(st.path).name):
                return ""  # `\include{notes}` in notes.tex: no link to itself
            self.block.links.append(Link(target, LinkKind.MARKDOWN, span, label=value,
                                         href=value))
            return ""
        elif word == "includegraphics":
            self.block.images.append(Image(value, span))
        elif word == "caption" and st.float_kind:
            # an algorithm's title, as it prints: "Algorithm 2: Perceptron"
            shown = st.count(st.float_kind, _LABEL_IN_MATH.findall(value))
            return f"Algorithm {shown}: {_plain(value)}" if shown else \
                f"Algorithm: {_plain(value)}"
        elif word in ("caption", "subcaption", "thanks", "frametitle", "framesubtitle"):
            return _plain(value)
        return ""


# A box of text inside a formula, which may hold formulas of its own
_TEXT_BOX = re.compile(r"\\(?:mbox|text|textrm|textnormal|textup|textit|textbf|hbox|fbox"
                       r"|makebox|framebox|intertext)[ \t]*\{")
_LABEL_IN_MATH = re.compile(r"\\label\{([^{}\n]{1,200})\}|\\nonumber|\\notag")
_VERB_AT = re.compile(r"\\verb\*?([^A-Za-z*\s])([^\n]{0,500}?)\1")
_CONTROL_NAME = re.compile(r"[ \t]*\\[A-Za-z@]+")


def text_escaped(text: str, at: int) -> bool:
    """Whether the character at `at` follows an odd run of backslashes (`\\$`)."""
    k = at
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (at - k) % 2 == 1


def _plain(tex: str) -> str:
    """A short argument (a caption, a title) as text, without its commands' names; its
    formulas keep their TeX ("Kernels in $\\reals^{d}$": a macro of a style file not read
    is no "$ ^ d $")."""
    tex = re.sub(r"\\(?:label|ref|cite|vspace|hspace)\*?\{[^{}]*\}", "", tex)
    parts = _INLINE_MATH.split(tex)
    for k in range(0, len(parts), 2):  # the text between formulas
        part = re.sub(r"\\[A-Za-z@]+\*?(?:\[[^\]\n]{0,200}\])?|[{}]", " ",
                      parts[k].replace("\\\\", " "))
        parts[k] = _quotes(part.replace("~", " "))
    return collapse("".join(parts))


# A formula in a short argument: `$..$` or `\\(..\\)`, its `\\$` no end
_INLINE_MATH = re.compile(r"((?<!\\)\$(?:[^$\\]|\\.){1,500}?\$|\\\((?:[^\\]|\\[^)]){1,500}?\\\))",
                          re.S)


def _quotes(text: str) -> str:
    """TeX's quotes as they print: ``risk'' is “risk”."""
    return text.replace("``", "\u201c").replace("''", "\u201d") if "``" in text else text


# --------------------------------------------------------------------------- lines


def _inline(st: _State, block: Block, text: str, line: int) -> list[str]:
    reader = _Inline(st, block, text, line)
    lines = reader.run()
    if st.definition is not None and not st.definition.term and reader.emphasis:
        st.definition.term = _plain(reader.emphasis[0][1]).rstrip(".:")
    if reader.lead and block.kind == "text":
        lead = _plain(reader.emphasis[0][1]).rstrip(".:")
        if lead:
            st.parsed.bold_leads.append((line, lead))
    return lines


def _paragraph(st: _State, lines: list[tuple[int, str]]) -> None:
    """Lines of prose (or of the current list item) as text."""
    if not lines:
        return
    if st.titled and lines[0][1].lstrip().startswith("["):
        first_line, text = lines[0]
        text = text.lstrip()
        close = text.find("]", 0, _OPTIONAL_MAX)
        if close > 0 and re.search(r"[A-Za-z]{2}", _plain(text[1:close])):  # not `[0,1]`
            lines = [(first_line, _plain(text[1:close]).rstrip(".") + ". " + text[close + 1 :]),
                     *lines[1:]]
    st.titled = False
    d = st.definition
    if d is not None and not d.title and len(st.parsed.blocks) == d.start_block \
            and st.block is None and lines[0][1].lstrip().startswith("["):
        # LyX writes a definition's title on the line after its begin: `[informal]A ...`
        first_line, text = lines[0]
        text = text.lstrip()
        close = text.find("]", 0, _OPTIONAL_MAX)
        if close > 0:
            d.title = _plain(text[1:close])
            d.term = d.title if _names(d.title) else ""
            lines = [(first_line, text[close + 1 :]), *lines[1:]]
    kind = "list" if st.lists and st.block is not None and st.block.kind == "list" else "text"
    block = st.open(kind, joiner="\n" if kind == "list" else " ")
    first = lines[0][0]
    text = "\n".join(t for _, t in lines)
    out = _inline(st, block, text, first)
    for k, piece in enumerate(out):
        piece = collapse(piece)
        if not piece:
            continue
        if kind == "list" and block.units:
            line, last = block.units[-1]
            block.units[-1] = (line, f"{last} {piece}")
        else:
            block.units.append((first + k, piece))


# Each numbered sectioning command's depth in the counter ("2.1.3"); `\\part` stands apart
# (article does not reset sections at a part). `\\paragraph` is not numbered (secnumdepth 3).
_SECTION_DEPTH = {"part": 0, "section": 1, "subsection": 2, "subsubsection": 3}


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                          (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                          (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + digits, n - value
    return out


# A frame's options and overlay specification before its body: `[fragile]`, `<2->`.
_FRAME_OPTIONS = re.compile(r"[ \t]*(?:<[^<>\n]*>[ \t]*|\[[^\[\]\n]*\][ \t]*)+")


def _heading(st: _State, command: str, rest: str, line: int, starred: bool = False) -> int:
    """A heading's title at the start of `rest`; returns how much of `rest` it took."""
    reader = _Inline(st, Block("text", [], ()), rest, line)
    if command == "frame":
        # `\begin{frame}[options]{Title}{Subtitle}`, `<...>` overlay specs before
        brace = rest.find("{")
        lead = rest[:brace].strip() if brace >= 0 else "x"
        arg = reader.argument(brace) if not lead or lead[0] in "[<" else None
        if arg is None:
            # `\begin{frame}[noframenumbering]` with no title on its line: the options are
            # no text (round 53: a course's title-page frames read "[noframenumbering]")
            options = _FRAME_OPTIONS.match(rest)
            return options.end() if options is not None else 0
    else:
        arg = reader.argument(0)
    if arg is None:
        return 0
    value, _, end = arg
    title = _plain(value)
    if command == "paragraph" or command == "subparagraph":
        title = title.rstrip(".:")  # a run-in heading: `\paragraph{Sigmoid.} The ...`
    st.flush()
    if command not in ("frame", "frametitle"):
        st.number_section(command, starred)
    level = st.levels.get(command, st.levels["frame"])
    if title:
        while st.stack and st.stack[-1][0] >= level:
            st.stack.pop()
        st.stack.append((level, title))
        if command not in ("frame", "frametitle"):
            # A slide's title heads its passages but is no section of the note's outline:
            # the Markdown rules take a page of headings under a title like "Recitation 4"
            # for a glossary, and a deck's 40 slide titles are no 40 terms.
            st.parsed.headings.append(Heading(level, title, line, len(st.parsed.blocks)))
        else:
            st.parsed.slide_paths.add(st.heading_path())
    return end


def _levels(text: str) -> dict[str, int]:
    """Each sectioning command's heading level: the highest the file uses is 1."""
    used = {m.group(1) for m in re.finditer(
        r"\\(part|chapter|section|subsection|subsubsection|paragraph|subparagraph)\*?[ \t]*[\[{]",
        text)}
    top = min((_LEVELS[u] for u in used), default=_LEVELS["frame"])
    return {k: max(1, v - top + 1) for k, v in _LEVELS.items()}


# `\\iffalse` alone on its line opens a block LaTeX skips to its `\\fi` (an author's old
# draft of a section kept in the file): a comment (review49b: its `\\label`s were read as
# defined twice). Conditionals inside it are counted to find its own `\\fi`.
_IFFALSE = re.compile(r"[ \t]*\\iffalse[ \t]*")
_CONDITIONAL = re.compile(r"(?<!\\newif)\\if(?!thenelse)[a-zA-Z@]*|\\fi(?![a-zA-Z@])")


def _strip_comments(lines: list[str]) -> list[str]:
    out = []
    for raw in lines:
        if "%" in raw:
            m = _COMMENT.match(raw)
            if m:
                raw = m.group(1)
        out.append(raw)
    i = 0
    while i < len(out):
        if _IFFALSE.fullmatch(out[i]) and (end := _closing_fi(out, i + 1)) is not None:
            out[i : end + 1] = [""] * (end + 1 - i)  # its lines kept, blank: lines still count
            i = end
        i += 1
    return out


def _closing_fi(lines: list[str], start: int) -> int | None:
    """The line of the `\\fi` that closes an `\\iffalse` above `start`; None when none
    does (LaTeX stops there: the text is read as it is)."""
    depth = 1
    for i in range(start, len(lines)):
        for c in _CONDITIONAL.findall(lines[i]):
            depth += -1 if c == "\\fi" else 1
            if not depth:
                return i
    return None


def _meta(preamble: str, meta: dict[str, object]) -> None:
    for key in ("title", "author", "date", "subtitle"):
        m = re.search(rf"\\{key}[ \t]*(?:\[[^\]\n]{{0,300}}\])?[ \t]*\{{", preamble)
        if m is None:
            continue
        closes, _ = _closes(preamble[m.end() - 1 : m.end() + 4000])
        close = closes.get(0)
        if close is not None:
            value = _plain(preamble[m.end() : m.end() - 1 + close])
            if value:
                meta[key] = value


def _parse(text: str, path: str) -> _State:
    raw_lines = text.split("\n")
    lines = _strip_comments(raw_lines)
    body = "\n".join(lines)
    parsed = Parsed(path, FrontMatter())
    st = _State(path, parsed, _levels(body))
    begin = re.search(r"^[ \t]*\\begin\{document\}", body, re.M)
    start = 0
    if begin is not None:
        start = body.count("\n", 0, begin.start())
        st.macros.append("\n".join(lines[:start]))
        start += 1
    _meta(body[:50000], parsed.front.meta)  # LyX writes `\title{}` after `\begin{document}`
    # Numbers set per chapter or section (`\\numberwithin`, a book's chapters) or in parts
    # (`subequations`) are not guessed: a reference to them reads as its label
    st.numbering = re.search(r"\\(?:numberwithin|counterwithin|chapter\*?[ \t]*[\[{])"
                             r"|\{subequations\}", body) is None
    # A section's number is this file's to say in a whole document with no chapters, its
    # numbering left as LaTeX's (a piece read alone continues another file's count)
    st.section_numbering = begin is not None and re.search(
        r"\\(?:chapter\*?[ \t]*[\[{]|appendix\b|setcounter\{(?:section|subsection|secnumdepth)"
        r"|renewcommand\{?\\the(?:sub)*section\b)", body) is None
    if "title" in parsed.front.meta:
        # A titled document's sections are parts of it, one level under the title, as a
        # Markdown note's `##` under its `#`: not topics side by side, each a concept of its
        # own (round 49: a lecture's "Training and Inference", a self-assessment's "Relevant
        # Coursework", a deck's "Administrative" were so).
        st.levels = {k: v + 1 for k, v in st.levels.items()}
    offsets = [0]
    for raw in lines:
        offsets.append(offsets[-1] + len(raw) + 1)
    finder = _Finder(body)
    pending: list[tuple[int, str]] = []
    envs: list[tuple[str, int]] = []
    n, col = start, 0  # the line (0-based) and the column read from
    while n < len(lines):
        raw = lines[n]
        line = n + 1
        if _BLANK.match(raw, col):
            if col == 0:
                _paragraph(st, pending)
                pending = []
                if not st.lists:
                    st.flush()
            n, col = n + 1, 0
            continue
        m = _LINE_COMMAND.match(raw, col)
        if m is None or _inner(m):
            cut = _next_command(raw, m.end() if m is not None else col)
            pending.append((line, raw[col:cut]))
            n, col = (n, cut) if cut < len(raw) else (n + 1, 0)
            continue
        _paragraph(st, pending)
        pending = []
        col = m.end()
        window = raw[col : col + _WINDOW]
        if m.group("head"):
            col += _heading(st, m.group("head"), window, line, m.group(0).endswith("*"))
        elif m.group("item"):
            if st.lists:
                col += _item(st, window, line)
        elif m.group("display"):
            end = finder.find("\\]", offsets[n] + col)
            if end < 0:
                st.problem("unclosed \\[: read as text", line)
                continue
            last = bisect_right(offsets, end)  # the 1-based line of the closer
            _display(st, body[offsets[n] + col : end], line, last)
            n, col = last - 1, end + 2 - offsets[last - 1]
        elif m.group("edge") == "end":
            if m.group("env") == "document":
                break  # what follows is never typeset
            _end(st, m.group("env"), envs, line)
        elif (env := m.group("env")) in _WHOLE:
            closer = f"\\end{{{env}}}"
            at = offsets[n] + m.start("edge") - 1
            end = finder.find(closer, at)
            if end < 0:
                st.problem(f"unclosed \\begin{{{env}}}: read on as text", line)
                continue
            last = bisect_right(offsets, end)
            _environment(st, env, body[at : end + len(closer)], line, last, raw_lines)
            n, col = last - 1, end + len(closer) - offsets[last - 1]
        elif env != "document":
            envs.append((env, line))
            col += _begin(st, env, window, line)
    _paragraph(st, pending)
    st.flush()
    for env, line in envs:
        if env != "document":
            st.problem(f"unclosed \\begin{{{env}}}", line)
    return st


def _item(st: _State, rest: str, line: int) -> int:
    """An `\\item` (`\\item[term]`): a new list line; returns how much of `rest` it took."""
    item = st.open("list", joiner="\n")
    term = ""
    taken = 0
    if rest.startswith("<"):  # a Beamer overlay, `\\item<2->`, is no text
        close = rest.find(">", 0, 20)
        taken = close + 1 if close > 0 else 0
        rest = rest[taken:]
    if rest.lstrip().startswith("["):
        close = rest.find("]", 0, _OPTIONAL_MAX)
        if close > 0:
            term = _plain(rest[rest.find("[") + 1 : close])
            taken += close + 1
    if st.items and st.items[-1] >= 0:
        st.items[-1] = -1 if term else st.items[-1] + 1
    depth = "  " * min(st.lists - 1, _MAX_DEPTH)  # 20,000 unclosed lists: no deeper
    item.units.append((line, f"{depth}- {term}:" if term else f"{depth}-"))
    return taken


def _inner(m: re.Match[str]) -> bool:
    """Whether a line's command is one of a formula's own environments (`array`, `cases`),
    which belongs to the text (and math) around it."""
    return m.group("env") is not None and m.group("env") not in _STRUCTURE


def _next_command(raw: str, col: int) -> int:
    """Where the next structural command after `col` starts on the line, outside `$...$`
    (`... \\end{center}`, `\\item a \\item b`); the line's length if none."""
    for m in _MID_LINE.finditer(raw, col + 1):
        if m.group("verb") or _inner(m):
            continue  # quoted by `\\verb`, or a formula's own environment
        if raw.count("$", col, m.start()) % 2 == 0:
            return m.start()
        break
    return len(raw)


def _display(st: _State, tex: str, line: int, last: int) -> None:
    """`\\[ ... \\]` on lines `line` to `last`: a display formula."""
    for key in _LABEL_IN_MATH.findall(tex):
        st.label(key, line)
    tex = collapse(_LABEL_IN_MATH.sub("", tex))
    if tex:
        st.flush()
        block = st.open("math", joiner="\n")
        block.units.append((line, f"$${tex}$$"))
        block.math.append(Math(tex, True, Span(st.path, line, last)))
        st.flush()


def _environment(st: _State, env: str, source: str, line: int, last: int,
                 raw_lines: list[str]) -> None:
    """An environment read whole: math, code, a float (its caption) or nothing."""
    if env in _DROPPED_ENVS:
        return
    st.flush()
    if env in _MATH_ENVS:
        tex = source.strip()
        for key in _LABEL_IN_MATH.findall(tex):
            st.label(key, line)
        _number_rows(st, env, tex)
        tex = "\n".join(x for x in (t.rstrip() for t in _LABEL_IN_MATH.sub("", tex).split("\n"))
                        if x.strip())
        if env in ("equation", "equation*", "displaymath", "math"):
            inner = re.sub(r"^\\begin\{[^}]*\}|\\end\{[^}]*\}$", "", tex).strip()
            tex = inner or tex
        block = st.open("math", joiner="\n")
        block.units.append((line, f"$${tex}$$"))
        block.math.append(Math(tex, True, Span(st.path, line, last)))
    elif env == "lyxcode":
        _typed_lines(st, source, line)
    elif env in _PSEUDOCODE:
        _typed_lines(st, _STEP.sub(lambda m: _STEPS[m.group(1).lower()], source), line, "text")
    elif env in _CODE_ENVS:
        block = st.open("code", joiner="\n")
        # the raw lines, comments and all: `%` is no comment in verbatim text
        block.units.extend((k + 1, raw_lines[k]) for k in range(line, last - 1))
        if not block.units:
            st.block = None
    else:  # a float: its captions, its images, its labels
        block = st.open("text")
        inner = source
        reader = _Inline(st, block, inner, line)
        counter = env.rstrip("*").removeprefix("wrap")  # wrapfigure: a figure
        number: str | None = None
        captioned = False  # a label before the caption names the section, as in LaTeX
        for m in re.finditer(r"\\(caption|includegraphics|label)\b", inner):
            arg = reader.argument(m.end())
            if arg is None:
                continue
            value = arg[0].strip()
            at = line + inner.count("\n", 0, m.start())
            if m.group(1) == "caption":
                if counter != "subfigure":  # a sub-float's "(a)" is not counted here
                    number, captioned = st.count(counter, []), True
                if _plain(value):
                    block.units.append((at, _plain(value)))
            elif m.group(1) == "includegraphics":
                block.images.append(Image(value, Span(st.path, at, at)))
            else:
                st.label(value, at)
                if captioned and value not in st.numbers:
                    st.numbers[value] = number  # "Figure 2" (a label after its caption)
    st.flush()


# The display environments that number their formula (`equation`) or each row (`align`);
# a row is numbered unless it says `\\nonumber` / `\\notag`, and `\\tag{x}` prints x.
_ONE_NUMBER = frozenset({"equation", "multline"})
_ROW_NUMBERS = frozenset({"align", "alignat", "eqnarray", "gather", "flalign"})
_ROW_BREAK = re.compile(r"\\\\|\\(?:begin|end)\{[^{}]*\}|[{}]")
_TAG = re.compile(r"\\tag\*?\{([^{}\n]{1,40})\}")
_NO_NUMBER = re.compile(r"\\nonumber\b|\\notag\b")


def _number_rows(st: _State, env: str, tex: str) -> None:
    """The numbers a numbered display gives its labels (`\\eqref{x}` reads "(2)")."""
    tex = re.sub(r"^\\begin\{[^{}]*\}(?:\{[^{}]*\})?|\\end\{[^{}]*\}$", "", tex.strip())
    if env in _ONE_NUMBER:
        rows = [tex]
    elif env in _ROW_NUMBERS:
        rows, depth, start = [], 0, 0
        for m in _ROW_BREAK.finditer(tex):  # rows end at a `\\\\` outside braces and inner
            c = m.group()                    # environments (`cases`, `aligned`)
            if c == "{" or c.startswith("\\begin"):
                depth += 1
            elif c == "}" or c.startswith("\\end"):
                depth = max(0, depth - 1)
            elif not depth:
                rows.append(tex[start : m.start()])
                start = m.end()
        rows.append(tex[start:])
    else:
        return
    for row in rows:
        keys = _LABEL_IN_MATH.findall(row)
        if _NO_NUMBER.search(row) or not re.search(r"\S", _LABEL_IN_MATH.sub("", row)):
            continue
        tag = _TAG.search(row)
        st.count("equation", [k for k in keys if k], tag.group(1) if tag else "")


# What a pseudocode command prints (algpseudocode's `\\State`, `\\If{..}`, `\\EndIf`, and
# the older algorithmic's `\\STATE`, `\\IF{..}`, ...): its argument follows as text.
_STEPS = {
    "state": "", "statex": "", "require": "Require: ", "ensure": "Ensure: ", "if": "if ",
    "elsif": "else if ", "elseif": "else if ", "else": "else ", "endif": "end if ",
    "for": "for ", "forall": "for all ", "endfor": "end for ", "while": "while ",
    "endwhile": "end while ", "repeat": "repeat ", "until": "until ", "loop": "loop ",
    "endloop": "end loop ", "return": "return ", "function": "function ",
    "endfunction": "end function ", "procedure": "procedure ", "endprocedure": "end procedure ",
    "comment": "\u25b7 ", "call": "", "input": "Input: ", "output": "Output: ",
}
_STEP = re.compile(r"\\(" + "|".join(sorted(_STEPS, key=len, reverse=True)) + r")(?![A-Za-z])",
                   re.I)


def _typed_lines(st: _State, source: str, line: int, kind: str = "") -> None:
    """LyX-Code (`lyxcode`) and pseudocode: lines set in type whose commands LaTeX runs
    (`\\textquotedbl{}` prints `"`, `~` a space); a passage of these lines, code unless
    they hold formulas (steps of an algorithm written with `$..$`)."""
    first, last = source.find("\n"), source.rfind("\n")
    if first < 0 or last <= first:
        return
    inner = source[first + 1 : last]
    block = Block(kind or ("text" if "$" in inner else "code"), [], st.heading_path(),
                  joiner="\n")
    for k, piece in enumerate(_Inline(st, block, inner, line + 1).run()):
        if piece.strip():  # a step's words, or a line of code as indented
            block.units.append((line + 1 + k,
                                collapse(piece) if block.kind == "text" else piece.rstrip()))
    if block.units:
        st.flush()
        st.block = block
        st.flush()


def _begin(st: _State, env: str, rest: str, line: int) -> int:
    """An environment read line by line; returns how much of `rest` its arguments took."""
    if env in _LISTS:
        if not st.lists:
            st.flush()
        st.lists += 1
        st.items.append(0 if env in ("enumerate", "compactenum") else -1)
        st.open("list", joiner="\n")
        return 0
    st.flush()
    if env == "frame":
        _end_frame(st)
        st.frame += 1
        return _heading(st, "frame", rest, line)
    taken = 0
    if env in _ALGORITHMS:
        st.float_kind = "algorithm"
        if rest.lstrip().startswith("["):  # `[ht]`: where it floats, no title
            close = rest.find("]", 0, _OPTIONAL_MAX)
            taken = close + 1 if close > 0 else 0
        return taken
    if env in _DEFINITIONS and st.definition is None:
        title = ""
        if rest.lstrip().startswith("["):
            close = rest.find("]", 0, _OPTIONAL_MAX)
            if close > 0:
                title = _plain(rest[rest.find("[") + 1 : close])
                taken = close + 1
        st.definition = _Definition(title, line, len(st.parsed.blocks),
                                    term=title if _names(title) else "")
    elif rest.lstrip().startswith("["):
        # a theorem's title, `\begin{theorem}[Representer Theorem]`, reads "Representer
        # Theorem." before its statement (`\begin{block}{Title}` reads as its first words)
        close = rest.find("]", 0, _OPTIONAL_MAX)
        title = _plain(rest[rest.find("[") + 1 : close]) if close > 0 else ""
        if title:
            st.open("text").units.append((line, title.rstrip(".") + "."))
            taken = close + 1
            if env in _THEOREMS:
                st.theorem = title.rstrip(".")
    if env in _THEOREMS and st.theorem is None:
        st.theorem = ""
    st.titled = env not in _DEFINITIONS and not taken  # LyX: `[Title]` on the next line
    return taken


def _end(st: _State, env: str, envs: list[tuple[str, int]], line: int) -> None:
    if not envs or envs[-1][0] != env:
        if any(e == env for e, _ in envs):
            while envs and envs[-1][0] != env:
                st.problem(f"unclosed \\begin{{{envs[-1][0]}}}", envs.pop()[1])
        else:
            if env != "document":
                st.problem(f"\\end{{{env}}} without its \\begin", line)
            return
    envs.pop()
    if env in _LISTS:
        st.lists = max(0, st.lists - 1)
        del st.items[st.lists:]
        if not st.lists:
            st.flush()
        return
    st.flush()
    if env in _ALGORITHMS:
        st.float_kind = ""
    if env in _THEOREMS:
        st.theorem = None
    if env == "frame":
        _end_frame(st)
        st.frame += 1  # what follows is on no slide of the last
    d = st.definition
    if env in _DEFINITIONS and d is not None:
        st.definition = None
        term = _term(d)
        if term and len(st.parsed.blocks) > d.start_block:
            st.entries.append((term, d.first, line, d.start_block, len(st.parsed.blocks)))


def _end_frame(st: _State) -> None:
    """A slide's end: its title heads no more text."""
    frame = st.levels["frame"]
    while st.stack and st.stack[-1][0] >= frame:
        st.stack.pop()


def _names(title: str) -> bool:
    """Whether a definition's title names what it defines, not how ("informal", "Definition
    2.1")."""
    key = normalize(title)
    return bool(key) and len(key.split()) <= 6 and key.split()[0] not in _KIND_WORDS


_KIND_WORDS = frozenset({"informal", "formal", "definition", "def", "defn", "alternative",
                         "equivalent", "general", "revisited", "continued"})


def _term(d: _Definition) -> str:
    """The name a definition environment gives: its title when that names it, else the first
    term it sets in bold or italics."""
    if _names(d.title):
        return d.title
    return d.term if d.term and len(d.term.split()) <= 6 else ""


# --------------------------------------------------------------------------- reader


_REF_MARK = re.compile(r"\x00(\d+)\x00")


def _fill_refs(st: _State) -> None:
    """A `\\ref` reads as the title of what its label names, else as the label; a label
    on an equation or a float reads as its number ("(3)" for `\\eqref`), or as the label
    when the number is not this file's to say (never the title of its section)."""
    labels = st.parsed.labels

    def shown(m: re.Match[str]) -> str:
        command, key = st.refs[int(m.group(1))]
        if key in st.numbers:
            number = st.numbers[key] or key
            return f"({number})" if command == "eqref" else number
        if st.section_labels.get(key) and command not in ("nameref", "pageref"):
            # a section's number, as LaTeX prints it (read51: its title made "As Section
            # Shrinking the Weights showed"). When the number is another file's, its title
            # still: the label read "see Section sec:Bayesian-decision-theory" in a book's
            # chapter files (review51a); `\\pageref` prints a page, no section's number
            named = {"autoref": "section ", "cref": "section ", "Cref": "Section "}
            return named.get(command, "") + str(st.section_labels[key])
        return labels.get(key, key)

    for block in st.parsed.blocks:
        if any("\x00" in t for _, t in block.units):
            block.units = [(ln, _REF_MARK.sub(shown, t)) for ln, t in block.units]


_DOCUMENT = re.compile(r"^[ \t]*\\begin\{document\}", re.M)
_SLIDE_CONCEPT = ("a slide kept in a file of its own, the file named by the concept its title "
                  "names")


def _concept_of_slide(stem: str, title: str) -> str | None:
    """The concept a slide's file names in the slide's title, as the title spells it: the
    whole title (`experience_replay.tex`, "Experience Replay"; `pca.tex`, "Principal Component
    Analysis"), a run of two words of it or more ("... with experience replay"), or an
    acronym it writes in capitals (`dqn.tex`, "... deep Q-networks (DQN)"). Not a file of an
    order or a part (`boundary1`, `td_vs_mc_3`), nor one common word of a longer title
    (`setting.tex`, "AdaBoost: setting"): their slides are no concept (review53c, on qa53's
    course of one frame a file, whose DQN and experience replay were lost)."""
    mine = [w for w in re.split(r"[\W_]+", stem) if w]
    if not mine or any(c.isdigit() for w in mine for c in w):
        return None
    said = [w for w in re.split(r"[\W_]+", title.casefold()) if w]
    if is_generic_title(title):
        return None  # "Credits", "Agenda"
    if [w.rstrip("s") for w in said] == [w.casefold().rstrip("s") for w in mine] \
            or initials_match(stem, title):
        return title
    run = r"[ \t-]+".join(re.escape(w) for w in mine)
    found = re.search(rf"(?<![\w-]){run}(?![\w-])", title, re.IGNORECASE)
    if found is None or title.rstrip().endswith("?") \
            or (len(mine) == 1 and not (found.group(0).isupper() and len(mine[0]) > 1)):
        return None  # "Which function approximator?" names no "which function"
    return found.group(0)


def _slide_entry(parsed: Parsed, path: str, slide: str) -> Entry | None:
    """The entry of the concept a lone slide's file names (`_concept_of_slide`), its text the
    slide's."""
    name = _concept_of_slide(PurePath(path).stem, slide)
    blocks = [b for b in parsed.blocks if b.heading_path and b.heading_path[-1] == slide
              and b.heading_path in parsed.slide_paths and b.kind != "code"]
    lines = [ln for b in blocks for ln, _ in b.units]
    if name is None or not lines:
        return None  # a slide of a figure alone (`mountain_car.tex`) explains nothing
    entry = markdown.entry_from_blocks(name, blocks, Span(path, min(lines), max(lines)))
    return replace(entry, reason=_SLIDE_CONCEPT)


# A lecture's order before its subtitle: "2 - Convolutional Neural Networks"
_ORDER = re.compile(r"^\s*\d{1,3}\s*[-\u2013\u2014:.)]\s*")
_PART_NUMBER = re.compile(r"\s*(\d{1,3})\.?\s+(?=\D)")  # a title's: "1. ", "4 "
_SUB_NUMBER = re.compile(r"\s*(\d{1,3})\.\d{1,3}[a-z]?\.?\s+(?=\D)"  # "1.2. ", "1.3a. ", "3.11 "
                         # ... not a quantity: "1.5 hours, room 204" under "1 Optimization"
                         # is how long the lecture takes (review56a's lead, read57)
                         r"(?!(?:(?i:hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?"
                         r"|months?|years?|credits?|ects|percent)|points?|pts|units?|times"
                         r"|h|gb|mb|kb|ms|x)(?![\w-])|%)")
# (a symbol or a plural lower case only, and no word going on after a hyphen: "3.2 MS COCO",
# "1.2 X-ray Imaging", "3.1 H-infinity Control", "4.1 Points and Lines" are parts; review57a)


def _named_by_subtitle(parsed: Parsed, path: str) -> None:
    """A course's decks that each `\\title` the course and `\\subtitle` their lecture
    (`recurrent_neural_networks.tex`, "Deep Learning and Temporal Data Processing" over "3 -
    Recurrent Neural Networks") are titled by the subtitle, without its order number, where
    the file's name shares a word with it and none with the title: nine decks of one title
    were one concept (round 53, a course's Beamer decks; read54). A deck titled by its topic
    and subtitled by its course (`clustering.tex`) keeps its title, and so does a deck with a
    slide or section of the topic's name: the page would take that name, and the slide's
    definition would be lost with it (left: the course's title names that deck)."""
    meta = parsed.front.meta
    title, subtitle = meta.get("title"), meta.get("subtitle")
    if not isinstance(title, str) or not isinstance(subtitle, str):
        return
    part, sub = _PART_NUMBER.match(title), _SUB_NUMBER.match(subtitle)
    # a subtitle numbered as a part of the title's number ("1. Feedforward Networks" over
    # "1.2. Backpropagation", "3. Tools" over "3.11 PyTorch") is the deck's part of the course
    # (read56: a course's 22 decks titled by their six modules, named L1.1.tex, ...)
    numbered = part is not None and sub is not None and part.group(1) == sub.group(1)
    topic = (subtitle[sub.end():] if numbered and sub else _ORDER.sub("", subtitle)).strip()
    mine = [w for w in re.split(r"[\W_]+", PurePath(path).stem.casefold())
            if len(w) > 2 and not w.isdigit() and w.rstrip("0123456789") not in _DECK_WORDS]
    if not topic or _YEAR.search(topic) or is_generic_title(topic) \
            or any(w.rstrip("0123456789") in _DECK_WORDS
                   for w in re.split(r"\W+", topic.casefold())) \
            or (not numbered and _shared(mine, topic) <= _shared(mine, title)):
        return  # (the subtitle says the occasion: "ICML talk", "PhD Defense", "Lecture 3")
    headed = {normalize(h.title) for h in parsed.headings} \
        | {normalize(p[-1]) for p in parsed.slide_paths if p}
    if numbered or normalize(topic) not in headed:
        meta["title"] = topic


# A deck's kind or its place in a course, in its file's name ("lecture_3.tex", "defense.tex",
# "slides_week2.tex"): shared with a subtitle "Lecture 3", "PhD Defense", it says nothing of the
# topic, and a deck titled by its topic kept it (review54a: read54 titled them by the subtitle).
_DECK_WORDS = frozenset({
    "lecture", "lectures", "lec", "slides", "slide", "deck", "talk", "talks", "tutorial",
    "week", "day", "session", "part", "chapter", "module", "unit", "class", "seminar",
    "workshop", "defense", "defence", "presentation", "handout", "notes", "main", "final",
    "draft", "keynote", "poster", "course", "exercise", "exercises", "lab", "recitation"})
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")  # an occasion's: "ICML 2024", "Spring 2025"


def _shared(mine: list[str], text: str) -> int:
    """How many words of a file's name are words of `text`, or the start of one ("intro",
    "Introduction"), plurals aside: a deck's file named by its subtitle more than by its title
    is the subtitle's (`deep_neural_networks.tex`, "Deep Neural Networks" under "Deep Learning
    and ...": read55, read54 kept the course's title for the one shared "deep")."""
    said = [w.rstrip("s") for w in re.split(r"\W+", text.casefold()) if len(w) > 2]
    return sum(any(w.rstrip("s") == t or (len(w) > 3 and t.startswith(w)) for t in said)
               for w in mine)


def read(data: bytes, path: str) -> list[Document]:
    text = decode(data, path)
    st = _parse(text, path)
    parsed = st.parsed
    _fill_refs(st)
    _named_by_subtitle(parsed, path)
    own = "\n".join(st.macros)
    # a chapter (no `\begin{document}` of its own) uses the macros of the file reading it in,
    # a subfile those of the main file it names
    expand_macros(parsed, _main_macros(text, path) + own)
    opening = parsed.headings[0] if parsed.headings else None
    if "title" not in parsed.front.meta and opening is not None and opening.level == 1:
        # no `\title{}`: the first `\chapter` or `\section` (a file of one part of a book)
        title = opening.title
    else:
        title = markdown.title_of(parsed, path, any_heading=True)
    slide = None
    if opening is None and "title" not in parsed.front.meta and parsed.slide_paths \
            and _DOCUMENT.search(text) is None:
        # A deck's slide kept in a file of its own, which the deck `\include`s
        # (`src/svm_soft_margin.tex`: round 53, a course's Beamer decks, about 100 of them):
        # an entry only where its text defines its title, as a slide of a whole deck is; the
        # file's name is no concept (it was one, "svm_soft_margin", "boundary1").
        parsed.front.meta["topics"] = True
        slide = next((b.heading_path[-1] for b in parsed.blocks
                      if b.heading_path in parsed.slide_paths), None)
    entries = markdown.markdown_entries(parsed, path, title)
    if slide and (lone := _slide_entry(parsed, path, slide)) is not None \
            and all(normalize(lone.term) != normalize(e.term) for e in entries):
        entries.append(lone)
    taken = {normalize(n) for e in entries for n in (e.term, *e.aliases)}
    for term, first, last, start, end in st.entries:
        blocks = [b for b in parsed.blocks[start:end] if b.kind != "code"]
        if blocks and normalize(term) not in taken:
            entry = markdown.entry_from_blocks(term, blocks, Span(path, first, last))
            entries.append(replace(entry, reason=DEFINITION_ENVIRONMENT))
            taken.add(normalize(term))
    entries = markdown.with_bold_lead_entries(parsed, path, title, entries)
    entries.sort(key=lambda e: e.span.start_line)
    doc = markdown.make_document(parsed, path, name, title, entries, ())
    # Its slide's title names it where a hit or a citation shows the page, once its entries
    # are made (a slide named as the page would be no entry of its own)
    return [replace(doc, title=slide) if slide else doc]


_DOCUMENTCLASS = re.compile(r"^[ \t]*\\documentclass\b", re.M)
# A file read in, on a line not commented out: `\input{chapters/svd}`, `\include{ch1}`
_READS_IN = re.compile(r"^[^%\n]*?\\(?:input|include|subfile)\s*\{([^{}\\#\n]{1,200})\}", re.M)
# A package of the book's own, a `.sty` beside its main file: `\usepackage{notation}`
_USES = re.compile(r"^[^%\n]*?\\usepackage\s*(?:\[[^\]\n]*\])?\s*\{([^{}\\#\n]{1,200})\}", re.M)
_MAIN_FILES = 40  # main files (`\documentclass` in their first `_CLASS_BYTES`) of a folder read
_FOLDER_FILES = 400  # `.tex` files of a folder looked at for them
_CLASS_BYTES = 1 << 13
_MAIN_BYTES = 1 << 18  # of each main file and each file it reads in, for its reads and preamble
_NESTED = 3  # how deep a main file's reads are followed (book -> chapter -> section -> ...)
_READ_FILES = 200  # of one main file's reads, at most
_FOLDERS_UP = 2  # the chapter's folder and this many above
_SIBLINGS = 16  # then the folders beside the chapter's, at most this many


# `\documentclass[../main.tex]{subfiles}`: a chapter that compiles alone in its main file's
# preamble (the `subfiles` package)
_SUBFILE_OF = re.compile(r"^[ \t]*\\documentclass\s*\[([^\]\n]{1,200})\]\s*\{subfiles\}", re.M)


def _main_macros(text: str, path: str) -> str:
    r"""The macros a chapter `text` at `path` takes from its main file: a subfile's from the
    main file its `\documentclass[main]{subfiles}` names (it has a `\begin{document}` of its
    own, so read53's look for an includer passed it by; review53a), a chapter's without
    `\begin{document}` from the file that reads it in; "" for a file of its own."""
    if (sub := _SUBFILE_OF.search(text)) is not None:
        main = os.path.join(os.path.dirname(path), sub.group(1).strip())  # noqa: PTH118, PTH120
        return _preamble(main if main.endswith(".tex") else main + ".tex")
    return "" if _DOCUMENT.search(text) else _includers_macros(path)


def taken_from(data: bytes, path: str) -> bytes:
    """The text a reading of the `.tex` file `path` takes from its main file (`_main_macros`,
    the preamble and what it reads in), for the chapter's hash: its stored reading depends on
    them. b"" for a file of its own or one that does not decode (its read says why)."""
    try:
        text = decode(data, path)
    except ReadError:
        return b""
    return _main_macros(text, path).encode("utf-8", "surrogatepass")


def _includers_macros(path: str) -> str:
    r"""The preamble of the main file that reads the chapter at `path` in (`\input`,
    `\include`, `\subfile`), where a book defines its macros once for every chapter; "" if
    there is none on disk. Round 52 (qa52) left an instructor's chapters with `\row`, `\T`,
    `\myrank` unexpanded in every formula: `main.tex` defined them and `\include`d the
    chapters. The main file is looked for in the chapter's folder and up to `_FOLDERS_UP`
    above (`chapters/svd.tex` under `book.tex`), by where its reads lead, as TeX looks (from
    the main file's folder, with or without `.tex`), then in the folders beside the chapter's
    (`paper/main.tex` reading `\input{../parts/intro}`; read54). A chapter is read again when
    the main file's macros change (`taken_from` is in its hash)."""
    target = os.path.abspath(path).removesuffix(".tex")  # noqa: PTH100 - a text path
    folder = own = os.path.dirname(target)  # noqa: PTH120
    for _ in range(_FOLDERS_UP + 1):
        main = _reads_in(folder).get(target)
        if main is not None:
            return _preamble(main)
        up = os.path.dirname(folder)  # noqa: PTH120
        if up == folder:
            break
        folder = up
    for beside in _folders_beside(own):
        main = _reads_in(beside).get(target)
        if main is not None:
            return _preamble(main)
    return ""


def _folders_beside(folder: str) -> list[str]:
    """The folders beside `folder` (in its parent), `_SIBLINGS` of them at most, by name."""
    parent = os.path.dirname(folder)  # noqa: PTH120
    try:
        with os.scandir(parent) as entries:
            names = sorted(e.name for e in entries if e.is_dir() and not e.name.startswith("."))
    except OSError:
        return []
    return [os.path.join(parent, n) for n in names  # noqa: PTH118
            if os.path.join(parent, n) != folder][:_SIBLINGS]  # noqa: PTH118


def _reads_in(folder: str) -> dict[str, str]:
    """Each file (its path without `.tex`) that a main file of `folder` reads in, itself or
    through a file it reads in (a chapter's `\\input` of its sections), and that main file;
    scanned once per reader process while the folder's `.tex` files stay as they are
    (`watch` lives long)."""
    try:
        names = _tex_names(folder, os.stat(folder).st_mtime_ns)  # noqa: PTH116
        stamps = tuple((n, os.stat(os.path.join(folder, n)).st_mtime_ns) for n in names)  # noqa: PTH116, PTH118
    except OSError:
        return {}
    return _scan(folder, stamps)


@lru_cache(maxsize=256)
def _tex_names(folder: str, _changed: int) -> tuple[str, ...]:
    """The `.tex` files of `folder`, listed again when its entries change (its mtime): each
    chapter of a book, and each `.tex` no main file reads (a figure's TikZ), looks in up to 19
    folders at each ingest, and listing a folder of 300 notes cost a chapter 1 ms each time
    (review54a: 100 TikZ files beside 16 such folders, 1.3 s an ingest)."""
    return tuple(sorted(n for n in os.listdir(folder) if n.endswith(".tex"))[:_FOLDER_FILES])  # noqa: PTH208


@lru_cache(maxsize=64)
def _scan(folder: str, stamps: tuple[tuple[str, int], ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    mains = 0
    for name, _ in stamps:
        main = os.path.join(folder, name)  # noqa: PTH118
        # a main file says `\documentclass` first: a thesis's 45 chapters sorted before
        # `thesis.tex` are passed by unread (review53a: read53 read the first 40 only)
        if mains == _MAIN_FILES or not _DOCUMENTCLASS.search(_text_head(main, _CLASS_BYTES)):
            continue
        head = _text_head(main)
        if not _DOCUMENT.search(head):
            continue
        mains += 1
        # TeX reads every `\input` from the main file's folder, a chapter's of its sections too
        todo, seen = [(head, 0)], 0
        while todo and seen < _READ_FILES:
            text, depth = todo.pop()
            for m in _READS_IN.finditer(text):
                read = os.path.normpath(os.path.join(folder, m.group(1).strip()))  # noqa: PTH118
                key = read.removesuffix(".tex")
                if key in found or key == main.removesuffix(".tex"):
                    continue
                found[key] = main
                seen += 1
                if depth + 1 < _NESTED:
                    todo.append((_text_head(key + ".tex"), depth + 1))
    return found


def _preamble(main: str) -> str:
    r"""The main file's text before `\begin{document}`, its comments out, with the files it
    reads in there and the `.sty` packages beside it that it uses (`\input{macros}`,
    `\usepackage{notation}`: where a book keeps its macros; review53a). Kept per process while
    the files it was made of stay as they were: each chapter of a book asks for it at each
    ingest (its hash, `taken_from`), two thirds of their cost (review54a: 68 chapters of a
    thesis 0.58 s of 0.87 s, each reading the main file, its preamble's input and styles)."""
    kept = _PREAMBLES.get(main)
    if kept is not None and all(_stamp(path) == stamp for path, stamp in kept[0]):
        return kept[1]
    read = [main]
    head = _text_head(main)
    begin = _DOCUMENT.search(head)
    preamble = "\n".join(_strip_comments(head[: begin.start() if begin else 0].split("\n")))
    folder = os.path.dirname(main)  # noqa: PTH120
    for m in _READS_IN.finditer(preamble):
        path = os.path.join(folder, m.group(1).strip())  # noqa: PTH118
        read.append(path if path.endswith(".tex") else path + ".tex")
    for m in _USES.finditer(preamble):
        read += [os.path.join(folder, name.strip() + ".sty")  # noqa: PTH118
                 for name in m.group(1).split(",") if name.strip()]
    stamps = tuple((path, _stamp(path)) for path in read)
    parts = [*(_text_head(path) for path in read[1:]), preamble]
    text = "\n".join("\n".join(_strip_comments(p.split("\n"))) for p in parts)
    if len(_PREAMBLES) >= _KEPT_PREAMBLES:
        _PREAMBLES.clear()
    _PREAMBLES[main] = (stamps, text)
    return text


_KEPT_PREAMBLES = 64
# main file -> ((each file read, its (mtime, size) or None), the preamble made of them)
_PREAMBLES: dict[str, tuple[tuple[tuple[str, tuple[int, int] | None], ...], str]] = {}


def _stamp(path: str) -> tuple[int, int] | None:
    """A file's modification time and size, None when it is not there."""
    try:
        info = os.stat(path)  # noqa: PTH116 - a text path
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _text_head(path: str, size: int = _MAIN_BYTES) -> str:
    """The head of another `.tex` file than the one being read, "" when it cannot be read:
    an old GBK file beside a chapter failed the chapter's own read (review53a)."""
    if not os.path.isfile(path):  # noqa: PTH113 - a text path
        return ""
    try:
        with open(path, "rb") as f:  # noqa: PTH123 - a text path
            return decode(f.read(size), path)
    except (OSError, ValueError, ReadError):
        return ""
