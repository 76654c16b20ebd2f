"""Ask benchmark: does the extractive answer hold the fact, cite the right file, stay short,
and abstain when the notes are silent?

    .venv/bin/python bench/ask.py                   # both halves, per collection and kind
    .venv/bin/python bench/ask.py --half tune -v    # every tune answer, to look at
    .venv/bin/python bench/ask.py --set overlap     # facts two files state (round 4)
    .venv/bin/python bench/ask.py --calibrate       # abstention scores and a threshold sweep
    .venv/bin/python bench/ask.py --json > new.json
    .venv/bin/python bench/ask.py --compare old.json  # and the questions that changed
    .venv/bin/python bench/ask.py --jobs 5 --no-latency --json  # the whole bench, cheaper

The questions (bench/questions/ask_dev.jsonl) were written by hand over ../shared/corpora.
Like the held-out set, each run ingests ONE collection into its own store (cached under
--cache, incremental on later runs) and asks that collection's questions. An answerable
question points at its reference fact in the corpus (file, line, character range and a hash
of the text); the fact is read from ../shared at run time, so no corpus sentence is stored
here. The set was split once into a `tune` half (change things while looking at it) and a
`report` half (only look at the figures); a change that helps one half only is dropped.

- fact: the reference fact is in the answer (whitespace and case folded)
- words: words per answer, citation markers left out; `<=40` the share within 40 words
- file: the fact's own file is among the citations (a refusal counts as a miss)
- abstain: unanswerable questions that abstained; refused: answerable questions refused
- cite ok: cited answer sentences whose cited lines, read from the file, hold their words
- latency: warm (model loaded, store open, each question asked once), p50 and p99 of `ask`
  beside a plain hybrid `kb.search` of the same question measured right after it

Cost (round 57): each collection is one process's store, one model and one sentence-vector
cache; `--jobs N` asks N collections at once in separate processes (the rows come back in
the order of one run, and each answer is the one a single process gives: a process per
collection is what one run does, one collection after the other). The plain `kb.search`
beside each `ask` is there for the latency figure alone, a sixth of a run's time:
`--no-latency` leaves it out (the answers do not change; the latency line then says so).
`--compare` matches a row by collection, question and reference fact (by its place among
the rows of the same question in an older run without facts): "What is the stride of a
convolution?" is asked twice of the terms, with two facts.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import statistics
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import grimoire  # noqa: E402
from grimoire.ask import ABSTAIN_BELOW, gather  # noqa: E402
from grimoire.ask.cite import SourceLines, words  # noqa: E402
from grimoire.model import Answer  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from engines import on_postgres, postgres_server  # noqa: E402

# GRIMOIRE_SHARED: where ../shared is when the clone is not beside it (a git worktree elsewhere)
SHARED = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared"))
CORPORA = (SHARED / "corpora").resolve()  # one path per file in the cache
QUESTIONS = ROOT / "bench" / "questions" / "ask_dev.jsonl"
_MARK = re.compile(r"\s*\[(\d+)\]")


def fold(text: str) -> str:
    # Answers show code spans without their backticks ("an expensive __init__ is paid once"):
    # a fact that holds one is looked for without them.
    return " ".join(text.replace("`", "").casefold().split())


@dataclass(frozen=True, slots=True)
class Item:
    question: str
    collection: str
    kind: str
    half: str
    answerable: bool
    fact: str = ""
    fact_path: str = ""  # relative to the collection
    fact_line: int = 0
    set: str = "base"  # "overlap": facts said in two or more files (round 4)


def load(path: Path = QUESTIONS, corpora: Path = CORPORA) -> list[Item]:
    """The questions, with each reference fact read from the corpus and checked by hash."""
    items: list[Item] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        d = json.loads(line)
        fact, fpath, fline = "", "", 0
        if d["answerable"]:
            ref = d["fact"]
            source = corpora / d["collection"] / ref["path"]
            text = source.read_text(encoding="utf-8")
            fact = " ".join(text[ref["start"] : ref["end"]].split())
            digest = hashlib.sha1(fact.encode()).hexdigest()[:12]
            if digest != ref["sha1"]:
                raise SystemExit(f"{path}:{n}: the reference fact moved in {source}:{ref['line']}")
            fpath, fline = ref["path"], ref["line"]
        items.append(Item(d["question"], d["collection"], d["kind"], d["half"],
                          d["answerable"], fact, fpath, fline, d.get("set", "base")))
    return items


def answer_words(answer: Answer) -> int:
    return len(_MARK.sub("", answer.answer).split())


def cited_sentence_ok(answer: Answer, sources: SourceLines) -> list[bool]:
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


@dataclass(slots=True)
class Row:
    item: Item
    answer: Answer
    ms: float
    search_ms: float = 0.0  # a plain kb.search of the same question, right after
    fact_found: bool = False
    file_cited: bool = False
    words: int = 0
    cite_ok: list[bool] = field(default_factory=list)


def judge(item: Item, answer: Answer, ms: float, sources: SourceLines) -> Row:
    row = Row(item, answer, ms, words=answer_words(answer),
              cite_ok=cited_sentence_ok(answer, sources))
    if item.answerable and not answer.abstained:
        row.fact_found = fold(item.fact) in fold(_MARK.sub("", answer.answer))
        suffix = f"/{item.collection}/{item.fact_path}"
        row.file_cited = any(c.span.path.endswith(suffix) for c in answer.citations)
    return row


def _mean(values: Iterable[float]) -> float | None:
    v = list(values)
    return round(statistics.fmean(v), 3) if v else None


def summarize(rows: list[Row]) -> dict[str, object]:
    ans = [r for r in rows if r.item.answerable]
    una = [r for r in rows if not r.item.answerable]
    answered = [r for r in ans if not r.answer.abstained]
    return {
        "n": len(ans), "fact": _mean(r.fact_found for r in ans),
        "words": _mean(r.words for r in answered),
        "<=40": _mean(r.words <= 40 for r in answered),
        "file": _mean(r.file_cited for r in ans),
        "refused": sum(r.answer.abstained for r in ans),
        "unans": len(una), "abstain": sum(r.answer.abstained for r in una),
        "cite_ok": _mean(ok for r in rows for ok in r.cite_ok),
    }


def run(cache: Path, items: list[Item], engine: str = "sqlite", *, jobs: int = 1,
        latency: bool = True) -> list[Row]:
    """Each question asked of a store of its collection alone: a SQLite file in `cache`, or
    (`engine` "postgres") that file copied into a PostgreSQL database. With `jobs` > 1 the
    collections are asked in that many processes at once (SQLite only); the rows come back in
    the order of one process's run. `latency`: time a plain `kb.search` beside each `ask`."""
    cols = sorted({i.collection for i in items})
    if jobs > 1 and engine == "sqlite" and len(cols) > 1:
        cache.mkdir(parents=True, exist_ok=True)
        parts = [[i for i in items if i.collection == col] for col in cols]
        # Not a multiprocessing.Pool: its workers are daemons, and ingest reads with a pool
        # of processes of its own.
        with ProcessPoolExecutor(min(jobs, len(cols)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            done = list(pool.map(_run_part, [cache] * len(parts), parts,
                                 [latency] * len(parts)))
        return [row for part in done for row in part]
    rows: list[Row] = []
    sources = SourceLines()
    cache.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(postgres_server(cache)) if engine == "postgres" else None
        for col in sorted({i.collection for i in items}):
            with contextlib.ExitStack() as stores:
                kb = stores.enter_context(grimoire.open(cache / f"{col}.db"))
                kb.ingest([str(CORPORA / col)])
                if server is not None:
                    kb = stores.enter_context(on_postgres(kb, col, server))
                kb.ask("warm up the model and caches")
                for item in (i for i in items if i.collection == col):
                    t = time.perf_counter()
                    answer = kb.ask(item.question)
                    row = judge(item, answer, 1000 * (time.perf_counter() - t), sources)
                    if latency:
                        t = time.perf_counter()
                        kb.search(item.question)
                        row.search_ms = 1000 * (time.perf_counter() - t)
                    rows.append(row)
    return rows


def _run_part(cache: Path, items: list[Item], latency: bool) -> list[Row]:
    """One collection's rows, in a process of its own (`run` with `jobs`)."""
    return run(cache, items, latency=latency)


def percentile(values: list[float], p: float) -> float:
    """The `p`-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def latency(rows: list[Row]) -> dict[str, float]:
    """Warm latency (model loaded, store open, each question asked once) of `ask` and of a
    plain hybrid `kb.search` of the same question in the same run: p50 and p99 in ms."""
    ask_ms = [r.ms for r in rows]
    search_ms = [r.search_ms for r in rows]
    return {"ask_p50": round(statistics.median(ask_ms), 1),
            "ask_p99": round(percentile(ask_ms, 99), 1),
            "search_p50": round(statistics.median(search_ms), 1),
            "search_p99": round(percentile(search_ms, 99), 1)}


def calibrate(cache: Path, items: list[Item]) -> list[tuple[Item, float]]:
    """The best sentence score of each question (what the threshold is compared with)."""
    out: list[tuple[Item, float]] = []
    for col in sorted({i.collection for i in items}):
        with grimoire.open(cache / f"{col}.db") as kb:
            for item in (i for i in items if i.collection == col):
                out.append((item, gather(kb.searcher, item.question).best))
    return out


def table(rows: list[Row]) -> list[str]:
    lines = [f"{'':28} {'n':>3} {'fact':>5} {'words':>5} {'<=40':>5} {'file':>5} "
             f"{'refused':>7} {'abstain':>8} {'cite ok':>7}"]

    def line(label: str, subset: list[Row]) -> None:
        s = summarize(subset)
        f = {k: ("-" if v is None else v) for k, v in s.items()}
        lines.append(f"{label:28} {f['n']:>3} {f['fact']:>5} {f['words']:>5} {f['<=40']:>5} "
                     f"{f['file']:>5} {f['refused']:>7} {f['abstain']!s:>3}/{f['unans']!s:<4} "
                     f"{f['cite_ok']:>7}")

    for half in ("tune", "report"):
        part = [r for r in rows if r.item.half == half]
        if not part:
            continue
        line(f"{half}: all", part)
        for col in sorted({r.item.collection for r in part}):
            line(f"  {col}", [r for r in part if r.item.collection == col])
        for kind in sorted({r.item.kind for r in part}):
            line(f"  kind={kind}", [r for r in part if r.item.kind == kind])
        for name in sorted({r.item.set for r in part}):
            line(f"  set={name}", [r for r in part if r.item.set == name])
    return lines


def _state(abstained: bool, fact: bool, file: bool) -> str:
    return "abstain" if abstained else f"fact={'Y' if fact else 'n'} file={'Y' if file else 'n'}"


def fact_ref(item: Item) -> str:
    """Where the reference fact is, "path:line" ("" for an unanswerable question)."""
    return f"{item.fact_path}:{item.fact_line}" if item.answerable else ""


def row_keys(rows: list[dict[str, object]]) -> list[tuple[str, str, str, int]]:
    """Each --json row's key: collection, question, reference fact, and its place among the
    earlier rows of the same collection, question and fact (0 but for a repeat). A row of an
    older run without "fact" takes its place among the rows of the same question."""
    seen: dict[tuple[str, str, str], int] = {}
    keys = []
    for r in rows:
        base = (str(r["collection"]), str(r["question"]), str(r.get("fact", "")))
        n = seen.get(base, 0)
        seen[base] = n + 1
        keys.append((*base, n))
    return keys


def compare(rows: list[Row], old: dict[str, object]) -> list[str]:
    """The questions whose outcome (abstained, fact, file) or answer text differs from an
    earlier --json run; rows matched by `row_keys` ("What is the stride of a convolution?" is
    asked twice of the terms, with two facts: matched by question text alone, each was
    compared with the other's row). A new run's rows are keyed without the fact when the old
    run's rows have none."""
    old_rows: list[dict[str, object]] = list(old.get("rows", []))  # type: ignore[call-overload]
    with_fact = bool(old_rows) and "fact" in old_rows[0]
    before = dict(zip(row_keys(old_rows), old_rows, strict=True))
    new_rows = [{"collection": r.item.collection, "question": r.item.question,
                 **({"fact": fact_ref(r.item)} if with_fact else {})} for r in rows]
    out: list[str] = []
    for r, key in zip(rows, row_keys(new_rows), strict=True):  # type: ignore[arg-type]
        b = before.get(key)
        if b is None:
            continue
        was = _state(bool(b["abstained"]), bool(b["fact_found"]), bool(b["file_cited"]))
        now = _state(r.answer.abstained, r.fact_found, r.file_cited)
        if was != now:
            out.append(f"[{r.item.half} {r.item.collection} {r.item.kind}] {r.item.question}\n"
                       f"  {was} -> {now}: {r.answer.answer[:300]}")
        elif b.get("answer") is not None and b["answer"] != r.answer.answer:
            out.append(f"[{r.item.half} {r.item.collection} {r.item.kind}] {r.item.question}\n"
                       f"  {now}, text only: {str(b['answer'])[:200]}\n"
                       f"  -> {r.answer.answer[:200]}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/ask"),
                        help="folder of one store per collection (ingest is incremental)")
    parser.add_argument("--half", choices=["tune", "report", "both"], default="both")
    parser.add_argument("--collection", help="only this collection")
    parser.add_argument("--set", help="only this set of questions (base, overlap)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite",
                        help="ask a SQLite file, or the same store copied into PostgreSQL")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--compare", type=Path,
                        help="a --json output of an earlier run: list what changed")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every answer")
    parser.add_argument("--jobs", type=int, default=1,
                        help="ask this many collections at once, a process each (SQLite)")
    parser.add_argument("--no-latency", action="store_true",
                        help="leave out the plain kb.search timed beside each ask")
    args = parser.parse_args()
    import devset  # bench/ is the script's folder: on sys.path

    devset.require_corpora(SHARED / "corpora")
    items = [i for i in load() if args.half in ("both", i.half)
             and args.collection in (None, i.collection) and args.set in (None, i.set)]
    if args.calibrate:
        scored = calibrate(args.cache, items)
        for half in ("tune", "report"):
            part = [(i, b) for i, b in scored if i.half == half]
            if not part:
                continue
            sweep = []
            for t in range(20, 80, 2):
                th = t / 100
                wrong_refusals = sum(b < th for i, b in part if i.answerable)
                missed = sum(b >= th for i, b in part if not i.answerable)
                sweep.append(f"{th:.2f}:{wrong_refusals}+{missed}")
            print(half, "threshold: refused+answered-unanswerable ", " ".join(sweep))
            print(half, "unanswerable", sorted(round(b, 3) for i, b in part if not i.answerable))
            print(half, "answerable (lowest)",
                  sorted(round(b, 3) for i, b in part if i.answerable)[:10])
        return
    rows = run(args.cache, items, args.engine, jobs=args.jobs, latency=not args.no_latency)
    if args.json:
        print(json.dumps({
            "threshold": ABSTAIN_BELOW,
            "halves": {h: summarize([r for r in rows if r.item.half == h])
                       for h in ("tune", "report")},
            "sets": {f"{h} {name}": summarize([r for r in rows if r.item.half == h
                                               and r.item.set == name])
                     for h in ("tune", "report") for name in sorted({r.item.set for r in rows})},
            "latency": latency(rows),
            "rows": [{"question": r.item.question, "collection": r.item.collection,
                      "half": r.item.half, "answerable": r.item.answerable, "set": r.item.set,
                      "kind": r.item.kind, "fact": fact_ref(r.item),
                      "abstained": r.answer.abstained, "fact_found": r.fact_found,
                      "file_cited": r.file_cited, "words": r.words, "answer": r.answer.answer,
                      "cites": [str(c.span) for c in r.answer.citations]} for r in rows],
        }, indent=2, ensure_ascii=False))
        return
    if args.verbose:
        for r in rows:
            mark = ("ABSTAIN" if r.answer.abstained else
                    f"fact={'Y' if r.fact_found else 'n'} file={'Y' if r.file_cited else 'n'}")
            want = f"{r.item.fact_path}:{r.item.fact_line} «{r.item.fact}»" if r.item.answerable \
                else "(unanswerable)"
            print(f"[{r.item.half} {r.item.collection} {r.item.kind}] {r.item.question}\n"
                  f"  want {want}\n  {mark} {r.words}w: {r.answer.answer}\n"
                  f"  cites {[str(c.span).split('/corpora/')[-1] for c in r.answer.citations]}")
    if args.compare:
        for text in compare(rows, json.loads(args.compare.read_text(encoding="utf-8"))):
            print(text)
    for text in table(rows):
        print(text)
    lat = latency(rows)
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    head = (f"threshold {ABSTAIN_BELOW}; warm latency over {len(rows)} questions (load average "
            f"{load_avg:.1f}): ask p50 {lat['ask_p50']:.0f} ms, p99 {lat['ask_p99']:.0f} ms")
    if args.no_latency:
        print(f"{head}; kb.search not timed (--no-latency)")
        return
    print(f"{head}; kb.search of the same questions p50 {lat['search_p50']:.0f} ms, "
          f"p99 {lat['search_p99']:.0f} ms; ask / search at p50 "
          f"{lat['ask_p50'] / max(lat['search_p50'], 1e-9):.1f}x")


if __name__ == "__main__":
    main()
