"""A docutils parser that reads Sphinx sources without Sphinx, and without global state.

docutils reports an error for every directive and role it does not know (``glossary``,
``toctree``, ``:ref:`` ...) and keeps their source as a literal block. Registering them with
`directives.register_directive` would change docutils for every other user in the process,
so this parser looks them up in its own tables instead:

- `SphinxParser` runs docutils' rst state machine with state classes that add
  `_Tolerant`: a directive named in `DIRECTIVES` runs our class, and any other unknown
  directive runs `Generic` (argument and content kept as text).
- `_Inliner` answers roles: `XREF_ROLES` become `inline` nodes carrying ``xref_kind``,
  ``xref_target`` and ``xref_label``; roles docutils knows run as usual; any other role
  keeps its text. ``.. role::`` and ``.. default-role::`` only change this document.
- `DocReader` leaves out docutils' `DanglingReferences` transform, which is quadratic in the
  number of unresolved ``name_`` references in one paragraph; the reader reports those.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, cast

from docutils import nodes, utils
from docutils.parsers import rst
from docutils.parsers.rst import Directive, directives, roles, states
from docutils.readers import standalone
from docutils.statemachine import StringList, string2lines
from docutils.transforms import references

XREF_ROLES = {
    "ref": "label",
    "std:ref": "label",
    "numref": "label",
    "std:numref": "label",
    "any": "ref",
    "keyword": "ref",
    "eq": "label",
    "math:numref": "label",
    "term": "ref",
    "std:term": "ref",
    "doc": "doc",
    "std:doc": "doc",
}
_ROLE_DECLARATION = re.compile(r"\s*([\w.:+-]{1,100})\s*(?:\(\s*([\w.:+-]{0,100})\s*\))?\s*")


def explicit_title(text: str) -> tuple[str | None, str]:
    """Sphinx's ``title <target>`` form: (title, target), or (None, text)."""
    text = text.strip()
    if text.endswith(">") and "<" in text:
        i = text.rfind("<")
        title = text[:i].strip()
        if title:
            return title, text[i + 1 : -1].strip()
    return None, text


def xref(kind: str, rawsource: str, text: str) -> nodes.inline:
    """A cross-reference: displays its title (or target), remembers kind and target."""
    title, target = explicit_title(text)
    target = target.lstrip("!~")
    node = nodes.inline(rawsource, title or target, classes=["xref", kind])
    node["xref_kind"] = kind
    node["xref_target"] = target
    node["xref_label"] = title
    return node


class AnyOptions(dict[str, Any]):
    """An option_spec that accepts every option: Sphinx adds options docutils does not know."""

    def __missing__(self, key: str) -> Callable[[str | None], str]:
        return directives.unchanged

    def __bool__(self) -> bool:
        return True


class _Tolerant(Directive):
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = AnyOptions()


# What Sphinx prints before the content of these directives.
_LABELS = {
    "seealso": "See also:",
    "versionadded": "New in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
    "todo": "To do:",
}


class Generic(_Tolerant):
    """A directive we do not know: its argument as a paragraph, its content parsed as rst."""

    def run(self) -> list[nodes.Node]:
        box = nodes.container(classes=["directive", self.name])
        box.line = self.lineno
        argument = self.arguments[0] if self.arguments else ""
        if self.name in ("only", "ifconfig"):
            argument = ""  # a build condition, not text
        shown = " ".join(t for t in (_LABELS.get(self.name.lower(), ""), argument) if t)
        if shown:
            para = nodes.paragraph(shown, shown)
            para.line = self.lineno
            box += para
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


class Nothing(_Tolerant):
    """Build instructions (`index`, `highlight`) and file reads (`literalinclude`)."""

    def run(self) -> list[nodes.Node]:
        return []


class Code(_Tolerant):
    """``code-block`` and friends, without Pygments and with Sphinx's options."""

    def run(self) -> list[nodes.Node]:
        if not self.content:
            return []
        code = "\n".join(self.content)
        language = self.arguments[0] if self.arguments else self.name
        node = nodes.literal_block(code, code, classes=["code"], language=language)
        node.line = self.content_offset + 1
        return [node]


class Verbatim(Code):
    """Diagram sources (graphviz, mermaid): kept as code in the diagram's language."""

    def run(self) -> list[nodes.Node]:
        self.arguments = [self.name]
        return super().run()


class MathBlock(_Tolerant):
    """``.. math::`` taking Sphinx's ``:label:``/``:nowrap:``; one block per paragraph."""

    def run(self) -> list[nodes.Node]:
        groups: list[tuple[int, list[str]]] = []
        if self.arguments and self.arguments[0].strip():
            groups.append((self.lineno, [self.arguments[0]]))
        current: list[str] | None = None
        for line, (_source, offset) in zip(self.content, self.content.items, strict=False):
            if not line.strip():
                current = None
                continue
            if current is None:
                current = []
                groups.append((offset + 1, current))
            current.append(line)
        out: list[nodes.Node] = []
        label = (self.options.get("label") or "").strip()
        for lineno, lines in groups:
            tex = "\n".join(lines)
            node = nodes.math_block(tex, tex)
            node.line = lineno
            if label and not out:
                node["math_label"] = label  # `:eq:` refers to it (`_tree.Reader._shown_labels`)
            out.append(node)
        return out


class Glossary(_Tolerant):
    """Sphinx's glossary: term lines at the left margin, then an indented definition.

    Consecutive term lines share one definition. Gives a definition list with class
    "glossary", one item per definition, each term a `term` node with its own line.
    """

    def run(self) -> list[nodes.Node]:
        groups: list[tuple[list[tuple[str, int]], list[tuple[str, int]]]] = []
        messages: list[nodes.Node] = []
        in_definition, in_comment = True, False
        for line, (_source, offset) in zip(self.content, self.content.items, strict=False):
            lineno = offset + 1
            if not line.strip():
                if groups and in_definition:
                    groups[-1][1].append(("", lineno))
                continue
            if not line[0].isspace():
                in_comment = line.startswith("..")
                if in_comment:
                    continue
                term = line.split(" : ")[0].strip()  # "term : classifier"
                if in_definition:
                    groups.append(([(term, lineno)], []))
                    in_definition = False
                else:
                    groups[-1][0].append((term, lineno))
            elif not in_comment:
                if not groups:
                    messages.append(
                        self.state.reporter.warning(
                            "glossary definition without a term; check the indentation", line=lineno
                        )
                    )
                    continue
                in_definition = True
                groups[-1][1].append((line, lineno))
        dl = nodes.definition_list(classes=["glossary"])
        dl.line = self.lineno
        for terms, body in groups:
            item = nodes.definition_list_item()
            item.line = terms[0][1]
            for text, lineno in terms:
                inline, msgs = self.state.inline_text(text, lineno)
                term_node = nodes.term(text, "", *inline)
                term_node.line = lineno
                item += term_node
                messages.extend(msgs)
            while body and not body[-1][0].strip():
                body.pop()
            definition = nodes.definition()
            if body:
                indent = min(len(t) - len(t.lstrip()) for t, _ in body if t.strip())
                block = StringList(
                    [t[indent:] for t, _ in body],
                    items=[(self.state.document["source"], n - 1) for _, n in body],
                )
                definition.line = body[0][1]
                self.state.nested_parse(block, body[0][1] - 1, definition)
            item += definition
            dl += item
        return [dl, *messages]


class Toctree(_Tolerant):
    """A table of contents: each entry is a link to a document."""

    def run(self) -> list[nodes.Node]:
        items = nodes.bullet_list()
        for line, (_source, offset) in zip(self.content, self.content.items, strict=False):
            entry = line.strip()
            if not entry or entry == "self" or "*" in entry:
                continue  # `self` and glob patterns name no document
            para = nodes.paragraph(entry, "", xref("doc", entry, entry))
            para.line = offset + 1
            item = nodes.list_item("", para)
            item.line = offset + 1
            items += item
        if not len(items):
            return []
        items.line = items[0].line
        return [items]


class RoleDeclaration(_Tolerant):
    """``.. role:: name(base)``, for this document only (docutils' registers it globally)."""

    def run(self) -> list[nodes.Node]:
        match = _ROLE_DECLARATION.fullmatch(self.arguments[0]) if self.arguments else None
        inliner = self.state.inliner
        if match and isinstance(inliner, Inliner):
            inliner.local_roles[match.group(1).lower()] = (match.group(2) or "").lower()
        return []


class DefaultRole(_Tolerant):
    """``.. default-role::``, for this document only."""

    def run(self) -> list[nodes.Node]:
        inliner = self.state.inliner
        if isinstance(inliner, Inliner):
            inliner.default_role = self.arguments[0].strip().lower() if self.arguments else None
        return []


DIRECTIVES: dict[str, type[Directive]] = {
    **dict.fromkeys(
        [
            "code",
            "code-block",
            "sourcecode",
            "testcode",
            "testoutput",
            "testsetup",
            "testcleanup",
            "doctest",
            "ipython",
            "jupyter-execute",
            "code-cell",
            "prompt",
        ],
        Code,
    ),
    **dict.fromkeys(["graphviz", "digraph", "graph", "mermaid", "plantuml", "uml"], Verbatim),
    **dict.fromkeys(
        [
            "literalinclude",
            "index",
            "highlight",
            "currentmodule",
            "module",
            "py:module",
            "py:currentmodule",
            "sectionauthor",
            "moduleauthor",
            "codeauthor",
            "tabularcolumns",
        ],
        Nothing,
    ),
    "math": MathBlock,
    "glossary": Glossary,
    "toctree": Toctree,
    "role": RoleDeclaration,
    "default-role": DefaultRole,
}


# What docutils' inline markup patterns (`Inliner.patterns.initial`) need to match: a start
# string (`*`, `**`, ``` `` ```, `` _` ``, `|`), a reference's or footnote's end (`_`, `]_`)
# or interpreted text (`` ` ``).
_MARKUP_CHARS = "*`_|"
# What its implicit patterns need: an absolute URI's `scheme:`, an e-mail's `@`, a PEP or RFC
# reference (`pep-8`, `PEP 8`, `RFC 2822`).
_IMPLICIT_NEEDS = (":", "@", "pep-", "PEP", "RFC")


class Inliner(states.Inliner):
    """Interpreted text: Sphinx cross-references, docutils' roles, anything else as text."""

    # docutils compiles a dozen inline patterns (one of them large) for every document; they
    # depend only on three settings, so each set is built once per process: a sixth of
    # reading a short page (issue 14). Kept: the patterns docutils made, and the names of the
    # methods it paired them with (bound again to each document's inliner).
    _customized: ClassVar[dict[tuple[bool, bool, bool], tuple[Any, ...]]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.local_roles: dict[str, str] = {}  # declared by `.. role::` -> base role or ""
        self.default_role: str | None = None

    def init_customizations(self, settings: Any) -> None:
        key = (bool(getattr(settings, "character_level_inline_markup", False)),
               bool(settings.pep_references), bool(settings.rfc_references))
        known = len(self.implicit_dispatch)
        done = Inliner._customized.get(key)
        if done is None:
            super().init_customizations(settings)
            added = [(pattern, method.__name__)
                     for pattern, method in self.implicit_dispatch[known:]]
            Inliner._customized[key] = (self.start_string_prefix, self.end_string_suffix,
                                        self.parts, self.patterns, added)
            return
        self.start_string_prefix, self.end_string_suffix, self.parts, self.patterns, added = done
        self.implicit_dispatch.extend((pattern, getattr(self, name)) for pattern, name in added)

    def parse(
        self, text: str, lineno: int, memo: Any, parent: nodes.Element
    ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """docutils' `Inliner.parse` (0.23), which first searches `text` for inline markup
        with a large pattern; markup needs one of `_MARKUP_CHARS`, and most text of a page
        holds none (issue 14)."""
        if any(c in text for c in _MARKUP_CHARS):
            return super().parse(text, lineno, memo, parent)
        self.document = memo.document
        self.language = memo.language
        self.reporter = self.document.reporter
        self.parent = parent
        remaining = utils.escape2null(text)
        found: list[nodes.Node] = []
        if remaining:
            found.extend(self.implicit_inline(remaining, lineno))
        return found, []

    def implicit_inline(self, text: str, lineno: int) -> list[nodes.Text]:
        """docutils' `Inliner.implicit_inline` (0.23): standalone URIs, e-mail addresses and
        PEP and RFC references, each of which needs one of `_IMPLICIT_NEEDS`."""
        if not text:
            return []
        if any(need in text for need in _IMPLICIT_NEEDS):
            return super().implicit_inline(text, lineno)
        return [nodes.Text(text)]

    def interpreted(
        self, rawsource: str, text: str, role: str, lineno: int
    ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        wanted = (role or self.default_role or "title-reference").lower()
        wanted = self.local_roles.get(wanted, wanted)
        if wanted == "raw" or wanted.startswith("raw-"):
            # raw output is disabled, and its text is markup, not prose (`raw-html` is the
            # usual name of a role declared from `raw`, even where it is used undeclared).
            return [], []
        if wanted in XREF_ROLES:
            return [xref(XREF_ROLES[wanted], rawsource, utils.unescape(text))], []
        if wanted:
            role_fn, messages = roles.role(wanted, self.language, lineno, self.reporter)
            if role_fn is not None:
                made, more = role_fn(wanted, rawsource, text, lineno, self, {}, [])
                # The stubs type the messages as references; docutils returns system messages.
                extra = cast(list[nodes.system_message], list(more))
                return list(made), [m for m in messages if m["level"] >= 2] + extra
        title, target = explicit_title(utils.unescape(text))
        shown = title or (target[1:].rsplit(".", 1)[-1] if target.startswith("~") else target)
        return [nodes.inline(rawsource, shown)], []


# docutils builds its inline patterns from `vars(self.__class__)`, which holds only the
# subclass's own attributes: give the subclass the pattern pieces too.
for _key, _value in vars(states.Inliner).items():
    if isinstance(_value, str) and not _key.startswith("__"):
        setattr(Inliner, _key, _value)


_DIRECTIVE_LINE = next(
    pattern
    for method, pattern in states.Body.explicit.constructs
    if method is states.Body.directive
)


class _LazyStates(dict[str, Any]):
    """A state machine's states, each built when the machine first enters or names it."""

    def __init__(self, machine: _LazyNestedStateMachine, classes: Any) -> None:
        super().__init__()
        self.machine = machine
        self.classes = {cls.__name__: cls for cls in classes}

    def __missing__(self, name: str) -> Any:
        state = self[name] = self.classes[name](self.machine, self.machine.debug)
        if self.machine.running:  # the machine has initialised its other states already
            state.runtime_init()
        return state


class _LazyNestedStateMachine(states.NestedStateMachine):
    """docutils' nested state machine, building only the states it uses.

    docutils makes a nested machine for every list, directive body and indented block, and
    builds all fifteen rst states for each (their transition tables): a quarter of the time
    of parsing a Sphinx page, for the one or two states a list item uses. A state holds no
    data of its own between lines that another state reads (its parent node is the
    machine's), so building it on entry parses the same.
    """

    running = False

    def add_states(self, state_classes: Any) -> None:
        self.states = _LazyStates(self, state_classes)

    def runtime_init(self) -> None:
        self.running = True
        super().runtime_init()


class _LazyRSTStateMachine(states.RSTStateMachine):
    """docutils' top-level rst state machine, building only the states it uses (as
    `_LazyNestedStateMachine` does for nested ones): a short page enters two or three of the
    fifteen, and building the others was a fifth of reading it."""

    running = False

    def add_states(self, state_classes: Any) -> None:
        self.states = _LazyStates(self, state_classes)  # type: ignore[arg-type]

    def runtime_init(self) -> None:
        self.running = True
        super().runtime_init()


class _TolerantState:
    """Mixed into every rst state: our directive table first, `Generic` for unknown ones."""

    # docutils keeps idle nested state machines in a class-level list; ours hold our state
    # classes, so they must not be handed to (or taken from) docutils' own parser.
    nested_sm_cache: ClassVar[list[Any]] = []
    nested_sm = _LazyNestedStateMachine

    def __init__(self, state_machine: Any, debug: bool = False) -> None:
        super().__init__(state_machine, debug)  # type: ignore[call-arg]
        self.nested_sm_kwargs = {"state_classes": STATE_CLASSES, "initial_state": "Body"}

    def run_directive(
        self,
        directive: type[Directive],
        match: re.Match[str],
        type_name: str,
        option_presets: dict[str, Any],
    ) -> Any:
        chosen = DIRECTIVES.get(type_name.lower(), directive)
        return super().run_directive(chosen, match, type_name, option_presets)  # type: ignore[misc]

    def unknown_directive(self, type_name: str) -> Any:
        match = _DIRECTIVE_LINE.match(self.state_machine.line)  # type: ignore[attr-defined]
        if match is None:
            return super().unknown_directive(type_name)  # type: ignore[misc]
        return self.run_directive(DIRECTIVES.get(type_name.lower(), Generic), match, type_name, {})


# The state machine names states by class name, so the subclasses keep docutils' names.
STATE_CLASSES = tuple(type(cls.__name__, (_TolerantState, cls), {}) for cls in states.state_classes)


class SphinxParser(rst.Parser):
    """docutils' rst parser with `STATE_CLASSES` and `Inliner`; messages go to `observer`."""

    def __init__(self, observer: Callable[[nodes.system_message], None]) -> None:
        super().__init__(inliner=Inliner())
        self.state_classes = STATE_CLASSES
        self._observer = observer

    def parse(self, inputstring: str, document: nodes.document) -> None:
        """docutils' `rst.Parser.parse` (0.23), with `_LazyRSTStateMachine`."""
        document.reporter.attach_observer(self._observer)
        self.setup_parse(inputstring, document)
        document.settings.setdefault("tab_width", 8)
        document.settings.setdefault("syntax_highlight", "long")
        self.statemachine = _LazyRSTStateMachine(
            state_classes=self.state_classes, initial_state=self.initial_state,
            debug=document.reporter.debug_flag)
        lines = string2lines(inputstring, tab_width=document.settings.tab_width,
                             convert_whitespace=True)
        for i, line in enumerate(lines):
            if len(line) > document.settings.line_length_limit:
                document.append(document.reporter.error(
                    f"Line {i + 1} exceeds the line-length-limit."))
                break
        else:
            self.statemachine.run(lines, document, inliner=self.inliner)
        # restore the "default" default role after parsing a document
        if "" in roles._roles:  # type: ignore[attr-defined]
            del roles._roles[""]  # type: ignore[attr-defined]
        self.finish_parse()


class DocReader(standalone.Reader):  # type: ignore[type-arg]
    """The standalone reader without `DanglingReferences` (see the module docstring)."""

    def get_transforms(self) -> list[Any]:
        return [t for t in super().get_transforms() if t is not references.DanglingReferences]
