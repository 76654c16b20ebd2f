"""SQLite queries the ask stage needs to widen retrieval and weigh words (mixed into
SQLiteStore). Every table read here may be absent in an older file (concepts before the
resolve stage ran): those lookups return nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def _ids(ids: Iterable[int]) -> str:
    # Integers only, so inlining them is safe and lets SQLite use the primary key.
    return ",".join(str(int(i)) for i in ids) or "NULL"


class AskSQL:
    """Queries of the ask stage, mixed into SQLiteStore."""

    conn: sqlite3.Connection

    def entry_passage_ids(self, entry_ids: Iterable[int], per_entry: int = 6) -> list[int]:
        """The first `per_entry` passages of each entry, in document order."""
        ids = set(entry_ids)
        if not ids:
            return []
        rows = self.conn.execute(
            f"""SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY entry_id
                                                         ORDER BY seq) AS r
                                FROM passages WHERE entry_id IN ({_ids(ids)})) WHERE r <= ?
                ORDER BY id""",
            (per_entry,),
        )
        return [r[0] for r in rows]

    def following_passage_ids(self, passage_ids: Iterable[int]) -> dict[int, int]:
        """passage id -> the id of the next passage in the same document."""
        ids = set(passage_ids)
        if not ids:
            return {}
        rows = self.conn.execute(
            f"""SELECT p.id, (SELECT q.id FROM passages q WHERE q.document_id = p.document_id
                                AND q.seq > p.seq ORDER BY q.seq LIMIT 1)
                FROM passages p WHERE p.id IN ({_ids(ids)})"""
        )
        return {a: b for a, b in rows if b is not None}

    def concept_entry_ids(self, concept_ids: Iterable[int]) -> dict[int, list[int]]:
        """concept id -> its entries' ids (file and line order)."""
        ids = set(concept_ids)
        out: dict[int, list[int]] = {}
        if not ids:
            return out
        try:
            rows = self.conn.execute(
                f"""SELECT ce.concept_id, e.id FROM concept_entries ce JOIN entries e
                      ON e.id = ce.entry_id WHERE ce.concept_id IN ({_ids(ids)})
                    ORDER BY e.document_id, e.start_line"""
            )
            for cid, eid in rows:
                out.setdefault(cid, []).append(eid)
        except sqlite3.OperationalError:
            return {}
        return out

    def passage_concepts(self, passage_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        """passage id -> (concept id, concept label), for passages in an entry or in a
        section that resolve attached to a concept (a page's `## Adam` under a concept
        defined elsewhere)."""
        ids = set(passage_ids)
        if not ids:
            return {}
        try:
            rows = self.conn.execute(
                f"""SELECT p.id, c.id, c.label FROM passages p
                    JOIN concept_entries ce ON ce.entry_id = p.entry_id
                    JOIN concepts c ON c.id = ce.concept_id WHERE p.id IN ({_ids(ids)})
                    UNION ALL
                    SELECT p.id, c.id, c.label FROM passages p
                    JOIN concept_sections cs ON cs.document_id = p.document_id
                         AND p.start_line BETWEEN cs.start_line AND cs.end_line
                    JOIN concepts c ON c.id = cs.concept_id
                    WHERE p.id IN ({_ids(ids)}) AND p.entry_id IS NULL"""
            )
            out: dict[int, tuple[int, str]] = {}
            for pid, cid, label in rows:
                out.setdefault(pid, (cid, label))  # an entry's concept before a section's
            return out
        except sqlite3.OperationalError:
            return {}

    def concepts_by_name(self, norms: Iterable[str]) -> dict[str, list[int]]:
        """normalised name -> ids of the concepts with that name, strongest first."""
        names = list(dict.fromkeys(norms))
        out: dict[str, list[int]] = {}
        if not names:
            return out
        marks = ",".join("?" * len(names))
        try:
            for norm, cid in self.conn.execute(
                f"SELECT norm, concept_id FROM concept_names WHERE norm IN ({marks})"
                " ORDER BY strength DESC, concept_id",
                names,
            ):
                out.setdefault(norm, []).append(cid)
        except sqlite3.OperationalError:
            return {}
        return out

    def passage_total(self) -> int:
        """How many passages the store holds."""
        return int(self.conn.execute("SELECT count(*) FROM passages").fetchone()[0])

    def term_passage_counts(
        self, terms: Iterable[str], *, anywhere: bool = False
    ) -> dict[str, int]:
        """term -> how many passages contain it in their text (`anywhere`: or in their names,
        title and headings); the FTS index's stemmer decides what matches."""
        out: dict[str, int] = {}
        for term in dict.fromkeys(terms):
            quoted = '"' + term.replace('"', '""') + '"'
            try:
                row = self.conn.execute(
                    "SELECT count(*) FROM passage_fts WHERE passage_fts MATCH ?",
                    (quoted if anywhere else f"body:{quoted}",),
                ).fetchone()
            except sqlite3.OperationalError:
                row = (0,)
            out[term] = int(row[0])
        return out

    def passages_matching(self, terms: Iterable[str], limit: int) -> list[int]:
        """Ids of the passages that best match any of `terms` (bm25, names and headings
        weighed up), whatever concept or document they belong to."""
        words = [t for t in dict.fromkeys(terms) if t]
        if not words or limit <= 0:
            return []
        match = " OR ".join('"' + w.replace('"', '""').replace("\x00", "") + '"' for w in words)
        try:
            rows = self.conn.execute(
                "SELECT rowid FROM passage_fts WHERE passage_fts MATCH ?"
                " ORDER BY bm25(passage_fts, 4.0, 2.0, 2.0, 1.0), rowid LIMIT ?", (match, limit))
            return [int(r[0]) for r in rows]
        except sqlite3.OperationalError:
            return []
