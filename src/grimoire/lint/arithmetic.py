"""Wrong arithmetic: a worked example whose stated result does not follow from its own numbers.

A claim is `expression = number` (or `≈`, `\\approx`) where the expression is made only of
numbers, + - × ÷ ^, fractions, roots, e^x, logs, percentages and currency or unit signs. The
expression is evaluated by a small parser of our own (no `eval`, so a hostile note cannot run
code) and the claim is flagged when the stated number is off by more than its own precision
allows: one unit in its last written decimal place (authors round and truncate; both pass).
Anything with a variable or an unknown command is symbolic and never flagged.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_DEPTH = 60
MAX_TOKENS = 400
MAX_ABS = 1e200

_FUNCS = {
    "ln": math.log, "log": math.log, "exp": math.exp, "sqrt": math.sqrt,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "tanh": math.tanh,
}
_CONSTS = {"pi": math.pi, "π": math.pi}
_CURRENCY = "€$£¥"
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?|\.\d+)
      | (?P<cmd>\\[A-Za-z]+|\\[,;!: ])
      | (?P<op>[-+*/^()\[\]{}!%×÷·⋅−–_|]|\\\{|\\\})
      | (?P<word>[A-Za-zπ]+)
      | (?P<other>\S)
    )""",
    re.VERBOSE,
)
_SPACING = {"\\,", "\\;", "\\!", "\\:", "\\ ", "\\quad", "\\qquad", "\\displaystyle"}
_TIMES = {"*", "×", "·", "⋅", "\\times", "\\cdot", "\\ast"}
_DIVIDE = {"/", "÷", "\\div"}
_MINUS = {"-", "−", "–"}


class Symbolic(Exception):  # noqa: N818 - control flow, never escapes this module
    """The expression is not made of numbers alone."""


@dataclass(frozen=True, slots=True)
class ArithmeticClaim:
    """A checked claim: `expression = stated`, with what the expression really gives."""

    expression: str
    stated: float
    stated_text: str
    computed: float
    offset: int  # where the claim starts in the text it was found in
    approximate: bool = False  # stated with ≈ or \approx

    @property
    def wrong(self) -> bool:
        allowed = _tolerance(self.stated_text, self.stated)
        if self.approximate:
            allowed = max(allowed, abs(self.stated) * APPROX)
        if abs(self.computed - self.stated) <= allowed:
            return False
        # `2 x 5.6 = 11.2B`: the suffix may name the unit the whole line counts in.
        scale = _scale(self.stated_text)
        return scale == 1 or abs(self.computed * scale - self.stated) > allowed


# `≈` promises less than `=`: a result within 5% of the stated one is what it says.
APPROX = 0.05
# A count written with a magnitude suffix: `3.2M` parameters, `16K` tokens, `1.5B`.
_SUFFIXES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "G": 1e9, "T": 1e12}


def _scale(text: str) -> float:
    number = text.rstrip("%")
    return next((f for suffix, f in _SUFFIXES.items() if number.endswith(suffix)), 1.0)


def _tolerance(text: str, value: float) -> float:
    number = text.rstrip("%")
    scale = 1.0
    for suffix, factor in _SUFFIXES.items():
        if number.endswith(suffix):
            number, scale = number[: -len(suffix)], factor
            break
    digits = number.split(".")[1] if "." in number else ""
    digits = re.sub(r"\D.*", "", digits)
    # Decimals: one unit in the last place (rounded or truncated). Integers: rounding only,
    # or "2 + 2 = 5" would pass. A percentage's unit is a hundredth of it.
    unit = 10.0 ** -len(digits) if digits else 0.5
    if scale != 1 and not digits:
        # "4096*4096 = 16M", "2 * 4096 * 8 = 65K": a count in thousands or millions is cut,
        # not rounded (or counted in 1,024s); one unit of its magnitude either way (round 31)
        unit = 1.0
        # "112*112*64 = 800K": zeros ending a whole count before its suffix are the rounding,
        # not digits; half a unit of the last digit that is not zero (round 39: a CNN
        # lecture's memory table rounds 802,816 to 800K and 401,408 to 400K)
        zeros = len(number) - len(number.rstrip("0"))
        if zeros and number.strip("0"):
            unit = max(unit, 10.0**zeros / 2)
    unit *= scale / 100 if text.endswith("%") else scale
    return unit * (1 + 1e-9) + abs(value) * 1e-12


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    # Trailing blanks match no token: finditer tried each of their places again, each
    # across the rest of the run ($$1 + 2<40,000 spaces> = 3$$: 87 s in lint and ask).
    for m in _TOKEN.finditer(text.rstrip()):
        tok = m.group(m.lastgroup or "other")
        if tok in _SPACING or tok in _CURRENCY or tok in ("\\left", "\\right", "\\big", "\\Big"):
            continue
        if m.lastgroup == "num":
            decimal_comma = re.fullmatch(r"\d+,\d{1,2}", tok)
            tok = tok.replace(",", ".") if decimal_comma else tok.replace(",", "")
        out.append(tok)
        if len(out) > MAX_TOKENS:
            raise Symbolic
    return out


class _Parser:
    """Recursive descent over TeX-ish arithmetic; any unknown symbol raises Symbolic."""

    def __init__(self, tokens: list[str], log_base: float = math.e) -> None:
        self.toks = tokens
        self.log_base = log_base
        self.i = 0
        self.depth = 0
        self.operators = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise Symbolic
        self.i += 1
        return tok

    def parse(self) -> float:
        value = self.expr()
        if self.peek() is not None:
            raise Symbolic
        return value

    def expr(self) -> float:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Symbolic
        value = self.term()
        while (tok := self.peek()) in ("+", *_MINUS):
            self.take()
            self.operators += 1
            right = self.term()
            value = value + right if tok == "+" else value - right
        self.depth -= 1
        return _finite(value)

    def term(self) -> float:
        value = self.unary()
        while True:
            tok = self.peek()
            if tok in _TIMES or tok in _DIVIDE:
                self.take()
                self.operators += 1
                right = self.unary()
                if tok in _DIVIDE:
                    if right == 0:
                        raise Symbolic
                    value /= right
                else:
                    value *= right
            elif tok is not None and (tok in ("(", "{", "\\frac", "\\sqrt", "\\exp", "\\ln")
                                      or _is_number(tok)):
                if _is_number(tok) and _is_number(self.toks[self.i - 1]):
                    # "58 ·82 37" (a subscript lost: `58 \cdot_{82} 37`), "1 000": two numerals
                    # side by side are no product (round 31: 175,972 against a stated 14)
                    raise Symbolic
                self.operators += 1  # juxtaposition: 2(3 + 4), 2\sqrt{2}
                value *= self.unary()
            else:
                return _finite(value)

    def unary(self) -> float:
        tok = self.peek()
        if tok in _MINUS:
            self.take()
            return -self.unary()
        if tok == "+":
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> float:
        base = self.atom()
        while self.peek() == "!":
            self.take()
            self.operators += 1
            if base < 0 or base > 170 or base != int(base):
                raise Symbolic
            base = float(math.factorial(int(base)))
        if self.peek() == "^":
            self.take()
            self.operators += 1
            exponent = self.unary()
            try:
                # math.pow, not **: a negative base to a fractional power is a complex number
                # under ** ((-8)^{0.5}), which no comparison below can take; pow raises.
                return _finite(math.pow(base, exponent))
            except (ValueError, OverflowError, ZeroDivisionError) as e:
                raise Symbolic from e
        return base

    def group(self) -> float:
        opening = self.take()
        closing = {"(": ")", "{": "}", "[": "]"}.get(opening)
        if closing is None:
            raise Symbolic
        value = self.expr()
        if closing == "}" and self.peek() == "\\over":
            self.take()
            self.operators += 1
            denominator = self.expr()
            if denominator == 0:
                raise Symbolic
            value /= denominator
        self.take(closing)
        return value

    def atom(self) -> float:
        tok = self.peek()
        if tok is None:
            raise Symbolic
        if _is_number(tok):
            self.take()
            value = float(tok)
            if self.peek() == "%":
                self.take()
                value /= 100
            return value
        if tok in ("(", "{", "["):
            return self.group()
        if tok == "\\frac" or tok == "\\dfrac" or tok == "\\tfrac":
            self.take()
            self.operators += 1
            top, bottom = self.group(), self.group()
            if bottom == 0:
                raise Symbolic
            return top / bottom
        if tok == "\\sqrt":
            self.take()
            self.operators += 1
            degree = 2.0
            if self.peek() == "[":
                degree = self.group()
            radicand = self.group() if self.peek() in ("{", "(") else self.atom()
            if radicand < 0 or degree == 0:
                raise Symbolic
            return _finite(radicand ** (1 / degree))
        if tok == "e" or tok == "\\e":
            self.take()
            return math.e
        name = tok.lstrip("\\")
        if name in _CONSTS:
            self.take()
            return _CONSTS[name]
        if name in _FUNCS:
            self.take()
            self.operators += 1
            base: float | None = None
            if name == "log" and self.peek() == "_":
                self.take()
                base = self.group() if self.peek() == "{" else self.atom()
            argument = self.group() if self.peek() in ("(", "{") else self.power()
            try:
                value = _FUNCS[name](argument)
                if name == "log" and base is None:
                    base = self.log_base
                if base is not None and base != math.e:
                    value /= math.log(base)
            except (ValueError, OverflowError, ZeroDivisionError) as e:
                raise Symbolic from e
            return _finite(value)
        raise Symbolic


def _is_number(tok: str) -> bool:
    return tok[0].isdigit() or (tok[0] == "." and len(tok) > 1)


def _finite(value: float) -> float:
    if not math.isfinite(value) or abs(value) > MAX_ABS:
        raise Symbolic
    return value


def evaluate(expression: str, log_base: float = math.e) -> float | None:
    """The value of a numbers-only expression (TeX or plain), or None when it is symbolic;
    `log` without a base is to `log_base`."""
    try:
        parser = _Parser(_tokens(expression), log_base)
        value = parser.parse()
    except (Symbolic, RecursionError):
        return None
    return value if parser.operators else None


# Possessive blanks (`\s*+`): nothing after a blank is a blank, and the runs of blanks
# between optional parts split every way on a miss (a run of 10,000: 3.8 s).
_NUMBER_RESULT = re.compile(
    r"^\s*+[" + re.escape(_CURRENCY) + r"]?\s*+(?P<num>[-−]?\d+(?:[.,]\d+)?)"
    r"(?P<suffix>[kKMBGT]|bn)?\s*+(?P<pct>%|\\%)?"
    r"\s*+[" + re.escape(_CURRENCY) + r"]?\s*+(?:\\%)?\s*+$"
)
_EQUALS = re.compile(r"\\approx|≈|\\simeq|=")
_APPROX = ("\\approx", "≈", "\\simeq")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)
# Plain-text claims: a run of numbers and operators, "=", a number (at most 200 characters).
# A claim starts at a number's first digit, never inside it ("1,234"), and a number is taken
# whole (`*+`; no operator starts with "," or "."): "1,1,1,...,1" tried every digit as a start
# and every split of the rest at each (100,000 characters in a formula: 142 s).
# "20·(4.605+4.605)=184.2": a dot multiplies as a cross does (round 31: an exam's cheat sheet
# and its quizzes; the claim began at the parenthesis and was wrong by a factor of 20). A
# result a letter follows is a term, no number ("...+2+1=2n(n+1)", "= 100th percentile"); one
# another number follows is a fraction a PDF laid flat ("1 + 1 + 1 = 6 3 = 2.00").
# A number in an address is no operand, and a claim stays on its line: "status/16383110050
# 24387072" ending one list item and "- 2+3=5 is ..." opening the next were read as one
# subtraction (round 34: a tweet's address in a list of links).
# "(32 <U+2212> 6)/2 + 1 = 14": a minus sign subtracts as "-" does (round 34: a CNN lecture's
# output size was read from "2 + 1" on and flagged "computes to 3"). An en dash (U+2013)
# between numbers is a range in prose ("layers 1 to 3"), no operator.
_PLAIN = re.compile(
    r"(?<![\w./])(?<!\d,)(?P<lhs>[-−(]?\d+(?:[.,]\d+)*+%?"
    r"(?:[ \t]{0,3}[-−+*/×÷^x·⋅][ \t]{0,3}\(?\d+(?:[.,]\d+)*+%?\)?){1,12})"
    r"\s{0,3}(?P<eq>=|≈)\s{0,3}(?P<rhs>-?\d+(?:[.,]\d+)*(?:[kKMBGT]\b|bn\b)?%?+)(?![\w.]*\d)"
    # "= 73,856 + 128 = 73,984": a number is taken whole or not at all, never "73" of it
    # (round 41: a notebook's comment was flagged "= 73, but it computes to 73856"); so is
    # its percent sign, and the number after it that makes it no result is on its line:
    # "* 100% = 30%" before a line "3. ..." was read "= 30" (round 46: a worked answer's
    # steps in a prompt example, flagged "= 30, but it computes to 0.3")
    r"(?![.,]\d)(?![^\W\d_])(?![ \t]{1,3}\d)"
    # "3 + 2 + 4 = 2 + (4 + 3)": the right side goes on, an expression equals an expression
    r"(?!\s{0,3}[-−+*/×÷^x·⋅]\s{0,3}[(\d])"
)
# What a claim's first number must not follow: an operator or a closing parenthesis means the
# expression began before it ("(a - 6)/2 + 1 = 14" is no claim that 2 + 1 is 14).
# Its line before it only: a list item's marker ("- 4 + 4 = 9") is no operator.
_CONTINUES = re.compile(r"[-−–+*/×÷^·⋅)][ \t]{0,3}$")
_ITEM = re.compile(r"[ \t]*(?:[-+*]|\d{1,3}[.)])[ \t]+")


def _continues(text: str, start: int) -> bool:
    """Whether the number at `start` goes on an expression begun before it on its line."""
    line = text.rfind("\n", 0, start) + 1
    item = _ITEM.match(text, line, start)
    return _CONTINUES.search(text, max(item.end() if item else line, start - 4), start) \
        is not None


def _split_top(tex: str) -> list[tuple[int, str]]:
    """Split at `=`/`\\approx` outside braces and parentheses, keeping each part's offset."""
    parts: list[tuple[int, str]] = []
    depth = 0
    start = 0
    i = 0
    while i < len(tex):
        c = tex[i]
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif depth == 0:
            m = _EQUALS.match(tex, i)
            if m:
                parts.append((start, tex[start:i]))
                start = m.end()
                i = m.end()
                continue
        i += 1
    parts.append((start, tex[start:]))
    return parts


def _stated(text: str) -> tuple[float, str] | None:
    m = _NUMBER_RESULT.match(text)
    if not m:
        return None
    raw = m.group("num").replace("−", "-")
    raw = raw.replace(",", ".") if re.fullmatch(r"-?\d+,\d{1,2}", raw) else raw.replace(",", "")
    value = float(raw)
    suffix = m.group("suffix") or ""
    if suffix:
        value *= _SUFFIXES[suffix]
        raw += suffix
    if m.group("pct") or text.rstrip().endswith("\\%"):
        return value / 100, raw + "%"
    return value, raw


# `\log` with no base is the writer's convention: natural in most ML notes, base 10 in an
# algebra lesson ("\log(100) = 2 because 10^2 = 100", round 30: two notebooks of one course
# were flagged), base 2 in information theory. A claim is read to the base that fits it best.
_BARE_LOG = re.compile(r"(?<![A-Za-z])log(?!\s*_)")
_LOG_BASES = (10.0, 2.0)


def _nearest(expression: str, natural: float, stated: float) -> float:
    best = natural
    for base in _LOG_BASES:
        value = evaluate(expression, base)
        if value is not None and abs(value - stated) < abs(best - stated):
            best = value
    return best


# A number of more than 15 digits is past what a float holds exactly: a claim about it cannot
# be checked, and a passage that cut a long line in pieces may open inside it (round 37: a
# 5,000-digit sum was flagged "9999999999999999 + 1 = 2", digits the note never wrote alone).
_LONG_NUMBER = re.compile(r"\d(?:[.,]?\d){15}")


def find_claims(text: str) -> Iterator[ArithmeticClaim]:
    """Every checkable `expression = number` claim in a passage's text, right or wrong; a claim
    with a number longer than a float holds is none."""
    for claim in _claims(text):
        if not _LONG_NUMBER.search(claim.expression) and not _LONG_NUMBER.search(claim.stated_text):
            yield claim


def _claims(text: str) -> Iterator[ArithmeticClaim]:
    spans: list[tuple[int, int]] = []
    for m in _MATH.finditer(text):
        group = 1 if m.group(1) is not None else 2
        tex, base = m.group(group), m.start(group)
        spans.append((m.start(), m.end()))
        parts = _split_top(tex)
        # "$9/9 = 100$th percentile": a letter after the formula goes on with its last number
        ordinal = text[m.end():m.end() + 1].isalpha()
        for (lhs_at, lhs), (rhs_at, rhs) in itertools.pairwise(parts):
            last = rhs_at == parts[-1][0]
            unit = _unit_after(text, m.end()) if last else None
            if unit is not None and rhs.rstrip()[-1:].isdigit():
                rhs = rhs.rstrip() + unit[0]
            stated = _stated(rhs)
            if stated is None or (ordinal and last):
                continue
            computed = evaluate(lhs)
            if computed is not None and _BARE_LOG.search(lhs):
                computed = _nearest(lhs, computed, stated[0])
            if computed is not None:
                approx = tex[lhs_at + len(lhs) : rhs_at].strip() in _APPROX
                claim = ArithmeticClaim(lhs.strip(), stated[0], stated[1], computed,
                                        base + lhs_at, approx)
                if unit is None or not unit[1] or not _some_width_fits(claim):
                    yield claim
    for m in _PLAIN.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        if _continues(text, m.start()):
            continue
        rhs = m.group("rhs")
        unit = _unit_after(text, m.end())
        if unit is not None and rhs[-1].isdigit():
            rhs += unit[0]
        stated = _stated(rhs)
        lhs = m.group("lhs").replace("x", "*")
        computed = evaluate(lhs)
        if stated is not None and _counts_terms(lhs, stated[0], text[m.end():]):
            continue
        if stated is not None and computed is not None:
            claim = ArithmeticClaim(m.group("lhs").strip(), stated[0], stated[1], computed,
                                    m.start(), m.group("eq") == "≈")
            if unit is None or not unit[1] or not _some_width_fits(claim):
                yield claim


# "4 x 100 x 150 x 100 = 6 million bytes": the word after the number scales it, as a suffix
# does (round 38: a book's exercise answers were flagged "= 6, but it computes to 6e+06").
_SCALE_WORDS = {"thousand": "K", "million": "M", "billion": "B", "trillion": "T"}
# The same after a formula, and a unit with a magnitude prefix, in a formula or after one:
# "$25,088 \times 4,096 \approx 102$ Million parameters", "$... \approx 12.9$ MB",
# "4000 x 4000 = 16 megapixels" (round 41: a vault's CNN and transformer notes, 12 such claims
# flagged "= 102, but it computes to 1.0276e+08"). A size in bytes counts each number in the
# width its type has, which the expression may leave out ("32 x 3 x 384 x 384 = 56 MB in
# float32"): it is wrong only when no width of 1, 2, 4 or 8 bytes makes it right.
_UNIT_AFTER = re.compile(
    r"\$?[ \t]{0,3}(?:\\[,;: ]|\\text\{|\\mathrm\{)?[ \t]{0,3}"
    r"(?:(?P<word>thousand|million|billion|trillion)"
    r"|(?P<prefix>kilo|mega|giga|tera)(?P<rest>bytes?|pixels?|flops?|params?|parameters?)?"
    r"|(?P<short>[KMGT])(?P<bytes>i?B)|(?P<mp>MP|Mpx))\b", re.IGNORECASE)
_PREFIXES = {"kilo": "K", "mega": "M", "giga": "G", "tera": "T"}


def _unit_after(text: str, end: int) -> tuple[str, bool] | None:
    """The magnitude suffix the word after a stated number gives it, and whether it counts
    bytes; None when no such word follows."""
    m = _UNIT_AFTER.match(text, end)
    if m is None:
        return None
    if m.group("word"):
        return _SCALE_WORDS[m.group("word").lower()], False
    if m.group("prefix"):
        rest = (m.group("rest") or "").lower()
        return _PREFIXES[m.group("prefix").lower()], rest.startswith("byte")
    if m.group("mp"):
        return "M", False
    if m.group("bytes")[-1] != "B":
        return None  # "Mb", "Gb": bits, or no unit at all
    return m.group("short").upper(), True


def _some_width_fits(claim: ArithmeticClaim) -> bool:
    """Whether a count of bytes per number (1, 2, 4, 8), in decimal or binary units, makes
    a claim of a size in bytes right."""
    scale = _scale(claim.stated_text)
    binary = {1e3: 1.024, 1e6: 1.024**2, 1e9: 1.024**3, 1e12: 1.024**4}.get(scale, 1.0)
    return any(not ArithmeticClaim(claim.expression, claim.stated, claim.stated_text,
                                   claim.computed * width * factor, claim.offset, True).wrong
               for width in (1, 2, 4, 8) for factor in (1.0, 1 / binary))
_COUNTED = re.compile(r"\s{0,3}[A-Za-z]{2,}")  # a word after the number: "= 3 coins"


def _counts_terms(lhs: str, stated: float, after: str) -> bool:
    """`4+1+1 = 3 coins`: a sum followed by what it counts says how many terms it has (a
    coin-change note's greedy answer, flagged "but it computes to 6" in round 31)."""
    terms = re.split(r"\s*\+\s*", lhs.strip())
    return (len(terms) > 1 and stated == len(terms) and _COUNTED.match(after) is not None
            and all(re.fullmatch(r"\d+(?:[.,]\d+)?", t) for t in terms))


def math_at(text: str, offset: int) -> tuple[int, str, int] | None:
    """The formula of `text` that holds `offset`: which of the passage's formulas written the
    same way it is (0 for the first), its TeX, and where the TeX starts in `text`."""
    seen: dict[str, int] = {}
    for m in _MATH.finditer(text):
        group = 1 if m.group(1) is not None else 2
        tex = m.group(group).strip()
        if m.start() <= offset < m.end():
            return seen.get(tex, 0), tex, m.start(group)
        seen[tex] = seen.get(tex, 0) + 1
    return None


def wrong_claims(text: str) -> list[ArithmeticClaim]:
    """The claims in `text` whose stated result does not follow from the expression."""
    return [c for c in find_claims(text) if c.wrong]
