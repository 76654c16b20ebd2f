"""Round 41: round 40's reading leftovers (an R book's class sections, a dated file name with a
real title, a Quarto tab set's headings, a book's settings file edited in place) and what two
public repositories showed. Notes written here, in our own words; nothing of any public
repository is copied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grimoire import ingest
from grimoire.readers import read_file
from tests.readers.conftest import terms_of


def _entries(text: str, path: str) -> list[tuple[str, str | None]]:
    [doc] = read_file("markdown", text.encode(), path)
    return [(e.term, "/".join(p for p in doc.passages[0].heading_path)) for e in doc.entries]


def _terms(text: str, path: str) -> set[str]:
    return {t for t, _ in _entries(text, path)}


R_CLASSES = """---
title: "Tasks beyond regression"
---

# Tasks beyond regression

Some learning problems need more than one target column.

## Survival tasks

### TaskSurv

A survival learner needs a time column and an event column, which is why the package offers
the `r ref("TaskSurv")` object for censored data.
Build it with `r ref("as_task_surv()")` from a data frame.

### MeasureSurv

Predicted survival curves are scored against what was observed by `MeasureSurv` objects, for
example the integrated Brier score.

### Setup

We load the packages with `library(mlr3proba)` and set a seed with `set.seed(1)` so every
run draws the same folds.

### TaskDens

A density task keeps a single numeric column whose distribution a learner estimates; it is
built by `as_task_dens()`.
"""


@pytest.mark.no_store
def test_a_section_headed_by_an_identifier_its_text_shows_as_code_is_about_it() -> None:
    terms = _terms(R_CLASSES, "/book/tasks.qmd")
    assert {"TaskSurv", "MeasureSurv"} <= terms
    assert "Setup" not in terms
    # the identifier must be the heading's, shown as code: a section whose text never shows
    # it gives none, and a plain word in code ("`dropout`") is no identifier
    alone = "# Tasks\n\n## TaskDens\n\nA density task keeps one numeric column whose " \
            "distribution a learner estimates; build it with `as_task_dens()`.\n"
    assert "TaskDens" not in _terms(alone, "/book/dens.qmd")
    plain = ("# Notes\n\n## Dropout\n\nDuring training we apply `dropout` to the hidden units "
             "before the last layer.\n")
    assert "Dropout" not in _terms(plain, "/notes/n.md")


def test_a_dated_file_name_with_a_real_title_names_the_page_by_its_title(
        tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "papers/2017-06-12 Attention Is All You Need.md":
            "Transformers drop recurrence and rely on attention alone.\n",
        "journal/2023-03-05 Standup.md": "Moved the loader to a worker pool.\n",
        "journal/2023-03-06 team meeting.md": "Met the team about the loader.\n",
        "posts/2021-04-11-gaussian-mixtures.md": "A slug of a post about mixtures.\n",
    })
    assert terms == {"Attention Is All You Need"}


TABS = """---
title: "Shrinkage methods"
---

# Shrinkage methods

Shrinkage methods fit all predictors but pull their coefficients toward zero.

## Ridge Regression

Ridge regression adds the squared size of the coefficients to the least squares loss.

::: {.panel-tabset group="language"}

## R

R fits the whole path of penalties at once with the glmnet package.

```{r}
fit <- glmnet(x, y, alpha = 0)
```

## Python

Python's scikit-learn takes the penalty as `alpha`.

```{python}
model = Ridge(alpha=1.0).fit(X, y)
```

:::

### Lasso Regression

Lasso regression penalizes the absolute size of the coefficients, which sets some to zero.
"""


@pytest.mark.no_store
def test_a_quarto_tab_set_s_headings_are_no_sections() -> None:
    [doc] = read_file("markdown", TABS.encode(), "/book/shrink.qmd")
    terms = {e.term for e in doc.entries}
    assert not terms & {"R", "Python"}
    assert {"Ridge Regression", "Lasso Regression"} <= terms
    # the tabs are parts of the section they stand in, and the section after the tab set is
    # not a part of its last tab
    paths = {p.heading_path for p in doc.passages}
    assert ("Shrinkage methods", "Ridge Regression", "Python") in paths
    assert ("Shrinkage methods", "Ridge Regression", "Lasso Regression") in paths
    assert not any("Python" in p and p[-1] == "Lasso Regression" for p in paths)


@pytest.mark.no_store
def test_a_settings_file_edited_in_place_names_its_new_output_folder(tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "docs").mkdir(parents=True)
    (book / "site").mkdir()
    config = book / "_quarto.yml"
    config.write_text("project:\n  type: book\n  output-dir: docs\n")
    folder = book.stat()
    assert ingest.skipped_dir(str(book), "docs")
    assert not ingest.skipped_dir(str(book), "site")
    # rewritten in place (the folder's own time unchanged, as an editor writing the same file
    # leaves it)
    with config.open("r+") as f:
        f.write("project:\n  type: book\n  output-dir: site\n")
    os.utime(config, ns=(folder.st_atime_ns, folder.st_mtime_ns + 1_000_000_000))
    os.utime(book, ns=(folder.st_atime_ns, folder.st_mtime_ns))
    assert not ingest.skipped_dir(str(book), "docs")
    assert ingest.skipped_dir(str(book), "site")


# What two public repositories showed (a course's lecture notebooks with a glossary heading
# per lecture, an Org course file numbered "lec N"): each rule on notes written here.

TREES = """# Lecture 3: Trees and Baselines

## Announcements

The second homework is out.

## More terminology

### Depth

The depth of a tree is the number of questions on its longest path from the root.

### Decision tree with max_depth=2

Two questions in a row, then a prediction.

### Example 1: grade prediction

We predict the grade from two quizzes.

### (Optional) Gini impurity

Gini impurity is the chance that two items drawn from a node belong to different classes.

### (Bonus) Exercise 3.1

Which tree overfits the most?
"""


@pytest.mark.no_store
def test_a_lecture_s_settings_examples_and_tags_are_no_terms() -> None:
    terms = _terms(TREES, "/course/03_trees.md")
    assert {"Depth", "Gini impurity"} <= terms
    assert not {t for t in terms if "max_depth" in t or "Example" in t or "Exercise" in t
                or t.startswith("(") or t == "Announcements"}


COURSE = """#+TITLE: Data structures

* lec 12
We went over the midterm and the homework.
* lec 13 Java packages
A Java package groups related classes under one name, and its name mirrors the folders that
hold the classes.
* Lecture 14 Exceptions
An exception is an object thrown when a method cannot finish normally; a caller may catch it.
"""


def test_a_lecture_s_number_is_no_part_of_its_subject_s_name(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "ds.org": COURSE,
        "scala/week-02.org": "#+TITLE: Lec 2 Collections with higher-order methods\n\n"
                             "Map, filter and reduce each take a function and apply it "
                             "across a collection.\n",
        "plots/COPYRIGHT.txt": "Copyright 2015 -- A. Writer\n\nAll rights reserved.\n",
    })
    assert {"Java packages", "Exceptions", "Collections with higher-order methods"} <= terms
    assert not {t for t in terms if t.lower().startswith("lec") or "Copyright" in t}


@pytest.mark.no_store
def test_an_org_coderef_is_no_wanted_page() -> None:
    note = ("* Breadth-first search\n\nBreadth-first search visits every vertex and checks "
            "each of its edges once [[(edges)]], so its time is linear in the graph's size; "
            "see [[(queue)][the queue line]] and [[Depth-first search]].\n\n"
            "#+begin_src java\nfor (Edge e : v.edges()) {  (ref:edges)\n"
            "  queue.add(e.to);  (ref:queue)\n}\n#+end_src\n")
    [doc] = read_file("org", note.encode(), "/notes/bfs.org")
    targets = {x.target for p in doc.passages for x in p.links}
    assert targets == {"Depth-first search"}
