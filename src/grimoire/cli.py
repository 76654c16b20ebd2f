"""The `grimoire` command: parse options, call one API function, render the result."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

import grimoire
from grimoire.codec import to_data
from grimoire.errors import GrimoireError, NotFound
from grimoire.readers import READERS

F = TypeVar("F", bound=Callable[..., Any])

out = Console(soft_wrap=True)
err = Console(stderr=True)


def where(path: str) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def emit_json(value: Any) -> None:
    click.echo(json.dumps(to_data(value), ensure_ascii=False, indent=2, default=str))


def print_table(headers: list[str], rows: list[list[str]], fold: tuple[str, ...] = ()) -> None:
    """A rich table on a terminal; tab-separated lines when piped, so nothing is cut."""
    if not out.is_terminal:
        for row in rows:
            click.echo("\t".join(row))
        return
    table = Table(expand=False)
    for h in headers:
        table.add_column(h, overflow="fold" if h in fold else "ellipsis")
    for row in rows:
        table.add_row(*row)
    out.print(table)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def handle_errors(f: F) -> F:
    """One line and exit 1 for a GrimoireError; a traceback only under --debug."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except GrimoireError as e:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            err.print(f"[red]error:[/red] {e}", highlight=False)
            if isinstance(e, NotFound) and e.suggestions:
                err.print("did you mean: " + ", ".join(e.suggestions), highlight=False)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group()
@click.option("--db", envvar="GRIMOIRE_DB", default="grimoire.db", show_default=True,
              help="Database file (or URL). Env: GRIMOIRE_DB.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="grimoire")
@click.pass_context
def main(ctx: click.Context, db: str, debug: bool) -> None:
    """Grimoire: read your AI/ML notes, in any format, into one searchable knowledge base.

    Example: grimoire ingest ~/notes && grimoire list
    """
    ctx.obj = db


def kb_of(ctx: click.Context) -> grimoire.Grimoire:
    kb = grimoire.open(ctx.obj)
    ctx.call_on_close(kb.close)
    return kb


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice([r.name for r in READERS]),
              help="Read every file as this format instead of detecting it.")
@json_option
@click.pass_context
@handle_errors
def ingest(ctx: click.Context, paths: tuple[str, ...], fmt: str | None, as_json: bool) -> None:
    """Read files and folders into the database; unchanged files are skipped.

    Example: grimoire ingest ~/notes ~/Downloads/glossary.txt
    """
    kb = kb_of(ctx)
    show = err.is_terminal and not as_json
    with Progress(TextColumn("[bold]reading"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), TextColumn("{task.description}"),
                  console=err, transient=True, disable=not show) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, path: str) -> None:
            bar.update(task, completed=done, total=total, description=where(path)[-40:])

        report = kb.ingest(list(paths), format=fmt, progress=progress)
    if as_json:
        emit_json({**to_data(report), "read": report.read})
    else:
        out.print(
            f"read {report.read} (new {report.added}, updated {report.updated}) · "
            f"unchanged {report.unchanged} · removed {report.removed} · failed {report.failed} · "
            f"not notes {report.skipped} · attachments {report.attachments} · "
            f"warnings {report.problems}", highlight=False)
        for record in report.failures:
            err.print(f"[red]failed[/red] {where(record.path)}: {record.reason}", highlight=False)
        if report.problems:
            err.print("see the warnings with: grimoire sources --problems", highlight=False)
    if report.failed:
        sys.exit(1)


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
    print_table(["format", "documents", "passages", "entries", "links"], rows)
    out.print(f"{s.sources} files seen, {s.failed} failed", highlight=False)


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
        emit_json([{"term": e.entry.term, "source": e.entry.span.path,
                    "line_start": e.entry.span.start_line, "line_end": e.entry.span.end_line,
                    "format": e.format, "redirect": e.entry.redirect} for e in entries])
        return
    for e in entries:
        term = e.entry.term + (f" → {e.entry.redirect}" if e.entry.redirect else "")
        click.echo(f"{term}\t{where(e.entry.span.path)}:{e.entry.span.start_line}")


@main.command()
@click.argument("name")
@json_option
@click.pass_context
@handle_errors
def show(ctx: click.Context, name: str, as_json: bool) -> None:
    """Show an entry: term, aliases, definition, and where each source says it.

    Example: grimoire show "LoRA"
    """
    found = kb_of(ctx).entry(name)
    if as_json:
        emit_json(found)
        return
    for stored in found:
        e = stored.entry
        out.rule(f"[bold]{e.term}[/bold]  [dim]{where(e.span.path)}:{e.span.start_line}"
                 f"-{e.span.end_line} ({stored.format})[/dim]")
        if e.aliases:
            out.print("aliases: " + ", ".join(e.aliases), highlight=False)
        if e.redirect:
            out.print(f"see: {e.redirect}", highlight=False)
        for gloss in e.glosses:
            out.print(f"~ {gloss}", highlight=False)
        if e.definition:
            out.print(e.definition, highlight=False)
        elif not e.redirect:
            out.print("[dim](no definition)[/dim]")
        if e.see_also:
            out.print("see also: " + ", ".join(
                link.target + ("" if link.exists_hint is not False else " (no entry)")
                for link in e.see_also), highlight=False)
        for ref in e.references:
            out.print(f"  • {ref.label} {ref.url}", highlight=False)


@main.command()
@click.option("--failed", is_flag=True, help="Only files that could not be read.")
@click.option("--problems", is_flag=True, help="Also list each warning with its line.")
@json_option
@click.pass_context
@handle_errors
def sources(ctx: click.Context, failed: bool, problems: bool, as_json: bool) -> None:
    """Every file seen: format, status, and why it was skipped or failed.

    Example: grimoire sources --failed
    """
    records = kb_of(ctx).sources(failed=failed)
    if as_json:
        emit_json(records)
        return
    rows = []
    for r in records:
        note = r.reason or (f"{len(r.problems)} warnings" if r.problems else "")
        rows.append([where(r.path), r.format or "", r.status,
                     str(r.entries) if r.status == "ok" else "", note])
    print_table(["file", "format", "status", "entries", "note"], rows, fold=("file", "note"))
    if problems:
        for r in records:
            for p in r.problems:
                out.print(f"{where(p.span.path)}:{p.span.start_line}: {p.message}", highlight=False)
    if failed and records:
        sys.exit(1)
