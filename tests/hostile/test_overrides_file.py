"""A hostile `grimoire.toml` beside the notes (a shared or cloned vault): a clear error that
names the file, never a traceback, never the whole of a huge file read into memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import GrimoireError
from tests.conftest import write_notes


@pytest.mark.parametrize("text", [
    "a = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "b = " + "{ c = " * 50_000 + "1" + " }" * 50_000 + "\n",
])
def test_a_grimoire_toml_nested_too_deeply_is_a_clear_error(tmp_path: Path, text: str) -> None:
    # tomllib recurses once a level: RecursionError came out of ingest as a traceback.
    notes = write_notes(tmp_path / "notes", {
        "a.md": "# Alpha\n\nAlpha is a note.\n",
    })
    toml = notes / "grimoire.toml"
    toml.write_text(text)
    with grimoire.open(tmp_path / "kb.db") as kb:
        with pytest.raises(GrimoireError, match="nested too deeply") as caught:
            kb.ingest([notes], embed=False)
        assert str(toml) in str(caught.value)
        toml.write_text("")
        kb.ingest([notes], embed=False)
        assert [c.label for c in kb.concepts()] == ["Alpha"]


def test_a_huge_grimoire_toml_is_refused_without_reading_it(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "a.md": "# Alpha\n\nAlpha is a note.\n",
    })
    toml = notes / "grimoire.toml"
    with toml.open("wb") as f:
        os.truncate(f.fileno(), 1 << 30)  # 1 GiB, sparse: read whole, it took 1 GiB of memory
    with grimoire.open(tmp_path / "kb.db") as kb, \
            pytest.raises(GrimoireError, match="over the") as caught:
        kb.ingest([notes], embed=False)
    assert str(toml) in str(caught.value)
