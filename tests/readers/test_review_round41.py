"""Review of round 41's reading and naming rules (review41b): each on notes written here, in
our own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.readers import read_file
from tests.readers.conftest import terms_of


def test_a_file_name_s_joined_number_is_taken_only_at_its_start(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "ml/100 Days of ML.md": "A plan to study machine learning a little every day.\n",
        "ml/1000.Words.md": "A picture says what a long paragraph would.\n",
        "ml/5.The Kernel Trick.md": "The kernel trick computes inner products in a feature "
                                    "space without mapping the points there.\n",
    })
    assert terms == {"100 Days of ML", "1000.Words", "The Kernel Trick"}


def test_registration_is_a_course_s_admin_heading_only_on_a_course_s_page(
        tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "course/info.md": "# Course information\n\nWelcome.\n\n## Registration\n\n"
                          "Registration is handled by the department; join the waitlist.\n\n"
                          "## Office hours\n\nOffice hours are on Tuesdays in room 101.\n\n"
                          "## Grading\n\nGrading is 40% homework and 60% exams.\n",
        "vision/medical.md": "# Medical image analysis\n\nHow scans are read by programs.\n\n"
                             "## Registration\n\nRegistration is the process of aligning two "
                             "scans of the same anatomy into one coordinate frame.\n",
        "vision/Grading of Diabetic Retinopathy.md": "A model assigns each retina photo a "
                                                     "severity level from zero to four.\n",
    })
    assert "Registration" in terms and "Grading of Diabetic Retinopathy" in terms
    assert not terms & {"Grading", "Office hours"}


def _read(text: str, path: str) -> tuple[set[str], set[tuple[str, ...]]]:
    [doc] = read_file("markdown", text.encode(), path)
    return {e.term for e in doc.entries}, {p.heading_path for p in doc.passages}


CONCEPT_TABS = """# Ensembles

Ensembles combine several models into one prediction.

::: {.panel-tabset}

## Bagging

Bagging trains each model on a bootstrap sample of the data and averages their predictions.

## Boosting

Boosting trains models one after another, each on the errors of those before it.

:::

## Stacking

Stacking is a method that trains a meta-model on the predictions of base models.
"""

LANGUAGE_TABS = """# Penalties

Penalised regression shrinks the coefficients.

## Ridge

Ridge regression adds the squared size of the coefficients to the loss.

::: {.panel-tabset}

### R

R fits the whole path of penalties at once.

#### Arguments

The mixing argument is zero for ridge.

### Python

Python takes the penalty as one number.

:::

## Lasso

Lasso regression adds the absolute size of the coefficients, which sets some to zero.

::: {.panel-tabset}

### R

R draws the path.

### Python

Python draws it too.

:::
"""


@pytest.mark.no_store
def test_a_tab_set_of_concepts_gives_entries_and_a_tab_keeps_its_own_parts() -> None:
    terms, _ = _read(CONCEPT_TABS, "/book/ens.qmd")
    assert {"Bagging", "Boosting", "Stacking"} <= terms
    # tabs named by languages (their labels recur from set to set) stay labels, and a heading
    # inside a tab is a part of that tab, not a tab of its own
    terms, paths = _read(LANGUAGE_TABS, "/book/pen.qmd")
    assert {"Ridge", "Lasso"} <= terms and not terms & {"R", "Python"}
    assert ("Penalties", "Ridge", "R", "Arguments") in paths


def test_a_dated_meeting_or_log_names_no_concept(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "papers/2017-06-12 Attention Is All You Need.md": "Transformers use attention alone.\n",
        "journal/2024-01-08 Weekly Review.md": "Finished the loader.\n",
        "journal/2024-01-15 Weekly Review.md": "Started the trainer.\n",
        "meetings/2024-01-09 Team Sync.md": "Went over the roadmap.\n",
        "meetings/2024-01-10 Standup Notes.md": "Blocked on the data.\n",
        "meetings/2024-01-11 Meeting with Alice.md": "Alice suggested low-rank adapters.\n",
    })
    assert terms == {"Attention Is All You Need"}


@pytest.mark.no_store
def test_a_qualifier_in_brackets_is_part_of_the_name() -> None:
    note = ("# Sequence models\n\nModels that read a sequence.\n\n## (Soft) Attention\n\n"
            "Soft attention is a weighted average of every input, with weights from a softmax "
            "over scores.\n\n## (Optional) Beam search\n\nBeam search is a decoding method "
            "that keeps the best few partial outputs at each step.\n")
    terms, _ = _read(note, "/notes/seq.md")
    assert {"(Soft) Attention", "Beam search"} <= terms and "Attention" not in terms


def test_what_follows_a_lecture_s_number_is_its_subject_only_when_it_is_one(
        tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "c/Lecture 3 and 4.md": "We covered trees and forests over two lectures.\n",
        "c/lec 7 to 9.md": "Three lectures on graphs.\n",
        "c/Lecture 5 continued.md": "More of the same.\n",
        "c/lec 26 Binary Search Tree.md": "A binary search tree keeps its keys in order.\n",
    })
    assert "Binary Search Tree" in terms
    assert not terms & {"and 4", "to 9", "continued"}
