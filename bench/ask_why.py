"""Why does ask abstain? Each question's abstention score and every rule of `silent` that fires.

    .venv/bin/python bench/ask_why.py --cache /work/cache/ask57/stores --unanswerable > una.jsonl
    .venv/bin/python bench/ask_why.py --cache C --set fresh47 --collection hf-docs

One JSON line per question: `sure` (the best sentence's confidence lifted by its meaning, what
`silent` holds against `bar`), `fired` (each rule that says the notes are silent: "low" for
the score under the bar, `unknown_names` with the names, then the others by name, and
"unasked"), and the best sentence with its file. `silent` stops at the first rule that fires;
this asks every rule, so a question abstained by the score alone (only "low") shows where the
bar sits against the questions it keeps out (round 57: the bar's calibration). Same stores as
`bench/ask.py --cache` (built by it); nothing is written. With `--sweep`, the counts on stderr:
for each bar, the answerable questions the score alone refuses and the unanswerable ones it
alone keeps out, by half.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import ask as bench  # noqa: E402

import grimoire  # noqa: E402
import grimoire.ask as ga  # noqa: E402
from grimoire.ask.unasked import unasked  # noqa: E402

# The rules of `silent` after the score and the unknown names, in its order, by how each is
# called.
_BEST = ("only_in_names", "subject_missing", "unlisted")
_EVIDENCE = ("neighbour", "of_neighbour", "unheld_compound", "undated", "uncounted", "untimed",
             "unranked", "uncosted", "unversioned", "unpriced", "unlicensed", "unfunded")


def why(kb: grimoire.Grimoire, question: str) -> dict[str, object]:
    """The abstention score of `question` and the rules that fire (see the module doc)."""
    q = " ".join(question.split())
    searcher = kb.searcher
    ev = ga.ranked_first(q, ga.funded_first(q, ga.counted_first(q, ga.gather(searcher, q))))
    sure = ev.best + ga.MEANING_LIFT * max(0.0, ev.closest)
    bar = ga.ABSTAIN_BELOW + (ga.LIFT_BAR if ga.MEANING_LIFT else 0.0)
    if not ga.MEANING_LIFT:
        sure = ev.best
    fired: list[str] = []
    best = ev.sentences[0] if ev.sentences else None
    if best is None or (sure < bar and not ga.holds_identifier(q, best)):
        fired.append("low")
    names = ga.unknown_names(searcher.store, q, [c.text for c in ev.candidates])
    if names:
        fired.append("unknown_names " + " ".join(names))
    if best is not None:
        fired += [r for r in _BEST if getattr(ga, r)(q, best)]
        if ga.named_but_empty(q, ev, ga.unfound_stubs(searcher.store, q)):
            fired.append("named_but_empty")
        fired += [r for r in _EVIDENCE if getattr(ga, r)(q, ev)]
        if ga.unattributed(q, ev, searcher.store):
            fired.append("unattributed")
    if unasked(q, ev):
        fired.append("unasked")
    return {"sure": round(sure, 3), "bar": round(bar, 3), "fired": fired,
            "best": best.text[:200] if best else None,
            "best_path": best.candidate.span.path.split("/corpora/")[-1] if best else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--half", choices=["tune", "report", "both"], default="both")
    parser.add_argument("--collection")
    parser.add_argument("--set", help="only this set of questions")
    parser.add_argument("--unanswerable", action="store_true", help="only those")
    parser.add_argument("--sweep", action="store_true", help="bar counts on stderr")
    args = parser.parse_args()
    items = [i for i in bench.load() if args.half in ("both", i.half)
             and args.collection in (None, i.collection) and args.set in (None, i.set)
             and not (args.unanswerable and i.answerable)]
    out: list[tuple[bench.Item, dict[str, object]]] = []
    for col in sorted({i.collection for i in items}):
        with grimoire.open(args.cache / f"{col}.db") as kb:
            for item in (i for i in items if i.collection == col):
                row = why(kb, item.question)
                out.append((item, row))
                print(json.dumps({"question": item.question, "collection": col,
                                  "half": item.half, "answerable": item.answerable,
                                  "set": item.set, **row}, ensure_ascii=False), flush=True)
    if args.sweep:
        alone = [(i, float(r["sure"])) for i, r in out if r["fired"] == ["low"]]
        for t in range(30, 46):
            bar = t / 100
            counts = {h: (sum(s < bar for i, s in alone if i.half == h and i.answerable),
                          sum(s < bar for i, s in alone if i.half == h and not i.answerable))
                      for h in ("tune", "report")}
            print(f"bar {bar:.2f}: refused / kept out by the score alone " + ", ".join(
                f"{h} {a} / {u}" for h, (a, u) in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
