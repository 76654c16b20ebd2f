"""PostgreSQL queries for incremental resolve (mixed into PostgresStore): the same answers as
SQLite's (`sqlite_resolve_state`), so that a refresh after a small write reads and writes what
the changed files reach, not the whole store (issue 14: 24-29 s at 100k passages before).

The tables (schema step 10, `postgres_schema.RESOLVE_STATE`): `resolve_changed` logs every
path whose source row was added or removed, `resolve_keys` holds the names each entry, link
and document can be reached by as the last resolve saw them, `resolve_ready` says they
describe the concept tables. Everything here runs inside `resolving()`: the files' lock is
held alone, so no write of a file is under way and the log holds every change committed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from grimoire.store._heading_sql import HEADING_SELECT
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
from grimoire.store.postgres_schema import RESOLVE_KEYS_INDEXES
from grimoire.store.sqlite_resolve_state import KEYS_MARK, StateRow

if TYPE_CHECKING:
    import psycopg

# The rows resolve reads, one text each for the whole store (`resolve_input`) and for some
# items (a WHERE clause added).
ENTRY_ROWS = """
    SELECT e.id, e.document_id, s.path, e.start_line, e.term,
           substr(e.data::jsonb->>'definition', 1, 240), e.redirect,
           (e.data::jsonb->'aliases')::text, e.data::jsonb->>'kind'
    FROM entries e JOIN documents d ON e.document_id = d.id
    JOIN sources s ON d.source_id = s.id"""

LINK_ROWS = """
    SELECT l.id, l.document_id, l.entry_id, s.path, l.start_line, l.target,
           l.label, l.kind, l.fragment, l.exists_hint, l.href, l.no_page
    FROM links l JOIN documents d ON l.document_id = d.id
    JOIN sources s ON d.source_id = s.id"""

SECTIONS = """
    SELECT d.id, s.path, (d.meta::jsonb->'sections')::text
    FROM documents d JOIN sources s ON d.source_id = s.id
    WHERE jsonb_typeof(d.meta::jsonb->'sections') = 'array'"""

LABELS = """
    SELECT d.id, s.path, (d.meta::jsonb->'labels')::text
    FROM documents d JOIN sources s ON d.source_id = s.id
    WHERE jsonb_typeof(d.meta::jsonb->'labels') = 'object'"""

ADDRESSES = """
    SELECT d.id, s.path, d.meta::text
    FROM documents d JOIN sources s ON d.source_id = s.id
    WHERE d.meta::jsonb ?| array['permalink', 'url', 'aliases', 'redirect_from']"""

SINGLE_DOCUMENTS = """
    SELECT s.path, min(d.id) FROM documents d JOIN sources s ON d.source_id = s.id
    GROUP BY s.id HAVING count(*) = 1"""

_KEY_COLUMNS = "path, document_id, kind, item, norm"


def entry_row(row: tuple[Any, ...]) -> EntryRow:
    i, d, p, line, term, defn, red, al, kind = row
    return EntryRow(id=int(i), document_id=int(d), path=p, line=line, term=term,
                    definition=defn or "", redirect=red,
                    aliases=tuple(json.loads(al)) if al else (), kind=kind)


def link_row(row: tuple[Any, ...]) -> LinkRow:
    i, d, e, p, line, t, lab, k, f, h, hr, np = row
    return LinkRow(id=int(i), document_id=int(d), entry_id=None if e is None else int(e),
                   path=p, line=line, target=t, label=lab, kind=k, fragment=f,
                   exists_hint=None if h is None else bool(h), href=hr, no_page=np)


def heading_row(row: tuple[Any, ...]) -> HeadingRow:
    d, p, hp, lo, hi, inside = row
    return HeadingRow(int(d), p, tuple(json.loads(hp)), lo, hi,
                      None if inside is None else int(inside))


def _ints(values: Iterable[int]) -> list[int]:
    return sorted({int(v) for v in values})


def _keys(rows: Iterable[tuple[Any, ...]]) -> list[StateRow]:
    return [(p, int(d), k, int(i), n) for p, d, k, i, n in rows]


class PostgresResolveState:
    """Incremental resolve's queries, mixed into PostgresStore."""

    def _all(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()
             ) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # PostgresStore's

    def _one(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()
             ) -> tuple[Any, ...] | None:
        raise NotImplementedError  # PostgresStore's

    def transaction(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        raise NotImplementedError  # PostgresStore's

    # -- the change log and the keys ---------------------------------------------------------

    def resolve_state_ready(self) -> bool:
        """Whether the keys describe the concept tables (else resolve must run in full)."""
        return self._one(
            "SELECT 1 FROM resolve_ready WHERE EXISTS (SELECT 1 FROM resolve_keys "
            "WHERE norm = %s AND kind = %s)", (KEYS_MARK[4], KEYS_MARK[2])) is not None

    def resolve_changes(self) -> tuple[int, list[str]]:
        """(last log number, paths added or removed since the last resolve)."""
        row = self._one("SELECT max(seq) FROM resolve_changed")
        top = int(row[0] or 0) if row else 0
        return top, [p for (p,) in self._all(
            "SELECT DISTINCT path FROM resolve_changed WHERE seq <= %s ORDER BY path", (top,))]

    def resolve_keys_of_paths(self, paths: Sequence[str], kind: str | None = None
                              ) -> list[StateRow]:
        """The stored keys of every item of these files (of one kind when given)."""
        if not paths:
            return []
        sql = f"SELECT {_KEY_COLUMNS} FROM resolve_keys WHERE path = ANY(%s::text[])"
        if kind is None:
            return _keys(self._all(sql, (list(paths),)))
        return _keys(self._all(f"{sql} AND kind = %s", (list(paths), kind)))

    def resolve_keys_by_norm(self, norms: Iterable[str], kinds: str) -> list[StateRow]:
        """The stored keys with one of `norms`, of the kinds listed (one letter each)."""
        values = sorted(set(norms))
        if not values:
            return []
        return _keys(self._all(
            f"SELECT {_KEY_COLUMNS} FROM resolve_keys"
            " WHERE norm = ANY(%s::text[]) AND kind = ANY(%s::text[])", (values, list(kinds))))

    def resolve_keys_of_items(self, kind: str, items: Iterable[int]) -> list[StateRow]:
        """Every stored key of these items (entry, link or document ids) of one kind."""
        ids = _ints(items)
        if not ids:
            return []
        return _keys(self._all(
            f"SELECT {_KEY_COLUMNS} FROM resolve_keys WHERE item = ANY(%s::bigint[])"
            " AND kind = %s", (ids, kind)))

    def write_resolve_keys(self, rows: Iterable[StateRow], paths: Sequence[str] | None,
                           upto: int) -> None:
        """Replace the keys of `paths` (all keys when None), drop the log up to `upto`, and
        mark the keys ready, inside the caller's transaction when there is one."""
        with self.transaction() as c:
            if paths is None:
                # TRUNCATE leaves no dead rows, as DELETE would; the indexes are built after
                # the rows (3x faster). Both lock the table until commit: only resolve reads
                # it, and resolve holds the files' lock alone.
                c.execute("TRUNCATE resolve_keys")
                c.execute("DROP INDEX IF EXISTS resolve_keys_norm, resolve_keys_item,"
                          " resolve_keys_path")
                rows = [KEYS_MARK, *rows]
            elif paths:
                c.execute("DELETE FROM resolve_keys WHERE path = ANY(%s::text[])", (list(paths),))
            with c.cursor().copy(f"COPY resolve_keys ({_KEY_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if paths is None:
                for index in RESOLVE_KEYS_INDEXES:
                    c.execute(index)
            c.execute("DELETE FROM resolve_changed WHERE seq <= %s", (upto,))
            c.execute("INSERT INTO resolve_ready (id) VALUES (1) ON CONFLICT DO NOTHING")

    def resolved_fingerprint(self) -> str:
        """The grimoire.toml fingerprint the concept tables were built with."""
        row = self._one("SELECT overrides FROM concept_state WHERE id = 1")
        assert row is not None
        return str(row[0])

    # -- the rows resolve reads, for some files or items only --------------------------------

    def documents_of_paths(self, paths: Sequence[str]) -> list[tuple[int, str]]:
        """(document id, path) of every current document of these files."""
        if not paths:
            return []
        return [(int(d), p) for d, p in self._all(
            """SELECT d.id, s.path FROM documents d JOIN sources s ON d.source_id = s.id
               WHERE s.path = ANY(%s::text[]) ORDER BY d.id""", (list(paths),))]

    def document_paths(self, ids: Iterable[int]) -> dict[int, str]:
        """document id -> its file's path."""
        found = _ints(ids)
        if not found:
            return {}
        return {int(d): p for d, p in self._all(
            """SELECT d.id, s.path FROM documents d JOIN sources s ON d.source_id = s.id
               WHERE d.id = ANY(%s::bigint[])""", (found,))}

    def entry_rows(self, *, ids: Iterable[int] = (), documents: Iterable[int] = ()
                   ) -> list[EntryRow]:
        """The entries with these ids or in these documents, by id."""
        return [entry_row(r) for r in self._all(
            f"{ENTRY_ROWS} WHERE e.id = ANY(%s::bigint[]) OR e.document_id = ANY(%s::bigint[])"
            " ORDER BY e.id", (_ints(ids), _ints(documents)))]

    def link_rows(self, *, ids: Iterable[int] = (), documents: Iterable[int] = ()
                  ) -> list[LinkRow]:
        """The links with these ids or in these documents, by id."""
        return [link_row(r) for r in self._all(
            f"{LINK_ROWS} WHERE l.id = ANY(%s::bigint[]) OR l.document_id = ANY(%s::bigint[])"
            " ORDER BY l.id", (_ints(ids), _ints(documents)))]

    def heading_rows(self, documents: Iterable[int]) -> list[HeadingRow]:
        """The headings of these documents, as `resolve_input` reads them."""
        from grimoire.store._resolve_rows import section_rows

        docs = _ints(documents)
        if not docs:
            return []
        out = [heading_row(r) for r in self._all(
            HEADING_SELECT + """ AND p.document_id = ANY(%s::bigint[])
               GROUP BY p.document_id, s.path, p.heading_path
               ORDER BY p.document_id, p.heading_path""", (docs,))]
        for d, p, tree in self._all(f"{SECTIONS} AND d.id = ANY(%s::bigint[]) ORDER BY d.id",
                                    (docs,)):
            out.extend(section_rows(int(d), p, json.loads(tree), ()))
        return out

    def label_rows(self, *, labels: Iterable[str] = (), documents: Iterable[int] = ()
                   ) -> list[LabelRow]:
        """The definitions of these labels, wherever they are, and every label of these
        documents (`ResolveInput.labels`)."""
        from grimoire.resolve.labels import label_of
        from grimoire.store._resolve_rows import label_rows

        wanted = {label_of(x) for x in labels}
        docs = _ints(documents)
        if not wanted and not docs:
            return []
        out: list[LabelRow] = []
        if not wanted:  # a changed file's own labels: by its id, no scan
            for d, p, found in self._all(f"{LABELS} AND d.id = ANY(%s::bigint[]) ORDER BY d.id",
                                         (docs,)):
                out.extend(label_rows(int(d), p, json.loads(found)))
            return out
        in_docs = set(docs)
        for d, p, found in self._all(f"{LABELS} ORDER BY d.id"):
            out.extend(r for r in label_rows(int(d), p, json.loads(found))
                       if label_of(r.label) in wanted or int(d) in in_docs)
        return out

    def source_paths(self) -> list[str]:
        """The path of every ingested file (`ResolveInput.paths`)."""
        return [str(p) for (p,) in self._all("SELECT path FROM sources ORDER BY path")]

    def address_rows(self, documents: Iterable[int]) -> list[AddressRow]:
        """The addresses these documents are published at (`ResolveInput.addresses`)."""
        from grimoire.store._resolve_rows import address_rows

        docs = _ints(documents)
        if not docs:
            return []
        out: list[AddressRow] = []
        for d, p, meta in self._all(f"{ADDRESSES} AND d.id = ANY(%s::bigint[]) ORDER BY d.id",
                                    (docs,)):
            out.extend(address_rows(int(d), p, json.loads(meta)))
        return out

    def single_documents(self) -> dict[str, int]:
        """path -> document id of every file that is one page (the target of `[x](a.md)`)."""
        return {p: int(d) for p, d in self._all(SINGLE_DOCUMENTS)}

    # -- the concept tables, in part ---------------------------------------------------------

    def entries_with_concepts(self, documents: Iterable[int]
                              ) -> list[tuple[int, int, int, int | None]]:
        """(document, entry id, line, concept id) of every entry of these documents, by id."""
        return [(int(d), int(e), line, None if c is None else int(c))
                for d, e, line, c in self._all(
                    """SELECT e.document_id, e.id, e.start_line, ce.concept_id FROM entries e
                       LEFT JOIN concept_entries ce ON ce.entry_id = e.id
                       WHERE e.document_id = ANY(%s::bigint[]) ORDER BY e.id""",
                    (_ints(documents),))]

    def concept_ids_of_entries(self, ids: Iterable[int]) -> dict[int, int]:
        """entry id -> concept id, as the concept tables hold them now."""
        return {int(e): int(c) for e, c in self._all(
            "SELECT entry_id, concept_id FROM concept_entries WHERE entry_id = ANY(%s::bigint[])",
            (_ints(ids),))}

    def concept_keys(self, ids: Iterable[int]) -> dict[str, int]:
        """key -> id of these concepts."""
        return {k: int(i) for k, i in self._all(
            "SELECT key, id FROM concepts WHERE id = ANY(%s::bigint[])", (_ints(ids),))}

    def max_concept_id(self) -> int:
        """The largest concept id in use (0 when there is none)."""
        row = self._one("SELECT max(id) FROM concepts")
        return int(row[0] or 0) if row else 0

    def links_touching(self, concepts: Iterable[int]) -> set[int]:
        """Ids of the links that lead to or leave from any of these concepts."""
        ids = _ints(concepts)
        return {int(i) for (i,) in self._all(
            """SELECT link_id FROM link_targets WHERE concept_id = ANY(%s::bigint[])
               UNION SELECT link_id FROM link_targets
               WHERE source_concept_id = ANY(%s::bigint[])""", (ids, ids))}

    def links_with_status(self, statuses: Iterable[str]) -> set[int]:
        """Ids of the links stored with any of these statuses (the status index)."""
        return {int(i) for (i,) in self._all(
            "SELECT link_id FROM link_targets WHERE status = ANY(%s::text[])",
            (sorted(set(statuses)),))}

    def links_of_entries(self, entries: Iterable[int]) -> set[int]:
        """Ids of the links that sit in these entries."""
        return {int(i) for (i,) in self._all(
            "SELECT id FROM links WHERE entry_id = ANY(%s::bigint[])", (_ints(entries),))}

    def section_documents_of(self, concepts: Iterable[int]) -> set[int]:
        """The documents holding a section of any of these concepts."""
        return {int(d) for (d,) in self._all(
            "SELECT DISTINCT document_id FROM concept_sections"
            " WHERE concept_id = ANY(%s::bigint[])", (_ints(concepts),))}

    def concept_name_norms(self, concepts: Iterable[int]) -> set[str]:
        """Every normalised name of these concepts."""
        return {str(n) for (n,) in self._all(
            "SELECT norm FROM concept_names WHERE concept_id = ANY(%s::bigint[])",
            (_ints(concepts),))}

    def name_claims(self, norms: Iterable[str]) -> list[tuple[int, str, int]]:
        """(concept id, norm, strength) of every stored concept name with one of `norms`."""
        return [(int(c), n, int(s)) for c, n, s in self._all(
            "SELECT concept_id, norm, strength FROM concept_names WHERE norm = ANY(%s::text[])",
            (sorted(set(norms)),))]

    def sections_in(self, documents: Iterable[int]) -> list[tuple[int, SectionRecord]]:
        """(concept id, section) of the stored sections in these documents."""
        return [(int(cid), SectionRecord(int(doc), heading, start, end))
                for cid, doc, heading, start, end in self._all(
                    """SELECT concept_id, document_id, heading, start_line, end_line
                       FROM concept_sections WHERE document_id = ANY(%s::bigint[])""",
                    (_ints(documents),))]

    def write_partial_resolution(
        self, *, drop_concepts: Iterable[int], concepts: Sequence[ConceptRecord],
        ids: Sequence[int], extra_sections: Sequence[tuple[int, SectionRecord]],
        section_documents: Iterable[int], drop_links: Iterable[int],
        links: Sequence[LinkTarget], known: dict[int, int], fingerprint: str,
    ) -> None:
        """Replace some concepts and link targets, inside the caller's transaction (what
        SQLite's `write_partial_resolution` does; see there)."""
        from grimoire.store._resolve_rows import unique_names

        def concept_id(i: int | None) -> int | None:
            if i is None:
                return None
            return ids[i] if i < len(ids) else known[i]

        dropped = set(drop_concepts)
        reused = _ints(dropped & set(ids))
        with self.transaction() as c:
            # Their names, entries, merges and sections go with them (ON DELETE CASCADE), and
            # the links to them lose their target (ON DELETE SET NULL).
            c.execute("DELETE FROM concepts WHERE id = ANY(%s::bigint[])",
                      (_ints(dropped - set(reused)),))
            for table in ("concept_names", "concept_entries", "concept_merges",
                          "concept_sections"):  # a concept rebuilt under its own id stays
                c.execute(f"DELETE FROM {table} WHERE concept_id = ANY(%s::bigint[])",
                          (reused,))
            c.execute("DELETE FROM concept_sections WHERE document_id = ANY(%s::bigint[])",
                      (_ints(section_documents),))
            c.execute("DELETE FROM link_targets WHERE link_id = ANY(%s::bigint[])",
                      (_ints(drop_links),))
            cur = c.cursor()
            cur.executemany("INSERT INTO concepts (id, key, label, kind) VALUES (%s, %s, %s, %s)"
                            " ON CONFLICT (id) DO UPDATE SET label = excluded.label,"
                            " kind = excluded.kind",
                            [(ids[i], r.key, r.label, r.kind) for i, r in enumerate(concepts)])
            cur.executemany(
                """INSERT INTO concept_names (concept_id, name, norm, reason, strength, entry_id,
                       link_id) VALUES (%s, %s, %s, %s, %s, %s, %s)""",
                [(ids[i], n.name, n.norm, n.reason, n.strength, n.entry_id, n.link_id)
                 for i, r in enumerate(concepts) for n in unique_names(r.names)])
            cur.executemany(
                "INSERT INTO concept_entries (entry_id, concept_id, role) VALUES (%s, %s, %s)"
                " ON CONFLICT (entry_id) DO UPDATE SET concept_id = excluded.concept_id,"
                " role = excluded.role",
                [(e, ids[i], role) for i, r in enumerate(concepts) for e, role in r.entries])
            cur.executemany(
                """INSERT INTO concept_merges (concept_id, entry_id, other_entry_id, name,
                       reason) VALUES (%s, %s, %s, %s, %s)""",
                [(ids[i], m.entry_id, m.other_entry_id, m.name, m.reason)
                 for i, r in enumerate(concepts) for m in r.merges])
            sections = [(ids[i], s) for i, r in enumerate(concepts) for s in r.sections]
            cur.executemany(
                """INSERT INTO concept_sections (concept_id, document_id, heading, start_line,
                       end_line) VALUES (%s, %s, %s, %s, %s)""",
                [(cid, s.document_id, s.heading, s.start_line, s.end_line)
                 for cid, s in [*sections, *extra_sections]])
            cur.executemany(
                """INSERT INTO link_targets (link_id, status, concept_id, source_concept_id,
                       name, norm) VALUES (%s, %s, %s, %s, %s, %s)
                   ON CONFLICT (link_id) DO UPDATE SET status = excluded.status,
                       concept_id = excluded.concept_id,
                       source_concept_id = excluded.source_concept_id,
                       name = excluded.name, norm = excluded.norm""",
                [(t.link_id, t.status, concept_id(t.target), concept_id(t.source), t.name,
                  t.norm) for t in links])
            c.execute("UPDATE concept_state SET dirty = 0, overrides = %s WHERE id = 1",
                      (fingerprint,))
