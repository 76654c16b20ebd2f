"""Where each target sits in every list the hybrid fusion is given (round 48).

    PYTHONPATH=src python bench/fusion_ranks.py --cache DIR --out RANKS.jsonl \\
        bench/queries/own_words1?.jsonl bench/queries/own_words2?.jsonl \\
        bench/queries/descriptions2.jsonl
    python bench/fusion_ranks.py --summary RANKS.jsonl

The first form runs every query in hybrid mode against its collection's store
(`DIR/{collection}.db`, as `bench/search.py --cache DIR` keeps them; descriptions2 with the
source's names hidden, as `bench/search.py --hide source` does) and writes one line per query:
the hybrid rank of the target
(depth 30, 0 when past it) and its rank among the groups of each list `grimoire.search._score`
fuses (the passages' bm25, the entries' bm25, the vectors; 0 when the list does not hold it),
with each list's first group and weight. The second form counts the queries where hybrid's first
is not the vectors' first: the target first in hybrid, first in the vectors, or neither; and
for neither, whether the target is in the first ten of both sides, one or none. Its hybrid
MRR@10 per half reproduces `bench/search.py`'s (the same search, the same labels).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import devset  # noqa: E402
import search as bench  # noqa: E402  (bench/search.py)

import grimoire.search as gs  # noqa: E402

DEPTH = 30


def queries(paths: list[Path]) -> list[tuple[str, str, str, str, list[str], str]]:
    """(set, id, collection, text, expected names, half) of every query of `paths`."""
    out = []
    for path in paths:
        if "descriptions" in path.stem:
            out += [(path.stem, q.id, q.target, q.text, list(q.expected), q.split)
                    for q in devset.load(path, style="blank", hide="source")]
        else:
            for line in path.read_text().splitlines():
                if line.strip():
                    q = json.loads(line)
                    out.append((path.stem, q["id"], q["target"], q["query"], q["expected"],
                                q["split"]))
    return out


def groups(ranked: list[Any]) -> list[tuple[str, int]]:
    """The groups of one fused list, best first, each once."""
    return list(dict.fromkeys(tuple(key) for key, _, _ in ranked))


def target_groups(kb: Any, expected: list[str]) -> set[tuple[str, int]]:
    """The groups of the entries a target's names (or a redirect to them) label."""
    want = set().union(*(bench.variants(e) for e in expected))
    rows = kb.store.conn.execute(
        "SELECT entry_id, name FROM entry_names UNION SELECT id, term FROM entries")
    ids = {eid for eid, name in rows if bench.with_redirects(kb, bench.variants(name)) & want}
    return set(kb.searcher._entry_groups(ids).values())


def capture(cache: Path, out: Path, paths: list[Path]) -> None:
    seen: dict[str, Any] = {}
    fuse = gs._score

    def spy(lists: Any, *args: Any, **kwargs: Any) -> Any:
        seen["lists"] = lists
        return fuse(lists, *args, **kwargs)

    gs._score = spy
    stores: dict[str, Any] = {}
    with out.open("w") as sink:
        for name, qid, collection, text, expected, half in queries(paths):
            kb = stores.get(collection) or stores.setdefault(
                collection, bench.collection_store(collection, cache))
            seen.clear()
            hits = kb.search(text, k=DEPTH, mode="hybrid")
            rank = next((i for i, h in enumerate(hits, 1)
                         if bench.relevant(bench.hit_labels(kb, h), expected)), 0)
            wanted = target_groups(kb, expected)
            lists = []
            for weight, ranked, _ in seen.get("lists", []):
                order = groups(ranked)
                lists.append({"weight": round(weight, 3), "first": order[0] if order else None,
                              "rank": next((i for i, g in enumerate(order, 1) if g in wanted), 0)})
            first = None
            if hits and hits[0].entry_id is not None:
                first = kb.searcher._entry_groups([hits[0].entry_id])[hits[0].entry_id]
            sink.write(json.dumps({
                "set": name, "id": qid, "collection": collection, "split": half,
                "expected": expected, "rank": rank, "first": first,
                "first_is_target": first in wanted, "lists": lists}) + "\n")


def summary(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    mrr: dict[tuple[str, str], list[float]] = defaultdict(list)
    who: Counter[str] = Counter()
    where: Counter[tuple[str, str]] = Counter()
    for r in rows:
        kind = "own words" if r["set"].startswith("own_words") else r["set"]
        mrr[(kind, r["split"])].append(1 / r["rank"] if 0 < r["rank"] <= 10 else 0.0)
        if len(r["lists"]) < 3:  # no bm25 list: nothing to disagree with
            continue
        vectors = r["lists"][-1]
        if r["first"] is None or vectors["first"] is None or r["first"] == vectors["first"]:
            continue
        if r["rank"] == 1:
            who["hybrid's first is the target"] += 1
            continue
        if vectors["rank"] == 1:
            who["the vectors' first is the target"] += 1
            continue
        who["neither"] += 1
        lexical = min([x["rank"] for x in r["lists"][:-1] if x["rank"]] or [0])
        top = (0 < vectors["rank"] <= 10, 0 < lexical <= 10)
        side = {(True, True): "both sides' top 10", (True, False): "the vectors' top 10 only",
                (False, True): "bm25's top 10 only", (False, False): "neither top 10"}[top]
        h = r["rank"]
        where[(side, "2-3" if 2 <= h <= 3 else "4-10" if 4 <= h <= 10 else "past 10")] += 1
    for (kind, half), values in sorted(mrr.items()):
        print(f"{kind:14} {half:6} hybrid MRR@10 {sum(values) / len(values):.4f}  n={len(values)}")
    print(f"\nhybrid's first is not the vectors' first in {sum(who.values())} queries:")
    for what, n in who.most_common():
        print(f"  {what}: {n}")
    print("neither: the target in ... / its hybrid rank")
    for (side, h), n in sorted(where.items()):
        print(f"  {side:26} {h:8} {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries", nargs="*", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--summary", type=Path)
    args = parser.parse_args()
    if args.summary:
        summary(args.summary)
    elif args.cache and args.out and args.queries:
        capture(args.cache, args.out, args.queries)
    else:
        parser.error("give --cache, --out and query files, or --summary RANKS.jsonl")


if __name__ == "__main__":
    main()
