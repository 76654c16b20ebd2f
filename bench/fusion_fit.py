"""Learning to rank for descriptions: fit a linear scorer to what hybrid search fuses.

    PYTHONPATH=src .venv/bin/python bench/fusion_fit.py dump --cache /work/cache/search22/s \\
        --out /work/cache/search22/features.pkl
    PYTHONPATH=src .venv/bin/python bench/fusion_fit.py fit /work/cache/search22/features.pkl
    ... fit FEATURES.pkl --free no_lexical,entry_semantic,passage_semantic  # fit only these
    ... fit FEATURES.pkl --report  # the report half too: once, to decide keep or drop

`dump` runs every query of three description sets (the source's names hidden as spelled,
every name masked, own words) against its collection's store in hybrid mode. For each query
search reads as a description (`grimoire.search.DESCRIPTIVE`), it keeps what
`grimoire.search._score` is given, as the features of every candidate group (`features`,
names in `FEATURES`), and whether the group is the answer. No feature names a collection or
a concept.

`fit` fits weights of those features by a listwise softmax (the answer's probability among
the candidates), started from the hand-set fusion written as weights (`HAND`, which re-ranks
every query exactly as search did: it says so) and pulled back towards it (L2). The L2
strength is chosen by 5-fold cross-validation on the tune halves (three draws of the folds;
folds by pair, so one pair masked two ways never sits on both sides), as the strength whose
worst set gains most: the keep rule is that no set gets worse. Each set counts the same in
the loss. It prints MRR@10 (recall@10) per set, half and collection for the hand-set and the
fitted weights. Round 22 kept none (bench/README.md): search.py has the hand-set weights.
"""

from __future__ import annotations

import argparse
import math
import pickle
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import devset  # noqa: E402
import search as bench  # noqa: E402  (bench/search.py)

import grimoire.search as gs  # noqa: E402

Key = tuple[str, int]  # search.py's group key
Ranked = tuple[Key, int | None, float]
Normalise = Callable[[Sequence[Ranked]], list[float]]

SETS = ("source", "all", "own")  # --hide source, every name masked, own words
SEEDS = (22, 1, 2)  # draws of the folds
SHORT = {"google-ml-glossary-vault": "vault", "ml-glossary-terms": "terms", "hf-docs": "hf-docs",
         "ml-cheatsheet-rst": "cheatsheet", "distill-articles": "distill"}


FEATURES = ("semantic", "cosine", "gap", "semantic_rr", "passages_bm25", "entries_bm25",
            "lexical_rr", "linked", "named", "named_semantic", "named_lexical", "named_linked",
            "no_lexical", "lexical_above", "passages", "bonus", "entry_semantic",
            "passage_semantic")
# The hand-set fusion above written as weights of FEATURES (the fused score, halved when
# named, plus the bonus): what a fit starts from and is pulled back towards.
HAND = (gs.DESCRIPTIVE.semantic, 0.0, 0.0, 0.0, (1 - gs.DESCRIPTIVE.semantic) / 2,
        (1 - gs.DESCRIPTIVE.semantic) / 2, 0.0, 1.0, 0.0,
        -(1 - gs.NAMED_IN_DESCRIPTION) * gs.DESCRIPTIVE.semantic,
        -(1 - gs.NAMED_IN_DESCRIPTION) * (1 - gs.DESCRIPTIVE.semantic),
        -(1 - gs.NAMED_IN_DESCRIPTION),
        0.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def features(
    lists: Sequence[tuple[float, list[Ranked], Normalise]], fused: dict[Key, float],
    named: set[Key], bonus: dict[Key, float],
) -> dict[Key, tuple[float, ...]]:
    """What a description's scorer knows of each candidate group (names in FEATURES): its
    normalised and raw best cosine, the gap to the list's best and its reciprocal rank there;
    its share of each bm25 list's best and its best reciprocal rank in them; what the pages
    linking to it lend it (STUB_SHARE, in `fused`); whether the description names it; whether
    it has no bm25 score, and then the share of the groups the vectors rank above it that
    have one; how many candidate passages it has; its name or exact-sentence bonus; and its
    best normalised cosine from its entry's vector and from its passages' vectors apart."""
    semantic: dict[Key, tuple[float, float, int]] = {}  # normalised, raw, group rank
    lexical: list[dict[Key, tuple[float, int]]] = []  # each bm25 list: share, group rank
    passages: dict[Key, set[int]] = {}
    top = low = 0.0
    linear: dict[Key, float] = {}
    by_kind: dict[tuple[Key, bool], float] = {}
    for weight, ranked, normalise in lists:
        mine: dict[Key, tuple[float, float, int]] = {}
        for (key, pid, raw), value in zip(ranked, normalise(ranked), strict=True):
            if normalise is gs._min_max:
                by_kind.setdefault((key, pid is None), value)
            if key not in mine:
                mine[key] = (value, raw, len(mine) + 1)
                linear[key] = linear.get(key, 0.0) + weight * value
            if pid is not None:
                passages.setdefault(key, set()).add(pid)
        if normalise is gs._min_max:
            semantic = mine
            if ranked:
                top, low = max(r[2] for r in ranked), min(r[2] for r in ranked)
        else:
            lexical.append({key: (value, rank) for key, (value, _, rank) in mine.items()})
    lexical += [{}] * (2 - len(lexical))
    has_lexical = {key for found in lexical for key in found}
    above = 0  # groups the vectors rank above the current one that have a bm25 score
    lexical_above: dict[Key, float] = {}
    for key, (_, _, rank) in sorted(semantic.items(), key=lambda kv: kv[1][2]):
        lexical_above[key] = above / (rank - 1) if rank > 1 else 0.0
        above += key in has_lexical
    out: dict[Key, tuple[float, ...]] = {}
    for key in fused.keys() | bonus.keys():
        value, raw, rank = semantic.get(key, (0.0, low, 0))
        shares = [found.get(key, (0.0, 0)) for found in lexical]
        lexical_rr = max((1.0 / r for _, r in shares if r), default=0.0)
        linked = fused.get(key, 0.0) - linear.get(key, 0.0)
        is_named = float(key in named)
        none = float(key not in has_lexical and bool(lexical[0] or lexical[1]))
        out[key] = (
            value, raw if key in semantic else 0.0, top - raw, 1.0 / rank if rank else 0.0,
            shares[0][0], shares[1][0], lexical_rr, linked,
            is_named, is_named * value, is_named * (shares[0][0] + shares[1][0]) / 2,
            is_named * linked, none, none * lexical_above.get(key, 0.0),
            math.log1p(len(passages.get(key, ()))), bonus.get(key, 0.0),
            by_kind.get((key, True), 0.0), by_kind.get((key, False), 0.0),
        )
    return out


def _queries(name: str) -> list[devset.DevQuery]:
    if name == "own":
        return devset.own_words()
    return devset.load(hide="source" if name == "source" else "all")


def dump(cache: Path, out: Path) -> None:
    captured: list[tuple[Any, ...]] = []
    score = gs._score

    def spy(lists: Any, stubs: Any, named: Any, bonus: Any) -> Any:
        # A description (not a formula, a name or a few words): its vectors' share says so.
        if any(n is gs._min_max and w == gs.DESCRIPTIVE.semantic for w, _, n in lists):
            fused, _ = gs._fuse(lists, stubs)
            captured.append((features(lists, fused, named, bonus),))
        return score(lists, stubs, named, bonus)

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
                        by_group = captured[-1][0]
                        keys = sorted(by_group)
                        labels = bench.group_labels(kb, keys)
                        rec["X"] = np.array([by_group[k] for k in keys], dtype=float)
                        rec["y"] = np.array([bench.relevant(labels[k], q.expected) for k in keys])
                    records.append(rec)
            print(name, collection, len(mine), file=sys.stderr)
    out.write_bytes(pickle.dumps({"features": FEATURES, "records": records}))


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
    prior = np.array(HAND, dtype=float)
    tune = [r for r in recs if r["split"] == "tune"]
    beta = _beta(tune, prior)
    free = None if not args.free else [names.index(n) for n in args.free.split(",")]
    ids = sorted({r["id"] for r in tune})
    hand = {name: statistics.fmean(_ranks(r, prior)[0] for r in tune if r["set"] == name)
            for name in SETS}
    replayed = sum(abs(_ranks(r, prior)[0] - r["rr"]) > 1e-9 for r in recs if "X" in r)
    print(f"the hand-set weights re-rank {replayed} queries otherwise than search did")
    print(f"{len(tune)} tune queries, {sum('X' in r for r in tune)} descriptions;"
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
    print("weights = (" + ", ".join(f"{v:.3f}" for v in w) + ")")
    _table(recs, {"hand": prior, "learned": w}, ("tune", "report") if args.report else ("tune",))


if __name__ == "__main__":
    main()
