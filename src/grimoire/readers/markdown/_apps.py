"""Markdown as note apps write it: Logseq's properties, Notion's property lines, Dendron's links.

Each rewrite keeps the file's lines where they were (a property line becomes an empty line), so
every span still points at the line the user wrote. Each is gated on a substring or a file-name
test first, so a note of no such app costs one `in` (issue 14: readers are most of ingest).

- Logseq writes properties as `key:: value` lines: the page's (its first block: `title::`,
  `alias::`, `tags::`) and each block's (`id:: <uuid>` under a block that is referenced,
  `collapsed:: true`). They are not text: page properties go to the front matter (`title`
  names the page, `alias` gives aliases, `tags` tags, never links), block properties vanish.
  A block reference `((uuid))` is not text either; `{{embed [[page]]}}` is an embed of the
  page, and the other macros (`{{query ...}}`, `{{cards}}`) are computed, not written.
- Notion's Markdown export writes a database page's properties under its title as
  `Key: value` lines (`Created: March 5, 2023 2:14 PM`, `Tags: NLP, Transformers`), in a file
  named `Page Name <32 hex digits>.md`. That paragraph goes to the front matter.
- Dendron writes a labelled link label first, `[[shown|ml.attention.self]]`, where Obsidian
  writes the target first. A Dendron note (front matter with `id`, `created` and `updated`
  timestamps) has its links turned round before they are read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from grimoire.readers.base import folder_of, stem_of

# `key:: value`: at the start of a line, or of a list item (`- alias:: x`), or indented under
# a block. The value is required, so an rst-style `Example::` line ending a paragraph stays.
# Logseq always writes the space: `std::cout` in an indented code block is no property.
_PROPERTY = re.compile(r"^([ \t]*)(?:[-*][ \t]+)?([A-Za-z][\w-]{0,40})::[ \t]+(\S.*)$",
                       re.MULTILINE)
_BLOCK_REF = re.compile(r"\(\(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)\)")
_PAGE_REF = re.compile(r"#?\[\[([^\[\]]+)\]\]")
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)
_LIST_KEYS = {"alias": "aliases", "aliases": "aliases", "tags": "tags", "tag": "tags"}


def _names(value: str) -> list[str]:
    """The pages a property value names: `[[deep learning]], nlp, #[[multi word]]`."""
    refs = _PAGE_REF.findall(value)
    rest = _PAGE_REF.sub(",", value)
    plain = [p.strip().lstrip("#").strip() for p in rest.split(",")]
    return [*refs, *(p for p in plain if p)]


def _fenced(text: str) -> list[tuple[int, int]]:
    """Offsets of the fenced code blocks (where `key:: value` is code, not a property)."""
    spans: list[tuple[int, int]] = []
    opened = -1
    for m in _FENCE.finditer(text):
        if opened < 0:
            opened = m.start()
        else:
            spans.append((opened, m.end()))
            opened = -1
    if opened >= 0:
        spans.append((opened, len(text)))
    return spans


def logseq_properties(text: str) -> tuple[str, dict[str, Any]]:
    """`text` with its property lines emptied, block references dropped and macros read
    (`_macro`), and the page's properties (the first block's) as front matter."""
    if ":: " not in text and "((" not in text and "{{" not in text:
        return text, {}
    meta: dict[str, Any] = {}
    if ":: " in text:
        fences = _fenced(text) if "```" in text or "~~~" in text else []
        matches = [m for m in _PROPERTY.finditer(text)
                   if m.group(3) and not any(a <= m.start() < b for a, b in fences)]
        if matches:
            # The page's properties: the lines of the first block, from the top of the file.
            head = len(text) - len(text.lstrip())
            for m in matches:
                if m.start() > head:
                    break
                key = m.group(2).lower()
                value = m.group(3).strip()
                if key in _LIST_KEYS:
                    meta.setdefault(_LIST_KEYS[key], []).extend(_names(value))
                elif key == "title" and "/" in value and " / " not in value:
                    # A namespaced page (`title:: ml/Transformer`) is named as `[[ml/Transformer]]`
                    # names it: by its last part.
                    meta.setdefault(key, value.rstrip("/").rsplit("/", 1)[-1])
                else:
                    meta.setdefault(key, value)
                head = m.end() + 1
            pieces: list[str] = []
            last = 0
            for m in matches:
                pieces.append(text[last:m.start()])
                last = m.end()
            pieces.append(text[last:])
            text = "".join(pieces)
    if "((" in text:
        text = _BLOCK_REF.sub("", text)
    if "{{" in text:
        text = _MACRO.sub(_macro, text)
    return text, meta


# Logseq's macros: `{{embed [[page]]}}` shows that page (an embed, as Obsidian's `![[page]]`),
# `{{video url}}` a player, `{{cloze words}}` hides words on a flashcard; `{{query ...}}`,
# `{{cards}}`, `{{renderer ...}}` are computed views, no text of the note.
_MACRO = re.compile(
    r"\{\{(embed|query|cards|cloze|renderer|video|youtube|tweet|namespace|function|pdf)\b[ \t]*"
    r"([^\n]*?)\}\}"
)
_SHOWN = frozenset({"cloze", "video", "youtube", "tweet", "pdf"})


def _macro(m: re.Match[str]) -> str:
    kind, arg = m.group(1), m.group(2).strip()
    if kind == "embed":
        return f"!{arg}" if arg.startswith("[[") and arg.endswith("]]") else ""
    return arg if kind in _SHOWN else ""


_NOTION_FILE = re.compile(r"\s[0-9a-f]{32}\.(?:md|markdown)$")
_NOTION_LINE = re.compile(r"([A-Za-z][\w ]{0,30}?): (\S.*)")
# Property names Notion gives a database by default: one such line is a property block.
_NOTION_KEYS = frozenset({"created", "created time", "created by", "last edited time",
                          "last edited by", "tags", "status", "type", "date", "url"})


def notion_page(path: str) -> bool:
    """Whether a file is named as a Notion export names a page, `Name <32 hex digits>.md`."""
    return _NOTION_FILE.search(path) is not None


def notion_properties(text: str, path: str) -> tuple[str, dict[str, Any]]:
    """`text` with the property lines under its title emptied, and those properties as front
    matter, when the file is a page of a Notion export (`notion_page`)."""
    if not notion_page(path):
        return text, {}
    lines = text.split("\n", 64)
    k = 0
    while k < len(lines) - 1 and not lines[k].strip():
        k += 1
    if not lines[k].startswith("# "):
        return text, {}
    k += 1
    while k < len(lines) - 1 and not lines[k].strip():
        k += 1
    first = k
    found: list[tuple[str, str]] = []
    while k < len(lines) and lines[k].strip() and k < 63:
        m = _NOTION_LINE.fullmatch(lines[k].strip())
        if m is None or len(m.group(1).split()) > 4:
            return text, {}
        found.append((m.group(1).strip(), m.group(2).strip()))
        k += 1
    if not found or (len(found) < 2 and found[0][0].lower() not in _NOTION_KEYS):
        return text, {}
    meta: dict[str, Any] = {}
    for key, value in found:
        low = key.lower()
        if low in ("tags", "tag"):
            meta["tags"] = [t.strip() for t in value.split(",") if t.strip()]
        else:
            meta.setdefault(low, value)
    lines[first:k] = [""] * (k - first)
    return "\n".join(lines), meta


_DENDRON_KEYS = re.compile(r"^(id|updated|created):[ \t]+\S", re.MULTILINE)
_LABELLED = re.compile(r"(!?\[\[)([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")


def is_dendron(text: str) -> bool:
    """Front matter with Dendron's `id`, `created` and `updated` keys."""
    if not text.startswith("---"):
        return False
    end = text.find("\n---", 3)
    head = text[: end if end > 0 else 2000]
    return len(set(_DENDRON_KEYS.findall(head))) == 3


def dendron_node(meta: dict[str, Any], path: str, empty: bool) -> bool:
    """Whether a Dendron note is a node of its hierarchy rather than a page about a thing
    (round 36: a Dendron wiki's "Books", "Engineering", "Journal", "PartA", each a file of
    front matter only above its children, and its tags' notes, were 18 concepts): the
    workspace's `root.md`, a tag's note (`tags.ai.md`: Dendron's tags are notes under
    `tags.`), or a note with no text whose name opens other notes' names (`books.md` beside
    `books.clean-code.md`), which Dendron makes when a child is made."""
    if not {"id", "created", "updated"} <= meta.keys():
        return False
    stem = stem_of(path)
    if stem.casefold() == "root" or stem.casefold().startswith("tags."):
        return True
    folder = folder_of(path)
    try:
        stamp = Path(folder).stat().st_mtime_ns
    except OSError:
        return False
    return empty and stem + "." in _hierarchy_prefixes(folder, stamp)


def quarto_partial(path: str) -> bool:
    """Whether a Quarto or R Markdown file is a piece other pages include, not a page: both
    leave a file whose name opens with `_` out of the site and book they build (`_setup.qmd`,
    the code every chapter runs first; `_box-note.qmd`, a box shown in three chapters; round
    37: a Quarto book's two such files were concepts "_setup" and "_box-..."). Its text stays
    passages. Hugo's `_index.md` is a page, so only these two formats are asked.

    >>> quarto_partial("book/_setup.qmd"), quarto_partial("book/_common.Rmd")
    (True, True)
    >>> quarto_partial("book/setup.qmd"), quarto_partial("content/_index.md")
    (False, False)
    """
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith("_") and name[-4:].lower() in (".qmd", ".rmd")


@lru_cache(maxsize=64)
def _hierarchy_prefixes(folder: str, _stamp: int) -> frozenset[str]:
    """Every `a.` and `a.b.` that opens a note's name in `folder` (`a.b.c.md`); its files
    are listed again when the folder changes (`_stamp`)."""
    out: set[str] = set()
    try:
        names = [p.name for p in Path(folder).iterdir()]
    except OSError:
        return frozenset()
    for file in names:
        parts = file.split(".")[:-2]  # `a.b.c.md`: its parents are `a.` and `a.b.`
        for k in range(1, len(parts) + 1):
            out.add(".".join(parts[:k]) + ".")
    return frozenset(out)


def dendron_links(text: str) -> str:
    """`[[shown|target]]` as Obsidian writes it, `[[target|shown]]`, in a Dendron note."""
    if "|" not in text or not is_dendron(text):
        return text
    return _LABELLED.sub(lambda m: f"{m.group(1)}{m.group(3)}|{m.group(2)}]]", text)


# Pages Logseq makes itself in every graph: the sidebar's `contents`, the flashcards' `card`.
LOGSEQ_OWN_PAGES = frozenset({"contents", "card"})


def in_logseq_graph(path: str) -> bool:
    """Whether a file lies in a Logseq graph (a folder above holds `logseq/config.edn`)."""
    return _graph(folder_of(path))


@lru_cache(maxsize=4096)
def _graph(folder: str) -> bool:
    here = Path(folder)
    return any((parent / "logseq" / "config.edn").is_file() for parent in (here, *here.parents))


__all__ = [
    "LOGSEQ_OWN_PAGES", "dendron_links", "dendron_node", "in_logseq_graph", "is_dendron",
    "logseq_properties", "notion_page", "notion_properties",
]
