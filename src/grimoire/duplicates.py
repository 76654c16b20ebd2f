"""Near-duplicate passages (copied definitions, a note pasted twice) with MinHash and LSH.

Each passage becomes a set of word 3-shingles; datasketch's MinHash sketches it and an LSH
index returns candidate pairs in time linear in the number of passages. Candidates are kept
when their estimated Jaccard similarity reaches the threshold. Very short passages are left
out: two one-line glosses that agree are not a copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from grimoire.model import Span
from grimoire.store.records import TextQuery

NUM_PERM = 64
MIN_WORDS = 12
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two passages that say nearly the same thing; `similarity` is the shingles' Jaccard."""

    first: int
    second: int
    similarity: float


@dataclass(frozen=True, slots=True)
class DuplicateOf:
    """A passage (`other`) that nearly repeats `span`."""

    span: Span
    other: Span
    similarity: float


def shingles(text: str) -> set[bytes]:
    """A text's word 3-shingles (lower-cased), as `near_duplicates` compares them."""
    words = _WORD.findall(text.casefold())
    return {" ".join(words[i : i + 3]).encode() for i in range(max(1, len(words) - 2))}


def word_triples(text: str) -> set[tuple[str, ...]]:
    """`shingles` as tuples of words, two equal exactly when the shingles are (no word holds
    a space): for sets compared in Python alone, a third cheaper to make (search's copies)."""
    words = _WORD.findall(text.casefold())
    return set(zip(words, words[1:], words[2:], strict=False)) if len(words) > 2 else {
        tuple(words)}


def near_duplicates(
    passages: Iterable[tuple[int, str]], threshold: float = 0.7
) -> list[DuplicatePair]:
    """Pairs of (id, text) passages whose word shingles overlap at least `threshold`."""
    kept: dict[int, set[bytes]] = {}
    pairs: list[DuplicatePair] = []
    seen_exact: dict[bytes, int] = {}
    sketched = _Sketches(threshold)
    for pid, text in passages:
        if len(_WORD.findall(text)) < MIN_WORDS:
            continue
        words_of = shingles(text)
        key = b"\x00".join(sorted(words_of))
        if key in seen_exact:  # identical text: no need to estimate
            pairs.append(DuplicatePair(seen_exact[key], pid, 1.0))
            continue
        seen_exact[key] = pid
        for other in sketched.add(pid, words_of):
            # LSH only proposes candidates; the exact Jaccard decides.
            similarity = len(words_of & kept[other]) / len(words_of | kept[other])
            if similarity >= threshold:
                pairs.append(DuplicatePair(other, pid, round(similarity, 3)))
        kept[pid] = words_of
    return pairs



class _Sketches:
    """The LSH index of `near_duplicates`, made when a second text comes to compare: one
    passage, or none long enough, is no pair, and datasketch (with scipy, 0.4-0.6 s) was
    imported for `lint` of a store of one note all the same (round 53)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.first: tuple[int, set[bytes]] | None = None
        self.lsh: Any = None
        self.made: Any = None

    def add(self, pid: int, words_of: set[bytes]) -> list[int]:
        """The ids of earlier texts LSH proposes as `words_of`'s copies; then it is one."""
        if self.lsh is None:
            if self.first is None:
                self.first = (pid, words_of)
                return []
            # Imported here: datasketch imports scipy (0.6 s), and `ask` reaches this module
            # through `grimoire.lint` for its arithmetic check only (cold start of `ask`).
            from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

            # LSH below the verdict's threshold, so pairs just above it are proposed reliably.
            self.lsh = MinHashLSH(threshold=max(0.3, self.threshold - 0.2), num_perm=NUM_PERM)
            # Every sketch shares one set of permutations (the same seed makes the same ones):
            # drawn per sketch they were a third of `grimoire lint` on a 2,000-passage store.
            first = MinHash(num_perm=NUM_PERM, seed=1)
            self.made = lambda: MinHash(num_perm=NUM_PERM, seed=1,
                                        permutations=first.permutations, scheme=first.scheme)
            self.add(*self.first)
        sketch = self.made()
        sketch.update_batch(list(words_of))
        found: list[int] = self.lsh.query(sketch)
        self.lsh.insert(pid, sketch)
        return found


def jaccard(a: str, b: str) -> float:
    """Jaccard similarity of two texts' word 3-shingles."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def probe_query(text: str, phrases: int = 6) -> TextQuery | None:
    """A lexical query that finds candidate copies of `text`: a few of its own word 3-shingles
    as phrases, the ones with the longest words. A copy (Jaccard >= 0.7) shares most shingles,
    so it holds one of them; a passage that merely shares words does not, and the engine
    scores only the few passages that hold a phrase. None for texts too short to judge."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(set(words)) < MIN_WORDS:
        return None
    shingles = dict.fromkeys(tuple(words[i : i + 3]) for i in range(len(words) - 2))
    best = sorted(shingles, key=lambda s: (-sum(map(len, s)), s))[:phrases]
    return TextQuery(phrases=tuple(best))
