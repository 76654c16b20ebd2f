"""Broken-math detection and near-duplicate passages."""

from __future__ import annotations

import re

import pytest

from grimoire.duplicates import near_duplicates
from grimoire.lint.latex import latex_problems

MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)


@pytest.mark.parametrize(
    "tex",
    [r"\frac{a}{b", r"x^", r"\left( x", r"\begin{align} x", r"a}", r"\frac{1}", r"x_{i}^"],
)
@pytest.mark.no_store
def test_broken_formulas_are_found(tex: str) -> None:
    assert latex_problems(tex)


@pytest.mark.parametrize(
    "tex",
    [r"\frac{a}{b}", r"x^2", r"\left( x \right)", r"\begin{align} x \end{align}", r"\{a\}",
     r"\sum_{i=1}^{n} x_i", r"\frac12", r"\sqrt[n]{\prod_i x_i}"],
)
@pytest.mark.no_store
def test_good_formulas_pass(tex: str) -> None:
    assert latex_problems(tex) == []


@pytest.mark.no_store
def test_seed_formulas_parse(seeds) -> None:  # type: ignore[no-untyped-def]
    bad = []
    for path in seeds.glob("0*.txt"):
        for m in MATH.finditer(path.read_text(encoding="utf-8")):
            tex = m.group(1) or m.group(2)
            bad += [(path.name, tex, p) for p in latex_problems(tex)]
    assert bad == []


@pytest.mark.no_store
def test_near_duplicates_find_copies_not_neighbours() -> None:
    base = ("Low-rank adaptation freezes the pretrained weights and learns two small matrices "
            "whose product is added to each attention projection during fine-tuning.")
    copy = base.replace("learns", "trains")
    other = ("Perplexity is the exponential of the mean negative log-likelihood per token and "
             "measures how surprised a language model is by held-out text.")
    pairs = near_duplicates([(1, base), (2, other), (3, copy), (4, base)])
    found = {(p.first, p.second) for p in pairs}
    assert (1, 4) in found
    assert (1, 3) in found or (3, 4) in found
    assert not any(2 in pair for pair in found)


@pytest.mark.no_store
def test_short_passages_are_not_duplicates() -> None:
    assert near_duplicates([(1, "See softmax."), (2, "See softmax.")]) == []


def test_show_lists_a_pasted_copy_of_a_concepts_definition(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from click.testing import CliRunner

    from grimoire.cli import main

    notes = tmp_path / "notes"
    notes.mkdir()
    text = ("randomly zeroes a fraction of the activations in a layer during training, which "
            "stops units from co-adapting and acts as a cheap regulariser for {} networks.")
    (notes / "dropout.md").write_text("# Dropout\n\nDropout " + text.format("large") + "\n")
    (notes / "tricks.md").write_text("# Tricks\n\n## Noise\n\nIt " + text.format("big") + "\n")
    (notes / "other.md").write_text("# Adam\n\nAdam keeps moving averages of the gradient and "
                                    "of its square to scale each parameter's step size.\n")
    db = str(tmp_path / "kb.db")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "ingest", "--no-embed", str(notes)]).exit_code == 0
    shown = json.loads(runner.invoke(main, ["--db", db, "show", "dropout", "--json"]).output)
    (copy,) = shown["near_duplicates"]
    assert copy["span"]["path"].endswith("dropout.md")
    assert copy["other"]["path"].endswith("tricks.md")
    assert copy["other"]["start_line"] == 5
    assert 0.7 <= copy["similarity"] < 1
    adam = json.loads(runner.invoke(main, ["--db", db, "show", "adam", "--json"]).output)
    assert adam["near_duplicates"] == []
