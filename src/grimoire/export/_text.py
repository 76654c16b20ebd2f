"""Text from notes made safe for XML (a lone surrogate elsewhere: `_api_args.scalars`)."""

from __future__ import annotations

import re

# Characters XML 1.0 forbids in any form, even as a character reference (§2.2 Char).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

REPLACEMENT = "\ufffd"


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)
