"""Helpers shared by the readers."""

from __future__ import annotations

from pathlib import PurePath

from hypothesis import given
from hypothesis import strategies as st

from grimoire.readers.base import suffix_of

_PARTS = st.lists(st.text(alphabet="ab.MD /é", max_size=8), max_size=4)


@given(_PARTS)
def test_suffix_of_is_pathlib_suffix(parts: list[str]) -> None:
    """Detection's `suffix_of` tells every path's extension as pathlib does: dots first and
    last, several dots, trailing slashes, "." and ".." parts, spaces, non-ASCII names."""
    path = "/".join(parts)
    assert suffix_of(path) == PurePath(path).suffix


def test_suffix_of_examples() -> None:
    assert suffix_of("/notes/LoRA.MD") == ".MD"
    assert suffix_of("/notes/.obsidian") == ""
    assert suffix_of("/notes/dump.xml.bz2") == ".bz2"
    assert suffix_of("/notes/draft.") == ""
    assert suffix_of("/notes/a.md/.") == ".md"
