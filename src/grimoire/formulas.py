"""Where a `$` opens an inline formula: one rule for the readers and for every face.

An inline formula as Pandoc reads it: no blank just inside either `$`, no digit just after the
closing one, so a price is prose: "costs $5 and $y" drew "5 and" as math (round 52). A blank
inside is a formula's when it holds a TeX command, as notes written for MathJax have it
("padded to $ n + p \\times n + p$" showed its TeX on every face; review52d): the words between
two prices hold none. A digit before the opening `$` is no price's ("a 10$\\times$ speedup")
when one word or TeX follows it, no blank just inside ("30$/1M tokens, the small one 0.5$/1M"
are prices; review53a).

`INLINE_MATH` is the rule on a line of text (the faces' snippets, cards, Anki's deck);
`math_inline` is the same rule as markdown-it's inline rule (the Markdown reader and the web
page's renderer). Until round 53 the reader had a rule of its own (the plugin's: no blank inside
at all, no digit on either side), so `$ x \\times y$` was text in the store while every face drew
it as a formula.
"""

from __future__ import annotations

import re

from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath.index import math_inline_dollar

TEX_COMMAND = re.compile(r"\\[A-Za-z]")
# A page that loads a TeX renderer, by its script's name: its `$..$` are formulas (the HTML
# reader) and a `\$` a dollar sign (`showing.escapes_dollar`)
TEX_RENDERER = re.compile(r"mathjax|katex", re.IGNORECASE)
# An escaped `\$` (Markdown's, MathJax's) is a dollar sign, neither `$` of a formula (round 53).
# After a digit a `$` opens a formula of one word ("2$x$") or of TeX ("a 10$\\times$ speedup",
# "3$\\times 4$"), no blank just inside: "30$/1M tokens, the small one 0.5$/1M" is two prices
# written after their numbers (review53a: read53 gave the reader this rule, the words
# between them were a formula in the store and on every face). So after a letter: R names a data
# frame's column `df$col`, and "flights$dep_delay and flights$arr_delay" held the formula "dep_delay
# and flights" (read54); "R$^2$" is one word. Only an ASCII letter: Chinese or Japanese prose
# writes a formula right after its last character ("损失$L = x + y$"). After a letter, words
# with blanks and no TeX are a formula still when no digit opens them (a price's: "US$5 million")
# and no word follows the closing `$` (the next column's: "df$y"): "R$^2 = 0.93$", "O$(n m)$"
# were prose (review54a).
INLINE_MATH = re.compile(
    r"(?:(?<![A-Za-z\d_\\])\$(?=(?![\s$])[^$\n]{0,499}[^\s$]\$|[^$\n]{0,499}\\[A-Za-z])"
    r"|(?<=[A-Za-z\d_])\$(?=[^\s$]{1,500}\$|(?![\s$])[^$\n]{0,499}\\[A-Za-z][^$\n]{0,499}(?<![\s$])\$)"
    r"|(?<=[A-Za-z])\$(?=[^\s$\d][^$\n]{0,498}[^\s$]\$(?![\w$])))"
    r"([^$\n]{1,500})(?<!\\)\$(?!\d)")

_BLANK = re.compile(r"\s")
_WORD_BEFORE = re.compile(r"[A-Za-z\d_]")  # as `INLINE_MATH`'s lookbehind
# after a letter, a formula of words: no digit first, no word (or `$`) after (`INLINE_MATH`)
_AFTER_LETTER = re.compile(r"[A-Za-z][^\d\s$](?![\w$]).?$")
_DOLLARS = math_inline_dollar(allow_space=True, allow_digits=True, allow_double=True)


def math_inline(state: StateInline, silent: bool) -> bool:
    """markdown-it's inline `$…$` (and `$$…$$` inside a paragraph) as `INLINE_MATH` reads it:
    the dollarmath plugin's rule told where the formula ends, then kept only when no digit
    follows the closing `$` and no blank stands just inside either `$` unless a TeX command
    is there. Registered in place of the plugin's `math_inline`."""
    start = state.pos
    if not _DOLLARS(state, True):  # where it ends, nothing written yet
        return False
    end, state.pos = state.pos, start
    inside = state.src[start + 1:end - 1]
    double = state.src.startswith("$$", start)
    if state.src[end:end + 1].isdigit() or not (
            double or inside == inside.strip() or TEX_COMMAND.search(inside)):
        return False
    before = state.src[start - 1] if start > 0 else ""
    if not double and _WORD_BEFORE.match(before) and (
            inside != inside.strip() or (_BLANK.search(inside) and not TEX_COMMAND.search(inside)
                                         and not _AFTER_LETTER.match(before + inside[:1]
                                                                     + state.src[end:end + 1]))):
        return False  # "30$/1M tokens, the small one 0.5$/1M": prices; R's `df$col`, as above
    return _DOLLARS(state, silent)
