"""What text a passage or entry is embedded as: the same on every engine."""

from __future__ import annotations

from typing import Any


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


def entry_embed_text(data: dict[str, Any]) -> str:
    """What an entry is embedded as: "term (alias, alias): definition gloss"."""
    term = str(data.get("term") or "")
    aliases = [a for a in data.get("aliases") or () if a and a.casefold() != term.casefold()]
    name = f"{term} ({', '.join(aliases)})" if aliases else term
    body = " ".join(
        [*(g for g in data.get("glosses") or () if g), str(data.get("definition") or "")]
    ).strip()
    return f"{name}: {body}" if body else name
