"""Round 18: spellings that split one concept, labels two concepts shared, labels that
followed the order files were read, and a corpus's SOURCE.txt read as a note.

Every case reads files of ../shared as they are (bench/reading.py --sample 2 is the labelled
sample they came from).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.readers import metadata_file
from grimoire.resolve.merge import spelling_names
from tests.conftest import seed


@pytest.fixture(scope="module")
def kb(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    vault = corpora / "google-ml-glossary-vault"
    terms = corpora / "ml-glossary-terms" / "terms"
    files = [
        vault / "pre-trained model.md", vault / "supervised machine learning.md",
        vault / "semi-supervised learning.md", vault / "multi-head self-attention.md",
        vault / "self-attention (also called self-attention layer).md",
        vault / "Long Short-Term Memory (LSTM).md",
        corpora / "hf-docs" / "transformers" / "glossary.md",
        terms / "supervised-learning.md", terms / "long-short-term-memory-lstm.md",
        corpora / "ml-cheatsheet-rst" / "activation_functions.rst",
        seed("003"),
    ]
    base = grimoire.open(tmp_path_factory.mktemp("round18") / "kb.db")
    base.ingest([str(f) for f in files], embed=False)
    yield base
    base.close()


def files_of(kb: grimoire.Grimoire, name: str) -> set[str]:
    return {Path(p).name for p in kb.concept(name).sources}


def test_a_hyphen_is_a_spelling(kb: grimoire.Grimoire) -> None:
    # Google's glossary writes "pre-trained model", the Transformers glossary "pretrained".
    assert kb.concept("pre-trained model").id == kb.concept("pretrained model").id
    assert files_of(kb, "pretrained model") >= {"pre-trained model.md", "glossary.md"}


def test_machine_learning_after_one_word_is_that_learning(kb: grimoire.Grimoire) -> None:
    supervised = kb.concept("supervised learning")
    assert supervised.id == kb.concept("supervised machine learning").id
    assert {"supervised machine learning.md", "supervised-learning.md", "glossary.md"} <= \
        files_of(kb, "supervised learning")
    assert kb.concept("semi-supervised learning").id != supervised.id
    assert spelling_names("machine learning") == []


def test_also_called_in_brackets_names_the_concept(kb: grimoire.Grimoire) -> None:
    attention = kb.concept("self-attention")
    assert attention.label == "self-attention"
    assert "self-attention (also called self-attention layer).md" in files_of(kb, "self-attention")
    assert kb.concept("self-attention layer").id == attention.id
    assert kb.concept("multi-head self-attention").id != attention.id


def test_no_two_concepts_show_one_label(kb: grimoire.Grimoire) -> None:
    labels = [c.label.casefold() for c in kb.concepts()]
    assert len(labels) == len(set(labels))
    # the seeds' entry keeps its kind word beside the cheat sheet's "Linear" section ...
    assert kb.concept("Linear Activation Function").label == "Linear Activation Function"
    assert kb.concept("Linear Activation Function").id != kb.concept("Linear").id
    # ... and the LSTM cell and network beside the LSTM itself (merged from two sources)
    cell = kb.concept("Long Short-Term Memory (LSTM) Cell")
    assert cell.label == "Long Short-Term Memory (LSTM) Cell"
    lstm = kb.concept("Long Short-Term Memory (LSTM)")
    assert lstm.label == "Long Short-Term Memory (LSTM)" and lstm.id != cell.id
    assert files_of(kb, lstm.label) >= {"Long Short-Term Memory (LSTM).md",
                                        "long-short-term-memory-lstm.md"}
    # a kind word is still dropped where no other concept shows that label
    assert kb.concept("LangChain Python Module").label == "LangChain"


def test_a_label_does_not_follow_the_order_files_were_read(corpora: Path, seeds: Path,
                                                           tmp_path: Path) -> None:
    files = [corpora / "google-ml-glossary-vault" / "softmax.md",
             corpora / "ml-glossary-terms" / "terms" / "softmax.md",
             corpora / "ml-cheatsheet-rst" / "activation_functions.rst"]
    labels = []
    for name, order in (("a", files), ("b", files[::-1])):
        with grimoire.open(tmp_path / f"{name}.db") as kb:
            for f in order:  # one ingest each: the entry ids follow this order
                kb.ingest([str(f)], embed=False)
            labels.append(kb.concept("softmax").label)
    # two sources write "Softmax", one "softmax"
    assert labels == ["Softmax", "Softmax"]


def test_source_and_licence_files_are_not_notes(corpora: Path, tmp_path: Path) -> None:
    folder = corpora / "hf-docs"
    assert (folder / "SOURCE.txt").is_file()
    assert metadata_file("LICENSES/hf-docs.LICENSE.txt") and metadata_file("COPYING")
    assert not metadata_file("README.md") and not metadata_file("notes/source.md")
    query = "Hugging Face documentation sources"
    with grimoire.open(tmp_path / "kb.db") as kb:
        # read as a note first (what Grimoire did before), then its folder is ingested
        kb.ingest([str(folder / "SOURCE.txt")], format="text", embed=False)
        assert any(h.span.path.endswith("SOURCE.txt")
                   for h in kb.search(query, k=20, mode="lexical"))
        kb.ingest([str(folder)], embed=False)
        record = {Path(s.path).name: s for s in kb.sources()}["SOURCE.txt"]
        assert record.status == "skipped" and "metadata" in (record.reason or "")
        hits = kb.search(query, k=20, mode="lexical")
        assert hits and not any(h.span.path.endswith("SOURCE.txt") for h in hits)
        assert kb.stats().documents == len(list(folder.rglob("*.md")))
