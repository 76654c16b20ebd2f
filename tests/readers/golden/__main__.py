"""Rewrite every golden file from what the readers give now.

Usage: `python -m tests.readers.golden --regen`.

Then `git diff tests/readers/golden/` shows what a reader change does, case by case.
"""

from __future__ import annotations

import sys

from tests.readers.golden.cases import CASES, expected_path, render


def main(argv: list[str]) -> int:
    if argv != ["--regen"]:
        print("usage: python -m tests.readers.golden --regen", file=sys.stderr)
        return 2
    for case in CASES:
        expected_path(case).write_text(render(case), encoding="utf-8")
        print(f"wrote {expected_path(case).name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
