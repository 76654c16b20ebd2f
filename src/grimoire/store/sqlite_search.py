"""SQLite tables and queries for search: FTS5 lexical index and passage vectors.

Two FTS5 tables, written by the store in the same transaction as the passages and entries
they index (an ingest of one file stays atomic). Since schema 14 they are contentless: they
hold the index and each row's sizes, not a copy of the text, and a file's rows leave them by
their values before the file's rows are deleted (`sqlite._FORGET_FTS`):

- `passage_fts`: one row per passage (rowid = passages.id): the owning entry's names, the
  document title, the heading path and the text;
- `entry_fts`: one row per entry (rowid = entries.id): term and aliases, definition and glosses.

Vectors live in the same file. A vector is stored once per distinct embedded text
(`vec_blobs`, keyed by a hash of model and text) and passages and entries point at it, so a
re-ingested file whose passages did not change re-uses its vectors instead of re-embedding.
At query time the vectors are read once into a numpy matrix (see `grimoire.search`): a brute
force matrix-vector product over 100k x 384 float32 takes a few milliseconds on this machine.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grimoire.store._embed_text import entry_embed_text, passage_unit_text
from grimoire.store.records import (
    ENTRY_WEIGHTS,
    PASSAGE_WEIGHTS,
    EmbedUnit,
    NameRow,
    PassageRow,
    Scored,
    TextQuery,
    VectorRow,
)

if TYPE_CHECKING:
    import numpy as np

    # numpy is imported on first vector search: a lexical search starts faster without it.
    from grimoire.store._vector_scan import ExactFetch, VectorScan

SEARCH_SCHEMA = """
    CREATE VIRTUAL TABLE passage_fts USING fts5(
        names, title, heading, body,
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE entry_fts USING fts5(
        names, body,
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
        INSERT INTO passage_fts (rowid, names, title, heading, body) VALUES (
            new.id,
            coalesce((SELECT group_concat(name, ' ; ') FROM entry_names
                      WHERE entry_id = new.entry_id), ''),
            coalesce((SELECT title FROM documents WHERE id = new.document_id), ''),
            coalesce((SELECT group_concat(value, ' / ') FROM json_each(new.heading_path)), ''),
            new.text);
    END;
    CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
        DELETE FROM passage_fts WHERE rowid = old.id;
    END;
    CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
        INSERT INTO entry_fts (rowid, names, body) VALUES (
            new.id,
            new.term || ' ; ' || coalesce((SELECT group_concat(value, ' ; ')
                                          FROM json_each(new.data, '$.aliases')), ''),
            coalesce(json_extract(new.data, '$.definition'), '') || ' '
              || coalesce((SELECT group_concat(value, ' ')
                           FROM json_each(new.data, '$.glosses')), ''));
    END;
    CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
        DELETE FROM entry_fts WHERE rowid = old.id;
    END;
    CREATE TABLE vec_blobs (
        hash TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        vec BLOB NOT NULL
    );
    CREATE TABLE passage_vecs (
        passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
        hash TEXT NOT NULL
    );
    CREATE TABLE entry_vecs (
        entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
        hash TEXT NOT NULL
    );
"""

# A random number that every change to the vector rows replaces, in the same transaction
# (a trigger per row; a foreign key's cascade fires them too), and the rows' counts (counting
# 1M rows took 0.1 s, three times in a new process's first hybrid search). The index file
# beside a large store records the stamp it was built at: a file whose stamp is the store's is
# current and is mapped as it is, without reading every unit again to check it (0.7 s at 100k
# vectors, 7 s at 1M). The counts stay exact because vectors are saved by upsert, which fires
# the update trigger (`INSERT OR REPLACE` would fire the insert one alone).
VECTOR_STAMP_SCHEMA = """
    CREATE TABLE vector_stamp (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        stamp INTEGER NOT NULL,
        passages INTEGER NOT NULL,
        entries INTEGER NOT NULL
    );
    INSERT INTO vector_stamp VALUES (1, random(), (SELECT count(*) FROM passage_vecs),
                                     (SELECT count(*) FROM entry_vecs));
""" + "".join(
    f"""
    CREATE TRIGGER {table}_{event.lower()}s_stamp AFTER {event} ON {table}
        BEGIN UPDATE vector_stamp SET stamp = random(){count}; END;"""
    for table, column in (("passage_vecs", "passages"), ("entry_vecs", "entries"))
    for event, count in (("INSERT", f", {column} = {column} + 1"), ("UPDATE", ""),
                         ("DELETE", f", {column} = {column} - 1")))



# Bytes of the file a searching connection maps (SQLite caps it at its build's limit, 2 GB
# here; the rest of a larger file is read as before). Mapped pages are the file's, shared and
# clean: the system drops them under memory pressure.
SEARCH_MAP_BYTES = 1 << 32
# Terms of the index's vocabulary `index_terms` keeps in memory at most (the whole of a
# 100k-passage store's is 44k terms, 5 MB).
RANGES_KEPT = 100_000
COUNTS_KEPT = 50_000  # terms whose `term_counts` are kept


class SearchSQL:
    """Search queries, mixed into SQLiteStore."""

    conn: sqlite3.Connection
    _scans: dict[str, VectorScan]
    _readers: threading.local  # each thread's read-only connection for `_exact_fetch`
    # (the change counter it was asked at, whether resolve has made concepts)
    _concepts_checked: tuple[tuple[int, ...], bool] = ((), False)
    _searches = 0  # searches run on this connection (`reading`): the second maps the file
    _mapped: sqlite3.Connection | None = None  # the connection `reading` mapped the file in
    _read_counter: tuple[int, ...] | None = None  # `change_counter` inside `reading`'s read
    # `term_counts`' counts read on a connection at a change counter: term -> (count, cap)
    _counts: tuple[sqlite3.Connection | None, tuple[int, ...], dict[str, tuple[int, int]]] = (
        None, (), {})
    # `index_terms`' ranges read on a connection at a change counter: prefix -> terms
    _ranges: tuple[sqlite3.Connection | None, tuple[int, ...], dict[str, list[tuple[str, int]]]] = (
        None, (), {})
    open_reader: Callable[[], sqlite3.Connection]  # SQLiteStore's
    transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]  # SQLiteStore's
    end_read: Callable[[], None]  # SQLiteStore's: a read transaction ended, never raising

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction around a search's statements (unless a transaction is open):
        each statement outside one takes and drops the file's read lock, about 30 us, and a
        search runs about 30 of them (0.9 ms of a lexical search's 14 ms of CPU at 100k).

        The second search maps the file (`SEARCH_MAP_BYTES`): a search reads pages all
        over it (passage rows, bm25's row sizes and posting lists), and SQLite's own cache
        (2 MB) holds few of a new query's; a mapped page is read without a system call and
        a copy (lexical search at 100k, queries not searched before: 19.1 -> 16.1 ms of CPU,
        p50). Not the first: a command that searches once took 14 ms more CPU with the map
        at 1M passages."""
        self._searches += 1
        # Each connection: one opened again (a refused ROLLBACK, a write that found the disk
        # full) mapped nothing, and every search after it read as the first (review55b).
        if self._searches >= 2 and self._mapped is not self.conn:
            self.conn.execute(f"PRAGMA mmap_size = {SEARCH_MAP_BYTES}")
            self._mapped = self.conn
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            # Asked once, before any statement starts the transaction's snapshot (so a write
            # by another process in between can only make a cache recompute), then kept: a
            # search asked it 13 times, each a statement that lets the embedding thread take
            # the GIL.
            self._read_counter = None
            self._read_counter = self.change_counter()
            yield
        finally:
            self._read_counter = None
            self.end_read()

    # -- lexical --------------------------------------------------------------------------

    def fts_passages(
        self,
        query: TextQuery,
        limit: int,
        documents: set[int] | None = None,
        weights: tuple[float, float, float, float] = PASSAGE_WEIGHTS,
    ) -> list[Scored]:
        """Passages with any word or phrase of `query`, by weighted bm25 (higher is better).

        `weights` are the bm25 weights of the names, title, heading and body columns.
        """
        match = fts5_match(query)
        if not match:
            return []
        sql = (
            "SELECT f.rowid, -bm25(passage_fts, ?, ?, ?, ?) AS s FROM passage_fts f"
            " WHERE passage_fts MATCH ?"
        )
        args: list[Any] = [*weights, match]
        if documents is not None:
            sql = sql.replace(
                "FROM passage_fts f", "FROM passage_fts f JOIN passages p ON p.id = f.rowid"
            )
            sql += f" AND p.document_id IN ({_ids(documents)})"
        sql += " ORDER BY s DESC, f.rowid LIMIT ?"
        return [Scored(i, s) for i, s in self.conn.execute(sql, (*args, limit))]

    def passages_with_all(
        self, words: Sequence[str], limit: int, documents: set[int] | None = None
    ) -> list[int]:
        match = " AND ".join(dict.fromkeys(q for q in map(_quote, words) if q != '""'))
        if not match:
            return []
        sql = "SELECT f.rowid FROM passage_fts f WHERE passage_fts MATCH ?"
        if documents is not None:
            sql = sql.replace(
                "FROM passage_fts f", "FROM passage_fts f JOIN passages p ON p.id = f.rowid")
            sql += f" AND p.document_id IN ({_ids(documents)})"
        return [i for (i,) in self.conn.execute(f"{sql} ORDER BY rank LIMIT ?", (match, limit))]

    def sections_headed(self, words: Sequence[str]) -> list[tuple[str, tuple[str, ...], int]]:
        match = " AND ".join(dict.fromkeys(q for q in map(_quote, words) if q != '""'))
        if not match:
            return []
        return [(path, tuple(json.loads(heading_path)), line) for path, heading_path, line in
                self.conn.execute(
                    "SELECT s.path, p.heading_path, min(p.start_line) FROM passages p"
                    " JOIN documents d ON p.document_id = d.id"
                    " JOIN sources s ON d.source_id = s.id"
                    " WHERE p.id IN (SELECT rowid FROM passage_fts WHERE passage_fts MATCH ?)"
                    " GROUP BY p.document_id, p.heading_path", (f"{{heading}} : ({match})",))]

    def fts_entries(
        self,
        query: TextQuery,
        limit: int,
        documents: set[int] | None = None,
        weights: tuple[float, float] = ENTRY_WEIGHTS,
    ) -> list[Scored]:
        """Entries whose names or definition hold any word or phrase of `query`.

        `weights` are the bm25 weights of the names and body columns.
        """
        match = fts5_match(query)
        if not match:
            return []
        sql = (
            "SELECT f.rowid, -bm25(entry_fts, ?, ?) AS s FROM entry_fts f"
            " WHERE entry_fts MATCH ?"
        )
        args: list[Any] = [*weights, match]
        if documents is not None:
            sql = sql.replace(
                "FROM entry_fts f", "FROM entry_fts f JOIN entries e ON e.id = f.rowid"
            )
            sql += f" AND e.document_id IN ({_ids(documents)})"
        sql += " ORDER BY s DESC, f.rowid LIMIT ?"
        return [Scored(i, s) for i, s in self.conn.execute(sql, (*args, limit))]

    def term_counts(self, terms: Sequence[str], cap: int) -> dict[str, int]:
        """term -> how many passages hold it, counted no further than `cap` (reads at most
        `cap` rowids a term: about 0.1 us each, against 1.5 us each to rank them by bm25).

        A count read before on this connection at the same change counter answers again when
        it is exact or reached this `cap` (a word of many queries: "network", "model")."""
        counter = self.change_counter()
        conn, at, kept = self._counts
        if conn is not self.conn or at != counter or len(kept) > COUNTS_KEPT:
            kept = {}
            self._counts = (self.conn, counter, kept)
        out: dict[str, int] = {}
        for term in dict.fromkeys(terms):
            known = kept.get(term)  # (count, the cap it was counted to)
            if known is not None and (known[0] < known[1] or cap <= known[1]):
                out[term] = min(known[0], cap)
                continue
            out[term] = int(self.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM passage_fts WHERE passage_fts MATCH ?"
                " LIMIT ?)", (_quote(term), cap)).fetchone()[0])
            kept[term] = (out[term], cap)
        return out

    def _vocab_table(self) -> None:
        """A per-connection temp table (nothing is written to the file): `fts5vocab` over the
        passages' index, whose rows are its terms in order (a range of them is read by its
        b-tree, not by a scan)."""
        if getattr(self, "_vocab_conn", None) is not self.conn:  # made again on a connection
            # opened again (`_after_no_room`): the temp table went with the old one.
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.grimoire_passage_vocab"
                              " USING fts5vocab(main, passage_fts, row)")
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.grimoire_passage_terms"
                              " USING fts5vocab(main, passage_fts, instance)")
            self._vocab_conn = self.conn

    def index_stems(self, words: Sequence[str]) -> dict[str, str]:
        return _porter_stems(words)

    def passages_holding(self, word: str, limit: int) -> list[int]:
        # By the term itself: a MATCH stems it again, and Porter cuts some stems further
        # ("caus" of "causes" -> "cau", in no passage).
        self._vocab_table()
        return [int(i) for (i,) in self.conn.execute(
            "SELECT DISTINCT doc FROM temp.grimoire_passage_terms WHERE term = ? LIMIT ?",
            (word, limit))]

    def index_terms(self, prefix: str) -> list[tuple[str, int]]:
        """As `Store.index_terms`; a range read before on this connection at the same change
        counter, or a range holding it (a typo's "ne?" within "ne"), is taken from memory.

        fts5vocab counts each term's passages by reading its whole list of them, whichever
        columns are asked: about 10 us a term at 100k passages, 5 ms for the 400 terms of
        "ne", 10-25 ms for a word in no passage and near none (every step's ranges)."""
        if not prefix:
            return []
        counter = self.change_counter()
        conn, at, kept = self._ranges
        if conn is not self.conn or at != counter or sum(map(len, kept.values())) > RANGES_KEPT:
            kept = {}
            self._ranges = (self.conn, counter, kept)
        for cut in range(len(prefix), 0, -1):
            terms = kept.get(prefix[:cut])
            if terms is not None:
                # Terms are in the index's order, UTF-8 bytes', which is code points' order.
                low = bisect.bisect_left(terms, (prefix,))
                return terms[low:bisect.bisect_left(terms, (prefix + "\U0010ffff",), low)]
        self._vocab_table()
        terms = kept[prefix] = [(str(t), int(n)) for t, n in self.conn.execute(
            "SELECT term, doc FROM temp.grimoire_passage_vocab WHERE term >= ? AND term < ?",
            (prefix, prefix + "\U0010ffff"))]
        return terms[:]

    def index_term_ranges(self, prefixes: Sequence[str]) -> list[list[tuple[str, int]]]:
        return [self.index_terms(p) for p in prefixes]  # in process: a range costs no trip

    def passage_count(self) -> int:
        """How many passages (the largest rowid is a cheap upper bound)."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0])

    def change_counter(self) -> tuple[int, ...]:
        """Changes whenever this connection or another one wrote to the file (cheap).

        Inside `reading`'s read transaction, the value it took when it began (nothing another
        process writes meanwhile is seen before it ends), unless this connection wrote."""
        kept = self._read_counter
        if kept is not None and kept[1] == self.conn.total_changes:
            return kept
        return (int(self.conn.execute("PRAGMA data_version").fetchone()[0]),
                self.conn.total_changes)

    # -- names ----------------------------------------------------------------------------

    def name_rows(self) -> list[NameRow]:
        """Every term and alias of entries that are not redirects."""
        return [NameRow(*r) for r in self.conn.execute(
            "SELECT n.norm, n.name, n.entry_id, e.document_id"
            " FROM entry_names n JOIN entries e ON e.id = n.entry_id"
            " WHERE e.redirect IS NULL ORDER BY n.entry_id, n.norm"
        )]

    def entry_aliases(self, entry_ids: Iterable[int]) -> dict[int, list[str]]:
        """Every name of each entry."""
        ids = set(entry_ids)
        out: dict[int, list[str]] = {}
        if not ids:
            return out
        for entry_id, name in self.conn.execute(
            f"SELECT entry_id, name FROM entry_names WHERE entry_id IN ({_ids(ids)})"
        ):
            out.setdefault(entry_id, []).append(name)
        return out

    def names_signature(self) -> tuple[int, int]:
        """Changes when entries are added or removed (a cache key for the name index)."""
        row = self.conn.execute("SELECT count(*), coalesce(max(id), 0) FROM entries").fetchone()
        return int(row[0]), int(row[1])

    # -- concepts (tables of the resolve stage, when it has run) ------------------------------

    def _has_concepts(self) -> bool:
        """Whether resolve has made concepts: asked of the file again only after a write
        (a search asked it 3 to 6 times, two statements each)."""
        counter = self.change_counter()
        if self._concepts_checked[0] != counter:
            row = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'concept_entries'"
            ).fetchone()
            has = row is not None and self.conn.execute(
                "SELECT 1 FROM concept_entries LIMIT 1"
            ).fetchone() is not None
            self._concepts_checked = (counter, has)
        return self._concepts_checked[1]

    def concepts_of_entries(self, ids: Iterable[int]) -> dict[int, int]:
        """entry id -> concept id, for the entries that resolve put in a concept."""
        ids = set(ids)
        if not ids or not self._has_concepts():
            return {}
        return dict(self.conn.execute(
            f"SELECT entry_id, concept_id FROM concept_entries WHERE entry_id IN ({_ids(ids)})"
        ))

    def concepts_of_passages(self, ids: Iterable[int]) -> dict[int, int]:
        """passage id -> concept id: through its entry, or a section about the concept."""
        ids = set(ids)
        if not ids or not self._has_concepts():
            return {}
        rows = self.conn.execute(
            f"SELECT p.id, {_PASSAGE_CONCEPT} FROM passages p {_JOIN_CONCEPT}"
            f" WHERE p.id IN ({_ids(ids)})")
        return {pid: cid for pid, cid in rows if cid is not None}

    def concept_first_passages(self, ids: Iterable[int]) -> dict[int, int]:
        """concept id -> a passage to show for it: its first entry's, else its first section's."""
        ids = set(ids)
        if not ids or not self._has_concepts():
            return {}
        # Its first entry that is not a redirect ("RNN: abbreviation for recurrent neural
        # network" is a way to the definition, not the definition).
        first_entry: dict[int, int] = {}
        for cid, eid in self.conn.execute(
            f"""SELECT ce.concept_id, ce.entry_id FROM concept_entries ce
                JOIN entries e ON e.id = ce.entry_id WHERE ce.concept_id IN ({_ids(ids)})
                ORDER BY ce.concept_id, e.redirect IS NOT NULL, ce.entry_id"""
        ):
            first_entry.setdefault(cid, eid)
        by_entry = self.entry_first_passages(first_entry.values())
        out = {c: by_entry[e] for c, e in first_entry.items() if e in by_entry}
        for cid, pid in self.conn.execute(
            f"""SELECT cs.concept_id, (SELECT p.id FROM passages p
                    WHERE p.document_id = cs.document_id
                      AND p.start_line BETWEEN cs.start_line AND cs.end_line
                    ORDER BY p.start_line LIMIT 1)
                FROM concept_sections cs WHERE cs.concept_id IN ({_ids(ids - out.keys())})"""
        ):
            if pid is not None and cid not in out:
                out[cid] = pid
        return out

    def concept_label_of(self, ids: Iterable[int]) -> dict[int, str]:
        """concept id -> label."""
        ids = set(ids)
        if not ids or not self._has_concepts():
            return {}
        return dict(self.conn.execute(
            f"SELECT id, label FROM concepts WHERE id IN ({_ids(ids)})"
        ))

    # -- rows for hits ----------------------------------------------------------------------

    def passage_rows(self, ids: Sequence[int]) -> dict[int, PassageRow]:
        """The passages with these ids, with their document and entry."""
        if not ids:
            return {}
        rows = self.conn.execute(
            f"""SELECT p.id, p.document_id, p.entry_id, p.text, s.path, p.start_line, p.end_line,
                       p.heading_path, d.title, d.format, e.term
                FROM passages p JOIN documents d ON d.id = p.document_id
                JOIN sources s ON s.id = d.source_id
                LEFT JOIN entries e ON e.id = p.entry_id
                WHERE p.id IN ({_ids(ids)})"""
        )
        return {
            r[0]: PassageRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(json.loads(r[7])),
                             r[8], r[9], r[10])
            for r in rows
        }

    def passage_groups(
        self, ids: Sequence[int]
    ) -> dict[int, tuple[int, int | None, int | None]]:
        """passage id -> (document id, entry id, concept id or None as `concepts_of_passages`),
        in one statement (search groups every list of candidates by these)."""
        if not ids:
            return {}
        concept, join = (_PASSAGE_CONCEPT, _JOIN_CONCEPT) if self._has_concepts() else (
            "NULL", "")
        return {r[0]: (r[1], r[2], r[3]) for r in self.conn.execute(
            f"SELECT p.id, p.document_id, p.entry_id, {concept} FROM passages p {join}"
            f" WHERE p.id IN ({_ids(ids)})")}

    def filler_passages(self, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        return {r[0] for r in self.conn.execute(_FILLER.format(ids=_ids(ids)))}

    def entry_documents(self, ids: Iterable[int]) -> dict[int, int]:
        """entry id -> document id."""
        ids = set(ids)
        if not ids:
            return {}
        return dict(
            self.conn.execute(f"SELECT id, document_id FROM entries WHERE id IN ({_ids(ids)})")
        )

    def redirect_entries(self, ids: Iterable[int]) -> set[int]:
        """Those of `ids` that are redirects (an entry that only points to another name)."""
        ids = set(ids)
        if not ids:
            return set()
        return {eid for (eid,) in self.conn.execute(
            f"SELECT id FROM entries WHERE id IN ({_ids(ids)}) AND redirect IS NOT NULL")}

    def title_only_links(
        self, ids: Sequence[int], documents: set[int] | None = None
    ) -> dict[int, set[int]]:
        if not ids or not self._has_concepts():
            return {}
        sql = _TITLE_ONLY_LINKS.format(
            ids=_ids(ids), documents="" if documents is None
            else f"AND e.document_id IN ({_ids(documents)})")
        out: dict[int, set[int]] = {}
        for pid, concept_id in self.conn.execute(sql):
            out.setdefault(pid, set()).add(concept_id)
        return out

    def entry_first_passages(self, ids: Iterable[int]) -> dict[int, int]:
        """entry id -> the id of its first passage (or of the passage holding its first line)."""
        ids = set(ids)
        if not ids:
            return {}
        out: dict[int, int] = dict(self.conn.execute(
            f"SELECT entry_id, min(id) FROM passages WHERE entry_id IN ({_ids(ids)})"
            " GROUP BY entry_id"
        ))
        missing = ids - out.keys()
        for entry_id, doc_id, start, end, term in self.conn.execute(
            "SELECT id, document_id, start_line, end_line, term FROM entries"
            f" WHERE id IN ({_ids(missing)})"
        ):
            # An entry without passages of its own (a page's title, an empty glossary entry):
            # the passage nearest its first line that speaks for it -- one over its lines, the
            # free text after it, or a section under it; never the entry before it ("LLaMa
            # Guard", empty, showed the benchmark defined above it).
            row = self.conn.execute(
                """SELECT id FROM passages p WHERE document_id = ?
                     AND (p.end_line >= ? AND (p.start_line <= ? OR p.entry_id IS NULL)
                          OR EXISTS (SELECT 1 FROM json_each(p.heading_path) WHERE value = ?))
                   ORDER BY trim(text) = '', start_line > ?, abs(start_line - ?) LIMIT 1""",
                (doc_id, start, end, term, start, start),
            ).fetchone()
            if row is not None:
                out[entry_id] = row[0]
        return out

    def document_first_passages(self, ids: Iterable[int]) -> dict[int, int]:
        """document id -> the id of its first passage."""
        ids = set(ids)
        if not ids:
            return {}
        return dict(self.conn.execute(
            f"SELECT document_id, min(id) FROM passages WHERE document_id IN ({_ids(ids)})"
            " GROUP BY document_id"
        ))

    # -- vectors ----------------------------------------------------------------------------

    def embed_units(self, model: str, *, only_missing: bool = True) -> list[EmbedUnit]:
        """Passages and entries without a vector from `model`, with the text to embed.

        The text carries meaning, not paths: "title / heading: passage", and for an entry
        "term (aliases): definition".
        """
        missing = (
            "AND (v.hash IS NULL OR NOT EXISTS (SELECT 1 FROM vec_blobs b"
            " WHERE b.hash = v.hash AND b.model = ?))"
            if only_missing
            else ""
        )
        args = (model,) if only_missing else ()
        units: list[EmbedUnit] = []
        for pid, text, heading, title, term, kind in self.conn.execute(
            f"""SELECT p.id, p.text, p.heading_path, d.title, e.term, p.kind
                FROM passages p JOIN documents d ON d.id = p.document_id
                LEFT JOIN entries e ON e.id = p.entry_id
                LEFT JOIN passage_vecs v ON v.passage_id = p.id
                WHERE 1 {missing}""",
            args,
        ):
            units.append(EmbedUnit("passage", pid, passage_unit_text(
                text, tuple(json.loads(heading)), title, term, kind)))
        for eid, data, term in self.conn.execute(
            f"""SELECT e.id, e.data, e.term FROM entries e
                LEFT JOIN entry_vecs v ON v.entry_id = e.id
                WHERE e.redirect IS NULL {missing}""",
            args,
        ):
            units.append(EmbedUnit("entry", eid, entry_embed_text(json.loads(data), term)))
        return units

    def known_vectors(self, hashes: Iterable[str]) -> set[str]:
        """Which of these hashes already have a stored vector."""
        found: set[str] = set()
        batch = list(set(hashes))
        for start in range(0, len(batch), 500):
            part = batch[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT hash FROM vec_blobs WHERE hash IN ({marks})", part))
        return found

    def save_vectors(
        self,
        model: str,
        blobs: Sequence[tuple[str, np.ndarray]],
        links: Sequence[tuple[str, int, str]],
        *,
        of_texts: bool = False,
    ) -> int:
        """Store new vectors (hash, vector) and point units (kind, id, hash) at them; how many
        units it pointed. `of_texts`: each hash is sha256 of model and the unit's embedded
        text (`_embed_store`), and a unit whose text is another by now is not pointed."""
        import numpy as np

        # Through the store's transaction: SQLite's own errors (a read-only file, a full disk)
        # become one line naming the database; `grimoire embed` ended in a traceback.
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO vec_blobs (hash, model, vec) VALUES (?, ?, ?)",
                [(h, model, np.asarray(v, dtype=np.float32).tobytes()) for h, v in blobs],
            )
            # A unit may have vanished since it was listed (a concurrent ingest): skip it.
            # Its id may hold another text by now: a write numbers its rows from the largest
            # id left, so a file added after the file with the largest ids was removed takes
            # those ids, and was pointed at the removed texts' vectors (review39a). Only a
            # unit whose text is still the one hashed is pointed.
            if of_texts:
                links = _still_holding(c, model, links)
            # An upsert, not INSERT OR REPLACE: the vector counts' triggers see an update.
            linked = c.executemany(
                "INSERT INTO passage_vecs (passage_id, hash)"
                " SELECT ?, ? WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)"
                " ON CONFLICT (passage_id) DO UPDATE SET hash = excluded.hash",
                [(i, h, i) for kind, i, h in links if kind == "passage"],
            ).rowcount
            linked += c.executemany(
                "INSERT INTO entry_vecs (entry_id, hash)"
                " SELECT ?, ? WHERE EXISTS (SELECT 1 FROM entries WHERE id = ?)"
                " ON CONFLICT (entry_id) DO UPDATE SET hash = excluded.hash",
                [(i, h, i) for kind, i, h in links if kind == "entry"],
            ).rowcount
        return max(linked, 0)

    def drop_orphan_vectors(self) -> int:
        """Delete vectors no passage or entry points at any more; returns how many."""
        with self.transaction() as c:
            cur = c.execute(
                """DELETE FROM vec_blobs WHERE hash NOT IN (SELECT hash FROM passage_vecs)
                     AND hash NOT IN (SELECT hash FROM entry_vecs)"""
            )
            return cur.rowcount

    def vector_stamp(self) -> int:
        """A number that every change to the vector rows replaces (`VECTOR_STAMP_SCHEMA`)."""
        return int(self.conn.execute("SELECT stamp FROM vector_stamp").fetchone()[0])

    def vectors_signature(self) -> tuple[int, ...]:
        """Changes whenever the stored vectors or the passages they belong to change:
        (passages with a vector, the last of them, the same for entries, the stamp)."""
        row = self.conn.execute(
            "SELECT passages, coalesce((SELECT max(passage_id) FROM passage_vecs), 0),"
            " entries, coalesce((SELECT max(entry_id) FROM entry_vecs), 0), stamp"
            " FROM vector_stamp").fetchone()
        return tuple(int(v) for v in row)

    def entry_vectors(self, model: str, entry_ids: Sequence[int]) -> dict[int, np.ndarray]:
        import numpy as np

        ids = list(dict.fromkeys(entry_ids))
        out: dict[int, np.ndarray] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.update((int(eid), np.frombuffer(vec, dtype=np.float32)) for eid, vec in
                       self.conn.execute(
                           "SELECT v.entry_id, b.vec FROM entry_vecs v JOIN vec_blobs b ON"
                           " b.hash = v.hash WHERE b.model = ? AND v.entry_id IN"
                           f" ({','.join('?' * len(chunk))})", (model, *chunk)))
        return out

    def load_vectors(
        self, model: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(kinds 0=passage 1=entry, ids, document ids, entry ids or -1, matrix) for `model`."""
        import numpy as np

        rows = self.conn.execute(_VECTORS, (model, model)).fetchall()
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty, np.zeros((0, 0), dtype=np.float32)
        kinds = np.fromiter((r[0] for r in rows), dtype=np.int8, count=len(rows))
        ids = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        docs = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
        entries = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[4] for r in rows), dtype=np.float32)
        return kinds, ids, docs, entries, matrix.reshape(len(rows), -1)

    def nearest(
        self, model: str, vector: np.ndarray, k: int, documents: set[int] | None = None
    ) -> tuple[list[Scored], list[Scored]]:
        """The `k` passages and `k` entries nearest `vector` (cosine), within `documents`.

        The vectors are read into memory once and kept while they stay unchanged; whether
        they changed is asked of the vector tables only after a write to the file.
        """
        return self.vector_index(model).nearest(vector, k, documents)

    def vector_index(self, model: str) -> VectorScan:
        """The in-memory index of `model`'s vectors, current. Its `nearest` reads no SQL, so
        a search may run it on another thread (after embedding the query there)."""
        counter = self.change_counter()
        scan = self._scans.get(model)
        if scan is None or scan.checked != counter:
            signature = (*self.vectors_signature(), hash(model))
            if scan is None or scan.signature != signature:
                scan = self._load_scan(model, signature)
                if not scan.exact:
                    scan.fetch_exact = self._exact_fetch(model)
                self._scans = {model: scan}  # one model at a time: vectors are large
            scan.checked = counter
        return scan

    def _load_scan(self, model: str, signature: tuple[int, ...]) -> VectorScan:
        """The vectors of `model`, read in chunks in one read transaction."""
        import numpy as np

        from grimoire.store._vector_scan import VectorScan

        own = not self.conn.in_transaction
        if own:
            self.conn.execute("BEGIN")
        try:
            count = sum(self.vectors_signature()[:4:2])  # units with a vector, as read here
            dim = self._vector_dim(model)
            scan = self._kept_scan(model, signature, count, dim)
            if scan is not None:
                return scan
            cursor = self.conn.execute(_VECTORS, (model, model))

            def chunks() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
                while rows := cursor.fetchmany(VECTOR_CHUNK):
                    n = len(rows)
                    yield (
                        np.fromiter((r[0] for r in rows), dtype=np.int8, count=n),
                        np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
                        np.fromiter((r[2] for r in rows), dtype=np.int64, count=n),
                        np.frombuffer(b"".join(r[4] for r in rows),
                                      dtype=np.float32).reshape(n, dim),
                    )

            return VectorScan.load(signature, count, dim, chunks())
        finally:
            if own:
                self.end_read()

    def index_vectors(self, model: str) -> None:
        """Bring the vector index file of `model` up to date now (after embedding), so that
        the next search maps it instead of writing it (2.3 s at 100k vectors, 35 s at 1M).
        Only a store large enough to keep the file (above EXACT_UP_TO vectors, on disk) writes
        one; nothing is loaded into this process's memory, and a file that cannot be written
        is left to the search (which then holds the index in memory)."""
        if self._vector_file() is None:
            return
        own = not self.conn.in_transaction
        if own:
            self.conn.execute("BEGIN")
        try:  # one read transaction, as `_load_scan` reads it
            signature = (*self.vectors_signature(), hash(model))
            self._kept_scan(model, signature, sum(signature[:4:2]), self._vector_dim(model))
        finally:
            if own:
                self.end_read()

    def _vector_dim(self, model: str) -> int:
        """The dimension of `model`'s stored vectors (0: none stored)."""
        first = self.conn.execute(
            "SELECT length(vec) FROM vec_blobs WHERE model = ? LIMIT 1", (model,)
        ).fetchone()
        return int(first[0]) // 4 if first else 0

    def _kept_scan(self, model: str, signature: tuple[int, ...], count: int,
                   dim: int) -> VectorScan | None:
        """The index of a store large enough to keep it in the file beside the database
        (more than EXACT_UP_TO vectors), mapped from it and rewritten first if stale; None for
        a smaller store, one with no such file, or a file that cannot be written."""
        from grimoire.store._vector_scan import EXACT_UP_TO

        file = self._vector_file()
        if file is None or count <= EXACT_UP_TO or not dim:
            return None
        return self._file_scan(file, model, signature, dim)

    def _exact_fetch(self, model: str) -> ExactFetch | None:
        """What the quantized index reads its re-ranked rows' float32 vectors with: a query
        by primary key on a read-only connection of the calling thread's own (the index is
        scanned on the search's worker thread, and this store's connection stays on one
        thread). None for a database that no other connection can open (in memory)."""
        path: str = getattr(self, "path", "")
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        local = self._readers

        def fetch(kind: int, ids: list[int]) -> dict[int, bytes]:
            conn: sqlite3.Connection | None = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = self.open_reader()
            table, column = ("passage_vecs", "passage_id") if kind == 0 else (
                "entry_vecs", "entry_id")
            return dict(conn.execute(
                f"SELECT v.{column}, b.vec FROM {table} v JOIN vec_blobs b ON b.hash = v.hash"
                f" WHERE b.model = ? AND v.{column} IN ({_ids(ids)})", (model,)))

        return fetch

    def _vector_file(self) -> Path | None:
        """Where a large store keeps its vector index: beside the database (not in memory)."""
        path: str = getattr(self, "path", "")
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        return Path(path + "-vectors")

    def _file_scan(
        self, file: Path, model: str, signature: tuple[int, ...], dim: int
    ) -> VectorScan | None:
        """The index mapped from `file`, checked row by row against the vector tables, and
        brought up to date (rewritten) when they changed; None if it cannot be written."""
        import numpy as np

        from grimoire.store._vector_scan import (
            code_bits,
            digest,
            open_file,
            restamp,
            unchanged,
            write_file,
        )

        stamp = self.vector_stamp()
        old = open_file(file, model, signature)
        if (old is not None and old.stamp == stamp
                and old.precision == code_bits(len(old.ids) + old.skipped[0])):
            return old  # built or checked at the store's present vectors
        # Every unit with a vector (any model), in chunks: no list of 1M tuples at once.
        parts: list[tuple[np.ndarray, ...]] = []
        cursor = self.conn.execute(_UNITS)
        while rows := cursor.fetchmany(65_536):
            n = len(rows)
            parts.append((np.fromiter((r[0] for r in rows), dtype=np.int8, count=n),
                          np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
                          np.fromiter((r[2] for r in rows), dtype=np.int64, count=n),
                          np.fromiter((digest(r[3]) for r in rows), dtype=np.int64, count=n)))
        kinds, ids, docs, digests = (
            np.concatenate([p[k] for p in parts]) if parts
            else np.zeros(0, dtype=np.int8 if k == 0 else np.int64) for k in range(4))
        del parts
        if (old is not None and old.precision == code_bits(len(ids))
                and unchanged(old, kinds, ids, docs, digests)):
            restamp(file, old, stamp)
            return old
        # Changed (or new): the same query again in this read transaction, for the hashes.
        hashes = [r[3] for r in self.conn.execute(_UNITS)]

        def fetch(wanted: list[str]) -> dict[str, bytes]:
            out: dict[str, bytes] = {}
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                out.update(self.conn.execute(
                    f"SELECT hash, vec FROM vec_blobs WHERE model = ?"
                    f" AND hash IN ({','.join('?' * len(part))})", (model, *part)))
            return out

        try:
            return write_file(file, model, signature, (kinds, ids, docs, digests, hashes), old,
                              fetch, dim, stamp)
        except OSError:
            return None  # no room or no right to write beside the store: held in memory

    def vector_rows(self) -> Iterator[VectorRow]:
        """Every stored vector with the unit it belongs to (for migration)."""
        import numpy as np

        for kind, unit, h, model, blob in self.conn.execute(
            """SELECT 'passage', v.passage_id, v.hash, b.model, b.vec FROM passage_vecs v
                 JOIN vec_blobs b ON b.hash = v.hash
               UNION ALL
               SELECT 'entry', v.entry_id, v.hash, b.model, b.vec FROM entry_vecs v
                 JOIN vec_blobs b ON b.hash = v.hash
               ORDER BY 1, 2"""
        ):
            values = np.frombuffer(blob, dtype=np.float32)
            yield VectorRow(kind, int(unit), h, model, tuple(float(x) for x in values))

    def vector_counts(self) -> tuple[int, int]:
        """(units with a vector, units in all)."""
        c = self.conn
        have = c.execute("SELECT passages + entries FROM vector_stamp").fetchone()[0]
        total = c.execute(  # entries less redirects: each count reads a small index
            "SELECT (SELECT count(*) FROM passages) + (SELECT count(*) FROM entries)"
            " - (SELECT count(*) FROM entries WHERE redirect IS NOT NULL)"
        ).fetchone()[0]
        return int(have), int(total)


# A passage's concept: its entry's, else that of the narrowest section around its first line.
_PASSAGE_CONCEPT = """coalesce(ce.concept_id, (
    SELECT cs.concept_id FROM concept_sections cs
    WHERE cs.document_id = p.document_id AND p.start_line BETWEEN cs.start_line AND cs.end_line
    ORDER BY cs.end_line - cs.start_line LIMIT 1))"""
_JOIN_CONCEPT = "LEFT JOIN concept_entries ce ON ce.entry_id = p.entry_id"

VECTOR_CHUNK = 8192  # rows read at a time when loading vectors
_VECTORS = """SELECT 0, p.id, p.document_id, coalesce(p.entry_id, -1), b.vec
                 FROM passage_vecs v JOIN passages p ON p.id = v.passage_id
                 JOIN vec_blobs b ON b.hash = v.hash WHERE b.model = ?
               UNION ALL
               SELECT 1, e.id, e.document_id, e.id, b.vec
                 FROM entry_vecs v JOIN entries e ON e.id = v.entry_id
                 JOIN vec_blobs b ON b.hash = v.hash WHERE b.model = ?"""


_UNITS = """SELECT 0, p.id, p.document_id, v.hash
               FROM passage_vecs v JOIN passages p ON p.id = v.passage_id
             UNION ALL
             SELECT 1, e.id, e.document_id, v.hash
               FROM entry_vecs v JOIN entries e ON e.id = v.entry_id"""


_STEMMER: sqlite3.Connection | None = None
_STEMMER_LOCK = threading.Lock()


def _porter_stems(words: Sequence[str]) -> dict[str, str]:
    """word -> the term FTS5's tokenizer of the passages makes of it, from an FTS5 table of
    its own in memory (on a connection of its own: a write on the store's connection, even to
    a temp table, would change `change_counter` and empty every cache keyed by it)."""
    global _STEMMER
    words = list(dict.fromkeys(w.replace("\x00", "") for w in words))
    if not words:
        return {}
    out: dict[str, str] = {}
    with _STEMMER_LOCK:
        if _STEMMER is None:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            conn.execute("CREATE VIRTUAL TABLE probe USING fts5(w, tokenize = "
                         "'porter unicode61 remove_diacritics 2')")
            conn.execute("CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, instance)")
            _STEMMER = conn
        conn = _STEMMER
        conn.executemany("INSERT INTO probe (rowid, w) VALUES (?, ?)", enumerate(words, 1))
        for doc, term in conn.execute("SELECT doc, term FROM probe_terms ORDER BY doc, offset"):
            out.setdefault(words[int(doc) - 1], str(term))
        conn.execute("DELETE FROM probe")
    return out


def fts5_match(query: TextQuery) -> str:
    """An FTS5 MATCH expression: every word and phrase quoted, OR-ed (no syntax leaks)."""
    parts = [_quote(w) for w in query.words]
    parts += [_quote(" ".join(p)) for p in query.phrases]
    return " OR ".join(dict.fromkeys(p for p in parts if p != '""'))


def _quote(text: str) -> str:
    # FTS5 ends a string at NUL ("unterminated string"); PostgreSQL drops it: so do we.
    return '"' + text.replace("\x00", "").replace('"', '""') + '"'


# The list of related terms or "see also" of an entry lies outside its passages (front matter,
# a list after the text): those links belong to every passage of the entry. The links of the
# candidates' documents are read once and matched to the candidates' lines: joined passage by
# passage, a page with 661 links and 33 candidate passages read 21k link rows (12-30 ms,
# against 0.4 ms). Only the concepts of the links matched are checked for text: checked for
# every link of the documents, a hub page of 5,000 links to title-only pages cost 67 ms a
# search, against 46. (No `MATERIALIZED`: it needs SQLite 3.35.)
_TITLE_ONLY_LINKS = """
    WITH candidates AS (
        SELECT id, document_id, entry_id, start_line, end_line FROM passages WHERE id IN ({ids})),
    linked AS (
        SELECT l.id, l.document_id, l.entry_id, l.kind, l.start_line FROM links l
        WHERE l.document_id IN (SELECT document_id FROM candidates)),
    pairs AS (
        SELECT DISTINCT p.id, t.concept_id FROM linked k
        CROSS JOIN candidates p ON p.document_id = k.document_id
            AND (k.start_line BETWEEN p.start_line AND p.end_line
                 OR (k.entry_id = p.entry_id AND k.kind IN ('related', 'see_also')))
        CROSS JOIN link_targets t ON t.link_id = k.id AND t.status = 'resolved')
    SELECT id, concept_id FROM pairs k
    WHERE EXISTS (SELECT 1 FROM concept_entries c JOIN entries e ON e.id = c.entry_id
                  WHERE c.concept_id = k.concept_id {documents})
        AND NOT EXISTS (SELECT 1 FROM concept_entries c
                        JOIN passages q ON q.entry_id = c.entry_id
                        WHERE c.concept_id = k.concept_id)"""


# A passage of no entry, in a document with two entries or more that all have a passage
# (`filler_passages`). Each document is judged once, not once per passage of it: the test
# reads every entry of the page, and a page of 1,500 entries whose free passages filled the
# 60 candidates spent 50 ms of a 60 ms search on it, twice per search (review38a).
_FILLER = """WITH free AS (SELECT id, document_id FROM passages
                          WHERE id IN ({ids}) AND entry_id IS NULL)
    SELECT id FROM free WHERE document_id IN (
        SELECT d.document_id FROM (SELECT DISTINCT document_id FROM free) d
        WHERE (SELECT count(*) FROM entries e WHERE e.document_id = d.document_id) >= 2
        AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.document_id = d.document_id
                        AND NOT EXISTS (SELECT 1 FROM passages q WHERE q.entry_id = e.id)))"""


def _ids(ids: Iterable[int]) -> str:
    # Integers only, so inlining them is safe and lets SQLite use the primary key.
    return ",".join(str(int(i)) for i in ids) or "NULL"


def _still_holding(c: sqlite3.Connection, model: str,
                   links: Sequence[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """The links (kind, id, hash) whose unit is there and holds the text `hash` was made of
    (`_embed_store`: sha256 of model and embedded text)."""
    import hashlib

    from grimoire.store import _carry_vectors

    now: dict[tuple[str, int], str] = {}
    for kind, query in (("passage", _carry_vectors.NEW_PASSAGES.format("p.id IN ({})")),
                        ("entry", _carry_vectors.NEW_ENTRIES.format("e.id IN ({})"))):
        ids = sorted({i for k, i, _ in links if k == kind})
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows = c.execute(query.format(",".join("?" * len(part))), part).fetchall()
            if kind == "passage":
                for pid, text, heading, title, term, pkind in rows:
                    now[kind, pid] = passage_unit_text(text, tuple(json.loads(heading)), title,
                                                       term, pkind)
            else:
                for eid, data, term in rows:
                    now[kind, eid] = entry_embed_text(json.loads(data), term)
    return [(k, i, h) for k, i, h in links
            if (text := now.get((k, i))) is not None
            and hashlib.sha256(f"{model}\n{text}".encode()).hexdigest() == h]
