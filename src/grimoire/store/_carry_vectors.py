"""A file read again keeps the vectors of its passages and entries whose text is unchanged.

Replacing a file deletes its rows, and their vectors' links with them (a cascade); the vectors
themselves stay, keyed by a hash of model and text (`_embed_store`). Before this, the new rows
had no vector until an `embed` pointed them at the old ones again, so after a re-ingest
`embed --status` and search's "N vectors missing" counted them missing, and while a worker was
still busy with the units of the old rows the count stayed at "0 of 3,735" for minutes though
every text had a vector (qa38). Now the writer links each new unit whose embedded text
(`_embed_text`) is that of an old unit of the same files to the old unit's vector, in the
transaction that replaces the files: the counts are true the moment the files are.

Each engine runs the queries (`OLD_*`, `NEW_*`, in its own parameter style); the matching is
here, on the embedded text itself, so it can link only what `embed` would have linked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from grimoire.store._embed_text import entry_embed_text, passage_unit_text

# The units of one file (by path) that have a vector: their rows and the vector's hash.
OLD_PASSAGES = """SELECT p.text, p.heading_path, d.title, e.term, p.kind, v.hash
    FROM sources s JOIN documents d ON d.source_id = s.id
    JOIN passages p ON p.document_id = d.id JOIN passage_vecs v ON v.passage_id = p.id
    LEFT JOIN entries e ON e.id = p.entry_id WHERE s.path = {}"""
OLD_ENTRIES = """SELECT e.data, e.term, v.hash
    FROM sources s JOIN documents d ON d.source_id = s.id
    JOIN entries e ON e.document_id = d.id JOIN entry_vecs v ON v.entry_id = e.id
    WHERE s.path = {} AND e.redirect IS NULL"""

# The units just written, selected by the engine (an id range, or the new source's id).
NEW_PASSAGES = """SELECT p.id, p.text, p.heading_path, d.title, e.term, p.kind
    FROM passages p JOIN documents d ON d.id = p.document_id
    LEFT JOIN entries e ON e.id = p.entry_id WHERE {}"""
NEW_ENTRIES = "SELECT e.id, e.data, e.term FROM entries e WHERE e.redirect IS NULL AND {}"

Carried = dict[tuple[str, str], str]  # (kind, embedded text) -> the vector's hash


def _heading(value: Any) -> tuple[str, ...]:
    return tuple(json.loads(value) if isinstance(value, str) else value)


def _data(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


def remember(carried: Carried, passages: Iterable[tuple[Any, ...]],
             entries: Iterable[tuple[Any, ...]]) -> None:
    """Add the rows of `OLD_PASSAGES` and `OLD_ENTRIES` to `carried`."""
    for text, heading, title, term, kind, h in passages:
        carried[("passage", passage_unit_text(text, _heading(heading), title, term, kind))] = h
    for data, term, h in entries:
        carried[("entry", entry_embed_text(_data(data), term))] = h


def links(carried: Carried, passages: Iterable[tuple[Any, ...]],
          entries: Iterable[tuple[Any, ...]]) -> list[tuple[str, int, str]]:
    """(kind, id, hash) for each row of `NEW_PASSAGES` and `NEW_ENTRIES` whose embedded text
    had a vector in `carried`."""
    out: list[tuple[str, int, str]] = []
    for pid, text, heading, title, term, kind in passages:
        h = carried.get(("passage", passage_unit_text(text, _heading(heading), title, term,
                                                      kind)))
        if h is not None:
            out.append(("passage", int(pid), h))
    for eid, data, term in entries:
        h = carried.get(("entry", entry_embed_text(_data(data), term)))
        if h is not None:
            out.append(("entry", int(eid), h))
    return out
