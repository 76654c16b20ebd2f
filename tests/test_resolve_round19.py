"""Round 19: a page of papers read as concepts, a qualified term kept apart from its bare
name, and one wanted page listed twice under two spellings.

Every case reads files of ../shared as they are (bench/reading.py --sample 3 is the labelled
sample they came from).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.readers.conventions import is_generic_heading
from tests.conftest import seed


@pytest.fixture(scope="module")
def kb(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    vault = corpora / "google-ml-glossary-vault"
    terms = corpora / "ml-glossary-terms" / "terms"
    cheatsheet = corpora / "ml-cheatsheet-rst"
    files = [
        cheatsheet / "papers.rst", cheatsheet / "applications.rst",
        cheatsheet / "nn_concepts.rst",
        vault / "stride.md", vault / "bias (ethics_fairness).md",
        vault / "bias (math) or bias term.md",
        corpora / "hf-docs" / "transformers" / "glossary.md",
        terms / "stride-convolution.md", terms / "bias.md", terms / "facet.md",
        terms / "facets-tool.md", terms / "facet-plotting.md",
    ]
    base = grimoire.open(tmp_path_factory.mktemp("round19") / "kb.db")
    base.ingest([str(f) for f in files], embed=False)
    yield base
    base.close()


def entries_of(kb: grimoire.Grimoire, file: str) -> set[str]:
    return {e.entry.term for e in kb.entries() if Path(e.entry.span.path).name == file}


def files_of(kb: grimoire.Grimoire, name: str) -> set[str]:
    return {Path(p).name for p in kb.concept(name).sources}


def test_a_page_of_papers_names_no_concept(kb: grimoire.Grimoire) -> None:
    # The cheat sheet's Papers page lists papers, as a page of Books or Videos lists those:
    # its title is a part of the site, not a term.
    assert "Papers" not in entries_of(kb, "papers.rst")
    assert all(c.label != "Papers" for c in kb.concepts())
    assert is_generic_heading("Papers:") and is_generic_heading("Publications")
    assert not is_generic_heading("Paper") and not is_generic_heading("Paper Mill")
    # Its placeholder sections are still what the page names but has not written yet, as
    # the Applications page's topics are.
    assert {"Question Answering", "Text Summarization"} <= entries_of(kb, "applications.rst")


def test_a_qualified_term_joins_its_name_in_the_field_it_names(kb: grimoire.Grimoire) -> None:
    # "Stride (convolution)" of the term files is the stride of the vault and of the
    # Transformers glossary, whose definitions speak of convolution.
    stride = kb.concept("stride")
    assert stride.id == kb.concept("Stride (convolution)").id
    assert files_of(kb, "stride") >= {"stride.md", "glossary.md", "stride-convolution.md"}


def test_a_qualifier_keeps_other_senses_apart(kb: grimoire.Grimoire) -> None:
    # Bias in ethics is not the statistical bias of the term files, nor the cheat sheet's
    # bias term: their definitions do not speak of ethics or fairness.
    ethics = kb.concept("bias (ethics_fairness)")
    assert {"bias.md", "nn_concepts.rst"}.isdisjoint(files_of(kb, ethics.label))
    # A folder with more than one sense of a name keeps them apart: the term files' "Facet"
    # (a plot), "Facet (visualization tool)" and "Facet (disambiguation)".
    assert kb.concept("Facet (visualization tool)").id != kb.concept("Facet").id
    assert kb.concept("Facet (disambiguation)").id != kb.concept("Facet").id


def test_one_wanted_page_for_two_spellings(seeds: Path, tmp_path: Path) -> None:
    # The seeds' L page links both "supervised machine learning" and "Supervised Learning",
    # which no seed defines: one wanted page, found by either spelling.
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([str(seed("003"))], embed=False)
        pages = [p for p in kb.wanted(suggestions=False)
                 if p.norm in ("supervised learning", "supervised machine learning")]
        assert len(pages) == 1
        page = pages[0]
        assert page.name == "Supervised Learning"
        assert kb.wanted_page("supervised machine learning") == page
        assert kb.wanted_page("Supervised Learning") == page
        assert len(page.spans) >= 2
