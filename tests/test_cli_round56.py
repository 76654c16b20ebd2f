"""Round 56 (faces56): the CLI as a user meets it at 80 columns."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from grimoire.cli import main
from tests.conftest import EXAMPLES, reading


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("examples56") / "kb.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    with reading(db):
        yield db


@pytest.mark.parametrize("env", [{"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"}, {}],
                         ids=["terminal", "piped"])
def test_a_tenth_hit_s_lines_stand_under_its_name(examples_db: Path, env: dict[str, str]
                                                  ) -> None:
    """From the tenth hit on, the number takes 4 columns ("10. "), and the snippet's lines
    were still 3 in: a column left of the name they belong to (examples/, a search of 12)."""
    result = CliRunner(env=env).invoke(main, ["--db", str(examples_db), "search", "--mode",
                                              "lexical", "-k", "12", "training"])
    assert result.exit_code == 0, result.output
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.output).splitlines()
    heads = [n for n, line in enumerate(lines) if re.match(r"\d+\. ", line)]
    assert len(heads) >= 11, result.output  # hits 10 and 11 at least
    for first, end in zip(heads, [*heads[1:], len(lines)], strict=True):
        pad = len(lines[first].split(" ", 1)[0]) + 1
        body = [line for line in lines[first + 1:end] if line.strip()]
        # a terminal's heading may wrap, hung under the name: every line is that far in
        assert body and all(line.startswith(" " * pad) for line in body), body
        assert all(len(line) <= 80 for line in lines[first:end]) or not env
