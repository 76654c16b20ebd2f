"""The `grimoire` command: parse options, call one API function, render the result."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

import grimoire
from grimoire import serialize
from grimoire._cli_ingest import ReaderChoice, ReaderOption
from grimoire._term import clean, field, folded_path, json_text, safe
from grimoire.errors import GrimoireError, NotFound
from grimoire.files import storable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from grimoire.lint import Finding
    from grimoire.model import Answer, Span
    from grimoire.showing import NoteFiles
    from grimoire.store import StoredEntry

F = TypeVar("F", bound=Callable[..., Any])


# Rich takes about 60 ms to import: the consoles are made when something is printed through
# them, and a search that prints JSON or piped lines never does (cold start, issue 14). No
# emoji codes: `:fire:` in a note's heading is outside text, printed as written. No automatic
# highlighting: rich's ReprHighlighter is quadratic on a long word (a 100,000-character
# wikilink made `grimoire show` take 108 s, on a terminal or not).
@functools.cache
def out() -> Console:
    """The rich console on stdout."""
    from rich.console import Console

    return _wrapping(Console)(emoji=False, highlight=False)


_NARROW = 20


def _wrapping(console: type[Console]) -> type[Console]:
    """A console whose lines, on a terminal, wrap between words at its width (the ingest
    summary, `embed --status`, a note or an error ran to 100-190 columns, broken mid-word at an
    80-column margin); anywhere else a line stays whole. Asked at each print, as rich asks
    whether it is a terminal. `file:line: message` lines stay whole (as a compiler's do) by
    `soft_wrap=True`. A terminal narrower than _NARROW columns breaks lines itself: rich
    dropped a character two columns wide from every line at 1 column (round 46)."""

    class Wrapping(console):  # type: ignore[misc,valid-type]
        def __init__(self, **options: Any) -> None:
            # `COLUMNS=0` is no width: rich took it for 0 columns and printed nothing, not
            # even an error (review53d); it measures the terminal, or takes 80, as unset.
            if os.environ.get("COLUMNS", "").strip("0") == "" and "COLUMNS" in os.environ:
                options.setdefault("_environ", {k: v for k, v in os.environ.items()
                                                if k != "COLUMNS"})
            super().__init__(**options)

        @property
        def soft_wrap(self) -> bool:
            return not self.is_terminal or self.width < _NARROW

        @soft_wrap.setter
        def soft_wrap(self, _value: bool) -> None:
            pass  # rich's __init__ sets it; the property decides

    return Wrapping


@functools.cache
def err() -> Console:
    """The rich console on stderr: a line as long as it is, as on stdout (a pipe or a log
    file got notes broken at 80 columns, "(pid" on one line and its number on the next)."""
    from rich.console import Console

    return _wrapping(Console)(stderr=True, emoji=False, highlight=False)


def terminal() -> bool:
    """Whether stdout shows rich's styles, by rich's own test (TTY_COMPATIBLE, then FORCE_COLOR,
    then isatty), asked without importing rich: when it does not, output is plain lines."""
    return _tty(sys.stdout)


def _tty(stream: Any) -> bool:
    """`terminal`'s test for `stream` (stdout, stderr)."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    return stream is not None and stream.isatty()  # None: closed (`>&-`)


def where(path: str) -> str:
    """A path as the user would type it: relative to the current folder when inside it, and
    on one line (a newline or control character in a name shown as its escape, `\\n`)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = ".."
    return clean(path if rel.startswith("..") else rel, lines=False)


class _Printed:
    """Whether the running command printed its JSON (`handle_errors` then says an error after
    it on stderr: a second document on stdout would make it no JSON)."""

    json = False


def emit_json(value: Any) -> None:
    click.echo(json_text(serialize.dumps(value)))
    _Printed.json = True


_NOTE_ROOM = 14  # columns a folded column keeps beside a path column, when paths need them
_PATH_ROOM = 16  # the narrowest a path column gets, however many columns beside it


def print_table(headers: list[str], rows: list[list[str]], fold: tuple[str, ...] = (),
                numbers: tuple[str, ...] = (), paths: tuple[str, ...] = ()) -> None:
    """A rich table on a terminal; tab-separated lines when piped, so nothing is cut.

    Cells are outside text: control characters are shown escaped, markup is literal. On a
    terminal, the `numbers` columns are counts (right-aligned, "4,855"), and a column no row
    fills is left out (`sources`' "note" on notes with no warning took 7 of 80 columns,
    which the paths folded mid-name could have used).
    """
    if not terminal():
        for row in rows:
            click.echo("\t".join(field(cell) for cell in row))
        return
    from rich.markup import escape
    from rich.table import Table  # on use: a search piped to a script prints no table

    shown = [i for i, h in enumerate(headers) if h not in fold or any(r[i] for r in rows)]
    cells = [[f"{int(row[i]):,}" if headers[i] in numbers and row[i].isdigit()
              else clean(row[i], lines=False) for i in shown] for row in rows]
    # A `paths` column is as wide as the table leaves it once a folded column (a note) has
    # _NOTE_ROOM, and its paths break after a `/`: rich gave the file column a share and cut
    # names mid-word ("2.5_imple" / "menting-gradient-de").
    widths: dict[int, int] = {}
    if any(headers[i] in paths for i in shown):
        natural = {i: max([len(headers[i])] + [len(c[k]) for c in cells])
                   for k, i in enumerate(shown)}
        fixed = sum(natural[i] for i in shown if headers[i] not in paths + fold)
        folded = [i for i in shown if headers[i] in fold and headers[i] not in paths]
        room = out().width - 3 * len(shown) - 1 - fixed  # a border and padding a column
        least = sum(min(natural[i], _NOTE_ROOM) for i in folded)
        path_cols = [i for i in shown if headers[i] in paths]
        for i in path_cols:
            widths[i] = max(_PATH_ROOM, min(natural[i], (room - least) // len(path_cols)))
        left = room - sum(widths.values())
        for i in folded:
            widths[i] = max(1, min(natural[i], left // len(folded)))
    table = Table(expand=False)
    for i in shown:
        h = headers[i]
        table.add_column(h, overflow="fold" if h in fold else "ellipsis",
                         justify="right" if h in numbers else "left", width=widths.get(i))
    for row in cells:
        table.add_row(*("\n".join(escape(x) for x in folded_path(c, widths[i]))
                        if headers[i] in paths else escape(c)
                        for c, i in zip(row, shown, strict=True)))
    out().print(table)


def words(args: tuple[str, ...], what: str) -> str:
    """The words of a query or question; blank is a usage error (`ask "$Q"` with Q unset)."""
    text = " ".join(args)
    if not text.strip():
        raise click.UsageError(f"the {what} is empty")
    return text


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def handle_errors(f: F) -> F:
    """One line and exit 1 for a GrimoireError; a traceback only under --debug."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _Printed.json = False
        try:
            return f(*args, **kwargs)
        except GrimoireError as e:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            if kwargs.get("as_json") and not _Printed.json:
                # A script asked for JSON: the error as JSON on stdout too, as `show --json`
                # and the web API give it (`{"error": ...}`; a miss with its suggestions),
                # not a line of text on stderr before an empty stdout (round 46).
                emit_json(serialize.not_found(e) if isinstance(e, NotFound) else
                          {"error": str(e)})
                sys.exit(1)
            # Wrapped on a terminal (`show` of an unknown name ran to 84 columns), but for an
            # error that begins with its `file:line:`, kept whole as a compiler's is.
            err().print(f"[red]error:[/red] {safe(str(e), lines=False)}", highlight=False,
                        soft_wrap=bool(_AT_PLACE.match(str(e))) or None)
            if isinstance(e, NotFound) and e.choices:
                say_which(e)
            elif isinstance(e, NotFound) and e.suggestions:
                err().print("did you mean: " + ", ".join(safe(s, lines=False)
                                                         for s in e.suggestions), highlight=False)
            sys.exit(1)
        except BrokenPipeError:
            raise
        except OSError as e:
            # What the system refused outside Grimoire's own checks (a name or path too long
            # for it, ENAMETOOLONG): one line naming the path, as a GrimoireError gets.
            if click.get_current_context().find_root().params.get("debug"):
                raise
            name = os.fsdecode(e.filename) if e.filename is not None else ""
            if len(name) > 120:
                name = f"{name[:60]}…{name[-40:]} ({len(name):,} characters)"
            where = f"{safe(name, lines=False)}: " if name else ""
            err().print(f"[red]error:[/red] {where}{safe(e.strerror or str(e), lines=False)}",
                        highlight=False, soft_wrap=True)
            sys.exit(1)
        except KeyboardInterrupt:
            # The open batch has rolled back and the reader workers are gone; no traceback.
            # An ingest says what is left and how to finish (round 34: a bare "interrupted"
            # left a new user wondering whether to start again from an empty database).
            said = "interrupted"
            if click.get_current_context().info_name == "ingest":
                said += ("; the files read so far are kept: run the same ingest again to "
                         "read the rest")
            err().print(said, highlight=False, soft_wrap=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


class _Commands(click.Group):
    """The commands; a usage error under --json (an empty query, `--mode bogus`, an unknown
    `--group`) as JSON on stdout, as `handle_errors` gives the others: it was click's usage
    text on stderr and nothing on stdout (review46a)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ASKED_JSON] = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as e:
            raise _as_typed(e) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as raised:
            e = _as_typed(raised)
            if not ctx.meta.get(_ASKED_JSON):
                raise e from None
            emit_json({"error": e.format_message()})
            ctx.exit(e.exit_code)


_ASKED_JSON = "grimoire.json"
_QUOTED_BYTE = re.compile(r"\\udc([89a-f][0-9a-f])")  # a byte not UTF-8, as repr shows it


def _as_typed(e: click.UsageError) -> click.UsageError:
    """A usage error with each byte of its message that is not UTF-8 as `\\xNN`, as ingest
    stores such a path: click quotes a value with repr, which showed Python's stand-in for the
    byte ("Invalid value for '--mode': '\\udcff'"), or puts the stand-in itself in the line."""
    said = e.format_message()
    typed = storable(_QUOTED_BYTE.sub(r"\\x\1", said))
    return e if typed == said else click.UsageError(typed, e.ctx)


@click.group(cls=_Commands)
@click.option("--db", envvar="GRIMOIRE_DB", default="grimoire.db", show_default=True,
              help="Database file (or URL). Env: GRIMOIRE_DB.")
@click.option("--embed-url", envvar="GRIMOIRE_EMBED_URL", metavar="URL",
              help="An OpenAI-compatible embeddings server to use instead of the bundled "
                   "model. Env: GRIMOIRE_EMBED_URL (key: GRIMOIRE_EMBED_KEY).")
@click.option("--embed-model", envvar="GRIMOIRE_EMBED_MODEL", default="text-embedding",
              show_default=True, help="The model name to ask that server for.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="grimoire")
@click.pass_context
def main(
    ctx: click.Context, db: str, embed_url: str | None, embed_model: str, debug: bool
) -> None:
    """Grimoire: read your AI/ML notes, in any format, into one searchable knowledge base.

    Example: grimoire ingest ~/notes && grimoire list
    """
    embedder = None
    if embed_url:
        from grimoire.embed import EmbeddingError, OpenAIEmbeddings

        try:
            embedder = OpenAIEmbeddings(embed_url, embed_model,
                                        api_key=os.environ.get("GRIMOIRE_EMBED_KEY"))
        except EmbeddingError as e:
            raise click.BadParameter(str(e), param_hint="--embed-url") from e
    ctx.obj = (db, embedder)


def kb_of(ctx: click.Context, *, create: bool = False) -> grimoire.Grimoire:
    """The knowledge base named by --db; only `ingest` may create it."""
    db, embedder = ctx.obj
    kb = grimoire.open(db, embedder=embedder, create=create)
    ctx.call_on_close(kb.close)
    ctx.call_on_close(lambda: _notices(kb))  # before the close: the last in, the first out
    ctx.meta[_KB] = kb
    return kb


def dollars_of(kb: grimoire.Grimoire) -> Callable[[Sequence[Span], str], str]:
    """The one `\\$` rule every face shows text by (`showing.dollars`, as the web, MCP and
    Anki apply it): `\\$` is a dollar sign unless the note quoted (`spans`) escapes none
    (a glossary's "costs \\$12" printed its backslash in the terminal alone; faces55).
    The notes' files are listed only for a text that holds a `\\$`."""
    files: NoteFiles | None = None

    def shown(spans: Sequence[Span], text: str) -> str:
        nonlocal files
        if "\\$" not in text:
            return text
        from grimoire.showing import NoteFiles, as_written, dollars

        if files is None:
            files = NoteFiles(kb.sources)
        return dollars(text, as_written(files, spans, text))
    return shown


def _notices(kb: grimoire.Grimoire) -> None:
    """What the answers' store wants said (`Grimoire.notices`: a read-only store merged by
    older rules), on stderr once the command's output is written."""
    for notice in kb.notices:
        err().print(f"note: {safe(notice, lines=False)}", highlight=False, markup=False,
                    soft_wrap=True)


_KB = "grimoire.kb"


def say_which(e: NotFound) -> None:
    """A name two concepts share (a `grimoire.toml` split): one line for each, with the
    `--id` that opens it and where its first entry is written."""
    kb = click.get_current_context().meta.get(_KB)
    found = [(*c, None) for c in e.choices]  # ids alone, when the store cannot say where
    if kb is not None:
        with contextlib.suppress(GrimoireError):
            found = kb.choices(e)
    err().print("open one with --id:", highlight=False)
    for label, concept_id, span in found:
        at = f"  {where(span.path)}:{span.start_line}" if span is not None else ""
        err().print(f"  --id {concept_id}  {safe(label, lines=False)}{safe(at, lines=False)}",
                    highlight=False, soft_wrap=True)


@main.command()
@json_option
@click.pass_context
@handle_errors
def stats(ctx: click.Context, as_json: bool) -> None:
    """Count documents, passages, entries and links, by format.

    Example: grimoire stats --json
    """
    s = kb_of(ctx).stats()
    if as_json:
        emit_json(s)
        return
    rows = [[fmt, *(str(c[k]) for k in ("documents", "passages", "entries", "links"))]
            for fmt, c in s.by_format.items()]
    rows.append(["all", *(str(v) for v in (s.documents, s.passages, s.entries, s.links))])
    print_table(["format", "documents", "passages", "entries", "links"], rows,
                numbers=("documents", "passages", "entries", "links"))
    seen = f"{s.sources} files seen, {s.failed} failed"
    if terminal():
        out().print(seen, highlight=False, markup=False)
    else:  # as rich prints it piped, without importing rich's console (issue 14)
        click.echo(seen)


@main.command(name="list")
@json_option
@click.pass_context
@handle_errors
def list_(ctx: click.Context, as_json: bool) -> None:
    """List the entries found, A-Z, each with file:line.

    Example: grimoire list | grep -i regularization
    """
    entries = kb_of(ctx).entries()
    if as_json:
        emit_json(entries)
        return
    # a redirect by the concept it reached, not the slug or title it was written as
    to = kb_of(ctx).redirect_labels(entries)
    joined = kb_of(ctx).redirects_joined(entries)  # an entry of a concept of its own name
    rows = [(e.entry.term + (f" → {_redirected(e, to)}" if e.entry.redirect
                             and e.id not in joined else ""),
             f"{where(e.entry.span.path)}:{e.entry.span.start_line}") for e in entries]
    if not terminal():
        for term, at in rows:
            click.echo(f"{field(term)}\t{field(at)}")
        return
    _list_on_terminal(rows)


def _redirected(e: StoredEntry, to: dict[int, str]) -> str:
    """The concept a redirect reached, unless that is the redirect's own name (its target
    was never found): then the target as written."""
    from grimoire.names import normalize

    label = to.get(e.id)
    return label if label and normalize(label) != normalize(e.entry.term) \
        else e.entry.redirect or ""


def _list_on_terminal(rows: list[tuple[str, str]]) -> None:
    """Each entry's name, then its file:line beside it, or under it when both would not fit:
    tab-separated on a terminal, 164 of a course's 304 lines ran past 80 columns, ragged."""
    from rich.cells import cell_len
    from rich.text import Text

    console = out()
    for term, at in rows:
        name, place = clean(term, lines=False), clean(at, lines=False)
        if cell_len(name) + 2 + cell_len(place) <= console.width:
            console.print(Text(name, style="bold") + Text("  ") + Text(place, style="dim"),
                          soft_wrap=True)
        else:
            console.print(Text(name, style="bold"), soft_wrap=False)
            console.print(Text("    ") + Text(place, style="dim"), soft_wrap=False)


_ID_HELP = "The concept's id, when two concepts share NAME (the error lists them)."


def _pointing_at_search(e: NotFound, name: str) -> NotFound | None:
    """`e` with the search that may find `name`, when no spelling of it is known (None when
    one is): `show ADAM` on a glossary whose page is "ADAM Optimizer" said only "no concept
    named 'ADAM'" (round 36), where the web page links a search."""
    if e.suggestions or e.choices or "search" in str(e):
        return None
    if len(name) > 80:  # the command would be the whole name again (round 43: 18 KB of it)
        return NotFound(f"{e}; search your notes for it with grimoire search")
    typed = (f'"{name}"' if "'" in name and not any(c in name for c in '"$`\\!')
             else shlex.quote(name))  # `it's` as a shell takes it, not 'it'"'"'s'
    return NotFound(f"{e}; search your notes for it: grimoire search {typed}")


@main.command()
@click.argument("name_words", metavar="NAME...", nargs=-1, required=True)
@click.option("--id", "concept_id", metavar="ID", help=_ID_HELP)
@json_option
@click.pass_context
@handle_errors
def show(ctx: click.Context, name_words: tuple[str, ...], concept_id: str | None,
         as_json: bool) -> None:
    """Show a concept by any of its names: what each source says (file:line), formulas,
    references, see-also, why entries were merged, links out, wanted links, backlinks.

    Example: grimoire show lora
    """
    from grimoire._cli_concepts import Piped, narrow, render_concept

    # `show Self attention`, as `search` and `ask` take their words: unquoted, the name's
    # second word was "Got unexpected extra argument (attention)" (round 34).
    name = words(name_words, "name")
    kb = kb_of(ctx)
    try:
        concept = kb.concept(name, concept_id=concept_id)
    except NotFound as e:
        titled = kb.documents_titled(name) if concept_id is None else []
        if titled:  # a search hit's document title that names no concept ("Glossary")
            _show_documents(name, titled, as_json)
            return
        wanted = kb.wanted_page(name) if not as_json else None
        if wanted is not None:  # a red link's name: say where it is wanted, as the web page does
            places = ", ".join(f"{where(s.path)}:{s.start_line}" for s in wanted.spans[:10])
            raise NotFound(f"{e}; {wanted.count} link{'s' if wanted.count != 1 else ''} "
                           f"want it: {places}", e.suggestions, e.choices) from e
        if not as_json:
            hinted = _pointing_at_search(e, name)
            if hinted is None:
                raise
            raise hinted from e
        # A script asked for JSON: it gets JSON on stdout, with the suggestions, and exit 1.
        emit_json({**serialize.not_found(e), "name": name})
        sys.exit(1)
    # by the concept found: a label shared by two concepts is a name of neither
    copies = kb.near_duplicates(concept.label, concept_id=concept.id)
    said = kb.said(concept)  # a page named by its title: its note's opening words
    if as_json:
        emit_json(serialize.concept(concept, copies, said))
        return
    # piped, without rich (issue 14) when its heading's rule is measured as rich measures it
    piped = not terminal() and narrow(f"{concept.label} · {concept.kind or ''}")
    render_concept(Piped() if piped else out(), concept, where, copies,
                   kb.namesakes(concept), said, dollars_of(kb))


def _show_documents(title: str, titled: list[tuple[Span, list[str]]], as_json: bool) -> None:
    """The documents titled `title` (`Grimoire.documents_titled`), as `show` gives a name no
    concept has: search prints a hit's document title, and `show` of it said "no concept"."""
    if as_json:
        emit_json({"document": title, "documents": [
            {"path": s.path, "start_line": s.start_line, "end_line": s.end_line,
             "concepts": labels} for s, labels in titled]})
        return
    echo = out()
    echo.print(f"'{clean(title)}' is the title of a document, not a concept's name:",
               markup=False)
    for span, labels in titled:
        echo.print(f"  {where(span.path)}:{span.start_line}-{span.end_line}", markup=False)
        if labels:
            shown = ", ".join(labels[:30]) + (f" and {len(labels) - 30} more"
                                              if len(labels) > 30 else "")
            echo.print(f"    its concepts: {clean(shown)}", markup=False)


GRAPH_LIMIT = 500  # concepts `graph` shows at most
WHOLE_GRAPH = 2000  # concepts `graph` with no name lists at most (the web's graph page's limit)


@main.command()
@click.argument("name_words", metavar="[NAME...]", nargs=-1)
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 6),
              help="How many links away to go.")
@click.option("--id", "concept_id", metavar="ID", help=_ID_HELP)
@click.option("--dot", "as_dot", is_flag=True, help="Print Graphviz DOT.")
@json_option
@click.pass_context
@handle_errors
def graph(ctx: click.Context, name_words: tuple[str, ...], depth: int, concept_id: str | None,
          as_dot: bool, as_json: bool) -> None:
    """The concepts linked to NAME, up to --depth links away, in either direction; with no
    NAME, every concept and link (as the web's graph page, up to 2,000 concepts).

    Example: grimoire graph LoRA --depth 2 --dot | dot -Tsvg > lora.svg
    """
    from grimoire._cli_concepts import plain_graph, render_graph

    if not name_words:  # /api/graph with no concept: the same record, without the drawing
        from grimoire.graph import Graph

        whole = kb_of(ctx).whole_graph(WHOLE_GRAPH)
        if as_json:
            emit_json(serialize.graph_view(whole or Graph((), ()), None, depth, whole=True,
                                           truncated=whole is None))
        elif whole is None:
            raise GrimoireError(f"more than {WHOLE_GRAPH:,} concepts: too many to list at "
                                "once; name one (grimoire graph NAME)")
        elif as_dot:
            click.echo(clean(whole.to_dot()), nl=False)
        elif terminal() or not plain_graph(whole, whole=True):
            render_graph(out(), whole, whole=True)
        return
    name = words(name_words, "name")
    try:
        g = kb_of(ctx).graph(name, depth=depth, limit=GRAPH_LIMIT, concept_id=concept_id)
    except NotFound as e:
        if not as_json:
            hinted = _pointing_at_search(e, name)
            if hinted is None:
                raise
            raise hinted from e
        # as `show --json` and /api/graph: a script gets JSON on stdout, and exit 1
        emit_json({**serialize.not_found(e), "name": name})
        sys.exit(1)
    # `--depth 6` of a linked base stopped at the limit and said nothing (round 43): said
    # here, in the JSON as /api/graph says it, and on stderr beside the DOT.
    cut = len(g.nodes) >= GRAPH_LIMIT
    if as_json:
        emit_json(serialize.graph_view(g, g.nodes[0].label if g.nodes else name, depth,
                                       truncated=cut))
    elif as_dot:
        click.echo(clean(g.to_dot()), nl=False)
    else:
        piped = not terminal() and plain_graph(g)  # piped, no rich (issue 14)
        if not piped:
            render_graph(out(), g)
        if depth and len(g.nodes) == 1 and not g.edges:
            # A lone "● Layer Normalization" looked like output cut short (round 35: a folder
            # of paper notes that link only to arXiv).
            if piped:
                click.echo("  no link to or from another concept")
            else:
                out().print("  [dim]no link to or from another concept[/dim]")
    if cut and not as_json:
        said = f"cut at {GRAPH_LIMIT:,} concepts: a smaller --depth shows every one"
        if _tty(sys.stderr):
            err().print(said, highlight=False, markup=False)
        else:  # as rich prints it piped (`_cli_ingest._say`)
            click.echo(said, err=True)


@main.command()
@click.option("--failed", is_flag=True, help="Only files that could not be read.")
@click.option("--problems", is_flag=True,
              help="Only files with warnings or failures, then each warning with its line.")
@json_option
@click.pass_context
@handle_errors
def sources(ctx: click.Context, failed: bool, problems: bool, as_json: bool) -> None:
    """Every file seen: format, status, and why it was skipped or failed.

    Example: grimoire sources --failed
    """
    records = kb_of(ctx).sources(failed=failed)
    if problems:  # what ingest's "see the warnings" hint sends one to, not every file read well
        records = [r for r in records if r.problems or r.status == "failed"]
    if as_json:
        emit_json(records)
        return
    if not records:  # on a terminal an empty table (a header, no rows) read as broken
        err().print("no file failed" if failed else "no file has a warning or failed"
                    if problems else "no file has been ingested", highlight=False)
        return
    rows = []
    for r in records:
        count = len(r.problems)
        note = r.reason or (f"{count} warning{'s' if count != 1 else ''}" if count else "")
        rows.append([where(r.path), r.format or "", r.status,
                     str(r.entries) if r.status == "ok" else "", note])
    print_table(["file", "format", "status", "entries", "note"], rows, fold=("file", "note"),
                numbers=("entries",), paths=("file",))
    if problems:
        for r in records:
            for p in r.problems:
                _finding(f"{field(where(p.span.path))}:{p.span.start_line}", p.message, indent=0)
    if failed and records:
        sys.exit(1)


_LINT_SHOWN = 10  # findings a group shows on a terminal when several groups are shown


def _finding(place: str, message: str, indent: int = 2) -> None:
    """`file:line: message`, one line as a compiler prints it when piped (grep, an editor's
    jump list). On a terminal a line wider than it ends at `file:line:` and the message
    wraps between words under it, 4 columns in: lint on all.db printed lines of up to 290
    columns, which the terminal broke mid-word and mid-path (round 44)."""
    from rich.text import Text

    head = Text(" " * indent + f"{clean(place, lines=False)}:")
    body = Text(clean(message, lines=False))
    if not terminal() or head.cell_len + 1 + body.cell_len <= out().width:
        out().print(head + " " + body, soft_wrap=True)
        return
    out().print(head, soft_wrap=True)
    _prose(body, indent=indent + 4)


@main.command()
@click.option("--group", "groups", multiple=True, help="Only these groups (repeatable).")
@json_option
@click.pass_context
@handle_errors
def lint(ctx: click.Context, groups: tuple[str, ...], as_json: bool) -> None:
    """What a careful editor would fix, grouped and counted; exit 1 when there are findings.

    Groups: wanted, dead-link, empty, see-only, broken-math, arithmetic, near-duplicate,
    conflict.

    Example: grimoire lint --group arithmetic
    """
    from grimoire.lint import GROUPS

    unknown = [g for g in groups if g not in GROUPS]
    if unknown:  # else `--group wanted-pages` printed "clean" and exited 0
        raise click.BadParameter(f"{unknown[0]!r} is not one of {', '.join(GROUPS)}",
                                 param_hint="--group")
    kb = kb_of(ctx)
    # `_tty` first: piped, rich's console is not asked (nor imported to be)
    if not as_json and _tty(sys.stderr) and err().is_terminal:
        # A first check reads every passage and entry: all.db 17 s of a silent terminal on
        # a loaded machine. Said while it runs, as the /health page says it (round 46).
        from rich.live import Live
        from rich.spinner import Spinner

        stats = kb.stats()
        said = f"checking {stats.passages:,} passages and {stats.entries:,} entries for problems…"
        with Live(Spinner("dots", said), console=err(), transient=True):  # drawn at once
            report = kb.lint(groups)
    else:
        report = kb.lint(groups)
    by_group = report.by_group()
    if groups:
        by_group = {g: fs for g, fs in by_group.items() if g in groups}
    if as_json:
        emit_json(serialize.lint_report(report, groups))
    elif not terminal():  # as rich prints it piped, without importing it (issue 14)
        lines = []
        for group, findings in by_group.items():
            lines.append(f"{group} ({len(findings)})")
            lines += (f"  {clean(f'{where(f.span.path)}:{f.span.start_line}', lines=False)}: "
                      f"{clean(f.message, lines=False)}" for f in findings)
        click.echo("\n".join([*lines, _lint_total(by_group)]))
    else:
        # On a terminal, a group of hundreds (a glossary's title-only stubs) pushed every other
        # group off the screen: each shows its first lines and how to see the rest. A pipe, or
        # a group asked for by name, gets every finding.
        cap = _LINT_SHOWN if terminal() and not groups and len(by_group) > 1 else None
        for group, findings in by_group.items():
            out().print(f"[bold]{safe(group)}[/bold] ({len(findings)})")
            for f in findings[:cap]:
                _finding(f"{where(f.span.path)}:{f.span.start_line}", f.message)
            if cap is not None and len(findings) > cap:
                out().print(f"  … {len(findings) - cap} more: grimoire lint --group {group}",
                            highlight=False, markup=False)
        out().print(_lint_total(by_group))
    if any(by_group.values()):
        sys.exit(1)


def _lint_total(by_group: dict[str, list[Finding]]) -> str:
    """`lint`'s last line: how many findings in how many groups, or "clean"."""
    total = sum(len(fs) for fs in by_group.values())
    return (f"{total} finding{'s' if total != 1 else ''} in {len(by_group)} "
            f"group{'s' if len(by_group) != 1 else ''}" if total else "clean")


@main.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "semantic"]), default="hybrid",
              show_default=True, help="Words, meaning, or both fused.")
@click.option("-k", "k", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many results.")
@click.option("--source", help="Only this file, or files under this folder.")
@click.option("--format", "fmt", type=ReaderChoice(), cls=ReaderOption,
              help="Only documents read as this format.")
@click.option("--tag", help="Only documents with this tag.")
@json_option
@click.pass_context
@handle_errors
def search(ctx: click.Context, query: tuple[str, ...], mode: str, k: int, source: str | None,
           fmt: str | None, tag: str | None, as_json: bool) -> None:
    """Find the concepts and passages that match a name or a description.

    Example: grimoire search "fine-tune a big model by training two low-rank matrices"
    """
    from grimoire.showing import same_as, told_apart, whole_formulas

    text = words(query, "query")
    if source is not None:  # as ingest stores paths: absolute, symlinks kept
        source = storable(os.path.abspath(source))  # noqa: PTH100
    loading = _start_once(ctx, embeds=mode != "lexical", text=text)
    with _said_loading(loading, "searching", as_json):
        kb = kb_of(ctx)
        # Counted before the search: in a new process the model is still loading now, and the
        # counts (0.1 s at 1M passages) cost nothing while the search would wait for it anyway.
        status = kb.vector_status() if mode != "lexical" else None
        hits = kb.search(text, k=k, mode=mode, source=source, format=fmt, tag=tag)
        hits = told_apart(kb, hits, text)  # concepts one passage shows: each its own words
    read_only()
    # Only its nearest in meaning, or "no results" whatever the query: say why.
    notice = kb.search_notice(text, hits, mode, source=source, format=fmt, tag=tag, k=k)
    if status is not None and not (notice and notice.get("no_word")):
        # (Nothing searched, no vectors used: how many are missing would only confuse.)
        _cli_ingest.vector_notice(status, as_json)
    _search_notice(notice, as_json)
    if as_json:
        emit_json(hits)
        return
    if not hits:
        # A store holding no note (a folder of images ingested by mistake): say so, as the
        # web UI's home page does, not a bare "no results" for every query (round 34).
        nothing = not kb.stats().documents
        click.echo("no results: nothing is ingested yet (grimoire ingest ~/notes)" if nothing
                   else "no results", err=True)
        return
    from grimoire.search import MARKED

    styled = terminal()
    twins = same_as(hits)
    shown = dollars_of(kb)
    for n, hit in enumerate(hits, 1):
        # no part of a formula its window cut ("… \\rVert}$)" began examples/' RAG hit), as
        # the web and MCP show it
        snippet = whole_formulas(shown([hit.span], hit.snippet))
        name = hit.concept or hit.title
        heading = " > ".join(hit.heading_path)
        place = f"{where(hit.span.path)}:{hit.span.start_line}"
        if hit.span.end_line != hit.span.start_line:  # `:53`, as ask and show cite it
            place += f"-{hit.span.end_line}"
        if heading:
            place += f" · {heading}"
        also = _copies_line(hit.copies)
        twin = twins[n - 1]
        said = (f"(the same passage as {twin}. {hits[twin - 1].concept or hits[twin - 1].title})"
                if twin else None)
        # under the name, past its number: hit 10's lines began a column left of its name
        pad = len(f"{n}. ")
        if not styled:  # the lines rich prints when piped, without its markup
            click.echo(f"{n}. {field(name)}  {field(place)}")
            # A list item begins a line of the snippet (`search.snippet`), under the indent.
            click.echo(" " * pad + (field(said) if said else MARKED.sub(
                r"\1", clean(snippet)).replace("\n", "\n" + " " * pad)))
            if also:
                click.echo(" " * pad + field(also))
            continue
        _heading(f"[bold]{n}. {safe(name, lines=False)}[/bold]  "
                 f"[dim]{safe(place, lines=False)}[/dim]", hang=pad)
        if said:
            _heading(f"[dim]{safe(said, lines=False)}[/dim]", hang=pad)
        else:
            _prose(_marked(snippet), indent=pad)
        if also:
            _heading(f"[dim]{safe(also, lines=False)}[/dim]", hang=pad)


def _copies_line(copies: tuple[Span, ...]) -> str:
    """Where other files nearly repeat a hit's passage (search's COPIES): "also in 6 other
    files: a.md:57, b.md:90, c.md:50, ..." (the first three)."""
    if not copies:
        return ""
    places = ", ".join(f"{where(s.path)}:{s.start_line}" for s in copies[:3])
    more = ", ..." if len(copies) > 3 else ""
    files = "file" if len(copies) == 1 else "files"
    return f"also in {len(copies)} other {files}: {places}{more}"


def _search_notice(notice: dict[str, Any] | None, as_json: bool) -> None:
    """On stderr, before the hits: that none of the query's words is in the notes (the hits
    of `qwzx vvbnm` came silently, as if they matched), or that no note passes the filters
    ("no results" for `--format pdf` said nothing of why)."""
    if notice is None:
        return
    if as_json:
        click.echo(json.dumps(notice), err=True)
        return
    err().print(f"[yellow]note:[/yellow] {safe(notice['notice'], lines=False)}",
                highlight=False)


def _heading(markup: str | Text, hang: int) -> None:
    """A hit's or a citation's first line (number, name, file:lines, section). On a terminal
    it wraps at the terminal's width, its later lines `hang` columns in (an 80-column one
    broke a long path or section mid-word and ran it on at the margin); piped, one line.
    No emoji codes: `:rocket:` in a name or a path is shown as written, as piped (round 51)."""
    from rich.text import Text

    text = markup if isinstance(markup, Text) else Text.from_markup(markup, emoji=False)
    if not terminal():
        out().print(text, soft_wrap=True)
        return
    # A separator (" · " before the section, " > " between headings) goes to the next line
    # with the word after it: rich breaks at any space, and a line ended with a lone "·" or
    # ">" (round 47). The space after it is a stand-in of one cell while the text is wrapped.
    glued = text if _GLUE in text.plain else Text(
        _SEPARATOR.sub(r"\1" + _GLUE, text.plain), style=text.style, spans=text.spans)
    for n, line in enumerate(glued.wrap(out(), wrap_width(out().width, hang))):
        line.rstrip()
        line = Text(line.plain.replace(_GLUE, " "), style=line.style, spans=line.spans)
        out().print(Text(" " * hang if n else "") + line, soft_wrap=True)


def wrap_width(width: int, taken: int) -> int:
    """The width to wrap text at on a terminal `width` columns wide, beside the `taken` columns
    of its indent and hang, so that every line fits: at 20-22 columns a floor of 20 (kept
    however much the indent took) made the hung lines 1-3 columns wider than the terminal.
    Never under 10: a terminal too narrow for that is too narrow to read anyway."""
    return max(10, width - taken)


_GLUE = "\ue000"  # a private-use character: one cell, no space to rich's wrap
_SEPARATOR = re.compile(r"( [·>]) (?=\S)")


_AT_PLACE = re.compile(r"\S+:\d+:")  # an error that begins with `file:line:`
_ITEM_START = re.compile(r"(?:[-*+•]|\d{1,3}[.)]) ")  # a line that is a list item


def _prose(text: Text | str, indent: int = 0) -> None:
    """Prose under a heading line. On a terminal rich wraps it at the terminal's width under
    its indent (left to the terminal, an 80-column one broke words and ran on at the margin);
    piped, it stays one line."""
    from rich.text import Text

    body = text if isinstance(text, Text) else Text(clean(text))
    if not terminal():  # each of its lines (a snippet's list items) under the indent
        for line in body.split("\n"):
            out().print(Text(" " * indent) + line, soft_wrap=True)
        return
    for part in body.split("\n"):
        # A list item's lines wrap under its text, past its marker ("- ", "12. ").
        hang = len(item.group()) if (item := _ITEM_START.match(part.plain)) else 0
        for n, line in enumerate(part.wrap(out(), wrap_width(out().width, indent + hang))):
            line.rstrip()  # no trailing blanks to copy with the text
            out().print(Text(" " * (indent + (hang if n else 0))) + line, soft_wrap=True)




def _marked(snippet: str) -> Text:
    """A hit's snippet, its «marked» words bold yellow. Built as rich Text, never
    parsed as markup: a backslash before a mark (`\\«cos»` in LaTeX) escaped the opening tag,
    and the closing one then raised MarkupError; a « or » of the note's own stays as it is."""
    from rich.text import Text

    from grimoire.search import MARKED

    text = Text()
    shown = clean(snippet)
    at = 0
    for m in MARKED.finditer(shown):
        text.append(shown[at : m.start()])
        text.append(m.group(1), style="bold yellow")
        at = m.end()
    text.append(shown[at:])
    return text


@main.command()
@click.argument("question", nargs=-1, required=True)
@click.option("-k", "k", type=click.IntRange(1, 100), default=8, show_default=True,
              help="How many search hits to answer from.")
@click.option("--llm", "llm_url", metavar="URL|FILE.gguf",
              help="An OpenAI-compatible server (…/v1) or a GGUF file writes the answer.")
@click.option("--model", help="The model name the server should use.")
@click.option("--llm-key-env", default="GRIMOIRE_LLM_KEY", show_default=True,
              help="Environment variable holding the server's API key "
                   "(OPENAI_API_KEY is tried when this one is unset).")
# The default is grimoire.llm.DEFAULT_DEADLINE, written out: importing grimoire.llm (http and
# email modules) would cost every command 30 ms to start.
@click.option("--llm-deadline", type=click.FloatRange(1, 3600), metavar="SECONDS",
              help="Longest time the server may take for its whole answer.  [default: 180]")
@json_option
@click.pass_context
@handle_errors
def ask(ctx: click.Context, question: tuple[str, ...], k: int, llm_url: str | None,
        model: str | None, llm_key_env: str, llm_deadline: float | None, as_json: bool) -> None:
    """Answer a question from your notes, citing file and line; or say they do not cover it.

    Example: grimoire ask "what does LoRA replace an N x M weight update with?"
    """
    text = words(question, "question")
    key = os.environ.get(llm_key_env) or os.environ.get("OPENAI_API_KEY") if llm_url else None
    loading = _start_once(ctx, embeds=True, text=text)
    streamed: list[str] = []
    # (A model that writes the answer streams it on stdout: the line goes before that.)
    said = _said_loading(loading, "finding the passages to answer from", as_json)

    def show(piece: str) -> None:
        said.stop()
        streamed.append(piece)
        out().print(safe(piece), end="", highlight=False, soft_wrap=True)

    on_text = show if (llm_url and not as_json) else None
    with said:
        answer = kb_of(ctx).ask(text, llm=llm_url, model=model, k=k, api_key=key,
                                on_text=on_text, llm_deadline=llm_deadline)
    read_only()
    if as_json:
        emit_json(answer)
        return
    from dataclasses import replace

    written = answer.answer  # as the model wrote it, to tell what the checks changed
    shown = dollars_of(kb_of(ctx))
    answer = replace(answer, answer=shown([c.span for c in answer.citations], answer.answer),
                     citations=tuple(replace(c, quote=shown([c.span], c.quote))
                                     for c in answer.citations))
    if not streamed and not terminal() and _plain_answer(answer):
        return
    from rich.text import Text

    if streamed:
        out().print()
        if "".join(streamed).strip() != written.strip():
            # What the model streamed was cleaned further once its citations were known.
            out().print("[dim]checked answer:[/dim] " + safe(answer.answer), highlight=False)
    else:
        _prose(answer.answer)
    for c in answer.citations:
        loc = f"{where(c.span.path)}:{c.span.start_line}"
        if c.span.end_line != c.span.start_line:
            loc += f"-{c.span.end_line}"
        heading = Text.from_markup(f"[bold][{c.n}][/bold] [dim]{safe(loc, lines=False)}[/dim]",
                                   emoji=False)
        if c.concept:  # as Text: markup's escape doubled a last "\" with no tag after it
            heading.append(f" ({clean(c.concept, lines=False)})")
        _heading(heading, hang=4)
        _prose(c.quote, indent=4)


def _plain_answer(answer: Answer) -> bool:
    """Piped, an answer and its citations as rich prints them there (`_prose`, `_heading`: a
    line as it is, markup taken off), without importing rich's console (~40 modules, 25-40 ms
    of a one-shot `ask`, issue 14), as a piped search prints its hits. Not when a tab is in
    it (rich sets tabs out in spaces by its cell widths): False, printed by rich."""
    texts = [answer.answer, *(c.quote for c in answer.citations),
             *(c.concept or "" for c in answer.citations)]
    if any("\t" in t for t in texts):
        return False

    def split(text: str) -> list[str]:  # as rich's `Text.split`: no line after a last "\n"
        parts = clean(text).split("\n")
        return parts[:-1] if len(parts) > 1 and not parts[-1] else parts

    lines = split(answer.answer)
    for c in answer.citations:
        loc = f"{where(c.span.path)}:{c.span.start_line}"
        if c.span.end_line != c.span.start_line:
            loc += f"-{c.span.end_line}"
        about = f" ({clean(c.concept, lines=False)})" if c.concept else ""
        lines.append(f"[{c.n}] {clean(loc, lines=False)}{about}")
        lines += ("    " + line for line in split(c.quote))
    click.echo("\n".join(lines))
    return True


def _start_once(ctx: click.Context, *, embeds: bool,
                text: str | None = None) -> Callable[[], bool] | None:
    """Ready a command that answers once (search, ask) for its cold start: one BLAS thread (no
    product goes through BLAS, and the threads OpenBLAS starts with numpy spin for ~90 ms of
    CPU) and, when it `embeds` with the packaged model, that model loading on a thread while
    the store opens (`grimoire._preload`), then embedding `text` (the query) there too.

    Returns what says whether the model is loading now (for `_said_loading`), or None: that
    thread's `is_alive`; for a database URL, which starts no such thread (the search loads the
    model once it has asked the store for vectors), the model's own `is_loading` (the load was
    silent there, round 48)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    db, embedder = ctx.obj
    if embeds and embedder is None:
        from grimoire import _preload

        if "://" in db:
            from grimoire.embed import default_embedder

            return default_embedder().is_loading
        loading = _preload.start(db, text)
        return None if loading is None else loading.is_alive
    return None


class _said_loading:  # noqa: N801 - used as a `with` statement, like contextlib's
    """While the embedding model loads (4-7 s on a loaded machine, and a search or a question
    said nothing meanwhile: `loading()` is true), a spinner on a terminal's stderr says so,
    then what the command does (`doing`) until the block ends; gone once it has. Piped, under
    --json, or with no model to load: nothing. `stop` ends it early, once (`ask`, when a
    model's answer begins to stream)."""

    def __init__(self, loading: Callable[[], bool] | None, doing: str, as_json: bool) -> None:
        self.live: Any = None
        # `_tty` first: piped, rich (25-60 ms of CPU of a one-shot search or ask) is not imported;
        # where it says a terminal, rich's own test decides (it also rules out Jupyter).
        if loading is None or as_json or not _tty(sys.stderr) or not err().is_terminal:
            return
        from rich.live import Live
        from rich.spinner import Spinner

        spinner = Spinner("dots")

        def said() -> Any:
            spinner.update(text=("loading the embedding model…" if loading()
                                 else f"{doing}…"))
            return spinner

        self.live = Live(get_renderable=said, console=err(), transient=True,
                         redirect_stdout=False, redirect_stderr=False)

    def __enter__(self) -> _said_loading:
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.live is not None:
            live, self.live = self.live, None
            live.stop()


_quick_exit = False


def read_only() -> None:
    """Called by a command once its answer is computed (search, ask): nothing it does after
    that writes but its output. (A search may have brought the concepts current first; that is
    committed, and the store closed, before `run` sees the command end.)"""
    global _quick_exit
    _quick_exit = True


def run(prog_name: str | None = None) -> None:
    """The `grimoire` command (and `python -m grimoire`): `main`, then, after `read_only`
    commands, `os._exit`.

    Tearing the interpreter down frees every module and object one by one: about 0.12 s of
    CPU after a hybrid search (numpy, onnxruntime, the model), a tenth of its cold start, for
    a process that has nothing left to write. The store is closed by then (`kb_of`), and the
    output flushed here; any other command, or an error, exits the usual way, and so does a
    process under a profiler or a tracer (cProfile, coverage), which writes its report at exit.
    """
    global _quick_exit
    _quick_exit = False
    try:
        main(prog_name=prog_name)
    except SystemExit as done:
        if not _quick_exit or not isinstance(done.code, int | None) or _observed():
            raise
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:  # None: the descriptor was closed when Python started
                    stream.flush()
        except (OSError, ValueError):  # a closed pipe or file: the usual exit reports it
            raise done from None
        os._exit(done.code or 0)


def _observed() -> bool:
    """A profiler or a tracer watches this process (and writes its report at exit)."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    # Python 3.12 and later: cProfile and coverage may use sys.monitoring instead.
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(
        monitoring.get_tool(tool) is not None for tool in range(6))


from grimoire import (  # noqa: E402 - register above
    _cli_export,
    _cli_ingest,
    _cli_store,
    _cli_store_migrate,
)
from grimoire._cli_live import mcp, watch  # noqa: E402
from grimoire._cli_web import serve  # noqa: E402

# One line and exit 1 for their errors too: a --db that does not exist, or a port in use,
# ended `serve`, `mcp` and `watch` in a traceback.
for _command in (serve, mcp, watch):
    assert _command.callback is not None
    _command.callback = handle_errors(_command.callback)

_cli_store.register(main)
_cli_ingest.register(main)
main.add_command(serve)
_cli_store_migrate.register(main)
_cli_export.register(main)
main.add_command(mcp)
main.add_command(watch)
