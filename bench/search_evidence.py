"""New evidence for descriptions, measured offline before it is built in (round 23).

    PYTHONPATH=src .venv/bin/python bench/search_evidence.py dump --cache /work/cache/search23/s \\
        --out /work/cache/search23/evidence.pkl
    ... recall EVIDENCE.pkl              # where the tune targets outside the top 10 are
    ... measure EVIDENCE.pkl [--only REGEX] [--report] [--collections] [--json]
    ... dump --cache DIR --queries PAIRS.jsonl --out FRESH.pkl   # other pairs, same form
    ... late EVIDENCE.pkl --cache DIR --windows 256,512 --out LATE.pkl   # round 24
    ... measure EVIDENCE.pkl --late LATE.pkl [--only 'late|sentences']

`dump` runs every query of three description sets (the source's names hidden as spelled, every
name masked, own words) against its collection's store in hybrid mode, and keeps what
`grimoire.search._score` is given (the lists, the title-only links, the named concepts, the
bonuses), the query's vector and the rank MiniLM alone gives the answer. Per collection it keeps
every stored vector with its group, each group's names, the concepts each passage links to or
mentions by name, and a vector of each entry's first sentence (the one embedding it adds).

`measure` re-fuses each description with a change to its semantic evidence, through the same
`_score`, and prints MRR@10/recall@10 per half (and collection), and the paired change per
query (mean ± standard error, queries up / down). The replay of main is checked against the bench's
own ranking first. Without `--report` only the tune halves are printed.

`late` (round 24) re-pools every stored row from its own tokens of one MiniLM pass over its text
with its page's neighbouring passages around it (late chunking), and embeds each sentence of a
description of several; `measure --late` replays the variants that use them.

Rounds 23 and 24 kept none of the variants (bench/README.md): they are here to be measured again
on new data, or extended (add a function to VARIANTS).
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import devset  # noqa: E402
import search as bench  # noqa: E402  (bench/search.py)

import grimoire  # noqa: E402
import grimoire.search as gs  # noqa: E402

Key = tuple[str, int]  # search.py's group key
SETS = ("source", "all", "own")  # --hide source, every name masked, own words
SHORT = {"google-ml-glossary-vault": "vault", "ml-glossary-terms": "terms", "hf-docs": "hf-docs",
         "ml-cheatsheet-rst": "cheatsheet", "distill-articles": "distill"}
NORMALISE = {"_by_top": gs._by_top, "_min_max": gs._min_max}
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'`\\$])")


# -- dump -----------------------------------------------------------------------------------


def _queries(name: str, path: Path | None = None) -> list[devset.DevQuery]:
    if name == "own":
        return devset.own_words() if path is None else []
    return devset.load(path or devset.DESCRIPTIONS, hide="source" if name == "source" else "all")


def _collection(kb: grimoire.Grimoire) -> dict[str, Any]:
    """Every stored vector with its group, and what other notes say of each group."""
    searcher, conn = kb.searcher, kb.store.conn
    kinds, ids, _, _, matrix = kb.store.load_vectors(searcher.embedder.name)
    with kb.store.reading():
        pids = [int(i) for k, i in zip(kinds, ids, strict=True) if k == 0]
        eids = [int(i) for k, i in zip(kinds, ids, strict=True) if k == 1]
        passage_group = {pid: key for key, pid, _ in
                         searcher._passage_list([gs.Scored(p, 0.0) for p in pids])}
        entry_group = searcher._entry_groups(eids)
        stubs = {pid: [("c", c) for c in sorted(cs)]
                 for pid, cs in kb.store.title_only_links(pids, None).items()}
    keys = [passage_group.get(int(i)) if k == 0 else entry_group.get(int(i))
            for k, i in zip(kinds, ids, strict=True)]
    row_of = {int(i): r for r, (k, i) in enumerate(zip(kinds, ids, strict=True)) if k == 0}
    passages = conn.execute(
        "SELECT id, document_id, start_line, end_line, text FROM passages").fetchall()
    by_document: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in passages:
        by_document[row[1]].append(row)
    # The passages that link to a concept (its links resolved), and those that say its name.
    links: dict[Key, set[int]] = defaultdict(set)
    for document, line, concept in conn.execute(
            "SELECT l.document_id, l.start_line, t.concept_id FROM links l JOIN link_targets t"
            " ON t.link_id = l.id WHERE t.concept_id IS NOT NULL"):
        for pid, _, start, end, _ in by_document.get(document, ()):
            if start <= line <= end and pid in row_of and passage_group.get(pid) != ("c", concept):
                links[("c", concept)].add(row_of[pid])
    names: dict[str, set[Key]] = defaultdict(set)
    for concept, name in conn.execute("SELECT concept_id, name FROM concept_names"):
        if len(name.strip()) >= 4:
            names[name.strip().casefold()].add(("c", concept))
    mentions: dict[Key, set[int]] = defaultdict(set)
    for pid, _, _, _, text in passages:
        if pid not in row_of:
            continue
        low = (text or "").casefold()
        for name, concepts in names.items():
            if name in low and re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", low):
                for key in concepts - {passage_group.get(pid)}:
                    mentions[key].add(row_of[pid])
    # Each entry's first sentence, embedded (a second vector per entry).
    firsts: list[tuple[Key, str]] = []
    for eid, data in conn.execute("SELECT id, data FROM entries WHERE redirect IS NULL"):
        d = json.loads(data)
        body = " ".join([*(g for g in d.get("glosses") or () if g),
                         str(d.get("definition") or "")]).strip()
        if body and eid in entry_group:
            firsts.append((entry_group[eid], SENTENCE.split(body, 1)[0].strip()))
    first_vectors = (np.asarray(searcher.embedder.embed([t for _, t in firsts]), dtype=np.float32)
                     if firsts else np.zeros((0, matrix.shape[1]), dtype=np.float32))
    # MiniLM alone, one vector per entry (the bench's peer), for the answer's rank.
    units, index = bench.load_units(kb)
    peer = bench.unit_vectors(index, len(units), kinds, ids, matrix)
    labels = bench.group_labels(kb, sorted({k for k in keys if k is not None}
                                           | {k for v in stubs.values() for k in v}
                                           | set(links) | set(mentions)))
    return {"kinds": np.asarray(kinds), "ids": np.asarray(ids),
            "matrix": np.asarray(matrix, dtype=np.float32),
            "keys": keys, "stubs": stubs, "labels": labels, "links": dict(links),
            "mentions": dict(mentions), "first_keys": [k for k, _ in firsts],
            "first_vectors": first_vectors, "peer": peer, "units": units}


def dump(cache: Path, out: Path, queries: Path | None = None) -> None:
    """`queries`: another file of description pairs in descriptions.jsonl's form (own words
    are then left out)."""
    captured: dict[str, Any] = {}
    score, stubs_linked = gs._score, gs.Searcher._stubs_linked

    def spy(lists: Any, stubs: Any, named: Any, bonus: Any) -> Any:
        captured.update(lists=[(w, list(r), n.__name__) for w, r, n in lists],
                        stubs=dict(stubs), named=set(named), bonus=dict(bonus))
        return score(lists, stubs, named, bonus)

    def lifted(self: Any, *args: Any) -> Any:
        captured["lift"] = True
        return stubs_linked(self, *args)

    gs._score = spy  # type: ignore[assignment]
    gs.Searcher._stubs_linked = lifted  # type: ignore[method-assign]
    collections: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    for collection in devset.COLLECTIONS:
        with bench.collection_store(collection, cache) as kb:
            c = collections[collection] = _collection(kb)
            for name in SETS:
                for q in (q for q in _queries(name, queries) if q.target == collection):
                    captured.clear()
                    hits = kb.search(q.text, k=10, mode="hybrid")
                    text = gs._blank_masks(gs._visible(q.text))
                    vector = np.asarray(kb.searcher.embedder.embed([text])[0], dtype=np.float32)
                    order = [int(i) for i in np.argsort(-(c["peer"] @ vector))[:200]]
                    peer = next((r for r, u in enumerate(bench.dedupe(order, c["units"], 200), 1)
                                 if bench.relevant(u.labels, q.expected)), None)
                    trace = dict(captured)
                    missing = {k for _, r, _ in trace.get("lists", []) for k, _, _ in r}
                    missing = (missing | set(trace.get("bonus", {}))) - c["labels"].keys()
                    c["labels"].update(bench.group_labels(kb, sorted(missing)))
                    records.append({
                        "set": name, "id": q.id, "split": q.split, "target": collection,
                        "text": text, "expected": q.expected, "trace": trace, "vector": vector,
                        "peer_rank": peer,
                        "hits": [bench.hit_labels(kb, h) for h in hits]})
            del c["peer"], c["units"]
        print(collection, file=sys.stderr)
    out.write_bytes(pickle.dumps({"collections": collections, "records": records}))


# -- late chunking (round 24) ---------------------------------------------------------------


def _late_collection(kb: grimoire.Grimoire, c: dict[str, Any], windows: Sequence[int]
                     ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per window size W, every stored vector row again, pooled from its own tokens of one
    MiniLM pass over its text with the neighbouring passages of its page around it (W tokens
    in all, as many before as after where the page has them): late chunking. A unit whose
    page has nothing outside its own lines keeps its vector. Returns W -> (matrix, changed)."""
    from tokenizers import Tokenizer

    from grimoire.embed import MINILM_MAX_TOKENS, MINILM_TOKENIZER, _normalise

    plain = Tokenizer.from_file(str(MINILM_TOKENIZER))
    plain.no_truncation()
    plain.no_padding()
    cls, sep = plain.token_to_id("[CLS]"), plain.token_to_id("[SEP]")
    embedder = kb.searcher.embedder
    embedder._load()  # type: ignore[attr-defined]
    session = embedder._session(False)  # type: ignore[attr-defined]
    conn = kb.store.conn
    texts = {(u.kind, u.id): u.text
             for u in kb.store.embed_units(embedder.name, only_missing=False)}
    spans: dict[tuple[str, int], tuple[int, int, int]] = {}
    pages: dict[int, list[tuple[int, int, int, str]]] = defaultdict(list)
    for pid, doc, start, end, seq, text in conn.execute(
            "SELECT id, document_id, start_line, end_line, seq, text FROM passages"):
        spans[("passage", pid)] = (doc, start, end)
        pages[doc].append((start, end, seq, text))
    for eid, doc, start, end in conn.execute(
            "SELECT id, document_id, start_line, end_line FROM entries WHERE redirect IS NULL"):
        spans[("entry", eid)] = (doc, start, end)
    for page in pages.values():
        page.sort()
    encoded: dict[str, list[int]] = {}

    def tokens(text: str) -> list[int]:
        if text not in encoded:
            encoded[text] = list(plain.encode(text, add_special_tokens=False).ids)
        return encoded[text]

    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for window in windows:
        rows: list[tuple[int, list[int], int, int]] = []  # row, ids, own span
        for r, (kind, i) in enumerate(zip(c["kinds"], c["ids"], strict=True)):
            unit = ("passage" if kind == 0 else "entry", int(i))
            if unit not in spans or unit not in texts:
                continue
            own = tokens(texts[unit])[: MINILM_MAX_TOKENS - 2]
            doc, start, end = spans[unit]
            left = [t for s, e, _, text in pages[doc] if e < start for t in tokens(text)]
            right = [t for s, e, _, text in pages[doc] if s > end for t in tokens(text)]
            budget = window - 2 - len(own)
            if budget <= 0 or not (left or right):
                continue
            take_right = min(len(right), max(budget // 2, budget - len(left)))
            take_left = min(len(left), budget - take_right)
            ids = [cls, *left[len(left) - take_left:], *own, *right[:take_right], sep]
            rows.append((r, ids, 1 + take_left, 1 + take_left + len(own)))
        matrix = np.array(c["matrix"], dtype=np.float32, copy=True)
        changed = np.zeros(len(matrix), dtype=bool)
        rows.sort(key=lambda t: len(t[1]))
        for b in range(0, len(rows), 8):
            batch = rows[b : b + 8]
            width = max(len(ids) for _, ids, _, _ in batch)
            feed = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(feed)
            for k, (_, ids, _, _) in enumerate(batch):
                feed[k, : len(ids)], mask[k, : len(ids)] = ids, 1
            feeds = {"input_ids": feed, "attention_mask": mask,
                     "token_type_ids": np.zeros_like(feed)}
            names = {x.name for x in session.get_inputs()}
            hidden = session.run(None, {k: v for k, v in feeds.items() if k in names})[0]
            pooled = np.stack([hidden[k, a:z].mean(axis=0)
                               for k, (_, _, a, z) in enumerate(batch)])
            for k, vector in enumerate(_normalise(pooled)):
                matrix[batch[k][0]] = vector
                changed[batch[k][0]] = True
        out[window] = (matrix, changed)
        print(f"  window {window}: {int(changed.sum())} of {len(matrix)} rows pooled in context",
              file=sys.stderr)
    return out


def late(cache: Path, data: dict[str, Any], windows: Sequence[int]) -> dict[str, Any]:
    """Late-chunked matrices per collection, and each multi-sentence description's sentences
    embedded one by one (for the query-side variants)."""
    result: dict[str, Any] = {"collections": {}, "sentences": {}}
    for collection, c in data["collections"].items():
        with bench.collection_store(collection, cache) as kb:
            print(collection, file=sys.stderr)
            result["collections"][collection] = _late_collection(kb, c, windows)
            for i, rec in enumerate(data["records"]):
                if rec["target"] != collection or not _descriptive(rec["trace"]):
                    continue
                parts = [p for p in SENTENCE.split(rec["text"]) if gs._words(p)]
                if len(parts) > 1:
                    result["sentences"][i] = (rec["text"], np.asarray(
                        kb.searcher.embedder.embed(parts), dtype=np.float32))
    return result


def _merge_late(data: dict[str, Any], extra: dict[str, Any]) -> None:
    """Matrices are per store (any dump of the same stores); sentences per record of the dump
    `late` was given: they are taken only when the texts match."""
    for name, windows in extra["collections"].items():
        if windows:
            data["collections"][name].setdefault("late", {}).update(windows)
    for i, found in extra["sentences"].items():
        text, vectors = found if isinstance(found, tuple) else (None, found)
        if i < len(data["records"]) and text in (None, data["records"][i]["text"]):
            data["records"][i]["sentences"] = vectors


# -- replay ---------------------------------------------------------------------------------


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.asarray(v / np.where(n > 0, n, 1.0))


class Collection:
    """One collection's vectors and groups, with what the variants derive from them."""

    def __init__(self, c: dict[str, Any]) -> None:
        self.c, self.kinds, self.matrix, self.keys = c, c["kinds"], c["matrix"], c["keys"]
        self.labels: dict[Key, set[str]] = c["labels"]
        self.rows: dict[Key, tuple[list[int], list[int]]] = {}  # group -> passage, entry rows
        for r, key in enumerate(self.keys):
            if key is not None:
                self.rows.setdefault(key, ([], []))[int(self.kinds[r])].append(r)
        self.cache: dict[Any, Any] = {}

    def semantic(self, scores: np.ndarray, n: int = gs.CANDIDATES) -> list[Any]:
        """The semantic list as search builds it: the top n passages and the top n entries."""
        out = []
        for kind in (0, 1):
            mine = np.flatnonzero(self.kinds == kind)
            m = min(n, len(mine))
            if not m:
                continue
            for r in mine[np.argpartition(-scores[mine], m - 1)[:m]]:
                if self.keys[r] is not None:
                    out.append((self.keys[r], None if kind else int(r), float(scores[r])))
        out.sort(key=lambda t: -t[2])
        return out

    def context(self, kind: str) -> tuple[list[Key], np.ndarray]:
        """Each group's context: the mean vector of the passages that link to it or name it."""
        if kind not in self.cache:
            found: dict[Key, set[int]] = defaultdict(set)
            for source in ("links", "mentions") if kind == "both" else (kind,):
                for key, rows in self.c[source].items():
                    found[key] |= rows
            keys = sorted(found)
            vectors = (_unit(np.stack([self.matrix[sorted(found[k])].mean(axis=0) for k in keys]))
                       if keys else np.zeros((0, self.matrix.shape[1]), dtype=np.float32))
            self.cache[kind] = (keys, vectors)
        result: tuple[list[Key], np.ndarray] = self.cache[kind]
        return result

    def target(self, key: Key, expected: Sequence[str]) -> bool:
        return bench.relevant(self.labels.get(key, set()), expected)


def _descriptive(trace: dict[str, Any]) -> bool:
    return any(n == "_min_max" and w in (gs.DESCRIPTIVE.semantic, gs.FORMULA.semantic)
               for w, _, n in trace.get("lists", ()))


def _rr(order: Sequence[Key], coll: Collection, expected: Sequence[str]) -> float:
    for rank, key in enumerate(order[:10], 1):
        if coll.target(key, expected):
            return 1.0 / rank
    return 0.0


def replay(rec: dict[str, Any], coll: Collection, semantic: list[Any] | None = None,
           extra: Sequence[tuple[float, list[Any]]] = (),
           adjust: Callable[[dict[Key, float]], None] | None = None) -> float:
    """The query's reciprocal rank re-fused by `_score`: its semantic list replaced (rows of
    the matrix stand for passage ids: the stubs they link to are looked up by row), more
    min-max lists added, or the fused scores adjusted before the named halving."""
    trace = rec["trace"]
    lists = [(w, r, NORMALISE[n]) for w, r, n in trace["lists"]]
    stubs = dict(trace["stubs"])
    if semantic is not None:
        ids = coll.c["row_ids"]
        semantic = [(k, None if r is None else ids[r], s) for k, r, s in semantic]
        lists = [(w, semantic if n is gs._min_max else r, n) for w, r, n in lists]
        if trace.get("lift"):
            stubs.update({pid: coll.c["stubs"][pid] for _, pid, _ in semantic
                          if pid is not None and pid in coll.c["stubs"]})
    lists += [(w, r, gs._min_max) for w, r in extra]
    if adjust is None:
        fused, _ = gs._score(lists, stubs, trace["named"], trace["bonus"])
    else:
        fused, _ = gs._fuse(lists, stubs)
        adjust(fused)
        for key in trace["named"] & fused.keys():
            fused[key] *= gs.NAMED_IN_DESCRIPTION
        for key, b in trace["bonus"].items():
            fused[key] = fused.get(key, 0.0) + b
    return _rr(sorted(fused, key=lambda k: -fused[k]), coll, rec["expected"])


def _group_list(keys: Sequence[Key], scores: np.ndarray) -> list[Any]:
    best: dict[Key, float] = {}
    for key, s in zip(keys, scores.tolist(), strict=True):
        best[key] = max(best.get(key, -9.0), s)
    top = sorted(best.items(), key=lambda kv: -kv[1])[:gs.CANDIDATES]
    return [(k, None, s) for k, s in top]


# -- variants: each (rec, coll) -> reciprocal rank, or None for unchanged ---------------------

Variant = Callable[[dict[str, Any], Collection], float | None]


def context_list(kind: str, weight: float) -> Variant:
    """(c) A list of each group's context cosine (its linking / naming passages' mean vector)."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        keys, vectors = coll.context(kind)
        if not keys:
            return None
        return replay(rec, coll, extra=[(weight, _group_list(keys, vectors @ rec["vector"]))])
    return run


def expanded(kind: str, lam: float, min_words: int = 0) -> Variant:
    """(c) Document expansion: each entry vector moved towards its group's context (groups with
    none keep theirs); only for descriptions of at least `min_words` content words."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        words = [w for w in gs._words(rec["text"]) if w.casefold() not in gs.STOPWORDS]
        if len(words) < min_words:
            return None
        if (kind, lam) not in coll.cache:
            keys, vectors = coll.context(kind)
            moved = coll.matrix.copy()
            for key, v in zip(keys, vectors, strict=True):
                for r in coll.rows.get(key, ([], []))[1]:
                    moved[r] = _unit(coll.matrix[r] + lam * v)
            coll.cache[(kind, lam)] = moved
        return replay(rec, coll, semantic=coll.semantic(coll.cache[(kind, lam)] @ rec["vector"]))
    return run


def first_sentence(weight: float) -> Variant:
    """(a) A list of the cosine with each entry's first sentence (a second vector per entry)."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        keys, vectors = coll.c["first_keys"], coll.c["first_vectors"]
        if not keys:
            return None
        return replay(rec, coll, extra=[(weight, _group_list(keys, vectors @ rec["vector"]))])
    return run


def feedback(k: int, alpha: float) -> Variant:
    """(b) The query vector moved towards the entry vectors of the fused top k (not the
    vectors' own top k, which round 21 measured), then the semantic list built again."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        trace = rec["trace"]
        fused, _ = gs._score([(w, r, NORMALISE[n]) for w, r, n in trace["lists"]],
                             trace["stubs"], trace["named"], trace["bonus"])
        q = rec["vector"]
        scores = coll.matrix @ q
        picked = []
        for key in sorted(fused, key=lambda g: -fused[g])[:k]:
            passages, entries = coll.rows.get(key, ([], []))
            rows = entries or passages
            if rows:
                picked.append(coll.matrix[max(rows, key=lambda r: scores[r])])
        if not picked:
            return None
        moved = _unit(q + alpha * np.mean(picked, axis=0))
        return replay(rec, coll, semantic=coll.semantic(coll.matrix @ moved))
    return run


def _stem(word: str) -> str:
    word = word.casefold()
    for suffix in ("ing", "al", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def name_overlap(gamma: float) -> Variant:
    """(d) A description holding some (not all) words of a candidate's multi-word name
    ("a layer ... a filter" and "convolutional layer"): the candidate is a neighbour it
    mentions, and loses gamma times the share of its name's words present."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        trace = rec["trace"]
        words = {_stem(w) for w in gs._words(rec["text"]) if w.casefold() not in gs.STOPWORDS}

        def adjust(fused: dict[Key, float]) -> None:
            for key in fused:
                if key in trace["bonus"] or key in trace["named"]:
                    continue
                shares = []
                for label in coll.labels.get(key, ()):
                    name = [_stem(w) for w in gs._words(label) if w.casefold() not in gs.STOPWORDS]
                    if len(name) >= 2:
                        shares.append(sum(w in words for w in name) / len(name))
                if shares and max(shares) < 1.0:
                    fused[key] *= 1 - gamma * max(shares)
        return replay(rec, coll, adjust=adjust)
    return run


def late_replaced(window: int, kinds: tuple[int, ...] = (0, 1), blend: float = 0.0) -> Variant:
    """Late chunking: the rows of `kinds` (0 passages, 1 entries) pooled in context take the
    place of today's vectors, or `blend` of today's with (1 - blend) of the late one."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        key = ("late", window, kinds, blend)
        if key not in coll.cache:
            late_matrix, changed = coll.c["late"][window]
            use = changed & np.isin(coll.kinds, kinds)
            matrix = np.array(coll.matrix, copy=True)
            matrix[use] = _unit(blend * coll.matrix[use] + (1 - blend) * late_matrix[use])
            coll.cache[key] = matrix
        return replay(rec, coll, semantic=coll.semantic(coll.cache[key] @ rec["vector"]))
    return run


def late_max(window: int, kinds: tuple[int, ...] = (0, 1)) -> Variant:
    """Late chunking beside today's vectors: a row's cosine is the better of the two."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        late_matrix, changed = coll.c["late"][window]
        use = changed & np.isin(coll.kinds, kinds)
        scores = coll.matrix @ rec["vector"]
        scores[use] = np.maximum(scores[use], late_matrix[use] @ rec["vector"])
        return replay(rec, coll, semantic=coll.semantic(scores))
    return run


def late_list(window: int, weight: float, min_words: int = 0) -> Variant:
    """Late chunking as one more list: each group's best late cosine, weight `weight`; only
    for descriptions of at least `min_words` content words."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        words = [w for w in gs._words(rec["text"]) if w.casefold() not in gs.STOPWORDS]
        if len(words) < min_words:
            return None
        late_matrix = coll.c["late"][window][0]
        rows = [r for r, k in enumerate(coll.keys) if k is not None]
        scores = late_matrix[rows] @ rec["vector"]
        return replay(rec, coll, extra=[(weight, _group_list([coll.keys[r] for r in rows],
                                                             scores))])
    return run


def sentences(how: str) -> Variant:
    """Query side: a description of several sentences, each embedded; the semantic list from
    the best cosine over the sentences and the whole (max), or from their mean vector."""
    def run(rec: dict[str, Any], coll: Collection) -> float | None:
        parts = rec.get("sentences")
        if parts is None:
            return None
        if how == "max":
            scores = np.max(coll.matrix @ np.vstack([parts, rec["vector"]]).T, axis=1)
        elif how == "mean":
            scores = coll.matrix @ _unit(parts.mean(axis=0))
        else:  # the whole and the mean of its sentences
            scores = coll.matrix @ _unit(rec["vector"] + _unit(parts.mean(axis=0)))
        return replay(rec, coll, semantic=coll.semantic(scores))
    return run


VARIANTS: dict[str, Variant] = {}
for _kind in ("links", "mentions", "both"):
    for _w in (0.05, 0.1, 0.2, 0.3):
        VARIANTS[f"context {_kind} list {_w}"] = context_list(_kind, _w)
    for _lam in (0.5, 1.0):
        VARIANTS[f"expanded {_kind} {_lam}"] = expanded(_kind, _lam)
        VARIANTS[f"expanded {_kind} {_lam}, 12+ words"] = expanded(_kind, _lam, 12)
for _w in (0.1, 0.2, 0.3):
    VARIANTS[f"first sentence list {_w}"] = first_sentence(_w)
for _k in (1, 2, 3):
    for _a in (0.2, 0.4):
        VARIANTS[f"feedback fused top {_k} {_a}"] = feedback(_k, _a)
for _g in (0.1, 0.2, 0.3):
    VARIANTS[f"name overlap {_g}"] = name_overlap(_g)
for _win in (256, 512):
    VARIANTS[f"late {_win} all"] = late_replaced(_win)
    VARIANTS[f"late {_win} entries"] = late_replaced(_win, (1,))
    VARIANTS[f"late {_win} passages"] = late_replaced(_win, (0,))
    VARIANTS[f"late {_win} max"] = late_max(_win)
    VARIANTS[f"late {_win} max passages"] = late_max(_win, (0,))
    VARIANTS[f"late {_win} passages blend 0.3"] = late_replaced(_win, (0,), blend=0.3)
    for _b in (0.3, 0.5, 0.7):
        VARIANTS[f"late {_win} blend {_b}"] = late_replaced(_win, blend=_b)
    for _w in (0.1, 0.2, 0.3):
        VARIANTS[f"late {_win} list {_w}"] = late_list(_win, _w)
        VARIANTS[f"late {_win} list {_w}, 12+ words"] = late_list(_win, _w, 12)
for _how in ("max", "mean", "whole+mean"):
    VARIANTS[f"sentences {_how}"] = sentences(_how)


# -- measure --------------------------------------------------------------------------------


def _prepare(data: dict[str, Any]) -> dict[str, Collection]:
    for c in data["collections"].values():
        # a replaced semantic list names passages by row: their ids, for the stubs they link to
        c["row_ids"] = {r: int(i) for r, (k, i) in enumerate(zip(c["kinds"], c["ids"],
                                                                 strict=True)) if k == 0}
    return {name: Collection(c) for name, c in data["collections"].items()}


COLLECTIONS = ("vault", "terms", "hf-docs", "cheatsheet")  # distill has too few targets


def _cell(xs: Sequence[float]) -> dict[str, float]:
    return {"mrr": round(statistics.fmean(xs), 6),
            "recall": round(statistics.fmean(x > 0 for x in xs), 6), "n": len(xs)}


def PEER(rec: dict[str, Any], coll: Collection) -> float | None:  # noqa: N802
    """A marker: the row of MiniLM alone (the bench's peer), every query of the set."""
    return None


def _peer_rr(rec: dict[str, Any]) -> float:
    rank = rec["peer_rank"]
    return 1.0 / rank if rank is not None and rank <= 10 else 0.0


def measure(data: dict[str, Any], only: str, report: bool) -> dict[str, Any]:
    """Per set and variant (`main` first), MRR@10 and recall@10 per half and collection, and
    the change per query against main on each half: mean, standard error, queries up / down.
    The report halves only when `report`."""
    colls = _prepare(data)
    halves = ("tune", "report") if report else ("tune",)
    records = data["records"]
    base: dict[int, float] = {}  # main: the bench's ranking, a description's replayed
    same = 0
    for i, rec in enumerate(records):
        found = bench.score(rec["hits"], rec["expected"])[0]
        base[i] = replay(rec, colls[rec["target"]]) if _descriptive(rec["trace"]) else found
        same += abs(base[i] - found) < 1e-9
    out: dict[str, Any] = {"replayed": same, "queries": len(records), "sets": {}}
    variants: list[tuple[str, Variant | None]] = [("main", None), ("MiniLM alone", PEER)]
    variants += [(v, f) for v, f in VARIANTS.items() if re.search(only, v)]
    for name in SETS:
        mine = [i for i, r in enumerate(records) if r["set"] == name]
        if not mine:
            continue
        rows = out["sets"][name] = {}
        for label, fn in variants:
            rr = dict(base)
            if fn is PEER:
                rr.update({i: _peer_rr(records[i]) for i in mine})
            elif fn is not None:
                for i in mine:
                    rec = records[i]
                    got = fn(rec, colls[rec["target"]]) if _descriptive(rec["trace"]) else None
                    if got is not None:
                        rr[i] = got
            row: dict[str, Any] = {}
            for h in halves:
                half = [i for i in mine if records[i]["split"] == h]
                row[h] = _cell([rr[i] for i in half])
                for c in COLLECTIONS:
                    xs = [rr[i] for i in half if SHORT[records[i]["target"]] == c]
                    if xs:
                        row[f"{h}/{c}"] = _cell(xs)
                if fn is not None:
                    d = np.array([rr[i] - base[i] for i in half])
                    se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0
                    row[f"{h} change"] = {"mean": round(float(d.mean()), 6),
                                          "se": round(se, 6), "up": int((d > 1e-9).sum()),
                                          "down": int((d < -1e-9).sum())}
            rows[label] = row
    return out


def print_measure(result: dict[str, Any], collections: bool) -> None:
    print(f"replay: {result['replayed']} of {result['queries']} queries at the bench's"
          " reciprocal rank")
    for name, rows in result["sets"].items():
        halves = [h for h in ("tune", "report") if h in rows["main"]]
        print(f"\n{name}: MRR@10 (recall@10); change per query: mean ± s.e., up/down")
        print(f"{'':28}" + "".join(f"{h:>13}" for h in halves)
              + "".join(f"{h + ' change':>21}" for h in halves))
        for label, row in rows.items():
            cells = [f"{row[h]['mrr']:.3f} ({row[h]['recall']:.2f})" for h in halves]
            for h in halves:
                ch = row.get(f"{h} change")
                cells.append(f"{ch['mean']:+.3f}±{ch['se']:.3f} +{ch['up']}/-{ch['down']}"
                             if ch else "")
            line = (f"{label[:28]:28}" + "".join(f"{c:>13}" for c in cells[:len(halves)])
                    + "".join(f"{c:>21}" for c in cells[len(halves):]))
            print(line.rstrip())
        if collections:
            print(f"  MRR@10 by collection, {' / '.join(halves)}")
            print(f"{'':28}" + "".join(f"{c:>17}" for c in COLLECTIONS))
            for label, row in rows.items():
                cells = [" / ".join(f"{row[f'{h}/{c}']['mrr']:.3f}" if f"{h}/{c}" in row
                                    else "-" for h in halves) for c in COLLECTIONS]
                print(f"{label[:28]:28}" + "".join(f"{c:>17}" for c in cells))


def recall(data: dict[str, Any]) -> None:
    """Where the tune targets outside hybrid's top 10 are, counted by cause: a candidate (its
    fused rank), named and halved, or not a candidate (the vectors' rank over every group);
    and how many of them MiniLM alone and the vectors put in their top 10."""
    colls = _prepare(data)
    for name in SETS:
        causes: dict[str, int] = defaultdict(int)
        for rec in data["records"]:
            if rec["set"] != name or rec["split"] != "tune" or not rec["trace"]:
                continue
            coll, trace, expected = colls[rec["target"]], rec["trace"], rec["expected"]
            fused, _ = gs._score([(w, r, NORMALISE[n]) for w, r, n in trace["lists"]],
                                 trace["stubs"], trace["named"], trace["bonus"])
            order = sorted(fused, key=lambda k: -fused[k])
            rank = next((r for r, k in enumerate(order, 1) if coll.target(k, expected)), None)
            if rank is not None and rank <= 10:
                continue
            scores = coll.matrix @ rec["vector"]
            seen: list[Key] = []
            for r in np.argsort(-scores):
                key = coll.keys[r]
                if key is not None and key not in seen:
                    seen.append(key)
            dense = next((r for r, k in enumerate(seen, 1) if coll.target(k, expected)), None)
            causes["missed"] += 1
            if not any(coll.target(k, expected) for k in coll.labels):
                causes["no such result in the store"] += 1
            elif rank is None:
                causes["outside the candidates, vectors' rank "
                       + ("61-100" if dense and dense <= 100 else "> 100")] += 1
            elif any(coll.target(k, expected) for k in trace["named"]):
                causes["a candidate, named and halved"] += 1
            else:
                causes["a candidate, fused rank " + ("11-30" if rank <= 30 else "31+")] += 1
            causes["in MiniLM alone's top 10"] += bool(rec["peer_rank"] and rec["peer_rank"] <= 10)
            causes["in the vectors' top 10"] += bool(dense and dense <= 10)
        print(name, dict(sorted(causes.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--cache", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--queries", type=Path, help="description pairs other than the dev set's")
    lt = sub.add_parser("late", help="late-chunked vectors and sentence vectors for a dump")
    lt.add_argument("data", type=Path)
    lt.add_argument("--cache", type=Path, required=True)
    lt.add_argument("--out", type=Path, required=True)
    lt.add_argument("--windows", default="256,512")
    r = sub.add_parser("recall")
    r.add_argument("data", type=Path)
    m = sub.add_parser("measure")
    m.add_argument("data", type=Path)
    m.add_argument("--only", default="", help="a regular expression over the variants' names")
    m.add_argument("--report", action="store_true", help="the report halves too (once)")
    m.add_argument("--collections", action="store_true", help="MRR@10 by collection too")
    m.add_argument("--json", action="store_true")
    m.add_argument("--late", type=Path, action="append", default=[],
                   help="the output of `late` for this dump (or for another dump of the same"
                        " stores: its matrices; repeat to merge)")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.cache, args.out, args.queries)
        return
    data = pickle.loads(args.data.read_bytes())
    if args.command == "late":
        windows = [int(w) for w in args.windows.split(",") if w]  # none: the sentences only
        args.out.write_bytes(pickle.dumps(late(args.cache, data, windows)))
        return
    for path in getattr(args, "late", []):
        _merge_late(data, pickle.loads(path.read_bytes()))
    if args.command == "recall":
        recall(data)
    else:
        result = measure(data, args.only, args.report)
        if args.json:
            print(json.dumps(result, indent=1))
        else:
            print_measure(result, args.collections)


if __name__ == "__main__":
    main()
