"""SKOS: the Turtle file parsed back with rdflib, checked against the API's concepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grimoire.export import skos
from grimoire.model import ConceptId, Span
from grimoire.resolve.types import Concept, ConceptName
from tests.export.conftest import as_exported, exported_file


def _graph(path: Path) -> Any:
    from rdflib import Graph

    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def _concepts(graph: Any) -> set[Any]:
    from rdflib import RDF, SKOS

    return set(graph.subjects(RDF.type, SKOS.Concept))


def test_every_concept_with_its_labels_definitions_and_sources(notes_kb: Any,
                                                               tmp_path: Path) -> None:
    from rdflib import DCTERMS, SKOS, Literal, URIRef

    report = notes_kb.export("skos", tmp_path / "notes.ttl")
    graph = _graph(tmp_path / "notes.ttl")
    assert report.concepts == len(_concepts(graph)) == len(notes_kb.concepts()) > 100
    concept = notes_kb.concept("KL")  # "Kullback-Leibler (KL)" in the examples
    iri = URIRef(skos.concept_iri(concept.key))
    assert graph.value(iri, SKOS.prefLabel) == Literal(concept.label)
    alt = {str(o) for o in graph.objects(iri, SKOS.altLabel)}
    assert "KL" in alt and concept.label not in alt
    definitions = {str(o) for o in graph.objects(iri, SKOS.definition)}
    assert definitions == {e.entry.definition for e in concept.entries if e.entry.definition}
    sources = {str(o) for o in graph.objects(iri, DCTERMS.source)}
    assert sources == {str(as_exported(notes_kb, e.entry.span)) for e in concept.entries}
    for source in sources:  # path:start-end of a real file
        path, lines = source.rsplit(":", 1)
        assert int(lines.split("-")[0]) <= len(
            exported_file(notes_kb, path).read_text().splitlines())


def test_links_become_related_concepts(notes_kb: Any, tmp_path: Path) -> None:
    from rdflib import SKOS, URIRef

    notes_kb.export("skos", tmp_path / "notes.ttl")
    graph = _graph(tmp_path / "notes.ttl")
    concept = notes_kb.concept("Attention Mechanism")
    iri = URIRef(skos.concept_iri(concept.key))
    linked = {m.concept for m in concept.links if m.status == "resolved"} - {concept.label}
    related = {str(graph.value(o, SKOS.prefLabel)) for o in graph.objects(iri, SKOS.related)}
    assert related == linked and {"Softmax", "Transformer"} <= related
    concepts = _concepts(graph)
    assert all(o in concepts for o in graph.objects(None, SKOS.related))
    assert len(set(graph.subject_objects(SKOS.related))) > 50


def test_iris_are_the_same_from_a_fresh_store(notes_kb: Any, other_order_kb: Any,
                                              tmp_path: Path) -> None:
    notes_kb.export("skos", tmp_path / "a.ttl")
    other_order_kb.export("skos", tmp_path / "b.ttl")
    assert _concepts(_graph(tmp_path / "a.ttl")) == _concepts(_graph(tmp_path / "b.ttl"))


def test_hostile_text_parses_back_as_written(hostile_kb: Any, tmp_path: Path) -> None:
    from rdflib import SKOS

    from tests.export.conftest import CONTROL_TERM
    from tests.web.hostile import PAYLOADS

    hostile_kb.export("skos", tmp_path / "hostile.ttl")
    graph = _graph(tmp_path / "hostile.ttl")
    labels = {str(o) for o in graph.objects(None, SKOS.prefLabel)}
    assert set(PAYLOADS) <= labels
    assert CONTROL_TERM.split(" <")[0] in labels
    assert any("\x1b[31m" in str(o) for o in graph.objects(None, SKOS.definition))


def test_a_lone_surrogate_becomes_a_replacement_character(tmp_path: Path) -> None:
    from rdflib import SKOS

    name = "broken \udc80 pair"
    concept = Concept(id=ConceptId("1"), key=name, label=name, kind=None,
                      names=(ConceptName(name, "term", 3, Span("n.md", 1, 1)),), entries=())
    assert skos.write([concept], tmp_path / "s.ttl") == 1
    assert {str(o) for o in _graph(tmp_path / "s.ttl").objects(None, SKOS.prefLabel)} == {
        "broken \ufffd pair"}
