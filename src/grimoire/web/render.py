"""Note text to safe HTML: Markdown without raw HTML, math as filtered MathML, safe URLs only.

Notes are untrusted input (RELIABILITY cases 25-29). Three layers, each enough on its own for
the common payloads:

1. markdown-it with `html=False`: tags in a note come out as text; its `validateLink` refuses
   `javascript:`, `vbscript:`, `file:` and non-image `data:` after decoding entities.
2. nh3 (ammonia) over the result with a small tag/attribute allowlist and URL schemes
   http/https/mailto (`Renderer(sanitize=False)` skips it: the test build for case 31).
3. Math is converted by latex2mathml and its *output* is rebuilt from an element/attribute
   allowlist, because latex2mathml turns `\\href{javascript:…}` into an `href` attribute.

The Content-Security-Policy (`security.py`) forbids inline script whatever gets through.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Callable, Sequence
from urllib.parse import quote
from xml.etree.ElementTree import Element

import nh3
from defusedxml import ElementTree
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape
from mdit_py_plugins.dollarmath import dollarmath_plugin

from grimoire.fences import code_lines, code_pieces, language
from grimoire.formulas import INLINE_MATH, math_inline
from grimoire.names import normalize
from grimoire.showing import (  # below the faces: the CLI and the API fold and quote so too
    _EMBED,
    _MARKS,
    _WIKILINK,
    DISPLAY_MATH,
    dollars,
    link_label,
    quote_words,
    unprinted,
)

MAX_TEX = 2000  # longer formulas are shown as source: bounded time (case 29, 1000 nested \sqrt)
# LaTeX's own operator names that latex2mathml does not know: it wrote them as source, `\arg`
# in `$\arg \max f(\cdot)$` (round 36, a glossary's notation page). `\argmax` it knows.
_UNKNOWN_OPERATORS = re.compile(r"\\(arg)(?![A-Za-z])")
# `aligned`, the environment MathJax notes use most for a derivation, latex2mathml writes with
# a bare `&` (not XML), so every such formula was shown as source; `split` is the same rows of
# right- and left-aligned columns, and it knows that one (round 39: a course's LSTM equations).
_ALIGNED = re.compile(r"\\(begin|end)\s*\{aligned\}")
# The other environments of rows MathJax draws that latex2mathml does not: `eqnarray` and
# `alignat` it writes with a bare `&` (refused, so shown as source), `gathered` and `gather` as
# one row broken by `<mspace linebreak>`, which a browser's MathML does not break (round 40: a
# course's notes, qa39). Each is written as what draws the same rows: `eqnarray` as an array of
# right, centre and left columns; `gather(ed)` as an array of one centred column; `alignat{n}`
# and `alignedat{n}` as `align` (the same right / left pairs, without the count).
_ROWS = re.compile(r"\\(begin|end)\s*\{(eqnarray\*?|alignat\*?|alignedat|gathered|gather\*?)\}"
                   r"(\s*\{\s*\d+\s*\})?")
_ROWS_AS = {"eqnarray": ("array}{rcl", "array"), "gather": ("array}{c", "array"),
            "gathered": ("array}{c", "array"), "alignat": ("align", "align"),
            "alignat*": ("align*", "align*"), "alignedat": ("align*", "align*")}

# An operator name with a space in it (`\operatorname{arg\,min}`, `\operatornamewithlimits`):
# latex2mathml drew its letters as seven italic variables; its space as a thin one is one name.
_SPACED_OPERATOR = re.compile(
    r"\\operatorname(?:withlimits(?![A-Za-z])|(\*)?)\s*\{((?:[A-Za-z]|\\[,;: ]|\s){1,40})\}")
# An operator with limits in braces of its own, as LyX writes it (`{\operatornamewithlimits{arg\,
# min}}_{w}`): a group is no operator to a browser, so its limits went beside it, not under.
_BRACED_OPERATOR = re.compile(r"\{\s*(\\operatorname\*\{[^{}]*\})\s*\}")
# A text command inside a box (`\mbox{\textbf{Excess Risk}}`, LyX writes it): latex2mathml
# keeps a box's text as typed, so "\textbf{Excess Risk}" was drawn; the inner command alone
# is the same text.
_BOXED_TEXT = re.compile(r"\\(?:mbox|hbox|text)\s*\{\s*(\\(?:text(?:bf|it|rm|tt|sf|up)|emph)"
                         r"\s*\{[^{}$]*\})\s*\}")
# Text with a formula in it (`\mbox{for $0<x<1$}`), which latex2mathml refuses: the text
# around it as text, the formula as math.
_TEXT_WITH_MATH = re.compile(r"\\(mbox|text|textrm|hbox)\s*\{([^{}$]*(?:\$[^{}$]+\$[^{}$]*)+)\}")


def _operator(m: re.Match[str]) -> str:
    star = "*" if m.group(1) or not m.group(0).startswith("\\operatorname{") else ""
    name = re.sub(r"(?:\\[,;: ]|\s)+", "\u2009", m.group(2).strip())
    return f"\\operatorname{star}{{{name}}}"


def _text_with_math(m: re.Match[str]) -> str:
    pieces = re.split(r"\$([^$]+)\$", m.group(2))  # text, formula, text, ...
    return "".join(f"{{{piece}}}" if i % 2 else (f"\\text{{{piece}}}" if piece else "")
                   for i, piece in enumerate(pieces))


def tidy_tex(tex: str) -> str:
    """`tex` without what prints nothing (`unprinted`), its spaced operator names, boxed text
    and text holding math written as latex2mathml draws them (`_SPACED_OPERATOR`,
    `_BOXED_TEXT`, `_TEXT_WITH_MATH`)."""
    tex = unprinted(tex)
    tex = _BRACED_OPERATOR.sub(r"\1", _SPACED_OPERATOR.sub(_operator, tex))
    tex = _BOXED_TEXT.sub(r"\1", tex)
    return _TEXT_WITH_MATH.sub(_text_with_math, tex)


def _rows_as(m: re.Match[str]) -> str:
    begin, end = _ROWS_AS[m.group(2).rstrip("*") if m.group(2) not in _ROWS_AS else m.group(2)]
    if m.group(1) == "begin":
        return "\\begin{" + begin + "}"  # `alignat`'s column count goes
    return "\\end{" + end + "}" + (m.group(3) or "")  # a group after an end is no count


_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
    "td": {"align"},
    "th": {"align"},
}
_SCHEMES = {"http", "https", "mailto"}

_MATH_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts",
    "none", "semantics",
}
_MATH_ATTRS = {
    "display", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder",
    "linethickness", "columnalign", "rowalign", "rowspacing", "columnspacing", "displaystyle",
    "scriptlevel", "lspace", "rspace", "minsize", "maxsize", "movablelimits", "symmetric",
    "form", "largeop", "notation", "columnlines", "rowlines", "frame", "width", "height",
    "depth", "voffset", "mathsize",
}
_SIZED = {"width", "height", "depth", "voffset", "lspace", "rspace", "minsize", "maxsize",
          "mathsize"}
# A size attribute stays only when small: `\rule{999em}{999em}` must not cover the page.
_SMALL_SIZE = re.compile(r"^-?(?:\d{1,2}(?:\.\d+)?|\.\d+)(?:em|ex|pt|px|mu|%)?$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


def safe_url(url: str, *, images: bool = False) -> str | None:
    """`url` when it is http(s), mailto or relative; None for anything else.

    Decided after normalising the way a browser reads an attribute: entities decoded, tabs,
    line breaks and control characters removed, case folded (`&#106;ava\\tscript:` is refused).
    `images=True` also admits `data:image/…` (never SVG, which can carry script).
    """
    plain = _CONTROL.sub("", html.unescape(url))
    scheme = _SCHEME.match(plain)
    if scheme is None:
        return url.strip() if ":" not in plain.split("/", 1)[0] else None
    name = scheme.group(1).lower()
    if name in _SCHEMES:
        return url.strip()
    if images and name == "data" and re.match(r"data:image/(png|jpe?g|gif|webp);", plain, re.I):
        return url.strip()
    return None


def concept_href(name: str, concept_id: str | None = None) -> str:
    """The concept page of `name` (any of its names); with `concept_id`, of that concept
    among those called `name` (a label two concepts share opened only one of them)."""
    return "/c/" + quote(name, safe="") + (f"?id={quote(concept_id, safe='')}" if concept_id
                                            else "")


@functools.lru_cache(maxsize=4096)
def math_html(tex: str, display: bool = False) -> Markup:
    """A formula as MathML rebuilt from an allowlist; escaped source when it cannot be. A
    display formula of several parts set apart by spaces (`_display_parts`) is drawn part
    by part, so that a narrow card wraps it between them; a screen reader reads it whole, once
    (the parts are hidden from it: it read each as a formula of its own, review55d)."""
    if display:
        parts = _display_parts(unprinted(tex))
        if len(parts) > 1:
            drawn = [(gap, _math_html(part, True)) for gap, part in parts]
            whole = _math_html(tex, True)
            if not any(str(d).startswith("<pre") for _, d in drawn) \
                    and not str(whole).startswith("<pre"):
                return Markup(f'<span class="math-parts"><span class="vh">{whole}</span>'
                              '<span class="math-row" aria-hidden="true">' + "".join(
                                  f'<span class="math-part{gap}">{d}</span>'
                                  for gap, d in drawn) + "</span></span>")
    return _math_html(tex, display)


# Where a display formula may wrap (faces55: LoRA's `W' = … BA, \qquad B \in \mathbb{R}^{d
# \times r},\; A \in …` ran past its card at 1366 and on a phone, its end cut at the card's edge
# until scrolled, with no scrollbar on a phone): at a `\qquad` or `\quad` its author set
# between parts, or after a comma a space command follows (a list of conditions), or before
# a relation of a long one (`=`, `\approx`: a broken display goes on with it, as TeX sets
# one), outside any group, `\left…\right` or environment. The space becomes the gap before
# the next part (`.math-part.gap-…` in app.css); the parts go on the next line when the card
# is narrow.
_DISPLAY_GAP = re.compile(
    r"\\(?P<space>qquad|quad)(?![A-Za-z])|,\s*\\(?P<comma>[;:, ]|quad(?![A-Za-z]))"
    # a delimiter `\left`/`\right` sizes is theirs (`\right |` closes, no bar of its own)
    r"|\\(?P<sized>left|right)(?![A-Za-z])\s*(?:\\[A-Za-z]+|\\.|[^\sA-Za-z\\])?"
    r"|\\(?P<env>begin|end)(?![A-Za-z])"
    r"|\\(?P<delim>[lr])(?:angle|vert|Vert|brace|brack|ceil|floor|group)(?![A-Za-z])"
    r"|(?P<open>[{(\[]|\\\{)|(?P<close>[})\]]|\\\})|(?P<bar>\|)"
    r"|\\(?P<infix>over|atop|choose|above|brace|brack)(?![A-Za-z])"
    r"|(?P<words>\\(?:text(?:rm|it|bf|sf|tt|normal)?|mbox|hbox)(?![A-Za-z])|\\ )"
    r"|(?<![<>!:=\\])(?P<rel>=)(?!=)|(?P<approx>\\approx)(?![A-Za-z])|(?P<rows>\\\\)|\\.")
_NOT = re.compile(r"\\not\s*$")  # `\not=` is one relation, ≠
_LONG_TEX = 40  # a formula this short fits a phone's card whole: not cut at its relations
_GAPS = {"qquad": " gap-wide", "quad": " gap-mid", ";": " gap-thin", ":": " gap-thin",
         ",": " gap-thin", " ": " gap-thin"}


def _display_parts(tex: str) -> list[tuple[str, str]]:
    """`tex` cut where it may wrap (`_DISPLAY_GAP`): each part with the gap class before it;
    one part when it has no such place, when its brackets or bars (`|x|`) do not pair
    (`[0, 1)` pairs as brackets), when it has rows (`\\\\` breaks a line its own way) or a
    plain-TeX fraction (`a = b \\over c` is one fraction of all). Not before a relation a
    condition's words follow (`…, \\text{if } x = 0`, `\\ for\\ i=1`: review55d) nor `\\not=`."""
    parts: list[tuple[str, str]] = []
    depth, gap, start = 0, "", 0
    bar = related = worded = False
    long = len("".join(tex.split())) > _LONG_TEX
    for m in _DISPLAY_GAP.finditer(tex):
        if m["rows"] or (m["infix"] and depth == 0):
            return [("", tex)]
        opens = m["open"] or m["sized"] == "left" or m["env"] == "begin" or m["delim"] == "l"
        if opens or m["close"] or m["sized"] or m["env"] or m["delim"]:
            depth += 1 if opens else -1
            if depth < 0:
                return [("", tex)]
        elif depth or (bar and not m["bar"]):
            continue
        elif m["bar"]:
            bar = not bar
        elif m["words"]:
            worded = related
        elif m["rel"] or m["approx"]:  # it begins the next part
            cut = long and not worded and not _NOT.search(tex, 0, m.start())
            related = True
            if cut and tex[start:m.start()].strip():
                parts.append((gap, tex[start:m.start()].strip()))
                gap, start = "", m.start()
        elif m["space"] or m["comma"]:
            left = tex[start:m.start()] + ("," if m["comma"] else "")
            if left.strip():
                parts.append((gap, left.strip()))
            gap, start = _GAPS[m["space"] or m["comma"]], m.end()
    rest = tex[start:].strip()
    if rest:
        parts.append((gap, rest))
    return parts if len(parts) > 1 and depth == 0 and not bar else [("", tex)]


# A row break, an environment's begin or end, or a brace: what `_bare_rows` counts. An escaped
# `\%`, `\{` or `\&` is none of them, and a comment (`%` to the line's end) holds none
# (review56d: `a \\ b % note`'s `\\` was counted in it).
_ROW_TOKENS = re.compile(r"\\\\|\\(begin|end)\s*\{[^{}]*\}|\\[{}&%]|(%[^\n]*)|[{}&]")
# The space a row break asks for after it (`\\[4pt]`, `\\[1ex]`): latex2mathml drew it as
# text, "[4pt]" at the start of the next row of every `aligned`, `cases` or `array` (review56d).
# A browser's table sets its rows apart already; a row that opens with an interval (`\\
# [0, 1]`) has no unit, and stays.
_ROW_SPACE = re.compile(r"(\\\\)\s*\[\s*-?(?:\d+\.?\d*|\.\d+)\s*"
                        r"(?:pt|em|ex|mm|cm|in|mu|bp|pc|dd|sp)\s*\]")


def _bare_rows(tex: str) -> str:
    """A display formula whose rows (`\\\\`) stand outside any environment as a table of them:
    Sphinx's `.. math::` and MathJax draw such rows one under the other (Sphinx wraps them in
    `split`), and latex2mathml wrote them as one line broken by an `<mspace linebreak>` no
    browser breaks: ml-cheatsheet's Adam, five updates run on as one 864 px line at 390, "∂J/∂W
    s_dW = …" read as a product. Rows with an `&` align there (`split`), others are centred
    (as `gathered`)."""
    depth = 0
    rows = amp = False
    for m in _ROW_TOKENS.finditer(tex):
        token = m.group(0)
        if m.group(2):  # a comment
            continue
        if token in ("{", "}") or m.group(1):
            depth += 1 if token == "{" or m.group(1) == "begin" else -1
        elif depth == 0 and token == "&":
            amp = True
        elif depth == 0 and token == "\\\\":
            rows = True
    if not rows or depth != 0:
        return tex
    # the end on a line of its own: a comment on the last row would hide it (then all was
    # shown as source, with an `array` its author never wrote: review56d)
    return (r"\begin{split}" + tex + "\n" + r"\end{split}" if amp
            else r"\begin{array}{c}" + tex + "\n" + r"\end{array}")


def _math_html(tex: str, display: bool) -> Markup:
    if len(tex) > MAX_TEX:
        return _tex_fallback(tex, display)
    written = tex  # what a formula that cannot be drawn shows: its source, not our rewrites
    tex = _ROW_SPACE.sub(r"\1", tidy_tex(tex))
    if not tex.strip():  # `$\pause$` alone: nothing to draw
        return Markup("")
    if display:
        tex = _bare_rows(tex)
    try:
        tex = _ALIGNED.sub(r"\\\1{split}", _UNKNOWN_OPERATORS.sub(r"\\operatorname{\1}", tex))
        tex = _ROWS.sub(_rows_as, tex)
        raw = latex_to_mathml(tex, display="block" if display else "inline")
        tree = ElementTree.fromstring(raw)
    except Exception:  # latex2mathml raises many kinds (and RecursionError): all mean "cannot"
        return _tex_fallback(written, display)
    _primes_inline(tree)
    _spaced_functions(tree)
    parts: list[str] = []
    _rebuild(tree, parts, depth=0, display=display)
    return Markup("".join(parts))


# The function names latex2mathml writes as an `<mi>` (`\\max`, `\\lim`, `\\det` are `<mo>`s,
# spaced by the browser as operators)
_FUNCTIONS = frozenset({"arccos", "arcsin", "arctan", "cos", "cosh", "cot", "coth", "csc", "deg",
                        "dim", "exp", "hom", "ker", "lg", "ln", "log", "sec", "sin", "sinh",
                        "tan", "tanh"})
# Where a row's items stand side by side (inside a script or a fraction each child has its place)
_ROWS_OF = frozenset({"math", "mrow", "mtd", "mstyle", "msqrt", "mpadded", "menclose",
                      "mphantom"})
_THIN = "0.1667em"  # TeX's thin space (3mu), between an operator's name and what it takes


def _spaced_functions(tree: Element) -> None:
    """A thin space after a function's name (`\\log p`, `\\sin^2 x`) where TeX sets one: an
    `<mi>log</mi>` is an identifier to the browser, which set "logpθ(x)" as one word (hf-docs'
    perplexity, faces57). None before an operator, which brings its own ("log(x)", "sin + 1")."""
    for parent in list(tree.iter()):
        if parent.tag.rsplit("}", 1)[-1] not in _ROWS_OF:
            continue
        kids = list(parent)
        for i in reversed(range(len(kids) - 1)):
            child = kids[i]
            tag = child.tag.rsplit("}", 1)[-1]
            base = child[0] if tag in ("msub", "msup", "msubsup") and len(child) else child
            if base.tag.rsplit("}", 1)[-1] != "mi" or (base.text or "").strip() \
                    not in _FUNCTIONS or kids[i + 1].tag.rsplit("}", 1)[-1] == "mo":
                continue
            space = Element(child.tag[:-len(tag)] + "mspace", {"width": _THIN})
            space.tail, child.tail = child.tail, None
            parent.insert(i + 1, space)


_PRIMES = frozenset("\u2032\u2033\u2034\u2057")  # the primes, as latex2mathml writes `'`


def _primes_inline(tree: Element) -> None:
    """Each `W'` (latex2mathml: `<msup><mi>W</mi><mi>&#x2032;</mi></msup>`) as the base, then its
    prime beside it: the prime glyph is drawn raised already, and as a superscript a browser
    raised it once more, a small tick above the letter (LoRA's `W' = W + ΔW`; faces53). A
    superscript that goes on after its primes (`x'^2`, `W'^T`, `x^{\\prime 2}`) is the rest's,
    over the primed base, and `W^{\\prime\\prime}`'s two primes are one run (review54d: each
    was still raised twice). With a subscript (`W'_0`) the prime stays a superscript, over
    the subscript as TeX stacks them, lowered back by what the superscript raised it and at
    the base's size (`_LOWERED`; it was drawn after the subscript, faces55)."""
    for parent in list(tree.iter()):
        for i, child in reversed(list(enumerate(parent))):  # from the end: a `W'` takes 2
            tag = child.tag.rsplit("}", 1)[-1]
            if tag not in ("msup", "msubsup") or len(child) != (2 if tag == "msup" else 3):
                continue
            primes, rest = _prime_run(child[-1])
            if not primes or (rest and tag == "msubsup"):
                continue
            space = child.tag[:-len(tag)]  # the namespace, as `{…}`
            prime = Element(space + "mo", {"lspace": "0em", "rspace": "0em"})
            prime.text = primes
            if tag == "msubsup":
                lowered = Element(space + "mpadded", {"voffset": _LOWERED})
                size = Element(space + "mstyle", {"scriptlevel": "0"})
                size.append(prime)
                lowered.append(size)
                child[2] = lowered
                continue
            base = child[0]
            base.tail = None
            if not rest:
                prime.tail = child.tail
                parent[i:i + 1] = [base, prime]
                continue
            primed, over = Element(space + "mrow"), Element(space + "msup")
            primed.extend([base, prime])
            script = rest[0] if len(rest) == 1 else Element(space + "mrow")
            if len(rest) > 1:
                script.extend(rest)
            over.extend([primed, script])
            over.tail = child.tail
            parent[i] = over


# How far a prime over a subscript (`W'_0`) is lowered from where a superscript goes: to the
# height of a prime beside its letter (`W'`), compared by eye in Chromium (faces55)
_LOWERED = "-0.45em"


def _prime_run(script: Element) -> tuple[str, list[Element]]:
    """The primes a superscript opens with (`_PRIMES`, one token each) and what follows
    them. `b^{''}` writes them as the superscript of nothing inside the superscript
    (latex2mathml: `<msup><mi/><mi>″</mi></msup>`), raised twice over: primes too."""
    while script.tag.endswith("mrow") and len(script) == 1:
        script = script[0]
    parts = list(script) if script.tag.endswith("mrow") else [script]
    primes = ""
    for n, part in enumerate(parts):
        if (part.tag.endswith("msup") and len(part) == 2 and not len(part[0])
                and not (part[0].text or "").strip()):
            part = part[1]  # `{''}`: the primes of an empty base
        if len(part) or not part.text or not set(part.text) <= _PRIMES:
            return primes, parts[n:]
        primes += part.text
    return primes, []


# A length in a physical unit (`\\hspace{0.5in}`, which a course's notes put between two
# formulas of one line) in em at the page's 16 px (96 px an inch): the allowlist kept only
# em, ex, pt, px, mu and %, so the space went and "or equivalently" ran into the formula
# (round 40). The size limit then applies as to any other length.
_PHYSICAL = re.compile(r"^(-?(?:\d+(?:\.\d*)?|\.\d+))(in|cm|mm)$")
_EM_PER = {"in": 6.0, "cm": 6.0 / 2.54, "mm": 6.0 / 25.4}


def _in_em(value: str) -> str:
    m = _PHYSICAL.match(value.strip())
    return value if m is None else f"{float(m.group(1)) * _EM_PER[m.group(2)]:.3g}em"


def _tex_fallback(tex: str, display: bool) -> Markup:
    tag = "pre" if display else "code"
    return Markup(f'<{tag} class="tex">{html.escape(tex)}</{tag}>')


# Operators whose limits a display sets under them (`\min_w`, `\lim_{n\to\infty}`,
# `\operatorname*{arg min}_w`): latex2mathml writes each as a subscript (`msub`), which a
# browser draws beside it, movablelimits or not (round 49: a course's "arg min_{w∈R^d}").
_LIMITS = frozenset({"min", "max", "lim", "sup", "inf", "liminf", "limsup", "det", "gcd", "Pr",
                     "lim inf", "lim sup"})
_UNDER = {"msub": "munder", "msubsup": "munderover"}


def _limits_under(el: object, tag: str) -> str:
    """`tag`, or the tag that sets an operator's limits under it (`_LIMITS`) in a display."""
    base = next(iter(list(el)), None)  # type: ignore[call-overload]
    if base is None or str(getattr(base, "tag", "")).rsplit("}", 1)[-1] != "mo":
        return tag
    name = " ".join(str(getattr(base, "text", "") or "").replace("\u2009", " ").split())
    movable = getattr(base, "attrib", {}).get("movablelimits") == "true"
    return _UNDER[tag] if movable or name in _LIMITS else tag


_SCRIPTS = frozenset({"msub", "msup", "msubsup", "munder", "mover", "munderover"})


def _display_inside(el: object, tag: str, child: int, display: bool) -> bool:
    """Whether the `child`-th part of `el` is set in display style: not a fraction's parts
    nor a script (TeX sets those in text or script style, `\\frac{\\max_x f}{2}` keeps its
    limit beside; round 49, review49a), as an `mstyle` says (`\\displaystyle`) else as `el`."""
    if tag == "mstyle":
        said = getattr(el, "attrib", {}).get("displaystyle")
        return said == "true" if said in ("true", "false") else display
    if tag == "mfrac" or (tag in _SCRIPTS and child > 0):
        return False
    return display


def _rebuild(el: object, parts: list[str], depth: int, display: bool = False) -> None:
    tag = str(getattr(el, "tag", "")).rsplit("}", 1)[-1]
    if depth > 200:
        return
    if display and tag in _UNDER:
        tag = _limits_under(el, tag)
    keep = tag in _MATH_TAGS
    if keep:
        attrs = []
        items: dict[str, str] = getattr(el, "attrib", {})
        for name, value in items.items():
            local = name.rsplit("}", 1)[-1]
            if local in _SIZED:
                value = _in_em(value)
            if local not in _MATH_ATTRS or (local in _SIZED and not _SMALL_SIZE.match(value)):
                continue
            attrs.append(f' {local}="{html.escape(value, quote=True)}"')
        if tag == "math":
            attrs.insert(0, ' xmlns="http://www.w3.org/1998/Math/MathML"')
        parts.append(f"<{tag}{''.join(attrs)}>")
    text = getattr(el, "text", None)
    if text:
        parts.append(html.escape(text))
    for i, child in enumerate(list(el)):  # type: ignore[call-overload]
        _rebuild(child, parts, depth + 1, _display_inside(el, tag, i, display))
        tail = getattr(child, "tail", None)
        if tail:
            parts.append(html.escape(tail))
    if keep:
        parts.append(f"</{tag}>")


class Renderer:
    """Markdown (as notes write it: `$math$`, `[[wikilinks]]`) to safe HTML.

    `sanitize=False` turns raw HTML on and skips nh3: only for the test that proves the CSP
    alone stops inline script (case 31). `image_url` maps a note's image target to a URL the
    server will serve (or None to drop it).
    """

    def __init__(self, *, sanitize: bool = True) -> None:
        self.sanitize = sanitize
        md = MarkdownIt("commonmark", {"html": not sanitize, "linkify": False,
                                       "typographer": False})
        md.enable("table")
        md.enable("strikethrough")
        md.use(dollarmath_plugin, double_inline=True)
        md.inline.ruler.at("math_inline", math_inline)  # `$` as `INLINE_MATH` reads it
        md.add_render_rule("math_inline", _render_math_inline)
        md.add_render_rule("math_block", _render_math_block)
        md.add_render_rule("math_inline_double", _render_math_double)
        md.add_render_rule("fence", _render_fence)
        self._md = md

    def markdown(self, text: str, image_url: Callable[[str], str | None] | None = None) -> Markup:
        """A note's text as HTML; links to other notes become concept links."""
        source = _WIKILINK.sub(_wikilink_to_markdown, text)
        env: EnvType = {"math": []}
        tokens = self._md.parse(source, env)
        _mark_tasks(tokens)
        if image_url is not None:
            _rewrite_images(tokens, image_url)
        out = self._md.renderer.render(tokens, self._md.options, env)
        if self.sanitize:
            out = nh3.clean(out, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                            link_rel="noopener noreferrer nofollow", strip_comments=True)
        maths: list[Markup] = env["math"]
        return Markup(_MATH_SLOT.sub(lambda m: _slot(maths, m), out))

    def text(self, text: str, *, displays: bool = False,
             code: frozenset[str] = frozenset()) -> Markup:
        """Text that is not Markdown (a glossary, a wiki page, a Sphinx page as read):
        paragraphs at blank lines, a run of lines that open with `- `, `* `, `• ` or `1. ` a
        list, `$…$` and `$$…$$` rendered, a code passage as the reader fenced it
        (`fences.fenced`) a code block, everything else escaped. With `displays` (a LaTeX
        file's text, whose reader writes `$$…$$` for display math only) every `$$…$$` is
        display, inside a sentence too (`math_text`, as its `code`)."""
        out: list[str] = []
        for lang, piece in code_pieces(text):
            if lang is not None:
                cls = f' class="language-{html.escape(lang)}"' if lang else ""
                out.append(f"<pre><code{cls}>{html.escape(piece)}</code></pre>")
            else:
                out.extend(_blocks(p.strip(), displays, code)
                           for p in re.split(r"\n\s*\n", piece) if p.strip())
        return Markup("\n".join(out))

    def inline(self, text: str) -> Markup:
        """One line (a title, a heading, a quote) with math rendered and nothing else."""
        return math_text(text)


_ITEM = re.compile(r"(?:[-*•]|(\d{1,2})[.)])[ \t]+(?=\S)")  # a list item's marker


def _blocks(paragraph: str, displays: bool = False, code: frozenset[str] = frozenset()) -> str:
    """One paragraph of plain text as HTML: its lines joined by `<br>`, except a run of two
    or more lines that open with the same kind of list marker (or a paragraph of one such
    line), which is a list, and a run of two or more lines of code after prose
    (`fences.code_lines`: a glossary's definition ending in an import and a call), which is a
    code block (round 46: the concept page set them as prose). A line inside a `$$` formula
    is never an item ("- x" there is a minus), nor code."""
    runs: list[tuple[str | None, list[str]]] = []  # ("ul" | "ol" | "pre" | None, lines)
    inside = False
    lines = paragraph.split("\n")
    coded = code_lines(lines)
    for i, line in enumerate(lines):
        m = None if inside else _ITEM.match(line.strip())
        kind = "pre" if i in coded and not inside else \
            None if m is None else "ol" if m.group(1) else "ul"
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(line)
        else:
            runs.append((kind, [line]))
        inside ^= line.count("$$") % 2 == 1
    merged: list[tuple[str | None, list[str]]] = []
    for kind, lines in runs:
        if kind is not None and len(lines) < 2 and (len(runs) > 1 or kind == "pre"):
            kind = None  # one "- x" line among others is not a list; a paragraph of one is
        if kind is None and merged and merged[-1][0] is None:
            merged[-1][1].extend(lines)
        else:
            merged.append((kind, lines))
    out = []
    for kind, lines in merged:
        if kind is None:
            out.append("<p>" + str(math_text("\n".join(lines), displays=displays, code=code)
                                   ).replace("\n", "<br>") + "</p>")
        elif kind == "pre":
            body = html.escape("\n".join(lines))
            out.append(f"<pre><code>{body}</code></pre>")
        else:
            items = "".join(
                f"<li>{math_text(_ITEM.sub('', x.strip(), count=1), displays=displays, code=code)}"
                "</li>"
                for x in lines)
            out.append(f"<{kind}>{items}</{kind}>")
    return "\n".join(out)


_MATH_SLOT = re.compile("\ue000(\\d+)\ue001")
_INLINE_MATH = INLINE_MATH
_DISPLAY_MATH = DISPLAY_MATH


def _slot(maths: list[Markup], m: re.Match[str]) -> str:
    n = int(m.group(1))
    return str(maths[n]) if n < len(maths) else ""


# A LaTeX display environment written without `$$` around it, as Pandoc (Quarto, R Markdown)
# and MathJax read it: `\begin{align*} ... \end{align*}` (round 40: a Quarto book's 26 bare
# derivations were shown as their source). Read as display math, as in `$$...$$`.
_ENVIRONMENT = re.compile(
    r"\$\$|\\(begin|end)\{((?:align|equation|gather|multline|eqnarray|flalign)\*?)\}")


# A formula that is one such environment is a display one wherever it stands.
_DISPLAY_START = re.compile(r"\\begin\{(?:align|equation|gather|multline|eqnarray|flalign)\*?\}")


def bare_environments(text: str) -> str:
    """`text` with each `\\begin{align}...\\end{align}` (and `equation`, `gather`,
    `multline`, `eqnarray`, `flalign`, starred or not) outside `$$` put inside `$$`. Linear:
    one pass pairs each `\\begin` with its `\\end`."""
    if "\\begin{" not in text:
        return text
    out: list[str] = []
    pos = 0
    inside = False  # within a `$$ ... $$`
    opened: re.Match[str] | None = None
    for m in _ENVIRONMENT.finditer(text):
        if m.group(0) == "$$":
            if opened is None:
                inside = not inside
        elif inside:
            continue
        elif m.group(1) == "begin":
            if opened is None:
                opened = m
        elif opened is not None and m.group(2) == opened.group(2):
            out += [text[pos:opened.start()], "$$", text[opened.start():m.end()], "$$"]
            pos = m.end()
            opened = None
    return "".join(out) + text[pos:]


def math_text(text: str, *, displays: bool = False,
              code: frozenset[str] = frozenset()) -> Markup:
    """Escaped text with its `$$…$$` and `$…$` formulas rendered (and its bare display
    environments, `bare_environments`). A `$$…$$` inside a sentence is inline (`in_sentence`)
    but with `displays`: a LaTeX file's reader writes `$$` for display math only, and the
    display in "Ridge regression picks $$…$$ where" was drawn small in the line (round 49).
    A `$…$` of `code` (the note's code spans, `showing.code_formulas`) is shown as code; an
    escaped `\\$` as a dollar sign (round 53)."""
    pieces: list[str] = []
    last = 0
    text = bare_environments(text)
    for m in _DISPLAY_MATH.finditer(text):
        pieces.append(str(_inline(text[last:m.start()], code)))
        tex = m.group(1).strip()
        if not displays and in_sentence(text[:m.start()], text[m.end():]) \
                and not _DISPLAY_START.match(tex):
            pieces.append(str(math_html(tex)))
        else:
            pieces.append(f'<span class="math-block">{math_html(m.group(1).strip(), True)}</span>')
        last = m.end()
    pieces.append(str(_inline(text[last:], code)))
    return Markup("".join(pieces))


# `\\(x\\)` / `\\[x\\]`, and the doubled `\\\\(x\\\\)` kramdown notes write for MathJax, as the
# Markdown reader reads them (`_texmath_rule`): for a view of a note's own lines (round 39: a
# course's source view showed `\\\\(p\\\\)` where its concept page showed the formula).
_TEX_OPENER = re.compile(r"\\\\?[(\[]")


def tex_delimited(line: str) -> str:
    """One Markdown line with its `\\(...\\)` formulas written `$...$` (`\\[...\\]`: `$$...$$`).
    Linear: each opener looks up the next closer of its kind among positions found once (a
    line of 50,000 unclosed `\\(` took 1.4 s with a regular expression)."""
    if "\\(" not in line and "\\[" not in line:
        return line
    found: dict[str, list[int]] = {}
    out: list[str] = []
    pos = 0
    for m in _TEX_OPENER.finditer(line):
        if m.start() < pos:
            continue
        lead, opener = m.group(0)[:-1], m.group(0)[-1]
        closer = lead + (")" if opener == "(" else "]")
        if closer not in found:
            found[closer] = [k.start() for k in re.finditer(re.escape(closer), line)]
        at = found[closer]
        n = bisect.bisect_left(at, m.end())
        if n == len(at) or at[n] - m.end() > 500 or not line[m.end():at[n]].strip():
            continue
        mark = "$" if opener == "(" else "$$"
        out += [line[pos:m.start()], mark, line[m.end():at[n]].strip(), mark]
        pos = at[n] + len(closer)
    return "".join(out) + line[pos:]


# A fence of code in a Markdown note (CommonMark: three or more backticks or tildes, indented
# at most three spaces); it closes with a run of the same character at least as long.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCK_LINES = 200  # a display formula longer than this many lines is left line by line


def _opens(line: str) -> bool:
    """A line that opens a display formula it does not close: an odd count of `$$`, or a
    `\\[` (kramdown: `\\\\[`) with no `\\]` after it."""
    if line.count("$$") % 2:
        return True
    at = line.rfind("\\[")
    return at >= 0 and line.find("\\]", at) < 0


def _closes(line: str, dollars: bool) -> bool:
    return line.count("$$") % 2 == 1 if dollars else "\\]" in line


def markdown_lines(lines: Sequence[str]) -> list[Markup]:
    """A Markdown note's lines for the source view, each the formulas of its own line drawn,
    as the note's page draws them: a display formula written over several lines (`$$` on a
    line of its own, the TeX, `$$`; or `\\[ ... \\]`) drawn once, on its first line, the
    lines it covers left empty, so every line keeps its number and anchor (round 39: each
    line was drawn alone and the formula shown as TeX between two `$$`); a fenced code
    block's lines as written (`$x$` in code is no formula)."""
    out: list[Markup] = []
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not line.strip().lstrip(fence[0]).strip():
                fence = None
            out.append(escape(line))
            i += 1
            continue
        if m is not None and not (m.group(1)[0] == "`" and "`" in line.strip()[len(m.group(1)):]):
            fence = m.group(1)
            out.append(escape(line))
            i += 1
            continue
        end = None
        if _opens(line):
            dollars = line.count("$$") % 2 == 1
            for j in range(i + 1, min(len(lines), i + _BLOCK_LINES)):
                if _FENCE.match(lines[j]) or not lines[j].strip():
                    break  # a formula does not run into code or past its paragraph
                if _closes(lines[j], dollars):
                    end = j
                    break
        if end is None:
            out.append(math_text(tex_delimited(line)))
            i += 1
            continue
        out.append(math_text(tex_delimited("\n".join(lines[i:end + 1]))))
        out.extend(Markup("") for _ in range(i + 1, end + 1))
        i = end + 1
    return out


def in_sentence(before: str, after: str) -> bool:
    """A `$$…$$` inside a sentence is inline math, as kramdown (Jekyll's Markdown) reads it:
    one with something after it on its line and words before it (on its line, or on the line
    above in the same paragraph). "On step $$t$$, the state $$h_t$$ is ..." and "of size $$n$$."
    are inline; one alone on its line, or closing its line ("... has the form: $$L = ...$$"),
    is display (round 39: a course's lecture notes were cut into centred pieces)."""
    lines = before.split("\n")
    head = lines[-1].strip() or (len(lines) > 1 and lines[-2].strip())
    return bool(head) and bool(after.partition("\n")[0].strip())


def _inline(text: str, code: frozenset[str] = frozenset()) -> Markup:
    pieces: list[str] = []
    last = 0
    for m in _INLINE_MATH.finditer(text):
        pieces.append(_prose(text[last:m.start()], code))
        pieces.append(f"<code>{html.escape(m.group(0))}</code>" if m.group(0) in code
                      else str(math_html(m.group(1))))
        last = m.end()
    pieces.append(_prose(text[last:], code))
    return Markup("".join(pieces))


def _prose(text: str, code: frozenset[str] = frozenset()) -> str:
    """Text outside formulas, escaped, an escaped dollar (`\\$`) shown as the sign: a
    glossary's "costs \\$5" showed its backslash (round 53); but not where `code` keeps it
    (a note of a format that escapes no dollar, `showing.as_written`): a regex's `^\\$`."""
    return html.escape(dollars(text, code))


def _store_math(env: EnvType, markup: Markup) -> str:
    maths: list[Markup] = env.setdefault("math", [])
    maths.append(markup)
    return f"\ue000{len(maths) - 1}\ue001"


def _render_math_inline(self: RendererHTML, tokens: list[Token], idx: int,
                        options: OptionsDict, env: EnvType) -> str:
    return _store_math(env, math_html(tokens[idx].content, False))


def _render_math_double(self: RendererHTML, tokens: list[Token], idx: int,
                        options: OptionsDict, env: EnvType) -> str:
    before = "" if not idx else _side(tokens[idx - 1], "x\n")
    after = "" if idx + 1 == len(tokens) else _side(tokens[idx + 1], "\nx")
    if in_sentence(before, after):
        return _store_math(env, math_html(tokens[idx].content.strip(), False))
    return _render_math_block(self, tokens, idx, options, env)


def _side(token: Token, line_break: str) -> str:
    """A neighbour of a formula in its paragraph, as far as `in_sentence` asks: a line break
    is `line_break`, words on the line before it ("x\n") or after it ("\nx"): a formula
    alone on its line between two lines of text is display (review39b: it was inline, and
    `math_text` drew the same text as display)."""
    if token.type == "text":
        return token.content
    return line_break if token.type in ("softbreak", "hardbreak") else "x"


def _render_math_block(self: RendererHTML, tokens: list[Token], idx: int,
                       options: OptionsDict, env: EnvType) -> str:
    tag = "div" if tokens[idx].block else "span"
    pieces = tokens[idx].content.strip().split("$$")
    if len(pieces) % 2 == 0 or not all(p.strip() for p in pieces[::2]):
        pieces = [tokens[idx].content.strip()]
    # A line of several display formulas (`$$a$$ $$b$$`: a reader joins a paragraph's lines)
    # was one block from its first `$$` to its last, the `$$` between drawn as four `$`
    # (faces55, the glossary vault's softmax): each is a display of its own, words between
    # them words.
    out = []
    for n, piece in enumerate(pieces):
        if n % 2:
            if piece.strip():  # its formulas kept from the sanitizer as the others are
                out.append(f"<{tag}>{_store_math(env, math_text(piece.strip()))}</{tag}>")
            continue
        slot = _store_math(env, math_html(piece.strip(), True))
        out.append(f'<{tag} class="math-block">{slot}</{tag}>')
    return "".join(out) + ("\n" if tag == "div" else "")


def _render_fence(self: RendererHTML, tokens: list[Token], idx: int,
                  options: OptionsDict, env: EnvType) -> str:
    # The info string is attacker text (case 28): keep a plain word for the class, drop the rest.
    token = tokens[idx]
    lang = language(token.info)
    cls = f' class="language-{html.escape(lang)}"' if lang else ""
    return f"<pre><code{cls}>{html.escape(token.content)}</code></pre>\n"


def _wikilink_to_markdown(m: re.Match[str]) -> str:
    target = m.group(1).strip()
    label = (m.group(2) or target).strip()
    label = re.sub(r"([\\\[\]])", r"\\\1", label)
    return f"[{label}]({concept_href(target)})"


_TASK = re.compile(r"\[([ xX])\] ")
TASK_MARKS = {" ": "☐ ", "x": "☑ ", "X": "☑ "}


def _mark_tasks(tokens: list[Token]) -> None:
    """A task list's `- [x] item` / `- [ ] item` shows a ticked or empty box, not "[x]" (an
    Obsidian index note of planned pages was a column of "[x]" and "[ ]")."""
    for i, token in enumerate(tokens):
        if (token.type != "inline" or i < 2 or tokens[i - 1].type != "paragraph_open"
                or tokens[i - 2].type != "list_item_open" or not token.children):
            continue
        first = token.children[0]
        m = _TASK.match(first.content) if first.type == "text" else None
        if m is not None:
            first.content = TASK_MARKS[m.group(1)] + first.content[m.end():]


def _rewrite_images(tokens: list[Token], image_url: Callable[[str], str | None]) -> None:
    for token in tokens:
        if token.children:
            _rewrite_images(token.children, image_url)
        if token.type == "image":
            src = str(token.attrGet("src") or "")
            served = image_url(src)
            if served is None:
                token.attrSet("src", "")
            else:
                token.attrSet("src", served)


def mention_html(line: str, kind: str = "", target: str = "", target_href: str = "") -> Markup:
    """A line of a note quoted under "Mentioned in": its `[[wiki-links]]` as links to their
    concept under their label, a Markdown link as its label, an image embed left out, math
    rendered, `**bold**` and `` `code` `` shown so, everything else escaped (the raw
    `[[softmax|softmax]]` was shown). A line whose link is a glossary's `[term]` (`kind`
    "bracket") shows each `[term]` as a link too. The line's block marks go (`quote_words`).

    A link to `target` (the name this mention links by) leads to `target_href`, the page the
    store resolved it to: `[[BM25]]` in a quote on the page of the concept that BM25.md's
    heading names ("IDF") led to /c/BM25, a 404 saying no note defines it."""
    line = quote_words(_EMBED.sub("", line))
    links = _WIKILINK if kind != "bracket" else _BRACKET_OR_WIKILINK
    here = normalize(target) if target and target_href else None
    pieces: list[str] = []
    last = 0
    for m in links.finditer(line):
        pieces.append(_inline_marks(_QUOTED_LINK.sub(r"\1", line[last:m.start()])))
        name, label = (m.group(1).strip(), link_label(m)) if m.group(1) else \
            (m.group(3).strip(), m.group(3).strip())
        to = target_href if here is not None and normalize(name) == here else concept_href(name)
        pieces.append(f'<a class="internal" href="{html.escape(to)}">{html.escape(label)}</a>')
        last = m.end()
    pieces.append(_inline_marks(_QUOTED_LINK.sub(r"\1", line[last:])))
    return Markup("".join(pieces))


# A Markdown link as its label in a quoted line: `[label](target)`, a Jekyll site's
# `[label]({% link terms/x.md %})` and a reference link `[label][4]` (round 36: "Mentioned in"
# quoted "[ADAM][4]" and "({% link terms/hadamard-product.md %})" as written).
_QUOTED_LINK = re.compile(
    r"(?<!!)\[([^\[\]\n]{1,200})\]"
    r"(?:\((?:\{%[^%\n]{1,400}%\}|[^()\s]{1,2000})\)|\[[^\[\]\n]{0,100}\])")


def _inline_marks(text: str) -> str:
    """Escaped text with its formulas rendered and its `**bold**`, `__bold__` and `` `code` ``
    shown so; a mark inside a formula is the formula's."""
    pieces: list[str] = []
    last = 0
    for m in _MARKS.finditer(text):
        if text[:m.start()].count("$") % 2:
            continue
        pieces.append(str(math_text(text[last:m.start()])))
        code = m.group(3)
        pieces.append(f"<code>{html.escape(code)}</code>" if code is not None
                      else f"<strong>{math_text(m.group(1) or m.group(2))}</strong>")
        last = m.end()
    pieces.append(str(math_text(text[last:])))
    return "".join(pieces)


# A glossary's `[term]`: starts with a letter, no link target after it (`[x](url)`), not a
# list of numbers (`[0, 1]`); a wiki-link's groups come first.
_BRACKET_OR_WIKILINK = re.compile(
    _WIKILINK.pattern + r"|(?<![\[\\])\[([A-Za-z][^\[\]\n$]{0,100})\](?![(\[])")


# A notebook's definition is its Markdown cells' text and its code cells fenced: Markdown.
MARKDOWN_FORMATS = {"markdown", "obsidian", "notebook"}


def render_note(renderer: Renderer, fmt: str | None, lines: tuple[str, ...],
                unit: str = "line") -> list[tuple[int, Markup]]:
    """Each line of the note with its inline math rendered (line anchors stay exact). A
    notebook's lines are JSON, where a formula's every backslash is written twice: drawn,
    `"$\\\\hat{y}$"` read "haty" (round 37), so they are shown as the file holds them; so is
    a PDF's text (page by page), which is no markup. A LaTeX file is shown as written too: its
    lines drawn one by one showed `\\R` and `\\norm{x}` (macros its preamble defines) and a
    display split over lines as TeX beside drawn formulas (round 49)."""
    if unit != "line":  # a page with no text (an image, a scan) says so, not a blank
        return [(n, escape(line) if line else Markup('<span class="dim">(no text read from '
                                                      f'this {escape(unit)})</span>'))
                for n, line in enumerate(lines, 1)]
    if fmt in ("notebook", "latex"):
        return [(n, escape(line)) for n, line in enumerate(lines, 1)]
    if fmt in ("markdown", "obsidian"):  # `\\(x\\)` and kramdown's `\\\\(x\\\\)` are math, as
        # read; a display formula over several lines is drawn whole (`markdown_lines`)
        return list(enumerate(markdown_lines(lines), 1))
    return [(n, renderer.inline(line)) for n, line in enumerate(lines, 1)]


def numbered(rendered: Sequence[tuple[int, Markup]], unit: str, lo: int, hi: int) -> Markup:
    """A source's lines (`render_note`) as its page shows them: each an anchor (`#L12`) with
    its number, lines `lo` to `hi` highlighted. Written here, not in the template: a Jinja
    loop over a 700,000-line export was a sixth of `export site`'s time."""
    shown = escape(unit)
    page = "p. " if unit == "page" else ""
    return Markup("".join(
        f'<div class="line{" hl" if lo <= n <= hi else ""}" id="L{n}"><a class="ln" '
        f'href="#L{n}" aria-label="{shown} {n}">{page}{n}</a><span class="text">'
        f'{escape(line)}</span></div>\n' for n, line in rendered))
