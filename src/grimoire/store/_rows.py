"""Rows both engines read the same way: the SQL that selects them and the records they become."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from grimoire.codec import from_data
from grimoire.model import Entry, Problem, Span
from grimoire.store.document_rows import entry_data
from grimoire.store.records import Filters, SourceRecord, Stats, StoredEntry

SOURCE_SELECT = """
    SELECT s.path, s.status, s.format, s.reason, s.sha256, s.size, s.root, s.problems,
           (SELECT count(*) FROM documents d WHERE d.source_id = s.id),
           (SELECT count(*) FROM entries e JOIN documents d ON e.document_id = d.id
             WHERE d.source_id = s.id)
    FROM sources s"""

# An entry's record is its JSON with its columns and its file's path (`entry_data`).
ENTRY_COLUMNS = ("e.id, e.data, d.format, d.title, s.path, e.term, e.start_line, e.end_line,"
                 " e.redirect")
ENTRY_SELECT = f"""
    SELECT {ENTRY_COLUMNS}
    FROM entries e JOIN documents d ON e.document_id = d.id JOIN sources s ON d.source_id = s.id"""


# The distinct roots, in order, one step through the index on sources(root) each (`min`
# above the last one): `SELECT DISTINCT root` reads an index entry per file, 12 ms of every
# cold search at 100k files under one root (issue 14).
_ROOTS = """
    WITH RECURSIVE r(root) AS (
        SELECT min(root) FROM sources
        UNION ALL
        SELECT (SELECT min(root) FROM sources WHERE root > r.root) FROM r
        WHERE r.root IS NOT NULL)
    SELECT root FROM r WHERE root IS NOT NULL"""


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
    entry_id, data, fmt, title, *columns = row
    return StoredEntry(id=int(entry_id), entry=from_data(Entry, entry_data(data, *columns)),
                       format=fmt, document_title=title)


def like_escaped(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its own % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


class SharedReads:
    """Reads both engines answer with the same SQL (parameters written `?`), mixed into each
    store; each engine's `_select` runs it in its own terms."""

    # Whether document `d` has a tag (its first parameter) or one below it (its second, a
    # LIKE pattern): each engine reads the JSON list of tags its own way.
    _HAS_TAG: str

    def _select(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of `sql`."""
        raise NotImplementedError  # each engine's

    def filtered_documents(self, filters: Filters) -> set[int]:
        """Ids of the documents that pass `filters`."""
        where: list[str] = []
        args: list[Any] = []
        if filters.source is not None:
            prefix = filters.source.rstrip("/")
            where.append("(s.path = ? OR s.path LIKE ? ESCAPE '\\' OR s.root = ?)")
            args += [prefix, like_escaped(prefix) + "/%", prefix]
        if filters.format is not None:
            where.append("d.format = ?")
            args.append(filters.format)
        if filters.tag is not None:
            tag = filters.tag.lstrip("#").casefold()
            where.append(self._HAS_TAG)
            args += [tag, like_escaped(tag) + "/%"]
        sql = "SELECT d.id FROM documents d JOIN sources s ON d.source_id = s.id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return {int(r[0]) for r in self._select(sql, args)}

    def source(self, path: str) -> SourceRecord | None:
        rows = self._select(SOURCE_SELECT + " WHERE s.path = ?", (path,))
        return source_record(rows[0]) if rows else None

    def sources(self, *, root: str | None = None, failed: bool = False) -> list[SourceRecord]:
        where: list[str] = []
        args: list[Any] = []
        if root is not None:
            where.append("s.root = ?")
            args.append(root)
        if failed:
            where.append("s.status = 'failed'")
        clause = " WHERE " + " AND ".join(where) if where else ""
        return [source_record(r)
                for r in self._select(SOURCE_SELECT + clause + " ORDER BY s.path", args)]

    def source_roots(self) -> list[str]:
        """Every folder (or file) given to ingest: where grimoire.toml may live."""
        return [str(r) for (r,) in self._select(_ROOTS)]

    def entries_named(self, norm: str) -> list[StoredEntry]:
        return [stored_entry(r) for r in self._select(
            ENTRY_SELECT + " WHERE e.id IN (SELECT entry_id FROM entry_names WHERE norm = ?)"
            " ORDER BY s.path, e.start_line, e.id", (norm,))]

    def entry_names(self) -> list[tuple[str, str]]:
        """(normalised name, display name) for every entry term and alias."""
        return [(norm, name) for norm, name in self._select(
            "SELECT DISTINCT norm, name FROM entry_names ORDER BY norm, name")]

    def stats(self) -> Stats:
        return stats(self._select)
