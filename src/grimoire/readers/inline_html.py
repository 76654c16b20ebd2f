"""Visible text of HTML fragments inside Markdown: tags, comments, script and style removed."""

from __future__ import annotations

import html
import re

from grimoire.model import Image, Span
from grimoire.readers.base import collapse

TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9:-]{0,40})\b[^<>]*>")
# What a superscript or subscript reads as once its tag is gone: `0.25<sup>2</sup>` is
# "0.25^2", not "0.252" (the arithmetic lint read that as a number), `x<sub>1</sub>` "x_1".
SCRIPT_MARKS = {"sup": "^", "sub": "_"}
ATTR = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
BLOCK_TAGS = frozenset(
    [
        "br",
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "tr",
        "td",
        "th",
        "table",
        "thead",
        "tbody",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "hr",
        "pre",
        "blockquote",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "img",
        "details",
        "summary",
    ]
)


def tag_attrs(tag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in ATTR.finditer(tag[:4000]):
        value = m.group(2) if m.group(2) is not None else (m.group(3) or m.group(4) or "")
        out.setdefault(m.group(1).lower(), html.unescape(value))
    return out


def _cut(text: str, opener: str, closer: str, *, lower: str | None = None) -> str:
    """Remove every `opener ... closer` region (unclosed: to the end), keeping the newlines."""
    hay = lower if lower is not None else text
    out: list[str] = []
    pos = 0
    while True:
        start = hay.find(opener, pos)
        if start < 0:
            break
        end = hay.find(closer, start + len(opener))
        end = len(text) if end < 0 else end + len(closer)
        out.append(text[pos:start])
        out.append("\n" * text.count("\n", start, end))
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def strip_html(
    source: str, path: str, first_line: int
) -> tuple[str, list[Image], list[tuple[str, str | None, int]]]:
    """Visible text of an HTML fragment, line for line; also its images and `<a href>` links.

    Comments, `<script>` and `<style>` go with their content; tags (HTML or MDX components)
    go and leave their text. Entities stay encoded for the inline parser to decode.
    """
    text = _cut(source, "<!--", "-->")
    if "<script" in text.lower() or "<style" in text.lower():
        text = _cut(text, "<script", "</script>", lower=text.lower())
        text = _cut(text, "<style", "</style>", lower=text.lower())
    images: list[Image] = []
    links: list[tuple[str, str | None, int]] = []
    out: list[str] = []
    pos = 0
    line = first_line
    open_a: tuple[str, int, int] | None = None
    for m in TAG.finditer(text):
        out.append(text[pos : m.start()])
        line += text.count("\n", pos, m.start())
        tag = m.group(1).lower()
        raw = m.group(0)
        if tag == "img" and not raw.startswith("</"):
            attrs = tag_attrs(raw)
            if attrs.get("src"):
                images.append(html_image(attrs, path, line))
        elif tag == "a":
            if raw.startswith("</"):
                if open_a is not None:
                    href, ln, idx = open_a
                    label = collapse(html.unescape(TAG.sub("", "".join(out[idx:])))) or None
                    links.append((href, label, ln))
                    open_a = None
            else:
                href = tag_attrs(raw).get("href", "")
                open_a = (href, line, len(out)) if href else None
        newlines = raw.count("\n")
        if tag in SCRIPT_MARKS and not raw.startswith("</"):
            out.append(SCRIPT_MARKS[tag])
        out.append("\n" * newlines if newlines else (" " if tag in BLOCK_TAGS else ""))
        line += newlines
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), images, links


def html_image(attrs: dict[str, str], path: str, line: int) -> Image:
    def num(key: str) -> int | None:
        value = attrs.get(key, "").strip().removesuffix("px")
        return int(value) if value.isdigit() and len(value) < 7 else None

    return Image(
        attrs["src"],
        Span(path, line, line),
        alt=attrs.get("alt") or None,
        width=num("width"),
        height=num("height"),
    )
