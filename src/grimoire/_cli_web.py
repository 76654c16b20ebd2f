"""`grimoire serve`: the web UI on 127.0.0.1, or elsewhere with a token."""

from __future__ import annotations

import os
import secrets

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback needs --token (or one is made up).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--token", envvar="GRIMOIRE_TOKEN",
              help="Secret every request must carry (Bearer header, or ?token= once in the "
                   "browser). Env: GRIMOIRE_TOKEN.")
@click.option("--server-name", "names", multiple=True,
              help="Another Host name the server answers to (repeatable).")
@click.option("--llm", "llm_url", metavar="URL|FILE.gguf",
              help="An OpenAI-compatible server or GGUF file writes answers (streamed).")
@click.option("--model", help="The model name the LLM server should use.")
@click.option("--llm-key-env", default="GRIMOIRE_LLM_KEY", show_default=True,
              help="Environment variable holding the LLM server's API key.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, token: str | None, names: tuple[str, ...],
          llm_url: str | None, model: str | None, llm_key_env: str) -> None:
    """Read, search and ask your knowledge base in a browser.

    Example: grimoire serve --port 8000
    """
    import uvicorn

    from grimoire.cli import err, kb_of
    from grimoire.web import Guard, Settings, create_app, is_loopback

    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(24)
        err.print("[yellow]not on loopback: requests need a token[/yellow]", highlight=False)
    if host in ("0.0.0.0", "::"):  # every interface: answer to this machine's names too
        names = (*names, *_own_names())
    kb = kb_of(ctx)
    kb.stats()  # a missing or corrupt database fails here, with its message, not in a page
    key = (os.environ.get(llm_key_env) or os.environ.get("OPENAI_API_KEY")) if llm_url else None
    app = create_app(kb, Guard.for_bind(host, port, token, names),
                     Settings(llm=llm_url, llm_model=model, llm_key=key))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    click.echo(f"Grimoire on {url}  (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _own_names() -> list[str]:
    """This machine's host name and its addresses, as a browser on the network would use."""
    import contextlib
    import socket

    name = socket.gethostname()
    found = [name]
    with contextlib.suppress(OSError):  # no resolvable name: the host name alone
        found += [str(info[4][0]) for info in socket.getaddrinfo(name, None)]
    return list(dict.fromkeys(found))
