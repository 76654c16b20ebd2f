"""Round 28: what a public repository of course notes (Markdown pages, some with no heading,
named by a site's slug) gave as concept names, each shape rebuilt here in our own words.

- A page with no heading was named by its slug, "decision-tree-regression", though its
  first line writes the name in words.
- A research vault opened five notes with "# The Problem" (others "# Idea"): each note was
  named so, and lint called the five "defined differently".
- Two tools' folders of a vault each held an `Installation.md`: a "conflict".
- A vault's table linking `[[afl-compiler-rt.o.c]]`, a source file beside the notes, made it
  a wanted page.
- In a vault, a note that opens with its definition and then numbers its parts ("# 1
  Isomorphism", "# 2 Functor", as a note app's heading-numbering plugin writes them) was named
  by its first part, "1 Isomorphism", holding the definition of the note's subject.
- Five repositories' READMEs titled their collection ("Deep Learning Notes", "Machine
  learning notes"): each was a concept.
- A text file opening "We need to split data to test model's performance" was a concept of
  that name.
- A notebook with no title, whose first heading is its first step ("1. Create the Dataset"),
  was named by that step; a notebook named `Multiple_Linear_Regression_class` kept its
  underscores.
- A repository's CONTRIBUTING.md gave "Contribution guidelines" and "Pull requests" as
  concepts.
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from tests.readers.conftest import labels, notebook, write_notes


def test_a_slug_named_page_is_named_as_its_note_writes_it(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        # A heading mistyped with "@": the page has none, and its file is a slug.
        "trees/decision-tree-regression.md": "@ Decision Tree regression\n\nA tree fitted "
            "to a numeric target predicts the mean of the leaf a sample falls in.\n",
        # The note writes its slug as one hyphenated word: the file name stays the name.
        "clustering/k-means.md": "Run K-Means a few times from different seeds.\n",
        # A slug the note never writes stays as it is.
        "prep/dummy-variables.md": "```python\npd.get_dummies(df)\n```\n",
        "index.md": "# Index\n\n- [the tree page](trees/decision-tree-regression.md)\n"
                    "- [[Decision tree regression]]\n- [[k-means]]\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Decision Tree regression", "k-means", "dummy-variables"} <= found
    assert "decision-tree-regression" not in found
    # Both links, by file and by name, still lead to the page; nothing is wanted.
    assert not [w for w in kb.wanted() if "tree" in w.name.casefold()]
    assert kb.concept("decision-tree-regression").label == "Decision Tree regression"
    written = {m.target for m in kb.backlinks("Decision Tree regression")}
    assert written == {"decision-tree-regression", "Decision tree regression"}


def test_a_repositorys_files_about_itself_are_searchable_but_name_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    repo = write_notes(tmp_path / "repo", {
        "CONTRIBUTING.md": "# Contribution guidelines\n\nOpen an issue before a large "
                           "change.\n\n## Pull requests\n\nEvery pull request needs a "
                           "reviewer who did not write it.\n",
        "CODE_OF_CONDUCT.rst": "Code of conduct\n===============\n\nBe kind to reviewers.\n",
        # Lower case: a note on a container's security, not the project's policy.
        "docker/security.md": "# Container security\n\nContainer security limits what a "
                              "process inside a container may reach on its host.\n",
    })
    report = kb.ingest([repo], embed=False)
    assert report.failed == 0
    assert labels(kb) == {"Container security"}
    hits = kb.search("pull request reviewer", mode="lexical")
    assert hits and Path(hits[0].span.path).name == "CONTRIBUTING.md"


def test_a_note_that_opens_with_the_problem_is_named_by_its_file(
        kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "stats/Bootstrap.md": "# The Problem\n\nWe want the spread of an estimate and have "
                              "one sample only, so we resample it with replacement.\n",
        "stats/Kernel Smoothing.md": "# Idea\n\nA smoothed curve at each point is a "
                                     "weighted mean of the nearby observations.\n",
        "compilers/RAII.md": "# The Problem\n\nA resource acquired by hand leaks when an "
                             "exception skips the line that frees it again.\n",
        "detectron/Installation.md": "Build it from source with a compiler that matches "
                                     "the CUDA toolkit the wheels were made for.\n",
        "peft/Installation.md": "A single pip command installs the library and its small "
                                "set of required dependencies on any platform.\n",
    })
    kb.ingest([vault], embed=False)
    found = labels(kb)
    assert {"Bootstrap", "Kernel Smoothing", "RAII"} <= found
    assert not found & {"The Problem", "Idea"}
    assert "conflict" not in kb.lint().by_group()


def test_a_link_to_a_code_or_data_file_wants_no_page(kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "fuzzing/AFL.md": "# AFL\n\n| file | role |\n|---|---|\n"
                          "| [[afl-compiler-rt.o.c]] | the runtime it links in |\n"
                          "| [[train.py]] | the training loop |\n| [[weights.safetensors]] | "
                          "the model |\n\nIts web front end runs on [[Node.js]].\n",
        "fuzzing/afl-compiler-rt.o.c": "int main(void) { return 0; }\n",
    })
    kb.ingest([vault], embed=False)
    assert {w.name for w in kb.wanted()} == {"Node.js"}


def test_a_vault_note_is_named_by_its_file_when_its_first_heading_follows_its_text(
        kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "math/Category Theory.md": "A category is a collection of objects with arrows "
            "between them that compose associatively.\n\n# 1 Isomorphism\n\nAn "
            "isomorphism is an arrow with an inverse arrow.\n\n# 2 Functor\n\nA functor "
            "maps the objects and arrows of one category to another, keeping composition.\n",
        "math/Lattice.md": "# Lattice\n\nA lattice is a partial order in which every two "
                           "elements have a least upper bound and a greatest lower bound.\n",
    })
    kb.ingest([vault], embed=False)
    found = labels(kb)
    assert {"Category Theory", "Lattice"} <= found
    assert not [label for label in found if label[0].isdigit()]
    assert "category is a collection" in kb.concept("Category Theory").entries[0].entry.definition


def test_a_site_page_keeps_its_heading_after_a_generated_table_of_contents(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "cuda/cublas.md": "<!-- START doctoc -->\n**Table of Contents**\n\n- [cuBLAS](#cublas)"
                          "\n\n<!-- END doctoc -->\n\n# cuBLAS\n\ncuBLAS is a GPU library of "
                          "dense linear algebra routines.\n",
    })
    kb.ingest([notes], embed=False)
    assert "cuBLAS" in labels(kb)


def test_numbered_headings_of_a_page_lose_their_numbers(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "heaps.md": "# Heaps\n\nHeaps keep the least element at the root.\n\n"
                    "## 1 Leftist Heap\n\nA leftist heap is a heap whose left spine is never "
                    "shorter than its right spine.\n\n## 2 Binomial Heap\n\nA binomial heap "
                    "is a forest of binomial trees, at most one of each order.\n",
        # One number alone before a name is part of it.
        "physics.md": "# Orbits\n\nOrbits of planets.\n\n## 3 Body Problem\n\nThe 3 "
                      "Body Problem asks how three masses move under their mutual gravity.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Leftist Heap", "Binomial Heap", "3 Body Problem"} <= found


def test_a_readme_titling_a_collection_of_notes_names_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    repo = write_notes(tmp_path / "repo", {
        "README.md": "# Deep Learning Notes\n\nWhat I wrote down while taking a course on "
                     "neural networks, one folder a week.\n\n## Dropout\n\nDropout zeroes "
                     "a random share of a layer's units at each training step.\n",
        "week1/README.md": "# Week one notes:\n\nThe perceptron and its learning rule.\n",
        "attention/README.md": "# Attention\n\nAttention weighs the values by how well "
                               "their keys match a query.\n",
    })
    kb.ingest([repo], embed=False)
    assert labels(kb) == {"Dropout", "Attention"}


def test_a_text_file_opening_with_a_sentence_is_named_by_its_file(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "split.txt": "We need to hold data back to measure a model on what it never saw\n\n"
                     "Take a fifth of the rows at random as the test set.\n",
        "yolo.txt": "You Only Look Once\n\nA detector that predicts boxes and classes in "
                    "one pass over the image.\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"You Only Look Once"}


def test_a_notebook_whose_first_heading_is_a_step_is_named_by_its_file(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "nb", {
        "Multiple_Linear_Regression.ipynb": notebook(
            ("code", "import numpy as np"),
            ("markdown", "# 1. Create the Dataset\n\nDraw two features and a noisy target."),
            ("markdown", "# 2. Fit the Model\n\nSolve the normal equations for the weights.")),
        # Names of things joined by underscores stay as they are (a line of prose each: a
        # notebook of code alone names nothing, round 48).
        "LD_PRELOAD.ipynb": notebook(("markdown", "Loads a library before all others."),
                                     ("code", "import os")),
        "Kohya_ss.ipynb": notebook(("markdown", "A trainer for image model adapters."),
                                   ("code", "import os")),
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Multiple Linear Regression", "LD_PRELOAD", "Kohya_ss"} <= found
    assert "Create the Dataset" not in found
