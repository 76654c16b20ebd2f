"""Resolve: entries become concepts, links lead to concepts or to wanted pages.

`resolve` runs over the whole store: reading the names and links is linear, merging is
union-find, and only the concept tables are rewritten. `refresh` runs after an ingest that
changed something and recomputes only what the changed files reach (`incremental.py`), with
the same result (see `bench/resolve.py` for the figures). `build` is the pure part.

>>> report = refresh(store, load_overrides(["notes/"]))
"""

import typing as _typing

from grimoire._lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
    from grimoire.resolve.links import link_key
    from grimoire.resolve.overrides import FILENAME, Overrides, load_overrides
    from grimoire.resolve.run import (
        ConceptStore,
        build,
        no_gc,
        refresh,
        resolve,
    )
    from grimoire.resolve.types import (
        Concept,
        ConceptName,
        ConceptSummary,
        DeadLink,
        Mention,
        Merge,
        ResolveReport,
        Section,
        WantedPage,
    )

# Imported on first use: a search only checks whether the concepts are current, and merging,
# link resolution and the incremental state are about 15 ms of its start (cold start, issue 14).
_LAZY = {
    "Concept": "grimoire.resolve.types",
    "ConceptName": "grimoire.resolve.types",
    "ConceptStore": "grimoire.resolve.run",
    "ConceptSummary": "grimoire.resolve.types",
    "DeadLink": "grimoire.resolve.types",
    "FILENAME": "grimoire.resolve.overrides",
    "Mention": "grimoire.resolve.types",
    "Merge": "grimoire.resolve.types",
    "Overrides": "grimoire.resolve.overrides",
    "ResolveReport": "grimoire.resolve.types",
    "Section": "grimoire.resolve.types",
    "WantedPage": "grimoire.resolve.types",
    "build": "grimoire.resolve.run",
    "link_key": "grimoire.resolve.links",
    "load_overrides": "grimoire.resolve.overrides",
    "no_gc": "grimoire.resolve.run",
    "refresh": "grimoire.resolve.run",
    "resolve": "grimoire.resolve.run",
}


__getattr__, __dir__ = _lazy_names(__name__, _LAZY)

__all__ = [
    "FILENAME",
    "Concept",
    "ConceptName",
    "ConceptStore",
    "ConceptSummary",
    "DeadLink",
    "Mention",
    "Merge",
    "Overrides",
    "ResolveReport",
    "Section",
    "WantedPage",
    "build",
    "link_key",
    "load_overrides",
    "no_gc",
    "refresh",
    "resolve",
]
