"""Every golden reader case reads to its expected file.

Regenerate them all with `python -m tests.readers.golden --regen`, then review `git diff`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.readers.golden.cases import CASES, INPUTS, expected_path, render


def test_there_are_cases() -> None:
    assert len(CASES) >= 4
    missing = [c.name for c in CASES if not expected_path(c).is_file()]
    assert not missing, f"run: python -m tests.readers.golden --regen ({missing})"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.relative_to(INPUTS).as_posix())
def test_golden(case: Path) -> None:
    expected = expected_path(case)
    assert render(case) == expected.read_text(encoding="utf-8"), (
        f"{case.name} reads differently; if that is intended, run "
        "`python -m tests.readers.golden --regen` and review the diff"
    )
