"""Review of round 53's overlapping roots (review53b): two cases hostile53's change broke, and
one it made common.

- A store that read `notes` whole before, then `grimoire ingest notes notes/sub`: the files of
  `notes/sub` keep `notes` as their root (an unchanged file's record is not rewritten), and
  the walk of `notes` passed everything under `notes/sub` over, removals too: a note deleted
  there kept its record, and was found by search, at every ingest after (main removed it).
- A root given by a symlink to a folder inside another root given (`grimoire ingest notes
  link`, `link -> notes/sub`): resolved up front, before any record of this call was
  written, it was not seen as `notes/sub`: each of its files was stored twice, and each later
  run removed the link's records (the same files as `notes/sub`'s) and read them again.
- A folder read under its own name inside another (`ingest notes notes/sub`, now the nearest
  root), then `ingest notes` alone: a note deleted in `notes/sub` kept its record (main too,
  after `ingest notes/sub` then `ingest notes`; watch removes it since round 50).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ingested, write_notes


@pytest.mark.one_pass(reason="which paths ingest reads and removes is decided before any store")
def test_nested_roots_remove_what_was_deleted_and_read_a_symlinked_root_once(
        tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# Alpha\n\nAlpha is a note.\n",
                                             "sub/b.md": "# Beta\n\nBeta is a note.\n",
                                             "sub/c.md": "# Gamma\n\nGamma is a note.\n"})
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        assert kb.ingest([notes, notes / "sub"], embed=False).unchanged == 3
        (notes / "sub" / "b.md").unlink()
        for roots in ([notes, notes / "sub"], [notes / "sub", notes]):
            kb.ingest(roots, embed=False)
            held = sorted(Path(r.path).name for r in kb.sources())
            # hostile53: b.md's record kept, under `notes`, at every run
            assert held == ["a.md", "c.md"], (roots, held)
            assert sorted(e.entry.term for e in kb.entries()) == ["Alpha", "Gamma"], roots
        # The other way round: `sub` read under its own name (as `ingest notes notes/sub` now
        # does), then `ingest notes` alone after a deletion in it: its record was kept for
        # good (main too, from `ingest notes/sub` then `ingest notes`; watch removed it).
        more = write_notes(tmp_path / "more", {"d.md": "# Delta\n\nDelta is a note.\n",
                                               "sub/e.md": "# Epsilon\n\nEpsilon is one.\n",
                                               "sub/f.md": "# Zeta\n\nZeta is a note.\n"})
        kb.ingest([more, more / "sub"], embed=False)
        (more / "sub" / "e.md").unlink()
        assert kb.ingest([more], embed=False).removed == 1
        held = sorted(Path(r.path).name for r in kb.sources())
        assert held == ["a.md", "c.md", "d.md", "f.md"], held
    link = tmp_path / "link"
    link.symlink_to(notes / "sub")
    for order, roots in {"folder first": [notes, link], "link first": [link, notes]}.items():
        with ingested(tmp_path / f"{order}.db", embed=False) as kb:
            first = kb.ingest(roots, embed=False)
            # hostile53 (and main): b.md and c.md stored under both names, "added 4"
            assert first.added == 2, (order, first)
            held = {Path(r.path).name: Path(r.root).name for r in kb.sources()}
            assert held == {"a.md": "notes", "c.md": "sub"}, (order, held)
            again = kb.ingest(roots, embed=False)
            # hostile53: the link's records removed and read again at every run ("added 1")
            assert (again.read, again.unchanged) == (0, 2), (order, again)
            assert sorted(e.entry.term for e in kb.entries()) == ["Alpha", "Gamma"], order
