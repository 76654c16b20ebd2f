"""The LLM path: number the passages, stream the model's reply safely, keep valid citations.

The model sees the passages as numbered data (`grimoire.llm.build_messages`). Its reply is
never trusted: a citation `[n]` that points to no passage is removed, the text passes through
`sanitize` (no self-loading image, no address the cited passages lack), and while streaming the
text goes out a sentence at a time, each piece already cleaned, so even the terminal never
shows an injected link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from grimoire.ask.sanitize import sanitize

_CITE = re.compile(r"\[(\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*)\]")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n")


def keep_citations(text: str, valid: set[int]) -> str:
    """`text` with each `[n]` (or `[n, m]`) kept only for numbers in `valid`."""

    def fix(m: re.Match[str]) -> str:
        nums = [int(x) for x in re.findall(r"\d+", m.group(1))]
        good = list(dict.fromkeys(n for n in nums if n in valid))
        return "[" + ", ".join(map(str, good)) + "]" if good else ""

    out = _CITE.sub(fix, text)
    return re.sub(r"[ \t]+([.,;:!?])(?=\s|$)", r"\1", out).strip()


def cited_numbers(text: str) -> list[int]:
    """The passage numbers `text` cites, in order of first appearance."""
    seen: list[int] = []
    for m in _CITE.finditer(text):
        for x in re.findall(r"\d+", m.group(1)):
            if int(x) not in seen:
                seen.append(int(x))
    return seen


class SafeStream:
    """Passes streamed text on a sentence at a time, each piece cleaned first."""

    def __init__(self, sink: Callable[[str], None] | None, valid: set[int],
                 allowed_urls: Iterable[str]) -> None:
        self.sink = sink
        self.valid = valid
        self.allowed = set(allowed_urls)
        self.buffer = ""
        self.text = ""  # everything received

    def feed(self, piece: str) -> None:
        self.text += piece
        self.buffer += piece
        cut = None
        for m in _BOUNDARY.finditer(self.buffer):
            cut = m.end()
        if cut:
            self._emit(self.buffer[:cut])
            self.buffer = self.buffer[cut:]

    def close(self) -> None:
        if self.buffer:
            self._emit(self.buffer)
            self.buffer = ""

    def _emit(self, part: str) -> None:
        if self.sink is None:
            return
        clean = sanitize(keep_citations(part, self.valid), self.allowed)
        if clean:
            tail = part[len(part.rstrip()):]
            self.sink(clean + (tail if tail else ""))
