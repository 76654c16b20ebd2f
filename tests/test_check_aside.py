"""The damage check behind an empty search result, run ahead of it (issue 14, round 40).

A process that searches more than once checks the tables a search reads on a thread and a
connection of its own, so that its first query that finds nothing does not wait for the
whole check on the query's connection (1 s at 1M passages). Real SQLite files, damaged as
tests/test_store_health.py damages them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire
from grimoire.errors import CorruptDatabase
from tests.test_store_health import copy_of, damage, pristine  # noqa: F401 - the fixture

pytestmark = pytest.mark.sqlite_only(reason="SQLite's quick check of the file's pages")


def test_a_second_search_checks_ahead_of_the_first_empty_result(
    pristine: Path,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    kb = grimoire.open(copy_of(pristine, tmp_path))
    statements: list[str] = []
    kb.store.conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    assert kb.search("attention", mode="lexical")
    assert kb.search("attention heads", mode="lexical")
    assert kb.search("zebrafish quokka", mode="lexical") == []
    # The check ran, on another connection: the query's own ran none of it.
    assert not any("quick_check" in s for s in statements), statements
    assert kb._intact_at  # the empty result took the check's finding
    # After a write the next empty result checks again, on the query's connection (the
    # check ahead is of the file as it was).
    note = tmp_path / "notes" / "quokka.md"
    note.parent.mkdir()
    note.write_text("# Quokka\n\nA small marsupial.\n", encoding="utf-8")
    kb.ingest([note.parent], embed=False)
    statements.clear()
    assert kb.search("zebrafish", mode="lexical") == []
    assert sum("quick_check(passage_fts_data)" in s for s in statements) == 1
    kb.close()


def test_damage_the_check_ahead_finds_is_said_at_the_empty_result(
    pristine: Path,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    # The file is damaged after it was opened (and found sound at opening): the searches
    # that find hits read pages the query's connection holds already; the check ahead reads
    # the file, and the empty result says what it found.
    db = copy_of(pristine, tmp_path)
    kb = grimoire.open(db)
    assert kb.search("attention", mode="lexical")
    damage(db, "passage_fts_data")
    assert kb.search("attention", mode="lexical")
    with pytest.raises(CorruptDatabase, match="database is damaged"):
        kb.search("zebrafish quokka", mode="lexical")
    kb.close()
