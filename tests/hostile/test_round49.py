"""Round 49 (hostile49): bad input and the cases trusted systems survive.

- The whole check of a large store (its checks at opening cut short, then run whole once)
  said on stderr that the store "was changed by something other than Grimoire" whatever cut
  them short: a Grimoire writer's own opening (watch, serve, an ingest carrying what it found:
  round 48), or no process having checked the file since it last changed, which is as often a
  store Grimoire just made as a copy. It now says which, and what is left to check.
- `watch` polling past a symlink loop (round 48's fallback: the files compared as `reconcile`
  walks them) read every stored path at each poll (`kb.sources()`, 85 ms of CPU a poll at
  10,000 notes): the store is now read once at the switch and kept in step with the batches.
- notify's polling watcher names a watched root that is gone at each poll: each was a batch
  saying its notes were kept (5 a second at 200 ms). The first is said; the rest, until the
  root comes back, are not.
- An alias listed by 10,000 notes and the title of one more made one concept of 10,001
  (review47a's rule: an alias that is another note's title joins every note listing it). An
  alias more than `ALIAS_NOTES` notes list is a word they share, not one concept's name: none
  joins the page it titles (each keeps it as a name of its own, as qa47's rule without one).
- Round 48's LaTeX reader on what a real user's .tex holds (macros that expand into
  themselves, `\\input` loops and paths out of the folder, UTF-16, CRLF and lone CR, a `\\verb`
  at the file's end): no fault found; held here.
"""

from __future__ import annotations

import dataclasses
import shutil
import threading
from pathlib import Path

import pytest

import grimoire
from grimoire import watch
from grimoire.knowledge import Grimoire
from grimoire.readers import latex
from grimoire.resolve import merge
from grimoire.resolve.overrides import Overrides
from grimoire.store import sqlite as store_sqlite
from grimoire.store import sqlite_checked
from grimoire.store.concept_records import EntryRow
from tests.conftest import write_notes
from tests.hostile.test_review45b import large  # noqa: F401 - a fixture
from tests.hostile.test_round45 import _checks_at_opening
from tests.test_watch import FAST, Running


@pytest.mark.sqlite_only(reason="the checks at opening of a SQLite file")
@pytest.mark.usefixtures("large")
def test_the_whole_check_says_who_cut_the_check_at_opening_short(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sqlite_checked, "SAY_FROM_BYTES", 0)  # what 64 MB is to a real store
    db = tmp_path / "kb.db"
    store_sqlite.SQLiteStore(str(db), create=True).close()  # a store Grimoire just made
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)  # and a copy of it: checked by no one since its last change
    assert _checks_at_opening(db) == []  # marked by its maker (round 50): nothing run or said
    assert capsys.readouterr().err == ""
    for store in (copy,):
        _checks_at_opening(store)  # cut short at once: nothing said
        assert capsys.readouterr().err == ""
        assert "PRAGMA quick_check(1)" in _checks_at_opening(store)  # the rest, whole: said
        said = capsys.readouterr().err
        assert "for damage, once: no Grimoire process has checked it whole since it last " \
               "changed" in said, said
        assert "the quick check, the integrity check, 2 full-text indexes left" in said, said
        assert "other than Grimoire" not in said, said  # 40e6a0c3: of the store just made too

    # A writer whose own opening was cut short carries that to each commit (round 48): the
    # next opening runs the rest whole, and says it was Grimoire's writer.
    db = tmp_path / "written.db"
    shutil.copy(copy, db)  # unmarked (a store Grimoire made is marked by its maker: round 50)
    writer = store_sqlite.SQLiteStore(str(db), create=False)  # cut short at once
    try:
        with writer.transaction() as conn:
            conn.execute("CREATE TABLE scratch(x)")
        capsys.readouterr()
        assert "PRAGMA quick_check(1)" in _checks_at_opening(db)
        said = capsys.readouterr().err
        assert "for damage, once: it was last written by Grimoire (watch, serve, an ingest), " \
               "carrying on from a check at opening cut short" in said, said
        assert "other than Grimoire" not in said, said  # 40e6a0c3: "something other than"
        assert _checks_at_opening(db) == []  # kept: nothing run, nothing said
        assert capsys.readouterr().err == ""
    finally:
        writer.close()


@pytest.mark.sqlite_only(reason="the watcher's own polling, the same on either engine")
def test_polling_past_a_loop_reads_the_store_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    (vault / "sub").mkdir()
    (vault / "sub" / "up").symlink_to("..", target_is_directory=True)
    reads: list[threading.Thread] = []  # the threads that read every stored path
    polls: list[threading.Thread] = []
    sources, files = Grimoire.sources, watch.Watcher._files

    def counted_sources(kb: Grimoire) -> object:
        reads.append(threading.current_thread())
        return sources(kb)

    def counted_files(watcher: watch.Watcher) -> dict[str, tuple[int, int]]:
        polls.append(threading.current_thread())
        return files(watcher)

    monkeypatch.setattr(Grimoire, "sources", counted_sources)
    monkeypatch.setattr(watch.Watcher, "_files", counted_files)
    run = Running(tmp_path / "kb.db", vault,
                  dataclasses.replace(FAST, force_polling=True, poll_ms=100))
    try:
        run.eventually(lambda: any("loop found" in n for n in run.notices), "the fallback")
        write_notes(vault, {"b.md": "# Beta\n\nBeta is a later note.\n"})
        run.eventually(lambda: run.paths() == {"a.md", "b.md"}, "a note saved")
        (vault / "a.md").unlink()
        run.eventually(lambda: run.paths() == {"b.md"}, "a note deleted")
        run.eventually(lambda: polls.count(run.thread) >= 8, "some polls")
        # 40e6a0c3: one read of the store a poll.
        assert reads.count(run.thread) <= 1, (reads.count(run.thread), len(polls))
    finally:
        run.close()


@pytest.mark.sqlite_only(reason="the watcher's batches, the same on either engine")
def test_a_root_gone_is_said_once_until_it_comes_back(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    batches: list[watch.Batch] = []
    with grimoire.open(tmp_path / "kb.db") as kb:
        watcher = watch.Watcher(kb, [notes], options=FAST, on_batch=batches.append)
        watcher.catch_up()
        notes.rename(tmp_path / "away")  # unmounted
        watcher.apply([str(notes), str(notes / "a.md")])  # as notify's poll names them
        assert len(batches) == 2 and "missing" in " ".join(batches[-1].report.notices)
        for _ in range(3):  # each later poll names the root alone: nothing said
            watcher.apply([str(notes)])  # 40e6a0c3: a batch each
        assert len(batches) == 2, [b.paths for b in batches]
        assert [Path(r.path).name for r in kb.sources()] == ["a.md"]  # kept
        (tmp_path / "away").rename(notes)  # back: looked at again, nothing changed
        watcher.apply([str(notes)])
        assert len(batches) == 3 and batches[-1].report.unchanged == 1, batches[-1]
        notes.rename(tmp_path / "away")  # and gone again: said again
        watcher.apply([str(notes)])
        assert len(batches) == 4 and "missing" in " ".join(batches[-1].report.notices)


def test_an_alias_many_notes_list_joins_none_of_them_to_the_page_it_titles() -> None:
    def entries(listers: int) -> list[EntryRow]:
        page = EntryRow(0, 0, "glossary/shared.md", 1, "Shared Word", "A word of its own.")
        return [page, *(EntryRow(i, i, f"vault/n{i}.md", 1, f"Note {i}", f"Note {i} is one.",
                                 aliases=("shared word",)) for i in range(1, listers + 1))]

    for listers in (1, 2, merge.ALIAS_NOTES):  # a concept's notes across sources: joined
        parts = merge.merge_entries(entries(listers), [], Overrides())[0]
        assert {parts.find(i) for i in range(listers + 1)} == {parts.find(0)}, listers
    for listers in (merge.ALIAS_NOTES + 1, 500):  # 40e6a0c3: one concept of 501 (of 10,001)
        parts, claims, _ = merge.merge_entries(entries(listers), [], Overrides())
        assert len({parts.find(i) for i in range(listers + 1)}) == listers + 1, listers
        assert any(c.name == "shared word" for c in claims[listers])  # still a name of each


def test_a_users_hostile_tex_reads_in_bounds() -> None:
    def doc(body: str, preamble: str = "") -> str:
        return (f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n"
                f"\\section{{Intro}}\n{body}\n\\end{{document}}\n")

    # Macros that expand into themselves, alone and in turn: the formula stays as written.
    selfish = latex.read(doc("Then $\\a$, $\\b{x}$ and $\\c$.",
                             "\\newcommand{\\a}{\\a\\a}\n\\newcommand{\\b}[1]{\\b{#1}\\b{#1}}\n"
                             "\\def\\c{\\d\\d}\n\\def\\d{\\c\\c}\n").encode(), "m.tex")[0]
    assert [m.tex for p in selfish.passages for m in p.math] == ["\\a", "\\b{x}", "\\c"]
    # `\\input` loops and paths out of the folder are links, never read (nor inlined);
    # a file's include of itself is no link (round 50, read50: its own backlink).
    inputs = latex.read(doc("Alpha text.\n\\input{b}\n\\include{a}\n\\input{../../etc/passwd}\n"
                            "\\input{/etc/passwd}").encode(), "a.tex")[0]
    assert [link.target for link in inputs.links] == [
        "b.tex", "../../etc/passwd.tex", "/etc/passwd.tex"]
    assert "root:" not in " ".join(p.text for p in inputs.passages)
    # The same definition in UTF-16 (with its mark or without), with CRLF or lone CR.
    defined = doc("\\begin{definition}[Margin]\nThe margin is the gap.\n\\end{definition}")
    for data in (defined.encode("utf-16"), defined.encode("utf-16-le"),
                 defined.replace("\n", "\r\n").encode(), defined.replace("\n", "\r").encode()):
        entries = latex.read(data, "d.tex")[0].entries
        assert [(e.term, e.definition) for e in entries] == [
            ("Margin", "The margin is the gap.")], data[:40]
    for end in ("\\verb|abc", "\\verb", "\\verb*", "\\verb+ \n"):  # a `\\verb` at the end
        assert latex.read(f"\\section{{V}}\nSee {end}".encode(), "v.tex")[0].title == "V"
