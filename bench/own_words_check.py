"""Check an own-words query file before it is committed: no query may give its answer away.

    python bench/own_words_check.py --cache DIR bench/queries/own_words9.jsonl [...]

For each query, against the store of its target collection (`DIR/{collection}.db`, as
`bench/search.py --cache DIR` builds them):
- every expected name must be an entry (or a concept's name) of that store;
- the query may share no word (lower-cased, a crude stem, stop words aside) with any name of the
  target: its entry names and its concept's names (aliases, acronyms, derived names). Round 34
  found five queries of own_words8 that kept one ("squares it" for squared hinge loss);
- the query may share no run of 7 words with `../shared/corpora` (a sentence copied, not written).
Exit 1 when any query fails, listing each failure.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import devset

STOP = frozenset(["a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "with", "by",
                  "is", "are", "as", "at", "from", "its", "it", "be", "that", "this", "x"])
SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "s", "ed", "al", "ly")
SHINGLE = 7
_WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def words(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in STOP}


def target_names(db: sqlite3.Connection, name: str) -> set[str] | None:
    """Every name of the entries called `name` (or of the concept of that name) and of their
    concepts; None if there is none."""
    ids = [r[0] for r in db.execute("SELECT id FROM entries WHERE term = ?", (name,))] or [
        r[0] for r in db.execute(
            "SELECT c.entry_id FROM concept_names n JOIN concept_entries c"
            " ON c.concept_id = n.concept_id WHERE lower(n.name) = lower(?)", (name,))]
    if not ids:
        return None
    names = {name}
    for entry_id in ids:
        names |= {r[0] for r in db.execute(
            "SELECT name FROM entry_names WHERE entry_id = ?", (entry_id,))}
        names |= {r[0] for r in db.execute(
            "SELECT n.name FROM concept_names n JOIN concept_entries c"
            " ON c.concept_id = n.concept_id WHERE c.entry_id = ?", (entry_id,))}
    return names


def shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(text.lower())
    return {tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def copied(queries: list[devset.DevQuery]) -> dict[str, set[tuple[str, ...]]]:
    """query id -> its runs of SHINGLE words found in a file of ../shared/corpora."""
    wanted = {q.id: shingles(q.text) for q in queries}
    every = set().union(*wanted.values()) if wanted else set()
    found: set[tuple[str, ...]] = set()
    for path in sorted(devset.CORPORA.rglob("*")):
        if path.is_file():
            found |= shingles(path.read_text(errors="ignore")) & every
    return {qid: mine & found for qid, mine in wanted.items() if mine & found}


def check(path: Path, cache: Path) -> list[str]:
    queries = devset.own_words(path)
    failures: list[str] = []
    stores: dict[str, sqlite3.Connection] = {}
    for q in queries:
        db = stores.get(q.target)
        if db is None:
            db = stores[q.target] = sqlite3.connect(cache / f"{q.target}.db")
        mine = words(q.text.replace(devset.MASK, " "))
        for name in q.expected:
            names = target_names(db, name)
            if names is None:
                failures.append(f"{path.name}: {q.id}: {name!r} is no entry of {q.target}")
                continue
            leaked = mine & {w for n in names for w in words(n)}
            if leaked:
                failures.append(f"{path.name}: {q.id}: shares {sorted(leaked)} with the names "
                                f"of {name!r} ({sorted(names)})")
    for qid, runs in copied(queries).items():
        failures.append(f"{path.name}: {qid}: copies {[' '.join(r) for r in sorted(runs)]}")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True,
                        help="the folder of {collection}.db stores (bench/search.py --cache)")
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    devset.require_corpora()
    failures = [f for path in args.files for f in check(path, args.cache)]
    for failure in failures:
        print(failure)
    print(f"{len(failures)} failures in {len(args.files)} files")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
