"""Rows both engines read the same way: the SQL that selects them and the records they become."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from grimoire.codec import from_data
from grimoire.model import Entry, Problem, Span
from grimoire.store.records import SourceRecord, Stats, StoredEntry

SOURCE_SELECT = """
    SELECT s.path, s.status, s.format, s.reason, s.sha256, s.size, s.root, s.problems,
           (SELECT count(*) FROM documents d WHERE d.source_id = s.id),
           (SELECT count(*) FROM entries e JOIN documents d ON e.document_id = d.id
             WHERE d.source_id = s.id)
    FROM sources s"""

ENTRY_SELECT = """
    SELECT e.id, e.data, d.format, d.title
    FROM entries e JOIN documents d ON e.document_id = d.id JOIN sources s ON d.source_id = s.id"""


def source_record(row: Any) -> SourceRecord:
    """A row of SOURCE_SELECT as a record."""
    path, status, fmt, reason, sha, size, root, problems, docs, entries = row
    return SourceRecord(
        path=path, status=status, format=fmt, reason=reason, sha256=sha, size=int(size),
        root=root, documents=int(docs), entries=int(entries),
        problems=tuple(from_data(Problem, p) for p in json.loads(problems)),
    )


def stored_entry(row: Any) -> StoredEntry:
    """A row of ENTRY_SELECT as a record."""
    entry_id, data, fmt, title = row
    return StoredEntry(id=int(entry_id), entry=from_data(Entry, json.loads(data)), format=fmt,
                       document_title=title)


def entry_at(entries: list[tuple[int, int, int]], span: Span) -> int | None:
    """The entry whose lines contain the passage's first line (entries are few per document)."""
    for start, end, entry_id in entries:
        if start <= span.start_line <= end:
            return entry_id
    return None


_BY_FORMAT = """
    SELECT d.format, count(*),
           (SELECT count(*) FROM passages p JOIN documents d2 ON p.document_id = d2.id
             WHERE d2.format = d.format),
           (SELECT count(*) FROM entries e JOIN documents d2 ON e.document_id = d2.id
             WHERE d2.format = d.format),
           (SELECT count(*) FROM links l JOIN documents d2 ON l.document_id = d2.id
             WHERE d2.format = d.format)
    FROM documents d GROUP BY d.format ORDER BY d.format"""


def stats(rows: Callable[[str], Sequence[Sequence[Any]]]) -> Stats:
    """The store's counts, by format too, from an engine's `rows(sql)`."""

    def count(sql: str) -> int:
        found = rows(sql)
        return int(found[0][0]) if found else 0

    by_format = {str(fmt): {"documents": int(docs), "passages": int(passages),
                            "entries": int(entries), "links": int(links)}
                 for fmt, docs, passages, entries, links in rows(_BY_FORMAT)}
    return Stats(
        sources=count("SELECT count(*) FROM sources"),
        documents=count("SELECT count(*) FROM documents"),
        passages=count("SELECT count(*) FROM passages"),
        entries=count("SELECT count(*) FROM entries"),
        links=count("SELECT count(*) FROM links"),
        failed=count("SELECT count(*) FROM sources WHERE status = 'failed'"),
        by_format=by_format,
    )
