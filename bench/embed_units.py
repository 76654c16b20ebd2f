"""What needs a vector: texts and tokens to embed for each collection, with and without the cuts.

    .venv/bin/python bench/embed_units.py               # ../shared/corpora, one store each
    .venv/bin/python bench/embed_units.py --corpus ~/notes --json

Each collection is ingested (`--no-embed`) into a fresh store, as `bench/search.py` does, and
the store's units (passages and entries) are listed as the embed worker sees them. A text is
embedded once per store whatever the number of units holding it, so what costs is the
distinct texts and their tokens (the MiniLM tokenizer's count, capped at the model's 256).
`before` embeds every passage as its own whole text; `after` embeds a long code passage by its
first lines (`store/_embed_text.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from grimoire.embed import MINILM_MAX_TOKENS, MiniLM  # noqa: E402
from grimoire.ingest import ingest  # noqa: E402
from grimoire.store import _embed_text, open_store, sqlite_search  # noqa: E402

CORPORA = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared")) / "corpora"


def _own_text(text: str, heading_path: tuple[str, ...], title: str, term: str | None,
              kind: str) -> str:
    return _embed_text.passage_embed_text(text, heading_path, title, term)


def census(folder: Path, model: MiniLM, share: bool) -> dict[str, int]:
    """Units, distinct texts and their tokens for one folder; `share`: the rule in force."""
    saved = sqlite_search.passage_unit_text
    if not share:  # what ingest did before: every passage its own text
        sqlite_search.passage_unit_text = _own_text
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(str(Path(tmp) / "units.db"))
            ingest(store, [folder])
            units = store.embed_units(model.name)
            store.close()
    finally:
        sqlite_search.passage_unit_text = saved
    texts = sorted({u.text for u in units})
    tokens = sum(min(len(t), MINILM_MAX_TOKENS) for t in model.tokenize(texts))
    return {
        "units": len(units),
        "passages": sum(u.kind == "passage" for u in units),
        "texts": len(texts),
        "tokens": tokens,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, action="append",
                        help="a folder (default: each collection of ../shared/corpora)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folders = args.corpus or sorted(p for p in CORPORA.iterdir()
                                    if p.is_dir() and p.name != "LICENSES")
    model = MiniLM()
    rows = []
    for folder in folders:
        before = census(folder, model, share=False)
        after = census(folder, model, share=True)
        rows.append({"corpus": folder.name, "before": before, "after": after})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'corpus':<28} {'units':>6} {'texts before':>12} {'after':>6} "
          f"{'tokens before':>13} {'after':>8} {'cut':>5}")
    total = {"before": 0, "after": 0, "tb": 0, "ta": 0}
    for r in rows:
        b, a = r["before"], r["after"]
        total["before"] += b["texts"]
        total["after"] += a["texts"]
        total["tb"] += b["tokens"]
        total["ta"] += a["tokens"]
        print(f"{r['corpus']:<28} {b['units']:>6} {b['texts']:>12} {a['texts']:>6} "
              f"{b['tokens']:>13,} {a['tokens']:>8,} {1 - a['tokens'] / b['tokens']:>5.0%}")
    print(f"{'all':<28} {'':>6} {total['before']:>12} {total['after']:>6} {total['tb']:>13,} "
          f"{total['ta']:>8,} {1 - total['ta'] / total['tb']:>5.0%}")


if __name__ == "__main__":
    main()
