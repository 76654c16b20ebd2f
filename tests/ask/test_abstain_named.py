"""Ask on real notes, round 24 (bench/README.md, "Round 24 (abst25)"): which passages a
question names most closely, for `named_but_empty`. A section is named more closely when the
question writes its page's name right after its own ("hierarchical clustering": the section
"Hierarchical" of "Clustering Algorithms"), by one side of an "A vs. B" heading, or by a name
without its closing kind word ("Model-Based Approaches"); a comparison is silent only when
neither of the things it compares says anything."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire.ask import NOT_COVERED, gather, named_but_empty
from tests.conftest import ask_notes


def test_a_section_named_with_its_page_is_named_most_closely(tmp_path: Path,
                                                             corpora: Path) -> None:
    # "Hierarchical" under "Clustering Algorithms" says only "Be the first to contribute!";
    # the glossary's "Clustering" entry, named in one word as the section was, has text, so
    # over the whole cheatsheet a library list's "Agglomerative hierarchical clustering
    # implemented in ..." answered (here the answer's confidence alone may refuse it: the
    # rule is asked directly).
    cheatsheet = corpora / "ml-cheatsheet-rst"
    question = "What does a dendrogram show in hierarchical clustering?"
    with grimoire.open(tmp_path / "notes.db") as base:
        base.ingest([str(cheatsheet / "clustering_algos.rst"), str(cheatsheet / "glossary.rst")])
        assert named_but_empty(question, gather(base.searcher, question))


def test_one_side_of_a_versus_heading_names_it(tmp_path: Path, corpora: Path) -> None:
    # The section "Model-Free vs. Model-Based Approaches" holds only "TODO"; the page's
    # Q-learning sentence ("... based on the current estimated Q* ...") answered.
    page = corpora / "ml-cheatsheet-rst" / "reinforcement_learning.rst"
    answer = ask_notes(tmp_path, [page], "How do model-based reinforcement learning methods work?")
    assert answer.abstained and answer.answer.startswith(NOT_COVERED), answer.answer


def test_a_comparison_is_answered_by_the_side_that_says_something(tmp_path: Path,
                                                                   corpora: Path) -> None:
    # "Global Average Pooling (GAP)" is a title-only entry, named in three words; the pooling
    # layer's entry, named in two others, says what a pooling layer is and lists GAP among
    # its kinds. The question was refused as asked about the empty entry alone.
    terms = corpora / "ml-glossary-terms" / "terms"
    pages = [terms / "pooling-layer.md", terms / "global-average-pooling-gap.md"]
    answer = ask_notes(tmp_path, pages,
                       "How is a pooling layer different from global average pooling?")
    assert not answer.abstained, answer.answer
    assert any(c.span.path.endswith("pooling-layer.md") for c in answer.citations)


def test_a_title_only_entry_named_by_its_acronyms_end(tmp_path: Path, corpora: Path) -> None:
    # "Temporal Generative Adversarial Network (TGAN)" is a title-only entry: "temporal GAN"
    # names it by "GAN", the end of its acronym, and "temporal", the word its "T" stands
    # for, more closely than the GAN entry, which answered with what a GAN is for.
    terms = corpora / "ml-glossary-terms" / "terms"
    pages = [terms / "generative-adversarial-network-gan.md",
             terms / "temporal-generative-adversarial-network-tgan.md"]
    answer = ask_notes(tmp_path, pages, "What does a temporal GAN generate?")
    assert answer.abstained and answer.answer.startswith(NOT_COVERED), answer.answer


def test_a_definition_asked_by_the_acronyms_end_is_about_the_entry(tmp_path: Path,
                                                                   corpora: Path) -> None:
    # "deep convolutional GAN" is "Deep Convolutional Generative Adversarial Network
    # (DCGAN)": "GAN" is no word of that name, so the answer was refused as not about the
    # thing asked (`subject_missing`).
    terms = corpora / "ml-glossary-terms" / "terms"
    pages = [terms / "deep-convolutional-generative-adversarial-network-dcgan.md",
             terms / "generative-adversarial-network-gan.md"]
    answer = ask_notes(tmp_path, pages, "What is a deep convolutional GAN?")
    assert not answer.abstained, answer.answer
    assert answer.citations[0].span.path.endswith("dcgan.md"), answer.citations
