"""A link to the address a site generator publishes a page at.

A Jekyll page states where it is served (`permalink: /setup-instructions/` of `setup.md`),
as does a Hugo page (`url: /about/`, and the old addresses that redirect to it: `aliases:`;
Jekyll's `redirect_from:` likewise), and the site's pages link to it there:
`[setup instructions]({{site.baseurl}}/setup-instructions/)` (the reader drops the site's
base). No file is at that path, so the link found no note and was a dead link (round 39: 27
of lint's 41 dead links of a course's site). A file link that finds no note by its path is
looked up here among the addresses the notes' front matter states (`AddressRow`, read
through the store on both engines): a site path from the root, or a path relative to the
linking page's own published address. It leads to that page's first concept, or the page.

MkDocs and Jekyll's "pretty" addresses for pages without a permalink (`x.md` served as `x/`,
its links starting from that folder) are paths to files and found by `links._by_path`.

Incremental resolve keys a page's addresses by their last name (`address_slug`), which is the
name a link to the address is keyed by: a page that gains, changes or loses an address
resolves again the links that may name it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

from grimoire.resolve.types import AddressRow, LinkRow

_HTML_INDEX = ("/index.html", "/index.htm")


def address_key(address: str) -> str:
    """A site path as the table holds it: from the root, without slashes at either end, an
    `index.html` or `.html` ending, a fragment or a query. `/setup-instructions/`,
    `/setup-instructions`, `setup-instructions/index.html` are one address."""
    path = unquote(address.partition("#")[0].partition("?")[0]).strip()
    path = posixpath.normpath("/" + path)
    for tail in _HTML_INDEX:
        if path.endswith(tail):
            path = path[: -len(tail)]
    path = path.removesuffix(".html").strip("/")
    return "" if path == "." else path


def address_slug(address: str) -> str:
    """The name a link to this address is keyed by (its last part, as `links.link_key`
    reads a link's name): incremental resolve's key of an address."""
    from grimoire.resolve.links import link_key

    key = address_key(address)
    return link_key(key.rsplit("/", 1)[-1])[1] if key else ""


class AddressTable:
    """Site path -> the documents published there; document -> its own address."""

    def __init__(self, rows: Iterable[AddressRow]) -> None:
        self.where: dict[str, set[int]] = {}
        self.own: dict[int, str] = {}
        for row in rows:
            key = address_key(row.address)
            if key:
                self.where.setdefault(key, set()).add(row.document_id)
            if row.own and row.document_id not in self.own:
                self.own[row.document_id] = row.address.strip()

    def resolve(self, link: LinkRow, address: str, doc_first: Mapping[int, int]
                ) -> tuple[str, int | None] | None:
        """The status and concept of a file link to a published address; None when no page
        is published there (resolve goes on as before)."""
        if not self.where or not address or address.startswith("#"):
            return None
        path = unquote(address.partition("#")[0].partition("?")[0]).strip()
        if not path:
            return None
        found: set[int] | None = None
        if path.startswith("/"):
            found = self.where.get(address_key(path))
        elif (base := self.own.get(link.document_id)) is not None:
            # Relative to the page's own address: a browser reads `../rnn/` on the page
            # served at `/assignments2017/assignment1/` from that folder.
            folder = base if base.endswith("/") else posixpath.dirname("/" + base)
            found = self.where.get(address_key(posixpath.join("/" + folder.strip("/"), path)))
        else:
            # A page served at its own path (`index.html` at the site's root): the site's
            # root is a folder the page is in, so the address is the link's path from one of
            # them (the longest that names a page).
            parts = posixpath.dirname(link.path).strip("/").split("/")
            joined = address_key(posixpath.join(posixpath.dirname(link.path), path)).split("/")
            common = 0
            while common < min(len(parts), len(joined)) and parts[common] == joined[common]:
                common += 1
            for k in range(common + 1):
                found = self.where.get("/".join(joined[k:]))
                if found:
                    break
        if not found:
            return None
        if len(found) > 1:
            return "ambiguous", None  # two pages state one address: the site serves one
        (doc,) = found
        if doc in doc_first:
            return "resolved", doc_first[doc]
        return "document", None


__all__ = ["AddressTable", "address_key", "address_slug"]
