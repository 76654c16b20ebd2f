"""Ask on real notes, round 17 (bench/questions/README.md, "Findings, round 17"): a question
for data is answered by a dataset's title, and a sentence about the text does not lead a
definition."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted


def test_a_question_for_data_is_answered_by_a_dataset_title(tmp_path: Path,
                                                            corpora: Path) -> None:
    # The cheatsheet's list of datasets names "Stanford Dogs Dataset" under Image Processing:
    # "dogs" there is part of a name the question does not use, and that name is what a
    # question for images of dogs asks for. It was refused as "sky" is in "Sloan Digital Sky
    # Survey" for "why is the sky blue?" (round 16's only_in_names).
    sheet = corpora / "ml-cheatsheet-rst"
    files = [sheet / f for f in ("datasets.rst", "libraries.rst", "linear_regression.rst")]
    answer = ask_notes(tmp_path, files, "Where can I find images of dogs?")
    assert_quoted(answer, "Stanford Dogs Dataset")
    # The everyday questions the rule was made for still abstain: they ask for no data.
    for n, question in enumerate(("Why do dogs bark?", "Why is the sky blue?")):
        (tmp_path / str(n)).mkdir()
        everyday = ask_notes(tmp_path / str(n), files, question)
        assert everyday.abstained, (question, everyday.answer)


def test_a_sentence_about_the_text_does_not_lead_a_definition(tmp_path: Path,
                                                              corpora: Path) -> None:
    # The term file opens with where the term comes from (a paper's title); its definition,
    # quoted from that paper, comes later in the file ("We define ... as ..."). The opening
    # led the answer as the entry's first sentence (`definition_lead`).
    terms = corpora / "ml-glossary-terms" / "terms"
    files = [terms / "internal-covariate-shift.md", terms / "batch-normalization.md"]
    answer = ask_notes(tmp_path, files, "What is internal covariate shift?")
    assert_quoted(answer, "We define Internal Covariate Shift as")
    assert "comes from the paper" not in answer.answer, answer.answer
