"""`grimoire export`: every concept written out in another tool's format."""

from __future__ import annotations

import click


class ExportChoice(click.Choice):  # type: ignore[type-arg]
    """The export formats, listed only when asked: `grimoire search` need not import them."""

    def __init__(self) -> None:
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from grimoire.export import names

        return names()


def register(main: click.Group) -> None:
    """Add `export` to the `grimoire` group."""
    from grimoire._term import safe
    from grimoire.cli import emit_json, err, handle_errors, json_option, kb_of, out, where

    @main.command()
    @click.argument("fmt", metavar="FORMAT", type=ExportChoice())
    @click.argument("out_path", metavar="OUT", type=click.Path(dir_okay=True))
    @click.option("--force", is_flag=True, help="Replace OUT if it exists.")
    @json_option
    @click.pass_context
    @handle_errors
    def export(ctx: click.Context, fmt: str, out_path: str, force: bool, as_json: bool) -> None:
        """Write every concept to the file OUT as FORMAT: jsonl (one concept per line, as
        `show --json`), skos (Turtle), anki (an .apkg deck), tbx (TBX-Basic), or to the folder
        OUT as site (a static site of the web UI's concept pages).

        Example: grimoire export skos notes.ttl
        """
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        kb = kb_of(ctx)
        with Progress(TextColumn("[bold]exporting"), BarColumn(), MofNCompleteColumn(),
                      console=err(), transient=True,
                      disable=not err().is_terminal or as_json) as bar:
            # Drawn from the first count on: until the concepts are loaded it was a pulsing "0/?".
            task = bar.add_task("", total=None, visible=False)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, visible=True)

            report = kb.export(fmt, out_path, force=force, progress=progress)
        if not as_json:
            for notice in report.notices:
                err().print(f"note: {safe(notice, lines=False)}", highlight=False, markup=False)
        if as_json:
            emit_json(report)
        else:
            out().print(f"wrote {report.concepts:,} concepts to {where(report.path)} "
                        f"({report.format}, {report.bytes:,} bytes)", highlight=False,
                        markup=False)
