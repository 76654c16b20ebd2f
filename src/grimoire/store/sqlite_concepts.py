"""SQLite tables and queries for concepts, names, the link graph (the resolve stage's storage).

The concept tables are derived data: resolve rewrites them whole from entries and links, so
they hold no foreign keys into the core tables (a cascade check per deleted entry would make
re-ingest slow). Triggers on `sources` mark them stale whenever a file is added, changed or
removed, and readers resolve again before answering.

Resolve's records (`concept_records`) and row helpers are imported where they are built: a
search opens this store and builds none of them (cold start, issue 14).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from grimoire.model import Span
from grimoire.store._concept_lookups import ConceptLookups
from grimoire.store._heading_sql import HEADING_SELECT

if TYPE_CHECKING:
    from grimoire.store.concept_records import ConceptEdge, Resolution, ResolveInput

CONCEPT_SCHEMA = """
    CREATE TABLE concepts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        kind TEXT
    );
    CREATE TABLE concept_names (
        concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        norm TEXT NOT NULL,
        reason TEXT NOT NULL,
        strength INTEGER NOT NULL,
        entry_id INTEGER,
        link_id INTEGER,
        PRIMARY KEY (concept_id, norm)
    );
    CREATE INDEX concept_names_norm ON concept_names(norm, strength);
    CREATE TABLE concept_entries (
        entry_id INTEGER PRIMARY KEY,
        concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
        role TEXT NOT NULL
    );
    CREATE INDEX concept_entries_concept ON concept_entries(concept_id);
    CREATE TABLE concept_merges (
        concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
        entry_id INTEGER NOT NULL,
        other_entry_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE INDEX concept_merges_concept ON concept_merges(concept_id);
    CREATE TABLE concept_sections (
        concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
        document_id INTEGER NOT NULL,
        heading TEXT NOT NULL,
        start_line INTEGER NOT NULL,
        end_line INTEGER NOT NULL
    );
    CREATE INDEX concept_sections_concept ON concept_sections(concept_id);
    CREATE TABLE link_targets (
        link_id INTEGER PRIMARY KEY,
        status TEXT NOT NULL,
        concept_id INTEGER REFERENCES concepts(id) ON DELETE SET NULL,
        source_concept_id INTEGER REFERENCES concepts(id) ON DELETE SET NULL,
        name TEXT NOT NULL,
        norm TEXT NOT NULL
    );
    CREATE INDEX link_targets_concept ON link_targets(concept_id);
    CREATE INDEX link_targets_source ON link_targets(source_concept_id);
    CREATE INDEX link_targets_status ON link_targets(status, norm);
    CREATE TABLE concept_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        dirty INTEGER NOT NULL,
        overrides TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO concept_state (id, dirty) VALUES (1, 1);
    CREATE TRIGGER sources_added AFTER INSERT ON sources
        BEGIN UPDATE concept_state SET dirty = 1 WHERE dirty = 0; END;
    CREATE TRIGGER sources_changed AFTER UPDATE ON sources
        BEGIN UPDATE concept_state SET dirty = 1 WHERE dirty = 0; END;
    CREATE TRIGGER sources_removed AFTER DELETE ON sources
        BEGIN UPDATE concept_state SET dirty = 1 WHERE dirty = 0; END;
"""

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


class ConceptSQL(ConceptLookups):
    """Concept queries, mixed into SQLiteStore."""

    conn: sqlite3.Connection
    path: str
    transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]  # SQLiteStore's

    _HAS_TAG = ("EXISTS (SELECT 1 FROM json_each(d.tags) t WHERE lower(ltrim(t.value, '#')) = ?"
                " OR lower(ltrim(t.value, '#')) LIKE ? ESCAPE '\\')")

    def _select(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, args).fetchall()

    # -- resolve's input and output -------------------------------------------------------

    def resolving(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction: no other process writes a file from resolve's read to its
        write (SQLite has one writer at a time)."""
        return self.transaction()

    def concepts_stale(self, fingerprint: str) -> bool:
        """Whether files or the overrides changed since the last resolve."""
        dirty, seen = self.conn.execute(
            "SELECT dirty, overrides FROM concept_state WHERE id = 1").fetchone()
        return bool(dirty) or seen != fingerprint

    def resolve_input(self) -> ResolveInput:
        """Entries, links and headings, as resolve reads them."""
        from grimoire.store._resolve_rows import address_rows, label_rows, section_rows
        from grimoire.store.concept_records import EntryRow, HeadingRow, LinkRow, ResolveInput
        from grimoire.store.sqlite_resolve_state import ADDRESSES_SELECT, LABELS_SELECT

        c = self.conn
        entries = [
            EntryRow(id=i, document_id=d, path=p, line=line, term=term, definition=defn or "",
                     redirect=red, aliases=tuple(json.loads(al)) if al else (), kind=kind)
            for i, d, p, line, term, defn, red, al, kind in c.execute(
                """SELECT e.id, e.document_id, s.path, e.start_line, e.term,
                          substr(json_extract(e.data, '$.definition'), 1, 240), e.redirect,
                          json_extract(e.data, '$.aliases'), json_extract(e.data, '$.kind')
                   FROM entries e JOIN documents d ON e.document_id = d.id
                   JOIN sources s ON d.source_id = s.id ORDER BY e.id""")
        ]
        links = [
            LinkRow(id=i, document_id=d, entry_id=e, path=p, line=line, target=t, label=lab,
                    kind=k, fragment=f, exists_hint=None if h is None else bool(h), href=hr,
                    no_page=np)
            for i, d, e, p, line, t, lab, k, f, h, hr, np in c.execute(
                """SELECT l.id, l.document_id, l.entry_id, s.path, l.start_line, l.target,
                          l.label, l.kind, l.fragment, l.exists_hint, l.href, l.no_page
                   FROM links l JOIN documents d ON l.document_id = d.id
                   JOIN sources s ON d.source_id = s.id ORDER BY l.id""")
        ]
        headings = [
            HeadingRow(d, p, tuple(json.loads(hp)), lo, hi, inside)
            for d, p, hp, lo, hi, inside in c.execute(
                HEADING_SELECT + " GROUP BY p.document_id, p.heading_path")
        ]
        # A reader may also list the page's sections in meta (the rendered MediaWiki reader
        # does): headings with no text left under them still name what the page is about.
        for d, p, tree in c.execute(
            """SELECT d.id, s.path, json_extract(d.meta, '$.sections')
               FROM documents d JOIN sources s ON d.source_id = s.id
               WHERE json_type(d.meta, '$.sections') = 'array'"""):
            headings.extend(section_rows(d, p, json.loads(tree), ()))
        documents = dict(c.execute(
                """SELECT s.path, min(d.id) FROM documents d JOIN sources s ON d.source_id = s.id
                   GROUP BY s.id HAVING count(*) = 1"""))
        paths = tuple(p for (p,) in c.execute("SELECT path FROM sources ORDER BY path"))
        labels = [r for d, p, found in c.execute(LABELS_SELECT)
                  for r in label_rows(d, p, json.loads(found))]
        addresses = [r for d, p, meta in c.execute(ADDRESSES_SELECT)
                     for r in address_rows(d, p, json.loads(meta))]
        return ResolveInput(entries, links, headings, documents, paths, labels, addresses)

    def write_resolution(self, resolution: Resolution, fingerprint: str) -> None:
        """Replace the concept tables with `resolution`; a concept keeps its id by key."""
        from grimoire.store._resolve_rows import unique_names

        with self.transaction() as c:
            old = dict(c.execute("SELECT key, id FROM concepts"))
            next_id = max(old.values(), default=0) + 1
            ids: list[int] = []
            for record in resolution.concepts:
                cid = old.get(record.key)
                if cid is None:
                    cid, next_id = next_id, next_id + 1
                ids.append(cid)
            for table in ("link_targets", "concept_sections", "concept_merges",
                          "concept_entries", "concept_names", "concepts"):
                c.execute(f"DELETE FROM {table}")
            c.executemany(
                "INSERT INTO concepts (id, key, label, kind) VALUES (?, ?, ?, ?)",
                [(ids[i], r.key, r.label, r.kind) for i, r in enumerate(resolution.concepts)])
            c.executemany(
                """INSERT INTO concept_names (concept_id, name, norm, reason, strength, entry_id,
                       link_id) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [(ids[i], n.name, n.norm, n.reason, n.strength, n.entry_id, n.link_id)
                 for i, r in enumerate(resolution.concepts) for n in unique_names(r.names)])
            c.executemany(
                "INSERT INTO concept_entries (entry_id, concept_id, role) VALUES (?, ?, ?)",
                [(e, ids[i], role) for i, r in enumerate(resolution.concepts)
                 for e, role in r.entries])
            c.executemany(
                """INSERT INTO concept_merges (concept_id, entry_id, other_entry_id, name, reason)
                   VALUES (?, ?, ?, ?, ?)""",
                [(ids[i], m.entry_id, m.other_entry_id, m.name, m.reason)
                 for i, r in enumerate(resolution.concepts) for m in r.merges])
            c.executemany(
                """INSERT INTO concept_sections (concept_id, document_id, heading, start_line,
                       end_line) VALUES (?, ?, ?, ?, ?)""",
                [(ids[i], s.document_id, s.heading, s.start_line, s.end_line)
                 for i, r in enumerate(resolution.concepts) for s in r.sections])
            c.executemany(
                """INSERT INTO link_targets (link_id, status, concept_id, source_concept_id, name,
                       norm) VALUES (?, ?, ?, ?, ?, ?)""",
                [(t.link_id, t.status, None if t.target is None else ids[t.target],
                  None if t.source is None else ids[t.source], t.name, t.norm)
                 for t in resolution.links])
            c.execute("UPDATE concept_state SET dirty = 0, overrides = ? WHERE id = 1",
                      (fingerprint,))

    # -- lookups ----------------------------------------------------------------------------

    def passage_spans(self, ids: list[int]) -> dict[int, tuple[Span, str]]:
        """passage id -> (span, text)."""
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"""SELECT p.id, s.path, p.start_line, p.end_line, p.text FROM passages p
                JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id
                WHERE p.id IN ({marks})""", ids)
        return {pid: (Span(path, a, b), text) for pid, path, a, b, text in rows}

    def concept_edges(self, ids: Iterable[int]) -> list[ConceptEdge]:
        """Resolved links touching any of `ids`, counted by kind."""
        from grimoire.store.concept_records import ConceptEdge

        out: list[tuple[int, int, str, int]] = []
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            # One indexed lookup per end, not `a IN (...) OR b IN (...)`: with the OR, SQLite
            # picks the status index and scans every resolved link (570 ms at 10k concepts).
            # `+t.status` keeps the planner on the concept indexes.
            for end in ("source_concept_id", "concept_id"):
                out.extend(self.conn.execute(
                    f"""SELECT t.source_concept_id, t.concept_id, l.kind, count(*)
                        FROM link_targets t JOIN links l ON l.id = t.link_id
                        WHERE t.{end} IN ({marks}) AND +t.status = 'resolved'
                          AND t.source_concept_id IS NOT NULL
                          AND t.source_concept_id != t.concept_id
                        GROUP BY 1, 2, 3""",
                    chunk))
        return [ConceptEdge(*edge) for edge in sorted(set(out))]

    def concept_labels(self, ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
        """id -> (label, kind)."""
        out: dict[int, tuple[str, str | None]] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for cid, label, kind in self.conn.execute(
                    f"SELECT id, label, kind FROM concepts WHERE id IN ({marks})",
                    chunk):
                out[cid] = (label, kind)
        return out



def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def span_of(path: str | None, start: int | None, end: int | None = None) -> Span | None:
    """A Span from nullable columns."""
    if path is None or start is None:
        return None
    return Span(path, start, end if end is not None else start)
