"""A docutils tree, read as blocks of clean text with exact source lines; and glossary entries.

docutils gives most nodes the line where they start (a title: its underline; some nodes
none). A block ends at the last non-blank line before the next node outside it starts, or
before the text dedents. Links, math and images get the line, inside their block, where
their target or TeX is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from docutils import nodes

from grimoire.fences import language
from grimoire.model import Entry, Image, Link, LinkKind, Math, Problem, Reference, Span
from grimoire.readers.base import collapse
from grimoire.readers.sections import name_shaped

_XREF_KINDS = {"doc": LinkKind.DOC, "label": LinkKind.LABEL}
_SUBSTITUTION = re.compile(r"\|[^|\n]{1,200}\|_{0,2}")
_NUMBER_FIELD = re.compile(r"%s|\{number\}")
# What references to a page's figures, tables and equations may add to its text in all, or 4
# times the page's length if more (as a note's formulas, `_macros._NOTE_GROWTH`): a caption of
# 5,000 words referred to 3,000 times made a 105 KB page 86.6 MB of text (round 45). Past it a
# reference reads as written.
_SHOWN_GROWTH = 200_000

_GLOSSARY_TITLE = re.compile(
    r"\b(?:glossary|glossaries|terminology|vocabulary|lexicon|definitions)\b", re.I
)
_URL_SCHEME = re.compile(r"(?:https?|ftp|mailto):", re.I)
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")
_PIXELS = re.compile(r"(\d{1,6})\s*(?:px)?")

_UNDERLINE = re.compile(r"([!-/:-@\[-`{-~])\1*")

# Markdown written inside reStructuredText (a page converted from Markdown, or pasted): docutils
# keeps `[text](url)` and `[text][ref]` as text, brackets and all (round 36: a cheat sheet's
# license line read "[Creative Commons ... License.][by-nc-sa]"). A reader reads them as the
# writer meant: the words, and the address as a link. Not after a word or a bracket, so code
# written in prose (`weights[0][0]`, `m[i][j]`) is left alone; `[text][ref]` only when the
# text has two letters and the reference is a name, as Markdown's are. The two letters are
# found by runs that cannot overlap (a run stops at its letter): one split only, no backtracking
# over a long paragraph.
_MD_INLINE = re.compile(r"(?<![\w\]])(!?)\[([^\[\]\n]{0,300})\]\(\s*(\S{1,2000}?)\s*\)")
_MD_REFERENCE = re.compile(
    r"(?<![\w\]])(!?)\[((?:[^\[\]\nA-Za-z]*[A-Za-z]){2}[^\[\]\n]{0,300}|)"
    r"\]\[([A-Za-z][\w .:-]{0,60}|)\]")
# `[ref]: url "title"`: a Markdown reference definition, a paragraph of its own in RST.
_MD_DEFINITION = re.compile(r"\s{0,3}\[([^\[\]\n]{1,200})\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?")
_PLACE = Span("", 0, 0)  # records get their real span once their block's lines are known
Record = Link | Math | Image | Reference


@dataclass(slots=True)
class Block:
    """Clean text of one block-level node, with the records found in it."""

    text: str
    kind: str
    heading_path: tuple[str, ...]
    start: int
    end: int
    records: list[Record] = field(default_factory=list)
    language: str = ""  # a code block's (`.. code-block:: python`, `fences.language`)


_SKIP = (
    nodes.comment,
    nodes.target,
    nodes.substitution_definition,
    nodes.system_message,
    nodes.raw,
    nodes.pending,
    nodes.transition,
    nodes.decoration,
    nodes.meta,
)
_CODE = (nodes.literal_block, nodes.doctest_block)
_LISTS = (
    nodes.bullet_list,
    nodes.enumerated_list,
    nodes.definition_list,
    nodes.field_list,
    nodes.option_list,
    nodes.line_block,
)


class Walker:
    """Walks a doctree in document order; collects blocks, entries, title and problems."""

    def __init__(self, path: str, lines: list[str], document: nodes.document) -> None:
        self.path = path
        self.lines = lines
        self.document = document
        self.blocks: list[Block] = []
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []
        self.meta: dict[str, Any] = {}
        self.shown_labels: dict[str, str] = {}  # what a reference to a label reads as (`walk`)
        self._growth = max(_SHOWN_GROWTH, 4 * sum(map(len, lines)))  # left to `_shown`
        self.title = ""
        self._definitions: dict[str, str] | None = None  # `_markdown_definitions`
        self._order: dict[int, int] = {}  # id(node) -> pre-order index
        self._last: list[int] = []  # pre-order index of a node's last descendant
        self._starts: list[int | None] = []
        self._number(document)
        # _next[k]: the first index >= k of a node with a known start line.
        self._next = [len(self._starts)] * (len(self._starts) + 1)
        for k in range(len(self._starts) - 1, -1, -1):
            self._next[k] = k if self._starts[k] is not None else self._next[k + 1]

    # --------------------------------------------------------- line bookkeeping

    def _number(self, root: nodes.Element) -> None:
        stack: list[tuple[nodes.Element, bool]] = [(root, False)]
        open_: list[int] = []
        while stack:
            node, done = stack.pop()
            if done:
                self._last[open_.pop()] = len(self._last) - 1
                continue
            self._order[id(node)] = len(self._last)
            open_.append(len(self._last))
            self._last.append(len(self._last))
            skip = isinstance(node, nodes.system_message) or (
                isinstance(node, nodes.Inline) and isinstance(node.parent, nodes.TextElement)
            )
            self._starts.append(None if skip else self._own_start(node))
            stack.append((node, True))
            stack.extend(
                (c, False) for c in reversed(node.children) if isinstance(c, nodes.Element)
            )

    def _own_start(self, node: nodes.Element) -> int | None:
        if isinstance(node, nodes.section):
            return (
                self._own_start(node[0]) if len(node) and isinstance(node[0], nodes.title) else None
            )
        line = node.line
        if line is None or not 0 < line <= len(self.lines):
            return None
        if isinstance(node, nodes.title) and isinstance(node.parent, nodes.section):
            # docutils gives a title the line of its underline.
            under = self.lines[line - 1].strip()
            if _UNDERLINE.fullmatch(under) and line >= 2:
                line -= 1
                if line >= 2 and self.lines[line - 2].strip() == under:
                    line -= 1  # an overline
        return line

    def start_of(self, node: nodes.Element) -> int:
        """First line of a block-level node: its own, else its first descendant's."""
        i = self._order.get(id(node))
        if i is None:
            return node.line or 1
        k = self._next[i]
        if k <= self._last[i]:
            return self._starts[k]  # type: ignore[return-value]
        return self._after(i, 0) or 1

    def _after(self, i: int, line: int) -> int | None:
        """The first line after `line` where a node outside node `i`'s subtree starts."""
        k = self._next[self._last[i] + 1]
        while k < len(self._starts):
            start = self._starts[k]
            if start is not None and start > line:
                return start
            k = self._next[k + 1]
        return None

    def end_of(self, node: nodes.Element, start: int) -> int:
        """Last line of a node: the last non-blank line before what follows, or before a dedent."""
        i = self._order.get(id(node))
        stop = (self._after(i, start) if i is not None else None) or len(self.lines) + 1
        margin = indent(self.lines[start - 1])
        end = start
        for n in range(start + 1, min(stop, len(self.lines) + 1)):
            line = self.lines[n - 1]
            if not line.strip():
                continue
            if indent(line) < margin:
                break
            if indent(line) == margin and line.lstrip().startswith("..") and n - 1 > end:
                break  # a comment or label after a blank line: docutils gives comments no line
            end = n
        return end

    # --------------------------------------------------------------- the walk

    def walk(self) -> None:
        for info in self.document.findall(nodes.docinfo):
            for fld in info.findall(nodes.field):
                self.meta[fld[0].astext()] = fld[1].astext()
            for child in info.children:
                if isinstance(child, nodes.Element) and not isinstance(child, nodes.field):
                    self.meta[child.tagname] = child.astext()
        labels = self._labels()
        if labels:
            self.meta["labels"] = labels
        self.shown_labels = {**self._shown_labels(), **labels}
        self._sequence(self.document, (), glossary=False)

    def _labels(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for label, explicit in self.document.nametypes.items():
            ident = self.document.nameids.get(label)
            node = self.document.ids.get(ident) if ident else None
            if not explicit or node is None:
                continue
            if isinstance(node, nodes.section):
                out[label] = collapse(node[0].astext())
            elif isinstance(node, nodes.definition_list):
                first = node.next_node(nodes.term)
                if first is not None:
                    out[label] = collapse(first.astext())
        return out

    def _shown_labels(self) -> dict[str, str]:
        """What a reference to a figure, a table or an equation of this page reads as (round
        44: the bare label "figNerveCell" was text): a figure's or a table's caption, as
        Sphinx shows it for `:ref:` (`:numref:`'s number counts across the book, unknown
        here), and a labelled equation's number in the page, (1), (2) ..., as `:eq:` shows
        it. Not link targets: `meta["labels"]` names what a link leads to."""
        out: dict[str, str] = {}
        for label, explicit in self.document.nametypes.items():
            ident = self.document.nameids.get(label)
            node = self.document.ids.get(ident) if ident and explicit else None
            if isinstance(node, (nodes.figure, nodes.table)):
                caption = node.next_node(nodes.caption if isinstance(node, nodes.figure)
                                         else nodes.title)
                if caption is not None and caption.astext().strip():
                    out[label] = collapse(caption.astext())
        equations = (m["math_label"] for m in self.document.findall(nodes.math_block)
                     if m.get("math_label"))
        for number, label in enumerate(dict.fromkeys(equations), 1):
            out.setdefault(label, f"({number})")
        return out

    def _shown(self, written: str, label: str) -> str:
        """What a reference to `label` written as `written` reads as (`shown_labels`), while
        the page has not grown past `_SHOWN_GROWTH` by such references; `written` past it."""
        shown = self.shown_labels.get(label, written)
        if len(shown) - len(written) > self._growth:
            return written
        self._growth -= max(0, len(shown) - len(written))
        return shown

    def _sequence(self, parent: nodes.Element, path: tuple[str, ...], glossary: bool) -> None:
        rubric: str | None = None
        for at, child in enumerate(parent.children):
            here = (*path, rubric) if rubric else path
            if isinstance(child, nodes.section):
                head = child[0] if len(child) else None
                title = collapse(self._inline(head, [])) if isinstance(head, nodes.Element) else ""
                self.title = self.title or title
                new = (*path, title)
                self._sequence(child, new, glossary or bool(_GLOSSARY_TITLE.search(title)))
            elif isinstance(child, (nodes.title, _SKIP)):
                continue
            elif isinstance(child, nodes.rubric):
                rubric = collapse(self._inline(child, [])) or None
            elif isinstance(child, (nodes.docinfo, nodes.topic)) and (
                isinstance(child, nodes.docinfo) or "contents" in child["classes"]
            ):
                continue  # metadata, or a table of contents generated from the headings
            elif isinstance(child, (nodes.container, nodes.compound)):
                self._sequence(child, here, glossary)
            elif isinstance(child, nodes.definition_list) and (
                "glossary" in child["classes"]
                or glossary
                or (rubric is not None and bool(_GLOSSARY_TITLE.search(rubric)))
                or _lists_names(child, parent.children[max(0, at - 2):at], path)
            ):
                for item in child.children:
                    if isinstance(item, nodes.definition_list_item):
                        self._entry(item, here)
            elif isinstance(child, nodes.Element):
                self._block(child, here)

    def _block(self, node: nodes.Element, path: tuple[str, ...]) -> None:
        records: list[Record] = []
        text = self._render(node, records)
        if isinstance(node, _CODE):
            kind = "code"
        elif isinstance(node, nodes.math_block):
            kind = "math"
        elif isinstance(node, _LISTS):
            kind = "list"
        elif isinstance(node, nodes.table):
            kind = "table"
        elif isinstance(node, nodes.block_quote):
            kind = "quote"
        else:
            kind = "text"
        start = self.start_of(node)
        end = self.end_of(node, start)
        lang = language(str(node.get("language") or "")) if kind == "code" else ""
        self.blocks.append(
            Block(text, kind, path, start, end, self._place(records, start, end), lang))

    def _entry(self, item: nodes.definition_list_item, path: tuple[str, ...]) -> None:
        records: list[Record] = []
        terms = [
            collapse(self._inline(t, records)) for t in item.children if isinstance(t, nodes.term)
        ]
        terms = [t for t in terms if t]
        definition = next((c for c in item.children if isinstance(c, nodes.definition)), None)
        if not terms:
            return
        def_records: list[Record] = []
        body = self._render(definition, def_records) if definition is not None else ""
        start = self.start_of(item)
        end = self.end_of(item, start)
        placed = self._place(records + def_records, start, end)
        self.entries.append(
            Entry(
                term=terms[0],
                definition=body,
                span=Span(self.path, start, end),
                aliases=tuple(terms[1:]),
                links=tuple(r for r in placed if isinstance(r, Link)),
                math=tuple(r for r in placed if isinstance(r, Math)),
                images=tuple(r for r in placed if isinstance(r, Image)),
                references=tuple(r for r in placed if isinstance(r, Reference)),
            )
        )
        if body and definition is not None:
            d_start = self.start_of(definition)
            d_records = self._place(def_records, d_start, end)
            self.blocks.append(Block(body, "text", (*path, terms[0]), d_start, end, d_records))
        if definition is not None:
            # A glossary nested in an entry defines terms too (scikit-learn's glossary nests
            # `_estimator_type` under `tags`): each of its items is an entry of its own.
            for inner in definition.findall(nodes.definition_list):
                if "glossary" in inner["classes"] and _nearest_glossary(inner, definition):
                    for sub in inner.children:
                        if isinstance(sub, nodes.definition_list_item):
                            self._entry(sub, (*path, terms[0]))

    def _place(self, records: list[Record], start: int, end: int) -> list[Record]:
        """Give each record the line (within start..end) where its target or TeX is written."""
        out: list[Record] = []
        cursor = start
        for record in records:
            needle = _needle(record)
            line = self._find(needle, cursor, end) or self._find(needle, start, end) or start
            cursor = line
            out.append(replace(record, span=Span(self.path, line, line)))
        return out

    def _find(self, needle: str, start: int, end: int) -> int | None:
        if not needle:
            return None
        for n in range(start, min(end, len(self.lines)) + 1):
            if needle in self.lines[n - 1]:
                return n
        return None

    # -------------------------------------------------------------- rendering

    def _render(self, node: nodes.Node, records: list[Record]) -> str:
        """Clean text of a block-level node."""
        if isinstance(node, nodes.Text):
            return collapse(node.astext())
        if not isinstance(node, nodes.Element) or isinstance(node, _SKIP):
            return ""
        if isinstance(node, nodes.TextElement) and not isinstance(node, (*_CODE, nodes.math_block)):
            held = len(records)
            raw = self._inline(node, records)
            if ("](" in raw or "][" in raw or "]:" in raw) and isinstance(node, nodes.paragraph):
                return self._markdown_inline(raw, records, held)
            return collapse(raw)
        if isinstance(node, _CODE):
            return node.astext().rstrip()
        if isinstance(node, nodes.math_block):
            tex = node.astext().strip()
            records.append(Math(tex, True, _PLACE))
            return f"$${tex}$$"
        if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            ordered = isinstance(node, nodes.enumerated_list)
            first = node.get("start", 1)
            items = []
            for n, item in enumerate(node.children):
                marker = f"{first + n}. " if ordered else "- "
                body = self._children(item, records, sep="\n")
                items.append(marker + body.replace("\n", "\n" + " " * len(marker)))
            return "\n".join(items)
        if isinstance(node, nodes.definition_list):
            items = []
            for item in node.children:
                terms = " / ".join(
                    collapse(self._inline(t, records))
                    for t in item.children
                    if isinstance(t, nodes.term)
                )
                body = "".join(
                    self._children(d, records, sep="\n")
                    for d in item.children
                    if isinstance(d, nodes.definition)
                )
                # "For each child node:" over an indented list is a term that has its colon,
                # and a list under a term starts on a line of its own.
                lead = terms if terms.endswith(":") else f"{terms}:"
                listed = any(isinstance(d[0], (nodes.bullet_list, nodes.enumerated_list))
                             for d in item.children
                             if isinstance(d, nodes.definition) and len(d))
                sep = "\n" if listed else " "
                items.append(f"{lead}{sep}{body}" if body else terms)
            return "\n".join(items)
        if isinstance(node, (nodes.field_list, nodes.option_list)):
            rows = []
            for row in node.children:
                if isinstance(row, nodes.Element) and len(row) == 2:
                    rows.append(
                        f"{self._render(row[0], records)}: {self._children(row[1], records, ' ')}"
                    )
            return "\n".join(rows)
        if isinstance(node, nodes.option_group):
            return ", ".join(collapse(o.astext()) for o in node.children)
        if isinstance(node, nodes.line_block):
            return "\n".join(self._render(c, records) for c in node.children)
        if isinstance(node, nodes.table):
            rows = []
            for row in node.findall(nodes.row):
                # A row is one line, as the page shows it: a cell's own line breaks (a
                # formula over two lines, a list) are spaces.
                cells = [collapse(self._children(e, records, " ")) for e in row.children]
                if any(cells):
                    rows.append(" | ".join(cells))
            return "\n".join(rows)
        if isinstance(node, nodes.image):
            records.append(self._image(node, None))
            return ""
        if isinstance(node, nodes.figure):
            caption = next(
                (
                    collapse(self._inline(c, records))
                    for c in node.children
                    if isinstance(c, nodes.caption)
                ),
                None,
            )
            for image in node.findall(nodes.image):
                records.append(self._image(image, caption or None))
            legend = "".join(
                self._children(c, records) for c in node.children if isinstance(c, nodes.legend)
            )
            return "\n\n".join(t for t in (caption, legend) if t)
        if isinstance(node, (nodes.footnote, nodes.citation)):
            label = node[0].astext() if len(node) and isinstance(node[0], nodes.label) else ""
            body = self._children(node, records, skip_label=True)
            url = _URL_IN_TEXT.search(body)
            if url:
                records.append(
                    Reference(collapse(body.replace(url.group(), "")) or label, url.group(), _PLACE)
                )
            return f"[{label}] {body}" if label else body
        if isinstance(node, (nodes.Admonition, nodes.topic, nodes.sidebar)):
            head = node.tagname.capitalize() if not isinstance(node[0], nodes.title) else ""
            body = self._children(node, records)
            if not (head and body):
                return body
            # A list that opens the note starts on a line of its own ("Note:" then "- x"), as
            # under a definition's term: on one line its first item would read as text.
            opening = next((c for c in node.children
                            if isinstance(c, nodes.Element) and not isinstance(c, _SKIP)), None)
            listed = isinstance(opening, (nodes.bullet_list, nodes.enumerated_list))
            return f"{head}:\n{body}" if listed else f"{head}: {body}"
        if isinstance(node, nodes.attribution):
            return "— " + collapse(self._inline(node, records))
        return self._children(node, records)

    def _children(
        self,
        node: nodes.Node,
        records: list[Record],
        sep: str = "\n\n",
        skip_label: bool = False,
    ) -> str:
        parts = []
        for child in node.children if isinstance(node, nodes.Element) else ():
            if skip_label and isinstance(child, nodes.label):
                continue
            text = self._render(child, records)
            if text:
                parts.append(text)
        return sep.join(parts)

    def _inline(self, node: nodes.Element, records: list[Record]) -> str:
        """Clean text of inline content: markup dropped, math as $...$, links as their label."""
        out: list[str] = []
        for child in node.children:
            if isinstance(child, nodes.Text):
                out.append(child.astext())
            elif isinstance(child, nodes.math):
                tex = child.astext()
                records.append(Math(tex, False, _PLACE))
                out.append(f"${tex}$")
            elif isinstance(child, nodes.inline) and "xref_kind" in child.attributes:
                kind = _XREF_KINDS.get(child["xref_kind"], LinkKind.REF)
                records.append(Link(child["xref_target"], kind, _PLACE, label=child["xref_label"]))
                shown = child.astext()
                if kind == LinkKind.LABEL and not child["xref_label"]:
                    # `:ref:`intro`` reads as the title its label names, as Sphinx renders it.
                    shown = self._shown(shown, child["xref_target"])
                elif kind == LinkKind.LABEL and _NUMBER_FIELD.search(shown):
                    # `:numref:`Figure %s <fig>``: the number Sphinx fills in is not known
                    shown = collapse(_NUMBER_FIELD.sub("", shown.replace(
                        "{name}", self._shown("", child["xref_target"]))))
                out.append(shown)
            elif isinstance(child, nodes.problematic) and _SUBSTITUTION.fullmatch(child.astext()):
                continue  # `|name|` with no definition: Sphinx would fail; never leave it as text
            elif isinstance(child, nodes.reference):
                label = self._inline(child, records)
                uri = child.get("refuri", "")
                if uri and _URL_SCHEME.match(uri):
                    records.append(
                        Link(
                            uri,
                            LinkKind.URL,
                            _PLACE,
                            label=collapse(label) if label != uri else None,
                        )
                    )
                elif child.get("refname") and child["refname"] not in self.document.nameids:
                    line = self._line_near(child)
                    self.problems.append(
                        Problem(
                            f'unknown target name "{child["refname"]}"', Span(self.path, line, line)
                        )
                    )
                out.append(label)
            elif isinstance(child, nodes.image):
                records.append(self._image(child, None))
            elif isinstance(child, (nodes.footnote_reference, nodes.citation_reference)):
                out.append(f"[{child.astext()}]")
            elif isinstance(child, _SKIP):
                continue
            elif isinstance(child, nodes.Element):
                out.append(self._inline(child, records))
        return "".join(out)

    def _markdown_inline(self, text: str, records: list[Record], held: int) -> str:
        """`text` with Markdown's inline links and images read (`_MD_INLINE`): the words of
        a link, its address a link (docutils already made one of an address it saw); an
        image its record; a paragraph of reference definitions no text and no links (the
        links that use them have them: `records[held:]` are this paragraph's)."""
        definitions = self._markdown_definitions()
        if all(_MD_DEFINITION.fullmatch(line.rstrip()) for line in text.split("\n")
               if line.strip()) and _MD_DEFINITION.match(text):
            del records[held:]
            return ""
        text = collapse(text)

        def link(bang: str, words: str, address: str | None) -> str:
            words = words.strip()
            if bang:
                if address:
                    for k in range(held, len(records)):  # docutils' link to its address
                        record = records[k]
                        if isinstance(record, Link) and record.target == address:
                            del records[k]
                            break
                    records.append(Image(target=address, span=_PLACE, caption=None,
                                         alt=words or None))
                return ""
            if address and _URL_SCHEME.match(address):
                for k, record in enumerate(records):
                    if isinstance(record, Link) and record.target == address \
                            and record.label is None:
                        records[k] = replace(record, label=words or None)
                        break
                else:
                    records.append(Link(address, LinkKind.URL, _PLACE, label=words or None))
            elif address:
                records.append(Link(address, LinkKind.MARKDOWN, _PLACE, label=words or None))
            return words

        for _ in range(2):  # `[![alt](image)](page)`: the image first, then the link round it
            text = _MD_INLINE.sub(lambda m: link(m[1], m[2], m[3]), text)
            text = _MD_REFERENCE.sub(lambda m: link(m[1], m[2], definitions.get(
                (m[3] or m[2]).strip().lower())), text)
        return collapse(text)

    def _markdown_definitions(self) -> dict[str, str]:
        """The file's Markdown reference definitions (`[ref]: url`), by lower-cased name."""
        found = self._definitions
        if found is None:
            found = {}
            for line in self.lines:
                if "]:" in line and (m := _MD_DEFINITION.fullmatch(line.rstrip())):
                    found.setdefault(m[1].strip().lower(), m[2])
            self._definitions = found
        return found

    def _line_near(self, node: nodes.Node) -> int:
        """The start line of the nearest enclosing node that has one."""
        current: nodes.Node | None = node
        while current is not None:
            i = self._order.get(id(current))
            if i is not None and self._starts[i] is not None:
                return self._starts[i]  # type: ignore[return-value]
            current = current.parent
        return 1

    def _image(self, node: nodes.Element, caption: str | None) -> Image:
        return Image(
            target=node.get("uri", ""),
            span=_PLACE,
            caption=caption,
            alt=node.get("alt"),
            width=_pixels(node.get("width")),
            height=_pixels(node.get("height")),
        )


# What a definition list's term is when it names a thing: a few words, no clause after a
# dash or a colon ("Incremental backups - keep only the changes"), no list of names.
_TERM_WORDS = 5
_CLAUSE_MARK = re.compile(r"\s[-\u2013\u2014]\s|[:;,.!?]\s*$|,\s|[:;]\s")
_ASIDE = re.compile(r"\([^()]*\)")
_STEM = re.compile(r"[^\W\d_]{3,}")


def _lists_names(dl: nodes.definition_list, before: list[nodes.Node],
                 path: tuple[str, ...]) -> bool:
    """Whether a definition list in an article is a glossary: each term a name (capitalised,
    `_TERM_WORDS` words at most outside brackets, no clause, `sections.name_shaped`), each
    with a definition, and no formula just before it, whose symbols such a list names
    ("Weight", "Bias" after "Sales = Weight * Radio + Bias": round 36's rule kept every
    article's list as text for them). A list of one item names the section's subject
    (a word of the heading in its term: "Euclidean norm" under "Norms"). Read52: a Nikola
    site's "Activation Functions" listed "Softmax function" so; `show Softmax` found nothing.
    Each definition says what its term is (`_says_what`: no changelog, settings or people),
    and no term is a symbol of a formula in the line before (review52a).
    """
    if any(isinstance(b, nodes.math_block) or (isinstance(b, nodes.Element)
                                                and b.next_node(nodes.math_block) is not None)
           for b in before):
        return False
    items = [i for i in dl.children if isinstance(i, nodes.definition_list_item)]
    if not items:
        return False
    terms = []
    for item in items:
        term = next((c for c in item.children if isinstance(c, nodes.term)), None)
        definition = next((c for c in item.children if isinstance(c, nodes.definition)), None)
        text = collapse(term.astext()) if term is not None else ""
        if not text or definition is None or not definition.astext().strip():
            return False
        bare = _ASIDE.sub("", text).strip()
        if not (bare[:1].isupper() or bare[:1].isdigit()) or len(bare.split()) > _TERM_WORDS \
                or _CLAUSE_MARK.search(bare) or name_shaped(text) is not None \
                or not _says_what(definition):
            return False
        terms.append(bare)
    # a formula in the line before (":math:`Price = Slope \\cdot Size + Offset`, where")
    # whose symbols the terms are (review52a)
    symbols = {w.casefold() for b in before if isinstance(b, nodes.Element)
               for m in b.findall(nodes.math) for w in _STEM.findall(m.astext())}
    if any(t.casefold() in symbols for t in terms):
        return False
    if len(terms) == 1:
        heading = {w.casefold()[:4] for w in _STEM.findall(path[-1] if path else "")}
        return any(w.casefold()[:4] in heading for w in _STEM.findall(terms[0])) \
            or _one_defined(terms[0], items[0], before)
    return True


# What a lone item's definition opens with when it says what its term is ("Event / is a
# subset of the sample space"): a verb of defining, not an article or "of", which a remark
# may open with as well
_DEFINING = frozenset({"is", "are", "refers", "means", "denotes", "describes", "measures"})
# What holds of a thing rather than what it is: "Windows / is not supported", "Python 2 / is
# no longer supported", "Caching / is now on by default" (an install page, a changelog;
# review53a)
_STATUS = frozenset({"not", "no", "now", "still", "always", "never", "deprecated", "removed",
                     "supported", "unsupported", "required", "optional", "ignored", "available",
                     "unavailable", "enabled", "disabled", "fixed", "broken", "experimental"})


def _one_defined(term: str, item: nodes.definition_list_item, before: list[nodes.Node]) -> bool:
    """Whether a definition list's only item defines its term though no word of it is in its
    section's heading (read52 kept such a list as text: a Nikola site lost "Dot product"
    under "Norms" and "Event" under "Probability axioms", round 53): its definition opens
    with a verb of defining ("is a subset of ..."), or the paragraph just before names the
    term ("The dot product of two vectors ...", then the term over its formula)."""
    definition = next(c for c in item.children if isinstance(c, nodes.definition))
    first = definition[0] if len(definition) else None
    if isinstance(first, nodes.paragraph):
        opener, then = [*collapse(first.astext()).casefold().split(" ", 2), "", ""][:2]
        if opener in _DEFINING and then.strip(",;:.") not in _STATUS:
            return True
    last = next((b for b in reversed(before) if isinstance(b, nodes.paragraph)), None)
    said = collapse(last.astext()).casefold() if last is not None else ""
    return re.search(rf"\b{re.escape(term.casefold())}\b", said) is not None


# How a glossary's definition opens when it says what its term is: a word going on from the
# term ("Scalars / is just a single number", "Span / of a set of vectors is ...", "Tensors /
# an array ..."), or a sentence of `_SAYS_WORDS` words that is no event ("Added ...",
# "Presented ...", "First public release ..."), no condition ("When ...") and no value
# ("0.001, halved ...", "64 on one card"): a changelog's, a run's settings', a list of
# exceptions' or of people's items are none (review52a).
_GOES_ON = frozenset({"is", "are", "a", "an", "the", "of", "refers", "means", "denotes",
                      "any", "one", "each", "every"})
_NOT_SAID = frozenset({"when", "if", "whenever", "because", "since", "first", "see", "todo",
                       "tbd", "to", "fixed", "new", "removed", "changed"})
_SAYS_WORDS = 6


def _says_what(definition: nodes.definition) -> bool:
    """Whether a definition list item's definition says what its term is (`_GOES_ON`)."""
    first = definition[0] if len(definition) else None
    if isinstance(first, nodes.math_block) or (
            isinstance(first, nodes.paragraph) and len(first)
            and isinstance(first[0], nodes.math)):
        return True  # a formula: "Softmax function / :math:`...`"
    words = collapse(first.astext() if first is not None else "").split(". ")[0].split()
    if not words:
        return False
    opener = words[0].casefold().strip(",:;.")
    if opener in _GOES_ON:
        return True
    return len(words) >= _SAYS_WORDS and opener not in _NOT_SAID \
        and not opener.endswith("ed") and not opener[:1].isdigit()


def _nearest_glossary(inner: nodes.Element, definition: nodes.Element) -> bool:
    """Whether no other glossary lies between `inner` and the definition holding it."""
    node = inner.parent
    while node is not None and node is not definition:
        if isinstance(node, nodes.definition_list) and "glossary" in node["classes"]:
            return False
        node = node.parent
    return True


def _needle(record: Record) -> str:
    if isinstance(record, Math):
        return record.tex.strip().split("\n")[0][:60]
    if isinstance(record, Link):
        return record.target.split("\n")[0][:200]
    if isinstance(record, Image):
        return record.target
    return record.url


def _pixels(value: str | None) -> int | None:
    match = _PIXELS.fullmatch(value.strip()) if value else None
    return int(match.group(1)) if match else None


def indent(line: str) -> int:
    line = line.expandtabs(8)  # as docutils counts indentation
    return len(line) - len(line.lstrip())
