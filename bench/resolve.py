"""Time resolve (merge entries into concepts, resolve every link) on generated glossaries.

Writes N entries into a temporary SQLite store through the real store API, 100 entries per
file, with what real notes have: a third of the terms spelled out with an acronym
(`Foo Bar Baz (FBB) Model`), 5% of terms defined again in another file (same name, or only
the acronym), 5% redirect entries ("See X"), and about 3 links per entry, of which 80% lead
to a defined term (by name, acronym or other case) and 20% to a name nobody defines.

Then saves one file at a time (`--saves`) and times the incremental refresh after each,
against a full resolve of the same store (the peer, in the same run).

With `--postgres CACHE`, the generated store is copied into a database of a pgserver kept in
CACHE (`bench/engines.py`; the copy is timed apart, not counted) and everything after it runs
on PostgreSQL.

    python bench/resolve.py --sizes 10000 100000 [--saves 6] [--json] [--postgres CACHE]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# This tree's grimoire, not whichever one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from grimoire.model import Document, Entry, Link, LinkKind, Passage, Span
from grimoire.resolve.incremental import full_state_rows
from grimoire.resolve.run import NO_OVERRIDES, _build, no_gc, refresh, resolve
from grimoire.store import open_store
from grimoire.store.base import SourceRecord
from grimoire.store.migrate import migrate
from grimoire.store.sqlite import SQLiteStore

_VOCABULARY = (
    "latent adaptive sparse neural residual gated kernel bayesian stochastic causal contrastive "
    "masked recurrent graph linear deep robust federated spectral convex generative discrete "
    "quantized attention memory transformer encoder decoder network regression sampling "
    "diffusion gradient boosting tree forest embedding token policy reward value critic agent "
    "search retrieval ranking clustering manifold flow norm dropout loss margin prior posterior "
    "entropy divergence distance metric"
)
WORDS = tuple(_VOCABULARY.split())
KINDS = ("Model", "Algorithm", "Dataset", "Benchmark", "Python Module", "")
PER_FILE = 100


def make_terms(n: int, rng: random.Random) -> list[str]:
    seen: set[str] = set()
    terms: list[str] = []
    while len(terms) < n:
        words = [w.capitalize() for w in rng.sample(WORDS, rng.choice((2, 3, 3, 4)))]
        term = " ".join(words)
        if rng.random() < 0.33:
            acronym = "".join(w[0] for w in words).upper() + str(rng.randrange(100))
            term = f"{term} ({acronym}) {rng.choice(KINDS)}".strip()
        if term.lower() not in seen:
            seen.add(term.lower())
            terms.append(term)
    return terms


def generate(store: Any, n: int, seed: int = 1) -> int:
    """Fill `store` with `n` entries; returns the number of links written."""
    rng = random.Random(seed)
    terms = make_terms(n, rng)
    links_written = 0
    for f in range(0, n, PER_FILE):
        path = f"/bench/notes/{f // PER_FILE:05d}.txt"
        entries = []
        passages = []
        for i, term in enumerate(terms[f:f + PER_FILE]):
            line = 1 + i * 3
            span = Span(path, line, line + 1)
            if rng.random() < 0.05 and f:
                term = rng.choice(terms[:f])  # the same concept, written up again
                if "(" in term and rng.random() < 0.5:
                    term = term.split("(")[1].split(")")[0]
            links = []
            for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
                if rng.random() < 0.8:
                    target = rng.choice(terms)
                    if "(" in target and rng.random() < 0.3:
                        target = target.split("(")[1].split(")")[0]
                    elif rng.random() < 0.3:
                        target = target.lower()
                else:
                    target = " ".join(rng.sample(WORDS, 2)) + " missing"
                links.append(Link(target, LinkKind.BRACKET, Span(path, line + 1, line + 1)))
            redirect = None
            definition = "A generated definition that mentions " + ", ".join(
                f"[{link.target}]" for link in links) + "."
            if rng.random() < 0.05:
                redirect = rng.choice(terms)
                definition = f"See {redirect}."
            entries.append(Entry(term=term, definition=definition, span=span,
                                 links=tuple(links), redirect=redirect))
            passages.append(Passage(definition, Span(path, line + 1, line + 1), (term,)))
            links_written += len(links)
        doc = Document(path=path, format="glossary", title=path, passages=tuple(passages),
                       entries=tuple(entries))
        store.replace_source(SourceRecord(path=path, status="ok", format="glossary",
                                          sha256=str(f), root="/bench/notes"), [doc])
    return links_written


def _one_file(path: str, k: int) -> tuple[SourceRecord, list[Document]]:
    """A note saved: one entry, linking to a defined term and to a name nobody defines."""
    span = Span(path, 1, 2)
    links = (Link("Latent Space", LinkKind.BRACKET, span), Link(f"New Name {k}", LinkKind.BRACKET,
                                                                span))
    doc = Document(path=path, format="glossary", title=f"saved {k}",
                   entries=(Entry(f"Saved Term {k}", "Mentions [Latent Space].", span,
                                  links=links),))
    return SourceRecord(path=path, status="ok", format="glossary", sha256=f"saved {k}",
                        root="/bench/notes"), [doc]


def run(n: int, saves: int, server: Any = None) -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory() as tmp:
        store: Any = SQLiteStore(str(Path(tmp) / "bench.db"))
        links = generate(store, n)
        copy_s = 0.0
        if server is not None:  # the same rows on PostgreSQL, in a fresh database
            import psycopg

            name = f"resolve_{n}_{int(time.time())}"
            with psycopg.connect(server.get_uri(), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            store.close()
            t = time.perf_counter()
            migrate(str(Path(tmp) / "bench.db"), server.get_uri(name))
            copy_s = time.perf_counter() - t
            store = open_store(server.get_uri(name))
        with no_gc():  # as resolve() runs it
            upto = store.resolve_changes()[0]
            t0 = time.perf_counter()
            data = store.resolve_input()
            t1 = time.perf_counter()
            result, claims = _build(data, NO_OVERRIDES)
            t2 = time.perf_counter()
            store.write_resolution(result, NO_OVERRIDES.fingerprint)
            t3 = time.perf_counter()
            store.write_resolve_keys(full_state_rows(data, claims), None, upto)
            t4 = time.perf_counter()
        # One file saved at a time, as a watcher sees it: half replace a 100-entry glossary
        # file with a one-entry note, half add a new note. Incremental refresh each time.
        incremental: list[float] = []
        report = None
        for k in range(saves):
            path = (f"/bench/notes/{(k * 37) % (n // PER_FILE):05d}.txt" if k % 2 == 0
                    else f"/bench/notes/new{k}.txt")
            store.replace_source(*_one_file(path, k))
            report = refresh(store)
            assert report.incremental
            incremental.append(report.seconds)
        # the peer, on the same store after the same saves: what every save cost before
        full = resolve(store)
        store.close()
    incremental.sort()
    return {
        "engine": "postgresql" if server is not None else "sqlite", "copy_s": round(copy_s, 1),
        "entries": n, "links": links, "concepts": full.concepts,
        "read_s": round(t1 - t0, 3), "merge_s": round(t2 - t1, 3), "write_s": round(t3 - t2, 3),
        "keys_s": round(t4 - t3, 3), "total_s": round(t4 - t0, 3),
        "us_per_entry": round((t4 - t0) / n * 1e6, 1),
        "full_again_s": round(full.seconds, 3),
        "incr_p50_s": round(incremental[len(incremental) // 2], 3),
        "incr_max_s": round(incremental[-1], 3),
        "speedup": round(full.seconds / incremental[len(incremental) // 2], 1),
        "wanted": full.wanted, "resolved": full.resolved, "ambiguous": full.ambiguous,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--saves", type=int, default=6,
                        help="files saved one at a time, each followed by an incremental refresh")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--postgres", metavar="CACHE",
                        help="run on PostgreSQL: a pgserver whose data is kept in CACHE")
    args = parser.parse_args()
    if args.postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from engines import postgres_server

        Path(args.postgres).mkdir(parents=True, exist_ok=True)
        with postgres_server(Path(args.postgres)) as server:
            rows = [run(n, args.saves, server) for n in args.sizes]
    else:
        rows = [run(n, args.saves) for n in args.sizes]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"python {platform.python_version()} · sqlite {sqlite3.sqlite_version} · "
          f"{platform.machine()}", file=sys.stderr)
    cols = ("engine", "copy_s", "entries", "links", "concepts", "read_s", "merge_s", "write_s",
            "keys_s", "total_s", "us_per_entry", "full_again_s", "incr_p50_s", "incr_max_s",
            "speedup", "resolved", "wanted", "ambiguous")
    print(" | ".join(f"{c:>12}" for c in cols))
    for r in rows:
        print(" | ".join(f"{r[c]!s:>12}" for c in cols))


if __name__ == "__main__":
    main()
