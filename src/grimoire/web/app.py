"""The web UI: server-rendered pages, each with a JSON twin under /api/ (see /openapi.json).

Pages read without JavaScript; `static/app.js` only adds type-ahead, hover previews, streamed
answers and the interactive graph. Handlers are plain `def`s (FastAPI runs them in a thread
pool); every call into the knowledge base goes through `Site`, which holds no SQL and ranks
nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Body, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.responses import StreamingResponse

from grimoire import serialize
from grimoire.errors import GrimoireError, NotFound
from grimoire.knowledge import Grimoire
from grimoire.model import Answer, Span
from grimoire.showing import (
    FORMULA,
    KEPT_ESCAPE,
    escapes_dollar,
    halves,
    in_part,
    same_as,
    whole_formulas,
)
from grimoire.web import layout
from grimoire.web.render import (
    MARKDOWN_FORMATS,
    concept_href,
    math_text,
    mention_html,
    numbered,
    render_note,
    safe_url,
)
from grimoire.web.security import Guard, GuardMiddleware, refuse_headers
from grimoire.web.site import STOPPED, Settings, Site, Stopping, link_status, suggestions
from grimoire.web.sources import IMAGE_TYPES

HERE = Path(__file__).parent
MODES = ("hybrid", "lexical", "semantic")
PAGE_HITS = 20  # hits a search page shows, and how many more its "More results" adds
MOST_HITS = 100  # as /api/search's k
_CITE = re.compile(r"\[(\d{1,3})\]")


def create_app(kb: Grimoire, guard: Guard, settings: Settings | None = None) -> FastAPI:
    """The ASGI app over one knowledge base; `guard` says which Host (and token) to accept."""
    site = Site(kb, settings)
    app = FastAPI(title="Grimoire", docs_url=None, redoc_url=None,  # their pages load a CDN
                  description="Every page of the web UI has a JSON twin here.")
    app.add_middleware(GuardMiddleware, guard=guard)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    app.state.stop_streams = site.stop_streams  # `serve` calls it as it is asked to stop
    env = templates.env
    env.globals.update(href=concept_href, at=site.at, source_href=source_href, site=site,
                       llm=bool(site.settings.llm), safe_url=safe_url,
                       store_notices=lambda: site.kb.notices,  # a read-only store's (round 37)
                       same_as=same_as, math_text=math_text)
    env.filters.update(md=_md_filter(site), tex=site.renderer.inline, answer_html=answer_html,
                       snippet=snippet_html, mention=mention_html, halves=halves,
                       in_part=in_part, numbered=numbered,
                       count="{:,}".format)  # "4,755 links", as the CLI counts (it was 4755)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def missing(request: Request, error: NotFound, what: str,
                graph_depth: int | None = None) -> HTMLResponse:
        several = bool(error.choices)
        wanted = site.wanted_page(what) if what.strip() and not several else None
        notes = site.notes_named(what) if wanted is None and not several else []
        # From /graph, a suggestion opens its graph (it opened the concept page instead).
        return page(request, "missing.html", 300 if several else 404, what=what,
                    message=str(error), suggestions=error.suggestions, several=several,
                    choices=site.choices(error) if several else [],
                    wanted=wanted, notes=notes, concept=what, graph_depth=graph_depth)

    # -- home ----------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home_page(request: Request) -> HTMLResponse:
        return page(request, "home.html", home=site.home())

    @app.get("/api/home", tags=["pages"])
    def home_api() -> dict[str, Any]:
        """Counts, recently changed terms, every concept A-Z, most wanted pages."""
        h = site.home()
        return {"counts": h.counts, "recent": h.recent,
                "concepts": serialize.record([c for cs in h.letters.values() for c in cs]),
                "wanted": serialize.record(h.wanted)}

    # -- concept -------------------------------------------------------------------------------

    @app.get("/c/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    def concept_page(request: Request, name: str, id: str = "") -> HTMLResponse:
        try:
            concept, duplicates = site.concept(name, id or None)
        except NotFound as e:
            return missing(request, e, name)
        return page(request, "concept.html", c=concept, duplicates=duplicates,
                    namesakes=site.call(lambda: site.kb.namesakes(concept)),
                    links=link_status(concept), openings=site.openings(concept))

    @app.get("/api/c/{name:path}", tags=["pages"])
    def concept_api(name: str, preview: bool = False, id: str = "") -> Any:
        """A concept by any of its names: every source's entry, names, links both ways; `id`
        (a hit's `concept_id`) picks one of several concepts that share the name."""
        try:
            if preview:
                return site.preview(name, id or None)
            concept, duplicates = site.concept(name, id or None)
        except NotFound as e:
            return _not_found(e, name)
        # the one shape `show --json` prints: what it says, a page's opening words included
        return serialize.concept(concept, duplicates, site.call(lambda: site.kb.said(concept)))

    # -- search --------------------------------------------------------------------------------

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = "", mode: str = "hybrid", source: str = "",
                    format: str = "", tag: str = "", k: int = PAGE_HITS) -> HTMLResponse:
        mode = mode if mode in MODES else "hybrid"
        k = min(max(k, 1), MOST_HITS)
        # As `grimoire search` says on stderr: meaning search covers only the passages
        # embedded so far (round 35: after `ingest --no-embed`, or while the worker runs, the
        # page gave word matches alone and said nothing).
        status = site.call(site.kb.vector_status) if q.strip() and mode != "lexical" else None
        hits = site.search(q, mode, k, source, format, tag)
        notice = site.notice(q, hits, mode, source, format, tag, k=k)
        formats = sorted(site.call(site.kb.stats).by_format)
        # The first 20 hits were all a search showed, with no word of more (round 43): a
        # full page links to the next 20, opened at the first of them.
        asked = {"q": q, "mode": mode, "source": source, "format": format, "tag": tag}
        wider = {**{n: v for n, v in asked.items() if v}, "k": min(k + PAGE_HITS, MOST_HITS)}
        more = (f"/search?{urlencode(wider)}#hit-{k + 1}" if len(hits) >= k and k < MOST_HITS
                else None)
        return page(request, "search.html", q=q, mode=mode, hits=hits, notice=notice,
                    source=source, format=format, tag=tag, formats=formats, modes=MODES,
                    coverage=status if status is not None and status.missing else None,
                    more=more)

    @app.get("/api/search", tags=["pages"])
    def search_api(q: str = "", mode: str = "hybrid", k: Annotated[int, Query(ge=1, le=100)] = 10,
                   source: str = "", format: str = "", tag: str = "") -> Any:
        """Hits for `q`, one per concept, each with its file and lines and a marked snippet."""
        if mode not in MODES:
            return JSONResponse({"error": f"mode must be one of {', '.join(MODES)}"}, 422)
        hits = site.search(q, mode, k, source, format, tag)
        notice = site.notice(q, hits, mode, source, format, tag, k=k)
        headers = {"grimoire-notice": json.dumps(notice)} if notice else None
        return JSONResponse(serialize.record(hits), headers=headers)

    @app.get("/typeahead", response_class=HTMLResponse, include_in_schema=False)
    def typeahead(request: Request, q: str = "") -> HTMLResponse:
        """The search box's suggestions as an HTML fragment, rendered as the search page's
        hits are (formulas as MathML, not TeX source), one line per destination."""
        hits = site.search(q, "lexical", 8)
        # A word half typed ("hybr", "lor") is no word of the notes: the names nearest to it
        # instead, or the list stayed empty until the whole word was there.
        names = site.nearest_names(q) if not hits else ()
        return page(request, "_typeahead.html", q=q.strip(), suggestions=suggestions(hits),
                    names=names)

    # -- ask -----------------------------------------------------------------------------------

    @app.get("/ask", response_class=HTMLResponse, include_in_schema=False)
    def ask_page(request: Request, q: str = "") -> HTMLResponse:
        answer = site.ask(q) if q.strip() else None
        # `question`, not `q`: the header's search box showed the question too (faces55)
        return page(request, "ask.html", question=q, answer=answer)

    @app.get("/api/ask", tags=["pages"])
    def ask_api(q: str) -> Any:
        """An answer from the notes with numbered citations, or an abstention."""
        return serialize.record(site.ask(q))

    @app.post("/api/ask", tags=["pages"])
    def ask_post(question: Annotated[str, Body(embed=True)]) -> Any:
        """The same as GET, for clients that POST JSON `{"question": ...}`."""
        return serialize.record(site.ask(question))

    @app.get("/api/ask/stream", tags=["pages"])
    async def ask_stream(q: str) -> StreamingResponse:
        """Server-sent events: `text` pieces as the model writes, then `answer` (the record
        and its rendered HTML)."""
        return StreamingResponse(_stream(site, templates, q), media_type="text/event-stream",
                                 headers={"cache-control": "no-store"})

    # -- graph ---------------------------------------------------------------------------------

    @app.get("/graph", response_class=HTMLResponse, include_in_schema=False)
    def graph_page(request: Request, c: str = "",
                   depth: Annotated[int, Query(ge=1, le=2)] = 1, id: str = "") -> HTMLResponse:
        try:
            view = site.graph(c or None, depth, id or None)
        except NotFound as e:
            return missing(request, e, c, depth)
        drawn = Markup(layout.svg(view.graph, view.positions,
                                  labels=len(view.graph.nodes) <= 150, whole=view.whole))
        ends = {e.source for e in view.graph.edges} | {e.target for e in view.graph.edges}
        lone = sum(n.id not in ends for n in view.graph.nodes) if view.whole else 0
        return page(request, "graph.html", view=view, drawn=drawn, c=c, depth=depth, id=id,
                    lone=lone)

    @app.get("/api/graph", tags=["pages"])
    def graph_api(c: str = "", depth: Annotated[int, Query(ge=1, le=2)] = 1,
                  id: str = "") -> Any:
        """Nodes, edges and positions: a concept's neighbourhood, or the whole (small) graph;
        `id` (a hit's `concept_id`) picks one of several concepts that share the name."""
        try:
            return site.graph(c or None, depth, id or None).record()
        except NotFound as e:
            return _not_found(e, c)

    # -- health --------------------------------------------------------------------------------

    @app.get("/health", response_class=HTMLResponse, include_in_schema=False)
    def health_page(request: Request) -> StreamingResponse:
        """Streamed: the page and what is being checked at once, the findings when lint has
        them. A first lint reads every passage and entry (all.db: 2.5 s of CPU, over 30 s on
        a loaded machine) and the tab stayed blank until then; it is kept until the notes
        change, so the page comes whole after that."""
        # A lint under way holds the store's lock: its counts, not the store's, begin the page
        running = site.checking()
        if running is None:
            stats = site.call(site.kb.stats)
            running = (stats.passages, stats.entries)

        def groups() -> tuple[dict[str, list[Any]], str | None]:
            try:
                return site.health(running).by_group(), None
            except GrimoireError as e:  # the page has begun: said on it, not as a status
                return {}, str(e)
            except Exception as e:  # a store missing a table: said, not a page cut short
                # after "Checking ...", which then showed forever (review45a)
                logging.getLogger("grimoire.web").exception("/health: lint failed")
                return {}, (f"The check stopped: {type(e).__name__}: {e}. `grimoire check` "
                            "tells whether the database file is damaged.")

        chunks = templates.get_template("health.html").generate(
            request=request, passages=running[0], entries=running[1],
            waiting=site.checking() is not None, health=groups)
        return StreamingResponse(chunks, media_type="text/html; charset=utf-8")

    @app.get("/api/health", tags=["pages"])
    def health_api() -> Any:
        """Lint findings by group, each with its file and line."""
        stats = site.call(site.kb.stats)  # what a /health page loaded meanwhile says it reads
        return serialize.lint_report(site.health((stats.passages, stats.entries)))

    # -- sources -------------------------------------------------------------------------------

    @app.get("/source", response_class=HTMLResponse, include_in_schema=False)
    def source_page(request: Request, path: str, hl: str = "") -> HTMLResponse:
        text = site.files.text(path)
        if text is None:
            return page(request, "missing.html", 404, what=path, message=_unreadable(site, path),
                        suggestions=(), several=False)
        lo, hi = _range(hl)
        return page(request, "source.html", src=text, lo=lo, hi=hi,
                    rendered=render_note(site.renderer, text.format, text.lines, text.unit))

    @app.get("/api/source", tags=["pages"])
    def source_api(path: str) -> Any:
        """A note's lines as the file holds them (only files the store has read)."""
        text = site.files.text(path)
        if text is None:
            return JSONResponse({"error": _unreadable(site, path)}, 404)
        # A PDF's items are its pages as ingest read them (`unit`: "page"), not its bytes.
        return {"path": text.path, "format": text.format, "unit": text.unit,
                "lines": list(text.lines)}

    @app.get("/file", include_in_schema=False)
    def attachment(path: str) -> Response:
        real = site.files.attachment(path)
        if real is None:
            return Response("not found", 404, media_type="text/plain")
        kind = IMAGE_TYPES.get(real.suffix.lower())
        if kind is None or kind == "image/svg+xml":
            # SVG can carry script: sandboxed and downloaded, never run as a page (case 30)
            return FileResponse(real, media_type=kind or "application/octet-stream",
                                headers=refuse_headers(), content_disposition_type="attachment"
                                if kind is None else "inline")
        return FileResponse(real, media_type=kind)

    @app.exception_handler(GrimoireError)
    def grimoire_error(request: Request, exc: GrimoireError) -> Response:
        # A stopping server is not the request's fault: 503, to be asked again (faces55)
        status, headers = (503, {"Retry-After": "5"}) if isinstance(exc, Stopping) else (400, {})
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status, headers=headers)
        answer = page(request, "missing.html", status, what="", message=str(exc),
                      suggestions=(), several=False)
        answer.headers.update(headers)
        return answer

    # A mistyped address or a bad parameter in the browser showed FastAPI's JSON
    # (`{"detail":"Not Found"}`): pages answer with a page; /api/ and /static/ keep JSON.
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            said = (f"There is no page at {request.url.path}." if exc.status_code == 404
                    else str(exc.detail))
            return JSONResponse({"error": said, "detail": exc.detail}, exc.status_code,
                                headers=exc.headers)
        if _is_api(request) or exc.status_code != 404:
            return await http_exception_handler(request, exc)
        return page(request, "missing.html", 404, what="",
                    message=f"There is no page at {request.url.path}.", suggestions=(),
                    several=False)

    # An API error says what is wrong under "error", as the API's own errors and every
    # command's --json do (`/api/search?k=0` gave FastAPI's `detail` list alone, round 50);
    # `detail` stays beside it for a client that reads FastAPI's shape.
    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": _problems(exc),
                                 "detail": jsonable_encoder(exc.errors())}, 422)
        if _is_api(request):
            return await request_validation_exception_handler(request, exc)
        return page(request, "missing.html", 400, what="Not a valid address",
                    message=_problems(exc),
                    suggestions=(), several=False)

    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/static/"))


def _problems(exc: RequestValidationError) -> str:
    """What was wrong with the address, in words: "depth: Input should be less than or equal
    to 2"; "path: Field required"."""
    said = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "address"
        said.append(f"{where}: {error.get('msg', 'not valid')}")
    return "; ".join(said) or "This address is not valid."


def source_href(span: Span) -> str:
    """The source view at a span's lines."""
    hl = f"{span.start_line}-{span.end_line}" if span.end_line != span.start_line \
        else str(span.start_line)
    return f"/source?path={quote(span.path, safe='/')}&hl={hl}#L{span.start_line}"





def _unreadable(site: Site, path: str) -> str:
    """Why a note's page cannot be shown: a file the store read but cannot open now (a concept
    page's `file:line` to a note deleted or renamed since; round 34, as MCP's read_source says
    it), or a path that is no note of the store's."""
    record = site.files.known().get(path)
    if record is not None and record.status == "ok":
        return ("this note cannot be read now: deleted, moved or renamed since it was ingested "
                "(`grimoire ingest` its folder again)")
    # what to do, not only what is wrong (round 50: "no such note here" said no more)
    return ("no such note here: only files ingested into this knowledge base are shown "
            "(`grimoire sources` lists them)")


def _range(hl: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{1,7})(?:-(\d{1,7}))?", hl)
    if m is None:
        return 0, -1
    lo = int(m.group(1))
    return lo, int(m.group(2) or lo)


def _not_found(e: NotFound, name: str) -> JSONResponse:
    """The JSON `grimoire show NAME --json` prints for a name nothing answers to."""
    return JSONResponse({**serialize.not_found(e), "name": name}, 404)


def _md_filter(site: Site) -> Any:
    def md(text: str, path: str = "", format: str = "markdown") -> Markup:
        if format not in MARKDOWN_FORMATS:  # a section's text comes as "text": its file's
            # format says whether a `\$` is a dollar sign (`showing.DOLLAR_ESCAPES`)
            kept = "\\$" in text and escapes_dollar(site.files, path) is False
            return site.renderer.text(text, displays=format == "latex",
                                      code=frozenset({KEPT_ESCAPE}) if kept else frozenset())
        return site.renderer.markdown(
            text, (lambda target: site.files.image_url(path, target)) if path else None)
    return md


def snippet_html(snippet: str, lines: bool = True,
                 code: frozenset[str] = frozenset()) -> Markup:
    """A search snippet, escaped, its formulas rendered as the answers' are, and its «matched
    words» marked (outside formulas: one is rendered whole, without marks). A formula the
    snippet's window cut in two is left out, an ellipsis in its place (`whole_formulas`).
    Without `lines` (the search box's offers, one line each, cut by an ellipsis) the lines it
    holds are joined by spaces: each was cut to a line of its own there (round 46)."""
    if not lines:
        snippet = snippet.replace("\n", " ")
    unmarked = FORMULA.sub(lambda m: m.group(0).replace("«", "").replace("»", ""),
                           whole_formulas(snippet))
    # A list item begins a line of the snippet (`search.snippet`): a line of the page too.
    body = "<br>".join(str(math_text(line, code=code)) for line in unmarked.split("\n"))
    body = body.replace("«", "<mark>").replace("»", "</mark>")
    if body.count("<mark>") != body.count("</mark>"):
        body = body.replace("<mark>", "").replace("</mark>", "")
    return Markup(body)


def answer_html(answer: Answer, code: frozenset[str] = frozenset()) -> Markup:
    """The answer text, escaped, math rendered (but the `$…$` of `code`, its sources' code
    spans: `Site.code_of`), `[n]` turned into links to its citation (MathML never holds `[n]`
    in a text node of its own: brackets are separate `mo`s)."""
    body = str(math_text(answer.answer, code=code))
    known = {c.n for c in answer.citations}
    body = _CITE.sub(lambda m: f'<a class="cite" href="#cite-{m.group(1)}">[{m.group(1)}]</a>'
                     if int(m.group(1)) in known else m.group(0), body)
    return Markup(body)


async def _stream(site: Site, templates: Jinja2Templates, q: str) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    gone = threading.Event()  # the page closed the stream, or left

    def on_text(piece: str) -> None:
        if gone.is_set():
            # The model writes on for no one: stopped here, its connection closed (a page
            # left mid-answer let it write all 88 pieces of a long one, round 53).
            raise _PageGoneError
        loop.call_soon_threadsafe(queue.put_nowait, ("text", piece))

    def work() -> None:
        try:
            answer = site.ask(q, on_text=on_text if site.settings.llm else None)
            fragment = templates.get_template("_answer.html").render(answer=answer)
            said: tuple[str, Any] = ("answer", {"answer": serialize.record(answer),
                                                "html": fragment})
        except _PageGoneError:
            return
        except GrimoireError as e:
            said = ("error", {"error": str(e)})
        except Exception as e:  # the page waited forever on a thread that died
            logging.getLogger("grimoire.web").exception("the streamed answer failed")
            said = ("error", {"error": f"the answer failed: {type(e).__name__}"})
        if not gone.is_set():
            loop.call_soon_threadsafe(queue.put_nowait, said)

    def stop() -> None:  # the server stops (`Site.stop_streams`, from a signal handler)
        loop.call_soon_threadsafe(queue.put_nowait, ("error", {"error": STOPPED}))

    site.streams.add(stop)
    if site.stopping:  # asked as the server stops: no model is asked to write it
        stop()
    else:
        threading.Thread(target=work, daemon=True).start()
    try:
        while True:
            kind, data = await queue.get()
            yield f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
            if kind != "text":
                return
    finally:
        site.streams.discard(stop)
        gone.set()  # the model's next piece stops it (`on_text`)



class _PageGoneError(Exception):
    """Raised in a streamed answer's model callback once its page has gone."""


__all__ = ["create_app", "safe_url", "source_href"]
