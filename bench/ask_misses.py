"""Why does ask miss? Each answerable question whose answer lacks its reference fact, by cause.

    .venv/bin/python bench/ask_misses.py --cache /work/cache/ask9 --half tune \
        --set fresh,fresh2,fresh3,fresh4 > misses.json

- a-retrieval: no candidate passage of the fact's file holds the fact (ask never saw it);
- a2-sentence: a candidate holds it, but no scored sentence does (split or left out as no
  answer);
- b-choice: a scored sentence holds it (`rank`: its place, `meaning` 0.0: never embedded) but
  `choose` left it out of the answer;
- c-clipped: `choose` took that sentence, and the 40-word budget cut the fact out of it;
- d-refusal: ask abstained.
Prints one JSON object per miss and a count by set and cause on stderr. Same stores as
`bench/ask.py --cache` (built by it). Only the tune half is for reading question by question.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import ask as bench  # noqa: E402

import grimoire  # noqa: E402
from grimoire.ask import gather  # noqa: E402
from grimoire.ask.extractive import choose, prefer_named  # noqa: E402


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def holds(text: str, fact: str) -> bool:
    """True when `text` holds `fact`'s words in order (markup and punctuation ignored)."""
    return _words(fact) in _words(text)


def classify(kb: grimoire.Grimoire, item: bench.Item) -> dict[str, object] | None:
    """The miss of `item` (None: the answer holds the fact)."""
    answer = kb.ask(item.question)
    if not answer.abstained and bench.fold(item.fact) in bench.fold(
            bench._MARK.sub("", answer.answer)):
        return None
    evidence = gather(kb.searcher, item.question)
    own = f"/{item.collection}/{item.fact_path}"
    in_passage = [c for c in evidence.candidates
                  if c.span.path.endswith(own) and holds(c.text, item.fact)]
    sentences = list(evidence.sentences)
    rank = next((k for k, s in enumerate(sentences) if holds(s.text, item.fact)), None)
    if answer.abstained:
        cause = "d-refusal"
    elif not in_passage:
        cause = "a-retrieval"
    elif rank is None:
        cause = "a2-sentence"
    else:
        chosen = choose(prefer_named(sentences, evidence.question), evidence.question)
        fact = sentences[rank]
        taken = any(c.candidate.passage_id == fact.candidate.passage_id
                    and c.index == fact.index for c in chosen)
        cause = "c-clipped" if taken else "b-choice"
    best = sentences[0] if sentences else None
    return {
        "question": item.question, "set": item.set, "collection": item.collection,
        "cause": cause, "rank": rank,
        "meaning": None if rank is None else round(sentences[rank].meaning, 3),
        "score": None if rank is None else round(sentences[rank].score, 3),
        "best_score": None if best is None else round(best.score, 3),
        "best_meaning": None if best is None else round(best.meaning, 3),
        "found_via": [c.via for c in in_passage[:1]], "answer": answer.answer,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/ask"))
    parser.add_argument("--half", choices=["tune", "report"], default="tune")
    parser.add_argument("--set", default="fresh,fresh2,fresh3,fresh4",
                        help="comma-separated sets of bench/questions/ask_dev.jsonl")
    args = parser.parse_args()
    sets = set(args.set.split(","))
    items = [i for i in bench.load() if i.half == args.half and i.set in sets and i.answerable]
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    for col in sorted({i.collection for i in items}):
        with grimoire.open(args.cache / f"{col}.db") as kb:
            for item in (i for i in items if i.collection == col):
                miss = classify(kb, item)
                counts[(item.set, "ok" if miss is None else str(miss["cause"]))] += 1
                if miss is not None:
                    print(json.dumps(miss, ensure_ascii=False))
    for (name, cause), n in sorted(counts.items()):
        print(f"{name:8} {cause:12} {n}", file=sys.stderr)


if __name__ == "__main__":
    main()
