"""Obsidian notes: the Markdown reader plus wikilinks, embeds, highlights, tags and comments.

Syntax (added to markdown.py's parser as inline rules, so code spans and fences are untouched):

- `[[target]]`, `[[target|label]]`, `[[target#heading]]`, `[[target#^block]]`: WIKILINK links.
  A `|` part that is a number or `WxH` is a size, never a label: `[[Bloom Filter|300]]` has no
  label, `[[Abstraction and Reasoning Corpus|ARC|300]]` has label "ARC".
- `![[file.png|400|300]]`: an Image (width 400, height 300; `|400x300` alike); `![[note]]` that is
  not an image or PDF is an EMBED link. An embed missing its last `]` at the end of a line is
  read anyway and reported as a Problem.
- Caption: the text line directly below a line of image embeds captions those images.
- `==highlight==` keeps its text; `#tag` in the body (not in code, headings, `#123` or URL
  fragments) goes to `Document.tags`, and a line holding only tags is not passage text;
  `%%comment%%` is dropped (fence-aware); callouts `> [!note] Title` lose the marker; a block
  id at a line's end (` ^d4f2a1`) is dropped.

Entries: a note is one Entry named by its title (front matter `title`, else a `#` heading, else
the file stem) when its front matter has glossary keys (as in markdown.py) or when its body
opens with text before any heading, or under an H1 that repeats the title (a definition, not a
screenshot or an embed). The definition
is the whole body. A body that is only "See [[X]]" / "Synonym for [[X]]" / "Abbreviation for
[[X]]" makes the entry a redirect to X.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from grimoire.model import VAULT_PAGE_REASON, Document, Entry, Problem, Span
from grimoire.names import normalize
from grimoire.readers import markdown, sniffs
from grimoire.readers.base import stem_of
from grimoire.readers.conventions import (
    is_generic_heading,
    is_generic_title,
    names_no_concept,
    names_part_note,
    opens_note,
    stem_title,
    unescape_refs,
)
from grimoire.readers.markdown._apps import LOGSEQ_OWN_PAGES, dendron_links, in_logseq_graph
from grimoire.readers.sections import not_a_page

name = "obsidian"
extensions = (".md",)
sniff = sniffs.obsidian

# A wikilink may wrap onto the next line (hard-wrapped vaults do this), never past `[` or `]`.
_WIKI_BODY = re.compile(r"[^\[\]]{1,500}")
_SIZE = re.compile(r"(\d{1,5})(?:\s*[xX]\s*(\d{1,5}))?")
_TAG_BODY = re.compile(r"[\w/-]{1,100}")
_NOTE_SUFFIXES = (".md", ".markdown")
_ID_LIKE = re.compile(r"[0-9a-f]{8,}|^\d{6,}$|^[\W\d_]*$", re.IGNORECASE)


# --------------------------------------------------------------------------- inline rules


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, pos, end = state.src, state.pos, state.posMax
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    start = pos + (3 if embed else 2)
    m = _WIKI_BODY.match(src, start, end)
    if m is None:
        return False
    j = m.end()
    if j >= end or src[j] != "]":
        return False
    malformed = False
    if src.startswith("]]", j) and j + 2 <= end:
        stop = j + 2
        if src.startswith("(", stop):
            # `[[Author, 2016]](https://...)`: a Markdown link whose text is in brackets.
            return False
    elif embed and (j + 1 >= end or src[j + 1] == "\n"):
        # `![[Pasted image.png]` at a line end: the author's intent is clear; read and report.
        malformed, stop = True, j + 1
    else:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = src[pos:stop]
        token.meta = _parse_wikilink(m.group(0), embed)
        token.meta["malformed"] = malformed
    state.pos = stop
    return True


def _parse_wikilink(inner: str, embed: bool) -> dict[str, object]:
    parts = " ".join(inner.split()).split("|") if "\n" in inner else inner.split("|")
    target, _, fragment = parts[0].strip().partition("#")
    target = target.strip()
    if not embed and target.lower().endswith(_NOTE_SUFFIXES):
        target = target.rsplit(".", 1)[0]
    label: str | None = None
    sizes: list[int] = []
    for part in parts[1:]:
        part = part.strip()
        size = _SIZE.fullmatch(part)
        if size:
            sizes = (
                [int(size.group(1)), int(size.group(2))]
                if size.group(2)
                else [*sizes, int(size.group(1))]
            )
        elif part and label is None:
            label = unescape_refs(part)  # `[[model|model&#39;s]]` from an HTML export
    return {
        "target": target,
        "fragment": fragment.strip() or None,
        "label": label,
        "embed": embed,
        "width": sizes[0] if sizes else None,
        "height": sizes[1] if len(sizes) > 1 else None,
    }


def _highlight_rule(state: StateInline, silent: bool) -> bool:
    """`==text==`: the markers go, the text stays (and is parsed as usual)."""
    src, pos = state.src, state.pos
    if not src.startswith("==", pos) or src.startswith("===", pos):
        return False
    is_open = state.env.get("_obsidian_mark") is state
    if is_open:
        if pos == 0 or src[pos - 1].isspace():
            return False
        if not silent:
            state.env["_obsidian_mark"] = None
    else:
        after = pos + 2
        if after >= state.posMax or src[after].isspace() or src[after] == "=":
            return False
        close = src.find("==", after, min(state.posMax, after + 2000))
        if close < 0 or src[close - 1].isspace():
            return False
        if not silent:
            state.env["_obsidian_mark"] = state
    state.pos = pos + 2
    return True


def _tag_rule(state: StateInline, silent: bool) -> bool:
    """`#tag` after a space or at the start; `#123` and `x#frag` are not tags."""
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos > 0 and not (src[pos - 1].isspace() or src[pos - 1] in "(,;")):
        return False
    if src.startswith("#[[", pos):
        # Logseq's `#[[multi word]]`: a tag that is a link to its page; the link rule reads it.
        state.pos = pos + 1
        return True
    m = _TAG_BODY.match(src, pos + 1, state.posMax)
    if m is None:
        return False
    body = m.group(0).rstrip("/-")
    if not any(c.isalpha() for c in body):
        return False
    if not silent:
        token = state.push("tag", "", 0)
        token.content = "#" + body
    state.pos = pos + 1 + len(body)
    return True


def obsidian_plugin(md: MarkdownIt) -> None:
    """Add Obsidian's inline syntax to a markdown.py parser."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.inline.ruler.before("emphasis", "highlight", _highlight_rule)
    md.inline.ruler.before("link", "obsidian_tag", _tag_rule)


_MD = markdown.build_parser().use(obsidian_plugin)
_FLAVOR = markdown.Flavor(captions=True, line_breaks=True)


# --------------------------------------------------------------------------- comments


_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")


def strip_comments(text: str) -> tuple[str, int | None]:
    """Drop `%%...%%` comments outside code fences; also the line of an unclosed one."""
    if "%%" not in text:
        return text, None
    out: list[str] = []
    fence: str | None = None
    comment_line: int | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip()
        if comment_line is None and stripped[:3] in ("```", "~~~"):
            if fence is None:
                fence = stripped[:3]
            elif stripped.startswith(fence):
                fence = None
            out.append(line)
            continue
        if fence is not None or ("%%" not in line and comment_line is None):
            out.append(line)
            continue
        # `%%` in inline code is code ("`%%` style comments", a tool's docs): round 30, a
        # Quartz site's page lost its second half to "unclosed %% comment".
        masked = _CODE_SPAN.sub(lambda m: "\0" * len(m.group()), line) if "`" in line else line
        kept: list[str] = []
        start = 0
        marks = [m.start() for m in re.finditer("%%", masked)]
        for k, end in enumerate([*marks, len(line)]):
            piece = line[start:end]
            if k:
                comment_line = None if comment_line is not None else number
            if comment_line is None:
                kept.append(piece)
            start = end + 2
        out.append("".join(kept))
    return "\n".join(out), comment_line


# --------------------------------------------------------------------------- reader


def _titles_note(parsed: markdown.Parsed, title: str) -> bool:
    """Whether the note opens with an H1 that repeats its own title (`# LoRA` in LoRA.md),
    the way many vaults start every note, or one that opens it on its subject (`# Overview`
    in QLoRA.md, `conventions.opens_note`): then the text under it defines the title."""
    first = parsed.headings[0]
    following = parsed.headings[1].index if len(parsed.headings) > 1 else len(parsed.blocks)
    return first.level == 1 and following > 0 and (
        normalize(first.title) == normalize(title) or opens_note(first.title))


def _defines_title(parsed: markdown.Parsed, title: str) -> bool:
    """A note opening with text (before any heading) defines its title; one opening with an
    embed or a heading (a screenshot page, a long write-up) does not."""
    blocks = parsed.blocks
    if any(key in parsed.front.meta for key in markdown.TERM_KEYS):
        return True
    if not blocks:
        return False
    if parsed.headings and parsed.headings[0].index == 0 and not _titles_note(parsed, title):
        return False
    first = blocks[0]
    if not first.units:
        return False
    first_line = first.units[0][0]
    return not any(img.span.start_line <= first_line for img in first.images)


def _note_entry(parsed: markdown.Parsed, path: str, title: str) -> list[Entry]:
    fields = markdown.front_entry_fields(parsed, path)
    entry = markdown.entry_from_blocks(
        title, parsed.blocks, markdown.whole_span(parsed, path), **fields
    )
    if names_no_concept(title):
        return []  # a journal page (`2023_03_05.md`), an `Untitled 2.md`: no concept
    stem = stem_of(path)
    if not_a_page(parsed.front.meta, title):
        return []  # a Dendron root note, an Excalidraw drawing (its shapes' labels)
    if (stem.lower() in LOGSEQ_OWN_PAGES or stem.startswith("hls__")) and in_logseq_graph(path):
        # the sidebar's `contents`, the flashcards' `card`, a PDF's highlights
        # (`hls__paper_1667264759596_0`): Logseq's own pages, no concepts
        return []
    named = stem_title(stem)
    if is_generic_title(title) and normalize(title) != normalize(named):
        # `Overview.md` opening "# Introduction" over links to the course's notes: a generic
        # heading names no note (round 26), and here the file gives no better name (round 30)
        return []
    cut_short = len(named) <= 2 and normalize(title).startswith(normalize(named))
    if normalize(named) != normalize(title) and not cut_short and markdown.names_note(named) \
            and not _ID_LIKE.search(named):
        # The note's name in the vault is its file's: `[[TPU Overview]]` opens TPU
        # Overview.md, whose heading says "TPU (Tensor Processing Unit) Overview"; `show`
        # finds it by either. A name of one or two letters the title goes on from is the
        # title cut short (`F.md` of "F1", `markdown.restored_title`), no name.
        entry = replace(entry, aliases=(*entry.aliases, named))
    if names_part_note(named) and is_generic_heading(title) \
            and (not parsed.blocks or parsed.blocks[0].kind == "list"):
        # `Summary.md` in a book's chapter folder, a list of what the chapter said: it sums up
        # its folder's subject, no concept "Summary" (round 31: 31 chapters of one vault). A
        # glossary's `summary.md` opens with what a summary is ("In TensorFlow, a value").
        return []
    if _defines_title(parsed, title):
        return [entry]
    if _ID_LIKE.search(title):
        return []  # a file named by an id (`002_e29876f0b3329f5d`) names no concept
    # A note that exists is a page: `[[Loss Functions]]` leads to it and `show` finds it,
    # even when it holds only an image or opens with a heading (issue 10, defect 7).
    return [replace(entry, reason=VAULT_PAGE_REASON)]


# A block id at the end of a paragraph or item (`... scores. ^d4f2a1`), the target of
# `[[note#^d4f2a1]]`: no word of the text.
_BLOCK_ID = re.compile(r"[ \t]\^[A-Za-z0-9][A-Za-z0-9-]{2,63}[ \t]*$", re.MULTILINE)


def _preprocess(problems: list[Problem], path: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        text = dendron_links(text)
        if "^" in text:
            text = _BLOCK_ID.sub("", text)
        text, unclosed = strip_comments(text)
        if unclosed is not None:
            problems.append(
                Problem(
                    "unclosed %% comment hides the rest of the note", Span(path, unclosed, unclosed)
                )
            )
        return text

    return run


def read(data: bytes, path: str) -> list[Document]:
    early: list[Problem] = []
    parsed, title = markdown.read_with(
        data, path, name, _MD, preprocess=_preprocess(early, path), flavor=_FLAVOR
    )
    parsed.problems.extend(early)
    template = in_templates_folder(path)
    # A vault's note boxes a definition in a callout (`> [!definition] Softmax`): an entry
    entries = [] if template else markdown.with_box_entries(
        parsed, path, title, _note_entry(parsed, path, title))
    return [markdown.make_document(parsed, path, name, title, entries, markdown.tags_of(parsed),
                                   template=template)]


def in_templates_folder(path: str) -> bool:
    """Whether a vault's note sits in its templates' folder (`Templates/`, `_meta_/Templates/`,
    `_templates/`), where Obsidian's Templates and Templater plugins keep the shape of notes to
    come: no page, and its links are placeholders (round 35: a vault's template for a
    distribution's note was a second concept "Probability Distribution" and its links wanted
    pages)."""
    folders = path.replace("\\", "/").split("/")[:-1]
    return any(f.strip("_.").casefold() in ("templates", "template") for f in folders)
