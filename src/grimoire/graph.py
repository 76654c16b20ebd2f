"""The concept graph: neighbourhoods, shortest paths, and export as JSON or Graphviz DOT.

Nodes are concepts; an edge is one or more resolved links from a concept's entries (or the
page sections about it) to another concept, labelled with the link kinds. The graph is read
from the store one breadth-first level at a time, so a neighbourhood of a large base costs
only what it touches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from grimoire.model import ConceptId
from grimoire.store.concept_records import ConceptEdge


class GraphStore(Protocol):
    """What the graph reads from a store."""

    def concept_edges(self, ids: Iterable[int]) -> list[ConceptEdge]: ...

    def concept_labels(self, ids: Iterable[int]) -> dict[int, tuple[str, str | None]]: ...


@dataclass(frozen=True, slots=True)
class Node:
    """A concept in the graph, and how many hops it is from the centre."""

    id: ConceptId
    label: str
    kind: str | None = None
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Edge:
    """Links from one concept to another: their kinds and how many there are."""

    source: ConceptId
    target: ConceptId
    kinds: tuple[str, ...]
    count: int


@dataclass(frozen=True, slots=True)
class Graph:
    """A piece of the concept graph."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def to_json(self) -> str:
        """`{"nodes": [...], "edges": [...]}`, as node-link JSON (D3, networkx) reads it."""
        return json.dumps({
            "nodes": [{"id": n.id, "label": n.label, "kind": n.kind, "depth": n.depth}
                      for n in self.nodes],
            "edges": [{"source": e.source, "target": e.target, "kinds": list(e.kinds),
                       "count": e.count} for e in self.edges],
        }, ensure_ascii=False, indent=2)

    def to_dot(self, name: str = "grimoire") -> str:
        """Graphviz DOT; every label is quoted and escaped."""
        lines = [f"digraph {dot_quote(name)} {{", "  node [shape=box];"]
        for n in self.nodes:
            style = ", style=bold" if n.depth == 0 else ""
            lines.append(f"  {dot_quote('c' + n.id)} [label={dot_quote(n.label)}{style}];")
        for e in self.edges:
            label = ",".join(e.kinds) + (f" x{e.count}" if e.count > 1 else "")
            lines.append(f"  {dot_quote('c' + e.source)} -> {dot_quote('c' + e.target)}"
                         f" [label={dot_quote(label)}];")
        lines.append("}")
        return "\n".join(lines) + "\n"


def dot_quote(text: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and line breaks escaped."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))
    return f'"{escaped}"'


def neighbourhood(store: GraphStore, centre: ConceptId, depth: int = 1,
                  limit: int = 500) -> Graph:
    """The concepts within `depth` links of `centre` (either direction), and the links
    between them; stops adding nodes at `limit`."""
    start = int(centre)
    seen: dict[int, int] = {start: 0}
    frontier = [start]
    edges: dict[tuple[int, int], dict[str, int]] = {}
    counted: set[tuple[int, int, str]] = set()
    for level in range(1, depth + 1):
        if not frontier:
            break
        nxt: list[int] = []
        for edge in store.concept_edges(frontier):
            src, dst, kind, count = edge.source, edge.target, edge.kind, edge.count
            for node in (src, dst):
                if node not in seen and len(seen) < limit:
                    seen[node] = level
                    nxt.append(node)
            if src in seen and dst in seen and (src, dst, kind) not in counted:
                counted.add((src, dst, kind))
                edges.setdefault((src, dst), {})[kind] = count
        frontier = nxt
    if frontier:
        # links among the outermost ring too, so the picture is complete at its edge
        for edge in store.concept_edges(frontier):
            src, dst, kind, count = edge.source, edge.target, edge.kind, edge.count
            if src in seen and dst in seen and (src, dst, kind) not in counted:
                counted.add((src, dst, kind))
                edges.setdefault((src, dst), {})[kind] = count
    labels = store.concept_labels(seen)
    nodes = tuple(Node(ConceptId(str(i)), labels.get(i, (str(i), None))[0],
                       labels.get(i, ("", None))[1], d)
                  for i, d in sorted(seen.items(), key=lambda kv: (kv[1], kv[0])))
    return Graph(nodes, tuple(
        Edge(ConceptId(str(s)), ConceptId(str(t)), tuple(sorted(k)), sum(k.values()))
        for (s, t), k in sorted(edges.items())))


def whole(store: GraphStore, ids: Iterable[int]) -> Graph:
    """Every concept of `ids` (each at depth 1: there is no centre) and every link among
    them, read in one pass."""
    wanted = sorted(set(ids))
    keep = set(wanted)
    edges: dict[tuple[int, int], dict[str, int]] = {}
    for edge in store.concept_edges(wanted):
        if edge.source in keep and edge.target in keep:
            edges.setdefault((edge.source, edge.target), {})[edge.kind] = edge.count
    labels = store.concept_labels(wanted)
    nodes = tuple(Node(ConceptId(str(i)), labels.get(i, (str(i), None))[0],
                       labels.get(i, ("", None))[1], 1) for i in wanted)
    return Graph(nodes, tuple(
        Edge(ConceptId(str(s)), ConceptId(str(t)), tuple(sorted(k)), sum(k.values()))
        for (s, t), k in sorted(edges.items())))


def shortest_path(store: GraphStore, start: ConceptId, goal: ConceptId,
                  max_depth: int = 6) -> list[ConceptId] | None:
    """The shortest chain of concepts linking `start` to `goal` (links in either direction),
    or None when none is within `max_depth` hops. Bidirectional breadth-first search."""
    a, b = int(start), int(goal)
    if a == b:
        return [start]
    parents: list[dict[int, int | None]] = [{a: None}, {b: None}]
    frontiers = [[a], [b]]
    for _ in range(max_depth):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        if not frontiers[side]:
            return None
        mine, theirs = parents[side], parents[1 - side]
        nxt: list[int] = []
        for edge in store.concept_edges(frontiers[side]):
            for here, there in ((edge.source, edge.target), (edge.target, edge.source)):
                if here in mine and there not in mine:
                    mine[there] = here
                    nxt.append(there)
                    if there in theirs:
                        return [ConceptId(str(i)) for i in _join(parents, there)]
        frontiers[side] = nxt
    return None


def _join(parents: list[dict[int, int | None]], meet: int) -> list[int]:
    left: list[int] = []
    node: int | None = meet
    while node is not None:
        left.append(node)
        node = parents[0][node]
    right: list[int] = []
    node = parents[1][meet]
    while node is not None:
        right.append(node)
        node = parents[1][node]
    return left[::-1] + right
