"""Labels are link targets (issue 10, defects 1 and 3).

Sphinx writes `.. _intro:` before a section and d2l-book writes `:label:`sec_dropout`` under a
heading; `:ref:`, `:numref:`, `:eqref:` and MyST `{eq}` point at those labels, never at a page.
A reader lists the labels of its file in `Document.meta["labels"]` (label -> the heading or term
it names) and gives references to them as `LinkKind.LABEL` links; `link_local_labels` then points
each one at the name its label stands for, so a link to a labelled section of the same file
resolves like a link to that heading. Labels of other files are left to resolve (`resolve.links`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from grimoire.model import Document, Link, LinkKind


def link_local_labels(doc: Document) -> Document:
    """`doc` with every LABEL link to a label of its own file retargeted at what it names."""
    labels = doc.meta.get("labels")
    if not isinstance(labels, dict) or not labels:
        return doc

    def fix(links: tuple[Link, ...]) -> tuple[Link, ...]:
        if not any(x.kind == LinkKind.LABEL and x.target in labels for x in links):
            return links
        return tuple(
            replace(x, target=str(labels[x.target]), fragment=x.target)
            if x.kind == LinkKind.LABEL and x.target in labels
            else x
            for x in links
        )

    passages = tuple(replace(p, links=fix(p.links)) for p in doc.passages)
    entries = tuple(replace(e, links=fix(e.links), see_also=fix(e.see_also)) for e in doc.entries)
    return replace(doc, passages=passages, entries=entries)


# A label its file defines again: a reader's problem (LaTeX's "multiply defined"), or
# docutils' own for a Sphinx page (round 49: `lint` says so, `defined_twice`).
_TWICE = re.compile(r'the label "(?P<key>.{1,200})" is defined again '
                    r'\(first on line (?P<first>\d+)\)'
                    r'|Duplicate explicit target name: "(?P<rst>.{1,200})"\.')


def twice_message(key: str, first: int) -> str:
    """The problem a reader records where its file defines `key` again."""
    return f'the label "{key}" is defined again (first on line {first})'


def defined_twice(message: str) -> tuple[str, int | None] | None:
    """The label a reader's problem says its file defines twice, and the line of the first
    definition when the problem gives it; None for any other problem."""
    m = _TWICE.fullmatch(message)
    if m is None:
        return None
    if m.group("rst") is not None:
        return m.group("rst"), None
    return m.group("key"), int(m.group("first"))


__all__ = ["defined_twice", "link_local_labels", "twice_message"]
