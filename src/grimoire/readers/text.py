"""Plain text: paragraphs separated by blank lines. The fallback for any text file.

A pip requirements file (`requirements.txt`, every line a package) is searchable text named
by its file, never a page about a thing: its first line ("torch") is no concept."""

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


# A line of a pip requirements file: a package, its extras, a version pin or marker, or an
# option (`-r base.txt`, `--index-url ...`).
_REQUIREMENT = re.compile(
    r"[A-Za-z0-9][\w.-]*\s*(?:\[[\w,\s-]*\])?\s*(?:[<>=!~]=?\s*[\w.*+!-]+\s*,?\s*)*"
    r"(?:;.*)?|-{1,2}[a-z][\w-]*(?:[ =]\S+)?|#.*")
_REQUIREMENTS_NAME = re.compile(r"requi?re?ments?|constraints|packages", re.IGNORECASE)


def package_list(lines: list[str], path: str) -> bool:
    """Whether a text file lists the Python packages a project needs (`requirements.txt`,
    misspelled or not): the list a notes repository keeps beside its notes, not a note."""
    rows = [line.strip() for line in lines if line.strip()]
    if not rows or not all(_REQUIREMENT.fullmatch(r) for r in rows):
        return False
    pinned = any(re.search(r"[<>=~]=|^-r\b", r) for r in rows)
    return pinned or _REQUIREMENTS_NAME.search(PurePath(path).stem) is not None


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
    if package_list(lines, path):
        # Searchable as text, named by its file, and no page about a thing (a concept "torch").
        return [Document(path=path, format=name, title=PurePath(path).stem,
                         passages=tuple(passages), meta={"package_list": True})]
    first = passages[0].text.split("\n")[0].strip() if passages else ""
    title = PurePath(path).stem if not first or _NOT_A_TITLE.match(first) else first
    return [Document(path=path, format=name, title=title, passages=tuple(passages))]
