"""`grimoire check`, `backup` and `rebuild`: the database file's health (issue 11, item 8)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

import grimoire
from grimoire._term import safe
from grimoire.codec import to_data


def _db(ctx: click.Context) -> str:
    db: str = ctx.find_root().params["db"]
    if db.startswith(("postgres://", "postgresql://")):
        from grimoire._http import shown
        from grimoire.errors import GrimoireError

        # A URL is no file: "no such database file" echoed it, password and all.
        raise GrimoireError(f"{ctx.info_name} works on a SQLite file; for PostgreSQL use "
                            "its own tools (pg_dump, pg_amcheck)", shown(db))
    return db.removeprefix("sqlite:///").removeprefix("sqlite://")


def register(main: click.Group) -> None:
    """Add the commands to the `grimoire` group."""
    from grimoire.cli import emit_json, err, handle_errors, json_option, out

    @main.command()
    @json_option
    @click.pass_context
    @handle_errors
    def check(ctx: click.Context, as_json: bool) -> None:
        """Check the database file: SQLite's integrity_check and the full-text indexes.

        Exit 1 when something is damaged; `grimoire rebuild` then re-reads the sources.

        Example: grimoire check
        """
        from grimoire.store import sqlite_health

        health = sqlite_health.check(_db(ctx))
        if not as_json:
            for notice in health.notices:
                err().print(f"note: {safe(notice, lines=False)}", highlight=False)
        if as_json:
            emit_json(health)
        elif health.ok:
            out().print(f"{safe(health.path, lines=False)}: ok", highlight=False)
        else:
            err().print(f"[red]damaged:[/red] {safe(health.path, lines=False)}", highlight=False)
            for problem in health.problems[:20]:
                err().print(f"  {safe(problem, lines=False)}", highlight=False)
            err().print("re-read the sources into a new file with: grimoire rebuild "
                        "(the damaged file is kept beside it)", highlight=False, markup=False)
        if not health.ok:
            sys.exit(1)

    @main.command()
    @click.argument("out_path", metavar="OUT", type=click.Path())
    @click.option("--force", is_flag=True, help="Replace OUT if it exists.")
    @json_option
    @click.pass_context
    @handle_errors
    def backup(ctx: click.Context, out_path: str, force: bool, as_json: bool) -> None:
        """Copy the database to OUT through SQLite's backup API (safe during an ingest).

        Example: grimoire backup ~/backups/notes-2026-05-01.db
        """
        from grimoire.store import sqlite_health

        health = sqlite_health.backup(_db(ctx), out_path, overwrite=force)
        if not as_json:
            for notice in health.notices:
                err().print(f"note: {safe(notice, lines=False)}", highlight=False)
        if as_json:
            emit_json(health)
            return
        state = "ok" if health.ok else "copied, but the copy fails its check"
        out().print(f"backup written to {safe(out_path, lines=False)}: {state}", highlight=False)
        if not health.ok:
            sys.exit(1)

    @main.command()
    @click.argument("paths", nargs=-1, type=click.Path())
    @click.option("--no-embed", is_flag=True, help="Skip vectors; add them with `grimoire embed`.")
    @json_option
    @click.pass_context
    @handle_errors
    def rebuild(ctx: click.Context, paths: tuple[str, ...], no_embed: bool,
                as_json: bool) -> None:
        """Re-read the sources into a new database file and swap it in; the old file is kept
        as NAME.damaged (NAME.old when it was sound). PATHS default to the folders the
        database lists.

        Example: grimoire rebuild
        """
        _db_path, embedder = ctx.obj

        old = _db(ctx)
        # The reading and embedding bars of `ingest` (round 43: a rebuild of a large store
        # said nothing for minutes).
        from grimoire._cli_ingest import _wait_and_embed, reading_bar

        show = err().is_terminal and not as_json

        def ingest(new: str, roots: Sequence[str]) -> None:
            with grimoire.open(new, embedder=embedder) as kb:
                with reading_bar(show) as progress:
                    kb.ingest(roots, embed=False, progress=progress)
                if not no_embed:
                    from grimoire.store import sqlite_health

                    sqlite_health.carry_vectors(old, new)
                    _wait_and_embed(kb, show)

        from grimoire.store import sqlite_health

        health, kept = sqlite_health.rebuild(old, ingest, paths)
        if not as_json:
            for notice in health.notices:
                err().print(f"note: {safe(notice, lines=False)}", highlight=False)
        if as_json:
            emit_json({**to_data(health), "damaged_copy": kept})
            return
        # The old file is kept whatever its state ("the old file is NAME.damaged" read as a
        # verdict on a file that was fine), and "1 sources" counted folders; a file ingested
        # alone (`grimoire ingest ~/notes glossary.txt`) is no folder.
        from grimoire.files import path_of

        files = sum(Path(path_of(root)).is_file() for root in health.roots)
        read = " and ".join(f"{n} {what}" + ("s" if n != 1 else "") for n, what in
                            ((len(health.roots) - files, "folder"), (files, "file")) if n)
        out().print(f"rebuilt {safe(health.path, lines=False)} from {read or '0 folders'}: "
                    f"{'ok' if health.ok else 'check failed'}; the old file is kept as "
                    f"{safe(kept, lines=False)} (delete it once the new one suits you)",
                    highlight=False)
