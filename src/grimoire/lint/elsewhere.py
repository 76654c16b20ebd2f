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
  Resolve gives such a link the status "elsewhere" (`resolve.links.NoteFolders`), which every
  face reads from the store; this module keeps the first kind, which needs the wanted pages.
"""

from __future__ import annotations

from collections.abc import Iterable

from grimoire.resolve.types import WantedPage
from grimoire.store.concept_records import LinkUse


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
