"""The Markdown parser both Markdown readers share, and the walk from its tokens to Blocks.

A Block is one block of the body (paragraph, list, quote, table, code, HTML) as lines of clean
text with the links, math and images found in them; markdown.py turns Blocks into passages
and entries, obsidian.py adds its inline rules to the same parser.
"""

from __future__ import annotations

import copy
import functools
import html
import itertools
import posixpath
import re
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.lheading import lheading
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize
from markdown_it.rules_core.text_join import text_join
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from grimoire.fences import language
from grimoire.formulas import math_inline
from grimoire.model import Image, Link, LinkKind, Math, Problem, Span
from grimoire.readers.base import collapse, ended
from grimoire.readers.conventions import unescape_refs
from grimoire.readers.inline_html import (
    BLOCK_TAGS,
    SCRIPT_MARKS,
    TAG,
    html_image,
    strip_html,
    tag_attrs,
)
from grimoire.readers.labels import twice_message
from grimoire.readers.markdown._frontmatter import FrontMatter, split_front_matter
from grimoire.readers.markdown._myst import (
    expand_directives,
    is_myst,
    myst_parser,
    quarto_parser,
    split_target,
)

MAX_LINE_BRACKETS = 2000

IMAGE_EXTENSIONS = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".webp",
        ".bmp",
        ".tif",
        ".tiff",
        ".avif",
        ".ico",
        ".heic",
        ".pdf",
    ]
)
_DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31}):")
_CALLOUT = re.compile(r"\[!([A-Za-z][\w-]{0,30})\][+-]?[ \t]*")
# Jekyll's `({% post_url 2018-01-01-adam %})`, also after the site's address as its docs
# write it, `({{ site.baseurl }}{% post_url ... %})` (round 34: a glossary's every link), and
# `({{ site.baseurl }}/terms/adam.html)`.
_SITE_URL = r"(?:\{\{[ \t]*site\.(?:base)?url[ \t]*\}\}){1,2}"
_LIQUID_LINK = re.compile(
    rf"\((?:{_SITE_URL})?\{{%[ \t]*(?:link|post_url)[ \t]+([^%\s()]{{1,300}})[ \t]*%\}}\)"
    rf"|\({_SITE_URL}(/[^\s(){{}}]{{0,300}})\)")
# Jekyll's `relative_url` and `absolute_url` filters on a quoted site path:
# `({{ "/notes/ml/svm.html" | relative_url }})` (round 42: a site's 105 links between its
# pages, each printed as prose and none a link).
_LIQUID_URL = re.compile(
    r"\(\{\{-?[ \t]*([\"'])([^\"'\s(){}]{1,300})\1[ \t]*\|[ \t]*(?:relative|absolute)_url"
    r"[ \t]*-?\}\}\)")
# A line of Liquid alone, tags and outputs and nothing else, as a Jekyll page draws a figure
# with (`{% include image.html url="..." description="..." %}`) or builds its caption
# (`{% capture img_desc %}...{% endcapture %}`); a tag's body holds no `%}` (so a line is
# split one way only: no backtracking).
_LIQUID_ONLY = re.compile(r"[ \t]*(?:(?:\{%(?:[^%]|%(?!\}))*%\}|\{\{(?:[^}]|\}(?!\}))*\}\})"
                          r"[ \t]*)+")
# An include's body stops at the next `{%` too: an unclosed one is tried up to there only (a
# line of 50,000 `{% include` with no `%}` was quadratic).
_LIQUID_INCLUDE = re.compile(r"\{%-?\s*include(?:_relative)?\s(?:[^%{]|%(?!\})|\{(?!%))*%\}")
_LIQUID_CAPTION = re.compile(r"\b(?:description|caption|alt)=\"([^\"]*)\"")
_LIQUID_HIGHLIGHT = re.compile(r"[ \t]*\{%-?\s*highlight\s+([\w+#.-]+)(?:\s[^%]*)?%\}[ \t]*")
_LIQUID_END_HIGHLIGHT = re.compile(r"[ \t]*\{%-?\s*endhighlight\s*-?%\}[ \t]*")
_LIQUID_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}")
_LIQUID_END_COMMENT = re.compile(r"\{%-?\s*endcomment\s*-?%\}")
_LIQUID_RAW_LINE = re.compile(r"[ \t]*\{%-?\s*raw\s*-?%\}[ \t]*")
_LIQUID_END_RAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")
# A line an indented code block cannot open after: a list item's or one indented itself.
_LIST_OR_INDENTED = re.compile(r"[ \t]|[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
# Hugo's `({{< relref "attention.md" >}})`, `({{% ref "/posts/x" %}})` as a link's address.
_HUGO_LINK = re.compile(
    r"\(\{\{[<%][ \t]*(?:rel)?ref[ \t]+\"([^\"\s()]{1,300})\"[ \t]*[>%]\}\}\)")
# The attributes Pandoc, kramdown and Hugo write after a heading: `## DQN {#dqn}`,
# `## Setup {#setup .unnumbered}`, and Pandoc's and Quarto's short `{-}` for `.unnumbered`
# (`# About the Book {-}`, round 37). The heading's anchor and classes, no part of its name.
# A value holds no `{` (review37b: `\S+` there ran from each `{a=` of a heading of thousands
# to the line's end, quadratic).
_HEADING_ATTRIBUTES = re.compile(
    r"\s*\{[ \t]*(?:[#.][\w:.-]+|[\w-]+=[^\s{]+|-)"
    r"(?:[ \t]+(?:[#.][\w:.-]+|[\w-]+=[^\s{]+|-))*[ \t]*\}$")
_ANCHOR = re.compile(r"#([\w:.-]+)")
# A Quarto figure's or table's label: a chunk option (`#| label: fig-loss`) or the attribute
# after an image or a table caption (`![Loss](loss.png){#fig-loss}`, `: Scores {#tbl-scores}`).
# `@fig-loss` refers to it: it names the section the figure stands in (round 37: 157 of a
# Quarto book's label references were to figures and tables, most of another chapter's).
_CHUNK_LABEL = re.compile(r"#\|\s*label:\s*[\"']?((?:fig|tbl|lst)-[\w-]+)")
# An attribute block is found first, then the label in it: one pattern doing both tried every
# `#` of an unclosed block against the rest of the line (quadratic on a hostile paragraph).
_ATTRIBUTES = re.compile(r"\{[^{}\n]*\}")
_PANDOC_SPAN = re.compile(r"\[([^\[\]\n]*)\]\{[.#][^{}\n]*\}")
_FIGURE_ANCHOR = re.compile(r"#((?:fig|tbl|lst)-[\w-]+)")


# --------------------------------------------------------------------------- parser


def _texmath_rule(state: StateInline, silent: bool) -> bool:
    r"""`\(...\)`, `\[...\]` and their doubled forms `\\(...\\)` from documentation sites."""
    src, pos = state.src, state.pos
    # Inline rules are tried at every character that ends plain text (`}`, `!`, `*` ...), not
    # only at a backslash: `V^{\pi}(s_{t+1})` has no `\(` and holds no math of its own.
    if src[pos] != "\\":
        return False
    lead = 2 if src.startswith("\\\\", pos) else 1
    if pos + lead >= state.posMax or src[pos + lead] not in "([":
        return False
    opener = src[pos + lead]
    closer = src[pos : pos + lead] + (")" if opener == "(" else "]")
    start = pos + lead + 1
    end = _next_closer(state, closer, start)
    if end < 0 or end - start > 4000 or not src[start:end].strip():
        return False
    if not silent:
        token = state.push("math_inline_double" if opener == "[" else "math_inline", "math", 0)
        token.content = src[start:end].strip()
        token.markup = "texmath"
    state.pos = end + len(closer)
    return True


def _next_closer(state: StateInline, closer: str, start: int) -> int:
    """Next `closer` at or after `start`, remembered per inline source.

    Without the memo, 30 000 unclosed `\\(` would each rescan the rest of the line.
    """
    memo = state.env.setdefault("_texmath", {})
    hit = memo.get(closer)
    if (
        hit is not None
        and hit[0] is state.src
        and hit[3] == state.posMax
        and hit[1] <= start
        and (hit[2] < 0 or hit[2] >= start)
    ):
        return int(hit[2])
    found = state.src.find(closer, start, state.posMax)
    memo[closer] = (state.src, start, found, state.posMax)
    return found


# A link destination that `normalizeLink` returns unchanged: a lower-case http(s) URL whose host
# is ASCII labels (no port, nothing to punycode) and whose rest holds only characters
# `mdurl.encode` keeps (no `%`, no space, nothing outside ASCII). `normalizeLink` parses,
# formats and encodes every URL in Python: 30-40 us each, more than the rest of the work on a
# short note's link (issue 14). tests/readers/test_fast_paths.py checks that the two agree.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_URL = re.compile(
    rf"https?://{_LABEL}(?:\.{_LABEL})*(?:[/?#][A-Za-z0-9\-._~!$&'()*+,;=:@/?#]*)?")


def normalize_link(url: str) -> str:
    """markdown-it's `normalizeLink(url)`, without its work for a URL it leaves as it is."""
    return url if _PLAIN_URL.fullmatch(url) else normalizeLink(url)


def build_parser() -> MarkdownIt:
    """The CommonMark parser both Markdown readers start from; HTML is parsed, then stripped."""
    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, double_inline=True)
    # `$` as every face reads it (`formulas.INLINE_MATH`): the plugin's own rule, no blank
    # inside at all, left `$ x \times y$` text in the store where the faces drew a formula
    md.inline.ruler.at("math_inline", math_inline)
    md.inline.ruler.before("escape", "texmath", _texmath_rule)
    md.inline.ruler.before("backticks", "book_role", _role_rule)
    # Links are never rendered, so every scheme is parsed; dangerous ones are dropped on read.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    md.block.ruler.at("lheading", _lheading_outside_math)
    md.core.ruler.at("normalize", _normalize)
    md.core.ruler.at("text_join", _text_join)
    return md


def _lheading_outside_math(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's setext heading rule, except where the underline is a line of display math
    the paragraph opened with `$$` (a vault's "$$\nV[x]= E[x^2] - E[x]^2=\n$$\n$$\n=\n..."
    made the whole paragraph and its formula a level-1 heading, and the note's title; round
    31). The paragraph rule reads those lines instead."""
    count = len(state.tokens)
    if not lheading(state, start, end, silent):
        return False
    if silent or len(state.tokens) < count + 2 \
            or state.tokens[count + 1].content.count("$$") % 2 == 0:
        return True
    del state.tokens[count:]
    state.line = start
    return False


# Block rules that can only match where the text holds a mark of their own: a table's header
# line holds a `|`, a quote starts with `>`, an HTML block with `<`, a fence with three
# backticks or tildes, a math block with `$$`. markdown-it tries every block rule at the start
# of every block, and each as a terminator on every line of a paragraph; in a text without the
# mark the rule can only fail, so a parser without it gives the same tokens. A generated note
# holds none of the first four, and these failing tries were a tenth of its parse (issue 14).
# A rule's nested parses read pieces of the same text, so no mark can appear there either.
_MARKED_RULES = (
    ("table", ("|",)),
    ("blockquote", (">",)),
    ("html_block", ("<",)),
    ("fence", ("```", "~~~")),
    ("math_block", ("$$",)),
)
# Block rules that can only match where a line's text, after its spaces, tabs and quote marks
# (where markdown-it looks: `bMarks + tShift`), starts with a character of their own: a list
# with `-*+` or a digit, a rule with `-*_`, a reference definition with `[`, a setext
# underline with `=` or `-`. Inside a list item the first line's text starts after the item's
# marker ("1. ---" is a rule in an item), so each also needs the list's characters absent.
# Where a vault note's lines start with none of them, these failing tries were a sixth of its
# parse (issue 14). A CR starts a line too once markdown-it normalizes it: a text holding one
# keeps every rule. (A failing `lheading` leaves `parentType` at "paragraph", which only a
# list's terminator check reads; without the list's characters there is no list.)
_LIST_STARTS = frozenset("-*+0123456789")
_STARTED_RULES = (
    ("list", _LIST_STARTS),
    ("hr", _LIST_STARTS | {"_"}),
    ("reference", _LIST_STARTS | {"["}),
    ("lheading", _LIST_STARTS | {"="}),
)
# The passes after an inline parse (markdown-it's `ruler2`) that only match or turn into tags
# the delimiter runs its `strikethrough` (`~`) and `emphasis` (`*`, `_`) rules push, the only
# rules of these parsers that push any: over an inline text without those marks each walks its
# tokens and delimiters for nothing (issue 14: a generated note's three inline parts paid it
# three times). `fragments_join` stays: a rule's own text token is joined by it.
_PAIRED_RULES = (
    ("balance_pairs", ("~", "*", "_")),
    ("strikethrough", ("~",)),
    ("emphasis", ("*", "_")),
)
_LINE_START = re.compile(r"\n[ \t>]*([-*+0-9_\[=])")
_VARIANTS: weakref.WeakKeyDictionary[MarkdownIt, dict[tuple[str, ...], MarkdownIt]] = (
    weakref.WeakKeyDictionary())


def parser_for(md: MarkdownIt, text: str) -> MarkdownIt:
    """`md`, or a copy of it without the block rules whose mark `text` lacks (`_MARKED_RULES`,
    `_STARTED_RULES`) and the inline passes over delimiters it has none of (`_PAIRED_RULES`);
    its tokens for `text` are `md`'s."""
    off = [name for name, marks in _MARKED_RULES if not any(mark in text for mark in marks)]
    if "\r" not in text:
        starts = set(_LINE_START.findall(text))
        first = text.lstrip(" \t>")[:1]
        if first:
            starts.add(first)
        off.extend(name for name, chars in _STARTED_RULES if starts.isdisjoint(chars))
    after = [name for name, marks in _PAIRED_RULES if not any(mark in text for mark in marks)]
    if not off and not after:
        return md
    key = (*off, "", *after)
    variants = _VARIANTS.setdefault(md, {})
    variant = variants.get(key)
    if variant is None:
        variant = copy.copy(md)  # shares the inline and core parsers, the options, the rules
        if off:
            variant.block = copy.deepcopy(md.block)  # its own rule list, to disable rules in
            variant.block.ruler.disable(off, ignoreInvalid=True)
        if after:
            variant.inline = copy.deepcopy(md.inline)
            variant.inline.ruler2.disable(after, ignoreInvalid=True)
        variants[key] = variant
    return variant


def _normalize(state: StateCore) -> None:
    """markdown-it's `normalize` rule (CR and CRLF to LF, NUL to U+FFFD), which copies the
    whole text line by line even when it holds neither, as a decoded note never does."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


def _text_join(state: StateCore) -> None:
    """markdown-it's `text_join` rule, which turns `text_special` tokens into text and joins
    them with the text beside them, walking every inline token's children even when there
    are none. Only the escape rule (`\\`) and the entity rule (`&`) push `text_special`, and
    each inline parse already joins adjacent text tokens (`fragments_join`), so a text with
    neither mark has nothing to join (issue 14: 1% of a generated note's parse)."""
    if "\\" in state.src or "&" in state.src:
        text_join(state)


# Book-style roles: d2l-book writes `:label:`x``, `:numref:`x``, `:eqref:`x``, `:cite:`x``
# and `:begin_tab:`x`` / `:end_tab:`; MyST writes `{eq}`x``, `{numref}`x``, `{cite}`x``.
_ROLE = re.compile(
    r":([a-z][a-z_-]{1,20}):`([^`\n]{1,300})`|\{([a-z][a-z:_-]{1,20})\}`([^`\n]{1,300})`"
)
_END_TAB = ":end_tab:"
# Roles that point at a label (a section, figure or equation), never at a page.
LABEL_ROLES = frozenset({"numref", "ref", "eqref", "eq", "math:numref", "sec", "fig", "numfig"})
BOOK_ROLES = LABEL_ROLES | {"label", "cite", "citet", "citep", "begin_tab", "term", "doc",
                            "math", "abbr", "code", "py:func", "py:class", "class", "func"}


def api_target(code: str) -> str:
    """The object a code reference names: `~transformers.Trainer.train()` -> "Trainer.train".

    `~` (show the last part only), call parentheses and the top-level package are dropped;
    the class and member stay, so `[`Trainer`]` finds a section or note named "Trainer".
    """
    name = code.strip().lstrip("~!.").removesuffix("()").strip()
    parts = [p for p in name.split(".") if p]
    if len(parts) > 1 and parts[0].islower() and any(c.isupper() for c in "".join(parts[1:])):
        parts = parts[next((i for i, p in enumerate(parts) if p[:1].isupper()), 0):]
    return ".".join(parts)


def _role_rule(state: StateInline, silent: bool) -> bool:
    """A book role as one `role` token (its name and target); unknown `:x:` text stays text."""
    src, pos = state.src, state.pos
    if src[pos] not in ":{":
        return False
    if src.startswith(_END_TAB, pos):
        if not silent:
            token = state.push("role", "", 0)
            token.meta = {"role": "end_tab", "target": ""}
        state.pos = pos + len(_END_TAB)
        return True
    m = _ROLE.match(src, pos, state.posMax)
    if m is None:
        return False
    role = m.group(1) or m.group(3)
    if role not in BOOK_ROLES:
        return False
    if not silent:
        token = state.push("role", "", 0)
        token.meta = {"role": role, "target": (m.group(2) or m.group(4)).strip()}
    state.pos = m.end()
    return True


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True)
class Flavor:
    """How a Markdown dialect differs in reading (not in syntax: that is the parser's job)."""

    captions: bool = False  # the text line under an image line is its caption
    line_breaks: bool = False  # a single newline is a visible line break (Obsidian's default)


PLAIN = Flavor()


# A subscript in math that a blog escaped from its Markdown (`\sum\_i y\_i`, `D\_{KL}`; Hugo
# without a math passthrough turns `\_` into `_` before MathJax sees it): round 44, a Hugo blog
# with math showed `D\_{\texttt{KL}}` in every answer. Read as a subscript where the formula
# has no plain `_`, and the `\_` opens a group, a command or one letter or digit; an underscore
# in a word (`events\_so\_far`) or in a text group (`\text{step\_size}`) stays.
_TEXT_GROUP_OR_SUB = re.compile(
    r"(\\(?:text\w*|mathrm|operatorname|mbox)\s*\{[^{}]*\})"
    r"|(?<!\\)\\_(?=[{\\]|[^\W_](?![^\W\d_]))")
_PLAIN_UNDERSCORE = re.compile(r"(?<!\\)_")


def _escaped_subscripts(tex: str) -> str:
    r"""`tex` with its escaped subscripts (`y\_i`) read as subscripts (`y_i`), when it has no
    plain `_`.

    >>> _escaped_subscripts(r"\sum\_i y\_i^*"), _escaped_subscripts(r"x_1 + y\_2")
    ('\\sum_i y_i^*', 'x_1 + y\\_2')
    """
    if "\\_" not in tex or _PLAIN_UNDERSCORE.search(tex):
        return tex
    return _TEXT_GROUP_OR_SUB.sub(lambda m: m.group(1) or "_", tex)


@dataclass(slots=True)
class Block:
    """One block of the body: its lines of clean text and the marks found in them."""

    kind: str
    units: list[tuple[int, str]]
    heading_path: tuple[str, ...]
    joiner: str = " "
    links: list[Link] = field(default_factory=list)
    math: list[Math] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    # How many of `links` come first from the section's heading: its line is not the block's.
    heading_links: int = 0
    language: str = ""  # a code block's, as its fence names it (`fences.language`)

    @property
    def text(self) -> str:
        return _join_units(self.units, self.joiner)


def _join_units(units: list[tuple[int, str]], joiner: str) -> str:
    """Unit texts joined; a "\n" unit marks a paragraph break inside one block."""
    out: list[str] = []
    for _, t in units:
        if t == "\n":
            if out:
                out.append("\n\n")
            continue
        if out and out[-1] != "\n\n":
            out.append(joiner)
        out.append(t)
    return "".join(out).strip("\n")


@dataclass(slots=True)
class Heading:
    level: int
    title: str
    line: int
    index: int  # position in Parsed.blocks where its section starts


# Inline R code in a Quarto or R Markdown note that prints a name it is given: `` `r
# index('Encapsulation')` ``, `` `r ref("ParamSet")` ``, `` `r ref_pkg("mlr3")` `` (a book's
# helpers for its index and links; round 40: 944 such calls in a Quarto book, headings named
# "r index('Encapsulation')"). Read as the name, the first string it is given; other code
# (`` `r round(x, 2)` ``) stays as written.
# One identifier of a program, as code shows it: a word with a capital inside it
# ("TaskSurv", "nn.Module"), an underscore ("as_task_surv") or a dot between words; a call's
# "()" is no part of it. A plain word ("dropout", "Adam") or an acronym ("GPU") is not one.
_IDENTIFIER = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*(?:[.:]{1,2}[A-Za-z_][A-Za-z0-9_]*)*)(?:\(\))?")
_IDENTIFIER_SHAPE = re.compile(r"[a-z0-9][A-Z]|[A-Za-z0-9]_[A-Za-z0-9]|[A-Za-z]\.[A-Za-z]")


def code_name(text: str) -> str | None:
    """`text` as one identifier of a program (`_IDENTIFIER`), or None."""
    m = _IDENTIFIER.fullmatch(text.strip())
    if m is None or len(m.group(1)) > 60 or not _IDENTIFIER_SHAPE.search(m.group(1)):
        return None
    return m.group(1)


_INLINE_R = re.compile(
    r"r\s+(?:[\w.]+::)?([A-Za-z_][\w.]*)\(\s*([\"'])([^\"'\n]{1,120})\2[^`]*\)\s*")


# A paragraph led by a name in bold, closed by a stop or colon inside or right after the run:
# "**Sigmoid.** The sigmoid ...", "**Leaky ReLU**: ...", or by a dash after it ("**Max
# pooling** -- ...", "**Max pooling** — ..."; round 49). Text must follow on its line.
_BOLD_LEAD = re.compile(r"(\*\*|__)(?=[^\W\d_])([^*_\n]{1,60}?)"
                        r"(?:[.:]\1|\1[.:]|\1[ \t]+(?:--|\u2014|\u2013))[ \t]+\S")


@dataclass(slots=True)
class Parsed:
    """A Markdown file after the block walk: what both Markdown readers build documents from."""

    path: str
    front: FrontMatter
    blocks: list[Block] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refs: list[Link] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # `:label:` name -> its heading
    # MyST `{dfn}` terms (where a note defines a term, as HTML's <dfn>), each with the index in
    # `blocks` of the block it stands in.
    dfns: list[tuple[str, int]] = field(default_factory=list)
    # Admonitions (`_admonitions`): each box's type, title, and first and last line.
    boxes: list[tuple[str, str, int, int]] = field(default_factory=list)
    # Paragraphs that open with a bold run closed by a stop or colon ("**Sigmoid.** The
    # sigmoid ..."): each paragraph's first line and the bold run's text.
    bold_leads: list[tuple[int, str]] = field(default_factory=list)
    # Terms the text marks for a book's index where it introduces them (`` `r index('X')` ``),
    # each with its line: `sections.add_section_entries` takes such a mark of a section's
    # heading in its text as the section defining it.
    index_marks: list[tuple[str, int]] = field(default_factory=list)
    # Code spans that are one identifier of a program (`TaskSurv`, `as_task_surv()`,
    # `nn.Module`; `code_name`), each with its line: a section headed by that identifier whose
    # text shows it as code is about it (round 41: an R book's class sections,
    # "### TaskSurv" over "... the new `r ref("TaskSurv")` object expects two targets").
    code_names: list[tuple[str, int]] = field(default_factory=list)
    # The lines of a Quarto tab set's headings (`_quarto_divs`), and the heading path of each
    # such tab: a tab's label ("R", "Python") is no section of the page's own.
    tab_lines: set[int] = field(default_factory=set)
    tab_paths: set[tuple[str, ...]] = field(default_factory=set)
    # The heading paths of a deck's slides (LaTeX Beamer frames): entries only when their
    # text defines their title (`sections.add_section_entries`).
    slide_paths: set[tuple[str, ...]] = field(default_factory=set)


@dataclass(slots=True)
class _Line:
    """Inline text being assembled for one source line."""

    parts: list[str] = field(default_factory=list)
    prose: bool = False  # holds something besides tags and embeds
    link_end: int = -1  # the number of parts when the last wikilink's text was added


# A slide's front matter as a setext heading's text: lines of `key: value` settings, each key
# in lower case as a setting is ("Note: read this first" is a heading).
_SLIDE_SETTING = r"[a-z][\w-]*:(?:[ \t]+[^\s]+){0,4}[ \t]*"
_SLIDE_FRONT = re.compile(rf"{_SLIDE_SETTING}(?:\n{_SLIDE_SETTING})*")


class _Walker:
    """Turns markdown-it tokens into Blocks; one per file."""

    def __init__(self, path: str, parsed: Parsed, flavor: Flavor, md: MarkdownIt,
                 *, myst: bool = False) -> None:
        self.md = md  # html blocks' visible text goes back through the same inline rules
        self.myst = myst  # a MyST note (`_myst`): `#label` links are label references
        self.chunks = False  # a Quarto or R Markdown note: a code chunk opens with its options
        # a Typst note written as Markdown (`readers.typst`): `{#label}` after a heading and
        # `[@label](#label)` are its labels and its references to them, as in Quarto (read56)
        self.labelled = path[-4:].lower() == ".typ"
        self.pending_labels: list[tuple[str, int]] = []  # MyST targets over the next heading
        self.label_lines: dict[str, int] = {}  # each label's first line (`_label`)
        self.path = path
        self.parsed = parsed
        self.captions = flavor.captions
        self.soft_joiner = "\n" if flavor.line_breaks else " "
        self.heading_path: list[tuple[int, str]] = []
        # The titles of `heading_path`, built when it changes rather than for every block.
        self.heading_titles: tuple[str, ...] = ()
        # (index of the section's first block, heading, the links the heading holds)
        self.heading_links: list[tuple[int, str, list[Link]]] = []

    @functools.cached_property
    def stem(self) -> str:
        """The file's stem, the target of a link to the page itself: built only for such a
        link, which few notes have (a `PurePath` is 4 us, issue 14)."""
        return PurePath(self.path).stem

    # ---- inline

    def inline(
        self,
        children: list[Token],
        line: int,
        block: Block,
        *,
        prefix: str = "",
        heading: bool = False,
        first_in_quote: bool = False,
    ) -> list[tuple[int, str]]:
        """Clean text of an inline token, one unit per source line; marks go into `block`."""
        units: list[tuple[int, str]] = []
        cur = _Line()
        if prefix:
            cur.parts.append(prefix)
        link_stack: list[tuple[str, int, int, bool]] = []  # href, line, parts index, html
        skip_until: str | None = None
        image_lines: dict[int, list[int]] = {}
        n = len(children)

        indent = " " * (len(prefix) - len(prefix.lstrip(" ")))
        titled = False  # a callout's title read, its line not yet ended

        def flush() -> None:
            nonlocal titled
            # A line of only tags, list markers or embeds carries no text of its own.
            if cur.prose:
                text = collapse("".join(cur.parts))
                # A callout's title is its bar, no words of the sentence under it: ended, so
                # a snippet or an answer joining lines by spaces does not read "Merging After
                # training, ..." (read51)
                units.append((line, indent + (ended(text) if titled else text)))
            titled = False

        for i in range(n):
            tok = children[i]
            ttype = tok.type
            if skip_until is not None:
                if ttype == "html_inline" and tok.content.lower().startswith(skip_until):
                    skip_until = None
                elif ttype in ("softbreak", "hardbreak"):
                    line += 1
                continue
            if ttype == "text":
                content = tok.content
                if first_in_quote and i == 0:
                    m = _CALLOUT.match(content)
                    if m:
                        content = content[m.end() :]
                        titled = True
                if content.startswith("]") and self._doc_ref(children, i - 2):
                    content = content[1:]
                if content.endswith("[") and self._doc_ref(children, i):
                    content = content[:-1]
                # Pandoc's and Quarto's attributes of an image (`{#fig-loss width=80%
                # .lightbox}`): its label is read from the paragraph, no text (round 40: 127
                # of a Quarto book's figures left theirs in its text and searches).
                if (content.startswith("{") and i and children[i - 1].type == "image"
                        and (m := _ATTRIBUTES.match(content))):
                    content = content[m.end():]
                if "]{" in content and self.chunks:
                    # A Pandoc span, `[words]{.underline}`: its words are the text.
                    content = _PANDOC_SPAN.sub(r"\1", content)
                cur.parts.append(content)
                if content.strip(" ,;\t"):
                    cur.prose = True
            elif ttype in ("softbreak", "hardbreak"):
                flush()
                cur = _Line()
                line += 1
            elif ttype == "code_inline":
                shown = _INLINE_R.fullmatch(tok.content) if self.chunks else None
                cur.parts.append(shown.group(3) if shown is not None else tok.content)
                if shown is not None and shown.group(1) == "index":
                    self.parsed.index_marks.append((shown.group(3), line))
                elif (ident := code_name(
                        shown.group(3) if shown is not None else tok.content)) is not None:
                    self.parsed.code_names.append((ident, line))
                cur.prose = True
                if self._doc_ref(children, i - 1):
                    self._api_ref(block, tok.content, line)
            elif ttype in ("math_inline", "math_inline_double"):
                display = ttype == "math_inline_double"
                delim = "$$" if display else "$"
                tex = _escaped_subscripts(unescape_refs(tok.content.strip()))
                cur.parts.append(f"{delim}{tex}{delim}")
                cur.prose = True
                end = line + tok.content.count("\n")
                block.math.append(Math(tex, display, Span(self.path, line, end)))
                line = end
            elif ttype == "link_open":
                link_stack.append(
                    (str(tok.attrs.get("href", "") or ""), line, len(cur.parts), False)
                )
            elif ttype == "link_close":
                if link_stack:
                    href, start, idx, _ = link_stack.pop()
                    label = collapse("".join(cur.parts[idx:])) if start == line else None
                    self._add_link(block, href, label, start, line)
            elif ttype == "image":
                src = tok.attrs.get("src", "") or ""
                alt = collapse(tok.content) or None
                if str(src).lower().endswith(".pdf") and alt:
                    # `![Paper title.pdf](../assets/x.pdf)`: Logseq's embed of a paper it
                    # files, a link shown by its name (round 45: a page's list of papers named
                    # none of them, and linked to none)
                    cur.parts.append(alt)
                    cur.prose = True
                    self._add_link(block, str(src), alt, line, line)
                elif not self._dangerous(str(src)):
                    block.images.append(Image(str(src), self.span(line), alt=alt))
                    image_lines.setdefault(line, []).append(len(block.images) - 1)
            elif ttype == "html_inline":
                content = tok.content
                m = TAG.match(content)
                tag = m.group(1).lower() if m else ""
                closing = content.startswith("</")
                if tag in ("script", "style") and not closing and not content.endswith("/>"):
                    skip_until = f"</{tag}"
                elif tag == "a" and not closing:
                    attrs = tag_attrs(content)
                    link_stack.append((attrs.get("href", ""), line, len(cur.parts), True))
                elif tag == "a" and closing:
                    if link_stack and link_stack[-1][3]:
                        href, start, idx, _ = link_stack.pop()
                        label = collapse("".join(cur.parts[idx:])) if start == line else None
                        self._add_link(block, href, label, start, line)
                elif tag == "img" and not closing:
                    attrs = tag_attrs(content)
                    if attrs.get("src") and not self._dangerous(attrs["src"]):
                        block.images.append(html_image(attrs, self.path, line))
                elif tag in BLOCK_TAGS:
                    cur.parts.append(" ")
                elif tag in SCRIPT_MARKS and not closing:
                    cur.parts.append(SCRIPT_MARKS[tag])
                line += content.count("\n")
            elif ttype == "wikilink":
                self._wikilink(tok, block, cur, line, image_lines, heading)
                line += tok.content.count("\n")
            elif ttype == "role":
                self._role(tok, block, cur, line)
            elif ttype == "tag":
                cur.parts.append(tok.content)
                if not heading:
                    self.parsed.tags.append(tok.content[1:])
        flush()
        if self.captions and image_lines:
            self._captions(block, units, image_lines)
        return units

    def _role(self, tok: Token, block: Block, cur: _Line, line: int) -> None:
        """Book roles: labels name the heading above them; references to labels are LABEL
        links showing their target; citations keep their key; tab fences vanish."""
        role, target = str(tok.meta["role"]), str(tok.meta["target"])
        if role == "label":
            if self.parsed.headings:
                self._label(target, self.parsed.headings[-1].title, line)
        elif role in LABEL_ROLES:
            shown = target
            if self.myst:
                shown, target = split_target(target)
            block.links.append(Link(target, LinkKind.LABEL, self.span(line)))
            cur.parts.append(shown)
            cur.prose = True
        elif role in ("cite", "citet", "citep"):
            cur.parts.append(f"[{target}]")
            cur.prose = True
        elif role == "math":
            cur.parts.append(f"${target}$")
            block.math.append(Math(target, False, self.span(line)))
            cur.prose = True
        elif role == "term":
            shown = target
            if self.myst:
                shown, target = split_target(target)
            block.links.append(Link(target, LinkKind.REF, self.span(line)))
            cur.parts.append(shown)
            cur.prose = True
        elif role not in ("begin_tab", "end_tab"):
            if role == "dfn":
                self.parsed.dfns.append((target, len(self.parsed.blocks)))
            cur.parts.append(target)
            cur.prose = True

    def _doc_ref(self, children: list[Token], i: int) -> bool:
        """Documentation-site API reference ``[`Name`]``: '[' + code + ']' not followed by '('."""
        if i < 0 or i + 2 >= len(children):
            return False
        a, b, c = children[i], children[i + 1], children[i + 2]
        return (
            a.type == "text"
            and a.content.endswith("[")
            and b.type == "code_inline"
            and c.type == "text"
            and c.content.startswith("]")
            and not c.content.startswith("](")
        )

    def _captions(
        self, block: Block, units: list[tuple[int, str]], image_lines: dict[int, list[int]]
    ) -> None:
        """An image's caption is the text line directly below it (Obsidian screenshot notes)."""
        text_at = dict(units)
        for ln, indexes in image_lines.items():
            caption = text_at.get(ln + 1)
            if caption and (ln + 1) not in image_lines:
                for k in indexes:
                    block.images[k] = replace(block.images[k], caption=caption)

    def _wikilink(
        self,
        tok: Token,
        block: Block,
        cur: _Line,
        line: int,
        image_lines: dict[int, list[int]],
        heading: bool,
    ) -> None:
        meta = tok.meta
        target: str = meta["target"]
        span = self.span(line)
        if meta.get("malformed"):
            self.parsed.problems.append(
                Problem(f"malformed embed, missing ']': {tok.content[:80]}", span)
            )
        if meta["embed"]:
            if PurePath(target).suffix.lower() in IMAGE_EXTENSIONS:
                block.images.append(
                    Image(
                        target, span, alt=meta["label"], width=meta["width"], height=meta["height"]
                    )
                )
                image_lines.setdefault(line, []).append(len(block.images) - 1)
            else:
                block.links.append(
                    Link(
                        target, LinkKind.EMBED, span, label=meta["label"], fragment=meta["fragment"]
                    )
                )
            return
        shown = meta["label"] or target or (meta["fragment"] or "")
        if cur.parts and cur.link_end == len(cur.parts):
            # `[[Machine Learning]][[Computer Vision]]`, as a Logseq page tags a paper: two
            # words, as Logseq shows them, not "Machine LearningComputer Vision" (round 45)
            cur.parts.append(" ")
        cur.parts.append(shown)
        cur.link_end = len(cur.parts)
        cur.prose = True
        block.links.append(
            Link(
                target or self.stem,
                LinkKind.WIKILINK,
                span,
                label=meta["label"],
                fragment=meta["fragment"],
            )
        )

    @staticmethod
    def _dangerous(href: str) -> bool:
        m = _SCHEME.match("".join(href.split()).lower())
        return bool(m) and m.group(1) in _DANGEROUS_SCHEMES  # type: ignore[union-attr]

    def _add_link(self, block: Block, href: str, label: str | None, start: int, end: int) -> None:
        href = href.strip()
        if not href:
            return
        span = Span(self.path, start, end)
        if self.myst and href.startswith("project:"):
            # MyST's `<project:#label>` and `[text](project:#label)`: a reference inside the
            # book, to a label (as `{ref}` is) or to a file (`project:other.md#label`).
            href = href.removeprefix("project:")
            if href.startswith("#") and len(href) > 1:
                shown = None if not label or label.startswith("project:") else label
                block.links.append(Link(unquote(href[1:]), LinkKind.LABEL, span, label=shown))
                return
        compact = "".join(href.split()).lower()
        m = _SCHEME.match(compact)
        if m and len(m.group(1)) > 1:  # one letter is a Windows drive, not a scheme
            if m.group(1) in _DANGEROUS_SCHEMES:
                return
            block.links.append(Link(href, LinkKind.URL, span, label=label or None))
            return
        if href.startswith("//"):
            block.links.append(Link("https:" + href, LinkKind.URL, span, label=label or None))
            return
        if (self.myst or self.chunks or self.labelled) and href.startswith("#") and len(href) > 1:
            # MyST's `[text](#label)` refers to a target `(label)=` of any page of the book,
            # not to the page itself: a label reference, as `{ref}` is. So does bookdown's and
            # a Quarto book's `[the chapter on PDP](#pdp)` to a `{#pdp}` of another chapter
            # (round 37: a Quarto book's 180 such links each led to its own page).
            block.links.append(Link(unquote(href[1:]), LinkKind.LABEL, span, label=label or None))
            return
        target, _, fragment = href.partition("#")
        target = target.partition("?")[0]
        last = unquote(target.rstrip("/").rsplit("/", 1)[-1]).strip()
        stem = last
        suffix = PurePath(last).suffix.lower()
        if suffix in (".md", ".markdown", ".mdx", ".mdown", ".html", ".htm"):
            stem = last[: -len(suffix)]
        name = stem or self.stem
        block.links.append(
            Link(
                name,
                LinkKind.MARKDOWN,
                span,
                label=label or None,
                fragment=unquote(fragment) or None,
                href=href if href != name else None,  # the address as written, for lint
            )
        )

    def span(self, line: int, end: int | None = None) -> Span:
        return Span(self.path, line, line if end is None else end)

    # ---- blocks

    def walk(self, tokens: list[Token], lines: list[str]) -> None:
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            ttype = tok.type
            if ttype == "heading_open":
                self._heading(tok, tokens[i + 1])
                i += 3
                continue
            if ttype.endswith("_open") and ttype != "paragraph_open":
                j = i + 1
                while j < n and not (tokens[j].level == tok.level and tokens[j].nesting == -1):
                    j += 1
                kind = {
                    "bullet_list_open": "list",
                    "ordered_list_open": "list",
                    "blockquote_open": "quote",
                    "table_open": "table",
                }.get(ttype, "text")
                self._container(tokens[i : j + 1], kind, lines)
                i = j + 1
                continue
            if ttype == "paragraph_open":
                if self.chunks and "{#" in tokens[i + 1].content:
                    for block in _ATTRIBUTES.finditer(tokens[i + 1].content):
                        if m := _FIGURE_ANCHOR.search(block.group()):
                            self._figure_label(m.group(1))
                if not (self.chunks and _quarto_shortcode(tokens[i + 1].content)):
                    if (lead := _BOLD_LEAD.match(tokens[i + 1].content)) is not None:
                        self.parsed.bold_leads.append(
                            ((tokens[i + 1].map or [0])[0] + 1, lead.group(2)))
                    self._container(tokens[i : i + 3], "text", lines)
                i += 3
                continue
            if ttype == "hr":
                if i + 2 < n and tokens[i + 1].type == "heading_open" \
                        and tokens[i + 1].markup == "-" \
                        and _SLIDE_FRONT.fullmatch(tokens[i + 2].content) is not None:
                    # A slide's own front matter between two `---` lines (Slidev's `layout:
                    # center`): settings, no heading (it was a setext H2 "layout: center").
                    i += 4
                    continue
            elif ttype in ("fence", "code_block"):
                self._code(tok, lines)
            elif ttype in ("html_block", "math_block", "math_block_label"):
                self._container([tok], "text", lines)
            elif ttype == "myst_target":
                # A MyST target names the heading under it, or else the section it stands in.
                at = (tok.map or [0])[0] + 1
                if i + 1 < n and tokens[i + 1].type == "heading_open":
                    self.pending_labels.append((tok.content, at))
                elif self.heading_titles:
                    self._label(tok.content, self.heading_titles[-1], at)
            i += 1

    def _label(self, key: str, target: str, line: int) -> None:
        """`key` names `target`; defined again in the file, it is a problem (Sphinx warns of
        it; a reference leads to the first, `lint` says so)."""
        first = self.label_lines.setdefault(key, line)
        if first != line and key in self.parsed.labels:
            self.parsed.problems.append(Problem(twice_message(key, first), self.span(line)))
        self.parsed.labels.setdefault(key, target)

    def _heading(self, tok: Token, inline: Token) -> None:
        level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 1
        scratch = Block("text", [], ())
        line = (tok.map or [0])[0] + 1
        units = self.inline(inline.children or [], line, scratch, heading=True)
        title = collapse(" ".join(t for _, t in units))
        if title.endswith("}"):
            attributes = _HEADING_ATTRIBUTES.search(title)
            title = _HEADING_ATTRIBUTES.sub("", title)
            if (self.chunks or self.labelled) and attributes is not None and title:
                # Quarto's `## Training {#sec-training}`: the label `@sec-training` names
                # (`labels.link_local_labels`).
                anchor = _ANCHOR.search(attributes.group())
                if anchor is not None:
                    self._label(anchor.group(1), title, line)
        while self.heading_path and self.heading_path[-1][0] >= level:
            self.heading_path.pop()
        if title:
            for label, at in self.pending_labels:
                self._label(label, title, at)
            self.pending_labels.clear()
            self.heading_path.append((level, title))
            self.parsed.headings.append(Heading(level, title, line, len(self.parsed.blocks)))
            if line in self.parsed.tab_lines:
                self.parsed.tab_paths.add(tuple(t for _, t in self.heading_path))
            if scratch.links:
                self.heading_links.append((len(self.parsed.blocks), title, scratch.links))
        self.heading_titles = tuple(t for _, t in self.heading_path)

    def heading_links_to_sections(self) -> None:
        """A link in a heading still links (`## [TensorBoard](https://...)`, `# [[Text
        Preprocessing]]` opening a hub note): it rides on the first block of the heading's
        section, as the Org reader does; a heading with no text under it keeps none. They
        were dropped: the note linked nowhere and the linked page was wanted by nobody."""
        blocks = self.parsed.blocks
        for index, title, links in self.heading_links:
            if index < len(blocks) and title in blocks[index].heading_path:
                blocks[index].links[0:0] = links
                blocks[index].heading_links += len(links)

    def _new_block(self, kind: str, joiner: str = " ") -> Block:
        return Block(kind, [], self.heading_titles, joiner=joiner)

    def _figure_label(self, label: str) -> None:
        """A figure's or table's label names the section it stands in (`_CHUNK_LABEL`)."""
        if self.heading_titles:
            self.parsed.labels.setdefault(label, self.heading_titles[-1])

    def _code(self, tok: Token, lines: list[str]) -> None:
        start, end = tok.map or (0, 0)
        if tok.type == "fence":
            fence = tok.markup or "```"
            last = lines[end - 1].strip() if 0 < end <= len(lines) else ""
            closed = end - start >= 2 and last.startswith(fence) and not last.strip(fence[0])
            if not closed:
                self.parsed.problems.append(
                    Problem(
                        f"unclosed code fence {fence}: read to the end of the file as code",
                        self.span(start + 1),
                    )
                )
            first = start + 2
        else:
            first = start + 1
        block = self._new_block("code", "\n")
        block.language = language(tok.info) if tok.type == "fence" else ""
        content = tok.content.rstrip("\n")
        if self.chunks and content.startswith("#|"):
            # A Quarto chunk's options (`#| echo: false`) say how to run it: no code.
            while content.startswith("#|"):
                if (m := _CHUNK_LABEL.match(content)) is not None:
                    self._figure_label(m.group(1))
                cut = content.find("\n")
                content = content[cut + 1:] if cut >= 0 else ""
                first += 1
        if content.strip():
            block.units = [(first + k, ln) for k, ln in enumerate(content.split("\n"))]
            self.parsed.blocks.append(block)

    def _container(self, tokens: list[Token], kind: str, lines: list[str]) -> None:
        joiner = "\n" if kind in ("list", "table", "quote") else self.soft_joiner
        if len(tokens) == 1 and tokens[0].type == "html_block":
            joiner = " "  # HTML wraps lines as spaces, whatever the dialect
        block = self._new_block(kind, joiner)
        list_stack: list[str] = []  # "-" or the next ordinal marker
        pending_prefix = ""
        quote_first = kind == "quote"
        in_term = False  # inside a MyST definition list's term (`dt`)
        term = ""  # the term its definition's first line opens with ("hyperparameter: ...")
        row: list[str] = []
        row_line = 0
        for tok in tokens:
            ttype = tok.type
            if ttype in ("bullet_list_open", "ordered_list_open"):
                list_stack.append("-" if ttype == "bullet_list_open" else "1")
            elif ttype in ("bullet_list_close", "ordered_list_close"):
                list_stack.pop() if list_stack else None
            elif ttype in ("dt_open", "dt_close"):
                in_term = ttype == "dt_open"
            elif ttype in ("blockquote_open", "paragraph_open") and kind == "quote":
                # A callout inside a callout (`>> [!success]- Answer` under a quiz's
                # `> [!question]`), or one after a blank `>` line in the same quote (`Group A`
                # ... `>>` ... `>> [!example] Group B`), loses its marker as the first one does
                # (round 41: a vault's 46 quiz notes kept 2,402 `[!success]-` in their text).
                quote_first = True
            elif ttype == "list_item_open":
                marker = "-" if tok.markup in "-*+" else f"{tok.info or '1'}{tok.markup}"
                pending_prefix = "  " * (len(list_stack) - 1) + marker + " "
            elif ttype == "inline":
                line = (tok.map or [0])[0] + 1
                if kind == "table":
                    cell = self.inline(tok.children or [], line, block)
                    row.append(" ".join(t for _, t in cell))
                    row_line = line
                    continue
                if tok.content.startswith("[[autodoc]]"):
                    self._autodoc(tok.content, line)
                    continue
                if tok.content.strip() == "[[open-in-colab]]":
                    continue
                if in_term:
                    term = " ".join(t for _, t in self.inline(tok.children or [], line, block))
                    continue
                if term:
                    colon = "" if term.endswith(":") else ":"
                    pending_prefix, term = f"{term}{colon} {pending_prefix}", ""
                indent = "  " * len(list_stack) if list_stack and not pending_prefix else ""
                units = self.inline(
                    tok.children or [],
                    line,
                    block,
                    prefix=pending_prefix or indent,
                    first_in_quote=quote_first,
                )
                pending_prefix = ""
                quote_first = False
                if units and kind == "text" and block.units:
                    block.units.append((units[0][0], "\n"))
                block.units.extend(units)
            elif ttype == "tr_close":
                if any(row):
                    block.units.append((row_line, " | ".join(row)))
                row = []
            elif ttype in ("fence", "code_block"):
                if kind == "text" or (kind == "list" and ttype == "fence"):
                    # A fence in a list item is code as one anywhere else (round 35: a
                    # mermaid diagram under an item was read as the list's lines): the list
                    # so far is a block, the code one, and the items after it another.
                    if kind == "list":
                        self._close_container(block)
                        block = self._new_block(kind, joiner)
                    self._code(tok, lines)
                    continue
                start = (tok.map or [0])[0] + (2 if ttype == "fence" else 1)
                for k, ln in enumerate(tok.content.rstrip("\n").split("\n")):
                    if ln.strip():
                        block.units.append((start + k, "  " * len(list_stack) + ln))
            elif ttype == "html_block":
                self._html_block(tok, block)
            elif ttype in ("math_block", "math_block_label"):
                line = (tok.map or [0])[0] + 1
                end = (tok.map or [0, 1])[1]
                tex = _escaped_subscripts(unescape_refs(tok.content.strip()))
                if tex:
                    block.math.append(Math(tex, True, Span(self.path, line, end)))
                    block.units.append((line, f"$${tex}$$"))
        self._close_container(block)

    def _close_container(self, block: Block) -> None:
        block.units = [(ln, t) for ln, t in block.units if t]
        if block.units:
            self.parsed.blocks.append(block)
        elif block.images or block.links:
            # An image-only paragraph: keep its marks in a passage with no text of its own.
            self.parsed.blocks.append(block)

    def _autodoc(self, content: str, line: int) -> None:
        # `[[autodoc]] DPOTrainer` and its member lines (`    - train`): one API reference
        for k, text in enumerate(content.split("\n")):
            if text.startswith("[[autodoc]]"):
                target = api_target(text.removeprefix("[[autodoc]]"))
                if target:
                    self.parsed.refs.append(Link(target, LinkKind.API, self.span(line + k)))

    def _api_ref(self, block: Block, code: str, line: int) -> None:
        target = api_target(code)
        if target:
            block.links.append(Link(target, LinkKind.API, self.span(line), label=code.strip()))

    def _html_block(self, tok: Token, block: Block) -> None:
        start = (tok.map or [0])[0] + 1
        stripped, images, links = strip_html(tok.content, self.path, start)
        block.images.extend(i for i in images if not self._dangerous(i.target))
        for href, label, ln in links:
            self._add_link(block, href, label, ln, ln)
        if not stripped.strip():
            return
        if tok.content.lstrip()[:4].lower() == "<pre":
            text = html.unescape(stripped)
            for k, row in enumerate(text.split("\n")):
                if row.strip():
                    block.units.append((start + k, row.rstrip()))
            block.kind, block.joiner = "code", "\n"
            return
        # The visible text may still hold Markdown-level marks: math, wikilinks, entities.
        for offset, text in _paragraphs(stripped):
            children = self.md.parseInline(text)[0].children or []
            if block.units:
                block.units.append((start + offset, "\n"))
            block.units.extend(self.inline(children, start + offset, block))


def _paragraphs(text: str) -> Iterable[tuple[int, str]]:
    """Blank-line separated pieces of text with their line offset."""
    current: list[str] = []
    first = 0
    for k, ln in enumerate(text.split("\n")):
        if ln.strip():
            if not current:
                first = k
            current.append(ln.strip())
        elif current:
            yield first, "\n".join(current)
            current = []
    if current:
        yield first, "\n".join(current)


# A Pandoc fenced div's fence line (`::: {.callout-note}`, `:::: {.columns}`, `:::`), as
# Quarto and R Markdown notes write a callout or a layout around text: the text is read, the
# fence is no text (round 35: a Quarto site's callouts). Blanked, so lines keep their numbers.
_PANDOC_DIV = re.compile(r"^[ \t]{0,3}:{3,}+[ \t]*+(?:\{[^}\n]{0,300}\}|[A-Za-z][\w-]{0,40})?"
                         r"[ \t]*+(?::{3,}+[ \t]*+)?$", re.MULTILINE)


# A Quarto callout's opening fence, and a heading line: a callout's first heading is its
# title (`::: {.callout-tip}` then `## Check the residuals`), shown in the box's bar, no
# section of the page (round 37: a Quarto book's 20 tips, each `# ...` in a callout, were
# top-level sections, and the chapter's later sections were read as parts of a tip).
_CALLOUT_FENCE = re.compile(r"[ \t]{0,3}:{3,}[ \t]*\{[^}\n]{0,300}\.callout\b[^}\n]{0,300}\}[ \t]*")
_ATX_MARK = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+(?=\S)")


# A Quarto shortcode alone on its paragraph (`{{< include _setup.qmd >}}`, `{{< pagebreak >}}`,
# `{{< video URL >}}`): an instruction to the renderer, no text (round 37: a book's every
# chapter opened its definition with its include line).
_SHORTCODE_NAME = re.compile(r"\s*[\w-]+")


def _quarto_shortcode(text: str) -> bool:
    """Whether `text` is one shortcode: `{{<`, a name, then nothing or a blank and the rest of
    its line, blanks (line ends among them), `>}}`. The pattern that said so
    (`\\{\\{<\\s*[\\w-]+(?:\\s[^\\n]*?)?\\s*>\\}\\}`) looked ahead over the blanks at
    each place of them: a paragraph of 400,000 blanks after `{{< a` took over 120 s to read."""
    if not (text.startswith("{{<") and text.endswith(">}}")):
        return False
    inner = text[3:-3]
    name = _SHORTCODE_NAME.match(inner)
    if name is None:
        return False
    rest = inner[name.end():]
    return not rest or (rest[0].isspace() and "\n" not in rest[1:].rstrip())


# Quarto's `{{< meta key >}}` (a dotted key into the front matter, `params.images_path`): the
# value, as Quarto renders it (round 53, qa53: a course put its figures' folder there, and
# `![]({{< meta params.images_path >}}x.jpg){width=600}`, an address with blanks, was no
# image but its markup in the text). A key with no one-line value stays as written.
_META_SHORTCODE = re.compile(r"\{\{<[ \t]*meta[ \t]+([\w.-]{1,100})[ \t]*>\}\}")


def _meta_values(body: str, meta: Mapping[str, Any]) -> str:
    def value(m: re.Match[str]) -> str:
        found: Any = meta
        for key in m.group(1).split("."):
            found = found.get(key) if isinstance(found, Mapping) else None
        return found if isinstance(found, str) and "\n" not in found else m.group(0)

    return _META_SHORTCODE.sub(value, body)


# What a Quarto page hides, and its equations' labels (round 40, a public Quarto book):
# `::: content-hidden` holds what no reader sees (its every chapter hid the include of its
# LaTeX macros there, and "$${{< include latexmacros.tex >}}$$" opened 30 chapters' text and
# came up in searches). A display formula's label (`$$ {#eq-ridge}`, as Quarto numbers an
# equation) left its `$$` no closer, so every formula after it in the paragraph swapped
# places with the text around it (`||z||_2` read as text, its `_` as emphasis). Blanked, or
# the label cut, lines keep their numbers.
_DIV_OPEN = re.compile(r"[ \t]{0,3}:{3,}[ \t]*(\{[^\n]*|[A-Za-z][\w-]*)[ \t]*")
_DIV_CLOSE = re.compile(r"[ \t]{0,3}:{3,}[ \t]*")
_CODE_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
# A display environment of LaTeX on its own lines, no `$$` around it: Pandoc reads it as a
# formula (the book's 26 bare `\begin{align*}` derivations were text, their `\\` rows one `\`).
_BARE_BEGIN = re.compile(
    r"[ \t]*\\begin\{((?:align|equation|gather|multline|eqnarray|flalign)\*?)\}")
_EQUATION_LABEL = re.compile(r"(\$\$)[ \t]*\{#eq-[^{}\n]*\}[ \t]*$")


_ATX = re.compile(r"[ \t]{0,3}(#{1,6})(?=[ \t]+\S)")


def _quarto_divs(body: str, tab_lines: set[int] | None = None) -> str:
    """`body` without what a Quarto page hides (a `content-hidden` div with no `when-` or
    `unless-` condition) and its equations' labels, its bare display environments put in
    `$$` (`_BARE_BEGIN`, up to 200 lines); fences of code are passed over. The headings of a
    `panel-tabset` div are its tabs' labels ("## R", "## Python" over each language's code):
    each is set one level below the section the tabs stand in, so the tabs are parts of that
    section and the sections after the div are not read as parts of its last tab (round 40's
    leftover: a Quarto book's tabs were 9 entries "R" and "Python", and "Lasso Regression"
    sat under "Python"). A heading below a tab's level is a part of that tab, shifted with
    it. The line of each tab's heading is added to `tab_lines` when its tabs are labels: the
    set is one of a `group` (a language's tabs, chosen once for the page), one of its labels
    is another set's too, or every tab shows code; a set of tabs of prose ("Bagging",
    "Boosting") is sections (review41b: such tabs were no entries)."""
    lines = body.split("\n")
    divs: list[str] = []  # "hidden", "tabs N" (N: the level of the tabs' section) or ""
    hidden = 0  # how many of `divs` are "hidden" (counted: a page of unclosed divs has many)
    sets: dict[int, _TabSet] = {}  # the tab sets open, by their place in `divs`, innermost last
    done: list[_TabSet] = []
    level = 1  # the level of the last heading outside any tabs (1: the page's title)
    fence = ""
    for k, text in enumerate(lines):
        if fence:
            if text.lstrip().startswith(fence):
                fence = ""
            if hidden:
                lines[k] = ""
            continue
        if m := _CODE_FENCE.match(text):
            fence = m.group(1)
            tab_set = next(reversed(sets.values()), None)
            if tab_set is not None and tab_set.tabs:
                tab_set.code.add(len(tab_set.tabs))
        elif _DIV_CLOSE.fullmatch(text):
            if hidden:
                lines[k] = ""
            if divs:
                hidden -= divs.pop() == "hidden"
                if (closed := sets.pop(len(divs), None)) is not None:
                    done.append(closed)
            continue
        elif m := _DIV_OPEN.fullmatch(text):
            attributes = m.group(1)
            divs.append("hidden" if "content-hidden" in attributes and "when-" not in attributes
                        and "unless-" not in attributes else
                        f"tabs {level}" if "panel-tabset" in attributes else "")
            hidden += divs[-1] == "hidden"
            if divs[-1].startswith("tabs"):
                sets[len(divs) - 1] = _TabSet(level, "group=" in attributes)
        elif m := _ATX.match(text):
            j = next(reversed(sets), None)
            if j is None:
                level = len(m.group(1))
            else:
                tab_set = sets[j]
                written = len(m.group(1))
                if tab_set.level is None or written <= tab_set.level:
                    tab_set.level = written
                    tab_set.tabs.append((k + 1, text[m.end(1):].strip(" \t#").casefold()))
                shifted = tab_set.section + 1 + written - tab_set.level
                lines[k] = text[:m.start(1)] + "#" * min(6, shifted) + text[m.end(1):]
        elif "$$" in text and "{#eq-" in text:
            lines[k] = _EQUATION_LABEL.sub(r"\1", text)
        if hidden:
            lines[k] = ""
        elif (m := _BARE_BEGIN.match(text)) and not (k and lines[k - 1].rstrip().endswith("$$")):
            end = next((j for j in range(k + 1, min(len(lines), k + 200))
                        if f"\\end{{{m.group(1)}}}" in lines[j] or "$$" in lines[j]
                        or _CODE_FENCE.match(lines[j])), None)
            if (end is not None and lines[end].rstrip().endswith(f"\\end{{{m.group(1)}}}")
                    and not (end + 1 < len(lines) and lines[end + 1].lstrip().startswith("$$"))):
                lines[k] = "$$" + text.lstrip()
                lines[end] = lines[end].rstrip() + "$$"
    if tab_lines is not None:
        done.extend(sets.values())
        labels = [{label for _, label in t.tabs} for t in done]
        # How many sets hold each label: each set compared with every other was quadratic (a
        # page of 10,000 tab sets left open, 16 s; round 47).
        sets_of = Counter(label for mine in labels for label in mine)
        for t, mine in zip(done, labels, strict=True):
            if t.grouped or len(t.code) >= len(t.tabs) \
                    or any(sets_of[label] > 1 for label in mine):
                tab_lines.update(line for line, _ in t.tabs)
    return "\n".join(lines)


@dataclass(slots=True)
class _TabSet:
    """A Quarto `panel-tabset` div `_quarto_divs` reads: the level of the section it stands
    in, whether it is one of a `group`, the level of its tabs' headings as written, each
    tab's line and label, and the tabs (by their number) that show code."""

    section: int
    grouped: bool
    level: int | None = None
    tabs: list[tuple[int, str]] = field(default_factory=list)
    code: set[int] = field(default_factory=set)


def _callout_titles(body: str) -> str:
    """`body` with the heading that opens each Quarto callout made a line of its text."""
    lines = body.split("\n")
    k = 0
    while k < len(lines):
        if ".callout" in lines[k] and _CALLOUT_FENCE.fullmatch(lines[k]):
            k += 1
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k < len(lines) and (mark := _ATX_MARK.match(lines[k])) is not None:
                lines[k] = lines[k][mark.end():].rstrip().rstrip("#").rstrip()
            continue
        k += 1
    return "\n".join(lines)


# MDX, what a Docusaurus site writes its pages in (`.md` as `.mdx`): a line of ES module code
# (`import useBaseUrl from '@docusaurus/useBaseUrl';`, `export const x = ...`) is a block of
# its own, and a component takes a JSX expression as an attribute's value
# (`<img src={useBaseUrl('img/auc.gif')} />`), which no HTML parser takes for a tag. Read as
# Markdown, the import opened a glossary page's definition in `show` and the `<img .../>` tag
# stood whole in its text (round 45: a Docusaurus glossary of 26 pages).
_ESM_LINE = re.compile(
    r"import\s[^\n]*?\bfrom\s*(['\"])[^'\"\n]+\1;?[ \t]*|import\s*(['\"])[^'\"\n]+\2;?[ \t]*"
    r"|export\s+(?:(?:const|let|var|function|default)\b|\{)[^\n]*")
_BRACED = r"\{(?:[^{}\n]|\{[^{}\n]*\})*\}"  # `{x}`, `{{color: 'red'}}`
# A whole tag (`_expressions_emptied` keeps those with an expression as a value). Not a tag
# holding one (`...*?={...}...`): that tried each `={` of a line as the one, then the line's
# rest after it, squared in the line's length (a 10 KB line of `={x}` and no `>`: 0.4 s;
# round 46).
_JSX_TAG = re.compile(rf"<[A-Za-z][\w.:-]*\s(?:[^<>{{}}\n]|{_BRACED})*/?>")
_JSX_VALUE = re.compile(rf"={_BRACED}")
_TAG_PART = re.compile(rf"{_BRACED}|.", re.DOTALL)  # a character, or an expression whole


def _expressions_emptied(line: str) -> str:
    """`line` with each expression a tag's attribute holds emptied (`src=""`), in the tags
    that have one as a value (an `=` outside braces, then braces). A tag that has none is
    looked in from its next character, where another may begin (inside its braces)."""
    out: list[str] = []
    at = 0
    while (tag := _JSX_TAG.search(line, at)) is not None:
        parts = _TAG_PART.findall(tag[0])
        if any(a == "=" and b[:1] == "{" for a, b in itertools.pairwise(parts)):
            out += [line[at:tag.start()], _JSX_VALUE.sub('=""', tag[0])]
            at = tag.end()
        else:
            out.append(line[at:tag.start() + 1])
            at = tag.start() + 1
    return "".join([*out, line[at:]])


def _mdx_code(body: str) -> str:
    """`body` without MDX's module lines and with each expression an attribute's value holds
    emptied (`src=""`), line for line, outside fences; a module line stands at the left
    margin after a blank line (or another module line), a tag with an expression on a line
    without a code span. The same words in a sentence or in code stay as written.

    >>> _mdx_code("import X from '@site/x';\n\nA <img src={X('a.png')} /> here.")
    '\n\nA <img src="" /> here.'
    """
    lines = body.split("\n")
    fence = False
    module = True  # the line before was blank, or module code
    for k, line in enumerate(lines):
        if _FENCE_LINE.match(line):
            fence, module = not fence, False
            continue
        if fence:
            continue
        if module and line[:1] in "ie" and _ESM_LINE.fullmatch(line):
            lines[k] = ""
            continue
        module = not line.strip()
        if "={" in line and "`" not in line:
            lines[k] = _expressions_emptied(line)
    return "\n".join(lines)


def _strip_liquid(text: str, path: str, jekyll: bool) -> str:
    """Jekyll `({% link terms/x.md %})`, `({{ "/x.html" | relative_url }})` and Hugo
    `({{< relref "x.md" >}})` destinations become plain `(terms/x.md)` links; on a page with
    front matter (`jekyll`: Jekyll runs Liquid on no other) the lines of Liquid alone go."""
    if "{%" in text or "{{" in text:
        text = _LIQUID_LINK.sub(lambda m: f"({m[1] or m[2]})", text)
    if "{{" in text:
        text = _LIQUID_URL.sub(lambda m: f"({_site_path(m[2], path)})", text)
        text = _HUGO_LINK.sub(r"(\1)", text)
    return _liquid_lines(text) if jekyll and "{%" in text else text


def _site_path(address: str, path: str) -> str:
    """A site path as the page at `path` reaches its file: a collection's page (`_notes/x.md`,
    which Jekyll serves at `/notes/x.html`) from the linking page's folder when that page is
    in the same collection (`../appendix/x`, found as `x.md`), else the path as written."""
    site = address.lstrip("/")
    collection, _, rest = site.partition("/")
    folders = path.replace("\\", "/").split("/")[:-1]
    if not rest or f"_{collection}" not in folders:
        return "/" + site
    at = len(folders) - 1 - folders[::-1].index(f"_{collection}")
    page, hash_, fragment = rest.partition("#")
    page = page.removesuffix(".html")
    target = posixpath.join(*folders[: at + 1], page)
    return posixpath.relpath(target, posixpath.join(*folders)) + hash_ + fragment


def _liquid_lines(text: str) -> str:
    """Liquid outside code as the site shows it (line numbers kept): an include (a figure) is
    its caption (`description="..."`) or nothing, a line of tags alone is blank, `{% highlight
    python %}` ... `{% endhighlight %}` is a fence, a comment goes whole, and what `{% raw %}`
    ... `{% endraw %}` quotes stays as written. Jekyll runs Liquid before Markdown, so an
    indented line is no code to it (a figure under a list item). A line with a code span
    stays as written (a note with front matter on Jinja quoting `{% include 'x.html' %}`), as
    do an indented code block and a display formula (`{{n}\\choose{k}}`), and a comment or
    highlight never closed is no tag (Jekyll stops on it; review42d: Django's `{% comment %}`
    quoted in a vault's note blanked the rest of the note)."""
    lines = text.split("\n")
    fence: str | None = None
    comment = raw = False
    comments = _LIQUID_END_COMMENT.search(text) is not None
    highlights = "endhighlight" in text
    math = False  # in a display formula, `$$` ... `$$`: its braces are TeX's
    code = False  # in an indented code block: after a blank line, under no list item
    above = ""  # the last line with text before this one
    for k, line in enumerate(lines):
        if line.strip():
            indented = line[:1] == "\t" or line.startswith("    ")
            opens = (k == 0 or not lines[k - 1].strip()) and _LIST_OR_INDENTED.match(above) is None
            code = indented and (code or opens)
            above = line
        if comment:
            comment = _LIQUID_END_COMMENT.search(line) is None
            lines[k] = ""
        elif raw:
            raw = (end := _LIQUID_END_RAW.search(line)) is None
            if end is not None:
                lines[k] = line[: end.start()] + line[end.end():]
        elif fence is not None:
            if fence == "highlight" and _LIQUID_END_HIGHLIGHT.fullmatch(line):
                lines[k], fence = "```", None
            elif fence != "highlight" and line.lstrip().startswith(fence):
                fence = None
        elif (mark := _FENCE_LINE.match(line)) is not None:
            fence = mark.group().lstrip()
        elif math or (line.lstrip().startswith("$$") and line.count("$$") % 2 == 1):
            math ^= line.count("$$") % 2 == 1
        elif code or "{" not in line or "`" in line:
            continue
        elif highlights and (high := _LIQUID_HIGHLIGHT.fullmatch(line)) is not None:
            lines[k], fence = "```" + high[1], "highlight"
        elif _LIQUID_RAW_LINE.fullmatch(line):
            lines[k], raw = "", True
        else:
            if comments and "comment" in line:
                line, comment = _cut_comments(line)
            if _LIQUID_ONLY.fullmatch(line):
                line = " ".join(_caption(m) for m in _LIQUID_INCLUDE.finditer(line)).strip()
            elif "include" in line:
                line = _LIQUID_INCLUDE.sub(lambda m: f" {_caption(m)} ", line)
            lines[k] = line if line.strip() else ""
    return "\n".join(lines)


def _caption(include: re.Match[str]) -> str:
    """An include's caption, as the figure it draws shows it; else nothing."""
    caption = _LIQUID_CAPTION.search(include.group())
    return caption[1] if caption is not None else ""


def _cut_comments(line: str) -> tuple[str, bool]:
    """`line` without its Liquid comments, and whether the last one goes on past it."""
    kept: list[str] = []
    pos = 0
    while (opened := _LIQUID_COMMENT.search(line, pos)) is not None:
        kept.append(line[pos : opened.start()])
        closed = _LIQUID_END_COMMENT.search(line, opened.end())
        if closed is None:
            return "".join(kept), True
        pos = closed.end()
    kept.append(line[pos:])
    return "".join(kept), False


def _defuse_brackets(text: str, path: str, problems: list[Problem]) -> str:
    """Escape `[` on lines holding thousands of them.

    markdown-it's link-label scan is quadratic in unclosed brackets (100 KB of `[[` takes
    seconds); no real line has that many links, so such a line is read as literal text.
    """
    lines = text.split("\n")
    for k, line in enumerate(lines):
        if line.count("[") > MAX_LINE_BRACKETS:
            lines[k] = line.replace("\\", "\\\\").replace("[", "\\[")
            problems.append(
                Problem(
                    f"more than {MAX_LINE_BRACKETS} '[' on one line: read as plain text",
                    Span(path, k + 1, k + 1),
                )
            )
    return "\n".join(lines)


# An admonition as Python-Markdown and MkDocs Material write it: `!!! tip "Key point"` (or
# `??? note` / `???+ note`, folded), its body indented by four under it. Read as written, the
# body was an indented code block: its text no part of the definition above it, searched as
# code, and the marker line `!!! info "Softmax"` kept in the text (round 38: two MkDocs sites,
# and every MkDocs Material site boxes its notes so). The box is its title as a line of text
# (Material shows it so; none when it has no title: the type alone is only its colour) and
# its body at its own lines, one level out. A marker quoted in a fence stays as written.
_ADMONITION = re.compile(
    r"(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[A-Za-z][\w-]{0,39})"
    r"(?:[ \t]+(?:inline|end)){0,2}"
    r"(?:[ \t]+(?P<quote>[\"'])(?P<title>[^\n]*?)(?P=quote))?[ \t]*")
_HTML_TAG = re.compile(r"<[^<>\n]{1,200}>")
_FENCE_LINE = re.compile(r"[ ]{0,3}(?:`{3,}|~{3,})")


def _admonitions(body: str, boxes: list[tuple[str, str, int, int]] | None = None) -> str:
    """`body` with each admonition's marker line as its title and its body one level out,
    line for line (so every line keeps its number).

    >>> _admonitions('!!! info "Softmax"\\n\\n    Softmax maps scores to probabilities.\\n')
    'Softmax\\n\\nSoftmax maps scores to probabilities.\\n'
    >>> _admonitions("```\\n!!! note\\n    kept\\n```")
    '```\\n!!! note\\n    kept\\n```'
    """
    lines = body.split("\n")
    fence = False
    k = 0
    while k < len(lines):
        line = lines[k]
        if _FENCE_LINE.match(line):
            fence = not fence
        m = None if fence else _ADMONITION.fullmatch(line)
        if m is None:
            k += 1
            continue
        indent = m.group("indent")
        title = " ".join(_HTML_TAG.sub("", m.group("title") or "").split())
        inner = (indent + "    ", indent + "\t")
        j = k + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if not title and not (j < len(lines) and lines[j].startswith(inner)):
            # No title and no body: a writer's "!!! IMPORTANT" over a paragraph, a line of
            # text, not an empty box (review38b)
            k += 1
            continue
        lines[k] = indent + title if title else ""
        j = k + 1
        while j < len(lines) and (not lines[j].strip() or lines[j].startswith(inner)):
            line = lines[j]
            lines[j] = indent + line[len(inner[0]):] if line.startswith(inner[0]) else \
                indent + line[len(inner[1]):] if line.startswith(inner[1]) else line.strip()
            j += 1
        if boxes is not None:
            last = j
            while last > k + 1 and not lines[last - 1].strip():
                last -= 1
            # Python-Markdown lowercases the type: `!!! Note` is a note (review38b)
            boxes.append((m.group("kind").lower(), title, k + 1, last))
        k += 1  # the body, one level out, is read again: a box in the box is one too
    return "\n".join(lines)


# A Docusaurus or VitePress admonition (a container directive): `:::info Definition 1`,
# `:::note`, `:::tip[Why it matters]`, `::: warning`, its body as written below it, closed by
# a line of colons. Read as written, every fence line was text (round 43: a Docusaurus site's
# page showed `:::info Lemma 4` and a bare `:::` around each of its nine boxes in `show`,
# snippets and answers). The box is its title as a line of text (none when it has no title),
# as an admonition's; a fence line quoted in code, or never closed, stays as written.
_CONTAINER_OPEN = re.compile(
    r"[ ]{0,3}(?P<colons>:{3,})[ \t]*(?P<kind>[A-Za-z][\w-]{0,39})"
    r"(?:\[(?P<bracket>[^\]\n]{0,200})\]|[ \t]+(?P<title>[^\n]{0,200}?))?[ \t]*")
_CONTAINER_CLOSE = re.compile(r"[ ]{0,3}(?P<colons>:{3,})[ \t]*")


def _containers(body: str, boxes: list[tuple[str, str, int, int]]) -> str:
    """`body` with each container's opening fence as its title and its closing fence blank,
    line for line (so every line keeps its number); each box added to `boxes`.

    >>> _containers(":::info Softmax\\nSoftmax maps scores to probabilities.\\n:::", [])
    'Softmax\\nSoftmax maps scores to probabilities.\\n'
    """
    lines = body.split("\n")
    fence = False
    opened: list[tuple[int, re.Match[str]]] = []
    found: list[tuple[int, int, re.Match[str]]] = []  # each box's fences, in closing order
    for k, line in enumerate(lines):
        if _FENCE_LINE.match(line):
            fence = not fence
        if fence or ":::" not in line:
            continue
        if (m := _CONTAINER_OPEN.fullmatch(line)) is not None:
            opened.append((k, m))
            continue
        close = _CONTAINER_CLOSE.fullmatch(line)
        while close is not None and opened:
            start, m = opened.pop()
            if len(m.group("colons")) > len(close.group("colons")):
                continue  # an inner box left open: Docusaurus closes it with its outer one
            found.append((start, k, m))
            break
    for start, k, m in found:
        lines[start] = " ".join(_HTML_TAG.sub("", m.group("bracket") or m.group("title") or "")
                                .split())
        lines[k] = ""
    # Each box's last line of text, found in one pass (not by a walk back from each close,
    # quadratic over boxes nested deep)
    last_text = [0] * (len(lines) + 1)  # the number of the last line with text up to each
    for k, line in enumerate(lines):
        last_text[k + 1] = k + 1 if line.strip() else last_text[k]
    for start, k, m in found:
        boxes.append((m.group("kind").lower(), lines[start], start + 1,
                      max(start + 1, last_text[k])))
    return "\n".join(lines)


# An Obsidian or GitHub callout's first line: `> [!definition] 2.1 — Markov Chain`, `> [!NOTE]`.
_CALLOUT_LINE = re.compile(r"[ ]{0,3}>[ \t]?\[!(?P<kind>[A-Za-z][\w-]{0,30})\][+-]?"
                           r"(?:[ \t]+(?P<title>[^\n]*?))?[ \t]*")
_QUOTE_LINE = re.compile(r"[ ]{0,3}>")


def _callouts(body: str, boxes: list[tuple[str, str, int, int]]) -> None:
    """Each callout of `body` (outside fences) as a box: its type, its title, its first and
    last line. The reader shows the title as the first line of the quote's text (the marker
    is dropped); a box of a defining type whose text names its title is an entry
    (`markdown._box_entries`), as an admonition is (round 39: a public notebook of
    Obsidian-style notes boxed its 127 definitions so, `> [!definition] 2.1 — Markov Chain`
    over "A **Markov chain** is ...", and none was a concept)."""
    lines = body.split("\n")
    fence = False
    k = 0
    while k < len(lines):
        line = lines[k]
        if _FENCE_LINE.match(line):
            fence = not fence
        m = None if fence or "[!" not in line else _CALLOUT_LINE.fullmatch(line)
        if m is None:
            k += 1
            continue
        j = k + 1
        while j < len(lines) and _QUOTE_LINE.match(lines[j]):
            j += 1
        title = " ".join(_HTML_TAG.sub("", m.group("title") or "").split())
        boxes.append((m.group("kind").lower(), _WHOLE_EMPHASIS.sub(r"\2", title), k + 1, j))
        k = j


# A callout's title in bold or italics as a whole (`> [!definition] **Image Labelling**`):
# the marks are its look, no part of its name (round 46: an Obsidian course note's entries
# were named "**Image Labelling**").
_WHOLE_EMPHASIS = re.compile(r"^(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1$")


def parse(text: str, path: str, md: MarkdownIt, flavor: Flavor = PLAIN) -> Parsed:
    """Front matter, then the Markdown body walked into blocks (text already decoded)."""
    body, fm = split_front_matter(text, path)
    parsed = Parsed(path=path, front=fm)
    parsed.problems.extend(fm.problems)
    body = _strip_liquid(body, path, jekyll=fm.end_line > 0)
    if "import" in body or "export" in body or "={" in body:
        body = _mdx_code(body)
    if body.count("[") > MAX_LINE_BRACKETS:
        body = _defuse_brackets(body, path, parsed.problems)
    if "!!!" in body or "???" in body:
        body = _admonitions(body, parsed.boxes)
    if "[!" in body:
        _callouts(body, parsed.boxes)
    chunks = path[-4:].lower() in (".qmd", ".rmd")
    if chunks and "{{< meta " in body:
        body = _meta_values(body, fm.meta)
    if not chunks and ":::" in body and ":::{" not in body:
        body = _containers(body, parsed.boxes)
    if chunks and ("$$" in body or ":::" in body):
        body = _quarto_divs(body, parsed.tab_lines)
    if chunks and ":::" in body:
        if ".callout" in body:
            body = _callout_titles(body)
        body = _PANDOC_DIV.sub("", body)
    # Quarto and R Markdown write an executed chunk as ```{python}: code, no MyST directive.
    myst = not chunks and is_myst(body)
    if myst:
        md = myst_parser(md)
    elif chunks and "@" in body:
        md = quarto_parser(md)
    walker = _Walker(path, parsed, flavor, md, myst=myst)
    walker.chunks = chunks
    tokens = parser_for(md, body).parse(body)
    if myst:
        tokens = expand_directives(tokens, md)
    walker.walk(tokens, body.split("\n"))
    walker.heading_links_to_sections()
    if parsed.boxes:
        _titles_apart(parsed)
    return parsed


def _titles_apart(parsed: Parsed) -> None:
    """Each titled box's title a paragraph of its own when its text starts on the next line
    (`!!! abstract "Shared Model Talk"` over its indented text, `:::info Lemma` over its
    first line): one paragraph as read, "Shared Model Talk The protocol lets ..." (round
    46: a MkDocs Material site opens nearly every page so, and `show` printed the title
    run into the first sentence). An Obsidian callout's quote keeps its lines already."""
    titled = {first for _, title, first, _ in parsed.boxes if title}
    for block in parsed.blocks:
        if block.kind == "code" or block.joiner != " ":
            continue
        units = block.units
        for k in range(len(units) - 2, -1, -1):
            line, text = units[k]
            if line in titled and text != "\n" and units[k + 1][1] != "\n" \
                    and units[k + 1][0] > line:
                units.insert(k + 1, (line, "\n"))
