"""MyST Markdown (Jupyter Book, Sphinx's myst-parser): read as its writer sees it rendered.

A note is MyST when it holds a target line `(label)=`, a role `` {dfn}`term` `` or a directive
fence ```` ```{note} ```` / `:::{note}` (`is_myst`); only such a note is parsed with the
MyST rules (a plain note's parse is untouched, and costs one substring scan more):

- roles keep their text without the markup (`` {dfn}`self-attention` `` reads "self-attention");
  the book roles `_blocks` knows keep their meaning (`{ref}` a LABEL link, `{math}` math);
- a directive's body is read as Markdown at its own lines (an admonition's title as a line of
  text, "Note: Technical terminology", never a heading); its options (`:class: dropdown`) are
  no text, nor a title that only marks a draft (`:::{warning} TODO`); a code-like directive
  (`{code-cell}`, `{mermaid}`) is code, `{math}` display math; a `{figure}` or `{image}` is an
  image with its alt text (its caption text); `{toctree}` and the like vanish;
- a definition list (`term` over `: definition`, MyST's `deflist`) reads "term: definition";
- target lines `(label)=`, comments `% ...` and block breaks `+++` are no text; a target
  names the heading under it (or the section it stands in), and `[text](#label)` is a
  reference to that label (a LABEL link), not a link to the page itself.

mdit-py-plugins gives the block syntax (`colon_fence`, `myst_blocks`); its `myst_role` is not
used: it searches the rest of the note for a role's closing ticks (quadratic in a note of
unclosed roles), while `_blocks`' role rule is bounded to one line.
"""

from __future__ import annotations

import copy
import re
import weakref
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin

from grimoire.readers.sections import _PLACEHOLDER

# A role or directive holds a `{` (one `in` is a memchr: 60 ns a note), a target line `)=`.
# Each regex opens with a literal, which `re` looks for at C speed; a lookbehind or `^` in
# MULTILINE mode first made it try every position (4.5 ms for four hf-docs pages).
_ROLE_MARK = re.compile(r"\{[A-Za-z][\w:+-]{0,40}\}`[^`\n]")
_FENCES = (":::{", "```{", "~~~{")
_DIRECTIVE_NAME = re.compile(r"[A-Za-z][\w:-]{0,40}\}")
_TARGET = re.compile(r"\)=[ \t]*$", re.M)
_TARGET_LINE = re.compile(r"[ \t]{0,3}\([^()\s]{1,200}")


def is_myst(body: str) -> bool:
    """Whether a note's body holds MyST syntax: a target line, a role or a directive fence.
    Substring tests first: a plain note is scanned at C speed, and never by a regex."""
    if "{" in body:
        if "}`" in body:
            for m in _ROLE_MARK.finditer(body):
                before = body[m.start() - 1] if m.start() else " "
                if before not in "`\\$_" and not before.isalnum():
                    return True
        for fence in _FENCES:
            at = body.find(fence)
            while at >= 0:
                line = body.rfind("\n", 0, at) + 1
                if not body[line:at].strip(" \t" + fence[0]) \
                        and _DIRECTIVE_NAME.match(body, at + len(fence)):
                    return True
                at = body.find(fence, at + 1)
    if "=" in body and ")=" in body:
        for m in _TARGET.finditer(body):
            line = body.rfind("\n", 0, m.start()) + 1
            if _TARGET_LINE.fullmatch(body, line, m.start()):
                return True
    return False


# Inline code holding a name in braces (`` `{reward_func_name}` ``, a template's field) is no
# role: the brace follows a backtick there (hf-docs' grpo_trainer.md).


_ROLE_NAME = re.compile(r"\{([A-Za-z][\w:+-]{0,40})\}`([^`\n]{1,300})`")


def _myst_role_rule(state: StateInline, silent: bool) -> bool:
    """Any MyST role (`{dfn}`, `{u}`, `{kbd}`, `{abbr}`) as a `role` token: its text stays."""
    if state.src[state.pos] != "{":
        return False
    m = _ROLE_NAME.match(state.src, state.pos, state.posMax)
    if m is None:
        return False
    if not silent:
        token = state.push("role", "", 0)
        token.meta = {"role": m.group(1), "target": m.group(2).strip(), "myst": True}
    state.pos = m.end()
    return True


# mystmd's short reference to a label, `see @matrix-math-details` (round 35: a book's three
# references to other chapters were text). Only a label with a separator in it: `@vaswani2017`
# is a citation key and `@handle` a person; an address (`medium.com/@x`, `a@b-c.org`) has a
# letter, a digit or a mark before the `@`.
_AT_LABEL = re.compile(r"@([A-Za-z][A-Za-z0-9]*(?:[-_:][A-Za-z0-9]+)+)")


def _at_rule(label: re.Pattern[str], before: str) -> Callable[[StateInline, bool], bool]:
    """An inline rule reading `@LABEL` (after a space or one of `before`) as a `ref` role."""

    def rule(state: StateInline, silent: bool) -> bool:
        pos = state.pos
        if state.src[pos] != "@" or (pos and not (state.src[pos - 1].isspace()
                                                  or state.src[pos - 1] in before)):
            return False
        m = label.match(state.src, pos, state.posMax)
        if m is None:
            return False
        if not silent:
            token = state.push("role", "", 0)
            token.meta = {"role": "ref", "target": m.group(1)}
        state.pos = m.end()
        return True

    return rule


# `@label` in a MyST note as a `ref` role: a LABEL link, the label its text.
_myst_at_rule = _at_rule(_AT_LABEL, "([{\"'")


# Quarto's cross-reference, `see @sec-training` or `@fig-loss`: a label of a known kind (its
# prefix); any other `@key` is a citation there (`@vaswani2017`, `@smith-jones`).
_QUARTO_LABEL = re.compile(r"@((?:sec|fig|tbl|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem)"
                           r"-[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*)")
# `@sec-x` in a Quarto or R Markdown note as a `ref` role: a LABEL link.
_quarto_at_rule = _at_rule(_QUARTO_LABEL, "([{;\"'")


_QUARTO_PARSERS: weakref.WeakKeyDictionary[MarkdownIt, MarkdownIt] = weakref.WeakKeyDictionary()


def quarto_parser(md: MarkdownIt) -> MarkdownIt:
    """`md` with Quarto's cross-references (`@sec-x`) read as label references."""
    found = _QUARTO_PARSERS.get(md)
    if found is None:
        found = copy.copy(md)
        found.inline = copy.deepcopy(md.inline)
        found.inline.ruler.after("book_role", "quarto_at_label", _quarto_at_rule)
        _QUARTO_PARSERS[md] = found
    return found


_PARSERS: weakref.WeakKeyDictionary[MarkdownIt, MarkdownIt] = weakref.WeakKeyDictionary()


def myst_parser(md: MarkdownIt) -> MarkdownIt:
    """`md` with MyST's block rules (colon fences, targets, comments, breaks) and roles."""
    found = _PARSERS.get(md)
    if found is None:
        found = copy.copy(md)
        found.block = copy.deepcopy(md.block)
        found.inline = copy.deepcopy(md.inline)
        found.use(colon_fence_plugin).use(myst_block_plugin).use(deflist_plugin)
        found.inline.ruler.after("book_role", "myst_role", _myst_role_rule)
        found.inline.ruler.after("myst_role", "myst_at_label", _myst_at_rule)
        _PARSERS[md] = found
    return found


# Directives whose body is code, or display math; and those that show nothing of their own.
_CODE = frozenset({"code", "code-block", "code-cell", "sourcecode", "mermaid", "graphviz",
                   "literalinclude", "eval-rst", "raw", "jupyter-execute", "ipython"})
_MATH = frozenset({"math", "equation"})
_NOTHING = frozenset({"toctree", "tableofcontents", "bibliography", "include", "contents",
                      "glossary-index", "only", "meta", "index", "drawio",
                      "video", "iframe", "embed", "glue:figure", "glue"})
_FIGURES = frozenset({"figure", "image"})
# An admonition's name, shown before its title ("Note: Technical terminology").
_ADMONITIONS = {
    "note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important",
    "hint": "Hint", "caution": "Caution", "attention": "Attention", "danger": "Danger",
    "error": "Error", "seealso": "See also", "todo": "To do", "versionadded": "New",
    "versionchanged": "Changed", "deprecated": "Deprecated", "exercise": "Exercise",
    "solution": "Solution", "prf:definition": "Definition", "prf:theorem": "Theorem",
    "prf:lemma": "Lemma", "prf:proof": "Proof", "prf:example": "Example",
}
_DIRECTIVE = re.compile(r"\{([A-Za-z][\w:-]{0,40})\}[ \t]*(.*)")
_OPTION = re.compile(r"[ \t]*:[\w-]+:(?:[ \t].*)?")


def _body_lines(content: str) -> tuple[int, list[str]]:
    """The body of a directive without its options: how many lines they took, and the rest.
    Options are `:name: value` lines at the top, or a YAML block between `---` lines."""
    lines = content.split("\n")
    skip = 0
    if lines and lines[0].strip() == "---":
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            skip = end + 1
    else:
        while skip < len(lines) and _OPTION.fullmatch(lines[skip]):
            skip += 1
    return skip, lines[skip:]


def expand_directives(tokens: list[Token], md: MarkdownIt, depth: int = 0) -> list[Token]:
    """`tokens` with every directive fence replaced by what it shows: its title as a
    paragraph, its body's tokens (parsed at their own lines), code or math."""
    out: list[Token] = []
    for tok in tokens:
        if tok.type not in ("fence", "colon_fence") or not tok.info.startswith("{"):
            out.append(tok)
            continue
        m = _DIRECTIVE.match(tok.info.strip())
        if m is None or depth > 20:
            out.append(tok)
            continue
        name, argument = m.group(1).lower(), m.group(2).strip()
        start, end = tok.map or (0, 0)
        skip, body = _body_lines(tok.content)
        first = start + 1 + skip  # the body's first line, counted from 0
        if name in _NOTHING:
            continue
        if name in _CODE:
            code = tok.copy()
            code.type, code.info = "fence", argument.split(" ")[0] if argument else name
            code.content = "\n".join(body)
            code.map = [start + skip, end]
            out.append(code)
            continue
        if name in _MATH:
            math = Token("math_block", "math", 0, map=[first, end], level=tok.level,
                         content="\n".join(body), markup="$$", block=True)
            out.append(math)
            continue
        if name in _FIGURES:
            # An image as Markdown's `![alt](path)` is: the file it shows and its alt text.
            if argument:
                out.extend(_image(argument, _options(tok.content, skip).get("alt", ""),
                                  start, tok.level))
            argument = ""
        # A title that only says the body is a draft ("TODO", "WIP") is the writer's note to
        # self, no text: "Warning: TODO" under "## Training considerations" read as its
        # acronym, and made the heading a concept (round 34).
        title = "" if _PLACEHOLDER.match(argument) else argument
        if title and name in _ADMONITIONS:
            title = f"{_ADMONITIONS[name]}: {title}"
        inner: list[Token] = []
        if title:
            inner.extend(_at(md.parse(title), start, tok.level))
        inner.extend(_at(md.parse("\n".join(body)), first, tok.level))
        out.extend(expand_directives(inner, md, depth + 1))
    return out


def _options(content: str, skip: int) -> dict[str, str]:
    """A directive's `:name: value` options."""
    found: dict[str, str] = {}
    for line in content.split("\n")[:skip]:
        name, _, value = line.strip().partition(" ")
        if name.startswith(":") and name.endswith(":") and len(name) > 2:
            found[name[1:-1]] = value.strip()
    return found


def _image(src: str, alt: str, line: int, level: int) -> list[Token]:
    """A paragraph holding only an image, at `line`."""
    image = Token("image", "img", 0, attrs={"src": src, "alt": ""}, content=alt)
    inline = Token("inline", "", 0, map=[line, line + 1], level=level + 1, children=[image],
                   block=True)
    return [Token("paragraph_open", "p", 1, map=[line, line + 1], level=level, block=True),
            inline, Token("paragraph_close", "p", -1, level=level, block=True)]


def _at(tokens: list[Token], line: int, level: int) -> list[Token]:
    """Tokens of a directive's body parsed alone, moved to its lines and nesting level (a
    body parsed after as many blank lines as precede it made a note of many directives
    quadratic)."""
    for tok in tokens:
        tok.level += level
        if tok.map is not None:
            tok.map = [tok.map[0] + line, tok.map[1] + line]
        for child in tok.children or ():
            if child.map is not None:
                child.map = [child.map[0] + line, child.map[1] + line]
    return tokens


def split_target(text: str) -> tuple[str, str]:
    """A MyST reference's text and label: `` {ref}`the intro <intro>` `` -> ("the intro",
    "intro"); a bare label is both."""
    if text.endswith(">") and "<" in text:
        shown, _, label = text[:-1].rpartition("<")
        if shown.strip() and label.strip():
            return shown.strip(), label.strip()
    return text, text


__all__ = ["expand_directives", "is_myst", "myst_parser", "quarto_parser", "split_target"]
