"""SQLite backend: one file, WAL, foreign keys, schema versioned by `PRAGMA user_version`."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from grimoire.codec import to_data
from grimoire.errors import CorruptDatabase, NoRoom, RefusedValue, StoreError
from grimoire.model import Document, Problem, Span
from grimoire.store import _carry_vectors, _wal_index, sqlite_checked
from grimoire.store._io_cause import io_cause, probe
from grimoire.store._rows import ENTRY_SELECT, stored_entry
from grimoire.store._wal_index import log_cut
from grimoire.store.base import DAMAGED, Reads
from grimoire.store.document_rows import (
    DocumentRows,
    SourceItem,
    document_rows,
    meta_json,
    names_text,
    restored_json,
    stored_marks,
)
from grimoire.store.records import TABLES, PassageMarks, SourceRecord, StoredEntry
from grimoire.store.sqlite_ask import AskSQL
from grimoire.store.sqlite_concepts import CONCEPT_SCHEMA, ConceptSQL
from grimoire.store.sqlite_names import NAME_LOG_SCHEMA, NameLogSQL
from grimoire.store.sqlite_resolve_state import RESOLVE_STATE_SCHEMA, ResolveStateSQL
from grimoire.store.sqlite_search import SEARCH_SCHEMA, VECTOR_STAMP_SCHEMA, SearchSQL

APPLICATION_ID = 0x47524D31  # "GRM1": tells a Grimoire database from any other SQLite file

# Python's sqlite3 binds a None parameter as NULL only after asking for an adapter: its
# registry, then the protocol's `__adapt__` (a failed attribute lookup on a type, which
# formats an AttributeError and throws it away), then None's `__conform__`. A note's rows
# hold a dozen Nones (links' fragments and addresses, free passages' owners), and the
# lookups were 3% of the writer's instructions (issue 14). An adapter for None answers at
# the registry: `{}.get` is a builtin that returns None for any one argument, which binds as
# NULL, as before. The registry is the module's, for every connection in the process; the
# value bound for None is the same whoever asks.
_NO_ADAPTER: dict[object, None] = {}
sqlite3.register_adapter(type(None), _NO_ADAPTER.get)
READ_ONLY = "the database file is read-only: it can be searched, not changed"

# Each step moves the schema from version i to i + 1; never edit a released step.
CORE_SCHEMA = """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        root TEXT,
        format TEXT,
        status TEXT NOT NULL,
        reason TEXT,
        sha256 TEXT,
        size INTEGER NOT NULL DEFAULT 0,
        problems TEXT NOT NULL DEFAULT '[]',
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        page TEXT,
        title TEXT NOT NULL,
        format TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        meta TEXT NOT NULL DEFAULT '{}',
        revision TEXT
    );
    CREATE INDEX documents_source ON documents(source_id);
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        term TEXT NOT NULL,
        norm TEXT NOT NULL,
        start_line INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        redirect TEXT,
        data TEXT NOT NULL
    );
    CREATE INDEX entries_document ON entries(document_id);
    CREATE TABLE entry_names (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        norm TEXT NOT NULL,
        PRIMARY KEY (entry_id, norm)
    );
    CREATE INDEX entry_names_norm ON entry_names(norm);
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        entry_id INTEGER REFERENCES entries(id) ON DELETE SET NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        heading_path TEXT NOT NULL,
        text TEXT NOT NULL,
        start_line INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        marks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX passages_document ON passages(document_id);
    CREATE INDEX passages_entry ON passages(entry_id);
    CREATE TABLE links (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        entry_id INTEGER REFERENCES entries(id) ON DELETE CASCADE,
        target TEXT NOT NULL,
        norm TEXT NOT NULL,
        label TEXT,
        kind TEXT NOT NULL,
        fragment TEXT,
        exists_hint INTEGER,
        start_line INTEGER NOT NULL,
        end_line INTEGER NOT NULL
    );
    CREATE INDEX links_document ON links(document_id);
    CREATE INDEX links_norm ON links(norm);
"""

# `links.entry_id` cascades from entries: without an index, deleting one entry (every changed
# or removed file) scans every link (removing 1,000 notes from a 10k vault took 100 s).
LINKS_ENTRY_INDEX = "CREATE INDEX links_entry ON links(entry_id);"

# A passage outside any entry finds its concept through the section holding its line, looked
# up by document for each candidate of every search: without this index each lookup read the
# whole table (60 passages over 12k sections: 7 ms a list, 0.1 ms with it).
CONCEPT_SECTIONS_DOCUMENT_INDEX = (
    "CREATE INDEX concept_sections_document ON concept_sections(document_id);")

# Every search and lookup asks for the ingested roots (where grimoire.toml may live).
SOURCE_ROOT_INDEX = "CREATE INDEX sources_root ON sources(root);"

# A hybrid search counts the units that should have a vector: every passage and every entry
# but redirects. Counting the entries that are not redirects read the whole table (163 ms of a
# cold search at 1M passages); all entries less the redirects, from this index of only the
# redirects, takes a few (`vector_counts`).
ENTRY_REDIRECTS_INDEX = "CREATE INDEX entries_redirects ON entries(id) WHERE redirect IS NOT NULL;"


# The tables a search reads, where damage could pass for "nothing found": a damaged page
# gives no rows, not an error, so a hit whose passage, file or entry sat on it just vanishes.
# Smallest first, so that a check cut short by its budget has read the most tables: at 100k
# passages 0.3 s against 0.9 s for every page (the vectors' blobs are half of them); at 1M
# all but `passages` fit in a second, where every page takes 20 s.
READS = {"search": (
    "sources", "documents", "concept_state", "concepts", "concept_names", "concept_entries",
    "concept_sections", "passage_fts_idx", "entry_fts_idx", "entry_fts_docsize",
    "passage_fts_docsize", "entry_names", "entry_fts_data", "passage_fts_data", "entries",
    "passages")}

# The full-text rows of new passages and entries are written by the store in bulk, one
# statement per document, instead of by a trigger per row (`_insert_document`, issue 14).
FTS_BY_STORE = """
    DROP TRIGGER passages_fts_insert;
    DROP TRIGGER entries_fts_insert;
"""

_INSERTS = {
    "sources": "INSERT INTO sources (id, path, root, format, status, reason, sha256, size, "
               "problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "documents": "INSERT INTO documents (id, source_id, page, title, format, tags, meta, "
                 "revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "entries": "INSERT INTO entries (id, document_id, term, norm, start_line, end_line, "
               "redirect, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "entry_names": "INSERT INTO entry_names (entry_id, name, norm) VALUES (?, ?, ?)",
    "passages": "INSERT INTO passages (id, document_id, entry_id, seq, kind, heading_path, "
                "text, start_line, end_line, marks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "passage_fts": "INSERT INTO passage_fts (rowid, names, title, heading, body) "
                   "VALUES (?, ?, ?, ?, ?)",
    "links": "INSERT INTO links (document_id, entry_id, target, norm, label, kind, fragment, "
             "exists_hint, start_line, end_line, href, no_page) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
}
# Rows held before they are written: a streamed dump of 100k pages must not be held whole.
_FLUSH_ROWS = 20_000


def _problems_json(problems: tuple[Problem, ...]) -> str:
    # Most files have none: "[]" without building an encoder for an empty list.
    return json.dumps(to_data(problems)) if problems else "[]"


class _RowWriter:
    """Inserts files' rows table by table, with ids it gives itself (the write lock is held).

    Parents go in before children (foreign keys are checked per statement), so each flush
    writes the tables in `_INSERTS` order; the full-text rows are written here rather than
    by a trigger per row (schema 6), whose subqueries were half the cost of storing a note.
    """

    def __init__(self, c: sqlite3.Connection) -> None:
        self.c = c
        self.rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _INSERTS}
        self.held = 0
        self.next = dict.fromkeys(("sources", "documents", "entries", "passages"), 0)

    def write(self, items: Iterable[SourceItem]) -> None:
        # A file given twice (a folder and a file in it) is written once, as it was given
        # last: what replacing it twice in turn would leave.
        items = list({record.path: (record, docs) for record, docs in items}.values())
        paths = [(r.path,) for r, _ in items]
        carried = self._vectors_of(paths)
        # New ids follow those of the rows about to go: a file read again never gets its old
        # rows' ids. An embedding run still holding a list of those units (a background
        # worker) linked each id to the vector of the old row's text; a new row that took
        # the id got that vector whatever its own text, and kept it.
        for table in self.next:
            self.next[table] = self.c.execute(
                f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
        first_passage, first_entry = self.next["passages"], self.next["entries"]
        # Only files stored before have rows to forget: for a new one each of these three
        # statements found nothing, 300 a batch of new notes (4% of the writer's CPU).
        stored = self._stored(paths)
        for forget in _FORGET_FTS:
            self.c.executemany(forget, stored)
        self.c.executemany("DELETE FROM sources WHERE path = ?", stored)
        for record, documents in items:
            source_id = self._id("sources")
            self.rows["sources"].append((
                source_id, record.path, record.root, record.format, record.status,
                record.reason, record.sha256, record.size, _problems_json(record.problems),
            ))
            for document in documents:
                rows = document_rows(document) if isinstance(document, Document) else document
                self._document(source_id, rows)
                if self.held >= _FLUSH_ROWS:
                    self.flush()
        self.flush()
        if carried:
            self._carry(carried, first_passage, first_entry)

    def _stored(self, paths: list[tuple[str]]) -> list[tuple[str]]:
        """Those of `paths` that have a row in `sources`: one statement a batch (of at most
        500 paths, far below SQLite's limit on bound values)."""
        found: set[str] = set()
        for i in range(0, len(paths), 500):
            part = paths[i:i + 500]
            found.update(path for (path,) in self.c.execute(
                f"SELECT path FROM sources WHERE path IN ({', '.join('?' * len(part))})",
                [path for (path,) in part]))
        return [p for p in paths if p[0] in found]

    def _vectors_of(self, paths: list[tuple[str]]) -> _carry_vectors.Carried:
        """What vector each unit of these files has, by its embedded text (`_carry_vectors`);
        nothing to look up in a store without vectors (an ingest with `--no-embed`)."""
        carried: _carry_vectors.Carried = {}
        if not self.c.execute("SELECT passages + entries FROM vector_stamp").fetchone()[0]:
            return carried
        old_passages = _carry_vectors.OLD_PASSAGES.format("?")
        old_entries = _carry_vectors.OLD_ENTRIES.format("?")
        for path in paths:
            _carry_vectors.remember(carried, self.c.execute(old_passages, path),
                                    self.c.execute(old_entries, path))
        return carried

    def _carry(self, carried: _carry_vectors.Carried, first_passage: int,
               first_entry: int) -> None:
        """Point the units written from `first_passage` and `first_entry` on at the vectors
        their embedded texts had (the counts' triggers see each insert)."""
        found = _carry_vectors.links(
            carried,
            self.c.execute(_carry_vectors.NEW_PASSAGES.format("p.id >= ?"), (first_passage,)),
            self.c.execute(_carry_vectors.NEW_ENTRIES.format("e.id >= ?"), (first_entry,)))
        self.c.executemany("INSERT INTO passage_vecs (passage_id, hash) VALUES (?, ?)",
                           [(i, h) for kind, i, h in found if kind == "passage"])
        self.c.executemany("INSERT INTO entry_vecs (entry_id, hash) VALUES (?, ?)",
                           [(i, h) for kind, i, h in found if kind == "entry"])

    def _id(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table] - 1

    def _document(self, source_id: int, doc: DocumentRows) -> None:
        # Ids are taken as ranges and rows appended through bound methods: this runs for
        # every row of every note in the one writer process (issue 14).
        rows, next_id = self.rows, self.next
        page, title, format_, tags, meta, revision, entries, passages, _ = doc
        doc_id = self._id("documents")
        rows["documents"].append((doc_id, source_id, page, title, format_, tags, meta, revision))
        first_entry = next_id["entries"]
        next_id["entries"] = first_entry + len(entries)
        add_link = rows["links"].append
        if entries:
            add_entry, add_names = rows["entries"].append, rows["entry_names"].extend
            for entry_id, e in enumerate(entries, first_entry):
                term, norm, start, end, redirect, data, names, links = e
                add_entry((entry_id, doc_id, term, norm, start, end, redirect, data))
                add_names((entry_id, name, key) for name, key in names)
                for link in links:
                    add_link((doc_id, entry_id, *link))
        title = title or ""
        first_passage = next_id["passages"]
        next_id["passages"] = first_passage + len(passages)
        add_passage, add_passage_fts = rows["passages"].append, rows["passage_fts"].append
        for seq, p in enumerate(passages):
            entry, kind, heading_path, heading, text, start, end, marks, links = p
            passage_id = first_passage + seq
            if entry is None:
                owner, entry_names = None, ""
            else:
                owner, entry_names = first_entry + entry, names_text(entries[entry][6])
            add_passage((passage_id, doc_id, owner, seq, kind, heading_path, text, start, end,
                         marks))
            add_passage_fts((passage_id, entry_names, title, heading, text))
            for link in links:
                add_link((doc_id, None, *link))
        self.held += 1 + 3 * len(entries) + 2 * len(passages)

    def flush(self) -> None:
        entries = self.rows["entries"]
        written = (entries[0][0], entries[-1][0]) if entries else None  # their ids, in a row
        for table, sql in _INSERTS.items():
            if self.rows[table]:
                self.c.executemany(sql, self.rows[table])
                self.rows[table].clear()
        if written is not None:
            # One statement for the batch's entries, from their stored JSON: the values
            # `_FORGET_FTS` tells the index again when the file goes (`document_rows`).
            self.c.execute(_FTS_OF_WRITTEN_ENTRIES, written)
        self.held = 0




def _finite_meta(conn: sqlite3.Connection) -> None:
    """Rewrite the meta of documents stored before round 14 with NaN or Infinity in it.

    Python wrote those numbers as bare `NaN` tokens, which SQLite's JSON functions take for a
    malformed column: every later resolve of the store failed on "malformed JSON". Python's
    own parser reads them back, and `meta_json` keeps them as text, as an ingest does now.
    """
    rows = conn.execute("SELECT id, meta FROM documents WHERE NOT json_valid(meta)").fetchall()
    for doc_id, meta in rows:
        try:
            fixed = meta_json(json.loads(meta))
        except (ValueError, TypeError):
            continue  # damage, not a number JSON lacks: `grimoire check` names the row
        conn.execute("UPDATE documents SET meta = ? WHERE id = ?", (fixed, doc_id))


def _link_href(conn: sqlite3.Connection) -> None:
    """Give links their address as written (`Link.href`), where the reader kept only a name
    from it: lint showed the name, or read the source file again to find the address.

    A link stored before this step has none (NULL: it is shown by its name) until its file is
    read again, which the next ingest does (`ingest.READ_VERSION` changed with it). SQLite
    has no `ADD COLUMN IF NOT EXISTS`: a file whose version was set back (a test's) keeps
    the column it has. Schema step 6 on PostgreSQL.
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(links)")}
    if "href" not in columns:
        conn.execute("ALTER TABLE links ADD COLUMN href TEXT")


def _link_no_page(conn: sqlite3.Connection) -> None:
    """Give links the reader's word that they ask for no page (`Link.no_page`: `[[Source]]`,
    `[[@smith2019]]`), so that resolve never calls them wanted (round 38; `resolve.view` and
    lint judged each wanted page's name before).

    A link stored before this step has none (NULL) until its file is read again, which the
    next ingest does (`ingest.READ_VERSION` changed with it); till then `kb.wanted()` still
    leaves such names out by the rule. Schema step 7 on PostgreSQL.
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(links)")}
    if "no_page" not in columns:
        conn.execute("ALTER TABLE links ADD COLUMN no_page TEXT")


# What the full-text index holds for each passage and entry, computed from the stored rows:
# the values the store wrote into `passage_fts` and `entry_fts` (a passage's entry names in
# the order given, its document's title, its heading path joined by " / ", its text; an
# entry's term and aliases, its definition and glosses). A contentless table can forget a row
# only when it is told these values again (`_FORGET_FTS`), and the SQL that indexes a load
# (`FTS_OF_LOADED_*`) indexes them.
PASSAGE_FTS_VALUES = """
           coalesce((SELECT group_concat(name, ' ; ') FROM (
                         SELECT name FROM entry_names WHERE entry_id = p.entry_id
                         ORDER BY rowid)), ''),
           coalesce(d.title, ''),
           coalesce((SELECT group_concat(value, ' / ') FROM json_each(p.heading_path)), ''),
           p.text"""
ENTRY_FTS_VALUES = """
           e.term || ' ; ' || coalesce((SELECT group_concat(value, ' ; ')
                                        FROM json_each(e.data, '$.aliases')), ''),
           coalesce(json_extract(e.data, '$.definition'), '') || ' '
             || coalesce((SELECT group_concat(value, ' ')
                          FROM json_each(e.data, '$.glosses')), '')"""

# The full-text rows of the entries a write stored (ids from, to).
_FTS_OF_WRITTEN_ENTRIES = f"""INSERT INTO entry_fts (rowid, names, body)
    SELECT e.id, {ENTRY_FTS_VALUES} FROM entries e WHERE e.id BETWEEN ? AND ?"""

# Before a file's rows go (a re-read, a removal), its rows leave the full-text index, by path:
# the tables hold no copy of the text (`_contentless_fts`), so no trigger on a cascade could
# find what to forget once the document and the entry names are gone.
_FORGET_FTS = (
    "INSERT INTO passage_fts (passage_fts, rowid, names, title, heading, body)"
    f" SELECT 'delete', p.id, {PASSAGE_FTS_VALUES}"
    " FROM sources s JOIN documents d ON d.source_id = s.id"
    " JOIN passages p ON p.document_id = d.id WHERE s.path = ?",
    "INSERT INTO entry_fts (entry_fts, rowid, names, body)"
    f" SELECT 'delete', e.id, {ENTRY_FTS_VALUES}"
    " FROM sources s JOIN documents d ON d.source_id = s.id"
    " JOIN entries e ON e.document_id = d.id WHERE s.path = ?",
)

_FTS_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"


def _contentless_fts(conn: sqlite3.Connection) -> None:
    """Make the full-text tables contentless (`content=''`): they kept a copy of every
    passage's text, its title and headings beside `passages` (30% of a store of 10k notes),
    written for every passage and never read: search asks only for rowids and bm25, which
    the index and its row sizes give. The index is made again from the stored rows, with the
    values a fresh load indexes (`FTS_OF_LOADED_*`), so what was found before is found now.

    A row is forgotten by telling FTS5 its values again (`_FORGET_FTS`, before a file's rows
    are deleted), since SQLite before 3.43 has no `contentless_delete`; the delete triggers
    go. Schema step 14.
    """
    conn.execute("DROP TRIGGER IF EXISTS passages_fts_delete")
    conn.execute("DROP TRIGGER IF EXISTS entries_fts_delete")
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    for table, columns in (("passage_fts", "names, title, heading, body"),
                           ("entry_fts", "names, body")):
        if f"{table}_content" not in tables:
            continue  # contentless already: a file whose version was set back (a test's)
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, content = '', "
                     f"{_FTS_TOKENIZE})")
    # Indexed from the stored rows, as `_FORGET_FTS` will compute them when their file goes,
    # not copied from the old tables' own text: a row that differed from them (an alias
    # with a NUL, which SQLite's JSON reads back cut short) could not be forgotten whole.
    conn.execute(FTS_OF_LOADED_PASSAGES)
    conn.execute(FTS_OF_LOADED_ENTRIES)


def _stored_once(conn: sqlite3.Connection) -> None:
    """Keep each entry's JSON and each passage's marks without what other columns hold: an
    entry's term, span and redirect, and every span's file (`document_rows.stored_json`). The
    full-text rows read only the entries' definition, aliases and glosses, which stay. Schema
    step 16; PostgreSQL's step 8.
    """
    for table, column, entry in (("entries", "data", True), ("passages", "marks", False)):
        rows = conn.execute(
            f"SELECT x.id, x.{column}, s.path FROM {table} x JOIN documents d"
            f" ON d.id = x.document_id JOIN sources s ON s.id = d.source_id"
            f" WHERE x.{column} LIKE '%\"path\"%'").fetchall()
        conn.executemany(f"UPDATE {table} SET {column} = ? WHERE id = ?",
                         [(new, i) for i, data, path in rows
                          if (new := restored_json(data, path, entry)) is not None])


# A step is SQL, or a function for a repair SQL cannot express.
Migration = str | Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = [CORE_SCHEMA, CONCEPT_SCHEMA, SEARCH_SCHEMA, SOURCE_ROOT_INDEX,
                               RESOLVE_STATE_SCHEMA, FTS_BY_STORE, LINKS_ENTRY_INDEX,
                               NAME_LOG_SCHEMA, CONCEPT_SECTIONS_DOCUMENT_INDEX,
                               VECTOR_STAMP_SCHEMA, ENTRY_REDIRECTS_INDEX, _finite_meta,
                               _link_href, _contentless_fts, _link_no_page, _stored_once]


# SQLite's primary result codes that tell what is really wrong with a file.
_CANTOPEN, _READONLY, _CORRUPT, _NOTADB, _FULL = 14, 8, 11, 26, 13
# SQLITE_READONLY_ROLLBACK: a hot journal (left by a write that was killed) lies beside the
# file, and only a connection that can write may roll it back.
HOT_JOURNAL = 776


def hot_journal(path: str | os.PathLike[str]) -> str:
    """What to say when a hot journal cannot be rolled back: the file is not damaged."""
    name = Path(path).name
    return (f"an interrupted write left {name}-journal beside it (not damage): SQLite rolls "
            "it back only for a user who can write the file and its folder, so open it once "
            "as its owner; nothing was read")


# SQLITE_FULL: the disk (or the file system's quota) is full; SQLite rolled the write back.
_IOERR = 10
DISK_FULL = ("the disk is full (SQLite: database or disk is full); nothing of this write was "
             "kept and what was stored before is intact: free some space and run it again")


STILL_FULL = ("the disk is still full: after a write that failed for want of room the file "
              "cannot be opened again (SQLite needs room beside it for its -shm); what was "
              "stored before is intact: free some space and run it again")


def no_room(error: BaseException) -> str | None:
    """Why SQLite could not write, when it is for want of room: SQLITE_FULL (ENOSPC), or an
    I/O error under a file-size limit (`ulimit -f`: EFBIG, which SQLite reports only as
    "disk I/O error", a message that reads like a failing drive). None otherwise."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    if code == _FULL:
        return "the disk is full"
    if code != _IOERR:
        return None
    try:
        import resource
    except ImportError:  # not on Unix
        return None
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit == resource.RLIM_INFINITY:
        return None
    return (f"a file would pass this process's file-size limit ({limit:,} bytes, `ulimit -f`; "
            f"SQLite: {error})")


def write_failed(error: BaseException) -> str | None:
    """The message for a write that failed for want of room, rolled back; None otherwise."""
    reason = no_room(error)
    if reason is None:
        return None
    if reason == "the disk is full":
        return DISK_FULL
    return (f"{reason}; nothing of this write was kept and what was stored before is intact: "
            "raise the limit and run it again")

# A writer holds the lock for one batch (about half a second of storing; files are parsed
# before the write transaction opens), so another process waits that long rather than failing
# with "database is locked". Generous, since an embedding batch also writes.
BUSY_TIMEOUT_MS = 60_000


def _unusable(path: str) -> str | None:
    """Why `path` cannot be a database file at all (a folder, a missing folder), or None."""
    p = Path(path)
    if p.is_dir():
        return "is a folder, not a database file (give a file name, e.g. notes.db)"
    parent = p.parent
    if not p.exists() and not parent.is_dir():
        return f"the folder {str(parent)!r} does not exist"
    if p.exists() and not p.is_file():
        # /dev/null took the schema and failed at its commit with "disk I/O error".
        return "is not a regular file (a device, FIFO or socket); give a database file"
    if p.exists() and not os.access(p, os.R_OK):
        return "cannot be read: permission denied (check the file's owner and mode)"
    return None


def connect(path: str, *, create: bool = True) -> sqlite3.Connection:
    """Open a Grimoire SQLite file, migrated to the current schema.

    With `create=False` a missing file is an error and nothing is created (read commands).
    A file that cannot be written is opened read-only (it can still be searched). Another
    application's SQLite file, even an empty one, is refused and never changed.
    """
    return _connect(path, create)[0]


def _connect(path: str, create: bool,
             read_only: bool = False) -> tuple[sqlite3.Connection, tuple[int, int] | None, bool]:
    """`connect`, the device and inode of the file the connection holds (None: a new file or
    one in memory), checked while the connection held it, and whether it was opened
    read-only; `read_only`: opened so whatever `access` says (`_on_read_only_disk`)."""
    if not path.strip():
        # sqlite3 opens "" as a private temporary database, deleted on close: all work lost
        # (and " " would be a file named by a space, left in the working folder).
        raise StoreError("no database path given (an empty path is a temporary database "
                         "that is deleted on exit)")
    in_memory = path == ":memory:" or path.startswith("file:")
    problem = None if in_memory else _unusable(path)
    if problem:
        raise StoreError(problem, path)
    if not create and not in_memory and not Path(path).exists():
        raise StoreError("database does not exist (ingest something to create it)", path)
    existed = Path(path).exists() and Path(path).stat().st_size > 0
    readonly = existed and not in_memory and (read_only or not _writable(path))
    opened_as = _file_id(path) if existed and not in_memory else None
    conn = None
    try:
        conn = _open(path, readonly, read_only_disk=read_only)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        # A file in a rollback journal's mode (as rebuild and backup leave theirs) is locked
        # only during each statement: between two, rebuild could take its lock, rename its
        # new file over the path and let go, and this connection went on with the old file,
        # NAME.old, whose writes SQLite then refused ("attempt to write a readonly database",
        # round 39's leftover). Held by a transaction that writes nothing until the checks;
        # once in WAL mode a connection holds the file (a shared lock that rebuild's lock
        # waits on) from its first read until it closes.
        held = opened_as is not None and not readonly and journal != "wal"
        if held:
            conn.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as e:
        if conn is not None:
            conn.close()
        if not readonly and existed and _code(e) in (_CANTOPEN, _IOERR) \
                and _on_read_only_disk(path):
            return _connect(path, create, read_only=True)
        raise _open_error(e, path) from e
    if opened_as is not None and _replaced(path, opened_as):
        # Another file was renamed over the path while this one waited for its lock (the
        # swap of `grimoire rebuild`, which holds the old file locked until it is done): what
        # this connection wrote would go into the old file, now NAME.old. Open the new one.
        conn.close()
        return _connect(path, create, read_only)
    # Grimoire stamps its files in the same transaction that creates the schema, and turns on
    # WAL only after that; a file killed during its first migration is rolled back to no
    # tables, no stamp, version 0 and a rollback journal. Anything else unstamped, even an
    # empty file with only a version or WAL set, belongs to another application.
    ours_unfinished = (app_id, version, tables) == (0, 0, 0) and journal != "wal"
    if existed and app_id != APPLICATION_ID and not ours_unfinished:
        conn.close()
        owner = f"application_id {app_id:#x}" if app_id else "no Grimoire stamp"
        raise StoreError(f"not a Grimoire database ({owner}); left untouched", path)
    if version > len(MIGRATIONS):
        conn.close()
        message = f"database schema {version} is newer than this Grimoire ({len(MIGRATIONS)})"
        raise StoreError(message, path)
    if existed and not in_memory:
        try:
            damage = _damage_at_open(conn, path, opened_as)
        except StoreError:
            conn.close()
            raise
        if damage is not None:
            conn.close()  # before any migration or WAL switch writes to it
            if (cut := log_cut(path)) is not None:
                raise StoreError(cut, path)  # not damage: another process holds the writes
            raise CorruptDatabase(damage, path)
    if readonly:
        if version < len(MIGRATIONS):
            conn.close()
            raise StoreError("database is read-only and needs an upgrade: make it writable",
                             path)
        return conn, opened_as, True
    if held and conn.in_transaction:
        conn.execute("ROLLBACK")

    def moved() -> bool:  # checked again each time the file was let go since the last check
        return held and opened_as is not None and _replaced(path, opened_as)

    if version < len(MIGRATIONS) and not _migrate(conn, path, moved):
        conn.close()
        return _connect(path, create, read_only)
    # WAL only once the file carries our stamp: a crash before it leaves no foreign-looking file.
    try:
        switched = _use_wal(conn, moved)
    except sqlite3.DatabaseError as e:  # the switch writes: a full or failing disk
        conn.close()
        raise _open_error(e, path) from e
    if not switched:
        conn.close()
        return _connect(path, create, read_only)
    conn.execute("PRAGMA synchronous = NORMAL")
    if held:
        # In WAL mode now, this read holds the file for as long as the connection is open:
        # a file renamed over the path since the switch is seen here, before any write.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if moved():
            conn.close()
            return _connect(path, create, read_only)
    return conn, opened_as, False


# Seconds SQLite's quick check may take when an existing file is opened. It reads every page
# (about 600 MB/s warm: 1 ms for a 1 MB store, 50-80 ms for all five corpora, 30 MB); a
# larger file is checked for this long only, the rest is left to `grimoire check`, an empty
# result (`Grimoire._not_damaged`) and SQLite's own errors.
OPEN_CHECK_BUDGET = 0.1
# Seconds the checks a first opening did not finish get, once, at the next opening of the same
# unchanged file (a process that finds them cut short in the file's mark): the whole check of a
# 100k-passage store (435 MB) takes about 7 s; past this a store is checked in part, as before.
OPEN_CHECK_WHOLE = 15.0
# The files this process found sound at opening, as (device, inode, size, modification time)
# of the file and its -wal: opened again unchanged (a server's readers, the tests), they are
# not read again.
_SOUND_AT_OPEN: set[tuple[int, ...]] = set()
# How the checks at opening are named in the file's mark (`sqlite_checked`); a check cut
# short by OPEN_CHECK_WHOLE is kept as cut with WHOLE after its name, and not run again there.
_OPENING = "at opening: "
_WHOLE = " (whole)"
# The files (`sqlite_checked.file_state`) whose checks at opening this process found sound (in
# the mark or by itself), with the checks done and those cut short by their budget: what a
# store opened at that state carries forward to the states its own writes leave
# (`SQLiteStore._carry_checks`). Those behind an empty result (`SQLiteStore.damaged`) are not
# carried: they run again after a write.
_CHECKED_AT_OPEN: dict[tuple[int, ...], tuple[frozenset[str], frozenset[str]]] = {}


def _file_state(path: str) -> tuple[int, ...]:
    state: list[int] = []
    for name in (path, path + "-wal"):
        try:
            info = os.stat(name)  # noqa: PTH116 - a str in hand
        except OSError:
            state.extend((0, 0, 0, 0))
            continue
        state.extend((info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(state)


def _damage_at_open(conn: sqlite3.Connection, path: str,
                    opened_as: tuple[int, int] | None = None) -> str | None:
    """What SQLite's quick check, its integrity check and FTS5's check of each full-text
    index find wrong in the file at `path`, as the message to give; None when they find
    nothing in their time.

    A copy of a store made while it was written (`cp` during an ingest) holds pages of two
    versions: SQLite opens it, and a search answered from it with no error when the damaged
    pages were not the ones it read (1 copy in 40, round 38). Never repaired here: the file
    is left as it is.

    The checks get OPEN_CHECK_BUDGET seconds, in which a store past about 10 MB was never
    checked whole (FTS5's check, last, never ran on one: round 44). What they found sound is
    kept beside the file (`sqlite_checked`, with the file's state), so a later process opening
    it unchanged skips them and goes on where the last one stopped; one that finds a check
    cut short there runs the ones left to their end, once, within OPEN_CHECK_WHOLE seconds
    (where what it finds can be kept: `sqlite_checked.settled`).
    """
    state = _file_state(path)
    if state in _SOUND_AT_OPEN:
        return None
    marked = sqlite_checked.file_state(path) if opened_as is not None else None
    if marked is not None and marked[:2] != opened_as:
        marked = None  # another file moved over the path since
    known, cut = (sqlite_checked.passed(path, marked) if marked is not None
                  else (frozenset(), frozenset()))
    was_cut = cut
    started = sqlite_checked.now_ns()
    # Run whole only where what it finds can be kept (`settled`): a writer's commit is marked
    # at once (`SQLiteStore._carry_checks`), and each opening in the 2 s after it ran the whole
    # check, kept by none (review48a).
    whole = (any(c.startswith(_OPENING) and not c.endswith(_WHOLE) for c in cut)
             and marked is not None and sqlite_checked.settled(marked, started))
    budget = OPEN_CHECK_WHOLE if whole else OPEN_CHECK_BUDGET
    done, lock = threading.Event(), threading.Lock()

    def stop() -> None:
        with lock:  # never after the check ended: the interrupt would hit the next query
            if not done.is_set():
                conn.interrupt()

    found = "ok"
    checks: list[str] = []
    todo: list[str] = []
    finished: list[str] = []
    unchecked: list[str] = []  # cannot run here: not kept
    waits = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    timer = threading.Timer(budget, stop)
    deadline = time.monotonic() + budget
    timer.start()
    try:
        # The quick check reads every page but not the indexes against their rows: a torn
        # copy whose index lacks a row passed it and was answered from (review39a, on the
        # layout round 39's writer leaves); the integrity check reads those. SQLite's checks
        # read a full-text index's pages as rows, not as an index: FTS5's own (round 44).
        # Bounded in this thread too: the timer may fire between two statements, when an
        # interrupt reaches neither.
        conn.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        checks = _checks_at_opening(conn)
        todo = [c for c in checks if c not in known and c + _WHOLE not in cut]
        with (sqlite_checked.said_while_checked(path, budget, _why_whole(path, marked, todo))
              if whole and todo else contextlib.nullcontext()):
            for check in todo:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("interrupted")
                result = _check_at_open(conn, check.removeprefix(_OPENING))
                if result is None:
                    unchecked.append(check)
                elif result != "ok":
                    found = result
                    break
                else:
                    finished.append(check)
    except sqlite3.DatabaseError as e:
        if "interrupted" not in str(e) and not is_damage(e):
            # Not what the file holds: a lock held past the wait (the interrupt does not cut
            # a wait for a lock), an I/O error. Said as it is, never as damage.
            raise _open_error(e, path) from e
        if "interrupted" in str(e):
            # Checked in part: larger than the budget reads. Kept as cut short, so the
            # next process to open the file unchanged reads the rest whole; cut short
            # then too, the rest is left to `grimoire check` while the file is unchanged.
            left = [c for c in todo if c not in finished and c not in unchecked]
            cut = cut | ({c + _WHOLE for c in left} if whole else set(left[:1]))
        else:
            found = str(e)
    finally:
        conn.set_progress_handler(None, 0)
        with lock:
            done.set()
        timer.cancel()
        conn.execute(f"PRAGMA busy_timeout = {int(waits)}")  # after the timer: never cut
    if found == "ok":
        quick = f"{_OPENING}PRAGMA quick_check(1)"
        if quick in known or quick in finished:
            _sound_at_open(state)  # every page read: as sound as the quick check says
        if marked is not None and checks and sqlite_checked.file_state(path) == marked:
            # Cut short too (a large store): a writer carries what was found, and the next
            # opening runs the rest (round 48; before, such a writer never carried any).
            if len(_CHECKED_AT_OPEN) > 10_000:
                _CHECKED_AT_OPEN.clear()
            _CHECKED_AT_OPEN[marked] = _at_opening(known | set(finished), cut)
        if ((finished or cut != was_cut) and marked is not None
                and sqlite_checked.settled(marked, started)
                and sqlite_checked.file_state(path) == marked):
            # A mark holds the checks behind an empty result too: theirs are kept.
            sqlite_checked.remember(path, marked, [*known, *finished], sorted(cut))
        return None
    detail = " ".join(found.removeprefix("*** in database main ***").split())
    return (f"{DAMAGED} (SQLite's check at opening: {detail[:120]}); nothing was read "
            "and the file was left as it is: `grimoire rebuild` then re-reads the notes into "
            "a new file, or restore a backup")


def _why_whole(path: str, state: tuple[int, ...] | None, todo: Sequence[str]) -> str:
    """Why the checks at opening `todo` run whole on the file at `path`, cut short at `state`
    by the opening of the writer that left it, or by an earlier one of the file as it is. It
    said "changed by something other than Grimoire" of both (round 49: the first is
    Grimoire's own writer, and the second as often a store Grimoire just made)."""
    names = [c.removeprefix(_OPENING) for c in todo]
    indexes = sum(not n.startswith("PRAGMA") for n in names)
    left = ", ".join([*("the quick check" for n in names if "quick_check" in n),
                      *("the integrity check" for n in names if "integrity_check" in n),
                      *([f"{indexes} full-text index{'es' if indexes > 1 else ''}"]
                        if indexes else [])])
    if state is not None and sqlite_checked.by_writer(path, state):
        return ("it was last written by Grimoire (watch, serve, an ingest), carrying on "
                f"from a check at opening cut short by its time ({left} left)")
    return ("no Grimoire process has checked it whole since it last changed (a store "
            "rebuilt or copied, another program, a writer stopped mid-write; "
            f"{left} left)")


def _at_opening(done: Iterable[str], cut: Iterable[str]
                ) -> tuple[frozenset[str], frozenset[str]]:
    """The checks at opening among `done` and `cut` (a mark's), those done not also cut."""
    kept = frozenset(c for c in done if c.startswith(_OPENING))
    return kept, frozenset(c for c in cut if c.startswith(_OPENING)) - kept


def _checks_at_opening(conn: sqlite3.Connection) -> list[str]:
    """The checks at opening of the file `conn` holds, as its mark names them, in order."""
    return [f"{_OPENING}PRAGMA quick_check(1)", f"{_OPENING}PRAGMA integrity_check(1)",
            *(f"{_OPENING}{table}" for table in _full_text_tables(conn))]


def _full_text_tables(conn: sqlite3.Connection) -> list[str]:
    return [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        " ORDER BY name DESC")]  # passage_fts, the one searches read most, first


def _check_at_open(conn: sqlite3.Connection, check: str) -> str | None:
    """"ok", or what the check `check` (a PRAGMA, or a full-text table's name) finds wrong;
    None when it cannot run here. Raises SQLite's error when interrupted.

    FTS5's check is an INSERT: a read-only file is not checked that way, nor one another
    process is writing (never waited on: the caller sets the timeout back).
    """
    if check.startswith("PRAGMA"):
        return str(conn.execute(check).fetchone()[0])
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute(f'INSERT INTO "{check}"("{check}") VALUES (\'integrity-check\')')
    except sqlite3.DatabaseError as e:
        if is_damage(e):
            return f"the full-text index {check}: {e}"
        if "interrupted" in str(e):
            raise
        return None
    return "ok"


def _sound_at_open(state: tuple[int, ...]) -> None:
    if len(_SOUND_AT_OPEN) > 10_000:  # a long-lived process opening ever-changing files
        _SOUND_AT_OPEN.clear()
    _SOUND_AT_OPEN.add(state)


def _use_wal(conn: sqlite3.Connection, moved: Callable[[], bool] = lambda: False) -> bool:
    """Switch to WAL, waiting for other openers: the switch needs the file to itself, and SQLite
    answers "database is locked" at once instead of calling the busy handler. False, with
    nothing written, when `moved` says another file was renamed over the path meanwhile (the
    switch would write the old file through a journal named for the new one)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                if moved():
                    return False
                conn.execute("PRAGMA journal_mode = WAL")
            return True
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _migrate(conn: sqlite3.Connection, path: str,
             moved: Callable[[], bool] = lambda: False) -> bool:
    """Bring the schema up to date under the write lock; False, with nothing written, when
    `moved` says, once the lock is held, that another file was renamed over the path.

    Two processes may open a new file at once: the version is read again once the lock is
    held, so the second one finds the work done instead of failing on "table already exists".
    """
    step = version = 0
    try:
        conn.execute("BEGIN IMMEDIATE")
        if moved():
            conn.execute("ROLLBACK")
            return False
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version, len(MIGRATIONS)):
            migration = MIGRATIONS[step]
            if callable(migration):
                migration(conn)
            else:
                _run_script(conn, migration)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {step + 1}")
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        with contextlib.suppress(sqlite3.Error):  # a failing disk may refuse it too
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        conn.close()
        # A disk made read-only or failing under it: said with the system's cause
        # (`io_cause`), as a store's own writes are (round 54: "disk I/O error"). Read-only
        # too where the file was found writable: a disk the kernel made read-only after an
        # error (ext4 `emergency_ro`) still lets `access` say writable, and SQLite's write
        # failed as "attempt to write a readonly database" at each opening (review54b).
        reason = write_failed(e)
        if reason is None:
            asked = _code(e) in (_IOERR, _READONLY)
            cause = io_cause(e, path, searchable=False) if asked else None
            reason = cause[0] if cause else str(e)
        # One transaction for every step: the file keeps the schema it had, which the
        # Grimoire that wrote it still opens.
        kept = f"; the file keeps schema {version}" if version else ""
        raise StoreError(f"migration to schema {step + 1} failed: {reason}{kept}", path) from e
    return True


def _on_read_only_disk(path: str) -> bool:
    """Whether the disk holding `path` refuses writes as read-only (EROFS) though `access`
    says it is writable: ext4 made read-only by an error (`errors=remount-ro` on Linux 6.x:
    `emergency_ro`, the mount still `rw`). A WAL file there, closed cleanly (no -wal, no
    -shm), failed to open as "cannot open the database file ... check its folder and
    permissions", and could not even be searched (review54b). Asked after a failed opening
    only: the system's own write beside it (`probe`)."""
    failed = probe(Path(path).absolute().parent)
    return failed is not None and failed.errno == errno.EROFS


def _code(error: BaseException) -> int:
    """SQLite's primary result code of `error` (0 for anything else)."""
    return int(getattr(error, "sqlite_errorcode", 0)) & 0xFF


def _writable(path: str) -> bool:
    # WAL needs to create `-wal` and `-shm` beside the file, so the folder must be writable too.
    folder = Path(path).parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def _open(path: str, readonly: bool, *, read_only_disk: bool = False) -> sqlite3.Connection:
    if not readonly:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    return open_read_only(path, check_same_thread=False, read_only_disk=read_only_disk)


def open_read_only(path: str | os.PathLike[str], *, check_same_thread: bool = True,
                   read_only_disk: bool = False) -> sqlite3.Connection:
    """The database at `path` opened for reading only, for every command and for `check`,
    `backup` and `rebuild` alike (audit31: two openers had two policies).

    A WAL file in a folder this user cannot write, with no -shm beside it, cannot be read
    through SQLite's -shm: it is read as it stands (`immutable`), unless a hot journal or a log
    holding writes says the file alone is not the database. Raises StoreError for such a log
    (`unreadable_log`), and SQLite's own error otherwise (a hot journal: `hot_journal`;
    damage: `is_damage`), for the caller to say in its words. `read_only_disk`: the folder
    is known not to be writable whatever `access` says (`_on_read_only_disk`).
    """
    uri = Path(path).resolve().as_uri()
    conn = sqlite3.connect(uri + "?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=check_same_thread, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error as e:
        conn.close()
        if (getattr(e, "sqlite_errorcode", 0) == HOT_JOURNAL
                or not isinstance(e, sqlite3.OperationalError)):
            # `immutable` would read the file as the killed write left it, half-written; and
            # damage is damage however the file is opened.
            raise
        if os.access(Path(path).parent, os.W_OK) and not read_only_disk and not (
                _code(e) == _CANTOPEN and _on_read_only_disk(os.fspath(path))):
            # SQLite could have made the -shm: the failure is another (a writer's lock), and
            # `immutable` would read a file that is being written. Unless the disk refuses
            # writes whatever `access` says (ext4's `emergency_ro`): `check` called such a
            # file "damaged ... run grimoire rebuild", `backup` failed (review54b).
            raise
        if log_holds_writes(path):
            # `immutable` reads the file alone: the writes committed to the log were not
            # shown, and no message said so (search answered "no results"); a checkpoint
            # cut short leaves the file itself half-updated.
            raise StoreError(unreadable_log(path), os.fspath(path)) from e
        return sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None,
                               check_same_thread=check_same_thread)


def unreadable_log(path: str | os.PathLike[str]) -> str:
    """What to say when NAME-wal holds writes this user cannot read: it is not damage."""
    return (f"{Path(path).name}-wal (writes not yet folded into the file) can be read only "
            "with its -shm, which SQLite makes beside it: open the database once as a user "
            "who can write its folder (this is not damage); nothing was read")


def log_holds_writes(path: str | os.PathLike[str]) -> bool:
    """Whether NAME-wal holds frames written since the log was last reset, which the file
    alone lacks: the first frame carries the salt of the log's header (an emptied log is 0
    bytes, or its frames carry an older salt). A log too short to hold a frame holds none;
    one that cannot be read is taken to hold some."""
    wal = f"{os.fspath(path)}-wal"
    try:
        with open(wal, "rb") as f:  # noqa: PTH123 - a path that may be a str
            head = f.read(_WAL_HEADER + _FRAME_HEADER)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    if len(head) < _WAL_HEADER + _FRAME_HEADER:
        return False
    return head[16:24] == head[_WAL_HEADER + 8:_WAL_HEADER + 16]


# The write-ahead log's header, then each frame's; both hold salt-1 and salt-2 (sqlite.org
# fileformat2.html, 4.1).
_WAL_HEADER, _FRAME_HEADER = 32, 24


def _open_error(e: sqlite3.DatabaseError, path: str) -> StoreError:
    if getattr(e, "sqlite_errorcode", 0) == HOT_JOURNAL:
        return StoreError(hot_journal(path), path)
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF
    if code in (_IOERR, _CORRUPT) and (cut := log_cut(path)) is not None:
        return StoreError(cut, path)
    if code == _CANTOPEN:
        return StoreError(f"cannot open the database file ({e}): check its folder and "
                          "permissions", path)
    if code == _READONLY:
        return StoreError(f"the database is read-only ({e})", path)
    if code in (_CORRUPT, _NOTADB):
        return CorruptDatabase(f"database is damaged or not SQLite ({e}); left untouched: "
                               "run `grimoire check`", path)
    if (code == _IOERR and _writable(path)
            and (cause := io_cause(e, path)) is not None):
        # A WAL file on a full disk: its -shm cannot be made (round 54: "disk I/O error").
        # Not where the file was found read-only: the error is a read's, which a write's
        # cause (EROFS of a disk read-only all along) would misname.
        return StoreError(f"cannot open the database: {cause[0]}", path)
    return StoreError(f"cannot open the database: {e}", path)


def _unreadable_row(error: BaseException) -> bool:
    # Grimoire writes only valid UTF-8 text and JSON it made itself, so a row that does not
    # decode was changed under it: damage that SQLite's page checks cannot see.
    if isinstance(error, sqlite3.OperationalError):
        return "could not decode" in str(error).casefold()
    return isinstance(error, (UnicodeDecodeError, json.JSONDecodeError))


def is_damage(error: BaseException) -> bool:
    """True when `error` is SQLite reporting a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB),
    or text that is not UTF-8 or JSON: Grimoire writes only UTF-8 (file names that are not are
    stored escaped), and `quick_check` does not look inside the rows."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    # Nor does it look inside JSON: Grimoire writes only JSON it made itself (a store written
    # before round 14 with NaN in it is repaired by a migration), so malformed JSON is damage.
    if isinstance(error, sqlite3.OperationalError) and (
            "decode to UTF-8" in str(error) or "malformed JSON" in str(error)):
        return True
    return isinstance(error, sqlite3.DatabaseError) and code in (_CORRUPT, _NOTADB)


GONE = ("is no longer there: it was deleted or moved after this process opened it, and what "
        "it wrote now would be lost; open it again where it is now")


def _replaced(path: str, opened_as: tuple[int, int]) -> bool:
    try:
        return _file_id(path) != opened_as
    except OSError:
        return False  # gone: the next call says so (`GONE`)


# The NAME-shm (device and inode) the connections of this process map for each database file
# open in it (by the file's device and inode), and how many stores hold that file: SQLite
# shares one mapping of the index among a process's connections to a file, made by the first,
# so a store opened while another holds the file reads and writes through that one, whatever is
# at NAME-shm by then (a second store opened after the -shm was replaced wrote by the stale
# index with no word, and another process's notes were lost).
_MAPPED: dict[tuple[int, int], list[Any]] = {}
_MAPPED_LOCK = threading.Lock()


def _mapped_index(opened_as: tuple[int, int], now: tuple[int, int] | None, *,
                  joining: bool = False) -> tuple[int, int] | None:
    """The -shm this process's connections to the file map: the one a store of it already
    holding the file recorded, else `now` (recorded so); `joining`: one more store holds it."""
    with _MAPPED_LOCK:
        entry = _MAPPED.setdefault(opened_as, [None, 0])
        entry[1] += joining
        if entry[1] <= 1 or entry[0] is None:
            entry[0] = now
        return entry[0]  # type: ignore[no-any-return]


def _let_go(file: str, opened_as: tuple[int, int] | None, mapped: list[Any]) -> None:
    """A store's last word on its file (`close`, or Python's end with it open): its log held
    when its index is stale (`_hold_if_stale`), and one store fewer holds the file. `mapped`:
    the record's -shm alone (`_hold_if_stale`), not its connection: held by this finalizer,
    a store dropped without `close` kept its connection (its descriptors and SQLite's lock)
    one garbage collection longer (the connection is in a cycle of its own; review57b)."""
    _hold_if_stale(file, opened_as, [None, mapped])
    if opened_as is None:
        return
    with _MAPPED_LOCK:
        entry = _MAPPED.get(opened_as)
        if entry is not None:
            entry[1] -= 1
            if entry[1] <= 0:
                del _MAPPED[opened_as]


def _hold_if_stale(file: str, opened_as: tuple[int, int] | None, record: list[Any],
                   conn: sqlite3.Connection | None = None) -> bool:
    """Whether NAME-shm is no longer the one `record` holds (the connection it was taken
    for, then a list of the device and inode of the -shm its process maps), holding the log
    then (`hold_log`); with `conn`, a connection other than the record's is recorded anew.
    False for a store in memory and a file moved away (said elsewhere)."""
    if opened_as is None:
        return False
    try:
        now: tuple[int, int] | None = _file_id(f"{file}-shm")
    except OSError:
        now = None
    mapped = record[1]
    if conn is not None and (record[0] is not conn or mapped[0] is None):
        mapped[0] = _mapped_index(opened_as, now, joining=record[0] is None)
        record[0] = conn
        if mapped[0] == now:
            return False
    if mapped[0] is None or now == mapped[0] or _replaced(file, opened_as) or not Path(
            file).exists():
        return False
    _wal_index.hold_log(file)
    return True


def _file_id(path: str) -> tuple[int, int]:
    """The device and inode of the file at `path` (what a rename over it changes)."""
    info = os.stat(path)  # noqa: PTH116 - on every API call: no Path object made
    return info.st_dev, info.st_ino


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first; run statement by statement inside our transaction.
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            conn.execute(buffer)
            buffer = ""
    if buffer.strip():
        conn.execute(buffer)


# The same rows for what `load` copied in (a migration): passages and entries without theirs.
FTS_OF_LOADED_PASSAGES = f"""
    INSERT INTO passage_fts (rowid, names, title, heading, body)
    SELECT p.id, {PASSAGE_FTS_VALUES}
    FROM passages p JOIN documents d ON d.id = p.document_id
    WHERE p.id NOT IN (SELECT rowid FROM passage_fts)
"""
FTS_OF_LOADED_ENTRIES = f"""
    INSERT INTO entry_fts (rowid, names, body)
    SELECT e.id, {ENTRY_FTS_VALUES}
    FROM entries e WHERE e.id NOT IN (SELECT rowid FROM entry_fts)
"""


class SQLiteStore(ConceptSQL, SearchSQL, AskSQL, ResolveStateSQL, NameLogSQL):
    """The default store: everything in one SQLite file."""

    engine = "sqlite"
    takes_rows = True
    lexical_rows = 10_000  # FTS5's bm25: about 1.5 us a matching row

    def __init__(self, path: str, *, create: bool = True) -> None:
        self.path = path
        self.url = path
        self.conn, opened_as, read_only = _connect(path, create)
        self._scans = {}
        self._readers = threading.local()
        self._opened_readers: list[sqlite3.Connection] = []
        in_memory = path == ":memory:" or path.startswith("file:")
        # The file as opened now: a reader opened later finds it whatever the working folder.
        self._file = path if in_memory else str(Path(path).resolve())
        # Which file that is: a copy moved over the path (a backup restored with `mv`) is
        # another file, which this connection never sees (`reopen_if_replaced`). As `connect`
        # found it while holding it: the path looked at again now could name a file renamed
        # over it since (round 39's leftover).
        self._opened_as = None if in_memory else opened_as or _file_id(self._file)
        # Opened for reading (`connect` found the file or its folder not writable).
        self.read_only = read_only or (not in_memory and not _writable(self._file))
        # The checks at opening found done on the file, and those cut short by their budget,
        # when this store opened it (None: its opening kept none), and the state its last
        # write (or its opening) left while it saw every change since (`_carry_checks`); None
        # once it did not.
        self._checks_at_open: tuple[frozenset[str], frozenset[str]] | None = None
        self._carried: tuple[int, ...] | None = None
        if not in_memory and (state := sqlite_checked.file_state(self._file)) is not None:
            self._checks_at_open = _CHECKED_AT_OPEN.get(state)
            if opened_as is None:
                # Made by this connection (`_connect` found no file, or an empty one): every
                # byte is SQLite's own commits since, so it is as sound as an empty file is,
                # and its writes carry that (`_carry_checks`). It was never marked: the first
                # two openings of a large new store ran the 0.1 s checks, then the whole check
                # (up to 15 s; round 49), of a file no one else had written.
                self._checks_at_open = (frozenset(_checks_at_opening(self.conn)), frozenset())
                sqlite_checked.remember(self._file, state, sorted(self._checks_at_open[0]),
                                        writer=True)
            self._carried = None if self._checks_at_open is None else state
        # Why the connection is closed with no reopening yet (a write failed for want of room,
        # a ROLLBACK was refused): opened again before the next call (`reopen_if_replaced`).
        self._closed: str | None = None
        self._stuck: str | None = None  # in memory, a failed write not undone (`_roll_back`)
        # Why the connection is inside a transaction no caller holds (a read's COMMIT and
        # ROLLBACK refused, a write's ROLLBACK refused while its file was moved away): ended
        # before the next write or call (`_end_unended`), never nested in.
        self._unended: str | None = None
        # How deep the writes under way nest (1: the outermost), and why a part of them ended
        # the whole (`_part`): every later write is refused until the outermost ends.
        self._depth = 0
        self._ended_under: str | None = None
        # The connection of the last write and (in a list of its own, the finalizer's below)
        # its NAME-shm's device and inode then (`_log_index_replaced`).
        self._log_index: list[Any] = [None, [None]]
        self._log_index_replaced()  # recorded as opened
        # A store let go without `close` (a process ending with it open): its connection is
        # closed by Python, whose close would fold the log by a stale index (`close`).
        self._unclosed = weakref.finalize(self, _let_go, self._file, self._opened_as,
                                          self._log_index[1])
        self._io_seen: tuple[BaseException, StoreError | None] | None = None

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; nested calls become savepoints."""
        if self._stuck is not None:
            raise StoreError(self._stuck, self.path)
        if self._ended_under is not None:
            # A part of the write under way ended it (below): what its caller writes now
            # would run outside any transaction, each statement committed alone.
            raise StoreError(f"{self._ended_under}; nothing of this write is kept", self.path)
        if self._depth or self.conn.in_transaction:  # (a read's transaction: `reading`)
            yield from self._part()
            return
        self._end_unended()
        self._depth = 1
        try:
            yield from self._whole()
        finally:
            self._depth, self._ended_under = 0, None

    def _part(self) -> Iterator[sqlite3.Connection]:
        """A write nested in the one under way: a savepoint, undone alone when it fails."""
        self.conn.execute("SAVEPOINT nested")
        self._depth += 1
        try:
            yield self.conn
        except BaseException as e:
            alone = False
            # SQLite may already have rolled the whole transaction back (disk full).
            with contextlib.suppress(sqlite3.Error):
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK TO nested")
                    self.conn.execute("RELEASE nested")
                    alone = True
            if not alone:
                # The savepoint cannot be undone alone: the whole transaction is, so that
                # the outer one's COMMIT keeps nothing of this part (round 55); and the
                # caller, which may go on past this error (as ingest does past a file's),
                # writes nothing more in it: every later write and its own end are refused
                # (hostile56's leftover: they ran outside any transaction, each committed).
                self._roll_back(e)
                self._ended_under = (f"a part of this write failed ({e}) and could not be "
                                     "undone alone, so the whole write was")
                if self._closed is None and not self.conn.in_transaction:
                    # What the caller runs on the connection itself goes into a transaction
                    # that its end rolls back: never committed alone (autocommit).
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute("BEGIN")
            self._raise(e)
        finally:
            self._depth -= 1
            if not self._depth:  # nested in a read, which ends as reads do (`end_read`)
                self._ended_under = None
        self.conn.execute("RELEASE nested")

    def _whole(self) -> Iterator[sqlite3.Connection]:
        """The outermost write: BEGIN IMMEDIATE ... COMMIT."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if getattr(e, "sqlite_errorcode", 0) & 0xFF == _READONLY:
                raise StoreError(READ_ONLY, self.path) from e
            raise StoreError(f"cannot write ({e}); is another grimoire using it?", self.path) from e
        if (cut := self._log_index_replaced()) is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise StoreError(cut, self.path)
        before = self._state_if_checked()  # the lock held: no other Grimoire writes now
        try:
            yield self.conn
        except BaseException as e:
            self._roll_back(e)
            try:
                self._after_no_room(e)
                self._raise(e)
            finally:
                self._io_seen = None  # said: the error and the batch its frames hold let go
        itself = sqlite_checked.the_file_itself
        if before is not None and itself(sqlite_checked.file_state(self._file)) != itself(before):
            # The write so far went to the log alone (WAL): the file itself changed by now is
            # someone else's change (a copy over it), not this write's (review46b).
            before = None
        if self._ended_under is not None or self._unended is not None:
            # A part of this write (a savepoint) failed and ended it, or its ROLLBACK was
            # refused and the transaction holds what that part did: nothing of it may be
            # committed.
            kept = StoreError(f"{self._ended_under or self._unended}; nothing of this write "
                              "is kept", self.path)
            self._roll_back(kept)
            raise kept
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            self._roll_back(e)
            self._after_no_room(e)
            if (message := write_failed(e)) is not None:
                raise NoRoom(message, self.path) from e
            known, self._io_seen = self._io_failure(e), None  # said: let go (round 54)
            if known is not None:
                raise known from e
            raise StoreError(f"could not commit: {e}", self.path) from e
        self._carry_checks(before)

    def _roll_back(self, error: BaseException) -> None:
        """End the transaction under way, keeping nothing of it, with no error of its own in
        place of `error`, being raised, which says what went wrong. A ROLLBACK SQLite refuses
        (an I/O error on a rollback journal, an interrupt) replaced that error with its own,
        and left the connection inside the failed transaction, where every later write of the
        process nested as a savepoint that nothing committed (round 55). It is asked twice
        (an interrupt is over once no statement runs); refused again, the connection is
        closed, which rolls back, and opened again. An in-memory store, which a close would empty,
        keeps its connection and refuses every later write (`_stuck`), and `error` is said
        with it: what the failed write did is still in it (review55b: "nothing kept of it"
        was said, and every later write nested in that one)."""
        refused: sqlite3.Error | None = None
        for _ in range(2):
            try:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._unended = None
                return
            except sqlite3.Error as e:
                refused = e
        if self._opened_as is None:
            self._stuck = (f"SQLite refused to roll back a failed write ({refused}), and this "
                           "store in memory holds what that write did: open a new one")
            raise StoreError(f"{self._stuck} (the write: {error})", self.path) from error
        if self._moved():
            # Closed now, the connection of a file moved away left its log (this file's
            # committed writes not yet folded into it) beside the old path, where a new file
            # would replay it, and the file itself without them (review55b). Kept: the
            # ROLLBACK is asked again before the next call, and the close folds the log into
            # the file by its descriptor (`close`).
            self._unended = (f"SQLite refused to roll back a failed write ({refused}) "
                             "of a file moved away")
            return
        self._reopen("its connection was closed after SQLite refused to roll back a failed "
                     "write (nothing of that write is kept), and it cannot be opened again")

    def _reopen(self, why: str) -> None:
        """Close the connection (which ends its transaction, keeping nothing of a write) and
        open the file again; `why` is said when that fails, at the next call, which tries again
        (`reopen_if_replaced`)."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        self._unended = None
        try:
            self.conn = connect(self._file, create=False)
        except StoreError:
            self._closed = why

    def end_read(self) -> None:
        """End the read transaction of `reading` (or of a load of vectors or names), with no
        error of its own in place of one being raised. A COMMIT refused there (an interrupt)
        said "interrupted" for the search's own error or result, and left the connection
        inside the read, where every later write of the process nested as a savepoint that
        nothing committed: lost when the process ended (round 55's leftover). A read keeps
        nothing, so a ROLLBACK ends it as well; both refused, a file's connection is opened
        again, and one in memory (which a close would empty) or of a file moved away (whose
        close would leave its log behind) tries again before the next write."""
        refused: sqlite3.Error | None = None
        # A write nested in the read whose ROLLBACK was refused (`_unended`) is never committed.
        statements = ("COMMIT",) * (self._unended is None) + ("ROLLBACK", "ROLLBACK")
        for statement in statements:
            try:
                if self.conn.in_transaction:
                    self.conn.execute(statement)
                self._unended = None
                return
            except sqlite3.Error as e:
                refused = e
        if self._opened_as is None or self._moved():  # a close would lose what it holds
            self._unended = self._unended or f"SQLite refused to end a read ({refused})"
            return
        self._reopen(f"its connection was closed after SQLite refused to end a read "
                     f"({refused}), and it cannot be opened again")

    def _end_unended(self) -> None:
        """End the transaction `_unended` names before the connection is used again: asked
        once more (an interrupt is over once no statement runs); refused, a file's connection is
        opened again while its file is in place, and otherwise this raises."""
        if self._unended is None:
            return
        with contextlib.suppress(sqlite3.Error):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self._unended = None
            return
        if self._opened_as is not None and not self._moved():
            self._reopen(f"its connection was closed after {self._unended}, "
                         "and it cannot be opened again")
            if self._closed is None:
                return
            raise StoreError(self._closed, self.path)
        said = GONE if self._opened_as is not None and not Path(self._file).exists() else (
            f"{self._unended}, and SQLite refuses to end it still: open the store again")
        raise StoreError(said, self.path)

    def _state_if_checked(self) -> tuple[int, ...] | None:
        return None if self._checks_at_open is None else sqlite_checked.file_state(self._file)

    def _carry_checks(self, before: tuple[int, ...] | None) -> None:
        """Follow the checks this store's opening found done (`_damage_at_open`) to the state
        its own write (or close), just ended, left (`before`: the state when it began), and
        keep them in the file's mark (`sqlite_checked`) at that state.

        Why that is sound: the checks at opening look for a torn file, pages of two versions
        (a copy made mid-write, a crash without the log, a disk that lost a write). SQLite's
        own committed writes and checkpoints never tear a file they found whole, so a file
        only this process changed since it was checked whole is as sound as it was. This
        process saw every change when the state before each of its writes (taken with the
        write lock held: another Grimoire process cannot write then) and before its close is
        the state its last write or its opening left, and the file itself (not its log) is
        as it was then when the write commits (a transaction in WAL mode writes the log
        alone; a `cp` over the file mid-write was taken for the write's own, review46b); any
        other change (another process's write, a `cp` over the file, a restore, an edit
        outside) makes them differ, and the checks are no longer carried: the next opening
        runs them. The mark follows each
        commit (about 1 ms a write, round 46), so a long-lived writer (`watch`, `serve`, the
        embed worker) killed between two writes leaves it at the state of its last commit,
        which is that file's state: sound, a committed write. Killed mid-write, its log holds
        frames past that state: unknown, never sound, and the next opening runs them. Two
        writers at once (`watch` and `serve`, `watch` and the embed worker): each sees the
        other's writes as a change, and carries on from the state before its write only when
        the mark names it with these checks done (the other writer's carried commit), as an
        opening at that state would skip them (round 47; before, each stopped at the other's
        first write). An opening cut short by its budget (a large store) carries what it
        found: the checks done, and those cut short, so that the next opening runs the rest
        whole; what another process's opening found done at the state this store's last
        write left is taken up at the next write (round 48; before, such a writer never
        carried, and each opening after each of its writes checked again). One that lands in
        the instant between a write's end (or the close) and the state taken after it is
        counted as its own: sound too, a committed write. What it does not see: a change by
        another program in that instant, or within the same clock tick as its write's and of
        the same size (the mark written by a check waits 2 s for that:
        `sqlite_checked.settled`); and, as the mark itself, a disk that changes a block under
        the file system.
        """
        ours, carried = self._checks_at_open, self._carried
        self._carried = None
        if ours is None or before is None or self._moved():
            return
        # What the mark names at `before`: an opening at that state would trust it too.
        done, cut = _at_opening(*sqlite_checked.passed(self._file, before))
        if before == carried:  # nothing changed since this store's own last write
            done, cut = _at_opening(ours[0] | done, ours[1] | cut)
        if not done and not cut:
            return  # changed by someone else, and not marked sound
        now = sqlite_checked.file_state(self._file)
        if now is None:
            return
        if now != before:
            sqlite_checked.remember(self._file, now, sorted(done), sorted(cut), writer=True)
        self._checks_at_open, self._carried = (done, cut), now

    def _after_no_room(self, error: BaseException) -> None:
        """After a write that failed for want of room, the connection opened again: SQLite
        rolled the write back, but a connection whose log write failed mid-transaction (a
        batch of 100 files spilling its pages) failed every later read with "disk I/O error"
        while the file itself was intact (a new connection read it whole)."""
        cause = error if hasattr(error, "sqlite_errorcode") else error.__cause__
        if cause is None or self._opened_as is None or self._unended is not None or (
                no_room(cause) is None and not isinstance(self._io_failure(cause), NoRoom)):
            return
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        try:
            self.conn = connect(self._file, create=False)
        except StoreError:  # the error being raised says what went wrong
            # A disk still full leaves no room for the -shm the file is read through: opened
            # again before the next call (`reopen_if_replaced`). Till then every call found a
            # closed connection, and its damage check called the intact file "damaged".
            self._closed = STILL_FULL

    def _io_failure(self, error: BaseException) -> StoreError | None:
        """SQLite's "disk I/O error" with its cause, when the system names one (`io_cause`:
        a quota used up, a file system made read-only, a failing drive), as the error to
        raise: `NoRoom` for a quota (a smaller write may fit, as on a full disk); None for
        any other error. Asked once an error (a write's failure is seen by the connection's
        reopening and by the raise), and kept only until the outermost transaction has said
        it: kept till the next error or the close, it held the error, its traceback and the
        batch that traceback's frames hold (round 54)."""
        if getattr(error, "sqlite_errorcode", 0) & 0xFF != _IOERR or self._opened_as is None:
            return None
        seen = self._io_seen
        if seen is not None and seen[0] is error:
            return seen[1]
        cause = io_cause(error, self._file)
        known = None if cause is None else (NoRoom if cause[1] else StoreError)(cause[0],
                                                                                 self.path)
        self._io_seen = (error, known)
        return known

    def _raise(self, error: BaseException) -> NoReturn:
        """Re-raise, turning SQLite's own errors into a StoreError naming the database."""
        if is_damage(error):
            raise CorruptDatabase(DAMAGED, self.path) from error
        if getattr(error, "sqlite_errorcode", 0) & 0xFF == _READONLY:
            raise StoreError(READ_ONLY, self.path) from error
        if (message := write_failed(error)) is not None:
            raise NoRoom(message, self.path) from error
        if (known := self._io_failure(error)) is not None:
            raise known from error
        if isinstance(error, sqlite3.IntegrityError | sqlite3.DataError):
            raise RefusedValue(f"database write refused, nothing kept of it: {error}",
                               self.path) from error
        if isinstance(error, sqlite3.Error) and not isinstance(error, StoreError):
            raise StoreError(f"database write failed, nothing kept of it: {error}",
                             self.path) from error
        raise error

    # -- sources --------------------------------------------------------------------------

    def mark_source(self, record: SourceRecord) -> None:
        with self.transaction() as c:
            c.execute(
                """INSERT INTO sources (path, root, format, status, reason, sha256, size, problems)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(path) DO UPDATE SET root = excluded.root,
                     status = excluded.status, reason = excluded.reason,
                     format = coalesce(excluded.format, sources.format),
                     ingested_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
                     problems = excluded.problems""",
                (
                    record.path, record.root, record.format, record.status, record.reason,
                    record.sha256, record.size, json.dumps(to_data(record.problems)),
                ),
            )

    def replace_source(self, record: SourceRecord, documents: Iterable[Document]) -> None:
        self.replace_sources([(record, documents)])

    def replace_sources(self, items: Iterable[SourceItem]) -> None:
        """Write several files' records and documents in one transaction, each replacing what
        that file had: one statement per table for the whole batch (issue 14)."""
        if self.conn.in_transaction:
            # Inside the caller's transaction (ingest's batch), which rolls back whole on an
            # error. A savepoint here made SQLite copy every page the batch changed into its
            # sub-journal, which spills to a temporary file: half the writer's system time
            # (issue 14).
            _RowWriter(self.conn).write(items)
            return
        with self.transaction() as c:
            _RowWriter(c).write(items)

    def remove_source(self, path: str) -> None:
        with self.transaction() as c:
            for forget in _FORGET_FTS:
                c.execute(forget, (path,))
            c.execute("DELETE FROM sources WHERE path = ?", (path,))

    # -- entries --------------------------------------------------------------------------

    def entries(self) -> Iterator[StoredEntry]:
        rows = self.conn.execute(ENTRY_SELECT + " ORDER BY e.norm, s.path, e.start_line")
        for row in rows:
            yield stored_entry(row)

    def passages(self) -> Iterator[PassageMarks]:
        """Every passage with its marks, in file and line order."""
        rows = self.conn.execute(
            """SELECT p.id, s.path, p.start_line, p.end_line, p.text, p.marks, p.kind
               FROM passages p JOIN documents d ON p.document_id = d.id
               JOIN sources s ON d.source_id = s.id ORDER BY s.path, p.start_line, p.id"""
        )
        for pid, path, start, end, text, marks, kind in rows:
            yield PassageMarks(pid, Span(path, start, end), text, stored_marks(marks, path), kind)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # its snapshot
            yield
        finally:
            self.end_read()

    def dump(self, table: str) -> Iterator[tuple[Any, ...]]:
        columns = TABLES[table]
        yield from self.conn.execute(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns[:2])}")

    def load(self, table: str, rows: Iterable[Sequence[Any]]) -> None:
        columns = TABLES[table]
        if table == "concept_state":
            self.conn.execute("DELETE FROM concept_state")
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def finish_load(self) -> None:
        """Index the loaded passages and entries for full-text search, in bulk; the next
        resolve is a full one (the keys describe none of the copied concepts: an empty store
        resolved before the copy kept keys of no file)."""
        self.conn.execute("DELETE FROM resolve_ready")
        self.conn.execute(FTS_OF_LOADED_PASSAGES)
        self.conn.execute(FTS_OF_LOADED_ENTRIES)

    def diagnose(self, error: BaseException) -> CorruptDatabase | None:
        """A CorruptDatabase when `error` came from a damaged file, else None.

        Damage inside a data page shows up as anything (a KeyError from a row an index points
        to, JSON that does not parse), so an unexpected error is checked against the file.
        """
        if isinstance(error, CorruptDatabase):
            return error
        if is_damage(error) or _unreadable_row(error) or self.damaged():
            return CorruptDatabase(DAMAGED, self.path)
        return None

    def damaged(self, budget: float | None = None, reads: Reads | None = None) -> bool:
        """True when SQLite's `quick_check` finds the file damaged: every page, or with
        `reads` only the tables of `READS[reads]` and their indexes.

        With `budget` (seconds) the check is interrupted when it runs longer, and then finds
        nothing: reading every page of a 3.5 GB store takes several seconds.
        """
        statements = ["PRAGMA quick_check(1)"]
        if reads is not None and sqlite3.sqlite_version_info >= (3, 33):  # a table's check
            wanted = READS[reads]
            try:
                present = {name for (name,) in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    f" AND name IN ({', '.join('?' * len(wanted))})", wanted)}
            except sqlite3.Error:
                return True  # the schema itself is unreadable
            if present != set(wanted):
                return True  # every one is made when the file is: one lost is damage
            statements = [f"PRAGMA quick_check({name})" for name in wanted]
        if budget is None:
            return self._quick_check(statements)
        # What an earlier process found sound in this very file, unchanged since
        # (`sqlite_checked`): skipped. Only outside a read transaction (whose snapshot may be
        # older than the file's state) and while the path names the file this connection has.
        state = None
        if self._opened_as is not None and not self.conn.in_transaction:
            state = sqlite_checked.file_state(self._file)
            if state is not None and state[:2] != self._opened_as:
                state = None
        started = sqlite_checked.now_ns()
        known, cut = (sqlite_checked.passed(self._file, state) if state is not None
                      else (frozenset(), frozenset()))
        # A statement an earlier process's budget cut short goes last: the ones never started
        # are read first, then it is read again until one process reads it whole.
        todo = ([s for s in statements if s not in known and s not in cut]
                + [s for s in statements if s in cut])
        if not todo:
            return False
        done, lock = threading.Event(), threading.Lock()

        def stop() -> None:
            with lock:  # never after the check ended: the interrupt would hit the next query
                if not done.is_set():
                    self.conn.interrupt()

        finished: list[str] = []
        timer = threading.Timer(budget, stop)
        timer.start()
        try:
            if self._quick_check(todo, finished):
                return True
        except sqlite3.OperationalError as e:
            if "interrupted" not in str(e):
                raise
            # Cut short: nothing found, but what it did not read is unchecked, so it is not
            # remembered as passed (a later process with the pages cached reads it whole;
            # review41a): the next process runs the statements after it first.
            cut = cut | {todo[len(finished)]}
        finally:
            with lock:
                done.set()
            timer.cancel()
        if (state is not None and sqlite_checked.settled(state, started)
                and sqlite_checked.file_state(self._file) == state):
            sqlite_checked.remember(self._file, state, [*known, *finished], sorted(cut))
        return False

    def _quick_check(self, statements: Sequence[str], finished: list[str] | None = None
                     ) -> bool:
        """True when a statement finds damage; each that finds none is added to `finished`."""
        for statement in statements:
            try:
                rows = self.conn.execute(statement).fetchall()
            except sqlite3.OperationalError as e:
                if "interrupted" in str(e):
                    raise
                return True
            except sqlite3.Error:
                return True
            if not rows or rows[0][0] != "ok":
                return True
            if finished is not None:
                finished.append(statement)
        return False

    def integrity_check(self) -> str:
        """SQLite's own `PRAGMA integrity_check` result ("ok" when healthy)."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def reopen_if_replaced(self) -> SQLiteStore | None:
        """This store opened again when its path now names another file than the one it
        opened (a copy moved over it: a backup restored with `mv`, a rebuild this process's
        connection did not hold back); None while it is the same file. Raises StoreError
        when no file is there any more: what this process wrote would be lost."""
        self._end_unended()
        if self._closed is not None:
            try:
                self.conn = connect(self._file, create=False)
            except StoreError as e:
                # Said as it is: a refused ROLLBACK's reopening was called "the disk is still
                # full" (review55b: the file had been moved away).
                said = (self._closed if self._closed == STILL_FULL
                        else GONE if not Path(self._file).exists()
                        else f"{self._closed}: {e.message}")
                raise StoreError(said, self.path) from e
            self._closed = None
        if self._opened_as is None:
            return None
        try:
            now = _file_id(self._file)
        except FileNotFoundError as e:
            raise StoreError(GONE, self.path) from e
        if now == self._opened_as:
            return None
        self.close()  # first: its log is folded into its own file, not read by the new one
        fresh = SQLiteStore(self._file, create=False)
        fresh.path = fresh.url = self.path
        return fresh

    def close(self) -> None:
        for reader in self._opened_readers:
            reader.close()
        self._opened_readers.clear()
        if self._opened_as is not None and self._moved():
            # SQLite neither folds the log of a file renamed or deleted under it into the
            # file nor deletes it on close: NAME-wal stayed full of this file's pages, and the
            # next opener of the file now at NAME replayed them into it (a backup restored
            # with `mv` came back as the old store, with no error). Folded here, by the
            # descriptor: into this file, wherever it is now; the log is left empty. A
            # transaction left open (`_unended`) is ended first: no checkpoint runs inside one.
            with contextlib.suppress(sqlite3.Error):
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # Its NAME-shm replaced, this connection's index of the log is stale: its close
            # would fold its own old pages over what other processes wrote since and delete
            # the log that holds their commits (hostile56's leftover). Held (`hold_log`),
            # the log is left whole for the next opening to read.
            _hold_if_stale(self._file, self._opened_as, self._log_index, self.conn)
        self._unclosed()  # `_let_go`, once
        before = self._state_if_checked()
        self.conn.close()  # the last to close folds the log into the file: a write too
        if self._opened_as is not None:
            with _MAPPED_LOCK:
                last = self._opened_as not in _MAPPED
            if last:  # no store of this process maps the stale index any more
                _wal_index.let_log_go(self._opened_as)
        self._carry_checks(before)

    def _log_index_replaced(self) -> str | None:
        """What to say when NAME-shm, the index of the log this connection writes, is no longer
        the file it had when this connection was opened or first wrote (deleted, or made anew
        by another process since): a process opening the store since reads the log without
        this one's index, and its writes were lost with no word (hostile56's leftover). One
        stat a write; None for a store in memory, and for a file moved away (said elsewhere).
        Said once, the log is held for the rest of the process (`hold_log`)."""
        if not _hold_if_stale(self._file, self._opened_as, self._log_index, self.conn):
            return None
        name = os.path.basename(self._file)  # noqa: PTH119 - on every write: no Path made
        return (f"{name}-shm, the index of its log of writes, was deleted while this process "
                "had the store open: another process that opens it since does not see this "
                "one's log, and the two overwrite each other's writes. Nothing of this write "
                "was done, and this process will not fold the log into the file; close every "
                "process that has the store open (`watch`, `serve`, a Python session), then "
                "run `grimoire check`")

    def _moved(self) -> bool:
        try:
            return _file_id(self._file) != self._opened_as
        except OSError:
            return True

    def open_reader(self, *, closed_with_store: bool = True) -> sqlite3.Connection:
        """A read-only connection to this store's file, for another thread: closed with the
        store, or by that thread (which may still be using it when the store closes)."""
        conn = _open(self._file, readonly=True)
        if closed_with_store:
            self._opened_readers.append(conn)
        return conn


