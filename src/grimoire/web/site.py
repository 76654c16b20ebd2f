"""What each page shows, gathered from the Python API (never from the store directly).

One `Site` per server. The SQLite connection is shared, so calls into the knowledge base are
serialised by one lock; pages only format what the API returns.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from grimoire import serialize
from grimoire.errors import GrimoireError, NotFound
from grimoire.graph import Graph
from grimoire.knowledge import Grimoire
from grimoire.model import Answer, Hit, Span
from grimoire.names import normalize
from grimoire.resolve import Concept, ConceptSummary, Mention, WantedPage
from grimoire.showing import Said, as_written, plain, told_apart, whole_formulas
from grimoire.web import layout
from grimoire.web.render import Renderer, concept_href, math_text
from grimoire.web.sources import SourceFiles

WHOLE_GRAPH_LIMIT = 2000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Settings:
    """How the server was started."""

    sanitize: bool = True
    llm: str | None = None
    llm_model: str | None = None
    llm_key: str | None = None


@dataclass(slots=True)
class Home:
    """The front page: counts, recent concepts, A-Z, most wanted."""

    counts: dict[str, int]
    recent: list[str]
    letters: dict[str, list[ConceptSummary]]
    wanted: list[WantedPage]
    concepts: int = 0
    shared: frozenset[str] = frozenset()  # labels of two concepts or more: shown with kinds


@dataclass(slots=True)
class GraphView:
    """A graph with server-computed positions."""

    graph: Graph
    positions: layout.Positions
    centre: str | None = None
    depth: int = 1
    whole: bool = False
    truncated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return serialize.graph_view(self.graph, self.centre, self.depth, whole=self.whole,
                                    truncated=self.truncated, positions=self.positions)


@dataclass(frozen=True, slots=True)
class NoteNamed:
    """A note whose file has the name a page was asked for, and the terms it defines."""

    span: Span  # its first line, to open it
    terms: list[str]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One line of the search box's type-ahead: where it leads and what it shows."""

    label: str
    context: tuple[str, ...]  # a passage's headings, when it is not the concept itself
    snippet: str
    href: str


def suggestions(hits: list[Hit]) -> list[Suggestion]:
    """`hits` as type-ahead lines, one per destination: a page that is a concept and its own
    passages gave identical lines. Concepts that share a label each say their file."""
    from grimoire.web.app import source_href

    ids: dict[str, set[str | None]] = {}
    for h in hits:
        if h.concept:
            ids.setdefault(h.concept.casefold(), set()).add(h.concept_id)
    out: list[Suggestion] = []
    seen: set[str] = set()
    for h in hits:
        label = h.concept or h.title or Path(h.span.path).name
        context: tuple[str, ...]
        if h.concept:
            shared = len(ids[h.concept.casefold()]) > 1
            context = (Path(h.span.path).name,) if shared else ()
            href = concept_href(h.concept, h.concept_id)
        else:
            context = tuple(p for p in h.heading_path if p != label)
            href = source_href(h.span)
        shown = "\n".join((label, *context)).casefold()
        if href in seen or shown in seen:
            continue
        seen.update((href, shown))
        out.append(Suggestion(label, context, h.snippet, href))
    return out


# Why an answer under way ends as the server stops (`Site.stop_streams`)
STOPPED = "The answer stopped here: Grimoire is shutting down. Ask again once it runs again."


class Stopping(GrimoireError):  # noqa: N818 - a state, as errors.CorruptDatabase
    """An answer asked of a server that is stopping: not the client's fault, so the pages and
    the API answer 503 (a GrimoireError's 400 said the question was wrong; faces55)."""

    def __init__(self) -> None:
        super().__init__(STOPPED)


class Site:
    """The knowledge base as the web pages need it."""

    def __init__(self, kb: Grimoire, settings: Settings | None = None) -> None:
        self.kb = kb
        self.settings = settings or Settings()
        self.lock = threading.Lock()
        self.files = SourceFiles(kb, self.lock)
        self.renderer = Renderer(sanitize=self.settings.sanitize)
        self._layouts: dict[tuple[Any, ...], layout.Positions] = {}
        self._checks = 0  # lints under way or waiting for the store (`health`)
        self._checked: tuple[int, int] = (0, 0)  # the passages and entries the first reads
        self._checks_lock = threading.Lock()
        # Each streamed answer under way, by what ends it (`stop_streams`)
        self.streams: set[Callable[[], None]] = set()
        self.stopping = False

    def stop_streams(self) -> None:
        """End every streamed answer under way, and any asked from now on, with the words
        sent so far and an event saying why: the server is stopping (`serve`'s SIGTERM or
        Ctrl-C), and uvicorn waited for a long answer to be written to the end (review53d).
        Called from a signal handler: it only flags and posts to the streams' loop."""
        self.stopping = True
        for stop in list(self.streams):
            stop()

    def call(self, fn: Callable[[], T]) -> T:
        """Run one API call under the lock (one SQLite connection for all requests)."""
        with self.lock:
            return fn()

    def at(self, span: Span) -> str:
        """A span as pages show it, `file:lines`: the file by its name, and by as many of its
        folders as tell it from another ingested file of that name."""
        try:
            name = self.call(lambda: self.kb.short_path(span.path))
        except GrimoireError:
            name = None
        return file_at(span, name)

    # -- pages ------------------------------------------------------------------------------

    def home(self) -> Home:
        stats = self.call(self.kb.stats)
        concepts = self.call(self.kb.concepts)
        wanted = self.call(lambda: self.kb.wanted(suggestions=False))
        letters: dict[str, list[ConceptSummary]] = {}
        for c in concepts:
            first = c.label[:1].upper()
            letters.setdefault(first if first.isalpha() else "#", []).append(c)
        counts = {"concepts": len(concepts), "entries": stats.entries,
                  "documents": stats.documents, "sources": stats.sources,
                  "links": stats.links, "wanted": len(wanted)}
        labels = Counter(c.label for c in concepts)
        return Home(counts, self.recent(), dict(sorted(letters.items())), wanted[:20],
                    len(concepts), frozenset(label for label, n in labels.items() if n > 1))

    def recent(self, limit: int = 12) -> list[str]:
        """Terms defined in the most recently changed files."""
        entries = self.call(self.kb.entries)
        mtimes: dict[str, float] = {}
        for e in entries:
            path = e.entry.span.path
            if path not in mtimes:
                try:
                    mtimes[path] = Path(path).stat().st_mtime
                except OSError:
                    mtimes[path] = 0.0
        ordered = sorted(entries, key=lambda e: (-mtimes[e.entry.span.path],
                                                 e.entry.span.start_line))
        names = [e.entry.term for e in ordered if not e.entry.redirect]
        return list(dict.fromkeys(names))[:limit]

    def concept(self, name: str, concept_id: str | None = None) -> tuple[Concept, list[Any]]:
        concept = self.find(name, concept_id)
        try:
            duplicates = self.call(lambda: self.kb.near_duplicates(
                concept.label, concept_id=concept.id))
        except NotFound:
            duplicates = []
        return concept, duplicates

    def find(self, name: str, concept_id: str | None = None) -> Concept:
        """The concept called `name` (the one of id `concept_id` among several so called); a
        label the name lookup cannot find again (its normalised form differs, as for
        `<b>x</b>`) is matched exactly among the labels."""
        try:
            return self.call(lambda: self.kb.concept(name, concept_id=concept_id))
        except NotFound:
            exact = [c for c in self.call(self.kb.concepts) if c.label == name]
            if len(exact) != 1:
                raise
        return self.call(lambda: self.kb.concept(name, concept_id=exact[0].id))

    def wanted_page(self, name: str) -> WantedPage | None:
        """The wanted page `name` opens (a red link's target), with every place that links to
        it; None when no link wants it."""
        return self.call(lambda: self.kb.wanted_page(name))

    def notes_named(self, name: str) -> list[NoteNamed]:
        """The notes whose file is called `name` (`BM25` of BM25.md), each with the entries it
        holds: a link by a file's name leads to what the file defines, which its heading may
        name otherwise ("IDF (Inverse Document Frequency)"), and /c/BM25 found no concept."""
        norm = normalize(name)
        if not norm:
            return []
        paths = [r.path for r in self.call(lambda: self.kb.sources())
                 if r.status == "ok" and normalize(Path(r.path).stem) == norm]
        if not paths:  # the common case, a name mistyped: no list of every entry read
            # A document's title that names no concept ("Glossary", as a search hit gives
            # it): the document, with the concepts it holds (round 39, as `show` gives it).
            titled = self.call(lambda: self.kb.documents_titled(name))
            return [NoteNamed(span, labels) for span, labels in titled]
        entries = self.call(self.kb.entries)
        return [NoteNamed(Span(path, 1, 1), [e.entry.term for e in entries
                                             if e.entry.span.path == path and not e.entry.redirect])
                for path in paths]

    def nearest_names(self, q: str, limit: int = 5) -> tuple[str, ...]:
        """The entries' names nearest to `q` ("did you mean"), for a query still being typed."""
        if not q.strip():
            return ()
        try:
            return self.call(lambda: self.kb.suggest(q, limit))
        except GrimoireError:  # a query too long to be a name
            return ()

    def search(self, q: str, mode: str = "hybrid", k: int = 20, source: str | None = None,
               format: str | None = None, tag: str | None = None) -> list[Hit]:
        if not q.strip():
            return []
        # Concepts one passage shows each show their own words in it (`told_apart`).
        return self.call(lambda: told_apart(self.kb, self.kb.search(
            q, k=k, mode=mode, source=source or None, format=format or None, tag=tag or None),
            q))

    def notice(self, q: str, hits: list[Hit], mode: str, source: str | None = None,
               format: str | None = None, tag: str | None = None,
               k: int | None = None) -> dict[str, Any] | None:
        """What to say beside `hits` (`Grimoire.search_notice`), under the filters `search`
        was given (an empty field is no filter there, so none here)."""
        return self.call(lambda: self.kb.search_notice(q, hits, mode, source=source or None,
                                                       format=format or None, tag=tag or None,
                                                       k=k))

    def ask(self, q: str, on_text: Callable[[str], None] | None = None) -> Answer:
        """An answer; with no `on_text` (the `/ask` page, `/api/ask`) a model's answer still
        ends when the server stops (`stop_streams`): uvicorn waited for it to be written to
        its end (review54d: 46 s for a long one, the model writing on for no one)."""
        s = self.settings

        def unless_stopping(piece: str) -> None:
            if self.stopping:
                raise Stopping

        def asked() -> Answer:
            # Looked at once the store is ours: an answer that waited behind another (a
            # second page's stream) asked its model once after the stop (faces55)
            if self.stopping:
                raise Stopping
            return self.kb.ask(q, llm=s.llm, model=s.llm_model, api_key=s.llm_key, on_text=said)

        said = on_text if on_text is not None or not s.llm else unless_stopping
        return self.call(asked)

    def choices(self, error: NotFound) -> list[tuple[str, str, Span | None]]:
        return self.call(lambda: self.kb.choices(error))

    def graph(self, name: str | None, depth: int = 1,
              concept_id: str | None = None) -> GraphView:
        """A concept's neighbourhood (of `concept_id` among several called `name`), or the
        whole graph when the base is small enough."""
        if name:
            g = self.call(lambda: self.kb.graph(name, depth=depth, limit=WHOLE_GRAPH_LIMIT,
                                                concept_id=concept_id))
            return GraphView(g, self._positions(g, layout.rings), g.nodes[0].label if g.nodes
                             else name, depth, truncated=len(g.nodes) >= WHOLE_GRAPH_LIMIT)
        g, truncated = self._whole()
        return GraphView(g, self._positions(g, layout.force), None, depth, whole=True,
                         truncated=truncated)

    def _whole(self) -> tuple[Graph, bool]:
        """Every concept and link, read at once (a graph per connected part took 1.6 s a
        page on 836 concepts); an empty graph, truncated, past the limit."""
        g = self.call(lambda: self.kb.whole_graph(WHOLE_GRAPH_LIMIT))
        return (Graph((), ()), True) if g is None else (g, False)

    def _positions(self, g: Graph, how: Callable[[Graph], layout.Positions]
                   ) -> layout.Positions:
        key = (how.__name__, tuple(n.id for n in g.nodes),
               tuple((e.source, e.target) for e in g.edges))
        cached = self._layouts.get(key)
        if cached is None:
            cached = how(g)
            if len(self._layouts) > 64:
                self._layouts.clear()
            self._layouts[key] = cached
        return cached

    def health(self, counts: tuple[int, int]) -> Any:
        """Lint's findings (`Grimoire.lint`: kept until the notes change). `counts`, the
        passages and entries it reads, are what `checking` says to a page loaded meanwhile."""
        with self._checks_lock:
            self._checks += 1
            self._checked = counts if self._checks == 1 else self._checked
        try:
            return self.call(self.kb.lint)
        finally:
            with self._checks_lock:
                self._checks -= 1

    def checking(self) -> tuple[int, int] | None:
        """The passages and entries a lint under way reads, or None when none runs: a second
        /health begins its page from them instead of waiting for the store's lock, which the
        first's lint holds (10-30 s of a blank tab on a loaded machine; round 46)."""
        with self._checks_lock:
            return self._checked if self._checks else None

    # -- helpers for templates ---------------------------------------------------------------

    def openings(self, concept: Concept) -> dict[int, Said]:
        """The opening words of the note of each entry with no definition, by the entry's id
        (`Grimoire.said`), for its card: the page said "(no definition)" over a 400-line
        chapter while its hover preview gave those words (round 34)."""
        said = self.call(lambda: self.kb.said(concept))
        return {s.entry_id: s for s in said if s.kind == "opening" and s.entry_id is not None}

    def code_of(self, spans: list[Span], shown: str) -> frozenset[str]:
        """What of `shown` (a snippet, an answer) the lines of `spans` write as code, or a
        `\\$` their format does not escape (`showing.as_written`)."""
        return as_written(self.files, spans, shown)

    def sentence(self, span: Span) -> str:
        """The line a link sits on, for "mentioned in" (`mention_line`)."""
        line = self.files.line(span.path, span.start_line)
        if span.path.endswith(".ipynb"):
            line = notebook_line(line)
        return mention_line(line)

    def preview(self, name: str, concept_id: str | None = None) -> dict[str, Any]:
        """A concept's name, kind and opening words, for the hover popover (`Grimoire.preview`:
        a page named by its title has no definition, its note's opening words say what it is
        about: "LoRA in practice": "I fine-tuned ...")."""
        concept = self.find(name, concept_id)
        said = self.call(lambda: self.kb.preview(concept))
        text = plain(said.text) if said is not None else ""
        # its formulas drawn as the page draws them: the popover showed Softmax's TeX,
        # "$\sigma(z)_i = e^{z_i} / …$" (round 53)
        return {"label": concept.label, "kind": concept.kind, "text": text,
                "html": str(math_text(text)),
                "sources": len(concept.sources),
                "href": concept_href(concept.label, concept_id and concept.id)}


def link_status(concept: Concept) -> dict[str, Mention]:
    """Outgoing links by target name, to draw wanted ones red."""
    return {m.target: m for m in concept.links}


def file_at(span: Span, name: str | None = None) -> str:
    """`file:lines`, the file by `name` (`Site.at`'s) or else by its own name."""
    name = name or Path(span.path).name
    return f"{name}:{span.start_line}" + (f"-{span.end_line}" if span.end_line > span.start_line
                                          else "")


# A notebook's line is one JSON string of a cell's source (`"[Trees](trees.ipynb)\\n",`):
# "Mentioned in" quoted it so, quotes, `\\n` and all (round 38: a course's index notebook).
_JSON_LINE = re.compile(r'\s*("(?:[^"\\]|\\.)*")\s*,?\s*')


def notebook_line(line: str) -> str:
    """A notebook's line as its cell holds it: the JSON string decoded, else the line."""
    m = _JSON_LINE.fullmatch(line)
    if m is None:
        return line
    try:
        text = json.loads(m.group(1))
    except ValueError:
        return line
    return text.strip() if isinstance(text, str) else line


def mention_line(line: str) -> str:
    """The line a link sits on as "mentioned in" shows it: a long one cut after its 400th
    character at most, between words and outside formulas (a cut one shows its TeX)."""
    if len(line) <= 400:
        return line
    cut = line[:400]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return whole_formulas(cut.rstrip() + " …")
