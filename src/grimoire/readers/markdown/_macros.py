"""A note's own TeX macros: `$\\newcommand{\\Correctrank}{\\mathrm{rank}}$` above the formulas
that use `\\Correctrank`.

The definition renders as nothing, and a formula that uses the macro means its body: the
definitions are taken out of the text (a note's definition opened with one: round 42, the
term file of Mean Reciprocal Rank in ../shared) and every formula of the note after them is
stored with its macros written out, so `show`, the web page (whose renderer does not see the
definition) and formula search read `\\frac 1 {\\mathrm{rank}_i}`. Only the note's own
definitions: a book's macros in another file (`latexmacros.tex`) would make one note's reading
depend on a file its content hash does not cover (round 41).
Org's reader hands its `#+LATEX_HEADER:` lines over as the note's `header` (round 43).

`\\newcommand`, `\\renewcommand` (with `[n]` arguments), `\\def` (arguments `#1#2`) and
`\\DeclareMathOperator`; a default for a first argument (`[n][x]`) is not read (left as
written).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import replace
from functools import lru_cache

from grimoire.readers.base import collapse
from grimoire.readers.markdown._blocks import Parsed

_DEFINITION = re.compile(
    r"\\(?:re)?newcommand\*?[ \t]*(?:\{[ \t]*\\(?P<name>[A-Za-z]+)[ \t]*\}|\\(?P<bare>[A-Za-z]+))"
    r"[ \t]*(?:\[(?P<args>\d)\])?[ \t]*(?P<default>\[)?"
    r"|\\def[ \t]*\\(?P<defname>[A-Za-z]+)(?P<params>(?:#\d)*)[ \t]*(?=\{)"
    r"|\\DeclareMathOperator(?P<star>\*)?[ \t]*\{[ \t]*\\(?P<opname>[A-Za-z]+)[ \t]*\}[ \t]*(?=\{)"
)
_MARK = re.compile(r"\\(?:(?:re)?newcommand|def|DeclareMathOperator)(?![A-Za-z])")
_CONTROL = re.compile(r"\\([A-Za-z]+)")
_PARAM = re.compile(r"#(\d)")
_BRACE = re.compile(r"\\.|[{}]", re.S)
# A macro's expansion may use others, up to this deep; a self-referring one (`\def\x{\x\x}`)
# never ends, and its formula stays as written.
_PASSES = 8
_GROWTH = 20  # an expansion longer than this many times its formula (and 2,000) is not kept
# A note's formulas together may grow by at most this many characters, or 4 times their own
# length if more: each formula's bound alone let a 250 KB note of 50,000 `$\b$` with a body of
# 2,000 characters be stored as 100 MB of text (round 43: 98 s, a 448 MB store). Past it the
# formulas stay as written.
_NOTE_GROWTH = 200_000


def _closes(tex: str) -> dict[int, int]:
    """Each `{` that is closed, mapped to the index after its `}` (one pass: a formula of
    10,000 unclosed groups is not scanned from each)."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACE.finditer(tex):  # the braces and escapes only, not every character
        c = m.group()
        if c == "{":
            stack.append(m.start())
        elif c == "}" and stack:
            out[stack.pop()] = m.end()
    return out


_WORD_THEN_PARAM = re.compile(r"(\\[A-Za-z]+)(#[1-9])")


def definitions(tex: str) -> tuple[dict[str, tuple[int, str]], str]:
    """The macros `tex` defines (name -> (number of arguments, body)) and `tex` without them."""
    macros: dict[str, tuple[int, str]] = {}
    rest: list[str] = []
    last = 0
    closes = _closes(tex)
    for m in _DEFINITION.finditer(tex):
        if m.start() < last or m.group("default"):
            continue
        start = m.end()
        while start < len(tex) and tex[start] in " \t\n":
            start += 1
        if (end := closes.get(start)) is None:
            continue
        # `\lvert#1` filled with `x` is `\lvertx`, a command of another name: TeX reads the
        # body as tokens, so a blank keeps the two apart (round 53: a cheat sheet's `\abs`)
        body = _WORD_THEN_PARAM.sub(r"\1 \2", tex[start + 1 : end - 1])
        if m.group("opname"):
            operator = "\\operatorname*" if m.group("star") else "\\operatorname"
            macros[m.group("opname")] = (0, f"{operator}{{{body}}}")
        elif m.group("defname"):
            macros[m.group("defname")] = (len(m.group("params")) // 2, body)
        else:
            macros[m.group("name") or m.group("bare")] = (int(m.group("args") or 0), body)
        rest.append(tex[last : m.start()])
        last = end
    rest.append(tex[last:])
    return macros, "".join(rest)


def _argument(tex: str, at: int, closes: dict[int, int]) -> tuple[str, int] | None:
    """One argument at `at` (a brace group's inside, a control word or one character)."""
    while at < len(tex) and tex[at] in " \t\n":
        at += 1
    if at >= len(tex):
        return None
    if tex[at] == "{":
        end = closes.get(at)
        return None if end is None else (tex[at + 1 : end - 1], end)
    if tex[at] == "\\":
        word = _CONTROL.match(tex, at)
        end = word.end() if word else at + 2
        return tex[at:end], end
    return tex[at], at + 1


@lru_cache(maxsize=64)
def _uses(body: str) -> tuple[int, ...]:
    """How many times a macro's body uses each of its parameters `#1`...`#9` (kept while one
    note is read: `expand_macros` clears it, so no body outlives its note)."""
    found = [int(p) for p in _PARAM.findall(body)]
    return tuple(found.count(n) for n in range(1, 10))


def _filled_size(body: str, args: list[str]) -> int:
    """The length of `_filled(body, args)`, or of `body` if longer (its cost to write out),
    counted before it is written: a body using `#1` 50,000 times filled with an argument of
    100,000 characters is 5 GB (round 43: a note of 200 KB failed on the reader's memory
    budget)."""
    grown = sum(n * (len(arg) - 2) for n, arg in zip(_uses(body), args, strict=False))
    return len(body) + max(0, grown)


def _filled(body: str, args: list[str]) -> str:
    """A macro's body with its parameters `#1`... replaced by `args`."""
    return _PARAM.sub(lambda p: args[int(p.group(1)) - 1]
                      if 0 < int(p.group(1)) <= len(args) else p.group(), body)


# A body a group would change: an operator (its limits and spacing are its own: `\arg\min_x`
# puts x under min), a style that holds to the formula's end, half of a `\left`...`\right`
# or an environment, an alignment's cells.
_UNGROUPED = re.compile(r"\\(?:operatorname|mathop|left|right|middle|begin|end|limits|nolimits"
                        r"|min|max|sup|inf|lim|liminf|limsup|sum|prod|coprod|int|iint|oint"
                        r"|bigcup|bigcap|bigoplus|bigotimes|bigvee|bigwedge|det|Pr|gcd"
                        r"|displaystyle|textstyle|scriptstyle|color|rm|bf|it|cal|tt|sf)"
                        r"(?![A-Za-z])|&|\\\\")
_ONE_TOKEN = re.compile(r"\s*(?:\\[A-Za-z]+|\\.|[^\\\s{}])\s*")


def _grouped(text: str, tex: str, start: int, end: int) -> str:
    """A macro's expansion `text` for its use at `tex[start:end]`, in braces when it is more
    than one token: TeX hands a macro to a command as one argument, so `\\frac 1 \\rank` with
    `\\rank` `\\mathrm{rank}` is `\\frac 1 {\\mathrm{rank}}` (review42a: it was written
    `\\frac 1 \\mathrm{rank}`, which renders 1 over an empty `\\mathrm`), `\\hat\\bw`
    `\\hat{\\mathbf{w}}`. As it is where the use is alone in braces already or a group would
    change it (`_UNGROUPED`), and where it is the whole formula."""
    if (_ONE_TOKEN.fullmatch(text) or _UNGROUPED.search(text)
            or (tex[start - 1 : start] == "{" and tex[end : end + 1] == "}")
            or not (tex[:start].strip() or tex[end:].strip())
            or (text.startswith("{") and _closes(text).get(0) == len(text))):
        return text
    return f"{{{text}}}"


def expand(tex: str, macros: dict[str, tuple[int, str]]) -> str:
    """`tex` with every use of `macros` written out; as written when that grows past a sane
    size (a macro bomb, `\\def\\a{\\a\\a}`: RELIABILITY case 29) or does not end."""
    written = tex
    limit = max(2000, _GROWTH * len(tex))
    for _ in range(_PASSES):
        out: list[str] = []
        last = size = work = 0
        closes = _closes(tex)
        for m in _CONTROL.finditer(tex):
            if m.start() < last or m.group(1) not in macros:
                continue
            count, body = macros[m.group(1)]
            at = m.end()
            args: list[str] = []
            for _ in range(count):
                arg = _argument(tex, at, closes)
                if arg is None:
                    break
                args.append(arg[0])
                at = arg[1]
            if len(args) < count:
                continue
            # Counted before it is written: it may not fit in memory (round 43), and a long
            # body filled with nothing costs its length at each use (`\rep{}` 1,000 times with
            # a body of 100 KB: 39 s).
            cost = _filled_size(body, args) + 2
            work += cost
            if size + m.start() - last + cost > limit or work > limit:
                return written
            text = _grouped(_filled(body, args), tex, m.start(), at)
            out.append(tex[last : m.start()])
            out.append(text)
            size += m.start() - last + len(text)
            last = at
            if size > limit:
                return written
        if not out:
            return tex
        tex = "".join(out) + tex[last:]
    return written


def expand_macros(parsed: Parsed, header: str = "") -> None:
    """Take the note's own macro definitions out of its text and write out every formula's
    uses of them (`Math.tex` and the passage text), in place. Code is left as written.
    `header`: definitions the note holds outside its text (Org's `#+LATEX_HEADER:` lines)."""
    # Only a formula with a definition's mark is read for definitions, once (review42a: each
    # of a note's 20,000 formulas was scanned twice).
    defined = {m.tex: definitions(m.tex) for b in parsed.blocks for m in b.math
               if _MARK.search(m.tex)}
    macros = definitions(header)[0] if _MARK.search(header) else {}
    for found, _ in defined.values():
        macros.update(found)
    if not macros:
        return
    try:
        _expand_blocks(parsed, defined, macros)
    finally:
        _uses.cache_clear()
    _drop_empty(parsed)


def _expand_blocks(parsed: Parsed, defined: dict[str, tuple[dict[str, tuple[int, str]], str]],
                   macros: dict[str, tuple[int, str]]) -> None:
    """`expand_macros` for each block: its formulas and its text."""
    budget = max(_NOTE_GROWTH, 4 * sum(len(m.tex) for b in parsed.blocks for m in b.math))
    # A formula written again is expanded once in the note (round 43: a macro that never ends,
    # used in 5,000 paragraphs, was tried to its limit in each, 9 s).
    done: dict[str, str] = {}

    def written_out(tex: str) -> str:
        if tex not in done:
            done[tex] = expand(tex, macros)
        return done[tex]

    for block in parsed.blocks:
        if block.kind == "code" or not block.math:
            continue
        kept = []
        rewrites: dict[str, str] = {}  # written into the text together (`_rewritten`)
        lines: dict[int, list[str]] = {}  # the formulas of `rewrites` on each line
        uses = Counter(m.tex for m in block.math)
        written: dict[str, str] = {}  # a formula without definitions, as written out here
        dropped: list[tuple[str, range]] = []  # the formulas that only define, and their lines
        for m in block.math:
            found, rest = defined.get(m.tex, ({}, m.tex))
            if found:
                new = written_out(rest).strip()
            elif m.tex in written:
                new = written[m.tex]
            else:
                # each of its uses in the paragraph is written out (`_rewritten`)
                new = m.tex if budget < 0 else written_out(m.tex)
                budget -= max(0, len(new) - len(m.tex)) * uses[m.tex]
                new = written[m.tex] = new if budget >= 0 else m.tex
            if new == m.tex:
                kept.append(m)
                continue
            old_text = m.tex
            if found and not new:
                # only definitions: nothing is shown, so nothing is text
                dropped.append((old_text, range(m.span.start_line, m.span.end_line + 1)))
                continue
            rewrites.setdefault(old_text, new)
            for line in range(m.span.start_line, m.span.end_line + 1):
                lines.setdefault(line, []).append(old_text)
            kept.append(replace(m, tex=new))
        block.units = _rewritten(_dropped(block.units, dropped), rewrites, lines)
        block.math = kept
        block.units = [(line, t) for line, t in block.units if t.strip() or t == "\n"]


def _dropped(units: list[tuple[int, str]], dropped: list[tuple[str, range]]
             ) -> list[tuple[int, str]]:
    """`units` without the formulas of `dropped`, each taken out of the units on its lines (of
    every unit if none is on them): out of every unit, a paragraph of 2,000 lines that each
    define a macro took 19 s (round 43)."""
    if not dropped:
        return units
    on_line: dict[int, list[str]] = {}
    anywhere = []
    have = {line for line, _ in units}
    for tex, span in dropped:
        if have.isdisjoint(span):
            anywhere.append(tex)
        for line in span:
            on_line.setdefault(line, []).append(tex)
    out = []
    for line, text in units:
        for tex in (*on_line.get(line, ()), *anywhere):
            text = _without_math(text, tex)
        out.append((line, text))
    return out


def _drop_empty(parsed: Parsed) -> None:
    """Blocks left with no text (a paragraph that was only definitions) taken out, and the
    block positions headings and `{dfn}` terms hold moved down to match."""
    empty = [i for i, b in enumerate(parsed.blocks)
             if not any(t.strip() for _, t in b.units) and not b.images and not b.links]
    if not empty:
        return
    gone = set(empty)
    parsed.blocks = [b for i, b in enumerate(parsed.blocks) if i not in gone]

    def moved(index: int) -> int:
        return index - bisect_left(empty, index)

    parsed.headings = [replace(h, index=moved(h.index)) for h in parsed.headings]
    parsed.dfns = [(term, moved(index)) for term, index in parsed.dfns]


# A formula in its delimiters, as `_with_math` looks for it; never past the next opener of
# its kind, so that a line of 50,000 `\(` is scanned once, not from each.
_DELIMITED = re.compile(r"\$\$((?:[^$]|\$(?!\$))+?)\$\$|\$([^$]+)\$"
                        r"|\\\(((?:[^\\]|\\(?![()]))+?)\\\)|\\\[((?:[^\\]|\\(?![\[\]]))+?)\\\]")


# A formula not found in its delimiters is looked for in every line of its paragraph (a
# display formula's lines joined by the reader hold its inline uses: `\mathbf X` in
# `$$\mathbf X = ...$$`), while that is at most this many lookups; past it (a paragraph of
# thousands of formulas, each on a line of its own) only on its own lines.
_EVERYWHERE = 1_000_000


def _rewritten(units: list[tuple[int, str]], rewrites: dict[str, str],
               lines: dict[int, list[str]]) -> list[tuple[int, str]]:
    """`units` with each formula of `rewrites` written anew, as `_with_math` writes one: the
    delimited formulas of a unit found in one pass, then `_with_math` for a formula not found
    that way (only on that unit's line, `lines`, in a paragraph past `_EVERYWHERE`). Each
    formula's `_with_math` over every line of its paragraph was quadratic (round 43: a
    paragraph of 4,000 lines with a formula each, 100 KB, took 54 s; a line of 8,000 formulas
    2.6 s)."""
    if not rewrites:
        return units
    out = []
    seen: set[str] = set()  # this unit's formulas written by the pass
    # A formula over lines of its paragraph is one line of its unit, its whitespace collapsed
    # (round 44: `$\frac 1` over `\rank$` kept `\rank` in the text).
    joined = {collapse(tex): tex for tex in rewrites if "\n" in tex}

    def one(m: re.Match[str]) -> str:
        group = next(i for i in range(1, 5) if m.group(i) is not None)
        tex = m.group(group)
        if tex not in rewrites:
            tex = joined.get(collapse(tex), "") if joined else ""
            if not tex:
                return m.group()
        seen.add(tex)
        new = rewrites[tex] if tex == m.group(group) else collapse(rewrites[tex])
        return m.group()[: m.start(group) - m.start()] + new + \
            m.group()[m.end(group) - m.start() :]

    everywhere = len(rewrites) * len(units) <= _EVERYWHERE
    for line, text in units:
        seen.clear()
        text = _DELIMITED.sub(one, text)
        for tex in rewrites if everywhere else lines.get(line, ()):
            if tex not in seen and tex in text:
                text = _with_math(text, tex, rewrites[tex])
        out.append((line, text))
    return out


def _with_math(text: str, tex: str, new: str) -> str:
    """`text` with the formula `tex` written `new`: in its delimiters, else where it is no part
    of a longer control word (`\\a` is no part of `\\alpha`)."""
    for open_, close in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if f"{open_}{tex}{close}" in text:
            return text.replace(f"{open_}{tex}{close}", f"{open_}{new}{close}")
    tail = r"(?![A-Za-z])" if tex[-1:].isalpha() else ""
    return re.sub(re.escape(tex) + tail, lambda _: new, text)


def _without_math(text: str, tex: str) -> str:
    """`text` without the formula `tex` and its dollars (its lines joined as its unit's are)."""
    for written in (f"$${tex}$$", f"${tex}$", tex, f"${collapse(tex)}$"):
        if written in text:
            return " ".join(text.replace(written, " ", 1).split())
    return text
