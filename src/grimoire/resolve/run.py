"""Running resolve over a store: in full (`resolve`), after changes (`refresh`), or over rows
(`build`). `grimoire.resolve` exposes these names; see its docstring."""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from grimoire.names import normalize
from grimoire.resolve.addresses import AddressTable
from grimoire.resolve.incremental import IncrementalStore, full_state_rows, resolve_changes
from grimoire.resolve.labels import LabelTable
from grimoire.resolve.links import (
    NameIndex,
    NoteFolders,
    attach_sections,
    heading_names,
    resolve_links,
)
from grimoire.resolve.merge import Claim, attach_redirects, build_concepts, merge_entries
from grimoire.resolve.overrides import Overrides
from grimoire.resolve.types import (
    NameRecord,
    Resolution,
    ResolveInput,
    ResolveReport,
)


class ConceptStore(Protocol):
    """What resolve needs from a store backend."""

    def resolving(self) -> AbstractContextManager[Any]:
        """One transaction from the read of the input to the write of the result, in which no
        other writer changes a file: else a resolve that read before another process's files
        were written could write its stale concepts over that process's resolve, and mark
        them current."""
        ...

    def concepts_stale(self, fingerprint: str) -> bool: ...

    def resolve_input(self) -> ResolveInput: ...

    def write_resolution(self, resolution: Resolution, fingerprint: str) -> None: ...


NO_OVERRIDES = Overrides()


def build(data: ResolveInput, overrides: Overrides = NO_OVERRIDES) -> Resolution:
    """Concepts and link targets from the stored entries, links and headings."""
    return _build(data, overrides)[0]


def _build(data: ResolveInput, overrides: Overrides) -> tuple[Resolution, dict[int, list[Claim]]]:
    """`build`, and the names each entry claims (the keys incremental resolve stores)."""
    parts, by_entry, _ = merge_entries(data.entries, data.links, overrides)
    roles = attach_redirects(parts, data.entries, by_entry)
    concepts, entry_concept = build_concepts(parts, data.entries, by_entry, roles, overrides)
    for rule in overrides.of("alias"):
        index = NameIndex(concepts)
        status, target = index.lookup(normalize(rule.names[0]))
        if status == "resolved" and target is not None:
            for alias in rule.names[1:]:
                concepts[target].names.append(
                    NameRecord(alias, normalize(alias), f"alias in {rule.path}", 2))
    index = NameIndex(concepts)
    doc_concepts: dict[int, set[int]] = defaultdict(set)
    doc_first: dict[int, tuple[int, int]] = {}
    for e in data.entries:
        c = entry_concept[e.id]
        doc_concepts[e.document_id].add(c)
        if e.document_id not in doc_first or e.line < doc_first[e.document_id][0]:
            doc_first[e.document_id] = (e.line, c)
    attach_sections(concepts, data.headings, index, doc_concepts)
    links = resolve_links(data.links, concepts, index, entry_concept,
                          heading_names(data.headings), data.documents,
                          {d: c for d, (_, c) in doc_first.items()}, doc_concepts,
                          NoteFolders(data.paths or data.documents), LabelTable(data.labels),
                          AddressTable(data.addresses))
    return Resolution(concepts, links), by_entry


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: resolve allocates millions of small objects and
    none of them form cycles, and a full collection every few hundred thousand allocations
    makes the run grow with the square of the corpus."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def resolve(store: ConceptStore, overrides: Overrides = NO_OVERRIDES, *,
            if_stale: bool = False) -> ResolveReport:
    """Rebuild the concepts and link targets of `store` in one transaction.

    With `if_stale`, nothing is rebuilt when the concepts are current once the transaction
    holds the lock (another process resolved while this one waited for it): the report is
    that of an incremental run that recomputed nothing.
    """
    started = time.perf_counter()
    keyed = store if isinstance(store, IncrementalStore) else None
    with no_gc(), store.resolving():
        if if_stale and not store.concepts_stale(overrides.fingerprint):
            return ResolveReport(entries=0, concepts=0, merged=0, links=0, resolved=0,
                                 wanted=0, ambiguous=0, external=0,
                                 seconds=time.perf_counter() - started, incremental=True)
        if keyed is None:
            data = store.resolve_input()
        else:
            upto, changed = keyed.resolve_changes()
            # The keys of a file depend on that file alone: when they were current before
            # these changes, only the changed files' keys are written again.
            keep = keyed.resolve_state_ready()
            data = store.resolve_input()
        result, claims = _build(data, overrides)
        store.write_resolution(result, overrides.fingerprint)
        if keyed is not None:
            if keep:
                keyed.write_resolve_keys(full_state_rows(data, claims, set(changed)), changed,
                                         upto)
            else:
                keyed.write_resolve_keys(full_state_rows(data, claims), None, upto)
    counts: dict[str, int] = defaultdict(int)
    for link in result.links:
        counts[link.status] += 1
    merged = 0
    for c in result.concepts:
        if len({e for e, _ in c.entries}) > 1 or c.sections:
            merged += 1
    return ResolveReport(
        entries=len(data.entries), concepts=len(result.concepts), merged=merged,
        links=len(result.links), resolved=counts["resolved"], wanted=counts["wanted"],
        ambiguous=counts["ambiguous"], external=counts["external"],
        seconds=time.perf_counter() - started,
    )


def refresh(store: ConceptStore, overrides: Overrides = NO_OVERRIDES) -> ResolveReport:
    """Bring the concepts up to date after files changed: incrementally when the store keeps
    the keys for it, else in full. Both give the same tables."""
    if isinstance(store, IncrementalStore):
        with no_gc():
            report = resolve_changes(store, overrides)
        if report is not None:
            return report
    return resolve(store, overrides, if_stale=True)
