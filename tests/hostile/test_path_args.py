"""Paths a user can type that the system refuses (too long a name, too long a path): one line
naming the path, exit 1, never a traceback; the store untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from grimoire.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    text = result.output + ("" if result.exception is None or isinstance(
        result.exception, SystemExit) else f"\nraised {result.exception!r}")
    return result.exit_code, text


@pytest.mark.parametrize("where", ["name", "path"])
def test_a_path_the_system_refuses_is_one_line(tmp_path: Path, where: str) -> None:
    # OSError (ENAMETOOLONG) came out of `--db` and of ingest's paths as a traceback.
    db = tmp_path / "kb.db"
    assert run("--db", str(db), "ingest", str(EXAMPLES), "--no-embed")[0] == 0
    long = str(tmp_path / ("x" * 5000)) if where == "name" else str(
        tmp_path / ("d/" * 3000) / "kb.db")
    cases = [("--db", str(db), "ingest", long), ("--db", str(db), "export", "jsonl", long)]
    if os.environ.get("GRIMOIRE_TEST_STORE", "sqlite") == "sqlite":  # file paths as --db
        cases += [("--db", long, "stats"), ("--db", str(db), "backup", long)]
    for args in cases:
        code, out = run(*args)
        assert code == 1 and "raised" not in out, out[-300:]
        assert out.startswith("error: ") and out.count("\n") == 1, out[-300:]
        assert "too long" in out and len(out) < 400, out[-300:]
    assert "Perplexity" in run("--db", str(db), "list")[1]
