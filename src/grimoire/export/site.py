"""A static site: the web UI's own concept page for every concept, and an A-Z index, as
files that open from disk (`index.html`) or from any static host.

The pages are rendered by the web UI's templates with its sanitizing renderer, so a note's
text is escaped or cleaned exactly as `grimoire serve` shows it. What needs the server (search,
ask, the graph, images) is left out. A source's place links to the site's own page of that
source (its text, lines numbered, the place an anchor), named inside its ingested folder:
the site opens the same from disk, another machine or a web host.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markupsafe import Markup, escape

from grimoire.export.base import Exporter, note_names
from grimoire.model import ConceptId, Span
from grimoire.names import normalize
from grimoire.resolve.types import Concept
from grimoire.showing import NoteFiles, Said, SourceText

HERE = Path(__file__).parent
WEB = HERE.parent / "web"
PAGES = "c"  # the folder of concept pages
SOURCES = "s"  # the folder of the sources' pages
_CONCEPT_LINK = re.compile(r'href="/c/([^"#?]*)"')
# A link with no scheme, not to a place on the page and not from the root: relative to its note.
_RELATIVE_LINK = re.compile(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:|[#/?])([^"#?]+)[^"]*"')


def page_name(key: str) -> str:
    """A concept page's file name: readable, safe on every file system, unique by its key."""
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:60] or "concept"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}.html"


LineOf = Callable[[str, int], str]  # (a note's path, a line number) -> that line, stripped


class _Offline:
    """What the templates ask of the web UI's `Site`, answered without a server."""

    def __init__(self, line: LineOf | None = None) -> None:
        self._line = line

    @property
    def files(self) -> _Offline:
        return self

    def image_url(self, path: str, target: str) -> None:
        return None  # no server to send the image: the template leaves it out

    def sentence(self, span: Span) -> str:
        """A backlink's line, as the served page quotes it under "Mentioned in": a page of
        bare `file:line` places (round 34: seven of them on a book chapter's page) said
        nothing of what each mention was. Empty when the notes cannot be read."""
        from grimoire.web.site import mention_line

        return mention_line(self._line(span.path, span.start_line)) if self._line else ""


class _Sources:
    """The site's page of each source a page cites (`s/<file>.html`): its text, every line
    numbered and an anchor (`#L12`), as the web UI's source view shows it, named inside its
    ingested folder. A `file://` link to the exporter's own disk led nowhere on another
    machine or a web host (round 40), and named the exporter's home folder."""

    def __init__(self, line: LineOf | None) -> None:
        files = getattr(line, "__self__", None)  # `NoteFiles.line`, as `Grimoire.export` gives it
        self.files = files if isinstance(files, NoteFiles) else None
        known = self.files.known() if self.files is not None else {}
        self.names = note_names((r.path, r.root or r.path) for r in known.values())
        self.cited: dict[str, str] = {}  # a note's path -> its page's file name
        self.unread: set[str] = set()  # paths the site holds no page of

    def page(self, path: str) -> str | None:
        """The file name of `path`'s page (written by `write`), None for a file the store
        did not read well (the site holds no copy of it)."""
        if path in self.cited:
            return self.cited[path]
        if path in self.unread:
            return None
        if self.files is None or path not in self.names or self.files.text(path) is None:
            self.unread.add(path)
            return None
        name = self.names[path]
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "source"
        digest = hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        self.cited[path] = f"{slug}-{digest}.html"
        return self.cited[path]

    def href(self, span: Span) -> str:
        """A concept page's link to a span: its line on the source's page, or to no page
        ("#") when the site holds none."""
        page = self.page(span.path)
        return f"../{SOURCES}/{page}#L{span.start_line}" if page is not None else "#"

    def write(self, env: Any, folder: Path) -> None:
        from grimoire.web.render import Renderer, render_note

        if not self.cited or self.files is None:
            return
        (folder / SOURCES).mkdir()
        template = env.get_template("source.html")
        renderer = Renderer()
        for path, page in self.cited.items():
            text = self.files.text(path)
            if text is None:
                continue
            shown = SourceText(self.names[path], text.format, text.lines, text.unit)
            html = template.render(src=shown, lo=0, hi=-1, root="../", rendered=render_note(
                renderer, text.format, text.lines, text.unit))
            (folder / SOURCES / page).write_text(html, encoding="utf-8")


def write(concepts: Iterable[Concept], path: Path, *, line: LineOf | None = None,
          said: Callable[[Concept], Sequence[Said]] | None = None) -> int:
    """`path/index.html`, `path/c/<concept>.html` per concept, `path/s/<file>.html` per
    source a page cites (`_Sources`), and the stylesheet; `line` reads the line of a note
    each backlink quotes (none quoted without it), and the sources; `said` what a concept
    says (`Grimoire.said`: the opening words of a page with no definition, which the served
    page shows too; "(no definition)" without it)."""
    from grimoire.web.site import link_status

    every = list(concepts)  # pages link to each other: every name must be known first
    pages = {c.id: page_name(c.key) for c in every}
    by_name: dict[str, str] = {}
    for c in every:
        by_name.setdefault(normalize(c.label), pages[c.id])
    for c in every:
        for n in c.names:
            by_name.setdefault(normalize(n.name), pages[c.id])
    sources = _Sources(line)
    env = _environment(by_name, pages, line, sources)
    (path / PAGES).mkdir()
    concept_page = env.get_template("concept.html")
    labelled: dict[str, list[Concept]] = {}
    for c in every:
        labelled.setdefault(c.label, []).append(c)
    for c in every:
        namesakes = [o for o in labelled[c.label] if o.id != c.id]  # as `kb.namesakes`
        openings = {s.entry_id: s for s in (said(c) if said is not None else ())
                    if s.kind == "opening"}
        html = concept_page.render(c=c, duplicates=(), links=link_status(c), root="../",
                                   namesakes=namesakes, openings=openings)
        (path / PAGES / pages[c.id]).write_text(html, encoding="utf-8")
    letters: dict[str, list[tuple[str, str, str]]] = {}
    shared = Counter(c.label for c in every)
    for c in sorted(every, key=lambda c: c.label.casefold()):
        first = c.label[:1].upper()
        # a label two concepts share is told apart by their kinds, as on the web's home page
        kind = (c.kind or "") if shared[c.label] > 1 else ""
        letters.setdefault(first if first.isalpha() else "#", []).append(
            (c.label, f"{PAGES}/{pages[c.id]}", kind))
    index = env.get_template("site_index.html").render(letters=letters, total=len(every),
                                                       root="./")
    (path / "index.html").write_text(index, encoding="utf-8")
    sources.write(env, path)
    (path / "static").mkdir()
    for name in ("app.css", "favicon.svg"):
        shutil.copyfile(WEB / "static" / name, path / "static" / name)
    return len(every)


def _environment(by_name: dict[str, str], by_id: dict[ConceptId, str],
                 line: LineOf | None = None, sources: _Sources | None = None) -> Any:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

    from grimoire.showing import halves, in_part
    from grimoire.web.render import (
        MARKDOWN_FORMATS,
        Renderer,
        mention_html,
        numbered,
        safe_url,
    )
    from grimoire.web.site import file_at

    renderer = Renderer()

    def href(name: str, concept_id: ConceptId | None = None) -> str:
        """A sibling concept page (that concept's, by its id: two may share a label); a name
        no concept has (a wanted page) goes to the index."""
        if concept_id is not None and concept_id in by_id:
            return by_id[concept_id]
        return by_name.get(normalize(name), "../index.html")

    def local(markup: Markup) -> Markup:
        """The renderer's links to the server's concept pages, made links to the files."""
        return Markup(_CONCEPT_LINK.sub(lambda m: f'href="{href(unquote(m.group(1)))}"',
                                        str(markup)))

    def beside(markup: Markup, path: str) -> Markup:
        """A note's relative links (`../papers/lora.pdf`) as the files they name: relative to
        the page they would lead nowhere."""
        if not path:
            return markup
        folder = Path(path).parent

        def to(m: re.Match[str]) -> str:
            target = unquote(m.group(1))
            page = sources.page(str(folder / target)) if sources is not None else None
            if page is None and sources is not None:
                page = sources.page(str((folder / target).resolve()))
            if page is not None:
                return f'href="../{SOURCES}/{page}"'
            # A file the site holds no copy of (an image, a PDF not read): its words stay,
            # and say why they lead nowhere; a `file://` address led nowhere off this disk.
            return f'title="{escape(Path(target).name)}: not in this site"'

        return Markup(_RELATIVE_LINK.sub(to, str(markup)))

    def md(text: str, path: str = "", format: str = "markdown") -> Markup:
        if format not in MARKDOWN_FORMATS:
            return renderer.text(text, displays=format == "latex")
        # The note's own relative links first: `local` then gives a wanted name the index,
        # `../index.html`, which `beside` would have taken for a file beside the note (the
        # seeds' README linked to file:///…/shared/index.html).
        return local(beside(renderer.markdown(text, lambda _target: None), path))

    def absolute_url(url: str, *, images: bool = False) -> str | None:
        """`safe_url`, for addresses that lead somewhere from any folder: a relative one
        (a reference's `../pdf/paper.pdf`) is shown as text, since the template does not say
        which note it is relative to."""
        safe = safe_url(url, images=images)
        return safe if safe is not None and re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", safe) else None

    env = Environment(loader=ChoiceLoader([FileSystemLoader(HERE / "templates"),
                                           FileSystemLoader(WEB / "templates")]),
                      autoescape=select_autoescape(default=True))
    env.globals.update(href=href, at=file_at,
                       source_href=sources.href if sources is not None else lambda _span: "#",
                       site=_Offline(line), llm=False, safe_url=absolute_url, offline=True)
    env.filters.update(md=md, tex=renderer.inline, halves=halves, in_part=in_part,
                       numbered=numbered,
                       mention=lambda line, *how: local(mention_html(line, *how)))
    return env


EXPORTER = Exporter("site", "", write, folder=True, quotes_notes=True, named=False)
