"""Cut a passage into sentences without ever cutting inside a formula or code span.

Math (`$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]`) and inline code are masked before the
split, so a `.` inside `$P(X_1 … X_N)^{-{1 \\over N}}$` or `torch.nn` never ends a sentence.
A single newline inside a paragraph is a soft wrap (glossary exports wrap at 40 columns);
a list item, a blank line, a table row after a table row, or a line after one that ends in
`.` starts a new sentence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

_PROTECT = re.compile(
    r"\$\$.+?\$\$|(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$(?!\d)|\\\(.+?\\\)|\\\[.+?\\\]|`[^`\n]+`",
    re.DOTALL,
)
# Words after which a full stop does not end a sentence.
_ABBREV = frozenset({"e.g", "i.e", "aka", "etc", "vs", "cf", "see", "fig", "eq", "al", "approx",
                     "resp", "incl", "no", "dr", "mr", "ms", "st"})
_END = re.compile(r"[.!?](?:[\"'\u201d\u2019)\]]*)(?=\s+)")
_LIST = re.compile(r"\s*(?:[-*+•]\s|\d{1,3}[.)]\s|\(\d{1,3}\)\s|#{1,6}\s|>\s?)")
_SPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"[ \t]*\d{1,3}\.(?=\s)")
# A line that ends on a word no sentence ends on ("taking the matrix from the" + "*Encode*
# step and ..."): the next line goes on with it, even when it opens with a capital.
_DANGLING = re.compile(
    r"\b(?:the|a|an|of|to|from|in|on|at|by|for|with|into|onto|and|or|as|than|that|is|are|"
    r"its|their|our|your|this|these|between)\s*$", re.IGNORECASE)
# A table row as the readers render it: three or more cells separated by ' | '.
_ROW = re.compile(r"^[^|\n]*\S \| (?:[^|\n]* \| )+[^|\n]*\S")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a passage: its text (whitespace folded) and where it sits in the passage."""

    text: str
    start: int  # character offsets into the passage text
    end: int


def mask(text: str) -> str:
    """`text` with every protected span's characters replaced by `x` (same length)."""
    # A `\\(` or `\\[` with no closing after it scanned the rest of the passage, and so did
    # every one after it: 50,000 `\\( ` in a note took `ask` 78 s (audit31). Those openings are
    # hidden from the pattern (`x(`, nothing else reads that character), so each scan ends.
    probe = text
    for opening, closing in (("\\(", "\\)"), ("\\[", "\\]")):
        dead = max(text.rfind(closing) - 2, 0)  # `.+?` holds a character at least
        if text.find(opening, dead) >= 0:
            probe = probe[:dead] + probe[dead:].replace(opening, "x" + opening[1])
    out: list[str] = []
    at = 0
    for m in _PROTECT.finditer(probe):
        out += (text[at : m.start()], "x" * (m.end() - m.start()))
        at = m.end()
    out.append(text[at:])
    return "".join(out)


def _breaks(text: str, masked: str) -> list[int]:
    """Offsets where a new sentence starts."""
    cuts: set[int] = set()
    for m in _END.finditer(masked):
        word = re.search(r"(\w+(?:\.\w+)*)[.!?]\S*$", masked[max(0, m.start() - 20) : m.end()])
        if m.group(0).startswith(".") and word and (
            word.group(1).casefold() in _ABBREV
            # "2. Encode -- ..." at a line's start: a list's number, not a sentence's end.
            or _numbered_at(masked, m.start())
            # An initial ("Diederik P. Kingma") does not end a sentence.
            or (len(word.group(1)) == 1 and word.group(1).isupper())
        ):
            continue
        after = m.end()
        while after < len(masked) and masked[after].isspace():
            after += 1
        if after >= len(masked):
            continue
        nxt = text[after]
        # A capital, a digit, a formula, a bracket or a quote starts the next sentence; a
        # lowercase word after a full stop ("aka. biasing") does not.
        if nxt.isupper() or nxt.isdigit() or nxt in "$([\"'\u201c\u2018\\*_-•#":
            cuts.add(after)
    offset = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        start = offset
        offset += len(line) + 1
        if i == 0:
            continue
        prev = lines[i - 1].rstrip()
        if not line.strip():
            continue
        if (
            not prev.strip()
            or _LIST.match(line)
            or prev.endswith((".", "!", "?", ":", "$$"))
            or prev.lstrip().startswith("#")
            # A list item's next line starts an item or a paragraph of its own, unless it
            # is the item's text wrapped (Markdown's lazy continuation: the item's line
            # stops mid-sentence and the next goes on in lower case, a bracket or a formula).
            or (_LIST.match(prev) and not line[:1].isspace()
                and not (_stops_open(prev) and (line[:1].islower() or line[:1] in "($"
                                                 or _DANGLING.search(prev))))
            # Each row of a table is a record of its own ("$∆$ | delta | change / difference").
            or (_ROW.match(line) and _ROW.match(prev))
        ):
            cuts.add(start + len(line) - len(line.lstrip()))
    return sorted(cuts)


def _stops_open(line: str) -> bool:
    """Whether `line` stops mid-sentence: it ends in blanks, or on a character that is no full
    stop, colon or semicolon. (`[^.!?:;]\\s*$`, searched for, was tried from each blank of a
    long run inside the line: 100,000 blanks in a list item took `ask` 106 s; audit31.)"""
    bare = line.rstrip()
    return bare != line or (bare[-1:] not in ("", *".!?:;"))


def _numbered_at(masked: str, dot: int) -> bool:
    """True when the full stop at `dot` ends a line's leading number ("2. Encode ...")."""
    m = _NUMBERED.match(masked, masked.rfind("\n", 0, dot) + 1)
    return m is not None and m.end() == dot + 1


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, in order; formulas and code spans are never cut."""
    masked = mask(text)
    cuts = [0, *(c for c in _breaks(text, masked) if c > 0), len(text)]
    out: list[Sentence] = []
    for a, b in itertools.pairwise(cuts):
        piece = text[a:b]
        stripped = piece.strip()
        if not stripped:
            continue
        lead = len(piece) - len(piece.lstrip())
        start = a + lead
        end = start + len(stripped)
        out.append(Sentence(_SPACE.sub(" ", stripped), start, end))
    return _join_lead_ins(out, text)


_DISPLAY = re.compile(r"^(?:\$\$|\\\[)")


def _join_lead_ins(sentences: list[Sentence], text: str) -> list[Sentence]:
    """A sentence that ends with ':' introduces the next one, and so does one left open
    before a displayed formula ("then the perplexity of $X$ is," + `$$...$$`); keep them
    together."""
    out: list[Sentence] = []
    for s in sentences:
        lead = out[-1].text if out else ""
        if out and len(lead) < 200 and (lead.endswith(":") or (
                _DISPLAY.match(s.text) and not lead.endswith((".", "!", "?", "$$")))):
            prev = out.pop()
            s = Sentence(_SPACE.sub(" ", text[prev.start : s.end].strip()), prev.start, s.end)
        out.append(s)
    return out


def line_of(text: str, offset: int) -> int:
    """0-based line of `offset` inside `text`."""
    return text.count("\n", 0, offset)


def strip_list_marker(sentence: str) -> str:
    """A list item's text without its bullet or number."""
    m = _LIST.match(sentence)
    return sentence[m.end() :] if m else sentence
