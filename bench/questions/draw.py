"""Draw passages at random to write outsider questions from, and turn a copied span into a
reference (the `fact` of bench/questions/ask_dev.jsonl).

    python bench/questions/draw.py draw --seed 6 --n 30 ml-cheatsheet-rst   # print the draws
    python bench/questions/draw.py ref ml-cheatsheet-rst optimizers.rst "a copied span"

`draw` lists every paragraph of a collection (blank-line blocks of Markdown / reST, `<p>` and
`<li>` blocks of HTML) with at least 12 words, leaves out those that hold a reference fact of
an earlier question (and, where `--skip-files` is given, every file an earlier question
uses), and prints `random.Random(seed).sample` of them in draw order. The printout is for the
writer to read; nothing of it is stored. `ref` finds the span (whitespace folded) in the file
and prints the JSON reference: path, 1-based line, character offsets, SHA-1 prefix.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared"))
CORPORA = (SHARED / "corpora").resolve()
QUESTIONS = ROOT / "bench" / "questions" / "ask_dev.jsonl"
TEXT = {".md", ".rst", ".html", ".txt"}
_HTML_BLOCK = re.compile(r"<(p|li)\b[^>]*>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def used(questions: Path) -> tuple[set[tuple[str, str]], list[tuple[str, str, int, int]]]:
    files: set[tuple[str, str]] = set()
    spans: list[tuple[str, str, int, int]] = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        if d["answerable"]:
            f = d["fact"]
            files.add((d["collection"], f["path"]))
            spans.append((d["collection"], f["path"], f["start"], f["end"]))
    return files, spans


def paragraphs(path: Path) -> list[tuple[int, int, str]]:
    """(start, end, plain text) of each block of the file."""
    text = path.read_text(encoding="utf-8")
    out: list[tuple[int, int, str]] = []
    if path.suffix == ".html":
        for m in _HTML_BLOCK.finditer(text):
            out.append((m.start(), m.end(), " ".join(_TAG.sub("", m.group(2)).split())))
    else:
        for m in re.finditer(r"(?:[^\n]*\S[^\n]*\n?)+", text):
            out.append((m.start(), m.end(), " ".join(m.group(0).split())))
    return [p for p in out if len(p[2].split()) >= 12]


def draw(collection: str, seed: int, n: int, skip_files: bool, questions: Path) -> None:
    files, spans = used(questions)
    base = CORPORA / collection
    pool: list[tuple[str, int, int, str]] = []
    for path in sorted(p for p in base.rglob("*") if p.suffix in TEXT and p.name != "SOURCE.txt"):
        rel = path.relative_to(base).as_posix()
        if skip_files and (collection, rel) in files:
            continue
        for start, end, plain in paragraphs(path):
            if any(c == collection and p == rel and s < end and e > start
                   for c, p, s, e in spans):
                continue
            pool.append((rel, start, end, plain))
    print(f"# {collection}: {len(pool)} paragraphs in the pool, seed {seed}")
    drawn = random.Random(seed).sample(pool, min(n, len(pool)))
    for k, (rel, start, _end, plain) in enumerate(drawn):
        text = (base / rel).read_text(encoding="utf-8")
        line = text.count("\n", 0, start) + 1
        # Kept in the pool so that a seed draws what it drew before; a reader never shows it.
        hidden = any(m.start() < start < m.end() for m in _COMMENT.finditer(text))
        note = " (inside an HTML comment: not shown, skip it)" if hidden else ""
        print(f"\n[{k}] {rel}:{line}{note}\n{plain}")


def ref(collection: str, rel: str, span: str, nth: int = 0) -> dict[str, object]:
    text = (CORPORA / collection / rel).read_text(encoding="utf-8")
    words = span.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    found = list(re.finditer(pattern, text))
    if len(found) != 1 and not nth:
        raise SystemExit(f"{rel}: the span occurs {len(found)} times (pick one with --nth)")
    m = found[max(nth - 1, 0)]
    fact = " ".join(text[m.start() : m.end()].split())
    return {"path": rel, "line": text.count("\n", 0, m.start()) + 1, "start": m.start(),
            "end": m.end(), "sha1": hashlib.sha1(fact.encode()).hexdigest()[:12]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw")
    d.add_argument("collection")
    d.add_argument("--seed", type=int, default=6)
    d.add_argument("--n", type=int, default=30)
    d.add_argument("--skip-files", action="store_true")
    d.add_argument("--questions", type=Path, default=QUESTIONS,
                   help="the questions whose passages are left out (round 6 drew against "
                        "`git show 6431c52:bench/questions/ask_dev.jsonl`)")
    r = sub.add_parser("ref")
    r.add_argument("collection")
    r.add_argument("path")
    r.add_argument("span")
    r.add_argument("--nth", type=int, default=0, help="the n-th occurrence (1-based)")
    args = parser.parse_args()
    if args.cmd == "draw":
        draw(args.collection, args.seed, args.n, args.skip_files, args.questions)
    else:
        json.dump(ref(args.collection, args.path, args.span, args.nth), sys.stdout)
        print()


if __name__ == "__main__":
    main()
