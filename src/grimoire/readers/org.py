"""Org-mode (`.org`): Emacs outlines, org-roam notes.

What becomes what:

- `#+TITLE:` is the title (else the first top-level heading, else the file stem); other file
  keywords (`#+AUTHOR:`, `#+DATE:`, ...) go to `Document.meta`, lower-cased. `#+FILETAGS:` and
  every heading's tags (`* Heading   :ml:nlp:`) are the document's tags.
- Headings keep their path. A leading TODO keyword (`TODO`, `DONE` and those declared by
  `#+TODO:`), a priority cookie `[#A]` and statistics cookies `[2/3]` are not part of the title.
  A `COMMENT` heading's whole subtree is skipped, as Org's exporter skips it.
- Property drawers (`:PROPERTIES:` ... `:END:`), at the top of the file or under a heading, go
  to `meta["properties"]` and `meta["heading_properties"][title]`. `ALIASES` / `ROAM_ALIASES`
  (org-roam) give the aliases of the entry they belong to. Other drawers (`:LOGBOOK:`) and
  planning lines (`SCHEDULED:`) are not text.
- Links: `[[target][label]]` and `[[target]]`. A web address is a URL link; `file:x.org` and
  `x.org` (with `::*Heading` as fragment) a link to another note; `id:...` (org-roam) a link to
  the note its label names, never a wanted page (the id is of a note that exists);
  `roam:Title` to the note of that title; `*Heading` and plain `[[Name]]` a link by name,
  except where Org finds them in their own file: `[[Name]]` to a `<<Name>>` target or a
  `#+NAME: Name` block, `*Heading` to no heading of the file, `#custom-id`, are places in it,
  never pages to write. A link to an image file without a label is an `Image`, not text.
- In a Logseq graph (`logseq/config.edn` above), a page without `#+TITLE:` is named by its file
  and its `*` lines are the blocks of an outline (list items), not headings.
- LaTeX fragments are math: `$x$`, `\\(x\\)` inline, `$$x$$`, `\\[x\\]` (also opened on a
  line of their own and closed on a later one) and `\\begin{env}` ... `\\end{env}` displayed;
  passages show them as `$...$` / `$$...$$`, as Markdown passages do.
  The note's macros (`#+LATEX_HEADER: \\newcommand{\\R}{\\mathbb{R}}`, which Org's preview
  and LaTeX export read, or a definition in a fragment) are written out in its formulas, as
  Markdown's are (`markdown._macros`); the header lines are no text.
- Blocks: `#+BEGIN_SRC` and `#+BEGIN_EXAMPLE` are code, `#+BEGIN_QUOTE` a quote, `#+BEGIN_COMMENT`
  and `# comment` lines are dropped; a special block (`#+BEGIN_DEFINITION`, `#+BEGIN_THEOREM`)
  holds ordinary text; tables (`| a | b |`) are tables; lists are lists, and a
  description item `- term :: text` reads "term: text".
- Entries follow the Markdown rules (`markdown.markdown_entries`): a file whose `#+TITLE` its
  first paragraph names, or that is short and has no headings, is one entry; headings under a
  "Glossary"/"Terms"/"Definitions" heading are entries; a file that opens with its one
  top-level heading, a short name with text under it, is one entry (not a part of a page:
  `* Links` under `#+TITLE: Awk` names nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from grimoire.model import Document, Entry, Image, Link, LinkKind, Math, Problem, Span
from grimoire.names import normalize
from grimoire.readers import markdown, sniffs
from grimoire.readers.base import collapse, decode
from grimoire.readers.conventions import stem_title
from grimoire.readers.markdown._apps import in_logseq_graph
from grimoire.readers.markdown._blocks import Block, Heading, Parsed
from grimoire.readers.markdown._frontmatter import FrontMatter
from grimoire.readers.markdown._macros import expand_macros

name = "org"
extensions: tuple[str, ...] = (".org",)
sniff = sniffs.org

# Each whitespace run is tried from its start only (a lookbehind, a greedy name up to its
# last visible character): a line of 300,000 spaces took over 120 s of backtracking.
_HEADING = re.compile(r"^(\*+)[ \t]+((?:.*[^ \t])?)[ \t]*$")
_HEADING_TAGS = re.compile(r"(?<![ \t])[ \t]+(:(?:[\w@#%]+:)+)$")
_PRIORITY = re.compile(r"^\[#[A-Za-z0-9]\][ \t]*")
_COOKIE = re.compile(r"(?<![ \t])[ \t]*\[\d*(?:/\d*|%)\]")
_KEYWORD = re.compile(r"^[ \t]*#\+([A-Za-z_][\w-]*):[ \t]*((?:.*[^ \t])?)[ \t]*$")
_BEGIN = re.compile(r"^[ \t]*#\+begin_(\w+)(?:[ \t]+((?:.*[^ \t])?))?[ \t]*$", re.I)
_END = re.compile(r"^[ \t]*#\+end_\w+[ \t]*$", re.I)
# The blocks Org gives a meaning of their own; any other (`#+BEGIN_DEFINITION`, `_THEOREM`,
# `_NOTE`) is a special block, whose lines are ordinary text that the exporter wraps.
_BLOCK_KINDS = frozenset({"src", "example", "verse", "export", "quote", "center", "comment"})
_DRAWER = re.compile(r"^[ \t]*:([\w-]+):[ \t]*$")
_PROPERTY = re.compile(r"^[ \t]*:([^\s:]+):(?:[ \t]+((?:.*[^ \t])?))?[ \t]*$")
_PLANNING = re.compile(r"^[ \t]*(?:SCHEDULED|DEADLINE|CLOSED):")
_ITEM = re.compile(r"^([ \t]*)(?:[-+]|(?<=[ \t])\*|\d+[.)])[ \t]+(?:\[[ xX-]\][ \t]+)?(.*)$")
_DESCRIPTION = re.compile(r"^(.*?)(?<![ \t])[ \t]+::(?:[ \t]+(.*))?$")
_TABLE = re.compile(r"^[ \t]*\|")
_TABLE_RULE = re.compile(r"^[ \t]*\|[-+ \t|]*$")
_LATEX_BEGIN = re.compile(r"^[ \t]*\\begin\{([A-Za-z]+\*?)\}")
_COMMENT = re.compile(r"^[ \t]*#(?:[ \t]|$)")
_INLINE = re.compile(
    # Verbatim and code (`~x[[1, 2]]~`, `=a$b$=`) are literal: no link or math inside.
    r"(?:(?<=^)|(?<=[\s\-({'\"]))(?P<verb>[=~])(?P<code>[^\s=~](?:[^\n]{0,200}?[^\s])?)"
    r"(?P=verb)(?=$|[\s\-.,;:!?'\")}\[])"
    r"|\[\[(?P<target>(?:[^\[\]\\]|\\.)+)\](?:\[(?P<label>(?:[^\[\]]|\[[^\[\]]*\])+)\])?\]"
    # Fragments are bounded, so that an unclosed opener does not scan the rest of the line.
    r"|\\\((?P<paren>.{1,1000}?)\\\)"
    r"|\\\[(?P<bracket>.{1,1000}?)\\\]"
    r"|\$\$(?P<dollars>.{1,1000}?)\$\$"
    r"|(?<![\w$])\$(?P<dollar>[^\s$.,;:?!'\")\]}](?:[^$\n]*?[^\s$.,;:?!'\"(\[{])?)\$(?![\w$])"
)
# Org's emphasis: the marker follows a space or opening punctuation and precedes a space or
# closing punctuation, and the body neither starts nor ends with a space. The body is bounded
# (Org's own limit is a few lines): an unclosed marker must not scan the rest of a long line
# from every position, which is quadratic.
_EMPHASIS = re.compile(
    r"(?:(?<=^)|(?<=[\s\-({'\"]))([*/=~+_])"
    r"(?P<body>[^\s*/=~+_](?:[^\n]{0,200}?[^\s])?)\1"
    r"(?=$|[\s\-.,;:!?'\")}\[])"
)
_TARGETS = re.compile(r"<<<?([^<>\n]+)>>>?")
_WEB = re.compile(r"^(?:https?|ftp|mailto|doi|news):", re.I)
_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".tif", ".tiff")
_ALIAS_WORD = re.compile(r'"([^"]+)"|(\S+)')
_ALIAS_KEYS = ("ALIASES", "ROAM_ALIASES", "ALIAS")


@dataclass(frozen=True, slots=True)
class _Anchors:
    """What a link can point at inside its own file, by `normalize`d name: the dedicated
    targets `<<x>>` and named elements `#+NAME: x` (`targets`), and the headings."""

    targets: frozenset[str]
    headings: frozenset[str]


_NAME_LINE = re.compile(r"^[ \t]*#\+name:[ \t]*(\S.*)$", re.I | re.M)


def _anchors(text: str) -> _Anchors:
    targets = {*_TARGETS.findall(text), *(n.strip() for n in _NAME_LINE.findall(text))}
    headings: set[str] = set()
    for m in re.finditer(r"^\*+[ \t]+(.+)$", text, re.M):
        title = _COOKIE.sub("", _PRIORITY.sub("", _HEADING_TAGS.sub("", m.group(1).strip())))
        # a TODO keyword, whichever words `#+TODO:` declares: the title with and without it
        headings.update((title, title.partition(" ")[2]))
    return _Anchors(frozenset(map(normalize, targets)), frozenset(map(normalize, headings)))


@dataclass(slots=True)
class _State:
    path: str
    todo: set[str] = field(default_factory=lambda: {"TODO", "DONE"})
    parsed: Parsed = field(init=False)
    stack: list[tuple[int, str]] = field(default_factory=list)
    block: Block | None = None
    carried: list[Link] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    anchors: _Anchors = field(default_factory=lambda: _Anchors(frozenset(), frozenset()))
    latex_header: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parsed = Parsed(self.path, FrontMatter())

    def span(self, line: int, end: int | None = None) -> Span:
        return Span(self.path, line, line if end is None else end)

    def heading_path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.stack)

    def open(self, kind: str, joiner: str = " ") -> Block:
        if self.block is None or self.block.kind != kind:
            self.flush()
            self.block = Block(kind, [], self.heading_path(), joiner=joiner)
            if self.carried:
                # A heading's links, its section opening with a list or a table.
                self.block.links.extend(self.carried)
                self.block.heading_links = len(self.carried)
                self.carried = []
        return self.block

    def flush(self) -> None:
        if self.block is not None and (self.block.units or self.block.images):
            self.parsed.blocks.append(self.block)
        elif self.block is not None and self.block.links and \
                self.block.heading_path == self.heading_path():
            self.carried = self.block.links  # a heading's links and no text yet: kept on
        self.block = None


# --------------------------------------------------------------------------- inline markup


def _strip_emphasis(text: str) -> str:
    for _ in range(3):  # nested markers: */bold italic/*
        new = _EMPHASIS.sub(lambda m: m.group("body"), text)
        if new == text:
            break
        text = new
    return _TARGETS.sub(lambda m: m.group(1), text)


def _link(target: str, label: str | None, span: Span, anchors: _Anchors
          ) -> tuple[str, Link | Image | None]:
    """What a `[[target][label]]` shows as text, and the Link or Image it is (`anchors`: what
    the link's own file holds to point at)."""
    target = target.replace("\\]", "]").replace("\\[", "[").strip()
    shown = collapse(label) if label else None
    if _WEB.match(target):
        return shown or target, Link(target, LinkKind.URL, span, label=shown)
    if target.startswith("(") and target.endswith(")"):
        # `[[(for-loop)]]`: a coderef, Org's link to the line of a source block that a
        # `(ref:for-loop)` marks, never a page (round 41: an Org course file's eight coderefs
        # were wanted pages "(for-loop)", "(sibling)").
        return shown or target, None
    kind, _, rest = target.partition(":")
    if (rest and kind in ("file", "attachment")) or not rest:
        file_target = rest if rest else target
    else:
        file_target = ""
    if kind == "id" and rest:
        if not shown:
            return "", None
        # org-roam writes an id link by picking a note that exists: it is found by its label
        # when the label names it, and is never a wanted page when the label says it
        # otherwise ("Zettelkasten" for the note "The Zettelkasten Method").
        return shown, Link(shown, LinkKind.WIKILINK, span, label=shown, exists_hint=True,
                           href=target)
    if kind == "roam" and rest.strip():
        # org-roam's `[[roam:Attention]]`: a link to the note of that title.
        return shown or rest.strip(), Link(rest.strip(), LinkKind.WIKILINK, span, label=shown)
    if file_target:
        file_part, _, search = file_target.partition("::")
        if file_part.lower().endswith(_IMAGE_EXT) and not shown:
            return "", Image(file_part, span)
        if file_part.startswith(("*", "#")) or not file_part:
            heading = (search or file_part).lstrip("*#").strip()
            if file_part.startswith("#") or (
                    file_part.startswith("*") and normalize(heading) not in anchors.headings):
                # `[[#custom-id]]`, or `[[*Heading]]` written as no heading of the file reads
                # (Org: "no match"): a place in this file, never a page to write (round 42:
                # a course file's `[[*Heap Sort( a selection sort ...)]]` was a wanted page).
                return shown or heading, Link("", LinkKind.MARKDOWN, span, label=shown,
                                              fragment=heading)
            return shown or heading, Link(heading, LinkKind.WIKILINK, span, label=shown)
        if "/" in file_part or PurePath(file_part).suffix:
            fragment = search.lstrip("*#").strip() or None
            # The address as written (`href`): lint tells a link into a folder that is not
            # here from a dead one by it, and a `file:` link is never a web address.
            return shown or PurePath(file_part).stem, Link(
                file_part, LinkKind.MARKDOWN, span, label=shown, fragment=fragment, href=target
            )
        # `[[Some Name]]`: Org looks for a target or heading of that name. A dedicated target
        # `<<Some Name>>` or a `#+NAME:` of the same file is a place in it, no page (round 42:
        # 16 of an Org course's 24 wanted pages, `[[unbalanced tree]]`, `[[bottomUpHeap]]`).
        if normalize(file_part) in anchors.targets:
            return shown or file_part, Link("", LinkKind.MARKDOWN, span, label=shown,
                                            fragment=file_part)
        return shown or file_part, Link(file_part, LinkKind.WIKILINK, span, label=shown)
    return shown or target, None  # another link type (elisp:, shell:, ...): its words only


def _inline(text: str, line: int, block: Block, st: _State) -> str:
    """Org inline markup to passage text; links, images and math are recorded on `block`."""
    out: list[str] = []
    last = 0
    span = Span(st.path, line, line)
    for m in _INLINE.finditer(text):
        out.append(_strip_emphasis(text[last : m.start()]))
        last = m.end()
        if m.group("code") is not None:
            out.append(m.group("code"))
            continue
        if m.group("target") is not None:
            shown, mark = _link(m.group("target"), m.group("label"), span, st.anchors)
            if isinstance(mark, Image):
                block.images.append(mark)
            elif mark is not None:
                block.links.append(mark)
            out.append(_strip_emphasis(shown))
            continue
        tex = m.group("paren") or m.group("dollar")
        display = tex is None
        tex = tex if tex is not None else (m.group("bracket") or m.group("dollars"))
        block.math.append(Math(tex.strip(), display, span))
        out.append(f"$${tex.strip()}$$" if display else f"${tex.strip()}$")
    out.append(_strip_emphasis(text[last:]))
    return "".join(out)


# --------------------------------------------------------------------------- lines


def _aliases(value: str) -> tuple[str, ...]:
    """`"Low-Rank Adaptation" LoRA` -> ("Low-Rank Adaptation", "LoRA"), as org-roam quotes them."""
    return tuple(a or b for a, b in _ALIAS_WORD.findall(value) if (a or b).strip())


def _heading(st: _State, m: re.Match[str], line: int) -> int:
    """Handle a heading line; returns the level of a COMMENT subtree to skip, else 0."""
    level = len(m.group(1))
    rest = m.group(2)
    tags: list[str] = []
    t = _HEADING_TAGS.search(rest)
    if t:
        tags = [x for x in t.group(1).split(":") if x]
        rest = rest[: t.start()]
    first, _, after = rest.partition(" ")
    if first in st.todo:
        rest = after
    rest = _PRIORITY.sub("", rest.strip())
    if rest == "COMMENT" or rest.startswith("COMMENT "):
        return level
    rest = _COOKIE.sub("", rest)
    st.flush()
    st.carried = []  # the links of a heading with no text under it link from nowhere
    scratch = Block("text", [], ())
    title = collapse(_inline(rest, line, scratch, st))
    while st.stack and st.stack[-1][0] >= level:
        st.stack.pop()
    st.tags.extend(tags)
    if title:
        st.stack.append((level, title))
        st.parsed.headings.append(Heading(level, title, line, len(st.parsed.blocks)))
        # A link in a heading still links; it rides on the section's first block.
        if scratch.links or scratch.images:
            block = st.open("text")
            block.links.extend(scratch.links)
            block.images.extend(scratch.images)
    return 0


def _keyword(st: _State, key: str, value: str, line: int) -> None:
    key = key.lower()
    meta = st.parsed.front.meta
    if key in ("todo", "seq_todo", "typ_todo"):
        # `#+TODO: TODO(t) WAIT(w@) | DONE(d)`: the words, without their fast-access keys.
        st.todo.update(re.sub(r"\(.*\)$", "", w) for w in value.replace("|", " ").split())
    elif key in ("filetags", "roam_tags"):
        st.tags.extend(x for x in re.split(r"[:\s]+", value) if x)
    elif key in ("roam_alias", "roam_aliases") and value and "aliases" not in meta:
        meta["aliases"] = list(_aliases(value))  # org-roam v1: `#+ROAM_ALIAS: "x" "y"`
    elif key in ("caption", "name", "label", "results") or key.startswith("attr_"):
        return
    elif key in ("latex_header", "latex_header_extra"):
        st.latex_header.append(value)  # the note's macros: its formulas are written with them
    elif value and key not in meta:
        meta[key] = collapse(value)
        st.parsed.front.key_lines[key] = line


def _parse(text: str, path: str) -> tuple[Parsed, _State]:
    st = _State(path, anchors=_anchors(text))
    lines = text.split("\n")
    problems = st.parsed.problems
    n = 0
    after_heading = True  # a property drawer may open the file or follow a heading
    heading_title: str | None = None
    skip_level = 0
    while n < len(lines):
        raw = lines[n]
        line = n + 1
        n += 1
        h = _HEADING.match(raw)
        if skip_level:
            if h and len(h.group(1)) <= skip_level:
                skip_level = 0
            else:
                continue
        if h:
            skip_level = _heading(st, h, line)
            after_heading = True
            heading_title = st.stack[-1][1] if st.stack and not skip_level else None
            continue
        stripped = raw.strip()
        if not stripped:
            st.flush()
            continue
        if after_heading and _PLANNING.match(raw):
            continue
        d = _DRAWER.match(raw)
        if d and d.group(1).upper() != "END":
            end = next((k for k in range(n, len(lines)) if lines[k].strip().upper() == ":END:"),
                       None)
            if end is None:
                problems.append(Problem(f"unclosed drawer :{d.group(1)}:", st.span(line)))
                continue  # read on as text, as Org does with an unclosed drawer
            if d.group(1).upper() == "PROPERTIES":
                props = _properties(lines[n:end])
                _store_properties(st, props, heading_title if after_heading else None)
            n = end + 1
            continue
        after_heading = False
        b = _BEGIN.match(raw)
        if b and b.group(1).lower() in _BLOCK_KINDS:
            n = _block(st, lines, n, line, b.group(1).lower(), (b.group(2) or "").strip())
            continue
        if b or _END.match(raw):
            st.flush()  # a special block's lines are read as text: a definition is prose
            continue
        k = _KEYWORD.match(raw)
        if k:
            _keyword(st, k.group(1), k.group(2), line)
            continue
        if _COMMENT.match(raw):
            continue
        display = _DISPLAY_OPEN.match(raw)
        if display and (end := _display_end(lines, n, raw, display)) is not None:
            close = _DISPLAY_CLOSE[display.group(1)]
            inside = [raw[display.end():], *lines[n:end], lines[end].rsplit(close, 1)[0]]
            _display_math(st, "\n".join(inside).strip(), line, end + 1)
            n = end + 1
            continue
        env = _LATEX_BEGIN.match(raw)
        if env:
            closer = f"\\end{{{env.group(1)}}}"
            end = next((k for k in range(n - 1, len(lines)) if closer in lines[k]), None)
            if end is not None:
                _display_math(st, "\n".join(lines[n - 1 : end + 1]).strip(), line, end + 1)
                n = end + 1
                continue
        if _TABLE.match(raw):
            if not _TABLE_RULE.match(raw):
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                block = st.open("table", joiner="\n")
                block.units.append((line, _inline(" | ".join(cells), line, block, st)))
            continue
        item = _ITEM.match(raw)
        if item:
            items = st.open("list", joiner="\n")
            body = item.group(2)
            desc = _DESCRIPTION.match(body)
            if desc:
                body = f"{desc.group(1).strip()}: {desc.group(2) or ''}".strip()
            items.units.append((line, "- " + _inline(body, line, items, st)))
            continue
        current = st.block
        if current is not None and current.kind == "list" and raw[:1] in (" ", "\t"):
            # An item's continuation line.
            last_line, last_text = current.units[-1]
            more = _inline(stripped, line, current, st)
            current.units[-1] = (last_line, last_text + " " + more)
            continue
        text_block = st.open("text")
        text_block.units.append((line, _inline(stripped, line, text_block, st)))
    st.flush()
    st.parsed.tags = list(dict.fromkeys(st.tags))
    return st.parsed, st


# A display opened on a line of its own (`\\[` or `$$`, maybe the formula's start after it)
# and closed on a later line: Org's preview and its exporters read the lines between as one
# formula (round 52, qa52: a tutorial's matrix products were text with their brackets, the
# first matrix a formula of its own, and lint said "\\begin{bmatrix} is never ended"). A blank
# line ends a paragraph, and a formula with it: an opener not closed before one is text.
_DISPLAY_OPEN = re.compile(r"^[ \t]*(\\\[|\$\$)")
_DISPLAY_CLOSE = {"\\[": "\\]", "$$": "$$"}
_DISPLAY_LINES = 200  # the lines a display may run to: an opener of none is text, read once


def _display_end(lines: list[str], n: int, raw: str, display: re.Match[str]) -> int | None:
    """The index of the line that closes the display `raw` (the line before `lines[n]`) opens,
    when nothing follows the closer on it; None when the display closes on its own line
    (inline math reads it), or a blank line, a heading, a block's `#+begin_` or `#+end_` line or
    `_DISPLAY_LINES` lines come first."""
    close = _DISPLAY_CLOSE[display.group(1)]
    if close in raw[display.end():]:
        return None
    for k in range(n, min(len(lines), n + _DISPLAY_LINES)):
        if not lines[k].strip() or _HEADING.match(lines[k]) or _BEGIN.match(lines[k]) \
                or _END.match(lines[k]):
            return None  # a block's lines are its own: a `\\]` in code closes nothing (review52c)
        if close in lines[k]:
            return k if not lines[k].rsplit(close, 1)[1].strip() else None
    return None


def _display_math(st: _State, tex: str, line: int, last: int) -> None:
    """A displayed formula `tex` on lines `line`..`last`, a passage of its own."""
    st.flush()
    block = st.open("math", joiner="\n")
    block.units.append((line, f"$${tex}$$"))
    block.math.append(Math(tex, True, st.span(line, last)))
    st.flush()


def _properties(lines: list[str]) -> dict[str, str]:
    props: dict[str, str] = {}
    for raw in lines:
        p = _PROPERTY.match(raw)
        if p:
            props[p.group(1).upper().rstrip("+")] = (p.group(2) or "").strip()
    return props


def _store_properties(st: _State, props: dict[str, str], heading: str | None) -> None:
    meta = st.parsed.front.meta
    aliases = next((_aliases(props[k]) for k in _ALIAS_KEYS if k in props), ())
    if heading is None:
        meta.setdefault("properties", {}).update(props)
        if aliases:
            meta["aliases"] = list(aliases)  # the file's own entry, as front matter `aliases`
        return
    meta.setdefault("heading_properties", {})[heading] = props
    if aliases:
        st.aliases[heading] = aliases


def _block(st: _State, lines: list[str], n: int, line: int, kind: str, args: str) -> int:
    """A `#+BEGIN_x` ... `#+END_x` block starting at `line`; returns the index after its end."""
    end_re = re.compile(rf"^[ \t]*#\+end_{re.escape(kind)}[ \t]*$", re.I)
    end = next((k for k in range(n, len(lines)) if end_re.match(lines[k])), None)
    if end is None:
        st.parsed.problems.append(
            Problem(f"unclosed #+BEGIN_{kind.upper()}: read to the end of the file", st.span(line))
        )
        end = len(lines)
    body = lines[n:end]
    st.flush()
    if kind in ("src", "example", "verse") or (kind == "export" and args.lower() != "latex"):
        block = st.open("code", joiner="\n")
        block.units.extend((n + 1 + k, t) for k, t in enumerate(body))
        if not block.units:
            st.block = None
    elif kind == "export":  # LaTeX written for export is math (an equation, an align)
        tex = "\n".join(body).strip()
        if tex:
            block = st.open("math", joiner="\n")
            block.units.append((n + 1, f"$${tex}$$"))
            block.math.append(Math(tex, True, st.span(n + 1, max(n + 1, end))))
    elif kind in ("quote", "center"):
        block = st.open("quote")
        for k, t in enumerate(body):
            if t.strip():
                block.units.append((n + 1 + k, _inline(t.strip(), n + 1 + k, block, st)))
            elif block.units:
                block.units.append((n + 1 + k, "\n"))
    # a comment block is not text
    st.flush()
    return end + 1


# --------------------------------------------------------------------------- reader


def _with_aliases(entries: list[Entry], aliases: dict[str, tuple[str, ...]]) -> list[Entry]:
    return [
        replace(e, aliases=tuple(dict.fromkeys((*e.aliases, *aliases[e.term]))))
        if e.term in aliases else e
        for e in entries
    ]


_LOGSEQ_BLOCK = re.compile(r"^(\*+)[ \t]", re.MULTILINE)


def read(data: bytes, path: str) -> list[Document]:
    text = decode(data, path)
    logseq = in_logseq_graph(path)
    if logseq and "*" in text:
        # A Logseq page in Org is an outline: each `*` line is a block of text (a list item
        # at its depth), not a heading. Same lines, so spans do not move.
        text = _LOGSEQ_BLOCK.sub(lambda m: "  " * (len(m.group(1)) - 1) + "- ", text)
    parsed, st = _parse(text, path)
    expand_macros(parsed, "\n".join(st.latex_header))
    if "title" not in parsed.front.meta and logseq:
        # A Logseq page in Org: each `*` is a block of its outline, not a heading naming the
        # page; the file names it (`Reinforcement Learning.org`, journals `2022_03_15.org`).
        title = stem_title(PurePath(path).stem)
        entries: list[Entry] = []
    else:
        title = markdown.title_of(parsed, path)
        entries = _with_aliases(markdown.markdown_entries(parsed, path, title), st.aliases)
    meta: dict[str, Any] = parsed.front.meta
    doc = markdown.make_document(parsed, path, name, title, entries, tuple(parsed.tags))
    return [replace(doc, meta=meta)]
