"""Lint on the five corpora and the seeds, as a user sees it: counts per group, and a seeded
draw of wanted pages and dead links to label by hand (round 23).

    python bench/lint_audit.py --stores /tmp/lint-stores > draw.txt

Each collection (every folder of `../shared/corpora` but LICENSES, and `../shared/seeds`) is
ingested into a store of its own (`--no-embed`; a store already there is reused), then linted.
The draw takes up to `--per` findings of the `wanted` and `dead-link` groups of each
collection, ordered by a hash of `--seed`, the message, and the file name and line: a finding
that two versions both make is drawn by both, or by neither. Under each drawn finding is the
source line it names, to label it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

# This tree's grimoire, not whichever one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import grimoire
from grimoire.lint import Finding

SHARED = Path(__file__).resolve().parents[2] / "shared"
GROUPS = ("wanted", "dead-link")


def collections() -> dict[str, Path]:
    """Every corpus and the seeds, by name."""
    found = {p.name: p for p in sorted((SHARED / "corpora").iterdir())
             if p.is_dir() and p.name != "LICENSES"}
    return {**found, "seeds": SHARED / "seeds"}


def _key(seed: str, finding: Finding) -> str:
    place = f"{Path(finding.span.path).name}:{finding.span.start_line}"
    return hashlib.sha1(f"{seed}|{finding.message}|{place}".encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=Path, required=True, help="folder for the stores")
    parser.add_argument("--per", type=int, default=40, help="findings drawn per group")
    parser.add_argument("--seed", default="lint23")
    parser.add_argument("--json", action="store_true", help="counts per group only, as JSON")
    args = parser.parse_args()
    args.stores.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, int]] = {}
    for name, folder in collections().items():
        with grimoire.open(args.stores / f"{name}.db") as kb:
            kb.ingest([folder], embed=False)
            groups = kb.lint().by_group()
        counts[name] = {g: len(fs) for g, fs in groups.items()}
        if args.json:
            continue
        for group in GROUPS:
            found = groups.get(group, [])
            drawn = sorted(found, key=lambda f: _key(args.seed, f))[: args.per]
            print(f"##### {name} {group}: {len(drawn)} of {len(found)}")
            for f in sorted(drawn, key=lambda f: (f.span.path, f.span.start_line)):
                try:
                    lines = Path(f.span.path).read_text(errors="replace").splitlines()
                    line = lines[f.span.start_line - 1].strip()
                except (OSError, IndexError) as e:
                    line = f"<{e}>"
                print(f"- {Path(f.span.path).name}:{f.span.start_line}: {f.message}\n"
                      f"    | {line[:300]}")
    if args.json:
        json.dump(counts, sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
