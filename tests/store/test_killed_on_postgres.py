"""RELIABILITY case 1 on PostgreSQL: an ingest process SIGKILLed at random points (opening and
migrating a fresh database, reading, writing files, resolving) against a real server. After
every kill each file is all or nothing, of one version; the server drops the dead session's
locks, so the next ingest neither waits nor fails; a rerun gives what a clean ingest gives."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import grimoire
from tests.conftest import PgDatabases

ENV = {**os.environ, "PYTHONPATH": str(Path(grimoire.__file__).parents[1])}
KILLS = 24
FILES = 20
CHILD = """
import sys
import grimoire
with grimoire.open(sys.argv[1]) as kb:
    kb.ingest([sys.argv[2]], embed=False)
"""


def _write(notes: Path, n: int, v: int) -> None:
    (notes / f"note-{n}.md").write_text(
        f"# Note {n} v{v}\n\nNote {n} v{v} is version {v} of note {n}, linked to "
        f"[[Note {(n + 1) % FILES}]].\n\n## Details\n\nMore about note {n} v{v}.\n")


def _stored(url: str) -> dict[str, tuple[int, int, tuple[str, ...]]]:
    """path -> (passages, entries, entry terms) for each file stored ok."""
    import psycopg

    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('sources')").fetchone() == (None,):
            return {}  # killed before its first migration committed: no store yet
        rows = conn.execute(
            """SELECT s.path,
                 (SELECT count(*) FROM passages p JOIN documents d ON p.document_id = d.id
                   WHERE d.source_id = s.id),
                 (SELECT count(*) FROM entries e JOIN documents d ON e.document_id = d.id
                   WHERE d.source_id = s.id),
                 (SELECT string_agg(e.term, '|' ORDER BY e.term) FROM entries e
                   JOIN documents d ON e.document_id = d.id WHERE d.source_id = s.id)
               FROM sources s WHERE s.status = 'ok'""").fetchall()
    return {p: (int(np), int(ne), tuple((terms or "").split("|"))) for p, np, ne, terms in rows}


def _ingest(url: str, notes: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, url, str(notes)], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _finished(child: subprocess.Popen[str]) -> None:
    _, err = child.communicate(timeout=600)
    assert child.returncode == 0, err


def test_ingests_killed_anywhere_on_postgres_leave_whole_files(
    pg: PgDatabases, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(FILES):
        _write(notes, n, 0)
    url = pg.url()
    started = time.monotonic()
    first = _ingest(url, notes)
    _finished(first)
    duration = time.monotonic() - started
    shape = {p: s[:2] for p, s in _stored(url).items()}
    assert len(shape) == FILES
    rng = random.Random(3802)
    written: dict[int, set[int]] = {n: {0} for n in range(FILES)}  # versions each file had
    landed = 0  # kills that found the ingest still running
    for kill in range(KILLS):
        if kill == KILLS // 2:
            url = pg.url()  # kills while a fresh database is migrated, too
            shape = {}
        for n in rng.sample(range(FILES), rng.randint(1, FILES)):
            written[n].add(kill + 1)
            _write(notes, n, kill + 1)
        child = _ingest(url, notes)
        began = time.monotonic()
        try:
            child.wait(timeout=rng.uniform(0, 1.1) * duration)
            # Ended before its kill: the next kills are drawn over what this ingest took. The
            # first's time (a fresh database migrated, every file read) drew half the kills
            # past the end of the shorter ingests after it: 10 of 24 landed (seed 6, load 30).
            duration = time.monotonic() - began
        except subprocess.TimeoutExpired:
            landed += 1
        with contextlib.suppress(ProcessLookupError):  # it had ended, workers and all
            os.killpg(child.pid, signal.SIGKILL)
        child.communicate(timeout=60)
        for path, (passages, entries, terms) in _stored(url).items():
            n = int(path.rsplit("-", 1)[1][:-3])
            if path in shape:
                assert (passages, entries) == shape[path], (kill, path)  # whole, not half
            # its entries are those of one version it had
            assert any(f"Note {n} v{v}" in terms for v in written[n]), (kill, path, terms)
    assert landed >= KILLS // 2, f"only {landed} of {KILLS} kills landed mid-ingest"
    last = _ingest(url, notes)
    _finished(last)
    fresh = pg.url()
    clean = _ingest(fresh, notes)
    _finished(clean)
    assert _stored(url) == _stored(fresh)
    with grimoire.open(url) as kb, grimoire.open(fresh) as other:
        assert kb.stats() == other.stats()
        assert kb.store.integrity_check() == "ok"
        again = kb.ingest([notes], embed=False)
        assert (again.unchanged, again.read, again.removed) == (FILES, 0, 0)
