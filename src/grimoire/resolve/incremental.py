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
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from grimoire.names import normalize, term_names
from grimoire.resolve.addresses import AddressTable, address_slug
from grimoire.resolve.labels import LabelTable, label_key, refers_across
from grimoire.resolve.links import (
    _INDEX_STEM,
    _SCHEME,
    FILE_LINKS,
    ZETTEL_FILE,
    NameIndex,
    NoteFolders,
    _label_words,
    attach_sections,
    heading_names,
    link_key,
    resolve_links,
)
from grimoire.resolve.merge import (
    Claim,
    attach_redirects,
    build_concepts,
    entry_claims,
    merge_entries,
    page_of,
    redirect_page,
    shown_label,
)
from grimoire.resolve.overrides import Overrides
from grimoire.resolve.types import (
    AddressRow,
    ConceptRecord,
    EntryRow,
    HeadingRow,
    LabelRow,
    LinkRow,
    LinkTarget,
    NameRecord,
    ResolveInput,
    ResolveReport,
    SectionRecord,
)

StateRow = tuple[str, int, str, int, str]  # (path, document id, kind, item, norm)
StoredClaim = tuple[int, str, int]  # (concept id, norm, strength) of a stored concept name

# Key nodes live apart from names: the key a concept takes is its label's name, or that name
# with a number when another concept took it first ("foo" and "foo 2").
_KEY = "\x01"
_PAGE = "\x02"  # a page's address, as a redirect names it
_NUMBERED = re.compile(r" \d+$")


@runtime_checkable
class IncrementalStore(Protocol):
    """What incremental resolve needs from a store beyond `ConceptStore` (both engines)."""

    def resolve_state_ready(self) -> bool: ...
    def resolve_changes(self) -> tuple[int, list[str]]: ...
    def resolved_fingerprint(self) -> str: ...
    def resolve_keys_of_paths(self, paths: Sequence[str], kind: str | None = None
                              ) -> list[StateRow]: ...
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
    def address_rows(self, documents: Iterable[int]) -> list[AddressRow]: ...
    def label_rows(self, *, labels: Iterable[str] = (), documents: Iterable[int] = ()
                   ) -> list[LabelRow]: ...
    def single_documents(self) -> dict[str, int]: ...
    def source_paths(self) -> list[str]: ...
    def entries_with_concepts(self, documents: Iterable[int]
                              ) -> list[tuple[int, int, int, int | None]]: ...
    def concept_ids_of_entries(self, ids: Iterable[int]) -> dict[int, int]: ...
    def concept_name_norms(self, concepts: Iterable[int]) -> set[str]: ...
    def name_claims(self, norms: Iterable[str]) -> list[StoredClaim]: ...
    def sections_in(self, documents: Iterable[int]) -> list[tuple[int, SectionRecord]]: ...
    def concept_keys(self, ids: Iterable[int]) -> dict[str, int]: ...
    def max_concept_id(self) -> int: ...
    def links_touching(self, concepts: Iterable[int]) -> set[int]: ...
    def links_of_entries(self, entries: Iterable[int]) -> set[int]: ...
    def links_with_status(self, statuses: Iterable[str]) -> set[int]: ...
    def section_documents_of(self, concepts: Iterable[int]) -> set[int]: ...
    def write_partial_resolution(
        self, *, drop_concepts: Iterable[int], concepts: Sequence[ConceptRecord],
        ids: Sequence[int], extra_sections: Sequence[tuple[int, SectionRecord]],
        section_documents: Iterable[int], drop_links: Iterable[int],
        links: Sequence[LinkTarget], known: dict[int, int], fingerprint: str,
    ) -> None: ...
    def transaction(self) -> AbstractContextManager[Any]: ...
    def resolving(self) -> AbstractContextManager[Any]: ...


# -- the keys ---------------------------------------------------------------------------------


def merge_keys(e: EntryRow, claims: Sequence[Claim] | None = None) -> set[str]:
    """The names through which `e` can join other entries, and its concept-key nodes.

    `claims` are the entry's claims as `merge_entries` found them, when at hand (a label's
    claim on the entry is keyed by its link instead).
    """
    keys = {normalize(e.term)}
    if e.redirect and (page := redirect_page(e)):
        keys.add(_PAGE + page)  # a redirect by a page's address (`attach_redirects`)
    elif not e.redirect and e.line == 1:
        keys.add(_PAGE + page_of(e.path))
    if e.redirect:
        keys.add(normalize(e.redirect))
    elif claims is not None:
        keys.update(c.norm for c in claims if c.link_id is None)
    else:
        keys.update(c.norm for c in entry_claims(e)[0])
    base = normalize(shown_label(e.term)) or "concept 0"  # "concept <root>" when empty
    keys.add(_KEY + base)
    keys.add(_KEY + _NUMBERED.sub("", base))
    keys.discard("")
    return keys


def label_keys(link: LinkRow) -> set[str]:
    """A labelled wikilink makes its label a name of its target's entry: both ends."""
    if link.kind not in ("wikilink", "embed") or not link.label:
        return set()
    return {normalize(link.target), normalize(" ".join(link.label.split()))} - {""}


def lookup_keys(link: LinkRow) -> frozenset[str]:
    """Every name `resolve_links` may look a link up by."""
    fragment = link.fragment if link.kind in FILE_LINKS else None
    return _lookup_keys(link.target, link.kind, fragment or None)


@lru_cache(maxsize=1 << 16)  # a store links to the same names again and again
def _lookup_keys(target: str, kind: str, fragment: str | None = None) -> frozenset[str]:
    target = target.strip()
    if kind == "url" or _SCHEME.match(target):
        return frozenset()
    name, norm = link_key(target)
    if not norm:
        return frozenset()
    keys = {norm}
    keys.update(normalize(s.name) for s in term_names(name)[1:])
    if kind == "label":
        keys.add(normalize(_label_words(name)))
        keys.add(label_key(target))  # another file's label may define it (`resolve.labels`)
    if kind == "api":  # `Trainer.train` leads to a concept `Trainer` when there is one
        keys.add(normalize(name.partition(".")[0]))
    if fragment:  # `glossary#word-embedding` leads to "word embedding" when there is one
        keys.add(normalize(_label_words(fragment)))
    keys.discard("")
    return frozenset(keys)


def page_keys(path: str) -> set[str]:
    """The names a link to this file goes by (its stem; a folder index's folder)."""
    base = posixpath.basename(path)
    keys = {link_key(base)[1]}
    zettel = ZETTEL_FILE.match(base)
    if zettel is not None:
        keys.add(zettel.group(1))  # `[[202303051215]]` leads to `202303051215 Dropout.md`
    if _INDEX_STEM.match(base):
        keys.add(link_key(posixpath.basename(posixpath.dirname(path)))[1])
    keys.discard("")
    return keys


def state_rows(entries: Iterable[EntryRow], links: Iterable[LinkRow],
               headings: Iterable[HeadingRow],
               claims: Mapping[int, Sequence[Claim]] | None = None,
               labels: Iterable[LabelRow] = (),
               addresses: Iterable[AddressRow] = ()) -> Iterator[StateRow]:
    """The keys the store keeps for these rows (`claims`: each entry's, from the merge), and
    for the labels the files define (kind "b", by the label: `resolve.labels`) and the
    addresses they are published at (kind "b", by the address's last name:
    `resolve.addresses`)."""
    for r in labels:
        yield r.path, r.document_id, "b", r.document_id, label_key(r.label)
    for a in addresses:
        if slug := address_slug(a.address):
            yield a.path, a.document_id, "b", a.document_id, slug
    for e in entries:
        for norm in merge_keys(e, None if claims is None else claims.get(e.id, ())):
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


def full_state_rows(data: ResolveInput, claims: Mapping[int, Sequence[Claim]] | None = None,
                    paths: set[str] | None = None) -> Iterator[StateRow]:
    """The keys of a whole store (of the files in `paths` only, when given), from what a full
    resolve read and the claims its merge found."""
    if paths is None:
        return state_rows(data.entries, data.links, data.headings, claims, data.labels,
                          data.addresses)
    return state_rows([e for e in data.entries if e.path in paths],
                      [link for link in data.links if link.path in paths],
                      [h for h in data.headings if h.path in paths], claims,
                      [r for r in data.labels if r.path in paths],
                      [r for r in data.addresses if r.path in paths])


# -- the incremental run ----------------------------------------------------------------------


class _PageConcepts:
    """The concepts a document defines, read from the store only when a tie asks for them."""

    __slots__ = ("doc", "world")

    def __init__(self, world: _World, doc: int) -> None:
        self.world = world
        self.doc = doc

    def __contains__(self, concept: object) -> bool:
        self.world.load_documents([self.doc])
        return concept in self.world.doc_concepts.get(self.doc, ())


class _DocConcepts(Mapping[int, Container[int]]):
    """document id -> its concepts (`_PageConcepts`), without reading any document yet."""

    def __init__(self, world: _World) -> None:
        self.world = world

    def __getitem__(self, doc: int) -> Container[int]:
        return _PageConcepts(self.world, doc)

    def __iter__(self) -> Iterator[int]:
        return iter(self.world.doc_concepts)

    def __len__(self) -> int:
        return len(self.world.doc_concepts)


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
        self.named: set[str] = set()

    def stand_in(self, cid: int) -> int:
        i = self.index_of.get(cid)
        if i is None:
            i = len(self.concepts)
            self.concepts.append(ConceptRecord("", "", None, [], [], [], []))
            self.index_of[cid] = i
            self.known[i] = cid
        return i

    def add_names(self, norms: set[str], dropped: set[int]) -> None:
        """Give the stand-ins their stored names among `norms` (once per norm)."""
        todo = norms - self.named
        self.named |= todo
        # A stand-in is never written: its names need only what a lookup reads.
        for cid, norm, strength in self.store.name_claims(todo):
            if cid not in dropped:
                self.concepts[self.stand_in(cid)].names.append(
                    NameRecord("", norm, "", strength))

    def load_entries(self, entries: Iterable[int]) -> None:
        """The concepts of these entries (where the links in them leave from)."""
        todo = {e for e in entries if e not in self.entry_concept}
        for e in todo & self.new_entry_concept.keys():
            self.entry_concept[e] = self.new_entry_concept[e]
        for e, cid in self.store.concept_ids_of_entries(todo - self.entry_concept.keys()).items():
            self.entry_concept[e] = self.stand_in(cid)

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


def _claimants(claims: Iterable[StoredClaim]) -> dict[str, tuple[int, frozenset[int]]]:
    """norm -> (strongest strength, the concepts claiming it at that strength): what a
    NameIndex lookup answers from."""
    best: dict[str, tuple[int, set[int]]] = {}
    for cid, norm, strength in claims:
        top = best.get(norm)
        if top is None or strength > top[0]:
            best[norm] = (strength, {cid})
        elif strength == top[0]:
            top[1].add(cid)
    return {n: (s, frozenset(c)) for n, (s, c) in best.items()}


def _shared_names(store: IncrementalStore, norms: set[str], dropped: set[int],
                  concepts: list[ConceptRecord], ids: list[int]) -> set[str]:
    """The names among `norms` that two concepts claim at the top strength, before or after."""
    claims = store.name_claims(norms)
    before = _claimants(claims)
    after = _claimants([c for c in claims if c[0] not in dropped]
                       + [(ids[i], n.norm, n.strength) for i, c in enumerate(concepts)
                          for n in c.names if n.norm in norms])
    return {n for n in norms
            if len(before.get(n, (0, ()))[1]) > 1 or len(after.get(n, (0, ()))[1]) > 1}


def _moved_members(store: IncrementalStore, entries: list[EntryRow],
                   entry_concept: dict[int, int], ids: list[int]
                   ) -> tuple[set[int], set[int], set[int]]:
    """Documents whose set of concepts changed, documents whose first entry's concept changed,
    and entries whose concept changed (by stored id)."""
    new_id = {e: ids[i] for e, i in entry_concept.items()}
    # Only a document with an entry that changed concept can change its set or first concept.
    old_id = store.concept_ids_of_entries(new_id)
    rows = store.entries_with_concepts({e.document_id for e in entries
                                        if old_id.get(e.id) != new_id[e.id]})
    old_sets: dict[int, set[int | None]] = defaultdict(set)
    new_sets: dict[int, set[int | None]] = defaultdict(set)
    old_first: dict[int, tuple[int, int | None]] = {}
    new_first: dict[int, tuple[int, int | None]] = {}
    moved: set[int] = set()
    for doc, entry, line, cid in rows:
        now = new_id.get(entry, cid)
        if now != cid:
            moved.add(entry)
        old_sets[doc].add(cid)
        new_sets[doc].add(now)
        if doc not in old_first or line < old_first[doc][0]:
            old_first[doc] = (line, cid)
            new_first[doc] = (line, now)
    regrouped = {d for d in old_sets if old_sets[d] != new_sets[d]}
    refirst = {d for d in old_first if old_first[d] != new_first[d]}
    return regrouped, refirst, moved


def resolve_changes(store: IncrementalStore, overrides: Overrides) -> ResolveReport | None:
    """Bring the concept tables up to date with the files changed since the last resolve.

    Returns None, having changed nothing, when only a full resolve can (no keys stored yet,
    or a grimoire.toml with rules, whose names reach across the whole store).
    """
    if overrides.rules:
        return None
    started = time.perf_counter()
    with store.resolving():
        if not store.resolve_state_ready() or \
                store.resolved_fingerprint() != overrides.fingerprint:
            return None
        upto, paths = store.resolve_changes()
        every = store.source_paths()
        report = _apply(store, paths, overrides, NoteFolders(every),
                        refolder=_folders_change(every, paths))
        store.write_resolve_keys(report[1], paths, upto)
    counts = report[0]
    return ResolveReport(seconds=time.perf_counter() - started, incremental=True, **counts)


def _folders_change(every: Sequence[str], changed: Sequence[str]) -> bool:
    """Whether the changed files may add or empty a folder of the notes: a file link into a
    folder is "elsewhere" while the folder holds no note and "dead" once it does, so every
    link of those two statuses is resolved again (`_apply`). A changed file's folder stays a
    folder of the notes when a file not changed is in it or below it: found by bisecting the
    sorted paths (a note alone in its folder, edited, asks for them too)."""
    paths = sorted(every)  # in order already (the store's ORDER BY): linear
    gone = set(changed)
    for path in changed:
        folder = posixpath.dirname(path)
        prefix = folder + "/" if folder and not folder.endswith("/") else folder
        i = bisect_left(paths, prefix)
        while i < len(paths) and paths[i].startswith(prefix):
            if paths[i] not in gone:
                break
            i += 1
        else:
            return True
    return False


def _apply(store: IncrementalStore, paths: list[str], overrides: Overrides,
           note_folders: NoteFolders, *, refolder: bool = False
           ) -> tuple[dict[str, int], list[StateRow]]:
    changed = set(paths)
    old_rows = store.resolve_keys_of_paths(paths)
    new_docs = store.documents_of_paths(paths)
    doc_ids = [d for d, _ in new_docs]
    new_entries = store.entry_rows(documents=doc_ids)
    new_links = store.link_rows(documents=doc_ids)
    new_addresses = store.address_rows(doc_ids)
    new_rows = list(state_rows(new_entries, new_links, store.heading_rows(doc_ids),
                               labels=store.label_rows(documents=doc_ids),
                               addresses=new_addresses))

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

    # 2. the ids they take (a concept keeps its id by key), and what that changes elsewhere
    dropped = set(store.concept_ids_of_entries(old_entries).values())
    kept_ids = store.concept_keys(dropped)
    next_id = store.max_concept_id() + 1
    ids: list[int] = []
    for record in concepts:
        cid = kept_ids.get(record.key)
        if cid is None:
            cid, next_id = next_id, next_id + 1
        ids.append(cid)
    names = store.concept_name_norms(dropped) | {n.norm for c in concepts for n in c.names}
    claims = store.name_claims(names)
    before = _claimants(claims)
    after = _claimants([c for c in claims if c[0] not in dropped]
                       + [(ids[i], n.norm, n.strength) for i, c in enumerate(concepts)
                          for n in c.names])
    moved = {n for n in names if before.get(n) != after.get(n)}
    regrouped, refirst, reentered = _moved_members(store, entries, entry_concept, ids)
    regrouped -= set(doc_ids)
    touched = set(moved)
    for path in changed | set(store.document_paths(refirst).values()):
        touched |= page_keys(path)
    # A label a changed file defined or defines: the references to it from other files; and
    # a label of a page whose concepts changed (its heading's concept, or the page's first).
    touched |= {r[4] for r in [*old_rows, *new_rows] if r[2] == "b"}
    if refirst or regrouped:
        touched |= {label_key(r.label) for r in store.label_rows(documents=refirst | regrouped)}
        # ... and a link to the address of a page whose first concept changed
        touched |= {address_slug(r.address) for r in store.address_rows(refirst | regrouped)}
    section_docs = set(doc_ids) | regrouped | store.section_documents_of(dropped)
    section_docs |= {r[1] for r in store.resolve_keys_by_norm(moved, "h") if r[0] not in changed}
    link_ids = {r[3] for r in store.resolve_keys_by_norm(touched, "k") if r[0] not in changed}
    # A concept that keeps its id keeps its links: those whose lookup changes are found by
    # their names above. Only the links of concepts that are gone lose their target.
    link_ids |= store.links_touching(dropped - set(ids))
    link_ids |= store.links_of_entries(reentered)
    if refolder:  # a folder gained its first note or lost its last: "dead" <-> "elsewhere"
        link_ids |= store.links_with_status(("dead", "elsewhere"))
    # A page's own concepts break ties between concepts that share a name (`LDA`): in a page
    # whose concepts changed, the links by a shared name may move.
    paths_of = store.document_paths(regrouped)
    regrouped_keys = [r for r in store.resolve_keys_of_paths(sorted(set(paths_of.values())), "k")
                      if r[1] in regrouped]
    shared = _shared_names(store, {r[4] for r in regrouped_keys}, dropped, concepts, ids)
    link_ids |= {r[3] for r in regrouped_keys if r[4] in shared}

    # 3. sections of the pages that may gain or lose one, then the links that may move
    world = _World(store, concepts, entry_concept)
    world.load_documents(sorted(section_docs))
    headings = store.heading_rows(section_docs)
    world.add_names({normalize(p) for h in headings for p in h.heading_path}, dropped)
    stored_sections = store.sections_in(section_docs)
    attach_sections(world.concepts, headings, NameIndex(world.concepts), world.doc_concepts)
    sections = {(ids[i] if i < world.fresh else world.known[i], s)
                for i, c in enumerate(world.concepts) for s in c.sections}
    resectioned = {s.document_id for _, s in sections.symmetric_difference(stored_sections)}
    relinked = store.link_rows(ids=link_ids, documents=set(doc_ids) | resectioned)
    link_docs = {link.document_id for link in relinked}
    world.load_entries(link.entry_id for link in relinked if link.entry_id is not None)
    own_headings = heading_names(headings)
    for path, doc, _, _, norm in store.resolve_keys_by_norm(
            {link_key(link.target.strip())[1] for link in relinked}, "h"):
        if doc in link_docs and doc not in section_docs and path not in changed:
            own_headings[doc].add(norm)
    fresh_links = {link.id for link in new_links}
    wanted = {r[4] for r in new_rows if r[2] == "k"}
    wanted |= {r[4] for r in store.resolve_keys_of_items(
        "k", [link.id for link in relinked if link.id not in fresh_links])}
    labels = LabelTable(store.label_rows(labels={
        link.target.strip() for link in relinked if refers_across(link)}))
    # The pages published at the addresses these links may name (changed pages' own rows are
    # not stored yet), and the linking pages' own addresses (a relative link starts there).
    published = {r[1] for r in store.resolve_keys_by_norm(
        {link_key(link.target.strip())[1] for link in relinked}, "b")}
    addresses = AddressTable(
        [*new_addresses, *store.address_rows((published | link_docs) - set(doc_ids))])
    world.add_names(wanted | labels.names(), dropped)
    for cid, section in store.sections_in(link_docs - section_docs):
        world.concepts[world.stand_in(cid)].sections.append(section)
    # `resolve_links` tells sections of one span apart by their concepts' keys: a stand-in
    # with sections needs its stored key, else the tie went by the order stand-ins were made.
    keyless = {cid for i, cid in world.known.items()
               if not world.concepts[i].key and world.concepts[i].sections}
    for key, cid in store.concept_keys(keyless).items():
        world.concepts[world.index_of[cid]].key = key
    targets = resolve_links(relinked, world.concepts, NameIndex(world.concepts),
                            world.entry_concept, own_headings, store.single_documents(),
                            _FirstConcepts(world), _DocConcepts(world), note_folders, labels,
                            addresses)
    extra = [(cid, s) for cid, s in sections if s.document_id in section_docs
             and cid not in ids]
    old_links = {r[3] for r in old_rows if r[2] == "k"}
    old_docs = {r[1] for r in old_rows}
    store.write_partial_resolution(
        drop_concepts=dropped, concepts=concepts[:world.fresh], ids=ids, extra_sections=extra,
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
