"""Why the PostgreSQL server ended a connection, when it said so (round 53).

A server going down tells its clients why before it closes their connections: SQLSTATE 57P01
(a shutdown, or `pg_terminate_backend`) as the call's error; 57P02 (another of its processes
crashed: a full disk under `pg_wal` makes the one writing the log PANIC) only as a WARNING
notice, after which libpq sees just "server closed the connection unexpectedly"; 57P03 (it
is starting up, recovering or shutting down) when a connection is asked of it. The notice is
kept (`heard`, a notice handler on each connection) for the thread whose call reads it, and
`why` names the state, the server's own words in brackets.
"""

from __future__ import annotations

import threading

import psycopg

_LAST = threading.local()  # the 57P notice the call on this thread read last, if any

_STATES = {
    "57P01": ("the PostgreSQL server ended the connection: it is shutting down, or an "
              "administrator ended this session (pg_terminate_backend)"),
    "57P02": ("the PostgreSQL server crashed: another of its processes failed (a full disk "
              "under its write-ahead log, pg_wal, makes it PANIC), and it restarts on its own "
              "unless that disk is still full"),
    "57P03": ("the PostgreSQL server does not take connections now: it is starting up, "
              "recovering from a crash or shutting down"),
    "57P04": "the database was dropped",
    "57P05": "the PostgreSQL server ended this idle connection (idle_session_timeout)",
}


def heard(diag: psycopg.errors.Diagnostic) -> None:
    """A connection's notice handler: keep a notice that the server is going down."""
    state = diag.sqlstate or ""
    if state.startswith("57P"):
        _LAST.notice = (state, diag.message_primary or "")


def forget() -> None:
    """Drop the notice kept on this thread (a closed idle connection the pool's check threw
    away: its words are not the next call's)."""
    _LAST.notice = None


def why(error: BaseException) -> str | None:
    """What the server said of its state with `error` or in a notice just before it (kept by
    `heard`, then forgotten), as "state (SQLSTATE 57P0n: its words)"; None when it said
    nothing of it (a connection closed by a kill -9, a network that failed)."""
    notice, _LAST.notice = getattr(_LAST, "notice", None), None
    state = getattr(error, "sqlstate", None)
    words = ""
    if state is not None and state.startswith("57P"):
        diag = getattr(error, "diag", None)
        words = (getattr(diag, "message_primary", None) or str(error)).strip()
    elif state is None and notice is not None:
        state, words = notice
    if state is None:
        return None
    if state == "53100":  # its disk full where a PANIC stopped it (no room in pg_wal)
        return (f"the PostgreSQL server's disk is full and the server stopped (SQLSTATE "
                f"53100, PANIC: {' '.join(str(error).split())})")
    if state not in _STATES:
        return None
    return f"{_STATES[state]} (SQLSTATE {state}: {' '.join(words.split())})"
