"""Grimoire: every note you keep about AI and ML, read into one linked, searchable store."""

import os as _os
import typing as _typing

from grimoire._lazy import lazy_names as _lazy_names
from grimoire.errors import CorruptDatabase, GrimoireError, NotFound, ReadError, StoreError

if _typing.TYPE_CHECKING:
    from grimoire.ingest import IngestReport
    from grimoire.knowledge import Grimoire, open
    from grimoire.model import (
        Document,
        Entry,
        Image,
        Link,
        LinkKind,
        Math,
        Passage,
        Problem,
        Reference,
        Revision,
        Span,
    )
    from grimoire.store import SourceRecord, Stats, StoredEntry

# onnxruntime (the bundled model's runtime; 1.32 on Linux, as measured here) keeps a device
# id and a cache of usage events under ~/.cache/Microsoft/DeveloperTools/ to upload, unless
# this is set before it loads. Grimoire is local-first: how it is used stays on the machine.
# It holds for the whole process, a program that imports grimoire included; set
# ORT_DISABLE_TELEMETRY=0 to leave the choice to onnxruntime.
if not _os.environ.get("ORT_DISABLE_TELEMETRY"):
    _os.environ["ORT_DISABLE_TELEMETRY"] = "1"

# The rest of the API is imported on first use: `import grimoire.cli` then costs click and rich
# only, and a semantic search can start loading its model while the store's modules load
# (cold start, issue 14). A search never needs `grimoire.ingest`.
_LAZY = {
    **dict.fromkeys(("Grimoire", "open"), "grimoire.knowledge"),
    **dict.fromkeys(("Document", "Entry", "Image", "Link", "LinkKind", "Math", "Passage",
                     "Problem", "Reference", "Revision", "Span"), "grimoire.model"),
    **dict.fromkeys(("SourceRecord", "Stats", "StoredEntry"), "grimoire.store"),
    "IngestReport": "grimoire.ingest",
}


__getattr__, __dir__ = _lazy_names(__name__, _LAZY)

__all__ = [
    "CorruptDatabase",
    "Document",
    "Entry",
    "Grimoire",
    "GrimoireError",
    "Image",
    "IngestReport",
    "Link",
    "LinkKind",
    "Math",
    "NotFound",
    "Passage",
    "Problem",
    "ReadError",
    "Reference",
    "Revision",
    "SourceRecord",
    "Span",
    "Stats",
    "StoreError",
    "StoredEntry",
    "open",
]
