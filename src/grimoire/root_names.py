"""One name for each ingested folder, however the user reaches it.

A folder reached two ways (`~/vault`, a symlink, and `/real/path/vault`; a bind mount) was
stored under both names when the second named a folder inside the first (`grimoire ingest
/real/path/vault/sub`) or when the inner one came first: each note twice, and a note deleted
kept the record of the name the watch did not use (round 51). Roots are compared by their
resolved paths, and the name stored is the one the folder around them was first ingested by.
A root that cannot be resolved now (an unmounted drive, a share away) is left as it is: its
records are kept, as ingest keeps a missing folder's; unless it is gone altogether (no such
path, not even a broken link) and held the folder being ingested's files: a symlink to that
folder, deleted, before that folder was ingested by its own name (`gone_link_of`; kept
beside the real folder's records, each note was twice until `--prune`, round 52).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from grimoire.files import path_of, storable
from grimoire.store.base import Store


def _real(name: str) -> Path | None:
    try:
        return Path(path_of(name)).resolve(strict=True)
    except (OSError, RuntimeError):
        return None


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _holder(real: Path, identities: dict[tuple[int, int], str]) -> tuple[str, Path] | None:
    """The nearest folder around `real` (resolved), or `real` itself, that is one of
    `identities` (a root's device and inode: its name): that name, and `real`'s path from it.
    Compared by identity, not by path: a bind mount (`/mnt/vault` of `/real/vault`), or a
    disk that ignores case (`~/Notes`, `~/notes`), names one folder by two resolved paths
    (they were stored twice; review51b)."""
    for depth, folder in enumerate((real, *real.parents)):
        name = identities.get(_identity(folder) or (-1, -1))
        if name is not None:
            return name, Path(*real.parts[len(real.parts) - depth:])
    return None


def _identities(names: Iterable[str]) -> dict[tuple[int, int], str]:
    """The roots `names` that can be reached now, by their device and inode (the first name
    in sorted order where two name one)."""
    out: dict[tuple[int, int], str] = {}
    for name in sorted(names, reverse=True):
        real = _real(name)
        identity = _identity(real) if real is not None else None
        if identity is not None:
            out[identity] = name
    return out


def known_spelling(store: Store, root: Path) -> Path:
    """`root` as the store already names it: the same file or folder, or a folder inside one,
    reached another way (a symlink, a bind mount) is spelled from the ingested root's name
    (the nearest one holding it). Symlinks are kept in the path otherwise, so that stored
    names are the ones the user gave."""
    known = store.source_roots()
    if storable(str(root)) in known:
        return root
    try:
        real = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return root
    held = _holder(real, _identities(known))
    return root if held is None else Path(path_of(held[0])).joinpath(held[1])


def spelled_apart(store: Store, root: Path, root_key: str) -> list[tuple[str, str, str]]:
    """The records of roots ingested apart, by another name, inside the folder `root` (stored
    as `root_key`), each as (its path, its root, its path named from `root`): `grimoire ingest
    /real/vault/sub` before `grimoire ingest ~/vault`. A root that cannot be resolved now is
    none of them."""
    try:
        identity = _identity(root.resolve(strict=True))
    except (OSError, RuntimeError):
        return []
    if identity is None:
        return []
    out: list[tuple[str, str, str]] = []
    for other in store.source_roots():
        if other == root_key:
            continue
        other_real = _real(other)
        held = _holder(other_real, {identity: root_key}) if other_real is not None else None
        if held is None:
            continue
        named = storable(str(root.joinpath(held[1])))
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


def gone_link_of(store: Store, root_key: str) -> list[tuple[str, int]]:
    """The roots, with how many records each holds, that were the folder stored as
    `root_key` reached another way and are gone: no such path, not even a broken link (a
    symlink to it deleted), and their files are that folder's, by name all but a tenth
    (deleted since) and by size at least half (the rest changed since), none of them stored
    under `root_key` yet. Their records are that folder's. A drive unmounted whose mount point
    is left, or whose files are not these, keeps its records; so does a folder gone beside
    another ingested by its own name that holds the same files (a copy, `cp -a`, on a drive
    whose mount point went with it) or some of them (two vaults of one template: index.md,
    README.md): the records of such a folder were taken by the other's ingest (review52b)."""
    out: list[tuple[str, int]] = []
    known: set[str] | None = None
    for other in store.source_roots():
        if other == root_key or os.path.lexists(path_of(other)):
            continue
        records = store.sources(root=other)
        present = same = 0
        for record in records:
            rest = record.path[len(other):]
            if not rest.startswith(os.sep) or not record.path.startswith(other):
                continue
            try:
                info = os.stat(path_of(root_key + rest))  # noqa: PTH116 - joined as stored
            except OSError:
                continue
            if known is None:  # read once, when a file matches (a drive away, its own files)
                known = {held.path for held in store.sources(root=root_key)}
            if root_key + rest in known:
                continue
            present += 1
            same += info.st_size == record.size and stat.S_ISREG(info.st_mode)
        if same and 2 * same >= len(records) and 10 * (len(records) - present) <= len(records):
            out.append((other, len(records)))
    return out


def gone_from_present(root: str) -> bool:
    """Whether the folder stored as `root` is there and holds something: a file of it that is
    gone is a deletion, not an unmounted drive's."""
    try:
        with os.scandir(path_of(root)) as entries:
            return next(entries, None) is not None
    except OSError:
        return False
