"""Write bench/queries/descriptions.jsonl: reverse-dictionary queries over ../shared/corpora.

    .venv/bin/python bench/make_queries.py --stores /work/cache/search
    .venv/bin/python bench/make_queries.py --stores /work/cache/search --per-pair 0 \\
        --formulas-per-pair 0 --out bench/queries/descriptions2.jsonl   # every pair (round 24)

Each collection is ingested into its own store (the bench's cached stores are reused). A
concept of one collection (an entry, or a section of a page whose heading names it) is paired
with the concept of the same name in another collection. The query is the opening of the
first one's definition (or a formula in it), every name of both masked; the answer is the
second one, in a store holding only its collection. Only references are written (file and
line span of the source, names to mask, target names); `bench/devset.py` rebuilds the text.

Deterministic: concepts are visited in sorted order, caps pick by hash, and the tune/report
split is a hash of the shared name, so a concept is never in both halves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from devset import (  # noqa: E402
    COLLECTIONS,
    CORPORA,
    DESCRIPTIONS,
    build_text,
    clean,
    content_words,
)

import grimoire  # noqa: E402
from grimoire.names import normalize  # noqa: E402

# A heading that names no concept ("Introduction", "Code") pairs with nothing by name anyway;
# these generic ones would pair with a vault note of the same word.
GENERIC = frozenset({"introduction", "overview", "usage", "example", "code", "summary", "note",
                     "conclusion", "reference", "further reading", "pro", "con", "training",
                     "model", "data", "result", "background", "motivation", "discussion",
                     "implementation", "quickstart", "installation", "setup", "limitation"})
PER_PAIR = 40  # at most this many queries from one collection to another
FORMULAS_PER_PAIR = 6
_PAREN = re.compile(r"\(([^)]*)\)")
_BULLET = re.compile(r"^\s*([-*+]|\d+\.)\s")
_STRUCTURAL = re.compile(
    r"^\s*(\.\.|\+[-=+]|\||#|---|===|~~~|\^\^\^|\$\$|:\w+:|```|<h\d|<figure|<img|!\[|>\s*\[!)"
)


@dataclass(frozen=True, slots=True)
class Concept:
    collection: str
    file: str  # relative to the collection
    start: int
    end: int
    names: tuple[str, ...]  # first is the label


def concepts_of(store_path: Path, collection: str) -> list[Concept]:
    """Entries, and sections of pages outside entries, of one collection's store."""
    kb = grimoire.open(store_path)
    conn = kb.store.conn
    root = str((CORPORA / collection).resolve())
    out: list[Concept] = []
    names: dict[int, list[str]] = {}
    for entry_id, name in conn.execute("SELECT entry_id, name FROM entry_names ORDER BY rowid"):
        names.setdefault(entry_id, []).append(name)
    for eid, term, path, start, end in conn.execute(
        """SELECT e.id, e.term, s.path, e.start_line, e.end_line FROM entries e
           JOIN documents d ON d.id = e.document_id JOIN sources s ON s.id = d.source_id
           WHERE e.redirect IS NULL ORDER BY s.path, e.start_line"""
    ):
        all_names = tuple(dict.fromkeys([term, *names.get(eid, [])]))
        out.append(Concept(collection, _rel(path, root), start, end, all_names))
    if collection in ("ml-cheatsheet-rst", "hf-docs", "distill-articles"):
        sections: dict[tuple[str, str], list[int]] = {}
        for path, heading, start, end in conn.execute(
            """SELECT s.path, p.heading_path, p.start_line, p.end_line FROM passages p
               JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id
               WHERE p.entry_id IS NULL ORDER BY s.path, p.start_line"""
        ):
            heads = json.loads(heading)
            if len(heads) < 2:  # the page itself, not a section
                continue
            # A passage belongs to every section above it; the deepest heading names it.
            for depth in range(2, len(heads) + 1):
                key = (path, json.dumps(heads[:depth]))
                span = sections.setdefault(key, [start, end])
                span[0], span[1] = min(span[0], start), max(span[1], end)
        for (path, heads_json), (start, end) in sorted(sections.items()):
            label = json.loads(heads_json)[-1]
            if normalize(label) in GENERIC or not normalize(label):
                continue
            out.append(Concept(collection, _rel(path, root), start, end, (label,)))
    kb.close()
    return out


def _rel(path: str, root: str) -> str:
    return str(Path(path).resolve().relative_to(root))


def first_paragraph(lines: list[str], start: int, end: int) -> tuple[int, int] | None:
    """Line span (1-based) of the first prose paragraph within start..end."""
    i = max(start, _front_matter_end(lines) + 1)
    while i <= min(end, len(lines)):
        line = lines[i - 1]
        prose = not _STRUCTURAL.match(line) and not _BULLET.match(line)
        if line.strip() and prose and len(clean(line).split()) >= 4:
            j = i
            while j + 1 <= min(end, len(lines)) and lines[j].strip() and not _STRUCTURAL.match(
                lines[j]
            ):
                j += 1
            return i, j
        i += 1
    return None


def _front_matter_end(lines: list[str]) -> int:
    """The line number of the closing `---` of YAML front matter, or 0."""
    if lines and lines[0].strip() == "---":
        for i, line in enumerate(lines[1:], 2):
            if line.strip() in ("---", "..."):
                return i
    return 0


def formula(lines: list[str], start: int, end: int) -> tuple[int, int] | None:
    """Line span of the first display formula ($$ block or `.. math::` block) in start..end."""
    i = start
    while i <= min(end, len(lines)):
        line = lines[i - 1].strip()
        if line.startswith("$$"):
            j = i
            if not (line.endswith("$$") and len(line) > 4):
                while j + 1 <= len(lines) and "$$" not in lines[j]:
                    j += 1
                j += 1
            return i, min(j, len(lines))
        if line.startswith(".. math::") and not lines[i - 1].lstrip().startswith("|"):
            j = i
            while j + 1 <= len(lines) and (
                not lines[j].strip() or lines[j].startswith((" ", "\t"))
            ):
                j += 1
            while j > i and not lines[j - 1].strip():
                j -= 1
            return i, j
        i += 1
    return None


def keys(c: Concept) -> set[str]:
    """The names a concept pairs on: each name, and "Long X (LX)" as "long x" and "lx" too."""
    out: set[str] = set()
    for name in c.names:
        out.add(normalize(name))
        out.add(normalize(_PAREN.sub(" ", name)))
        out.update(normalize(m) for m in _PAREN.findall(name))
    return {n for n in out if len(n) >= 2 and n not in GENERIC}


def _hash(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def unify_splits(records: list[dict[str, object]]) -> None:
    """One split for every record of a concept however it was paired: records that share a
    source span, a target span or a shared name are one concept ("lstm" and "long short term
    memory" hash apart), and all of them take the split of its smallest shared name."""
    parent: dict[tuple[str, ...], tuple[str, ...]] = {}

    def find(x: tuple[str, ...]) -> tuple[str, ...]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def nodes(r: dict[str, object]) -> list[tuple[str, ...]]:
        src, tgt = r["source"], r["target"]
        assert isinstance(src, dict) and isinstance(tgt, dict)
        return [("name", str(r["concept"])),
                ("source", src["collection"], src["file"], str(src["lines"][0])),
                ("target", tgt["collection"], tgt["file"], str(tgt["lines"][0]))]

    for r in records:
        first, *rest = nodes(r)
        for other in rest:
            parent[find(other)] = find(first)
    smallest: dict[tuple[str, ...], str] = {}
    for r in records:
        root = find(nodes(r)[0])
        smallest[root] = min(smallest.get(root, str(r["concept"])), str(r["concept"]))
    for r in records:
        r["split"] = "tune" if _hash(smallest[find(nodes(r)[0])]) % 2 == 0 else "report"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="/work/cache/search",
                        help="folder of per-collection stores (<collection>.db)")
    parser.add_argument("--out", default=str(DESCRIPTIONS))
    parser.add_argument("--per-pair", type=int, default=PER_PAIR,
                        help="most descriptions from one collection to another (0: all;"
                             " descriptions2.jsonl is made with 0)")
    parser.add_argument("--formulas-per-pair", type=int, default=FORMULAS_PER_PAIR,
                        help="most formulas from one collection to another (0: all)")
    args = parser.parse_args()
    per_pair = args.per_pair or None
    formulas_per_pair = args.formulas_per_pair or None

    inventory: dict[str, list[Concept]] = {}
    for collection in COLLECTIONS:
        store = Path(args.stores) / f"{collection}.db"
        kb = grimoire.open(store)
        kb.ingest([CORPORA / collection], embed=False)
        kb.close()
        inventory[collection] = concepts_of(store, collection)
    by_norm: dict[str, dict[str, list[Concept]]] = {}
    for collection, concepts in inventory.items():
        index = by_norm.setdefault(collection, {})
        for c in concepts:
            for n in keys(c):
                index.setdefault(n, []).append(c)
    file_lines: dict[tuple[str, str], list[str]] = {}

    def lines_of(c: Concept) -> list[str]:
        key = (c.collection, c.file)
        if key not in file_lines:
            path = CORPORA / c.collection / c.file
            file_lines[key] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return file_lines[key]

    records: list[dict[str, object]] = []
    for source in COLLECTIONS:
        for target in COLLECTIONS:
            if source == target:
                continue
            found: list[dict[str, object]] = []
            formulas: list[dict[str, object]] = []
            seen: set[tuple[str, int]] = set()
            for c in inventory[source]:
                if (c.file, c.start) in seen:
                    continue
                shared = sorted(keys(c) & by_norm[target].keys())
                if not shared:
                    continue
                matches = by_norm[target][shared[0]]
                if len({(m.file, m.start) for m in matches}) > 2:
                    continue  # ambiguous in the target
                goal = matches[0]
                seen.add((c.file, c.start))
                names = list(dict.fromkeys([*c.names, *goal.names]))
                lines = lines_of(c)
                base = {
                    "target": {"collection": target, "file": goal.file,
                               "lines": [goal.start, goal.end], "names": list(goal.names)},
                    "mask": names,
                    "split": "tune" if _hash(shared[0]) % 2 == 0 else "report",
                    "concept": shared[0],
                }
                para = first_paragraph(lines, c.start, c.end)
                if para is not None:
                    raw = "\n".join(lines[para[0] - 1 : para[1]])
                    text = build_text("description", raw, names)
                    if content_words(text) >= 6:
                        found.append({
                            "id": f"d:{source}:{c.file}:{para[0]}>{target}",
                            "kind": "description",
                            "source": {"collection": source, "file": c.file,
                                       "lines": list(para)},
                            **base,
                        })
                math = formula(lines, c.start, c.end)
                if math is not None:
                    raw = "\n".join(lines[math[0] - 1 : math[1]])
                    text = build_text("formula", raw, names)
                    if 6 <= len(text) <= 400:
                        formulas.append({
                            "id": f"f:{source}:{c.file}:{math[0]}>{target}",
                            "kind": "formula",
                            "source": {"collection": source, "file": c.file,
                                       "lines": list(math)},
                            **base,
                        })
            found.sort(key=lambda r: _hash(str(r["id"])))
            formulas.sort(key=lambda r: _hash(str(r["id"])))
            records += found[:per_pair] + formulas[:formulas_per_pair]
            print(f"{source:26} -> {target:26} {len(found):4} descriptions "
                  f"{len(formulas):3} formulas", file=sys.stderr)
    if args.per_pair == 0:  # the default file (descriptions.jsonl) is kept as it was made
        unify_splits(records)
    records.sort(key=lambda r: str(r["id"]))
    Path(args.out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    kinds: dict[str, int] = {}
    for r in records:
        key = f"{r['kind']} {r['split']}"
        kinds[key] = kinds.get(key, 0) + 1
    print(f"{len(records)} queries -> {args.out}: {kinds}", file=sys.stderr)


if __name__ == "__main__":
    main()
