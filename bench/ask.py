"""Ask benchmark: answer recall, citation precision, abstention and latency of `grimoire ask`.

    .venv/bin/python bench/ask.py                  # extractive path, small table
    .venv/bin/python bench/ask.py --calibrate      # also sweep the abstention threshold
    .venv/bin/python bench/ask.py --json

The question set (bench/questions/dev.jsonl) runs over examples/, ../shared/seeds and
../shared/corpora, ingested once into a cached database (incremental on later runs).
Each answerable question lists reference facts (short strings the answer must contain) and the
files an answer may cite; the others must abstain.

- answer recall: share of reference facts present in the answer (mean over answerable questions)
- source hit: share of answered questions citing one of the expected files
- citation precision: share of cited answer sentences whose cited lines, read from the file,
  hold at least 80% of the sentence's words
- abstention: unanswerable questions that abstained; answerable questions that did not
- p50/p90 latency of the whole extractive answer, warm process
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import grimoire  # noqa: E402
from grimoire.ask import ABSTAIN_BELOW, gather  # noqa: E402
from grimoire.ask.cite import SourceLines, words  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = [ROOT / "examples", SHARED / "seeds", SHARED / "corpora"]
QUESTIONS = ROOT / "bench" / "questions" / "dev.jsonl"
_MARK = re.compile(r"\[(\d+)\]")


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def cited_sentence_precision(answer: grimoire.model.Answer, sources: SourceLines) -> list[bool]:
    """For each answer sentence that cites, do the cited lines hold its words?"""
    by_n = {c.n: c for c in answer.citations}
    out: list[bool] = []
    for piece in re.split(r"(?<=\])\.?\s+", answer.answer):
        nums = [int(n) for n in _MARK.findall(piece)]
        if not nums:
            continue
        claim = [w for w in words(_MARK.sub("", piece)) if len(w) > 2]
        held: set[str] = set()
        for n in nums:
            c = by_n.get(n)
            if c is not None:
                held |= set(sources.words_in(c.span.path, c.span.start_line, c.span.end_line))
        out.append(bool(claim) and sum(w in held for w in claim) >= 0.8 * len(claim))
    return out


def run(db: str, calibrate: bool) -> dict[str, object]:
    kb = grimoire.open(db)
    kb.ingest([str(p) for p in CORPUS if p.exists()])
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    kb.ask("warm up the model and caches")
    sources = SourceLines()
    recall: list[float] = []
    source_hit: list[bool] = []
    precision: list[bool] = []
    abstain_ok: list[bool] = []
    answered_ok: list[bool] = []
    latency: list[float] = []
    rows = []
    for item in questions:
        t = time.perf_counter()
        answer = kb.ask(item["question"])
        latency.append(time.perf_counter() - t)
        answerable = item.get("answerable", True)
        row = {"question": item["question"], "abstained": answer.abstained,
               "answer": answer.answer, "cites": [str(c.span) for c in answer.citations]}
        if not answerable:
            abstain_ok.append(answer.abstained)
        else:
            answered_ok.append(not answer.abstained)
            facts = item.get("facts", [])
            text = _fold(answer.answer)
            got = [f for f in facts if _fold(f) in text]
            if facts:
                recall.append(len(got) / len(facts))
            row["facts_found"] = f"{len(got)}/{len(facts)}"
            if not answer.abstained:
                source_hit.append(any(s in c.span.path for c in answer.citations
                                      for s in item.get("source", [])))
        precision.extend(cited_sentence_precision(answer, sources))
        rows.append(row)
    result: dict[str, object] = {
        "questions": len(questions),
        "answerable": len(answered_ok),
        "unanswerable": len(abstain_ok),
        "answer_recall": round(statistics.fmean(recall), 3) if recall else None,
        "source_hit": round(statistics.fmean(source_hit), 3) if source_hit else None,
        "citation_precision": round(statistics.fmean(precision), 3) if precision else None,
        "abstained_when_should": round(statistics.fmean(abstain_ok), 3) if abstain_ok else None,
        "answered_when_should": round(statistics.fmean(answered_ok), 3) if answered_ok else None,
        "p50_ms": round(1000 * statistics.median(latency), 1),
        "p90_ms": round(1000 * statistics.quantiles(latency, n=10)[-1], 1),
        "threshold": ABSTAIN_BELOW,
        "rows": rows,
    }
    if calibrate:
        best = []
        for item in questions:
            ev = gather(kb.searcher, item["question"])
            best.append((ev.best, item.get("answerable", True)))
        sweep = []
        for i in range(20, 70):
            th = i / 100
            correct = sum((b >= th) == bool(a) for b, a in best)
            sweep.append((th, correct))
        result["sweep"] = sweep
        result["scores"] = [(round(b, 3), a) for b, a in best]
    kb.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/grimoire-bench-ask.db",
                        help="database to (re)use; ingest is incremental")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print every answer")
    args = parser.parse_args()
    result = run(args.db, args.calibrate)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    if args.verbose:
        for row in result["rows"]:  # type: ignore[union-attr]
            print(json.dumps(row, ensure_ascii=False))
    for key in ("questions", "answerable", "unanswerable", "answer_recall", "source_hit",
                "citation_precision", "abstained_when_should", "answered_when_should", "p50_ms",
                "p90_ms", "threshold"):
        print(f"{key:24} {result[key]}")
    if args.calibrate:
        print("threshold sweep (correct abstain/answer decisions):",
              " ".join(f"{t:.2f}:{c}" for t, c in result["sweep"]))  # type: ignore[union-attr]
        print("scores:", result["scores"])


if __name__ == "__main__":
    main()
