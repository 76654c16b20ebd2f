"""Fit the scorer of descriptions (`grimoire.search.LEARNED`) on the dev sets' tune halves.

    PYTHONPATH=src .venv/bin/python bench/fusion_fit.py dump --cache /work/cache/search22/s \\
        --out /work/cache/search22/features.pkl
    PYTHONPATH=src .venv/bin/python bench/fusion_fit.py fit /work/cache/search22/features.pkl
    PYTHONPATH=src .venv/bin/python bench/fusion_fit.py fit FEATURES.pkl --report  # once, last

`dump` runs every description query of three sets (the source's names hidden as spelled,
every name masked, own words) against its collection's store in hybrid mode and keeps, for
each query search scores with LEARNED, every candidate group's features as
`grimoire.search._features` computes them, and whether the group is the answer. `fit` fits
the weights of those features by a listwise softmax (the answer's probability among the
candidates), started from and pulled back towards the hand-set fusion (`HAND`, L2), with the
strength chosen by k-fold cross-validation on the tune halves (folds by pair, so the same pair
masked two ways never sits on both sides). It prints MRR@10 (recall@10) per set, half and
collection for the hand-set and the fitted weights, and the weights to paste into search.py.
The report half is printed only with `--report`.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import devset  # noqa: E402
import search as bench  # noqa: E402  (bench/search.py)

import grimoire  # noqa: E402
import grimoire.search as gs  # noqa: E402

SETS = ("source", "all", "own")
SEEDS = (22, 1, 2)  # draws of the folds  # --hide source, every name masked, own words
SHORT = {"google-ml-glossary-vault": "vault", "ml-glossary-terms": "terms", "hf-docs": "hf-docs",
         "ml-cheatsheet-rst": "cheatsheet", "distill-articles": "distill"}


def _queries(name: str) -> list[devset.DevQuery]:
    if name == "own":
        return devset.own_words()
    return devset.load(hide="source" if name == "source" else "all")


def _labels(kb: grimoire.Grimoire, keys: Sequence[Any]) -> dict[Any, set[str]]:
    """The names each candidate group would be judged by, as the bench judges a hit."""
    searcher = kb.searcher
    with kb.store.reading():
        hits = searcher._hits(list(keys), dict.fromkeys(keys, 1.0), {}, set(), {}, None)
    out: dict[Any, set[str]] = {k: set() for k in keys}
    for hit in hits:
        key = (("c", int(hit.concept_id)) if hit.concept_id is not None
               else ("e", hit.entry_id) if hit.entry_id is not None else None)
        if key in out:
            out[key] = bench.hit_labels(kb, hit)
    for key in keys:
        if key[0] == "d" and not out[key]:
            row = kb.store.conn.execute(
                "SELECT d.title, s.path FROM documents d JOIN sources s ON s.id = d.source_id"
                " WHERE d.id = ?", (key[1],)).fetchone()
            if row:
                out[key] = bench.variants(row[0]) | bench.variants(bench.path_label(row[1]))
    return out


def dump(cache: Path, out: Path) -> None:
    captured: list[tuple[Any, ...]] = []
    score = gs._score

    def spy(lists: Any, stubs: Any, named: Any, bonus: Any, learned: bool) -> Any:
        if learned:
            fused, _ = gs._fuse(lists, stubs)
            captured.append((gs._features(lists, fused, named, bonus),))
        return score(lists, stubs, named, bonus, learned)

    gs._score = spy  # type: ignore[assignment]
    records: list[dict[str, Any]] = []
    for name in SETS:
        queries = _queries(name)
        for collection in devset.COLLECTIONS:
            mine = [q for q in queries if q.target == collection]
            if not mine:
                continue
            with bench.collection_store(collection, cache) as kb:
                for q in mine:
                    captured.clear()
                    hits = kb.search(q.text, k=10, mode="hybrid")
                    rr, found = bench.score([bench.hit_labels(kb, h) for h in hits], q.expected)
                    rec: dict[str, Any] = {"set": name, "id": q.id, "split": q.split,
                                           "kind": q.kind, "target": collection, "text": q.text,
                                           "rr": rr, "found": found}
                    if captured:
                        features = captured[-1][0]
                        keys = sorted(features)
                        labels = _labels(kb, keys)
                        rec["X"] = np.array([features[k] for k in keys], dtype=float)
                        rec["y"] = np.array([bench.relevant(labels[k], q.expected) for k in keys])
                    records.append(rec)
            print(name, collection, len(mine), file=sys.stderr)
    out.write_bytes(pickle.dumps({"features": gs.FEATURES, "records": records}))


# -- fit ------------------------------------------------------------------------------------


def _ranks(rec: dict[str, Any], w: np.ndarray) -> tuple[float, float]:
    """(reciprocal rank in the top 10, found in the top 10) of the query under weights w."""
    if "X" not in rec:
        return rec["rr"], rec["found"]
    s = rec["X"] @ w
    order = np.argsort(-s, kind="stable")
    hit = np.flatnonzero(rec["y"][order][:10])
    return (1.0 / (hit[0] + 1), 1.0) if len(hit) else (0.0, 0.0)


def _loss(recs: Sequence[dict[str, Any]], prior: np.ndarray, lam: float, beta: float,
          ) -> Any:
    usable = [r for r in recs if "X" in r and r["y"].any()]
    # Each set counts the same (own words has a third of the queries of the others).
    sizes = {name: sum(r["set"] == name for r in usable) for name in SETS}
    share = {name: len(usable) / (len(SETS) * n) if n else 0.0 for name, n in sizes.items()}

    def f(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for r in usable:
            c = share[r["set"]]
            s = beta * (r["X"] @ w)
            s -= s.max()
            p = np.exp(s)
            z = p.sum()
            zp = p[r["y"]].sum()
            total -= c * np.log(zp / z)
            # d/dw -log(sum_pos p / sum p) = beta * (E_all[x] - E_pos[x])
            grad += c * beta * ((p / z) @ r["X"] - (p[r["y"]] / zp) @ r["X"][r["y"]])
        n = max(len(usable), 1)
        d = w - prior
        return total / n + lam * float(d @ d), grad / n + 2 * lam * d
    return f


def _beta(recs: Sequence[dict[str, Any]], prior: np.ndarray) -> float:
    """The temperature under which the hand-set weights fit best (the scale is free)."""
    grid = [1, 2, 4, 8, 16, 32, 64]
    return float(min(grid, key=lambda b: _loss(recs, prior, 0.0, b)(prior)[0]))


def fit(recs: Sequence[dict[str, Any]], prior: np.ndarray, lam: float, beta: float,
        free: Sequence[int] | None = None) -> np.ndarray:
    """The weights that fit `recs` best; only those of `free` move (all by default)."""
    loss = _loss(recs, prior, lam, beta)
    idx = list(range(len(prior))) if free is None else list(free)

    def sub(v: np.ndarray) -> tuple[float, np.ndarray]:
        w = prior.copy()
        w[idx] = v
        value, grad = loss(w)
        return value, grad[idx]

    res = minimize(sub, prior[idx].copy(), jac=True, method="L-BFGS-B")
    w = prior.copy()
    w[idx] = res.x
    return w


def _table(recs: Sequence[dict[str, Any]], weights: dict[str, np.ndarray], splits: Sequence[str],
           ) -> None:
    cols = [(s, c) for s in splits for c in ("all", "vault", "terms", "hf-docs", "cheatsheet")]
    for name in SETS:
        print(f"\n{name}: " + "  ".join(f"{s}/{c}" for s, c in cols))
        for label, w in weights.items():
            cells = []
            for split, coll in cols:
                mine = [r for r in recs if r["set"] == name and r["split"] == split
                        and (coll == "all" or SHORT[r["target"]] == coll)]
                if not mine:
                    cells.append("-")
                    continue
                got = [_ranks(r, w) for r in mine]
                cells.append(f"{statistics.fmean(g[0] for g in got):.3f}"
                             f"({statistics.fmean(g[1] for g in got):.2f})")
            print(f"  {label:10} " + " ".join(f"{c:>12}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--cache", required=True)
    d.add_argument("--out", required=True)
    f = sub.add_parser("fit")
    f.add_argument("features")
    f.add_argument("--folds", type=int, default=5)
    f.add_argument("--free", help="fit only these features (comma-separated), the rest as HAND")
    f.add_argument("--report", action="store_true", help="also print the report half (once)")
    args = parser.parse_args()
    if args.command == "dump":
        dump(Path(args.cache), Path(args.out))
        return
    data = pickle.loads(Path(args.features).read_bytes())
    names, recs = data["features"], data["records"]
    prior = np.array(gs.HAND, dtype=float)
    tune = [r for r in recs if r["split"] == "tune"]
    beta = _beta(tune, prior)
    free = None if not args.free else [names.index(n) for n in args.free.split(",")]
    ids = sorted({r["id"] for r in tune})
    hand = {name: statistics.fmean(_ranks(r, prior)[0] for r in tune if r["set"] == name)
            for name in SETS}
    print(f"{len(tune)} tune queries, {sum('X' in r for r in tune)} scored by LEARNED;"
          f" temperature {beta}; fitted: {args.free or 'every feature'}")
    print(f"MRR@10 on the tune halves, {args.folds}-fold cross-validated ({len(SEEDS)} draws"
          " of the folds), by L2 strength:")
    print("  hand-set     " + "  ".join(f"{n} {hand[n]:.4f}" for n in SETS))
    best: tuple[float, float, float] | None = None
    for lam in (1e-3, 1e-2, 1e-1, 0.3, 1.0, 3.0):
        got: dict[str, list[float]] = {name: [] for name in SETS}
        for seed in SEEDS:
            fold_of = dict(zip(ids, np.random.default_rng(seed).permutation(len(ids))
                               % args.folds, strict=True))
            for k in range(args.folds):
                w = fit([r for r in tune if fold_of[r["id"]] != k], prior, lam, beta, free)
                for r in tune:
                    if fold_of[r["id"]] == k:
                        got[r["set"]].append(_ranks(r, w)[0])
        cv = {name: statistics.fmean(v) for name, v in got.items()}
        worst = min(cv[n] - hand[n] for n in SETS)
        print(f"  lambda {lam:<5g} " + "  ".join(f"{n} {cv[n]:.4f}" for n in SETS)
              + f"   worst set {worst:+.4f}")
        # The keep rule: no set worse; so the strength whose worst set gains most.
        pooled = statistics.fmean(x for v in got.values() for x in v)
        if best is None or (worst, pooled) > best[:2]:
            best = (worst, pooled, lam)
    assert best is not None
    lam = best[2]
    w = fit(tune, prior, lam, beta, free)
    print(f"\nfitted on every tune query, lambda {lam:g}:")
    for n, h, v in zip(names, prior, w, strict=True):
        print(f"  {n:16} hand {h:+.3f}  learned {v:+.3f}")
    print("LEARNED = (" + ", ".join(f"{v:.3f}" for v in w) + ")")
    _table(recs, {"hand": prior, "learned": w}, ("tune", "report") if args.report else ("tune",))


if __name__ == "__main__":
    main()
