"""The Reader protocol and the helpers every reader shares (decoding, line bookkeeping)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Protocol

from grimoire.errors import ReadError
from grimoire.model import Document


class Reader(Protocol):
    """One input format. A module with these attributes is a reader."""

    name: str
    extensions: tuple[str, ...]

    def sniff(self, head: str, path: str) -> bool:
        """Whether `head` (the first few KB of the decoded file) looks like this format."""
        ...

    def read(self, data: bytes, path: str) -> list[Document]:
        """Parse one file into documents (one, except for multi-page files such as dumps)."""
        ...


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Limits that keep one hostile file from taking the machine down.

    Pathological lines are each reader's concern (they fall back to plain text with a warning),
    since a saved web page may legitimately be one long line.
    """

    max_bytes: int = 32 * 1024 * 1024


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first 8 KB without a UTF-16/32 BOM mean a binary file."""
    head = data[:8192]
    return b"\x00" in head and not any(head.startswith(bom) for bom, _ in _BOMS)


def decode(data: bytes, path: str) -> str:
    """Bytes to text with LF line ends: BOM-aware, UTF-8 first, then cp1252/Latin-1.

    CRLF and lone CR become LF so that line numbers agree whatever the source's line ends.
    Raises ReadError for binary data.
    """
    if looks_binary(data):
        raise ReadError("binary file (NUL bytes), not a text note", path)
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as e:
                line = line_of(data, e.start)
                raise ReadError(f"invalid {encoding} text: {e.reason}", path, line) from e
            break
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Old notes saved from Windows editors: cp1252 covers curly quotes, Latin-1 the rest.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        # PostgreSQL text cannot hold NUL; no note means one.
        text = text.replace("\x00", "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_of(data: bytes | str, offset: int) -> int:
    """1-based line number of a character (or byte) offset."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


def collapse(text: str) -> str:
    """Whitespace runs to single spaces, trimmed."""
    return " ".join(text.split())
