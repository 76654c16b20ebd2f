"""Round 32 (qa32): what a new user's 80-column terminal showed wrong, on the shared corpora."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from grimoire import cli
from grimoire._background import EmbedLock
from grimoire.cli import main
from tests._terminal import on_a_terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def terminal(columns: int) -> CliRunner:
    # The CLI's consoles keep the COLUMNS they were made with (round 51): made anew, so that
    # each width of a loop is the one shown, not the first one's.
    cli.out.cache_clear()
    cli.err.cache_clear()
    return CliRunner(env={"TTY_COMPATIBLE": "1", "COLUMNS": str(columns), "NO_COLOR": "1"})


def shown(result: object) -> list[str]:
    return ANSI.sub("", result.output).splitlines()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def notes(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("r32") / "kb.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed",
                                       str(corpora / "distill-articles"),
                                       str(corpora / "ml-cheatsheet-rst")])
    assert result.exit_code == 0, result.output
    return db


@pytest.mark.sqlite_only(reason="the worker's lock is a file beside the database")
def test_a_worker_s_pid_is_never_split_from_its_word(notes: Path) -> None:
    # At 80 columns ingest's last line ended "(pid" and went on "2386): `grimoire embed
    # --status` shows progress". The lock is taken here, as a running worker holds it: ingest
    # starts none and names this process; `embed --status` and a search's note do too.
    held = EmbedLock(str(notes))
    assert held.acquire(wait=False)
    pid = str(os.getpid())
    try:
        for columns in range(50, 121, 3):
            lines = []
            for args in (["ingest", str(notes.parent)], ["embed", "--status"],
                         ["search", "gradient", "-k", "1"]):
                result = terminal(columns).invoke(main, ["--db", str(notes), *args])
                assert result.exit_code == 0, result.output
                lines += shown(result)
            assert [x for x in lines if len(x) > columns] == [], columns
            assert [x for x in lines if x.rstrip().endswith(("(pid", "(new"))] == [], columns
            assert len([x for x in lines if f"(pid {pid})" in x]) == 3, (columns, lines)
    finally:
        held.release()


def test_sources_breaks_a_long_path_between_its_names(notes: Path) -> None:
    # `sources` gave the file column a share of 80 columns and folded each path at its edge,
    # mid-name ("notes/dln/2.5_imple" / "menting-gradient-de"). A path is now as wide as the
    # other columns leave, and breaks after a `/` (or a `-`, `_` in a name longer than that).
    piped = CliRunner().invoke(main, ["--db", str(notes), "sources"])
    paths = [line.split("\t")[0] for line in piped.output.splitlines()]
    assert len(paths) > 40
    lines = shown(terminal(80).invoke(main, ["--db", str(notes), "sources"]))
    assert [x for x in lines if len(x) > 80] == []
    cells: list[list[str]] = []  # each row's path, line by line
    for line in lines:
        if line.startswith("│"):
            columns = [c.strip() for c in line.split("│")]
            if columns[3]:  # the status: on a row's first line only
                cells.append([])
            if columns[1]:
                cells[-1].append(columns[1])
    assert sorted("".join(c) for c in cells) == sorted(paths)
    broken = [c for c in cells if len(c) > 1]
    assert broken  # these corpora's absolute paths do not fit
    for c in broken:
        assert all(part.endswith(("/", "-", "_")) for part in c[:-1]), c


def in_a_terminal(*args: str, columns: int = 80) -> str:
    """What `grimoire ARGS` shows on a real pseudo-terminal of `columns` columns."""
    import sys

    code, out = on_a_terminal([sys.executable, "-m", "grimoire", *args], columns=columns)
    assert code == 0, out
    return out


@pytest.mark.sqlite_only(reason="another process opens the file this one wrote")
def test_embed_with_nothing_to_do_draws_no_empty_bar(tmp_path: Path, corpora: Path) -> None:
    # With every vector present, `embed` drew a pulsing "0/?" bar before saying so.
    db = tmp_path / "kb.db"
    hf = corpora / "hf-docs" / "transformers"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--wait", str(hf)])
    assert result.exit_code == 0, result.output
    out = in_a_terminal("--db", str(db), "embed")
    assert "0/?" not in out and "embedding" not in out, out
    assert re.search(r"embedded 0 · reused 0 · [\d,]+ vectors", out), out


@pytest.mark.sqlite_only(reason="another process opens the file this one wrote")
def test_export_draws_no_empty_bar_while_it_loads(notes: Path, tmp_path: Path) -> None:
    # `export` too drew "0/?" until the concepts were loaded and counted.
    out = in_a_terminal("--db", str(notes), "export", "jsonl", str(tmp_path / "all.jsonl"))
    assert "0/?" not in out, out
    assert re.search(r"wrote [\d,]+ concepts to ", out), out


@pytest.mark.sqlite_only(reason="a CLI child given the file by its path as --db")
def test_ingest_draws_no_empty_bar_while_it_lists_the_folders(tmp_path: Path,
                                                              corpora: Path) -> None:
    out = in_a_terminal("--db", str(tmp_path / "kb.db"), "ingest", "--no-embed",
                        str(corpora / "ml-cheatsheet-rst"))
    assert "0/?" not in out, out
    assert re.search(r"read \d+ \(new \d+, updated 0\)", out), out
