"""`grimoire ingest` and `grimoire embed`: searchable at once, vectors in the background."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

import grimoire
from grimoire import serialize
from grimoire._term import clean, packed, safe
from grimoire.errors import GrimoireError

if TYPE_CHECKING:
    # Imported on use: a search need not load the worker's process and lock modules.
    from grimoire._background import VectorStatus

POLL_SECONDS = 0.5


class ReaderChoice(click.Choice):  # type: ignore[type-arg]
    """The reader names, listed only when asked."""

    def __init__(self) -> None:
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from grimoire.readers import FORMATS

        return tuple(f.name for f in FORMATS)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """FORMAT, its names in the option's help (`ReaderOption`): "[pdf|notebook|...|text]"
        was 86 columns wide once LaTeX was one (round 49), and click does not wrap it."""
        return "FORMAT"


class ReaderOption(click.Option):
    """`--format FORMAT`, the readers' names at the end of its help, wrapped as the help is."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None or not isinstance(self.type, ReaderChoice):
            return record
        return record[0], f"{record[1]} FORMAT: {', '.join(self.type.choices)}."


def _width(console: Any) -> int | None:
    """The width to break a line at: the terminal's, or None (piped: one line a record)."""
    return int(console.width) if console.is_terminal else None


def _say(text: str, whole: tuple[str, ...] = (), *, stderr: bool = False) -> None:
    """A line of our own words (no outside text, no markup) on stdout or stderr: through rich
    on a terminal (broken between words at its width, never inside a `whole` phrase); piped,
    as rich prints it there, a line as it is, without importing rich's console (~40 modules,
    25-80 ms of a piped `ingest`, issue 14). `_tty` says no terminal only where rich does."""
    from grimoire.cli import _tty, err, out

    if not _tty(sys.stderr if stderr else sys.stdout):
        click.echo(text, err=stderr)
        return
    console = err() if stderr else out()
    console.print(packed(text, _width(console), whole=whole), highlight=False, soft_wrap=True)


def _status_data(status: VectorStatus) -> dict[str, Any]:
    return {"have": status.have, "total": status.total, "missing": status.missing,
            "worker": status.worker}


def vector_notice(status: VectorStatus, as_json: bool) -> None:
    """On stderr: how much of the store semantic search does not cover yet, if any."""
    from grimoire.cli import _tty, err

    if not status.missing:
        return
    if as_json:
        click.echo(json.dumps({"vectors": _status_data(status)}), err=True)
        return
    how = (f"being embedded in the background (pid {status.worker})" if status.worker
           else "not embedded: run `grimoire embed`")
    said = (f"semantic search covers {status.have:,} of {status.total:,} passages and "
            f"entries; {status.missing:,} are {how}")
    if not _tty(sys.stderr):  # as rich prints it piped, without importing it (`_say`)
        click.echo(f"note: {said}", err=True)
        return
    err().print(packed(f"[yellow]note:[/yellow] {said}", _width(err()),
                       whole=(f"(pid {status.worker})",)), highlight=False, soft_wrap=True)


def _wait_and_embed(kb: grimoire.Grimoire, show: bool) -> Any:
    """Wait for a running background worker (showing its progress), then embed what is left."""
    from rich.progress import (  # on use: `grimoire search` starts faster without it
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from grimoire.cli import err

    # Counted before the bar is drawn: with nothing to embed it showed a pulsing "0/?" first.
    status = kb.vector_status()
    busy = status.missing > 0 or status.worker is not None
    with Progress(TextColumn("[bold]embedding"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err(), transient=True,
                  disable=not (show and busy)) as bar:
        task = bar.add_task("", total=status.total, completed=status.have)
        while status.worker is not None:
            bar.update(task, completed=status.have, total=status.total)
            time.sleep(POLL_SECONDS)
            status = kb.vector_status()
        base = status.have

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=base + done, total=base + total)

        return kb.embed(progress=progress)


@contextmanager
def reading_bar(show: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """The "reading" bar on stderr while files are read (`ingest`, `rebuild`): a `progress`
    for `Grimoire.ingest`, None when it is not `show`n."""
    if not show:  # piped or --json: no bar, and rich.progress (~30 ms) not imported
        yield None
        return
    from rich.progress import (  # on use: `grimoire search` starts faster without it
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from grimoire.cli import err, where

    with Progress(TextColumn("[bold]reading"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), TextColumn("{task.description}"),
                  console=err(), transient=True, disable=not show) as bar:
        # Drawn from the first file on: while the folders were listed it pulsed "0/?".
        task = bar.add_task("", total=None, visible=False)

        shown = [0.0]  # when the file name was last set

        def progress(done: int, total: int, path: str) -> None:
            # The bar redraws ten times a second: it is updated as often, not for every file
            # (formatting 10,000 paths cost about a second of an ingest, and each update
            # takes the bar's lock and records a speed sample in the writer).
            now = time.monotonic()
            if now - shown[0] < 0.1 and done < total:
                return
            shown[0] = now
            shown_path = where(path)  # its end, marked as cut: "rms/x.md" read as a folder
            if len(shown_path) > 40:
                shown_path = "…" + shown_path[-39:]
            bar.update(task, completed=done, total=total, visible=True,
                       description=safe(shown_path, lines=False))

        yield progress


_LINE_FIRST = re.compile(r"(\d+): (.*)", re.DOTALL)  # a reason that begins with its line


def register(main: click.Group) -> None:
    """Add `ingest` and `embed` to the `grimoire` group."""
    from grimoire.cli import (
        _tty,
        emit_json,
        err,
        handle_errors,
        json_option,
        kb_of,
        out,
        where,
    )

    @main.command()
    @click.argument("paths", nargs=-1, required=True, type=click.Path())
    @click.option("--format", "fmt", type=ReaderChoice(), cls=ReaderOption,
                  help="Read every file as this format instead of detecting it.")
    @click.option("--wait", is_flag=True,
                  help="Compute the vectors before returning (for scripts), instead of in a "
                       "background worker.")
    @click.option("--no-embed", is_flag=True,
                  help="Compute no vectors; add them later with `grimoire embed`.")
    @click.option("--prune", is_flag=True,
                  help="Remove the records of a folder that is now missing or empty.")
    @json_option
    @click.pass_context
    @handle_errors
    def ingest(
        ctx: click.Context, paths: tuple[str, ...], fmt: str | None, wait: bool,
        no_embed: bool, prune: bool, as_json: bool,
    ) -> None:
        """Read files and folders into the database; unchanged files are skipped.

        Returns once the files are read and the words indexed: lexical search works at once.
        Vectors for semantic search are then computed by a background worker (one per
        database; `grimoire embed --status` shows how far it is), or before returning with
        --wait. The worker first merges the notes' entries into concepts (without a new
        worker, ingest does so before returning).

        Example: grimoire ingest ~/notes ~/Downloads/glossary.txt
        """
        if wait and no_embed:
            raise click.UsageError("--wait and --no-embed contradict each other")
        kb = kb_of(ctx, create=True)
        # `_tty` first: piped, rich's console is not asked (nor imported to be)
        show = not as_json and _tty(sys.stderr) and err().is_terminal
        # The concepts are merged below: by the background worker when this starts one (it
        # does so first, 2.4 s of CPU for 10k new notes, so `ingest` returns that much
        # sooner: issue 14), else here before returning. A store left with stale concepts
        # cannot be searched once it is read-only, and damage a resolve meets is reported by
        # the ingest that wrote it.
        with reading_bar(show) as progress:
            report = kb.ingest(list(paths), format=fmt, progress=progress, embed=False,
                               prune=prune, resolve=False)
        from grimoire._background import VectorStatus

        status = kb.vector_status()
        handled = False  # the concepts merged here, or left to the worker started here
        # Why the concepts could not be merged (a grimoire.toml that is no TOML): said after
        # the summary, which it replaced (round 43: the files were read and stored, a
        # notebook had failed, and ingest said only the grimoire.toml's error).
        unmerged: GrimoireError | None = None
        try:
            if wait:
                handled = True
                kb.refresh()
                _wait_and_embed(kb, show)
                status = kb.vector_status()
            elif not no_embed and status.missing:
                running = status.worker  # a worker busy embedding does not look at concepts
                status = VectorStatus(status.have, status.total, kb.embed_in_background())
                handled = running is None
        except GrimoireError as e:
            unmerged = e
        finally:
            if not handled:  # also when the worker could not be started
                try:
                    kb.refresh()
                except GrimoireError as e:
                    unmerged = e
        if as_json:
            emit_json({**serialize.ingest_report(report), "vectors": _status_data(status)})
        else:
            counts = [f"read {report.read} (new {report.added}, updated {report.updated})",
                      f"unchanged {report.unchanged}", f"removed {report.removed}",
                      f"failed {report.failed}", f"not notes {report.skipped}",
                      f"attachments {report.attachments}", f"warnings {report.problems}"]
            whole = (*(f"{c} ·" for c in counts[:-1]), counts[-1])  # a "·" ends a line
            _say(" · ".join(counts), whole)
            for record in report.failures:
                # A reason that names its line ("2: not a notebook: invalid JSON") is
                # `file:line: reason`, as every other error prints (it read "broken.ipynb:
                # 2: not a notebook").
                reason = record.reason or ""
                lined = _LINE_FIRST.fullmatch(reason)
                at = f":{lined[1]}" if lined else ""
                err().print(f"[red]failed[/red] {safe(where(record.path), lines=False)}{at}: "
                            f"{safe(lined[2] if lined else reason, lines=False)}", highlight=False)
            for notice in report.notices:
                err().print(f"[yellow]warning:[/yellow] {safe(notice, lines=False)}",
                            highlight=False)
            if report.problems:
                _say("see the warnings with: grimoire sources --problems", stderr=True)
            if status.missing and status.worker is not None:
                _say(f"searchable now; embedding {status.missing:,} passages and entries in "
                     f"the background (pid {status.worker}): `grimoire embed --status` shows "
                     "progress", (f"(pid {status.worker}):",), stderr=True)
        if unmerged is not None:
            raise unmerged
        if report.failed:
            sys.exit(1)

    @main.command()
    @click.option("--status", "show_status", is_flag=True,
                  help="Only say how many vectors exist and whether a worker is running.")
    @click.option("--background", is_flag=True,
                  help="Start a background worker and return at once.")
    @click.option("--worker", is_flag=True, hidden=True,
                  help="Run as the background worker (what --background starts).")
    @click.option("--lock-fd", type=int, hidden=True,
                  help="The worker's lock, taken by the process that started it.")
    @json_option
    @click.pass_context
    @handle_errors
    def embed(ctx: click.Context, show_status: bool, background: bool, worker: bool,
              lock_fd: int | None, as_json: bool) -> None:
        """Compute vectors for passages and entries that have none, entries first.

        If a background worker is running, waits for it (showing its progress); stopping
        either one loses nothing already embedded, and the next run continues.

        Example: grimoire embed --status
        """
        from grimoire._background import EmbedLock, VectorStatus, be_nice, last_error

        kb = kb_of(ctx)
        if worker:
            lock = EmbedLock(kb.store.url)
            if lock_fd is not None:
                lock.adopt(lock_fd)
            # The concepts an ingest left stale first, at full priority: a search started
            # meanwhile waits for this resolve rather than doing its own. A resolve that
            # fails goes to the worker's log and is the next command's to report; the
            # vectors need no concepts.
            try:
                kb.refresh()
            except GrimoireError as e:
                click.echo(f"merging the concepts failed: {e}", err=True)
            be_nice()
            kb.embed_worker(lock)
            return
        if background:
            status = kb.vector_status()
            if status.missing:
                status = VectorStatus(status.have, status.total, kb.embed_in_background())
            show_status = True
        if show_status:
            status = kb.vector_status() if not background else status
            if as_json:
                emit_json({**_status_data(status), "last_error": last_error(kb.store.url)
                           if status.worker is None and status.missing else None})
                return
            running = (f"a worker is embedding (pid {status.worker})" if status.worker
                       else "no worker running")
            _say(f"{status.have:,} of {status.total:,} passages and entries have a vector; "
                 f"{status.missing:,} missing · {running}", (f"(pid {status.worker})",))
            problem = last_error(kb.store.url) if status.worker is None else None
            if status.missing and problem:
                err().print(f"the last worker said: {safe(problem, lines=False)}", highlight=False)
            return
        report = _wait_and_embed(kb, err().is_terminal and not as_json)
        if as_json:
            emit_json(report)
        else:
            out().print(f"embedded {report.embedded:,} · reused {report.reused:,} · "
                        f"{report.total:,} vectors ({clean(report.model)})", highlight=False,
                        markup=False)
