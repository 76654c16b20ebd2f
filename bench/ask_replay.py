"""Ask the questions of one half under several settings of the answer's constants, in one
process, retrieval done once per question: which answers does a setting change?

    .venv/bin/python bench/ask_replay.py --half tune main: top16:SEMANTIC_TOP=16 \
        meaning7:MEANING_WEIGHT=0.7,PRUNE=0.7 --cache /work/cache/ask18/stores

Each setting is `NAME:CONSTANT=VALUE,...`; a constant is one of `grimoire.ask.extractive`
(`SEMANTIC_TOP`, `MEANING_WEIGHT`, ...) or, written `ask.NAME`, of `grimoire.ask`
(`ask.ABSTAIN_BELOW`). The first setting is the one the others are compared with (give it no
constants to compare with the code as it is). Retrieval (`grimoire.ask.retrieve`) is kept per
question, so a setting changes only how sentences are weighed, chosen and refused, unless it
sets a constant of `grimoire.ask.retrieve`, written `retrieve.NAME` (e.g.
`retrieve.PASSAGE_MATCHES=20`), which retrieves once per value; sentence
vectors are kept for the whole run. Prints, per setting, fact / file / refused / abstained
(questions asked twice in the set count once) and every question whose outcome changed. Uses
the stores `bench/ask.py --cache` built. Only the tune half is for reading question by question.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import ask as bench  # noqa: E402

import grimoire  # noqa: E402
import grimoire.ask as ask_module  # noqa: E402
import grimoire.ask.extractive as extractive  # noqa: E402

# `grimoire.ask.retrieve` is also the name of the function the package exports
retrieve_module = importlib.import_module("grimoire.ask.retrieve")
import grimoire.ask.vectors as vectors  # noqa: E402


def _module(key: str) -> tuple[ModuleType, str]:
    if key.startswith("retrieve."):
        return retrieve_module, key[9:]
    return (ask_module, key[4:]) if key.startswith("ask.") else (extractive, key)


def _value(default: object, text: str) -> object:
    if isinstance(default, bool):
        return bool(int(text))
    if isinstance(default, int):
        return int(float(text))
    return float(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("settings", nargs="+", help="NAME:CONSTANT=VALUE,...")
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/ask"))
    parser.add_argument("--half", choices=["tune", "report"], default="tune")
    parser.add_argument("--set", help="comma-separated sets (default: all)")
    parser.add_argument("--collection", help="comma-separated collections (default: all); "
                        "for a setting that can only change answers from some of them")
    args = parser.parse_args()
    settings: list[tuple[str, dict[str, str]]] = []
    for arg in args.settings:
        name, _, pairs = arg.partition(":")
        settings.append((name, dict(p.split("=", 1) for p in pairs.split(",") if p)))
    sets = set(args.set.split(",")) if args.set else None
    cols = set(args.collection.split(",")) if args.collection else None
    items = [i for i in bench.load() if i.half == args.half and (sets is None or i.set in sets)
             and (cols is None or i.collection in cols)]
    defaults = {k: getattr(*_module(k)) for _, pairs in settings for k in pairs}
    vectors.SENTENCE_VECTORS.limit = 1 << 24
    kept: dict[tuple[int, str], Any] = {}
    retrieve = ask_module.retrieve

    widening = [k for k in defaults if k.startswith("retrieve.")]

    def retrieve_once(searcher: Any, question: str, k: int = 8, **options: Any) -> Any:
        # a setting of `grimoire.ask.retrieve` retrieves anew, once per its values
        key = (id(searcher), question, *(getattr(*_module(w)) for w in widening))
        if key not in kept:
            kept[key] = retrieve(searcher, question, k=k, **options)
        elif options.get("vector") is not None:
            options["vector"].result()  # the question's vector, computed anyway
        return kept[key]

    ask_module.retrieve = retrieve_once  # type: ignore[assignment]
    outcome: dict[str, dict[str, tuple[bench.Item, bool, bool, bool]]] = {
        name: {} for name, _ in settings}
    sources = bench.SourceLines()
    # what each setting sends to the model, cache or not: sentences and words per question
    embedded = {name: [0, 0] for name, _ in settings}
    embed_text = extractive._embed_text
    counting = embedded[settings[0][0]]

    def counted(s: Any) -> str:
        text = embed_text(s)
        counting[0] += 1
        counting[1] += len(text.split())
        return text

    extractive._embed_text = counted  # type: ignore[assignment]
    for col in sorted({i.collection for i in items}):
        with grimoire.open(args.cache / f"{col}.db") as kb:
            for name, pairs in settings:
                for key, default in defaults.items():
                    setattr(*_module(key), default)
                for key, text in pairs.items():
                    setattr(*_module(key), _value(defaults[key], text))
                # a cached result of the setting before (a name's stems under another `STEM`)
                # must not leak into this one
                for module in (extractive, ask_module):
                    for obj in vars(module).values():
                        if callable(getattr(obj, "cache_clear", None)):
                            obj.cache_clear()
                counting = embedded[name]
                for item in (i for i in items if i.collection == col):
                    row = bench.judge(item, kb.ask(item.question), 0.0, sources)
                    outcome[name][item.question] = (item, row.fact_found, row.file_cited,
                                                    row.answer.abstained)
    for key, default in defaults.items():
        setattr(*_module(key), default)
    first = settings[0][0]
    for name, _ in settings:
        got = outcome[name]
        ans = [o for o in got.values() if o[0].answerable]
        una = [o for o in got.values() if not o[0].answerable]
        print(f"{name:16} fact {sum(o[1] for o in ans)}/{len(ans)}  file {sum(o[2] for o in ans)}"
              f"  refused {sum(o[3] for o in ans)}  abstained {sum(o[3] for o in una)}/{len(una)}"
              f"  embedded/q {embedded[name][0] / max(1, len(items)):.1f} sentences"
              f" {embedded[name][1] / max(1, len(items)):.0f} words")
        if name == first:
            continue
        for question, o in got.items():
            b = outcome[first][question]
            if o[1:] != b[1:]:
                sign = "+" if o[1] > b[1] else "-" if o[1] < b[1] else "~"
                print(f"  {sign} [{o[0].set}] {question}  fact {b[1]}->{o[1]} file {b[2]}->{o[2]}"
                      f" abstained {b[3]}->{o[3]}")


if __name__ == "__main__":
    main()
