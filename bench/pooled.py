"""Pool the own-words sets' halves: MRR@10 and recall@10 of every system over all their tune
queries together and all their report queries together, beside each set's own figures.

    python bench/pooled.py OUT1.json OUT2.json ...

Each file is the `--json` output of one `bench/search.py` run: `--only own-words` (pooled),
`--only descriptions` (shown apart: descriptions2 is judged on its own) or `--only names`
(shown apart). One own-words half holds about 25 queries, so one query moving from rank 1 to
rank 2 moves its MRR@10 by 0.02; the pooled halves (425 queries each over own_words10-26)
move by about 0.003 for the same query. A pooled figure is the mean over the pooled queries:
each set's MRR@10 weighted by its query count (the per-set figures are rounded to three
places, so the pool is exact to about 0.0005).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HALVES = ("tune", "report")


def load(path: Path) -> tuple[str, dict[str, dict[str, float]]]:
    """(kind, per-system figures) of one bench/search.py --json output."""
    report = json.loads(path.read_text())
    for key, kind in (("own words", "own-words"), ("descriptions", "descriptions"),
                      ("quality", "names")):
        if key in report:
            return kind, report[key]
    raise SystemExit(f"{path}: no 'own words', 'descriptions' or 'quality' figures in it")


def pool(sets: list[dict[str, dict[str, float]]], system: str,
         half: str) -> tuple[float, float, int]:
    """(MRR@10, recall@10, n) of `system` over `half` of every set."""
    n = sum(int(s[system][f"{half} n"]) for s in sets if f"{half} n" in s.get(system, {}))
    if not n:
        return 0.0, 0.0, 0
    mrr = sum(s[system][f"{half} MRR@10"] * s[system][f"{half} n"] for s in sets) / n
    rec = sum(s[system][f"{half} recall@10"] * s[system][f"{half} n"] for s in sets) / n
    return mrr, rec, n


def cell(figures: dict[str, float], half: str) -> str:
    if f"{half} MRR@10" not in figures:
        return f"{'-':>14}"
    return f"{figures[f'{half} MRR@10']:.3f} ({figures[f'{half} recall@10']:.2f})".rjust(14)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    loaded = [(path.stem, *load(path)) for path in args.files]
    own = [figures for _, kind, figures in loaded if kind == "own-words"]
    systems = list(loaded[0][2])
    for name, kind, figures in loaded:
        halves = ("all",) if kind == "names" else HALVES
        print(f"\n{name} ({kind}): MRR@10 (recall@10), " + " / ".join(halves))
        for system in systems:
            if system in figures:
                print(f"  {system:26}" + "".join(cell(figures[system], h) for h in halves))
    if own:
        print(f"\npooled own-words ({len(own)} sets): MRR@10 (recall@10) tune / report, n")
        for system in systems:
            cells = []
            for half in HALVES:
                mrr, rec, n = pool(own, system, half)
                cells.append(f"{mrr:.4f} ({rec:.3f}) n={n}".rjust(24))
            print(f"  {system:26}" + "".join(cells))


if __name__ == "__main__":
    main()
