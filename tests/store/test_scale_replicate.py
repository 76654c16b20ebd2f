"""bench/scale.py's larger stores are its generated base copied by SQL (`replicate`), the
entries renamed. Since round 38 an entry's stored JSON holds no term and no span in its own
file (`document_rows.stored_json`): the copy must take the term from its column, and each
copied entry read back names its own note (review38a: `replicate` failed on `data["term"]`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import grimoire

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scale.py"


@pytest.mark.sqlite_only(reason="bench/scale.py copies a SQLite file by SQL")
def test_a_replicated_store_reads_back_renamed_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("bench_scale", BENCH)
    assert spec is not None and spec.loader is not None
    scale = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_scale", scale)
    spec.loader.exec_module(scale)
    monkeypatch.setattr(scale, "BASE", 300)
    path = scale.build(tmp_path, 900)  # the base of 300 passages and two copies
    with grimoire.open(path) as kb:
        entries = list(kb.store.entries())
    base = [s for s in entries if int(s.entry.span.path[-10:-3]) < 30]
    assert base and len(entries) == 3 * len(base)
    for s in entries:
        number = int(s.entry.span.path[-10:-3])
        assert s.entry.span.path == f"/generated/note{number:07d}.md"
        if s.entry.term[-1].isdigit():  # "Softmax Layer 20005": the note's own number
            assert s.entry.term.endswith(str(number)), (s.entry.term, number)
