"""A large SQLite store keeps its vector index in a file beside it (`<db>-vectors`): a new
process maps it instead of reading and quantizing every vector again, and the file follows
every change to the vectors (it is checked row by row against the database on each load).

Vectors are real MiniLM vectors of corpus paragraphs (tests/data/minilm_golden.npz) and
neighbours generated around them, as in test_vector_scan.py; hashes are sha256 of the model
and a text, as `embed_store` makes them.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from grimoire.model import Document, Passage, Span
from grimoire.store import _vector_scan, open_store
from grimoire.store._vector_scan import EXACT_UP_TO, VectorScan
from grimoire.store.base import SourceRecord

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "minilm_golden.npz"
MODEL = "m"
NOTES, PER_NOTE = 2_200, 10  # 22,000 passages: above EXACT_UP_TO, so quantized


def unit(rows: np.ndarray) -> np.ndarray:
    out: np.ndarray = (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)
    return out


def sha(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


def vectors_around(real: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, len(real), n), rng.integers(0, len(real), n)
    noise = rng.standard_normal((n, real.shape[1])).astype(np.float32) * 0.04
    return unit(real[a] + 0.5 * real[b] + noise)


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    return np.asarray(np.load(GOLDEN)["vectors"], dtype=np.float32)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, real: np.ndarray) -> tuple[Path, np.ndarray]:
    """A store of 22,000 passages with vectors, and each passage's vector by passage id."""
    db = tmp_path_factory.mktemp("vectors") / "kb.db"
    store = open_store(str(db))
    with store.transaction():  # type: ignore[attr-defined]
        for d in range(NOTES):
            path = f"/notes/n{d}.md"
            passages = tuple(Passage(text=f"note {d} paragraph {p}", span=Span(path, p + 1, p + 1))
                             for p in range(PER_NOTE))
            store.replace_source(SourceRecord(path=path, status="ok", format="markdown",
                                              sha256=str(d)),
                                 [Document(path=path, format="markdown", title=f"n{d}",
                                           passages=passages)])
    units = [u for u in store.embed_units(MODEL) if u.kind == "passage"]
    matrix = vectors_around(real, len(units), 5)
    store.save_vectors(MODEL, [(sha(u.text), v) for u, v in zip(units, matrix, strict=True)],
                       [("passage", u.id, sha(u.text)) for u in units])
    by_id = np.zeros((max(u.id for u in units) + 1, matrix.shape[1]), dtype=np.float32)
    for u, v in zip(units, matrix, strict=True):
        by_id[u.id] = v
    store.close()
    return db, by_id


@pytest.fixture
def db(made: tuple[Path, np.ndarray], tmp_path: Path) -> Path:
    path = tmp_path / "kb.db"
    shutil.copy(made[0], path)
    return path


def index_of(db: Path) -> VectorScan:
    # The store stays open (until collected): the index reads its re-ranked rows through it.
    store = open_store(str(db))
    scan: VectorScan = store.vector_index(MODEL)  # type: ignore[attr-defined]
    return scan


@pytest.mark.parametrize("precision", [8, 4])
def test_a_new_store_maps_the_index_file_and_finds_the_same(
    db: Path, made: tuple[Path, np.ndarray], precision: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, by_id = made
    if precision == 4:  # as a store above FOUR_BITS_ABOVE vectors (400k) has it
        monkeypatch.setattr(_vector_scan, "FOUR_BITS_ABOVE", EXACT_UP_TO)
    file = Path(f"{db}-vectors")
    assert not file.exists()
    first = index_of(db)
    assert file.exists() and len(first.ids) == NOTES * PER_NOTE > EXACT_UP_TO
    written = file.stat().st_mtime_ns
    again = index_of(db)
    assert file.stat().st_mtime_ns == written  # nothing changed: mapped, not rewritten
    assert again.private_bytes() < again.nbytes() // 100  # the codes are the file's pages
    # The same index as one built in memory from the same vectors.
    order = np.argsort(again.ids)
    ids = again.ids[order]
    built = VectorScan.build((0,), np.zeros(len(ids), dtype=np.int8), ids,
                             np.asarray(again.docs)[order], by_id[ids], precision)
    built.fetch_exact = again.fetch_exact
    assert again.codes is not None and built.codes is not None
    assert again.codes.dtype == built.codes.dtype == (np.int8 if precision == 8 else np.uint8)
    for pid in (1, 777, 15_000, int(ids[-1])):
        assert again.nearest(by_id[pid], 10, None) == built.nearest(by_id[pid], 10, None)
        best = again.nearest(by_id[pid], 1, None)[0][0]
        # 4-bit: re-ranked with the stored float32 vector, so the exact cosine.
        assert best.id == pid
        assert best.score == pytest.approx(1.0, abs=1e-6 if precision == 4 else 0.01)
    # Codes, sign bits, scale, ids and digests: 461 bytes a vector with int8, 269 with 4-bit.
    assert file.stat().st_size / len(again.ids) < (470 if precision == 8 else 280)


def test_the_index_file_follows_new_changed_and_removed_vectors(
    db: Path, made: tuple[Path, np.ndarray], real: np.ndarray
) -> None:
    _, by_id = made
    index_of(db)
    store = open_store(str(db))
    # A passage's vector replaced (its text embedded again), another note removed.
    moved = unit(real[3] - real[40])
    store.save_vectors(MODEL, [(sha("changed"), moved)], [("passage", 500, sha("changed"))])
    gone = store.nearest(MODEL, by_id[12], 1)[0][0].id
    assert gone == 12
    store.remove_source("/notes/n1.md")  # passages 11-20
    store.close()
    scan = index_of(db)
    assert len(scan.ids) == NOTES * PER_NOTE - PER_NOTE
    assert scan.nearest(moved, 1, None)[0][0].id == 500
    assert scan.nearest(moved, 1, None)[0][0].score == pytest.approx(1.0, abs=0.02)
    assert all(s.id != 12 for s in scan.nearest(by_id[12], 60, None)[0])
    assert scan.nearest(by_id[5_000], 1, None)[0][0].id == 5_000  # the rest kept as it was


def test_a_damaged_index_file_is_written_again(db: Path, made: tuple[Path, np.ndarray]) -> None:
    _, by_id = made
    index_of(db)
    file = Path(f"{db}-vectors")
    size = file.stat().st_size
    with file.open("r+b") as f:
        f.truncate(size // 2)  # a disk that filled up, a copy cut short
    scan = index_of(db)
    assert file.stat().st_size == size
    assert scan.nearest(by_id[321], 1, None)[0][0].id == 321
    file.write_bytes(b"not an index" * 100)
    assert index_of(db).nearest(by_id[321], 1, None)[0][0].id == 321


def test_units_embedded_by_another_model_do_not_make_the_file_stale(
    db: Path, made: tuple[Path, np.ndarray], real: np.ndarray
) -> None:
    _, by_id = made
    store = open_store(str(db))
    # Passage 7 now has a vector of another model only: the index of MODEL leaves it out.
    store.save_vectors("other", [("o7", real[0])], [("passage", 7, "o7")])
    store.close()
    first = index_of(db)
    assert 7 not in set(first.ids.tolist())
    written = Path(f"{db}-vectors").stat().st_mtime_ns
    again = index_of(db)
    assert Path(f"{db}-vectors").stat().st_mtime_ns == written
    assert len(again.ids) == NOTES * PER_NOTE - 1
    assert again.nearest(by_id[8], 1, None)[0][0].id == 8


def test_a_later_writer_removes_the_partial_files_of_a_dead_one(
    db: Path, made: tuple[Path, np.ndarray], real: np.ndarray
) -> None:
    import os
    import subprocess
    import sys

    index_of(db)
    file = Path(f"{db}-vectors")
    # A writer killed mid-write leaves `<db>-vectors.<pid>.<random>.partial` behind.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = file.with_name(f"{file.name}.{dead}.0badc0de.partial")
    stale.write_bytes(b"\0" * 4096)
    live = file.with_name(f"{file.name}.{os.getpid()}.00c0ffee.partial")  # still writing
    live.write_bytes(b"\0" * 4096)
    other = file.with_name(f"{file.name}x.{dead}.0badc0de.partial")  # another store's
    other.write_bytes(b"")
    index_of(db)  # nothing changed: mapped, nothing written, nothing removed
    assert stale.exists()
    store = open_store(str(db))
    store.save_vectors(MODEL, [(sha("new text"), unit(real[7] + real[8]))],
                       [("passage", 900, sha("new text"))])
    store.close()
    index_of(db)  # writes the index again
    assert not stale.exists() and live.exists() and other.exists()
    assert sorted(p.name for p in db.parent.iterdir() if p.name.endswith(".partial")) == sorted(
        [live.name, other.name])


def test_a_store_that_grows_past_the_4_bit_size_writes_its_file_again(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert index_of(db).precision == 8
    monkeypatch.setattr(_vector_scan, "FOUR_BITS_ABOVE", EXACT_UP_TO)  # as if it had grown
    scan = index_of(db)
    assert scan.precision == 4 and scan.fetch_exact is not None
    monkeypatch.undo()
    assert index_of(db).precision == 8


def statements_of_a_new_load(db: Path) -> tuple[VectorScan, list[str]]:
    """The index a new store object loads, and the SQL it ran to load it."""
    store = open_store(str(db))
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)  # type: ignore[attr-defined]
    scan: VectorScan = store.vector_index(MODEL)  # type: ignore[attr-defined]
    store.conn.set_trace_callback(None)  # type: ignore[attr-defined]
    return scan, seen


def reads_every_unit(statements: list[str]) -> bool:
    return any("FROM passage_vecs v JOIN passages p" in s for s in statements)


def test_a_file_stamped_with_the_stores_vectors_is_mapped_without_reading_every_unit(
    db: Path, made: tuple[Path, np.ndarray], real: np.ndarray
) -> None:
    _, by_id = made
    first, statements = statements_of_a_new_load(db)
    assert reads_every_unit(statements)  # built: every unit read
    again, statements = statements_of_a_new_load(db)
    assert not reads_every_unit(statements)  # the stamp says it is current
    assert again.stamp == first.stamp is not None
    assert again.nearest(by_id[4_321], 1, None)[0][0].id == 4_321
    # A change made outside Grimoire, in plain SQL, replaces the stamp too (a trigger).
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM passage_vecs WHERE passage_id = 4321")
    conn.close()
    after, statements = statements_of_a_new_load(db)
    assert reads_every_unit(statements) and after.stamp != first.stamp
    assert len(after.ids) == len(first.ids) - 1
    assert all(s.id != 4_321 for s in after.nearest(by_id[4_321], 60, None)[0])


def test_vectors_saved_again_unchanged_are_checked_once_then_the_file_is_stamped(
    db: Path, made: tuple[Path, np.ndarray]
) -> None:
    _, by_id = made
    index_of(db)
    store = open_store(str(db))
    # The same vector saved again for the same passage (an embedding run over it again).
    (stored,) = store.conn.execute(  # type: ignore[attr-defined]
        "SELECT hash FROM passage_vecs WHERE passage_id = 4").fetchone()
    store.save_vectors(MODEL, [(stored, by_id[4])], [("passage", 4, stored)])
    store.close()
    inode = Path(f"{db}-vectors").stat().st_ino
    _, statements = statements_of_a_new_load(db)
    assert reads_every_unit(statements)  # the stamp moved: checked row by row, unchanged
    _, statements = statements_of_a_new_load(db)
    assert not reads_every_unit(statements)  # and recorded as current
    assert Path(f"{db}-vectors").stat().st_ino == inode  # the header stamped, not rewritten


def test_the_kept_vector_counts_follow_saves_replacements_and_removals(
    db: Path, real: np.ndarray
) -> None:
    store = open_store(str(db))

    def counted() -> int:
        n: int = store.conn.execute(  # type: ignore[attr-defined]
            "SELECT (SELECT count(*) FROM passage_vecs) + (SELECT count(*) FROM entry_vecs)"
        ).fetchone()[0]
        return n

    assert store.vector_counts()[0] == counted() == NOTES * PER_NOTE
    store.save_vectors(MODEL, [(sha("again"), real[1])],
                       [("passage", 3, sha("again")), ("passage", 4, sha("again"))])
    store.save_vectors("other", [("o9", real[2])], [("passage", 9, "o9")])
    store.remove_source("/notes/n5.md")  # ten passages, their vectors by cascade
    store.save_vectors(MODEL, [(sha("gone"), real[3])], [("passage", 55, sha("gone"))])
    assert store.vector_counts()[0] == counted() == NOTES * PER_NOTE - PER_NOTE
    store.close()


def test_a_store_from_before_the_stamp_counts_its_vectors_when_upgraded(
    db: Path, made: tuple[Path, np.ndarray]
) -> None:
    _, by_id = made
    index_of(db)
    conn = sqlite3.connect(db)  # back to the schema before: no stamp, no counts, no triggers
    with conn:
        for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_stamp'"
        ).fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE vector_stamp")
        conn.execute("DROP INDEX entries_redirects")  # a later migration's
        conn.execute("DELETE FROM passage_vecs WHERE passage_id = 77")
    from grimoire.store.sqlite import MIGRATIONS, VECTOR_STAMP_SCHEMA

    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(VECTOR_STAMP_SCHEMA)}")
    conn.close()
    scan, statements = statements_of_a_new_load(db)  # upgraded, then the file checked
    assert reads_every_unit(statements)
    assert open_store(str(db)).vector_counts()[0] == NOTES * PER_NOTE - 1
    assert len(scan.ids) == NOTES * PER_NOTE - 1
    assert all(s.id != 77 for s in scan.nearest(by_id[77], 60, None)[0])
