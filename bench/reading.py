"""Reading quality on real notes: precision of entries and of wanted pages, merge recall and
false merges, on a labelled sample of ../shared/corpora and ../shared/seeds.

    python bench/reading.py --stores /work/cache/reading            # score both halves
    python bench/reading.py --stores /work/cache/reading --draw     # sampled items with no label
    python bench/reading.py --stores /work/cache/reading --sample 2 # round 18's fresh draw
    python bench/reading.py --stores /work/cache/reading --sample 2 --reuse --pairs  # namesakes
    python bench/reading.py --stores /work/cache/reading --sample 3 # round 19's third draw
    python bench/reading.py --stores /work/cache/reading --audit    # round 22's user audit
    python bench/reading.py --stores /work/cache/reading --tools    # round 23's tool vaults
    python bench/reading.py --stores /work/cache/reading --tools ~/graph ~/dendron  # any folders

Each collection of ../shared/corpora, and ../shared/seeds, is ingested (`--no-embed`) into a
fresh store of its own, as the held-out protocol does; a last store holds all of them, for
merges across sources. An entry or a wanted page is in the sample when a hash of its key
(collection, file, line, normalised name) falls under its collection's rate, so an item the
code keeps is drawn again by the next version and only new items need a label. A second hash
puts each item in the `tune` or the `report` half.

`bench/queries/reading.jsonl` holds references only (collection, file, line, the name as
stored, a label), never a sentence of the notes:
- `{"kind": "entry", ..., "ok": true}`: a true concept (a term a reader would look up);
- `{"kind": "wanted", ..., "ok": false}`: a wanted page that names no concept;
- `{"kind": "merge", "a": {...}, "b": {...}, "same": true}`: two entries that are one concept
  (`false`: two that must stay apart, such as LoRA and QLoRA).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import fuzz  # noqa: E402

import grimoire  # noqa: E402
from grimoire.names import normalize, parse_term  # noqa: E402

SHARED = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared"))
COLLECTIONS = ("distill-articles", "google-ml-glossary-vault", "hf-docs", "ml-cheatsheet-rst",
               "ml-glossary-terms", "seeds")
# Rates chosen once on main (2026-12-02) to draw about 30 entries per collection
# (distill has 27, all drawn); wanted pages: 1 in 3 of the seeds' 109, all of the few others.
ENTRY_RATE = {"distill-articles": 1.0, "google-ml-glossary-vault": 0.05, "hf-docs": 0.4,
              "ml-cheatsheet-rst": 0.15, "ml-glossary-terms": 0.08, "seeds": 0.23}
WANTED_RATE = {"seeds": 0.34}
# Sample 2 (round 18, 2026-12-03): a second seed, drawn once on main, holding only items that
# sample 1 did not draw (so it is a sample nobody tuned on). Rates for about 30 new entries per
# collection; distill (27 entries) and the wanted pages outside the seeds are all in sample 1.
ENTRY_RATE_2 = {"distill-articles": 0.0, "google-ml-glossary-vault": 0.053, "hf-docs": 0.5,
                "ml-cheatsheet-rst": 0.17, "ml-glossary-terms": 0.085, "seeds": 0.3}
WANTED_RATE_2 = {"seeds": 0.34}
# Sample 3 (round 19, 2026-12-03): a third seed, drawn once on main, holding only items that
# samples 1 and 2 did not draw, weighted toward what they covered least: every wanted page left
# (each is a candidate false "wanted"), the Sphinx cheat sheet's section entries (0.35 of the
# rest), every hf-docs entry left, and about 30 new entries of the vault, the term files and the
# seeds. Distill's 27 entries are all in sample 1, so it adds none of them.
ENTRY_RATE_3 = {"distill-articles": 1.0, "google-ml-glossary-vault": 0.06, "hf-docs": 1.0,
                "ml-cheatsheet-rst": 0.35, "ml-glossary-terms": 0.09, "seeds": 0.4}
WANTED_RATE_3 = 1.0
LABEL_FILES = {1: ROOT / "bench" / "queries" / "reading.jsonl",
               2: ROOT / "bench" / "queries" / "reading2.jsonl",
               3: ROOT / "bench" / "queries" / "reading3.jsonl"}


def folder(collection: str) -> Path:
    return SHARED / "seeds" if collection == "seeds" else SHARED / "corpora" / collection


def _hash(*parts: object) -> int:
    return int(hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def drawn(rate: float, *key: object) -> bool:
    return _hash(*key) % 10_000 < rate * 10_000


def half(*key: object) -> str:
    return "tune" if _hash("half", *key) % 2 == 0 else "report"


@dataclass(frozen=True, slots=True)
class Item:
    kind: str  # "entry" or "wanted"
    collection: str
    file: str
    line: int
    name: str

    @property
    def key(self) -> tuple[str, str, str, int, str]:
        return (self.kind, self.collection, self.file, self.line, normalize(self.name))


def ingest(stores: Path) -> None:
    """One fresh store per collection, and one of everything (`all`)."""
    if stores.exists():
        shutil.rmtree(stores)
    stores.mkdir(parents=True)
    for collection in COLLECTIONS:
        with grimoire.open(stores / f"{collection}.db") as kb:
            kb.ingest([folder(collection)], embed=False)
    with grimoire.open(stores / "all.db") as kb:
        kb.ingest([folder(c) for c in COLLECTIONS], embed=False)


def _rel(path: str, collection: str) -> str:
    return str(Path(path).relative_to(folder(collection)))


def items(stores: Path) -> list[Item]:
    """Every entry and wanted page of every collection's store."""
    out: list[Item] = []
    for collection in COLLECTIONS:
        with grimoire.open(stores / f"{collection}.db") as kb:
            for e in kb.entries():
                span = e.entry.span
                out.append(Item("entry", collection, _rel(span.path, collection),
                                span.start_line, e.entry.term))
            for page in kb.wanted(suggestions=False):
                first = min(page.spans, key=lambda s: (s.path, s.start_line))
                out.append(Item("wanted", collection, _rel(first.path, collection),
                                first.start_line, page.name))
    return out


def _in_first(i: Item) -> bool:
    return drawn(ENTRY_RATE[i.collection] if i.kind == "entry"
                 else WANTED_RATE.get(i.collection, 1.0), *i.key)


def _in_second(i: Item) -> bool:
    rate = (ENTRY_RATE_2[i.collection] if i.kind == "entry"
            else WANTED_RATE_2.get(i.collection, 0.0))
    return drawn(rate, "sample 2", *i.key) and not _in_first(i)


def _in_third(i: Item) -> bool:
    rate = ENTRY_RATE_3[i.collection] if i.kind == "entry" else WANTED_RATE_3
    return drawn(rate, "sample 3", *i.key) and not _in_first(i) and not _in_second(i)


def sample(all_items: list[Item], which: int = 1) -> list[Item]:
    test = {1: _in_first, 2: _in_second, 3: _in_third}[which]
    return [i for i in all_items if test(i)]


def load_labels(which: int = 1) -> tuple[dict[tuple[str, str, str, int, str], dict[str, object]],
                                         list[dict[str, object]]]:
    labels: dict[tuple[str, str, str, int, str], dict[str, object]] = {}
    merges: list[dict[str, object]] = []
    if not LABEL_FILES[which].exists():
        return labels, merges
    for line in LABEL_FILES[which].read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row["kind"] == "merge":
            merges.append(row)
        else:
            labels[(row["kind"], row["collection"], row["file"], row["line"],
                    normalize(row["name"]))] = row
    return labels, merges


def concept_of(conn: sqlite3.Connection, ref: dict[str, object]) -> int | None:
    """The concept holding the entry at `ref` (collection, file, line; else file and name)."""
    path = str(folder(str(ref["collection"])) / str(ref["file"]))
    rows = conn.execute(
        """SELECT ce.concept_id, e.start_line, e.term FROM entries e
           JOIN documents d ON d.id = e.document_id JOIN sources s ON s.id = d.source_id
           JOIN concept_entries ce ON ce.entry_id = e.id WHERE s.path = ?""", (path,)).fetchall()
    for cid, line, _ in rows:
        if line == ref["line"]:
            return int(cid)
    name = normalize(str(ref.get("name", "")))
    for cid, _, term in rows:
        if name and normalize(term) == name:
            return int(cid)
    return None


def score(stores: Path, which: int = 1) -> dict[str, object]:
    labels, merges = load_labels(which)
    picked = sample(items(stores), which)
    report: dict[str, object] = {}
    counts: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    unlabelled: list[Item] = []
    for item in picked:
        row = labels.get(item.key)
        if row is None:
            unlabelled.append(item)
            continue
        h = half(*item.key)
        for where in (item.collection, "all"):
            counts[(item.kind, h, where)].append(bool(row["ok"]))
    for (kind, h, where), oks in sorted(counts.items()):
        report.setdefault(f"{kind} precision", {}).setdefault(h, {})[where] = (  # type: ignore[union-attr]
            f"{sum(oks)}/{len(oks)} = {sum(oks) / len(oks):.3f}")
    report["unlabelled"] = len(unlabelled)
    conn = sqlite3.connect(stores / "all.db")
    found: dict[tuple[str, bool], list[bool]] = defaultdict(list)
    missed: list[str] = []
    for m in merges:
        a, b = m["a"], m["b"]
        assert isinstance(a, dict) and isinstance(b, dict)
        ca, cb = concept_of(conn, a), concept_of(conn, b)
        together = ca is not None and ca == cb
        h = half(a["collection"], a["file"], b["collection"], b["file"])
        if m.get("drawn") == "known":
            h = "known"
        found[(h, bool(m["same"]))].append(together)
        if together != m["same"] and h in ("tune", "known"):
            missed.append(f"{a.get('name')} / {b.get('name')}: "
                          + ("not merged" if m["same"] else "merged"))
    conn.close()
    for (h, same), got in sorted(found.items()):
        label = "merge recall" if same else "false merges"
        report.setdefault(label, {})[h] = f"{sum(got)}/{len(got)}"  # type: ignore[union-attr]
    report["tune misses"] = missed
    return report


def variant_names(term: str) -> set[str]:
    """A term's names for finding namesakes: whole, without brackets, acronym, long form."""
    t = parse_term(term)
    found = {term, t.label, t.base, t.acronym or "", t.expansion or ""}
    return {n for n in map(normalize, found) if n}


def pairs(stores: Path, which: int) -> list[dict[str, object]]:
    """Unlabelled namesakes (rapidfuzz ratio >= 80) of the sampled entries in other collections."""
    every = [i for i in items(stores) if i.kind == "entry"]
    names = [(i, variant_names(i.name)) for i in every]
    _, merges = load_labels(which)
    seen = {(json.dumps(m["a"], sort_keys=True), json.dumps(m["b"], sort_keys=True))
            for m in merges}
    conn = sqlite3.connect(stores / "all.db")
    out = []
    for item in sample(every, which):
        mine = variant_names(item.name)
        for other, theirs in names:
            if other.collection == item.collection:
                continue
            if max(fuzz.ratio(x, y) for x in mine for y in theirs) < 80:
                continue
            a = {"collection": item.collection, "file": item.file, "line": item.line,
                 "name": item.name}
            b = {"collection": other.collection, "file": other.file, "line": other.line,
                 "name": other.name}
            if (json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True)) in seen:
                continue
            ca, cb = concept_of(conn, a), concept_of(conn, b)
            out.append({"kind": "merge", "drawn": "sample", "a": a, "b": b,
                        "together": ca is not None and ca == cb,
                        "half": half(a["collection"], a["file"], b["collection"], b["file"])})
    conn.close()
    return out


AUDIT = 40  # concepts, wanted pages and headings drawn per collection by `--audit`


def _line(path: str, line: int) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return " ".join(text[line - 1].split()) if 0 < line <= len(text) else ""


def audit(stores: Path, n: int = AUDIT) -> list[dict[str, object]]:
    """Round 22's user audit: per collection, `n` concepts (as `grimoire show` gives them: the
    first entry's place, why it is an entry, its first 200 characters), `n` wanted pages (the
    line that wants each) and `n` headings that are no entry (the text under each), each
    drawn by a hash of its key, so that a later version draws the same items where it keeps
    them. Labelled by hand: a false entry, a wrong definition (the text does not open with
    what the term is), a false wanted page, a missing concept (a heading that defines)."""
    out: list[dict[str, object]] = []
    for collection in COLLECTIONS:
        with grimoire.open(stores / f"{collection}.db") as kb:
            summaries = sorted(kb.concepts(), key=lambda c: _hash("audit22", collection,
                                                                  normalize(c.label)))
            for summary in summaries[:n]:
                concept = kb.concept(summary.label, concept_id=str(summary.id))
                e = concept.entries[0].entry if concept.entries else None
                out.append({
                    "kind": "concept", "collection": collection, "label": summary.label,
                    "at": f"{_rel(e.span.path, collection)}:{e.span.start_line}" if e else "",
                    "reason": (e.reason or "")[:90] if e else "",
                    "text": " ".join((e.definition if e else "").split())[:200]})
            pages = sorted(kb.wanted(suggestions=False),
                           key=lambda w: _hash("audit22", collection, w.norm))
            for page in pages[:n]:
                first = min(page.spans, key=lambda s: (s.path, s.start_line))
                out.append({"kind": "wanted", "collection": collection, "label": page.name,
                            "at": f"{_rel(first.path, collection)}:{first.start_line}",
                            "text": _line(first.path, first.start_line)[:200]})
            conn = kb.store.conn
            terms = {normalize(t) for (t,) in conn.execute("SELECT term FROM entries")}
            heads: dict[tuple[str, str], tuple[int, str]] = {}
            for path, heading, start, text in conn.execute(
                    """SELECT s.path, p.heading_path, p.start_line, p.text FROM passages p
                       JOIN documents d ON d.id = p.document_id
                       JOIN sources s ON s.id = d.source_id ORDER BY s.path, p.seq"""):
                hp = json.loads(heading)
                if hp and normalize(hp[-1]) not in terms and (path, hp[-1]) not in heads:
                    heads[(path, hp[-1])] = (start, text)
            drawn_heads = sorted(heads, key=lambda k: _hash("audit22", collection,
                                                            _rel(k[0], collection), k[1]))
            for path, heading in drawn_heads[:n]:
                start, text = heads[(path, heading)]
                out.append({"kind": "heading", "collection": collection, "label": heading,
                            "at": f"{_rel(path, collection)}:{start}",
                            "text": " ".join(text.split())[:200]})
    return out


TOOL_VAULTS = ROOT / "tests" / "readers" / "fixtures" / "tools"


def tools(stores: Path, folders: list[Path]) -> list[dict[str, object]]:
    """Each folder (default: round 23's vaults of other tools, `TOOL_VAULTS`) ingested into a
    store of its own, with what a user of it would check: the concepts (a journal day, an id or
    a timestamp among them is a false entry), the wanted pages (one the tool follows is false),
    and each concept's first definition line (a property line there is a wrong definition)."""
    rows: list[dict[str, object]] = []
    for path in folders or sorted(p for p in TOOL_VAULTS.iterdir() if p.is_dir()):
        db = stores / f"tools-{path.name}.db"
        for old in stores.glob(f"{db.name}*"):
            old.unlink()
        stores.mkdir(parents=True, exist_ok=True)
        with grimoire.open(db) as kb:
            kb.ingest([path], embed=False)
            concepts = []
            for summary in kb.concepts():
                concept = kb.concept(summary.label, concept_id=summary.id)
                text = concept.entries[0].entry.definition if concept.entries else ""
                concepts.append({"name": concept.label,
                                 "first_line": text.split("\n", 1)[0][:80]})
            wanted = [w.name for w in kb.wanted(suggestions=False)]
        rows.append({"folder": str(path), "concepts": len(concepts), "wanted": len(wanted),
                     "concept_list": concepts, "wanted_list": wanted})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=Path, required=True, help="a scratch folder")
    parser.add_argument("--reuse", action="store_true", help="score the stores already there")
    parser.add_argument("--draw", action="store_true", help="print the sampled items not labelled")
    parser.add_argument("--pairs", action="store_true",
                        help="print the sampled entries' unlabelled namesakes")
    parser.add_argument("--sample", type=int, choices=(1, 2, 3), default=1,
                        help="1: round 17's draw (reading.jsonl); 2: round 18's (reading2.jsonl);"
                        " 3: round 19's (reading3.jsonl)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--audit", action="store_true",
                        help="print round 22's user audit draw (concepts, wanted pages, headings)")
    parser.add_argument("--tools", type=Path, nargs="*",
                        help="round 23: read each folder (default: the tool vaults under "
                        "tests/readers/fixtures/tools) into a store of its own and print its "
                        "concepts and wanted pages")
    args = parser.parse_args()
    import devset  # bench/ is the script's folder: on sys.path

    devset.require_corpora(SHARED / "corpora")
    if args.tools is not None:
        for row in tools(args.stores, args.tools):
            print(json.dumps(row, ensure_ascii=False))
        return
    if not args.reuse:
        ingest(args.stores)
    if args.audit:
        for row in audit(args.stores):
            print(json.dumps(row, ensure_ascii=False))
        return
    if args.pairs:
        for row in pairs(args.stores, args.sample):
            print(json.dumps(row, ensure_ascii=False))
        return
    if args.draw:
        labels, _ = load_labels(args.sample)
        for item in sample(items(args.stores), args.sample):
            if item.key not in labels:
                print(json.dumps({"kind": item.kind, "collection": item.collection,
                                  "file": item.file, "line": item.line, "name": item.name,
                                  "half": half(*item.key)}, ensure_ascii=False))
        return
    report = score(args.stores, args.sample)
    if args.json:
        print(json.dumps(report, indent=1))
        return
    for key, value in report.items():
        if isinstance(value, dict):
            for h, v in value.items():
                if isinstance(v, dict):
                    for where, figure in v.items():
                        print(f"{key:18} {h:7} {where:26} {figure}")
                else:
                    print(f"{key:18} {h:7} {v}")
        elif isinstance(value, list):
            for v in value:
                print(f"{key:18} {v}")
        else:
            print(f"{key:18} {value}")


if __name__ == "__main__":
    main()
