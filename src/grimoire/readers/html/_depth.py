"""Block elements nested absurdly deep are read flat, before the HTML parser sees them.

The HTML tree builder closes an open `<p>` before each of these start tags, and to know whether
one is open it walks the stack of open elements (the spec's "has a p element in button scope"):
one walk per tag, so N nested `<div>`s cost N^2. lexbor does it by the spec: 40,000 nested divs
took 4.6 s of CPU, 100,000 (a 1.1 MB file) 53 s. Browsers bound the depth for the same reason
(Blink's tree builder nests at most 512 deep). Past `MAX_DEPTH`, the start tags of these
elements and their end tags are dropped: their text is kept, as a flat run of blocks.
"""

from __future__ import annotations

import re

MAX_DEPTH = 512

# The start tags the tree builder scans the stack for (HTML Living Standard, "in body"
# insertion mode: the ones that close a p element in button scope and nest), measured
# quadratic in lexbor; inline tags, li, dd, p, table and custom elements are not.
_NESTING = ("address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|"
            "figcaption|figure|footer|header|hgroup|listing|main|menu|nav|ol|pre|search|"
            "section|summary|ul")
_TAG = re.compile(rf"<(/?)({_NESTING})(?=[\s/>])[^>]*>", re.IGNORECASE)


def flatten_deep(src: str) -> tuple[str, int | None]:
    """`src` with the nesting tags past `MAX_DEPTH` removed (each keeps its newlines, so
    lines do not move), and the line of the first one removed (None when none was)."""
    depth = 0
    flat = 0  # start tags dropped and not yet closed
    first: int | None = None
    parts: list[str] = []
    last = 0
    for m in _TAG.finditer(src):
        closing = bool(m.group(1))
        if closing and flat:
            flat -= 1
        elif closing:
            depth = max(0, depth - 1)
            continue
        elif depth < MAX_DEPTH:
            depth += 1
            continue
        else:
            flat += 1
        if first is None:
            first = src.count("\n", 0, m.start()) + 1
        parts.append(src[last:m.start()])
        parts.append("\n" * m.group(0).count("\n"))
        last = m.end()
    if first is None:
        return src, None
    parts.append(src[last:])
    return "".join(parts), first
