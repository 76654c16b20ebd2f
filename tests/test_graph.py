"""The concept graph on the seeds: neighbourhoods, paths, JSON and DOT, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from grimoire.graph import dot_quote
from grimoire.model import PAGE_REASONS


@pytest.fixture(scope="module")
def db(seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest(sorted(str(p) for p in seeds.glob("0*.txt")), embed=False)
    return path


def test_neighbourhood_follows_links_both_ways(db: Path) -> None:
    with grimoire.open(db) as kb:
        g = kb.graph("L1 Regularization", depth=1)
        labels = {n.label: n.depth for n in g.nodes}
        assert labels["L1 Regularization"] == 0
        assert labels["L2 Regularization"] == 1  # "Contrast with"
        assert labels["Lasso Regression"] == 1  # a backlink: "See [L1 regularization]"
        ids = {n.label: n.id for n in g.nodes}
        edge = {(e.source, e.target): e for e in g.edges}
        assert edge[(ids["L1 Regularization"], ids["L2 Regularization"])].kinds == ("contrast",)


def test_depth_grows_the_neighbourhood(db: Path) -> None:
    with grimoire.open(db) as kb:
        one = {n.label for n in kb.graph("Argmax", depth=1).nodes}
        two = {n.label for n in kb.graph("Argmax", depth=2).nodes}
        assert one == {"Argmax", "Softmax"}
        assert two > one and "Logit" in two


def test_shortest_path(db: Path) -> None:
    with grimoire.open(db) as kb:
        assert kb.path("Argmax", "Logit") == ["Argmax", "Softmax", "Logit"]
        assert kb.path("Argmax", "Argmax") == ["Argmax"]
        assert kb.path("Argmax", "Bayes Theorem") is None


@pytest.mark.no_store
def test_dot_escapes_labels() -> None:
    assert dot_quote('say "hi"\\n') == '"say \\"hi\\"\\\\n"'
    assert dot_quote("two\nlines") == '"two\\nlines"'


def run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result.exit_code, result.output


def test_cli_graph_json_and_dot(db: Path) -> None:
    code, out = run(db, "graph", "argmax", "--depth", "2", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert {n["label"] for n in data["nodes"]} >= {"Argmax", "Softmax", "Logit"}
    assert all({"source", "target", "kinds", "count"} <= set(e) for e in data["edges"])
    code, out = run(db, "graph", "argmax", "--dot")
    assert code == 0 and out.startswith('digraph "grimoire" {') and "->" in out


def test_cli_show_concept_with_sources_merge_reason_backlinks(db: Path) -> None:
    code, out = run(db, "show", "lora")
    assert code == 0, out
    assert "000_f4d7ce3493df2891.txt:71" in out and "003_2765c057ed7af35d.txt:677" in out
    assert "acronym" in out and "mentioned in" in out and "PEFT" in out
    code, out = run(db, "show", "MI", "--json")
    data = json.loads(out)
    assert [Path(p).name[:3] for p in data["sources"]] == ["000", "004"]
    assert data["sections"][0]["heading"] == "Mechanistic Interpretability"


def test_cli_show_unknown_suggests(db: Path) -> None:
    code, out = run(db, "show", "softmx")
    assert code == 1
    assert "did you mean" in out and "Softmax" in out


def test_the_whole_graph_is_every_concept_and_every_link(db: Path) -> None:
    # The web's /graph read it one neighbourhood per connected part (1.6 s a page on the
    # corpora); read at once, it must be the same concepts and links.
    with grimoire.open(db, create=False) as kb:
        whole = kb.whole_graph()
        assert whole is not None
        concepts = kb.concepts()
        assert sorted(n.id for n in whole.nodes) == sorted(c.id for c in concepts)
        labels = {c.id: c.label for c in concepts}
        assert all(labels[n.id] == n.label for n in whole.nodes)
        edges = set()
        for c in concepts:
            try:
                g = kb.graph(c.label, depth=1)
            except grimoire.GrimoireError:  # a label two concepts share
                continue
            edges |= {(e.source, e.target, e.kinds, e.count) for e in g.edges}
        got = {(e.source, e.target, e.kinds, e.count) for e in whole.edges}
        assert edges and edges <= got
        assert all(e.source in labels and e.target in labels for e in whole.edges)
        assert kb.whole_graph(limit=len(concepts) - 1) is None


def test_a_glossary_term_with_no_words_opens_with_nothing_of_the_next_terms(db: Path) -> None:
    """Round 50: a title whose every section is an entry says what its note opens with, the
    first passages from its line on whichever entry they are of; a term of a glossary with
    no words of its own ("Learning Strategy#" over "Learning Method#") is no title: the next
    terms' definitions are not its opening (it took them while the rule held for every
    entry)."""
    with grimoire.open(db) as kb:
        strategy = kb.concept("Learning Strategy")
        said = kb.said(strategy)
    empty = [s for s in strategy.entries if not s.entry.definition.strip()]
    assert empty and all(s.entry.reason not in PAGE_REASONS for s in empty), strategy.entries
    assert not [s for s in said if s.entry_id in {e.id for e in empty}], said
