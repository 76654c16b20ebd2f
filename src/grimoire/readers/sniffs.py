"""How a file shows its format, for the readers whose modules are slow to import (those that
build on the Markdown reader or a parser).

`readers.detect` sniffs a file of no telling extension (`.txt`, none) with every reader in
turn, and a `.md` file with Obsidian's, Markdown's and the wikitext test: these tests live
here, beside nothing heavy, so that a plain-text note does not import markdown-it, docutils
and selectolax to be told it is none of theirs, nor a Markdown note the MediaWiki reader
(issue 14). Each reader's module exposes its test as `sniff`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from grimoire.readers.base import folder_of, suffix_of

RST_EXTENSIONS = (".rst", ".rest")
# Documentation-builder markers written as `[[name]]`; never Obsidian wikilinks.
DOC_MARKERS = frozenset({"autodoc", "open-in-colab"})
ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1{2,}[ \t]*")  # a line of 3+ of one punctuation


def notebook(head: str, path: str) -> bool:
    """A JSON object that names `nbformat` or `cells` near its start."""
    start = head.lstrip()
    return start.startswith("{") and ('"nbformat"' in head or '"cells"' in head)


_ORG_KEYWORD = re.compile(
    r"^#\+(?:title|author|filetags|startup|options|begin_src):", re.I | re.M
)
_ORG_HEADING = re.compile(r"^\*+ \S", re.M)
_ORG_MARK = re.compile(r"\[\[[^\]\n]+\](?:\[[^\]\n]+\])?\]|^[ \t]*:PROPERTIES:", re.M)


def typst(head: str, path: str) -> bool:
    """A `.typ` file: its markup (`= Heading`, `#set`) is AsciiDoc's and a program's too."""
    return suffix_of(path).lower() == ".typ"


def asciidoc(head: str, path: str) -> bool:
    """An AsciiDoc file by its extension; an armored key, signature or certificate (`KEYS.asc`,
    a PEM `-----BEGIN PUBLIC KEY-----`) is none."""
    return suffix_of(path).lower() in (".adoc", ".asciidoc", ".asc", ".ad") \
        and not head.lstrip().startswith("-----BEGIN ")


def tiddlywiki(head: str, path: str) -> bool:
    """A `.tid` file: a tiddler's `name: value` fields, then its text."""
    return suffix_of(path).lower() == ".tid"


def org(head: str, path: str) -> bool:
    """`#+TITLE:`-style keywords together with Org headings, links or drawers."""
    keywords = len(_ORG_KEYWORD.findall(head))
    if keywords >= 2:
        return True
    return keywords >= 1 and bool(_ORG_HEADING.search(head) or _ORG_MARK.search(head))


# What marks the top folder of a vault: Obsidian's settings folder, a Logseq graph's
# `logseq/config.edn`. Every `.md` under one is a note of that vault, also when it holds no
# wikilink (a Logseq stub of properties only). A Dendron workspace (`dendron.yml`) is not one:
# its notes are pages with sections, which the Markdown reader makes entries of.
_VAULT_MARKS = (".obsidian", "logseq/config.edn")


@lru_cache(maxsize=4096)
def _in_vault(folder: str) -> bool:
    here = Path(folder)
    return any((parent / mark).exists() for parent in (here, *here.parents)
               for mark in _VAULT_MARKS)


_SNIFF_HIGHLIGHT = re.compile(r"(?:^|\s)==[^\s=][^=\n]{0,300}[^\s=]==(?=$|[\s.,;:!?)])", re.M)


def obsidian(head: str, path: str) -> bool:
    """Wikilinks, embeds or highlights outside code, or a `.obsidian` folder above a `.md` file
    (Obsidian renders only `.md` as notes: a `.txt` in a vault is plain text)."""
    # The text first: it is cheaper than looking for `.obsidian` in every parent folder.
    return _marked(head) or bool(
        path and suffix_of(path).lower() == ".md" and _in_vault(folder_of(path))
    )


def _all_prose(head: str) -> bool:
    """No fence and no indented line: `_prose` would keep every line (the usual note)."""
    return ("```" not in head and "~~~" not in head and "\n    " not in head
            and "\n\t" not in head and not head.startswith(("    ", "\t")))


# A list item's marker: `- `, `* `, `+ `, `1. `, `1) `.
_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


def _prose(head: str) -> str:
    """The lines of `head` outside fenced and indented code. A line indented under a list
    item is the item's, no code: a Dendron note's steps, `1. Study` over `    - practice:
    [[interviews.Mock Interviews]]` (round 45, qa45b: a note whose every link sat so was read
    as plain Markdown, its eight links lost)."""
    prose: list[str] = []
    fence: str | None = None
    in_list = False
    for line in head.split("\n"):
        stripped = line.lstrip()
        if stripped[:3] in ("```", "~~~"):
            fence = None if fence else stripped[:3]
            continue
        indented = line.startswith(("    ", "\t"))
        if stripped and not indented:
            in_list = _LIST_ITEM.match(stripped) is not None
        if fence is None and (not indented or in_list):
            prose.append(line)
    return "\n".join(prose)


def _marked(head: str) -> bool:
    """Wikilinks, embeds or highlights outside code in `head`."""
    if "[[" not in head and "==" not in head:  # what follows looks for nothing else
        return False
    text = head if _all_prose(head) else _prose(head)
    if "[[" in text:
        for m in re.finditer(r"\[\[([^\[\]\n]{1,200})\]\](?!\()", text):
            inner = m.group(1)
            if (
                inner not in DOC_MARKERS
                and any(c.isalpha() for c in inner)
                and not any(c in inner for c in "\"'`(){}<>=")
            ):
                return True
    if "==" not in text:
        return False
    for m in _SNIFF_HIGHLIGHT.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        line = text[start : end if end >= 0 else len(text)]
        # `=Section= ==Sub==` is MediaWiki heading markup quoted in a line, not a highlight.
        if line.count("=") == 4 * len(_SNIFF_HIGHLIGHT.findall(line)):
            return True
    return False


_SNIFF_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_SNIFF_LINK = re.compile(r"\[[^\[\]\n]{1,200}\]\((?:https?://|\.{0,2}/|#)[^()\s]{0,500}\)")
_SNIFF_FENCE = re.compile(r"^(?:```|~~~)", re.M)
_SNIFF_FRONT = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n[A-Za-z_][\w-]{0,40}[ \t]*[:=]")


def markdown(head: str, path: str) -> bool:
    """Front matter, or ATX headings together with Markdown links or code fences."""
    if _SNIFF_FRONT.match(head):
        return True
    headings = len(_SNIFF_HEADING.findall(head))
    if not headings:
        return False
    marks = len(_SNIFF_LINK.findall(head)) + len(_SNIFF_FENCE.findall(head)) // 2
    return (marks >= 1 and headings >= 2) or marks >= 3


# A line that is one of these commands alone (a comment or `\\label` may follow), at its start:
# indented it is quoted code, and with prose after it a wrapped sentence about LaTeX. The
# options of `\\documentclass[...]` may run over lines (one a line), up to 500 characters.
_LATEX = re.compile(
    r"^\\(?:documentclass(?:\[[^\]]{0,500}\])?\{[^{}\n]*\}|begin\{document\}"
    r"|(?:chapter|section)\*?(?:\[[^\]\n]*\])?\{[^\n]*\}(?:\\label\{[^{}\n]*\})?)"
    r"[ \t\r]*(?:%.*)?$", re.M)
_LATEX_FENCE = re.compile(r"^[ \t]*(?:```|~~~)", re.M)


def latex(head: str, path: str) -> bool:
    """`\\documentclass`, `\\begin{document}` or a `\\section{}` as a line of its own,
    before any Markdown fence (a note quoting LaTeX in a code block is Markdown)."""
    m = _LATEX.search(head)
    return m is not None and _LATEX_FENCE.search(head, 0, m.start()) is None


_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)


def html(head: str, path: str) -> bool:
    """An HTML document starts with a tag and names doctype/html/head/body near its start."""
    start = head.lstrip("\ufeff \t\r\n")
    return start.startswith("<") and _HTML.search(start, 0, 1024) is not None


# Sniffing a .txt file: an underlined title and an rst mark (directive, label or role).
_RST_MARK = re.compile(
    r"^\.\. (?:[A-Za-z][\w+.-]{0,40}(?::[\w+.-]{1,40})?::|_[^:\n]{1,200}:)"
    r"|:[A-Za-z][\w+.-]{0,40}:`",
    re.M,
)


def rst(head: str, path: str) -> bool:
    """An rst file by name; any other by an underlined title and an rst mark."""
    if suffix_of(path).lower() in RST_EXTENSIONS:
        return True
    lines = head.split("\n")
    underlined = any(
        ADORNMENT.fullmatch(line)
        and lines[i - 1].strip()
        and not ADORNMENT.fullmatch(lines[i - 1])
        and len(line.rstrip()) >= len(lines[i - 1].rstrip())
        for i, line in enumerate(lines)
        if i > 0
    )
    return underlined and _RST_MARK.search(head) is not None


# A heading holds a word between its marks: "== ==" and "==== ====" are pairs of a tokenizer's
# merge list (round 50, qa50: GPT-2's `merges.txt` kept as a test fixture was a wiki page).
_WIKI_HEADING = re.compile(r"^(={1,6})[ \t]*[^=\s][^\n]{0,200}?\1[ \t]*$", re.M)
_BOLD = re.compile(r"'''[^'\n]{1,200}'''")
_WIKILINK = re.compile(r"\[\[[^\[\]\n]{1,255}\]\]")
# `{{Name|`, `{{Name}}` or `{{Name` at a line end; a backslash or `$` means TeX (`{{x \over y}}`).
# Logseq's macros (`{{embed [[page]]}}`, `{{query ...}}`, `{{cards}}`) are no templates: a
# Logseq page that only embeds others is Markdown.
_TEMPLATE = re.compile(
    r"\{\{(?!(?:embed|query|cards|cloze|renderer|video|youtube|tweet|namespace|function|pdf)\b)"
    r"[A-Za-z][^{}\n\\$]{0,200}(?:\}\}|\||\n)"
)
_EXTERNAL = re.compile(r"\[https?://[^\s\]]{1,500} [^\]\n]{1,200}\]")
_REDIRECT_HEAD = re.compile(r"\A\s*#REDIRECT\s*:?\s*\[\[", re.I)


# Each mark with the text every match of it starts with: a regular expression searched for
# in vain tries every position of the head, a substring test does not (issue 14: every
# Markdown note is sniffed for wikitext).
_MARKS = ((_BOLD, "'''"), (_WIKILINK, "[["), (_TEMPLATE, "{{"), (_EXTERNAL, "[http"))


def wikitext(head: str) -> bool:
    """Wiki-only marks: `== headings ==`, `'''bold'''`, `{{Templates}}`, `[url label]`.

    `[[links]]` alone are not enough: an Obsidian vault has them too; `'''` alone are Python
    docstrings and `{{` alone is TeX (`{{1 \\over 30}}`).
    """
    if _REDIRECT_HEAD.match(head):
        return True
    headings = len(_WIKI_HEADING.findall(head)) if _may_hold_heading(head) else 0
    marks = sum(1 for pattern, opening in _MARKS if opening in head and pattern.search(head))
    return (headings >= 1 and (marks >= 1 or headings >= 2)) or (marks >= 2 and bool(
        _BOLD.search(head) or _TEMPLATE.search(head)
    ))


_WIKI_TAG = re.compile(r"<(?:syntaxhighlight|source|math|ref|nowiki|gallery)\b", re.I)
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_MD_LINK = re.compile(r"\[[^\[\]\n]{1,200}\]\([^()\s]{1,500}\)")
_MD_FENCE = re.compile(r"^(?:```|~~~)", re.M)
_MD_STRONG = re.compile(r"\*\*[^*\n]{1,200}\*\*")


def _may_hold_heading(text: str) -> bool:
    """Whether a line of `text` starts with "=", as every `_WIKI_HEADING` does: that regex tries
    every line start, a third of detecting a Markdown note's format (issue 14)."""
    return text.startswith("=") or "\n=" in text


def wikitext_outweighs_markdown(head: str) -> bool:
    """Whether a file named `.md` is wikitext: wiki-only marks, more of them than Markdown's.

    People save MediaWiki pages as `.md`; read as Markdown, a `# comment` in a code block is
    a title and `<math>` is mangled. The extension says Markdown, the content says wiki: the
    stronger evidence wins (issue 10, defect 5). Markdown headings inside a wiki
    `<syntaxhighlight>` are not counted, since they are code comments there.
    """
    if not wikitext(head):
        return False
    outside = re.sub(r"<(syntaxhighlight|source|pre)\b.*?</\1\s*>", "", head,
                     flags=re.I | re.S)
    wiki = 2 * len(_WIKI_HEADING.findall(outside)) + len(_BOLD.findall(outside)) \
        + len(_TEMPLATE.findall(outside)) + len(_EXTERNAL.findall(outside)) \
        + 2 * len(_WIKI_TAG.findall(head))
    md = 2 * len(_MD_HEADING.findall(outside)) + len(_MD_LINK.findall(outside)) \
        + len(_MD_FENCE.findall(outside)) + len(_MD_STRONG.findall(outside))
    return wiki > md
