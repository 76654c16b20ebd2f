"""Ask on real notes, round 14 (bench/questions/README.md, "Findings, round 14"): outsider
questions that ask for another name, or about an identifier, are answered, not refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ask_notes, assert_quoted, span_of


def test_a_question_for_another_name_is_not_refused(tmp_path: Path, corpora: Path) -> None:
    # "What is X also called?" asks for X's other name. "also called" was read as part of X,
    # and since no sentence about deconvolution says "called", the notes were judged not to
    # be about X and the question was refused.
    # Three other articles beside it, so that "deconvolution" weighs as it does among the
    # collection (alone in a store, every passage holds it and the question's "called" outweighs
    # it: the answer is then too weak to give).
    distill = corpora / "distill-articles"
    note = distill / "deconv-checkerboard.html"
    others = [distill / f for f in ("augmented-rnns.html", "misread-tsne.html", "ctc.html")]
    answer = ask_notes(tmp_path, [note, *others], "What is deconvolution also called?")
    assert_quoted(answer, "transposed convolution")
    assert answer.citations[0].span.path.endswith("deconv-checkerboard.html")


def test_an_identifier_and_the_kind_of_thing_it_names_need_not_stand_together(
        tmp_path: Path, corpora: Path) -> None:
    # The KTO trainer page lists its loss types in a table: `"apo_zero_unpaired"` in one cell,
    # "the APO-zero loss" in the next. "how does the apo_zero_unpaired loss differ ...?" was
    # refused as a question about a neighbouring concept, because the notes never write
    # "apo_zero_unpaired loss"; an identifier is a whole name.
    note = corpora / "hf-docs" / "trl" / "kto_trainer.md"
    answer = ask_notes(tmp_path, [note],
                       "How does the apo_zero_unpaired loss differ from the default KTO loss?")
    assert_quoted(answer, "apo_zero_unpaired")
    assert all(c.span.path.endswith("kto_trainer.md") for c in answer.citations)


def test_a_neighbouring_concept_is_still_refused(tmp_path: Path, corpora: Path) -> None:
    # The rule above is for identifiers only: two plain words the notes never write together
    # ("vision transformer" on the cheatsheet) still make the question one the notes lack.
    sheet = corpora / "ml-cheatsheet-rst"
    answer = ask_notes(tmp_path, [sheet / "architectures.rst", sheet / "layers.rst"],
                       "How does a vision transformer split an image into patches?")
    assert answer.abstained, answer.answer


@pytest.mark.sqlite_only(reason="on PostgreSQL (ts_rank, not bm25) ask quotes another part of"
                         " the page for this question: an open difference of the engines")
def test_kinds_meets_types(tmp_path: Path, corpora: Path) -> None:
    # "What kinds of X are there?" is how an outsider asks for the section the notes head
    # "Types of X": its list lacked the question's "kinds" and lost to sentences elsewhere.
    note = corpora / "ml-cheatsheet-rst" / "logistic_regression.rst"
    answer = ask_notes(tmp_path, [note],
                       "What kinds of logistic regression are there besides binary?")
    assert_quoted(answer, "Ordinal")


def test_when_is_answered_by_a_condition(tmp_path: Path, corpora: Path) -> None:
    # "When can X be used?" asks for a condition. The article's "... can be used whenever one
    # wants to ..." lost to sentences that praise attention in the question's other words; a
    # sentence that states a condition now counts for a "when is / can / does" question, as
    # one that gives a reason counts for "why".
    # The whole collection, as the benchmark asks it: alone, the article's sentence already
    # wins, since the other articles' passages do not compete.
    distill = corpora / "distill-articles"
    note = distill / "augmented-rnns.html"
    answer = ask_notes(tmp_path, [distill],  # the folder: the session's store of it
                       "When can an attention interface be used with a neural network?")
    assert_quoted(answer, span_of(note, "whenever one wants", "repeating structure"))

