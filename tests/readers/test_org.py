"""The Org-mode reader on fixtures/org (written for these tests) and small inline cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.model import Document, Image, LinkKind
from grimoire.readers import detect, org, sniff_head

FIXTURES = Path(__file__).parent / "fixtures" / "org"


def read_fixture(name: str) -> tuple[Document, list[str]]:
    path = FIXTURES / name
    data = path.read_bytes()
    return org.read(data, str(path))[0], data.decode().split("\n")


def read(text: str, path: str = "note.org") -> Document:
    return org.read(text.encode(), path)[0]


@pytest.fixture(scope="module")
def notes() -> tuple[Document, list[str]]:
    return read_fixture("transformer-notes.org")


def test_title_keywords_and_tags(notes: tuple[Document, list[str]]) -> None:
    doc, _ = notes
    assert doc.format == "org"
    assert doc.title == "Transformer notes"
    assert doc.meta["author"] == "A. Student"
    assert doc.tags == ("ml", "nlp", "attention")  # #+FILETAGS, then heading tags


def test_headings_keep_their_path_without_todo_priority_or_tags(
    notes: tuple[Document, list[str]],
) -> None:
    doc, lines = notes
    paths = {p.heading_path for p in doc.passages}
    assert ("Glossary", "Self-Attention") in paths
    assert ("Glossary", "Positional Encoding") in paths
    for passage in doc.passages:
        words = passage.text.split()[:1]
        if words and passage.kind == "text":
            assert words[0] in lines[passage.span.start_line - 1]


def test_glossary_headings_are_entries_with_their_aliases(
    notes: tuple[Document, list[str]],
) -> None:
    doc, lines = notes
    entries = {e.term: e for e in doc.entries}
    assert set(entries) == {"Self-Attention", "Positional Encoding"}
    attention = entries["Self-Attention"]
    assert attention.aliases == ("Intra-Attention", "SA")
    assert attention.definition.startswith("Self-attention lets every position")
    assert lines[attention.span.start_line - 1].startswith("** Self-Attention")
    assert ":PROPERTIES:" not in attention.definition and "CREATED" not in attention.definition
    encoding = entries["Positional Encoding"]
    assert "SCHEDULED" not in encoding.definition and "State" not in encoding.definition
    assert "since attention alone" in encoding.definition  # /since/ lost its markers
    assert doc.meta["heading_properties"]["Self-Attention"]["CREATED"] == "[2024-03-02 Sat]"


def test_latex_fragments_are_math(notes: tuple[Document, list[str]]) -> None:
    doc, _ = notes
    math = [m for p in doc.passages for m in p.math]
    inline = [m.tex for m in math if not m.display]
    assert r"\mathrm{softmax}(QK^\top / \sqrt{d_k})" in inline
    assert r"\sqrt{d_k}" in inline
    (display,) = [m for m in math if m.display]
    assert display.tex.startswith(r"\begin{equation}") and display.tex.endswith(r"\end{equation}")
    texts = "\n".join(p.text for p in doc.passages)
    assert r"$\sqrt{d_k}$" in texts and r"\(" not in texts


def test_links_by_kind(notes: tuple[Document, list[str]]) -> None:
    doc, _ = notes
    links = {(x.target, x.kind, x.fragment, x.label) for x in doc.links}
    assert ("https://arxiv.org/abs/1706.03762", LinkKind.URL, None,
            "Attention Is All You Need") in links
    assert ("Layer Normalization", LinkKind.WIKILINK, None, None) in links
    assert ("lora.org", LinkKind.MARKDOWN, "Low-rank update", "the LoRA note") in links
    texts = "\n".join(p.text for p in doc.passages)
    assert "see the LoRA note." in texts and "[[" not in texts


def test_blocks_tables_lists_images_and_what_is_not_text(
    notes: tuple[Document, list[str]],
) -> None:
    doc, _ = notes
    kinds = {p.kind: p for p in doc.passages}
    assert kinds["code"].text.startswith("def attention(q, k, v):")
    assert kinds["table"].text == "model | layers | heads\nbase | 6 | 8"
    assert kinds["list"].text.startswith("- d_model: the width")
    assert kinds["quote"].text == "Attention is all you need."
    images = [i for p in doc.passages for i in p.images]
    assert [i.target for i in images] == ["img/attention-heads.png"]
    texts = "\n".join(p.text for p in doc.passages)
    for absent in ("private remark", "commented out", "Neither must this", "#+BEGIN", "STARTUP",
                   "*scaled*"):
        assert absent not in texts


def test_org_roam_note_is_one_entry_with_its_aliases() -> None:
    doc, _ = read_fixture("lora.org")
    assert doc.title == "LoRA"
    (entry,) = doc.entries
    assert entry.term == "LoRA" and entry.aliases == ("Low-Rank Adaptation",)
    assert r"\Delta W = BA" in {m.tex for m in entry.math}
    (link,) = doc.links
    assert (link.target, link.kind) == ("Adapters", LinkKind.WIKILINK)  # an id: link by label


def test_a_note_opening_with_its_heading_is_an_entry() -> None:
    doc, _ = read_fixture("dropout.org")
    assert doc.title == "Dropout"
    (entry,) = doc.entries
    assert entry.term == "Dropout" and entry.definition.startswith("Dropout zeroes")
    assert "ensemble" not in entry.definition  # the lead section only
    assert (entry.span.start_line, entry.span.end_line) == (1, 3)


def test_inline_cases() -> None:
    doc = read(
        "#+TODO: TODO WAIT(w@) | DONE CANCELLED\n"
        "* WAIT [#B] Beam Search [1/2]  :decoding:\n"
        "Keeps the $k$ best partial sequences; cost is =O(k n)=.\n"
        "[[./beam.svg]] [[elisp:(foo)][run me]] [[#ranking][ranking]] $5 and $6 are prices.\n"
    )
    assert doc.passages[0].heading_path == ("Beam Search",)
    text = doc.passages[0].text
    assert "cost is O(k n)." in text and "run me" in text and "$5 and $6" in text
    assert [m.tex for m in doc.passages[0].math] == ["k"]
    marks = doc.passages[0].links + doc.passages[0].images
    assert Image("./beam.svg", doc.passages[0].images[0].span) in marks
    assert any(x.kind == LinkKind.MARKDOWN and x.fragment == "ranking" for x in doc.links)


def test_unclosed_blocks_and_drawers_are_problems_and_reading_goes_on() -> None:
    doc = read("* A\n:PROPERTIES:\n:ID: 1\n* B\nText.\n#+BEGIN_SRC python\nx = 1\n")
    messages = [(p.message, p.span.start_line) for p in doc.problems]
    assert messages == [
        ("unclosed drawer :PROPERTIES:", 2),
        ("unclosed #+BEGIN_SRC: read to the end of the file", 6),
    ]
    assert [p.kind for p in doc.passages][-1] == "code"
    assert any(p.text == "Text." for p in doc.passages)


def test_org_is_detected_by_extension_and_by_content() -> None:
    data = (FIXTURES / "transformer-notes.org").read_bytes()
    for path in ("notes.org", "notes.txt"):
        reader = detect(path, sniff_head(data, path))
        assert reader is not None and reader.name == "org"
    plain = b"Just a paragraph.\n\nAnother one with * a star.\n"
    reader = detect("plain.txt", sniff_head(plain, "plain.txt"))
    assert reader is not None and reader.name != "org"
