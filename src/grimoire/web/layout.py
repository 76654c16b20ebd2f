"""Positions for graph nodes, computed once on the server, and the SVG drawn from them.

The browser gets the positions with the graph JSON and only draws (no physics in the page),
which keeps 2,000 nodes smooth; without JavaScript the same positions become an SVG.
A neighbourhood is drawn in rings by depth; a whole graph by a few dozen rounds of a
Fruchterman-Reingold force layout in numpy.
"""

from __future__ import annotations

import html
import math

import numpy as np

from grimoire.graph import Graph
from grimoire.web.render import concept_href

Positions = dict[str, tuple[float, float]]
GRAVITY = 8.0  # tuned on examples/: lone nodes stay within ~2x the median radius


def rings(g: Graph) -> Positions:
    """Centre at the origin, each further depth on a wider ring."""
    by_depth: dict[int, list[str]] = {}
    for n in g.nodes:
        by_depth.setdefault(n.depth, []).append(n.id)
    out: Positions = {}
    radius = 0.0
    for depth in sorted(by_depth):
        ids = by_depth[depth]
        if depth == 0 and len(ids) == 1:
            out[ids[0]] = (0.0, 0.0)
            continue
        # ring wide enough to keep ~70 units between neighbours
        radius = max(radius + 160.0, len(ids) * 70.0 / (2 * math.pi))
        for i, nid in enumerate(ids):
            angle = 2 * math.pi * i / len(ids) + depth * 0.3
            out[nid] = (radius * math.cos(angle), radius * math.sin(angle))
    return out


LONE_CELL = (200.0, 70.0)  # a lone concept's place in the grid: room for its label


def force(g: Graph, rounds: int = 60, seed: int = 7) -> Positions:
    """The linked concepts by a force layout, and under them the concepts without a link in an
    A-Z grid. All in one force layout, the lone ones were a ring around the rest, and the view
    that fits them all drew every label a few pixels high (281 concepts, 61 links: 4 px)."""
    linked = {str(e.source) for e in g.edges} | {str(e.target) for e in g.edges}
    ids = [str(n.id) for n in g.nodes if str(n.id) in linked]
    lone = sorted((n for n in g.nodes if str(n.id) not in linked),
                  key=lambda n: (n.label.casefold(), n.id))
    edges = [(str(e.source), str(e.target)) for e in g.edges]
    out = _spring(ids, edges, rounds, seed) if len(ids) > 1 else dict.fromkeys(ids, (0.0, 0.0))
    if not lone:
        return out
    if out:
        xs = [x for x, _ in out.values()]
        ys = [y for _, y in out.values()]
        left, width, top = min(xs), max(xs) - min(xs), max(ys) + 2 * LONE_CELL[1]
    else:
        left, width, top = 0.0, 0.0, 0.0
    # as wide as the linked part, and no narrower than a squarish block of the lone ones
    columns = max(1, int(max(width, math.sqrt(len(lone) / 3) * LONE_CELL[0] * 1.5)
                         // LONE_CELL[0]))
    for i, node in enumerate(lone):
        row, col = divmod(i, columns)
        out[str(node.id)] = (left + col * LONE_CELL[0], top + row * LONE_CELL[1])
    return out


def _spring(ids: list[str], edges: list[tuple[str, str]], rounds: int, seed: int) -> Positions:
    """A force layout (linked nodes pull, all nodes push), deterministic for a given graph."""
    n = len(ids)
    if n == 0:
        return {}
    index = {nid: i for i, nid in enumerate(ids)}
    rng = np.random.default_rng(seed)
    size = 90.0 * math.sqrt(n)  # ~90 units between neighbours: room for a label
    pos = rng.uniform(-size / 2, size / 2, (n, 2)).astype(np.float32)
    src = np.array([index[a] for a, b in edges if a in index and b in index], dtype=np.int64)
    dst = np.array([index[b] for a, b in edges if a in index and b in index], dtype=np.int64)
    k = size / math.sqrt(n)
    temp = size / 10
    sample = min(n, 256)
    for _ in range(rounds):
        # Past a few hundred nodes, each node is pushed by a random sample of the others
        # (scaled up): O(n * 256) a round instead of O(n^2). Node i's push is the sum over
        # the others j of w_ij (p_i - p_j), w_ij = k^2 / |p_i - p_j|^2: p_i times w's row sum
        # less w @ others, one matrix product (an (n, 256, 2) array summed over its last axis
        # laid all.db's 859 linked concepts out in 1.1-1.9 s, this in 0.13 s; round 52).
        others = pos if sample == n else pos[rng.choice(n, sample, replace=False)]
        dx = pos[:, 0:1] - others[None, :, 0]
        dy = pos[:, 1:2] - others[None, :, 1]
        w = (k * k) / np.maximum(dx * dx + dy * dy, 1e-2)
        push = (pos * w.sum(1)[:, None] - w @ others) * (n / sample)
        if len(src):
            d = pos[src] - pos[dst]
            dist = np.maximum(np.sqrt((d ** 2).sum(-1)), 1e-2)
            pull = d * (dist / k)[:, None]
            np.add.at(push, src, -pull)
            np.add.at(push, dst, pull)
        push -= pos * GRAVITY * k / size  # gravity keeps lone nodes and pieces near
        length = np.maximum(np.sqrt((push ** 2).sum(-1)), 1e-6)
        pos += push / length[:, None] * np.minimum(length, temp)[:, None]
        temp *= 0.93
    return {nid: (float(pos[i, 0]), float(pos[i, 1])) for i, nid in enumerate(ids)}


LONE_LABEL = 26  # characters of a lone concept's label that fit its grid cell at 13 px


def _fit(label: str, most: int) -> str:
    """`label` cut at a word to at most `most` characters, with an ellipsis if cut."""
    if len(label) <= most:
        return label
    cut = label[: most - 1].rsplit(" ", 1)[0] if " " in label[: most - 1] else label[: most - 1]
    return cut.rstrip(" ,:;-") + "\u2026"


def svg(g: Graph, pos: Positions, *, labels: bool = True, whole: bool = False) -> str:
    """The graph as inline SVG: every node a link to its concept page; all text escaped.

    In the `whole` graph a concept without a link has a grid cell (`LONE_CELL`): its label is
    cut to fit it (its `<title>` keeps the whole name), as the interactive graph cuts it."""
    if not g.nodes:
        return ""
    linked = {e.source for e in g.edges} | {e.target for e in g.edges}
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pad = 90.0
    x0, y0 = min(xs) - pad, min(ys) - pad
    w, h = max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad
    parts = [f'<svg class="graph-svg" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}" aria-label="concept graph">']
    parts.append('<g class="edges">')
    for e in g.edges:
        if e.source in pos and e.target in pos:
            (ax, ay), (bx, by) = pos[e.source], pos[e.target]
            parts.append(f'<line x1="{ax:.0f}" y1="{ay:.0f}" x2="{bx:.0f}" y2="{by:.0f}"/>')
    parts.append('</g><g class="nodes">')
    for node in g.nodes:
        x, y = pos.get(node.id, (0.0, 0.0))
        label = html.escape(node.label, quote=True)
        cls = "centre" if node.depth == 0 and len(g.nodes) < 500 else f"d{min(node.depth, 2)}"
        href = concept_href(node.label, node.id)  # by id too: two may share a label
        parts.append(f'<a href="{html.escape(href, quote=True)}">'
                     f'<title>{label}</title>'
                     f'<circle class="{cls}" cx="{x:.0f}" cy="{y:.0f}" r="9"/>')
        if labels:
            shown = label
            if whole and node.id not in linked:
                shown = html.escape(_fit(node.label, LONE_LABEL), quote=True)
            parts.append(f'<text x="{x:.0f}" y="{y + 24:.0f}">{shown}</text>')
        parts.append("</a>")
    parts.append("</g></svg>")
    return "".join(parts)
