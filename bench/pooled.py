"""Pool the own-words sets' halves: MRR@10 and recall@10 of every system over all their tune
queries together and all their report queries together, beside each set's own figures.

    python bench/pooled.py OUT1.json OUT2.json ...

Each file is the `--json` output of one `bench/search.py` run: `--only own-words` (pooled),
`--only descriptions` (shown apart: descriptions2 is judged on its own) or `--only names`
(shown apart). One own-words half holds about 25 queries, so one query moving from rank 1 to
rank 2 moves its MRR@10 by 0.02; the pooled halves (475 queries each over own_words10-28)
move by about 0.003 for the same query. A pooled figure is the mean over the pooled queries:
each set's MRR@10 weighted by its query count (the per-set figures are rounded to three
places, so the pool is exact to about 0.0005). The pooled halves are also shown per target
collection and kind, every system side by side (round 52: which collection is furthest from
the goal).
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
    """(MRR@10, recall@10, n) of `system` over `half` of every set; `half` may name a part
    of it, "tune/hf-docs" (a set without that part counts nothing)."""
    held = [s[system] for s in sets if f"{half} n" in s.get(system, {})]
    n = sum(int(f[f"{half} n"]) for f in held)
    if not n:
        return 0.0, 0.0, 0
    mrr = sum(f[f"{half} MRR@10"] * f[f"{half} n"] for f in held) / n
    rec = sum(f[f"{half} recall@10"] * f[f"{half} n"] for f in held) / n
    return mrr, rec, n


def parts(sets: list[dict[str, dict[str, float]]]) -> list[str]:
    """The parts the sets are measured by besides the whole halves: collections, kinds."""
    found = {key.split(" ")[0].split("/", 1)[1] for s in sets for figures in s.values()
             for key in figures if key.startswith(HALVES) and "/" in key.split(" ")[0]}
    return sorted(found)


def by_part(sets: list[dict[str, dict[str, float]]], systems: list[str], title: str) -> None:
    """Pooled MRR@10 tune / report of every system on each part (collection or kind): where
    hybrid is furthest from the goal and which peer is nearest it."""
    print(f"\n{title} by collection and kind: MRR@10 tune / report (n)")
    short = [name.removeprefix("grimoire ").removeprefix("peer ")
             .replace("RRF(bm25s, MiniLM)", "RRF").replace("(entries)", "ent.")
             for name in systems]
    print(f"  {'':34}" + "".join(f"{name:>14.13}" for name in short))
    for part in parts(sets):
        cells = []
        for system in systems:
            pair = [pool(sets, system, f"{half}/{part}") for half in HALVES]
            cells.append(f"{pair[0][0]:.3f}/{pair[1][0]:.3f}".rjust(14))
        sizes = "/".join(str(pool(sets, systems[0], f"{half}/{part}")[2]) for half in HALVES)
        print(f"  {part[:24]:24} {sizes:>9}" + "".join(cells))


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
        if kind == "descriptions":
            by_part([figures], systems, name)
    if own:
        print(f"\npooled own-words ({len(own)} sets): MRR@10 (recall@10) tune / report, n")
        for system in systems:
            cells = []
            for half in HALVES:
                mrr, rec, n = pool(own, system, half)
                cells.append(f"{mrr:.4f} ({rec:.3f}) n={n}".rjust(24))
            print(f"  {system:26}" + "".join(cells))
        by_part(own, systems, "pooled own-words")


if __name__ == "__main__":
    main()
