"""SQLite tables and queries for search: FTS5 lexical index and passage vectors."""

from __future__ import annotations

import sqlite3

SEARCH_SCHEMA = ""


class SearchSQL:
    """Search queries, mixed into SQLiteStore."""

    conn: sqlite3.Connection
