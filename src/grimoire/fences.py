"""Code inside a definition or a section's text, kept as a fenced code block.

An entry's definition and a concept page's section are their passages' texts joined. A code
passage (a notebook's code cell, a Markdown fence, an rst literal block) joined unfenced
read as prose: the web showed its lines as paragraphs, a `# comment` line as a heading. So a
code passage is written into the joined text as a fence, as CommonMark writes one, whatever
the note's format; the web renders it as code (`web/render`), and the embedded text of an
entry (`store/_embed_text`) knows where it is.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_BAR = re.compile(r"`{3,}")


def fenced(code: str) -> str:
    """`code` between fence lines longer than any run of backticks in it.

    >>> print(fenced("x = 1"))
    ```
    x = 1
    ```
    >>> fenced("s = '```'").split("\\n")[0]
    '````'
    """
    code = code.strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}\n{code}\n{bar}"


def joined(parts: list[tuple[str, str]]) -> str:
    """The texts of (kind, text) parts, each code part fenced, at blank lines."""
    return "\n\n".join(fenced(t) if kind == "code" else t for kind, t in parts if t.strip())


def split_fences(text: str) -> list[tuple[bool, str]]:
    """`text` as (is code, text) pieces: a line of three or more backticks up to the next
    line of the same bar is code (the lines between), anything else text. In one pass over
    the lines (a note with a thousand different unclosed bars costs no more than its length;
    a regular expression scanned to the end once per bar)."""
    lines = text.split("\n")
    bars: dict[str, list[int]] = {}
    for n, line in enumerate(lines):
        if line.startswith("```") and _BAR.fullmatch(line):
            bars.setdefault(line, []).append(n)
    if not bars:
        return [(False, text)] if text else []
    out: list[tuple[bool, str]] = []
    prose: list[str] = []
    n = 0
    while n < len(lines):
        line = lines[n]
        at = bars.get(line)
        if at is not None and (k := bisect_right(at, n)) < len(at):
            if prose:
                out.append((False, "\n".join(prose)))
                prose = []
            out.append((True, "\n".join(lines[n + 1:at[k]])))
            n = at[k] + 1
            continue
        prose.append(line)
        n += 1
    if prose:
        out.append((False, "\n".join(prose)))
    return out


def without_bars(text: str, *, code: bool = True) -> str:
    """`text` with its fences' bars gone: the code kept, or (`code=False`) left out."""
    return "\n".join(t for is_code, t in split_fences(text) if code or not is_code)
