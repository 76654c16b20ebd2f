"""Citations that can be checked: find the exact lines a quote sits on, and confirm them.

A citation names a file and an inclusive line range and quotes a sentence. `verify_citation`
reads the file again and confirms that the range holds the quote's words (readers render
wikilinks, emphasis and HTML entities, so words are compared, not characters). Other tools'
citations point at the wrong chunk (anything-llm #826, #2027); here a citation that fails the
check is never shown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from grimoire.errors import ReadError
from grimoire.files import MAX_BYTES, note_text, path_of, read_capped
from grimoire.model import Citation, Span

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>\n]{0,400}>")
# Emphasis inside a word ("**Ada**ptive **M**oment") is rendered away by the readers.
_INNER_EMPHASIS = re.compile(r"(?<=\w)\*+(?=\w)")
MIN_SHARE = 0.9  # share of the quote's words the cited lines must hold


def words(text: str) -> list[str]:
    """Casefolded word tokens."""
    return [w.casefold() for w in _WORD.findall(text)]


@dataclass(slots=True)
class SourceLines:
    """Reads each cited file once per answer; a file that cannot be read has no lines."""

    _cache: dict[str, list[str]] = field(default_factory=dict)

    def lines(self, path: str) -> list[str]:
        if path not in self._cache:
            try:
                # The cited file may have been replaced (by a FIFO, /dev/zero, a huge file)
                # since it was ingested: read regular files only, and never past the cap. A
                # name that is not UTF-8 is stored escaped (`files.storable`): its file is
                # opened by its real name.
                raw = read_capped(path_of(path), MAX_BYTES)
            except (OSError, ReadError):
                self._cache[path] = []
            else:
                # Decoded as ingest decoded it (a UTF-16 or Windows-1252 note was never
                # cited when read as UTF-8: round 34, qa34).
                text = _INNER_EMPHASIS.sub("", note_text(raw, path))
                if path.casefold().endswith((".html", ".htm", ".xml")):
                    # Keep line breaks where they are: tags are cut per line.
                    text = html.unescape(_TAG.sub(" ", text))
                self._cache[path] = text.splitlines()
        return self._cache[path]

    def words_in(self, path: str, start: int, end: int) -> list[str]:
        lines = self.lines(path)
        if start < 1 or end < start or start > len(lines):
            return []
        return words("\n".join(lines[start - 1 : end]))


def supports(quote_words: Sequence[str], span_words: Sequence[str]) -> bool:
    """True when the span holds (nearly) every word of the quote."""
    if not quote_words:
        return False
    have = set(span_words)
    found = sum(1 for w in quote_words if w in have)
    return found >= MIN_SHARE * len(quote_words) and found >= len(quote_words) - 2


def verify_citation(citation: Citation, sources: SourceLines | None = None) -> bool:
    """Read the cited file and confirm its line span contains the quoted words.

    >>> verify_citation(answer.citations[0])
    True
    """
    sources = sources or SourceLines()
    span = citation.span
    return supports(words(citation.quote), sources.words_in(span.path, span.start_line,
                                                            span.end_line))


def locate(
    sources: SourceLines, passage: Span, guess_start: int, guess_end: int, quote: str
) -> Span | None:
    """The line span of `quote` inside `passage`: the guess when the file confirms it, else
    the smallest window of the passage's lines that holds the quote's words, else None.

    A guess that holds the quote with a word or two missing (`supports` allows two) is
    taken only when no window of the passage holds more of them: a note whose reader drops
    a line (an HTML `<div>` of its own) put the guess a line early, and "For example, text
    classification models ..." was cited from the line before, where the sentence before it
    starts (round 42)."""
    qw = words(quote)
    if not qw:
        return None
    path = passage.path
    lines = sources.lines(path)
    lo = max(1, passage.start_line)
    hi = min(len(lines), passage.end_line)
    per_line = [set(_plain_words(lines[i - 1])) for i in range(lo, hi + 1)]
    # The most of the quote's words any window can hold: those the passage holds at all.
    held = set().union(*per_line) if per_line else set()
    most = sum(1 for w in qw if w in held)
    if ANCHORED and hi >= lo:
        found = _anchored(lines, lo, hi, qw, guess_start)
        if found is not None:
            return Span(path, *found)
    if passage.start_line <= guess_start <= guess_end <= passage.end_line:
        have = sources.words_in(path, guess_start, guess_end)
        if supports(qw, have) and (not MOST_WORDS or _found(qw, have) >= most):
            return _whole(lines, Span(path, guess_start, guess_end), qw)
    if hi < lo:
        return None
    best: tuple[int, int] | None = None
    for a in range(len(per_line)):
        seen: set[str] = set()
        for b in range(a, min(len(per_line), a + 80)):
            seen |= per_line[b]
            if supports(qw, list(seen)) and (not MOST_WORDS or _found(qw, seen) >= most):
                # the smallest window; of two as small, the one nearer the guess
                if best is None or (b - a, abs(lo + a - guess_start)) < (
                        best[1] - best[0], abs(lo + best[0] - guess_start)):
                    best = (a, b)
                break
    if best is None:
        return None
    return _whole(lines, Span(path, lo + best[0], lo + best[1]), qw)


# Round 42: the span runs from the line that holds the quote's first words to the line that
# holds its last words after them, the occurrence nearest the guess (`_anchored`): the guess
# and the windows below only count words, so a sentence whose words the line before also
# holds ("the first accepts inputs from the neurons ..." before "For example, a neuron in the
# second hidden layer accepts inputs from the neurons ...") was cited from that line. When
# the quote's ends are not in the file as words in a row (a wikilink or an entity rendered
# otherwise), the word counts decide as before (False: off).
ANCHORED = True
ANCHOR_WORDS = 3  # words in a row that find the quote's start and its end
# Bounds that keep `_anchored` linear in the passage: a quote longer than this many words,
# or the quote's first words found more often than ANCHOR_TRIES (a line of 40,000 "a-a-a",
# audit31), is placed by the word counts alone.
ANCHOR_MAX = 200
ANCHOR_TRIES = 16


def _anchored(lines: Sequence[str], lo: int, hi: int, qw: Sequence[str],
              guess: int) -> tuple[int, int] | None:
    """The first and last line of the quote's place between lines `lo` and `hi`: its first
    words in a row, then its last words in a row, with the quote's words between them."""
    if len(qw) > ANCHOR_MAX:
        return None
    flat: list[str] = []
    line_at: list[int] = []
    for n in range(lo, hi + 1):
        ws = _plain_words(lines[n - 1])
        flat += ws
        line_at += [n] * len(ws)
    h = min(ANCHOR_WORDS, len(qw))
    head, tail = list(qw[:h]), list(qw[-h:])
    starts = [p for p in range(len(flat) - h + 1) if flat[p : p + h] == head]
    # Of the places, the tightest (fewest words from its first to its last): the quote's
    # opening words said earlier too ("Face verification is the problem ..." four lines
    # before "Face verification is an easier problem ...") open a longer run that also holds
    # its words. Of two as tight, the one nearer the guess.
    best: tuple[int, int, int] | None = None  # words, distance to the guess, start
    ends: dict[int, int] = {}
    for p in sorted(starts, key=lambda p: abs(line_at[p] - guess))[:ANCHOR_TRIES]:
        stop = min(len(flat), p + 2 * len(qw) + 10)
        for e in range(p + h - 1, stop):
            if flat[e - h + 1 : e + 1] == tail and supports(qw, flat[p : e + 1]):
                key = (e - p, abs(line_at[p] - guess), p)
                if best is None or key < best:
                    best, ends[p] = key, e
                break
    if best is None:
        return None
    return line_at[best[2]], line_at[ends[best[2]]]


# Round 42: a guess or window missing words another window holds is not the quote's place
# (`locate`; False: the first window that `supports` the quote, as before).
MOST_WORDS = True


def _found(qw: Sequence[str], have: Collection[str]) -> int:
    """How many of the quote's words (`qw`, counted with repeats) `have` holds."""
    have = have if isinstance(have, (set, frozenset)) else set(have)
    return sum(1 for w in qw if w in have)


# An HTML tag written in a Markdown note ('<a href="...">Fiddle</a>') is rendered away by
# the readers: its words are not the quote's (round 42: "Fiddle assumes ..." was cited from
# the next line, the previous one ending in the tag's "a").
_INLINE_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>\n]{0,400})?/?>")


def _plain_words(line: str) -> list[str]:
    """The words of a line as a reader renders them: without inline HTML tags."""
    return words(_INLINE_TAG.sub(" ", line)) if TAGS_AWAY else words(line)


TAGS_AWAY = True  # round 42; False: a tag's words count at a line's ends (as before)


def _whole(lines: Sequence[str], span: Span, qw: Sequence[str]) -> Span:
    """`span` widened to the line where the quote starts and the line where it ends.

    `supports` lets a quote miss two words, so a sentence that starts with its last words on
    one line ("... Before diving in, we should note" + next line) was cited from the next
    line; the quote's first words at the end of the line before are its true start.
    """
    start, end = _trimmed(lines, span, qw)
    if 1 < start <= len(lines):
        prev, cur = _plain_words(lines[start - 2]), _plain_words(lines[start - 1])
        for j in _overlaps(prev, qw[:-1]):
            if cur[:1] == list(qw[j : j + 1]):
                start -= 1
                break
    if end < len(lines):
        cur, nxt = _plain_words(lines[end - 1]), _plain_words(lines[end])
        for j in _overlaps(qw[1:], nxt):
            if cur[-1:] == list(qw[-j - 1 : -j]):
                end += 1
                break
    return Span(span.path, start, end)


def _overlaps(ending: Sequence[str], opening: Sequence[str]) -> Iterator[int]:
    """Each length j, longest first, for which the last j words of `ending` are the first j
    of `opening`: the borders of `opening + [none] + ending` (Knuth-Morris-Pratt), in linear
    time. Comparing every length's slices was quadratic: a line of 40,000 words ("a-a-a...")
    quoted by an answer took `ask` 5 s, 80,000 past a minute (audit31)."""
    joined: list[str | None] = [*opening, None, *ending]
    border = [0] * len(joined)
    for i in range(1, len(joined)):
        k = border[i - 1]
        while k and joined[i] != joined[k]:
            k = border[k - 1]
        border[i] = k + 1 if joined[i] == joined[k] and joined[i] is not None else k
    k = border[-1]
    while k:
        yield k
        k = border[k - 1]


def _trimmed(lines: Sequence[str], span: Span, qw: Sequence[str]) -> tuple[int, int]:
    """`span`'s lines without a first line the quote does not start on, or a last line it
    does not end on, while the rest still holds the quote: a reader that renders a wikilink
    broken over two lines ("[[natural language understanding|natural" + "language
    understanding]].") puts the next sentence one line early."""
    start, end = span.start_line, span.end_line
    if not 1 <= start <= end <= len(lines):
        return start, end
    head, tail = list(qw[:2]), list(qw[-2:])
    while start < end and supports(qw, _plain_words("\n".join(lines[start : end]))):
        cur = _plain_words(lines[start - 1])
        seq = cur + _plain_words(lines[start])[:1]  # a quote may start with a line's last word
        if any(seq[i : i + len(head)] == head for i in range(len(cur))):
            break
        start += 1
    while end > start and supports(qw, _plain_words("\n".join(lines[start - 1 : end - 1]))):
        before = _plain_words(lines[end - 2])[-1:]
        seq = before + _plain_words(lines[end - 1])
        n = len(tail)
        if any(seq[i - n + 1 : i + 1] == tail for i in range(max(len(before), n - 1), len(seq))):
            break
        end -= 1
    return start, end
