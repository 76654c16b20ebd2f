"""Round 43 (qa43): what a new user met reading a Docusaurus site of course notes and a
course's Marp slide decks; each note rebuilt here in our own words."""

from __future__ import annotations

import pytest

from grimoire.readers import read_file


def _entries(fmt: str, text: str, path: str) -> list[tuple[str, str]]:
    return [(e.term, e.definition) for d in read_file(fmt, text.encode(), path) for e in d.entries]


@pytest.mark.no_store
def test_docusaurus_admonition_fences_are_no_text() -> None:
    """A Docusaurus page boxes its definitions and asides as `:::info Definition 1` ...
    `:::` (also `:::note`, `:::tip[Title]`, VitePress's `::: warning`): `show Optimization`
    printed every fence line, `:::info Lemma 4` and the bare `:::` after each box, and so did
    search snippets and answers. The box is read as Docusaurus shows it: its title a line of
    text (no title: nothing), its body as written; a fence quoted in code stays."""
    text = ("---\ntitle: Convexity\n---\n\n"
            "Convexity is a property of sets and functions used to find minima.\n\n"
            ":::note\n\nTo find a maximum, minimise the negated function.\n\n:::\n\n"
            ":::info Definition 1\n\nA set is convex when every segment between two of its "
            "points stays inside it.\n\n:::\n\n"
            ":::tip[Why it matters]\nA local minimum of a convex function is global.\n:::\n\n"
            "::: warning\nStep sizes still matter.\n:::\n\n"
            "```md\n:::note\nquoted in a code block\n:::\n```\n")
    passages = [p for d in read_file("markdown", text.encode(), "docs/convexity.md")
                for p in d.passages]
    prose = "\n".join(p.text for p in passages if p.kind != "code")
    assert "minimise the negated function" in prose
    assert "Definition 1" in prose and "every segment between two" in prose
    assert "Why it matters" in prose and "is global" in prose and "Step sizes" in prose
    assert ":::" not in prose, prose
    code = [p.text for p in passages if p.kind == "code"]
    assert code == [":::note\nquoted in a code block\n:::"], code  # the code as written
    # The page's definition is its opening sentence, as before.
    assert _entries("markdown", text, "docs/convexity.md")[0][1].startswith("Convexity is")


@pytest.mark.no_store
def test_a_plural_title_over_a_page_that_defines_one_of_them() -> None:
    """A Docusaurus page titled in the plural ("title: Support Vector Machines") that opens
    by defining one ("Support Vector Machine (SVM) is a technique ...") and has sections
    below: `show` said "(no definition; the note opens, ...)", though the same page titled in
    the singular had its definition."""
    text = ("---\ntitle: Gaussian Processes\nsidebar_label: GP\n---\n\n"
            "Gaussian Process (GP) is a prior over functions whose every finite set of values "
            "is jointly normal. Take a small data set:\n"
            "```python\nxs = [0.1, 0.4]\n```\n\n"
            "The kernel sets how smooth the drawn functions are.\n\n"
            "### Kernels\n\nA kernel scores how alike two inputs are.\n")
    docs = read_file("markdown", text.encode(), "docs/gp.md")
    [page] = [e for d in docs for e in d.entries if e.term == "Gaussian Processes"]
    assert page.definition.startswith("Gaussian Process (GP) is a prior"), page
    # A title that only shares its opening letters stays a page with no definition.
    other = text.replace("Gaussian Processes", "Gaussian Processors")
    docs = read_file("markdown", other.encode(), "docs/gp.md")
    assert [e.definition for d in docs for e in d.entries if e.term == "Gaussian Processors"] \
        == [""]


@pytest.mark.no_store
def test_a_lettered_step_number_is_no_part_of_a_slide_title() -> None:
    """A lecture's slides number the steps of a checklist and their parts: "# 4. Prepare the
    data", "# 4a. Handling missing data", "# 4b. Handling non-numeric data". `list` showed
    "4a. Handling missing data" and three more so; "4." was dropped already."""
    deck = ("---\nmarp: true\ntitle: Preparing data\n---\n\n# Welcome back!\n\nWeek 2\n\n---\n\n"
            "# 4a. Handling missing values\n\nHandling missing values means filling or "
            "dropping the empty cells of a table before a model sees it.\n\n---\n\n"
            "# 4b. Encoding categories\n\nEncoding categories turns labels such as colours "
            "into numbers a model can use.\n")
    terms = [t for t, _ in _entries("markdown", deck, "lectures/02-data/02-prep.md")]
    assert "Handling missing values" in terms and "Encoding categories" in terms, terms
    assert not any(t[:1].isdigit() for t in terms), terms


@pytest.mark.no_store
def test_a_marp_decks_slides_are_sections_of_the_deck_not_topics() -> None:
    """A course's Marp deck (`marp: true`) opens with a greeting slide ("# Welcome to ...!")
    and gives every slide an H1: read as topics side by side, each slide with some text was a
    concept: "Grade Assessment" (a table of weights), "Textbooks and other readings" (a list
    of links), "Side tangent: Sampling bias continued", 9 of the deck's 20. The deck is one
    page named by its front matter's title, its slides its sections: a slide whose text
    defines its heading is an entry, as in the course's other decks."""
    deck = ("---\nmarp: true\npaginate: true\ntitle: Losses and metrics\n---\n\n"
            "<!--\n_class: lead\n-->\n\n# Welcome to Learning Systems!\n\nSpring term\n\n---\n\n"
            "# Grade Weights\n\n| Part | Share |\n|---|---|\n| Labs | 40% |\n| Exam | 60% |\n\n"
            "Late work loses a tenth of its marks for each day it is late, and bonus marks go "
            "to fixes of the course notes sent as pull requests.\n\n---\n\n"
            "# Books to read\n\nMain book:\n- [A practical book on learning](https://example.org)"
            "\n- [Its code](https://example.org/code)\n\n---\n\n"
            "# Cross-entropy\n\nCross-entropy measures how far predicted probabilities are "
            "from the true labels, and is the usual loss of a classifier.\n")
    terms = [t for t, _ in _entries("markdown", deck, "lectures/05/05-losses.md")]
    assert "Grade Weights" not in terms and "Books to read" not in terms, terms
    assert "Losses and metrics" in terms and "Cross-entropy" in terms, terms
    # A note that is no deck keeps its topics side by side (round 37's notebook of
    # distributions, each under its own H1).
    note = deck.replace("marp: true\n", "")
    assert "Grade Weights" in [t for t, _ in _entries("markdown", note, "lectures/05/05-losses.md")]


@pytest.mark.no_store
def test_an_assignments_instructions_page_and_its_deliverables_name_no_concept() -> None:
    """A course keeps each assignment as `assignments/assignmentN/instructions.md` under
    "# Assignment 2: <its task>", with parts "## Deliverables" and "## Marking Scheme":
    `list` showed the concepts "instructions" (twice) and "Deliverables". The numbered task
    names no concept (round 42), so the page fell back to its file's generic name."""
    text = ("# Assignment 2: Sorting card images\nDue in week 8.\n\n"
            "## Overview\n\nTrain a small network to tell the suits of playing cards apart.\n\n"
            "## Deliverables\n\nDeliverables are a notebook that runs from start to end and "
            "a short report of what you tried.\n\n"
            "## Marking Scheme\n\nMarking scheme: the code is worth half, the report half.\n")
    terms = [t for t, _ in _entries("markdown", text, "assignments/assignment2/instructions.md")]
    assert terms == [], terms


@pytest.mark.no_store
def test_a_training_log_with_a_librarys_warning_is_no_note() -> None:
    """A course kept what its training script printed beside the script
    (`mlp_n36_zero.txt`): the command, then one line per epoch with its measures, and one
    warning a plotting library printed halfway. The warning's line of more than ten words
    made it a note, titled by its first line: the concept "python3 mlp_n36_zero.py"."""
    epochs = [f"> Epoch={k}/12, Dt=9.8s, Eff: 0.{80 + k}, Obj: 0.{40 - k}" for k in range(1, 13)]
    epochs.insert(6, "/opt/lib/plotting/backend.py:2437: DeprecationWarning: Using the default "
                  "event loop until a function specific to this toolkit is written")
    log = "python3 mlp_n36_zero.py\n10000 test images\n60000 training images\n" \
        + "\n".join(epochs) + "\n"
    docs = read_file("text", log.encode(), "runs/mlp_n36_zero.txt")
    assert [d.title for d in docs] == ["mlp_n36_zero.txt"]
    assert not [e for d in docs for e in d.entries]
    assert "Epoch=3/12" in " ".join(p.text for d in docs for p in d.passages)
    # A note of measures with sentences is still a note, titled by its first line.
    note = ("Learning rate sweep\n" + "".join(f"Rate {k}: 0.{k}0\n" for k in range(1, 8))
            + "The best rate was the third one, and the runs above it did not settle at all.\n"
            + "The runs below it were slow to learn anything, and a few of them never improved.\n")
    assert [d.title for d in read_file("text", note.encode(), "notes/sweep.txt")] \
        == ["Learning rate sweep"]


@pytest.mark.no_store
def test_a_docusaurus_sidebar_label_that_abbreviates_the_title_is_an_alias() -> None:
    """Docusaurus shows a page in its sidebar by `sidebar_label`: "SVM" for "Support Vector
    Machines", "PCA" for "Principal Component Analysis". `show SVM` found no concept. A label
    that abbreviates the title is a name of the page's concept; a shorter wording ("Naive
    Bayes" for "Generative or Naive Bayes model", "Introduction") is only the sidebar's."""
    def aliases(label: str, title: str) -> tuple[str, ...]:
        text = (f"---\ntitle: {title}\nsidebar_label: {label}\n---\n\n{title} is what this "
                "page explains, step by step.\n\n### Details\n\nMore on it here.\n")
        return next(e.aliases for d in read_file("markdown", text.encode(), "docs/p.md")
                    for e in d.entries if e.term == title)
    assert aliases("SVM", "Support Vector Machines") == ("SVM",)
    assert aliases("PCA", "Principal Component Analysis") == ("PCA",)
    assert aliases("Naive Bayes", "Generative or Naive Bayes model") == ()
    assert aliases("Introduction", "Introduction to machine learning") == ()
