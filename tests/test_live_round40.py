"""Round 40 (live40): a note that grows past the size limit, and exports that name notes as
the other faces do. Real files, real stores (both engines: the PostgreSQL pass reopens
`grimoire.open` on the server), the real watcher."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire.files import MAX_BYTES
from grimoire.watch import Batch
from tests.conftest import ingested, write_notes
from tests.test_watch import FAST, Running, Watcher

# Our own filler: a paragraph about nothing the notes' terms name.
FILLER = "Filler written by this test to make the note large; it names no concept at all.\n"


def _start(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Growing note\n\n**Quokka embedding**: a term of the first half, "
                    "kept while the note was small.\n\n")


def _grow_past_the_limit(path: Path) -> None:
    with path.open("a") as f:
        while f.tell() <= MAX_BYTES:
            f.write(FILLER * 4096)


def _stored_of(kb: grimoire.Grimoire, name: str) -> tuple[list[str], list[str]]:
    """What the store holds of note `name`: its entries' terms and its lexical hits."""
    entries = [e.entry.term for e in kb.entries() if Path(e.entry.span.path).name == name]
    hits = [h.span.path for h in kb.search("quokka embedding", mode="lexical")
            if Path(h.span.path).name == name]
    return entries, hits


def _failed_as_too_large(kb: grimoire.Grimoire, name: str) -> str:
    (record,) = [r for r in kb.sources() if Path(r.path).name == name]
    assert record.status == "failed", record
    reason = record.reason or ""
    assert "over the 32 MiB limit" in reason, reason
    return reason


def test_a_note_grown_past_the_limit_leaves_nothing_stored_on_reingest(tmp_path: Path) -> None:
    # Before: the failed read kept what was stored of the note (its first half, or a read of
    # it half-written), searchable and cited as if it were the file.
    folder = tmp_path / "notes"
    big = folder / "growing.md"
    _start(big)
    with ingested(tmp_path / "kb.db", folder, embed=False) as kb:
        assert _stored_of(kb, "growing.md") != ([], [])
        _grow_past_the_limit(big)
        report = kb.ingest([folder], embed=False)
        (failure,) = report.failures
        assert Path(failure.path).name == "growing.md"
        _failed_as_too_large(kb, "growing.md")
        assert _stored_of(kb, "growing.md") == ([], [])
        # and once it is small again it is read again
        _start(big)
        kb.ingest([folder], embed=False)
        assert [r.status for r in kb.sources() if r.path.endswith("growing.md")] == ["ok"]
        assert _stored_of(kb, "growing.md")[0]


def test_watch_drops_a_note_that_grew_past_the_limit(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    big = folder / "growing.md"
    _start(big)
    with grimoire.open(tmp_path / "kb.db") as kb:
        batches: list[Batch] = []
        watcher = Watcher(kb, [folder], options=FAST, on_batch=batches.append)
        watcher.catch_up()
        assert _stored_of(kb, "growing.md")[0]
        _grow_past_the_limit(big)
        watcher.apply([str(big)])
        # a file this large is read on the long reads' thread (faces40's `long_read_bytes`):
        # its batch is handed on once that read is done (review40b: the merge's test looked
        # at `apply`'s own batch, which no longer reads it)
        watcher.close(wait=True)
        assert sum(b.report.failed for b in batches) == 1, batches
        _failed_as_too_large(kb, "growing.md")
        assert _stored_of(kb, "growing.md") == ([], [])


def test_a_running_watcher_keeps_no_part_of_a_note_written_past_the_limit(
        tmp_path: Path) -> None:
    # qa40: a 39.6 MiB note written while watched was read once half-written, then failed
    # the limit, and the half it was read at stayed stored until the file was deleted.
    folder = write_notes(tmp_path / "notes", {
        "small.md": "# Small\n\n**Wombat**: a small note.\n",
    })
    run = Running(tmp_path / "kb.db", folder)
    try:
        big = folder / "growing.md"
        _start(big)
        run.eventually(lambda: "growing.md" in run.paths(), "the note's first half stored")
        _grow_past_the_limit(big)
        run.eventually(lambda: any(r.status == "failed" for r in run.kb.sources()
                                   if r.path.endswith("growing.md")), "the limit's failure")
        _failed_as_too_large(run.kb, "growing.md")
        assert _stored_of(run.kb, "growing.md") == ([], [])
        assert run.paths() == {"small.md"}
    finally:
        run.close()


def test_watch_agrees_with_ingest_on_a_built_copy_when_its_source_comes_or_goes(
        tmp_path: Path) -> None:
    # review40b: read40 skips `x/index.html` while `x.md` lies beside `x/`; watch read only the
    # file that changed, so a source written (or deleted) after its built page left the page
    # stored twice (or not at all), where a full ingest has it once.
    folder = tmp_path / "notes"
    (folder / "dropout").mkdir(parents=True)
    page = folder / "dropout" / "index.html"
    page.write_text("<!DOCTYPE html><html><head><title>Dropout</title></head><body><main>"
                    "<h1>Dropout</h1><p>Dropout switches off a random share of units at each "
                    "step.</p></main></body></html>")
    source = folder / "dropout.md"

    def paths(kb: grimoire.Grimoire) -> list[str]:
        return sorted(Path(e.entry.span.path).relative_to(folder).as_posix()
                      for e in kb.entries())

    with grimoire.open(tmp_path / "kb.db") as kb:
        watcher = Watcher(kb, [folder], options=FAST)
        watcher.catch_up()
        assert paths(kb) == ["dropout/index.html"]
        source.write_text("# Dropout\n\nDropout switches off a random share of units at each "
                          "step.\n")
        watcher.apply([str(source)])
        assert paths(kb) == ["dropout.md"]
        source.unlink()
        watcher.apply([str(source)])
        assert paths(kb) == ["dropout/index.html"]
        watcher.close()
