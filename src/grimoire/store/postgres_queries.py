"""PostgreSQL queries for search, vectors, the ask stage and concepts (mixed into
PostgresStore). The same answers as the SQLite backend, in PostgreSQL's terms:

- lexical: bm25 as FTS5 computes it, built from `ts_rank` over weighted tsvectors: each
  word's rank times its idf, a bm25 length normalisation, column weights saturated as bm25
  saturates them; the query built by `plainto_tsquery` and `phraseto_tsquery` from each word
  and phrase (never parsed as tsquery syntax);
- vectors: pgvector, cosine distance, an HNSW index per dimension. A filtered query keeps
  returning k: with pgvector 0.8+ through iterative index scans; before that, an exact scan
  restricted by the documents' btree index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from grimoire.model import Span
from grimoire.store._concept_lookups import ConceptLookups
from grimoire.store._embed_text import entry_embed_text, passage_unit_text
from grimoire.store._heading_sql import HEADING_SELECT
from grimoire.store.concept_records import (
    ConceptEdge,
    HeadingRow,
    Resolution,
    ResolveInput,
)
from grimoire.store.postgres_schema import hnsw_index
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
    import psycopg



BM25_K1 = 1.2  # FTS5's bm25 constants
BM25_B = 0.75


def rank_weights(names: float, title: float, heading: float, body: float) -> str:
    """ts_rank's weights array, in its order {D, C, B, A} (body, heading, title, names).

    FTS5's bm25 multiplies a column's weight into the term frequency, which then saturates
    (tf (k1 + 1) / (tf + k1)): a word in a name counts about twice one in the body, not ten
    times. `ts_rank` takes one weight per class instead, so each is saturated here the same
    way, then scaled so that the largest is 1 (ts_rank takes weights up to 1).
    """
    def saturated(w: float) -> float:
        return w * (BM25_K1 + 1) / (w + BM25_K1) if w > 0 else 0.0

    ranked = [saturated(w) for w in (body, heading, title, names)]
    top = max(*ranked, 1e-9)
    return "{" + ", ".join(f"{w / top:.6g}" for w in ranked) + "}"


EF_SEARCH = 100


def _array(value: Any) -> np.ndarray:
    """A pgvector value as float32 numpy (pgvector-python returns a Vector or an array)."""
    import numpy as np

    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value, dtype=np.float32)


def _tsqueries(query: TextQuery) -> list[tuple[str, str]]:
    """(SQL, parameter) of a tsquery for each distinct word and phrase of `query`."""
    words = [("plainto_tsquery('grimoire', grimoire_words(%s))", w)
             for w in dict.fromkeys(query.words) if w]
    phrases = [("phraseto_tsquery('grimoire', grimoire_words(%s))", " ".join(p))
               for p in dict.fromkeys(query.phrases) if p]
    return words + phrases


def bm25_statement(
    table: str, weights: str, query: TextQuery, limit: int, documents: set[int] | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The statement (SQL, parameters) that ranks `table`'s rows matching any word or phrase
    of `query` as bm25 ranks them on SQLite: each term's `ts_rank` times its rarity (bm25's
    idf), summed, over bm25's length normalisation; None when `query` has no words.

    `ts_rank` alone has no idf and no length normalisation: a common word in a name
    outweighed the rare words of a body, and a sentence typed in full found a longer passage
    that quotes it before the passage it comes from.
    """
    terms = _tsqueries(query)
    if not terms:
        return None
    params: dict[str, Any] = {"w": weights, "limit": limit}
    for i, (_, arg) in enumerate(terms):
        params[f"t{i}"] = arg
    each = [sql.replace("%s", f"%(t{i})s") for i, (sql, _) in enumerate(terms)]
    where = ""
    if documents is not None:
        where = " AND t.document_id = ANY(%(docs)s)"
        params["docs"] = list(documents)
    n = range(len(terms))
    # One pass over the matching rows (within `documents`) reads each one's tsvector once for
    # its length, its ts_rank for each term and which terms it holds; df and the mean length
    # are sums over those, N the id counter (cheap, an upper bound; idf is a logarithm of it).
    # Every CTE is MATERIALIZED, computed once: inlined, the planner (expecting one matching
    # row) ran df's aggregate again for every matching row, n squared (28 ms for 49 entries
    # against 2.8 ms). Reading the tsvectors once, not three times: 1.1-1.9x faster at 100k.
    # A long passage's tsvector is stored compressed (TOAST), and every mention of `t.tsv`
    # decompresses it again: `v` is it decompressed once per row (a copy, `|| ''`, behind an
    # OFFSET 0 fence the planner does not flatten), 1.5-2x faster for a query of several
    # terms over thousands of rows, the same scores.
    ranks = ", ".join(f"ts_rank(%(w)s::float4[], d.v, q.q{i}) AS r{i},"
                      f" (d.v @@ q.q{i})::int AS h{i}" for i in n)
    return f"""WITH q AS MATERIALIZED (
            SELECT {", ".join(f"{e} AS q{i}" for i, e in enumerate(each))}),
        m AS MATERIALIZED (
            SELECT t.id, length(d.v) AS len, {ranks}
            FROM {table} t, q, LATERAL (SELECT t.tsv || ''::tsvector AS v OFFSET 0) d
            WHERE t.tsv @@ ({" || ".join(f"q.q{i}" for i in n)}){where}),
        df AS MATERIALIZED (
            SELECT {", ".join(f"sum(m.h{i}) AS d{i}" for i in n)},
                   greatest(avg(m.len), 1)::float8 AS avgdl FROM m),
        total AS MATERIALIZED (
            SELECT greatest(coalesce(max(id), 0), 1)::float8 AS n FROM {table})
        SELECT m.id, ({" + ".join(
            f"m.r{i} * ln(1 + (total.n - df.d{i} + 0.5) / (df.d{i} + 0.5))" for i in n)})
            * {BM25_K1 + 1} / (1 + {BM25_K1} * (1 - {BM25_B}
                                + {BM25_B} * m.len / df.avgdl)) AS s
        FROM m, df, total ORDER BY s DESC, m.id LIMIT %(limit)s""", params


# From this many rows a count is dear enough to take the planner's estimate instead (ANALYZE
# keeps the most common lexemes with their frequencies; a word it does not know is estimated
# low, and then counted). Search asks for counts to 2,000 and more (`Searcher._prune_common`).
ESTIMATED_FROM = 1000

# `term_counts` below its cap: how many passages hold the term, read to `cap` rows. Planned
# with the LIMIT, the match is read from a scan of the passages in order, expected to meet the
# word soon: right for a word in many (0.5 ms), but a word in no passage (a typo) was looked
# for in every one (270-300 ms at 100k passages; review43b). Planned apart from it (a
# MATERIALIZED CTE, read lazily), the word index is read: 2 ms for a word in none, but 3-16
# ms for one in 4-93% of them (all its rows). `passage_words` (as of the last commit) tells
# which is which; the count is always read from the passages, exact in a transaction too.
COMMON_WORD = 1000
_TERM = "plainto_tsquery('grimoire', grimoire_words(%s))"
_COUNT_COMMON = f"SELECT count(*) FROM (SELECT 1 FROM passages WHERE tsv @@ {_TERM} LIMIT %s) x"
_COUNT_RARE = (f"WITH m AS MATERIALIZED (SELECT 1 FROM passages WHERE tsv @@ {_TERM})"
               " SELECT count(*) FROM (SELECT 1 FROM m LIMIT %s) x")


# As on SQLite (sqlite_search.py `_TITLE_ONLY_LINKS`). The documents' links are read by
# `links_document` (an array, not `IN`): joined to link_targets first, the planner started at
# every resolved link of the store (status index; 10 ms a search on the whole corpus, linear
# in the store's links).
_TITLE_ONLY_LINKS = """
    WITH candidates AS MATERIALIZED (
        SELECT id, document_id, entry_id, start_line, end_line FROM passages
        WHERE id = ANY(%s)),
    linked AS MATERIALIZED (
        SELECT l.id, l.document_id, l.entry_id, l.kind, l.start_line FROM links l
        WHERE l.document_id = ANY(ARRAY(SELECT document_id FROM candidates))),
    pairs AS MATERIALIZED (
        SELECT DISTINCT p.id, t.concept_id FROM linked k
        JOIN candidates p ON p.document_id = k.document_id
            AND (k.start_line BETWEEN p.start_line AND p.end_line
                 OR (k.entry_id = p.entry_id AND k.kind IN ('related', 'see_also')))
        JOIN link_targets t ON t.link_id = k.id AND t.status = 'resolved')
    SELECT id, concept_id FROM pairs k
    WHERE EXISTS (SELECT 1 FROM concept_entries c JOIN entries e ON e.id = c.entry_id
                  WHERE c.concept_id = k.concept_id
                      AND (%s::bigint[] IS NULL OR e.document_id = ANY(%s)))
        AND NOT EXISTS (SELECT 1 FROM concept_entries c
                        JOIN passages q ON q.entry_id = c.entry_id
                        WHERE c.concept_id = k.concept_id)"""


# The tables a resolve writes anew, each before those it refers to.
_CONCEPT_TABLES = ("link_targets", "concept_sections", "concept_merges", "concept_entries",
                   "concept_names", "concepts")
# How long a resolve waits to hold the concept tables alone (a search reads them for
# milliseconds) before it empties them row by row instead.
CONCEPTS_LOCK_WAIT = "2s"


def _empty_concepts(c: Any) -> None:
    """Empty the concept tables for a resolve's new rows: TRUNCATE (no dead rows left) when
    they can be held alone within CONCEPTS_LOCK_WAIT, else DELETE. A `migrate` copying the
    store holds them for reading until its copy ends (`snapshot`, review56b: a TRUNCATE then
    deadlocked with it), which took minutes of a large store, and a `watch` resolving waited
    that long (review56b's leftover); DELETE waits for no reader, and the copy's snapshot
    still reads the rows as they were. TRUNCATE of `concepts` marks the keys unready (its
    trigger, `RESOLVE_STATE`): so does the DELETE, by hand."""
    import psycopg

    tables = ", ".join(_CONCEPT_TABLES)
    (wait,) = c.execute("SELECT current_setting('lock_timeout')").fetchone()
    try:
        with c.transaction():  # a savepoint: what it locked is let go when it fails
            c.execute("SELECT set_config('lock_timeout', %s, true)", (CONCEPTS_LOCK_WAIT,))
            c.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
    except psycopg.errors.LockNotAvailable:
        for table in _CONCEPT_TABLES:
            c.execute(f"DELETE FROM {table}")
        c.execute("DELETE FROM resolve_ready")
    else:
        c.execute(f"TRUNCATE {tables}")
    finally:
        c.execute("SELECT set_config('lock_timeout', %s, true)", (wait,))


class PostgresQueries(ConceptLookups):
    """Queries shared by every stage above the store, in PostgreSQL."""

    url: str
    vector_version: tuple[int, ...]
    _hnsw: set[tuple[str, int]]

    def _all(
        self, sql: str, args: Sequence[Any] | dict[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # PostgresStore's

    def _one(
        self, sql: str, args: Sequence[Any] | dict[str, Any] = ()
    ) -> tuple[Any, ...] | None:
        raise NotImplementedError  # PostgresStore's

    def transaction(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        raise NotImplementedError  # PostgresStore's

    def change_counter(self) -> tuple[int, ...]:
        raise NotImplementedError  # PostgresStore's

    _HAS_TAG = ("EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.tags::jsonb) t(v)"
                " WHERE lower(ltrim(t.v, '#')) = ? OR lower(ltrim(t.v, '#')) LIKE ? ESCAPE '\\')")

    def _select(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._all(sql.replace("?", "%s"), args)

    # -- lexical ---------------------------------------------------------------------------

    def _fts(
        self, table: str, weights: str, query: TextQuery, limit: int, documents: set[int] | None
    ) -> list[Scored]:
        statement = bm25_statement(table, weights, query, limit, documents)
        if statement is None:
            return []
        return [Scored(int(i), float(s)) for i, s in self._all(*statement)]

    def fts_passages(
        self,
        query: TextQuery,
        limit: int,
        documents: set[int] | None = None,
        weights: tuple[float, float, float, float] = PASSAGE_WEIGHTS,
    ) -> list[Scored]:
        return self._fts("passages", rank_weights(*weights), query, limit, documents)

    def fts_entries(
        self,
        query: TextQuery,
        limit: int,
        documents: set[int] | None = None,
        weights: tuple[float, float] = ENTRY_WEIGHTS,
    ) -> list[Scored]:
        # An entry's tsvector holds its names as A and its definition as B.
        names, body = weights
        return self._fts("entries", rank_weights(names, body, body, body), query, limit,
                         documents)

    def term_counts(self, terms: Sequence[str], cap: int) -> dict[str, int]:
        """Counted as the contract says, except that with a `cap` of ESTIMATED_FROM or more a
        word the planner's statistics put in ESTIMATED_FROM rows or more gets that estimate
        (within a few percent for such a word), not a count: counting reads every row that
        holds the word, about 7 us each here against 0.1 us for FTS5's rowids ("network", in
        23k of 100k passages, took 50-70 ms to count to 10,001)."""
        out: dict[str, int] = {}
        for term in dict.fromkeys(terms):
            if cap >= ESTIMATED_FROM:
                plan = self._one(
                    "EXPLAIN (FORMAT JSON) SELECT 1 FROM passages"
                    " WHERE tsv @@ plainto_tsquery('grimoire', grimoire_words(%s))", (term,))
                guess = int(plan[0][0]["Plan"]["Plan Rows"]) if plan else 0
                if guess >= ESTIMATED_FROM:
                    out[term] = guess
                    continue
            held = self._one("SELECT min(ndoc) FROM passage_words WHERE word = ANY("
                             "tsvector_to_array(to_tsvector('grimoire', grimoire_words(%s))))",
                             (term,))
            common = bool(held and held[0] is not None and held[0] >= COMMON_WORD)
            row = self._one(_COUNT_COMMON if common else _COUNT_RARE, (term, cap))
            out[term] = int(row[0]) if row else 0
        return out

    def index_stems(self, words: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for word in dict.fromkeys(words):
            row = self._one("SELECT min(lexeme) FROM unnest(to_tsvector('grimoire',"
                            " grimoire_words(%s)))", (word,))
            if row and row[0]:
                out[word] = str(row[0])
        return out

    def passages_holding(self, word: str, limit: int) -> list[int]:
        # By the term itself, a tsquery of one lexeme: stemmed again, "decis" (of "decision")
        # is "deci", in no passage. The lowest ids, as SQLite gives them: read in the plan's
        # order, the word shown for a typo changed from run to run (review43b).
        # Read in id order, a word in few passages walked the primary key past nearly all of
        # them ("mbedding" near "med": 180 ms at 100k passages); from the word index, one in
        # many had all its rows read and sorted (as `term_counts`).
        lexeme = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
        held = self._one("SELECT ndoc FROM passage_words WHERE word = %s", (word,))
        if held and held[0] >= COMMON_WORD:
            sql = "SELECT id FROM passages WHERE tsv @@ %s::tsquery ORDER BY id LIMIT %s"
        else:
            sql = ("WITH m AS MATERIALIZED (SELECT id FROM passages WHERE tsv @@ %s::tsquery)"
                   " SELECT id FROM m ORDER BY id LIMIT %s")
        return [int(i) for (i,) in self._all(sql, (lexeme, limit))]

    def index_terms(self, prefix: str) -> list[tuple[str, int]]:
        """One range of the passages' vocabulary (`passage_words`, kept by the writes: schema
        step 9), in code point order (its "C" collation)."""
        if not prefix:
            return []
        return [(str(w), int(n)) for w, n in self._all(
            "SELECT word, ndoc FROM passage_words WHERE word >= %s AND word < %s ORDER BY word",
            (prefix, prefix + "\U0010ffff"))]

    def index_term_ranges(self, prefixes: Sequence[str]) -> list[list[tuple[str, int]]]:
        """`index_terms` of each prefix in one statement: a range read of the primary key
        each (52 for a second-letter typo: 88-293 ms one statement each at 100k passages and
        load 25, round 43)."""
        out: list[list[tuple[str, int]]] = [[] for _ in prefixes]
        wanted = [(i, p) for i, p in enumerate(prefixes) if p]
        if not wanted:
            return out
        for i, w, n in self._all(
                """SELECT r.i, w.word, w.ndoc
                   FROM unnest(%s::int[], %s::text[], %s::text[]) AS r(i, lo, hi)
                   CROSS JOIN LATERAL (
                       SELECT word, ndoc FROM passage_words
                       WHERE word >= r.lo COLLATE "C" AND word < r.hi COLLATE "C") w
                   ORDER BY r.i, w.word""",
                ([i for i, _ in wanted], [p for _, p in wanted],
                 [p + "\U0010ffff" for _, p in wanted])):
            out[int(i)].append((str(w), int(n)))
        return out

    def term_passage_counts(
        self, terms: Iterable[str], *, anywhere: bool = False
    ) -> dict[str, int]:
        column = "tsv" if anywhere else "body"
        out: dict[str, int] = {}
        for term in dict.fromkeys(terms):
            row = self._one(
                f"SELECT count(*) FROM passages WHERE {column}"
                " @@ plainto_tsquery('grimoire', grimoire_words(%s))", (term,))
            out[term] = int(row[0]) if row else 0
        return out

    def passages_matching(self, terms: Iterable[str], limit: int) -> list[int]:
        words = tuple(t for t in dict.fromkeys(terms) if t)
        if not words or limit <= 0:
            return []
        return [s.id for s in self._fts("passages", rank_weights(4.0, 2.0, 2.0, 1.0),
                                        TextQuery(words), limit, None)]

    def passages_with_all(
        self, words: Sequence[str], limit: int, documents: set[int] | None = None
    ) -> list[int]:
        # Words of one or two letters are left out: PostgreSQL's parser reads "A/B" as one
        # token (a path) where the caller's words are "a" and "b"; the caller checks the
        # passages it gets against every word anyway.
        text = " ".join(w.replace("\x00", "") for w in words if len(w) >= 3)
        if not text.strip() or limit <= 0:
            return []
        where = " AND document_id = ANY(%(docs)s)" if documents is not None else ""
        return [int(i) for (i,) in self._all(
            "SELECT id FROM passages"
            " WHERE tsv @@ plainto_tsquery('grimoire', grimoire_words(%(q)s))"
            f"{where} ORDER BY"
            " ts_rank(tsv, plainto_tsquery('grimoire', grimoire_words(%(q)s))) DESC, id"
            " LIMIT %(limit)s",
            {"q": text, "limit": limit, "docs": list(documents or ())})]

    def sections_headed(self, words: Sequence[str]) -> list[tuple[str, tuple[str, ...], int]]:
        text = " ".join(w.replace("\x00", "") for w in words)
        if not text.strip():
            return []
        # the index finds the passages that hold the words anywhere; `ts_filter` keeps those
        # whose heading path (weight C) holds them, with no rank computed
        return [(path, tuple(json.loads(heading_path)), int(line)) for path, heading_path, line in
                self._all(
                    "SELECT s.path, p.heading_path, min(p.start_line)"
                    " FROM passages p JOIN documents d ON p.document_id = d.id"
                    " JOIN sources s ON d.source_id = s.id,"
                    " plainto_tsquery('grimoire', grimoire_words(%(q)s)) q"
                    " WHERE p.tsv @@ q AND ts_filter(p.tsv, '{c}') @@ q"
                    " GROUP BY s.path, p.document_id, p.heading_path", {"q": text})]

    def passage_count(self) -> int:
        row = self._one("SELECT coalesce(max(id), 0) FROM passages")
        return int(row[0]) if row else 0

    def passage_total(self) -> int:
        row = self._one("SELECT count(*) FROM passages")
        return int(row[0]) if row else 0

    # -- names -----------------------------------------------------------------------------

    def name_rows(self) -> list[NameRow]:
        return [NameRow(n, name, int(e), int(d)) for n, name, e, d in self._all(
            "SELECT n.norm, n.name, n.entry_id, e.document_id"
            " FROM entry_names n JOIN entries e ON e.id = n.entry_id"
            " WHERE e.redirect IS NULL ORDER BY n.entry_id, n.norm")]

    def entry_aliases(self, entry_ids: Iterable[int]) -> dict[int, list[str]]:
        ids = list(set(entry_ids))
        out: dict[int, list[str]] = {}
        if not ids:
            return out
        for entry_id, name in self._all(
            "SELECT entry_id, name FROM entry_names WHERE entry_id = ANY(%s)"
            " ORDER BY entry_id, norm", (ids,)
        ):
            out.setdefault(int(entry_id), []).append(name)
        return out

    def names_signature(self) -> tuple[int, int]:
        row = self._one("SELECT count(*), coalesce(max(id), 0) FROM entries")
        return (int(row[0]), int(row[1])) if row else (0, 0)

    # -- concepts seen from search -------------------------------------------------------------

    def concepts_of_entries(self, ids: Iterable[int]) -> dict[int, int]:
        found = list(set(ids))
        if not found:
            return {}
        return {int(a): int(b) for a, b in self._all(
            "SELECT entry_id, concept_id FROM concept_entries WHERE entry_id = ANY(%s)",
            (found,))}

    def concepts_of_passages(self, ids: Iterable[int]) -> dict[int, int]:
        found = list(set(ids))
        if not found:
            return {}
        rows = self._all(
            """SELECT p.id, coalesce(ce.concept_id, (
                       SELECT cs.concept_id FROM concept_sections cs
                       WHERE cs.document_id = p.document_id
                         AND p.start_line BETWEEN cs.start_line AND cs.end_line
                       ORDER BY cs.end_line - cs.start_line, cs.concept_id LIMIT 1))
                FROM passages p LEFT JOIN concept_entries ce ON ce.entry_id = p.entry_id
                WHERE p.id = ANY(%s)""", (found,))
        return {int(p): int(c) for p, c in rows if c is not None}

    def concept_first_passages(self, ids: Iterable[int]) -> dict[int, int]:
        wanted = set(ids)
        if not wanted:
            return {}
        first_entry: dict[int, int] = {}
        for c, e in self._all(
            """SELECT ce.concept_id, ce.entry_id FROM concept_entries ce
               JOIN entries e ON e.id = ce.entry_id WHERE ce.concept_id = ANY(%s)
               ORDER BY ce.concept_id, e.redirect IS NOT NULL, ce.entry_id""", (list(wanted),)):
            first_entry.setdefault(int(c), int(e))
        by_entry = self.entry_first_passages(first_entry.values())
        out = {c: by_entry[e] for c, e in first_entry.items() if e in by_entry}
        rest = list(wanted - out.keys())
        if rest:
            for cid, pid in self._all(
                """SELECT cs.concept_id, (SELECT p.id FROM passages p
                        WHERE p.document_id = cs.document_id
                          AND p.start_line BETWEEN cs.start_line AND cs.end_line
                        ORDER BY p.start_line, p.id LIMIT 1)
                    FROM concept_sections cs WHERE cs.concept_id = ANY(%s)
                    ORDER BY cs.concept_id, cs.document_id, cs.start_line""", (rest,)
            ):
                if pid is not None and int(cid) not in out:
                    out[int(cid)] = int(pid)
        return out

    def concept_label_of(self, ids: Iterable[int]) -> dict[int, str]:
        found = list(set(ids))
        if not found:
            return {}
        return {int(i): label for i, label in self._all(
            "SELECT id, label FROM concepts WHERE id = ANY(%s)", (found,))}

    # -- rows for hits ---------------------------------------------------------------------

    def passage_rows(self, ids: Sequence[int]) -> dict[int, PassageRow]:
        if not ids:
            return {}
        rows = self._all(
            """SELECT p.id, p.document_id, p.entry_id, p.text, s.path, p.start_line, p.end_line,
                      p.heading_path, d.title, d.format, e.term
               FROM passages p JOIN documents d ON d.id = p.document_id
               JOIN sources s ON s.id = d.source_id
               LEFT JOIN entries e ON e.id = p.entry_id
               WHERE p.id = ANY(%s)""", (list(ids),))
        return {
            int(r[0]): PassageRow(int(r[0]), int(r[1]), None if r[2] is None else int(r[2]),
                                  r[3], r[4], r[5], r[6], tuple(json.loads(r[7])), r[8], r[9],
                                  r[10])
            for r in rows
        }

    def passage_spans(self, ids: list[int]) -> dict[int, tuple[Span, str]]:
        if not ids:
            return {}
        rows = self._all(
            """SELECT p.id, s.path, p.start_line, p.end_line, p.text FROM passages p
               JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id
               WHERE p.id = ANY(%s)""", (list(ids),))
        return {int(pid): (Span(path, a, b), text) for pid, path, a, b, text in rows}

    def passage_groups(
        self, ids: Sequence[int]
    ) -> dict[int, tuple[int, int | None, int | None]]:
        if not ids:
            return {}
        concepts = self.concepts_of_passages(ids)
        return {
            int(r[0]): (int(r[1]), None if r[2] is None else int(r[2]), concepts.get(int(r[0])))
            for r in self._all(
                "SELECT id, document_id, entry_id FROM passages WHERE id = ANY(%s)", (list(ids),))
        }

    def filler_passages(self, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        return {int(r[0]) for r in self._all(
            # Each document judged once, as SQLite's `_FILLER`.
            """WITH free AS (SELECT id, document_id FROM passages
                             WHERE id = ANY(%s) AND entry_id IS NULL)
               SELECT id FROM free WHERE document_id IN (
                   SELECT d.document_id FROM (SELECT DISTINCT document_id FROM free) d
                   WHERE (SELECT count(*) FROM entries e
                          WHERE e.document_id = d.document_id) >= 2
                   AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.document_id = d.document_id
                       AND NOT EXISTS (SELECT 1 FROM passages q WHERE q.entry_id = e.id)))""",
            (list(ids),))}

    def entry_documents(self, ids: Iterable[int]) -> dict[int, int]:
        found = list(set(ids))
        if not found:
            return {}
        return {int(a): int(b) for a, b in self._all(
            "SELECT id, document_id FROM entries WHERE id = ANY(%s)", (found,))}

    def redirect_entries(self, ids: Iterable[int]) -> set[int]:
        wanted = list(set(ids))
        if not wanted:
            return set()
        return {int(e) for (e,) in self._all(
            "SELECT id FROM entries WHERE id = ANY(%s) AND redirect IS NOT NULL", (wanted,))}

    def title_only_links(
        self, ids: Sequence[int], documents: set[int] | None = None
    ) -> dict[int, set[int]]:
        if not ids:
            return {}
        docs = None if documents is None else list(documents)
        out: dict[int, set[int]] = {}
        for pid, concept_id in self._all(_TITLE_ONLY_LINKS, (list(ids), docs, docs)):
            out.setdefault(int(pid), set()).add(int(concept_id))
        return out

    def entry_first_passages(self, ids: Iterable[int]) -> dict[int, int]:
        wanted = set(ids)
        if not wanted:
            return {}
        out = {int(e): int(p) for e, p in self._all(
            "SELECT entry_id, min(id) FROM passages WHERE entry_id = ANY(%s) GROUP BY entry_id",
            (list(wanted),))}
        missing = list(wanted - out.keys())
        if missing:
            for entry_id, pid in self._all(
                """SELECT e.id, (SELECT p.id FROM passages p WHERE p.document_id = e.document_id
                                   AND (p.end_line >= e.start_line
                                        AND (p.start_line <= e.end_line OR p.entry_id IS NULL)
                                        OR p.heading_path::jsonb ? e.term)
                                 ORDER BY btrim(p.text) = '', p.start_line > e.start_line,
                                          abs(p.start_line - e.start_line), p.id LIMIT 1)
                   FROM entries e WHERE e.id = ANY(%s)""", (missing,)
            ):
                if pid is not None:
                    out[int(entry_id)] = int(pid)
        return out

    def document_first_passages(self, ids: Iterable[int]) -> dict[int, int]:
        found = list(set(ids))
        if not found:
            return {}
        return {int(d): int(p) for d, p in self._all(
            "SELECT document_id, min(id) FROM passages WHERE document_id = ANY(%s)"
            " GROUP BY document_id", (found,))}

    def entry_passage_ids(self, entry_ids: Iterable[int], per_entry: int = 6) -> list[int]:
        found = list(set(entry_ids))
        if not found:
            return []
        return [int(r[0]) for r in self._all(
            """SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY entry_id
                                                             ORDER BY seq) AS r
                               FROM passages WHERE entry_id = ANY(%s)) x WHERE r <= %s
               ORDER BY id""", (found, per_entry))]

    def following_passage_ids(self, passage_ids: Iterable[int]) -> dict[int, int]:
        found = list(set(passage_ids))
        if not found:
            return {}
        rows = self._all(
            """SELECT p.id, (SELECT q.id FROM passages q WHERE q.document_id = p.document_id
                               AND q.seq > p.seq ORDER BY q.seq LIMIT 1)
               FROM passages p WHERE p.id = ANY(%s)""", (found,))
        return {int(a): int(b) for a, b in rows if b is not None}

    # -- vectors ---------------------------------------------------------------------------

    def embed_units(self, model: str, *, only_missing: bool = True) -> list[EmbedUnit]:
        missing = "AND (v.hash IS NULL OR v.model != %s)" if only_missing else ""
        args = (model,) if only_missing else ()
        units: list[EmbedUnit] = []
        for pid, text, heading, title, term, kind in self._all(
            f"""SELECT p.id, p.text, p.heading_path, d.title, e.term, p.kind
                FROM passages p JOIN documents d ON d.id = p.document_id
                LEFT JOIN entries e ON e.id = p.entry_id
                LEFT JOIN passage_vecs v ON v.passage_id = p.id
                WHERE true {missing} ORDER BY p.id""", args
        ):
            units.append(EmbedUnit("passage", int(pid), passage_unit_text(
                text, tuple(json.loads(heading)), title, term, kind)))
        for eid, data, term in self._all(
            f"""SELECT e.id, e.data, e.term FROM entries e
                LEFT JOIN entry_vecs v ON v.entry_id = e.id
                WHERE e.redirect IS NULL {missing} ORDER BY e.id""", args
        ):
            units.append(EmbedUnit("entry", int(eid), entry_embed_text(json.loads(data), term)))
        return units

    def known_vectors(self, hashes: Iterable[str]) -> set[str]:
        batch = list(set(hashes))
        if not batch:
            return set()
        return {r[0] for r in self._all("SELECT hash FROM vec_blobs WHERE hash = ANY(%s)",
                                        (batch,))}

    def save_vectors(
        self,
        model: str,
        blobs: Sequence[tuple[str, np.ndarray]],
        links: Sequence[tuple[str, int, str]],
        *,
        of_texts: bool = False,  # ids are never used twice here (identity columns)
    ) -> int:
        import numpy as np

        dims: set[int] = set()
        linked = 0
        with self.transaction() as c:
            rows = sorted((h, model, np.asarray(v, dtype=np.float32)) for h, v in blobs)
            if rows:
                dims.update(len(v) for _, _, v in rows)
                c.cursor().executemany(
                    """INSERT INTO vec_blobs (hash, model, vec) VALUES (%s, %s, %s)
                       ON CONFLICT (hash) DO UPDATE SET model = excluded.model,
                         vec = excluded.vec""", rows)
            # In id order, so that two processes embedding at once take row locks in the
            # same order and cannot deadlock. A unit that vanished meanwhile is skipped.
            for kind, table, key, parent in (("passage", "passage_vecs", "passage_id",
                                              "passages"),
                                             ("entry", "entry_vecs", "entry_id", "entries")):
                pairs = sorted((i, h) for k, i, h in links if k == kind)
                if not pairs:
                    continue
                cur = c.cursor()
                cur.executemany(
                    f"""INSERT INTO {table} ({key}, document_id, hash, model, dim, vec)
                        SELECT u.id, u.document_id, b.hash, b.model, vector_dims(b.vec), b.vec
                        FROM {parent} u JOIN vec_blobs b ON b.hash = %s WHERE u.id = %s
                        ON CONFLICT ({key}) DO UPDATE SET document_id = excluded.document_id,
                          hash = excluded.hash, model = excluded.model, dim = excluded.dim,
                          vec = excluded.vec""",
                    [(h, i) for i, h in pairs])
                linked += max(cur.rowcount, 0)  # psycopg sums an executemany's rows
            if not dims and links:
                dims.update(int(r[0]) for r in c.execute(
                    "SELECT DISTINCT vector_dims(vec) FROM vec_blobs WHERE hash = ANY(%s)",
                    (list({h for _, _, h in links}),)).fetchall())
        for dim in dims:
            self.ensure_vector_index(dim)
        return linked

    def ensure_vector_index(self, dim: int) -> None:
        """Build the HNSW indexes for vectors of `dim` (once; a no-op when they exist).
        Under a lock of `dim`: PostgreSQL's CREATE INDEX IF NOT EXISTS is no test-and-set,
        and two processes storing their first vectors at once would both create the index,
        the second failing on a duplicate name."""
        from grimoire.store.postgres import LOCK_INDEX

        for table in ("passage_vecs", "entry_vecs"):
            if (table, dim) not in self._hnsw:
                with self.transaction() as c:
                    c.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_INDEX, dim))
                    c.execute(hnsw_index(table, dim))
                self._hnsw.add((table, dim))

    def drop_orphan_vectors(self) -> int:
        with self.transaction() as c:
            cur = c.execute(
                """DELETE FROM vec_blobs b WHERE NOT EXISTS
                     (SELECT 1 FROM passage_vecs v WHERE v.hash = b.hash)
                   AND NOT EXISTS (SELECT 1 FROM entry_vecs v WHERE v.hash = b.hash)""")
            return cur.rowcount

    def vectors_signature(self) -> tuple[int, ...]:
        p = self._one("SELECT count(*), coalesce(max(passage_id), 0) FROM passage_vecs")
        e = self._one("SELECT count(*), coalesce(max(entry_id), 0) FROM entry_vecs")
        assert p is not None and e is not None
        return (int(p[0]), int(p[1]), int(e[0]), int(e[1]))

    def entry_vectors(self, model: str, entry_ids: Sequence[int]) -> dict[int, np.ndarray]:
        return {int(eid): _array(vec) for eid, vec in self._all(
            "SELECT entry_id, vec FROM entry_vecs WHERE model = %s AND entry_id = ANY(%s)",
            (model, list(dict.fromkeys(int(i) for i in entry_ids))))}

    def load_vectors(
        self, model: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        import numpy as np

        rows = self._all(
            """SELECT 0, p.id, p.document_id, coalesce(p.entry_id, -1), v.vec
                 FROM passage_vecs v JOIN passages p ON p.id = v.passage_id WHERE v.model = %s
               UNION ALL
               SELECT 1, e.id, e.document_id, e.id, v.vec
                 FROM entry_vecs v JOIN entries e ON e.id = v.entry_id WHERE v.model = %s
               ORDER BY 1, 2""", (model, model))
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty, np.zeros((0, 0), dtype=np.float32)
        kinds = np.fromiter((r[0] for r in rows), dtype=np.int8, count=len(rows))
        ids = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        docs = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
        entries = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.stack([_array(r[4]) for r in rows])
        return kinds, ids, docs, entries, matrix

    def nearest(
        self, model: str, vector: np.ndarray, k: int, documents: set[int] | None = None
    ) -> tuple[list[Scored], list[Scored]]:
        """The `k` passages and `k` entries nearest `vector` (cosine), within `documents`."""
        import numpy as np
        from pgvector import Vector

        q = np.asarray(vector, dtype=np.float32)
        dim = len(q)
        out: list[list[Scored]] = []
        iterative = self.vector_version >= (0, 8)
        for table, key in (("passage_vecs", "passage_id"), ("entry_vecs", "entry_id")):
            where = "v.dim = %s AND v.model = %s"
            args: list[Any] = [Vector(q), dim, model]
            # Before pgvector 0.8 an HNSW scan filters after the fact and may return fewer
            # than k; then a filtered query orders by an expression the index cannot serve,
            # and PostgreSQL scans the allowed documents exactly.
            order = f"v.vec::vector({dim}) <=> %s::vector({dim})"
            if documents is not None:
                where += " AND v.document_id = ANY(%s)"
                args.append(list(documents))
                if not iterative:
                    order = f"({order}) + 0"
            with self.transaction() as c:
                c.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, 2 * k)}")
                if iterative:
                    c.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                rows = c.execute(
                    f"""SELECT v.{key}, 1 - (v.vec::vector({dim}) <=> %s::vector({dim})) AS s
                        FROM {table} v WHERE {where}
                        ORDER BY {order} LIMIT %s""",
                    (Vector(q), *args[1:], Vector(q), k)).fetchall()
            scored = [Scored(int(i), float(s)) for i, s in rows]
            scored.sort(key=lambda s: (-s.score, s.id))
            out.append(scored)
        return out[0], out[1]

    def vector_counts(self) -> tuple[int, int]:
        have = self._one(
            "SELECT (SELECT count(*) FROM passage_vecs) + (SELECT count(*) FROM entry_vecs)")
        total = self._one(
            "SELECT (SELECT count(*) FROM passages)"
            " + (SELECT count(*) FROM entries WHERE redirect IS NULL)")
        assert have is not None and total is not None
        return int(have[0]), int(total[0])

    def index_vectors(self, model: str) -> None:
        """Nothing to do: pgvector's HNSW index follows the vector rows as they are written."""

    def vector_rows(self) -> Iterator[VectorRow]:
        for kind, unit, h, model, vec in self._all(
            """SELECT 'passage', passage_id, hash, model, vec FROM passage_vecs
               UNION ALL SELECT 'entry', entry_id, hash, model, vec FROM entry_vecs
               ORDER BY 1, 2"""
        ):
            yield VectorRow(kind, int(unit), h, model, tuple(float(x) for x in _array(vec)))

    # -- concepts: resolve's input and output ----------------------------------------------------

    def concepts_stale(self, fingerprint: str) -> bool:
        row = self._one("SELECT dirty, overrides FROM concept_state WHERE id = 1")
        assert row is not None
        return bool(row[0]) or row[1] != fingerprint

    def resolve_input(self) -> ResolveInput:
        from grimoire.store._resolve_rows import address_rows, label_rows, section_rows
        from grimoire.store.postgres_resolve_state import (
            ADDRESSES,
            ENTRY_ROWS,
            LABELS,
            LINK_ROWS,
            SECTIONS,
            SINGLE_DOCUMENTS,
            entry_row,
            heading_row,
            link_row,
        )

        entries = [entry_row(r) for r in self._all(ENTRY_ROWS + " ORDER BY e.id")]
        links = [link_row(r) for r in self._all(LINK_ROWS + " ORDER BY l.id")]
        headings = [heading_row(r) for r in self._all(
            HEADING_SELECT + """
               GROUP BY p.document_id, s.path, p.heading_path
               ORDER BY p.document_id, p.heading_path""")]
        for d, p, tree in self._all(SECTIONS + " ORDER BY d.id"):
            headings.extend(section_rows(int(d), p, json.loads(tree), ()))
        documents = {p: int(d) for p, d in self._all(SINGLE_DOCUMENTS)}
        paths = tuple(str(p) for (p,) in self._all("SELECT path FROM sources ORDER BY path"))
        labels = [r for d, p, found in self._all(LABELS + " ORDER BY d.id")
                  for r in label_rows(int(d), p, json.loads(found))]
        addresses = [r for d, p, meta in self._all(ADDRESSES + " ORDER BY d.id")
                     for r in address_rows(int(d), p, json.loads(meta))]
        return ResolveInput(entries, links, headings, documents, paths, labels, addresses)

    def label_places(self, label: str) -> list[Span]:
        """Where the files that define `label` define it (lint: a label two files define)."""
        from grimoire.resolve.labels import label_of
        from grimoire.store._resolve_rows import label_places, label_rows

        rows = [r for d, p, found in self._all(
            """SELECT d.id, s.path, (d.meta::jsonb->'labels')::text
               FROM documents d JOIN sources s ON d.source_id = s.id
               WHERE jsonb_typeof(d.meta::jsonb->'labels') = 'object' ORDER BY d.id""")
                for r in label_rows(int(d), p, json.loads(found))
                if label_of(r.label) == label_of(label)]
        headings = [
            HeadingRow(int(d), p, tuple(json.loads(hp)), lo, hi)
            for d, p, hp, lo, hi, _ in self._all(
                HEADING_SELECT + """ AND p.document_id = ANY(%s)
                   GROUP BY p.document_id, s.path, p.heading_path""",
                ([r.document_id for r in rows],))] if rows else []
        return label_places(rows, headings)

    def write_resolution(self, resolution: Resolution, fingerprint: str) -> None:
        from grimoire.store._resolve_rows import unique_names
        from grimoire.store.postgres import LOCK_RESOLVE

        with self.transaction() as c:
            # Held already inside `resolving()`; alone, two writes at once would both read
            # the old ids and collide on them.
            c.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_RESOLVE,))
            old = {k: int(i) for k, i in c.execute("SELECT key, id FROM concepts").fetchall()}
            next_id = max(old.values(), default=0) + 1
            ids: list[int] = []
            for record in resolution.concepts:
                cid = old.get(record.key)
                if cid is None:
                    cid, next_id = next_id, next_id + 1
                ids.append(cid)
            _empty_concepts(c)
            cur = c.cursor()
            with cur.copy("COPY concepts (id, key, label, kind) FROM STDIN") as copy:
                for i, r in enumerate(resolution.concepts):
                    copy.write_row((ids[i], r.key, r.label, r.kind))
            with cur.copy("COPY concept_names (concept_id, name, norm, reason, strength,"
                          " entry_id, link_id) FROM STDIN") as copy:
                for i, r in enumerate(resolution.concepts):
                    for n in unique_names(r.names):
                        copy.write_row((ids[i], n.name, n.norm, n.reason, n.strength,
                                        n.entry_id, n.link_id))
            with cur.copy("COPY concept_entries (entry_id, concept_id, role) FROM STDIN") as copy:
                for i, r in enumerate(resolution.concepts):
                    for e, role in r.entries:
                        copy.write_row((e, ids[i], role))
            with cur.copy("COPY concept_merges (concept_id, entry_id, other_entry_id, name,"
                          " reason) FROM STDIN") as copy:
                for i, r in enumerate(resolution.concepts):
                    for m in r.merges:
                        copy.write_row((ids[i], m.entry_id, m.other_entry_id, m.name,
                                        m.reason))
            with cur.copy("COPY concept_sections (concept_id, document_id, heading, start_line,"
                          " end_line) FROM STDIN") as copy:
                for i, r in enumerate(resolution.concepts):
                    for s in r.sections:
                        copy.write_row((ids[i], s.document_id, s.heading, s.start_line,
                                        s.end_line))
            with cur.copy("COPY link_targets (link_id, status, concept_id, source_concept_id,"
                          " name, norm) FROM STDIN") as copy:
                for t in resolution.links:
                    copy.write_row((t.link_id, t.status,
                                    None if t.target is None else ids[t.target],
                                    None if t.source is None else ids[t.source], t.name, t.norm))
            c.execute("UPDATE concept_state SET dirty = 0, overrides = %s WHERE id = 1",
                      (fingerprint,))

    # -- concepts: lookups -------------------------------------------------------------------

    def concept_edges(self, ids: Iterable[int]) -> list[ConceptEdge]:
        found = list(dict.fromkeys(ids))
        if not found:
            return []
        return [ConceptEdge(int(a), int(b), k, int(n)) for a, b, k, n in self._all(
            """SELECT t.source_concept_id, t.concept_id, l.kind, count(*)
               FROM link_targets t JOIN links l ON l.id = t.link_id
               WHERE t.status = 'resolved' AND t.source_concept_id IS NOT NULL
                 AND t.source_concept_id != t.concept_id
                 AND (t.source_concept_id = ANY(%s) OR t.concept_id = ANY(%s))
               GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""", (found, found))]

    def concept_labels(self, ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
        found = list(set(ids))
        if not found:
            return {}
        return {int(i): (label, kind) for i, label, kind in self._all(
            "SELECT id, label, kind FROM concepts WHERE id = ANY(%s)", (found,))}

    def concept_entry_ids(self, concept_ids: Iterable[int]) -> dict[int, list[int]]:
        found = list(set(concept_ids))
        out: dict[int, list[int]] = {}
        if not found:
            return out
        for cid, eid in self._all(
            """SELECT ce.concept_id, e.id FROM concept_entries ce JOIN entries e
                 ON e.id = ce.entry_id WHERE ce.concept_id = ANY(%s)
               ORDER BY e.document_id, e.start_line, e.id""", (found,)
        ):
            out.setdefault(int(cid), []).append(int(eid))
        return out

    def passage_concepts(self, passage_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        found = list(set(passage_ids))
        if not found:
            return {}
        out: dict[int, tuple[int, str]] = {}
        for pid, cid, label, _pass, _line in self._all(
            """SELECT p.id, c.id, c.label, 0 AS pass, 0 AS line FROM passages p
               JOIN concept_entries ce ON ce.entry_id = p.entry_id
               JOIN concepts c ON c.id = ce.concept_id WHERE p.id = ANY(%s)
               UNION ALL
               SELECT p.id, c.id, c.label, 1, cs.start_line FROM passages p
               JOIN concept_sections cs ON cs.document_id = p.document_id
                    AND p.start_line BETWEEN cs.start_line AND cs.end_line
               JOIN concepts c ON c.id = cs.concept_id
               WHERE p.id = ANY(%s) AND p.entry_id IS NULL
               ORDER BY 1, 4, 5, 2""", (found, found)
        ):
            out.setdefault(int(pid), (int(cid), label))
        return out

    def concepts_by_name(self, norms: Iterable[str]) -> dict[str, list[int]]:
        names = list(dict.fromkeys(norms))
        out: dict[str, list[int]] = {}
        if not names:
            return out
        for norm, cid in self._all(
            "SELECT norm, concept_id FROM concept_names WHERE norm = ANY(%s)"
            " ORDER BY strength DESC, concept_id", (names,)
        ):
            out.setdefault(norm, []).append(int(cid))
        return out

    def entries_by_concept_name(self, norm: str) -> list[tuple[int, int, int]]:
        return [(int(e), int(d), int(s)) for e, d, s in self._all(
            "SELECT n.entry_id, e.document_id, max(n.strength) FROM concept_names n"
            " JOIN entries e ON e.id = n.entry_id"
            " WHERE n.norm = %s AND e.redirect IS NULL GROUP BY n.entry_id, e.document_id"
            " ORDER BY n.entry_id",
            (norm,))]
