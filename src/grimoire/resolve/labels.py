"""A book's labels, across its files: a reference to a label another file defines.

A MyST, Quarto or R Markdown book labels a heading in one chapter (`(sec-training)=` above
it, `## Training {#sec-training}`) and refers to it from another (`{ref}`sec-training``,
`@sec-training`, `[the training loop](#sec-training)`). Readers list each file's labels in
`Document.meta["labels"]` and point a reference at a label of its own file themselves
(`readers.labels.link_local_labels`); what is left, a LABEL link whose target is still the
label, is looked up here in the labels of every file (`LabelRow`, read through the store on
both engines). It leads to the concept of the heading the label names, as a link to that
heading's name from the labelled file would. A label two files define is ambiguous: the link
leads to neither, and lint says the name is not one concept's.

Incremental resolve keeps one key per label a file defines (`LABEL_KEY` + label) beside the
same key of every reference to it, so a label that moves to another file, or disappears,
resolves again the links that name it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Container, Iterable, Mapping
from typing import TYPE_CHECKING

from grimoire.names import normalize
from grimoire.resolve.types import LabelRow, LinkRow

if TYPE_CHECKING:
    from grimoire.resolve.links import NameIndex

LABEL_KEY = "\x03"  # the key of a label's definitions and references (`resolve_keys`)


def label_key(label: str) -> str:
    return LABEL_KEY + label_of(label)


def label_of(label: str) -> str:
    """A label as the table holds it: Sphinx lowercases labels and `:ref:` targets alike
    (docutils lists `.. _Grad-Check:` as "grad-check"), so `:ref:`Grad-Check`` is found."""
    return label.strip().casefold()


def refers_across(link: LinkRow) -> bool:
    """A reference to a label its own file does not define (the reader retargeted those at
    the heading's name, with the label as the fragment)."""
    return link.kind == "label" and not link.fragment and bool(link.target.strip())


class LabelTable:
    """label -> the documents that define it, each with the heading it names."""

    def __init__(self, rows: Iterable[LabelRow]) -> None:
        self.where: dict[str, dict[int, LabelRow]] = {}
        for row in rows:
            self.where.setdefault(label_of(row.label), {}).setdefault(row.document_id, row)

    def names(self) -> set[str]:
        """The normalised names the labels stand for (incremental resolve reads their
        claimants before looking them up)."""
        return {normalize(r.name) for found in self.where.values() for r in found.values()}

    def resolve(self, link: LinkRow, index: NameIndex, doc_concepts: Mapping[int, Container[int]],
                doc_first: Mapping[int, int]) -> tuple[str, int | None] | None:
        """The status and concept of a reference to another file's label; None when the link
        is no such reference or no file defines its label (resolve goes on as before)."""
        if not refers_across(link):
            return None
        found = self.where.get(label_of(link.target))
        if not found:
            return None
        if len(found) > 1:
            row = _nearest(link.path, found.values())
            if row is None:
                return "ambiguous", None
        else:
            (row,) = found.values()
        mine = doc_concepts.get(row.document_id)
        status, concept = index.lookup(normalize(row.name), mine)
        if status == "resolved" and mine is not None and concept in mine:
            return status, concept
        # A heading no concept of its page is named after: the labelled page's concept, or
        # the page. Never another file's concept of the heading's words: the label names
        # this heading, and incremental resolve keys the reference by the label, not by them.
        if row.document_id in doc_first:
            return "resolved", doc_first[row.document_id]
        return "document", None


def _nearest(path: str, rows: Iterable[LabelRow]) -> LabelRow | None:
    """The one definition in the deepest folder the referring file shares with any, if one:
    labels are a project's own (round 48: a team's Sphinx docs and a cheat sheet in one
    store both label their glossary `glossary`, and the team's `:ref:`glossary`` led to
    neither). None when two share it (two chapters of one book: a mistake lint names)."""
    here = posixpath.dirname(path).split("/")

    def shared(row: LabelRow) -> int:  # folders in common, from the root
        there = posixpath.dirname(row.path).split("/")
        return next((i for i, (a, b) in enumerate(zip(here, there, strict=False))
                     if a != b),
                    min(len(here), len(there)))
    ranked = sorted(rows, key=shared, reverse=True)
    return ranked[0] if shared(ranked[0]) > shared(ranked[1]) else None


__all__ = ["LABEL_KEY", "LabelTable", "label_key", "label_of", "refers_across"]
