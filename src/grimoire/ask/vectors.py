"""The vectors of the sentences an answer weighs, kept between questions.

Scoring a question's best sentences by meaning embeds each of them (about a millisecond per
token on two cores, the largest cost of an extractive answer). The passages a collection
answers from recur from one question to the next, so their sentences' vectors are kept: a
bounded map from (model, text) to vector, least recently used first out, safe to share
between threads (the web server answers on several).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from grimoire.embed import Embedder

LIMIT = 4096  # vectors kept: 384 float32 each, about 6 MB


class SentenceVectors:
    """A least-recently-used map from (model, text) to its vector."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """The vectors of `texts` in order, embedding only the texts not seen lately."""
        keys = [(embedder.name, t) for t in texts]
        found: dict[tuple[str, str], np.ndarray] = {}
        with self._lock:
            for key in keys:
                v = self._vectors.get(key)
                if v is not None:
                    self._vectors.move_to_end(key)
                    found[key] = v
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            fresh = _embed_by_length(embedder, [t for _, t in missing])
            with self._lock:
                for key, v in zip(missing, fresh, strict=True):
                    found[key] = v
                    self._vectors[key] = v
                    self._vectors.move_to_end(key)
                while len(self._vectors) > self.limit:
                    self._vectors.popitem(last=False)
        if not keys:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys])


def _embed_by_length(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """`embedder.embed(texts)`, the shorter half and the longer half apart: one batch pads
    every row to its longest, and a question of ten tokens beside sentences of sixty costs
    sixty."""
    if len(texts) < SPLIT_AT:
        return embedder.embed(texts)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    half = len(order) // 2
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for part in (order[:half], order[half:]):
        out[part] = embedder.embed([texts[i] for i in part])
    return out


SPLIT_AT = 6  # fewer texts go in one batch
SENTENCE_VECTORS = SentenceVectors()
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def question_vector(embedder: Embedder, question: str) -> Future[np.ndarray]:
    """The question's vector, computed on a worker thread (onnxruntime releases the GIL) and
    kept with the sentence vectors: search ranks with it while its lexical half runs, and
    ask's scoring finds it kept, so the question is embedded once."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grimoire-ask")
        pool = _POOL
    return pool.submit(lambda: SENTENCE_VECTORS.embed(embedder, [question])[0])
