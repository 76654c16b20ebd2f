"""Text from notes made safe for formats that hold Unicode scalar values only."""

from __future__ import annotations

import re

from grimoire.model import Span

# A lone surrogate (half of a broken UTF-16 pair) is no character: UTF-8 cannot encode it,
# and RDF literals, XML and Anki's SQLite text must be valid Unicode.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters XML 1.0 forbids in any form, even as a character reference (§2.2 Char).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

REPLACEMENT = "\ufffd"


def scalar(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, text)


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def place(span: Span) -> str:
    """`path:line` or `path:start-end`, as every output cites a source."""
    return str(span)
