"""SQLite's vector index: the vectors held in memory, scanned per query (the one place).

Small stores (up to EXACT_UP_TO vectors) keep float32 vectors and score every one exactly.

Large stores keep no float32 vectors: 1M x 384 of them would take 1.5 GB and a full product
over them about half a second on two cores. Instead each vector is kept twice, compactly:

- its sign bits after subtracting the mean vector (48 bytes for 384 dimensions), scanned in
  full per query by Hamming distance, one 64-bit word column at a time, into a reused buffer;
- a small copy with one scale per vector, which scores the `pool_size(n)` vectors nearest in
  Hamming distance: int8 (384 bytes) up to FOUR_BITS_ABOVE vectors, 4-bit above (192 bytes,
  two values a byte), whose `RERANK` best of each kind are then scored exactly, with their
  float32 vectors read from the store (`VectorScan.fetch_exact`: a few hundred rows by primary
  key, ~6 ms at 100k, which a store of that size needs not pay).

With the ids and digests, int8 takes 461 bytes a vector, 4-bit 269 (1.3M vectors, a store of
1M passages and their entries: 0.57 against 0.35 GB). Subtracting the mean does not change
the ranking (q.(v - m) = q.v - q.m, the same shift for every v) and spreads the sign bits of
vectors that all lean one way. Recall of the top 60 against exact float32 search is measured
by `bench/scale.py` (real MiniLM query vectors; bench/README.md has the figures): the exact
re-rank of 4-bit codes finds more of the true top 10 than int8 scores do.
"""

from __future__ import annotations

import contextlib
import json
import math
import mmap
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

import numpy as np

from grimoire.store.records import Scored

EXACT_UP_TO = 20_000  # vectors; up to here float32 and every vector scored exactly
POOL_MIN = 8_000  # vectors scored in int8 after the Hamming pass, at least
POOL_SHARE = 100  # ... and one in this many of the store (10,000 at 1M)
CHUNK = 16_384  # rows converted at a time while loading (bounds the transient memory)
HAMMING_BLOCK = 32_768  # rows whose Hamming distance is summed at a time (fits in cache)
FOUR_BITS_ABOVE = 400_000  # vectors; above, 4-bit codes and an exact re-rank, else int8
RERANK = 200  # of each kind, the best by 4-bit score that are scored exactly (fetch_exact)
LEVELS = 7  # 4-bit codes hold -8..7; a vector's largest value is 7 steps

#: (kind 0 passage / 1 entry, unit ids) -> unit id -> its float32 vector's bytes
ExactFetch = Callable[[int, list[int]], dict[int, bytes]]


def code_bits(n: int) -> int:
    """Bits a value of the codes of an index of `n` vectors: 8, or 4 for a large one."""
    return 4 if n > FOUR_BITS_ABOVE else 8


def pool_size(n: int) -> int:
    """How many Hamming-nearest vectors are scored in int8, for a store of `n` vectors."""
    return min(n, max(POOL_MIN, n // POOL_SHARE))


@dataclass(slots=True)
class VectorScan:
    """Every vector of one model, with what each belongs to."""

    signature: tuple[int, ...]
    kinds: np.ndarray  # int8: 0 passage, 1 entry
    ids: np.ndarray  # int64
    docs: np.ndarray  # int64
    matrix: np.ndarray | None = None  # float32 (n, d): small stores only
    codes: np.ndarray | None = None  # int8 (n, d), or uint8 (n, ceil(d/2)): 4-bit, two a byte
    scales: np.ndarray | None = None  # float32 (n,): vector = (code - 8) * scale
    bits: np.ndarray | None = None  # uint64 (d/64, n): sign bits of vector - center
    center: np.ndarray | None = None  # float32 (d,)
    checked: tuple[int, ...] = ()  # the store's change counter when the signature was checked
    digests: np.ndarray | None = None  # int64: each vector's stored hash, shortened (a file's)
    skipped: tuple[int, int] = (0, 0)  # a file's units with no vector of its model: count, sum
    fetch_exact: ExactFetch | None = None  # float32 vectors for the exact re-rank, if any
    stamp: int | None = None  # a file's: the store's vector stamp it was built or checked at

    @property
    def exact(self) -> bool:
        """Whether every vector is scored in float32."""
        return self.matrix is not None

    @property
    def precision(self) -> int:
        """Bits a value of the codes (8 or 4); 32 for an exact index."""
        if self.codes is None:
            return 32
        return 8 if self.codes.dtype == np.int8 else 4

    def nbytes(self) -> int:
        """Memory held by the vectors and their ids (mapped from a file or not)."""
        arrays = (self.kinds, self.ids, self.docs, self.matrix, self.codes, self.scales,
                  self.bits, self.center, self.digests)
        return sum(a.nbytes for a in arrays if a is not None)

    def private_bytes(self) -> int:
        """Of `nbytes`, what the process holds itself: arrays mapped from an index file are
        the file's pages, which the system reads on use and may drop again (clean pages)."""
        arrays = (self.kinds, self.ids, self.docs, self.matrix, self.codes, self.scales,
                  self.bits, self.center, self.digests)
        return sum(a.nbytes for a in arrays if a is not None and not _mapped(a))

    @classmethod
    def build(cls, signature: tuple[int, ...], kinds: np.ndarray, ids: np.ndarray,
              docs: np.ndarray, matrix: np.ndarray, precision: int | None = None
              ) -> VectorScan:
        """The index of vectors already in memory (float32 rows)."""
        n = len(ids)
        dim = matrix.shape[1] if matrix.ndim == 2 else 0
        return cls.load(signature, n, dim, [(kinds, ids, docs, matrix)], precision)

    @classmethod
    def load(
        cls,
        signature: tuple[int, ...],
        count: int,
        dim: int,
        chunks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
        precision: int | None = None,
    ) -> VectorScan:
        """The index of at most `count` vectors of `dim` floats, read chunk by chunk.

        Each chunk is (kinds, ids, docs, float32 rows); a large store is quantized as it
        arrives, so the float32 vectors are never all in memory at once. `precision`: bits a
        value of its codes, 8 or 4 (by default `code_bits(count)`).
        """
        kinds = np.empty(count, dtype=np.int8)
        ids = np.empty(count, dtype=np.int64)
        docs = np.empty(count, dtype=np.int64)
        exact = count <= EXACT_UP_TO or dim == 0
        if exact:
            store = np.empty((count, dim), dtype=np.float32)
            scales = None
        else:
            four = (precision or code_bits(count)) == 4
            store = np.empty((count, -(-dim // 2) if four else dim),
                             dtype=np.uint8 if four else np.int8)
            scales = np.empty(count, dtype=np.float32)
        total = np.zeros(dim, dtype=np.float64)
        n = 0
        for k, i, d, rows in chunks:
            end = n + len(i)
            if end > count:
                raise ValueError(f"more vectors than the {count} announced")
            kinds[n:end], ids[n:end], docs[n:end] = k, i, d
            if exact:
                store[n:end] = rows
            else:
                assert scales is not None
                for s in range(0, len(rows), CHUNK):
                    part = np.asarray(rows[s : s + CHUNK], dtype=np.float32)
                    codes, scale = _quantize(part, 4 if four else 8)
                    scales[n + s : n + s + len(part)] = scale
                    store[n + s : n + s + len(part)] = codes
                    total += part.sum(axis=0, dtype=np.float64)
            n = end
        kinds, ids, docs, store = kinds[:n], ids[:n], docs[:n], store[:n]
        if exact:
            return cls(signature, kinds, ids, docs, matrix=store)
        assert scales is not None
        scales = scales[:n]
        center = (total / max(n, 1)).astype(np.float32)
        words = -(-dim // 64)
        bits = np.zeros((words, n), dtype=np.uint64)
        for s in range(0, n, CHUNK):
            part = _dequantize(store[s : s + CHUNK], scales[s : s + CHUNK], dim)
            bits[:, s : s + len(part)] = _sign_bits(part - center, words).T
        return cls(signature, kinds, ids, docs, codes=store, scales=scales, bits=bits,
                   center=center)

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
        four = False
        if self.matrix is not None:
            pool = np.flatnonzero(keep) if keep is not None else None
            rows = self.matrix if pool is None else self.matrix[pool]
            scores = _dot(rows, q)
        else:
            pool = self._hamming_pool(q, keep)
            assert self.codes is not None and self.scales is not None
            # `take` copies whole rows; indexing with an array goes element by element
            # through numpy's general iterator: 2.9 against 4.5 ms of CPU at 100k.
            scores = _code_scores(np.take(self.codes, pool, axis=0), np.take(self.scales, pool), q)
            four = self.codes.dtype == np.uint8
        out: tuple[list[Scored], list[Scored]] = ([], [])
        kinds = self.kinds if pool is None else self.kinds[pool]
        for kind in (0, 1):
            mine = np.flatnonzero(kinds == kind)
            if not len(mine):
                continue
            n = min(k, len(mine))
            if pool is not None and four and self.fetch_exact is not None:
                # The best few hundred by 4-bit score, scored again in float32.
                wide = min(len(mine), max(n, RERANK))
                mine = mine[np.argpartition(-scores[mine], wide - 1)[:wide]]
                found = self.fetch_exact(kind, self.ids[pool[mine]].tolist())
                dim = len(q)
                have = [j for j, i in enumerate(self.ids[pool[mine]].tolist())
                        if len(found.get(i, b"")) == 4 * dim]
                if not have:
                    continue
                mine = mine[have]
                rows = np.frombuffer(b"".join(found[i] for i in self.ids[pool[mine]].tolist()),
                                     dtype=np.float32).reshape(len(mine), dim)
                scores[mine] = _dot(rows, q)
                n = min(n, len(mine))
            top = mine[np.argpartition(-scores[mine], n - 1)[:n]]
            rows_of = top if pool is None else pool[top]
            ranked = sorted(zip(scores[top].tolist(), self.ids[rows_of].tolist(), strict=True),
                            key=lambda s: (-s[0], s[1]))
            out[kind].extend(Scored(i, s) for s, i in ranked)
        return out

    def _hamming_pool(self, q: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
        """Rows of the `pool_size` vectors nearest `q` in Hamming distance (within `keep`)."""
        assert self.bits is not None and self.center is not None
        words, n = self.bits.shape
        want = pool_size(n)
        if keep is not None and int(keep.sum()) <= want:
            return np.flatnonzero(keep)
        qbits = _sign_bits((q - self.center)[None, :], words)[0]
        distance = np.empty(n, dtype=np.uint16)
        # Block by block, so that the XOR and count buffers stay in cache (1.5x faster at 1M).
        # The counts of three words at a time are summed in uint8 (at most 192, no overflow)
        # and only then added to the uint16 distance: mixed-type adds cost twice as much.
        xor = np.empty(min(n, HAMMING_BLOCK), dtype=np.uint64)
        count = np.empty(min(n, HAMMING_BLOCK), dtype=np.uint8)
        part = np.empty(min(n, HAMMING_BLOCK), dtype=np.uint8)
        for start in range(0, n, HAMMING_BLOCK):
            end = min(n, start + HAMMING_BLOCK)
            d, x = distance[start:end], xor[: end - start]
            c, p = count[: end - start], part[: end - start]
            for group in range(0, words, 3):
                for w in range(group, min(words, group + 3)):
                    np.bitwise_xor(self.bits[w, start:end], qbits[w], out=x)
                    np.bitwise_count(x, out=p if w == group else c)
                    if w != group:
                        np.add(p, c, out=p)
                if group == 0:
                    d[:] = p
                else:
                    np.add(d, p, out=d)
        if keep is not None:
            distance[~keep] = np.iinfo(np.uint16).max
        # The distance below which `want` vectors fall, by a histogram (cheaper than sorting)
        # of about 65k of the distances: counting all 1M took 5 ms for the same cut, give or
        # take a few percent of the pool.
        step = max(1, n // 65_536)
        histogram = np.bincount(distance[::step], minlength=words * 64 + 1)[: words * 64 + 1]
        cutoff = int(np.searchsorted(np.cumsum(histogram), want / step))
        pool = np.flatnonzero(distance <= cutoff)
        if len(pool) > 2 * want:
            pool = pool[np.argpartition(distance[pool], want - 1)[:want]]
        return pool


def _dot(rows: np.ndarray, q: np.ndarray) -> np.ndarray:
    """rows @ q in float32, without BLAS: OpenBLAS starts a thread per core for a product this
    small, and on a busy machine waiting for them costs 10x the product (bench/README.md)."""
    out: np.ndarray = np.einsum("ij,j->i", rows, q, dtype=np.float32, casting="unsafe")
    return out


def _quantize(rows: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """float32 rows as codes and one scale a row. 8 bits: int8, the row's largest value 127
    steps. 4 bits: -8..7 stored as 0..15, two a byte (the even dimension in the low half),
    the largest value `LEVELS` steps."""
    peak = np.abs(rows).max(axis=1)
    peak[peak == 0] = 1.0
    if bits == 8:
        scale = (peak / 127.0).astype(np.float32)
        return np.rint(rows / scale[:, None]).astype(np.int8), scale
    scale = (peak / LEVELS).astype(np.float32)
    steps = np.clip(np.rint(rows / scale[:, None]), -8, LEVELS).astype(np.int16) + 8
    if steps.shape[1] % 2:
        steps = np.pad(steps, ((0, 0), (0, 1)), constant_values=8)
    codes = (steps[:, 0::2] | (steps[:, 1::2] << 4)).astype(np.uint8)
    return codes, scale


def _dequantize(codes: np.ndarray, scales: np.ndarray, dim: int) -> np.ndarray:
    """The float32 rows that `codes` (int8, or 4-bit in uint8) and `scales` stand for."""
    if codes.dtype == np.int8:
        out: np.ndarray = codes.astype(np.float32) * scales[:, None]
        return out
    out = np.empty((len(codes), codes.shape[1] * 2), dtype=np.float32)
    out[:, 0::2] = codes & 15
    out[:, 1::2] = codes >> 4
    out -= 8
    out *= scales[:, None]
    return out[:, :dim]


def _code_scores(codes: np.ndarray, scales: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The dot product of `q` with each row `codes` stand for. 4-bit codes are not unpacked:
    sum((lo - 8) q_even + (hi - 8) q_odd) * scale."""
    if codes.dtype == np.int8:
        out: np.ndarray = _dot(codes, q) * scales
        return out
    half = codes.shape[1]
    even = np.zeros(half, dtype=np.float32)
    odd = np.zeros(half, dtype=np.float32)
    even[: -(-len(q) // 2)] = q[0::2]
    odd[: len(q) // 2] = q[1::2]
    low = _dot(codes & np.uint8(15), even)
    low += _dot(codes >> np.uint8(4), odd)
    low -= np.float32(8) * (even.sum() + odd.sum())
    low *= scales
    return low


def _sign_bits(rows: np.ndarray, words: int) -> np.ndarray:
    """Rows of floats as their sign bits, packed into `words` uint64 per row."""
    packed = np.packbits(rows > 0, axis=1)
    pad = words * 8 - packed.shape[1]
    if pad:
        packed = np.pad(packed, ((0, 0), (0, pad)))
    return np.ascontiguousarray(packed).view(np.uint64)


def _mapped(a: np.ndarray) -> bool:
    base: object = a
    while isinstance(base, np.ndarray):
        if isinstance(base, np.memmap):
            return True
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return isinstance(base, mmap.mmap)


def _map_of(a: np.ndarray | None) -> mmap.mmap | None:
    """The map an array of `open_file`'s is a view of, if any."""
    base: object = a
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return base if isinstance(base, mmap.mmap) else None


def _release(*maps: mmap.mmap | None) -> None:
    """Let go of the pages of shared file maps that this process touched: they stay in the
    system's page cache (written ones too: the kernel keeps them dirty until written back)
    and are read again on use, but no longer count in this process's memory. Without it,
    writing a file of 1.3M vectors held the old file's and the new one's pages: 711 MB."""
    advice = getattr(mmap, "MADV_DONTNEED", None)
    for m in maps:
        if m is not None and advice is not None:
            with contextlib.suppress(OSError, ValueError):  # not here: only memory at stake
                m.madvise(advice)


# -- the index file ---------------------------------------------------------------------------
#
# A large store's index is kept in a file beside the database (`<db>-vectors`), so that a new
# process maps it instead of reading and quantizing every vector again (21.6 s for 1.3M), and
# so that its codes are the file's pages, not the process's memory. The file is a cache: it
# is trusted as it is only when it carries the store's vector stamp (a random number every
# change to the vector rows replaces); otherwise each row is checked against the database
# (`unchanged`) and the file is rewritten if one differs. It is replaced whole (written
# beside, then renamed), and the database is never written for it.

MAGIC = b"GRIMVEC1"
HEADER = 4096  # bytes: MAGIC, then the JSON header, padded
FILE_VERSIONS = {1: 8, 2: 4}  # file version -> bits a code (1: int8 codes, 2: 4-bit)


def _layout(capacity: int, dim: int, bits: int) -> tuple[
        dict[str, tuple[np.dtype[Any], tuple[int, ...], int]], int]:
    """name -> (dtype, shape, byte offset) of each array in a file of `capacity` rows."""
    words = -(-dim // 64)
    spec: list[tuple[str, Any, tuple[int, ...]]] = [
        ("kinds", np.int8, (capacity,)), ("ids", np.int64, (capacity,)),
        ("docs", np.int64, (capacity,)), ("digests", np.int64, (capacity,)),
        ("scales", np.float32, (capacity,)), ("center", np.float32, (dim,)),
        ("bits", np.uint64, (words, capacity)),
        ("codes", np.uint8, (capacity, -(-dim // 2))) if bits == 4
        else ("codes", np.int8, (capacity, dim)),
    ]
    out = {}
    offset = HEADER
    for name, dtype, shape in spec:
        dt = np.dtype(dtype)
        out[name] = (dt, shape, offset)
        offset += -(-(dt.itemsize * math.prod(shape)) // 64) * 64
    return out, offset


def _views(raw: np.ndarray, capacity: int, dim: int, bits: int) -> dict[str, np.ndarray]:
    layout, _ = _layout(capacity, dim, bits)
    return {name: raw[off : off + dt.itemsize * math.prod(shape)].view(dt).reshape(shape)
            for name, (dt, shape, off) in layout.items()}


def open_file(path: Path, model: str, signature: tuple[int, ...]) -> VectorScan | None:
    """The index in `path` (mapped read-only) if it is a complete one for `model`, else None."""
    try:
        with path.open("rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    # A plain array over the map (np.memmap's own slicing costs ~2 ms a query in Python).
    raw = np.frombuffer(mapped, dtype=np.uint8)
    try:
        if bytes(raw[: len(MAGIC)]) != MAGIC:
            return None
        header = json.loads(bytes(raw[len(MAGIC) : HEADER]).rstrip(b"\0"))
        n, capacity, dim = int(header["rows"]), int(header["capacity"]), int(header["dim"])
        bits = FILE_VERSIONS.get(header.get("version"), 0)
        if (not bits or header.get("model") != model
                or not 0 <= n <= capacity or raw.size != _layout(capacity, dim, bits)[1]):
            return None
        skipped = (int(header["skipped"]), int(header["skipped_sum"]))
        stamped = header.get("stamp")
        stamp = int(stamped) if stamped is not None else None
    except (ValueError, KeyError, TypeError):
        return None
    a = _views(raw, capacity, dim, bits)
    return VectorScan(signature, a["kinds"][:n], a["ids"][:n], a["docs"][:n],
                      codes=a["codes"][:n], scales=a["scales"][:n], bits=a["bits"][:, :n],
                      center=a["center"], digests=a["digests"][:n], skipped=skipped,
                      stamp=stamp)


def restamp(path: Path, old: VectorScan, stamp: int) -> None:
    """Record in the file at `path` (just checked unchanged, row by row) that it is current at
    the store's `stamp`, so that the next process maps it without checking. Only the header
    is written; a torn write leaves a header that does not parse, and the file is then written
    again whole. A file that cannot be written is left as it is (and checked each time)."""
    try:
        with path.open("r+b") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return
            header = json.loads(f.read(HEADER - len(MAGIC)).rstrip(b"\0"))
            header["stamp"] = stamp
            raw = json.dumps(header).encode()
            if len(MAGIC) + len(raw) > HEADER:
                return
            f.seek(len(MAGIC))
            f.write(raw + b"\0" * (HEADER - len(MAGIC) - len(raw)))
    except (OSError, ValueError):
        return
    old.stamp = stamp


def _unit_sum(kinds: np.ndarray, ids: np.ndarray, docs: np.ndarray, digests: np.ndarray) -> int:
    """An order-free checksum of units (kind, id, document, hash digest)."""
    with np.errstate(over="ignore"):
        mix = ((ids.astype(np.uint64) * np.uint64(2) + kinds.astype(np.uint64))
               * np.uint64(0x9E3779B97F4A7C15)) ^ (docs.astype(np.uint64)
                                                    * np.uint64(0xC2B2AE3D27D4EB4F))
        mix ^= digests.astype(np.uint64)
        return int(mix.sum(dtype=np.uint64)) & 0x7FFF_FFFF_FFFF_FFFF


def unchanged(old: VectorScan, kinds: np.ndarray, ids: np.ndarray, docs: np.ndarray,
              digests: np.ndarray) -> bool:
    """Whether `old` (a file's index) holds exactly these units with these vectors: every row
    of it is a unit with the same document and hash, and the units it lacks are the ones it
    found without a vector of its model (same count and checksum)."""
    assert old.digests is not None
    if not len(old.ids):
        return len(ids) == old.skipped[0] == 0
    okey = old.ids * 2 + old.kinds
    order = np.argsort(okey, kind="stable")
    key = ids * 2 + kinds
    j = order[np.minimum(np.searchsorted(okey[order], key), len(order) - 1)]
    found = (okey[j] == key) & (old.docs[j] == docs) & (old.digests[j] == digests)
    if int(found.sum()) != len(okey) or len(np.unique(j[found])) != len(okey):
        return False
    rest = ~found
    return (int(rest.sum()), _unit_sum(kinds[rest], ids[rest], docs[rest], digests[rest])
            ) == old.skipped


def digest(text: str) -> int:
    """A stored vector's hash (sha256 hex of model and text) as 60 bits; other keys hashed."""
    if len(text) == 64:
        try:
            return int(text[:15], 16)
        except ValueError:
            pass
    import hashlib  # here: a hybrid search with real (hex) hashes does not load OpenSSL

    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=7).digest(), "little")


Fetch = Callable[[list[str]], dict[str, bytes]]  # hashes -> float32 vectors of the model
STALE_PARTIAL_S = 24 * 3600  # a partial file this old is stale, whoever wrote it


def remove_stale_partials(path: Path) -> list[Path]:
    """Delete the files a writer of `path` left when it died mid-write
    (`<name>.<pid>.<random>.partial`): those of a process that no longer runs, and any older
    than a day (its pid may have gone to another process since). A process still writing
    keeps its own. Returns the files deleted."""
    removed = []
    for partial in path.parent.glob(f"{glob_escape(path.name)}.*.*.partial"):
        pid_text = partial.name[len(path.name) + 1 :].split(".", 1)[0]
        try:
            stale = (not pid_text.isdigit() or not _running(int(pid_text))
                     or time.time() - partial.stat().st_mtime > STALE_PARTIAL_S)
            if stale:
                partial.unlink()
                removed.append(partial)
        except OSError:
            continue  # gone meanwhile, or not ours to delete
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def write_file(
    path: Path,
    model: str,
    signature: tuple[int, ...],
    units: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]],
    old: VectorScan | None,
    fetch: Fetch,
    dim: int,
    stamp: int | None = None,
) -> VectorScan:
    """Write the index of `units` (kinds, ids, docs, digests, hashes: every passage and entry
    that has a vector) to `path` and map it. Rows of `old` whose unit, document and hash are
    unchanged are copied; the others are read with `fetch` (a unit whose hash `fetch` does
    not return has no vector of `model`) and quantized. Memory stays bounded: rows go
    through in chunks, straight into the new file. `stamp` is the store's vector stamp the
    units were read at (see `restamp`)."""
    kinds, ids, docs, digests, hashes = units
    count = len(ids)
    bits = code_bits(count)
    reuse = np.full(count, -1, dtype=np.int64)
    if old is not None and old.codes is not None and old.codes.dtype != (
            np.uint8 if bits == 4 else np.int8):
        old = None  # the store grew past (or fell below) FOUR_BITS_ABOVE: all rows anew
    if old is not None and len(old.ids):
        assert old.digests is not None
        okey = old.ids * 2 + old.kinds
        order = np.argsort(okey, kind="stable")
        key = ids * 2 + kinds
        at = np.minimum(np.searchsorted(okey[order], key), len(order) - 1)
        j = order[at]
        same = (okey[j] == key) & (old.docs[j] == docs) & (old.digests[j] == digests)
        reuse[same] = j[same]
        center = np.asarray(old.center, dtype=np.float32)
    else:
        old = None
        center = None
    words = -(-dim // 64)
    remove_stale_partials(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{os.urandom(4).hex()}.partial")
    try:
        _, size = _layout(count, dim, bits)
        with tmp.open("w+b") as f:
            f.truncate(size)
            written = mmap.mmap(f.fileno(), size)  # shared: what is set here is the file's
        old_map = _map_of(old.codes) if old is not None else None
        raw = np.frombuffer(written, dtype=np.uint8)
        a = _views(raw, count, dim, bits)
        total = np.zeros(dim, dtype=np.float64)
        n = 0
        skipped, skipped_sum = 0, 0
        for s in range(0, count, CHUNK):
            e = min(count, s + CHUNK)
            mine = reuse[s:e]
            fresh = np.flatnonzero(mine < 0)
            vectors = fetch([hashes[s + i] for i in fresh.tolist()]) if len(fresh) else {}
            keep = mine >= 0
            rows = np.zeros((e - s, dim), dtype=np.float32)
            for i in fresh.tolist():
                blob = vectors.get(hashes[s + i])
                if blob is not None and len(blob) == 4 * dim:
                    rows[i] = np.frombuffer(blob, dtype=np.float32)
                    keep[i] = True
            take = np.flatnonzero(keep)
            if len(take) < e - s:
                lost = np.flatnonzero(~keep) + s
                skipped += len(lost)
                skipped_sum += _unit_sum(kinds[lost], ids[lost], docs[lost], digests[lost])
            end = n + len(take)
            for name, source in (("kinds", kinds), ("ids", ids), ("docs", docs),
                                 ("digests", digests)):
                a[name][n:end] = source[s:e][take]
            got = take[mine[take] < 0]  # rows of this chunk that were fetched
            out = n + np.searchsorted(take, got)  # where they go
            if len(got):
                part = rows[got]
                codes, scale = _quantize(part, bits)
                a["scales"][out] = scale
                a["codes"][out] = codes
                total += part.sum(axis=0, dtype=np.float64)
                if center is not None:
                    quantized = _dequantize(codes, scale, dim)
                    a["bits"][:, out] = _sign_bits(quantized - center, words).T
            copied = take[mine[take] >= 0]
            if len(copied):
                assert old is not None and old.codes is not None and old.scales is not None
                assert old.bits is not None
                src = mine[copied]
                to = n + np.searchsorted(take, copied)
                a["codes"][to] = old.codes[src]
                a["scales"][to] = old.scales[src]
                a["bits"][:, to] = old.bits[:, src]
            n = end
            _release(written, old_map)
        if center is None:
            # A new index: sign bits around the mean vector, once every row is in.
            center = (total / max(n, 1)).astype(np.float32)
            for s in range(0, n, CHUNK):
                e = min(n, s + CHUNK)
                part = _dequantize(a["codes"][s:e], a["scales"][s:e], dim)
                a["bits"][:, s:e] = _sign_bits(part - center, words).T
                _release(written)
        a["center"][:] = center
        version = next(v for v, b in FILE_VERSIONS.items() if b == bits)
        header = json.dumps({"version": version, "model": model, "rows": n,
                             "capacity": count, "dim": dim, "skipped": skipped,
                             "skipped_sum": skipped_sum & 0x7FFF_FFFF_FFFF_FFFF,
                             "stamp": stamp}).encode()
        raw[: len(MAGIC)] = np.frombuffer(MAGIC, dtype=np.uint8)
        raw[len(MAGIC) : len(MAGIC) + len(header)] = np.frombuffer(header, dtype=np.uint8)
        written.flush()
        del raw, a
        with contextlib.suppress(BufferError):  # a view still held: closed when collected
            written.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    scan = open_file(path, model, signature)
    if scan is None:
        raise OSError(f"the vector index just written to {path} does not read back")
    return scan

