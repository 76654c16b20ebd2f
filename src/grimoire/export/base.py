"""What every exporter is, and the one way an export reaches its file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from grimoire.errors import GrimoireError
from grimoire.model import Span
from grimoire.resolve.types import Concept

Progress = Callable[[int, int], None]  # (concepts done, concepts in all)


@dataclass(frozen=True, slots=True)
class Exporter:
    """One output format: `write` puts `concepts` in the file `path` and returns how many."""

    name: str
    summary: str  # one line for `grimoire export --help`
    suffix: str  # what the file's name usually ends with
    write: Callable[[Iterable[Concept], Path], int]


def definitions(concept: Concept) -> list[tuple[str, Span]]:
    """What each source says the concept is, with where: every entry's definition, then the
    text of each page section about it (a wiki page's "== LoRA ==" has no entry of its own)."""
    said = [(e.entry.definition, e.entry.span) for e in concept.entries]
    said += [(s.text, s.span) for s in concept.sections]
    return [(text, span) for text, span in said if text.strip()]


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    format: str
    path: str
    concepts: int
    bytes: int


def write_export(exporter: Exporter, concepts: Iterable[Concept], total: int, path: Path, *,
                 force: bool = False, progress: Progress | None = None) -> ExportReport:
    """Run `exporter` into `path`, which must not exist unless `force`.

    The file is written beside `path` and renamed over it only when complete: an export that
    fails half-way leaves no half file, and a forced one keeps the old file until then.
    """
    target = Path(path)
    if target.is_dir():
        raise GrimoireError(f"is a folder; {exporter.name} writes one file "
                            f"(e.g. {target / ('notes' + exporter.suffix)})", str(target))
    if target.exists() and not force:
        raise GrimoireError("exists; replace it with --force (force=True in Python)", str(target))
    if not target.parent.is_dir():
        raise GrimoireError("no such folder to write into", str(target.parent))
    try:
        fd, scratch = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                       dir=target.parent)
        os.close(fd)
    except OSError as e:  # a read-only folder, a full disk
        raise GrimoireError(f"cannot write here: {e.strerror or e}", str(target)) from e
    try:
        count = exporter.write(_counted(concepts, total, progress), Path(scratch))
        Path(scratch).replace(target)
    except OSError as e:
        Path(scratch).unlink(missing_ok=True)
        raise GrimoireError(f"cannot write: {e.strerror or e}", str(target)) from e
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return ExportReport(exporter.name, str(target), count, target.stat().st_size)


def _counted(concepts: Iterable[Concept], total: int,
             progress: Progress | None) -> Iterator[Concept]:
    for done, concept in enumerate(concepts, 1):
        yield concept
        if progress is not None:
            progress(done, total)
