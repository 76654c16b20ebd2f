"""SQLite tables and queries for concepts, names, the link graph (the resolve stage's storage)."""

from __future__ import annotations

import sqlite3

CONCEPT_SCHEMA = ""


class ConceptSQL:
    """Concept queries, mixed into SQLiteStore."""

    conn: sqlite3.Connection
