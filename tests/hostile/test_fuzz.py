"""Hypothesis fuzz of every reader: on any bytes, and on text made of the tokens each format
gives meaning to, a reader returns documents or raises GrimoireError (nothing else escapes),
and reading the same bytes twice gives the same documents."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grimoire import readers
from grimoire.errors import GrimoireError
from grimoire.model import Document

# Per reader and strategy. CI runs 150; GRIMOIRE_FUZZ_EXAMPLES=2000 for a deeper local hunt.
EXAMPLES = int(os.environ.get("GRIMOIRE_FUZZ_EXAMPLES", "150"))

TOKENS = [
    # structure
    "\n", "\n\n", "\r\n", "\r", " ", "  ", "\t", "---\n", "===\n", "~~~", "```", "    ",
    "# ", "## ", "> ", "- ", "* ", "1. ", "| ", ":", "::", ".. ", "::\n", ":param x:",
    # inline
    "*", "**", "_", "`", "``", "$", "$$", "\\", "[", "]", "(", ")", "[[", "]]", "![[", "|",
    "#tag", "^", "{", "}", "{{", "}}", "'''", "''", "=", "==", "<", ">", "&", "&amp;", "&#",
    "<math>", "</math>", "<mi>", "<p>", "</p>", "<h1>", "<a href='x'>", "</a>", "<table>",
    "<td>", "<!--", "-->", "<![CDATA[", "<ref>", "</ref>", "<nowiki>", "\\frac{", "\\begin{a}",
    # front matter and dumps
    "title: ", "tags: [", "aliases:", "&a", "*a", "!!python/object", "<mediawiki>",
    "<page>", "<title>", "<text>", "</text>", "</page>", "<revision>", "<!DOCTYPE",
    # words and odd characters
    "word", "Term", "LoRA", "é", "\u202e", "\ufeff", "\x00", "\x1b[2J", "\ufffd", "😀",
]

TEXT = st.lists(st.sampled_from(TOKENS), max_size=120).map("".join)
FILES = {"obsidian": "n.md", "markdown": "n.md", "mediawiki": "n.wiki", "glossary": "n.txt",
         "rst": "n.rst", "html": "n.html", "text": "n.text"}


def read_twice(name: str, data: bytes, path: str | None = None) -> list[Document]:
    reader = readers.by_name(name)
    path = path or FILES[name]
    try:
        first = reader.read(data, path)
    except GrimoireError:
        with pytest.raises(GrimoireError):
            reader.read(data, path)
        return []
    assert all(isinstance(d, Document) for d in first)
    assert reader.read(data, path) == first
    return first


FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("name", sorted(FILES))
@FUZZ
@given(data=st.binary(max_size=2048))
def test_any_bytes(name: str, data: bytes) -> None:
    read_twice(name, data)


@pytest.mark.parametrize("name", sorted(FILES))
@FUZZ
@given(text=TEXT, encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_format_tokens(name: str, text: str, encoding: str) -> None:
    read_twice(name, text.encode(encoding, errors="surrogatepass"))


@FUZZ
@given(body=TEXT)
def test_dump_pages(body: str) -> None:
    """Tokens inside a MediaWiki dump's page text (XML-escaped, as exports are)."""
    escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    dump = ('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/"><page><title>P</title>'
            f"<ns>0</ns><id>1</id><revision><id>1</id><text>{escaped}</text></revision></page>"
            "</mediawiki>")
    data = dump.encode("utf-8", errors="surrogatepass").replace(b"\x00", b"")
    read_twice("mediawiki", data, "dump.xml")
