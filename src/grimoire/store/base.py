"""The Store protocol: what every stage may ask of storage, in typed records.

Every backend (`sqlite.py`, `postgres.py`) offers all of it, and one contract suite
(`tests/store/`) runs on each. Nothing here names an engine: lexical search is asked in words
and phrases (`TextQuery`), vector search with a vector, k and a set of documents, and
`transaction()` is the one way to group writes (nested calls become savepoints).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal, Protocol

from grimoire.errors import CorruptDatabase
from grimoire.model import Document, Span
from grimoire.store.document_rows import SourceItem
from grimoire.store.records import (
    ENTRY_WEIGHTS,
    PASSAGE_WEIGHTS,
    ConceptEntry,
    EmbedUnit,
    Filters,
    NameRow,
    PassageMarks,
    PassageRow,
    Scored,
    SourceRecord,
    Stats,
    StoredEntry,
    TextQuery,
    VectorRow,
)

if TYPE_CHECKING:
    import numpy as np

    # Annotations only: a search builds none of these, and does not import them (issue 14).
    from grimoire.store.concept_records import (
        ConceptEdge,
        ConceptMatch,
        ConceptName,
        ConceptRow,
        ConceptSummary,
        LinkUse,
        Mention,
        Merge,
        Resolution,
        ResolveInput,
        Section,
    )

__all__ = [
    "DAMAGED", "EmbedUnit", "Filters", "NameRow", "PassageMarks", "PassageRow", "Scored",
    "SourceRecord", "Stats", "Store", "StoredEntry", "TextQuery", "VectorRow",
]

DAMAGED = "database is damaged: run `grimoire check`"

#: What a damage check may be limited to: the tables that kind of read looks in.
Reads = Literal["search"]

class Store(Protocol):
    """Persistence for documents, concepts, the lexical index and vectors."""

    url: str  # what the store was opened from (a path for SQLite); names it in errors
    engine: str  # "sqlite" | "postgresql", for messages and benchmarks only
    # Opened for reading only: nothing is written, not even a resolve of changed overrides.
    read_only: bool
    # Whether `replace_sources` takes documents as `DocumentRows` (built off the writer).
    takes_rows: bool
    # How many matching passages lexical search lets bm25 rank for one query (about 15 ms of
    # work): search keeps a long query's rarest words within it (`Searcher._prune_common`).
    lexical_rows: int

    # -- transactions and lifetime ---------------------------------------------------------

    def transaction(self) -> AbstractContextManager[Any]:
        """One atomic unit of work; nested calls become savepoints."""
        ...

    def reading(self) -> AbstractContextManager[None]:
        """Several reads as one: a search's statements see one state of the store (and on
        SQLite take its read lock once, not once a statement)."""
        ...

    def snapshot(self) -> AbstractContextManager[None]:
        """Every read of this thread inside sees one state of the store, whatever other
        processes write meanwhile (a copy of the whole store: `grimoire migrate`). Nothing
        may be written to this store inside."""
        ...

    def close(self) -> None: ...

    def diagnose(self, error: BaseException) -> CorruptDatabase | None:
        """A CorruptDatabase when `error` came from damaged storage, else None."""
        ...

    def damaged(self, budget: float | None = None, reads: Reads | None = None) -> bool:
        """True when the store's own quick check finds damage.

        With `budget` (seconds), a check that would take longer stops there and finds none.
        `reads` ("search"): only what that kind of read looks its rows up in, where damage
        could pass for "nothing found"; by default everything.
        """
        ...

    def integrity_check(self) -> str:
        """"ok" when the store's own consistency checks pass, else what failed."""
        ...

    def change_counter(self) -> tuple[int, ...]:
        """A cache key (cheap): it moves when a transaction that wrote to this store
        commits, from any connection or process, and a reader sees it move with the rows that
        commit wrote. A write to another store (another file, database or schema) leaves it,
        and so does another connection's write until it commits. In a transaction of its own
        that wrote, a connection sees it move too. It may move without a change (SQLite: this
        connection's rolled-back write), never the other way round."""
        ...

    def reopen_if_replaced(self) -> Store | None:
        """The store opened again (this one closed) when its path now names another file than
        the one it opened (a copy moved over it); None while it is the same, and always for a
        server. Raises StoreError when no file is there any more."""
        ...

    # -- sources and documents ---------------------------------------------------------------

    def source(self, path: str) -> SourceRecord | None: ...

    def sources(self, *, root: str | None = None, failed: bool = False) -> list[SourceRecord]: ...

    def source_roots(self) -> list[str]:
        """Every folder (or file) given to ingest: where grimoire.toml may live."""
        ...

    def replace_source(self, record: SourceRecord, documents: Iterable[Document]) -> None:
        """Write one file's record and documents in one transaction, replacing what it had."""
        ...

    def replace_sources(self, items: Iterable[SourceItem]) -> None:
        """`replace_source` for several files in one transaction (ingest's batches).

        A document may come as `DocumentRows`, built by a reader worker, when the store's
        `takes_rows` is true.
        """
        ...

    def mark_source(self, record: SourceRecord) -> None:
        """Record a file's status without touching its stored documents."""
        ...

    def remove_source(self, path: str) -> None: ...

    def stats(self) -> Stats: ...

    # -- entries and passages ----------------------------------------------------------------

    def entries(self) -> Iterator[StoredEntry]: ...

    def entries_named(self, norm: str) -> list[StoredEntry]: ...

    def entry_names(self) -> list[tuple[str, str]]:
        """(normalised name, display name) for every entry term and alias."""
        ...

    def passages(self) -> Iterator[PassageMarks]:
        """Every passage with its marks, in file and line order."""
        ...

    def passage_count(self) -> int:
        """An upper bound on the number of passages (cheap)."""
        ...

    def passage_total(self) -> int:
        """How many passages the store holds."""
        ...

    def passage_rows(self, ids: Sequence[int]) -> dict[int, PassageRow]: ...

    def passage_spans(self, ids: list[int]) -> dict[int, tuple[Span, str]]:
        """passage id -> (span, text)."""
        ...

    def passage_groups(
        self, ids: Sequence[int]
    ) -> dict[int, tuple[int, int | None, int | None]]:
        """passage id -> (document id, entry id, its concept as `concepts_of_passages` or
        None)."""
        ...

    def filler_passages(self, ids: Sequence[int]) -> set[int]:
        """The passages of `ids` that are a page's filler: they belong to no entry, in a
        document that has two entries or more, each with text of its own (so no entry of the
        page stands for them: an introduction, a list of papers, a code listing). A page of
        one entry is about that entry, all of it."""
        ...

    def entry_documents(self, ids: Iterable[int]) -> dict[int, int]: ...

    def entry_first_passages(self, ids: Iterable[int]) -> dict[int, int]: ...

    def redirect_entries(self, ids: Iterable[int]) -> set[int]: ...

    def title_only_links(
        self, ids: Sequence[int], documents: set[int] | None = None
    ) -> dict[int, set[int]]:
        """passage id -> the concepts its links lead to that have no text (no entry of theirs
        has a passage: a page holding only its title), with an entry in `documents` when
        given. A passage's links are those in its lines, and the related terms and "see also"
        list of its entry."""
        ...

    def document_first_passages(self, ids: Iterable[int]) -> dict[int, int]: ...

    def entry_passage_ids(self, entry_ids: Iterable[int], per_entry: int = 6) -> list[int]:
        """The first `per_entry` passages of each entry, in document order."""
        ...

    def following_passage_ids(self, passage_ids: Iterable[int]) -> dict[int, int]:
        """passage id -> the id of the next passage in the same document."""
        ...

    # -- names -----------------------------------------------------------------------------

    def name_rows(self) -> list[NameRow]:
        """Every term and alias of entries that are not redirects."""
        ...

    def entry_aliases(self, entry_ids: Iterable[int]) -> dict[int, list[str]]: ...

    def names_signature(self) -> tuple[int, int]:
        """Changes when entries are added or removed (a cache key for the name index)."""
        ...

    # -- lexical search --------------------------------------------------------------------

    def filtered_documents(self, filters: Filters) -> set[int]:
        """Ids of the documents that pass `filters`."""
        ...

    def fts_passages(
        self,
        query: TextQuery,
        limit: int,
        documents: set[int] | None = None,
        weights: tuple[float, float, float, float] = PASSAGE_WEIGHTS,
    ) -> list[Scored]:
        """Passages holding any word or phrase of `query`, best first; `weights` are those of
        the names, title, heading and body."""
        ...

    def fts_entries(
        self,
        query: TextQuery,
        limit: int,
        documents: set[int] | None = None,
        weights: tuple[float, float] = ENTRY_WEIGHTS,
    ) -> list[Scored]:
        """Entries whose names or definition hold any word or phrase of `query`."""
        ...

    def term_counts(self, terms: Sequence[str], cap: int) -> dict[str, int]:
        """term -> how many passages hold it (names, title, heading or text), counted no
        further than `cap`: cheap for a word found everywhere. An engine for which counting is
        dear may give its estimate instead for a word in very many passages (PostgreSQL)."""
        ...

    def index_stems(self, words: Sequence[str]) -> dict[str, str]:
        """word -> the term the lexical index files it under (the engine's stemmer: "splating"
        -> "splate"); a word the stemmer drops (a stop word) is left out."""
        ...

    def passages_holding(self, word: str, limit: int) -> list[int]:
        """Ids of up to `limit` passages that hold `word`, a term of the index (`index_terms`,
        not stemmed again), any of them (not ranked: cheap for a word in many passages)."""
        ...

    def index_terms(self, prefix: str) -> list[tuple[str, int]]:
        """The lexical index's terms (stems) that start with `prefix`, each with how many
        passages hold it, in term order: one range of the index's sorted vocabulary, never
        all of it (typo tolerance reads a few such ranges a query word)."""
        ...

    def index_term_ranges(self, prefixes: Sequence[str]) -> list[list[tuple[str, int]]]:
        """`index_terms` of each of `prefixes`, in their order, read at once (a typo in a
        word's second letter reads 52 ranges: one round trip to a server, not 52)."""
        ...

    def term_passage_counts(
        self, terms: Iterable[str], *, anywhere: bool = False
    ) -> dict[str, int]:
        """term -> how many passage bodies contain it (`anywhere`: or their names, title and
        headings); the engine's stemmer decides what matches."""
        ...

    def passages_matching(self, terms: Iterable[str], limit: int) -> list[int]:
        """Ids of the passages that best match any of `terms` (names and headings weighed
        up), whatever concept or document they belong to."""
        ...

    def passages_with_all(
        self, words: Sequence[str], limit: int, documents: set[int] | None = None
    ) -> list[int]:
        """Ids of up to `limit` passages that hold every one of `words` (as the engine's
        stemmer reads them; an engine may leave out words of one or two letters), best first
        by bm25: where a sentence typed in full may be."""
        ...

    def sections_headed(self, words: Sequence[str]) -> list[tuple[str, tuple[str, ...], int]]:
        """The sections whose heading path holds every one of `words` (as the engine's stemmer
        reads them): (file, heading path, the line of its first passage), one per heading path
        of a document. By the headings' words alone, never ranking the passages that hold the
        words anywhere (lint's "sections are about it", once per wanted page)."""
        ...

    # -- vectors ---------------------------------------------------------------------------

    def embed_units(self, model: str, *, only_missing: bool = True) -> list[EmbedUnit]: ...

    def known_vectors(self, hashes: Iterable[str]) -> set[str]: ...

    def save_vectors(
        self,
        model: str,
        blobs: Sequence[tuple[str, np.ndarray]],
        links: Sequence[tuple[str, int, str]],
        *,
        of_texts: bool = False,
    ) -> int:
        """Store new vectors (hash, vector) and point units (kind, id, hash) at them; how many
        units it pointed (fewer than `links` when some were deleted meanwhile). `of_texts`:
        each hash is sha256 of model and embedded text, and a unit whose id now holds another
        text is not pointed (SQLite uses the ids of removed rows again)."""
        ...

    def drop_orphan_vectors(self) -> int: ...

    def vectors_signature(self) -> tuple[int, ...]: ...

    def load_vectors(
        self, model: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(kinds 0=passage 1=entry, ids, document ids, entry ids or -1, matrix) for `model`."""
        ...

    def entry_vectors(self, model: str, entry_ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of `model` for these entries (those that have one), by entry id:
        lint compares two definitions of one term by them."""
        ...

    def nearest(
        self, model: str, vector: np.ndarray, k: int, documents: set[int] | None = None
    ) -> tuple[list[Scored], list[Scored]]:
        """The `k` passages and `k` entries nearest `vector` (cosine), within `documents`."""
        ...

    def vector_counts(self) -> tuple[int, int]:
        """(units with a vector, units in all)."""
        ...

    def index_vectors(self, model: str) -> None:
        """Bring whatever index of `model`'s vectors the store keeps outside the database up
        to date, once embedding has finished, so that the next search need not (SQLite: the
        vector index file of a large store; PostgreSQL keeps its index itself)."""
        ...

    def vector_rows(self) -> Iterator[VectorRow]:
        """Every stored vector with the unit it belongs to (for migration)."""
        ...

    # -- moving a whole store (grimoire migrate) ---------------------------------------------

    def dump(self, table: str) -> Iterator[tuple[Any, ...]]:
        """Every row of one of `records.TABLES`, its columns in that order, by key."""
        ...

    def load(self, table: str, rows: Iterable[Sequence[Any]]) -> None:
        """Add rows as `dump` gives them (ids kept) to an empty store, inside `transaction()`."""
        ...

    def finish_load(self) -> None:
        """After `load`: rebuild what the engine derives (lexical index, id counters)."""
        ...

    # -- concepts: resolve's input and output --------------------------------------------------

    def concepts_stale(self, fingerprint: str) -> bool: ...

    def resolving(self) -> AbstractContextManager[Any]:
        """One transaction from resolve's read to its write, in which no file is written."""
        ...

    def resolve_input(self) -> ResolveInput: ...

    def write_resolution(self, resolution: Resolution, fingerprint: str) -> None: ...

    # -- concepts: lookups ---------------------------------------------------------------------

    def concepts_named(self, norm: str) -> list[ConceptMatch]:
        """Every concept with this name, strongest first."""
        ...

    def concept_row(self, concept_id: int) -> ConceptRow | None: ...

    def concept_names_of(self, concept_id: int) -> list[ConceptName]: ...

    def concept_entries_of(self, concept_id: int) -> list[ConceptEntry]: ...

    def concept_passages(self, concept_id: int, limit: int = 12) -> list[tuple[int, str]]:
        """(passage id, text) of the passages in the concept's entries."""
        ...

    def opening_passages(self, entry_id: int, within: int = 40,
                         limit: int = 6) -> list[tuple[Span, str, str]]:
        """(span, text, kind) of the passages an entry's note opens with (its own, else those
        of no entry within `within` lines after its last)."""
        ...

    def file_passages(self, path: str) -> list[tuple[int, int, str, str]]:
        """(start line, end line, text, kind) of every passage of one file, in reading order."""
        ...

    def documents_titled(self, title: str, limit: int = 10) -> list[tuple[Span, list[str]]]:
        """Each document titled `title` (case aside): its lines and its concepts' labels."""
        ...

    def title_page_concepts(self, paths: Iterable[str]) -> dict[str, tuple[int, str]]:
        """path -> the concept of each of these PDFs' title page (the whole work's)."""
        ...

    def concept_sections_of(self, concept_id: int) -> list[Section]: ...

    def concept_merges_of(self, concept_id: int) -> list[Merge]: ...

    def concept_links(self, concept_id: int, *, incoming: bool) -> list[Mention]: ...

    def concept_summaries(self) -> list[ConceptSummary]: ...

    def multi_source_concepts(self) -> list[int]:
        """Ids of the concepts whose entries come from more than one file."""
        ...

    def unresolved_links(self, status: str = "wanted") -> list[LinkUse]: ...

    def label_places(self, label: str) -> list[Span]: ...

    def concept_name_list(self) -> list[tuple[str, str]]: ...

    def concept_names_from(self, low: str, high: str, shortest: int, longest: int,
                           limit: int) -> list[tuple[str, str, int]]: ...

    def concept_names_in(self, runs: Sequence[tuple[str, str]], shortest: int, longest: int,
                         limit: int) -> list[tuple[str, str, int]]: ...

    def concept_names_of_concepts(self, ids: Iterable[int]) -> list[tuple[str, str, int]]: ...

    def concept_edges(self, ids: Iterable[int]) -> list[ConceptEdge]: ...

    def concept_labels(self, ids: Iterable[int]) -> dict[int, tuple[str, str | None]]: ...

    def concept_label_of(self, ids: Iterable[int]) -> dict[int, str]: ...

    def entry_concepts(self) -> dict[int, int]: ...

    def concepts_of_entries(self, ids: Iterable[int]) -> dict[int, int]: ...

    def concepts_of_passages(self, ids: Iterable[int]) -> dict[int, int]: ...

    def concept_first_passages(self, ids: Iterable[int]) -> dict[int, int]: ...

    def concept_entry_ids(self, concept_ids: Iterable[int]) -> dict[int, list[int]]: ...

    def passage_concepts(self, passage_ids: Iterable[int]) -> dict[int, tuple[int, str]]: ...

    def concepts_by_name(self, norms: Iterable[str]) -> dict[str, list[int]]: ...

    def entries_by_concept_name(self, norm: str) -> list[tuple[int, int, int]]:
        """(entry id, document id, strength) of the non-redirect entries that gave a concept
        the normalised name `norm`: resolve's names, which hold what a term states besides
        itself (the "CNN" of "Convolutional Neural Networks (CNN)"). Empty before resolve."""
        ...
