"""Ask on real notes, round 15 (bench/questions/README.md, "Findings, round 15"): a list of
link titles under a named heading does not answer a how-question."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted


def test_a_list_of_titles_does_not_say_how(tmp_path: Path, corpora: Path) -> None:
    # The cheatsheet's "Time-Series" heading holds only "Be the first to contribute!", and its
    # datasets page lists "- UC Riverside Time Series Dataset" and the like under "Time
    # Series" (link titles: the reader keeps the title, not the address). The notes name the
    # subject and say nothing about how it is done, so ask abstains; it used to quote a tool's
    # name from a list of libraries.
    sheet = corpora / "ml-cheatsheet-rst"
    files = [sheet / f for f in ("applications.rst", "datasets.rst", "libraries.rst",
                                 "glossary.rst", "linear_regression.rst")]
    answer = ask_notes(tmp_path, files, "How do you forecast future values of a time series?")
    assert answer.abstained, answer.answer


def test_a_list_of_names_still_answers_which(tmp_path: Path, corpora: Path) -> None:
    # The same kind of list answers a question that asks for names: the section "Types of
    # logistic regression" lists "- Binary (Pass/Fail)", "- Multi (...)", "- Ordinal (...)".
    note = corpora / "ml-cheatsheet-rst" / "logistic_regression.rst"
    answer = ask_notes(tmp_path, [note], "Which types of logistic regression are there?")
    assert_quoted(answer, "Ordinal")


def test_a_question_about_an_example_gets_what_it_shows(tmp_path: Path, corpora: Path) -> None:
    # The perplexity note sets up an example ("For example, suppose your task is to read the
    # first few letters of a word a user is typing on a phone keyboard, ...") and then says
    # what it shows. The two do not fit in 40 words together; the question asks about the
    # example, so what it shows answers, not its set-up.
    vault = corpora / "google-ml-glossary-vault"
    files = [vault / f for f in ("perplexity.md", "normalization.md", "model cascading.md",
                                 "bag of words.md", "cross-entropy.md")]
    answer = ask_notes(tmp_path, files,
                       "In the phone keyboard example, what does perplexity roughly correspond to?")
    assert_quoted(answer, "approximately the number of guesses")
