"""The Python API: one `Grimoire` object over a store. The CLI is a thin layer over this."""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from grimoire import _api_args as args
from grimoire.errors import CorruptDatabase, GrimoireError, NotFound, StoreError, quoted
from grimoire.model import PAGE_REASONS, Answer, ConceptId, Hit, Span
from grimoire.names import normalize
from grimoire.resolve.overrides import load_overrides
from grimoire.search import EmbedReport, Searcher, embed_store
from grimoire.store import SourceRecord, Stats, Store, StoredEntry, open_store
from grimoire.store.base import DAMAGED, Reads

if TYPE_CHECKING:
    # Imported on use (cold start of a search): the graph, the background worker's modules.
    from grimoire import graph as graphs
    from grimoire._background import EmbedLock, VectorStatus
    from grimoire.duplicates import DuplicateOf
    from grimoire.embed import Embedder, EmbedProgress
    from grimoire.export import ExportReport
    from grimoire.export import Progress as ExportProgress
    from grimoire.ingest import IngestReport, Progress  # imported on use
    from grimoire.lint import LintReport  # lint pulls in datasketch/scipy: import on use
    from grimoire.llm import ChatModel
    from grimoire.readers.base import ReadOptions
    from grimoire.resolve import (
        Concept,
        ConceptSummary,
        DeadLink,
        Mention,
        ResolveReport,
        WantedPage,
    )
    from grimoire.showing import Said

_MATCHED = re.compile("«\\w")  # a word a snippet marks: the query's, found by the lexical index
# A letter or digit of any script: a query without one (`?!.`, `--`) has no word to search by,
# and its nearest in meaning are arbitrary passages (round 35).
_A_WORD = re.compile(r"[^\W_]")


def has_word(query: str) -> bool:
    """True when `query` holds a letter or a digit (of any script), something to search by."""
    return _A_WORD.search(query) is not None


P = ParamSpec("P")
R = TypeVar("R")


Method = Callable[Concatenate["Grimoire", P], R]


def _guarded(method: Method[P, R]) -> Method[P, R]:
    """Turn an error caused by a damaged database file into CorruptDatabase ("run check")."""

    def wrapper(self: Grimoire, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._closed:  # SQLite's "closed database" read as damage: "run `grimoire check`"
            raise StoreError("this knowledge base was closed (kb.close(), or the end of its "
                             "`with` block): open it again with grimoire.open()")
        calls = self._calls
        outermost = not getattr(calls, "depth", 0)
        if outermost:
            self._follow_file()
        calls.depth = getattr(calls, "depth", 0) + 1
        try:
            return method(self, *args, **kwargs)
        except GrimoireError:
            raise
        except Exception as e:
            damage = self.store.diagnose(e)
            if damage is None:
                raise
            raise damage from e
        finally:
            calls.depth -= 1

    return functools.update_wrapper(wrapper, method)  # type: ignore[return-value]


# Seconds the file check behind an empty result may take (it reads every page).
DAMAGE_CHECK_BUDGET = 1.0
STALE_NOTE = ("this database is read-only and its concepts were merged before its notes, a "
              "grimoire.toml or Grimoire itself last changed: names, merges and link statuses "
              "are as they were then; open it once where it can be written to bring them "
              "current")


class Grimoire:
    """A knowledge base in one store.

    >>> kb = grimoire.open("notes.db")
    >>> kb.ingest(["notes/"])
    >>> kb.entry("LoRA")[0].entry.span
    """

    def __init__(self, store: Store, embedder: Embedder | None = None) -> None:
        self.store = store
        self._embedder = embedder  # None: the bundled all-MiniLM-L6-v2, loaded on first use
        self._searcher: Searcher | None = None
        # The change counter at the last check that passed, by what it checked (`_not_damaged`)
        self._intact_at: dict[Reads | None, tuple[int, ...]] = {}
        self._roots: tuple[tuple[int, ...], list[str]] | None = None  # (change counter, roots)
        self._lint: tuple[tuple[int, ...], LintReport] | None = None  # (change counter, report)
        self._calls = threading.local()  # this thread's depth in the API's own calls
        self._closed = False
        # (change counter, concepts by a label two or more share)
        self._shared: tuple[tuple[int, ...], dict[str, list[ConceptSummary]]] | None = None
        self._short: tuple[tuple[int, ...], dict[str, str]] | None = None  # (counter, names)
        # What a caller should be told about the answers (`stale_note`), once per store
        self.notices: list[str] = []
        self._stale_seen: tuple[int, ...] | None = None

    def _follow_file(self) -> None:
        """Go over to the file now at the store's path when another was moved over it (a
        backup restored with `mv`; `grimoire rebuild` from a user this process's read-only
        connection did not hold back). This process read the old file for good (a `serve` or
        `mcp` showed the notes as they were), and what it wrote went into the old file's log,
        which the next opener replayed into the new file. Checked before each call (a stat);
        every cache of the old file goes with it."""
        fresh = self.store.reopen_if_replaced()
        if fresh is None:
            return
        self.store = fresh
        self._searcher = None
        self._intact_at = {}
        self._roots = None
        self._lint = None
        self._shared = None
        self._short = None

    @_guarded
    def ingest(
        self,
        paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        format: str | None = None,
        progress: Progress | None = None,
        options: ReadOptions | None = None,
        embed: bool = True,
        embed_progress: EmbedProgress | None = None,
        prune: bool = False,
        root: str | os.PathLike[str] | None = None,
        resolve: bool = True,
    ) -> IngestReport:
        """Read files and folders (one path or a list); unchanged skipped, vanished removed.

        A folder ingested before that is now missing or empty keeps its records (a notice in
        the report says so) unless `prune=True`. With `root`, `paths` are files or folders
        inside that ingested folder that changed (a watcher's batch); a missing one is removed.

        New and changed passages are then embedded for semantic search, unless `embed=False`
        (add the vectors later with `embed()`). With `resolve=False` the concepts are left
        for `refresh()` or the next call that reads them (as `grimoire ingest` leaves them to
        the background worker it starts).
        """
        from grimoire.ingest import DEFAULT_OPTIONS, ingest

        paths = args.paths(paths)
        if (name := args.optional_text(format, "format")) is not None:
            from grimoire import readers

            try:
                readers.by_name(name)
            except KeyError as e:
                raise ValueError(e.args[0]) from None
        report = ingest(self.store, paths, format=format, progress=progress,
                        options=DEFAULT_OPTIONS if options is None else options, prune=prune,
                        root=root)
        if not (report.added or report.updated or report.removed):
            self._not_damaged()  # damage inside a page can look like "unchanged"
        if resolve:
            self._fresh()
        if embed:
            self.embed(progress=embed_progress)
        return report

    @_guarded
    def embed(self, *, progress: EmbedProgress | None = None) -> EmbedReport:
        """Compute vectors for every passage and entry that has none yet (batched).

        If a background worker is embedding this store, waits for it, then embeds what is left.
        """
        from grimoire._background import EmbedLock

        with EmbedLock(self.store.url).held():
            return embed_store(self.store, self.searcher.embedder, progress=progress)

    @_guarded
    def embed_worker(self, lock: EmbedLock | None = None) -> EmbedReport | None:
        """Embed as the store's one background worker; None when another worker is running.

        `lock` is the lock `spawn` took and handed over, if any. Before it stops, the worker
        looks again for units without a vector (stored by an ingest that ran meanwhile and
        found this worker running) and embeds them too.
        """
        from grimoire._background import EmbedLock

        lock = lock or EmbedLock(self.store.url)
        embedded = reused = 0
        report: EmbedReport | None = None
        while lock.acquire(wait=False):
            try:
                report = embed_store(self.store, self.searcher.embedder)
            finally:
                lock.release()
            embedded += report.embedded
            reused += report.reused
            status = self.vector_status()
            if status.missing == 0 or not (report.embedded or report.reused):
                break
        if report is None:
            return None
        return EmbedReport(embedded=embedded, reused=reused, total=report.total,
                           model=report.model)

    def embed_in_background(self) -> int:
        """Start a detached worker that embeds this store (see `grimoire._background`); its pid.

        Search works meanwhile, on the vectors that exist; `vector_status()` tells the progress.
        """
        from grimoire._background import spawn
        from grimoire.embed import MiniLM, OpenAIEmbeddings

        embedder = self._embedder
        dsn = getattr(self.store, "_dsn", None)  # a server's URL as given: user, password
        if embedder is None or (isinstance(embedder, MiniLM) and embedder.is_default):
            return spawn(self.store.url, dsn=dsn)
        if isinstance(embedder, OpenAIEmbeddings):
            return spawn(self.store.url, dsn=dsn, embed_url=embedder.url,
                         embed_model=embedder.model, api_key=embedder.api_key)
        raise GrimoireError("this embedder cannot run in a background worker; call embed()")

    @_guarded
    def vector_status(self) -> VectorStatus:
        """How many passages and entries have a vector, of how many; the worker's pid if any."""
        from grimoire._background import EmbedLock, VectorStatus

        have, total = self.store.vector_counts()
        return VectorStatus(have=have, total=total, worker=EmbedLock(self.store.url).holder())

    @property
    def searcher(self) -> Searcher:
        """The search engine over this store (keeps vectors in memory between queries)."""
        if self._searcher is None:
            self._searcher = Searcher(self.store, self._embedder,
                                      unreadable=lambda: self._not_damaged("search"))
        return self._searcher

    @_guarded
    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        source: str | None = None,
        format: str | None = None,
        tag: str | None = None,
    ) -> list[Hit]:
        """The best `k` hits for `query`, one per concept; `mode` is lexical|semantic|hybrid.

        >>> kb.search("kl div")[0].concept
        'KL divergence'
        """
        query = args.query(query, "query")
        args.count(k, "k", 1)
        args.text(mode, "mode")
        source = args.source_filter(source)
        format, tag = args.value_filter(format, "format"), args.value_filter(tag, "tag")
        if not has_word(query):  # `?!.`: say so (`search_notice`), not five arbitrary passages
            return []
        self.searcher.prepare(mode)  # the model loads while concepts are brought current
        self._fresh()  # results are grouped by concept, so concepts must be current
        hits = self.searcher.search(query, k=k, mode=mode, source=source, format=format, tag=tag,
                                    fold_copies=True)
        if not hits:
            self._not_damaged("search")  # damage inside a page can look like "no results"
        return self._in_works(hits)

    def _in_works(self, hits: list[Hit]) -> list[Hit]:
        """A hit on a later page of a PDF whose title page is a concept names that concept:
        the PDF is one work, which its title page's concept stands for. Its title opens the
        concept, as the title page's hit does, and its place (`paper.pdf:4`) that page of
        the source. (Round 39: the page's hit named no concept, and its title, the same words
        as the title page's hit above it, opened the source instead.) Ranking is unchanged:
        each page stays a hit of its own."""
        loose = {h.span.path for h in hits if h.concept_id is None and h.format == "pdf"}
        if not loose:
            return hits
        works = self.store.title_page_concepts(loose)
        return [replace(h, concept=works[h.span.path][1],
                        concept_id=ConceptId(str(works[h.span.path][0])))
                if h.concept_id is None and h.span.path in works else h for h in hits]

    def search_notice(self, query: str, hits: Sequence[Hit], mode: str = "hybrid", *,
                      source: str | None = None, format: str | None = None,
                      tag: str | None = None, k: int | None = None,
                      filters_offered: bool = True) -> dict[str, object] | None:
        """What every face says beside the `hits` of `search(query, mode=mode, k=k, ...)`, as one
        record (`serialize.search_notice`): the query has no word at all, only punctuation or
        symbols, so nothing was searched (`no_word`); no word of the query is in the notes, so
        the hits are only its nearest in meaning (`nothing_matched`); or no note passes the
        filters (`filters_problem`); or words of the query are in no note and near words that
        are were searched instead (`searched_for`: "showing results for gaussian splatting");
        or fewer hits than `k` because the search ranks only its lists' best candidates
        (`cut`: `-k 1000 learning` gave 78 and said nothing of why); or None.
        `filters_offered`: False from a face whose search takes no filter (MCP's tool), so
        the cut notice does not suggest one.

        >>> kb.search_notice("qwzx vvbnm", kb.search("qwzx vvbnm"))["nothing_matched"]
        True
        """
        from grimoire import serialize

        # The filters as `search` took them (a NUL dropped, a lone surrogate as `\\xNN`): the
        # cut is kept under those (round 46: `source="notes\\x00"` lost its cut notice).
        taken = (args.source_filter(source), args.value_filter(format, "format"),
                 args.value_filter(tag, "tag"))
        source, format, tag = (value or None for value in taken)
        if not query.strip():
            return None
        if not has_word(query):
            return serialize.search_notice(no_word=True)
        if not hits:
            if not (source or format or tag):
                return None
            return serialize.search_notice(
                filters=self.filters_problem(source=source, format=format, tag=tag))
        searched_for = self.searcher.searched_for(query, mode)
        cut = (len(hits), k, mode) if k is not None and len(hits) < k and self.searcher.cut(
            query, mode, *taken) else None
        if mode == "lexical":
            return serialize.search_notice(searched_for=searched_for, cut=cut,
                                           filters_offered=filters_offered)
        return serialize.search_notice(
            self.nothing_matched(query, hits, source=source, format=format, tag=tag),
            searched_for=searched_for, cut=cut, filters_offered=filters_offered)

    @_guarded
    def nothing_matched(self, query: str, hits: Sequence[Hit] = (), *,
                        source: str | None = None, format: str | None = None,
                        tag: str | None = None) -> bool:
        """True when no note holds a word of `query`, nor a name close to one: the hits a
        hybrid or semantic search gives it are only the nearest in meaning. `hits` (from
        `search`) spare the check when one of them marks a matched word.

        >>> kb.nothing_matched("qwzx vvbnm")
        True
        """
        if any(_MATCHED.search(h.snippet) for h in hits):
            return False
        return not self.search(query, k=1, mode="lexical", source=source, format=format,
                               tag=tag)

    @_guarded
    def filters_problem(self, source: str | None = None, format: str | None = None,
                        tag: str | None = None) -> str | None:
        """Why a search with these filters can find nothing whatever its query, or None: a
        filter no note passes (a format no note is read as, a path nothing was ingested
        under, a tag no note has) said with what would pass, as `search` gives only `[]`.

        >>> kb.filters_problem(format="pdf")
        "no note is read as 'pdf'; the formats here: markdown, obsidian"
        """
        from grimoire.store.records import Filters

        source = args.source_filter(source)
        format, tag = args.value_filter(format, "format"), args.value_filter(tag, "tag")
        passes = self.store.filtered_documents
        if format is not None and not passes(Filters(format=format)):
            formats = ", ".join(sorted(self.stats().by_format)) or "none yet"
            return f"no note is read as {format!r}; the formats here: {formats}"
        if source is not None and not passes(Filters(source=source)):
            roots = self._source_roots()
            shown = ", ".join(roots[:5]) + (f" and {len(roots) - 5} more" if len(roots) > 5
                                             else "")
            return (f"nothing ingested is {source} or under it (a file or folder, as "
                    f"ingested: {shown or 'nothing yet'})")
        if tag is not None and not passes(Filters(tag=tag)):
            return f"no note has the tag {tag!r}"
        if not passes(Filters(source=source, format=format, tag=tag)):
            return "no note passes these filters together"
        return None

    @_guarded
    def ask(
        self,
        question: str,
        llm: str | ChatModel | None = None,
        model: str | None = None,
        k: int = 8,
        *,
        api_key: str | None = None,
        on_text: Callable[[str], None] | None = None,
        llm_deadline: float | None = None,
    ) -> Answer:
        """Answer from the notes with numbered citations to file and line, or abstain.

        Extractive by default; `llm` is an OpenAI-compatible URL (with `model`), a .gguf path,
        or a ChatModel, which then writes the answer over the same passages. `llm_deadline`
        bounds a server's whole reply in seconds (default `grimoire.llm.DEFAULT_DEADLINE`).

        >>> kb.ask("what does LoRA replace an N x M weight update with?").citations[0].span
        """
        from grimoire.ask import ask

        question = args.query(question, "question")
        args.count(k, "k", 1)
        self._fresh()
        chat: ChatModel | None = llm if not isinstance(llm, str) else None
        if isinstance(llm, str):
            # only here: grimoire.llm imports urllib.request (http.client, email), ~60 ms of
            # an extractive `ask`'s start (issue 14)
            from grimoire.llm import DEFAULT_DEADLINE, open_llm

            deadline = DEFAULT_DEADLINE if llm_deadline is None else llm_deadline
            chat = open_llm(llm, model, api_key=api_key, deadline=deadline)
        answer = ask(self.searcher, question, k=k, llm=chat, on_text=on_text)
        if answer.abstained:
            # Damage inside a page can look like "not covered": an answer reads what a
            # search does.
            self._not_damaged("search")
        return answer

    def _not_damaged(self, reads: Reads | None = None) -> None:
        # The quick check reads every page (about 1 s at 100k passages, 16 s at 1M on a busy
        # machine), or with `reads` the tables that kind of read looks in (a search's: 0.3 s
        # at 100k, all but the passages in 1 s at 1M). It gets DAMAGE_CHECK_BUDGET
        # seconds, and once it has passed it runs again only after a write to the store, not
        # on every empty result. `grimoire check` reads a large store in full.
        counter = self.store.change_counter()
        if self._intact_at.get(reads) == counter or self._intact_at.get(None) == counter:
            return
        if self.store.damaged(budget=DAMAGE_CHECK_BUDGET, reads=reads):
            raise CorruptDatabase(DAMAGED, self.store.url)
        self._intact_at[reads] = counter

    @_guarded
    def entries(self) -> list[StoredEntry]:
        """Every entry, A-Z by normalised term."""
        return list(self.store.entries())

    @_guarded
    def redirect_labels(self, entries: Sequence[StoredEntry]) -> dict[int, str]:
        """entry id -> the label of the concept a redirect among `entries` resolved into:
        a Jekyll page's `destination: backpropagation` (a slug) reads "Backpropagation"."""
        self._fresh()
        of = self.store.concepts_of_entries(e.id for e in entries if e.entry.redirect)
        labels = self.store.concept_label_of(of.values())
        return {e: labels[c] for e, c in of.items() if c in labels}

    @_guarded
    def redirects_joined(self, entries: Sequence[StoredEntry]) -> set[int]:
        """The ids of the redirects among `entries` that joined another source's entry of
        their own name instead of their target (`resolve.merge.attach_redirects`: the vault's
        "imputation: short form of value imputation" beside a glossary's "Imputation"). Such
        a page is an entry of that concept, which `show` of its name opens, not a name of its
        target: `list` printed "imputation → value imputation" (round 38)."""
        self._fresh()
        of = self.store.concepts_of_entries(e.id for e in entries if e.entry.redirect)
        labels = self.store.concept_label_of(of.values())
        joined: set[int] = set()
        for concept in set(of.values()):
            rows = self.store.concept_entries_of(concept)
            if len(rows) > 1:
                # Labelled by the redirect's own name: a page "GAN" that joined the
                # cheatsheet's "GAN" in "Generative Adversarial Network (GAN)" did reach its
                # target, and `list` says so.
                joined |= {r.stored.id for r in rows if r.role != "redirect"
                           and r.stored.entry.redirect and of.get(r.stored.id) == concept
                           and normalize(labels.get(concept, "")) == normalize(
                               r.stored.entry.term)}
        return joined

    @_guarded
    def entry(self, name: str) -> list[StoredEntry]:
        """The entries whose term or alias is `name` (case, hyphens, plurals ignored).

        Raises NotFound with the nearest names as suggestions.
        """
        found = self.store.entries_named(normalize(args.text(name, "name")))
        if not found:
            raise NotFound(f"no entry named {quoted(name)}", suggestions=self.suggest(name))
        return found

    @_guarded
    def suggest(self, name: str, limit: int = 5) -> tuple[str, ...]:
        """The known names nearest to `name`, for "did you mean" and the web search box's
        offers while a word is typed ("lor" -> "LoRA"): `suggest_concepts`, found through
        the indexes on names (every entry name was read and scored per keystroke, issue 14);
        `name` itself first when it is a name."""
        self._fresh()
        from grimoire.resolve import view

        return view.offers(self.store, name, limit)

    # -- concepts (resolve) -------------------------------------------------------------------

    @_guarded
    def resolve(self) -> ResolveReport:
        """Merge entries into concepts and resolve every link again, whatever changed."""
        from grimoire.resolve import resolve

        return resolve(self.store, load_overrides(self.store.source_roots()))

    @_guarded
    def refresh(self) -> ResolveReport | None:
        """Bring the concepts current when files or a grimoire.toml changed since the last
        resolve (what every call that reads concepts does first); None when they were."""
        return self._fresh()

    def _fresh(self) -> ResolveReport | None:
        """Resolve when files or a grimoire.toml changed since the last resolve."""
        if self.store.read_only:
            # A grimoire.toml edited beside a read-only store: its concepts as last resolved.
            # The resolve's write failed every search, show and ask ("it can be searched").
            # Said once: its link statuses, names and merges may be an older Grimoire's.
            self._note_stale()
            return None
        overrides = load_overrides(self._source_roots())
        if self.store.concepts_stale(overrides.fingerprint):
            from grimoire.resolve import refresh

            return refresh(self.store, overrides)
        return None

    def _note_stale(self) -> None:
        """Add `STALE_NOTE` to `notices` when a read-only store's concepts were merged by
        other rules than these (an older Grimoire, files or a grimoire.toml changed since)."""
        counter = self.store.change_counter()
        if self._stale_seen == counter:
            return
        self._stale_seen = counter
        if self.store.concepts_stale(load_overrides(self._source_roots()).fingerprint) \
                and STALE_NOTE not in self.notices:
            self.notices.append(STALE_NOTE)

    def _source_roots(self) -> list[str]:
        """The store's ingested folders, asked again only after a write (every search looks
        for their grimoire.toml: the folders' query took 1 ms of a 15 ms search at 100k)."""
        counter = self.store.change_counter()
        if self._roots is None or self._roots[0] != counter:
            self._roots = (counter, self.store.source_roots())
        return self._roots[1]

    @_guarded
    def concept(self, name: str, *, concept_id: str | None = None) -> Concept:
        """One concept by any of its names: what each source says, names, links both ways.
        `concept_id` (a Hit's or a summary's) picks the concept it names when that concept
        is called `name` too: two concepts may share a label (`Linear` the activation
        function and `Linear` the glossary term), and the name alone finds only one.

        Raises NotFound with "did you mean" suggestions.

        >>> [e.entry.span.path for e in kb.concept("lora").entries]
        """
        self._fresh()
        from grimoire.resolve import view

        return view.load_concept(self.store, view.find_concept(self.store, name, concept_id))

    @_guarded
    def said(self, concept: Concept) -> list[Said]:
        """What `concept` says, as every face shows it, each with its file and lines: each
        entry's definition, or for an entry with neither a definition nor a redirect the
        opening words of its note, from the passages ingest read (a page named by its title,
        `Dropout.md`, keeps its text in its passages: its entry has no definition of its own),
        then each page section's text. An entry whose note holds no words gives none.

        >>> [(s.kind, s.span.start_line) for s in kb.said(kb.concept("Dropout"))]
        [('opening', 1)]
        """
        from grimoire.showing import Said, opening

        out: list[Said] = []
        for stored in concept.entries:
            e = stored.entry
            if e.definition.strip():
                out.append(Said(e.definition, e.span, "definition", stored.id))
            elif not e.redirect:
                found = opening(self._opening_passages(stored.id, e.span,
                                                       e.reason in PAGE_REASONS), e.term)
                if found is not None:
                    out.append(Said(found.text, found.span, "opening", stored.id))
        out += [Said(s.text, s.span, "section") for s in concept.sections if s.text.strip()]
        return out

    def _opening_passages(self, entry_id: int, span: Span, page: bool, within: int = 40,
                          limit: int = 6) -> list[tuple[Span, str, str]]:
        """The passages an entry's note opens with: its own (`Store.opening_passages`), else
        for a `page` (an entry named by its note's title) the note's first passages from the
        entry's line on, whichever entry they are of. The store's rule takes only passages
        of no entry after one with none of its own, so a title whose every section is an
        entry quoted the first passage no section held, from the middle of the file (a
        lecture's title: its third section, round 49), or nothing (a Markdown page of `##`
        terms). A term with no words in a glossary keeps the store's rule: the next terms'
        definitions are no opening of its own."""
        found = self.store.opening_passages(entry_id, within, limit)
        if not page or (found and found[0][0].start_line <= span.end_line):
            return found  # its own passages come first
        return [(Span(span.path, start, end), text, kind)
                for start, end, text, kind in self.store.file_passages(span.path)
                if span.start_line <= start <= span.end_line + within][:limit]

    def preview(self, concept: Concept) -> Said | None:
        """The one text to show for `concept` (a hover preview, a search's card, an MCP
        result): its first definition, else its first page section's text, else the opening
        words of its first note that has some (`said`); None when nothing says anything.

        >>> kb.preview(kb.concept("Dropout")).text
        'Dropout is a regularization technique ...'
        """
        from grimoire.showing import preview

        return preview(self.said(concept))

    @_guarded
    def choices(self, error: NotFound) -> list[tuple[str, str, Span | None]]:
        """The concepts a name that asked "which" belongs to: (label, id, where its first entry
        is written). A split in `grimoire.toml` leaves two concepts of one label, told apart by
        their ids and by where each is written. Every face lists them so."""
        self._fresh()
        from grimoire.resolve import view

        out: list[tuple[str, str, Span | None]] = []
        for label, concept_id in error.choices:
            try:
                found = view.find_concept(self.store, label, concept_id)
            except NotFound:
                out.append((label, concept_id, None))
                continue
            out.append((label, concept_id, view.first_entry_span(self.store, found)))
        return out

    @_guarded
    def namesakes(self, concept: Concept) -> list[ConceptSummary]:
        """The other concepts labelled as `concept` is (`Linear` the glossary term and `Linear`
        the activation function; `Latent Variable` and `Latent Variable Model`), so that a
        page can point at them: the name opens only one. Kept until the store changes."""
        self._fresh()
        counter = self.store.change_counter()
        if self._shared is None or self._shared[0] != counter:
            from grimoire.resolve import view

            by_label: dict[str, list[ConceptSummary]] = {}
            for c in view.summaries(self.store):
                by_label.setdefault(normalize(c.label), []).append(c)
            self._shared = (counter, {k: cs for k, cs in by_label.items() if len(cs) > 1})
        return [c for c in self._shared[1].get(normalize(concept.label), [])
                if c.id != concept.id]

    @_guarded
    def near_duplicates(self, name: str, threshold: float = 0.7, *,
                        concept_id: str | None = None) -> list[DuplicateOf]:
        """Passages anywhere that nearly repeat one of the concept's entries (copied text).
        `concept_id` picks one of several concepts called `name`, as in `concept`.

        Candidates come from the full-text index (each passage's rarest words), so the cost
        does not grow with the store; the shingles' Jaccard decides.
        """
        from grimoire.duplicates import DuplicateOf, jaccard, probe_query
        from grimoire.resolve import view

        self._fresh()
        concept_id = view.find_concept(self.store, name, concept_id or None)
        found: dict[tuple[int, int], DuplicateOf] = {}
        for pid, text in self.store.concept_passages(int(concept_id)):
            match = probe_query(text)
            if match is None:
                continue
            others = [o.id for o in self.store.fts_passages(match, 30) if o.id != pid]
            spans = self.store.passage_spans([pid, *others])
            for other in others:
                similarity = jaccard(text, spans[other][1])
                if similarity >= threshold and (other, pid) not in found:
                    found[(pid, other)] = DuplicateOf(spans[pid][0], spans[other][0],
                                                      round(similarity, 3))
        return sorted(found.values(), key=lambda d: -d.similarity)

    @_guarded
    def concepts(self) -> list[ConceptSummary]:
        """Every concept, A-Z, with how many entries and sources it has."""
        self._fresh()
        from grimoire.resolve import view

        return view.summaries(self.store)

    @_guarded
    def backlinks(self, name: str) -> list[Mention]:
        """Every link to the concept called `name`, by any of its names."""
        return list(self.concept(name).backlinks)

    @_guarded
    def wanted(self, *, suggestions: bool = True) -> list[WantedPage]:
        """Names that links want but no entry defines, most wanted first; not a link that
        names a part of a page (`[[Source]]`, `[[See here]]`: lint's dead links)."""
        self._fresh()
        from grimoire.resolve import view

        return view.wanted_pages(self.store, suggestions=suggestions)

    @_guarded
    def wanted_page(self, name: str) -> WantedPage | None:
        """The page `name` that links want and no entry defines, with every place that wants
        it; None when no link wants it (what a red link opens)."""
        norm = normalize(name)
        return next((p for p in self.wanted(suggestions=False)
                     if p.norm == norm or norm in map(normalize, p.spellings)), None)

    @_guarded
    def dead_links(self, *, suggestions: bool = True) -> list[DeadLink]:
        """Every link that leads to no concept (or to two), with "did you mean"."""
        self._fresh()
        from grimoire.resolve import view

        return view.dead_links(self.store, suggestions=suggestions)

    @_guarded
    def multi_source(self) -> list[Concept]:
        """Concepts with entries from more than one file (to compare what each says)."""
        self._fresh()
        from grimoire.resolve import view

        return [view.load_concept(self.store, ConceptId(str(cid)))
                for cid in self.store.multi_source_concepts()]

    @_guarded
    def lint(self, groups: Collection[str] = ()) -> LintReport:
        """What a careful editor would fix, grouped; `report.clean` when there is nothing.
        Kept until the store changes: a server's /health page and an assistant's `lint` tool
        ask again and again (3-4 s each on a 2,300-passage store). Given `groups`, a report
        without the near-duplicate check (datasketch, scipy, numpy: 0.4-0.6 s to import) or
        the vectors' say in conflicts (the embedder's module, numpy) when those groups are not
        among them, and not kept: the groups asked for are the whole report's (issue 14)."""
        from grimoire.lint import concept_findings, lint, sections_about

        self._fresh()  # a resolve writes: the counter below is the one after it
        counter = self.store.change_counter()
        if self._lint is not None and self._lint[0] == counter:
            return self._lint[1]
        from grimoire.resolve import view

        wanted = view.wanted_pages(self.store, include_parts=True)  # and links to no page
        duplicates = not groups or "near-duplicate" in groups
        conflicts = not groups or "conflict" in groups
        extra = concept_findings(wanted, self.dead_links(), self.multi_source(),
                                 uses=self.store.unresolved_links("wanted"),
                                 label_places=self.store.label_places,
                                 discussed=lambda page: sections_about(self.store, page),
                                 vectors=(lambda ids: self.store.entry_vectors(
                                     self.searcher.embedder.name, ids))
                                 if conflicts and self.store.vector_counts()[0] else None)
        report = lint(self.store, extra, duplicates=duplicates)
        if duplicates and conflicts:
            self._lint = (counter, report)  # a write during it: the next call reads again
        return report

    @_guarded
    def suggest_concepts(self, name: str, limit: int = 5) -> tuple[str, ...]:
        """Concept names and aliases nearest to `name`, for "did you mean"."""
        self._fresh()
        from grimoire.resolve import view

        return view.nearest(self.store, name, limit)

    @_guarded
    def graph(self, name: str, depth: int = 1, limit: int = 500, *,
              concept_id: str | None = None) -> graphs.Graph:
        """The concepts within `depth` links of `name` (of the concept `concept_id` among
        several so called, as in `concept`), and the links among them.

        >>> print(kb.graph("LoRA", depth=2).to_dot())
        """
        from grimoire import graph as graphs
        from grimoire.resolve import view

        args.count(depth, "depth", 0)
        args.count(limit, "limit", 1)
        self._fresh()

        centre = view.find_concept(self.store, name, concept_id or None)
        return graphs.neighbourhood(self.store, centre, depth, limit)

    @_guarded
    def whole_graph(self, limit: int = 2000) -> graphs.Graph | None:
        """Every concept and every link among them; None past `limit` concepts (too many
        to draw)."""
        from grimoire import graph as graphs

        args.count(limit, "limit", 1)
        self._fresh()
        concepts = self.concepts()
        if len(concepts) > limit:
            return None
        return graphs.whole(self.store, (int(c.id) for c in concepts))

    @_guarded
    def path(self, start: str, goal: str, max_depth: int = 6) -> list[str] | None:
        """Labels of the shortest chain of links between two concepts, or None."""
        from grimoire import graph as graphs
        from grimoire.resolve import view

        args.count(max_depth, "max_depth", 0)
        self._fresh()

        a = view.find_concept(self.store, start)
        b = view.find_concept(self.store, goal)
        ids = graphs.shortest_path(self.store, a, b, max_depth)
        if ids is None:
            return None
        labels = self.store.concept_labels(int(i) for i in ids)
        return [labels[int(i)][0] for i in ids]

    @_guarded
    def export(self, format: str, path: str | os.PathLike[str], *, force: bool = False,
               progress: ExportProgress | None = None) -> ExportReport:
        """Write every concept to `path` as `format`: jsonl, skos, anki or tbx (a file), or
        site (a folder); see `grimoire.export`. An existing `path` is replaced only with
        `force`. `progress(done, total)` is called per concept.

        >>> kb.export("jsonl", "notes.jsonl").concepts
        """
        from grimoire import export
        from grimoire.resolve import view

        try:
            exporter = export.by_name(args.text(format, "format"))
        except KeyError as e:
            raise ValueError(e.args[0]) from None
        self._fresh()
        ids = [s.id for s in view.summaries(self.store)]
        concepts = (view.load_concept(self.store, cid) for cid in ids)
        from grimoire.store import POSTGRES_SCHEMES

        keep = ([] if self.store.url.startswith(POSTGRES_SCHEMES) else
                [Path(self.store.url + side) for side in ("", "-wal", "-shm", "-journal")])
        line = said = None
        if exporter.quotes_notes:
            # The notes as every face reads them: only files the store read well, inside
            # their ingested folder, cached, and never past the size cap.
            from grimoire.showing import NoteFiles

            line = NoteFiles(self.sources, ttl=float("inf"),
                             passages=self.source_passages).line
            said = self.said
        # Notes named inside their ingested folders, as a shared file should name them.
        names = export.note_names((r.path, r.root or r.path) for r in self.store.sources())
        return export.write_export(exporter, concepts, len(ids), Path(path), force=force,
                                   progress=progress, keep=keep, line=line, said=said,
                                   names=names)

    @_guarded
    def stats(self) -> Stats:
        """Counts of sources, documents, passages, entries and links, by format."""
        return self.store.stats()

    @_guarded
    def sources(self, *, failed: bool = False) -> list[SourceRecord]:
        """Every file seen, with its format and status; `failed=True` keeps only failures."""
        return self.store.sources(failed=failed)

    @_guarded
    def documents_titled(self, title: str) -> list[tuple[Span, list[str]]]:
        """The documents whose title is `title` (letter case aside), each with the lines it
        spans and the labels of the concepts it holds: a search hit's `title` that names no
        concept ("Glossary", a page of 40 entries) opens so on every face (round 38)."""
        self._fresh()
        return self.store.documents_titled(title)

    @_guarded
    def source_passages(self, path: str) -> list[tuple[int, int, str, str]]:
        """(start line, end line, text, kind) of every passage read from the file at `path`,
        in reading order: what a face shows as the source of a binary file (a PDF's "lines"
        are its pages), whose bytes are no text to show."""
        return self.store.file_passages(path)

    @_guarded
    def short_path(self, path: str) -> str:
        """How a page names an ingested file: its name, with as many of its folders as tell it
        from another ingested file of that name (`08-pytorch/README.md` beside
        `07-xgboost/README.md`). Kept until the store changes."""
        counter = self.store.change_counter()
        if self._short is None or self._short[0] != counter:
            self._short = (counter, _distinct_tails([r.path for r in self.store.sources()]))
        return self._short[1].get(path) or Path(path).name

    def close(self) -> None:
        """Close the store."""
        self._closed = True
        self.store.close()

    def __enter__(self) -> Grimoire:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open(
    url: str | os.PathLike[str] = "grimoire.db",
    *,
    embedder: Embedder | None = None,
    create: bool = True,
) -> Grimoire:
    """Open (or create) a knowledge base: a SQLite file path or a database URL.

    With `create=False` a knowledge base that does not exist is a StoreError (read-only uses).

    `embedder` replaces the bundled model, e.g. `OpenAIEmbeddings("http://127.0.0.1:8080/v1",
    "nomic-embed-text")`; vectors are kept per model, so switching recomputes them.
    """
    return Grimoire(open_store(os.fspath(url), create=create), embedder)


def _distinct_tails(paths: Sequence[str]) -> dict[str, str]:
    """path -> its shortest ending of whole folders that no other path of `paths` ends with:
    twenty folders' `README.md` on the Health page were twenty "README.md:26" (round 31)."""
    parts = {p: p.replace("\\", "/").split("/") for p in dict.fromkeys(paths)}
    out: dict[str, str] = {}
    depth = 1
    todo = list(parts)
    while todo:
        tails: dict[tuple[str, ...], list[str]] = {}
        for p in todo:
            tails.setdefault(tuple(parts[p][-depth:]), []).append(p)
        todo = []
        for tail, owners in tails.items():
            if len(owners) == 1 or all(len(parts[p]) <= depth for p in owners):
                out.update((p, "/".join(tail)) for p in owners)
            else:
                todo.extend(owners)
        depth += 1
    return out
