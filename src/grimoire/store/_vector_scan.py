"""SQLite's vector index: the vectors read once into a numpy matrix, scanned per query.

Above BINARY_ABOVE vectors, a first pass compares sign bits (Hamming distance) and only the
best BINARY_POOL are scored exactly: reading 100k float vectors per query is what costs.
A brute-force product over 100k x 384 float32 takes a few milliseconds on this machine.
sqlite-vec is not used (nor a dependency); it has not been measured against this scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grimoire.store.records import Scored

BINARY_ABOVE = 20_000
BINARY_POOL = 2_000


@dataclass(slots=True)
class VectorScan:
    """Every vector of one model, with what each belongs to."""

    signature: tuple[int, ...]
    kinds: np.ndarray  # 0 passage, 1 entry
    ids: np.ndarray
    docs: np.ndarray
    matrix: np.ndarray
    bits: np.ndarray | None = None  # packed sign bits: the coarse index for large stores

    @classmethod
    def build(cls, signature: tuple[int, ...], kinds: np.ndarray, ids: np.ndarray,
              docs: np.ndarray, matrix: np.ndarray) -> VectorScan:
        bits = None
        if len(matrix) > BINARY_ABOVE and hasattr(np, "bitwise_count"):
            packed = np.packbits(matrix > 0, axis=1)
            pad = (-packed.shape[1]) % 8
            bits = np.ascontiguousarray(np.pad(packed, ((0, 0), (0, pad)))).view(np.uint64)
        return cls(signature, kinds, ids, docs, matrix, bits)

    def nearest(
        self, vector: np.ndarray, k: int, documents: set[int] | None
    ) -> tuple[list[Scored], list[Scored]]:
        """The `k` nearest passages and `k` nearest entries (cosine: vectors are unit)."""
        if not len(self.ids) or k <= 0:
            return [], []
        q = np.asarray(vector, dtype=np.float32)
        keep = None
        if documents is not None:
            keep = np.isin(self.docs, np.fromiter(documents, dtype=np.int64,
                                                  count=len(documents)))
        if self.bits is not None and q.shape[0] == self.matrix.shape[1]:
            packed = np.packbits(q > 0)
            packed = np.pad(packed, (0, (-len(packed)) % 8)).view(np.uint64)
            distance = np.bitwise_count(self.bits ^ packed).sum(axis=1, dtype=np.int32)
            if keep is not None:
                distance = np.where(keep, distance, np.iinfo(np.int32).max)
            pool = np.argpartition(distance, BINARY_POOL - 1)[:BINARY_POOL]
            if keep is not None:
                pool = pool[keep[pool]]
        elif keep is not None:
            pool = np.flatnonzero(keep)
        else:
            pool = np.arange(len(self.ids))
        scores = self.matrix[pool] @ q
        out: tuple[list[Scored], list[Scored]] = ([], [])
        for kind in (0, 1):
            mine = np.flatnonzero(self.kinds[pool] == kind)
            if not len(mine):
                continue
            n = min(k, len(mine))
            top = mine[np.argpartition(-scores[mine], n - 1)[:n]]
            ranked = sorted(((float(scores[i]), int(self.ids[pool[i]])) for i in top),
                            key=lambda s: (-s[0], s[1]))
            out[kind].extend(Scored(i, s) for s, i in ranked)
        return out
