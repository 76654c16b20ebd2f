"""What the public-notes tests share: a knowledge base of their own, and notes written
(`write_notes`, tests/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.knowledge import Grimoire
from tests.conftest import write_notes


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[Grimoire]:
    handle = grimoire.open(tmp_path / "kb.db")
    yield handle
    handle.close()


def terms_of(tmp_path: Path, files: dict[str, str]) -> set[str]:
    """The terms of every entry a fresh knowledge base reads from `files` (no vectors)."""
    notes = write_notes(tmp_path / "notes", files)
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        return {e.entry.term for e in kb.entries()}


def labels(kb: Grimoire) -> set[str]:
    """The labels of every concept the knowledge base holds."""
    return {c.label for c in kb.concepts()}


def notebook(*cells: tuple[str, str]) -> str:
    """A Jupyter notebook's JSON holding `cells`, each a kind ("markdown", "code") and text."""
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": text,
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells]})
