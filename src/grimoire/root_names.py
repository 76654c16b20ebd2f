"""One name for each ingested folder, however the user reaches it.

A folder reached two ways (`~/vault`, a symlink, and `/real/path/vault`; a bind mount) was
stored under both names when the second named a folder inside the first (`grimoire ingest
/real/path/vault/sub`) or when the inner one came first: each note twice, and a note deleted
kept the record of the name the watch did not use (round 51). Roots are compared by their
resolved paths, and the name stored is the one the folder around them was first ingested by.
A root that cannot be resolved now (an unmounted drive, a share away) is left as it is: its
records are kept, as ingest keeps a missing folder's.
"""

from __future__ import annotations

import os
from pathlib import Path

from grimoire.files import path_of, storable
from grimoire.store.base import Store


def _real(name: str) -> Path | None:
    try:
        return Path(path_of(name)).resolve(strict=True)
    except (OSError, RuntimeError):
        return None


def known_spelling(store: Store, root: Path) -> Path:
    """`root` as the store already names it: the same file or folder, or a folder inside one,
    reached another way (a symlink, a bind mount) is spelled from the ingested root's name
    (the deepest one holding it). Symlinks are kept in the path otherwise, so that stored
    names are the ones the user gave."""
    known = store.source_roots()
    if storable(str(root)) in known:
        return root
    try:
        real = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return root
    best: tuple[int, Path] | None = None
    for other in known:
        other_real = _real(other)
        if other_real is None or not real.is_relative_to(other_real):
            continue
        if best is None or len(other_real.parts) > best[0]:
            inner = real.relative_to(other_real)
            best = (len(other_real.parts), Path(path_of(other)).joinpath(inner))
    return root if best is None else best[1]


def spelled_apart(store: Store, root: Path, root_key: str) -> list[tuple[str, str, str]]:
    """The records of roots ingested apart, by another name, inside the folder `root` (stored
    as `root_key`), each as (its path, its root, its path named from `root`): `grimoire ingest
    /real/vault/sub` before `grimoire ingest ~/vault`. A root that cannot be resolved now is
    none of them."""
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return []
    out: list[tuple[str, str, str]] = []
    for other in store.source_roots():
        if other == root_key:
            continue
        other_real = _real(other)
        if other_real is None or not other_real.is_relative_to(real_root):
            continue
        named = storable(str(root.joinpath(other_real.relative_to(real_root))))
        if named == other:
            continue  # named from `root` already
        # A root inside `root` by name but through a symlink in it (`vault/alias` to
        # `vault/sub`) is another spelling too: the walk of `root` passes such a link over
        # and reaches the folder itself (hostile51 kept both, each note twice; review51b).
        for record in store.sources(root=other):
            rest = record.path[len(other):] if record.path.startswith(other) else None
            if rest is not None and (rest == "" or rest.startswith(os.sep)):
                out.append((record.path, other, named + rest))
    return out


def gone_from_present(root: str) -> bool:
    """Whether the folder stored as `root` is there and holds something: a file of it that is
    gone is a deletion, not an unmounted drive's."""
    try:
        with os.scandir(path_of(root)) as entries:
            return next(entries, None) is not None
    except OSError:
        return False
