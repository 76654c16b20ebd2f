"""Round 32: what more public notes (and qa31's course notes) gave as concepts, wanted pages,
lint findings and graph links, each shape rebuilt here in our own words.

- Lint reported a conflict for every pair of a concept's entries: a name four notes use for
  four different things gave six findings, 59 notes 1,711.
- A course's folders each open with a README titled "<Topic> — A to Z" whose table links every
  note of the folder: the links sat outside any entry, left from no concept, and the graph of
  299 concepts had no link.
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from tests.readers.conftest import write_notes

_MEANINGS = (
    "A reservoir is the pool of unlabelled examples set aside for an active learner to query.",
    "A reservoir is the fixed random recurrent layer of an echo state network, never trained.",
    "A reservoir holds a uniform sample drawn from a stream whose length nobody knows in advance.",
    "A reservoir is the buffer of past transitions an agent replays while improving its policy.",
)


def test_a_name_defined_differently_in_many_notes_is_one_conflict(kb: Grimoire,
                                                                  tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        f"topic{i}/reservoir.md": f"# Reservoir\n\n{text}\n" for i, text in enumerate(_MEANINGS)
    })
    kb.ingest([notes], embed=False)
    conflicts = [f for f in kb.lint().findings if f.group == "conflict"]
    assert len(conflicts) == 1
    (finding,) = conflicts
    assert finding.concept == "Reservoir"
    assert finding.others is not None and len(finding.others) == 3
    places = {finding.span.path, *(s.path for s in finding.others)}
    assert places == {str(notes / f"topic{i}/reservoir.md") for i in range(4)}
    assert finding.other == finding.others[0]
    assert "here and in" in finding.message and finding.message.count("reservoir.md") == 3


def test_two_notes_that_disagree_are_one_conflict_as_before(kb: Grimoire,
                                                            tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "a/reservoir.md": f"# Reservoir\n\n{_MEANINGS[0]}\n",
        "b/reservoir.md": f"# Reservoir\n\n{_MEANINGS[1]}\n",
    })
    kb.ingest([notes], embed=False)
    (finding,) = [f for f in kb.lint().findings if f.group == "conflict"]
    assert finding.message == "'Reservoir' is defined differently here and in ../a/reservoir.md:1-3"
    assert finding.span.path.endswith("b/reservoir.md") and finding.others == (finding.other,)


def test_an_index_page_links_from_its_own_concept(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "boosting/README.md": "# Boosting — A to Z\n\nWhat I wrote down while learning gradient "
                              "boosted trees.\n\n## Contents\n\n| # | Note |\n|---|---|\n"
                              "| 1 | [Shrinkage](01-shrinkage.md) |\n"
                              "| 2 | [Tree depth](02-depth.md) |\n",
        "boosting/01-shrinkage.md": "# Shrinkage\n\nShrinkage scales each new tree's "
                                    "contribution by a learning rate below one.\n",
        "boosting/02-depth.md": "# Tree depth\n\nTree depth limits how many splits each weak "
                                "learner may make before it stops.\n",
    })
    kb.ingest([notes], embed=False)
    index = kb.concept("Boosting — A to Z")
    assert {m.concept for m in index.links if m.status == "resolved"} >= {"Shrinkage", "Tree depth"}
    assert [m.concept for m in kb.concept("Shrinkage").backlinks] == ["Boosting — A to Z"]
