"""TiddlyWiki (`.tid`): a wiki kept as one file a tiddler, as TiddlyWiki on Node.js keeps it
(`tiddlers/*.tid`).

A tiddler is its fields (`title: Perceptron`, `tags: Classification [[Neural networks]]`,
`type: text/vnd.tiddlywiki`), one a line, then a blank line and its text. Each tiddler is a
page named by its title, as a vault's note is by its file, and its tags are its tags. Its
text, in TiddlyWiki's wikitext, is read by the Markdown reader with the obsidian flavor's
`[[links]]` after it is written as Markdown, line for line (every span stays on its line):

- `!` to `!!!!!!` open headings of their level; `*`/`#` lists nested by their marks' count,
  `;term` and `: definition` as the term in bold led before its text, `>` quotes; `<<<` and
  `\"\"\"` lines, `@@` style lines and `---` rules no text.
- `''bold''`, `//italic//` as Markdown's, `__underline__`, `^^sup^^`, `,,sub,,` and
  `@@highlight@@` their words; `` `code` `` and ```` ``` ```` blocks as code; `$$...$$` (the
  KaTeX plugin's, inline or on lines of its own) as math, kept as written.
- `[[Title]]` and `[[text|Title]]` are links to the tiddler so titled (`[[text|https://...]]`
  a web link), `[ext[text|url]]` a web link, `[img[tip|url]]` an image, `{{Title}}` (a
  transclusion) an embed of it; macro calls (`<<toc>>`), widgets (`<$list ...>`), filtered
  transclusions (`{{{ [tag[x]] }}}`) and pragmas (`\\define`, `\\import`) no text.
- A table (`|!Head|!Head|` over `|a|b|`) is a Markdown table when a blank line stands above
  it (its first row is written there, the delimiter row on that row's own line), else its
  cells read one row a line; caption and class rows (`|...|c`, `|...|k`) no text.
- A system tiddler (`$:/...`: settings, themes, plugins' state), a draft (`draft.of:`), and a
  tiddler of another type than wikitext or Markdown (CSS, JavaScript, JSON, a dictionary)
  are no notes; a tiddler of type `text/x-markdown` is read as Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from grimoire.model import VAULT_PAGE_REASON, Document, Entry, LinkKind
from grimoire.names import normalize
from grimoire.readers import markdown, sniffs
from grimoire.readers.base import decode
from grimoire.readers.conventions import names_no_concept
from grimoire.readers.markdown._blocks import parse
from grimoire.readers.markdown.obsidian import obsidian_plugin

name = "tiddlywiki"
extensions: tuple[str, ...] = (".tid",)
sniff = sniffs.tiddlywiki

_MD = markdown.build_parser().use(obsidian_plugin)

_FIELD = re.compile(r"([\w.$:-]+):[ \t]*(.*)")
# The types of a tiddler that holds notes: wikitext (also TiddlyWiki Classic's), Markdown, text.
_WIKITEXT = ("", "text/vnd.tiddlywiki", "text/x-tiddlywiki")
_MARKDOWN = ("text/x-markdown", "text/markdown")
_PLAIN = ("text/plain",)
_HEADING = re.compile(r"(!{1,6})[ \t]*(?:\.[\w-]+[ \t]+)?(\S.*)")
_LIST = re.compile(r"([*#;:>]+)[ \t]*(.*)")
_PRAGMA = re.compile(r"\\(?:define|procedure|function|widget|import|rules|whitespace|parameters"
                     r"|parsermode|relink|end)\b")
_FENCE = re.compile(r"```")
_TYPED = re.compile(r"\$\$\$")
# Inline: code and math first (kept as written), then links, marks, macros.
_SEGMENT = re.compile(r"`[^`\n]+`|\$\$(?:[^$\n]|\$(?!\$)){0,2000}\$\$")
# A link's text may hold brackets (`[Neural networks [2.9]|url]]`), as TiddlyWiki's may.
_LINK = re.compile(r"\[\[([^\n]{0,1000}?)\]\]")
_EXT = re.compile(r"\[ext\[([^\[\]\n]*)\]\]")
_IMG = re.compile(r"\[img(?:[ \t][^\[\]\n]*)?\[([^\[\]\n]*)\]\]")
_FILTERED = re.compile(r"\{\{\{[^\n]{0,1000}?\}\}\}")
_TRANSCLUDE = re.compile(r"\{\{([^{}\n]*)\}\}")
_MACRO = re.compile(r"<<[^<>\n]*>>")
# A macro given a passage to show (`<<note "Keep the test set apart.">>`, a callout the wiki
# defines): its words; over lines (`<<note "` ... `">>`) its lines are read as the note's.
_MACRO_TEXT = re.compile(r"<<[\w.-]+[ \t]+(?:\"\"\"(.{1,1000}?)\"\"\"|\"([^\"\n]*[ \t][^\"\n]*)\")"
                         r"[ \t]*>>")
_FILTER_STEP = re.compile(r"\[!?[a-z][\w:-]*[\[{<]", re.I)
_MACRO_OPEN = re.compile(r"<<[\w.-]+[ \t]+(\"\"\"|\")(?!.*>>)(.*)")
# An attribute's quoted value may hold `<` and `>` (`filter="[<draft>!is[system]]"`); the
# conditional shortcuts (`<%if [tag[x]] %>`, `<%else%>`, `<%endif%>`) are no text either.
_WIDGET = re.compile(r"</?\$[\w.-]+(?:\"[^\"\n]{0,1000}\"|'[^'\n]{0,1000}'|[^<>\n\"']"
                     r"|<<[^<>\n]{0,1000}>>){0,1000}>|<%[^\n]{0,1000}?%>")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)
# Marks pair as TiddlyWiki pairs them, the next one closing (`''Theorem ''There`); one left
# open on a line (its run goes on over the next) is dropped.
_BOLD = re.compile(r"''[ \t]*(.+?)[ \t]*''")
_ITALIC = re.compile(r"(?<![:/])//[ \t]*(.+?)[ \t]*//")
_PAIRS = (re.compile(r"__(.+?)__"), re.compile(r"\^\^(.+?)\^\^"), re.compile(r",,(.+?),,"),
          re.compile(r"@@(.+?)@@"))
_LEFT_OPEN = re.compile(r"''|(?<![:/])//(?!/)|__|,,|\^\^|@@")
# What marks never reach: a Markdown link's address, a web address written bare.
_ADDRESS = re.compile(r"\]\((?:<[^<>\n]*>|[^()\s]*)\)|<[a-z][a-z0-9+.-]*:[^<>\s]*>"
                      r"|\b(?:https?|ftp)://[^\s<>\]|]+")
_HELD = re.compile("\x00(\\d+)\x00")
_TILDE = re.compile(r"~(?=[A-Z][a-z]+[A-Z])")  # `~WikiWord`: a CamelCase word kept unlinked
# A line under which a blank line holds no table's first row: Markdown would read the row on
# in a list item or an HTML block (`<div>`), not as a table.
_OPEN_BLOCK = re.compile(r"[ \t]*(?:[-*>]|\d+\.)[ \t]|.*<[a-z/!]", re.I)
_TABLE = re.compile(r"\|.*\|[chkf]?[ \t]*")
_CELL_BAR = re.compile(r"\[\[[^\n]{0,1000}?\]\]|\{\{[^\n]{0,1000}?\}\}|\|")


@dataclass
class _State:
    out: list[str] = field(default_factory=list)
    verbatim: str = ""  # the fence open ("```", "$$", "$$$", "\\define")
    columns: int = 0  # the Markdown table open's columns (0 none)
    math: bool = False  # a formula open over lines (`$$E = ...` closed by a later `$$`)
    macro: str = ""  # the end of a macro's passage open over lines (`">>`)


def fields_of(text: str) -> tuple[dict[str, str], int]:
    """A tiddler's fields and the number of lines they take (their blank line too); ({}, 0)
    when the text opens with no `name: value` line."""
    lines = text.split("\n")
    found: dict[str, str] = {}
    for number, line in enumerate(lines):
        if not line.strip():
            return found, number + 1 if found else 0
        m = _FIELD.fullmatch(line.rstrip())
        if m is None:
            # fields end at a blank line; `Note: ...` over text with none between is the
            # text's first line, unless a title says these lines are a tiddler's fields
            return (found, number) if "title" in found else ({}, 0)
        found[m.group(1)] = m.group(2).strip()
    return found, len(lines)


def tags_of(value: str) -> tuple[str, ...]:
    """A `tags` field's tags: words, or titles of several words in `[[...]]`."""
    return tuple(t for t in (m.group(1) or m.group(2) for m in
                             re.finditer(r"\[\[([^\]]*)\]\]|(\S+)", value)) if t and t.strip())


def _address(url: str) -> str:
    """A link's address as Markdown holds it: in `<>` when it has a blank."""
    url = url.strip()
    return f"<{url}>" if re.search(r"\s", url) else url


def _link(m: re.Match[str]) -> str:
    inner = m.group(1)
    text, bar, target = inner.rpartition("|")
    if not bar:
        text, target = "", inner
    target, text = target.strip(), text.strip()
    if not target:
        return text
    if _SCHEME.match(target) and not target.startswith("$:"):
        return f"[{text}]({_address(target)})" if text else f"<{target}>"
    return f"[[{target}|{text}]]" if text else f"[[{target}]]"


def _ext(m: re.Match[str]) -> str:
    text, bar, url = m.group(1).rpartition("|")
    url = url.strip()
    return f"[{text.strip()}]({_address(url)})" if bar and text.strip() else f"<{url}>"


def _img(m: re.Match[str]) -> str:
    tip, _, url = m.group(1).rpartition("|")
    return f"![{tip.strip()}]({_address(url)})"


def _transclude(m: re.Match[str]) -> str:
    title = m.group(1).split("||", 1)[0].split("!!", 1)[0].split("##", 1)[0].strip()
    return f"![[{title}]]" if title and not title.startswith("$:") else ""


def _macro_text(m: re.Match[str]) -> str:
    passage = m.group(1) or m.group(2)
    # a filter given to a macro (`<<list-links "[tag[Core ideas]] -[tag[Draft]]">>`) is no text
    return "" if _FILTER_STEP.search(passage) else passage


def _markup(text: str) -> str:
    if "{{" in text:
        text = _FILTERED.sub("", text)
        text = _TRANSCLUDE.sub(_transclude, text)
    if "<" in text:
        if "<<" in text:
            text = _MACRO_TEXT.sub(_macro_text, text)
        text = _WIDGET.sub("", text)
        text = _MACRO.sub("", text)
    if "[" in text:
        text = _IMG.sub(_img, text)
        text = _EXT.sub(_ext, text)
        text = _LINK.sub(_link, text)
    return text


def _marks(text: str) -> str:
    if "''" in text:
        text = _BOLD.sub(r"**\1**", text)
    if "//" in text:
        text = _ITALIC.sub(r"*\1*", text)
    for pattern in _PAIRS:
        text = pattern.sub(r"\1", text)
    text = _LEFT_OPEN.sub("", text)
    if "~" in text:
        text = _TILDE.sub("", text)
    return text


def _inline(text: str) -> str:
    """A line of wikitext in Markdown's markup; code, formulas and addresses kept as written
    (a formula inside bold, `''$$\\epsilon$$-net''`, is bold too)."""
    held: list[str] = []

    def hold(m: re.Match[str]) -> str:
        held.append(m.group())
        return f"\x00{len(held) - 1}\x00"

    text = text.replace("\x00", "")
    text = _SEGMENT.sub(hold, text)
    text = _markup(text)
    text = _ADDRESS.sub(hold, text)
    text = _marks(text)
    for _ in range(3):  # a formula held inside a link held, at most
        if "\x00" not in text:
            break
        text = _HELD.sub(lambda m: held[int(m.group(1))], text)
    return text.replace("\x00", "").rstrip()


def _cells(line: str) -> tuple[list[str], str]:
    body = line.strip()
    kind = ""
    if body[-1] in "chkf":
        kind, body = body[-1], body[:-1]
    body = body.strip().removeprefix("|").removesuffix("|")
    cells, start = [], 0
    for m in _CELL_BAR.finditer(body):  # a bar inside `[[text|Title]]` parts no cells
        if m.group() == "|":
            cells.append(body[start:m.start()].strip())
            start = m.end()
    cells.append(body[start:].strip())
    return [_inline(c.lstrip("!").strip()) for c in cells], kind


def _table(st: _State, line: str) -> str:
    cells, kind = _cells(line)
    if kind in ("c", "k"):
        return ""  # a caption or a class row: no text
    plain = " | ".join(c for c in cells if c)  # a row read as a line (no Markdown table)
    cells = [c.replace("|", "\\|") for c in cells]  # in a table, a link's bar escaped
    if st.columns:
        return "| " + " | ".join(cells) + " |"
    if st.out and not st.out[-1].strip() and (len(st.out) < 2 or _OPEN_BLOCK.match(st.out[-2])
                                              is None):
        # the blank line above the table holds its first row, the row's own line Markdown's
        # delimiter row: the table is one passage, its rows on their lines below
        st.out[-1] = "| " + " | ".join(cells) + " |"
        st.columns = len(cells)
        return "|" + " --- |" * st.columns
    return plain


_DOLLARS = re.compile(r"(?<!\$)\$\$(?!\$)")


def _open_math(text: str) -> int:
    """Where a formula left open on this line starts (its `$$` no later one closes), -1 if
    none; code spans and `$$$` are no formula's marks."""
    marks = [m.start() for m in re.finditer(r"(?<!\$)\$\$(?!\$)", re.sub(r"`[^`\n]*`",
                                                                     lambda m: "x" * len(m.group()),
                                                                     text))]
    return marks[-1] if len(marks) % 2 == 1 else -1


def _line(st: _State, line: str) -> str:
    if "$$$$" in line and not st.verbatim:
        line = line.replace("$$$$", "$$")  # an empty formula before one: a slip of the keys
    stripped = line.strip()
    if st.math:  # a formula's lines are kept as written, up to its closing `$$`
        end = _DOLLARS.search(line)
        if end is None:
            return line
        st.math = False
        rest = line[end.end():]
        if (at := _open_math(rest)) >= 0:  # `... \\ 1$$, and $$x =`: another one opens
            st.math = True
            return line[:end.end()] + _inline(rest[:at]) + rest[at:]
        return line[:end.end()] + _inline(rest)
    if st.verbatim:
        if st.verbatim == "\\define":
            if stripped.startswith("\\end"):
                st.verbatim = ""
            return ""
        if stripped == st.verbatim or (st.verbatim == "```" and stripped == "```"):
            closing = "```" if st.verbatim in ("```", "$$$") else "$$"
            st.verbatim = ""
            return closing
        return line
    if st.macro and stripped.endswith(st.macro):
        stripped = line = stripped[:-len(st.macro)]  # the macro's passage ends (`</div>">>`)
        st.macro = ""
    elif (m := _MACRO_OPEN.match(stripped)) is not None:
        st.macro = m.group(1) + ">>"  # `<<note "<div>`: its passage's lines follow
        stripped = line = m.group(2)
    if st.columns and not _TABLE.fullmatch(stripped):
        st.columns = 0
    if not stripped:
        return ""
    if _FENCE.match(stripped):
        st.verbatim = "```"
        return stripped
    if stripped.startswith("$$$"):
        st.verbatim = "$$$"
        kind = stripped[3:].strip().rsplit("/", 1)[-1]
        return "```" + re.sub(r"^x-", "", kind)
    if (at := _open_math(stripped)) >= 0:
        # `$$` alone, or `$$E(t) = ...` closed on a later line: the formula as written
        before = _line(st, stripped[:at]).rstrip() + " " if at else ""
        st.math = True
        return before + stripped[at:]
    if _PRAGMA.match(stripped):
        if stripped.startswith(("\\define", "\\procedure", "\\function", "\\widget")) \
                and not re.search(r"\)[ \t]*\S", stripped):
            st.verbatim = "\\define"  # a definition over lines, up to its `\end`
        return ""
    if stripped.startswith(("<<<", '"""', "@@")) or stripped in ("---", "----"):
        return ""
    if _TABLE.fullmatch(stripped) and stripped.count("|") >= 2:
        return _table(st, stripped)
    if (m := _HEADING.fullmatch(stripped)) is not None:
        return "#" * len(m.group(1)) + " " + _inline(m.group(2))
    if (m := _LIST.fullmatch(stripped)) is not None and not stripped.startswith("<<"):
        marks, text = m.group(1), _inline(m.group(2))
        last = marks[-1]
        indent = "    " * (len(marks) - 1)
        if last == "*":
            return f"{indent}- {text}"
        if last == "#":
            return f"{indent}1. {text}"
        if last == ";":
            return f"**{text}**:" if text else ""
        if last == ":":
            return text
        return "> " + text
    return _inline(stripped)


def to_markdown(body: str) -> str:
    """A tiddler's wikitext written in Markdown, line for line."""
    st = _State()
    for line in body.split("\n"):
        st.out.append(_line(st, line))
    return "\n".join(st.out)


def _page_entry(parsed: markdown.Parsed, path: str, title: str) -> list[Entry]:
    """A tiddler is a page named by its title, as a vault's note is: an entry of its text."""
    if names_no_concept(title):
        return []  # a journal's day (`2023-03-05`), an "Untitled": no concept
    if not parsed.blocks:
        return []  # a list a macro makes (`<<list-links filter:"[tag[x]]">>`), an empty page
    fields = markdown.front_entry_fields(parsed, path)
    links = [x for b in parsed.blocks for x in b.links]
    if len(links) == 1 and links[0].kind in (LinkKind.EMBED, LinkKind.WIKILINK) \
            and not "".join(b.text for b in parsed.blocks).strip():
        # `{{Relative entropy}}` and nothing else in "KL divergence": the page shown under
        # another title, a name of it (as a redirect note is in a vault)
        fields["redirect"] = links[0].target
        return [markdown.entry_from_blocks(title, parsed.blocks,
                                           markdown.whole_span(parsed, path), **fields)]
    entry = markdown.entry_from_blocks(title, parsed.blocks, markdown.whole_span(parsed, path),
                                       **fields)
    first = next((b for b in parsed.blocks if b.kind == "text"), None)
    if first is not None and normalize(title) in normalize(first.text)[:200]:
        return [entry]  # its text opens by saying what it is
    return [replace(entry, reason=VAULT_PAGE_REASON)]


def read(data: bytes, path: str) -> list[Document]:
    source = decode(data, path).replace("\r\n", "\n")
    found, skip = fields_of(source)
    title = found.get("title", "").strip()
    kind = found.get("type", "").strip().lower()
    if title.startswith("$:/") or "draft.of" in found:
        return []  # a system tiddler (settings, a theme, a plugin's state), an edit's draft
    if kind not in _WIKITEXT + _MARKDOWN + _PLAIN:
        return []  # a stylesheet, a script, JSON data, a dictionary: no notes
    lines = source.split("\n")
    body = "\n".join(lines[skip:])
    text = body if kind in _MARKDOWN + _PLAIN else to_markdown(body)
    text = "\n" * skip + text  # the fields' lines no text: every span stays on its line
    parsed = parse(text, path, _MD)
    meta: dict[str, object] = {}
    if title:
        meta["title"] = title
    if tags := tags_of(found.get("tags", "")):
        meta["tags"] = list(tags)
    if aliases := tags_of(found.get("aliases", "")):
        meta["aliases"] = list(aliases)
    parsed.front.meta = {**meta, **parsed.front.meta}
    title = title or markdown.title_of(parsed, path)
    entries = markdown.with_box_entries(parsed, path, title, _page_entry(parsed, path, title))
    return [markdown.make_document(parsed, path, name, title, entries, markdown.tags_of(parsed))]
