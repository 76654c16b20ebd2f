"""What every exporter is, and the one way an export reaches its file."""

from __future__ import annotations

import ctypes
import dataclasses
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from grimoire.errors import GrimoireError
from grimoire.files import EXPORT_MARKER, grimoire_running
from grimoire.model import Span
from grimoire.resolve.types import Concept
from grimoire.showing import Said

Progress = Callable[[int, int], None]  # (concepts done, concepts in all)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Exporter:
    """One output format: `write` puts `concepts` in the file `path` and returns how many."""

    name: str
    suffix: str  # what the file's name usually ends with ("" for a folder)
    write: Callable[..., int]  # (concepts, path), and `line=`, `said=` when `quotes_notes`
    folder: bool = False  # writes a folder of files (a site) rather than one file
    # quotes the notes: `write` takes `line=LineOf` and `said=` (`Grimoire.said`)
    quotes_notes: bool = False
    opened_by: str = ""  # the program that opens the file by its ending only ("Anki")
    # names each note inside its ingested folder (`note_names`), not by its path on this
    # machine; the site does not: its pages link to the notes' files on this machine.
    named: bool = True


# What marks a folder as an export's own, which --force may replace: never a folder of the
# user's (`grimoire export site ~/notes --force` must not delete the notes).
MARKER = EXPORT_MARKER


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
    notices: tuple[str, ...] = ()  # a killed export's folder cleared, a name Anki will not open


def note_names(sources: Iterable[tuple[str, str]]) -> dict[str, str]:
    """How an export names each ingested file, from (path, ingested root) pairs: by its path
    inside the folder ingested (`sub/lora.md`; a file ingested by itself by its name), as a
    deck or a file shared leaks no home folder and means the same on another machine. Files
    of two folders that would share a name get as many of their folders as tell them apart."""
    names: dict[str, str] = {}
    for path, root in sources:
        inside = root != path and (path + "/").startswith(root.rstrip("/") + "/")
        names[path] = os.path.relpath(path, root) if inside else Path(path).name
    owners: dict[str, list[str]] = {}
    for path, name in names.items():
        owners.setdefault(name, []).append(path)
    shared = [p for paths in owners.values() if len(paths) > 1 for p in paths]
    if shared:
        from grimoire.knowledge import _distinct_tails

        names.update(_distinct_tails(shared))
    return names


def renamed(value: T, names: Mapping[str, str]) -> T:
    """`value` with every file's path in it (a `Span`'s, a link's target) as `names` gives
    it; what names no file in `names` is unchanged."""
    out: Any = value
    if isinstance(value, str):
        out = names.get(value, value)
    elif isinstance(value, Span):
        out = dataclasses.replace(value, path=names.get(value.path, value.path))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: renamed(getattr(value, f.name), names)
                   for f in dataclasses.fields(value) if f.init}
        changed = {k: v for k, v in changes.items() if v is not getattr(value, k)}
        out = dataclasses.replace(value, **changed) if changed else value
    elif isinstance(value, tuple | list):
        items = [renamed(v, names) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            out = (type(value)(*items) if hasattr(value, "_fields")
                   else type(value)(items))
    return out  # type: ignore[no-any-return]


def write_export(exporter: Exporter, concepts: Iterable[Concept], total: int, path: Path, *,
                 force: bool = False, progress: Progress | None = None,
                 keep: Iterable[Path] = (),
                 line: Callable[[str, int], str] | None = None,
                 said: Callable[[Concept], Sequence[Said]] | None = None,
                 names: Mapping[str, str] | None = None) -> ExportReport:
    """Run `exporter` into `path`, which must not exist unless `force`, and is none of the
    files in `keep` (the store's own) even then. `line(path, n)` reads a note's line for an
    exporter that quotes the notes (the site's "Mentioned in"), and `said(concept)` what a
    concept says as every face shows it (`Grimoire.said`: a page's opening words). `names`
    (`note_names`) names the notes in what is written; without it, by their paths.

    The export is written beside `path` and renamed over it only when complete: an export that
    fails half-way leaves nothing behind, and a forced one keeps the old export until then.
    """
    target = Path(path)
    # `export jsonl kb.db --force` renamed the export over the open database: every note,
    # concept and vector gone, the next command "damaged".
    if target.resolve() in {Path(k).resolve() for k in keep}:
        raise GrimoireError("is the database itself (or its -wal, -shm or -journal file); "
                            "an export never replaces it, give another name", str(target))
    _check_target(exporter, target, force)
    if names and exporter.named:
        concepts, line, said = _named(concepts, line, said, names)
    cleared = _clear_scratch(target)
    try:  # named by this process, so that the next export can tell it was killed
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}-",
                                        suffix=".part", dir=target.parent))
    except OSError as e:  # a read-only folder, a full disk
        raise GrimoireError(f"cannot write here: {e.strerror or e}", str(target)) from e
    try:
        out = scratch / "export" if exporter.folder else scratch / target.name
        if exporter.folder:
            out.mkdir()
            (out / MARKER).write_text(f"written by grimoire export {exporter.name}\n",
                                      encoding="utf-8")
        counted = _counted(concepts, total, progress)
        count = (exporter.write(counted, out, line=line, said=said) if exporter.quotes_notes
                 else exporter.write(counted, out))
        _swap(out, target, scratch)
    except OSError as e:
        raise GrimoireError(f"cannot write: {e.strerror or e}", str(target)) from e
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    size = (sum(f.stat().st_size for f in target.rglob("*") if f.is_file()) if exporter.folder
            else target.stat().st_size)
    if exporter.opened_by and not target.name.lower().endswith(exporter.suffix):
        # `export anki deck.anki`: Anki's File > Import picks an importer by the name's ending
        # and offers none for it (round 34). Written as asked; the fix is a rename.
        cleared += (f"{exporter.opened_by} opens only files named *{exporter.suffix}: rename "
                    f"{target.name} to {target.stem}{exporter.suffix} to import it",)
    return ExportReport(exporter.name, str(target), count, size, cleared)


def _named(concepts: Iterable[Concept], line: Callable[[str, int], str] | None,
           said: Callable[[Concept], Sequence[Said]] | None, names: Mapping[str, str],
           ) -> tuple[Iterator[Concept], Callable[[str, int], str] | None,
                      Callable[[Concept], Sequence[Said]] | None]:
    """The concepts, `line` and `said` of an export with every note named by `names`;
    `line` is still asked by the note's own path."""
    paths = {name: path for path, name in names.items()}
    named_line: Callable[[str, int], str] | None = None
    named_said = None
    if line is not None:
        named_line = NamedLine(line, paths)
    # `said` is asked of each concept as read, its notes by their paths (`Grimoire.said`
    # reads a title's note by its path: a renamed one found nothing, round 50), then named
    read_as: dict[str, Concept] = {}
    if said is not None:
        says = said

        def named_said(concept: Concept) -> Sequence[Said]:
            return renamed(list(says(read_as.pop(concept.id, concept))), names)

    def named(concept: Concept) -> Concept:
        if said is not None:
            read_as[concept.id] = concept
        return renamed(concept, names)
    return (named(c) for c in concepts), named_line, named_said


@dataclass(frozen=True, slots=True)
class NamedLine:
    """`line` asked by a note's name inside its ingested folder (`note_names`), as an export
    names its notes; `path` gives the note's own path back (Anki's deck reads a quoted
    note's code spans, `showing.as_written`)."""

    read: Callable[[str, int], str]
    paths: Mapping[str, str]  # name -> path

    def __call__(self, name: str, n: int) -> str:
        return self.read(self.path(name), n)

    def path(self, name: str) -> str:
        return self.paths.get(name, name)


def _clear_scratch(target: Path) -> tuple[str, ...]:
    """Remove the scratch folders of exports to `target` that were killed (their process is
    gone), and say so; a running export's is left alone."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"(\d+)-[^/]*\.part")
    notices = []
    try:
        names = sorted(p.name for p in target.parent.iterdir())
    except OSError:
        return ()
    for name in names:
        found = pattern.fullmatch(name)
        if found is None or not (target.parent / name).is_dir():
            continue
        pid = int(found[1])
        if pid == os.getpid() or grimoire_running(pid):
            continue
        shutil.rmtree(target.parent / name, ignore_errors=True)
        notices.append(f"removed {name}, left by an export that was interrupted "
                       f"(process {pid} is gone)")
    return tuple(notices)


def _check_target(exporter: Exporter, target: Path, force: bool) -> None:
    if exporter.folder:
        if target.exists() and not target.is_dir():
            raise GrimoireError(f"is a file; {exporter.name} writes a folder", str(target))
        if target.is_dir() and any(target.iterdir()):
            if not force:
                raise GrimoireError("exists; replace it with --force (force=True in Python)",
                                    str(target))
            if not (target / MARKER).is_file():
                raise GrimoireError("is a folder that grimoire export did not write; "
                                    "not replaced", str(target))
    else:
        if target.is_dir():
            raise GrimoireError(f"is a folder; {exporter.name} writes one file "
                                f"(e.g. {target / ('notes' + exporter.suffix)})", str(target))
        # The export is renamed over `target`: as root, `export jsonl /dev/full --force`
        # replaced the device with a regular file (round 41), as it would a FIFO or socket.
        if target.exists() and not target.is_file():
            raise GrimoireError("is not a regular file (a device, FIFO or socket); the export "
                                "is written beside it and renamed into place: give a file "
                                "name", str(target))
        if target.exists() and not force:
            raise GrimoireError("exists; replace it with --force (force=True in Python)",
                                str(target))
    if not target.parent.is_dir():
        raise GrimoireError("no such folder to write into", str(target.parent))


def _swap(out: Path, target: Path, scratch: Path) -> None:
    """Put `out` at `target`; an old folder goes into `scratch`, removed with it. The two
    change places in one step where the system can: moved away first, then replaced, a
    process killed between the two renames left no site at `target`, and the next export
    removed the old one with the killed run's scratch folder (round 38)."""
    if target.is_dir():
        if _exchange(out, target):
            return  # the old folder is at `out` now, in `scratch`
        target.replace(scratch / "old")
    out.replace(target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux's renameat2 with RENAME_EXCHANGE); False where the
    system or its file system cannot, and nothing was changed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library before glibc 2.28
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)


def _counted(concepts: Iterable[Concept], total: int,
             progress: Progress | None) -> Iterator[Concept]:
    for done, concept in enumerate(concepts, 1):
        yield concept
        if progress is not None:
            progress(done, total)
