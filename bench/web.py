"""Web UI benchmark: requests/s and p50/p99 over loopback on a 10k-concept store; math renderers.

    .venv/bin/python bench/web.py                      # load test (store cached in --cache)
    .venv/bin/python bench/web.py --math               # latex2mathml vs KaTeX on real formulas
    .venv/bin/python bench/web.py --json

Load: `grimoire serve`'s app runs under uvicorn in its own process; a bounded load generator
(a fixed number of keep-alive connections, each sending its requests one after another) asks
for concept pages, searches and graph JSON, and, as the peer measured in the same run, a
static file from the same server (the floor the framework itself sets). Time to first byte
of an ask is measured on the streamed endpoint and on the page.

The store is generated: 10,000 glossary entries with see-also links among them and random
unit vectors (the vector math costs the same as with real ones; the query is embedded by the
real model). Targets (issue 13): concept p99 < 50 ms, search p99 < 100 ms, 200 req/s.

Math: every formula in the entries of ../shared/seeds and ../shared/corpora, rendered by
latex2mathml (what the UI uses, output filtered) and by KaTeX (node, from --katex-dir, trust
off); a failure is an exception, or for latex2mathml a command left as raw text.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import grimoire  # noqa: E402
from grimoire.model import Document, Entry, Link, LinkKind, Passage, Span  # noqa: E402
from grimoire.store import SourceRecord  # noqa: E402

WORDS = ["attention", "gradient", "tensor", "kernel", "sparse", "dense", "token", "embedding",
         "layer", "norm", "loss", "optimizer", "batch", "epoch", "dropout", "softmax", "logit",
         "prior", "posterior", "sample", "entropy", "margin", "residual", "convolution",
         "recurrent", "transformer", "encoder", "decoder", "latent", "diffusion", "score",
         "reward", "policy", "value", "critic", "actor", "buffer", "replay", "horizon",
         "discount", "variance", "bias", "weight", "decay", "momentum", "adaptive", "schedule",
         "warmup", "cosine", "linear", "quadratic"]


def generate(path: Path, n: int = 10_000, seed: int = 7) -> None:
    """`n` entries in 100 glossary files, each with 3 see-also links to other entries.

    Definitions draw words Zipf-style from a 20,000-word made-up vocabulary (plus the ML words
    above), so that word overlap between entries is like real prose, not total.
    """
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "sa", "tor", "vi", "an", "el", "ox", "qu", "dre",
                 "pho", "ti", "un", "ba", "gre", "zo", "ly", "ne"]
    vocab = list(dict.fromkeys("".join(rng.choices(syllables, k=rng.randint(2, 4)))
                               for _ in range(25_000)))[:20_000]
    vocab = WORDS + vocab
    weights = [1 / (r + 1) for r in range(len(vocab))]
    terms = [f"{' '.join(rng.sample(WORDS, 2)).title()} {i}" for i in range(n)]
    kb = grimoire.open(path)
    store = kb.store
    per_file = n // 100
    for f in range(100):
        file = f"/generated/glossary{f:03d}.txt"
        entries, passages = [], []
        for j in range(per_file):
            i = f * per_file + j
            line = j * 4 + 1
            span = Span(file, line, line + 2)
            text = " ".join(rng.choices(vocab, weights, k=rng.randint(25, 60))) + \
                f". Its rate is $\\eta_{{{i}}} = \\frac{{1}}{{\\sqrt{{t}}}}$."
            links = tuple(Link(terms[rng.randrange(n)], LinkKind.SEE_ALSO, Span(file, line + 2,
                                                                              line + 2))
                          for _ in range(3))
            entries.append(Entry(term=terms[i], definition=text, span=span, see_also=links))
            passages.append(Passage(text=text, span=span, heading_path=(terms[i],)))
        doc = Document(path=file, format="glossary", title=f"Glossary {f}",
                       passages=tuple(passages), entries=tuple(entries))
        store.replace_source(SourceRecord(path=file, status="ok", format="glossary",
                                          sha256=str(f), root="/generated"), [doc])
    units = store.embed_units("all-MiniLM-L6-v2-onnx-int8")
    vrng = np.random.default_rng(seed)
    for start in range(0, len(units), 5000):
        part = units[start:start + 5000]
        vectors = vrng.standard_normal((len(part), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.save_vectors("all-MiniLM-L6-v2-onnx-int8",
                           [(f"g{u.kind}{u.id}", v) for u, v in zip(part, vectors, strict=True)],
                           [(u.kind, u.id, f"g{u.kind}{u.id}") for u in part])
    kb.resolve()
    kb.close()


SERVER = """
import sys, uvicorn, grimoire
from grimoire.web import Guard, create_app
kb = grimoire.open(sys.argv[1])
uvicorn.run(create_app(kb, Guard.for_bind("127.0.0.1", int(sys.argv[2]))), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="warning")
"""


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port)],
                            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/static/app.css")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(port: int, paths: list[str], connections: int = 4, pid: int | None = None
         ) -> dict[str, float]:
    """Each of `connections` keep-alive clients sends its share of `paths` in turn.

    With `pid`, also the server's CPU time per request: unlike latency, it does not grow when
    other programs compete for the cores.
    """
    cpu0 = cpu_seconds(pid) if pid else 0.0
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(mine: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local = []
        for p in mine:
            t0 = time.perf_counter()
            conn.request("GET", p)
            r = conn.getresponse()
            r.read()
            local.append(time.perf_counter() - t0)
            if r.status >= 500:
                errors[0] += 1
        with lock:
            latencies.extend(local)

    shares = [paths[i::connections] for i in range(connections)]
    threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    ms = sorted(x * 1000 for x in latencies)
    out = {"requests": len(ms), "rps": round(len(ms) / elapsed, 1),
           "p50_ms": round(statistics.median(ms), 2),
           "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
           "errors": errors[0]}
    if pid:
        out["server_cpu_ms_per_request"] = round((cpu_seconds(pid) - cpu0) * 1000 / len(ms), 2)
    return out


def ttfb(port: int, path: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    r.read(1)
    first = time.perf_counter() - t0
    r.read()
    return round(first * 1000, 1)


def run_load(args: argparse.Namespace) -> dict[str, object]:
    db = Path(args.cache) / "bench10k.db"
    if not db.exists():
        t0 = time.perf_counter()
        generate(db)
        print(f"generated {db} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    with grimoire.open(db) as kb:
        labels = [c.label for c in kb.concepts()]
    rng = random.Random(1)
    n = args.requests
    concept_paths = [f"/c/{quote(rng.choice(labels), safe='')}" for _ in range(n)]
    search_paths = [f"/api/search?q={quote(' '.join(rng.sample(WORDS, 2)))}" for _ in range(n)]
    graph_paths = [f"/api/graph?c={quote(rng.choice(labels), safe='')}&depth=1"
                   for _ in range(n)]
    proc = start_server(db, args.port)
    try:
        # warm: the first search loads the model and the vectors
        ttfb(args.port, "/api/search?q=warm")
        for p in concept_paths[:20] + graph_paths[:20]:
            ttfb(args.port, p)
        pid, c = proc.pid, args.connections
        results: dict[str, object] = {
            "load average at start": os.getloadavg()[0],
            "peer: static file": load(args.port, ["/static/app.css"] * n, c, pid),
            "concept page": load(args.port, concept_paths, c, pid),
            "search JSON": load(args.port, search_paths, c, pid),
            "graph JSON (depth 1)": load(args.port, graph_paths, c, pid),
            "ask TTFB (stream), ms": ttfb(args.port, "/api/ask/stream?q=" +
                                           quote("what is the rate of " + labels[5])),
            "ask TTFB (page), ms": ttfb(args.port, "/ask?q=" +
                                        quote("what is the rate of " + labels[7])),
        }
    finally:
        proc.terminate()
        proc.wait(10)
    return {"store": f"{len(labels)} concepts", "connections": args.connections,
            "python": platform.python_version(), "cpus": len(os.sched_getaffinity(0)),
            "results": results}


# -- math ---------------------------------------------------------------------------------------

KATEX_JS = """
const katex = require(process.argv[1] + '/node_modules/katex');
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = items.map(([tex, display]) => {
  try { katex.renderToString(tex, {displayMode: display, throwOnError: true, trust: false,
        maxExpand: 1000, maxSize: 20, strict: 'ignore'}); return null; }
  catch (e) { return String(e.message).slice(0, 120); }
});
process.stdout.write(JSON.stringify(out));
"""


def formulas(db: Path) -> list[tuple[str, bool, str]]:
    with grimoire.open(db) as kb:
        seen: dict[tuple[str, bool], str] = {}
        for e in kb.entries():
            for m in e.entry.math:
                seen.setdefault((m.tex, m.display), f"{m.span.path}:{m.span.start_line}")
    return [(tex, display, where) for (tex, display), where in seen.items()]


def run_math(args: argparse.Namespace) -> dict[str, object]:
    from latex2mathml.converter import convert

    from grimoire.web.render import math_html

    db = Path(args.cache) / "corpora.db"
    if not db.exists():
        with grimoire.open(db) as kb:
            kb.ingest([ROOT.parent / "shared" / "corpora", ROOT.parent / "shared" / "seeds"],
                      embed=False)
    items = formulas(db)
    raw_command = re.compile(r">[^<]*\\[A-Za-z]+[^<]*<")
    l2m_fail: list[tuple[str, str]] = []
    l2m_raw: list[tuple[str, str]] = []
    t0 = time.perf_counter()
    for tex, display, where in items:
        try:
            out = convert(tex, display="block" if display else "inline")
        except Exception as e:
            l2m_fail.append((where, f"{type(e).__name__}: {tex[:60]}"))
            continue
        if raw_command.search(out):
            l2m_raw.append((where, tex[:60]))
        math_html(tex, display)
    l2m_s = time.perf_counter() - t0
    katex: dict[str, object] = {"skipped": "no --katex-dir with node_modules/katex"}
    kdir = Path(args.katex_dir)
    if (kdir / "node_modules" / "katex").is_dir():
        t0 = time.perf_counter()
        done = subprocess.run(["node", "-e", KATEX_JS, str(kdir)], check=True,
                              input=json.dumps([[t, d] for t, d, _ in items]).encode(),
                              capture_output=True)
        errs = json.loads(done.stdout)
        version = subprocess.run(["node", "-e", f"console.log(require('{kdir}/node_modules/"
                                  "katex').version)"], capture_output=True, text=True).stdout
        failed = [(w, f"{e}: {t[:50]}") for (t, _, w), e in zip(items, errs, strict=True) if e]
        katex = {"version": version.strip(), "failures": len(failed),
                 "seconds": round(time.perf_counter() - t0, 2), "examples": failed[:8]}
    return {"formulas": len(items),
            "latex2mathml": {"exceptions": len(l2m_fail), "raw_commands": len(l2m_raw),
                             "seconds": round(l2m_s, 2), "examples": (l2m_fail + l2m_raw)[:8]},
            "katex": katex}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default="/work/cache/web", help="where generated stores live")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--requests", type=int, default=200, help="per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--math", action="store_true", help="compare the math renderers")
    parser.add_argument("--katex-dir", default="/work/cache/web/node",
                        help="a folder where `npm install katex` was run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    Path(args.cache).mkdir(parents=True, exist_ok=True)
    report = run_math(args) if args.math else run_load(args)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                print(f"  {k:28} {v}")
        else:
            print(f"{key:30} {value}")


if __name__ == "__main__":
    main()
