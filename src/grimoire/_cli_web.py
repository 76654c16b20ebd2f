"""`grimoire serve`: the web UI on 127.0.0.1, or elsewhere with a token."""

from __future__ import annotations

import errno
import os
import threading
from typing import TYPE_CHECKING

import click

from grimoire.errors import GrimoireError

if TYPE_CHECKING:  # imported where a server listens: not by every command (cold start)
    import socket
    from types import FrameType


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
@click.option("--watch", "watch_paths", multiple=True, type=click.Path(exists=True),
              help="Keep these folders ingested while serving, as `grimoire watch` (repeatable).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, token: str | None, names: tuple[str, ...],
          llm_url: str | None, model: str | None, llm_key_env: str,
          watch_paths: tuple[str, ...]) -> None:
    """Read, search and ask your knowledge base in a browser.

    With --watch, the pages follow your edits: saved notes are searchable within seconds.

    Example: grimoire serve --port 8000 --watch ~/notes
    """
    import uvicorn

    from grimoire.cli import err, kb_of
    from grimoire.web import Guard, Settings, create_app, is_loopback

    class _Server(uvicorn.Server):
        """uvicorn's, ending the streamed answers under way as it is asked to stop: it waited
        for a long one to be written to the end (review53d), now the page gets the words so
        far and why they stop."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            app.state.stop_streams()
            super().handle_exit(sig, frame)

    if not is_loopback(host) and not token:
        import secrets

        token = secrets.token_urlsafe(24)
        err().print("[yellow]not on loopback: requests need a token[/yellow]", highlight=False)
    if host in ("0.0.0.0", "::"):  # every interface: answer to this machine's names too
        names = (*names, *_own_names())
    kb = kb_of(ctx, create=bool(watch_paths))
    kb.stats()  # a missing or corrupt database fails here, with its message, not in a page
    sock = listen(host, port)
    port = sock.getsockname()[1]  # --port 0: the one the system chose
    kb.searcher.load_names()  # in the background, before the first query
    key = (os.environ.get(llm_key_env) or os.environ.get("OPENAI_API_KEY")) if llm_url else None
    app = create_app(kb, Guard.for_bind(host, port, token, names),
                     Settings(llm=llm_url, llm_model=model, llm_key=key))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    click.echo(f"Grimoire on {url}  (Ctrl-C stops)", err=True)
    # uvicorn raises the SIGTERM it caught again once it has stopped, and its default action
    # ended the process there: the watcher below never heard it should stop (review54d).
    # Here it unwinds instead, and the same signal ends the process once the watcher is done.
    import signal

    terminated = False

    def unwind(sig: int, frame: FrameType | None) -> None:
        raise _Terminated

    before = signal.signal(signal.SIGTERM, unwind)
    watching = None
    try:
        watching = _watch_in_background(ctx, watch_paths) if watch_paths else None
        _Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    except _Terminated:
        terminated = True
    finally:
        if watching is not None:
            stop, thread = watching
            stop.set()
            thread.join(30)  # the batch under way commits; then the connection may close
            err().print("stopped watching", highlight=False)  # as `grimoire watch` says
        signal.signal(signal.SIGTERM, before)
    if terminated:
        signal.raise_signal(signal.SIGTERM)


class _Terminated(BaseException):
    """SIGTERM, as `serve` unwinds to stop its watcher (not an error: a BaseException)."""


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port`, before anything is announced: a port in use printed
    "Grimoire on http://...:8000/" and then uvicorn's "[Errno 98] error while attempting to
    bind" (exit 3), and `--port 0` announced port 0."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as e:
        raise GrimoireError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        hint = ("; another server uses it (a second `grimoire serve`?): choose another port"
                if e.errno == errno.EADDRINUSE else "")
        raise GrimoireError(f"cannot listen on {host}:{port}: {e.strerror or e}{hint}") from e
    return sock


def _watch_in_background(ctx: click.Context, paths: tuple[str, ...]
                         ) -> tuple[threading.Event, threading.Thread]:
    """Run a Watcher on its own thread and connection, in this process."""
    from grimoire._cli_live import show_batch
    from grimoire.cli import err, kb_of
    from grimoire.watch import Watcher

    stop = threading.Event()
    watcher = Watcher(kb_of(ctx), paths, on_batch=show_batch, stop=stop,
                      on_notice=lambda m: err().print(f"[yellow]{m}[/yellow]", highlight=False))

    def run() -> None:
        try:
            watcher.run()
        except Exception as e:  # the pages stay up; say why they stopped following edits
            err().print(f"[red]watching stopped:[/red] {e}", highlight=False)

    thread = threading.Thread(target=run, name="grimoire-watch", daemon=True)
    thread.start()
    click.echo(f"watching {', '.join(str(r) for r in watcher.roots)}", err=True)
    return stop, thread


def _own_names() -> list[str]:
    """This machine's host name and its addresses, as a browser on the network would use."""
    import contextlib
    import socket

    name = socket.gethostname()
    found = [name]
    with contextlib.suppress(OSError):  # no resolvable name: the host name alone
        found += [str(info[4][0]) for info in socket.getaddrinfo(name, None)]
    return list(dict.fromkeys(found))
