"""Ask on real notes, round 7 (bench/questions/README.md, "Findings, round 7"): a line that
ends on a word no sentence ends on goes on with the next; how a sentence's score mixes its
words, its passage's prior and its meaning; near ties in the answer's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.ask.sentences import split_sentences
from tests.conftest import ask_notes, assert_quoted, span_of


@pytest.mark.no_store
def test_a_line_ending_on_the_goes_on_with_the_next() -> None:
    # A reader drops emphasis ("*Compare*"), so the next line opens with a capital.
    text = ("2. Align -- This step means reading the output from the\n"
            "Compare step and turning it into a score.\n"
            "3. Report -- The final step.")
    got = [s.text for s in split_sentences(text)]
    assert got == ["2. Align -- This step means reading the output from the Compare step and "
                   "turning it into a score.", "3. Report -- The final step."]


def test_a_wrapped_list_item_with_a_capital_is_quoted_whole(tmp_path: Path,
                                                            corpora: Path) -> None:
    term = corpora / "ml-glossary-terms" / "terms" / "embed-encode-attend-predict.md"
    answer = ask_notes(tmp_path, [term],
                       "In embed, encode, attend, predict, what does the attend step do?")
    assert_quoted(answer, span_of(term, "taking", "transforming"))


def test_the_sentence_nearest_the_question_in_meaning_answers(tmp_path: Path,
                                                              corpora: Path) -> None:
    # Three sentences of the AUC entry hold the question's words alike; the one that says
    # what a value near 1 means is nearest the question in meaning, and meaning now weighs
    # as much as the words (it lost to the entry's first sentence, whose passage search ranked
    # first: a prior difference of 0.01 against a meaning difference of 0.008).
    vault = corpora / "google-ml-glossary-vault"
    auc = vault / "AUC (Area under the ROC curve).md"
    answer = ask_notes(tmp_path, [auc,
                                  vault / "ROC (receiver operating characteristic) Curve.md"],
                       "What does an AUC close to 1 tell you?")
    assert_quoted(answer, span_of(auc, "closer", "better"))


def test_a_near_tie_with_the_question_s_words_joins_before_a_neighbour(
        tmp_path: Path, corpora: Path) -> None:
    # The best sentence (on the encoder's identical layers) has a neighbour that fits
    # whole; the entry's first sentence, as good as the best and holding the question's
    # words, says what was asked and joins first.
    note = corpora / "google-ml-glossary-vault" / "Transformer.md"
    answer = ask_notes(tmp_path, [note],
                       "How can a Transformer be pictured in terms of its layers?")
    assert_quoted(answer, span_of(note, "stack", "layers"))
