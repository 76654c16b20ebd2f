"""Late-chunked sentence vectors (round 24), measured offline on one half: `ask_replay.py`
with `extractive.LATE_VECTORS` set to vectors pooled from each candidate passage's own model
pass, computed at question time and kept (in memory and in --keep) for the whole run.

    .venv/bin/python bench/ask_late.py --half tune main: late:LATE_SHARE=1 \
        all:LATE_SHARE=1,LATE_ALL=1 --cache /work/cache/ask25/base --keep /work/cache/ask25/late.pkl

A passage is read as it is embedded (`passage_unit_text`: its context names, then its text;
the store's `embed_units`), and each sentence's characters are mapped to that text's tokens.
"""

from __future__ import annotations

import itertools
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import ask_replay  # noqa: E402

import grimoire  # noqa: E402
import grimoire.ask.extractive as extractive  # noqa: E402
from grimoire.ask.retrieve import Candidate  # noqa: E402
from grimoire.ask.sentences import split_sentences  # noqa: E402
from grimoire.embed import default_embedder  # noqa: E402

Key = tuple[str, int, int, int]  # store path, passage id, sentence start, end
KEPT: dict[Key, np.ndarray] = {}
UNITS: dict[str, dict[int, str]] = {}
CURRENT: list[Any] = []  # the open store


def _spans(text: str, asked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The asked spans, every sentence and every two sentences side by side."""
    sentences = [(s.start, s.end) for s in split_sentences(text)]
    pairs = [(a[0], b[1]) for a, b in itertools.pairwise(sentences)]
    return list(dict.fromkeys([*asked, *sentences, *pairs]))


def late_vectors(cand: Candidate, spans: list[tuple[int, int]]) -> np.ndarray:
    store = CURRENT[0]
    where = str(store.path)
    keys = [(where, cand.passage_id, a, b) for a, b in spans]
    if all(k in KEPT for k in keys):
        return np.stack([KEPT[k] for k in keys])
    units = UNITS.get(where)
    if units is None:
        embedder = default_embedder()
        units = UNITS[where] = {u.id: u.text for u in store.embed_units(
            embedder.name, only_missing=False) if u.kind == "passage"}
    unit = units.get(cand.passage_id, cand.text)
    # The unit text is "context: text" (a long code passage cut): where the text starts in it.
    at = unit.find(cand.text[:40]) if cand.text[:40] else 0
    at = max(at, 0)
    wanted = _spans(cand.text, spans)
    _, parts = default_embedder().embed_spans([unit], [[(a + at, b + at) for a, b in wanted]])
    for (a, b), v in zip(wanted, parts[0], strict=True):
        KEPT[(where, cand.passage_id, a, b)] = v
    return np.stack([KEPT[k] for k in keys])


def main() -> None:
    keep = None
    if "--keep" in sys.argv:
        i = sys.argv.index("--keep")
        keep = Path(sys.argv[i + 1])
        del sys.argv[i : i + 2]
        if keep.exists():
            KEPT.update(pickle.loads(keep.read_bytes()))
    opened = grimoire.open

    def open_and_note(*args: Any, **kwargs: Any) -> Any:
        kb = opened(*args, **kwargs)
        CURRENT[:] = [kb.store]
        return kb

    grimoire.open = open_and_note  # type: ignore[assignment]
    extractive.LATE_VECTORS = late_vectors
    try:
        ask_replay.main()
    finally:
        if keep is not None:
            keep.write_bytes(pickle.dumps(KEPT))


if __name__ == "__main__":
    main()
