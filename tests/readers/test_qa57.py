"""Round 57 (qa57): the AsciiDoc reader's leads round 56 left (qa56's and review56c's
sections in bench/README.md), each rebuilt in notes of our own: a chapter `include::`s its
sections and linked none of them; a table asking for its header (`[%header]`,
`options="header"`) with no blank line under it read one row a line; a CSV or DSV table read
as its commas; `<<page#section>>` with no text read as nothing; a file holding only a site
generator's `{{ toc }}` was a concept "toc"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grimoire import readers
from tests.conftest import written_store

_BOOK = """\
= Training Small Models
:chapters: chapters

A short book on training small language models on one GPU.

include::{chapters}/warmup.adoc[]

include::chapters/clipping.adoc[leveloffset=+1]

include::{missing}/ghost.adoc[]

include::snippets/train.py[]

For the schedule see <<warmup#linear-ramp>>; the clipping chapter is <<clipping.adoc#,here>>.
"""

_TABLES = """\
= Optimizer Memory

[%header]
|===
|Optimizer |State per weight
|SGD |nothing
|Adam |two moment estimates
|===

.Batch sizes we tried
[cols="1,1",options="header"]
|===
|Model |Batch
|tiny |512
|===

[%header,format=csv]
|===
model,tokens seen
"ours, small",3B
baseline,2B
|===

[format=dsv]
|===
lamb:layer-wise trust ratio
lion:sign of the momentum
|===

,===
schedule,peak
cosine,3e-4
,===

[%header,cols="2"]
|===
|Name
|Note
|rmsprop
|divides by a running RMS
|===
"""

NOTES = {
    "book/book.adoc": _BOOK,
    "book/chapters/warmup.adoc": "== Learning Rate Warmup\n\n[[linear-ramp]]\n=== Linear "
                                 "ramp\n\nThe step size climbs from zero over the first "
                                 "thousand updates before any decay starts.\n",
    "book/chapters/clipping.adoc": "= Gradient Clipping\n\nClipping rescales a gradient "
                                   "whose norm passes a threshold.\n",
    "book/toc.adoc": "{{ toc }}\n",
    "book/tables.adoc": _TABLES,
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa57", NOTES)


def _read(path: str) -> Any:
    return readers.read_file("asciidoc", NOTES[path].encode(), "notes/" + path)[0]


def test_an_included_section_file_is_a_link_from_the_chapter(kb: Any) -> None:
    """`include::` (also through an attribute) links the chapter to the file it reads in,
    from the line that reads it; an unset attribute's target and a code file are no link."""
    doc = _read("book/book.adoc")
    links = {(x.target, x.href, x.span.start_line) for x in doc.links}
    assert ("warmup.adoc", "chapters/warmup.adoc", 6) in links, links
    assert ("clipping.adoc", "chapters/clipping.adoc", 8) in links, links
    assert not any("ghost" in x.target or "train.py" in x.target for x in doc.links), links
    assert "include" not in " ".join(p.text for p in doc.passages)
    back = {m.span.path.rsplit("/", 1)[-1] for m in kb.backlinks("Gradient Clipping")}
    assert "book.adoc" in back, back
    back = {m.span.path.rsplit("/", 1)[-1] for m in kb.backlinks("Learning Rate Warmup")}
    assert "book.adoc" in back, back


def test_a_cross_reference_to_another_pages_section_reads_and_links() -> None:
    """`<<warmup#linear-ramp>>` (no `.adoc`, no text) names the page and links to it."""
    doc = _read("book/book.adoc")
    text = " ".join(p.text for p in doc.passages)
    assert "see warmup;" in text, text
    assert "chapter is here." in text, text
    fragments = {(x.target, x.fragment) for x in doc.links}
    assert ("warmup.adoc", "linear-ramp") in fragments, fragments


def test_tables_asking_for_a_header_and_csv_tables_read_as_tables() -> None:
    doc = _read("book/tables.adoc")
    tables = [p for p in doc.passages if p.kind == "table"]
    joined = "\n".join(p.text for p in tables)
    assert "Optimizer | State per weight\nSGD | nothing\nAdam | two moment estimates" in joined
    assert "Model | Batch\ntiny | 512" in joined, joined
    # a CSV cell quoted around its comma is one cell
    assert "model | tokens seen\nours, small | 3B\nbaseline | 2B" in joined, joined
    text = "\n".join(p.text for p in doc.passages)
    assert "lamb | layer-wise trust ratio" in text, text
    assert "cosine | 3e-4" in text and "cosine,3e-4" not in text, text
    assert ",===" not in text and "|===" not in text, text
    # a header row over lines (a cell a line, `cols="2"`) is no one-column table
    assert "Name | Note" not in text and "rmsprop" in text, text
    # the header row is cited from the table's first line, its rows from their own
    header = next(p for p in tables if p.text.startswith("Optimizer"))
    lines = NOTES["book/tables.adoc"].split("\n")
    assert lines[header.span.start_line - 1] == "|===", header.span
    assert lines[header.span.end_line - 1].startswith("|Adam"), header.span


def test_a_site_generators_placeholder_file_is_no_concept(kb: Any) -> None:
    status = {s.path.split("/notes/", 1)[-1]: s.status for s in kb.sources()}
    assert status["book/toc.adoc"] != "ok" or not any(
        c.label.lower() == "toc" for c in kb.concepts()), status
    assert not any(c.label.lower() == "toc" for c in kb.concepts())
    assert readers.read_file("asciidoc", b"{{ toc }}\n", "book/toc.asc") == []
