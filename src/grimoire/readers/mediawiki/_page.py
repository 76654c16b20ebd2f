"""A MediaWiki page saved from a browser as text (select all, copy, paste).

What survives the copy: the title line, "From <wiki>", the revision line ("Revision as of 12:40,
25 November 2024 by Name (talk | contribs) (comment)"), navigation lines, then the body with
headings as bare short lines between blank lines, bullets as `•` indented two spaces per level,
and image file names where an image was. Heading levels are lost. When the revision comment
quotes the page's first wikitext ("Created page with "=A= ==B== ...""), the levels of the
headings it names are taken from it; every other heading is put at the outermost level seen
(level 2 when none is known): flat, never under a parent the text does not show.
"""

from __future__ import annotations

import re
from typing import Any

from grimoire.model import Document, Image, Link, LinkKind, Revision, Span
from grimoire.readers.base import collapse
from grimoire.readers.conventions import is_see_also_heading
from grimoire.readers.mediawiki import _blocks as wb

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"),
        start=1,
    )
}
_REVISION = re.compile(
    r"(?:(?:Latest|Current|Old) r|R)evision as of (\d{1,2}):(\d{2}), "
    r"(?:(\d{1,2}) ([A-Za-z]{3,9}),? (\d{4})|([A-Za-z]{3,9}) (\d{1,2}), (\d{4})) by "
)
_LAST_EDITED = re.compile(
    r"This page was last (?:edited|modified) on "
    r"(\d{1,2}) ([A-Za-z]{3,9}) (\d{4}), at (\d{1,2}):(\d{2})"
)
_FROM = re.compile(r"From [^\n]{1,100}")
_JUMP = re.compile(r"Jump to(?::)? ?navigation|Jump to search")
_NAV = re.compile(r"\(diff\)|← Older revision|Newer revision →|\(Redirected from ")
_BULLET = re.compile(r"([ \t]*)(?:[•◦▪‣∙*-]|\d{1,3}[.)])[ \t]+(\S.*)")
_IMAGE_LINE = re.compile(
    r"[^/\\<>|\s][^/\\<>|\n]{0,150}\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?)", re.I
)
_COMMENT_HEADING = re.compile(r"(?<!=)(={1,6})([^=\n]{1,200})\1(?!=)")
_TAIL_PUNCT = (":", ";", ",", "!", "?")


def sniff_rendered(head: str) -> bool:
    """A "Revision as of HH:MM, ..." line, or "From <wiki>" near the top plus a "Jump to" line."""
    lines = [ln.strip() for ln in head.split("\n")[:400]]
    if any(_REVISION.match(ln) for ln in lines[:40]):
        return True
    top = [ln for ln in lines if ln][:6]
    return any(_FROM.fullmatch(ln) for ln in top) and any(_JUMP.match(ln) for ln in lines[:40])


def _iso(year: str, month: str, day: str, hour: str, minute: str) -> str | None:
    number = _MONTHS.get(month.lower()) or next(
        (v for k, v in _MONTHS.items() if k.startswith(month.lower()) and len(month) >= 3), None
    )
    if number is None:
        return None
    return f"{int(year):04d}-{number:02d}-{int(day):02d}T{int(hour):02d}:{int(minute):02d}"


def parse_revision(line: str) -> Revision | None:
    """The revision a "Revision as of ..." line states: ISO time, author, comment."""
    m = _REVISION.match(line)
    if not m:
        return None
    if m.group(3):
        stamp = _iso(m.group(5), m.group(4), m.group(3), m.group(1), m.group(2))
    else:
        stamp = _iso(m.group(8), m.group(6), m.group(7), m.group(1), m.group(2))
    rest = line[m.end() :]
    cut = rest.find(" (talk")
    if cut < 0:
        cut = rest.find(" (")
    if cut < 0:
        return Revision(stamp, rest.strip() or None)
    author, tail = rest[:cut].strip(), rest[cut:].strip()
    if tail.startswith("(talk"):
        close = tail.find(")")
        tail = tail[close + 1 :].strip() if close >= 0 else ""
    comment = tail[1:-1].strip() if tail.startswith("(") and tail.endswith(")") else tail
    return Revision(stamp, author or None, comment or None)


def _comment_levels(comment: str | None) -> dict[str, int]:
    if not comment:
        return {}
    return {
        collapse(m.group(2)).lower(): len(m.group(1))
        for m in _COMMENT_HEADING.finditer(comment)
        if collapse(m.group(2))
    }


def _is_heading(text: str, isolated: bool) -> bool:
    if not isolated or len(text) > 60 or len(text.split()) > 8:
        return False
    if text.endswith(_TAIL_PUNCT) or text.startswith(("(", "[", "$")):
        return False
    return not text.endswith(".") or text.endswith("etc.")


def read_rendered(text: str, path: str) -> Document:
    """Read a page saved as rendered text: title, revision, sections, lists, images."""
    raw = text.split("\n")
    meta: dict[str, Any] = {}
    tags: list[str] = []
    revision: Revision | None = None
    title: str | None = None
    body: list[tuple[int, str]] = []  # (line number, text) with page chrome dropped
    seen_content = 0
    for number, line in enumerate(raw, start=1):
        s = line.strip()
        if not s:
            body.append((number, ""))
            continue
        if s == "Navigation menu":
            break
        if revision is None and (rev := parse_revision(s)):
            revision = rev
            continue
        if seen_content < 4 and _FROM.fullmatch(s) and "site" not in meta:
            meta["site"] = s[5:].strip()
            continue
        if _JUMP.match(s) or (_NAV.match(s) or ("Older revision" in s and "|" in s)):
            continue
        if s.startswith("Retrieved from "):
            meta["source_url"] = s[len("Retrieved from ") :].strip().strip("\"“”")
            continue
        if s.startswith(("Categories:", "Category:")):
            tags.extend(t.strip() for t in s.partition(":")[2].split("|") if t.strip())
            continue
        if m := _LAST_EDITED.match(s):
            if revision is None:
                revision = Revision(_iso(m.group(3), m.group(2), m.group(1), m.group(4),
                                         m.group(5)), None)
            continue
        if title is None:
            title = s
            meta["title_line"] = number
            continue
        seen_content += 1
        body.append((number, line.rstrip()))
    title = title or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    levels = _comment_levels(revision.comment if revision else None)
    default_level = min(levels.values()) if levels else 2
    lines, guessed = _lines(body, path, levels, default_level)
    blocks, sections = wb.to_blocks(lines)
    tree = wb.section_tree(sections)
    _mark_levels(tree, guessed)
    meta["sections"] = tree
    dated = wb.dated_items(blocks)
    if dated:
        meta["dated_items"] = dated
    return Document(
        path=path,
        format="mediawiki",
        title=title,
        passages=tuple(wb.pack(blocks, path)),
        entries=tuple(wb.lead_entry(title, blocks, path)),
        tags=tuple(dict.fromkeys(tags)),
        meta=meta,
        revision=revision,
    )


def _lines(
    body: list[tuple[int, str]], path: str, levels: dict[str, int], default_level: int
) -> tuple[list[wb.Line], set[int]]:
    lines: list[wb.Line] = []
    guessed: set[int] = set()
    indents: list[int] = []
    see_also = False
    for i, (number, line) in enumerate(body):
        s = line.strip()
        if not s:
            lines.append(wb.Line("", number, number))
            indents.clear()
            continue
        isolated = (i == 0 or not body[i - 1][1].strip()) and (
            i + 1 == len(body) or not body[i + 1][1].strip()
        )
        span = Span(path, number, number)
        bullet = _BULLET.fullmatch(line)
        if bullet:
            indent = len(bullet.group(1).expandtabs(4))
            while indents and indents[-1] > indent:
                indents.pop()
            if not indents or indents[-1] < indent:
                indents.append(indent)
            item = collapse(bullet.group(2))
            ln = wb.Line(item, number, number, "list", "*" * len(indents))
            if see_also:
                ln.links.append(Link(item, LinkKind.SEE_ALSO, span))
            lines.append(ln)
            continue
        indents.clear()
        if _IMAGE_LINE.fullmatch(s):
            lines.append(wb.Line(s, number, number, "image", images=[Image(s, span)]))
            continue
        heading = s.removesuffix("[edit]").strip()
        if _is_heading(heading, isolated) and not _IMAGE_LINE.fullmatch(heading):
            level = levels.get(collapse(heading).lower())
            if level is None:
                level = default_level
                guessed.add(number)
            lines.append(wb.Line(heading, number, number, "heading", level=level))
            see_also = is_see_also_heading(heading)
            continue
        ln = wb.Line(collapse(s), number, number)
        if see_also:
            ln.links.append(Link(collapse(s), LinkKind.SEE_ALSO, span))
        lines.append(ln)
    return lines, guessed


def _mark_levels(tree: list[dict[str, Any]], guessed: set[int]) -> None:
    for node in tree:
        node["level_from"] = "guess" if node["line"] in guessed else "revision comment"
        _mark_levels(node["children"], guessed)
