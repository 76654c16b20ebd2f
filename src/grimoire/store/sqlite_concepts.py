"""SQLite tables and queries for concepts, names, the link graph (the resolve stage's storage).

The concept tables are derived data: resolve rewrites them whole from entries and links, so
they hold no foreign keys into the core tables (a cascade check per deleted entry would make
re-ingest slow). Triggers on `sources` mark them stale whenever a file is added, changed or
removed, and readers resolve again before answering.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from grimoire.codec import from_data
from grimoire.model import Entry, Span
from grimoire.store._resolve_rows import section_rows, unique_names
from grimoire.store.records import (
    EntryRow,
    HeadingRow,
    LinkRow,
    Resolution,
    ResolveInput,
    StoredEntry,
)

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


class ConceptSQL:
    """Concept queries, mixed into SQLiteStore."""

    conn: sqlite3.Connection
    path: str

    # -- resolve's input and output -------------------------------------------------------

    def concepts_stale(self, fingerprint: str) -> bool:
        """Whether files or the overrides changed since the last resolve."""
        dirty, seen = self.conn.execute(
            "SELECT dirty, overrides FROM concept_state WHERE id = 1").fetchone()
        return bool(dirty) or seen != fingerprint

    def source_roots(self) -> list[str]:
        """Every folder (or file) given to ingest: where grimoire.toml may live."""
        return [r for (r,) in self.conn.execute(
            "SELECT DISTINCT root FROM sources WHERE root IS NOT NULL")]

    def resolve_input(self) -> ResolveInput:
        """Entries, links and headings, as resolve reads them."""
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
                    kind=k, fragment=f, exists_hint=None if h is None else bool(h))
            for i, d, e, p, line, t, lab, k, f, h in c.execute(
                """SELECT l.id, l.document_id, l.entry_id, s.path, l.start_line, l.target,
                          l.label, l.kind, l.fragment, l.exists_hint
                   FROM links l JOIN documents d ON l.document_id = d.id
                   JOIN sources s ON d.source_id = s.id ORDER BY l.id""")
        ]
        headings = [
            HeadingRow(d, p, tuple(json.loads(hp)), lo, hi)
            for d, p, hp, lo, hi in c.execute(
                """SELECT p.document_id, s.path, p.heading_path, min(p.start_line),
                          max(p.end_line)
                   FROM passages p JOIN documents d ON p.document_id = d.id
                   JOIN sources s ON d.source_id = s.id
                   WHERE p.heading_path != '[]'
                   GROUP BY p.document_id, p.heading_path""")
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
        return ResolveInput(entries, links, headings, documents)

    def write_resolution(self, resolution: Resolution, fingerprint: str) -> None:
        """Replace the concept tables with `resolution`; a concept keeps its id by key."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
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
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")

    # -- lookups ----------------------------------------------------------------------------

    def concepts_named(self, norm: str) -> list[tuple[int, int]]:
        """(concept id, strength) of every concept with this name, strongest first."""
        return list(self.conn.execute(
            "SELECT concept_id, strength FROM concept_names WHERE norm = ? "
            "ORDER BY strength DESC, concept_id", (norm,)))

    def concept_row(self, concept_id: int) -> tuple[int, str, str, str | None] | None:
        """(id, key, label, kind)."""
        row = self.conn.execute(
            "SELECT id, key, label, kind FROM concepts WHERE id = ?", (concept_id,)).fetchone()
        return tuple(row) if row else None

    def concept_names_of(
        self, concept_id: int
    ) -> list[tuple[str, str, int, str | None, int | None]]:
        """(name, reason, strength, path, line) for each name, strongest first."""
        return list(self.conn.execute(
            """SELECT n.name, n.reason, n.strength, s.path, e.start_line
               FROM concept_names n LEFT JOIN entries e ON e.id = n.entry_id
               LEFT JOIN documents d ON d.id = e.document_id
               LEFT JOIN sources s ON s.id = d.source_id
               WHERE n.concept_id = ? ORDER BY n.strength DESC, n.name""", (concept_id,)))

    def concept_entries_of(self, concept_id: int) -> list[tuple[StoredEntry, str]]:
        """(entry, role) for each entry of the concept, in file and line order."""
        rows = self.conn.execute(
            """SELECT e.id, e.data, d.format, d.title, ce.role
               FROM concept_entries ce JOIN entries e ON e.id = ce.entry_id
               JOIN documents d ON e.document_id = d.id JOIN sources s ON d.source_id = s.id
               WHERE ce.concept_id = ? ORDER BY s.path, e.start_line""", (concept_id,))
        return [(StoredEntry(id=i, entry=from_data(Entry, json.loads(data)), format=fmt,
                             document_title=title), role)
                for i, data, fmt, title, role in rows]

    def concept_passages(self, concept_id: int, limit: int = 12) -> list[tuple[int, str]]:
        """(passage id, text) of the passages in the concept's entries."""
        return list(self.conn.execute(
            """SELECT p.id, p.text FROM concept_entries ce JOIN passages p
                 ON p.entry_id = ce.entry_id
               WHERE ce.concept_id = ? ORDER BY p.id LIMIT ?""", (concept_id, limit)))

    def passage_spans(self, ids: list[int]) -> dict[int, tuple[Span, str]]:
        """passage id -> (span, text)."""
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"""SELECT p.id, s.path, p.start_line, p.end_line, p.text FROM passages p
                JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id
                WHERE p.id IN ({marks})""", ids)
        return {pid: (Span(path, a, b), text) for pid, path, a, b, text in rows}

    def concept_sections_of(self, concept_id: int) -> list[tuple[str, str, int, int, str, str]]:
        """(heading, path, start, end, document title, text) for each section."""
        out = []
        for heading, doc, path, start, end, title in self.conn.execute(
            """SELECT cs.heading, cs.document_id, s.path, cs.start_line, cs.end_line, d.title
               FROM concept_sections cs JOIN documents d ON d.id = cs.document_id
               JOIN sources s ON s.id = d.source_id
               WHERE cs.concept_id = ? ORDER BY s.path, cs.start_line""", (concept_id,)):
            text = "\n\n".join(t for (t,) in self.conn.execute(
                """SELECT text FROM passages WHERE document_id = ? AND start_line >= ?
                   AND end_line <= ? ORDER BY seq""", (doc, start, end)))
            out.append((heading, path, start, end, title, text))
        return out

    def concept_merges_of(self, concept_id: int) -> list[tuple[str, int, str, int, str, str]]:
        """(path, line, other path, other line, name, reason) for each merge."""
        return list(self.conn.execute(
            """SELECT sa.path, ea.start_line, sb.path, eb.start_line, m.name, m.reason
               FROM concept_merges m
               JOIN entries ea ON ea.id = m.entry_id JOIN documents da ON da.id = ea.document_id
               JOIN sources sa ON sa.id = da.source_id
               JOIN entries eb ON eb.id = m.other_entry_id
               JOIN documents db ON db.id = eb.document_id JOIN sources sb ON sb.id = db.source_id
               WHERE m.concept_id = ?""", (concept_id,)))

    def concept_links(self, concept_id: int, *, incoming: bool) -> list[tuple[Any, ...]]:
        """Links into (backlinks) or out of a concept: (path, start, end, kind, target, label,
        status, other concept id, other label, document title)."""
        mine, other = ("concept_id", "source_concept_id") if incoming else \
            ("source_concept_id", "concept_id")
        return list(self.conn.execute(
            f"""SELECT s.path, l.start_line, l.end_line, l.kind, l.target, l.label, t.status,
                       t.{other}, c.label, d.title
                FROM link_targets t JOIN links l ON l.id = t.link_id
                JOIN documents d ON d.id = l.document_id JOIN sources s ON s.id = d.source_id
                LEFT JOIN concepts c ON c.id = t.{other}
                WHERE t.{mine} = ? AND t.status IN ('resolved', 'wanted', 'ambiguous')
                ORDER BY s.path, l.start_line""",
            (concept_id,)))

    def concept_summaries(self) -> list[tuple[int, str, str | None, int, int]]:
        """(id, label, kind, entries, sources) for every concept, A-Z by key."""
        return list(self.conn.execute(
            """SELECT c.id, c.label, c.kind, count(ce.entry_id),
                      count(DISTINCT d.source_id)
               FROM concepts c LEFT JOIN concept_entries ce ON ce.concept_id = c.id
               LEFT JOIN entries e ON e.id = ce.entry_id
               LEFT JOIN documents d ON d.id = e.document_id
               GROUP BY c.id ORDER BY c.key"""))

    def multi_source_concepts(self) -> list[tuple[int, str, int]]:
        """(id, label, sources) of concepts whose entries come from more than one file."""
        return list(self.conn.execute(
            """SELECT c.id, c.label, count(DISTINCT d.source_id) AS n
               FROM concepts c JOIN concept_entries ce ON ce.concept_id = c.id
                 AND ce.role = 'entry'
               JOIN entries e ON e.id = ce.entry_id JOIN documents d ON d.id = e.document_id
               GROUP BY c.id HAVING n > 1 ORDER BY c.key"""))

    def unresolved_links(self, status: str = "wanted") -> list[tuple[str, str, str, int, int, str]]:
        """(norm, name, path, start, end, kind) of every link with `status`, by name."""
        return list(self.conn.execute(
            """SELECT t.norm, t.name, s.path, l.start_line, l.end_line, l.kind
               FROM link_targets t JOIN links l ON l.id = t.link_id
               JOIN documents d ON d.id = l.document_id JOIN sources s ON s.id = d.source_id
               WHERE t.status = ? ORDER BY t.norm, s.path, l.start_line""", (status,)))

    def concept_name_list(self) -> list[tuple[str, str]]:
        """(norm, name) of every concept name, for "did you mean"."""
        return list(self.conn.execute("SELECT norm, name FROM concept_names"))

    def concept_edges(self, ids: Iterable[int]) -> list[tuple[int, int, str, int]]:
        """(source, target, link kind, count) of resolved links touching any of `ids`."""
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
        return list(dict.fromkeys(out))

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

    def entry_concepts(self) -> dict[int, int]:
        """entry id -> concept id, for every entry."""
        return dict(self.conn.execute("SELECT entry_id, concept_id FROM concept_entries"))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def span_of(path: str | None, start: int | None, end: int | None = None) -> Span | None:
    """A Span from nullable columns."""
    if path is None or start is None:
        return None
    return Span(path, start, end if end is not None else start)
