"""Plain text: paragraphs separated by blank lines. The fallback for any text file."""

from __future__ import annotations

import re
from pathlib import PurePath

from grimoire.model import Document, Passage, Span
from grimoire.readers.base import decode

name = "text"
extensions = (".txt", ".text", "")


# A first line that is a row of a table, an item of a list, a quotation or code is the text
# itself, not its title: the file is then named by its file name.
_NOT_A_TITLE = re.compile(r"[^\w(\"'$]|\d+[.)]\s")


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
    first = passages[0].text.split("\n")[0].strip() if passages else ""
    title = PurePath(path).stem if not first or _NOT_A_TITLE.match(first) else first
    return [Document(path=path, format=name, title=title, passages=tuple(passages))]
