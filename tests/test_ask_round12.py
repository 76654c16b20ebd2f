"""Ask on real notes, round 12 (bench/questions/README.md, "Findings, round 12"): a page's
title alone does not make its empty sections the subject of a question."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted, span_of


def test_a_word_of_an_empty_pages_title_does_not_silence_an_answer(
        tmp_path: Path, corpora: Path) -> None:
    # The cheatsheet's training page has only headings with "Be the first to contribute!"
    # under them; its title holds the word "training". A question that uses "training" as an
    # ordinary word was refused as if it named those empty sections, while the glossary's
    # validation-set entry answers it.
    sheet = corpora / "ml-cheatsheet-rst"
    glossary = sheet / "glossary.rst"
    answer = ask_notes(
        tmp_path, [sheet / "training.rst", glossary, sheet / "regularization.rst"],
        "What should I conclude if training error keeps falling while validation error "
        "starts rising?")
    assert_quoted(answer, span_of(glossary, "overfitting and you", "training"))
    assert answer.citations[0].span.path.endswith("glossary.rst"), answer.answer


def test_an_empty_section_named_by_the_question_still_abstains(
        tmp_path: Path, corpora: Path) -> None:
    # The same page's sections name their subject: asked about one of them, the notes hold
    # its heading and nothing under it.
    sheet = corpora / "ml-cheatsheet-rst"
    answer = ask_notes(tmp_path, [sheet / "training.rst", sheet / "regularization.rst"],
                       "How does cross-validation split the training data?")
    assert answer.abstained, answer.answer


def test_a_sentence_that_goes_on_from_the_one_before_answers(
        tmp_path: Path, corpora: Path) -> None:
    # The GNN article names a node's neighbours, edges and global information in one
    # sentence and says how to condition on them in the next, which repeats none of those
    # words: it lost to sentences elsewhere that hold them. The words of the sentence before
    # now count for it, at a discount.
    note = corpora / "distill-articles" / "gnn-intro.html"
    answer = ask_notes(tmp_path, [note],
                       "How can a GNN condition a node's new embedding on its neighbours, "
                       "edges and the global information?")
    assert_quoted(answer, span_of(note, "possible sources of information", "concatenate them"))


def test_a_further_reading_list_is_no_answer(tmp_path: Path, corpora: Path) -> None:
    # The cheatsheet's data-augmentation section ends in a "Further reading" list of link
    # titles that hold the question's words; it took a place among the sentences weighed by
    # meaning, and the section's own statement of the idea never was. A section that lists
    # reading says nothing about its subject.
    note = corpora / "ml-cheatsheet-rst" / "regularization.rst"
    answer = ask_notes(tmp_path, [note], "What is the basic idea of data augmentation?")
    assert_quoted(answer, span_of(note, "generates new training data", "dataset"))
    reading = [i for i, line in enumerate(note.read_text(encoding="utf-8").splitlines(), 1)
               if line.strip().endswith("Further reading")]
    assert reading
    assert all(c.span.start_line not in range(r, r + 6)
               for c in answer.citations for r in reading), answer.answer
