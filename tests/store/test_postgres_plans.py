"""PostgreSQL's plans for lexical search: work that must be done once per query is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from grimoire.ingest import ingest
from grimoire.store import open_store
from grimoire.store.postgres_queries import bm25_statement, rank_weights
from grimoire.store.records import TextQuery
from tests.conftest import PgDatabases


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _widgets(tmp_path: Path, pg: PgDatabases, n: int) -> str:
    """A database on the test server holding `n` one-line notes on widgets; its URL."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(n):
        (notes / f"widget-{i}.md").write_text(
            f"# Widget {i}\n\nA widget of kind {i} turns a crank {i % 7} times a minute.\n",
            encoding="utf-8")
    url = pg.url()
    store = open_store(url)
    try:
        ingest(store, [notes], workers=1)
    finally:
        store.close()
    return url


@pytest.mark.parametrize("table", ["passages", "entries"])
def test_bm25_statistics_are_gathered_once_not_once_per_matching_row(
        table: str, tmp_path: Path, pg: PgDatabases) -> None:
    # Sixty notes hold the word; bm25's document frequencies and mean length over them are one
    # aggregate. Left to the planner as plain CTEs, it re-ran that aggregate for each matching
    # row (a nested loop: n squared work, 28 ms for 49 rows of a real glossary).
    url = _widgets(tmp_path, pg, 60)
    statement = bm25_statement(table, rank_weights(10, 4, 2, 1),
                               TextQuery(("widget", "crank")), 10)
    assert statement is not None
    sql, params = statement
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # as autovacuum will have done on a server in use
        row = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params).fetchone()
        found = conn.execute(sql, params).fetchall()
    assert row is not None
    plan = (json.loads(row[0]) if isinstance(row[0], str) else row[0])[0]["Plan"]
    aggregates = [n for n in _nodes(plan) if n["Node Type"] == "Aggregate"]
    assert aggregates
    assert all(n["Actual Loops"] == 1 for n in aggregates), [
        (n["Node Type"], n["Actual Loops"]) for n in aggregates]
    assert len(found) == 10


def test_a_word_in_very_many_passages_is_estimated_not_counted(
        tmp_path: Path, pg: PgDatabases) -> None:
    # Counting reads every row holding the word; for one in a thousand passages and more the
    # planner's statistics (after ANALYZE) say it within a few percent, at no cost. A rare word
    # is still counted exactly, and a small cap is always a count.
    from grimoire.store.postgres_queries import ESTIMATED_FROM

    notes = tmp_path / "notes"
    notes.mkdir()
    many = ESTIMATED_FROM + 300
    for i in range(many):
        rare = " A sprocket too." if i % 400 == 0 else ""
        (notes / f"gear-{i}.md").write_text(
            f"# Gear {i}\n\nA widget turns gear {i}.{rare}\n", encoding="utf-8")
    url = pg.url()
    store = open_store(url)
    try:
        ingest(store, [notes], workers=1)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        counts = store.term_counts(["widget", "sprocket"], ESTIMATED_FROM + 100)
        small = store.term_counts(["widget"], 5)
    finally:
        store.close()
    assert counts["widget"] > ESTIMATED_FROM + 100  # an estimate: a count stops at the cap
    assert abs(counts["widget"] - many) <= many // 10
    assert counts["sprocket"] == len(range(0, many, 400))
    assert small == {"widget": 5}


def test_bm25_reads_each_matching_rows_tsvector_through_one_copy(
        tmp_path: Path, pg: PgDatabases) -> None:
    # A tsvector over about 2 kB is stored compressed (TOAST), and every expression that
    # mentions the column decompresses it again. bm25 wants each matching row's length and,
    # for each term, its rank and whether it holds it: 1 + 2 x terms mentions. The rows'
    # outputs must come from one decompressed copy (at 100k passages, a query of five terms
    # over 9,000 rows took 250 ms, against 130 ms so).
    url = _widgets(tmp_path, pg, 30)
    terms = TextQuery(("widget", "crank", "minute"))
    statement = bm25_statement("passages", rank_weights(10, 4, 2, 1), terms, 10)
    assert statement is not None
    sql, params = statement
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(f"EXPLAIN (VERBOSE, FORMAT JSON) {sql}", params).fetchone()
    assert row is not None
    plan = (json.loads(row[0]) if isinstance(row[0], str) else row[0])[0]["Plan"]
    m = next(n for n in _nodes(plan) if n.get("Subplan Name") == "CTE m")
    assert " ".join(m["Output"]).count("ts_rank") == 3
    # The copy is made by a node of its own under m, once per matching row; the ranks read
    # it there (EXPLAIN prints the expression a column of that node stands for, in full).
    copies = [n for n in _nodes(m) if n is not m and n["Node Type"] in ("Result", "Subquery Scan")
              and any("tsv" in o for o in n.get("Output", ()))]
    assert len(copies) == 1 and len(copies[0]["Output"]) == 1, [
        (n["Node Type"], n.get("Output")) for n in _nodes(m)]
