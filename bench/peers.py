"""Plain peers built several ways, beside Grimoire on the same stores: which is the strongest?

    .venv/bin/python bench/peers.py --cache DIR --hide source \
        --descriptions bench/queries/descriptions2.jsonl
    .venv/bin/python bench/peers.py --cache DIR --own-words bench/queries/own_words9.jsonl

Issue 9's held-out peer is "MiniLM alone, one vector per entry"; bench/search.py's MiniLM peer
reads the store's own vectors (an entry as `term (aliases): definition` cut at 256 tokens, each
passage outside an entry as its own unit). A held-out harness may have built its peer
differently, so each way below is measured on the same queries, store by store (one store per
target collection, as bench/search.py's descriptions), judged by the same names:

- `MiniLM`: bench/search.py's peer (stored vectors of entries and free passages).
- `MiniLM first2`: an entry as its name and its definition's first two sentences.
- `MiniLM whole`: an entry as its name and every passage it holds (its whole section).
- `MiniLM name`: an entry as its name and aliases only.
- `MiniLM maxpool`: every stored passage vector a unit of its entry (or document), with the
  entry's own vector; an entry scores by its best.
- `MiniLM chunkmean`: an entry's whole text in chunks of about 256 tokens, their vectors
  averaged.
- `... E`: each of those over entries only (no passage outside an entry is a unit).
- `MiniLM sections`: one unit per heading section (the passages under one heading path).
- `bm25s`, `bm25s title3` (the name three times), `bm25s whole` (an entry's whole section).
- `RRF(...)` of pairs of them.

Vectors of texts the store does not hold are computed once and kept in `--vectors` (a SQLite
file keyed by the text's sha1). With `--ranks FILE` every query's target rank in every system
is written out (0: not in the top 10), for the per-query comparisons.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import devset  # noqa: E402
import search as sb  # noqa: E402

import grimoire  # noqa: E402
from grimoire.store._embed_text import definition_embed_text  # noqa: E402

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'`$\\])")
CHUNK_WORDS = 180  # about 256 MiniLM tokens of English prose


class VectorCache:
    """MiniLM vectors of texts, computed once and kept on disk."""

    def __init__(self, path: Path, model: object) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.execute("CREATE TABLE IF NOT EXISTS v (h TEXT PRIMARY KEY, vec BLOB)")
        self.model = model

    def get(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        uniq = list(dict.fromkeys(keys))
        for start in range(0, len(uniq), 500):
            part = uniq[start:start + 500]
            for h, blob in self.conn.execute(
                    f"SELECT h, vec FROM v WHERE h IN ({','.join('?' * len(part))})", part):
                found[h] = np.frombuffer(blob, dtype=np.float32)
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if todo:
            vecs = self.model.embed(list(todo.values()))  # type: ignore[attr-defined]
            with self.conn:
                self.conn.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                      [(k, v.astype(np.float32).tobytes())
                                       for k, v in zip(todo, vecs, strict=True)])
            found.update(zip(todo, vecs, strict=True))
        dim = 384
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)


def entry_datas(conn: sqlite3.Connection) -> dict[int, dict]:
    """Each entry's stored JSON with its term, by id (redirects left out). The term is the
    `entries.term` column: since round 38 the JSON holds none (`document_rows.stored_json`),
    and `name_of` gave every entry an empty name (review38a)."""
    return {eid: {**json.loads(d), "term": term} for eid, d, term in conn.execute(
        "SELECT id, data, term FROM entries WHERE redirect IS NULL")}


def name_of(data: dict) -> str:
    term = str(data.get("term") or "")
    aliases = [a for a in data.get("aliases") or () if a and a.casefold() != term.casefold()]
    return f"{term} ({', '.join(aliases)})" if aliases else term


def first_sentences(text: str, n: int = 2) -> str:
    return " ".join(_SENT.split(text.strip())[:n])


def chunks(text: str, size: int = CHUNK_WORDS) -> list[str]:
    words = text.split()
    return [" ".join(words[i:i + size]) for i in range(0, len(words), size)] or [""]


Unit = sb.Unit


def build(kb: grimoire.Grimoire, vc: VectorCache) -> dict[str, tuple[list[Unit], np.ndarray]]:
    """Each vector peer's units and their matrix; bm25 peers get a zero-width matrix."""
    conn = kb.store.conn
    base_units, index = sb.load_units(kb)
    model = kb.searcher.embedder
    kinds, ids, _, _, stored = kb.store.load_vectors(model.name)
    base = sb.unit_vectors(index, len(base_units), kinds, ids, stored)
    entry_units = {u.key[1]: u for u in base_units if u.key[0] == "e"}
    free = [u for u in base_units if u.key[0] == "d"]
    free_rows = [index[k] for k in index if k[0] == "passage"]
    datas = entry_datas(conn)
    held: dict[int, list[str]] = {}
    for eid, text in conn.execute(
            "SELECT entry_id, text FROM passages WHERE entry_id IS NOT NULL ORDER BY id"):
        held.setdefault(eid, []).append(text)
    eids = list(entry_units)
    out: dict[str, tuple[list[Unit], np.ndarray]] = {"MiniLM": (base_units, base)}

    def with_free(texts: list[str]) -> tuple[list[Unit], np.ndarray]:
        units = [entry_units[e] for e in eids] + free
        return units, np.vstack([vc.get(texts), base[free_rows]])

    def whole(e: int) -> str:
        body = " ".join(held.get(e, ())) or definition_embed_text(
            str(datas[e].get("definition") or ""))
        return f"{name_of(datas[e])}: {body}"

    def opening(e: int) -> str:
        text = first_sentences(definition_embed_text(str(datas[e].get("definition") or "")))
        return f"{name_of(datas[e])}: {text}".rstrip(": ")

    out["MiniLM first2"] = with_free([opening(e) for e in eids])
    out["MiniLM whole"] = with_free([whole(e) for e in eids])
    out["MiniLM name"] = with_free([name_of(datas[e]) for e in eids])
    means = []
    for e in eids:
        v = vc.get(chunks(whole(e))).mean(axis=0)
        means.append(v / max(float(np.linalg.norm(v)), 1e-12))
    units = [entry_units[e] for e in eids] + free
    out["MiniLM chunkmean"] = (units, np.vstack([np.array(means, np.float32), base[free_rows]]))
    out["MiniLM entries"] = ([entry_units[e] for e in eids],
                             base[[index[("entry", e)] for e in eids]])
    # maxpool: every passage vector stands for its entry (or its document), beside the
    # entry's own vector.
    rows = {("entry" if k == 1 else "passage", int(i)): r
            for r, (k, i) in enumerate(zip(kinds, ids, strict=True))}
    mp_units = list(units)
    mp_vecs = [base[[index[("entry", e)] for e in eids]], base[free_rows]]
    extra_u, extra_v = [], []
    for pid, eid in conn.execute("SELECT id, entry_id FROM passages WHERE entry_id IS NOT NULL"):
        if eid in entry_units and ("passage", pid) in rows:
            extra_u.append(entry_units[eid])
            extra_v.append(stored[rows[("passage", pid)]])
    out["MiniLM maxpool"] = (mp_units + extra_u,
                             np.vstack([*mp_vecs, np.array(extra_v, np.float32).reshape(-1, 384)]))
    # sections: one unit per (document, heading path), keyed to the entry that owns most of it.
    sec: dict[tuple[int, str], list[tuple[str, int | None, str, str]]] = {}
    for doc, heading, text, eid, title, path in conn.execute(
            """SELECT p.document_id, p.heading_path, p.text, p.entry_id, d.title, s.path
               FROM passages p JOIN documents d ON d.id = p.document_id
               JOIN sources s ON s.id = d.source_id ORDER BY p.id"""):
        sec.setdefault((doc, heading), []).append((text, eid, title, path))
    s_units, s_texts = [], []
    for (doc, heading), parts in sec.items():
        hp = json.loads(heading)
        owners = [e for _, e, _, _ in parts if e is not None and e in entry_units]
        title, path = parts[0][2], parts[0][3]
        if owners:
            u = entry_units[max(set(owners), key=owners.count)]
        else:
            labels = sb.variants(title) | sb.variants(sb.path_label(path))
            u = Unit(("d", doc), "", frozenset(labels))
        head = " / ".join([title, *hp][-3:]) if title else " / ".join(hp[-3:])
        body = " ".join(t for t, _, _, _ in parts)
        s_units.append(Unit(u.key, f"{head} {body}", u.labels))
        s_texts.append(f"{head}: {body}")
    out["MiniLM sections"] = (s_units, vc.get(s_texts))
    # bm25 variants (texts only)
    out["bm25s"] = (base_units, np.zeros((0, 0)))
    title3 = [Unit(u.key, (" ".join([name_of(datas[u.key[1]])] * 2) + " " + u.text)
                   if u.key[0] == "e" else u.text, u.labels) for u in base_units]
    out["bm25s title3"] = (title3, np.zeros((0, 0)))
    out["bm25s whole"] = ([Unit(entry_units[e].key, whole(e), entry_units[e].labels)
                           for e in eids] + free, np.zeros((0, 0)))
    # the same without the passages outside every entry: "one vector per entry", literally
    for name in [n for n in out if n not in ("MiniLM entries", "MiniLM sections")]:
        units, matrix = out[name]
        keep = [i for i, u in enumerate(units) if u.key[0] == "e"]
        out[f"{name} E"] = ([units[i] for i in keep],
                            matrix[keep] if matrix.shape[0] else matrix)
    del out["MiniLM entries"]  # = "MiniLM E"
    return out


def run(kb: grimoire.Grimoire, vc: VectorCache, queries: Sequence[sb.devset.DevQuery],
        grimoire_modes: Sequence[str] = ("semantic", "hybrid")) -> dict[str, list[int]]:
    """Each system's rank of the target for each query (0: not in the top 10)."""
    import bm25s

    peers = build(kb, vc)
    qv = vc.get([q.text for q in queries])

    def rank(ranked: list[sb.Labels], expected: Sequence[str]) -> int:
        for r, labels in enumerate(ranked[:10], 1):
            if sb.relevant(labels, expected):
                return r
        return 0

    orders: dict[str, list[list[int]]] = {}
    for name, (units, matrix) in peers.items():
        if name.startswith("bm25s"):
            retriever = bm25s.BM25()
            retriever.index(bm25s.tokenize([u.text for u in units], stopwords="en",
                                           show_progress=False), show_progress=False)
            rows = []
            for q in queries:
                tokens = bm25s.tokenize([q.text], stopwords="en", show_progress=False)
                if not tokens.vocab:
                    rows.append([])
                    continue
                docs, _ = retriever.retrieve(tokens, k=min(300, len(units)), show_progress=False)
                rows.append([int(i) for i in docs[0]])
        else:
            sims = qv @ matrix.T
            rows = [[int(i) for i in np.argsort(-s)[:300]] for s in sims]
        orders[name] = rows

    def rrf(*lists: list[int]) -> list[int]:
        fused: dict[int, float] = {}
        for order in lists:
            for r, i in enumerate(order, 1):
                fused[i] = fused.get(i, 0.0) + 1.0 / (60 + r)
        return sorted(fused, key=lambda i: -fused[i])

    ranks: dict[str, list[int]] = {}
    for mode in grimoire_modes:
        ranks[f"grimoire {mode}"] = [
            rank([sb.hit_labels(kb, h) for h in kb.search(q.text, k=10, mode=mode)], q.expected)
            for q in queries]
    for name, rows in orders.items():
        units = peers[name][0]
        ranks[f"peer {name}"] = [rank([u.labels for u in sb.dedupe(o, units)], q.expected)
                                 for o, q in zip(rows, queries, strict=True)]
    # RRF over units of one list each: fuse at the group level (entry / document keys).
    def group_order(name: str, o: list[int]) -> list[tuple[str, int]]:
        units = peers[name][0]
        seen: dict[tuple[str, int], None] = {}
        for i in o:
            seen.setdefault(units[i].key, None)
        return list(seen)

    labels_of: dict[tuple[str, int], frozenset[str]] = {}
    for units, _ in peers.values():
        for u in units:
            labels_of.setdefault(u.key, u.labels)
    for lex, vec in (("bm25s", "MiniLM"), ("bm25s title3", "MiniLM"),
                     ("bm25s title3", "MiniLM maxpool"), ("bm25s E", "MiniLM E"),
                     ("bm25s title3 E", "MiniLM E"), ("bm25s title3 E", "MiniLM first2 E"),
                     ("bm25s title3 E", "MiniLM maxpool E")):
        out = []
        for qi, q in enumerate(queries):
            fused: dict[tuple[str, int], float] = {}
            for name in (lex, vec):
                for r, k in enumerate(group_order(name, orders[name][qi]), 1):
                    fused[k] = fused.get(k, 0.0) + 1.0 / (60 + r)
            top = sorted(fused, key=lambda k: -fused[k])[:10]
            out.append(rank([labels_of[k] for k in top], q.expected))
        ranks[f"peer RRF({lex}, {vec})"] = out
    return ranks


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cache", required=True, type=Path)
    p.add_argument("--descriptions", type=Path, default=None)
    p.add_argument("--own-words", type=Path, default=None)
    p.add_argument("--hide", default="source")
    p.add_argument("--vectors", type=Path, default=None)
    p.add_argument("--ranks", type=Path, default=None)
    p.add_argument("--targets", default=",".join(devset.COLLECTIONS))
    args = p.parse_args()
    if args.own_words:
        queries = devset.own_words(args.own_words)
    else:
        queries = devset.load(args.descriptions or devset.DESCRIPTIONS, hide=args.hide)
    vc_path = args.vectors or args.cache / "peer_vectors.db"
    ranks: dict[str, list[int]] = {}
    meta: list[dict] = []
    vc = None
    for collection in args.targets.split(","):
        mine = [q for q in queries if q.target == collection]
        if not mine:
            continue
        kb = sb.collection_store(collection, args.cache)
        if vc is None:
            vc = VectorCache(vc_path, kb.searcher.embedder)
        for name, r in run(kb, vc, mine).items():
            ranks.setdefault(name, []).extend(r)
        meta += [{"id": q.id, "split": q.split, "target": q.target, "source": q.source,
                  "text": q.text, "expected": list(q.expected)} for q in mine]
        kb.close()
        print(f"done {collection} ({len(mine)})", file=sys.stderr)
    if args.ranks:
        args.ranks.write_text(json.dumps({"queries": meta, "ranks": ranks}))
    cols = list(dict.fromkeys(m["target"] for m in meta))
    for split in ("tune", "report"):
        sel = [i for i, m in enumerate(meta) if m["split"] == split]
        if not sel:
            continue
        print(f"\n{split} ({len(sel)}): MRR@10 (R@10), then MRR@10 by target collection")
        print(f"{'system':44} {'MRR':>6} {'R@10':>6} "
              + " ".join(f"{sb.SHORT.get(c, c)[:7]:>7}" for c in cols))
        print(f"{'':44} {'':6} {'':6} " + " ".join(
            f"{sum(1 for i in sel if meta[i]['target'] == c):>7}" for c in cols))
        for name, r in ranks.items():
            def mrr(idx: list[int], r: list[int] = r) -> float:
                return sum(1 / r[i] for i in idx if r[i]) / len(idx) if idx else float("nan")
            rec = sum(1 for i in sel if r[i]) / len(sel)
            by = [mrr([i for i in sel if meta[i]["target"] == c]) for c in cols]
            print(f"{name:44} {mrr(sel):6.3f} {rec:6.3f} " + " ".join(f"{b:7.3f}" for b in by))


if __name__ == "__main__":
    main()
