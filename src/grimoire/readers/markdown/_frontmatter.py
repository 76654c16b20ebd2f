"""YAML (`---`) and TOML (`+++`) front matter, read safely and kept line-exact.

yaml.safe_load semantics (no `!!python/...` constructors), plus caps: an alias bomb expands on
traversal even under safe_load (PyYAML #235), so anchors/aliases, bytes and expanded nodes are
all limited, and a refused block becomes a Problem while the body is still read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from grimoire.model import Problem, Span
from grimoire.readers.base import collapse, nikola_metadata, too_many_digits

MAX_FRONT_MATTER = 64 * 1024
MAX_YAML_ALIASES = 100
MAX_META_NODES = 20_000


@dataclass(slots=True)
class FrontMatter:
    """Front matter as read: the mapping, where it was, and what went wrong."""

    meta: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    end_line: int = 0  # last line of the block (0 when there is none)
    key_lines: dict[str, int] = field(default_factory=dict)
    related: list[tuple[str, int]] = field(default_factory=list)
    references: list[tuple[str, str, int]] = field(default_factory=list)


def _json_safe(value: Any, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("front matter expands past the size limit")
    if isinstance(value, dict):
        return {str(k): _json_safe(v, budget) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v, budget) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _yaml_lines(node: yaml.Node, first: int, fm: FrontMatter) -> None:
    """Line numbers of top-level keys, related terms and references, from the composed node."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        fm.key_lines[str(key.value)] = first + key.start_mark.line
        if key.value == "related_terms" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.ScalarNode) and item.value.strip():
                    fm.related.append((item.value.strip(), first + item.start_mark.line))
        elif key.value == "references" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if not isinstance(item, yaml.MappingNode):
                    continue
                fields = {
                    str(k.value): str(v.value)
                    for k, v in item.value
                    if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
                }
                url = fields.get("link_url") or fields.get("url") or ""
                label = fields.get("link_title") or fields.get("title") or url
                if url or label:
                    fm.references.append(
                        (collapse(label), url.strip(), first + item.start_mark.line)
                    )


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_NOT_PLAIN = object()


def _plain(node: yaml.Node, budget: list[int] | None = None) -> Any:
    """What `construct_document` gives for a node of only strings, sequences and mappings
    with string keys, built without PyYAML's Python constructor (its generators and state
    were half of reading a note's front matter, issue 14); `_NOT_PLAIN` for any other node,
    which the constructor then builds. Such a value is JSON-safe as it is (`_json_safe`
    would copy it unchanged); past `budget` nodes it too is left to the long way, where
    `_json_safe` refuses it."""
    if budget is None:
        budget = [MAX_META_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        return _NOT_PLAIN
    tag = node.tag
    if tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if tag == _SEQ and isinstance(node, yaml.SequenceNode):
        items = []
        for child in node.value:
            item = _plain(child, budget)
            if item is _NOT_PLAIN:
                return _NOT_PLAIN
            items.append(item)
        return items
    if tag == _MAP and isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key, value in node.value:
            if key.tag != _STR or not isinstance(key, yaml.ScalarNode):
                return _NOT_PLAIN  # a merge key, a number, a complex key
            item = _plain(value, budget)
            if item is _NOT_PLAIN:
                return _NOT_PLAIN
            out[key.value] = item
        return out
    return _NOT_PLAIN


# Implicit tags already resolved, by (node kind, scalar, implicit flags): the same keys and
# values ("tags", "aliases", "ml") recur from note to note. Bounded; short scalars only.
_TAGS: dict[tuple[Any, Any, Any], str] = {}
_TAGS_KEPT = 4096
_TAG_CHARS = 64


class _Loader(yaml.CSafeLoader):
    """`yaml.CSafeLoader` that remembers the tags its resolver gave: PyYAML's `resolve`, in
    Python, tries a list of regular expressions on every scalar (issue 14). It is a function
    of its arguments alone while no path resolvers are added (safe_load adds none)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        key = (kind, value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(_TAGS) < _TAGS_KEPT and (value is None or len(value) <= _TAG_CHARS):
                _TAGS[key] = tag
        return tag


def _long_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A YAML integer; one with more digits than Python converts stays text (`count:` of
    5,000 nines failed the whole front matter with Python's advice to call
    `sys.set_int_max_str_digits()`, round 37)."""
    if too_many_digits(node.value):
        return node.value
    return loader.construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _long_int)


# The simplest front matter, as most notes' is: `key: words` and `key: [words, words]` lines
# (`aliases: [C1]`, `title: Post 5`), ASCII words (the first opens with a letter), no quote,
# colon, comma, bracket, `#`, `&`, `*` or tab in them. Such a scalar is plain in YAML's block
# and flow contexts alike, and its value is the text as written; whether it is a string (not
# `yes`, `on`, `null`) the YAML 1.1 resolver itself says (`_string`). Composing it with PyYAML
# was 5% of a generated note's read (issue 14).
_WORDS = r"[A-Za-z][\w.-]*(?: [A-Za-z0-9][\w.-]*)*"
# A key of at most 1,024 characters: libyaml finds no simple key longer (review52b: a key of
# 1,025 letters was read here, where PyYAML refuses the front matter).
_SIMPLE_LINE = re.compile(rf"(?P<key>[A-Za-z][\w-]{{0,1023}}):[ ]+(?:(?P<words>{_WORDS})"
                          rf"|\[[ ]*(?P<items>{_WORDS}(?:[ ]*,[ ]*{_WORDS})*)?[ ]*\])[ ]*",
                          re.ASCII)
_ITEM_COMMA = re.compile(r"[ ]*,[ ]*")
_RESOLVER = yaml.resolver.Resolver()  # CSafeLoader's own resolver class, no path resolvers


@lru_cache(maxsize=4096)  # keys and tags recur note after note ("aliases", "tags", "ml")
def _string(scalar: str) -> bool:
    """Whether YAML 1.1 reads this plain scalar as a string."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, scalar, (True, False))  # type: ignore[no-untyped-call]
    return tag == _STR


def _simple_yaml(body: str, first: int, fm: FrontMatter) -> dict[str, Any] | None:
    """`_parse_yaml`'s value of `body` when every line is blank or `_SIMPLE_LINE` (keys apart,
    no `related_terms` or `references`, whose lines `_yaml_lines` keeps) and its nodes are
    within `MAX_META_NODES`, with `fm.key_lines` as it sets them; None for any other front
    matter, which PyYAML reads."""
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    nodes = 1  # as `_plain` counts them: the mapping, each value, each item of a list
    for k, line in enumerate(body.split("\n")):
        if not line.strip(" "):
            continue
        m = _SIMPLE_LINE.fullmatch(line)
        if m is None:
            return None
        key, words, items = m.group("key", "words", "items")
        if key in meta or key in ("related_terms", "references") or not _string(key):
            return None
        if words is not None:
            if not _string(words):
                return None
            meta[key] = words
        else:
            values = _ITEM_COMMA.split(items) if items is not None else []
            if not all(_string(v) for v in values):
                return None
            meta[key] = values
            nodes += len(values)
        nodes += 1
        lines[key] = first + k
    if not meta or nodes > MAX_META_NODES:
        return None  # past the cap: refused the long way
    fm.key_lines.update(lines)
    return meta


def _parse_yaml(body: str, first: int, path: str, fm: FrontMatter) -> tuple[Any, bool]:
    """The front matter's value, and whether it is JSON-safe already (`_plain`)."""
    simple = _simple_yaml(body, first, fm)
    if simple is not None:
        return simple, True
    if ("&" in body or "*" in body) and sum(
        isinstance(t, (yaml.AliasToken, yaml.AnchorToken))
        for t in yaml.scan(body, Loader=yaml.CSafeLoader)
    ) > MAX_YAML_ALIASES:
        raise ValueError(f"more than {MAX_YAML_ALIASES} YAML anchors/aliases")
    loader = _Loader(body)
    try:
        node = loader.get_single_node()
        data = None
        plain = _NOT_PLAIN
        if node is not None:
            # Without aliases (no `*`), a tree of strings, lists and mappings is built here;
            # anything else (numbers, dates, merge keys) by PyYAML's constructor.
            if "*" not in body:
                with contextlib.suppress(RecursionError):  # deep nesting: the long way
                    plain = _plain(node)
            data = _construct(loader, node) if plain is _NOT_PLAIN else plain
    finally:
        loader.dispose()
    if node is not None:
        _yaml_lines(node, first, fm)
    return data, node is not None and plain is not _NOT_PLAIN


def _construct(loader: Any, node: yaml.Node) -> Any:
    """PyYAML's value of `node`; a value it cannot make (`date: 2023-13-45`: "month must be in
    1..12", a ValueError with no place) is raised at the line of its scalar, not line 1."""
    try:
        return loader.construct_document(node)
    except ValueError as e:
        for scalar in _scalars(node):
            if scalar.tag == "tag:yaml.org,2002:timestamp":
                try:
                    loader.construct_yaml_timestamp(scalar)
                except ValueError:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"{e} ({scalar.value!r})", scalar.start_mark) from e
        raise


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.ScalarNode):
            yield n
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(reversed(n.value))
        elif isinstance(n, yaml.MappingNode):
            stack.extend(x for pair in reversed(n.value) for x in reversed(pair))


# A line of Markdown no front matter holds: an ATX heading ("# TODOs", which YAML reads as a
# comment) or a list item ("- Review the SGD part", which YAML reads as a list).
_MARKDOWN_BLOCK = re.compile(r"^(?:#{1,6}[ \t]+\S|[-*+][ \t]+\S)", re.MULTILINE)


# Pelican's (and Python-Markdown's `meta` extension's) metadata: `Key: value` lines from the
# first line to the first blank one, a longer value's lines indented under its key.
_META_LINE = re.compile(r"([A-Za-z][\w-]{0,30}):(?:[ \t]+(.*?))?[ \t]*\r?")
_META_MORE = re.compile(r"(?: {4}|\t)[ \t]*(\S.*?)[ \t]*\r?")
# The keys that say a `Title:` line opens such a block (Pelican's own), beside the title: a
# note that opens "Title: ..." then "Authors: ..." is a paper's note, its lines its text.
_PELICAN_KEYS = frozenset({"date", "modified", "tags", "keywords", "category", "slug",
                           "summary", "lang", "status", "template", "save_as", "url",
                           "subtitle"})
# Every key of such a block is one Pelican reads: a line of another key ("Decision: ...",
# "Attendees: ...") is the note's own text (round 51, review51c: a meeting note opening
# "Title:", "Date:", "Decision: ..." lost its decision from every passage).
_PELICAN_READS = _PELICAN_KEYS | {"title", "author", "authors", "translation", "save-as",
                                  "status", "index", "order", "image", "thumbnail"}
# The keys only a site's page has: a block of keys in lower case ("title:", "tags:") is front
# matter that lost its `---` fences, or the note's own first lines, unless one of these says a
# Pelican page (read52: review51c saw "title: X / tags: a, b" blanked from the note's text).
_PELICAN_ONLY = frozenset({"date", "modified", "category", "slug", "lang", "status", "template",
                           "save_as", "save-as", "url", "translation"})
# Its keys whose value is the page's own words, kept as its text where they stand (a paper's
# note opening "Title:", "Authors:", "Date:" is searched for its authors).
_PELICAN_TEXT = frozenset({"summary", "author", "authors"})


def _pelican_metadata(text: str) -> tuple[dict[str, str], int, frozenset[int]]:
    """The `Key: value` block that opens a Pelican site's Markdown page (its title among them,
    one of Pelican's own keys, and no key Pelican does not read), its last line, and the lines
    of it that stay text (a summary's); ({}, 0, ()) when the page opens otherwise (round 51,
    qa51: a course site's lectures were titled by their file names, their first passage
    "Title: Lecture 8. ... Date: Monday, ...")."""
    meta: dict[str, str] = {}
    key = ""
    kept: set[int] = set()
    lower = False
    lines = text.split("\n", 40)[:40]
    blank = next((k for k, line in enumerate(lines) if not line.strip()), None)
    if blank is None:
        return {}, 0, frozenset()
    for number, line in enumerate(lines[:blank]):
        more = _META_MORE.fullmatch(line) if key else None
        if more is None:
            found = _META_LINE.fullmatch(line)
            if found is None or found.group(1).lower() not in _PELICAN_READS:
                return {}, 0, frozenset()
            key = found.group(1).lower()
            lower = lower or found.group(1)[0].islower()
            meta.setdefault(key, found.group(2) or "")
        else:
            meta[key] = f"{meta[key]} {more.group(1)}".strip()
        if key in _PELICAN_TEXT:
            kept.add(number)
    if not meta.get("title") or not _PELICAN_KEYS.intersection(meta) \
            or (lower and not _PELICAN_ONLY.intersection(meta)):
        return {}, 0, frozenset()
    return meta, blank, frozenset(kept)


def _nikola_comment(text: str, fm: FrontMatter) -> tuple[str, FrontMatter]:
    """A Nikola Markdown page's metadata, `.. title: ...` lines inside the `<!-- -->` it opens
    with, as front matter: read and blanked (round 51, qa51). Any other comment stays."""
    end = text.find("-->", 0, 8192)
    inside = text[4:end].strip("\r\n").split("\n") if end > 0 else []
    meta = nikola_metadata([line.rstrip("\r") for line in inside if line.strip()], whole=True)
    if not meta:
        return text, fm
    fm.meta = meta
    fm.end_line = text.count("\n", 0, end) + 1
    close = text.find("\n", end)
    return "\n" * (fm.end_line - 1) + (text[close:] if close >= 0 else ""), fm


# Blank lines before a front matter block that Pandoc (Quarto, R Markdown) still reads as one.
_MAX_BLANKS_BEFORE = 3


def split_front_matter(text: str, path: str) -> tuple[str, FrontMatter]:
    """Read the front matter and blank its lines, so the body keeps the file's line numbers."""
    if text[:1] in ("\n", "\r"):
        # Pandoc reads a YAML block after a blank line as the page's metadata (round 53: a
        # Quarto course's slides opened with an empty line, their `title:` was a paragraph
        # and each deck was named by its file, "cnns"). Only a mapping read without a problem
        # counts: `---` lines around text further down are thematic breaks. Obsidian, Hugo
        # and Jekyll read front matter on the first line only: in a note of theirs, a line of
        # `Name: text` between two rules after a blank line is text the note shows, kept
        # unless the mapping titles the page (review53c; Quarto renders `.md` with Pandoc).
        rest = text.lstrip("\r\n")
        blanks = text.count("\n", 0, len(text) - len(rest))
        if blanks <= _MAX_BLANKS_BEFORE and rest.startswith("---"):
            body, fm = _split_front_matter(rest, path)
            if fm.meta and not fm.problems \
                    and (path[-4:].lower() in (".qmd", ".rmd") or "title" in fm.meta):
                fm.end_line += blanks
                fm.key_lines = {k: v + blanks for k, v in fm.key_lines.items()}
                fm.related = [(name, line + blanks) for name, line in fm.related]
                fm.references = [(a, b, line + blanks) for a, b, line in fm.references]
                return "\n" * blanks + body, fm
    return _split_front_matter(text, path)


def _split_front_matter(text: str, path: str) -> tuple[str, FrontMatter]:
    fm = FrontMatter()
    if not text.startswith(("---", "+++")):
        if text.startswith("<!--") and ".. " in text[:16]:
            return _nikola_comment(text, fm)
        if text[:1].isalpha() and ":" in text[:32]:
            meta, end_line, kept = _pelican_metadata(text)
            if end_line:
                fm.meta, fm.end_line = {k: v for k, v in meta.items() if v}, end_line
                head = text.split("\n", end_line)
                return "\n".join([*(line if k in kept else "" for k, line
                                     in enumerate(head[:end_line])), head[end_line]]), fm
        return text, fm
    fence = text[:3]
    first_nl = text.find("\n")
    if first_nl < 0 or text[3:first_nl].strip():
        return text, fm
    closers = ("---", "...") if fence == "---" else ("+++",)
    pos = first_nl + 1
    end_line = 0
    line_no = 2
    close_start = close_end = -1
    limit = min(len(text), MAX_FRONT_MATTER + 4096)
    while pos <= len(text) and pos < limit:
        nl = text.find("\n", pos)
        line = text[pos : nl if nl >= 0 else len(text)]
        if line.rstrip() in closers:
            close_start, close_end, end_line = pos, (nl if nl >= 0 else len(text)), line_no
            break
        if nl < 0:
            break
        pos = nl + 1
        line_no += 1
    if close_start < 0 and pos >= limit:
        # The scan stopped at the size cap: a closer further down means front matter that is
        # too large, not unclosed (issue 11, item 11).
        closer = re.compile("^(?:" + "|".join(re.escape(c) for c in closers) + r")[ \t]*\r?$",
                            re.MULTILINE).search(text, pos)
        if closer is not None:
            close_start, close_end = closer.start(), closer.end()
            end_line = text.count("\n", 0, close_start) + 1
    if close_start < 0:
        fm.problems.append(Problem(f"unclosed front matter: no closing {fence}", Span(path, 1, 1)))
        return text, fm
    body = text[first_nl + 1 : close_start]
    blanked = "\n" * (end_line - 1) + text[close_end:]
    if len(body) > MAX_FRONT_MATTER:
        fm.problems.append(
            Problem(f"invalid front matter: larger than {MAX_FRONT_MATTER // 1024} KiB",
                    Span(path, 1, end_line))
        )
        fm.end_line = end_line
        return blanked, fm
    try:
        safe = False
        if fence == "+++":
            data: Any = tomllib.loads(body)
        else:
            data, safe = _parse_yaml(body, 2, path, fm)
        # Strings, lists and mappings (`safe`) are already what `_json_safe` would give.
        meta = data if safe else _json_safe(data, [MAX_META_NODES]) if data is not None else {}
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError, RecursionError) as e:
        where = 1
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            where = 2 + int(mark.line)
        reason = getattr(e, "problem", None) or str(e).split("\n")[0]
        fm.problems.append(Problem(f"invalid front matter: {reason}", Span(path, where, where)))
        fm.related.clear()
        fm.references.clear()
        fm.end_line = end_line
        return blanked, fm
    if not isinstance(meta, dict):
        # `---` / text / `---` is a thematic break around a paragraph, not front matter. It
        # is worth a warning only when it could have been front matter: a note that opens
        # with a rule over a Markdown heading or list (a YAML comment and a YAML list to the
        # parser; round 35: "# TODOs" over its items, between two rules) says nothing wrong.
        if not _MARKDOWN_BLOCK.search(body):
            fm.problems.append(
                Problem("front matter is not a key: value mapping", Span(path, 1, end_line))
            )
        fm.related.clear()
        fm.references.clear()
        return text, fm
    fm.meta = meta
    fm.end_line = end_line
    return blanked, fm


def meta_strings(value: Any) -> list[str]:
    """A front matter list field as strings: a list, or one string split at commas/spaces."""
    if value is None:
        return []
    if isinstance(value, list):
        items = [str(v) for v in value if v is not None and not isinstance(v, (list, dict))]
    elif isinstance(value, str):
        items = value.split(",") if "," in value else value.split()
    else:
        items = [str(value)]
    return [s.strip().lstrip("#").strip() for s in items if s.strip().lstrip("#").strip()]
