"""MediaWiki XML dumps over the size cap are streamed (issue 11, item 12): each page a document,
memory bounded whatever the dump's size, XML bombs still refused, and a file stored whole or
not at all."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

import grimoire
from grimoire.readers.base import ReadOptions
from tests.conftest import ROOT, write_notes
from tests.readers._dumpgen import write_dump

SMALL_CAP = ReadOptions(max_bytes=1 << 20)


def _titles(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as c:
        return sorted(title for (title,) in c.execute("SELECT title FROM documents"))


def test_dump_over_the_cap_is_streamed_page_by_page(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    size = write_dump(notes / "wiki.xml", 300, 6000)
    assert size > 1 << 20
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest([notes], options=SMALL_CAP, embed=False)
        assert (report.added, report.failed) == (1, 0), report.failures
        (source,) = kb.sources()
        assert source.status == "ok" and source.size == size and source.format == "mediawiki"
        stats = kb.stats()
        assert stats.documents == 300 and stats.entries == 300
        (found,) = kb.entry("Generated term 7")
        # only the latest revision is kept; its lines are lines of the XML file
        assert "latest revision" in found.entry.definition
        assert "Older wording" not in found.entry.definition
        lines = (notes / "wiki.xml").read_text().split("\n")
        assert "Generated term 7'''" in lines[found.entry.span.start_line - 1]
        # unchanged on the next run: the streamed hash is that of the whole file
        again = kb.ingest([notes], options=SMALL_CAP, embed=False)
        assert (again.unchanged, again.read) == (1, 0)


@pytest.mark.sqlite_only(reason="reads the SQLite file itself")
def test_streamed_dump_is_stored_whole_or_not_at_all(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    write_dump(notes / "wiki.xml", 200, 6000)
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], options=SMALL_CAP, embed=False)
    before = _titles(db)
    assert len(before) == 200
    # A new version that cannot be read within its budget: the worker is stopped mid-dump,
    # and not one of its pages replaces the stored ones.
    write_dump(notes / "wiki.xml", 400, 60000)
    with grimoire.open(db) as kb:
        report = kb.ingest([notes], options=ReadOptions(max_bytes=1 << 20, max_seconds=0.001),
                           embed=False)
        assert report.failed == 1 and "stopped" in (report.failures[0].reason or "")
    assert _titles(db) == before


def test_streamed_dump_keeps_pages_before_a_break(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    whole = tmp_path / "whole.xml"
    write_dump(whole, 300, 6000)
    text = whole.read_text()
    cut = text[: text.index("<ns>", text.index("Generated term 250</title>"))]
    (notes / "wiki.xml").write_text(cut)
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest([notes], options=SMALL_CAP, embed=False)
        assert report.added == 1
        assert kb.stats().documents == 250
        (source,) = kb.sources()
        (problem,) = [p for p in source.problems if "broken XML dump" in p.message]
        assert "Generated term 250" in problem.message
        assert problem.span.start_line == cut.count("\n") + 1


def test_streamed_dump_with_entities_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    padding = "<!-- " + "x" * (2 << 20) + " -->\n"
    (notes / "bomb.xml").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE mediawiki [<!ENTITY lol0 "lol">{lol}]>\n'
        f"<mediawiki>{padding}<page><title>&lol9;</title></page></mediawiki>")
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest([notes], options=SMALL_CAP, embed=False)
        assert report.failed == 1
        assert "refused" in (report.failures[0].reason or "")
        assert kb.stats().documents == 0


def test_large_file_that_is_not_a_dump_is_still_refused(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "big.md": "# Big\n\n" + "word " * 300_000,
        "big.xml": "<?xml version='1.0'?>\n<feed>" + "x" * (2 << 20) + "</feed>",
    })
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest([notes], options=SMALL_CAP, embed=False)
    assert report.failed == 2
    assert all("over the 1 MiB limit" in (f.reason or "") for f in report.failures)


_MEASURE = """
import json, resource, sqlite3, sys
from pathlib import Path
import grimoire
from tests.readers._dumpgen import write_dump
d = Path(sys.argv[1])
with grimoire.open(d / "warm.db") as kb:  # every module imported, a worker run once
    kb.ingest([d / "warm"], embed=False)
self0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with grimoire.open(d / "kb.db") as kb:
    report = kb.ingest([d / "notes"], embed=False)
titles = sorted(t for (t,) in sqlite3.connect(d / "kb.db").execute("SELECT title FROM documents"))
print(json.dumps({
    "self": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - self0) * 1024,
    "worker": (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss - child0) * 1024,
    "added": report.added, "failed": report.failed, "titles": titles,
}))
"""


@pytest.mark.no_store
def test_dump_over_the_default_cap_streams_in_bounded_memory(tmp_path: Path) -> None:
    """A 34 MiB dump, over the default 32 MiB cap: peak RSS of the ingesting process and of
    its reader worker each grows by under 16 MiB (read whole, the file alone is 34 MiB), and
    all 1000 pages are stored."""
    (tmp_path / "warm").mkdir()
    (tmp_path / "notes").mkdir()
    write_dump(tmp_path / "warm" / "small.xml", 50, 100)
    size = write_dump(tmp_path / "notes" / "big.xml", 1000, 36000)
    assert size > ReadOptions().max_bytes
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=600).stdout
    result = json.loads(out)
    assert (result["added"], result["failed"]) == (1, 0)
    assert result["titles"] == sorted(f"Generated term {i}" for i in range(1000))
    assert result["self"] < 16 << 20, result["self"]
    assert result["worker"] < 16 << 20, result["worker"]
