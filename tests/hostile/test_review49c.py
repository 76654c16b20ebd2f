"""Round 49 (review49c): a second look at hostile49's changes.

- The polling fallback past a symlink loop keeps the store's paths as read at the switch, in
  step with its own batches: a note another writer stored (an ingest in a second terminal,
  `serve`) and then gone from the disk before a poll saw it kept its record until the watch
  restarted (each poll read the store before hostile49). The paths are read again each
  `reconcile_s`, as the event path's reconcile reads them.
- A root gone is said once, then silent until it comes back; with several roots, the others'
  changes go on, and every record is kept throughout (held here).
- A writer's mark (`"by": "writer"`) names only who cut the check at opening short: a store
  another program copied over it is a new state, checked whole and said so (held here).
- `ALIAS_NOTES` counted the notes listing an alias: four notes about Adam (four vaults, each
  titled "Adam", each listing "Adaptive Moment Estimation") no longer joined the glossary's
  page of that title, which review47a's rule joins. It counts the listing notes' titles.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest

import grimoire
from grimoire import watch
from grimoire.resolve import merge
from grimoire.resolve.overrides import Overrides
from grimoire.store import sqlite as store_sqlite
from grimoire.store import sqlite_checked
from grimoire.store.concept_records import EntryRow
from tests.conftest import ingested, write_notes
from tests.hostile.test_review45b import large  # noqa: F401 - a fixture
from tests.hostile.test_round45 import _checks_at_opening
from tests.test_watch import FAST, Running


@pytest.mark.sqlite_only(reason="the watcher's own polling, the same on either engine")
def test_polling_past_a_loop_sees_another_writers_notes_go(tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    (vault / "sub").mkdir()
    (vault / "sub" / "up").symlink_to("..", target_is_directory=True)
    # Polls a second apart: the other writer's note comes and goes between two of them.
    run = Running(tmp_path / "kb.db", vault, dataclasses.replace(
        FAST, force_polling=True, poll_ms=1000, reconcile_s=1))
    try:
        run.eventually(lambda: any("loop found" in n for n in run.notices), "the fallback")
        write_notes(vault, {"c.md": "# Gamma\n\nGamma is another writer's note.\n"})
        run.kb.ingest([vault], embed=False)  # `grimoire ingest notes/` in a second terminal
        assert run.paths() == {"a.md", "c.md"}
        (vault / "c.md").unlink()
        # r49-merge: kept until the watch restarted (its paths were read once, at the switch).
        run.eventually(lambda: run.paths() == {"a.md"}, "another writer's note gone")
    finally:
        run.close()


@pytest.mark.sqlite_only(reason="the watcher's batches, the same on either engine")
def test_the_fallbacks_paths_keep_in_step_through_renames_and_recreations(
        tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "d/b.md": "# Beta\n\nBeta is a note.\n"})
    with grimoire.open(tmp_path / "kb.db") as kb:
        watcher = watch.Watcher(kb, [notes], options=FAST)
        watcher.catch_up()
        stored = {r.path for r in kb.sources()}

        def in_step() -> set[str]:
            assert stored == {r.path for r in kb.sources()}
            return {Path(p).name for p in stored}

        (notes / "a.md").rename(notes / "c.md")  # renamed between two polls
        assert watcher.reconcile(stored) is not None and in_step() == {"b.md", "c.md"}
        (notes / "d").rename(notes / "e")  # a folder renamed
        assert watcher.reconcile(stored) is not None and in_step() == {"b.md", "c.md"}
        (notes / "c.md").unlink()  # deleted, and made again before the next poll
        (notes / "c.md").write_text("# Gamma\n\nGamma is a note made again.\n")
        assert watcher.reconcile(stored) is not None and in_step() == {"b.md", "c.md"}
        assert "made again" in kb.concept("Gamma").entries[0].entry.definition
        shutil.rmtree(notes / "e")
        assert watcher.reconcile(stored) is not None and in_step() == {"c.md"}
        assert watcher.reconcile(stored) is None  # nothing read again


@pytest.mark.sqlite_only(reason="the watcher's batches, the same on either engine")
def test_one_root_of_several_gone_keeps_its_records_and_comes_back(tmp_path: Path) -> None:
    one = write_notes(tmp_path / "one", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    two = write_notes(tmp_path / "two", {"b.md": "# Beta\n\nBeta is a note.\n"})
    batches: list[watch.Batch] = []
    with grimoire.open(tmp_path / "kb.db") as kb:
        watcher = watch.Watcher(kb, [one, two], options=FAST, on_batch=batches.append)
        watcher.catch_up()

        def names() -> set[str]:
            return {Path(r.path).name for r in kb.sources()}

        two.rename(tmp_path / "away")  # unmounted
        write_notes(one, {"c.md": "# Gamma\n\nGamma is a new note.\n"})
        watcher.apply([str(one / "c.md"), str(two), str(two / "b.md")])
        assert "missing" in " ".join(batches[-1].report.notices), batches[-1]
        assert names() == {"a.md", "b.md", "c.md"}
        said = len(batches)
        for _ in range(3):  # the gone root named again with the other's changes
            (one / "a.md").write_text("# Alpha\n\nAlpha is a changed note.\n")
            watcher.apply([str(one / "a.md"), str(two)])
            assert batches[-1].paths == (str(one / "a.md"),), batches[-1]
        assert len(batches) == said + 3 and names() == {"a.md", "b.md", "c.md"}
        # Back under the same name (remounted, renamed back): looked at, records as they were.
        (tmp_path / "away").rename(two)
        watcher.apply([str(two)])
        assert batches[-1].report.unchanged == 1 and names() == {"a.md", "b.md", "c.md"}
        # A reconcile while it is away again finds nothing gone; back with a change, read.
        two.rename(tmp_path / "away")
        assert watcher.reconcile() is None and names() == {"a.md", "b.md", "c.md"}
        (tmp_path / "away" / "b.md").write_text("# Beta\n\nBeta changed while away.\n")
        (tmp_path / "away").rename(two)
        assert watcher.reconcile() is not None and batches[-1].report.updated == 1
        assert "changed while away" in kb.concept("Beta").entries[0].entry.definition


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_a_store_copied_over_a_writers_mark_is_checked_whole_as_not_grimoires(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sqlite_checked, "SAY_FROM_BYTES", 0)
    db, other = tmp_path / "kb.db", tmp_path / "other.db"
    for path in (db, other):
        store_sqlite.SQLiteStore(str(path), create=True).close()
    writer = store_sqlite.SQLiteStore(str(db), create=False)  # its opening cut short
    try:
        with writer.transaction() as conn:
            conn.execute("CREATE TABLE scratch(x)")
    finally:
        writer.close()
    mark = json.loads(Path(str(db) + sqlite_checked.SUFFIX).read_text())
    assert mark["by"] == "writer" and isinstance(mark["done"], list)  # an older reader's keys
    assert isinstance(mark["cut"], list)
    # Another program writes a store over it in place (same file, same size, its time put
    # back as the mark has it): a new state all the same.
    shutil.copyfile(other, db)
    os.utime(db, ns=(mark["state"][3], mark["state"][3]))
    capsys.readouterr()
    assert _checks_at_opening(db) == []  # a state no mark names: cut short at once, as new
    assert "PRAGMA quick_check(1)" in _checks_at_opening(db)  # then whole
    said = capsys.readouterr().err
    assert "no Grimoire process has checked it whole" in said, said
    assert "last written by Grimoire" not in said, said


def test_an_alias_of_one_concepts_notes_still_joins_the_page_it_titles(
        tmp_path: Path) -> None:
    page = EntryRow(0, 0, "glossary/terms.md", 1, "Adaptive Moment Estimation",
                    "Adaptive moment estimation is an optimizer.")
    adams = [EntryRow(i, i, f"vault{i}/adam.md", 1, "Adam", "Adam is an optimizer.",
                      aliases=("Adaptive Moment Estimation",)) for i in range(1, 5)]
    parts = merge.merge_entries([page, *adams], [], Overrides())[0]
    # r49-merge: the four notes (more than ALIAS_NOTES) one concept, the page another.
    assert {parts.find(i) for i in range(5)} == {parts.find(0)}

    # What a user sees: `show Adam` holds the glossary's page, by either name (r49-merge: four
    # sources, the long name shown as an alias of Adam, and `show "Adaptive Moment
    # Estimation"` the glossary's page alone).
    notes = write_notes(tmp_path / "notes", {
        "glossary/terms.md": "# Adaptive Moment Estimation\n\n"
                             "Adaptive moment estimation keeps running moments.\n",
        **{f"vault{i}/adam.md": "---\ntitle: Adam\naliases: [Adaptive Moment Estimation]\n---\n"
                                "# Adam\n\n"
                                f"Adam is optimizer note {i}.\n" for i in range(1, 5)}})
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        adam = kb.concept("Adam")
        assert len(adam.sources) == 5, adam.sources
        assert kb.concept("Adaptive Moment Estimation").id == adam.id
