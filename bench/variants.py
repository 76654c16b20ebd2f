"""Hybrid MRR@10 of several settings of `grimoire.search`'s constants, side by side (round 50).

    PYTHONPATH=src python bench/variants.py --cache DIR --out OUT.json \\
        --variant base: --variant w8:WEAK_WORDS=2,SUBJECT_LIFT=0.1 \\
        own_words10 own_words11 descriptions2 names typos41
    python bench/variants.py --summary OUT.json [OUT2.json ...]

Each query runs once per variant in hybrid mode, in one process, against the store
`bench/search.py --cache DIR` keeps for its target collection (`DIR/{collection}.db`;
`DIR/all.db` for names and typos): a variant sets the named module constants of
`grimoire.search` (int, float or bool from "1"/"0") before its search and the first variant's
values come back after. The query's vector is computed once for all variants, so a variant
costs only its search (bench/search.py runs every peer as well: about ten times slower). Sets
are named by their file under bench/queries (descriptions2 with the source's names hidden, as
`--hide source`; names is dev.jsonl). Its base reproduces bench/search.py's hybrid figures to
the fourth place (round 50: pooled own_words10-24 0.5830 / 0.5362, descriptions2 0.5292 /
0.4892, names 0.8840). A constant a variant needs that main does not have is added to the
source while measuring (a prototype), not here.

The summary pools the own-words sets (each half over all of them), and gives descriptions2 by
half and names and typos sets whole, each with the queries up and down against the first
variant. In a worktree, set GRIMOIRE_SHARED to the folder holding corpora/ (descriptions2 reads
its sentences from there).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import devset  # noqa: E402
import search as bench  # noqa: E402  (bench/search.py)

import grimoire  # noqa: E402
import grimoire.search as gs  # noqa: E402

Query = tuple[str, list[str], str, str]  # text, expected names, half, store
Row = tuple[str, float, str]  # half, reciprocal rank at 10, store


def parse_variant(spec: str) -> tuple[str, dict[str, Any]]:
    """"name:CONST=value,CONST=value" -> (name, {CONST: value}) typed as the constant is."""
    name, _, settings = spec.partition(":")
    values: dict[str, Any] = {}
    for setting in filter(None, settings.split(",")):
        key, _, raw = setting.partition("=")
        if not hasattr(gs, key):
            raise SystemExit(f"{spec}: grimoire.search has no constant {key}")
        current = getattr(gs, key)
        values[key] = raw == "1" if isinstance(current, bool) else type(current)(raw)
    return name, values


def load(name: str) -> list[Query]:
    """The queries of one set, named by its file under bench/queries."""
    folder = ROOT / "bench" / "queries"
    if name == "descriptions2":
        return [(q.text, list(q.expected), q.split, q.target)
                for q in devset.load(folder / "descriptions2.jsonl", style="blank", hide="source")]
    path = bench.QUERIES if name == "names" else folder / f"{name}.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if name == "names" or "target" not in rows[0]:
        return [(r["query"], r["expected"], "all", "all") for r in rows]
    return [(r["query"], r["expected"], r["split"], r["target"]) for r in rows]


def run(cache: Path, out: Path, variants: list[tuple[str, dict[str, Any]]],
        sets: list[str]) -> None:
    first = {key: getattr(gs, key) for _, values in variants for key in values}
    vectors: dict[str, Any] = {}
    embed: Callable[[Any, str], Any] = gs.Searcher._embed_query

    def once(self: Any, query: str) -> Any:
        if query not in vectors:
            vectors[query] = embed(self, query)
        return vectors[query]

    gs.Searcher._embed_query = once  # type: ignore[method-assign]
    stores: dict[str, grimoire.Grimoire] = {}
    results: dict[str, dict[str, list[Row]]] = {}
    start = time.perf_counter()
    for name in sets:
        per: dict[str, list[Row]] = {v: [] for v, _ in variants}
        for text, expected, half, store in load(name):
            kb = stores.get(store) or stores.setdefault(
                store, grimoire.open(cache / f"{store}.db"))
            for variant, values in variants:
                for key, value in {**first, **values}.items():
                    setattr(gs, key, value)
                hits = kb.search(text, k=10, mode="hybrid")
                rr = bench.score([bench.hit_labels(kb, h) for h in hits], expected)[0]
                per[variant].append((half, rr, store))
        results[name] = per
        out.write_text(json.dumps(results))
        print(f"{name}: {len(per[variants[0][0]])} queries, {time.perf_counter() - start:.0f} s",
              file=sys.stderr, flush=True)
    for key, value in first.items():
        setattr(gs, key, value)
    summary([out])


def mean(rows: list[Row], half: str | None = None) -> float:
    values = [rr for h, rr, _ in rows if half in (None, h)]
    return sum(values) / len(values) if values else float("nan")


def moved(base: list[Row], rows: list[Row]) -> str:
    up = sum(b[1] < r[1] for b, r in zip(base, rows, strict=True))
    down = sum(b[1] > r[1] for b, r in zip(base, rows, strict=True))
    return f"({up} up / {down} down)"


def summary(paths: list[Path]) -> None:
    results: dict[str, dict[str, list[Row]]] = {}
    for path in paths:
        for name, per in json.loads(path.read_text()).items():
            results.setdefault(name, {}).update(per)
    own = [name for name in results if name.startswith("own_words")]
    names = list(next(iter(results.values())))
    if own:
        print(f"pooled {', '.join(own)}: hybrid MRR@10 tune / report")
        for v in names:
            if all(v in results[s] for s in own):
                rows = [r for s in own for r in results[s][v]]
                base = [r for s in own for r in results[s][names[0]]]
                print(f"  {v:12} {mean(rows, 'tune'):.4f} / {mean(rows, 'report'):.4f} "
                      f"{moved(base, rows)}")
    for name, per in results.items():
        if name in own:
            continue
        halves = name == "descriptions2"
        print(f"{name}: hybrid MRR@10" + (" tune / report" if halves else ""))
        for v, rows in per.items():
            figure = (f"{mean(rows, 'tune'):.4f} / {mean(rows, 'report'):.4f}" if halves
                      else f"{mean(rows):.4f}")
            print(f"  {v:12} {figure} {moved(per[names[0]], rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="own_words10 ... descriptions2 names typos41")
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--variant", action="append", default=[],
                        help="name:CONST=value,...; the first is the base")
    parser.add_argument("--summary", nargs="+", type=Path)
    args = parser.parse_args()
    if args.summary:
        summary(args.summary)
    elif args.cache and args.out and args.sets and args.variant:
        run(args.cache, args.out, [parse_variant(v) for v in args.variant], args.sets)
    else:
        parser.error("give --cache, --out, --variant ... and sets, or --summary OUT.json")


if __name__ == "__main__":
    main()
