"""PostgreSQL backend: psycopg 3 with a connection pool, full text search and pgvector.

For a team: several people ingest and search at once, from several machines. Each thread
takes a connection from the pool for one statement, or holds one for a whole
`transaction()` (nested calls become savepoints, as on SQLite). A file's documents are
written in one transaction, like on SQLite.

- NUL: PostgreSQL text cannot hold U+0000. Readers already drop it from notes
  (`readers/base.py`), and every string sent here loses it too, so a write never fails on it
  and both engines store the same text.
- Order: text columns use the "C" collation (code point order, as SQLite's BINARY), and every
  list has a full ORDER BY ending on an id, so ties come out the same way each time.
- Concurrency: ingests of different folders touch different rows. Two rows are shared:
  `concept_state`, only updated when clean, and the change counter's, bumped by a writing
  transaction's last statement (`change_counter`). A write of a file takes an advisory lock
  shared (writes of files do not wait on each other) and resolve takes it alone, from its
  read to its write: so a resolve never reads half of another process's files, nor writes
  concepts read before that process's files over the ones its resolve wrote. Two writes of
  the same file take turns on a lock of its path (`_writing_files`). Vectors are written in
  id order, so two embedders cannot deadlock on each other's rows.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import select
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, NoReturn

import psycopg
from psycopg.adapt import Dumper
from psycopg.sql import SQL, Identifier
from psycopg_pool import ConnectionPool, PoolTimeout

from grimoire._http import shown
from grimoire.codec import to_data
from grimoire.errors import CorruptDatabase, NoRoom, RefusedValue, StoreError
from grimoire.model import Document, Link, Span
from grimoire.names import normalize
from grimoire.store import _carry_vectors, _pg_gone
from grimoire.store._rows import ENTRY_SELECT, entry_at, stored_entry
from grimoire.store.base import Reads
from grimoire.store.document_rows import (
    DocumentRows,
    SourceItem,
    in_page,
    meta_json,
    page_entry,
    stored_json,
    stored_marks,
)
from grimoire.store.postgres_queries import PostgresQueries
from grimoire.store.postgres_resolve_state import PostgresResolveState
from grimoire.store.postgres_schema import ENTRY_TSV_UPDATE, MIGRATIONS, PASSAGE_TSV_UPDATE
from grimoire.store.records import TABLES, PassageMarks, SourceRecord, StoredEntry

_LOCK_MIGRATE = 0x47524D31  # advisory lock keys ("GRM1" to "GRM4")
LOCK_RESOLVE = 0x47524D32
_LOCK_PATH = 0x47524D33  # with a second key: the hash of the file's path
LOCK_INDEX = 0x47524D34  # with a second key: the dimension of the vectors indexed

# How long the pool tries, with its doubling waits (1, 2, 4 s ...), to replace a connection
# the server closed before it gives up until a call asks for one (then it tries at once). By
# default 300 s: a server stopped for a minute and started again left the pool waiting out a
# wait of 32-64 s, so the first call after its return failed ("no connection ... could be
# had", 30 s) and the second waited 19 s (round 51). A call still waiting when the pool gives
# up makes it try again (`_try_on_while_asked`).
RECONNECT_S = 10.0

# The change counter's bump, a no-op in a transaction that wrote nothing (a search's
# `SET LOCAL`): PostgreSQL gives a transaction an id at its first write, and only then.
_BUMP = ("UPDATE grimoire_changes SET n = n + 1"
         " WHERE pg_current_xact_id_if_assigned() IS NOT NULL")


# The JSON columns are cast to jsonb, which refuses the escape \u0000 (its text cannot hold
# U+0000): a NUL that a YAML "\0" put in a value is dropped here, as `_NulFreeStr` drops it
# from plain text. An escape follows an even run of backslashes ("\\u0000" is the text).
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def _json(text: str) -> str:
    """JSON text as PostgreSQL's jsonb takes it: without NUL escapes."""
    return _NUL_ESCAPE.sub(r"\1", text) if "\\u0000" in text else text


class _NulFreeStr(Dumper):
    """Dumps Python str as text without NUL (PostgreSQL rejects U+0000 in text)."""

    oid = 0  # unknown: let the server infer the type, as psycopg's own str dumper does

    def dump(self, obj: str) -> bytes:
        return obj.replace("\x00", "").encode()


def _vector_on_path(conn: psycopg.Connection[Any], url: str) -> None:
    """Make sure the pgvector type is found from this connection's search_path. Installed
    here if missing: into `public` when it is on the path, so that stores kept as other
    schemas of the database (`search_path=team,public`) all see it; CREATE EXTENSION alone
    would put it into the first schema, out of sight of every other store."""
    found = conn.execute("SELECT current_schemas(false)").fetchone()
    path = [str(name) for name in found[0]] if found else []
    row = conn.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
                       " ON n.oid = e.extnamespace WHERE e.extname = 'vector'").fetchone()
    if row is not None:
        if row[0] not in path:
            raise StoreError(f'the pgvector extension is in schema "{row[0]}", which is not on'
                             f" this store's search_path ({', '.join(path) or 'empty'}): add"
                             f" it after the store's schema, as options=-csearch_path%3D"
                             f"{path[0] if path else 'yours'},{row[0]}", url)
        return
    schemas = ["public"] if "public" in path else path[:1]
    if not schemas:
        raise StoreError("no schema on this store's search_path exists", url)
    try:
        with conn.transaction():
            conn.execute(SQL("CREATE EXTENSION IF NOT EXISTS vector SCHEMA {}").format(
                Identifier(schemas[0])))
    except psycopg.Error as e:
        raise StoreError(f"cannot install the pgvector extension: {e}", url) from e


# What to say when the store's vectors are gone: pgvector's type cannot be dropped while a
# column uses it, so the extension was dropped with CASCADE, which drops every vector column.
_DROPPED = ("the pgvector extension was dropped from this database (DROP EXTENSION vector "
            "CASCADE removes every stored vector; the notes, entries and links are intact)")
_AGAIN = "ingest the notes into a new database to search by meaning again"
VECTORS_GONE = f"{_DROPPED}: nothing of this call was kept; {_AGAIN}"
VECTORS_GONE_AT_OPEN = f"{_DROPPED}, so it was not opened: {_AGAIN}"
_NO_VEC_COLUMN = re.compile(r'column "?(\w+\.)?vec"? does not exist')


def disk_full(error: BaseException) -> str | None:
    """What to say when PostgreSQL could not write for want of room (SQLSTATE 53100: a table
    or index file that cannot grow, a sort's temporary file); None for any other error.
    PostgreSQL rolled the statement's transaction back; what was committed before stays."""
    if not isinstance(error, psycopg.errors.DiskFull) or _panicked(error):
        return None
    detail = str(error).splitlines()[0] if str(error) else "no space left on device"
    return (f"the database server's disk is full (PostgreSQL: {detail}); nothing of this call "
            "was kept and what was stored before is intact: free some space on that disk and "
            "run it again")


# What `snapshot` reads, locked for reading before its first read: the tables in the reverse
# of their copy's order (a resolve's TRUNCATE takes `link_targets` ... `concepts` in that
# order), then the vectors.
_SNAPSHOT_LOCKS = (f"LOCK TABLE {', '.join(reversed(TABLES))}, passage_vecs, entry_vecs"
                   " IN ACCESS SHARE MODE")


def server_gone(error: BaseException) -> str | None:
    """What to say when the server went away or cannot be reached: a connection closed under
    a call (the server crashed or was stopped: a full disk under its write-ahead log,
    `pg_wal`, makes it stop, PANIC), its "terminating connection" or "in recovery mode"
    (SQLSTATE 57P01-57P03), a connection that failed (class 08), or no connection to be had
    from the pool; None for any other error. Said as a failed write or query, with libpq's
    words, these gave no hint that the server was down (round 41)."""
    if not isinstance(error, psycopg.OperationalError) or (isinstance(
            error, psycopg.errors.DiskFull) and not _panicked(error)):
        return None
    state = error.sqlstate
    if state is not None and not state.startswith(("57P", "08", "53100")):
        return None
    detail = " ".join(str(error).split()) or "the connection was lost"
    if isinstance(error, PoolTimeout):  # all connections busy, or none can be made
        _pg_gone.forget()
        return (f"no connection to the PostgreSQL server could be had ({detail}): it is stopped "
                "or cannot be reached (its log says why; a full disk under its write-ahead "
                "log, pg_wal, stops it), or every connection is busy; nothing of this call was "
                "kept: run it again once the server is up")
    if (said := _pg_gone.why(error)) is not None:  # the server said why (round 53)
        return (f"{said}; nothing of this call was kept and what was stored before is kept by "
                "the server: its log says more; run this again once it is up")
    return (f"the PostgreSQL server stopped or cannot be reached ({detail}); nothing of this "
            "call was kept and what was stored before is kept by the server: its log says "
            "why (a full disk under its write-ahead log, pg_wal, stops it); start it again, "
            "then run this again")


def _lost_at_commit(error: psycopg.Error, kept: str) -> str | None:
    """What to say when the connection was lost as a transaction committed (the server
    stopped, or ended the session): whether the server wrote the commit before it went is
    unknown to the client, which said "nothing of this call was kept" (`server_gone`) until
    round 55. The server keeps all of one transaction or none of it: `kept` says what that
    leaves. None for any other error."""
    said = _pg_gone.why(error) or " ".join(str(error).split())  # before `server_gone` asks
    if server_gone(error) is None:
        return None
    return f"lost its connection as it committed ({said}): {kept}"


def _panicked(error: psycopg.Error) -> bool:
    """Whether the server stopped with `error` (a PANIC: no room left for its write-ahead
    log), where a plain ERROR leaves it running."""
    return getattr(error.diag, "severity_nonlocalized", None) == "PANIC"


def _check_if_spoken_to(conn: psycopg.Connection[Any]) -> None:
    """The pool's check of a connection before it hands it out. An idle connection the server
    closed (an administrator's `pg_terminate_backend`, `idle_session_timeout`, the server
    restarted) has its reason and end of file waiting on its socket: such a one is asked an
    empty query, which raises, and the pool makes a new connection. It failed the call, said
    as a stopped server (`server_gone`) while the server ran (review41a). A connection with
    nothing waiting is handed out unasked: a query each time cost 5-7 ms a lexical search."""
    if conn.closed or _readable(conn.fileno()):
        try:
            ConnectionPool.check_connection(conn)
        finally:
            _pg_gone.forget()  # its last words, if any, were not the call's


def _try_on_while_asked(pool: ConnectionPool[Any]) -> None:
    """The pool gave up its tries (`RECONNECT_S`): while a call still waits for a connection
    (its 30 s), it tries again at once. The tries a call started stopped after 10 s, and the
    call waited out its 30 s and failed: a search asked while the server restarted, back 11.5 s
    later, failed at 30 s where main's pool (300 s of tries) answered it at 13.8 s (review51b,
    /work/cache/review51b/pg_late.py)."""
    if pool.get_stats().get("requests_waiting", 0):
        pool.check()  # no connection in the pool: it grows, a new series of tries


class _AwayOnce(logging.Filter):
    """Say once that a pool's server cannot be reached, until a connection is made again.
    psycopg_pool logs a warning at each try while the server is away ("error connecting in
    'pool-1': connection failed: ...", two lines a try with "reconnection attempt ... failed
    after 10 sec"; about ten lines a call's 30 s wait, for as long as a `watch` or `serve`
    runs): one line instead, naming the server (round 52)."""

    def __init__(self) -> None:
        super().__init__()
        self.servers: dict[str, str] = {}  # pool name -> the server as shown
        self.away: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.args, tuple) or not record.args:
            return True
        name = record.args[0]
        if not isinstance(name, str):
            return True
        if record.msg == "error connecting in %r: %s" and name in self.servers:
            if name in self.away:
                return False
            self.away.add(name)
            reason = " ".join(str(record.args[1]).split())
            record.msg = ("grimoire: the PostgreSQL server %s cannot be reached (%s); the pool "
                          "tries again quietly, and calls are answered once it is back")
            record.args = (self.servers[name], reason)
            return True
        return not (name in self.servers and isinstance(record.msg, str)
                    and record.msg.startswith("reconnection attempt in pool"))

    def back(self, name: str) -> None:
        self.away.discard(name)

    def forget(self, name: str) -> None:
        self.servers.pop(name, None)
        self.away.discard(name)


_AWAY = _AwayOnce()
logging.getLogger("psycopg.pool").addFilter(_AWAY)
_POOLS = itertools.count(1)


def _readable(fd: int) -> bool:
    """Whether the socket `fd` has something to read now (never waits)."""
    if hasattr(select, "poll"):  # any descriptor number, where `select` takes below 1,024
        poll = select.poll()
        poll.register(fd, select.POLLIN)
        return bool(poll.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


def vectors_gone(error: BaseException) -> bool:
    """True when `error` comes from pgvector's type or the vector columns being gone (the
    extension dropped while the store was open): a connection made before it still sends
    the old type's id ("cache lookup failed"), one made after cannot send a vector at all."""
    text = str(error)
    return ((isinstance(error, psycopg.errors.UndefinedObject) and 'type "vector"' in text)
            or (isinstance(error, psycopg.errors.UndefinedColumn)
            and _NO_VEC_COLUMN.search(text) is not None)
            or "cache lookup failed for type" in text
            or (isinstance(error, psycopg.ProgrammingError) and "cannot adapt type" in text
                and ("'ndarray'" in text or "'Vector'" in text)))


def _vector_columns_whole(conn: psycopg.Connection[Any], url: str) -> None:
    """Refuse a store whose vector tables lost their `vec` column (the extension dropped
    with CASCADE, then made again at this opening): each search by meaning failed with
    "column v.vec does not exist", read as a write that failed."""
    rows = conn.execute(
        "SELECT t.table_name, count(c.column_name) FROM information_schema.tables t"
        " LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema"
        " AND c.table_name = t.table_name AND c.column_name = 'vec'"
        " WHERE t.table_schema = current_schema()"
        " AND t.table_name IN ('vec_blobs', 'passage_vecs', 'entry_vecs')"
        " GROUP BY t.table_name").fetchall()
    if any(count == 0 for _, count in rows):
        raise StoreError(VECTORS_GONE_AT_OPEN, url)


class PostgresStore(PostgresQueries, PostgresResolveState):
    """A knowledge base in a PostgreSQL database (14+, with the pgvector extension)."""

    engine = "postgresql"
    read_only = False  # a role without write rights fails at its first write, as it should
    takes_rows = False
    # ts_rank over each matching row's tsvector: about 6 us a row at 100k passages, 4x FTS5's.
    lexical_rows = 2_500

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = shown(url)  # never echo a password
        # The URL as given, to open another connection of one's own (`watch`'s long reads);
        # never shown or logged.
        self._dsn = url
        self._local = threading.local()

        def refused(e: BaseException) -> StoreError:
            # psycopg's hint is on a line of its own; libpq may quote the URL, password and all
            reason = " ".join(str(e).replace(url, self.url).split())
            return StoreError(f"cannot connect to PostgreSQL: {reason}", self.url)

        try:
            # One plain connection first: a refused connection, a wrong password or a missing
            # database fails at once with PostgreSQL's reason, where the pool retries for
            # 15 s, logging each try, and then says only that it timed out.
            first = psycopg.connect(url, connect_timeout=15, autocommit=True)
        except (psycopg.Error, Exception) as e:
            raise refused(e) from e
        # The schema is brought up to date on it before the pool opens: a pool connection
        # made before pgvector's type exists cannot send or read a vector, and another
        # process may be creating that type while this one waits on the migration lock.
        with first:
            try:
                self._migrate(first)
                _vector_columns_whole(first, self.url)
            except psycopg.Error as e:
                # Outside a step (its own error says which): the server stopped or the
                # session ended while the opening waited for the migration lock (another
                # process upgrading) or read the schema. Was psycopg's bare AdminShutdown,
                # naming no store (review54b).
                reason = disk_full(e) or server_gone(e) or str(e)
                raise StoreError(f"cannot open the database: {reason}", self.url) from e
        name = f"grimoire-{next(_POOLS)}"
        _AWAY.servers[name] = self.url

        def configure(conn: psycopg.Connection[Any]) -> None:
            self._configure(conn)
            _AWAY.back(name)  # a connection made: the server is back, said again if it goes

        try:
            self.pool = ConnectionPool(
                url, min_size=1, max_size=pool_size, open=False, reconnect_timeout=RECONNECT_S,
                reconnect_failed=_try_on_while_asked, kwargs={"autocommit": True},
                configure=configure, check=_check_if_spoken_to, name=name,
            )
            self.pool.open(wait=True, timeout=15)
        except (psycopg.Error, Exception) as e:
            _AWAY.forget(name)
            raise refused(e) from e
        try:
            self.vector_version = self._vector_version()
        except BaseException:
            self.close()
            raise
        self._hnsw: set[tuple[str, int]] = set()
        self._unsaved = itertools.count(1)  # `change_counter` in a transaction that wrote

    @staticmethod
    def _configure(conn: psycopg.Connection[Any]) -> None:
        conn.adapters.register_dumper(str, _NulFreeStr)
        conn.add_notice_handler(_pg_gone.heard)  # why the server ends it, if it says (57P02)
        try:
            from pgvector.psycopg import register_vector

            register_vector(conn)
        except psycopg.ProgrammingError:
            # No vector type: the extension was dropped since `_migrate`. The connection is
            # kept for everything else; a vector it cannot send, or a vector column that is
            # gone, is said as `VECTORS_GONE` (`vectors_gone`), not as a failed write.
            pass

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        upgraded_from: int | None = None
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_MIGRATE,))
                conn.execute("CREATE TABLE IF NOT EXISTS grimoire_schema (version integer)")
                row = conn.execute("SELECT version FROM grimoire_schema").fetchone()
                if row is None:
                    other = conn.execute(
                        "SELECT 1 FROM information_schema.tables WHERE table_name = 'sources'"
                        " AND table_schema = current_schema()").fetchone()
                    if other is not None:
                        raise StoreError("not a Grimoire database (a `sources` table exists);"
                                         " left untouched", self.url)
                    conn.execute("INSERT INTO grimoire_schema (version) VALUES (0)")
                    version = 0
                else:
                    version = int(row[0])
                _vector_on_path(conn, self.url)
                if version > len(MIGRATIONS):
                    raise StoreError(f"database schema {version} is newer than this Grimoire"
                                     f" ({len(MIGRATIONS)})", self.url)
                for step in range(version, len(MIGRATIONS)):
                    try:
                        with conn.transaction():
                            migration = MIGRATIONS[step]
                            if callable(migration):
                                migration(conn)
                            else:
                                conn.execute(migration)
                            conn.execute("UPDATE grimoire_schema SET version = %s", (step + 1,))
                    except psycopg.Error as e:
                        # Every step in one transaction: the database keeps the schema it
                        # had. A full disk or a server gone said as a store's own writes are
                        # (round 54: "could not extend file ..." alone).
                        reason = disk_full(e) or server_gone(e) or str(e)
                        kept = f"; the database keeps schema {version}" if version else ""
                        raise StoreError(f"migration to schema {step + 1} failed: "
                                         f"{reason}{kept}", self.url) from e
                if version < len(MIGRATIONS):
                    conn.execute(_BUMP)
                    upgraded_from = version  # an error from here on is the COMMIT's
        except psycopg.Error as e:
            if upgraded_from is None:
                raise  # said by the opening (`server_gone` reads the server's notice there)
            lost = _lost_at_commit(
                e, f"the database holds schema {upgraded_from} or schema {len(MIGRATIONS)},"
                " whole, as the server kept all of it or none; the next opening reads which"
                " and goes on from there: run it again once the server is up")
            if lost is None:
                raise
            raise StoreError(f"the upgrade to schema {len(MIGRATIONS)} {lost}", self.url) from e

    def _vector_version(self) -> tuple[int, ...]:
        row = self._one("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        if row is None:
            raise StoreError("the pgvector extension is missing (CREATE EXTENSION vector)",
                             self.url)
        return tuple(int(x) for x in re.findall(r"\d+", str(row[0]))[:3])

    # -- connections and transactions -------------------------------------------------------

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        """This thread's transaction connection, or one from the pool for one statement."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        try:
            # Inside `snapshot`, its connection: its errors are this store's reads' still, named
            # here (said by whatever transaction the caller was in, on another store: a copy to
            # PostgreSQL named its destination for a failed read of its source, review56b).
            with nullcontext(self._local.snap) if getattr(self._local, "snap", None) \
                    is not None else self.pool.connection() as conn:
                yield conn
        except psycopg.Error as e:
            if vectors_gone(e):
                raise StoreError(VECTORS_GONE, self.url) from e
            if (full := disk_full(e)) is not None:
                raise NoRoom(full, self.url) from e
            if (gone := server_gone(e)) is not None:
                raise StoreError(gone, self.url) from e
            raise StoreError(f"database query failed: {e}", self.url) from e

    def _all(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._conn() as c:
            return c.execute(sql, args).fetchall()

    def _one(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> tuple[Any, ...] | None:
        with self._conn() as c:
            return c.execute(sql, args).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """One atomic unit of work; nested calls become savepoints."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            try:
                with held.transaction():
                    yield held
            except psycopg.Error as e:
                self._raise(e)
            return
        committing = False
        try:
            with self.pool.connection() as conn:
                self._local.conn = conn
                try:
                    with conn.transaction():
                        yield conn
                        conn.execute(_BUMP)  # last: see `change_counter`
                        committing = True  # an error from here on is the COMMIT's
                finally:
                    self._local.conn = None
        except psycopg.Error as e:
            if committing and (lost := _lost_at_commit(
                    e, "the server kept all of it or none of it; run it again once the server"
                    " is up (an ingest reads again only what is not stored)")) is not None:
                raise StoreError(f"this write {lost}", self.url) from e
            self._raise(e)

    def _raise(self, error: BaseException) -> NoReturn:
        if isinstance(error, psycopg.errors.DeadlockDetected):
            raise StoreError(f"a concurrent write deadlocked; nothing kept of it, retry: {error}",
                             self.url) from error
        if vectors_gone(error):
            raise StoreError(VECTORS_GONE, self.url) from error
        if (full := disk_full(error)) is not None:
            raise NoRoom(full, self.url) from error
        if (gone := server_gone(error)) is not None:
            raise StoreError(gone, self.url) from error
        if isinstance(error, psycopg.errors.IntegrityError | psycopg.errors.DataError):
            raise RefusedValue(f"database write refused, nothing kept of it: {error}",
                               self.url) from error
        raise StoreError(f"database write failed, nothing kept of it: {error}",
                         self.url) from error

    @contextmanager
    def resolving(self) -> Iterator[psycopg.Connection[Any]]:
        """One transaction holding the files' lock alone: it waits for the writes of files
        under way to commit, then reads all of them, and no file is written until it ends."""
        with self.transaction() as c:
            c.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_RESOLVE,))
            yield c

    def reading(self) -> AbstractContextManager[None]:
        """Each query reads through the pool as before: nothing held across them."""
        return nullcontext()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One REPEATABLE READ, READ ONLY transaction on a connection this thread's reads go
        through (`_conn`): each statement of READ COMMITTED saw the commits made since the one
        before, so a store copied table by table while an ingest wrote it was copied half
        before the write and half after. Every table it reads is locked first (for reading),
        in the order a resolve's TRUNCATE locks the concept tables: taken one by one as they
        were read, the copy held `concepts` and waited for `concept_names`, which a resolve
        committing meanwhile held while it waited for `concepts` (a deadlock, review56b); now
        that resolve waits 2 s at most, then empties them row by row (`_empty_concepts`),
        which this snapshot does not see."""
        if getattr(self._local, "conn", None) is not None or getattr(
                self._local, "snap", None) is not None:
            yield
            return
        try:
            with self.pool.connection() as conn:
                self._local.snap = conn
                try:
                    with conn.transaction():
                        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        conn.execute(_SNAPSHOT_LOCKS)
                        yield
                finally:
                    self._local.snap = None
        except psycopg.Error as e:
            if vectors_gone(e):
                raise StoreError(VECTORS_GONE, self.url) from e
            if (gone := server_gone(e)) is not None:
                raise StoreError(gone, self.url) from e
            raise StoreError(f"database query failed: {e}", self.url) from e

    def close(self) -> None:
        self.pool.close()
        _AWAY.forget(self.pool.name)

    def reopen_if_replaced(self) -> None:
        return None  # a server's database is no file that can be moved under it

    def dump(self, table: str) -> Iterator[tuple[Any, ...]]:
        columns = TABLES[table]
        yield from self._all(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns[:2])}")

    def load(self, table: str, rows: Iterable[Sequence[Any]]) -> None:
        columns = TABLES[table]
        with self.transaction() as c:
            _writing_files(c)  # a migration writes files too: never under a resolve
            if table == "concept_state":
                c.execute("DELETE FROM concept_state")
            with c.cursor().copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row([v.replace("\x00", "") if isinstance(v, str) else v
                                    for v in row])

    def finish_load(self) -> None:
        with self.transaction() as c:
            # The keys (`resolve_keys`) describe none of the copied concepts: the next resolve
            # is a full one (an empty store resolved before the copy kept keys of no file).
            c.execute("DELETE FROM resolve_ready")
            c.execute(PASSAGE_TSV_UPDATE)
            c.execute(ENTRY_TSV_UPDATE)
            for table in ("sources", "documents", "entries", "passages", "links", "concepts"):
                c.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" coalesce(max(id), 0) + 1, false) FROM {table}")

    def diagnose(self, error: BaseException) -> CorruptDatabase | None:
        """PostgreSQL reports damage itself (data_corrupted, index_corrupted)."""
        if isinstance(error, StoreError) and isinstance(
            error.__cause__, psycopg.errors.DataCorrupted | psycopg.errors.IndexCorrupted
        ):
            return CorruptDatabase(f"the database reports damage: {error.__cause__}", self.url)
        return None

    def damaged(self, budget: float | None = None, reads: Reads | None = None) -> bool:
        return False  # the server checks its own pages; integrity_check looks at our rows

    def integrity_check(self) -> str:
        """"ok", or the first inconsistency found (rows whose parent is gone, bad vectors)."""
        checks = {
            "documents without a source": "SELECT count(*) FROM documents d"
            " LEFT JOIN sources s ON s.id = d.source_id WHERE s.id IS NULL",
            "passages without a document": "SELECT count(*) FROM passages p"
            " LEFT JOIN documents d ON d.id = p.document_id WHERE d.id IS NULL",
            "vectors of another dimension": "SELECT count(*) FROM passage_vecs"
            " WHERE vector_dims(vec) != dim",
            "passages with an empty index row": "SELECT count(*) FROM passages"
            " WHERE length(tsv) = 0 AND text ~ '[[:alnum:]]{3}'",
        }
        for what, sql in checks.items():
            row = self._one(sql)
            if row is not None and int(row[0]):
                return f"{row[0]} {what}"
        return "ok"

    def change_counter(self) -> tuple[int, ...]:
        """Changes when, and only when, a transaction that wrote to this store commits, from
        any connection (cheap: one row).

        The last statement of every transaction of ours that wrote (`transaction()`) bumps
        the row `grimoire_changes`, so the bump commits with the rows, and a read sees both or
        neither. Writers take its row lock only from that statement to their commit and wait
        for nothing while they hold it: two writers take turns for a moment (the second
        bumps the first's count: none is lost), and no deadlock can pass through it. A
        statement-level trigger would bump at a transaction's first write and hold the lock
        to its end: a batch of files, a resolve, behind which every other writer would queue
        (and an embedder holding a passage another writer deletes would deadlock with it).
        The server's snapshot (`pg_current_snapshot()`), used before, moved at every commit
        in any database of the server.

        Inside this thread's own transaction, once it has written, its writes are not counted
        yet: the counter is then one never given before, which no cache holds.
        """
        row = self._one(
            "SELECT n, pg_current_xact_id_if_assigned() IS NOT NULL FROM grimoire_changes")
        if row is None:
            raise StoreError("the change counter's row is missing (grimoire_changes)",
                             self.url)
        if row[1]:
            return (int(row[0]), -next(self._unsaved))
        return (int(row[0]),)

    # -- sources ---------------------------------------------------------------------------

    def mark_source(self, record: SourceRecord) -> None:
        with self.transaction() as c:
            _writing_files(c, [record.path])
            c.execute(
                """INSERT INTO sources (path, root, format, status, reason, sha256, size, problems)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT (path) DO UPDATE SET root = excluded.root,
                     status = excluded.status, reason = excluded.reason,
                     format = coalesce(excluded.format, sources.format),
                     ingested_at = to_char(now() AT TIME ZONE 'utc',
                                           'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                     problems = excluded.problems""",
                (record.path, record.root, record.format, record.status, record.reason,
                 record.sha256, record.size, _json(json.dumps(to_data(record.problems)))),
            )

    def replace_source(self, record: SourceRecord, documents: Iterable[Document], *,
                       vectors: bool = True) -> None:
        with self.transaction() as c:
            _writing_files(c, [record.path])
            # The vectors of the file's units, by embedded text, for the new units that hold
            # the same texts (`_carry_vectors`); none to look for when the store has none.
            carried: _carry_vectors.Carried = {}
            if vectors:
                _carry_vectors.remember(
                    carried,
                    c.execute(_carry_vectors.OLD_PASSAGES.format("%s"),
                              (record.path,)).fetchall(),
                    c.execute(_carry_vectors.OLD_ENTRIES.format("%s"),
                              (record.path,)).fetchall())
            c.execute("DELETE FROM sources WHERE path = %s", (record.path,))
            row = c.execute(
                """INSERT INTO sources (path, root, format, status, reason, sha256, size, problems)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                (record.path, record.root, record.format, record.status, record.reason,
                 record.sha256, record.size, _json(json.dumps(to_data(record.problems)))),
            ).fetchone()
            assert row is not None
            for document in documents:
                _insert_document(c, int(row[0]), document)
            if carried:
                self._carry(c, carried, int(row[0]))

    def _carry(self, c: psycopg.Connection[Any], carried: _carry_vectors.Carried,
               source_id: int) -> None:
        """Point the new units of the source at the vectors their embedded texts had."""
        of_source = "d.source_id = %s"
        found = _carry_vectors.links(
            carried,
            c.execute(_carry_vectors.NEW_PASSAGES.format(of_source), (source_id,)).fetchall(),
            c.execute(_carry_vectors.NEW_ENTRIES.format(
                "e.document_id IN (SELECT d.id FROM documents d WHERE " + of_source + ")"),
                (source_id,)).fetchall())
        for kind, table, key, parent in (("passage", "passage_vecs", "passage_id", "passages"),
                                         ("entry", "entry_vecs", "entry_id", "entries")):
            pairs = [(h, i) for k, i, h in found if k == kind]
            if pairs:
                c.cursor().executemany(
                    f"""INSERT INTO {table} ({key}, document_id, hash, model, dim, vec)
                        SELECT u.id, u.document_id, b.hash, b.model, vector_dims(b.vec), b.vec
                        FROM {parent} u JOIN vec_blobs b ON b.hash = %s WHERE u.id = %s""",
                    pairs)

    def replace_sources(self, items: Iterable[SourceItem]) -> None:
        items = list(items)
        with self.transaction() as c:
            _writing_files(c, [record.path for record, _ in items])
            row = c.execute("SELECT EXISTS (SELECT 1 FROM passage_vecs)"
                            " OR EXISTS (SELECT 1 FROM entry_vecs)").fetchone()
            for record, documents in items:
                self.replace_source(record, _as_documents(documents),
                                    vectors=bool(row and row[0]))

    def remove_source(self, path: str) -> None:
        with self.transaction() as c:
            _writing_files(c, [path])
            c.execute("DELETE FROM sources WHERE path = %s", (path,))

    # -- entries ---------------------------------------------------------------------------

    def entries(self) -> Iterator[StoredEntry]:
        rows = self._all(ENTRY_SELECT + " ORDER BY e.norm, s.path, e.start_line, e.id")
        for row in rows:
            yield stored_entry(row)

    def passages(self) -> Iterator[PassageMarks]:
        rows = self._all(
            """SELECT p.id, s.path, p.start_line, p.end_line, p.text, p.marks, p.kind
               FROM passages p JOIN documents d ON p.document_id = d.id
               JOIN sources s ON d.source_id = s.id ORDER BY s.path, p.start_line, p.id"""
        )
        for pid, path, start, end, text, marks, kind in rows:
            yield PassageMarks(int(pid), Span(path, start, end), text,
                               stored_marks(marks, path), kind)


def _as_documents(documents: Iterable[Document | DocumentRows]) -> Iterator[Document]:
    for document in documents:
        if not isinstance(document, Document):  # takes_rows is False: ingest sends Documents
            raise TypeError("the PostgreSQL store takes Documents, not DocumentRows")
        yield document


def _tsv(*weighted: str) -> str:
    """SQL for a weighted tsvector from parameters, in order A, B, C, D."""
    return " || ".join(
        f"setweight(to_tsvector('grimoire', grimoire_words(%s)), '{w}')"
        for w in "ABCD"[: len(weighted)]
    )


_PASSAGE_TSV = _tsv("names", "title", "heading", "body")
_PASSAGE_ROW = (f"(%s, %s, %s, %s, %s, %s, %s, %s, %s, {_PASSAGE_TSV},"
                " to_tsvector('grimoire', grimoire_words(%s)))")
_PASSAGES_A_STATEMENT = 1000  # 14 parameters a row, 65,535 at most a statement

def _insert_document(c: psycopg.Connection[Any], source_id: int, doc: Document) -> None:
    # Ids are drawn first, so every row of the file goes in pipelined (`executemany`, the
    # passages a few rows a statement): a few round trips per file, not one per entry.
    row = c.execute(
        "SELECT nextval(pg_get_serial_sequence('documents', 'id')),"
        " ARRAY(SELECT nextval(pg_get_serial_sequence('entries', 'id'))"
        " FROM generate_series(1, %s))", (len(doc.entries),)).fetchone()
    assert row is not None
    doc_id, ids = int(row[0]), [int(i) for i in row[1]]
    c.execute(
        """INSERT INTO documents (id, source_id, page, title, format, tags, meta, revision)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
        (doc_id, source_id, doc.page, doc.title, doc.format, _json(json.dumps(list(doc.tags))),
         _json(meta_json(doc.meta)),
         _json(json.dumps(to_data(doc.revision))) if doc.revision else None),
    )
    entry_ids: list[tuple[int, int, int]] = []
    names_of: dict[int, str] = {}
    entries, names, links = [], [], []
    for entry_id, entry in zip(ids, doc.entries, strict=True):
        found = {normalize(n): n for n in (entry.term, *entry.aliases) if normalize(n)}
        body = " ".join([entry.definition or "", *(g for g in entry.glosses if g)])
        entries.append((entry_id, doc_id, entry.term, normalize(entry.term),
                        entry.span.start_line, entry.span.end_line, entry.redirect,
                        _json(stored_json(entry, doc.path)),
                        " ; ".join([entry.term, *entry.aliases]), body))
        entry_ids.append((entry.span.start_line, entry.span.end_line, entry_id))
        names_of[entry_id] = " ; ".join(found.values())
        names += [(entry_id, name, norm) for norm, name in found.items()]
        links += _link_rows(doc_id, entry_id, (*entry.links, *entry.see_also))
    # As SQLite writes them (`document_rows`): a free passage's links leave from the page.
    page = None if (k := page_entry(doc)) is None else ids[k]
    page_has: set[Link] = set() if k is None else {*doc.entries[k].links, *doc.entries[k].see_also}
    passages = []
    for seq, p in enumerate(doc.passages):
        owner = entry_at(entry_ids, p.span)
        # As SQLite writes them (`document_rows`): a link's None `href` is left out.
        marks = {
            k: v
            for k, v in (("links", p.links), ("math", p.math),
                         ("images", p.images), ("references", p.references),
                         ("language", p.language))
            if v
        }
        passages.append((
            doc_id, owner, seq, p.kind, _json(json.dumps(list(p.heading_path))), p.text,
            p.span.start_line, p.span.end_line,
            _json(stored_json(marks, doc.path) if marks else "{}"),
            names_of.get(owner, "") if owner is not None else "", doc.title,
            " / ".join(p.heading_path), p.text, p.text,
        ))
        # An entry's links are stored once, from the entry; a free passage's from itself, or
        # from its page's entry.
        if owner is None and page is None:
            links += _link_rows(doc_id, None, p.links)
        elif owner is None:
            # Not again those the page's entry holds already (`document_rows`).
            links += _link_rows(doc_id, page, [x for x in p.links if not in_page(x)
                                               and x not in page_has])
            links += _link_rows(doc_id, None, [x for x in p.links if in_page(x)])
    cur = c.cursor()
    with c.pipeline():  # one round trip for the whole file
        if entries:
            cur.executemany(
                f"""INSERT INTO entries (id, document_id, term, norm, start_line, end_line,
                        redirect, data, tsv)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {_tsv("names", "body")})""", entries)
        if names:
            cur.executemany("INSERT INTO entry_names (entry_id, name, norm) VALUES (%s, %s, %s)",
                            names)
        # A few statements a file, not one a passage: the vocabulary's trigger (schema step
        # 9) fires once a statement (round 42: 1.1-2.2 ms a passage it added, 0.1-0.5 so).
        for start in range(0, len(passages), _PASSAGES_A_STATEMENT):
            rows = passages[start:start + _PASSAGES_A_STATEMENT]
            cur.execute(
                """INSERT INTO passages (document_id, entry_id, seq, kind, heading_path, text,
                       start_line, end_line, marks, tsv, body) VALUES """
                + ", ".join([_PASSAGE_ROW] * len(rows)), [v for row in rows for v in row])
        if links:
            cur.executemany(
                """INSERT INTO links (document_id, entry_id, target, norm, label, kind, fragment,
                       exists_hint, start_line, end_line, href, no_page)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s::int, %s, %s, %s, %s)""", links)


def _link_rows(doc_id: int, entry_id: int | None, links: Sequence[Link]) -> list[tuple[Any, ...]]:
    return [
        (doc_id, entry_id, link.target, normalize(link.target), link.label, str(link.kind),
         link.fragment, link.exists_hint, link.span.start_line, link.span.end_line, link.href,
         link.no_page)
        for link in dict.fromkeys(links)
    ]


def _writing_files(c: psycopg.Connection[Any], paths: Sequence[str] = ()) -> None:
    """Take the locks a transaction that writes files needs, first, before any row.

    - The files' lock, shared: writes of files do not wait on each other, resolve waits for
      them and they for it (`PostgresStore.resolving`).
    - Each file's own lock, in one order in every process: two processes that write the same
      file (two people ingesting one shared folder) take turns, the second replacing what the
      first wrote, instead of one failing on the other's row (a duplicate path, or a deadlock
      when each holds a file the other wants next).
    """
    c.execute("SELECT pg_advisory_xact_lock_shared(%s)", (LOCK_RESOLVE,))
    if not paths:
        return
    # In the order of the keys themselves: two paths may share a key.
    for (key,) in c.execute("SELECT DISTINCT hashtext(p) FROM unnest(%s::text[]) p"
                            " WHERE p IS NOT NULL ORDER BY 1", (list(paths),)).fetchall():
        c.execute("SELECT pg_advisory_xact_lock(%s, %s::integer)", (_LOCK_PATH, key))
