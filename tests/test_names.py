"""Names: normalisation and what a heading or a definition states about its concept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grimoire import names
from grimoire.names import (
    definition_expansion,
    is_abbreviation,
    normalize,
    parse_term,
    term_names,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("MOE", "MoE"),
        ("l1 regularization", "L1 Regularization"),
        ("L1-regularization", "l1 regularization"),
        ("Transformers", "transformer"),
        ("Logits", "Logit"),
        ("Large Language Models", "large language model"),
        ("Café", "cafe"),
        ("KSVMs", "KSVM"),
    ],
)
def test_normalize_folds_case_hyphens_plurals(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize("word", ["Loss", "Bias", "Time Series", "Gaussian Process", "Lasso"])
def test_normalize_keeps_words_that_only_look_plural(word: str) -> None:
    assert normalize(word).endswith(word.lower().split()[-1])


def test_distinct_names_stay_distinct() -> None:
    assert normalize("L1 Regularization") != normalize("L2 Regularization")
    assert normalize("Latent Variable") != normalize("Latent Variable Model")


@given(st.text(max_size=40))
def test_normalize_is_idempotent(name: str) -> None:
    assert normalize(normalize(name)) == normalize(name)


def test_lora_heading_states_acronym_expansion_kind_label() -> None:
    t = parse_term("Low-Rank Adaptation (LoRA) Fine-Tuning")
    assert (t.acronym, t.expansion, t.kind, t.label) == (
        "LoRA", "Low-Rank Adaptation", "Fine-Tuning", "Low-Rank Adaptation (LoRA)")


def test_llama_heading_with_two_word_kind() -> None:
    t = parse_term("Large Language Model Meta AI (LLaMA) Model Family")
    assert t.acronym == "LLaMA"
    assert t.expansion == "Large Language Model Meta AI"
    assert t.kind == "Model Family"


@pytest.mark.parametrize(
    ("term", "base", "kind"),
    [
        ("LangChain Python Module", "LangChain", "Python Module"),
        ("Leopold Aschenbrenner Person", "Leopold Aschenbrenner", "Person"),
        ("Liquid AI Company", "Liquid AI", "Company"),
        ("LiveBench Benchmark", "LiveBench", "Benchmark"),
        ("Gradient Descent Algorithm", "Gradient Descent", "Algorithm"),
        ("Log Loss Function", "Log Loss", "Function"),
        ("Linear Regression", "Linear Regression", None),
        ("Newton's Method", "Newton's Method", None),  # a possessive is no name alone
    ],
)
def test_trailing_kind_word_is_kept_as_kind(term: str, base: str, kind: str | None) -> None:
    t = parse_term(term)
    assert (t.base, t.kind) == (base, kind)


def test_reversed_acronym_first_form() -> None:
    t = parse_term("AUC (Area under the ROC curve)")
    assert (t.acronym, t.expansion) == ("AUC", "Area under the ROC curve")


def test_disambiguator_is_not_an_alias() -> None:
    t = parse_term("Transformer (architecture)")
    assert t.acronym is None and t.qualifier == "architecture"
    strong = [n.name for n in term_names("Transformer (architecture)") if n.strength >= 2]
    assert strong == ["Transformer (architecture)"]


def test_kind_stripped_names_never_merge_and_generic_words_are_dropped() -> None:
    names = {n.name: n for n in term_names("LangChain Python Module")}
    assert names["LangChain"].strength == 1
    assert [n.name for n in term_names("Learning Method")] == ["Learning Method"]


@pytest.mark.parametrize(
    ("term", "definition", "expansion"),
    [
        ("RAG", "Retrieval-Augmented Generation (RAG). Add a content store",
         "Retrieval-Augmented Generation"),
        ("MOE", "Mixture Of Experts (MOE) is a mechanism for", "Mixture Of Experts"),
        ("MI", "Mechanistic Interpretability (MI) is reverse engineering NN.",
         "Mechanistic Interpretability"),
        ("NER", "Named entity recognition - Mark each word", "Named entity recognition"),
        ("Logit", "LOGistic unIT. Some raw value", None),
        ("BLEU", "Metric for machine translation based on N-gram comparison.", None),
        ("PEFT", "A method (see LoRA) for tuning", None),
    ],
)
def test_definition_opening_with_an_expansion(term: str, definition: str,
                                              expansion: str | None) -> None:
    assert definition_expansion(term, definition) == expansion


def test_abbreviation_check() -> None:
    assert is_abbreviation("LoRA", "Low-Rank Adaptation")
    assert is_abbreviation("LLaMA", "Large Language Model Meta AI")
    assert not is_abbreviation("LDA", "Linear Regression")
    assert not is_abbreviation("tf.data", "Dataset API")


@pytest.mark.parametrize(
    ("term", "acronym", "expansion"),
    [
        ("PCA - Principal Component Analysis", "PCA", "Principal Component Analysis"),
        ("PCA: Principal Component Analysis", "PCA", "Principal Component Analysis"),
        ("Leaky ReLU / LReLU", "LReLU", "Leaky ReLU"),
        ("t-SNE \u2013 t-distributed Stochastic Neighbor Embedding", "t-SNE",
         "t-distributed Stochastic Neighbor Embedding"),
    ],
)
def test_dash_colon_and_slash_pairs_give_both_names(term: str, acronym: str, expansion: str
                                                    ) -> None:
    names = {n.name: (n.reason, n.strength) for n in term_names(term)}
    assert names[acronym] == ("acronym", 2)
    assert names[expansion] == ("expansion", 2)


def test_a_slash_name_is_one_name_found_by_each_half() -> None:
    names = {n.name: (n.reason, n.strength) for n in term_names("Eigenvector / Eigenvalue")}
    assert names["Eigenvector / Eigenvalue"] == ("term", 3)
    # each half finds the term but never merges it with another concept
    assert names["Eigenvector"] == ("half of a slash name", 1)
    assert names["Eigenvalue"] == ("half of a slash name", 1)
    assert [n.name for n in term_names("Attention: a primer")] == ["Attention: a primer"]


# Pieces of terms and definitions, every mark a name pattern looks for among them.
_TEXT = st.lists(st.sampled_from(["Low", "rank", "ML", "a", " ", "  ", "-", " - ", " \u2013 ",
                                  " \u2014 ", ": ", ":", " / ", "/", "(", ")", "(ML)",
                                  "(Low rank)", ".", ";", "\n", "\t", "x2"]),
                 max_size=10).map("".join)


@settings(deadline=None)  # cheap, but a loaded machine may pause it
@given(_TEXT)
def test_each_name_pattern_needs_the_mark_its_gate_looks_for(text: str) -> None:
    """`parse_term`, `_paired` and `definition_expansion` skip a pattern when the text lacks
    the mark it needs (issue 14): a text that pattern matches always holds that mark."""
    if names._PAREN.match(text) or names._DEF_PAREN.match(text):
        assert "(" in text
    if names._PAIR.match(text):
        assert any(mark in text for mark in ("/", ":", "-", "\u2013", "\u2014"))


@pytest.mark.parametrize("term", ["Mixture Of Experts (MOE)", "PCA - Principal Component Analysis",
                                  "Leaky ReLU / LReLU", "NER: Named Entity Recognition",
                                  "RNN \u2013 Recurrent Neural Network", "Plain Term"])
def test_terms_with_and_without_marks(term: str) -> None:
    """The gates let the marked spellings through to their patterns."""
    parsed = parse_term(term)
    if term == "Plain Term":
        assert parsed.acronym is None and parsed.label == "Plain Term"
    else:
        assert parsed.acronym is not None and parsed.expansion is not None
    assert definition_expansion("MOE", "Mixture Of Experts (MOE) is a mechanism") == \
        "Mixture Of Experts"
