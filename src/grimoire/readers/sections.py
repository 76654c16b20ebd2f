"""A section that defines a term is an entry of its page, in every format (issue 10, defect 12).

In documentation and books most concepts are sections of longer pages: "Sigmoid" under an
Activation Functions page, "Adam" under Optimizers. A reader gives passages with their heading
paths; `add_section_entries` turns a section into an `Entry` when all of these hold, and
writes which of them decided it into `Entry.reason`:

- its heading names a thing: at most six words, not a part of a page ("Introduction",
  "Code", "References", see `conventions.is_generic_heading`), not a question, an
  instruction ("Load a dataset") or a sentence (a trailing ':' or '.', an article inside);
- it is not the page's own title, and lies outside every entry the reader already found;
- prose sits directly under it (paragraphs or math, at least `MIN_PROSE` characters; a
  section holding only a list is an index of links, not a definition);
- and the evidence that it defines its heading is one of: the prose names the heading (its
  words, or the acronym or expansion it states) in its first sentences; or it is one of at
  least three parallel sections of one parent of which most name their own heading.

An entry covers its section up to the next section that is an entry, so "Pros"/"Cons" and
"Code" subsections belong to the entry above them. A section entry's links are its
passages' links, since the store files each passage under the entry whose lines hold it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, replace

from grimoire.model import Document, Entry, Image, Link, Math, Passage, Span
from grimoire.names import normalize, term_names
from grimoire.readers.conventions import is_generic_heading, is_see_also_heading

MAX_WORDS = 6
MAX_CHARS = 60
MIN_PROSE = 40
LEAD_CHARS = 400  # how far into the prose the heading must be named
MIN_PARALLEL = 3

# Lists do not count as prose: a section holding only a list of links or papers is an index.
_PROSE_KINDS = frozenset({"text", "math", "quote"})
# Words that make a heading a phrase about something rather than the name of it.
_PHRASE_WORDS = frozenset(
    {"a", "an", "the", "your", "our", "my", "this", "these", "those", "with", "from", "into",
     "using", "how", "what", "why", "when", "where", "which", "who", "vs", "versus", "is",
     "are", "can", "do", "does", "should", "will", "you", "we", "i", "it", "let's", "lets",
     "over"}
)
# First words of instructions, as documentation headings write them ("Load the model").
_IMPERATIVES = frozenset(
    {"add", "apply", "build", "choose", "compute", "configure", "convert", "create", "define",
     "deploy", "download", "evaluate", "export", "fine-tune", "finetune", "get", "import",
     "initialize", "install", "load", "make", "merge", "prepare", "push", "read", "run",
     "save", "select", "set", "share", "start", "train", "update", "use", "write", "try",
     "see", "check", "go", "learn", "understand", "implement", "visualize", "plot", "test"}
)
_SENTENCE_END = re.compile(r"[:.?!;,]\s*$")
_HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class _Section:
    path: tuple[str, ...]
    first: int  # index of its first passage
    passages: list[int]


def name_shaped(heading: str) -> str | None:
    """Why a heading is not the name of a thing, or None when it can be one."""
    text = " ".join(heading.split())
    words = text.split()
    if not words or not _HAS_LETTER.search(text):
        return "no words"
    if len(words) > MAX_WORDS or len(text) > MAX_CHARS:
        return "too long for a name"
    if is_generic_heading(text) or is_see_also_heading(text):
        return "names a part of a page"
    if _SENTENCE_END.search(text):
        return "ends like a sentence"
    lowered = [w.casefold().strip("()[]\"'`*") for w in words]
    if any(w in _PHRASE_WORDS for w in lowered):
        return "a phrase, not a name"
    if len(words) > 1 and lowered[0] in _IMPERATIVES:
        return "an instruction"
    return None


def _names_of(heading: str) -> list[str]:
    return [n.name for n in term_names(heading) if n.strength >= 2] or [heading]


def _named_in(heading: str, prose: str) -> bool:
    """Whether the lead of `prose` names the heading (any name it states), word for word."""
    lead = f" {normalize(prose[:LEAD_CHARS])} "
    return any(
        (key := normalize(name)) and f" {key} " in lead for name in _names_of(heading)
    ) or any(
        # "Sigmoids ..." or "sigmoid's": the plural/possessive fold of normalize covers
        # only the last word of a phrase; a one-word name is compared by its stem too.
        len(name.split()) == 1 and len(name) > 3 and f" {normalize(name)}" in lead
        for name in _names_of(heading)
    )


def add_section_entries(doc: Document) -> Document:
    """`doc` with an entry for every section that defines its heading (see module doc)."""
    passages = doc.passages
    if not passages:
        return doc
    taken = [(e.span.start_line, e.span.end_line) for e in doc.entries]
    own = {normalize(doc.title), *(normalize(e.term) for e in doc.entries)}
    sections: dict[tuple[str, ...], _Section] = {}
    for i, p in enumerate(passages):
        if not p.heading_path:
            continue
        sec = sections.get(p.heading_path)
        if sec is None:
            sections[p.heading_path] = _Section(p.heading_path, i, [i])
        else:
            sec.passages.append(i)

    # The lines the reader's entries cover, as disjoint sorted ranges: a lookup is a bisection,
    # so a glossary page with thousands of entries stays linear.
    covered: list[list[int]] = []
    for start, end in sorted(taken):
        if covered and start <= covered[-1][1] + 1:
            covered[-1][1] = max(covered[-1][1], end)
        else:
            covered.append([start, end])
    starts = [c[0] for c in covered]

    def inside_entry(p: Passage) -> bool:
        k = bisect_right(starts, p.span.start_line) - 1
        return k >= 0 and p.span.start_line <= covered[k][1]

    # Sections whose heading can name a thing and that have prose directly under them.
    candidates: dict[tuple[str, ...], str] = {}  # path -> its prose
    for path, sec in sections.items():
        heading = path[-1]
        if normalize(heading) in own or name_shaped(heading) is not None:
            continue
        mine = [passages[i] for i in sec.passages]
        if any(inside_entry(p) for p in mine):
            continue
        prose = "\n\n".join(p.text for p in mine if p.kind in _PROSE_KINDS)
        if len(prose.strip()) >= MIN_PROSE:
            candidates[path] = prose

    named = {path for path, prose in candidates.items() if _named_in(path[-1], prose)}
    siblings: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for path in candidates:
        siblings[path[:-1]].append(path)

    reasons: dict[tuple[str, ...], str] = {}
    for path in candidates:
        heading = path[-1]
        n = len(heading.split())
        parent = f" of {path[-2]!r}" if len(path) > 1 else ""
        shape = f"section{parent} headed by a name ({n} word{'s' if n > 1 else ''})"
        if path in named:
            reasons[path] = f"{shape}, whose text names it"
            continue
        group = siblings[path[:-1]]
        naming = sum(1 for g in group if g in named)
        if len(group) >= MIN_PARALLEL and naming * 2 > len(group):
            reasons[path] = (
                f"{shape}, one of {len(group)} parallel sections of which {naming} "
                "name their heading in their text"
            )

    if not reasons:
        return doc
    order = sorted((sections[path].first, path) for path in reasons)
    new: list[Entry] = []
    for k, (first, path) in enumerate(order):
        stop = order[k + 1][0] if k + 1 < len(order) else len(passages)
        run: list[Passage] = []
        for p in passages[first:stop]:
            if p.heading_path[: len(path)] != path or inside_entry(p):
                break
            run.append(p)
        new.append(_entry(path[-1], run, reasons[path]))
    entries = sorted((*doc.entries, *new), key=lambda e: e.span.start_line)
    return replace(doc, entries=tuple(entries))


def _entry(term: str, run: list[Passage], reason: str) -> Entry:
    span = Span(run[0].span.path, run[0].span.start_line, max(p.span.end_line for p in run))
    links: tuple[Link, ...] = tuple(dict.fromkeys(x for p in run for x in p.links))
    math: tuple[Math, ...] = tuple(x for p in run for x in p.math)
    images: tuple[Image, ...] = tuple(x for p in run for x in p.images)
    return Entry(
        term=term,
        definition="\n\n".join(p.text for p in run if p.text.strip()),
        span=span,
        links=links,
        math=math,
        images=images,
        references=tuple(r for p in run for r in p.references),
        reason=reason,
    )


__all__ = ["add_section_entries", "name_shaped"]
