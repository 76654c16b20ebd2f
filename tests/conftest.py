"""Shared fixtures: the seeds and corpora in ../shared, real SQLite files in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"
EXAMPLES = ROOT / "examples"


def _need(path: Path) -> Path:
    if path.is_dir():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing: CI must run with ../shared beside the clone")
    pytest.skip(f"{path} is missing: clone the project next to shared/ to run this test")


@pytest.fixture(scope="session")
def seeds() -> Path:
    return _need(SEEDS)


@pytest.fixture(scope="session")
def corpora() -> Path:
    return _need(CORPORA)


def seed(name_prefix: str) -> Path:
    """The seed file whose name starts with `name_prefix` (e.g. "003")."""
    folder = _need(SEEDS)
    return next(folder.glob(f"{name_prefix}_*.txt"))
