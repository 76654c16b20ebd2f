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
from collections.abc import Iterator, Sequence
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
    the smallest window of the passage's lines that holds the quote's words, else None."""
    qw = words(quote)
    if not qw:
        return None
    path = passage.path
    lines = sources.lines(path)
    if passage.start_line <= guess_start <= guess_end <= passage.end_line and supports(
        qw, sources.words_in(path, guess_start, guess_end)
    ):
        return _whole(lines, Span(path, guess_start, guess_end), qw)
    lo = max(1, passage.start_line)
    hi = min(len(lines), passage.end_line)
    if hi < lo:
        return None
    per_line = [set(words(lines[i - 1])) for i in range(lo, hi + 1)]
    need = set(qw)
    best: tuple[int, int] | None = None
    for a in range(len(per_line)):
        seen: set[str] = set()
        for b in range(a, min(len(per_line), a + 80)):
            seen |= per_line[b]
            if supports(qw, list(seen & need)):
                if best is None or b - a < best[1] - best[0]:
                    best = (a, b)
                break
    if best is None:
        return None
    return _whole(lines, Span(path, lo + best[0], lo + best[1]), qw)


def _whole(lines: Sequence[str], span: Span, qw: Sequence[str]) -> Span:
    """`span` widened to the line where the quote starts and the line where it ends.

    `supports` lets a quote miss two words, so a sentence that starts with its last words on
    one line ("... Before diving in, we should note" + next line) was cited from the next
    line; the quote's first words at the end of the line before are its true start.
    """
    start, end = _trimmed(lines, span, qw)
    if 1 < start <= len(lines):
        prev, cur = words(lines[start - 2]), words(lines[start - 1])
        for j in _overlaps(prev, qw[:-1]):
            if cur[:1] == list(qw[j : j + 1]):
                start -= 1
                break
    if end < len(lines):
        cur, nxt = words(lines[end - 1]), words(lines[end])
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
    while start < end and supports(qw, words("\n".join(lines[start : end]))):
        cur = words(lines[start - 1])
        seq = cur + words(lines[start])[:1]  # a quote may start with a line's last word
        if any(seq[i : i + len(head)] == head for i in range(len(cur))):
            break
        start += 1
    while end > start and supports(qw, words("\n".join(lines[start - 1 : end - 1]))):
        before = words(lines[end - 2])[-1:]
        seq = before + words(lines[end - 1])
        n = len(tail)
        if any(seq[i - n + 1 : i + 1] == tail for i in range(max(len(before), n - 1), len(seq))):
            break
        end -= 1
    return start, end
