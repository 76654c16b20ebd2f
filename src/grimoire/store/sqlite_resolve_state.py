"""SQLite tables and queries for incremental resolve: what changed, and the keys that tell
which concepts a change can touch.

`resolve_changed` logs every path whose source row was added or removed (by trigger, so no
write path can forget it); `resolve_keys` holds, for every entry, link and document as the
last resolve saw it, the normalised names it can be reached by. Both are derived data: when
`resolve_ready` is empty the next resolve is a full one, which fills them again.

Resolve's records (`concept_records`) and row helpers are imported where they are built: a
search opens this store and builds none of them (cold start, issue 14).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from grimoire.store._heading_sql import HEADING_SELECT

if TYPE_CHECKING:
    from grimoire.model import Span
    from grimoire.store.concept_records import (
        AddressRow,
        ConceptRecord,
        EntryRow,
        HeadingRow,
        LabelRow,
        LinkRow,
        LinkTarget,
        SectionRecord,
    )

RESOLVE_STATE_SCHEMA = """
    CREATE TABLE resolve_changed (
        seq INTEGER PRIMARY KEY,
        path TEXT NOT NULL
    );
    CREATE TABLE resolve_ready (id INTEGER PRIMARY KEY CHECK (id = 1));
    CREATE TABLE resolve_keys (
        path TEXT NOT NULL,
        document_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        item INTEGER NOT NULL,
        norm TEXT NOT NULL
    );
    CREATE INDEX resolve_keys_norm ON resolve_keys(norm, kind);
    CREATE INDEX resolve_keys_item ON resolve_keys(item, kind);
    CREATE INDEX resolve_keys_path ON resolve_keys(path);
    CREATE TRIGGER sources_added_log AFTER INSERT ON sources
        BEGIN INSERT INTO resolve_changed (path) VALUES (NEW.path); END;
    CREATE TRIGGER sources_removed_log AFTER DELETE ON sources
        BEGIN INSERT INTO resolve_changed (path) VALUES (OLD.path); END;
"""

# (path, document id, kind, item, norm): kind "e" an entry's merge names (item: entry id),
# "l" a labelled wikilink's target and label (link id), "k" a link's lookup names (link id),
# "h" a document's heading names and "d" the document itself (document id).
StateRow = tuple[str, int, str, int, str]

_CHUNK = 500
_BULK_CACHE_KIB = 128 * 1024  # page cache while all keys are written (SQLite's default: 2 MB)

# Written with a full set of keys; bump it when `resolve/incremental.py` changes what the keys
# hold, so a store keyed by an older Grimoire resolves in full once instead of going wrong
# (2: an API link `Trainer.train` is also keyed by `trainer`; 3: a label a file defines, and
# a reference to it, are keyed by the label: `resolve.labels`; 4: the label casefolded;
# 5: the addresses a page's front matter publishes it at, by their last name: `resolve.addresses`).
KEYS_MARK: StateRow = ("", 0, "v", 0, "keys 5")

_ENTRY_SELECT = """
    SELECT e.id, e.document_id, s.path, e.start_line, e.term,
           substr(json_extract(e.data, '$.definition'), 1, 240), e.redirect,
           json_extract(e.data, '$.aliases'), json_extract(e.data, '$.kind')
    FROM entries e JOIN documents d ON e.document_id = d.id
    JOIN sources s ON d.source_id = s.id"""

_LINK_SELECT = """
    SELECT l.id, l.document_id, l.entry_id, s.path, l.start_line, l.target,
           l.label, l.kind, l.fragment, l.exists_hint, l.href, l.no_page
    FROM links l JOIN documents d ON l.document_id = d.id
    JOIN sources s ON d.source_id = s.id"""

_HEADING_SELECT = HEADING_SELECT

_SECTIONS_SELECT = """
    SELECT d.id, s.path, json_extract(d.meta, '$.sections')
    FROM documents d JOIN sources s ON d.source_id = s.id
    WHERE json_type(d.meta, '$.sections') = 'array'"""

# The labels each document defines (`LabelRow`), for a label reference from another file.
LABELS_SELECT = """
    SELECT d.id, s.path, json_extract(d.meta, '$.labels')
    FROM documents d JOIN sources s ON d.source_id = s.id
    WHERE json_type(d.meta, '$.labels') = 'object'"""

# The documents whose front matter may state where a site publishes them (`AddressRow`): a
# substring test of the meta's text (no JSON parsed for the rest); `address_rows` reads it.
ADDRESSES_SELECT = """
    SELECT d.id, s.path, d.meta
    FROM documents d JOIN sources s ON d.source_id = s.id
    WHERE (instr(d.meta, '"permalink"') OR instr(d.meta, '"url"')
           OR instr(d.meta, '"aliases"') OR instr(d.meta, '"redirect_from"'))"""


def _ids(ids: Iterable[int]) -> str:
    # Integers only, so inlining them is safe and lets SQLite use the primary key.
    return ",".join(str(int(i)) for i in ids) or "NULL"


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


class ResolveStateSQL:
    """Incremental resolve's queries, mixed into SQLiteStore."""

    conn: sqlite3.Connection
    transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]  # SQLiteStore's

    # -- the change log and the keys ---------------------------------------------------------

    def resolve_state_ready(self) -> bool:
        """Whether the keys describe the concept tables (else resolve must run in full)."""
        return self.conn.execute(
            "SELECT 1 FROM resolve_ready WHERE EXISTS (SELECT 1 FROM resolve_keys "
            "WHERE norm = ? AND kind = ?)", (KEYS_MARK[4], KEYS_MARK[2])).fetchone() is not None

    def resolve_changes(self) -> tuple[int, list[str]]:
        """(last log number, paths added or removed since the last resolve)."""
        top = self.conn.execute("SELECT max(seq) FROM resolve_changed").fetchone()[0] or 0
        paths = [p for (p,) in self.conn.execute(
            "SELECT DISTINCT path FROM resolve_changed WHERE seq <= ? ORDER BY path", (top,))]
        return top, paths

    def resolve_keys_of_paths(self, paths: Sequence[str], kind: str | None = None
                              ) -> list[StateRow]:
        """The stored keys of every item of these files (of one kind when given), as the
        last resolve saw them."""
        out: list[StateRow] = []
        for chunk in _chunks(list(paths)):
            marks = ",".join("?" * len(chunk))
            sql = ("SELECT path, document_id, kind, item, norm FROM resolve_keys "
                   f"WHERE path IN ({marks})")
            if kind is None:
                out.extend(self.conn.execute(sql, chunk))
            else:
                out.extend(self.conn.execute(f"{sql} AND kind = ?", [*chunk, kind]))
        return out

    def resolve_keys_by_norm(self, norms: Iterable[str], kinds: str) -> list[StateRow]:
        """The stored keys with one of `norms`, of the kinds listed (one letter each)."""
        values = sorted(set(norms))
        kind_marks = ",".join("?" * len(kinds))
        out: list[StateRow] = []
        for chunk in _chunks(values):
            marks = ",".join("?" * len(chunk))
            out.extend(self.conn.execute(
                f"SELECT path, document_id, kind, item, norm FROM resolve_keys "
                f"WHERE norm IN ({marks}) AND kind IN ({kind_marks})", [*chunk, *kinds]))
        return out

    def resolve_keys_of_items(self, kind: str, items: Iterable[int]) -> list[StateRow]:
        """Every stored key of these items (entry, link or document ids) of one kind."""
        out: list[StateRow] = []
        for chunk in _chunks(sorted(set(items))):
            out.extend(self.conn.execute(
                f"SELECT path, document_id, kind, item, norm FROM resolve_keys "
                f"WHERE item IN ({_ids(chunk)}) AND kind = ?", (kind,)))
        return out

    def write_resolve_keys(self, rows: Iterable[StateRow], paths: Sequence[str] | None,
                           upto: int) -> None:
        """Replace the keys of `paths` (all keys when None), drop the log up to `upto`, and
        mark the keys ready. Runs inside the caller's transaction when there is one."""
        with self.transaction() as c:
            insert = ("INSERT INTO resolve_keys (path, document_id, kind, item, norm) "
                      "VALUES (?, ?, ?, ?, ?)")
            if paths is None:
                # Keeping the three indexes in order costs more than the rows. Dropping them
                # and building them after (800k keys: 10.3 s against 28.5 s) is a schema
                # change, and another process writing at the same time then fails with "no
                # such table" (tests/hostile/test_processes.py). A page cache that holds the
                # indexes while they grow does most of it (41-45 s -> 19-26 s at load 11),
                # and is given back after.
                cache = c.execute("PRAGMA cache_size").fetchone()[0]
                c.execute(f"PRAGMA cache_size = {-_BULK_CACHE_KIB}")
                try:
                    c.execute("DELETE FROM resolve_keys")
                    c.execute(insert, KEYS_MARK)
                    c.executemany(insert, rows)
                finally:
                    c.execute(f"PRAGMA cache_size = {int(cache)}")
            else:
                for chunk in _chunks(list(paths)):
                    marks = ",".join("?" * len(chunk))
                    c.execute(f"DELETE FROM resolve_keys WHERE path IN ({marks})", chunk)
                c.executemany(insert, rows)
            c.execute("DELETE FROM resolve_changed WHERE seq <= ?", (upto,))
            c.execute("INSERT OR IGNORE INTO resolve_ready (id) VALUES (1)")

    def resolved_fingerprint(self) -> str:
        """The grimoire.toml fingerprint the concept tables were built with."""
        return str(self.conn.execute(
            "SELECT overrides FROM concept_state WHERE id = 1").fetchone()[0])

    # -- the rows resolve reads, for some files or items only --------------------------------

    def documents_of_paths(self, paths: Sequence[str]) -> list[tuple[int, str]]:
        """(document id, path) of every current document of these files."""
        out: list[tuple[int, str]] = []
        for chunk in _chunks(list(paths)):
            marks = ",".join("?" * len(chunk))
            out.extend(self.conn.execute(
                f"""SELECT d.id, s.path FROM documents d JOIN sources s ON d.source_id = s.id
                    WHERE s.path IN ({marks}) ORDER BY d.id""", chunk))
        return out

    def document_paths(self, ids: Iterable[int]) -> dict[int, str]:
        """document id -> its file's path."""
        out: dict[int, str] = {}
        for chunk in _chunks(sorted(set(ids))):
            out.update(self.conn.execute(
                f"""SELECT d.id, s.path FROM documents d JOIN sources s ON d.source_id = s.id
                    WHERE d.id IN ({_ids(chunk)})"""))
        return out

    def entry_rows(self, *, ids: Iterable[int] = (), documents: Iterable[int] = ()
                   ) -> list[EntryRow]:
        """The entries with these ids or in these documents, by id."""
        from grimoire.store.concept_records import EntryRow

        out: dict[int, EntryRow] = {}
        for column, values in (("e.id", ids), ("e.document_id", documents)):
            for chunk in _chunks(sorted(set(values))):
                for i, d, p, line, term, defn, red, al, kind in self.conn.execute(
                        f"{_ENTRY_SELECT} WHERE {column} IN ({_ids(chunk)})"):
                    out[i] = EntryRow(
                        id=i, document_id=d, path=p, line=line, term=term,
                        definition=defn or "", redirect=red,
                        aliases=tuple(json.loads(al)) if al else (), kind=kind)
        return [out[i] for i in sorted(out)]

    def link_rows(self, *, ids: Iterable[int] = (), documents: Iterable[int] = ()
                  ) -> list[LinkRow]:
        """The links with these ids or in these documents, by id."""
        from grimoire.store.concept_records import LinkRow

        out: dict[int, LinkRow] = {}
        for column, values in (("l.id", ids), ("l.document_id", documents)):
            for chunk in _chunks(sorted(set(values))):
                for i, d, e, p, line, t, lab, k, f, h, hr, np in self.conn.execute(
                        f"{_LINK_SELECT} WHERE {column} IN ({_ids(chunk)})"):
                    out[i] = LinkRow(
                        id=i, document_id=d, entry_id=e, path=p, line=line, target=t,
                        label=lab, kind=k, fragment=f,
                        exists_hint=None if h is None else bool(h), href=hr, no_page=np)
        return [out[i] for i in sorted(out)]

    def heading_rows(self, documents: Iterable[int]) -> list[HeadingRow]:
        """The headings of these documents, as `resolve_input` reads them."""
        from grimoire.store._resolve_rows import section_rows
        from grimoire.store.concept_records import HeadingRow

        out: list[HeadingRow] = []
        for chunk in _chunks(sorted(set(documents))):
            out.extend(
                HeadingRow(d, p, tuple(json.loads(hp)), lo, hi, inside)
                for d, p, hp, lo, hi, inside in self.conn.execute(
                    f"{_HEADING_SELECT} AND p.document_id IN ({_ids(chunk)}) "
                    "GROUP BY p.document_id, p.heading_path"))
            for d, p, tree in self.conn.execute(f"{_SECTIONS_SELECT} AND d.id IN "
                                                f"({_ids(chunk)})"):
                out.extend(section_rows(d, p, json.loads(tree), ()))
        return out

    def label_rows(self, *, labels: Iterable[str] = (), documents: Iterable[int] = ()
                   ) -> list[LabelRow]:
        """The definitions of these labels, wherever they are, and every label of these
        documents (`ResolveInput.labels`)."""
        from grimoire.resolve.labels import label_of
        from grimoire.store._resolve_rows import label_rows

        wanted = {label_of(x) for x in labels}
        docs = set(documents)
        if not wanted and not docs:
            return []
        out: list[LabelRow] = []
        if not wanted:  # a changed file's own labels: by its id, no scan
            for chunk in _chunks(sorted(docs)):
                for d, p, found in self.conn.execute(f"{LABELS_SELECT} AND d.id IN "
                                                     f"({_ids(chunk)})"):
                    out.extend(label_rows(d, p, json.loads(found)))
            return out
        # One scan of the documents that define labels (a book's chapters, not every note).
        for d, p, found in self.conn.execute(LABELS_SELECT):
            out.extend(r for r in label_rows(d, p, json.loads(found))
                       if label_of(r.label) in wanted or d in docs)
        return out

    def label_places(self, label: str) -> list[Span]:
        """Where the files that define `label` define it (lint: a label two files define)."""
        from grimoire.store._resolve_rows import label_places

        rows = self.label_rows(labels=[label])
        return label_places(rows, self.heading_rows({r.document_id for r in rows}))

    def source_paths(self) -> list[str]:
        """The path of every ingested file (`ResolveInput.paths`)."""
        return [p for (p,) in self.conn.execute("SELECT path FROM sources ORDER BY path")]

    def address_rows(self, documents: Iterable[int]) -> list[AddressRow]:
        """The addresses these documents are published at (`ResolveInput.addresses`)."""
        from grimoire.store._resolve_rows import address_rows

        out: list[AddressRow] = []
        for chunk in _chunks(sorted(set(documents))):
            for d, p, meta in self.conn.execute(f"{ADDRESSES_SELECT} AND d.id IN "
                                                f"({_ids(chunk)})"):
                out.extend(address_rows(d, p, json.loads(meta)))
        return out

    def single_documents(self) -> dict[str, int]:
        """path -> document id of every file that is one page (the target of `[x](a.md)`)."""
        return dict(self.conn.execute(
            """SELECT s.path, min(d.id) FROM documents d JOIN sources s ON d.source_id = s.id
               GROUP BY s.id HAVING count(*) = 1"""))

    # -- the concept tables, in part ---------------------------------------------------------

    def entries_with_concepts(self, documents: Iterable[int]
                              ) -> list[tuple[int, int, int, int | None]]:
        """(document, entry id, line, concept id) of every entry of these documents, by id."""
        out: list[tuple[int, int, int, int | None]] = []
        for chunk in _chunks(sorted(set(documents))):
            out.extend(self.conn.execute(
                f"""SELECT e.document_id, e.id, e.start_line, ce.concept_id FROM entries e
                    LEFT JOIN concept_entries ce ON ce.entry_id = e.id
                    WHERE e.document_id IN ({_ids(chunk)}) ORDER BY e.id"""))
        return out

    def concept_ids_of_entries(self, ids: Iterable[int]) -> dict[int, int]:
        """entry id -> concept id, as the concept tables hold them now."""
        out: dict[int, int] = {}
        for chunk in _chunks(sorted(set(ids))):
            out.update(self.conn.execute(
                f"SELECT entry_id, concept_id FROM concept_entries "
                f"WHERE entry_id IN ({_ids(chunk)})"))
        return out

    def concept_keys(self, ids: Iterable[int]) -> dict[str, int]:
        """key -> id of these concepts."""
        out: dict[str, int] = {}
        for chunk in _chunks(sorted(set(ids))):
            out.update(self.conn.execute(
                f"SELECT key, id FROM concepts WHERE id IN ({_ids(chunk)})"))
        return out

    def max_concept_id(self) -> int:
        """The largest concept id in use (0 when there is none)."""
        return int(self.conn.execute("SELECT max(id) FROM concepts").fetchone()[0] or 0)

    def links_touching(self, concepts: Iterable[int]) -> set[int]:
        """Ids of the links that lead to or leave from any of these concepts."""
        out: set[int] = set()
        for chunk in _chunks(sorted(set(concepts))):
            for column in ("concept_id", "source_concept_id"):
                out.update(i for (i,) in self.conn.execute(
                    f"SELECT link_id FROM link_targets WHERE {column} IN ({_ids(chunk)})"))
        return out

    def links_with_status(self, statuses: Iterable[str]) -> set[int]:
        """Ids of the links stored with any of these statuses (the status index)."""
        wanted = sorted(set(statuses))
        marks = ", ".join("?" * len(wanted))
        return {i for (i,) in self.conn.execute(
            f"SELECT link_id FROM link_targets WHERE status IN ({marks})", wanted)}

    def links_of_entries(self, entries: Iterable[int]) -> set[int]:
        """Ids of the links that sit in these entries."""
        out: set[int] = set()
        for chunk in _chunks(sorted(set(entries))):
            out.update(i for (i,) in self.conn.execute(
                f"SELECT id FROM links WHERE entry_id IN ({_ids(chunk)})"))
        return out

    def section_documents_of(self, concepts: Iterable[int]) -> set[int]:
        """The documents holding a section of any of these concepts."""
        out: set[int] = set()
        for chunk in _chunks(sorted(set(concepts))):
            out.update(d for (d,) in self.conn.execute(
                f"SELECT DISTINCT document_id FROM concept_sections "
                f"WHERE concept_id IN ({_ids(chunk)})"))
        return out

    def concept_name_norms(self, concepts: Iterable[int]) -> set[str]:
        """Every normalised name of these concepts."""
        out: set[str] = set()
        for chunk in _chunks(sorted(set(concepts))):
            out.update(n for (n,) in self.conn.execute(
                f"SELECT norm FROM concept_names WHERE concept_id IN ({_ids(chunk)})"))
        return out

    def name_claims(self, norms: Iterable[str]) -> list[tuple[int, str, int]]:
        """(concept id, norm, strength) of every stored concept name with one of `norms`."""
        out: list[tuple[int, str, int]] = []
        for chunk in _chunks(sorted(set(norms))):
            marks = ",".join("?" * len(chunk))
            out.extend(self.conn.execute(
                f"SELECT concept_id, norm, strength FROM concept_names WHERE norm IN ({marks})",
                chunk))
        return out

    def sections_in(self, documents: Iterable[int]) -> list[tuple[int, SectionRecord]]:
        """(concept id, section) of the stored sections in these documents."""
        from grimoire.store.concept_records import SectionRecord

        out: list[tuple[int, SectionRecord]] = []
        for chunk in _chunks(sorted(set(documents))):
            out.extend(
                (cid, SectionRecord(doc, heading, start, end))
                for cid, doc, heading, start, end in self.conn.execute(
                    f"""SELECT concept_id, document_id, heading, start_line, end_line
                        FROM concept_sections WHERE document_id IN ({_ids(chunk)})"""))
        return out

    def write_partial_resolution(
        self, *, drop_concepts: Iterable[int], concepts: Sequence[ConceptRecord],
        ids: Sequence[int], extra_sections: Sequence[tuple[int, SectionRecord]],
        section_documents: Iterable[int], drop_links: Iterable[int],
        links: Sequence[LinkTarget], known: dict[int, int], fingerprint: str,
    ) -> None:
        """Replace some concepts and link targets, inside the caller's transaction.

        `concepts` (with `ids`) replace `drop_concepts`; the sections of `section_documents`
        become those of `concepts` there plus `extra_sections` (of other, kept concepts);
        `links` replace the targets of `drop_links`. A LinkTarget's `target` and `source`
        index `concepts` when below its length, else name `known[i]`, a kept concept's id.
        """
        from grimoire.store._resolve_rows import unique_names

        c = self.conn
        reused = set(drop_concepts) & set(ids)
        for chunk in _chunks(sorted(set(drop_concepts) - reused)):
            # The concept's names, entries, merges and sections go with it (ON DELETE CASCADE),
            # and the links to it lose their target (ON DELETE SET NULL).
            c.execute(f"DELETE FROM concepts WHERE id IN ({_ids(chunk)})")
        for chunk in _chunks(sorted(reused)):
            # A concept rebuilt under its own id (and key) stays, so the links to it are kept.
            for table in ("concept_names", "concept_entries", "concept_merges",
                          "concept_sections"):
                c.execute(f"DELETE FROM {table} WHERE concept_id IN ({_ids(chunk)})")
        for chunk in _chunks(sorted(set(section_documents))):
            c.execute(f"DELETE FROM concept_sections WHERE document_id IN ({_ids(chunk)})")
        for chunk in _chunks(sorted(set(drop_links))):
            c.execute(f"DELETE FROM link_targets WHERE link_id IN ({_ids(chunk)})")
        c.executemany("INSERT INTO concepts (id, key, label, kind) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (id) DO UPDATE SET label = excluded.label, "
                      "kind = excluded.kind",
                      [(ids[i], r.key, r.label, r.kind) for i, r in enumerate(concepts)])
        c.executemany(
            """INSERT INTO concept_names (concept_id, name, norm, reason, strength, entry_id,
                   link_id) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [(ids[i], n.name, n.norm, n.reason, n.strength, n.entry_id, n.link_id)
             for i, r in enumerate(concepts) for n in unique_names(r.names)])
        c.executemany(
            "INSERT OR REPLACE INTO concept_entries (entry_id, concept_id, role) VALUES (?, ?, ?)",
            [(e, ids[i], role) for i, r in enumerate(concepts) for e, role in r.entries])
        c.executemany(
            """INSERT INTO concept_merges (concept_id, entry_id, other_entry_id, name, reason)
               VALUES (?, ?, ?, ?, ?)""",
            [(ids[i], m.entry_id, m.other_entry_id, m.name, m.reason)
             for i, r in enumerate(concepts) for m in r.merges])
        sections = [(ids[i], s) for i, r in enumerate(concepts) for s in r.sections]
        c.executemany(
            """INSERT INTO concept_sections (concept_id, document_id, heading, start_line,
                   end_line) VALUES (?, ?, ?, ?, ?)""",
            [(cid, s.document_id, s.heading, s.start_line, s.end_line)
             for cid, s in [*sections, *extra_sections]])

        def concept_id(i: int | None) -> int | None:
            if i is None:
                return None
            return ids[i] if i < len(ids) else known[i]

        c.executemany(
            """INSERT OR REPLACE INTO link_targets (link_id, status, concept_id,
                   source_concept_id, name, norm) VALUES (?, ?, ?, ?, ?, ?)""",
            [(t.link_id, t.status, concept_id(t.target), concept_id(t.source), t.name, t.norm)
             for t in links])
        c.execute("UPDATE concept_state SET dirty = 0, overrides = ? WHERE id = 1",
                  (fingerprint,))
