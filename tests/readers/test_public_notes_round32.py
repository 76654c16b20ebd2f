"""Round 32: what more public notes (and qa31's course notes) gave as concepts, wanted pages,
lint findings and graph links, each shape rebuilt here in our own words.

- Lint reported a conflict for every pair of a concept's entries: a name four notes use for
  four different things gave six findings, 59 notes 1,711.
- A course's folders each open with a README titled "<Topic> — A to Z" whose table links every
  note of the folder: the links sat outside any entry, left from no concept, and the graph of
  299 concepts had no link.
- A note opened with a remark about its writer, then asked "What is <subject>?" and answered
  it: the concept showed the remark as its definition.
- A note printed to PDF from a browser kept its file's stem as the PDF's title ("pca_ica"),
  and its HTML export its file name (`<title>pca_ica.md</title>`): a concept of that name, or
  none, beside the note's own.
- A Logseq page renamed without its outline number ("5.1 Optical Flow" to "Optical Flow") left
  links to the old name: wanted pages with no "did you mean".
- A course site's numbered problems ("Problem 1" in three units), its docsify `_sidebar.md`,
  a lesson's "Implementation Code" / "Hands-on Python Implementation" (four notes and their
  notebooks each), a lecture's "Comments" and a Russian note's reading list ("Литература")
  were concepts.
- A vault's hub note `NLP.md` opened with `# [[Text Preprocessing]]`: titled by the note it
  links to, it was that concept too, in conflict with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.knowledge import Grimoire
from grimoire.readers import read_file
from tests.readers._pdfgen import pdf_bytes
from tests.readers.conftest import labels, write_notes

_MEANINGS = (
    "A reservoir is the pool of unlabelled examples set aside for an active learner to query.",
    "A reservoir is the fixed random recurrent layer of an echo state network, never trained.",
    "A reservoir holds a uniform sample drawn from a stream whose length nobody knows in advance.",
    "A reservoir is the buffer of past transitions an agent replays while improving its policy.",
)


def test_a_name_defined_differently_in_many_notes_is_one_conflict(kb: Grimoire,
                                                                  tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        f"topic{i}/reservoir.md": f"# Reservoir\n\n{text}\n" for i, text in enumerate(_MEANINGS)
    })
    kb.ingest([notes], embed=False)
    conflicts = [f for f in kb.lint().findings if f.group == "conflict"]
    assert len(conflicts) == 1
    (finding,) = conflicts
    assert finding.concept == "Reservoir"
    assert finding.others is not None and len(finding.others) == 3
    places = {finding.span.path, *(s.path for s in finding.others)}
    assert places == {str(notes / f"topic{i}/reservoir.md") for i in range(4)}
    assert finding.other == finding.others[0]
    assert "here and in" in finding.message and finding.message.count("reservoir.md") == 3


def test_the_conflict_is_at_the_note_that_differs_from_the_others(kb: Grimoire,
                                                                  tmp_path: Path) -> None:
    same = "A reservoir is the pool of unlabelled examples set aside for an active learner"
    notes = write_notes(tmp_path / "notes", {
        "a/reservoir.md": f"# Reservoir\n\n{same} to query.\n",
        "b/reservoir.md": f"# Reservoir\n\n{same} to label next.\n",
        "c/reservoir.md": f"# Reservoir\n\n{_MEANINGS[1]}\n",
        "d/reservoir.md": "# Reservoir\n\nToo short to compare.\n",
    })
    kb.ingest([notes], embed=False)
    (finding,) = [f for f in kb.lint().findings if f.group == "conflict"]
    assert finding.span.path.endswith("c/reservoir.md")
    assert finding.others is not None
    assert [s.path[-14:] for s in finding.others] == ["a/reservoir.md", "b/reservoir.md"]
    assert finding.message.endswith("../a/reservoir.md:1-3 and ../b/reservoir.md:1-3")

def test_two_notes_that_disagree_are_one_conflict_as_before(kb: Grimoire,
                                                            tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "a/reservoir.md": f"# Reservoir\n\n{_MEANINGS[0]}\n",
        "b/reservoir.md": f"# Reservoir\n\n{_MEANINGS[1]}\n",
    })
    kb.ingest([notes], embed=False)
    (finding,) = [f for f in kb.lint().findings if f.group == "conflict"]
    assert finding.message == "'Reservoir' is defined differently here and in ../a/reservoir.md:1-3"
    assert finding.span.path.endswith("b/reservoir.md") and finding.others == (finding.other,)


def test_an_index_page_links_from_its_own_concept(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "boosting/README.md": "# Boosting — A to Z\n\nWhat I wrote down while learning gradient "
                              "boosted trees.\n\n## Contents\n\n| # | Note |\n|---|---|\n"
                              "| 1 | [Shrinkage](01-shrinkage.md) |\n"
                              "| 2 | [Tree depth](02-depth.md) |\n",
        "boosting/01-shrinkage.md": "# Shrinkage\n\nShrinkage scales each new tree's "
                                    "contribution by a learning rate below one.\n",
        "boosting/02-depth.md": "# Tree depth\n\nTree depth limits how many splits each weak "
                                "learner may make before it stops.\n",
    })
    kb.ingest([notes], embed=False)
    index = kb.concept("Boosting — A to Z")
    assert {m.concept for m in index.links if m.status == "resolved"} >= {"Shrinkage", "Tree depth"}
    assert [m.concept for m in kb.concept("Shrinkage").backlinks] == ["Boosting — A to Z"]


def test_a_link_to_a_renamed_numbered_page_suggests_the_page(kb: Grimoire,
                                                             tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "pages/Motion Tracking.md": "- Approaches\n  - [[3.2 Phase Correlation]] compares "
                                    "two frames in the frequency domain\n",
        "pages/Phase Correlation.md": "- Phase correlation finds the shift between two "
                                      "images from the phase of their cross-power spectrum\n",
    })
    kb.ingest([notes], embed=False)
    (finding,) = [f for f in kb.lint().findings if f.group == "wanted"]
    assert finding.concept == "3.2 Phase Correlation"
    assert finding.message.endswith("did you mean Phase Correlation?")


def test_a_note_that_asks_what_its_subject_is_is_defined_by_the_answer(kb: Grimoire,
                                                                       tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "03-strides.md": "# 03 — Strides\n\nI kept getting this wrong in exercises, so here "
                         "it is slowly.\n\n## What are strides?\n\nStrides are the steps in "
                         "bytes an array takes along each axis to reach its next element.\n\n"
                         "## An example\n\nA transposed view swaps them without a copy.\n",
        # ... and a lead that names its subject stays its definition
        "04-views.md": "# Views\n\nA view is an array that shares another array's memory."
                       "\n\n## What is a view?\n\nSlicing returns one; copying does not.\n",
    })
    kb.ingest([notes], embed=False)
    (strides,) = kb.concept("Strides").entries
    assert strides.entry.definition.startswith("Strides are the steps")
    assert (strides.entry.span.start_line, strides.entry.span.end_line) == (1, 7)
    (views,) = kb.concept("Views").entries
    assert views.entry.definition.startswith("A view is an array")


@pytest.mark.no_store
def test_a_copy_printed_or_exported_from_a_note_is_named_by_its_heading(tmp_path: Path) -> None:
    title = "Mixture Models and Expectation Maximisation"
    printed = pdf_bytes([["The two steps alternate until the likelihood stops rising."]],
                        title="mixtures_em", heading=title)
    (doc,) = read_file("pdf", printed, str(tmp_path / "mixtures_em.pdf"))
    assert doc.title == title
    exported = (f"<html><head><title>mixtures_em.md</title></head><body><h1 id='top'>{title}"
                "</h1><p>The two steps alternate until the likelihood stops rising.</p>"
                "</body></html>").encode()
    (page,) = read_file("html", exported, str(tmp_path / "mixtures_em_export.html"))
    assert page.title == title
    # a PDF whose title is its own is named by it
    (paper,) = read_file("pdf", pdf_bytes([["Some text."]], title="Optimizers, briefly"),
                         str(tmp_path / "optimizers.pdf"))
    assert paper.title == "Optimizers, briefly"


def test_numbered_problems_navigation_and_a_lessons_parts_name_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "site", {
        "_sidebar.md": "- Unit 1\n  - [Problem 1](unit1/prob1.md)\n  - [Margins](unit1/svm.md)\n",
        "unit1/prob1.md": "# Problem 1\n\nShow that the perceptron converges when the data "
                          "are separable with a positive margin.\n",
        "unit1/svm.md": "# Margins\n\nThe margin is the distance from the separating "
                        "hyperplane to the closest training point.\n\n## Comments\n\nThe "
                        "lecture skipped the soft-margin case for lack of time.\n",
        "lessons/scaling.md": "# Min-max scaling\n\nMin-max scaling maps each feature onto the "
                              "unit interval by its smallest and largest value.\n\n"
                              "## Hands-on Python Implementation\n\nThe scaler is fitted on "
                              "the training split and applied to both splits.\n\n"
                              "## Implementation Code\n\nThe same steps as a function that "
                              "returns the scaled array.\n",
        "ru/spark.md": "# Spark\n\nSpark распределяет вычисления по узлам кластера.\n\n"
                       "## Литература\n\nКнига о Spark и статья о его устройстве.\n",  # noqa: RUF001
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert not {"Problem 1", "_sidebar", "Comments", "Hands-on Python Implementation",
                "Implementation Code", "Литература"} & found
    assert {"Margins", "Min-max scaling", "Spark"} <= found
    assert not any(f.startswith("prob") for f in found)


def test_a_heading_that_only_links_a_note_does_not_name_its_own(kb: Grimoire,
                                                                tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "vault", {
        "Speech.md": "\n# [[Feature Extraction]]\n\n# Acoustic Models\n\n"
                     "1. [[Hidden Markov Model]]\n2. [[Connectionist Temporal Classification]]\n",
        "Feature Extraction.md": "- ## [[Spectrogram]]\n- ## [[Mel Filter Bank]]\n\n"
                                 "Feature extraction turns a waveform into frames of numbers "
                                 "a model can read.\n",
    })
    kb.ingest([notes], embed=False)
    (entry,) = kb.concept("Feature Extraction").entries
    assert entry.entry.span.path.endswith("Feature Extraction.md")
    assert "Speech" in labels(kb)
    assert not [f for f in kb.lint().findings if f.group == "conflict"]


def test_a_conflict_names_no_note_that_agrees_with_its_place(kb: Grimoire,
                                                             tmp_path: Path) -> None:
    # review32: two notes give one meaning and two another: every entry disagrees with two
    # others, the last ('d') is the place, and 'c', which says what 'd' says, was named as
    # defining it differently (and was `other`, the place to compare with).
    active = "A reservoir is the pool of unlabelled examples set aside for an active learner"
    echo = "A reservoir is the fixed random recurrent layer of an echo state network"
    notes = write_notes(tmp_path / "notes", {
        "a/reservoir.md": f"# Reservoir\n\n{active} to query.\n",
        "b/reservoir.md": f"# Reservoir\n\n{active} to label next.\n",
        "c/reservoir.md": f"# Reservoir\n\n{echo}, never trained.\n",
        "d/reservoir.md": f"# Reservoir\n\n{echo}, left as it was drawn.\n",
    })
    kb.ingest([notes], embed=False)
    (finding,) = [f for f in kb.lint().findings if f.group == "conflict"]
    here = finding.span.path[-14:-13]
    agree = {"a": "b", "b": "a", "c": "d", "d": "c"}[here]
    assert finding.other is not None and finding.other.path[-14:-13] != agree
    assert f"{agree}/reservoir.md" not in finding.message, finding.message
    assert finding.others is not None  # every place that disagrees with another, for scripts
    assert {s.path[-14:-13] for s in finding.others} == {"a", "b", "c", "d"} - {here}


@pytest.mark.no_store
def test_a_paper_saved_under_its_own_title_keeps_it(tmp_path: Path) -> None:
    # review32: a PDF whose /Title is its file's stem was taken for a page printed from a
    # browser, and named by its largest type: a paper saved as "Attention Is All You
    # Need.pdf" was "Proceedings of NeurIPS 2017" (its venue line), or its first sentence.
    title = "Attention Is All You Need"
    body = ["Attention replaces recurrence with self-attention across the whole sequence."]
    for heading in ("Proceedings of NeurIPS 2017", None):
        (paper,) = read_file("pdf", pdf_bytes([body], title=title, heading=heading),
                             str(tmp_path / f"{title}.pdf"))
        assert paper.title == title
    (one,) = read_file("pdf", pdf_bytes([body], title="Transformers", heading="Lecture 9"),
                       str(tmp_path / "Transformers.pdf"))
    assert one.title == "Transformers"
