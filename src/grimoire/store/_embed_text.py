"""What text a passage or entry is embedded as: the same on every engine.

A code passage is embedded by its context and its first lines (`CODE_CHARS`; issue 14: fewer
tokens to embed): code costs two to three times the tokens of prose per character, MiniLM
reads it poorly, and what a description can match in it (the function's name, a comment,
the call it shows) is at its top; the whole code is still searched word for word by the
lexical index. A text is embedded once per model whatever the number of units holding it
(`_embed_store.py`).
"""

from __future__ import annotations

import re
from typing import Any

from grimoire.fences import without_bars

CODE_CHARS = 240


def definition_embed_text(definition: str) -> str:
    """A definition as its entry's vector reads it: without its fenced code (`fences`).

    The code is embedded already, as its own code passage with the entry's term for context
    (`passage_unit_text`, cut at `CODE_CHARS`), and searched word for word; in the entry's
    vector it only spent tokens. Measured in round 34 (bench/README.md, fence34), left out
    against kept whole: descriptions2 moved in grimoire only semantic's tune recall@10 (0.722
    -> 0.725), names not at all; MiniLM alone over the same units 0.475 -> 0.477 (tune MRR),
    0.452 -> 0.460 (report). Cut at CODE_CHARS: 0.474 and 0.456.
    """
    text = without_bars(definition, code=False)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def passage_embed_text(
    text: str, heading_path: tuple[str, ...], title: str, term: str | None
) -> str:
    """What a passage is embedded as: its context names, then its text."""
    context: list[str] = []
    for part in (term, title, *heading_path):
        if part and part.strip() and part.casefold() not in (c.casefold() for c in context):
            context.append(part.strip())
    head = " / ".join(context[-3:])
    return f"{head}: {text}" if head else text


def entry_embed_text(data: dict[str, Any], term: str) -> str:
    """What an entry is embedded as: "term (alias, alias): definition gloss" (`data` is its
    stored JSON, which holds no term: the `entries.term` column does)."""
    aliases = [a for a in data.get("aliases") or () if a and a.casefold() != term.casefold()]
    name = f"{term} ({', '.join(aliases)})" if aliases else term
    body = " ".join(
        [*(g for g in data.get("glosses") or () if g),
         definition_embed_text(str(data.get("definition") or ""))]
    ).strip()
    return f"{name}: {body}" if body else name


def passage_unit_text(
    text: str, heading_path: tuple[str, ...], title: str, term: str | None, kind: str
) -> str:
    """The text a passage's vector is computed from: `passage_embed_text`, of the first lines
    only for a long code passage (cut at a line break within `CODE_CHARS`)."""
    if kind == "code" and len(text) > CODE_CHARS:
        cut = text.rfind("\n", 0, CODE_CHARS)
        text = text[: cut if cut > 0 else CODE_CHARS]
    return passage_embed_text(text, heading_path, title, term)
