"""Incremental resolve: recompute only what a change of some files can reach.

Every decision of a full resolve is local to a name. Two entries can end in one concept only
through a name they share: a stated name, a redirect's target, a wikilink label and its
target, or the key their labels would both take. So the entries joined by shared names form
closed groups: re-merging the groups a changed file touches, with the same functions and in
the same order as `build`, gives the same concepts as a full run. Link targets and page
sections then change only where a name, a document's concepts or a page's first concept
changed, and only those are worked out again.

The store keeps, for every entry, link and heading, the names it can be reached by
(`resolve_keys`) and logs every file added or removed (`resolve_changed`). A store without
them, or a `grimoire.toml` with rules, gets a full resolve.
"""

from __future__ import annotations

import posixpath
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

from grimoire.names import normalize, parse_term, term_names
from grimoire.resolve.links import (
    _INDEX_STEM,
    _SCHEME,
    NameIndex,
    _label_words,
    attach_sections,
    link_key,
    resolve_links,
)
from grimoire.resolve.merge import attach_redirects, build_concepts, entry_claims, merge_entries
from grimoire.resolve.overrides import Overrides
from grimoire.resolve.types import (
    ConceptRecord,
    EntryRow,
    HeadingRow,
    LinkRow,
    LinkTarget,
    NameRecord,
    ResolveInput,
    ResolveReport,
    SectionRecord,
)

StateRow = tuple[str, int, str, int, str]  # (path, document id, kind, item, norm)

# Key nodes live apart from names: the key a concept takes is its label's name, or that name
# with a number when another concept took it first ("foo" and "foo 2").
_KEY = "\x01"
_NUMBERED = re.compile(r" \d+$")


@runtime_checkable
class IncrementalStore(Protocol):
    """What incremental resolve needs from a store beyond `ConceptStore` (SQLite has it)."""

    def resolve_state_ready(self) -> bool: ...
    def resolve_changes(self) -> tuple[int, list[str]]: ...
    def resolved_fingerprint(self) -> str: ...
    def forget_resolve_keys(self) -> None: ...
    def resolve_keys_of_paths(self, paths: Sequence[str]) -> list[StateRow]: ...
    def resolve_keys_by_norm(self, norms: Iterable[str], kinds: str) -> list[StateRow]: ...
    def resolve_keys_of_items(self, kind: str, items: Iterable[int]) -> list[StateRow]: ...
    def write_resolve_keys(self, rows: Iterable[StateRow], paths: Sequence[str] | None,
                           upto: int) -> None: ...
    def documents_of_paths(self, paths: Sequence[str]) -> list[tuple[int, str]]: ...
    def document_paths(self, ids: Iterable[int]) -> dict[int, str]: ...
    def entry_rows(self, *, ids: Iterable[int] = (), documents: Iterable[int] = ()
                   ) -> list[EntryRow]: ...
    def link_rows(self, *, ids: Iterable[int] = (), documents: Iterable[int] = ()
                  ) -> list[LinkRow]: ...
    def heading_rows(self, documents: Iterable[int]) -> list[HeadingRow]: ...
    def single_documents(self) -> dict[str, int]: ...
    def entries_with_concepts(self, documents: Iterable[int]
                              ) -> list[tuple[int, int, int, int | None]]: ...
    def concept_ids_of_entries(self, ids: Iterable[int]) -> dict[int, int]: ...
    def concept_name_norms(self, concepts: Iterable[int]) -> set[str]: ...
    def names_claimed(self, norms: Iterable[str]) -> list[tuple[int, NameRecord]]: ...
    def sections_in(self, documents: Iterable[int]) -> list[tuple[int, SectionRecord]]: ...
    def write_partial_resolution(
        self, *, drop_concepts: Iterable[int], concepts: Sequence[ConceptRecord],
        extra_sections: Sequence[tuple[int, SectionRecord]], section_documents: Iterable[int],
        drop_links: Iterable[int], links: Sequence[LinkTarget], known: dict[int, int],
        fingerprint: str,
    ) -> list[int]: ...
    def transaction(self) -> AbstractContextManager[Any]: ...


# -- the keys ---------------------------------------------------------------------------------


def merge_keys(e: EntryRow) -> set[str]:
    """The names through which `e` can join other entries, and its concept-key nodes."""
    keys = {normalize(e.term)}
    if e.redirect:
        keys.add(normalize(e.redirect))
    else:
        claims, _ = entry_claims(e)
        keys.update(c.norm for c in claims)
    base = normalize(parse_term(e.term).label) or "concept 0"  # "concept <root>" when empty
    keys.add(_KEY + base)
    keys.add(_KEY + _NUMBERED.sub("", base))
    keys.discard("")
    return keys


def label_keys(link: LinkRow) -> set[str]:
    """A labelled wikilink makes its label a name of its target's entry: both ends."""
    if link.kind not in ("wikilink", "embed") or not link.label:
        return set()
    return {normalize(link.target), normalize(" ".join(link.label.split()))} - {""}


def lookup_keys(link: LinkRow) -> set[str]:
    """Every name `resolve_links` may look a link up by."""
    target = link.target.strip()
    if link.kind == "url" or _SCHEME.match(target):
        return set()
    name, norm = link_key(target)
    if not norm:
        return set()
    keys = {norm}
    keys.update(normalize(s.name) for s in term_names(name)[1:])
    if link.kind == "label":
        keys.add(normalize(_label_words(name)))
    keys.discard("")
    return keys


def page_keys(path: str) -> set[str]:
    """The names a link to this file goes by (its stem; a folder index's folder)."""
    base = posixpath.basename(path)
    keys = {link_key(base)[1]}
    if _INDEX_STEM.match(base):
        keys.add(link_key(posixpath.basename(posixpath.dirname(path)))[1])
    keys.discard("")
    return keys


def state_rows(entries: Iterable[EntryRow], links: Iterable[LinkRow],
               headings: Iterable[HeadingRow]) -> Iterator[StateRow]:
    """The keys the store keeps for these rows."""
    for e in entries:
        for norm in merge_keys(e):
            yield e.path, e.document_id, "e", e.id, norm
    for link in links:
        for norm in label_keys(link):
            yield link.path, link.document_id, "l", link.id, norm
        # one row even for a key-less link: the row says the link exists
        for norm in lookup_keys(link) or {""}:
            yield link.path, link.document_id, "k", link.id, norm
    seen: set[tuple[int, str]] = set()
    for h in headings:
        for part in h.heading_path:
            key = (h.document_id, normalize(part))
            if key not in seen:
                seen.add(key)
                yield h.path, h.document_id, "h", h.document_id, key[1]


def full_state_rows(data: ResolveInput) -> Iterator[StateRow]:
    """The keys of a whole store, from what a full resolve read."""
    return state_rows(data.entries, data.links, data.headings)


# -- the incremental run ----------------------------------------------------------------------


class _FirstConcepts(Mapping[int, int]):
    """document id -> the concept of its first entry, asked of the store on demand."""

    def __init__(self, world: _World) -> None:
        self.world = world

    def __getitem__(self, doc: int) -> int:
        self.world.load_documents([doc])
        return self.world.doc_first[doc]

    def __contains__(self, doc: object) -> bool:
        if not isinstance(doc, int):
            return False
        self.world.load_documents([doc])
        return doc in self.world.doc_first

    def __iter__(self) -> Iterator[int]:
        return iter(self.world.doc_first)

    def __len__(self) -> int:
        return len(self.world.doc_first)


class _World:
    """The recomputed concepts, then stand-ins for the kept concepts that lookups reach.

    A stand-in carries only the names and sections a lookup asks about; `known` maps its
    index to its stored id.
    """

    def __init__(self, store: IncrementalStore, concepts: list[ConceptRecord],
                 entry_concept: dict[int, int]) -> None:
        self.store = store
        self.concepts = concepts
        self.fresh = len(concepts)
        self.new_entry_concept = entry_concept
        self.known: dict[int, int] = {}
        self.index_of: dict[int, int] = {}
        self.entry_concept: dict[int, int] = {}
        self.doc_concepts: dict[int, set[int]] = {}
        self.doc_first: dict[int, int] = {}
        self.loaded: set[int] = set()

    def stand_in(self, cid: int) -> int:
        i = self.index_of.get(cid)
        if i is None:
            i = len(self.concepts)
            self.concepts.append(ConceptRecord("", "", None, [], [], [], []))
            self.index_of[cid] = i
            self.known[i] = cid
        return i

    def load_documents(self, docs: Iterable[int]) -> None:
        todo = [d for d in docs if d not in self.loaded]
        if not todo:
            return
        self.loaded.update(todo)
        first: dict[int, tuple[int, int]] = {}
        for doc, entry, line, cid in self.store.entries_with_concepts(todo):
            c = self.new_entry_concept.get(entry)
            if c is None:
                assert cid is not None, f"entry {entry} has no concept"
                c = self.stand_in(cid)
            self.entry_concept[entry] = c
            self.doc_concepts.setdefault(doc, set()).add(c)
            if doc not in first or line < first[doc][0]:
                first[doc] = (line, c)
        self.doc_first.update((d, c) for d, (_, c) in first.items())


def resolve_changes(store: IncrementalStore, overrides: Overrides) -> ResolveReport | None:
    """Bring the concept tables up to date with the files changed since the last resolve.

    Returns None, having changed nothing, when only a full resolve can (no keys stored yet,
    or a grimoire.toml with rules, whose names reach across the whole store).
    """
    if overrides.rules:
        return None
    started = time.perf_counter()
    with store.transaction():
        if not store.resolve_state_ready() or \
                store.resolved_fingerprint() != overrides.fingerprint:
            return None
        upto, paths = store.resolve_changes()
        report = _apply(store, paths, overrides)
        store.write_resolve_keys(report[1], paths, upto)
    counts = report[0]
    return ResolveReport(seconds=time.perf_counter() - started, incremental=True, **counts)


def _apply(store: IncrementalStore, paths: list[str], overrides: Overrides
           ) -> tuple[dict[str, int], list[StateRow]]:
    changed = set(paths)
    old_rows = store.resolve_keys_of_paths(paths)
    new_docs = store.documents_of_paths(paths)
    doc_ids = [d for d, _ in new_docs]
    new_entries = store.entry_rows(documents=doc_ids)
    new_links = store.link_rows(documents=doc_ids)
    new_rows = list(state_rows(new_entries, new_links, store.heading_rows(doc_ids)))

    # 1. the groups of entries the change can reach, by shared names
    found: dict[tuple[str, int], tuple[str, int]] = {}  # (kind, item) -> (path, document)
    frontier = {r[4] for r in [*old_rows, *new_rows] if r[2] in "el"}
    seen: set[str] = set()
    while frontier:
        seen |= frontier
        fresh: dict[str, list[int]] = defaultdict(list)
        for path, doc, kind, item, _norm in store.resolve_keys_by_norm(frontier, "el"):
            if (kind, item) not in found:
                found[(kind, item)] = (path, doc)
                fresh[kind].append(item)
        frontier = set()
        for kind, items in fresh.items():
            frontier.update(r[4] for r in store.resolve_keys_of_items(kind, items))
        frontier -= seen
    old_entries = [i for (k, i) in found if k == "e"]
    kept_entries = [i for (k, i), (p, _) in found.items() if k == "e" and p not in changed]
    kept_labels = [i for (k, i), (p, _) in found.items() if k == "l" and p not in changed]
    entries = sorted([*store.entry_rows(ids=kept_entries), *new_entries], key=lambda e: e.id)
    labelled = [link for link in new_links if label_keys(link)]
    links = sorted([*store.link_rows(ids=kept_labels), *labelled], key=lambda x: x.id)

    parts, by_entry, _ = merge_entries(entries, links, overrides)
    roles = attach_redirects(parts, entries, by_entry)
    concepts, entry_concept = build_concepts(parts, entries, by_entry, roles, overrides)

    # 2. what else those concepts' names, documents and pages reach
    dropped = set(store.concept_ids_of_entries(old_entries).values())
    names = store.concept_name_norms(dropped) | {n.norm for c in concepts for n in c.names}
    cluster_docs = {e.document_id for e in entries}
    touched = set(names)
    for path in changed | set(store.document_paths(cluster_docs).values()):
        touched |= page_keys(path)
    section_docs = set(doc_ids) | cluster_docs
    section_docs |= {r[1] for r in store.resolve_keys_by_norm(names, "h") if r[0] not in changed}
    link_ids = {r[3] for r in store.resolve_keys_by_norm(touched, "k") if r[0] not in changed}
    relinked = store.link_rows(ids=link_ids, documents=section_docs)
    link_docs = {link.document_id for link in relinked} | section_docs

    world = _World(store, concepts, entry_concept)
    world.load_documents(sorted(link_docs))
    headings = store.heading_rows(link_docs)
    wanted = {normalize(p) for h in headings if h.document_id in section_docs
              for p in h.heading_path}
    for link in relinked:
        wanted |= lookup_keys(link)
    for cid, name in store.names_claimed(wanted):
        if cid not in dropped:
            world.concepts[world.stand_in(cid)].names.append(name)
    for cid, section in store.sections_in(link_docs - section_docs):
        world.concepts[world.stand_in(cid)].sections.append(section)
    index = NameIndex(world.concepts)
    attach_sections(world.concepts, [h for h in headings if h.document_id in section_docs],
                    index, world.doc_concepts)
    targets = resolve_links(relinked, world.concepts, index, world.entry_concept, headings,
                            store.single_documents(), _FirstConcepts(world), world.doc_concepts)
    extra = [(world.known[i], s) for i in range(world.fresh, len(world.concepts))
             for s in world.concepts[i].sections if s.document_id in section_docs]
    old_links = {r[3] for r in old_rows if r[2] == "k"}
    old_docs = {r[1] for r in old_rows}
    store.write_partial_resolution(
        drop_concepts=dropped, concepts=concepts[:world.fresh], extra_sections=extra,
        section_documents=section_docs | old_docs, drop_links=old_links | link_ids,
        links=targets, known=world.known, fingerprint=overrides.fingerprint)
    counts: dict[str, int] = defaultdict(int)
    for t in targets:
        counts[t.status] += 1
    return {
        "entries": len(entries), "concepts": world.fresh,
        "merged": sum(1 for c in concepts[:world.fresh]
                      if len({e for e, _ in c.entries}) > 1 or c.sections),
        "links": len(targets), "resolved": counts["resolved"], "wanted": counts["wanted"],
        "ambiguous": counts["ambiguous"], "external": counts["external"],
    }, new_rows
