"""SKOS in Turtle: a `skos:Concept` per concept, its names as labels, what each source says
(entries and page sections) as `skos:definition` with the file and lines in `dct:source`,
links as `skos:related`.

IRIs are made from the concept's key (its normalised label, unique in a knowledge base), not
from its row id: the same notes give the same IRIs in another store or after a fresh ingest.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from grimoire._api_args import scalars
from grimoire.export.base import Exporter, definitions
from grimoire.resolve.types import Concept

if TYPE_CHECKING:
    from rdflib import Graph, URIRef

BASE = "urn:grimoire:"
SCHEME = BASE + "scheme"
# A name resolve derived itself (a link's label) is how notes refer to the concept, not a name
# a source gives it: a hidden label (found by search, never shown), per SKOS §5.
STATED = 2


def concept_iri(key: str) -> str:
    """The IRI of the concept whose key is `key`."""
    return f"{BASE}concept:{quote(scalars(key), safe='')}"


def write(concepts: Iterable[Concept], path: Path) -> int:
    """The concepts as one SKOS concept scheme, in Turtle."""
    from rdflib import DCTERMS, RDF, SKOS, Graph, Literal, URIRef

    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    scheme = URIRef(SCHEME)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal("Grimoire concepts")))
    iris: dict[str, URIRef] = {}  # concept id -> IRI, for links to concepts written later
    related: list[tuple[URIRef, str]] = []
    for concept in concepts:
        iri = iris[concept.id] = URIRef(concept_iri(concept.key))
        _add_concept(graph, iri, concept)
        related += [(iri, m.concept_id) for m in concept.links
                    if m.status == "resolved" and m.concept_id and m.concept_id != concept.id]
    for iri, target in related:
        if target in iris:
            graph.add((iri, SKOS.related, iris[target]))
    graph.serialize(destination=path, format="turtle", encoding="utf-8")
    return len(iris)


def _add_concept(graph: Graph, iri: URIRef, concept: Concept) -> None:
    from rdflib import DCTERMS, RDF, SKOS, Literal, URIRef

    graph.add((iri, RDF.type, SKOS.Concept))
    graph.add((iri, SKOS.inScheme, URIRef(SCHEME)))
    label = scalars(concept.label)
    graph.add((iri, SKOS.prefLabel, Literal(label)))
    strongest: dict[str, int] = {}  # one label property per name (SKOS S13: disjoint)
    for name in concept.names:
        text = scalars(name.name)
        # A spelling resolve made only to match ("Selfattention"), which no note wrote, is
        # hidden whatever its strength: SKOS's hiddenLabel is for exactly such misspellings.
        shown = name.strength if name.written else 0
        strongest[text] = max(strongest.get(text, 0), shown)
    strongest.pop(label, None)
    for text, strength in strongest.items():
        kind = SKOS.altLabel if strength >= STATED else SKOS.hiddenLabel
        graph.add((iri, kind, Literal(text)))
    for text, _ in definitions(concept):
        graph.add((iri, SKOS.definition, Literal(scalars(text))))
    # Every place the concept comes from, a page without a definition of its own included.
    spans = [e.entry.span for e in concept.entries] + [span for _, span in definitions(concept)]
    for span in dict.fromkeys(spans):
        graph.add((iri, DCTERMS.source, Literal(scalars(str(span)))))


EXPORTER = Exporter("skos", ".ttl", write)
