"""Knowledge bases the exporters write out: the bundled examples with the seeds, and hostile
notes (every payload of tests/web/hostile.py, plus control characters and bare `<` and `&`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import EXAMPLES, reading, shared_store
from tests.web.hostile import write_hostile_notes

T = TypeVar("T")

# C0 controls XML 1.0 forbids (not NUL: a file with one is skipped as binary), DEL, and the
# text around them, in a note named by its heading.
CONTROL_TERM = "Bell\x07 & <Whistle>"
CONTROL_NOTE = (f"# {CONTROL_TERM}\n\nA term whose text rings\x07 a bell, "
                "has a vertical tab\x0b, an escape\x1b[31m, a form feed\x0c, a DEL\x7f, "
                "and a < b && c > d in it.\n")


def exported_names(kb: Any) -> dict[str, str]:
    """How an export names each note of `kb`: inside its ingested folder (round 40)."""
    from grimoire.export import note_names

    return note_names((r.path, r.root or r.path) for r in kb.sources())


def as_exported(kb: Any, value: T) -> T:
    """`value` (a concept, a span, what `said` gives) with its notes named as an export
    names them."""
    from grimoire.export.base import renamed

    return renamed(value, exported_names(kb))


def exported_file(kb: Any, name: str) -> Path:
    """The note an export names `name`."""
    (path,) = [p for p, n in exported_names(kb).items() if n == name]
    return Path(path)


@pytest.fixture(scope="session")
def notes_kb(tmp_path_factory: pytest.TempPathFactory, seeds: Path) -> Iterator[Any]:
    """The bundled examples and the five seeds, resolved into concepts."""
    import grimoire

    with grimoire.open(tmp_path_factory.mktemp("export-notes") / "notes.db") as kb:
        kb.ingest([str(EXAMPLES), str(seeds)], embed=False)
        yield kb


@pytest.fixture(scope="session")
def other_order_kb(tmp_path_factory: pytest.TempPathFactory, seeds: Path) -> Iterator[Any]:
    """`notes_kb`'s notes read into a fresh store in the other order (the seeds first): what
    an export names by a concept's key must not depend on the store it was read into. One
    store for the exports that compare with it (anki's and SKOS's built one each, round 56)."""
    import grimoire

    with grimoire.open(tmp_path_factory.mktemp("export-other-order") / "notes.db") as kb:
        kb.ingest([str(seeds), str(EXAMPLES)], embed=False)
        yield kb


@pytest.fixture(scope="session")
def hostile_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Notes written to attack whatever shows them."""
    import grimoire

    folder = tmp_path_factory.mktemp("export-hostile")
    write_hostile_notes(folder / "notes")
    (folder / "notes" / "bell.md").write_bytes(CONTROL_NOTE.encode())
    with grimoire.open(folder / "notes.db") as kb:
        kb.ingest([str(folder / "notes")], embed=False)
        yield kb


@pytest.fixture(scope="module")
def cheatsheet_kb(corpora: Path) -> Iterator[Any]:
    """The ML cheatsheet (Sphinx pages): concepts some of which only a page section describes.
    The session's store of the folder (tests/test_ask_round8.py asks it): an export reads no
    vectors (this store is not embedded for it when no earlier test did), and must write
    nothing to it. A handle a module (not the session: on PostgreSQL an open handle would stop
    a later `copy_store` of it)."""
    with reading(shared_store([str(corpora / "ml-cheatsheet-rst")], embed=False)) as kb:
        yield kb
