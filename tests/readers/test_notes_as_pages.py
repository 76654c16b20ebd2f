"""Issue 10: how what readers find resolves, on small collections of our own making.

Each test writes files with the shape of a defect found in real notes, ingests them into a
real SQLite file and checks the wanted pages, dead links and lookups a user would see.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.knowledge import Grimoire


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[Grimoire]:
    handle = grimoire.open(tmp_path / "kb.db")
    yield handle
    handle.close()


def ingest(kb: Grimoire, root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / "notes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    report = kb.ingest([root / "notes"], embed=False)
    assert report.failed == 0


def test_pretty_url_to_a_folder_is_its_index_page(kb: Grimoire, tmp_path: Path) -> None:
    # Defect 6: Jekyll/Hugo serve a.md as /a/, so `../other/` from it is other/index.md.
    ingest(kb, tmp_path, {
        "other/index.md": "---\ntitle: Beam search\n---\nKeeps the k best prefixes.\n",
        "post.md": "Decoding uses [it](../other/) and [that](other/).\n",
        "empty/index.md": "# \n",
    })
    assert kb.wanted() == []
    assert kb.dead_links() == []


def test_a_note_that_exists_is_a_page(kb: Grimoire, tmp_path: Path) -> None:
    # Defect 7: a vault note that defines nothing (only an image, or opening with ###).
    (tmp_path / "notes" / ".obsidian").mkdir(parents=True)
    ingest(kb, tmp_path, {
        "Index.md": "- [[Loss Functions]]\n- [[Schedules]]\n- [[Nowhere Yet]]\n",
        "Loss Functions.md": "![[curve.png]]\n",
        "Schedules.md": "### Warmup\n\nThe rate rises for the first steps.\n",
    })
    assert [w.name for w in kb.wanted()] == ["Nowhere Yet"]
    for title in ("Loss Functions", "Schedules"):
        concept = kb.concept(title)
        reason = concept.entries[0].entry.reason
        assert reason == "a vault note is a page named by its file or title"
        assert [b.document_title for b in concept.backlinks] == ["Index"]


def test_a_link_by_file_name_to_a_note_without_entries_is_not_wanted(
    kb: Grimoire, tmp_path: Path
) -> None:
    ingest(kb, tmp_path, {
        "guide.md": "# Guide\n\n## Load the data\n\nFirst load it.\n\n## Train\n\nThen train.\n",
        "other.rst": "Other\n=====\n\nSee :doc:`guide` and `the guide <guide.html>`_.\n",
    })
    assert kb.wanted() == []
