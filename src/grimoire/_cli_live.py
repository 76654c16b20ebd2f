"""`grimoire mcp`: the knowledge base as an MCP server for AI assistants."""

from __future__ import annotations

import secrets

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
    if not token:
        token = secrets.token_urlsafe(24)
        err.print(f"bearer token: {token}", highlight=False)
    port = int(port_text)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Grimoire MCP on http://{shown}:{port}/mcp  (Ctrl-C stops)", err=True)
    uvicorn.run(http_app(kb, host, port, token), host=host, port=port, log_level="warning")
