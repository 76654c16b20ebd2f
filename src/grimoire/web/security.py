"""The guard in front of every request: Host, cross-site writes, token, and safe headers.

RELIABILITY case 34: a page on another site can make the browser send requests to
127.0.0.1 (through a DNS name it controls that resolves to 127.0.0.1, "DNS rebinding"), so
the `Host` header must be one we serve; a POST must come from our own pages (no foreign
`Origin`, no `Sec-Fetch-Site: cross-site`) and carry JSON, which a cross-site form cannot
send without a CORS preflight we never answer. Case 31: the CSP forbids inline script even if
a sanitizer bug lets a `<script>` through.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The one inline style allowed is the rule cytoscape.js 3.34 inserts for its container
# (`.__________cytoscape_container { position: relative; }`), by its hash.
CYTOSCAPE_STYLE = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"
CSP = ("default-src 'none'; script-src 'self'; "
       f"style-src 'self' {CYTOSCAPE_STYLE}; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
TOKEN_COOKIE = "grimoire_token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Guard:
    """What the server accepts: the host names it answers to and, off loopback, a token."""

    hosts: frozenset[str]
    token: str | None = None
    extra_headers: tuple[tuple[bytes, bytes], ...] = field(default=())

    @classmethod
    def for_bind(cls, host: str, port: int, token: str | None = None,
                 names: Iterable[str] = ()) -> Guard:
        """The Host values a browser sends for this bind (with and without the port)."""
        bare = {host, *names}
        if is_loopback(host):
            bare |= {"127.0.0.1", "localhost", "[::1]"}
        if ":" in host and not host.startswith("["):
            bare.add(f"[{host}]")
        hosts = {h.lower() for h in bare} | {f"{h.lower()}:{port}" for h in bare}
        return cls(frozenset(hosts), token)


class GuardMiddleware:
    """Refuses foreign hosts, cross-site writes and missing tokens with 403; adds headers."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        host = headers.get("host", "").lower()
        if host not in self.guard.hosts:
            await _refuse(send, "this server does not answer to that Host")
            return
        method = scope["method"]
        if method not in _SAFE_METHODS:
            why = _cross_site(headers, host)
            if why:
                await _refuse(send, why)
                return
        if self.guard.token is not None:
            status = _token_status(scope, headers, self.guard.token)
            if status == "redirect":
                await _set_token_cookie(scope, send, self.guard.token)
                return
            if status != "ok":
                await _refuse(send, "a token is needed: open the address the server printed",
                              status=401)
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in (*HEADERS, *self.guard.extra_headers)
                         if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def _cross_site(headers: dict[str, str], host: str) -> str | None:
    origin = headers.get("origin")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() != host):
        return "cross-site request refused"
    if headers.get("sec-fetch-site") == "cross-site":
        return "cross-site request refused"
    ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype != "application/json":
        # text/plain and form bodies are what a foreign page can POST without a preflight
        return "send JSON (Content-Type: application/json)"
    return None


def _token_status(scope: Scope, headers: dict[str, str], token: str) -> str:
    auth = headers.get("authorization", "")
    if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].encode(), token.encode()):
        return "ok"
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is just "no cookie"
        cookie = SimpleCookie()
    sent = cookie.get(TOKEN_COOKIE)
    if sent is not None and hmac.compare_digest(sent.value.encode(), token.encode()):
        return "ok"
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    if "token" in query and hmac.compare_digest(query["token"].encode(), token.encode()):
        return "redirect"
    return "no"


async def _set_token_cookie(scope: Scope, send: Send, token: str) -> None:
    query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
             if k != "token"]
    location = scope.get("path", "/") + (("?" + urlencode(query)) if query else "")
    await send({"type": "http.response.start", "status": 303, "headers": [
        (b"location", location.encode("latin-1", "replace")),
        (b"set-cookie", f"{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/".encode()),
        *HEADERS,
    ]})
    await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send, why: str, status: int = 403) -> None:
    body = why.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *HEADERS,
    ]})
    await send({"type": "http.response.body", "body": body})


def refuse_headers() -> dict[str, Any]:
    """Headers for a file that must never run as a page here (SVG, HTML attachments)."""
    return {"content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            "x-content-type-options": "nosniff"}
