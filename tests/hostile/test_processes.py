"""Ingest as processes: budgets per file, workers that die with their parent, Ctrl-C, two
writers at once, folders that vanished. Real processes, real files, real SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import grimoire
from grimoire.ask.cite import SourceLines
from grimoire.errors import ReadError
from grimoire.files import read_capped
from grimoire.readers.base import ReadOptions
from tests._child import readline

ENV = {**os.environ, "PYTHONPATH": str(Path(grimoire.__file__).parents[1])}
NOTE = "# Topic {0}\n\nTopic {0} is a note with a body about subject number {0}.\n"


def vault(folder: Path, n: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        (folder / f"topic-{i}.md").write_text(NOTE.format(i))
    return folder


def big_markdown(path: Path, paragraphs: int) -> None:
    """A long, ordinary note: many sections, each with a paragraph (seconds to parse)."""
    path.write_text("".join(f"## Section {i}\n\nSection {i} says [[Topic {i}]] and "
                            f"*emphasis* with `code` and $x_{i}^2$ in it.\n\n"
                            for i in range(paragraphs)))


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition: object, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.mark.one_pass(reason="a reader worker's time budget, killed and replaced")
def test_a_file_over_its_time_budget_costs_that_file_only(tmp_path: Path) -> None:
    """Issue 11 item 2: the worker reading a file past its budget is killed and replaced;
    the file is failed with the reason, every other file is stored."""
    notes = vault(tmp_path / "notes", 5)
    big_markdown(notes / "big.md", 8_000)  # seconds of parsing
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest([notes], embed=False, options=ReadOptions(max_seconds=1))
        assert report.added == 5
        assert [Path(r.path).name for r in report.failures] == ["big.md"]
        assert "took over 1 s" in (report.failures[0].reason or "")
        # Lifted, the same file reads: the budget stopped a slow read, not a broken file.
        again = kb.ingest([notes], embed=False)
        assert (again.added, again.failed) == (1, 0)


MEMORY_BUDGET = """
import sys, grimoire
from grimoire.readers.base import ReadOptions
with grimoire.open(sys.argv[1]) as kb:
    r = kb.ingest([sys.argv[2]], embed=False, options=ReadOptions(max_memory=8 * 2**20))
for f in r.failures:
    print(f.path.rsplit("/", 1)[1], f.reason, sep="\t")
print("added", r.added)
"""


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_a_file_over_its_memory_budget_costs_that_file_only(tmp_path: Path) -> None:
    # In a fresh process: a worker forked from this long-lived one would inherit its free heap,
    # room that the address-space budget does not count.
    notes = vault(tmp_path / "notes", 3)
    big_markdown(notes / "big.md", 5_000)
    out = subprocess.run([sys.executable, "-c", MEMORY_BUDGET, str(tmp_path / "kb.db"),
                          str(notes)], env=ENV, capture_output=True, check=True, text=True)
    lines = out.stdout.splitlines()
    assert lines[-1] == "added 3"
    assert [line.split("\t")[0] for line in lines[:-1]] == ["big.md"]
    assert "memory" in lines[0]


SLOW_INGEST = """
import sys, grimoire
from grimoire.readers.base import ReadOptions
with grimoire.open(sys.argv[1]) as kb:
    print("go", flush=True)
    r = kb.ingest([sys.argv[2]], embed=False)
    print(r.added, r.failed, flush=True)
"""


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_reader_workers_die_with_their_parent(tmp_path: Path) -> None:
    """Issue 11 item 10: SIGKILL the main process alone (not its group): no worker is left."""
    notes = vault(tmp_path / "notes", 80)
    for i in range(4):
        big_markdown(notes / f"big-{i}.md", 5_000)
    proc = subprocess.Popen([sys.executable, "-c", SLOW_INGEST, str(tmp_path / "kb.db"),
                             str(notes)], env=ENV, stdout=subprocess.PIPE)
    try:
        assert wait_until(lambda: len(children(proc.pid)) >= 2), "no reader workers started"
        workers = children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_until(lambda: not any(alive(w) for w in workers), 30), "orphaned workers"
    finally:
        if proc.poll() is None:
            proc.kill()
        assert proc.stdout is not None
        proc.stdout.close()


CLI = "import sys; from grimoire.cli import main; sys.argv[0] = 'grimoire'; main()"


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_ctrl_c_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground group: one line on stderr, exit 130, no traceback,
    and the database still opens healthy."""
    notes = vault(tmp_path / "notes", 80)
    for i in range(4):
        big_markdown(notes / f"big-{i}.md", 5_000)
    db = tmp_path / "kb.db"
    proc = subprocess.Popen([sys.executable, "-c", CLI, "--db", str(db), "ingest", str(notes),
                             "--no-embed"], env=ENV, stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE, start_new_session=True)
    assert wait_until(lambda: len(children(proc.pid)) >= 2), "no reader workers started"
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()
    # one line, which says what is kept and how to finish (round 34: a bare "interrupted")
    assert stderr.decode().strip().splitlines() == [
        "interrupted; the files read so far are kept: run the same ingest again to read the "
        "rest"]
    with grimoire.open(db) as kb:
        assert kb.store.integrity_check() == "ok"


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_an_ingest_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """Issue 11 item 10: while one process parses a big file (no write lock held) and stores
    its batches, a second ingest into the same database completes."""
    first = vault(tmp_path / "first", 70)
    for i in range(3):
        big_markdown(first / f"big-{i}.md", 5_000)
    second = vault(tmp_path / "second", 30, start=1000)
    db = tmp_path / "kb.db"
    with grimoire.open(db):
        pass
    proc = subprocess.Popen([sys.executable, "-c", SLOW_INGEST, str(db), str(first)], env=ENV,
                            stdout=subprocess.PIPE)
    assert readline(proc).strip() == b"go"
    assert wait_until(lambda: len(children(proc.pid)) >= 1)
    with grimoire.open(db) as kb:
        report = kb.ingest([second], embed=False)
    out, _ = proc.communicate(timeout=300)
    assert report.added == 30
    assert out.split() == [b"73", b"0"]
    with grimoire.open(db) as kb:
        assert kb.stats().sources == 103


def test_a_vanished_or_emptied_folder_keeps_its_records(tmp_path: Path) -> None:
    """Issue 11 item 9: an unmounted drive is not a deletion."""
    notes = vault(tmp_path / "notes", 4)
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        for file in notes.iterdir():
            file.unlink()
        empty = kb.ingest([notes], embed=False)
        assert (empty.removed, empty.kept) == (0, 4)
        assert "--prune" in empty.notices[0]
        notes.rmdir()
        missing = kb.ingest([notes], embed=False)
        assert (missing.removed, missing.kept) == (0, 4)
        assert "missing" in missing.notices[0]
        assert kb.stats().sources == 4
        pruned = kb.ingest([notes], embed=False, prune=True)
        assert pruned.removed == 4
        assert kb.stats().sources == 0


def test_a_folder_that_fails_to_list_keeps_its_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A subfolder that cannot be listed is not a deletion: its files' records were removed
    ("removed 2") as if the files were gone. The listing fails as an I/O error makes it fail
    (root lists any folder whatever its mode; the test below drops that power on SQLite)."""
    notes = vault(tmp_path / "notes", 2)
    vault(notes / "locked", 2, start=2)
    scandir = os.scandir

    def failing(path: Any) -> Any:
        if os.fspath(path) == str(notes / "locked"):
            raise OSError(5, "Input/output error", os.fspath(path))
        return scandir(path)

    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        monkeypatch.setattr(os, "scandir", failing)
        report = kb.ingest([notes], embed=False)
        monkeypatch.undo()
        assert (report.removed, report.kept) == (0, 2)
        assert report.notices == (f"{notes / 'locked'}: cannot be listed (Input/output error);"
                                  " kept its 2 files' records",)
        assert kb.stats().sources == 4
        again = kb.ingest([notes], embed=False)
        assert (again.removed, again.unchanged) == (0, 4)


@pytest.mark.sqlite_only(reason="the CLI runs without root's powers: PostgreSQL's socket, too")
def test_a_folder_that_cannot_be_listed_keeps_its_records(tmp_path: Path) -> None:
    """The same through the CLI, with a folder of mode 000 for a user who may not list it."""
    notes = vault(tmp_path / "notes", 2)
    vault(notes / "locked", 2, start=2)
    db = str(tmp_path / "kb.db")
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    exe = str(Path(sys.executable).parent / "grimoire")
    # Root lists any folder through CAP_DAC_READ_SEARCH; drop it, as for any other user.
    drop = (["setpriv", "--inh-caps=-dac_override,-dac_read_search",
             "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])
    (notes / "locked").chmod(0)
    try:
        done = subprocess.run([*drop, exe, "--db", db, "ingest", "--no-embed", str(notes)],
                              capture_output=True, text=True, timeout=300, env=ENV)
    finally:
        (notes / "locked").chmod(0o755)
    assert "removed 0" in done.stdout + done.stderr, done.stdout + done.stderr
    assert f"{notes / 'locked'}: cannot be listed" in done.stderr, done.stderr
    with grimoire.open(tmp_path / "kb.db") as kb:
        assert kb.stats().sources == 4
        again = kb.ingest([notes], embed=False)
        assert (again.removed, again.unchanged) == (0, 4)


def test_cli_ingest_prune_flag(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from grimoire.cli import main

    notes = vault(tmp_path / "notes", 2)
    db = str(tmp_path / "kb.db")
    first = CliRunner().invoke(main, ["--db", db, "ingest", str(notes), "--no-embed"])
    assert first.exit_code == 0
    for file in notes.iterdir():
        file.unlink()
    kept = CliRunner().invoke(main, ["--db", db, "ingest", str(notes), "--no-embed"])
    assert kept.exit_code == 0
    assert "removed 0" in kept.output
    assert "--prune" in kept.output
    pruned = CliRunner().invoke(main, ["--db", db, "ingest", str(notes), "--no-embed", "--prune"])
    assert "removed 2" in pruned.output


@pytest.mark.no_store
def test_reads_refuse_fifos_and_devices_without_blocking(tmp_path: Path) -> None:
    """Issue 11 item 3, for every read: a FIFO is refused at once (no writer needed), a device
    is refused before a byte is read, a file over the cap is refused."""
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result: list[BaseException] = []

    def read() -> None:
        try:
            read_capped(fifo, 1000)
        except ReadError as e:
            result.append(e)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(30)
    assert result and "FIFO" in str(result[0])
    with pytest.raises(ReadError, match="character device"):
        read_capped("/dev/zero", 1000)
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(ReadError, match="over the"):
        read_capped(big, 1000)
    # `ask` re-reads a cited file: one replaced by a FIFO now has no lines (and no hang).
    assert SourceLines().lines(str(fifo)) == []


@pytest.mark.no_store
def test_a_file_longer_than_its_stated_size_is_read_to_its_end_within_the_cap() -> None:
    """A file may hold more than `fstat` said (it grew after the walk; Linux's /proc files
    say 0): it is read to its end, and refused once it passes the cap."""
    proc = Path("/proc/self/cmdline")
    if not proc.exists():
        pytest.skip("no /proc")
    assert proc.stat().st_size == 0
    assert read_capped(proc, 1 << 20) == proc.read_bytes() != b""
    with pytest.raises(ReadError, match="over the"):
        read_capped("/proc/self/status", 10)
