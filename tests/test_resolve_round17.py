"""Round 17: concepts that real notes split in two, and a name a file name cut short.

Every case reads files of ../shared as they are (see bench/reading.py for the labelled sample
these came from).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.errors import NotFound
from grimoire.readers.markdown import restored_title
from grimoire.resolve.merge import inner_acronym_names, same_long_form
from tests.conftest import seed


@pytest.fixture(scope="module")
def kb(corpora: Path, seeds: Path, tmp_path_factory: pytest.TempPathFactory
       ) -> Iterator[grimoire.Grimoire]:
    vault = corpora / "google-ml-glossary-vault"
    files = [
        vault / "Low-Rank Adaptability (LoRA).md", vault / "LoRA.md", vault / "F.md",
        vault / "L.md", corpora / "hf-docs" / "peft" / "adapters.md",
        corpora / "hf-docs" / "transformers" / "glossary.md",
        corpora / "ml-glossary-terms" / "terms" / "kullback-leibler-kl-divergence.md",
        corpora / "ml-glossary-terms" / "terms" / "sequence-to-sequence-learning-seq2seq.md",
        seed("000"),
    ]
    base = grimoire.open(tmp_path_factory.mktemp("round17") / "kb.db")
    base.ingest([str(f) for f in files], embed=False)
    yield base
    base.close()


def files_of(kb: grimoire.Grimoire, name: str) -> set[str]:
    return {Path(p).name for p in kb.concept(name).sources}


def test_two_spellings_of_one_acronym_are_one_concept(kb: grimoire.Grimoire) -> None:
    # Google's glossary expands LoRA as "Low-Rank Adaptability", the PEFT docs as "Adaptation".
    lora = kb.concept("Low-Rank Adaptability")
    assert lora.id == kb.concept("Low-Rank Adaptation").id == kb.concept("LoRA").id
    assert {"Low-Rank Adaptability (LoRA).md", "adapters.md"} <= files_of(kb, "LoRA")
    assert any("Low-Rank Adaptability" in m.reason or "Low-Rank Adaptability" in m.name
               or m.name == "LoRA" for m in lora.merges)
    # its neighbours in the same page keep their own concepts
    for other in ("AdaLoRA", "X-LoRA", "LoHa"):
        assert kb.concept(other).id != lora.id


def test_an_acronym_inside_a_phrase_names_the_concept(kb: grimoire.Grimoire) -> None:
    kl = kb.concept("Kullback-Leibler (KL) divergence")
    assert kl.id == kb.concept("KL divergence").id == kb.concept("Kullback-Leibler divergence").id
    assert files_of(kb, "KL divergence") == {"kullback-leibler-kl-divergence.md",
                                             "000_f4d7ce3493df2891.txt"}
    assert kb.concept("Cross Entropy").id != kl.id
    with pytest.raises(NotFound):
        kb.concept("JS divergence")


def test_a_short_form_stated_beside_two_spellings_merges(kb: grimoire.Grimoire) -> None:
    seq = kb.concept("seq2seq")
    assert files_of(kb, "seq2seq") == {"glossary.md", "sequence-to-sequence-learning-seq2seq.md"}
    assert kb.concept("Sequence to Sequence Learning (seq2seq)").id == seq.id
    assert kb.concept("sequence-to-sequence (seq2seq)").id == seq.id


def test_a_file_name_cut_at_its_subscript_gets_it_back(kb: grimoire.Grimoire,
                                                      corpora: Path) -> None:
    # `F<sub>1</sub>` and `L<sub>2</sub> regularization` were saved as F.md and L.md.
    f1 = kb.concept("F1")
    assert files_of(kb, "F1") == {"F.md"}
    l2 = kb.concept("L2 regularization")
    assert {"L.md", "000_f4d7ce3493df2891.txt"} <= files_of(kb, "L2 regularization")
    assert f1.id != l2.id
    names = {e.entry.term for e in kb.entries()}
    assert "F" not in names and "L" not in names
    # a two-letter stem with no subscript in its note, and a longer one, stay as they are
    vault = corpora / "google-ml-glossary-vault"
    assert restored_title("AR", (vault / "AR.md").read_text(encoding="utf-8")) == "AR"
    assert restored_title("LoRA", (vault / "L.md").read_text(encoding="utf-8")) == "LoRA"


def test_the_rules_keep_what_they_must_apart(kb: grimoire.Grimoire) -> None:
    assert inner_acronym_names("bias (math) or bias term") == []
    assert [n for n, _ in inner_acronym_names("Jensen-Shannon (JS) divergence")] == [
        "JS divergence", "Jensen-Shannon divergence"]
    assert not same_long_form("linear discriminant analysis", "latent dirichlet allocation")
    assert not same_long_form("low rank adaptation", "low rank approximation")
    lora = kb.concept("LoRA").id
    assert all(kb.concept(n).id != lora for n in ("Low-Rank Hadamard Product",
                                                  "Low-Rank Kronecker Product"))


def test_a_page_that_gathers_ideas_or_the_rest_is_no_concept(corpora: Path,
                                                             tmp_path: Path) -> None:
    sheet = corpora / "ml-cheatsheet-rst"
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([str(sheet / "nn_concepts.rst"), str(sheet / "other_content.rst")],
                  embed=False)
        terms = {e.entry.term for e in kb.entries()}
        assert {"Neuron", "Synapse", "Weights"} <= terms  # the page's sections still are
        assert not terms & {"Concepts", "Other Content"}
        for name in ("Concepts", "Other Content"):
            with pytest.raises(NotFound):
                kb.concept(name)


def test_a_link_label_acronym_agrees_with_the_long_form_it_links_to(corpora: Path,
                                                                   tmp_path: Path) -> None:
    # `[[recurrent neural network|RNN]]` in a vault note makes RNN a name of the note
    # `recurrent neural network`; that long form agrees with the glossary's
    # `recurrent neural network (RNN)`, so the cheat sheet's `RNN` section joins both.
    vault = corpora / "google-ml-glossary-vault"
    files = [vault / "generative AI.md", vault / "recurrent neural network.md", vault / "RNN.md",
             corpora / "hf-docs" / "transformers" / "glossary.md",
             corpora / "ml-cheatsheet-rst" / "layers.rst"]
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([str(f) for f in files], embed=False)
        rnn = kb.concept("RNN")
        assert {Path(p).name for p in rnn.sources} == {
            "recurrent neural network.md", "RNN.md", "glossary.md", "layers.rst"}
        assert kb.concept("recurrent neural network").id == rnn.id
        # the vault's RNN.md only points on: the concept is labelled by what defines it
        assert rnn.label.casefold().startswith("recurrent neural network")
        assert kb.concept("GRU").id != rnn.id and kb.concept("LSTM").id != rnn.id
