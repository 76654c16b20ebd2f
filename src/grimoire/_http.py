"""HTTP to model servers (chat, embeddings): no redirects, a total deadline, a size cap.

urllib follows a 302 and keeps the `Authorization` header on it, so a server (or whoever
controls its address) could send the user's API key to any host (issue 11, item 4). A model
API has no reason to redirect a POST, so none is followed, even to the same origin.

A server that drips keep-alive lines never lets a per-read timeout fire, and one that streams
without end grows memory without bound (item 7): `read_chunks` stops at a total deadline and a
byte cap, each with its own message.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from grimoire.errors import GrimoireError

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class RedirectRefused(urllib.error.HTTPError):
    """The server answered with a redirect, which is never followed."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        raise RedirectRefused(req.full_url, code, msg, headers, fp)


def opener(url: str) -> urllib.request.OpenerDirector:
    """An opener for `url` that follows no redirects, and skips the environment's proxy for a
    loopback server (a proxy must not see a local model's traffic)."""
    handlers: list[Any] = [_NoRedirect()]
    if (urlsplit(url).hostname or "").casefold() in _LOOPBACK:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def is_http_url(url: str) -> bool:
    """Whether `url` is an http(s) URL with a host (an unclosed [ makes urlsplit raise)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# A password given in a URL's query (libpq takes `?password=...`, `?sslpassword=...`).
_QUERY_SECRET = re.compile(r"(?:^|&)(?:ssl)?password=[^&]*", re.IGNORECASE)


def shown(url: str) -> str:
    """`url` without any user or password in it, fit to print."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, an unclosed [: still hide the password
        return re.sub(r"(?<=://).*@", "", url, count=1)
    if _QUERY_SECRET.search(parts.query):
        # review55b: shown whole, on every line naming the store and on the embedding
        # worker's command line (which `ps` shows).
        query = _QUERY_SECRET.sub("", parts.query).lstrip("&")
        # Not through urlunsplit, which drops the `//` of a socket URL (postgresql:///db).
        url = url.replace(f"?{parts.query}", f"?{query}" if query else "", 1)
        return shown(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")
    if not netloc:  # a socket URL (postgresql://me:pw@/db?host=/run/pg): urlunsplit drops //
        return url.replace(parts.netloc, "", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def redirect_message(url: str, error: RedirectRefused) -> str:
    """One line saying where the server wanted to send the request, and why we did not go."""
    target = error.headers.get("Location", "") if error.headers else ""
    return (f"{shown(url)}: the server redirects (HTTP {error.code}) to {shown(target)!r}; "
            "Grimoire follows no redirects, so that an API key never goes to another host: "
            "give the final address instead")


def read_chunks(
    response: Any, *, started: float, deadline: float, stall: float, limit: int, what: str,
    error: type[GrimoireError], url: str,
) -> Iterator[bytes]:
    """The body of `response` as it arrives, stopping with `error` once `deadline` seconds
    have passed since `started` (monotonic), a read waits `stall` seconds (the socket's
    timeout), or more than `limit` bytes came."""
    total = 0
    while True:
        if time.monotonic() - started > deadline:
            raise error(f"{shown(url)}: {what} took longer than {deadline:g} s; stopped")
        try:
            chunk = response.read1(65536)
        except TimeoutError as e:
            raise error(f"{shown(url)}: the server stopped sending ({what} stalled for "
                        f"{stall:g} s); stopped") from e
        except OSError as e:
            raise error(f"{shown(url)}: the connection broke during {what}: {e}") from e
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise error(f"{shown(url)}: {what} is over the {_size(limit)} limit; stopped")
        yield chunk


def _size(limit: int) -> str:
    if limit % (1 << 20) == 0:
        return f"{limit >> 20} MiB"
    if limit % (1 << 10) == 0:
        return f"{limit >> 10} KiB"
    return f"{limit} bytes"


__all__ = ["RedirectRefused", "opener", "read_chunks", "redirect_message", "shown"]
