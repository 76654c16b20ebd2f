"""Why hybrid loses to a plain MiniLM peer where a description keeps its target's name
(bench/peers.py): per query, whether the target is among the concepts the description names
(halved, NAMED_IN_DESCRIPTION), whether the vectors put it first, and whether `_still_first`
gave it back; and hybrid's rank with that halving off (a measurement, not a proposal).

    .venv/bin/python bench/peer_named.py --cache DIR --ranks RANKS.json  # from bench/peers.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import search as sb  # noqa: E402

import grimoire.search as gs  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cache", required=True, type=Path)
    p.add_argument("--ranks", required=True, type=Path)
    p.add_argument("--peer", default="peer MiniLM E")
    args = p.parse_args()
    data = json.loads(args.ranks.read_text())
    queries, ranks = data["queries"], data["ranks"]
    seen: dict[str, object] = {}
    real_score, real_still = gs._score, gs.Searcher._still_first

    def score(lists, stubs, named, bonus):  # type: ignore[no-untyped-def]
        seen["named"] = set(named)
        both = lists[-1][1] if lists else []
        seen["first"] = both[0][0] if both else None
        other = [v for k, _, v in both if k != seen["first"]]
        seen["margin"] = both[0][2] - other[0] if both and other else 0.0
        seen["cos"] = both[0][2] if both else 0.0
        return real_score(lists, stubs, named, bonus)

    def still(self, query, first, named, named_by, allowed):  # type: ignore[no-untyped-def]
        out = real_still(self, query, first, named, named_by, allowed)
        seen["still"] = (first, out)
        return out

    gs._score = score
    gs.Searcher._still_first = still  # type: ignore[method-assign]
    rows = []
    by_target: dict[str, list[int]] = {}
    for i, q in enumerate(queries):
        by_target.setdefault(q["target"], []).append(i)
    for collection, idx in by_target.items():
        kb = sb.collection_store(collection, args.cache)
        for i in idx:
            q = queries[i]
            seen.clear()
            hits = kb.search(q["text"], k=10, mode="hybrid")
            named, first = seen.get("named", set()), seen.get("first")
            keys = list({*named, *([first] if first else [])})
            labels = sb.group_labels(kb, keys)
            target_named = any(sb.relevant(labels[k], q["expected"]) for k in named)
            target_first = first is not None and sb.relevant(labels[first], q["expected"])
            gs.NAMED_IN_DESCRIPTION = 1.0
            unhalved = [sb.hit_labels(kb, h) for h in kb.search(q["text"], k=10, mode="hybrid")]
            gs.NAMED_IN_DESCRIPTION = 0.5
            r_un = next((r for r, lab in enumerate(unhalved, 1)
                         if sb.relevant(lab, q["expected"])), 0)
            rows.append({"i": i, "split": q["split"], "target": collection,
                         "hybrid": ranks["grimoire hybrid"][i], "peer": ranks[args.peer][i],
                         "unhalved": r_un, "target_named": target_named,
                         "named": len(named), "target_first": target_first,
                         "still": seen.get("still", (None, None))[1],
                         "margin": seen.get("margin"), "cos": seen.get("cos"),
                         "hits": len(hits), "text": q["text"][:120]})
        kb.close()
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
