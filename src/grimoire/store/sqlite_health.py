"""Check, back up and rebuild a SQLite knowledge base (issue 11, item 8; RELIABILITY 4, 5).

- `check` runs SQLite's `integrity_check` and FTS5's own `integrity-check` on every full-text
  table, reading the file without changing it.
- `backup` copies through SQLite's online backup API: one read transaction, so the copy is
  consistent even while an ingest writes (copying the file, or its `-wal`, is how SQLite files
  get corrupted: sqlite.org/howtocorrupt.html). The copy is written beside `out` and renamed.
- `rebuild` re-reads the sources into a new file, checks it, keeps the damaged file as
  `NAME.damaged`, and renames the new one into place. Nothing is ever deleted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from grimoire.errors import StoreError
from grimoire.files import grimoire_running, storable
from grimoire.files import path_of as file_path
from grimoire.store._wal_index import log_cut
from grimoire.store.sqlite import (
    APPLICATION_ID,
    HOT_JOURNAL,
    MIGRATIONS,
    READ_ONLY,
    hot_journal,
    no_room,
    open_read_only,
    unreadable_log,
)
from grimoire.store.sqlite_checked import _TEMPORARY as CHECKED_TEMPORARY


@dataclass(frozen=True, slots=True)
class Health:
    """What `check` found: `ok`, or the problems SQLite and FTS5 reported."""

    path: str
    ok: bool
    problems: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()  # the folders and files ingested, for `rebuild`
    notices: tuple[str, ...] = ()  # what was done on the way (a journal rolled back)


def _existing(path: str) -> Path:
    p = Path(path)
    if p.is_dir():
        raise StoreError("is a folder, not a database file", path)
    if not p.is_file():
        raise StoreError("no such database file", path)
    return p


def check(path: str) -> Health:
    """Every problem SQLite and FTS5 find in the file at `path`; it is opened read-only."""
    p = _existing(path)
    problems: list[str] = []
    roots: tuple[str, ...] = ()
    notices = _roll_back(p)
    try:
        conn = open_read_only(p)
    except sqlite3.Error as e:
        _refuse_unreadable_log(p, e)
        return Health(path, False, (f"SQLite cannot read it: {e}",), notices=notices)
    try:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                problems.append(f"not a Grimoire database (application_id {app_id:#x})")
            elif (newer := _newer_schema(conn)) is not None:
                notices += (newer,)
        except sqlite3.DatabaseError as e:
            _refuse_unreadable_log(p, e)
            return Health(path, False, (f"SQLite cannot read it: {e}",), notices=notices)
        try:
            rows = conn.execute("PRAGMA integrity_check(100)").fetchall()
            problems.extend(str(r[0]) for r in rows if r[0] != "ok")
        except sqlite3.DatabaseError as e:
            # Damage can stop the check itself; the ingested folders may still be readable.
            problems.append(f"SQLite's integrity check stopped: {e}")
        problems.extend(_row_problems(conn))
        problems.extend(_json_problems(conn))
        problems.extend(_fts_problems(p, conn))
        try:
            roots = tuple(r for (r,) in conn.execute(
                "SELECT DISTINCT root FROM sources WHERE root IS NOT NULL ORDER BY root"))
        except sqlite3.DatabaseError as e:
            problems.append(f"the list of sources cannot be read: {e}")
    finally:
        conn.close()
    if problems and (cut := log_cut(p)) is not None:
        raise StoreError(cut, path)  # the pages it could not read are another process's log
    return Health(path, not problems, tuple(problems), roots, notices)


def _newer_schema(conn: sqlite3.Connection) -> str | None:
    """What to say of a file a newer Grimoire made (its schema is past ours), or None."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version <= len(MIGRATIONS):
        return None
    return (f"made by a newer Grimoire (database schema {version}; this one reads up to "
            f"{len(MIGRATIONS)}): use that version for it")


def _refuse_unreadable_log(db: Path, error: sqlite3.Error) -> None:
    """A -wal without its -shm (a killed writer's, the -shm cleaned away) in a folder this
    user cannot write: SQLite cannot make the -shm it needs to read the log ("unable to open
    database file"). That is not damage: say what is needed instead."""
    if (cut := log_cut(db)) is not None:
        raise StoreError(cut, str(db)) from error
    wal = Path(f"{db}-wal")
    if (getattr(error, "sqlite_errorcode", 0) & 0xFF == _CANTOPEN and wal.exists()
            and not Path(f"{db}-shm").exists() and not os.access(db.parent, os.W_OK)):
        raise StoreError(unreadable_log(db), str(db)) from error


_CANTOPEN = 14  # SQLite's result code: a file it needs cannot be opened


def _roll_back(db: Path) -> tuple[str, ...]:
    """Roll back the hot journal a killed write left beside `db`, as SQLite does when a
    writable connection opens the file: the check is read-only, and SQLite cannot do it
    read-only ("attempt to write a readonly database", which looked like damage)."""
    journal = Path(f"{db}-journal")
    try:
        if journal.stat().st_size == 0:
            return ()
    except OSError:
        return ()
    try:
        with closing(open_read_only(db)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return ()  # not hot: zeroed, or a live writer holds it
    except sqlite3.Error as e:
        if getattr(e, "sqlite_errorcode", 0) != HOT_JOURNAL:
            return ()  # the check itself says what is wrong
    if not (os.access(db, os.W_OK) and os.access(db.parent, os.W_OK)):
        raise StoreError(hot_journal(db), str(db))
    try:
        with closing(sqlite3.connect(db, isolation_level=None, timeout=5)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as e:
        raise StoreError(f"{journal.name}: the interrupted write it holds could not be rolled "
                         f"back ({e}); the file was left as it was", str(db)) from e
    return (f"{journal.name}: a write that was interrupted (a killed process) was rolled back; "
            "what was stored before it is intact",)


def _row_problems(conn: sqlite3.Connection) -> list[str]:
    """Rows whose text no longer decodes: bytes changed inside a cell keep the page valid."""
    problems = []
    try:
        tables = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE "
            "'CREATE VIRTUAL%' ORDER BY name")]
    except sqlite3.DatabaseError as e:
        return [f"the schema cannot be read: {e}"]
    for table in tables:
        try:
            for _ in conn.execute(f'SELECT * FROM "{table}"'):
                pass
        except sqlite3.Error as e:
            problems.append(f"table {table}: a row cannot be read ({str(e)[:80]})")
    return problems


# The columns Grimoire fills with JSON, and the file each row came from. SQLite's page checks
# never look inside a cell, and one malformed value stops every resolve of the store.
_OF_DOCUMENT = ("(SELECT s.path FROM documents d JOIN sources s ON s.id = d.source_id"
                " WHERE d.id = t.document_id)")
_JSON_COLUMNS = {
    "sources": ("t.path", ("problems",)),
    "documents": ("(SELECT path FROM sources WHERE id = t.source_id)",
                  ("tags", "meta", "revision")),
    "entries": (_OF_DOCUMENT, ("data",)),
    "passages": (_OF_DOCUMENT, ("heading_path", "marks")),
}


def _json_problems(conn: sqlite3.Connection) -> list[str]:
    """Cells of the JSON columns that are not JSON, named by file (at most 10 per column)."""
    problems = []
    for table, (path_of, columns) in _JSON_COLUMNS.items():
        for column in columns:
            try:
                paths = [p for (p,) in conn.execute(
                    f"SELECT {path_of} FROM {table} t WHERE t.{column} IS NOT NULL"
                    f" AND NOT json_valid(t.{column})"
                    " LIMIT 10")]
            except sqlite3.Error as e:
                problems.append(f"table {table}: {column} cannot be read ({str(e)[:80]})")
                continue
            problems.extend(f"{path}: {table}.{column} is not valid JSON" for path in paths)
    return problems


def _fts_problems(path: Path, conn: sqlite3.Connection) -> list[str]:
    try:
        tables = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
            " ORDER BY name")]
    except sqlite3.DatabaseError as e:
        return [f"the schema cannot be read: {e}"]
    if not tables:
        return []
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        # FTS5's check is an INSERT; a read-only file gets SQLite's check only, and so does a
        # WAL file in a folder that cannot be written (its -shm cannot be made there).
        return []
    problems = []
    # The check is written as an INSERT, so it needs a writable connection; it changes nothing
    # and runs inside a transaction that is rolled back.
    rw = sqlite3.connect(path, isolation_level=None)
    try:
        rw.execute("PRAGMA busy_timeout = 5000")
        for table in tables:
            rw.execute("BEGIN")
            try:
                rw.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'integrity-check\')')
            except sqlite3.DatabaseError as e:
                if getattr(e, "sqlite_errorcode", 0) & 0xFF == _CANTOPEN:
                    # No -wal can be made: a disk that refuses writes whatever `access`
                    # says (ext4's `emergency_ro`). SQLite's check only, as for a read-only
                    # file; it was called damaged (review54b).
                    return []
                problems.append(f"full-text index {table}: {e}")
            finally:
                # Never in place of the check's finding: a refused ROLLBACK is undone by the
                # close below (round 55).
                with contextlib.suppress(sqlite3.Error):
                    if rw.in_transaction:
                        rw.execute("ROLLBACK")
    finally:
        rw.close()
    return problems


def backup(path: str, out: str, *, overwrite: bool = False) -> Health:
    """A consistent copy of the database at `path` written to `out`, then checked."""
    src_path = _existing(path)
    target = Path(out)
    _check_backup_target(target, src_path, overwrite)
    cleared = _clear_leftovers(target, "partial") + _roll_back(src_path)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        dst = sqlite3.connect(partial)
    except sqlite3.Error as e:
        raise StoreError(f"the backup cannot be written there: {e}", out) from e
    try:
        with closing(dst), closing(open_read_only(src_path)) as src:
            src.backup(dst)  # one step: one read transaction, one consistent snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    except sqlite3.Error as e:
        for side in _files_of(partial):
            side.unlink(missing_ok=True)
        if no_room(e) is not None or _readable(src_path):
            # The copy could not be written: the database is not the one to check.
            raise StoreError(f"the copy could not be written ({no_room(e) or e}); "
                             f"{path} was only read", out) from e
        raise StoreError(f"backup failed: {e}; run `grimoire check`", path) from e
    partial.replace(target)
    health = check(str(target))
    return dataclasses.replace(health, notices=cleared + health.notices)


def _readable(db: Path) -> bool:
    """Whether SQLite reads `db`'s schema and first page of every table (a backup failed)."""
    try:
        with closing(open_read_only(db)) as conn:
            conn.execute("PRAGMA quick_check(1)").fetchall()
        return True
    except (sqlite3.Error, StoreError):
        return False


def _check_backup_target(target: Path, db: Path, overwrite: bool) -> None:
    """Refuse a backup's `target` that is not a new or replaceable database file."""
    out = str(target)
    if target.is_dir():
        raise StoreError("is a folder; give the backup a file name", out)
    if not target.parent.is_dir():
        raise StoreError(f"the folder {target.parent} does not exist", out)
    if target.exists() or target.is_symlink():
        if not overwrite:
            raise StoreError("already exists; choose another name (or --force)", out)
        # The copy is renamed over `target`: a device or FIFO would become a regular file.
        if not target.is_file():
            raise StoreError("is not a regular file (a device, FIFO or socket); give the "
                             "backup a file name", out)
    # Its -wal, -shm and -journal are the database too: SQLite replays a -journal it finds, and
    # a replaced -wal loses the commits not yet copied into the file.
    if target.resolve() in {f.resolve() for f in _files_of(db)}:
        raise StoreError("a backup cannot overwrite its own database or its -wal, -shm or "
                         "-journal file", out)


def rebuild(
    path: str,
    ingest: Callable[[str, Sequence[str]], None],
    roots: Sequence[str] = (),
) -> tuple[Health, str]:
    """Re-read `roots` (by default the ones the database lists) into a new file with `ingest`,
    check it, then swap it in; the old file is kept as `NAME.damaged`, or `NAME.old` when its
    check found nothing wrong. Returns the new file's health and where the old one went."""
    # The file a symlinked path names: the new file is renamed over it, not over the link
    # (which would be replaced by a regular file, the database it named left as it was).
    db = _existing(path).resolve()
    # The new file is renamed over the old one: a file its owner made read-only was replaced
    # by a writable one, and a folder that cannot be written failed half-way (audit30).
    if not os.access(db, os.W_OK):
        raise StoreError(f"{READ_ONLY}; rebuild would replace it: make it writable first; "
                         "nothing was changed", path)
    if not os.access(db.parent, os.W_OK):
        raise StoreError(f"its folder {db.parent} cannot be written, and rebuild writes the new "
                         "file beside it; nothing was changed", path)
    with contextlib.suppress(sqlite3.Error), closing(open_read_only(db)) as conn:
        # A newer Grimoire's file is no damage: it was swapped for an older schema's and
        # kept as NAME.damaged, with whatever only the newer version stores.
        if (conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
                and (newer := _newer_schema(conn)) is not None):
            raise StoreError(f"{newer}; nothing was changed", path)
    # The old file is kept as NAME.damaged only when it is: a healthy one (rebuilt to take a
    # newer reader's view of the notes) is NAME.old, not a verdict on a file that was fine.
    before = check(path)
    if not roots:  # as stored: a name that is not UTF-8 is kept with \xNN escapes
        roots = [file_path(root) for root in before.roots]
    if not roots:
        raise StoreError("the ingested folders cannot be read from it; name them: "
                         "grimoire rebuild FOLDER...", path)
    _refuse_open_elsewhere(db)
    cleared = _clear_leftovers(db, "rebuild")
    fresh = db.with_name(f".{db.name}.rebuild-{os.getpid()}")
    held = _files_by_root(db)
    state = _state(db)
    try:
        ingest(str(fresh), list(roots))
        _self_contained(fresh)  # its -wal and -shm would be left behind by the rename
        health = check(str(fresh))
        if not health.ok:
            raise StoreError(f"the rebuilt database fails its own check: {health.problems[0]}",
                             str(fresh))
        _refuse_emptied_roots(held, _files_by_root(fresh), roots)
        # From here to the rename the old file is locked: a process that opens it meanwhile
        # waits, then finds the new file at the path (`connect`), instead of writing into what
        # becomes NAME.old (round 38). A damaged file is held by SQLite's own lock bytes,
        # taken directly: its log is not folded into it (it is kept as it is, for evidence),
        # and a note stored in it in this moment went into NAME.damaged (round 39's leftover).
        lock = _hold(db) if before.ok else None
        pinned = None if lock is not None else _hold_lock_bytes(db)
        try:
            if _written(state, _state(db)):  # an ingest opened, wrote and closed it meanwhile
                raise StoreError(CHANGED, str(db))
            if lock is not None:
                _fold_log(lock, db)
            elif pinned is None:
                _refuse_open_elsewhere(db)  # opened since the start: checked again
        except BaseException:
            _let_go(lock)
            _let_go_bytes(pinned)
            raise
    except BaseException:
        for partial in _own_files_of(fresh):
            partial.unlink(missing_ok=True)
        raise
    source = None
    try:
        kept = _free_name(db.with_name(db.name + (".old" if before.ok else ".damaged")))
        # The old file's -wal would be replayed into the new one: move it along with the file.
        for suffix in ("-wal", "-shm"):
            side = Path(str(db) + suffix)
            if side.exists():
                side.replace(str(kept) + suffix)
        try:
            os.link(db, kept)
        except OSError:
            # Read through a descriptor kept open till the lock goes: closing any descriptor
            # of `db` lets go of every lock this process holds on it (POSIX), SQLite's too.
            source = pinned if pinned is not None else os.open(db, os.O_RDONLY)
            _copy_from(source, db, kept)
        fresh.replace(db)
    finally:
        _let_go(lock)
        _let_go_bytes(pinned)
        if source is not None and source != pinned:
            os.close(source)
    for side in _own_files_of(fresh)[1:]:  # the embedding is done: its lock and log
        side.unlink(missing_ok=True)
    health = check(path)
    removed = _drop_old_copies(db, kept if before.ok else None) if health.ok else ()
    return (dataclasses.replace(health, notices=cleared + health.notices + removed),
            str(kept))


CHANGED = ("changed while it was being rebuilt (another process wrote to it); nothing was "
           "changed: run rebuild again")
OPEN_ELSEWHERE = ("is open in another process (grimoire watch or serve, an embed worker, a "
                  "Python session?), which would go on using the old file after the swap: let "
                  "it end or stop it, then run rebuild again; nothing was changed")


def _written(before: list[tuple[int, int, int] | None],
             now: list[tuple[int, int, int] | None]) -> bool:
    """Whether `_state` changed from `before` to `now`; an empty -wal is none (SQLite makes
    one when a connection reads the file, and deletes it when the last one closes)."""
    def written(state: list[tuple[int, int, int] | None]) -> list[tuple[int, int, int] | None]:
        wal = state[1]
        return [state[0], None if wal is None or wal[1] == 0 else wal]

    return written(before) != written(now)


def _hold(db: Path) -> sqlite3.Connection | None:
    """A connection holding `db` locked against every other, readers too; None when SQLite
    cannot lock it (too damaged). Raises StoreError when another process has it open."""
    try:
        conn = sqlite3.connect(db.resolve().as_uri() + "?mode=rw", uri=True,
                               isolation_level=None, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        # In WAL mode with exclusive locking the lock taken by the first transaction is kept
        # after it ends, until the connection closes or leaves WAL.
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
    except sqlite3.Error as e:
        conn.close()
        if getattr(e, "sqlite_errorcode", 0) & 0xFF in (_BUSY, _LOCKED):
            raise StoreError(OPEN_ELSEWHERE, str(db)) from e
        return None
    return conn


# Where SQLite's unix VFS takes its locks (os_unix.c): the pending byte, the reserved byte and
# the shared range, 512 bytes from 1 GiB. A write lock on all of them is its EXCLUSIVE lock.
_PENDING_BYTE, _LOCK_BYTES = 0x40000000, 512


def _hold_lock_bytes(db: Path) -> int | None:
    """A descriptor of `db` holding SQLite's lock bytes write-locked, as a connection writing
    it holds them: every other process's SQLite waits to read or write it (a connection in
    WAL mode too: it takes a shared lock on them first). None where such locks cannot be
    taken (no `fcntl`, a file system without them). Raises StoreError when another process
    has it open (a connection in WAL mode holds its shared lock while it is open).

    No file of this process may be closed on `db` while it is held: closing any descriptor of
    a file lets go of every lock the process has on it (POSIX)."""
    try:
        import fcntl
    except ImportError:  # not on Unix
        return None
    try:
        fd = os.open(db, os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, _LOCK_BYTES, _PENDING_BYTE)
    except OSError as e:
        os.close(fd)
        if e.errno in (errno.EACCES, errno.EAGAIN):
            raise StoreError(OPEN_ELSEWHERE, str(db)) from e
        return None
    return fd


def _let_go_bytes(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # the locks go with it


def _copy_from(source: int, db: Path, kept: Path) -> None:
    """Copy `db`, open as `source`, to `kept` (where no hard link can be made)."""
    with kept.open("wb") as out:
        offset = 0
        while chunk := os.pread(source, 1 << 20, offset):
            out.write(chunk)
            offset += len(chunk)
    shutil.copystat(db, kept)


def _fold_log(conn: sqlite3.Connection, db: Path) -> None:
    """Fold the held file's -wal into it and hold it, locked, in a rollback journal's mode.

    SQLite deletes a connection's -wal (in exclusive locking, its -journal) by name when it
    closes: after the swap those names are the new file's. Out of WAL, in normal locking,
    and holding the lock by a transaction that writes nothing, the connection removes no
    file when it ends (tried: files made at those names were left). SQLite may let the lock
    go between the two modes: a write by another process then shows in `data_version`.
    """
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # the -wal folded in and deleted
        conn.execute("PRAGMA locking_mode = NORMAL")
        seen = conn.execute("PRAGMA data_version").fetchone()[0]
        conn.execute("BEGIN EXCLUSIVE")  # deletes the exclusive mode's -journal
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        moved = conn.execute("PRAGMA data_version").fetchone()[0] != seen
    except sqlite3.Error as e:
        if getattr(e, "sqlite_errorcode", 0) & 0xFF in (_BUSY, _LOCKED):
            raise StoreError(OPEN_ELSEWHERE, str(db)) from e
        raise StoreError(f"cannot be held for the swap ({e}); nothing was changed",
                         str(db)) from e
    if moved:
        raise StoreError(CHANGED, str(db))
    if not Path(f"{db}-wal").exists():
        # The log's index, of no use out of WAL (no other process can read the file now):
        # it would lie beside NAME.old as NAME.old-shm.
        Path(f"{db}-shm").unlink(missing_ok=True)


def _let_go(conn: sqlite3.Connection | None) -> None:
    if conn is None:
        return
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    conn.close()


# How many NAME.old copies rebuild keeps: the one it just made and the one before. Each is a
# whole store (a 3.5 GB store kept ten copies of itself after ten rebuilds, round 38).
OLD_COPIES = 2


# The mark rebuild sets on each NAME.old it makes (an extended attribute: the file's bytes are
# left as they were): the copy's inode, size and modification time, and when it was made.
_COPY_MARK = "user.grimoire.rebuild-copy"


def _identity(file: Path) -> list[int] | None:
    """What tells that `file` is still the copy rebuild made: inode, size, modification time
    (a copy the user wrote into, or replaced by one of their own, is theirs)."""
    try:
        info = file.stat()
    except OSError:
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def _full_identity(file: Path) -> list[int] | None:
    """`_identity` with the file's device and change time. The change time is set by the
    system on any write, rename, link or attribute change and cannot be set back by a
    program (`touch` and `cp -p` set the modification time only): a file made later at a
    freed inode number, with the same size and modification time, still differs in it."""
    try:
        info = file.stat()
    except OSError:
        return None
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _copies_record(db: Path) -> Path:
    """The record of the copies rebuild made, beside the store: where a file system keeps
    no extended attributes (tmpfs before Linux 6.6, ramfs, FAT, macOS's Python has no
    `os.setxattr`) it alone tells rebuild's copies from a user's own."""
    return db.with_name(f".{db.name}.old-copies")


def _read_record(db: Path) -> dict[str, tuple[int, list[int]]]:
    """NAME -> (when made, full identity) of the copies the record lists; {} when there is
    none or it cannot be read (then no copy is recognised by it, and none removed)."""
    try:
        listed = json.loads(_copies_record(db).read_text(encoding="utf-8"))
        return {str(name): (int(made), [int(n) for n in ident])
                for name, (made, ident) in listed.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _write_record(db: Path, record: dict[str, tuple[int, list[int]]]) -> None:
    """Write the record whole and rename it into place (a rebuild killed meanwhile leaves the
    old record or the new one); a record that cannot be written leaves copies kept."""
    target = _copies_record(db)
    partial = target.with_name(f"{target.name}-{os.getpid()}")
    try:
        if not record:
            target.unlink(missing_ok=True)
            return
        partial.write_text(json.dumps({name: [made, ident]
                                       for name, (made, ident) in record.items()}),
                           encoding="utf-8")
        partial.replace(target)
    except OSError:
        partial.unlink(missing_ok=True)


def _made_by_rebuild(file: Path, record: dict[str, tuple[int, list[int]]]) -> int | None:
    """When rebuild made `file` (ns), if it did and the file is unchanged since; else None.
    Its extended attribute (set where the file system keeps them) or the record beside the
    store says so; a file that lost or never had both is the user's."""
    listed = record.get(file.name)
    if listed is not None and _full_identity(file) == listed[1]:
        return listed[0]
    try:
        mark = json.loads(os.getxattr(file, _COPY_MARK))
        made, ident = int(mark[0]), [int(n) for n in mark[1]]
    except (AttributeError, OSError, ValueError, TypeError, IndexError):
        return None  # no mark (a copy of the user's own), or no extended attributes here
    return made if _identity(file) == ident else None


def _drop_old_copies(db: Path, kept: Path | None) -> tuple[str, ...]:
    """Mark `kept` as a copy this rebuild made (None: the old file was damaged, kept as
    NAME.damaged) and remove the copies rebuilds made past the `OLD_COPIES` newest; called
    once the new file passed its check.

    Only a NAME.old rebuild marked when it made it, and unchanged since, is ever removed: a
    `NAME.old` of the user's own (`cp kb.db kb.db.old` before an upgrade) was removed as the
    oldest copy (round 39's leftover), and so would a copy the user wrote into since. The
    mark is an extended attribute; where the file system keeps none, a line of the record
    beside the store (`.NAME.old-copies`, made only there): without it the copies were kept
    forever (round 40's leftover).
    """
    record = _read_record(db)
    if kept is not None and (ident := _identity(kept)) is not None:
        now = time.time_ns()
        try:
            os.setxattr(kept, _COPY_MARK, json.dumps([now, ident]).encode())
        except (AttributeError, OSError):  # no extended attributes here: the record says it
            if (full := _full_identity(kept)) is not None:
                record[kept.name] = (now, full)
    pattern = re.compile(re.escape(db.name) + r"\.old(\.\d+)?")
    olds = []
    for file in db.parent.iterdir():
        if pattern.fullmatch(file.name) and file != kept and file.is_file():
            made = _made_by_rebuild(file, record)
            if made is not None:
                olds.append((made, file))
    olds.sort(reverse=True)
    removed = []
    for _, file in olds[OLD_COPIES - 1:]:
        for side in (file, *(Path(f"{file}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
            side.unlink(missing_ok=True)
        removed.append(file.name)
    # Only lines that still name an unchanged copy stay: one for a file since removed,
    # replaced or written into would never match again.
    _write_record(db, {name: listed for name, listed in record.items()
                       if _full_identity(db.with_name(name)) == listed[1]})
    if not removed:
        return ()
    newest = " and ".join([*([kept.name] if kept else []),
                           *(f.name for _, f in olds[:OLD_COPIES - 1])])
    return (f"removed {', '.join(sorted(removed))}: older copies of the store from earlier "
            f"rebuilds (the {OLD_COPIES} newest are kept: {newest})",)


def _state(db: Path) -> list[tuple[int, int, int] | None]:
    """What tells that `db` was written: its and its -wal's inode, size and change time."""
    state: list[tuple[int, int, int] | None] = []
    for file in (db, Path(f"{db}-wal")):
        try:
            info = file.stat()
        except OSError:
            state.append(None)
            continue
        state.append((info.st_ino, info.st_size, info.st_mtime_ns))
    return state


def _refuse_open_elsewhere(db: Path) -> None:
    """Refuse to swap a file another process has open (`grimoire watch`, `serve`, a Python
    session): it would go on reading and writing the old file, now NAME.damaged, and what it
    stored would never reach the new one. Probed with an exclusive lock, taken and dropped
    without writing; a file too damaged to lock is not refused here."""
    try:
        conn = sqlite3.connect(db.resolve().as_uri() + "?mode=rw", uri=True,
                               isolation_level=None, timeout=1.0)
    except sqlite3.Error:
        return
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
    except sqlite3.Error as e:
        if getattr(e, "sqlite_errorcode", 0) & 0xFF in (_BUSY, _LOCKED):
            raise StoreError(OPEN_ELSEWHERE, str(db)) from e
    finally:
        conn.close()


# What a rebuild or backup writes beside its file: SQLite's journals, the embedding's lock, log.
_SIDE_FILES = ("-wal", "-shm", "-journal", ".embed.lock", ".embed.log", ".checked")
# and the `.checked` mark's temporary file, when the kill came while it was written
_LEFTOVER = re.compile(r"(\d+)(-wal|-shm|-journal|\.embed\.lock|\.embed\.log"
                       rf"|\.checked(?:\.{CHECKED_TEMPORARY.pattern})?)?")
_BUSY, _LOCKED = 5, 6  # SQLite's result codes: another connection holds a lock


def _clear_leftovers(target: Path, kind: str) -> tuple[str, ...]:
    """Remove what a killed `rebuild` or `backup` left beside `target` (`.NAME.rebuild-PID`,
    `.NAME.partial-PID`, with their -wal, -shm, -journal), and say so. The files of a
    Grimoire process still running are its work in progress: refused, never removed."""
    prefix = f".{target.name}.{kind}-"
    by_pid: dict[int, list[str]] = {}
    try:
        names = [p.name for p in target.parent.iterdir()]
    except OSError:
        return ()
    for name in names:
        found = _LEFTOVER.fullmatch(name.removeprefix(prefix))
        if name.startswith(prefix) and found:
            by_pid.setdefault(int(found[1]), []).append(name)
    what = "backup" if kind == "partial" else kind
    for pid in sorted(by_pid):  # a refused run changes nothing
        if pid != os.getpid() and grimoire_running(pid):
            raise StoreError(f"another {what} (process {pid}) is writing {prefix}{pid}; wait "
                             "for it to end", str(target))
    notices = []
    for pid, files in sorted(by_pid.items()):
        for name in files:
            (target.parent / name).unlink(missing_ok=True)
        notices.append(f"removed {', '.join(sorted(files))}, left by a {what} that was "
                       f"interrupted (process {pid} is gone)")
    return tuple(notices)



def _files_by_root(db: Path) -> dict[str, int]:
    """How many files of each ingested folder the database at `db` holds; {} if unreadable."""
    try:
        with closing(open_read_only(db)) as conn:
            return {root: int(n) for root, n in conn.execute(
                "SELECT root, count(*) FROM sources WHERE status = 'ok' AND root IS NOT NULL"
                " GROUP BY root")}
    except sqlite3.Error:
        return {}  # too damaged to say: rebuild is what repairs it


def _refuse_emptied_roots(held: dict[str, int], read: dict[str, int],
                          roots: Sequence[str]) -> None:
    """A folder of `roots` whose files the old database holds and that gave none now is not
    swapped in: an ingest keeps such records (an unmounted drive is not a deletion)."""
    asked = {storable(os.path.abspath(root)) for root in roots}  # noqa: PTH100 - as ingest
    for root, count in held.items():
        if root in asked and count and not read.get(root):
            files = f"{count:,} file" + ("s" if count > 1 else "")
            raise StoreError(f"the database holds {files} from this folder and none "
                             "were read now (an unmounted drive?); the database was left as "
                             "it was", root)


def _self_contained(db: Path) -> None:
    """Fold `db`'s write-ahead log into the file and drop its -wal and -shm."""
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")


def _files_of(db: Path) -> list[Path]:
    return [db, Path(str(db) + "-wal"), Path(str(db) + "-shm"), Path(str(db) + "-journal")]


def _own_files_of(fresh: Path) -> list[Path]:
    """`fresh` with every file an ingest and its embedding put beside it."""
    return [fresh, *(Path(f"{fresh}{suffix}") for suffix in _SIDE_FILES)]


def _free_name(p: Path) -> Path:
    n = 1
    candidate = p
    while candidate.exists():
        n += 1
        candidate = p.with_name(f"{p.name}.{n}")
    return candidate


def carry_vectors(old: str, new: str) -> int:
    """Copy the vectors of a sound old file into the rebuilt one; returns how many.

    A vector is stored under a hash of its model and its text, and embedding points every
    unit whose hash is known at the stored vector: the rebuilt file embeds only what is new.
    `rebuild` re-embedded every passage (round 38: 52 notebooks, 3,735 units, 534 s at load
    24; a 10,000-note vault would take most of an hour). A file that fails its check, or has
    no vectors table, gives none: a damaged vector would be kept as if it were sound.
    """
    from urllib.parse import quote

    try:
        if not check(old).ok:
            return 0
        with closing(sqlite3.connect(f"file:{quote(str(Path(new).resolve()))}",
                                     uri=True)) as conn:
            conn.execute("ATTACH DATABASE ? AS old",
                         (f"file:{quote(str(Path(old).resolve()))}?mode=ro",))
            with conn:
                copied = conn.execute(
                    "INSERT OR IGNORE INTO main.vec_blobs (hash, model, vec)"
                    " SELECT hash, model, vec FROM old.vec_blobs").rowcount
            conn.execute("DETACH DATABASE old")
            return copied
    except (sqlite3.Error, OSError):
        return 0


__all__ = ["Health", "backup", "carry_vectors", "check", "rebuild"]
