"""JSON Lines: one concept per line, in the shape `grimoire show NAME --json` prints."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from grimoire import serialize
from grimoire.export.base import Exporter
from grimoire.resolve.types import Concept
from grimoire.showing import Said


def write(concepts: Iterable[Concept], path: Path, *, line: object = None,
          said: Callable[[Concept], Sequence[Said]] | None = None) -> int:
    """Each concept as one line of JSON (names, entries with their spans, links both ways,
    and with `said` (`Grimoire.said`) what it says as `show --json` gives it)."""
    count = 0
    # backslashreplace: a lone surrogate (a note's broken UTF-16 pair) cannot be UTF-8; written
    # as `\udc80` it is JSON's own escape for that code unit, inside a string where it stands.
    with path.open("w", encoding="utf-8", errors="backslashreplace", newline="\n") as f:
        for concept in concepts:
            shown = said(concept) if said is not None else ()
            f.write(serialize.dumps(serialize.concept(concept, said=shown), indent=None))
            f.write("\n")
            count += 1
    return count


EXPORTER = Exporter("jsonl", ".jsonl", write, quotes_notes=True)
