"""A None parameter is bound as NULL through the adapter `store.sqlite` registers (issue 14)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import grimoire
from grimoire.store import sqlite as sqlite_store


def test_none_has_its_own_adapter() -> None:
    """The adapter answers at sqlite3's registry, without the failed attribute lookups."""
    adapter = sqlite3.adapters.get((type(None), sqlite3.PrepareProtocol))
    assert adapter is not None and adapter(None) is None
    assert adapter == sqlite_store._NO_ADAPTER.get


@given(st.lists(st.none() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5)
                | st.floats(allow_nan=False), min_size=1, max_size=6))
def test_values_bind_as_without_the_adapter(values: list[object]) -> None:
    """Each value, None among them, is stored with the type and value SQLite gives it when
    written as a literal: NULL for None."""
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE t (k INTEGER, v)")
    c.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    got = c.execute("SELECT typeof(v), v FROM t ORDER BY k").fetchall()
    want = []
    for v in values:
        want.append(("null", None) if v is None else c.execute(
            "SELECT typeof(?), ?", (v, v)).fetchone())
    assert got == want


def test_a_stored_note_keeps_its_nulls(tmp_path: Path, seeds: Path) -> None:
    """A real ingest stores a free passage's owner and a link's missing fragment as NULL."""
    kb = grimoire.open(str(tmp_path / "kb.db"))
    try:
        kb.ingest([seeds], embed=False)
    finally:
        kb.close()
    c = sqlite3.connect(tmp_path / "kb.db")
    assert c.execute("SELECT count(*) FROM links WHERE fragment IS NULL").fetchone()[0] > 0
    assert c.execute("SELECT count(*) FROM links WHERE typeof(fragment) = 'text' AND "
                     "fragment = ''").fetchone()[0] == 0
