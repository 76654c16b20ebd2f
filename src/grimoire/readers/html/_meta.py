"""Page metadata of an HTML page: title, description, authors, keywords, BibTeX, TeX renderer.

Read from Distill front matter (the JSON island of v2, the YAML island of v1), `<meta>` tags,
the `<title>` and first `<h1>`, and `<script type="text/bibliography">`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from grimoire.formulas import TEX_RENDERER
from grimoire.model import Problem, Reference, Span
from grimoire.readers.base import collapse, whole_number
from grimoire.readers.html._render import SKIP, plain
from grimoire.readers.html._source import SourceMap

_TEX_SINGLE_DOLLAR = re.compile(r"""['"]\$['"]""")
# The titles a site generator gives the pages it fills with lists of posts (Nikola's
# "Archive", "Tags", "Categories", "Posts for year 2016", "Posts about X"; Hugo's and
# Jekyll's themes' "Tags", "Posts"): no page about a thing (round 51, qa51: four of a Nikola
# site's listing pages were concepts). Only on a page whose head names its generator.
_LISTING_TITLE = re.compile(
    r"(?i:archives?|tags|categories|tags and categories|categories and tags|all posts|posts"
    r"|blog posts|blog|pages|all pages|(?:posts|archive) (?:for|from|in) (?:year|month|day)"
    r"?\s*\S.{0,30}|posts? (?:about|tagged|in category|in|for) \S.{0,60}|tag: \S.{0,60}"
    r"|category: \S.{0,60}|page \d{1,4}(?: of \d{1,4})?)")

# A listing's text is mostly its links' (Nikola's "Archive", "Tags": 0.63-0.88 of the
# characters outside the site's header, menu and footer; a post of prose 0.03): a page of
# prose titled "Categories" (the mathematics), from pandoc, Org or a blog's generator alike,
# is a page (review52a).
_LINK_SHARE = 0.5
_FRAME = ("header", "footer")  # a menu, `<nav>`, is no page text (`_render.SKIP`)


def _mostly_links(root: LexborNode) -> bool:
    """Whether at least `_LINK_SHARE` of the body's text (`_render.plain`, spaces aside, the
    site's header and footer left out) is in links."""
    body = root.css_first("body") or root

    def chars(node: LexborNode) -> int:
        return sum(not c.isspace() for c in plain(node))

    def kept(node: LexborNode) -> bool:
        parent = node.parent
        while parent is not None:
            if parent.tag in _FRAME or parent.tag in SKIP:
                return False
            parent = parent.parent
        return True

    total = chars(body) - sum(chars(n) for n in body.css(", ".join(_FRAME)) if kept(n))
    linked = sum(chars(a) for a in body.css("a[href]") if kept(a))
    return total > 0 and linked >= _LINK_SHARE * total


@dataclass
class PageMeta:
    title: str = ""
    meta: dict[str, object] = field(default_factory=dict)
    bib: dict[str, Reference] = field(default_factory=dict)  # citation key -> reference
    # None: the page loads no TeX renderer; False: $$, \\( and \\[ only; True: also single $
    tex: bool | None = None
    problems: list[Problem] = field(default_factory=list)


def read_meta(root: LexborNode, smap: SourceMap, path: str) -> PageMeta:
    """Everything the page says about itself, outside its content."""
    out = PageMeta()
    fm = root.css_first('d-front-matter script[type="text/json"], script#distill-front-matter')
    if fm is not None:
        try:
            data = json.loads(plain(fm), parse_int=whole_number)
        except ValueError as e:
            out.problems.append(
                Problem(f"invalid front matter JSON: {e}", Span(path, *smap.span_lines(fm)))
            )
        else:
            if isinstance(data, dict):
                _take_front_matter(out, data)
    yml = root.css_first('script[type="text/front-matter"]')
    if yml is not None and not out.title:
        _take_front_matter(out, _yaml_front_matter(plain(yml)))
    generated = False
    for meta in root.css("meta[name], meta[property]"):
        key = (meta.attributes.get("name") or meta.attributes.get("property") or "").lower()
        value = collapse(meta.attributes.get("content") or "")
        if not value:
            continue
        if key in ("description", "og:description") and "description" not in out.meta:
            out.meta["description"] = value
        elif key == "keywords":
            out.meta["keywords"] = tuple(k.strip() for k in value.split(",") if k.strip())
        elif key in ("author", "citation_author"):
            out.meta.setdefault("authors", (value,))
        elif key == "og:title" and "og_title" not in out.meta:
            out.meta["og_title"] = value
        elif key == "generator":
            generated = True
    for meta in root.css("meta[http-equiv]"):
        # `<meta http-equiv="refresh" content="0; url=../sgd.html">`: a page that only sends
        # its reader elsewhere, as a static site leaves one at each moved address (round
        # 37: a wiki's `go/NAME/index.html`, "Redirecting to NAME", 16 concepts). An
        # auto-reload (`content="300"`, no address) is no redirect.
        if (meta.attributes.get("http-equiv") or "").strip().casefold() == "refresh" \
                and _REFRESH_TO.search(meta.attributes.get("content") or ""):
            out.meta["redirect"] = True
    lang = root.attributes.get("lang")
    if lang:
        out.meta["lang"] = lang
    if not out.title:
        for candidate in ("d-title h1", "dt-article h1", "title", "h1"):
            node = root.css_first(candidate)
            text = collapse(plain(node)) if node is not None else ""
            if text:
                out.title = _without_site(text, root) if candidate == "title" else text
                break
    if not out.title:
        out.title = str(out.meta.get("og_title") or "")
    if generated and _LISTING_TITLE.fullmatch(out.title) and _mostly_links(root):
        out.meta["listing"] = "generated"  # `sections.not_a_page`
    for script in root.css("script"):
        code = plain(script) if not script.attributes.get("src") else ""
        if TEX_RENDERER.search((script.attributes.get("src") or "") + code[:4096]):
            out.tex = bool(out.tex) or _TEX_SINGLE_DOLLAR.search(code) is not None
    for script in root.css('script[type="text/bibliography"]'):
        _read_bib(out, script, smap, path)
    return out


def _take_front_matter(out: PageMeta, data: dict[str, object]) -> None:
    title = data.get("title")
    if isinstance(title, str) and title.strip():
        out.title = collapse(title)
    desc = data.get("description")
    if isinstance(desc, str) and desc.strip():
        out.meta["description"] = collapse(desc)
    authors = data.get("authors")
    if isinstance(authors, list):
        names = []
        for a in authors:
            if isinstance(a, dict):
                a = a.get("author") or a.get("name") or next(iter(a), "")
            if isinstance(a, str) and a.strip():
                names.append(collapse(a))
        if names:
            out.meta["authors"] = tuple(names)
    for key in ("published", "doi", "url"):
        if isinstance(data.get(key), str):
            out.meta[key] = data[key]


def _read_bib(out: PageMeta, script: LexborNode, smap: SourceMap, path: str) -> None:
    start = smap.start(script)
    body_at = smap.src.find(">", start) + 1
    for key, label, url, at in _bibtex(plain(script)):
        line = smap.line(body_at + at)
        out.bib[key] = Reference(label, url, Span(path, line, line))


def _yaml_front_matter(text: str) -> dict[str, object]:
    """Title, description and author names from Distill v1's YAML island, line by line.

    A full YAML parser is not needed for these keys, and a line scan cannot be made to expand
    aliases or run constructors.
    """
    out: dict[str, object] = {}
    authors: list[str] = []
    section = ""
    base: int | None = None
    for raw in text.split("\n"):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        if base is None:
            base = indent
        if item.startswith("-"):
            if section == "authors":
                author = item[1:].strip().split(": http", 1)[0].strip().rstrip(":").strip("\"'")
                if author:
                    authors.append(author)
            continue
        key, sep, value = item.partition(":")
        if sep and indent <= base:
            section = key.strip().lower()
            value = value.strip().strip("\"'")
            if section in ("title", "description", "published", "doi") and value:
                out[section] = value
    if authors:
        out["authors"] = authors
    return out


_BIB_START = re.compile(r"@\s*(\w+)\s*\{\s*([^,\s{}]+)\s*,")
_BIB_FIELD = re.compile(r"\s*,?\s*(\w+)\s*=\s*")


def _bibtex(text: str) -> list[tuple[str, str, str, int]]:
    """(key, title, url, offset) for each BibTeX entry that has a URL or DOI; one linear pass."""
    out: list[tuple[str, str, str, int]] = []
    pos = 0
    while True:
        m = _BIB_START.search(text, pos)
        if m is None:
            return out
        fields: dict[str, str] = {}
        i, n = m.end(), len(text)
        while i < n:
            f = _BIB_FIELD.match(text, i)
            if f is None:
                break
            i = f.end()
            if i < n and text[i] in '{"':
                close = "}" if text[i] == "{" else '"'
                depth, j = 0, i
                while j < n:
                    c = text[j]
                    if c == "{":
                        depth += 1
                    elif c == "}":
                        depth -= 1
                    if (close == "}" and depth == 0) or (
                        close == '"' and c == '"' and j > i and depth == 0
                    ):
                        break
                    j += 1
                fields[f.group(1).lower()] = text[i + 1 : j]
                i = j + 1
            else:
                end = i
                while end < n and text[end] not in ",}\n":
                    end += 1
                fields[f.group(1).lower()] = text[i:end]
                i = end
        pos = max(i, m.end())
        url = fields.get("url", "").strip()
        if not url and fields.get("doi"):
            url = "https://doi.org/" + fields["doi"].strip()
        if url:
            title = collapse(fields.get("title", "").replace("{", "").replace("}", "")) or m.group(
                2
            )
            out.append((m.group(2), title, url, m.start()))


_REFRESH_TO = re.compile(r"^\s*\d+(?:\.\d*)?\s*[;,]\s*url\s*=\s*\S", re.IGNORECASE)

# Between a page's name and its site's in a `<title>`: "Attention - Blog Name".
_SEPARATORS = (" - ", " \u2013 ", " \u2014 ", " \u00b7 ", " :: ", " | ")


_TITLE_HEADINGS = 4  # the page's first `<h1>`s looked at for its title's parts


def _without_site(title: str, root: LexborNode) -> str:
    """A `<title>` without the site's name after the page's own, when a heading of the page
    says which part is the page's: its first `<h1>` ("Attention - Blog Name" over
    `<h1>Attention</h1>`), or the site's logo set as an `<h1>` before the page's own (a
    Jupyter Book or Sphinx theme: "Limits — Calculus Companion Site" over `<h1>Calculus
    Companion Site</h1>` and `<h1>Limits\u00b6</h1>`; round 54 left each page two entries).
    A title that opens with the site's name ("Site - Post") under its banner (an `<h1>`
    linking home) is the post's."""
    nodes = root.css("h1")[:_TITLE_HEADINGS]
    written = [collapse(plain(node)) for node in nodes]
    # each as written ("C#") and without its permalink's mark ("Limits\u00b6", "Limits#")
    headings = [(k, form) for k, h in enumerate(written)
                for form in dict.fromkeys((h, h.rstrip("\u00b6#").rstrip())) if form]
    folded, known = title.casefold(), {h.casefold() for _, h in headings}
    for k, h1 in headings:
        if len(h1) < len(title) and folded.startswith(h1.casefold()) \
                and title[len(h1):].startswith(_SEPARATORS):
            rest = title[len(h1):].strip(" -\u2013\u2014\u00b7:|")
            if k == 0 and rest and _links_home(nodes[0]) and _headed(rest, root, nodes[0]):
                # "Site - Post" over the site's banner `<h1>` (a link to its home page), the
                # post's heading an `<h1>` or an `<h2>` after it (Pelican's themes): the post's
                # (review55a: every post of a blog was named by the blog). Not GitBook's
                # "Page · GitBook" over a header `<h1>` of the page's: no heading says "GitBook"
                return rest
            if k == 0 or rest.casefold() in known:
                return title[: len(h1)]
    return title


def _links_home(h1: LexborNode) -> bool:
    """Whether the `<h1>` links to its site's home page (`/`, `../index.html`): a banner."""
    link = h1.css_first("a[href]")
    href = (link.attributes.get("href") or "").strip() if link is not None else ""
    return bool(href) and "#" not in href and (
        href.endswith("/") or href in (".", "..")
        or href.rsplit("/", 1)[-1].casefold() in ("index.html", "index.htm"))


def _headed(text: str, root: LexborNode, banner: LexborNode) -> bool:
    """Whether one of the page's first `<h1>` and `<h2>` headings but `banner` says `text`."""
    folded = text.casefold()
    return any(collapse(plain(h)).rstrip("\u00b6#").rstrip().casefold() == folded
               for h in root.css("h1, h2")[:2 * _TITLE_HEADINGS] if h != banner)
