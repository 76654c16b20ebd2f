"""bench/peers.py names each entry's peer unit "term (aliases): text" from the stored JSON.
Since round 38 that JSON holds no term (`document_rows.stored_json`: the `entries.term` column
does), and every peer unit was named by its aliases alone, or nothing (review38a)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from tests.conftest import ingested, write_notes

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.sqlite_only(reason="bench/peers.py reads the SQLite file")
def test_a_peer_unit_is_named_by_its_term(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    notes = write_notes(tmp_path / "notes", {
        "dropout.md":
                "# Dropout\n\n"
                "Dropout zeroes random activations during training.\n",
    })
    monkeypatch.setattr(sys, "path", [str(BENCH), *sys.path])
    for name in ("peers", "search", "devset"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    peers = importlib.import_module("peers")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        datas = peers.entry_datas(kb.store.conn)
        terms = {s.id: s.entry.term for s in kb.store.entries()}
    assert datas and set(datas) == set(terms)
    for eid, data in datas.items():
        assert peers.name_of(data).startswith(terms[eid]), (peers.name_of(data), terms[eid])
    assert "Dropout" in {peers.name_of(d) for d in datas.values()}
