"""Round 40 (live40): an export names each note inside the folder it was ingested from, as a
deck or a file shared carries no one's home folder (qa40: an Anki card's back read
`/work/cache/qa40/src/regfeature.qmd:1903-1909`). The site is the exception: its pages link
to the notes' files on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import grimoire
from tests.export.test_anki import _notes


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("home-alice")
    notes, papers = home / "notes", home / "papers"
    (notes / "sub").mkdir(parents=True)
    papers.mkdir()
    (notes / "sub" / "lora.md").write_text(
        "# LoRA\n\nLow-Rank Adaptation trains two small matrices beside a frozen weight; "
        "see [[Quokka Norm]].\n")
    (notes / "norms.md").write_text("# Quokka Norm\n\nA norm named for this test.\n")
    (papers / "norms.md").write_text("# Wombat Loss\n\nA loss named for this test.\n")
    with grimoire.open(home / "kb.db") as kb:
        kb.ingest([notes, papers], embed=False)
        yield home, kb


def _text(fmt: str, out: Path, folder: Path) -> str:
    if fmt == "anki":
        return "\n".join("\x1f".join(f) for f in _notes(out, folder).values())
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["anki", "jsonl", "skos", "tbx"])
def test_an_export_names_notes_inside_their_folder(shared_kb: Any, tmp_path: Path,
                                                   fmt: str) -> None:
    home, kb = shared_kb
    out = tmp_path / f"out.{fmt}"
    assert kb.export(fmt, out).concepts >= 3
    text = _text(fmt, out, tmp_path)
    assert str(home) not in text and str(home.resolve()) not in text
    assert "sub/lora.md" in text  # inside the folder ingested, with the folder within it
    # two folders' norms.md are told apart by the folder each lies in
    assert "notes/norms.md" in text and "papers/norms.md" in text
