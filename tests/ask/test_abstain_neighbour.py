"""Ask on real notes, round 24 (bench/README.md, "Round 24 (abst25)"): the neighbour rule
reads "how does X <verb> <object> in ...?" as asked about X when X alone names a passage and
the next word is in no passage's name."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes


def test_a_name_then_a_verb_with_its_object_is_no_neighbour(tmp_path: Path,
                                                            corpora: Path) -> None:
    # The verb is read as the word before the first function word ("in"), so the subject
    # was "dropout prevent", which the notes never write together: refused as a concept the
    # notes lack, though "Dropout" is a section of the page.
    page = corpora / "ml-cheatsheet-rst" / "layers.rst"
    answer = ask_notes(tmp_path, [page], "How does dropout prevent overfitting in a network?")
    assert not answer.abstained, answer.answer
    assert answer.citations and all(c.span.path.endswith("layers.rst")
                                    for c in answer.citations)


def test_a_two_word_name_the_notes_lack_is_still_a_neighbour(tmp_path: Path,
                                                             corpora: Path) -> None:
    # "capsule" names nothing here, so "capsule network" stays a name the notes lack
    # (the page has "network" and "convolutional" sections, not capsules).
    page = corpora / "ml-cheatsheet-rst" / "layers.rst"
    answer = ask_notes(tmp_path, [page],
                       "How does a capsule network route information between capsules?")
    assert answer.abstained, answer.answer
