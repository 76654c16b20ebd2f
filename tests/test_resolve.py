"""Resolve on real files: concepts merged on evidence, links resolved or wanted."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import grimoire
from grimoire.errors import GrimoireError, NotFound
from grimoire.resolve.links import _PAGE_FILES, _by_path
from grimoire.resolve.types import LinkRow
from tests.conftest import seed, write_notes


@pytest.fixture(scope="module")
def kb(seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> grimoire.Grimoire:
    base = grimoire.open(tmp_path_factory.mktemp("seeds") / "kb.db")
    base.ingest(sorted(str(p) for p in seeds.glob("0*.txt")), embed=False)
    return base


def sources_of(kb: grimoire.Grimoire, name: str) -> set[str]:
    return {Path(p).name[:3] for p in kb.concept(name).sources}


def test_lora_merges_glossary_entry_with_acronym_heading(kb: grimoire.Grimoire) -> None:
    lora = kb.concept("LoRA")
    assert sources_of(kb, "LoRA") == {"000", "003"}
    assert kb.concept("Low-Rank Adaptation (LoRA) Fine-Tuning").id == lora.id
    assert kb.concept("low rank adaptation").id == lora.id
    assert lora.kind == "Fine-Tuning"
    assert [e.entry.term for e in lora.entries] == [
        "LoRA", "Low-Rank Adaptation (LoRA) Fine-Tuning"]
    (merge,) = lora.merges
    assert "acronym" in merge.reason and merge.name == "LoRA"


@pytest.mark.parametrize("name", ["L1 Regularization", "L2 Regularization", "Logit",
                                  "Lasso Regression"])
def test_same_name_in_two_glossaries_is_one_concept(kb: grimoire.Grimoire, name: str) -> None:
    c = kb.concept(name)
    assert sources_of(kb, name) == {"000", "003"}
    assert len(list(c.entries)) == 2
    assert all("same name" in m.reason for m in c.merges if name != "L2 Regularization")


def test_mi_merges_with_the_wiki_section_that_spells_it_out(kb: grimoire.Grimoire) -> None:
    mi = kb.concept("MI")
    assert sources_of(kb, "MI") == {"000", "004"}
    assert kb.concept("Mechanistic Interpretability").id == mi.id
    (section,) = mi.sections
    assert section.heading == "Mechanistic Interpretability"
    assert Path(section.span.path).name.startswith("004") and section.span.start_line == 10
    assert any(n.name == "Mechanistic Interpretability" and n.reason == "definition"
               for n in mi.names)


def test_lookup_ignores_case_hyphens_plurals_and_acronym_case(kb: grimoire.Grimoire) -> None:
    assert kb.concept("l1 regularization").id == kb.concept("L1-Regularizations").id
    assert kb.concept("MoE").id == kb.concept("MOE").id == kb.concept("mixture of experts").id


def test_redirect_becomes_an_alias_not_a_concept(kb: grimoire.Grimoire) -> None:
    ridge = kb.concept("Ridge Regression")
    assert ridge.label == "L2 Regularization"
    assert [r.entry.term for r in ridge.redirects] == ["Ridge Regression"]
    assert "Ridge Regression" not in [c.label for c in kb.concepts()]


def test_softmax_bracket_link_resolves_with_backlinks(kb: grimoire.Grimoire) -> None:
    back = kb.backlinks("softmax")
    assert {m.concept for m in back} >= {"Argmax", "Cross Entropy", "Logit"}
    assert all(m.status == "resolved" for m in back)
    assert "softmax" not in {w.norm for w in kb.wanted(suggestions=False)}


def test_wanted_pages_ranked_with_their_lines(kb: grimoire.Grimoire) -> None:
    wanted = kb.wanted(suggestions=False)
    by_name = {w.name: w for w in wanted}
    assert "Unlabelled Data Algorithm" in by_name
    assert "Gradient Descent Algorithm" in by_name
    gd = by_name["Gradient Descent Algorithm"]
    assert gd.count >= 2 and all(Path(s.path).name.startswith("003") for s in gd.spans)
    counts = [w.count for w in wanted]
    assert counts == sorted(counts, reverse=True)


def test_lost_link_markers_are_not_wanted(kb: grimoire.Grimoire) -> None:
    names = {w.norm for w in kb.wanted(suggestions=False)}
    assert not names & {"yt", "video", "0", "1", "n m", "0 1", "x"}
    assert "l" not in names  # the glossary's letter heading in "See also L, ..."


def test_link_to_acronym_and_link_stating_its_acronym_resolve(kb: grimoire.Grimoire) -> None:
    lora = kb.concept("LoRA")
    targets = {m.target: m.concept for m in lora.links}
    assert targets["parameter-efficient fine-tuning (PEFT)"] == "PEFT"
    assert targets["PEFT"] == "PEFT"
    assert any(m.concept == "PEFT" for m in lora.backlinks)


def test_acronym_shared_by_two_concepts_is_ambiguous_not_merged(kb: grimoire.Grimoire) -> None:
    with pytest.raises(NotFound) as caught:
        kb.concept("LDA")
    assert set(caught.value.suggestions) == {"Latent Dirichlet Allocation (LDA)",
                                             "Linear Discriminant Analysis (LDA)"}
    assert kb.concept("Long Short-Term Memory (LSTM) Cell").id != \
        kb.concept("Long Short-Term Memory (LSTM) Network").id


def test_did_you_mean(kb: grimoire.Grimoire) -> None:
    with pytest.raises(NotFound) as caught:
        kb.concept("softmx")
    assert caught.value.suggestions[0] == "Softmax"
    dead = {d.target: d for d in kb.dead_links()}
    assert dead["Gradient Descent Algorithm"].status == "wanted"


def test_multi_source_concepts_for_lint(kb: grimoire.Grimoire) -> None:
    labels = {c.label for c in kb.multi_source()}
    assert {"L1 Regularization", "L2 Regularization", "Logit", "Lasso Regression",
            "Low-Rank Adaptation (LoRA)"} <= labels


def test_reingest_is_incremental_and_overrides_survive(seeds: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for prefix in ("000", "003"):
        (notes / seed(prefix).name).write_bytes(seed(prefix).read_bytes())
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([notes], embed=False)
    lora_id = kb.concept("LoRA").id
    assert sources_of(kb, "LoRA") == {"000", "003"}

    (notes / "grimoire.toml").write_text(
        '[[split]]\nnames = ["LoRA", "Low-Rank Adaptation (LoRA) Fine-Tuning"]\n'
        '[[join]]\nnames = ["BLEU", "ROUGE"]\nreason = "both n-gram metrics"\n'
        '[[alias]]\nname = "Softmax"\naliases = ["normalized exponential"]\n')
    assert sources_of(kb, "LoRA") == {"000"}  # the override is read on the next lookup
    assert sources_of(kb, "Low-Rank Adaptation (LoRA) Fine-Tuning") == {"003"}
    bleu = kb.concept("BLEU")
    assert bleu.id == kb.concept("ROUGE").id
    assert any("grimoire.toml" in m.reason for m in bleu.merges)
    assert kb.concept("normalized exponential").label == "Softmax"

    kb.ingest([notes], embed=False)  # nothing changed: rules still hold
    assert sources_of(kb, "LoRA") == {"000"}
    (notes / "grimoire.toml").unlink()
    assert sources_of(kb, "LoRA") == {"000", "003"}
    assert kb.concept("LoRA").id == lora_id  # a concept keeps its id by key
    kb.close()


def test_a_folder_ingested_by_another_process_brings_its_overrides(
        seeds: Path, tmp_path: Path) -> None:
    # A knowledge base keeps its list of ingested folders between lookups, and asks the store
    # again after any write: a folder ingested through another connection (as another process
    # would), with its grimoire.toml, counts on this one's next lookup.
    notes, more = tmp_path / "notes", tmp_path / "more"
    for folder, prefix in ((notes, "000"), (more, "003")):
        folder.mkdir()
        (folder / seed(prefix).name).write_bytes(seed(prefix).read_bytes())
    (more / "grimoire.toml").write_text(
        '[[split]]\nnames = ["LoRA", "Low-Rank Adaptation (LoRA) Fine-Tuning"]\n')
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([notes], embed=False)
    assert sources_of(kb, "LoRA") == {"000"}
    with grimoire.open(tmp_path / "kb.db") as other:
        other.ingest([more], embed=False)
    assert sources_of(kb, "LoRA") == {"000"}
    assert sources_of(kb, "Low-Rank Adaptation (LoRA) Fine-Tuning") == {"003"}
    (more / "grimoire.toml").unlink()
    assert sources_of(kb, "LoRA") == {"000", "003"}  # a file's edit, no write: still seen
    kb.close()


def test_bad_override_file_names_the_file(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "a.md": "# A\n\nSome text.\n",
        "grimoire.toml": "[[join]\nnames = 1\n",
    })
    kb = grimoire.open(tmp_path / "kb.db")
    with pytest.raises(grimoire.GrimoireError) as caught:
        kb.ingest([notes], embed=False)
    assert "grimoire.toml" in str(caught.value)


def test_vault_redirect_notes_become_aliases(corpora: Path, tmp_path: Path) -> None:
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([corpora / "google-ml-glossary-vault"], embed=False)
    report = kb.resolve()
    assert report.entries > 550 and report.concepts < report.entries
    assert report.resolved > report.wanted
    llm = kb.concept("LLM")
    assert normalizes_to(llm.label, "large language model")
    assert any(r.entry.term == "LLM" for r in llm.redirects)
    assert "LLM" not in [c.label for c in kb.concepts()]
    dqn = kb.concept("DQN")
    assert dqn.id == kb.concept("Deep Q-Network").id
    kb.close()


def normalizes_to(label: str, norm: str) -> bool:
    return grimoire.names.normalize(label) == norm  # type: ignore[attr-defined]


def test_every_corpus_resolves_and_wanted_agrees_with_lookup(corpora: Path,
                                                             tmp_path: Path) -> None:
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([corpora], embed=False)
    report = kb.resolve()
    assert report.entries > 1000 and 800 < report.concepts < report.entries
    assert report.resolved > 5 * report.wanted
    # a wanted name is one no concept answers to: broken links and lookups agree
    for page in kb.wanted(suggestions=False):
        with pytest.raises(NotFound):
            kb.concept(page.name)
    multi = kb.multi_source()
    collections = ({Path(p).relative_to(corpora).parts[0] for p in c.sources} for c in multi)
    assert any(len(names) > 1 for names in collections)
    kb.close()


def test_a_misspelt_rule_in_grimoire_toml_is_named_not_ignored(tmp_path: Path) -> None:
    # `[[jion]]` (for [[join]]) was read as nothing at all: the merge the user asked for never
    # happened, and no word said why.
    notes = write_notes(tmp_path / "notes", {
        "a.md":
                "# Top-P Sampling\n\nSample from the smallest set of tokens "
                "whose probability adds up to p.\n",
        "grimoire.toml":
                '[[join]]\nnames = ["Top-P Sampling", "Nucleus Sampling"]\n\n'
                '[[jion]]\nnames = ["Top-P Sampling", "Top-P"]\n',
    })
    with grimoire.open(tmp_path / "kb.db") as kb, pytest.raises(GrimoireError) as caught:
        kb.ingest([notes], embed=False)
    assert str(caught.value) == (
        f"{notes / 'grimoire.toml'}:4: unknown table [[jion]]: a grimoire.toml holds "
        "[[join]], [[split]] and [[alias]]")


# -- a link by its path (`resolve/links.py`, `_by_path`) ---------------------------------------

_PARTS = st.sampled_from(["a", "b", ".", "..", "", "index.md", "a.md", "b.rst", "README.md",
                          "_index.md", "x.html", "c d"])


def _every_path(link: LinkRow, target: str, documents: dict[str, int],
                doc_first: dict[int, int]) -> int | None:
    """`_by_path` as it was before the last-name gate: every candidate path built."""
    rel = unquote(target.split("#", 1)[0])
    if link.kind not in ("markdown", "wikilink", "embed", "doc") or not documents or not rel:
        return None
    stem = rel.rstrip("/")
    for base in (posixpath.dirname(link.path), posixpath.splitext(link.path)[0]):
        for ext in _PAGE_FILES:
            doc = documents.get(posixpath.normpath(posixpath.join(base, stem + ext)))
            if doc is not None and doc in doc_first:
                return doc_first[doc]
    return None


@settings(max_examples=400, deadline=None)
@given(files=st.lists(st.lists(_PARTS, min_size=1, max_size=4), min_size=1, max_size=6),
       target=st.lists(_PARTS, min_size=1, max_size=4), slash=st.booleans(),
       here=st.lists(_PARTS.filter(lambda p: p not in ("", ".", "..")), min_size=1, max_size=3))
@pytest.mark.no_store
def test_a_link_by_path_finds_what_every_candidate_path_finds(
        files: list[list[str]], target: list[str], slash: bool, here: list[str]) -> None:
    """The gate on a candidate's last name (a path is built only for a name some document
    has) finds the file every candidate path finds, with `.`, `..`, empty parts, folder
    indexes and a trailing slash in the link."""
    documents = {posixpath.normpath("/v/" + "/".join(parts)): i for i, parts in enumerate(files)}
    doc_first = {i: 100 + i for i in documents.values()}
    link = LinkRow(id=1, document_id=0, entry_id=None, path="/v/" + "/".join(here), line=1,
                   target="/".join(target) + ("/" if slash else ""), label=None,
                   kind="markdown", fragment=None, exists_hint=None)
    names = {posixpath.basename(p) for p in documents}
    assert _by_path(link, link.target, documents, doc_first, names) == _every_path(
        link, link.target, documents, doc_first)


NEURAL_NETWORK = "---\ntitle: Neural network\n---\n"
ZERO_PADDING = (
    "---\ntitle: Zero padding\nrelated_terms:\n- neural-network\n---\n"
    "## Signal processing\n"
    "Here zero padding means appending zeros to a sampled signal so that its length becomes "
    "a power of two before a transform.\n\n"
    "## Neural networks\n"
    "Here zero padding means a border of zeros drawn around an input grid, so that a filter "
    "sliding over it keeps the output as wide as the input.\n")


@pytest.mark.parametrize("at_once", [True, False])
def test_a_section_of_another_term_s_page_is_no_source_of_the_concept_its_heading_names(
    tmp_path: Path, at_once: bool,
) -> None:
    # "## Neural networks" on the term page "Zero padding" says what zero padding is in
    # neural networks: it is part of that page's entry, not a page section about neural
    # networks (`ask "what is a neural network?"` answered with zero padding). Resolved
    # whole, and incrementally when the padding page comes after the concept it names.
    root = write_notes(tmp_path / "terms", {
        "neural-network.md": NEURAL_NETWORK,
        "zero-padding.md": ZERO_PADDING,
    })
    with grimoire.open(tmp_path / "kb.db") as kb:
        if at_once:
            kb.ingest([str(root)], embed=False)
        else:
            kb.ingest([str(root / "neural-network.md")], embed=False)
            kb.ingest([str(root)], embed=False)
        assert [e.entry.span.end_line for e in kb.concept("Zero padding").entries] == [10]
        assert list(kb.concept("Neural network").sections) == []
        kb.resolve()
        assert list(kb.concept("Neural network").sections) == []
