"""Round 36: Markdown links written inside a reStructuredText file are read as links.

docutils keeps `[words](address)` and `[words][name]` as text, brackets and all; a page
converted from Markdown kept them, and `show` and search quoted the markup. Our own text."""

from __future__ import annotations

import pytest

from grimoire.model import LinkKind
from grimoire.readers import rst

PAGE = b"""Pooling
=======

Pooling shrinks a feature map; see [the pooling guide][guide] or
[strided convolutions](https://example.org/strided) and [the layers page](layers.rst).
![A max pool](pool.png)

Arrays in prose stay as they are: weights[0][0] and m[i][j], and [a dangling one][nowhere].

[guide]: https://example.org/pooling "Pooling"
"""


def _passages() -> list[tuple[str, list[tuple[str, LinkKind, str | None]], list[str]]]:
    (doc,) = rst.read(PAGE, "pooling.rst")
    return [(p.text, [(x.target, x.kind, x.label) for x in p.links],
             [i.target for i in p.images]) for p in doc.passages]


@pytest.mark.no_store
def test_markdown_links_in_rst_read_as_their_words_and_addresses() -> None:
    text = " ".join(t for t, _, _ in _passages())
    assert "[" not in text.replace("weights[0][0]", "").replace("m[i][j]", "")
    assert "see the pooling guide or strided convolutions and the layers page." in text
    assert "a dangling one." in text  # no definition: the words, no link
    links = [x for _, ls, _ in _passages() for x in ls]
    assert ("https://example.org/pooling", LinkKind.URL, "the pooling guide") in links
    assert ("https://example.org/strided", LinkKind.URL, "strided convolutions") in links
    assert ("layers.rst", LinkKind.MARKDOWN, "the layers page") in links
    assert "pool.png" in [i for _, _, im in _passages() for i in im]


@pytest.mark.no_store
def test_a_reference_definition_is_no_text_and_code_in_prose_is_kept() -> None:
    text = " ".join(t for t, _, _ in _passages())
    assert "]:" not in text and "https://example.org/pooling" not in text
    assert "weights[0][0] and m[i][j]" in text
    links = [x for _, ls, _ in _passages() for x in ls]
    assert [x for x in links if x[0] == "https://example.org/pooling"] == [
        ("https://example.org/pooling", LinkKind.URL, "the pooling guide")]
