"""Exporters: the knowledge base's concepts written out in another tool's format.

Each format is one module with an `EXPORTER`; `EXPORTERS` lists them once, in the order
`grimoire export --help` shows. An exporter reads only the records the Python API hands out
(`Concept`), never the store, so a new format needs one module and one line here.
"""

from __future__ import annotations

from grimoire.export import anki, jsonl, site, skos, tbx
from grimoire.export.base import (
    Exporter,
    ExportReport,
    Progress,
    note_names,
    write_export,
)

EXPORTERS: tuple[Exporter, ...] = (jsonl.EXPORTER, skos.EXPORTER, anki.EXPORTER, tbx.EXPORTER,
                                     site.EXPORTER)

__all__ = ["EXPORTERS", "ExportReport", "Exporter", "Progress", "by_name", "names",
           "note_names", "write_export"]


def names() -> tuple[str, ...]:
    """The format names, in registry order."""
    return tuple(e.name for e in EXPORTERS)


def by_name(name: str) -> Exporter:
    """The exporter called `name`; KeyError listing the formats otherwise."""
    for exporter in EXPORTERS:
        if exporter.name == name:
            return exporter
    raise KeyError(f"unknown export format {name!r}; the formats are: {', '.join(names())}")
