"""How `grimoire show` and `grimoire graph` print a concept (kept out of cli.py's way)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import click

from grimoire._term import clean, safe, unmarked

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from grimoire.duplicates import DuplicateOf
    from grimoire.graph import Graph
    from grimoire.model import Span
    from grimoire.resolve import Concept
    from grimoire.showing import Said
    from grimoire.store.concept_records import ConceptSummary


class Piped:
    """Piped `show`'s console: the lines rich prints where stdout is no terminal (markup taken
    off, no line wrapped, the heading's rule as wide as rich draws it), without importing rich
    (41 modules of a piped `show`, issue 14; round 53). Only for a title rich measures as
    this does, one column a character (`narrow`)."""

    def __init__(self) -> None:
        import os

        self.width = 0
        for fd in (0, 1, 2):  # as rich sizes a console: a terminal on any standard stream
            try:
                self.width = os.get_terminal_size(fd).columns
                break
            except (AttributeError, ValueError, OSError):
                pass
        columns = os.environ.get("COLUMNS", "")
        self.width = int(columns) if columns.isdigit() and int(columns) else self.width
        self.width = self.width or 80

    def print(self, *objects: str, markup: bool = True, **_: object) -> None:
        click.echo(" ".join(unmarked(o) if markup else o for o in objects))

    def rule(self, title: str) -> None:
        text = unmarked(title).replace("\n", " ").expandtabs(8)
        if self.width < 5:
            click.echo("─" * self.width)
            return
        if len(text) > self.width - 4:
            text = text[:self.width - 5] + "…"
        side = (self.width - len(text)) // 2
        left = "─" * (side - 1)
        click.echo(f"{left} {text} " + "─" * (self.width - len(left) - len(text) - 2))


# Where every assigned character is one column as rich counts them (its table is newer than
# `unicodedata`'s: east_asian_width and the categories said one column of a Devanagari vowel
# sign rich counts as none, and of symbols it counts as two; review53d): Latin, Greek,
# Cyrillic, punctuation, currency, letterlike signs, arrows and mathematical operators.
_ONE_COLUMN = ((" ", "\x7e"), ("\xa0", "\u02ff"), ("\u0370", "\u0482"), ("\u1e00", "\u1eff"),
               ("\u2010", "\u2027"), ("\u2030", "\u205e"), ("\u2070", "\u20c0"),
               ("\u2100", "\u214f"), ("\u2190", "\u22ff"))


def narrow(text: str) -> bool:
    """Every character one column wide, as rich counts them (`_ONE_COLUMN`): `Piped` measures
    a title by its length, and a line's tabs by its characters."""
    import unicodedata

    return all(any(low <= c <= high for low, high in _ONE_COLUMN)
               and unicodedata.category(c) != "Cn" for c in text)


def _tabs_expanded(line: str) -> str:
    """`line`'s tabs as rich expands them: to the next of every 8 columns, counted in cells
    (a tab after wide or combining characters stopped a column or two off rich's)."""
    if "\t" not in line or line.isascii() or narrow(line.replace("\t", " ")):
        return line.expandtabs(8)
    from rich.cells import cell_len  # a line of wide characters and tabs: rich's own count

    parts, column = line.split("\t"), 0
    for n, part in enumerate(parts[:-1]):
        column += cell_len(part)
        parts[n] = part + " " * (8 - column % 8)
        column += 8 - column % 8
    return "".join(parts)


def _prose(out: Console | Piped, text: str | Text, indent: int = 2, style: str = "",
           hang: int = 0) -> None:
    """A definition or section under its heading line, every line under the first (and
    `hang` more after it). On a terminal it is wrapped at the terminal's width under its
    indent (an 80-column one broke words and ran them on at the margin, under the file:line
    headings); piped, a line of the source stays one line."""
    pad = " " * indent
    if isinstance(out, Piped):
        assert isinstance(text, str)
        for n, piece in enumerate(clean(text).split("\n")):
            piece = _tabs_expanded(pad + (" " * hang if n else "") + piece).rstrip()
            out.print(piece if piece.strip() else "", markup=False)
        return
    from rich.text import Text

    from grimoire.cli import _ITEM_START, terminal, wrap_width

    body = text if isinstance(text, Text) else Text(clean(text), style=style)
    rows: list[tuple[Text, int]] = []  # each line and how far past `pad` it stands
    if not terminal():
        rows = [(line, hang if n else 0)
                for n, line in enumerate(body.split("\n", allow_blank=True))]
    else:
        # A list item's later lines wrap under its text, past its marker ("- ", "12. "), as
        # `search` wraps a snippet's: ml-cheatsheet's Adam ran "($v_{dW}$)." on under its "-"
        for part in body.split("\n", allow_blank=True):
            item = _ITEM_START.match(part.plain)
            under = hang + (len(item.group()) if item else 0)
            for n, line in enumerate(part.wrap(out, wrap_width(out.width, indent + under))):
                rows.append((line, under if n else hang if rows else 0))
    for line, far in rows:
        line.rstrip()  # a blank line stays blank, not the indent's spaces to copy
        out.print(Text(pad + " " * far) + line if line.plain else Text(""), soft_wrap=True)


def _long(out: Console | Piped, text: str, label: str) -> None:
    """A definition or section's text; on a terminal a long one shows what the web UI's card
    shows before "Show the rest", then how many words follow and how to read them all (a
    2 MB line of a note was 20,000 terminal lines; `lint` folds its groups so). Piped, all."""
    from grimoire.cli import terminal

    if not terminal() or (len(text) <= 1950 and text.count("\n") < 26):
        _prose(out, text)
        return
    from grimoire.showing import halves

    head, rest = halves(text)
    _prose(out, head)
    if rest:
        import shlex

        _prose(out, f"… {len(rest.split()):,} more words: grimoire show "
               f"{shlex.quote(label)} | less", style="dim")


def render_concept(out: Console | Piped, c: Concept, where: Callable[[str], str],
                   copies: Sequence[DuplicateOf] = (),
                   namesakes: Sequence[ConceptSummary] = (),
                   said: Sequence[Said] = (),
                   dollars: Callable[[Sequence[Span], str], str] | None = None) -> None:
    """Names, what each source says (file:line), formulas, references, links both ways.
    On a terminal every line wraps under its indent, a heading's and a list's later lines two
    columns in (a file:line heading, "merged because" and "mentioned in" ran to 190 columns,
    broken by an 80-column terminal mid-word at its margin); a URL stays whole. An entry with
    no definition shows its note's opening words from `said` (`Grimoire.said`), as the web
    page does: "(no definition)" was all `show Dropout` said of a one-sentence Dropout.md.
    `dollars` (`cli.dollars_of`) shows a note's text by the one `\\$` rule of every face."""
    def shown(span: Span, text: str) -> str:
        return dollars([span], text) if dollars is not None else text

    def at(span: Span) -> str:
        line = f"{span.start_line}" if span.start_line == span.end_line else \
            f"{span.start_line}-{span.end_line}"
        return f"{where(span.path)}:{line}"

    def safe_at(span: Span) -> str:
        return safe(at(span), lines=False)

    def line(markup: str, indent: int = 0) -> None:
        if isinstance(out, Piped):
            _prose(out, unmarked(markup), indent, hang=2)
            return
        from rich.text import Text

        _prose(out, Text.from_markup(markup, emoji=False), indent, hang=2)  # `:rocket:` as is

    def plain(text: str, indent: int = 2) -> None:
        _prose(out, clean(text), indent, hang=2)  # a formula's lines, under it

    openings = {s.entry_id: s for s in said if s.kind == "opening"}
    resolved = {m.target: m.concept for m in c.links if m.status == "resolved" and m.concept}
    # "Low-Rank Adaptation (LoRA)  Fine-Tuning" read as a stray space, undimmed (piped, or a
    # terminal with no colour): the kind word is set apart as the web page sets it (round 46)
    kind = f" [dim]· {safe(c.kind)}[/dim]" if c.kind else ""
    out.rule(f"[bold]{safe(c.label)}[/bold]{kind}")
    others = [n for n in c.shown_names if n.name != c.label]  # a name a note wrote
    if others:
        line("names: " + ", ".join(
            f"{safe(n.name)} [dim]({safe(n.reason)})[/dim]" for n in others))
    if namesakes:  # `show LABEL` opens one of them: say how to reach the others
        # one label, several concepts: only the id opens the others (`show LABEL --id ID`)
        line(f"[yellow]also called {safe(c.label, lines=False)}:[/yellow] " + ", ".join(
            safe(f"{o.label} {o.kind}" if o.kind else o.label, lines=False)
            + f" [dim](--id {o.id})[/dim]" for o in namesakes))
    for stored in c.entries:
        e = stored.entry
        out.print()
        line(f"[bold]{safe(e.term, lines=False)}[/bold]  [dim]{safe_at(e.span)} "
             f"({safe(stored.format)})[/dim]")
        if e.reason:
            _prose(out, f"why an entry: {e.reason}", style="dim")
        for gloss in e.glosses:
            _prose(out, f"~ {shown(e.span, gloss)}")
        if e.definition:
            _long(out, shown(e.span, e.definition), c.label)
        elif e.redirect:
            plain(f"see: {e.redirect}")
        elif stored.id in openings:
            opening = openings[stored.id]
            _prose(out, f"(no definition; the note opens, {at(opening.span)}:)", style="dim")
            _long(out, shown(opening.span, opening.text), c.label)
        else:
            out.print("  [dim](no definition)[/dim]")
        printed = e.definition or (openings[stored.id].text if stored.id in openings else "")
        for tex in dict.fromkeys(m.tex for m in e.math):
            # one the definition printed already is not listed again (a 3x3 matrix product
            # was 17 lines twice, round 36)
            if _is_formula(tex) and tex not in printed:
                plain(f"formula: ${tex}$")
        for ref in e.references:
            _reference(out, ref.label, ref.url)
        if e.see_also:
            # a front matter's slug (`stochastic-optimization`) as the concept it resolved to
            plain("see also: " + ", ".join(
                link.label or resolved.get(link.target) or link.target for link in e.see_also))
    for s in c.sections:
        out.print()
        line(f"[bold]{safe(s.heading, lines=False)}[/bold] in {safe(s.title, lines=False)}  "
             f"[dim]{safe_at(s.span)} (section)[/dim]")
        if s.text:
            _long(out, shown(s.span, s.text), c.label)
    for r in c.redirects:
        # the concept it reached (this one), not the slug it was written as
        line(f"[dim]redirect: {safe(r.entry.term, lines=False)} → "
             f"{safe(c.label, lines=False)} ({safe_at(r.entry.span)})[/dim]")
    if c.merges:
        out.print("\n[bold]merged because[/bold]")
        for m in c.merges:
            line(f"{safe_at(m.entry)} + {safe_at(m.other)}: {safe(m.reason, lines=False)}", 2)
    # by id: a concept of the same label ("Latent Variable" and its Model) is another one
    linked = [m for m in c.links if m.status == "resolved" and m.concept_id != c.id]
    if linked:
        out.print()
        line("[bold]links to[/bold] " + ", ".join(
            safe(name, lines=False) for name in dict.fromkeys(
                # another concept of this label: by the name the note wrote
                m.target if m.concept == c.label else m.concept or m.target for m in linked)))
    if c.wanted:
        line("[bold]wanted[/bold] " + ", ".join(
            f"{safe(m.written, lines=False)} [dim]({safe_at(m.span)})[/dim]" for m in c.wanted))
    if c.dead:  # a file link to no note: a path to fix, as lint says, not a page to write
        line("[bold]dead links[/bold] " + ", ".join(
            f"{safe(m.written, lines=False)} [dim]({safe_at(m.span)})[/dim]" for m in c.dead))
    back = [m for m in c.backlinks if m.concept_id != c.id]
    if back:
        out.print("\n[bold]mentioned in[/bold]")
        for b in back:
            # a front matter's related-terms slug is no words of the note's: say where it is
            how = "in its related terms" if b.kind == "related" and not b.label else \
                f"as '{safe(b.written, lines=False)}'"
            line(f"{safe(b.concept or b.document_title, lines=False)} [dim]{safe_at(b.span)} "
                 f"{how}[/dim]", 2)
    if copies:
        out.print("\n[bold]near-duplicates[/bold]")
        for d in copies:
            line(f"{safe(where(d.span.path), lines=False)}:{d.span.start_line} ≈ "
                 f"{safe(where(d.other.path), lines=False)}:{d.other.start_line} "
                 f"({d.similarity:.0%} the same words)", 2)


def _reference(out: Console | Piped, label: str, url: str) -> None:
    """`• label URL`; on a terminal too narrow for it, the URL on a line of its own, whole
    (folded at the margin it could not be clicked or copied)."""
    from grimoire.cli import terminal

    text = clean(f"• {label} {url}".strip(), lines=False)
    if not terminal() or len(text) + 2 <= out.width or not url:
        out.print("  " + text, highlight=False, markup=False, soft_wrap=True)
        return
    if label.strip():
        from rich.text import Text

        _prose(out, Text(clean(f"• {label}", lines=False)), 2, hang=2)
        out.print("    " + clean(url, lines=False), highlight=False, markup=False,
                  soft_wrap=True)
    else:
        out.print("  " + text, highlight=False, markup=False, soft_wrap=True)


def render_graph(out: Console, g: Graph, *, whole: bool = False) -> None:
    """The neighbourhood as an indented list of edges (the `whole` graph: every concept a
    "●", no centre to count links from). A concept's kind and an edge's kinds
    follow after " · ", as `show` heads a concept, the kinds as words ("see also, wikilink"):
    "● Low-Rank Adaptation (LoRA) Fine-Tuning" read as one longer name where dim text shows
    no dimmer (piped, a plain terminal), and "see_also,wikilink" as code."""
    for line in _graph_lines(g, whole, safe, "[dim]{}[/dim]", "[bold]{}[/bold]"):
        out.print(line)


def plain_graph(g: Graph, *, whole: bool = False) -> bool:
    """Piped, `render_graph`'s lines as rich prints them there (markup taken off, a line as
    it is), without importing rich's console (~40 modules, 25-60 ms of a piped `graph`, issue
    14). Not when a name or kind holds a backslash (rich's markup escape doubles one that ends
    a name), a tab (set out in spaces) or a line break: False, printed by rich."""
    texts = [text for n in g.nodes for text in (n.label, n.kind or "")]
    texts += [text for e in g.edges for text in (e.target, *e.kinds)]
    if any(c in text for text in texts for c in "\\\t\n"):
        return False
    lines = list(_graph_lines(g, whole, clean, "{}", "{}"))
    if lines:
        click.echo("\n".join(lines))
    return True


def _graph_lines(g: Graph, whole: bool, shown: Callable[[str], str], dim: str,
                 bold: str) -> Iterator[str]:
    """`render_graph`'s lines: names and kinds as `shown` makes them, `dim` and `bold` the
    formats of what is dimmed and bold (rich's markup, or "{}" for plain lines)."""
    labels = {n.id: n.label for n in g.nodes}
    for n in g.nodes:
        depth = dim.format(n.depth) + " " if n.depth and not whole else bold.format("●") + " "
        yield depth + shown(n.label) + (" " + dim.format(f"· {shown(n.kind)}") if n.kind else "")
        for e in g.edges:
            if e.source == n.id:
                kinds = ", ".join(k.replace("_", " ") for k in e.kinds)
                yield (f"    → {shown(labels.get(e.target, e.target))} "
                       + dim.format(f"· {shown(kinds)}"))


def _is_formula(tex: str) -> bool:
    """A formula worth listing: a relation or an operation, not a lone symbol like `$B$`."""
    return any(op in tex for op in ("=", "<", ">", "\\le", "\\ge", "\\approx", "\\sum",
                                    "\\frac", "\\int", "\\prod", "\\propto"))

