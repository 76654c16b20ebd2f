"""Ask on real notes, round 19 (bench/questions/README.md, "Findings, round 19"): a word a
sentence holds only after "non-" is not the question's word, and code that a comment makes
look like prose is no answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.ask.extractive import Question, _code, negated
from tests.conftest import ask_notes, assert_quoted


def test_non_x_does_not_answer_what_x_is(tmp_path: Path, corpora: Path) -> None:
    # The entry's second sentence, "A non-stationary environment, in contrast, refers to
    # data-generating distributions that do change over time.", holds "stationary" and
    # "environment" as the first does, and led the answer.
    terms = corpora / "ml-glossary-terms" / "terms"
    files = [terms / name for name in (
        "stationary-environment.md", "internal-covariate-shift.md",
        "independent-identically-distributed-iid.md", "imputation.md")]
    answer = ask_notes(tmp_path, files, "When is an environment called stationary?")
    assert_quoted(answer, "data-generating distributions that do not change over time")
    # Asked about the opposite, the opposite's sentence answers.
    (tmp_path / "non").mkdir()
    other = ask_notes(tmp_path / "non", files, "When is an environment called non-stationary?")
    assert_quoted(other, "data-generating distributions that do change over time")


@pytest.mark.no_store
def test_negated_reads_the_word_after_non_only() -> None:
    q = Question("When is an environment called stationary?", {"environ": 1.0})
    assert negated("A non-stationary environment changes.", q) == {"statio"}
    # The plain word is there too: it counts.
    assert negated("A stationary environment is not a non-stationary one.", q) == set()
    assert negated("A nonsense environment.", q) == set()
    asked_for_it = Question("What is a non-stationary environment?", {"environ": 1.0})
    assert negated("A non-stationary environment changes.", asked_for_it) == set()


def test_code_behind_a_comment_is_no_answer(tmp_path: Path, corpora: Path) -> None:
    # The GRPO page's example opens with "# Coding-specific reward function" and
    # `def coding_reward_func(prompts, completions, task, **kwargs):`; read as one sentence
    # it led the answer and the page's own sentence about it was clipped away.
    # The whole collection, as the benchmark reads it (the folder: the session's store of it,
    # which tests/test_search.py reads too): in a store of the TRL pages alone the question
    # abstains (the words "coding reward" name the example's code and little else there).
    answer = ask_notes(tmp_path, [corpora / "hf-docs"], "How does the coding reward function in "
                       "the GRPO multi-reward example score completions?")
    assert_quoted(answer, "rewards coding problems based on whether the solution works")
    assert "def " not in answer.answer


@pytest.mark.no_store
def test_code_inside_reads_assignments_with_comments_and_definitions() -> None:
    assert _code("sq_error = (predictions - targets)**2 # Return average squared error")
    assert _code("Coding-specific reward function def coding_reward_func(prompts, task):")
    # Prose with an equals sign or a hash is still prose.
    assert not _code("We set the learning rate to 0.1 and kept the batch size at 32.")
    assert not _code("With k = 3 the model uses three neighbours, which is the default.")
    assert not _code("Issue #12 describes the problem in more detail than this page does.")
    assert not _code("A function defined by the user may be passed as the reward.")
