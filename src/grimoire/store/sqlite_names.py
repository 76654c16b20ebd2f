"""The log of files whose documents changed, from which search keeps its name index current.

Every document change goes through its source row (a new file, a replaced one, a removed one),
so triggers on `sources` log the path: no write path can forget it. A reader that remembers
the last position it saw reads only the names of the files logged since. The log keeps its
last `NAME_LOG_KEEP` rows; a reader further behind reads every name again.

Entry ids cannot tell what changed: SQLite reuses the largest rowid once it is deleted, so
re-saving the last file written gives its entries the same ids and count as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence

from grimoire.store.records import NameRow

NAME_LOG_KEEP = 20_000

NAME_LOG_SCHEMA = f"""
    CREATE TABLE name_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        path TEXT NOT NULL
    );
    CREATE TRIGGER sources_added_names AFTER INSERT ON sources
        BEGIN INSERT INTO name_log (path) VALUES (NEW.path); END;
    CREATE TRIGGER sources_removed_names AFTER DELETE ON sources
        BEGIN INSERT INTO name_log (path) VALUES (OLD.path); END;
    CREATE TRIGGER name_log_trim AFTER INSERT ON name_log
        BEGIN DELETE FROM name_log WHERE seq <= NEW.seq - {NAME_LOG_KEEP}; END;
"""

_NAME_SELECT = """
    SELECT s.path, n.norm, n.name, n.entry_id, e.document_id
    FROM entry_names n JOIN entries e ON e.id = n.entry_id
    JOIN documents d ON d.id = e.document_id JOIN sources s ON s.id = d.source_id
    WHERE e.redirect IS NULL"""

_CHUNK = 500

# The distinct names of non-redirect entries, through the index on entry_names(norm).
_NAMES_FROM = """
    SELECT DISTINCT n.norm FROM entry_names n JOIN entries e ON e.id = n.entry_id
    WHERE n.norm >= ? AND n.norm < ? AND e.redirect IS NULL"""


class NameLogSQL:
    """The name log's queries, mixed into SQLiteStore (see `grimoire.search_names`)."""

    conn: sqlite3.Connection
    end_read: Callable[[], None]  # SQLiteStore's: a read transaction ended, never raising

    def name_reader(self) -> NameLogReader | None:
        """The names and their log read through a read-only connection of their own, for a
        thread that loads the name index while this connection serves queries; None for a
        database no other connection can open (in memory, or a file moved or deleted since
        this one opened it)."""
        path: str = getattr(self, "path", "")
        open_reader = getattr(self, "open_reader", None)
        if not path or path == ":memory:" or path.startswith("file:") or open_reader is None:
            return None
        try:
            return NameLogReader(open_reader(closed_with_store=False))  # closed by its thread
        except sqlite3.Error:
            return None

    def name_log_position(self) -> int:
        """The number of the last logged change (0 before any)."""
        row = self.conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'name_log'").fetchone()
        return int(row[0]) if row else 0

    def name_log_paths(self, after: int) -> list[str] | None:
        """The paths logged after position `after`, or None when the log no longer holds
        all of them (read everything again)."""
        lowest = self.conn.execute("SELECT min(seq) FROM name_log").fetchone()[0]
        if lowest is None:
            return None if self.name_log_position() > after else []
        if lowest > after + 1:
            return None
        return [p for (p,) in self.conn.execute(
            "SELECT DISTINCT path FROM name_log WHERE seq > ? ORDER BY path", (after,))]

    def path_name_rows(self, paths: Sequence[str] | None) -> list[tuple[str, NameRow]]:
        """(path, name) of every term and alias of non-redirect entries in these files (all
        files when None), by entry and name."""
        if paths is None:
            queries: list[tuple[str, Sequence[str]]] = [(_NAME_SELECT, [])]
        else:
            unique = sorted(set(paths))
            queries = [(f"{_NAME_SELECT} AND s.path IN ({','.join('?' * len(chunk))})", chunk)
                       for chunk in (unique[i:i + _CHUNK] for i in range(0, len(unique), _CHUNK))]
        out: list[tuple[str, NameRow]] = []
        for sql, args in queries:
            out.extend((p, NameRow(norm, name, e, d))
                       for p, norm, name, e, d in self.conn.execute(
                           f"{sql} ORDER BY n.entry_id, n.norm", args))
        return out

    def name_index_rows(self) -> list[tuple[str, str, int, int]]:
        """(path, norm, entry id, document id) of every term and alias of non-redirect entries,
        in no order: what the name index loads at first use. Paths come from one read of
        `sources` instead of a join per name (584k names at 1M passages: 4.5 -> 1 s)."""
        own = not self.conn.in_transaction
        if own:
            self.conn.execute("BEGIN")  # both reads see the same files
        try:
            paths = dict(self.conn.execute("SELECT id, path FROM sources"))
            return [(paths[s], norm, e, d) for norm, e, d, s in self.conn.execute(
                "SELECT n.norm, n.entry_id, e.document_id, d.source_id"
                " FROM entry_names n JOIN entries e ON e.id = n.entry_id"
                " JOIN documents d ON d.id = e.document_id WHERE e.redirect IS NULL")]
        finally:
            if own:
                self.end_read()

    # -- names looked up here (`grimoire.search_names.StoreNames`) ----------------------------

    def name_entry_rows(self, norms: Sequence[str]) -> list[tuple[str, int, int]]:
        """(norm, entry id, document id) of the non-redirect entries named by any of
        `norms`, by name and entry."""
        out: list[tuple[str, int, int]] = []
        for i in range(0, len(norms), _CHUNK):
            chunk = norms[i : i + _CHUNK]
            out.extend(self.conn.execute(
                "SELECT n.norm, n.entry_id, e.document_id FROM entry_names n"
                " JOIN entries e ON e.id = n.entry_id"
                f" WHERE n.norm IN ({','.join('?' * len(chunk))}) AND e.redirect IS NULL"
                " ORDER BY n.norm, n.entry_id", chunk))
        return out

    def entries_by_concept_name(self, norm: str) -> list[tuple[int, int, int]]:
        """(entry id, document id, strength) of the entries that gave a concept this name."""
        try:
            return list(self.conn.execute(
                "SELECT n.entry_id, e.document_id, max(n.strength) FROM concept_names n"
                " JOIN entries e ON e.id = n.entry_id"
                " WHERE n.norm = ? AND e.redirect IS NULL GROUP BY n.entry_id, e.document_id"
                " ORDER BY n.entry_id",
                (norm,)))
        except sqlite3.OperationalError:  # a store resolve has not made concepts in yet
            return []

    def names_between(self, low: str, high: str) -> Iterator[str]:
        """The names from `low` up to (not including) `high`, in order, read as they are
        wanted: a walk over them may stop early."""
        cursor = self.conn.execute(f"{_NAMES_FROM} ORDER BY n.norm", (low, high))
        try:
            while rows := cursor.fetchmany(256):
                for (norm,) in rows:
                    yield norm
        finally:
            cursor.close()

    def names_of_length(self, low: str, high: str, shortest: int, longest: int) -> list[str]:
        """The names from `low` up to `high` of `shortest` to `longest` characters, by length
        and then name."""
        return [norm for (norm,) in self.conn.execute(
            f"{_NAMES_FROM} AND length(n.norm) BETWEEN ? AND ?"
            " ORDER BY length(n.norm), n.norm", (low, high, shortest, longest))]


class NameLogReader(NameLogSQL):
    """`NameLogSQL` on a connection of its own (`NameLogSQL.name_reader`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def change_counter(self) -> tuple[int, ...]:
        # Another connection's counter: never the store's, so an index loaded here follows
        # the log from the position it read when the store's own connection refreshes it.
        return (-1,)

    def end_read(self) -> None:
        # A read-only connection of one thread's load: no write can nest in its read, and
        # an error under way is not replaced by this one's.
        for statement in ("COMMIT", "ROLLBACK"):
            try:
                if self.conn.in_transaction:
                    self.conn.execute(statement)
                return
            except sqlite3.Error:
                continue

    def close(self) -> None:
        self.conn.close()
