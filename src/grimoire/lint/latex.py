"""Broken math: TeX that no renderer would accept.

A structural check, not a renderer: unbalanced braces, `\\left` without `\\right`,
`\\begin{x}` without its `\\end{x}`, a `^` or `_` with nothing after it, `\\frac` with fewer
than two arguments. These are what KaTeX and MathJax reject in notes; anything subtler is left
alone rather than flagged on a guess.
"""

from __future__ import annotations

import re

_ENV = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}")
_LEFT_RIGHT = re.compile(r"\\(left|right)(?![A-Za-z])")
_SCRIPT_END = re.compile(r"[\^_]\s*$|[\^_]\s*[\^_}]")
_FRAC = re.compile(r"\\[dt]?frac(?![A-Za-z])\s*")


def latex_problems(tex: str) -> list[str]:
    """What is wrong with a formula, in words; empty when it looks well formed."""
    problems: list[str] = []
    depth = 0
    escaped = False
    for c in tex:
        if escaped:
            escaped = False
            continue
        if c == "\\":
            escaped = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                problems.append("a '}' closes nothing")
                depth = 0
    if depth > 0:
        problems.append(f"{depth} unclosed '{{'")
    lefts = rights = 0
    for m in _LEFT_RIGHT.finditer(tex):
        if m.group(1) == "left":
            lefts += 1
        else:
            rights += 1
    if lefts != rights:
        problems.append(f"\\left and \\right do not pair ({lefts} vs {rights})")
    stack: list[str] = []
    for m in _ENV.finditer(tex):
        kind, name = m.groups()
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            problems.append(f"\\end{{{name}}} without its \\begin")
    problems.extend(f"\\begin{{{name}}} is never ended" for name in stack)
    if _SCRIPT_END.search(tex.replace("\\}", "").replace("\\_", "")):
        problems.append("a '^' or '_' with nothing to apply to")
    closes = _closing_braces(tex)
    for m in _FRAC.finditer(tex):
        if _arguments(tex, m.end(), closes) < 2:
            problems.append("\\frac needs two arguments")
            break
    return problems


def _closing_braces(tex: str) -> dict[int, int]:
    """Each '{' position mapped to its matching '}' (unclosed ones to the end), in one pass.

    Looking the match up instead of scanning for it keeps nested `\\frac{\\frac{...}}` linear:
    scanning from every `\\frac` made 60 KB of nesting take 30-44 s.
    """
    closes: dict[int, int] = {}
    stack: list[int] = []
    for i, c in enumerate(tex):
        if c == "{":
            stack.append(i)
        elif c == "}" and stack:
            closes[stack.pop()] = i
    for i in stack:
        closes[i] = len(tex)
    return closes


def _arguments(tex: str, at: int, closes: dict[int, int]) -> int:
    """How many arguments (brace groups or single tokens) follow position `at`, up to two."""
    count = 0
    i = at
    while count < 2 and i < len(tex):
        while i < len(tex) and tex[i] == " ":
            i += 1
        if i >= len(tex) or tex[i] in "}^_&=":
            break
        if tex[i] == "{":
            i = closes[i] + 1
        elif tex[i] == "\\":
            i += 1
            while i < len(tex) and tex[i].isalpha():
                i += 1
        else:
            i += 1
        count += 1
    return count
