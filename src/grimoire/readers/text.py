"""Plain text: paragraphs separated by blank lines. The fallback for any text file."""

from __future__ import annotations

from pathlib import PurePath

from grimoire.model import Document, Passage, Span
from grimoire.readers.base import decode

name = "text"
extensions = (".txt", ".text", "")


def sniff(head: str, path: str) -> bool:
    return True


def read(data: bytes, path: str) -> list[Document]:
    text = decode(data, path)
    lines = text.split("\n")
    passages: list[Passage] = []
    start: int | None = None
    for i, line in enumerate([*lines, ""], start=1):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            body = "\n".join(lines[start - 1 : i - 1]).strip()
            passages.append(Passage(text=body, span=Span(path, start, i - 1)))
            start = None
    title = next((p.text.split("\n")[0].strip() for p in passages), PurePath(path).stem)
    return [Document(path=path, format=name, title=title, passages=tuple(passages))]
