"""A file read again keeps the vectors of its unchanged passages and entries (qa38: after a
re-ingest, `embed --status` said "0 of 3,735" for minutes though every text had a vector), and
an embedding run whose units an ingest replaced meanwhile lists them again instead of
embedding texts for units that are gone. Real files, the real model, on both engines."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from grimoire._embed_store import embed_store
from grimoire.embed import EmbedProgress, default_embedder
from grimoire.ingest import ingest
from grimoire.store import Store

NOTES = {
    "attention.md": "# Attention\n\nAttention weighs every token of a sequence by how well its"
                    " key matches a query.\n\n## Heads\n\nSeveral heads look at the sequence"
                    " in parallel, each with its own projections.\n",
    "glossary.md": "# Terms\n\n**Dropout**: switching off random units while training, so"
                   " that no unit can rely on another.\n\n**Weight decay**: shrinking every"
                   " weight a little at each step.\n",
    "optimiser.md": "# Adam\n\nAdam keeps a running mean of the gradients and of their"
                    " squares.\n\nThe step divides the first by the root of the second.\n",
}


def _write(folder: Path) -> Path:
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _touch_all(folder: Path) -> None:
    """Change every file without changing what it says: each is read again."""
    for path in folder.iterdir():
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def test_a_file_read_again_keeps_the_vectors_of_its_unchanged_texts(
    store: Store, tmp_path: Path
) -> None:
    model = default_embedder()
    notes = _write(tmp_path / "notes")
    ingest(store, [notes], workers=1)
    embed_store(store, model)
    have, total = store.vector_counts()
    assert have == total >= 5
    _touch_all(notes)
    changed = "The step divides the first by the root of the second, plus a small epsilon."
    adam = notes / "optimiser.md"
    adam.write_text(adam.read_text(encoding="utf-8").replace(
        "The step divides the first by the root of the second.", changed), encoding="utf-8")
    report = ingest(store, [notes], workers=1)
    assert report.updated == len(NOTES)
    # At once, with no embedding run: only the units whose text changed have no vector (the
    # page's entry, whose definition is the note, and the passage).
    missing = store.embed_units(model.name)
    assert sorted(u.kind for u in missing) == ["entry", "passage"]
    assert all(changed in u.text for u in missing)
    assert store.vector_counts() == (total - 2, total)
    # The carried links are the vectors `embed` would have given: it embeds the one new text
    # (the entry and its passage read the same) and nothing else.
    again = embed_store(store, model)
    assert (again.embedded, again.reused, again.total) == (1, 0, total)


class _IngestsWhileEmbedding:
    """The real model, which the first time it is called has the files read again first (as
    an ingest that runs while a background worker embeds), one of them with a sentence
    changed; it counts the texts it embeds."""

    def __init__(self, notes: Path, store: Store) -> None:
        self.real = default_embedder()
        self.name, self.dim = self.real.name, self.real.dim
        self.notes, self.store = notes, store
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], *, progress: EmbedProgress | None = None
              ) -> np.ndarray[Any, Any]:
        if not self.texts:
            _touch_all(self.notes)
            heads = self.notes / "attention.md"
            heads.write_text(heads.read_text(encoding="utf-8").replace(
                "Several heads", "Eight heads"), encoding="utf-8")
            ingest(self.store, [self.notes], workers=1)
        self.texts += texts
        return self.real.embed(texts, progress=progress)


def _sha(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


def test_an_embedding_run_lists_again_the_units_an_ingest_replaced(
    store: Store, tmp_path: Path
) -> None:
    notes = _write(tmp_path / "notes")
    ingest(store, [notes], workers=1)
    model = default_embedder().name
    before = {u.text for u in store.embed_units(model)}
    embedder = _IngestsWhileEmbedding(notes, store)
    report = embed_store(store, embedder)
    # Every unit the second ingest wrote has the vector of its own text (on SQLite a new row
    # took an old row's id, and with it the vector of the old row's text), and no text was
    # embedded twice: the vectors made for the replaced units went to the new units that
    # hold the same texts, and only the changed texts were embedded after them.
    units = store.embed_units(model, only_missing=False)
    after = {u.text for u in units}
    have, total = store.vector_counts()
    assert have == total == len(units) == report.total
    assert store.embed_units(model) == []
    vectors = {(v.kind, v.id): v.hash for v in store.vector_rows()}
    assert {(u.kind, u.id): _sha(model, u.text) for u in units} == vectors
    assert any("Eight heads" in t for t in after - before)
    assert sorted(embedder.texts) == sorted(before | (after - before))


class _RemovesThenAdds(_IngestsWhileEmbedding):
    """The real model, which the first time it is called has one file removed (its own
    ingest) and then a new file added (another ingest), as `grimoire watch` does while a
    background worker embeds the list it made before both."""

    def embed(self, texts: Sequence[str], *, progress: EmbedProgress | None = None
              ) -> np.ndarray[Any, Any]:
        if not self.texts:
            (self.notes / "optimiser.md").unlink()
            ingest(self.store, [self.notes], workers=1)
            (self.notes / "zeta.md").write_text(
                "# Zeta\n\nZeta is a letter near the end of the alphabet, of no use to a"
                " model.\n\nIt names a function of Riemann's as well.\n", encoding="utf-8")
            ingest(self.store, [self.notes], workers=1)
        self.texts += texts
        return self.real.embed(texts, progress=progress)


def test_units_written_after_a_removal_never_take_the_vectors_of_the_removed_units(
    store: Store, tmp_path: Path
) -> None:
    """On SQLite a write numbers its rows from the largest id left: the rows of a file added
    after the file holding the largest ids was removed took those ids, and an embedding run
    listed before both writes pointed them at the removed texts' vectors (review39a)."""
    notes = _write(tmp_path / "notes")
    ingest(store, [notes], workers=1)
    model = default_embedder().name
    embed_store(store, _RemovesThenAdds(notes, store))
    units = store.embed_units(model, only_missing=False)
    vectors = {(v.kind, v.id): v.hash for v in store.vector_rows()}
    assert any("Zeta" in u.text for u in units)
    assert {(u.kind, u.id): _sha(model, u.text) for u in units} == vectors
