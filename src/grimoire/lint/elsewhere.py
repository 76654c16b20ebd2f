"""Links that lead outside the notes: to pages their source has elsewhere, not to a gap.

Lint lists a name no entry defines as a wanted page and a file link to no note as a dead link.
Two kinds of them are neither, by what the notes themselves say (round 23's audit: 21 of 40
drawn wanted pages of the seeds, 42 of 43 drawn dead links of the vault and hf-docs):

- a name the source marks as a page it has: a glossary's `See also L, A, [B]` lists `A`
  without brackets because the glossary defines it (on another letter's page), and `[B]` in
  brackets because it does not yet (`Link.exists_hint`);
- a file link into a folder that holds none of the ingested files: the page is in a part of
  the site the notes were copied from that is not here (`../developer_guides/checkpoint` from
  a copy of a few PEFT pages; `/machine-learning/practica/...` in an export of Google's
  glossary). A link to a missing page of a folder that does hold notes stays a dead link.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import unquote

from grimoire.model import Span
from grimoire.resolve.links import FILE_LINKS
from grimoire.resolve.types import WantedPage
from grimoire.store.concept_records import LinkUse
from grimoire.store.records import SourceRecord

# `[ChatGPT](chat.openai.com/)`, `(www.kaggle.com)`: a web address written without its
# scheme is a path next to the note to a browser, and to GitHub; reported also when its
# "folder" (the host) holds no note.
BARE_HOST = re.compile(
    r"^(?:www\.)?(?:[a-z0-9-]+\.)+(?:com|org|net|io|ai|dev|edu|gov|co|me|app|info)(?:[/:?#]|$)",
    re.IGNORECASE)


class Link(Protocol):
    """A link that leads to no concept: lint's `DeadLink`, a concept's `Mention`."""

    @property
    def span(self) -> Span: ...
    @property
    def kind(self) -> str: ...
    @property
    def href(self) -> str | None: ...
    @property
    def written(self) -> str: ...


def listed_elsewhere(pages: Iterable[WantedPage], uses: Iterable[LinkUse]) -> set[str]:
    """The norms of the wanted pages that a link marks as a page its source has
    (`exists_hint`), and none as one it has not written: under any spelling the page goes
    by. A link that marks nothing (`[supervised machine learning]` in a definition) does not
    count either way."""
    uses = list(uses)
    norm_of = {use.name: use.norm for use in uses}
    has = {use.norm for use in uses if use.exists_hint is True}
    has_not = {use.norm for use in uses if use.exists_hint is False}
    out = set()
    for page in pages:
        norms = {page.norm, *(norm_of.get(name, "") for name in page.spellings)} - {""}
        if norms & has and not norms & has_not:
            out.add(page.norm)
    return out


class NoteFolders:
    """The folders the ingested files are in (each with its parents), to tell a link into a
    folder of the notes from one into a part of the site that is not here."""

    def __init__(self, sources: Iterable[SourceRecord]) -> None:
        self.folders: set[str] = set()
        for source in sources:
            folder = posixpath.dirname(source.path)
            while folder not in self.folders:
                self.folders.add(folder)
                parent = posixpath.dirname(folder)
                if parent == folder:
                    break
                folder = parent
        # A site-absolute address (`/terms/zero-pad/`) names its folder from the site's root,
        # which may be the ingested folder or one inside it: any folder ending so matches.
        self.tails: set[str] = set()
        for folder in self.folders:
            parts = folder.strip("/").split("/")
            self.tails.update("/".join(parts[k:]) for k in range(len(parts)))

    def outside(self, link: Link) -> bool:
        """True when the link's address leads into a folder that holds none of the notes."""
        href = link.href
        if not href or not self.folders:
            return False  # no address kept (a store from before round 23): say it is dead
        # Org writes a file link `file:../deployment/kafka.org` (its `::*Heading` a search).
        address = unquote(href.removeprefix("file:").partition("::")[0]
                          .partition("#")[0].partition("?")[0]).rstrip("/")
        folder = posixpath.dirname(address)
        if not folder or folder == "/":
            return False
        if address.startswith("/"):
            return posixpath.normpath(folder).strip("/") not in self.tails
        here = posixpath.dirname(link.span.path)
        return posixpath.normpath(posixpath.join(here, folder)) not in self.folders


def leads_elsewhere(link: Link, folders: NoteFolders) -> bool:
    """Whether a link to no concept leads outside the notes, so it is neither a wanted page
    nor a dead link: a file link into a folder that holds none of the notes (not a web
    address written without its scheme, which is a mistake to fix). The one rule of lint
    and of a concept's wanted links (`Grimoire.concept`: `show` listed
    `[x](missing/page.md)` as wanted while lint left it out; round 35)."""
    return (link.kind in FILE_LINKS and folders.outside(link)
            and not BARE_HOST.match(unquote(link.written)))
