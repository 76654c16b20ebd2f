"""A document as the rows a store writes for it, built where the document was read.

Ingest reads files in worker processes and stores them in one. Turning a `Document` into
rows (JSON of entries and marks, normalised names, the full-text columns) is pure work that
needs no database, so the workers do it: the writer, which is the one serial stage, only
inserts, and a batch of files goes in with one statement per table (issue 14). Row ids are
given by the writer; here a passage names its entry by the entry's index in the document.
The records are plain tuples, which cross the process boundary far faster than dataclasses
or named tuples (pickle copies a tuple in C; see below).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from grimoire.codec import dumps_records, record_fields, records_encoder, to_data
from grimoire.model import PAGE_REASONS, Document, Entry, Link, Problem, Span
from grimoire.names import normalize
from grimoire.store.records import SourceRecord

# (target, norm, label, kind, fragment, exists_hint, start_line, end_line, href, no_page)
LinkRow = tuple[str, str, str | None, str, str | None, bool | None, int, int, str | None,
                str | None]


# The rows are plain tuples, not named tuples: each file's result is its own pickle, and a
# class in it is looked up again (an import and a getattr) on both sides of the pipe for every
# file, and built through its Python `__new__`; as plain tuples, pickling a result and
# unpickling it took 64% and 43% fewer instructions (issue 14). Their fields, in order:

# One entry: term, norm, start_line, end_line, redirect, data (the entry as JSON), names
# ((name, norm), one per distinct norm), links (see also included). Its full-text row (names;
# definition and glosses) is not sent: the writer indexes it from `data`, in SQL, as it
# computes it to forget the row (`sqlite.ENTRY_FTS_VALUES`), so the definition crosses the
# pipe once, not twice (about 500 bytes a note).
EntryRows = tuple[str, str, int, int, str | None, str, tuple[tuple[str, str], ...],
                  tuple[LinkRow, ...]]

# One passage: entry (its index in the document's entries, or None), kind, heading_path (JSON
# list), heading (" / "-joined, for the full-text index), text, start_line, end_line, marks
# (JSON), links (stored only when the passage has no entry).
PassageRows = tuple[int | None, str, str, str, str, int, int, str, tuple[LinkRow, ...]]

# Everything a store writes for one document: page, title, format, tags (JSON list), meta
# (JSON), revision (JSON or None), entries, passages, problems.
DocumentRows = tuple[str | None, str, str, str, str, str | None, tuple[EntryRows, ...],
                     tuple[PassageRows, ...], tuple[Problem, ...]]


def names_text(names: tuple[tuple[str, str], ...]) -> str:
    """An entry's names as the passage index holds them for the entry's passages."""
    return " ; ".join(name for name, _ in names)


# A file to store: its record, and its documents (as read, or as rows built by a worker).
SourceItem = tuple[SourceRecord, Iterable[Document | DocumentRows]]


def link_rows(links: Sequence[Link]) -> tuple[LinkRow, ...]:
    """Rows for `links`, each distinct link once, in order."""
    # Most passages and entries hold one link or none: hashing a Link (a dataclass's hash,
    # in Python, of its fields and its Span's) only to find it distinct is skipped.
    return tuple(
        (link.target, normalize(link.target), link.label, str(link.kind), link.fragment,
         link.exists_hint, link.span.start_line, link.span.end_line, link.href, link.no_page)
        for link in (links if len(links) < 2 else dict.fromkeys(links))
    )


# `json.dumps(value, default=str)` builds an encoder on every call; this one is built once.
_META = json.JSONEncoder(default=str, allow_nan=False)
# And `JSONEncoder.encode` builds its C encoder on every call (2 of a short front matter's
# 3 us): here it is built once, with the same settings. No circular-reference check
# (`markers` None): `to_data` has already copied the meta into a tree.
_META_C: Callable[[Any, int], Iterable[str]] | None = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, str, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, False)
    if getattr(json.encoder, "c_make_encoder", None) is not None else None
)


def _encode_meta(data: dict[str, Any]) -> str:
    return _META.encode(data) if _META_C is None else "".join(_META_C(data, 0))


def meta_json(meta: Mapping[str, Any]) -> str:
    """A document's meta as JSON; a number JSON lacks (NaN, Infinity) is kept as its text.

    Front matter `.nan`, TOML `inf` and a notebook's `NaN` are valid input, but Python would
    write them as bare `NaN`, which PostgreSQL's json refuses and SQLite's JSON functions take
    for a malformed column: every later resolve of the store failed on it.
    """
    data = to_data(meta)
    try:
        return _encode_meta(data)
    except ValueError:
        return _encode_meta(_finite(data))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


# What the store keeps of an entry and of a passage's marks (round 38): the record as JSON
# without what other columns hold already. An entry's term, span and redirect are columns of
# `entries`; every span's file is its source's path, which `sources` holds once. A span in
# another file than the document's keeps its path. These were a third of an entry's JSON and
# of the marks on the corpora (whose paths are absolute), sent from each reader worker to the
# writer and stored. `stored_entry` and `stored_marks` put them back.
_ENTRY_COLUMNS = ("term", "span", "redirect")


def _stored_fields(path: str) -> Callable[[Any], Any]:
    def fields(obj: Any) -> Any:
        cls = type(obj)
        if cls is Span:
            if obj.path == path:
                return {"start_line": obj.start_line, "end_line": obj.end_line}
        elif cls is Entry:
            data = record_fields(obj)
            for name in _ENTRY_COLUMNS:
                del data[name]
            if obj.span.path != path:
                data["span"] = obj.span
            return data
        return record_fields(obj)
    return fields


def stored_json(obj: Any, path: str) -> str:
    """`obj` (an entry, or a passage's marks) as the store keeps it for a file at `path`."""
    return "".join(records_encoder(_stored_fields(path))(obj, 0))


def _with_path(value: Any, path: str) -> None:
    """Give each span in `value` (JSON data, changed in place) its file, where it has none."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "span":
                if "path" not in item:
                    value[key] = {"path": path, **item}  # in its place, as it was written
            elif isinstance(item, list | dict):
                _with_path(item, path)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, list | dict):
                _with_path(item, path)


def entry_data(data: str, path: str, term: str, start: int, end: int,
               redirect: str | None) -> dict[str, Any]:
    """A stored entry's JSON as `to_data(entry)` gives it: its columns and file put back."""
    value: dict[str, Any] = json.loads(data)
    _with_path(value, path)
    value["term"] = term
    value.setdefault("span", {"path": path, "start_line": start, "end_line": end})
    value["redirect"] = redirect
    return value


def stored_marks(marks: str, path: str) -> dict[str, Any]:
    """A passage's stored marks with each span's file put back."""
    value: dict[str, Any] = json.loads(marks)
    _with_path(value, path)
    return value


def _without_path(value: Any, path: str) -> None:
    """Leave out the file of each span in `value` (JSON data, changed in place) that is in
    `path`: what `stored_json` writes, in the same key order."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "span":
                if isinstance(item, dict) and item.get("path") == path:
                    del item["path"]
            elif isinstance(item, list | dict):
                _without_path(item, path)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, list | dict):
                _without_path(item, path)


def restored_json(data: str, path: str, entry: bool) -> str | None:
    """An entry's JSON (`entry`) or a passage's marks as a store before round 38 kept them
    (every span with its file, an entry's columns within) as `stored_json` writes them: for
    the schema step that upgrades such a store. None for a damaged cell, no JSON object: the
    step leaves it as it was, and the store opens as it did before, `grimoire check` naming
    the file (review38a: one such cell stopped every command with a JSON traceback)."""
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    if entry:
        for name in ("term", "redirect"):
            value.pop(name, None)
        span = value.get("span")
        if isinstance(span, dict) and span.get("path") == path:
            del value["span"]
    _without_path(value, path)
    return json.dumps(value)


@lru_cache(maxsize=4096)
def _json_strings(items: tuple[str, ...]) -> str:
    """A heading path or tags as JSON: the same few recur in every note of a folder.

    Written by `dumps_records`' encoder, built once, with `json.dumps`' separators and
    escaping (a heading path is new for each note of a vault: most calls miss the cache).
    """
    return dumps_records(items)


def in_page(link: Link) -> bool:
    """Whether `link` leads into its own page (`#scaled-attention`, a table of contents):
    no link out of the page's concept, so it stays a free passage's."""
    return (link.href or "").startswith("#")


def page_entry(doc: Document) -> int | None:
    """The index of the entry that is the page itself: one named by the page
    (`PAGE_REASONS`), else one whose term is the page's title (a note's `# Title` and its
    opening paragraph)."""
    named = next((k for k, e in enumerate(doc.entries) if e.reason in PAGE_REASONS), None)
    if named is None and doc.title:
        named = next((k for k, e in enumerate(doc.entries) if e.term == doc.title), None)
    return named


def _no_nul(entry: Entry) -> Entry:
    """`entry` with U+FFFD for each NUL in the values the full-text row reads from
    `entries.data`: SQLite's JSON functions end a string at `\\u0000`, so the values
    `sqlite._FORGET_FTS` computes again to forget the row were cut short there, and the
    rest of the row stayed in the index (a YAML alias `"a\\0b"` is one)."""
    if "\x00" not in "".join((entry.definition or "", *entry.aliases, *entry.glosses)):
        return entry
    return dataclasses.replace(
        entry, definition=entry.definition.replace("\x00", "\ufffd"),
        aliases=tuple(a.replace("\x00", "\ufffd") for a in entry.aliases),
        glosses=tuple(g.replace("\x00", "\ufffd") for g in entry.glosses))


def document_rows(doc: Document) -> DocumentRows:
    """The rows of `doc`; a passage belongs to the first entry whose lines hold its first line."""
    entries: list[EntryRows] = []
    spans: list[tuple[int, int, int]] = []
    for k, entry in enumerate(map(_no_nul, doc.entries)):
        names = {key: n for n in (entry.term, *entry.aliases) if (key := normalize(n))}
        entries.append((
            entry.term, normalize(entry.term), entry.span.start_line, entry.span.end_line,
            entry.redirect, stored_json(entry, doc.path),
            tuple((name, key) for key, name in names.items()),
            link_rows((*entry.links, *entry.see_also)),
        ))
        spans.append((entry.span.start_line, entry.span.end_line, k))
    # A page's text outside its other entries is about the page (`PAGE_REASONS`): a link in
    # it (a README's index table, a list of the folder's notes) leaves from the page's own
    # concept. Stored as a free passage's, it left from no concept, and a course's indexes
    # drew a graph of 299 concepts and no link (round 32).
    page = page_entry(doc)
    page_links: list[LinkRow] = []
    passages: list[PassageRows] = []
    for p in doc.passages:
        owner = next((k for start, end, k in spans if start <= p.span.start_line <= end),
                     None) if spans else None
        marks = {
            key: value
            for key, value in (("links", p.links), ("math", p.math), ("images", p.images),
                               ("references", p.references), ("language", p.language))
            if value
        }
        free: Sequence[Link] = p.links if owner is None else ()
        if free and page is not None:
            page_links.extend(link_rows([x for x in free if not in_page(x)]))
            free = [x for x in free if in_page(x)]
        passages.append((
            owner, p.kind, _json_strings(p.heading_path), " / ".join(p.heading_path), p.text,
            p.span.start_line, p.span.end_line, stored_json(marks, doc.path) if marks else "{}",
            # An entry's links are stored once, from the entry; a free passage's from itself.
            link_rows(free),
        ))
    if page is not None and page_links:
        # The page's entry already holds the links of its opening text (`add_page_entry`):
        # a page that opens with a list of links, no paragraph, had each stored twice, and
        # lint reported each of them twice (round 33: an org-roam note's `- tags :: [[...]]`).
        e = entries[page]
        entries[page] = (*e[:7], tuple(dict.fromkeys((*e[7], *page_links))))
    return (
        doc.page, doc.title, doc.format, _json_strings(doc.tags), meta_json(doc.meta),
        json.dumps(to_data(doc.revision)) if doc.revision else None,
        tuple(entries), tuple(passages), doc.problems,
    )
