"""Code inside a definition or a section's text, kept as a fenced code block.

An entry's definition and a concept page's section are their passages' texts joined. A code
passage (a notebook's code cell, a Markdown fence, an rst literal block) joined unfenced
read as prose: the web showed its lines as paragraphs, a `# comment` line as a heading. So a
code passage is written into the joined text as a fence, as CommonMark writes one, whatever
the note's format; the web renders it as code (`web/render`), and the embedded text of an
entry (`store/_embed_text`) knows where it is. A fence keeps the code's language where the note
named one (```` ```python ````, a notebook's kernel): the opening line is the bar and the
language (`language`), the closing line the bar alone.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

_BAR = re.compile(r"`{3,}")
# A language as a fence names it: the info string's first word, of letters, digits and
# `+ - # .` (c++, c#, objective-c), bounded; also in braces as R Markdown and Quarto write it
# (`{r, echo=FALSE}`, `{python}`) or as a Pandoc class (`{.python}`). The info string is the
# note's text, anything (case 28): any other first word is no language.
_LANGUAGE = re.compile(r"\{?\.?([A-Za-z0-9+#.-]{1,30})(?=[\s,}]|$)")
_OPENER = re.compile(r"(`{3,})([A-Za-z0-9+#.-]{1,30})?")


def language(info: str) -> str:
    """The language a fence's info string names, or "".

    >>> language(" python {.numberLines}"), language("<b>x</b>"), language("{r, echo=F}")
    ('python', '', 'r')
    """
    m = _LANGUAGE.match(info.lstrip())
    return m.group(1) if m else ""


def fenced(code: str, lang: str = "") -> str:
    """`code` between fence lines longer than any run of backticks in it, the opening one
    naming its language (`lang`, as `language` keeps it) if known.

    >>> print(fenced("x = 1", "python"))
    ```python
    x = 1
    ```
    >>> fenced("s = '```'").split("\\n")[0]
    '````'
    """
    code = code.strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}{language(lang)}\n{code}\n{bar}"


def joined(parts: list[tuple[str, str, str]]) -> str:
    """The texts of (kind, text, language) parts, each code part fenced, at blank lines."""
    return "\n\n".join(fenced(t, lang) if kind == "code" else t
                         for kind, t, lang in parts if t.strip())


def split_fences(text: str) -> list[tuple[bool, str]]:
    """`text` as (is code, text) pieces: a line of three or more backticks (and a language,
    `language`) up to the next line of the same bar alone is code (the lines between),
    anything else text."""
    return [(lang is not None, piece) for lang, piece in code_pieces(text)]


def code_pieces(text: str) -> list[tuple[str | None, str]]:
    """`text` as (language, text) pieces, as `split_fences` cuts it: a code piece's language
    ("" if its fence names none), None for text. In one pass over the lines (a note with a
    thousand different unclosed bars costs no more than its length; a regular expression
    scanned to the end once per bar)."""
    lines = text.split("\n")
    bars: dict[str, list[int]] = {}
    for n, line in enumerate(lines):
        if line.startswith("```") and _BAR.fullmatch(line):
            bars.setdefault(line, []).append(n)
    if not bars:
        return [(None, text)] if text else []
    out: list[tuple[str | None, str]] = []
    prose: list[str] = []
    n = 0
    while n < len(lines):
        line = lines[n]
        opener = _OPENER.fullmatch(line) if line.startswith("```") else None
        at = bars.get(opener.group(1)) if opener else None
        if opener and at is not None and (k := bisect_right(at, n)) < len(at):
            if prose:
                out.append((None, "\n".join(prose)))
                prose = []
            out.append((opener.group(2) or "", "\n".join(lines[n + 1:at[k]])))
            n = at[k] + 1
            continue
        prose.append(line)
        n += 1
    if prose:
        out.append((None, "\n".join(prose)))
    return out


def without_bars(text: str, *, code: bool = True) -> str:
    """`text` with its fences' bars gone: the code kept, or (`code=False`) left out."""
    return "\n".join(t for is_code, t in split_fences(text) if code or not is_code)


# A line of code among prose (`code_lines`): a comment, a prompt, an import, an assignment,
# a call on a line of its own, a block's head, a closing bracket, a fence.
_CODE_LINE = re.compile(r"(#|//|>>>|```|~~~|from [\w.]+ import |import [\w.]+( as \w+)?(, [\w.]+)*$"
                        r"|(def|class) \w+\s*[(:]|(else|try|finally):$|if __name__|@\w|[{(\[]$"
                        r"|[A-Za-z_][\w.]*(\[[^\]]*\])?\s*[-+*/]?=(?!=)|[A-Za-z_][\w.]*\(.*\)[;:]?$"
                        r"|[)\]}])")


# What a line of prose may leave open for the next: a formula (`$`, `$$`, a LaTeX
# environment) or inline code. A line inside one is none of code (review46a: "$L = \sum_i" over
# "x_i = y_i$", a matrix's "a = 1 & b \\" row, "`foo(" over "x = 1)`" broke there).
_OPENS = re.compile(r"\\[$`]|(\$\$|\$|`+)|\\(begin|end)\{")


def _marks(line: str) -> list[tuple[str, bool, bool]]:
    """What of `_OPENS` `line` holds, in order, as (mark, may open, may close): a `$` opens
    a formula before a character that is no space and closes one after such a character,
    not before a digit (Pandoc's rule: "$5 and $6" is no formula); the others both."""
    marks = []
    for m in _OPENS.finditer(line):
        if m[1] == "$":
            before, after = line[m.start() - 1:m.start()], line[m.end():m.end() + 1]
            marks.append(("$", after.strip() != "", before.strip() != "" and not after.isdigit()))
        elif m[1]:
            marks.append((m[1], True, True))
        elif m[2]:
            marks.append((m[2], m[2] == "begin", m[2] == "end"))
    return marks


def _closed_later(marks: list[list[tuple[str, bool, bool]] | None]) -> list[list[bool]]:
    """For each mark of each line (`_marks`; None: a blank line), whether one closing it
    comes later: `$` and inline code within the paragraph (they end with it, as in
    CommonMark), `$$` and an environment within the text. A mark nothing closes opens
    nothing: a price ("$5"), a shell's `$$`, a stray backtick or `\\begin{`."""
    out: list[list[bool]] = []
    in_paragraph: set[str] = set()
    in_text: set[str] = set()
    for line in reversed(marks):
        if line is None:
            in_paragraph = set()
        later = []
        for mark, opens, closes in reversed(line or []):
            whole_text = mark in ("$$", "begin", "end")
            closing = "end" if mark == "begin" else mark
            later.append(opens and closing in (in_text if whole_text else in_paragraph))
            if closes:
                (in_text if whole_text else in_paragraph).add(mark)
        out.append(later[::-1])
    return out[::-1]


def code_lines(lines: Sequence[str]) -> set[int]:
    """The lines of code among the prose of `lines` (those in a fence, and those `_CODE_LINE`
    tells, but none a formula or inline code left open: `_marks`); none when the first
    line that is not blank is code: a passage of code, its comments and docstrings among it,
    is no prose with code in it. A search snippet begins a line at each (`search.snippet`), a
    page sets a run of them as code (`render`)."""
    fence = False
    marks: list[list[tuple[str, bool, bool]] | None] = []
    for line in lines:
        bare = line.strip()
        opens = bare.startswith(("```", "~~~"))
        marks.append(None if not bare else [] if fence or opens else _marks(bare))
        fence ^= opens
    later = _closed_later(marks)
    code: set[int] = set()
    fence = False
    inside = ""  # the formula or inline code open: "$", "$$", a run of backticks; or ""
    depth = 0  # LaTeX environments open
    for i, line in enumerate(lines):
        bare = line.strip()
        opens = bare.startswith(("```", "~~~"))
        if fence or opens or (not inside and not depth and _CODE_LINE.match(bare)):
            code.add(i)
        elif not bare:  # inline code or a `$` formula ends with its paragraph (CommonMark)
            inside = "$$" if inside == "$$" else ""
        else:
            for (mark, may_open, may_close), closed in zip(marks[i] or [], later[i],
                                                           strict=True):
                if mark in ("begin", "end"):
                    if not inside.startswith("`"):  # in inline code it is text
                        depth = depth + closed if mark == "begin" else max(0, depth - 1)
                elif inside:  # in code or a formula only its own closing mark counts
                    if mark == inside and may_close:
                        inside = ""
                elif may_open and closed:
                    inside = mark
        fence ^= opens
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    return set() if first in code else code
