"""A section that defines its heading is an entry of its page (issue 10, defect 12).

The golden cases in `golden/inputs/sections_*` pin the rule in each format; these tests check
it end to end on the Sphinx cheatsheet in ../shared, whose concepts are sections of pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from grimoire.readers.conventions import is_generic_heading
from grimoire.readers.sections import name_shaped


@pytest.fixture(scope="module")
def cheatsheet_db(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sections") / "kb.db"
    kb = grimoire.open(db)
    try:
        report = kb.ingest([corpora / "ml-cheatsheet-rst"], embed=False)
        assert report.failed == 0
    finally:
        kb.close()
    return db


def test_cheatsheet_sections_are_concepts(cheatsheet_db: Path) -> None:
    kb = grimoire.open(cheatsheet_db)
    try:
        for name in ("Sigmoid", "Adam", "RMSProp", "Dropout", "LSTM", "Huber"):
            concept = kb.concept(name)
            # Dropout is a section of two pages (layers, and regularization since round 22).
            found = [e.entry for e in concept.entries if e.entry.reason]
            assert len(found) == (2 if name == "Dropout" else 1), name
            for entry in found:
                assert (entry.reason or "").startswith("section of "), name
                assert entry.definition, name
        terms = {e.entry.term for e in kb.entries()}
        # Index sections (lists of links) and page parts are not concepts.
        assert not terms & {"Agriculture", "Computer Vision", "Pros", "Cons", "Code"}
    finally:
        kb.close()


def test_show_prints_why_a_section_is_an_entry(cheatsheet_db: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(cheatsheet_db), "show", "Sigmoid"])
    assert result.exit_code == 0, result.output
    assert "why an entry: section of 'Activation Functions'" in result.output
    assert "activation_functions.rst" in result.output


@pytest.mark.parametrize(
    ("heading", "why"),
    [
        ("Adam", None),
        ("Low-Rank Adaptation (LoRA)", None),
        ("Introduction", "names a part of a page"),
        ("3.2 Further reading", "names a part of a page"),
        ("Summary of acquisition functions", "names a part of a page"),
        ("How do I pick one?", "ends like a sentence"),
        ("Why dropout works", "a phrase, not a name"),
        ("Load the model", "a phrase, not a name"),
        ("Install peft", "an instruction"),
        ("Results so far:", "ends like a sentence"),
        ("A very long heading that is surely a sentence", "too long for a name"),
    ],
)
@pytest.mark.no_store
def test_name_shaped(heading: str, why: str | None) -> None:
    assert name_shaped(heading) == why


@pytest.mark.no_store
def test_generic_headings_ignore_numbering_and_case() -> None:
    assert is_generic_heading("2. REFERENCES")
    assert is_generic_heading("Code:")
    assert not is_generic_heading("Codebook")


@pytest.mark.no_store
def test_a_heading_mentioned_in_passing_is_not_an_entry() -> None:
    """Round 2, item 1: "Rewards", "Environments", "Random", "Larger Network" and "Agent
    Training" were entries because their text mentions the heading somewhere (as part of a
    longer phrase, or inside an identifier). A section is an entry when its text defines the
    heading: a sentence opens with it, ends on it after "is", or states it as a name or as an
    acronym with its expansion."""
    from grimoire.readers import markdown
    from tests.readers.golden.cases import INPUTS

    path = INPUTS / "sections_mentioned_not_defined.md"
    (doc,) = markdown.read(path.read_bytes(), str(path))
    sections = {e.term for e in doc.entries if e.reason}
    assert sections == {"Dropout", "Thompson Sampling", "HMMs", "Ordinary Least Squares", "MAE"}
    assert all("defines it" in (e.reason or "") for e in doc.entries if e.reason)


def test_topics_of_a_page_and_placeholder_sections_are_concepts(cheatsheet_db: Path) -> None:
    """Round 3: the held-out queries target sections of the cheatsheet's topic pages. On the
    Regularization page only "Ensembling" opens by defining itself, yet "Early Stopping" and
    "Data Augmentation" beside it are topics of their own; the Training page's sections hold
    only "Be the first to contribute!" and are concepts with no text yet."""
    kb = grimoire.open(cheatsheet_db)
    try:
        for name in ("Early Stopping", "Data Augmentation", "Output Layer"):
            [entry] = [e.entry for e in kb.concept(name).entries if e.entry.reason]
            assert "topics of the page" in (entry.reason or ""), name
            assert entry.definition, name
        stub = next(e.entry for e in kb.concept("Bias-Variance Tradeoff").entries)
        assert "placeholder" in (stub.reason or "")
        assert stub.definition == ""
        assert stub.span.path.endswith("training.rst")
        terms = {e.entry.term for e in kb.entries()}
        # A heading each part of a tutorial repeats is a part of the page.
        assert not terms & {"Making predictions", "Model evaluation", "Tutorials"}
    finally:
        kb.close()


def test_sections_that_open_with_a_part_or_a_list_of_sentences(cheatsheet_db: Path) -> None:
    """Round 4: "Decision Trees" holds no text of its own, only parts, and its first part
    ("Intuitions") says what a decision tree is; "Bagging" is defined by a list of sentences.
    A list of libraries ("name - what it does") stays an index."""
    kb = grimoire.open(cheatsheet_db)
    try:
        for name, start in (("Decision Trees", "Decision tree works"),
                            ("K-Nearest Neighbor", "K-Nearest Neighbor is"),
                            ("Bagging", "- Bagging")):
            [entry] = [e.entry for e in kb.concept(name).entries if e.entry.reason]
            assert "defines it" in (entry.reason or ""), name
            assert entry.definition.startswith(start), name
        decision = next(e.entry for e in kb.concept("Decision Trees").entries)
        # The entry covers every part of its section, down to its code.
        assert decision.span.end_line - decision.span.start_line > 100
        terms = {e.entry.term for e in kb.entries()}
        assert not terms & {"Gesture Detection", "Sequence Analysis", "Neural networks"}
    finally:
        kb.close()


@pytest.mark.no_store
def test_opening_parts_and_sentence_lists_in_markdown(tmp_path: Path) -> None:
    from grimoire.readers import markdown

    note = tmp_path / "models.md"
    note.write_text(
        "# Models\n\nSome models we use.\n\n"
        "## Gradient Boosting\n\n### Overview\n\n"
        "Gradient boosting fits each new tree to the errors left by the trees before it.\n\n"
        "### Code\n\n```python\nfit()\n```\n\n"
        "## Stacking\n\n- Stacking trains a second model on the outputs of the first ones.\n"
        "- It is often used in competitions with many strong models.\n\n"
        "## Toolkits\n\n- xgb - A fast library of boosted trees for many languages.\n"
        "- lgbm - Another library of boosted trees with histogram splits.\n",
        encoding="utf-8")
    (doc,) = markdown.read(note.read_bytes(), str(note))
    entries = {e.term: e for e in doc.entries if e.reason}
    assert set(entries) == {"Gradient Boosting", "Stacking"}
    assert entries["Gradient Boosting"].span.end_line >= 14  # its Code part is inside


def test_a_family_of_names_is_read_whole(cheatsheet_db: Path) -> None:
    """Round 6: under "Layers", "Hidden Layer" defines itself and "Output Layer" is a topic
    beside it, but "Input Layer" was left out because its text uses its name in passing
    ("each neuron in the input layer ..."). Names of one kind, most of them entries, are
    entries all; a heading used in passing among names of other kinds still is not."""
    kb = grimoire.open(cheatsheet_db)
    try:
        [entry] = [e.entry for e in kb.concept("Input Layer").entries if e.entry.reason]
        assert "parallel names of one kind" in (entry.reason or "")
        assert entry.definition.startswith("Holds the data")
        assert entry.span.path.endswith("nn_concepts.rst")
    finally:
        kb.close()
