"""Give the store's passages and entries their vectors: resumable, most useful first.

Every text is embedded once per model: units are keyed by a hash of model and text, and a
text already embedded (the same passage in two files, a file read again) reuses its vector.
What has no vector is embedded in small chunks, each committed with the units that point at
it, so an interrupted run keeps what it did and the next one continues. Entries go first, then
passages from the shortest: concept search improves fastest, and chunks of similar length
also batch best.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from grimoire.store.base import Store

if TYPE_CHECKING:
    from grimoire.embed import Embedder, EmbedProgress

# One committed chunk: at most this many texts and characters (about 4 characters a token:
# 48k characters are about 12k tokens, a few seconds on two cores), so a kill loses little.
CHUNK_TEXTS = 256
CHUNK_CHARS = 48_000


@dataclass(frozen=True, slots=True)
class EmbedReport:
    """What one `embed` run did."""

    embedded: int = 0  # texts sent to the model
    reused: int = 0  # units whose text already had a vector
    total: int = 0  # units with a vector now
    model: str = ""


def _chunks(texts: list[str]) -> list[list[int]]:
    """Consecutive index ranges of `texts`, each within CHUNK_TEXTS and CHUNK_CHARS."""
    out: list[list[int]] = []
    current: list[int] = []
    chars = 0
    for i, text in enumerate(texts):
        if current and (len(current) >= CHUNK_TEXTS or chars + len(text) > CHUNK_CHARS):
            out.append(current)
            current, chars = [], 0
        current.append(i)
        chars += len(text)
    if current:
        out.append(current)
    return out


def embed_store(
    store: Store, embedder: Embedder, *, progress: EmbedProgress | None = None
) -> EmbedReport:
    """Give every passage and entry a vector; texts embedded before are never re-embedded.

    When units listed for a chunk are gone by the time it is stored (an ingest replaced their
    files meanwhile), the rest of the list is stale: it is made again, and the texts just
    embedded are reused for the new units that hold them. A worker that kept to its old list
    embedded texts whose units no longer existed for minutes while the new units waited,
    and then dropped those vectors as orphans and embedded the texts once more (qa38).
    """
    embedded = reused = 0
    while True:
        done, pointed, whole = _embed_pass(store, embedder, progress)
        embedded += done
        reused += pointed
        if whole:
            break
    store.drop_orphan_vectors()
    # Whatever finishes embedding (the background worker, `embed`, `ingest --wait`) brings
    # the store's vector index file up to date, not the user's next search.
    store.index_vectors(embedder.name)
    have, _ = store.vector_counts()
    return EmbedReport(embedded=embedded, reused=reused, total=have, model=embedder.name)


def _embed_pass(
    store: Store, embedder: Embedder, progress: EmbedProgress | None
) -> tuple[int, int, bool]:
    """Embed the units without a vector as listed once: (texts embedded, units pointed at a
    vector that existed, whether the whole list was done: False when a chunk's units were
    gone)."""
    import hashlib  # on use: a search that never embeds does not load OpenSSL

    units = store.embed_units(embedder.name)
    hashed = [(u, hashlib.sha256(f"{embedder.name}\n{u.text}".encode()).hexdigest())
              for u in units]
    known = store.known_vectors(h for _, h in hashed)
    # Units whose text has a vector already only need pointing at it: do that at once.
    reused = [(u.kind, u.id, h) for u, h in hashed if h in known]
    if reused:
        store.save_vectors(embedder.name, [], reused, of_texts=True)
    todo: dict[str, tuple[bool, str]] = {}  # hash -> (is a passage, text)
    waiting: dict[str, list[tuple[str, int, str]]] = {}
    for unit, h in hashed:
        if h in known:
            continue
        first = todo.get(h)
        is_passage = unit.kind != "entry"
        if first is None or (first[0] and not is_passage):
            todo[h] = (is_passage, unit.text)
        waiting.setdefault(h, []).append((unit.kind, unit.id, h))
    order = sorted(todo, key=lambda h: (todo[h][0], len(todo[h][1]), h))
    texts = [todo[h][1] for h in order]
    done = 0
    for chunk in _chunks(texts):

        def step(n: int, _total: int, base: int = done) -> None:
            if progress is not None:
                progress(base + n, len(texts))

        vectors = embedder.embed([texts[i] for i in chunk], progress=step)
        hashes = [order[i] for i in chunk]
        links = [link for h in hashes for link in waiting[h]]
        pointed = store.save_vectors(embedder.name, list(zip(hashes, vectors, strict=True)),
                                     links, of_texts=True)
        done += len(chunk)
        if pointed < len(links):
            return done, len(reused), False
    if progress is not None and not texts:
        progress(0, 0)
    return done, len(reused), True
