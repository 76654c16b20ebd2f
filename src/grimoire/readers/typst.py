"""Typst (`.typ`): lecture notes, cheat sheets and books written for the Typst compiler.

Typst's markup is near enough to Markdown's that a note is read by the Markdown reader after
its markup is written as Markdown's, line for line (every span stays on its own line):

- `= Heading`, `== Heading` are headings of their level; a label after one (`<intro>`) names
  no part of it.
- Code is no text: `#import`, `#set`, `#show`, `#let`, `#include`, `#if`, `#for`, `#{ ... }`
  and a call on a line of its own (`#outline()`, `#pagebreak()`, `#v(1em)`), also when its
  brackets run on over later lines; so are comments (`// ...`, `/* ... */`) and a line of
  only `---` (a dash).
- The title is a template's (`#show: notes.with(title: "...")`, `#set document(title: ...)`),
  else what Markdown's rules make of the headings and the file's name.
- A call with a content block (`#remark("Step size")[ ... ]`, `#box(title: [MLE])[ ... ]`)
  keeps its text: its quoted or bracketed title, then the block's lines; inline, a call's
  block is its text (`#emph[word]`), `#link("url")[label]` a link, another call its quoted
  words that name no file (`#term("Regression")`; `#image("a.png")` nothing).
- Math: `$x$` inline, `$ x $` (spaces inside) or `$` on lines of its own displayed; kept as
  written (Typst's notation, not TeX).
- Lists: `- item`, `+ item` (numbered), and a term item `/ Term: text` reads "Term: text"
  with the term strong, as a Markdown glossary list writes it. `*strong*` is strong.
- Raw blocks (```` ```lang ````) are code, as in Markdown.
- A file in a `template/` folder shows a template's look: no concept, as in a vault.
- A function of one argument the note defines, or imports from a `.typ` file beside it
  (`#import "../prelude.typ": *`), whose body makes a heading of it (`#let hd3(t) = {
  ... #heading(level: 3)[#t] ... }`), called alone on its line (`#hd3("VAE")`, `#hd3[VAE]`),
  is that heading (read56: a notes repository styled every heading so, and each of its 39
  files was named by its stem, none of its headings read).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from dataclasses import dataclass, field

from grimoire.model import Document
from grimoire.readers import markdown, sniffs
from grimoire.readers.base import collapse, decode
from grimoire.readers.markdown._blocks import build_parser, parse
from grimoire.readers.markdown.obsidian import in_templates_folder

name = "typst"
extensions: tuple[str, ...] = (".typ",)
sniff = sniffs.typst

_MD = build_parser()

# A statement of code that opens a line: its text is never the note's.
_CODE = re.compile(r"[ \t]*#(?:(?:import|include|set|show|let|if|for|while|context)\b|[{(])")
# A call on a line of its own: `#name`, its fields, its arguments (`#pagebreak()`,
# `#cbox(title: [MLE])[`).
_CALL = re.compile(r"[ \t]*#[A-Za-z_][\w.-]*(?=[(\[]|[ \t]*$)")
_CLOSING = re.compile(r"[\])\[,]+")  # the end of content blocks: `]`, `])`, `][`, `[`
_CELL = re.compile(r"\[([^\[\]\n]*)\]")  # a content block on one line: a cell, a caption
_HEADING = re.compile(r"[ \t]*(=+)[ \t]+(\S.*)")
_LABEL = re.compile(r"<[A-Za-z_][\w:.-]*>")
_END_LABEL = re.compile(r"<([A-Za-z_][\w:.-]*)>[ \t]*$")
# A reference to a label: `#link(<intro>)[text]`, `#ref(<intro>)`; and `@intro` to a heading's
# label of the note (not an address's `a@b`, not a citation `@smith2019` of a bibliography; a
# label's last character a letter, digit or `_`: "see @intro." ends at "o").
_LABEL_REF = re.compile(r"(?<!\\)#link\(<([A-Za-z_][\w:.-]*)>\)\[([^\[\]\n]*)\]"
                        r"|(?<!\\)#ref\(<([A-Za-z_][\w:.-]*)>\)")
_AT_REF = re.compile(r"(?<![\w@\\\[])@([A-Za-z_](?:[\w:.-]*\w)?)")
_HEADING_LABEL = re.compile(r"^[ \t]*=+[ \t]+\S.*<([A-Za-z_][\w:.-]*)>[ \t]*$", re.MULTILINE)
_TERM = re.compile(r"([ \t]*)/[ \t]+([^:\n]+?):[ \t]*(.*)")
_LIST = re.compile(r"[ \t]*(?:[-+]|\d+\.)[ \t]")
_FENCE = re.compile(r"[ \t]*(`{3,})")
_LINK = re.compile(r'(?<!\\)#link\("([^"\n]+)"(?:,\s*\[([^\[\]\n]*)\])?\)(?:\[([^\[\]\n]*)\])?')
_INLINE_BLOCK = re.compile(r"(?<!\\)#[A-Za-z_][\w.-]*(?:\([^()\n]*\))?\[([^\[\]\n]*)\]")
_INLINE_CALL = re.compile(r"(?<!\\)#[A-Za-z_][\w.-]*(?:\([^()\n]*\))?")
_STRONG = re.compile(r"(?<![\w*\\])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_TRAILING_COMMENT = re.compile(r"(?<=\s)//(?!/).*$|^//.*$")
# A heading's footnote (`== SvelteKit #footnote[https://...]`): no part of its name.
_BLANKS = re.compile(r"[ \t]*")
_FOOTNOTE = re.compile(r"#footnote(?:\([^()\n]*\))?\[[^\[\]\n]*\]")
# A template's title: `title: "Notes"` or `title: [Notes]`.
_TITLE = re.compile(r'\btitle:\s*(?:"((?:[^"\\\n]|\\.)*)"|\[([^\[\]\n]*)\])')
# What a call on a line of its own says: its positional strings and its `title:`.
_SAID = re.compile(r'(?:^|[(,]\s*)"([^"\n]+)"|\btitle:\s*(?:"([^"\n]+)"|\[([^\[\]\n]+)\])')
_STRING_ARG = re.compile(r'(?<=[(,])\s*"([^"\n]+)"')
_FILE = re.compile(r"/|\.[A-Za-z0-9]{2,4}$")
_DOLLAR = re.compile(r"(?<!\\)\$")
_RAW = re.compile(r"`[^`\n]*`")
_DISPLAY = re.compile(r"\$[ \t].*[ \t]\$|\$[ \t]*\$")  # `$ x $`: Typst displays it
_SEGMENT = re.compile(r"`[^`\n]*`|\$[^$\n]*\$")  # inline raw and math: kept as written


# A function of one argument that makes a heading of it (`#let hd2(title) = { ...
# #heading(level: 2)[#title] ... }`, `#let part(t) = heading(level: 1, t)`), and its call alone
# on a line (`#hd2("Latent Variable Model")`, `#hd2[VAE] <vae>`, an index call after it).
_DEFINED = re.compile(r"^#let[ \t]+([A-Za-z_][\w-]*)\([ \t]*([A-Za-z_][\w-]*)[ \t]*\)[ \t]*=",
                      re.MULTILINE)
_MAKES_HEADING = re.compile(r"\bheading\(([^()\n]*)\)")
_LEVEL = re.compile(r"\blevel:[ \t]*([1-6])\b")
_FN_CALL = re.compile(r'[ \t]*#([A-Za-z_][\w-]*)(?:\([ \t]*"((?:[^"\\\n]|\\.)+)"[ \t]*\)'
                      r"|\[([^\[\]\n]+)\])"
                      r"((?:[ \t]*#[A-Za-z_][\w.-]*(?:\([^()\n]*\)|\[[^\[\]\n]*\]))*)"
                      r"[ \t]*(?:<[A-Za-z_][\w:.-]*>)?[ \t]*")
_BODY = 1200  # the characters of a definition's body looked in for its heading
_IMPORT = re.compile(r'^#import[ \t]+"([^"@\n]{1,300}\.typ)"[ \t]*:[ \t]*'
                     r"(\*|\([^()]{0,2000}\)|[^\n]{0,2000})", re.MULTILINE)
# An imported name and the name it is called by: `hd3` or `hd3 as title` (Typst's renaming).
_IMPORTED_NAME = re.compile(r"([A-Za-z_][\w-]*)(?:[ \t\n]+as[ \t\n]+([A-Za-z_][\w-]*))?")
_IMPORTS = 8  # the `.typ` files a note imports, at most, looked in for heading functions
_IMPORT_BYTES = 1 << 20


def heading_functions(text: str) -> dict[str, int]:
    """The functions `text` defines that make a heading of their one argument, by name: the
    heading's level (1 when the body names none)."""
    found: dict[str, int] = {}
    for m in _DEFINED.finditer(text):
        body = text[m.end(): m.end() + _BODY]
        if (nxt := body.find("\n#let")) >= 0:
            body = body[:nxt]
        param = re.compile(r"(?<![\w-])#?" + re.escape(m.group(2)) + r"(?![\w-])")
        for h in _MAKES_HEADING.finditer(body):
            # the argument given to `heading`: in its parentheses, or its block right after
            given = h.group(1) + body[h.end(): h.end() + 40].split("]", 1)[0]
            if param.search(given):
                level = _LEVEL.search(h.group(1))
                found[m.group(1)] = int(level.group(1)) if level else 1
                break
    return found


@functools.lru_cache(maxsize=64)
def _functions_of(path: str, mtime: int, size: int) -> tuple[tuple[str, int], ...]:
    """`heading_functions` of the `.typ` file at `path`, while its mtime and size stay."""
    try:
        with open(path, "rb") as f:  # noqa: PTH123 - a text path
            text = f.read(_IMPORT_BYTES).decode("utf-8", "replace")
    except OSError:
        return ()
    return tuple(sorted(heading_functions(text).items()))


def imported_heading_functions(text: str, path: str) -> dict[str, int]:
    """The heading functions of the `.typ` files `text` (the note at `path`, on disk) imports
    by a relative path (`#import "../prelude.typ": *`); a package (`@preview/...`), a file
    that is no regular file or is over a MB gives none; a note read from memory looks nowhere."""
    if not os.path.isabs(path):  # noqa: PTH117 - a text path
        return {}
    folder = os.path.dirname(path)  # noqa: PTH120 - a text path
    found: dict[str, int] = {}
    for m in list(_IMPORT.finditer(text))[:_IMPORTS]:
        if m.group(1).startswith("/"):
            continue  # from the project's root, which the note does not say
        name = os.path.normpath(os.path.join(folder, m.group(1)))  # noqa: PTH118
        try:
            info = os.stat(name)  # noqa: PTH116
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_size <= _IMPORT_BYTES:
            functions = dict(_functions_of(name, info.st_mtime_ns, info.st_size))
            found.update(functions if m.group(2) == "*" else _named(m.group(2), functions))
    return found


def _named(names: str, functions: dict[str, int]) -> dict[str, int]:
    """The heading functions an import names (`#import "x.typ": hd2, hd3 as title`), by the
    name the note calls them: only those, not every function of the file (review56a's lead,
    read57: a note importing `hd2` had `#hd3("...")` read as a heading, which Typst does not
    know in it)."""
    found: dict[str, int] = {}
    for item in re.sub(r"//[^\n]*", "", names).strip().strip("()").split(","):
        m = _IMPORTED_NAME.fullmatch(item.strip())
        if m is not None and m.group(1) in functions:
            found[m.group(2) or m.group(1)] = functions[m.group(1)]
    return found


def taken_from(data: bytes, path: str) -> bytes:
    """What reading the note at `path` takes from the files it imports (their heading
    functions), for its hash: a note is read again when its prelude's headings change."""
    if b"#import" not in data:
        return b""
    text = decode(data, path)
    return repr(sorted(imported_heading_functions(text, path).items())).encode()


@dataclass
class _State:
    title: str = ""
    headings: dict[str, int] = field(default_factory=dict)  # `heading_functions`
    # The brackets open over lines: "(" and "{" code, "[" a content block, whose lines are text.
    stack: list[str] = field(default_factory=list)
    quiet: int = -1  # the depth a definition (`#let`, `#set`, `#show`) opened at: no text
    code: list[str] = field(default_factory=list)  # the definition's lines, for its title
    list_indent: int = -1  # the indent given to the list item above, -1 out of a list
    list_base: int = 0  # the indent the list's first item was written at
    fence: str = ""
    math: str = ""  # a formula open over lines: "block" (opened at a line's start), "inline"
    comment: bool = False
    code_math: bool = False  # a formula in code open over lines (`#block($` ... `$)`)


_PAIRS = {")": "(", "]": "[", "}": "{"}


def _scan(st: _State, text: str, code: bool = False) -> None:
    """Open and close `st`'s brackets as `text` does. In code (an open `(` or `{`, or `code`
    where none is open) every bracket counts, a string's and a comment's aside; in markup
    (text, a content block) only `[` and `]` and a call's `(` after its `#name` do, a
    formula's and an escaped character's aside; a formula opened in code may run on over
    lines (`#block($` ... `$)`: its brackets and quotes are the formula's)."""
    quoted = escaped = call = False
    math = coded = st.code_math
    previous = ""
    for ch in text:
        top = st.stack[-1] if st.stack else ""
        if escaped or quoted:
            escaped, quoted = (not escaped and ch == "\\"), quoted and (escaped or ch != '"')
        elif math:
            math = ch != "$"
            coded = coded and math
        elif top in ("(", "{") or (not top and code):
            if ch == '"':
                quoted = True
            elif ch == "$":
                math = coded = True
            elif ch == "/" and previous == "/":
                break  # a comment to the line's end
            elif ch in "([{":
                st.stack.append(ch)
            elif ch in _PAIRS and top == _PAIRS[ch]:
                st.stack.pop()
        elif ch == "\\":
            escaped = True
        elif ch == "$":
            math = True
        elif ch == "#":
            call = True
        elif ch == "[" or (ch == "(" and call):
            st.stack.append(ch)
        elif ch == "]" and top == "[":
            st.stack.pop()
        else:
            call = call and (ch.isalnum() or ch in "_.-")
        previous = ch
    st.code_math = coded


def _opens_content(st: _State, line: str) -> bool:
    """Whether `line` leaves a content block open (`[== Heading` in a `#grid(`), not a cell."""
    after = _State(stack=st.stack[-1:])  # the innermost bracket alone says how to count
    _scan(after, line, code=True)
    return len(after.stack) > len(st.stack[-1:]) and after.stack[-1] == "["


def _opens_code_math(st: _State, line: str) -> bool:
    """Whether `line` leaves a formula open in a call's arguments (`#block($`)."""
    after = _State(stack=st.stack[-1:])
    _scan(after, line)
    return after.code_math


def _heading(m: re.Match[str]) -> str:
    """A `_HEADING` match as Markdown's heading, its label (`<intro>`) taken off its name and
    kept as Quarto writes one (`## Kernels {#intro}`), for the references to it."""
    label = _END_LABEL.search(m.group(2))
    said = _LABEL.sub("", m.group(2))
    if "#footnote" in said:
        said = collapse(_FOOTNOTE.sub("", said))
    heading = "#" * len(m.group(1)) + " " + _inline(said.strip())
    return heading + " {#" + label.group(1) + "}" if label and said.strip() else heading


def _code(st: _State, line: str) -> str:
    """A line of code: a definition's is no text (a template's title kept aside); a call's
    arguments say their content blocks' text (a table's cells, a caption)."""
    opened = line.strip()
    if opened.startswith("//"):
        return ""
    if st.quiet < 0 and opened.startswith("[") and _opens_content(st, line):
        # A content block opened before its first line's text (`[== Heading`, `[$` a formula
        # over lines in a grid's cell): the rest is read as a line of the block.
        st.stack.append("[")
        st.list_indent = -1  # a list in a cell is a list of its own
        return _line(st, opened[1:].strip())
    _scan(st, line, code=True)
    if st.quiet < 0:
        cells = [_inline(c.strip()) for c in _CELL.findall(line)]
        return " | ".join(c for c in cells if c)
    st.code.append(line)
    if len(st.stack) <= st.quiet:
        statement = " ".join(st.code)
        st.code, st.quiet = [], -1
        if not st.title and re.match(r"\s*#(?:show|set)\b", statement) \
                and (m := _TITLE.search(statement)):
            st.title = collapse(m.group(1) if m.group(1) is not None else m.group(2))
    return ""


def _after_comment(st: _State, line: str) -> str:
    """The rest of a line in a block comment (`/* ...`): none of it, or what follows its
    `*/` (`   to drop */ The loss is a sum.`) read as a line."""
    at = 0
    while (end := line.find("*/", at)) >= 0:
        at = m.end() if (m := _BLANKS.match(line, end + 2)) else end + 2
        if not line.startswith("/*", at):  # `*/ /* ... */ text`: a loop, not a recursion
            st.comment = False
            return _line(st, line[at:].rstrip())
        at += 2
    st.comment = True
    return ""


def _without_comments(text: str) -> str:
    """`text` without its comments `/* ... */` (`A weight /* TODO */ decays`)."""
    out, start = [], 0
    while (opened := text.find("/*", start)) >= 0 and (end := text.find("*/", opened + 2)) >= 0:
        out.append(text[start:opened])
        start = end + 2
    return "".join(out) + text[start:]


def _unlabelled(text: str) -> str:
    """`text` without the label that ends it (`$ a + b $ <eq:sum>`: a formula numbered)."""
    if text.endswith(">") and _LABEL.fullmatch(label := text[text.rfind("<"):]):
        return text[: len(text) - len(label)].rstrip()
    return text


def _closing_dollar(line: str) -> int:
    """Where a formula open over lines closes in `line` (an odd number of `$` in it): its
    first `$` not escaped; those after it pair inline (`$ $a > b$ \\ $c$],`)."""
    m = _DOLLAR.search(line)
    return m.start() if m else line.rindex("$")


def _dollars(text: str) -> int:
    """How many `$` open or close a formula in `text` (not escaped, not in inline raw)."""
    if "`" in text:
        text = _RAW.sub("", text)
    return len(_DOLLAR.findall(text))


def _inline(text: str) -> str:
    """A line of text in Markdown's markup: links, calls' blocks, strong words."""
    out, last = [], 0
    for m in _SEGMENT.finditer(text):
        out.append(_markup(text[last:m.start()]))
        out.append(m.group())
        last = m.end()
    out.append(_markup(text[last:]))
    return "".join(out)


def _link(m: re.Match[str]) -> str:
    label = m.group(2) or m.group(3)
    return f"[{label}]({m.group(1)})" if label else f"<{m.group(1)}>"


def _words_of_call(m: re.Match[str]) -> str:
    """An inline call's words: its positional strings that name no file (`#term("Regression",
    "回归")` reads "Regression 回归"; `#image("a.png")`, `#v(1em)` nothing)."""
    words = [w for w in _STRING_ARG.findall(m.group()) if not _FILE.search(w)]
    return " ".join(words)


def _label_link(m: re.Match[str]) -> str:
    """A reference to a label as a Markdown link to it: `#link(<intro>)[the intro]` is "[the
    intro](#intro)", `#ref(<intro>)` and `@intro` "[@intro](#intro)" (the markdown reader
    reads it as the label's reference in a Typst note: `_blocks._Walker.labelled`)."""
    label = m.group(1) or m.group(3)
    return f"[{m.group(2) or '@' + label}](\x01{label})"  # `\x01`: "#" once the calls are read


def _markup(text: str) -> str:
    if "(<" in text:
        text = _LABEL_REF.sub(_label_link, text)
    if "#" in text:
        text = _LINK.sub(_link, text)
        for _ in range(3):  # nested blocks, innermost first
            text = _INLINE_BLOCK.sub(r"\1", text)
        text = _INLINE_CALL.sub(_words_of_call, text)
    if "<" in text:
        text = _LABEL.sub("", text)
    if "*" in text:
        text = _STRONG.sub(r"**\1**", text)
    return text.replace("](\x01", "](#")


def _call(st: _State, line: str) -> str:
    """A line that opens with a call: its arguments running on are code; a content block
    opened at its end holds text, the call says its title or strings; a call alone on its line
    says its strings and its blocks' text; followed by text, it is inline."""
    head = line.strip()
    depth = len(st.stack)
    _scan(st, head)
    if len(st.stack) > depth:
        if st.stack[-1] != "[":
            return _code(st, "")  # arguments running on
        said = [collapse(next(g for g in m.groups() if g)) for m in _SAID.finditer(head)]
        return _inline(": ".join(s for s in said if s))
    if head.endswith((")", "]")):
        said = [collapse(next(g for g in m.groups() if g)) for m in _SAID.finditer(head)]
        words = [w for w in said if not _FILE.search(w)]
        cells = [c.strip() for c in _CELL.findall(head)]
        return _inline(" ".join(w for w in (*words, *cells) if w))
    return _inline(head)


def _line(st: _State, line: str) -> str:
    stripped = line.strip()
    if st.fence:
        if stripped.startswith(st.fence):
            fence, st.fence = st.fence, ""
            if rest := stripped.lstrip("`"):
                _scan(st, rest)  # "```]," ends the raw block and the content block around it
            return fence  # indented as its block's text, a fence Markdown would not close
        return line
    if st.comment:
        return _after_comment(st, line)
    if st.stack and (st.quiet >= 0 or st.stack[-1] != "["):
        return _code(st, line)
    if st.math:
        if _dollars(stripped) % 2 == 0:
            return line
        opened, st.math = st.math, ""
        end = _closing_dollar(line)
        after = line[end + 1:]
        if "[" in after or "]" in after:
            _scan(st, after)  # `$],`: the cell the formula was in ends too
        if opened == "inline":
            return line
        # Markdown's display ends on a line ending `$$`: what follows the formula on it
        # (`$],`, a label) is no text; inline formulas there (`$ $a > b$],`) show with it.
        last = after.rfind("$") + 1  # the end of the inline formulas after it
        tail = _unlabelled(after[:last] + after[last:].rstrip("]), \t")).replace("$", "")
        tail = tail.strip()
        return line[:end] + (" " + tail + " $$" if tail else "$$")
    if (m := _FENCE.match(line)) is not None:
        st.fence = m.group(1)
        return stripped
    if stripped.startswith("/*"):
        return _after_comment(st, stripped[2:])
    if not stripped or stripped.startswith("//") or set(stripped) <= {"-"}:
        return ""
    if _CODE.match(line):
        st.quiet = len(st.stack)
        return _code(st, line)
    if _dollars(stripped) % 2 and _CALL.match(line) and _opens_code_math(st, stripped):
        return _call(st, line)  # `#block($`: a formula in a call's arguments is code's
    if _dollars(stripped) % 2:  # a formula that runs on over later lines
        st.math = "block" if stripped.startswith("$") else "inline"
        if "[" in stripped or "]" in stripped:
            _scan(st, stripped)  # `], [$`: a cell closed before the formula opens
        if st.math == "block":
            return "$$" + stripped[1:]
    elif _DISPLAY.fullmatch(formula := _unlabelled(stripped)):
        return "$$" + formula[1:-1] + "$$"
    if st.stack and _CLOSING.fullmatch(stripped):
        _scan(st, stripped)
        return ""
    if st.headings and (m := _FN_CALL.fullmatch(line)) and m.group(1) in st.headings:
        st.list_indent = -1
        said = (m.group(2) or m.group(3)).replace('\\"', '"')
        return "#" * st.headings[m.group(1)] + " " + _inline(collapse(said))
    if _CALL.match(line):
        return _call(st, line)
    if (m := _HEADING.fullmatch(line)) is not None:
        st.list_indent = -1
        return _heading(m)
    stripped = _TRAILING_COMMENT.sub("", stripped).rstrip()
    if "/*" in stripped and "`" not in stripped:
        stripped = _without_comments(stripped)
    if "[" in stripped or "]" in stripped:
        _scan(st, stripped)  # a call's block opened in the text and closed on a later line
    term = _TERM.fullmatch(line)
    if term is None and not _LIST.match(line):
        st.list_indent = -1
        return _inline(stripped)
    # An item's indent as Markdown needs it: under the item above it at most, never the four
    # spaces of a code block that the content blocks around it indent it by.
    indent = len(line) - len(line.lstrip()) - 2 * st.stack.count("[")
    if st.list_indent < 0:  # the first item: the list's margin, a cell's (`#grid(` `[`) too
        st.list_base = indent
    indent = 0 if st.list_indent < 0 else max(0, min(indent - st.list_base, st.list_indent + 3))
    st.list_indent = indent
    if term is not None:
        return f"{' ' * indent}- **{term.group(2).strip()}**: {_inline(term.group(3))}"
    if stripped.startswith("+"):
        stripped = "1. " + stripped[1:].lstrip()
    return " " * indent + _inline(stripped)


def _label_refs(line: str, labels: set[str]) -> str:
    """A line's `@label`s of the note's headings as links to them, outside its inline raw and
    math (review56a: "`see @hinge`" and "$@hinge$" were written "[@hinge](#hinge)")."""
    out, last = [], 0
    for m in [*_SEGMENT.finditer(line), None]:
        end = m.start() if m else len(line)
        out.append(_AT_REF.sub(lambda r: f"[@{r[1]}](#{r[1]})" if r[1] in labels else r[0],
                               line[last:end]))
        if m:
            out.append(m.group())
            last = m.end()
    return "".join(out)


def to_markdown(text: str, headings: dict[str, int] | None = None) -> tuple[str, str]:
    """The note written in Markdown, line for line, and its template's title ("" if none);
    `headings` are functions imported that make headings (`imported_heading_functions`)."""
    st = _State(headings={**(headings or {}), **heading_functions(text)})
    labels = set(_HEADING_LABEL.findall(text)) if "@" in text else set()
    lines = []
    for line in text.split("\n"):
        fenced = bool(st.fence) or bool(st.math)
        out = _line(st, line)
        if "--" in out and not fenced and not st.fence and set(out.strip()) == {"-"}:
            # a table's cell `[---],` on a line of its own is Typst's em dash (`--` its en
            # dash); left as written, Markdown read it as the underline of a heading, and the
            # cells above as its name (read56's lead: a table named mdl-notes' next section)
            out = out.replace("---", "\u2014").replace("--", "\u2013")
        if labels and "@" in out and not fenced and not st.fence:
            out = _label_refs(out, labels)
        lines.append(out)
    return "\n".join(lines), st.title


def read(data: bytes, path: str) -> list[Document]:
    note = decode(data, path)
    text, title = to_markdown(note, imported_heading_functions(note, path))
    parsed = parse(text, path, _MD)
    if title:
        parsed.front.meta = {"title": title, **parsed.front.meta}
    title = markdown.title_of(parsed, path, any_heading=True)  # a book's part opens at `==`
    # A template's demonstration (`template/demo.typ`) names nothing, as a vault's does.
    template = in_templates_folder(path)
    entries = [] if template else markdown.markdown_entries(parsed, path, title)
    return [markdown.make_document(parsed, path, name, title, entries,
                                   markdown.tags_of(parsed), template=template)]
