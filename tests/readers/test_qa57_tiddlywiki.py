"""Round 57 (qa57): a new user's TiddlyWiki (the Node.js layout, `tiddlers/*.tid`, a research
wiki of a few thousand tiddlers with KaTeX math): every `.tid` file was "not a note format".
Each shape rebuilt here in tiddlers of our own. One store, built once for the module, no
vectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grimoire import readers
from tests.conftest import written_store

_DROPOUT = """\
created: 20250301101500000
modified: 20250302093000000
tags: Regularization [[Neural networks]]
title: Dropout
type: text/vnd.tiddlywiki

Dropout zeroes each unit of a layer with probability $$p$$ during training, so that no unit
can lean on another being there. See [[Regularization]] and [[the original paper|https://example.org/dropout]].

!! At test time

Every unit is kept and its output scaled by $$1-p$$:

$$
\\mathbb{E}[\\tilde h] = (1-p)\\, h
$$

* ''inverted'' dropout scales during training instead
** so //inference// needs no change
# sample a mask
# multiply

;Keep rate
: the chance a unit survives, $$1-p$$

|!Layer |!Rate |
|input |0.2 |
|hidden |0.5 |
|Rates we tried|c

<<list-links filter:"[tag[Dropout]]">>
<$list filter="[tag[Regularization]]"><$link/></$list>

{{Weight decay}}
[img[a mask over a layer|dropout-mask.png]]
"""

_COVERING = """\
title: Covering number
type: text/vnd.tiddlywiki

The ''$$\\epsilon$$-covering number'' of a set counts the balls of radius $$\\epsilon$$
that cover it: $$N(\\epsilon) = \\min \\{ n :
B \\subseteq \\bigcup_{i \\le n} B_i \\}$$, and //it grows// as the radius shrinks.

<<note "<div>

A smaller radius never needs fewer balls.

</div>">>
<<tip "Bounds on it bound the generalization gap.">>

See [[Lecture [3.2] on nets|https://example.org/nets]].
"""

NOTES = {
    "wiki/tiddlers/Dropout.tid": _DROPOUT,
    "wiki/tiddlers/Regularization.tid": "title: Regularization\ntype: text/vnd.tiddlywiki\n\n"
                                        "Regularization is any change to learning meant to "
                                        "lower the error on unseen data.\n",
    "wiki/tiddlers/Weight decay.tid": "tags: Regularization\ntitle: Weight decay\n\nWeight "
                                      "decay shrinks every weight a little at each step.\n",
    # TiddlyWiki's own tiddlers, a draft, a stylesheet and a listing made by a macro.
    "wiki/tiddlers/$__StoryList.tid": "list: Dropout\ntitle: $:/StoryList\n\n",
    "wiki/tiddlers/$__palette.tid": "title: $:/palette\ntype: text/vnd.tiddlywiki\n\n"
                                    "$:/palettes/Vanilla\n",
    "wiki/tiddlers/Draft of 'Dropout'.tid": "draft.of: Dropout\ndraft.title: Dropout\n"
                                             "title: Draft of 'Dropout'\n\nHalf written.\n",
    "wiki/tiddlers/Style.tid": "tags: $:/tags/Stylesheet\ntitle: Style\ntype: text/css\n\n"
                               ".tc-tiddler-frame { padding: 0; }\n",
    "wiki/tiddlers/Everything tagged.tid": "title: Everything tagged\n\n<<list-links "
                                           "filter:\"[tag[Regularization]]\">>\n",
    # Shapes a research wiki's tiddlers hold: a formula over lines, bold around a formula, a
    # callout macro given its passage, a link whose text holds brackets.
    "wiki/tiddlers/Covering number.tid": _COVERING,
    # A tiddler that only shows another: a name of it.
    "wiki/tiddlers/L2 penalty.tid": "title: L2 penalty\ntype: text/vnd.tiddlywiki\n\n"
                                    "{{Weight decay}}\n",
    # A tiddler its writer keeps in Markdown.
    "wiki/tiddlers/Early stopping.tid": "title: Early stopping\ntype: text/x-markdown\n\n"
                                        "# Early stopping\n\nEarly stopping ends training "
                                        "when the validation loss stops falling.\n",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa57tw", NOTES)


def _read(path: str) -> Any:
    return readers.read_file("tiddlywiki", NOTES[path].encode(), "notes/" + path)[0]


def test_tiddlers_are_pages_named_by_their_titles(kb: Any) -> None:
    status = {s.path.split("/notes/", 1)[-1]: (s.status, s.format) for s in kb.sources()}
    assert status["wiki/tiddlers/Dropout.tid"] == ("ok", "tiddlywiki"), status
    labels = {c.label for c in kb.concepts()}
    assert {"Dropout", "Regularization", "Weight decay", "Early stopping"} <= labels, labels
    # TiddlyWiki's own tiddlers, a draft, a stylesheet, a macro's listing: no concepts
    for label in ("$:/StoryList", "$:/palette", "Draft of 'Dropout'", "Style",
                  "Everything tagged"):
        assert label not in labels, labels
    found = kb.search("units zeroed with a probability while training", mode="lexical")
    assert found and found[0].span.path.endswith("Dropout.tid"), found


def test_a_tiddlers_fields_are_its_title_and_tags_and_no_text() -> None:
    doc = _read("wiki/tiddlers/Dropout.tid")
    assert doc.title == "Dropout"
    assert set(doc.tags) >= {"Regularization", "Neural networks"}, doc.tags
    text = "\n".join(p.text for p in doc.passages)
    assert "created" not in text and "text/vnd.tiddlywiki" not in text, text
    first = doc.passages[0]
    lines = NOTES["wiki/tiddlers/Dropout.tid"].split("\n")
    assert lines[first.span.start_line - 1].startswith("Dropout zeroes"), first.span


def test_wikitext_markup_reads_as_its_words_and_formulas() -> None:
    doc = _read("wiki/tiddlers/Dropout.tid")
    text = "\n".join(p.text for p in doc.passages)
    for mark in ("''", "//", "!!", "<<", "<$", "{{", "[img[", "|c", ";Keep"):
        assert mark not in text, (mark, text)
    assert "inverted dropout scales" in text and "so inference needs" in text, text
    assert "Keep rate: the chance a unit survives" in " ".join(text.split()), text
    assert any(p.heading_path == ("At test time",) for p in doc.passages)
    table = next(p for p in doc.passages if p.kind == "table")
    assert table.text == "Layer | Rate\ninput | 0.2\nhidden | 0.5", table.text
    formulas = [m.tex for p in doc.passages for m in p.math]
    assert "p" in formulas and "\\mathbb{E}[\\tilde h] = (1-p)\\, h" in formulas, formulas


def test_tiddler_links_name_tiddlers_and_web_links_stay_web_links(kb: Any) -> None:
    doc = _read("wiki/tiddlers/Dropout.tid")
    links = {(x.target, x.kind.name) for x in doc.links}
    assert ("Regularization", "WIKILINK") in links, links
    assert ("https://example.org/dropout", "URL") in links, links
    assert ("Weight decay", "EMBED") in links, links  # `{{Weight decay}}` shows it
    assert not any("dropout-mask" in t or t.startswith("$:") for t, _ in links), links
    back = {m.span.path.rsplit("/", 1)[-1] for m in kb.backlinks("Regularization")}
    assert "Dropout.tid" in back, back


def test_a_markdown_tiddler_reads_as_markdown() -> None:
    doc = _read("wiki/tiddlers/Early stopping.tid")
    assert doc.title == "Early stopping"
    assert "validation loss stops falling" in doc.passages[0].text


def test_a_research_wikis_formulas_marks_and_callouts() -> None:
    doc = _read("wiki/tiddlers/Covering number.tid")
    text = "\n".join(p.text for p in doc.passages)
    for mark in ("''", "//", "<<", ">>", "<div>", "[[", "]]"):
        assert mark not in text, (mark, text)
    formulas = [m.tex for p in doc.passages for m in p.math]
    assert any(f.startswith("N(\\epsilon) = \\min") and "bigcup" in f for f in formulas), formulas
    assert "\\epsilon" in formulas, formulas
    assert "and it grows as the radius shrinks" in " ".join(text.split()), text
    assert "A smaller radius never needs fewer balls." in text, text
    assert "Bounds on it bound the generalization gap." in text, text
    assert ("https://example.org/nets", "Lecture [3.2] on nets") in {
        (x.target, x.label) for x in doc.links}, doc.links


def test_a_tiddler_that_only_shows_another_is_a_name_of_it(kb: Any) -> None:
    """"KL divergence" holding only `{{Relative entropy}}` was a page with no definition."""
    doc = _read("wiki/tiddlers/L2 penalty.tid")
    assert [(e.term, e.redirect) for e in doc.entries] == [("L2 penalty", "Weight decay")]
    assert "L2 penalty" not in {c.label for c in kb.concepts()}
