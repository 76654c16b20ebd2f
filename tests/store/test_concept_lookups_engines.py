"""`concept_names_from` and `concept_names_of_concepts` (the "did you mean" reads, faces41)
give the same answers on SQLite and PostgreSQL: names with accents, other scripts, capitals,
one letter or hundreds, and ranges that start or end inside them (review41a)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import grimoire
from grimoire.resolve.view import nearest

pytestmark = pytest.mark.postgres

NAMES = ("Ärger Modell", "arger model", "Zürich Attention", "zurich", "Self-Attention",
         "SELF ATTENTION NETWORK", "ß", "Straße", "İstanbul Net", "Ω", "ωmega loss",
         "Трансформер", "трансформер сети", "注意力机制", "Q", "q learning", "x" * 300,
         "Émile", "emile durkheim", "Œuvre", "Ⅻ layer", "ﬁne tuning", "🙂 emoji net")
QUERIES = ("a", "ä", "Arger", "ÄRGER MODEL", "zur", "self atention", "SELF", "ss", "strasse",
           "istanbul", "ω", "Ω", "трансформ", "Трансформер", "注意", "q", "Q learn", "x" * 299,
           "x" * 301, "emil", "OEuvre", "fine tuning", "🙂", "z")


def _answers(url: str, notes: Path) -> dict[str, Any]:
    with grimoire.open(url) as kb:
        kb.ingest([notes], embed=False)
        store = kb.store
        out: dict[str, Any] = {}
        for low, high in (("", "\U0010ffff"), ("a", "b"), ("z", "{"), ("\u00e4", "\u00e5"),
                          ("\u0442", "\u0443"), ("x", "y"), ("s", "t"), ("\u4e00", "\u9fff")):
            for shortest, longest in ((1, 1), (1, 5), (2, 1000), (299, 301)):
                rows = store.concept_names_from(low, high, shortest, longest, 50)
                out[f"from {low!r}-{high!r} {shortest}-{longest}"] = [r[:2] for r in rows]
        ids = [c for *_, c in store.concept_names_from("", "\U0010ffff", 1, 1000, 500)]
        out["of all"] = sorted(r[:2] for r in store.concept_names_of_concepts(ids))
        for query in QUERIES:
            out[f"nearest {query!r}"] = nearest(store, query)
        return out


def test_the_did_you_mean_reads_agree_on_both_engines(pg: Any, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for i, name in enumerate(NAMES):
        (notes / f"n{i}.md").write_text(f"# {name}\n\n{name} is a thing we wrote, number {i}.\n",
                                        encoding="utf-8")
    on_sqlite = _answers(str(tmp_path / "kb.db"), notes)
    on_postgres = _answers(pg.url(), notes)
    assert any(on_sqlite[k] for k in on_sqlite if k.startswith("nearest"))
    assert on_sqlite["of all"]
    for key, answer in on_sqlite.items():
        assert on_postgres[key] == answer, key
