"""`grimoire mcp`: the knowledge base as an MCP server for AI assistants."""

from __future__ import annotations

import click


@click.command()
@click.option("--http", "bind", metavar="HOST:PORT",
              help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio.")
@click.option("--token", envvar="GRIMOIRE_MCP_TOKEN",
              help="The bearer token HTTP clients must send (made up and printed when not "
                   "given). Env: GRIMOIRE_MCP_TOKEN.")
@click.pass_context
def mcp(ctx: click.Context, bind: str | None, token: str | None) -> None:
    """Let an AI assistant search, read and ask your notes (Model Context Protocol).

    Stdio by default, for an assistant's config file; read-only.

    Example: grimoire --db ~/notes.db mcp --http 127.0.0.1:8765
    """
    from grimoire.cli import err, kb_of
    from grimoire.mcp_server import build_server, http_app

    kb = kb_of(ctx)
    kb.stats()  # a missing or damaged database fails here, with its message
    if bind is None:
        build_server(kb).run()
        return
    import uvicorn

    host, _, port_text = bind.rpartition(":")
    if not host or not port_text.isdigit():
        raise click.BadParameter("give HOST:PORT, e.g. 127.0.0.1:8765", param_hint="--http")
    host = host.strip("[]")
    from grimoire._cli_web import listen

    sock = listen(host, int(port_text))  # before the token and address are announced
    port = int(sock.getsockname()[1])
    if not token:
        import secrets

        token = secrets.token_urlsafe(24)
        err().print(f"bearer token: {token}", highlight=False)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Grimoire MCP on http://{shown}:{port}/mcp  (Ctrl-C stops)", err=True)
    uvicorn.Server(uvicorn.Config(http_app(kb, host, port, token), log_level="warning")
                   ).run(sockets=[sock])


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--poll", is_flag=True,
              help="Poll for changes instead of using file events (network mounts, WSL).")
@click.option("--reconcile", default=300.0, show_default=True, type=click.FloatRange(1),
              help="Seconds between full checks by mtime, which catch missed events.")
@click.option("--no-embed", is_flag=True, help="Skip computing vectors for changed notes.")
@click.pass_context
def watch(ctx: click.Context, paths: tuple[str, ...], poll: bool, reconcile: float,
          no_embed: bool) -> None:
    """Keep the knowledge base current while you edit: saves, moves and deletes.

    Ingests the folders first (what changed while nothing watched), then every batch of
    changes as it happens. Ctrl-C stops.

    Example: grimoire watch ~/notes ~/blog
    """
    import sys

    from grimoire._term import clean, safe
    from grimoire.cli import err, kb_of
    from grimoire.errors import GrimoireError
    from grimoire.watch import Watcher, WatchOptions

    kb = kb_of(ctx, create=True)
    options = WatchOptions(reconcile_s=reconcile, force_polling=poll or None,
                           embed=not no_embed)
    try:
        watcher = Watcher(kb, paths, options=options, on_batch=show_batch,
                          on_notice=lambda m: err().print(
                              f"[yellow]{safe(m, lines=False)}[/yellow]", highlight=False))
        # the roots as watched (absolute, as a folder ingested before under another name is)
        roots = ", ".join(clean(str(r), lines=False) for r in watcher.roots)
        click.echo(f"watching {roots}  (Ctrl-C stops)", err=True)
        watcher.run()
    except KeyboardInterrupt:
        err().print("stopped watching", highlight=False)
        sys.exit(130)
    except GrimoireError as e:
        err().print(f"[red]error:[/red] {safe(str(e), lines=False)}", highlight=False)
        sys.exit(1)


def show_batch(batch: object) -> None:
    """One line on stderr for a batch that changed something."""
    import time

    from grimoire._term import safe
    from grimoire.cli import err
    from grimoire.watch import Batch

    assert isinstance(batch, Batch)
    r = batch.report
    if batch.reason != "start" and not (r.added or r.updated or r.removed or r.failed
                                        or batch.errors):
        return
    what = safe(batch.paths[0], lines=False) if len(batch.paths) == 1 else \
        f"{len(batch.paths)} paths"
    line = (f"{time.strftime('%H:%M:%S')} {batch.reason}: {what} · new {r.added} · "
            f"updated {r.updated} · removed {r.removed} · failed {r.failed}")
    if batch.embedded:
        line += f" · embedded {batch.embedded}"
    err().print(f"{line} · {batch.seconds:.2f} s", highlight=False, soft_wrap=True)
    for failure in r.failures:
        err().print(f"[red]failed:[/red] {safe(failure.path, lines=False)}: "
                    f"{safe(failure.reason or '', lines=False)}", highlight=False)
    for message in batch.errors:
        err().print(f"[red]error:[/red] {safe(message, lines=False)}", highlight=False)
