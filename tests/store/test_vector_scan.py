"""The in-memory vector index of the SQLite store: exact when small, quantized when large.

Vectors are real MiniLM vectors of real corpus paragraphs (tests/data/minilm_golden.npz, see
tests/test_embed.py) and, for a large index, 30,000 neighbours generated around them (a real
store of that size would take hours to embed here).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from grimoire.model import Document, Passage, Span
from grimoire.store import open_store
from grimoire.store._vector_scan import (
    EXACT_UP_TO,
    FOUR_BITS_ABOVE,
    ExactFetch,
    VectorScan,
    code_bits,
    pool_size,
)
from grimoire.store.base import SourceRecord

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "minilm_golden.npz"
N = 30_000


def unit(rows: np.ndarray) -> np.ndarray:
    out: np.ndarray = (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)
    return out


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    return np.asarray(np.load(GOLDEN)["vectors"], dtype=np.float32)


@pytest.fixture(scope="module")
def large(real: np.ndarray) -> tuple[np.ndarray, VectorScan]:
    """30k vectors: each a real vector, plus half another, plus noise; 1 in 4 an entry."""
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, len(real), N), rng.integers(0, len(real), N)
    noise = rng.standard_normal((N, real.shape[1])).astype(np.float32) * 0.04
    matrix = unit(real[a] + 0.5 * real[b] + noise)
    kinds = (np.arange(N) % 4 == 0).astype(np.int8)
    ids = np.arange(N, dtype=np.int64) + 1
    docs = ids // 10
    return matrix, VectorScan.build((1,), kinds, ids, docs, matrix)


def rows_of(matrix: np.ndarray) -> ExactFetch:
    """The re-rank's float32 vectors, read from `matrix` (ids are rows + 1), as the SQLite
    store reads them from its vector tables."""
    return lambda kind, ids: {i: matrix[i - 1].tobytes() for i in ids}


@pytest.fixture(scope="module")
def four_bit(large: tuple[np.ndarray, VectorScan]) -> VectorScan:
    """The large index with 4-bit codes, as a store above FOUR_BITS_ABOVE vectors has it."""
    matrix, scan = large
    return VectorScan.build((1,), scan.kinds, scan.ids, scan.docs, matrix, precision=4)


@pytest.fixture(scope="module", params=["int8", "4-bit scores", "4-bit, exact re-rank"])
def either(request: pytest.FixtureRequest, large: tuple[np.ndarray, VectorScan],
           four_bit: VectorScan) -> tuple[np.ndarray, VectorScan, float]:
    """The large index: int8 codes, 4-bit codes, and 4-bit codes whose best candidates are
    scored again exactly; with how far its scores may be from the exact cosines."""
    matrix, scan = large
    if request.param == "int8":
        return matrix, scan, 0.01
    if request.param == "4-bit scores":
        return matrix, four_bit, 0.03
    return matrix, replace(four_bit, fetch_exact=rows_of(matrix)), 1e-5


def exact_top(matrix: np.ndarray, kinds: np.ndarray, q: np.ndarray, kind: int, k: int) -> list[int]:
    scores = matrix @ q
    rows = np.flatnonzero(kinds == kind)
    return [int(r) + 1 for r in rows[np.argsort(-scores[rows], kind="stable")[:k]]]


def test_a_large_index_holds_no_float32_vectors(large: tuple[np.ndarray, VectorScan]) -> None:
    matrix, scan = large
    assert N > EXACT_UP_TO and not scan.exact
    assert scan.matrix is None and scan.codes is not None and scan.codes.dtype == np.int8
    # int8 vector + 48 bytes of sign bits + scale + ids: well under a float32 vector's 1,536.
    assert scan.nbytes() / N < 460
    assert scan.nbytes() < matrix.nbytes / 3


def test_a_very_large_index_holds_4_bit_codes(large: tuple[np.ndarray, VectorScan],
                                              four_bit: VectorScan) -> None:
    matrix, _ = large
    assert code_bits(FOUR_BITS_ABOVE) == 8 and code_bits(FOUR_BITS_ABOVE + 1) == 4
    codes = four_bit.codes
    assert codes is not None and codes.dtype == np.uint8
    assert codes.shape == (N, matrix.shape[1] // 2)  # two values a byte
    # 192 bytes of codes + 48 of sign bits + scale + ids: a sixth of a float32 vector's 1,536.
    assert four_bit.nbytes() / N < 270
    assert four_bit.nbytes() < matrix.nbytes / 5


def test_large_index_finds_what_exact_search_finds(
    real: np.ndarray, either: tuple[np.ndarray, VectorScan, float]
) -> None:
    matrix, scan, error = either
    rng = np.random.default_rng(5)
    queries = unit(real + rng.standard_normal(real.shape).astype(np.float32) * 0.03)
    recalls, firsts = [], 0
    for q in queries:
        passages, entries = scan.nearest(q, 10, None)
        assert len(passages) == len(entries) == 10
        for kind, found in ((0, passages), (1, entries)):
            want = exact_top(matrix, scan.kinds, q, kind, 10)
            recalls.append(len(set(want) & {s.id for s in found}) / 10)
        firsts += passages[0].id == exact_top(matrix, scan.kinds, q, 0, 1)[0]
        # Scores are cosines: exact once re-ranked, else close (from 4-bit codes); best first.
        exact = {i + 1: float(s) for i, s in enumerate(matrix @ q)}
        assert all(abs(s.score - exact[s.id]) < error for s in passages)
        assert [s.score for s in passages] == sorted((s.score for s in passages), reverse=True)
    assert np.mean(recalls) >= (0.8 if error == 0.03 else 0.95)
    assert firsts >= (0.8 if error == 0.03 else 0.9) * len(queries)


def test_a_stored_vector_finds_itself_first(
    either: tuple[np.ndarray, VectorScan, float],
) -> None:
    matrix, scan, error = either
    for row in (0, 4, 1236, N - 4):  # entries (kind 1) sit at multiples of 4
        _, entries = scan.nearest(matrix[row], 5, None)
        assert entries[0].id == row + 1
        assert entries[0].score == pytest.approx(1.0, abs=error)


def test_large_index_keeps_to_the_documents_asked(
    either: tuple[np.ndarray, VectorScan, float],
) -> None:
    matrix, scan, _ = either
    q = matrix[7]
    few = {3, 500}  # 20 vectors: fewer than the pool, all of them scored
    many = set(range(0, N // 10, 2))  # half the store: the Hamming pass runs, filtered
    for documents in (few, many):
        passages, entries = scan.nearest(q, 10, documents)
        assert passages and entries
        assert all((s.id // 10) in documents for s in (*passages, *entries))
        allowed = np.isin(scan.docs, list(documents))
        want = exact_top(matrix[allowed], scan.kinds[allowed], q, 0, 10)
        ids = scan.ids[allowed]
        assert len({int(ids[i - 1]) for i in want} & {s.id for s in passages}) >= 9
    assert pool_size(N) < N // 2


def test_loading_in_chunks_gives_the_same_index(large: tuple[np.ndarray, VectorScan]) -> None:
    matrix, scan = large
    step = 7_000
    chunks = [(scan.kinds[s : s + step], scan.ids[s : s + step], scan.docs[s : s + step],
               matrix[s : s + step]) for s in range(0, N, step)]
    again = VectorScan.load((1,), N + 100, matrix.shape[1], chunks)  # a count above the rows
    assert len(again.ids) == N
    assert again.codes is not None and scan.codes is not None
    assert again.bits is not None and scan.bits is not None
    assert np.array_equal(again.codes, scan.codes) and np.array_equal(again.bits, scan.bits)
    assert again.nearest(matrix[9], 10, None) == scan.nearest(matrix[9], 10, None)


def test_store_sees_vectors_saved_after_its_first_search(tmp_path: Path, real: np.ndarray) -> None:
    store = open_store(str(tmp_path / "s.db"))
    path = str(tmp_path / "note.md")
    passages = tuple(Passage(text=f"paragraph {i}", span=Span(path, i + 1, i + 1))
                     for i in range(len(real)))
    store.replace_source(SourceRecord(path=path, status="ok", format="markdown", sha256="x"),
                         [Document(path=path, format="markdown", title="t", passages=passages)])
    units = [u for u in store.embed_units("m") if u.kind == "passage"]
    half = len(units) // 2
    store.save_vectors("m", [(f"h{u.id}", real[i]) for i, u in enumerate(units[:half])],
                       [("passage", u.id, f"h{u.id}") for u in units[:half]])
    target = len(units) - 1
    first, _ = store.nearest("m", real[target], 1)
    assert first[0].score < 0.999  # its own vector is not stored yet
    store.save_vectors("m", [(f"h{units[target].id}", real[target])],
                       [("passage", units[target].id, f"h{units[target].id}")])
    again, _ = store.nearest("m", real[target], 1)
    assert again[0].id == units[target].id and again[0].score == pytest.approx(1.0, abs=1e-5)
    store.close()
