"""`Store.filler_passages` judges each page once (review38a): the rule reads every entry of a
page, and it ran once per candidate passage, so a page of many entries whose free passages
filled a description's candidates cost (candidates x entries) on every search: 50 ms of a
60 ms search at 1,500 entries. Notes we wrote; the work is counted in SQLite's virtual machine
steps (a count, not a time)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from grimoire.ingest import ingest
from grimoire.store import Store

ENTRIES = 120


def _page(folder: Path) -> Path:
    """A page whose terms all have text, each followed by a free "Notes" section, beside a page
    of one entry (its free passage is no filler) and a page whose title has no text."""
    folder.mkdir()
    lines = ["# Zorbing methods", "", "Zorbing methods change the flux of a capacitor.", ""]
    for i in range(ENTRIES):
        term = f"Quarkon {chr(65 + i % 26)}{i}"
        lines += [f"## {term}", "", f"{term} is a method of zorbing flux number {i}.", "",
                  "## Notes", "", f"Plumbus sample {i} with wibble.", ""]
    (folder / "zorbing.md").write_text("\n".join(lines), encoding="utf-8")
    (folder / "single.md").write_text(
        "# Wibble\n\nWibble is a unit of plumbus.\n\n## Notes\n\nPlumbus sample with wibble.\n",
        encoding="utf-8")
    return folder


def _free(store: Store) -> dict[str, list[int]]:
    by_path: dict[str, list[int]] = {}
    for p in store.passages():
        by_path.setdefault(Path(p.span.path).name, []).append(p.id)
    return by_path


def test_a_pages_filler_is_found_whatever_the_candidates(store: Store, tmp_path: Path) -> None:
    ingest(store, [_page(tmp_path / "notes")], workers=1)
    paths = _free(store)
    everything = [i for ids in paths.values() for i in ids]
    filler = store.filler_passages(everything)
    assert len(filler) == ENTRIES  # the Notes sections of the page of many entries
    assert filler <= set(paths["zorbing.md"])
    assert store.filler_passages(sorted(filler)[:1]) == set(sorted(filler)[:1])
    assert store.filler_passages(paths["single.md"]) == set()
    assert store.filler_passages([]) == set()


def _steps(conn: sqlite3.Connection, store: Store, ids: list[int]) -> int:
    count = [0]

    def step() -> int:
        count[0] += 1
        return 0

    conn.set_progress_handler(step, 100)
    try:
        store.filler_passages(ids)
    finally:
        conn.set_progress_handler(None, 0)
    return count[0]


def test_a_page_is_judged_once_not_once_per_candidate(store: Store, tmp_path: Path) -> None:
    conn = getattr(store, "conn", None)
    if not isinstance(conn, sqlite3.Connection):
        return  # the count is SQLite's; PostgreSQL runs the same query (test above)
    ingest(store, [_page(tmp_path / "notes")], workers=1)
    filler = sorted(store.filler_passages([i for ids in _free(store).values() for i in ids]))
    one, sixty = _steps(conn, store, filler[:1]), _steps(conn, store, filler[:60])
    # Judged per candidate, 60 candidates of one page cost about 60 times one (before: 62x).
    assert sixty < 4 * one, (one, sixty)
