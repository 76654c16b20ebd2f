"""Concept lookups written once for both engines: the same SQL, the same records, the same
order (every list ends its ORDER BY on an id, so ties come out alike on each engine).

The SQL is what SQLite and PostgreSQL both accept; parameters are written `?` and each engine's
`_select` runs it in its own terms. The records are imported where they are built: a search
builds a concept's entries only, and `concept_records` costs its cold start ~20 ms (issue 14).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from grimoire.fences import joined
from grimoire.model import ConceptId, Span
from grimoire.store._rows import ENTRY_COLUMNS, SharedReads, stored_entry
from grimoire.store.records import ConceptEntry

if TYPE_CHECKING:
    from grimoire.store.concept_records import (
        ConceptMatch,
        ConceptName,
        ConceptRow,
        ConceptSummary,
        LinkUse,
        Mention,
        Merge,
        Section,
    )


class ConceptLookups(SharedReads):
    """What the API reads about concepts, mixed into each engine's store."""

    def concepts_named(self, norm: str) -> list[ConceptMatch]:
        """Every concept with this name, strongest first."""
        from grimoire.store.concept_records import ConceptMatch

        return [ConceptMatch(int(c), int(s)) for c, s in self._select(
            "SELECT concept_id, strength FROM concept_names WHERE norm = ?"
            " ORDER BY strength DESC, concept_id", (norm,))]

    def concept_row(self, concept_id: int) -> ConceptRow | None:
        from grimoire.store.concept_records import ConceptRow

        rows = self._select("SELECT id, key, label, kind FROM concepts WHERE id = ?",
                            (concept_id,))
        return ConceptRow(int(rows[0][0]), rows[0][1], rows[0][2], rows[0][3]) if rows else None

    def concept_names_of(self, concept_id: int) -> list[ConceptName]:
        """Each name with the entry that states it, strongest first."""
        from grimoire.store.concept_records import ConceptName

        return [
            ConceptName(name, reason, int(strength),
                        Span(path, line, line) if path and line else None)
            for name, reason, strength, path, line in self._select(
                """SELECT n.name, n.reason, n.strength, s.path, e.start_line
                   FROM concept_names n LEFT JOIN entries e ON e.id = n.entry_id
                   LEFT JOIN documents d ON d.id = e.document_id
                   LEFT JOIN sources s ON s.id = d.source_id
                   WHERE n.concept_id = ? ORDER BY n.strength DESC, n.name""", (concept_id,))
        ]

    def concept_entries_of(self, concept_id: int) -> list[ConceptEntry]:
        """Each entry of the concept, in file and line order."""
        return [
            ConceptEntry(stored_entry(row), role)
            for *row, role in self._select(
                f"""SELECT {ENTRY_COLUMNS}, ce.role
                   FROM concept_entries ce JOIN entries e ON e.id = ce.entry_id
                   JOIN documents d ON e.document_id = d.id JOIN sources s ON d.source_id = s.id
                   WHERE ce.concept_id = ? ORDER BY s.path, e.start_line, e.id""",
                (concept_id,))
        ]

    def concept_passages(self, concept_id: int, limit: int = 12) -> list[tuple[int, str]]:
        """(passage id, text) of the passages in the concept's entries."""
        return [(int(i), text) for i, text in self._select(
            """SELECT p.id, p.text FROM concept_entries ce JOIN passages p
                 ON p.entry_id = ce.entry_id
               WHERE ce.concept_id = ? ORDER BY p.id LIMIT ?""", (concept_id, limit))]

    def opening_passages(self, entry_id: int, within: int = 40,
                         limit: int = 6) -> list[tuple[Span, str, str]]:
        """(span, text, kind) of the first passages an entry's note opens with, as ingest read
        them (a page named by its title keeps its text so: its entry has no definition):
        the entry's own, else the passages of no entry that start within `within` lines after
        the entry's last (a chapter whose body opens with a `##` section)."""
        return [(Span(path, int(start), int(end)), text, kind)
                for path, start, end, text, kind in self._select(
                    """SELECT s.path, p.start_line, p.end_line, p.text, p.kind
                       FROM entries e JOIN passages p ON p.document_id = e.document_id
                       JOIN documents d ON d.id = e.document_id
                       JOIN sources s ON s.id = d.source_id
                       WHERE e.id = ? AND (p.entry_id = e.id OR (p.entry_id IS NULL
                             AND p.start_line >= e.start_line
                             AND p.start_line <= e.end_line + ?))
                       ORDER BY CASE WHEN p.entry_id = e.id THEN 0 ELSE 1 END, p.seq, p.id
                       LIMIT ?""", (entry_id, within, limit))]

    def file_passages(self, path: str) -> list[tuple[int, int, str, str]]:
        """(start line, end line, text, kind) of every passage read from the file at `path`,
        in reading order: a binary file's text as ingest stored it (a PDF's "lines" are its
        pages), for the faces that show a file's source."""
        return [(int(start), int(end), text, kind) for start, end, text, kind in self._select(
            """SELECT p.start_line, p.end_line, p.text, p.kind
               FROM sources s JOIN documents d ON d.source_id = s.id
               JOIN passages p ON p.document_id = d.id
               WHERE s.path = ? ORDER BY d.id, p.seq, p.id""", (path,))]

    def documents_titled(self, title: str, limit: int = 10) -> list[tuple[Span, list[str]]]:
        """Each document whose title is `title` (letter case aside): the lines its passages
        span, and the labels of the concepts its entries are, in line order.

        Case is folded by Python's `str.casefold`, on both engines alike: SQLite's `lower`
        folds ASCII letters only and PostgreSQL's follows the database's locale ("ÉTUDE" found
        "Étude" on one and not the other, review39b). A title whose folded form is as long
        (a letter folds to at most three: "ß" -> "ss") is read, then compared here."""
        folded = title.casefold()
        docs = [doc for doc, found in self._select(
            """SELECT d.id, d.title FROM documents d
               WHERE length(d.title) BETWEEN ? AND ?""",
            ((len(folded) + 2) // 3, len(folded))) if str(found).casefold() == folded]
        if not docs:
            return []
        out = []
        for doc, path, start, end in self._select(
            f"""SELECT d.id, s.path, MIN(p.start_line), MAX(p.end_line)
               FROM documents d JOIN sources s ON s.id = d.source_id
               LEFT JOIN passages p ON p.document_id = d.id
               WHERE d.id IN ({",".join(str(int(d)) for d in docs)}) GROUP BY d.id, s.path
               ORDER BY s.path, d.id LIMIT ?""", (limit,)):
            labels = [label for label, _ in self._select(
                """SELECT c.label, MIN(e.start_line) FROM entries e
                   JOIN concept_entries ce ON ce.entry_id = e.id
                   JOIN concepts c ON c.id = ce.concept_id
                   WHERE e.document_id = ? GROUP BY c.label
                   ORDER BY MIN(e.start_line), c.label""", (doc,))]
            first = int(start) if start is not None else 1
            out.append((Span(path, first, int(end) if end is not None else first), labels))
        return out

    def title_page_concepts(self, paths: Iterable[str]) -> dict[str, tuple[int, str]]:
        """path -> (concept id, label) of each of these PDFs whose title page is an entry
        (its term the document's title): the concept the whole work stands for."""
        found = sorted(set(paths))
        if not found:
            return {}
        out: dict[str, tuple[int, str]] = {}
        for start in range(0, len(found), 500):
            chunk = found[start:start + 500]
            for path, cid, label in self._select(
                f"""SELECT s.path, c.id, c.label FROM sources s
                   JOIN documents d ON d.source_id = s.id AND d.format = 'pdf'
                   JOIN entries e ON e.document_id = d.id AND e.start_line = 1
                        AND e.term = d.title
                   JOIN concept_entries ce ON ce.entry_id = e.id
                   JOIN concepts c ON c.id = ce.concept_id
                   WHERE s.path IN ({",".join("?" * len(chunk))})
                   ORDER BY s.path, e.id""", chunk):
                out.setdefault(str(path), (int(cid), str(label)))
        return out

    def concept_sections_of(self, concept_id: int) -> list[Section]:
        """Each page section about the concept, with the text of its passages (a code
        passage fenced, `fences`)."""
        from grimoire.store.concept_records import Section

        out = []
        for heading, doc, path, start, end, title in self._select(
            """SELECT cs.heading, cs.document_id, s.path, cs.start_line, cs.end_line, d.title
               FROM concept_sections cs JOIN documents d ON d.id = cs.document_id
               JOIN sources s ON s.id = d.source_id
               WHERE cs.concept_id = ? ORDER BY s.path, cs.start_line, cs.end_line""",
            (concept_id,)
        ):
            text = joined([
                (kind, t, json.loads(marks).get("language", "") if kind == "code" else "")
                for t, kind, marks in self._select(
                    """SELECT text, kind, marks FROM passages WHERE document_id = ?
                       AND start_line >= ? AND end_line <= ? ORDER BY seq""",
                    (doc, start, end))])
            out.append(Section(heading, Span(path, start, end), title, text))
        return out

    def concept_merges_of(self, concept_id: int) -> list[Merge]:
        """Why each pair of the concept's entries was merged."""
        from grimoire.store.concept_records import Merge

        return [
            Merge(Span(pa, la, la), Span(pb, lb, lb), name, reason)
            for pa, la, pb, lb, name, reason in self._select(
                """SELECT sa.path, ea.start_line, sb.path, eb.start_line, m.name, m.reason
                   FROM concept_merges m
                   JOIN entries ea ON ea.id = m.entry_id
                   JOIN documents da ON da.id = ea.document_id
                   JOIN sources sa ON sa.id = da.source_id
                   JOIN entries eb ON eb.id = m.other_entry_id
                   JOIN documents db ON db.id = eb.document_id
                   JOIN sources sb ON sb.id = db.source_id
                   WHERE m.concept_id = ?
                   ORDER BY sa.path, ea.start_line, sb.path, eb.start_line, m.name""",
                (concept_id,))
        ]

    def concept_links(self, concept_id: int, *, incoming: bool) -> list[Mention]:
        """Links into (backlinks) or out of a concept, in file and line order."""
        from grimoire.store.concept_records import Mention

        mine, other = ("concept_id", "source_concept_id") if incoming else \
            ("source_concept_id", "concept_id")
        return [
            Mention(span=Span(path, start, end), kind=kind, target=target, label=label,
                    status=status, concept=other_label,
                    concept_id=ConceptId(str(int(other_id))) if other_id is not None else None,
                    document_title=title, href=href)
            for path, start, end, kind, target, label, status, other_id, other_label, title, href
            in self._select(
                f"""SELECT s.path, l.start_line, l.end_line, l.kind, l.target, l.label, t.status,
                           t.{other}, c.label, d.title, l.href
                    FROM link_targets t JOIN links l ON l.id = t.link_id
                    JOIN documents d ON d.id = l.document_id JOIN sources s ON s.id = d.source_id
                    LEFT JOIN concepts c ON c.id = t.{other}
                    WHERE t.{mine} = ? AND t.status IN ('resolved', 'wanted', 'ambiguous', 'dead',
                                                      'elsewhere')
                    ORDER BY s.path, l.start_line, l.id""", (concept_id,))
        ]

    def concept_summaries(self) -> list[ConceptSummary]:
        """Every concept with how many entries and files it has, A-Z by key."""
        from grimoire.store.concept_records import ConceptSummary

        return [ConceptSummary(ConceptId(str(int(i))), label, kind, int(n), int(s))
                for i, label, kind, n, s in self._select(
            """SELECT c.id, c.label, c.kind, count(ce.entry_id), count(DISTINCT d.source_id)
               FROM concepts c LEFT JOIN concept_entries ce ON ce.concept_id = c.id
               LEFT JOIN entries e ON e.id = ce.entry_id
               LEFT JOIN documents d ON d.id = e.document_id
               GROUP BY c.id, c.key, c.label, c.kind ORDER BY c.key""")]

    def multi_source_concepts(self) -> list[int]:
        """Ids of the concepts whose entries come from more than one file, A-Z by key."""
        return [int(i) for (i,) in self._select(
            """SELECT c.id FROM concepts c JOIN concept_entries ce ON ce.concept_id = c.id
                 AND ce.role = 'entry'
               JOIN entries e ON e.id = ce.entry_id JOIN documents d ON d.id = e.document_id
               GROUP BY c.id, c.key HAVING count(DISTINCT d.source_id) > 1 ORDER BY c.key""")]

    def unresolved_links(self, status: str = "wanted") -> list[LinkUse]:
        """Every link with `status` ("wanted", "ambiguous"), by name, then file and line."""
        from grimoire.store.concept_records import LinkUse

        return [LinkUse(norm, name, Span(path, start, end), kind, href,
                        None if hint is None else bool(hint))
                for norm, name, path, start, end, kind, href, hint in self._select(
            """SELECT t.norm, t.name, s.path, l.start_line, l.end_line, l.kind, l.href,
                      l.exists_hint
               FROM link_targets t JOIN links l ON l.id = t.link_id
               JOIN documents d ON d.id = l.document_id JOIN sources s ON s.id = d.source_id
               WHERE t.status = ? ORDER BY t.norm, s.path, l.start_line, l.id""", (status,))]

    def concept_name_list(self) -> list[tuple[str, str]]:
        """(norm, name) of every concept name, for "did you mean": a spelling resolve made
        only to match (`MATCHING_ONLY`: "Selfattention") is matched, and offered as its
        concept's label, a name a note wrote ("did you mean: Selfattention" offered it)."""
        from grimoire.store.concept_records import MATCHING_ONLY

        hidden = sorted(MATCHING_ONLY)
        marks = ", ".join("?" for _ in hidden)
        return [(norm, name) for norm, name in self._select(
            f"""SELECT n.norm, CASE WHEN n.reason IN ({marks}) THEN c.label ELSE n.name END
                FROM concept_names n JOIN concepts c ON c.id = n.concept_id
                ORDER BY n.concept_id, n.norm""", hidden)]

    def concept_names_from(self, low: str, high: str, shortest: int, longest: int,
                           limit: int) -> list[tuple[str, str, int]]:
        """(norm, name, concept id) of the concept names from `low` up to (not including)
        `high` of `shortest` to `longest` characters, shortest first: one run of the index on
        names, for "did you mean" (never every name: issue 14). A name offered as
        `concept_name_list` offers it."""
        from grimoire.store.concept_records import MATCHING_ONLY

        hidden = sorted(MATCHING_ONLY)
        marks = ", ".join("?" for _ in hidden)
        return [(norm, name, int(c)) for norm, name, c in self._select(
            f"""SELECT n.norm, CASE WHEN n.reason IN ({marks}) THEN c.label ELSE n.name END,
                       n.concept_id
                FROM concept_names n JOIN concepts c ON c.id = n.concept_id
                WHERE n.norm >= ? AND n.norm < ? AND length(n.norm) BETWEEN ? AND ?
                ORDER BY length(n.norm), n.norm, n.concept_id LIMIT ?""",
            [*hidden, low, high, shortest, longest, limit])]

    def concept_names_in(self, runs: Sequence[tuple[str, str]], shortest: int, longest: int,
                         limit: int) -> list[tuple[str, str, int]]:
        """`concept_names_from` for each (low, high) of `runs`, at most `limit` names of
        each, in one statement: the 70 short runs a typo in a name's first letter asks for
        (`view._first_letter_typos`) took 70 round trips, 150 ms on PostgreSQL."""
        from grimoire.store.concept_records import MATCHING_ONLY

        if not runs:
            return []
        hidden = sorted(MATCHING_ONLY)
        marks = ", ".join("?" for _ in hidden)
        one = f"""SELECT * FROM (
                    SELECT n.norm, CASE WHEN n.reason IN ({marks}) THEN c.label ELSE n.name END
                           AS shown, n.concept_id
                    FROM concept_names n JOIN concepts c ON c.id = n.concept_id
                    WHERE n.norm >= ? AND n.norm < ? AND length(n.norm) BETWEEN ? AND ?
                    ORDER BY length(n.norm), n.norm, n.concept_id LIMIT ?) AS run"""
        sql = " UNION ALL ".join(f"{one}{i}" for i in range(len(runs)))
        args = [a for low, high in runs for a in (*hidden, low, high, shortest, longest, limit)]
        return [(norm, name, int(c)) for norm, name, c in self._select(sql, args)]

    def concept_names_of_concepts(self, ids: Iterable[int]) -> list[tuple[str, str, int]]:
        """(norm, name, concept id) of every name of the concepts `ids`, as
        `concept_names_from` gives them."""
        from grimoire.store.concept_records import MATCHING_ONLY

        wanted = sorted(set(ids))
        if not wanted:
            return []
        hidden = sorted(MATCHING_ONLY)
        marks = ", ".join("?" for _ in hidden)
        return [(norm, name, int(c)) for norm, name, c in self._select(
            f"""SELECT n.norm, CASE WHEN n.reason IN ({marks}) THEN c.label ELSE n.name END,
                       n.concept_id
                FROM concept_names n JOIN concepts c ON c.id = n.concept_id
                WHERE n.concept_id IN ({", ".join("?" for _ in wanted)})
                ORDER BY n.concept_id, n.norm""", [*hidden, *wanted])]

    def entry_concepts(self) -> dict[int, int]:
        """entry id -> concept id, for every entry."""
        return {int(e): int(c) for e, c in self._select(
            "SELECT entry_id, concept_id FROM concept_entries ORDER BY entry_id")}
