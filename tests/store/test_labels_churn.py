"""A book whose labels churn (round 37's book-wide label table, incremental label keys): over
rounds of random edits, labels are added, moved between files, defined twice (ambiguous),
removed, referred to from other files and renamed in case; files come and go. After each
round the incremental resolve's link targets are exactly those a full resolve computes, on
SQLite (PostgreSQL resolves in full). Real files, a real store, seeded: a failure names its
round."""

from __future__ import annotations

import random
from pathlib import Path

from grimoire.ingest import ingest
from grimoire.resolve import load_overrides, refresh, resolve
from grimoire.store import Store, open_store

LABELS = ("grad-check", "sec-warmup", "Grad-Check", "loss-curve", "tuning")
FILES = 6
ROUNDS = 14


def _chapter(n: int, defines: list[str], refers: list[str], rng: random.Random) -> str:
    lines = [f"# Chapter {n}\n", f"Chapter {n} opens the topic of part {n}.\n"]
    for k, label in enumerate(defines):
        # A heading's words sometimes those of another label's heading (review37b).
        words = rng.choice([f"Section {n}.{k}", "Gradient probes", "Warmup schedules"])
        lines.append(f"({label})=\n## {words}\n\nThe {words.lower()} of chapter {n}.\n")
    for label in refers:
        form = rng.choice(["{ref}`%s`", "[see here](#%s)", "<project:#%s>"])
        lines.append(f"Read {form % label} before going on.\n")
    return "\n".join(lines)


def test_labels_that_churn_resolve_incrementally_as_in_full(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "kb.db"))  # SQLite: the store that resolves incrementally
    try:
        _churn(store, tmp_path)
    finally:
        store.close()


def _churn(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    overrides = load_overrides([str(folder)])
    rng = random.Random(3803)
    incremental_rounds = 0
    for round_ in range(ROUNDS):
        for n in range(FILES):
            path = folder / f"ch{n}.md"
            if rng.random() < 0.15:
                path.unlink(missing_ok=True)  # a chapter removed (or left out again)
                continue
            if round_ and rng.random() < 0.4:
                continue  # unchanged this round
            defines = rng.sample(LABELS, rng.choice([0, 0, 1, 1, 2]))
            refers = rng.sample(LABELS, rng.choice([0, 1, 2]))
            path.write_text(_chapter(n, defines, refers, rng), encoding="utf-8")
        ingest(store, [folder], workers=1)
        report = refresh(store, overrides)
        incremental_rounds += bool(report and report.incremental)
        incremental = sorted(store.dump("link_targets"))
        concepts = sorted((c[1], c[2]) for c in store.dump("concepts"))
        resolve(store, overrides)
        assert sorted(store.dump("link_targets")) == incremental, f"round {round_}"
        assert sorted((c[1], c[2]) for c in store.dump("concepts")) == concepts, (
            f"round {round_}")
    assert incremental_rounds >= ROUNDS // 2, incremental_rounds  # the path under test ran
