"""A prototype measured from the bench, not a change in src: `Searcher._still_first` with the
named concept the vectors put first given back when, with every name blanked, it is still
among the vectors' first `--top` groups (src: only when it is still first). Hybrid only, both
halves, per target collection; `--top 1` is src's rule.

    .venv/bin/python bench/peer_still.py --cache DIR --margin 0.12 --hide source \
        --descriptions bench/queries/descriptions2.jsonl
    .venv/bin/python bench/peer_still.py --cache DIR --margin 0.12 \
        --own-words bench/queries/own_words9.jsonl
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import devset  # noqa: E402
import search as sb  # noqa: E402

import grimoire.search as gs  # noqa: E402


def still_first(top: int, margin: float | None = None):  # type: ignore[no-untyped-def]
    def still(self, query, first, named, named_by, allowed):  # type: ignore[no-untyped-def]
        if margin is not None:
            index = getattr(self.store, "vector_index", None)
            if index is not None:
                passages, entries = self._worker().submit(
                    self._embed_and_scan, query, index(self.embedder.name), allowed).result()
            else:
                passages, entries = self._semantic(self._embed_query(query), allowed)
            both = sorted(self._passage_list(passages) + self._entry_list(entries),
                          key=lambda r: -r[2])
            other = [v for k, _, v in both if k != first]
            mine = [gram for gram, keys in named_by.items() if first in keys]
            if (both and both[0][0] == first and other and both[0][2] - other[0] >= margin
                    and not any(gs._after_of(query, gram) for gram in mine)):
                return True
        phrases = [gram for gram, keys in named_by.items() if keys & named]
        mine = [gram for gram, keys in named_by.items() if first in keys]
        if not mine or any(gs._after_of(query, gram) for gram in mine):
            return False
        blanked = gs._blank_phrases(query, phrases)
        if blanked == query:
            return False
        index = getattr(self.store, "vector_index", None)
        if index is not None:
            passages, entries = self._worker().submit(
                self._embed_and_scan, blanked, index(self.embedder.name), allowed).result()
        else:
            passages, entries = self._semantic(self._embed_query(blanked), allowed)
        both = sorted(self._passage_list(passages) + self._entry_list(entries),
                      key=lambda r: -r[2])
        order = list(dict.fromkeys(key for key, _, _ in both))
        return first in order[:top]
    return still


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cache", required=True, type=Path)
    p.add_argument("--top", type=int, nargs="+", default=[1, 3])
    p.add_argument("--descriptions", type=Path)
    p.add_argument("--own-words", type=Path)
    p.add_argument("--hide", default="source")
    p.add_argument("--margin", type=float, nargs="*", default=[],
                   help="also: the vectors' named first given back when it leads the next"
                        " group by this cosine (with --top's first value)")
    args = p.parse_args()
    queries = (devset.own_words(args.own_words) if args.own_words
               else devset.load(args.descriptions, hide=args.hide))
    cols = list(dict.fromkeys(q.target for q in queries))
    runs = [(t, None) for t in args.top] + [(args.top[0], m) for m in args.margin]
    ranks: dict[tuple[int, float | None], list[float]] = {r: [0.0] * len(queries) for r in runs}
    for collection in cols:
        kb = sb.collection_store(collection, args.cache)
        for top, margin in runs:
            gs.Searcher._still_first = still_first(top, margin)  # type: ignore[method-assign]
            for i, q in enumerate(queries):
                if q.target == collection:
                    rr, _ = sb.score([sb.hit_labels(kb, h)
                                      for h in kb.search(q.text, k=10, mode="hybrid")],
                                     q.expected)
                    ranks[(top, margin)][i] = rr
        kb.close()
    for split in ("tune", "report"):
        sel = [i for i, q in enumerate(queries) if q.split == split]
        if not sel:
            continue
        for top, margin in runs:
            got = ranks[(top, margin)]
            by = " ".join(
                f"{sb.SHORT.get(c, c)}="
                f"{sum(got[i] for i in sel if queries[i].target == c) / n:.3f}"
                for c in cols
                if (n := sum(1 for i in sel if queries[i].target == c)))
            print(f"{split} top={top} margin={margin} n={len(sel)} MRR@10 "
                  f"{sum(ranks[(top, margin)][i] for i in sel) / len(sel):.3f}  {by}")


if __name__ == "__main__":
    main()
