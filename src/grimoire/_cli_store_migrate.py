"""`grimoire migrate`: move a knowledge base between SQLite and PostgreSQL."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add `migrate` to the `grimoire` group."""
    from grimoire.cli import emit_json, err, handle_errors, json_option, out

    @main.command()
    @click.option("--from", "source", required=True, metavar="DB",
                  help="The knowledge base to copy: a SQLite file or a postgresql:// URL.")
    @click.option("--to", "destination", required=True, metavar="DB",
                  help="Where to copy it: an empty (or new) SQLite file or PostgreSQL database.")
    @json_option
    @handle_errors
    def migrate(source: str, destination: str, as_json: bool) -> None:
        """Copy a knowledge base to another store: same notes, concepts, vectors (no re-embedding).

        Example: grimoire migrate --from grimoire.db --to postgresql://me@db.lab/notes
        """
        from grimoire.store.migrate import migrate as copy

        def progress(table: str, n: int) -> None:
            if not as_json:
                err().print(f"[dim]{table}: {n} rows[/dim]")

        report = copy(source, destination, progress)
        if as_json:
            emit_json({"from": report.source, "to": report.destination, "rows": report.rows,
                       "vectors": report.vectors})
            return
        s = report.stats
        out().print(f"copied {s.sources} files, {s.documents} documents, {s.passages} passages, "
                    f"{s.entries} entries, {s.links} links, "
                    f"{report.rows['concepts']} concepts and {report.vectors} vectors "
                    f"to {report.destination}")
