"""MediaWiki reader: the rendered-text seed, wikitext files, XML export dumps, hostile input."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from grimoire.errors import ReadError
from grimoire.model import Document, LinkKind, Span
from grimoire.readers import mediawiki
from grimoire.readers.base import decode
from tests.conftest import seed

FIXTURES = Path(__file__).parent / "fixtures" / "mediawiki"
DATED = re.compile(r"\d{4}-\d{2}\b")


def lines_of(span: Span, source: str) -> str:
    return "\n".join(source.split("\n")[span.start_line - 1 : span.end_line])


def read_file(path: Path) -> tuple[Document, str]:
    data = path.read_bytes()
    docs = mediawiki.read(data, str(path))
    assert len(docs) == 1
    return docs[0], decode(data, str(path))


def flatten(tree: list[dict]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for node in tree:
        out.append((node["title"], node["level"]))
        out.extend(flatten(node["children"]))
    return out


# -- the seed: a page saved from the browser as text


@pytest.fixture(scope="module")
def page() -> tuple[Document, str]:
    return read_file(seed("004"))


def test_seed_sniffed_as_mediawiki(page: tuple[Document, str]) -> None:
    path = seed("004")
    assert mediawiki.sniff(decode(path.read_bytes()[:16384], str(path)), str(path))


def test_seed_title_and_revision(page: tuple[Document, str]) -> None:
    doc, _ = page
    assert doc.title == "AI understanding"
    assert doc.format == "mediawiki"
    assert doc.revision is not None
    assert doc.revision.timestamp == "2024-11-25T12:40"
    assert doc.revision.author == "KevinYager"
    assert doc.revision.comment is not None
    assert doc.revision.comment.startswith("Created page with")
    assert doc.meta["site"] == "GISAXS"


def test_seed_navigation_dropped(page: tuple[Document, str]) -> None:
    doc, _ = page
    text = "\n".join(p.text for p in doc.passages)
    for chrome in ("Jump to", "(diff)", "Older revision", "From GISAXS", "Revision as of"):
        assert chrome not in text


def test_seed_sections_in_order_with_tree(page: tuple[Document, str]) -> None:
    doc, source = page
    tree = doc.meta["sections"]
    names = [name for name, _ in flatten(tree)]
    assert names[:4] == ["Interpretability", "Mechanistic Interpretability", "Semanticity",
                         "Reward Functions"]
    assert names.index("Challenges") < names.index("Tests of Resilience to Dropouts/etc.")
    assert names[-1] == "See Also"
    assert len(names) == 21
    # The revision comment quotes `=Interpretability= ==Mechanistic Interpretability==`.
    assert tree[0]["title"] == "Interpretability"
    assert [c["title"] for c in tree[0]["children"]] == ["Mechanistic Interpretability"]
    assert tree[0]["level_from"] == "revision comment"
    assert all(node["level_from"] == "guess" for node in tree[1:])
    for name, line in [(n["title"], n["line"]) for n in tree]:
        assert source.split("\n")[line - 1].strip() == name
    # "Task vectors:" and the long "Directions ..." line are text, not headings.
    assert "Task vectors:" not in names


def test_seed_dated_items(page: tuple[Document, str]) -> None:
    doc, source = page
    items = doc.meta["dated_items"]
    assert len(items) == 3
    assert [i["date"] for i in items] == ["2024-02", "2024-06", "2024-06"]
    lines = source.split("\n")
    for item in items:
        assert item["text"] in lines[item["line"] - 1]
        assert item["date"] in lines[item["line"] - 1]
        assert item["section"] == ["Tests of Resilience to Dropouts/etc."]
    bullets = [ln for ln in lines if ln.strip().startswith("•")]
    assert sum(1 for ln in bullets if DATED.match(ln.strip("• ").strip())) == len(items)


def test_seed_list_keeps_items_and_nesting(page: tuple[Document, str]) -> None:
    doc, source = page
    lists = [p for p in doc.passages if p.kind == "list"]
    assert len(lists) == 1
    text = lists[0].text
    assert lists[0].heading_path == ("Tests of Resilience to Dropouts/etc.",)
    assert text.count("\n") == 13  # 14 items, one per line
    assert text.startswith("• 2024-02: ")
    assert "\n  • Removing MLP layers" in text
    assert "\n    • Detokenization:" in text  # third level
    assert "Detokenization" in lines_of(lists[0].span, source)
    assert lists[0].span.start_line == 44 and lists[0].span.end_line == 57


def test_seed_image_and_passages(page: tuple[Document, str]) -> None:
    doc, source = page
    images = [i for p in doc.passages for i in p.images]
    assert [i.target for i in images] == ["GYe31yXXQAABwaZ.jpeg"]
    assert "GYe31yXXQAABwaZ.jpeg" in lines_of(images[0].span, source)
    image_passage = next(p for p in doc.passages if p.images)
    assert image_passage.heading_path == ("Challenges",)
    for p in doc.passages:
        first_words = p.text.split("\n")[0].lstrip("• ")[:20]
        assert first_words in lines_of(p.span, source)
    directions = next(p for p in doc.passages if "f(queen)" in p.text)
    assert directions.heading_path == ("Semantic Directions",)
    assert doc.entries == ()  # no lead text before the first heading


def test_rendered_page_variants() -> None:
    text = (
        "Perplexity\n\nFrom LabWiki\nJump to navigation\nJump to search\n\n"
        "Perplexity measures how surprised a model is.\n\nDefinition\n\n"
        "  • 2023-01-05: a dated note\n\nSee also\n\n  • Entropy\n  • Cross entropy\n\n"
        'Retrieved from "https://wiki.example.org/Perplexity"\nCategories: Metrics | NLP\n'
        "Navigation menu\nPersonal tools\n"
    )
    assert mediawiki.sniff(text, "page.txt")
    (doc,) = mediawiki.read(text.encode(), "page.txt")
    assert doc.title == "Perplexity"
    assert doc.revision is None
    assert doc.tags == ("Metrics", "NLP")
    assert doc.meta["source_url"] == "https://wiki.example.org/Perplexity"
    assert [e.term for e in doc.entries] == ["Perplexity"]
    assert doc.entries[0].definition == "Perplexity measures how surprised a model is."
    assert doc.entries[0].span.start_line == 7
    see = [link for link in doc.links if link.kind is LinkKind.SEE_ALSO]
    assert [link.target for link in see] == ["Entropy", "Cross entropy"]
    assert [s.start_line for s in (link.span for link in see)] == [15, 16]
    assert doc.meta["dated_items"][0]["date"] == "2023-01-05"
    assert "Personal tools" not in "\n".join(p.text for p in doc.passages)
    # No levels known: every heading is flat, at level 2.
    assert flatten(doc.meta["sections"]) == [("Definition", 2), ("See also", 2)]


# -- sniffing


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_sniff_rejects_other_seeds(prefix: str) -> None:
    path = seed(prefix)
    assert not mediawiki.sniff(decode(path.read_bytes()[:16384], str(path)), str(path))


def test_sniff_rejects_corpora(corpora: Path) -> None:
    hits = []
    for path in sorted(corpora.rglob("*")):
        if not path.is_file() or path.suffix not in {".md", ".rst", ".html", ".txt", ".json"}:
            continue
        if mediawiki.sniff(decode(path.read_bytes()[:16384], str(path)), str(path)):
            hits.append(path.name)
    assert hits == []


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("== Intro ==\nSome '''bold''' text with [[a link]].", True),
        ("#REDIRECT [[Target]]", True),
        ("{{Infobox x\n| a = b}}\n'''Term''' is a thing.", True),
        ("Notes with [[Wikilink]] and [[Another|alias]] only.", False),  # an Obsidian note
        ('def f():\n    \'\'\'\n    docstring\n    \'\'\'\n', False),
        ("$({{1 \\over 30} + {1 \\over 50}})$", False),
        ("$${{a \\over b}}$$ and [[Note]]", False),
        ('<?xml version="1.0"?>\n<mediawiki xmlns="x"></mediawiki>', True),
        ("=" * 40 + "\nTitle\n" + "=" * 40, False),  # reStructuredText
    ],
)
def test_sniff_marks(head: str, expected: bool) -> None:
    assert mediawiki.sniff(head, "x.txt") is expected


# -- wikitext


@pytest.fixture(scope="module")
def wiki() -> tuple[Document, str]:
    return read_file(FIXTURES / "Attention_mechanism.wiki")


def test_wikitext_sections(wiki: tuple[Document, str]) -> None:
    doc, _ = wiki
    assert doc.title == "Attention mechanism"
    assert flatten(doc.meta["sections"]) == [
        ("Scaled dot-product", 2), ("Variants", 3), ("Glossary", 2), ("See also", 2)
    ]
    paths = [p.heading_path for p in doc.passages]
    assert paths[0] == ()
    assert ("Scaled dot-product", "Variants") in paths


def test_wikitext_text_is_clean(wiki: tuple[Document, str]) -> None:
    doc, _ = wiki
    text = "\n".join(p.text for p in doc.passages)
    for markup in ("{{", "}}", "[[", "]]", "'''", "''", "<ref", "<math", "Infobox",
                   "Short description", "wikitable", "|-", "Category:Machine"):
        assert markup not in text, markup
    lead = doc.passages[0]
    assert lead.text.startswith("An attention mechanism lets a model weigh parts of its input")
    assert "as in the Transformer." in lead.text
    for p in doc.passages:
        assert p.text
        assert p.span.start_line >= 6  # the templates above the lead are dropped


def test_wikitext_links(wiki: tuple[Document, str]) -> None:
    doc, source = wiki
    by_target = {link.target: link for link in doc.links}
    transformer = by_target["Transformer (deep learning)"]
    assert transformer.kind is LinkKind.WIKILINK
    assert transformer.label == "Transformer"
    assert "[[Transformer (deep learning)|Transformer]]" in lines_of(transformer.span, source)
    assert by_target["Big O notation"].label == "O(n²)"
    assert by_target["https://example.org/attention"].kind is LinkKind.URL
    assert by_target["https://example.org/attention"].label == "the notes"
    wikipedia = by_target["https://en.wikipedia.org/wiki/Attention_(machine_learning)"]
    assert wikipedia.kind is LinkKind.URL
    assert by_target["Self-attention"].kind is LinkKind.SEE_ALSO
    # `[[:Category:X]]` is a link to the category page, not a tag of this one.
    assert by_target["Category:Neural networks"].kind is LinkKind.SEE_ALSO
    assert "de:Aufmerksamkeit" not in by_target
    assert doc.meta["interlanguage"] == ["de:Aufmerksamkeit"]
    for link in doc.links:
        assert (link.label or link.target.rpartition("/")[2][:9]) in lines_of(link.span, source)


def test_wikitext_categories_math_refs_images(wiki: tuple[Document, str]) -> None:
    doc, source = wiki
    assert doc.tags == ("Machine learning", "Neural networks")
    math = [m for p in doc.passages for m in p.math]
    assert [m.tex for m in math] == [r"\operatorname{softmax}(QK^T/\sqrt{d_k})", r"1/\sqrt{d_k}"]
    assert all(f"${m.tex}$" in "\n".join(p.text for p in doc.passages) for m in math)
    assert all(m.tex in lines_of(m.span, source) for m in math)
    refs = [r for p in doc.passages for r in p.references]
    assert ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762") in [
        (r.label, r.url) for r in refs
    ]
    assert len({r.url for r in refs}) == len(refs)
    (image,) = [i for p in doc.passages for i in p.images]
    assert image.target == "Attention diagram.png"
    assert image.caption == "The query meets the keys"
    assert image.width == 300
    assert "Attention diagram.png" in lines_of(image.span, source)
    caption = next(p for p in doc.passages if p.images)
    assert caption.text.startswith("The query meets the keys\n\nScores are scaled")


def test_wikitext_lists_tables_entries(wiki: tuple[Document, str]) -> None:
    doc, source = wiki
    variants = next(p for p in doc.passages if p.heading_path[-1:] == ("Variants",))
    assert variants.kind == "list"
    assert variants.text.split("\n") == [
        "• Additive attention",
        "  • uses a small feed-forward network",
        "• Multiplicative attention",
        "1. first step",
        "2. second step",
    ]
    table = next(p for p in doc.passages if p.kind == "table")
    assert table.text == "Name | Cost\ndot | O(n²)"
    entries = {e.term: e for e in doc.entries}
    assert set(entries) == {"Attention mechanism", "Query", "Key"}
    assert entries["Query"].definition == "The vector that asks."
    assert entries["Key"].definition == "The vector that is matched."
    assert "Key" in lines_of(entries["Key"].span, source)
    lead = entries["Attention mechanism"]
    assert lead.definition.startswith("An attention mechanism")
    assert [link.target for link in lead.links] == ["Transformer (deep learning)"]
    assert lead.span == Span(lead.span.path, 6, 7)


def test_redirect_entry() -> None:
    doc, _ = read_file(FIXTURES / "Attention.wiki")
    (entry,) = doc.entries
    assert entry.term == "Attention"
    assert entry.redirect == "Attention mechanism"
    assert entry.links[0].fragment == "Scaled dot-product"
    assert entry.span.start_line == 1
    assert doc.tags == ("Redirects",)
    assert doc.passages == ()


def test_crlf_and_bom_same_as_lf() -> None:
    data = (FIXTURES / "Attention_mechanism.wiki").read_bytes()
    (lf,) = mediawiki.read(data, "a.wiki")
    (crlf,) = mediawiki.read(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"), "a.wiki")
    assert crlf.passages == lf.passages
    assert crlf.entries == lf.entries


def test_template_flood_falls_back_to_text() -> None:
    (doc,) = mediawiki.read(b"{{" * 16000, "flood.wiki")
    assert len(doc.problems) == 1
    assert "plain text" in doc.problems[0].message
    assert doc.problems[0].span.start_line == 1


@pytest.mark.parametrize("unit", ["{{a|", "{{a|b=", "[[a|", "<ref>", "[http://a ", "<math></b>"])
def test_unclosed_constructs_fall_back(unit: str) -> None:
    # Each of these takes mwparserfromhell tens of seconds at this size (#364).
    body = "== Heading ==\nSome text.\n" + unit * 8000
    (doc,) = mediawiki.read(body.encode(), "bad.wiki")
    assert any("kept as plain text" in p.message for p in doc.problems)
    assert doc.passages[0].heading_path == ("Heading",)
    assert doc.passages[0].text.startswith("Some text.")


def test_pathological_lines() -> None:
    for line in ("[[" * 50000, "'" * 100000 + "x", " " * 100000 + "$", "=" * 100000,
                 "Revision as of 1:00, 1 May 2024 by " + " (talk | contribs)" * 5000):
        assert isinstance(mediawiki.sniff(line[:16384], "x.txt"), bool)
        docs = mediawiki.read(line.encode(), "x.wiki")
        assert len(docs) == 1


# -- XML export dumps


@pytest.fixture(scope="module")
def dump() -> tuple[list[Document], str]:
    path = FIXTURES / "labwiki-dump.xml"
    data = path.read_bytes()
    return mediawiki.read(data, str(path)), decode(data, str(path))


def test_dump_pages_from_latest_revision(dump: tuple[list[Document], str]) -> None:
    docs, _ = dump
    assert [(d.title, d.page) for d in docs] == [("Dropout", "Dropout"),
                                                 ("Weight decay", "Weight decay")]
    dropout, decay = docs
    assert dropout.revision is not None
    assert dropout.revision.timestamp == "2024-05-20T14:05:09Z"
    assert dropout.revision.author == "Bob"
    assert dropout.revision.comment == "rewrite with math & links"
    assert dropout.meta["revisions"] == 3
    assert dropout.meta["site"] == "LabWiki"
    assert decay.meta["revisions"] == 1
    assert decay.revision is not None and decay.revision.author == "Carol"
    text = "\n".join(p.text for p in dropout.passages)
    assert "draft" not in text
    assert text.startswith("Dropout is a regularization method")
    assert dropout.tags == ("Regularization",)
    assert all(d.path.endswith("labwiki-dump.xml") for d in docs)


def test_dump_lines_are_lines_of_the_xml_file(dump: tuple[list[Document], str]) -> None:
    docs, source = dump
    dropout, decay = docs
    inference = next(p for p in dropout.passages if p.heading_path == ("At inference",))
    assert "Activations are scaled" in lines_of(inference.span, source)
    for d in docs:
        for p in d.passages:
            for mark in (*p.links, *p.math):
                needle = mark.target if hasattr(mark, "target") else mark.tex
                assert needle.split("|")[0][:6] in lines_of(mark.span, source)
    entries = {e.term: e for e in decay.entries}
    # `&#10;` is a newline in the wikitext but not in the file: lines after it still match.
    assert "Decay rate" in lines_of(entries["Decay rate"].span, source)
    assert entries["Decay rate"].definition == r"The factor $\lambda$."
    assert entries["Weight decay"].definition.startswith("Weight decay adds")


def test_dump_author_ip_and_latest_by_timestamp() -> None:
    xml = (
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/">\n<page>\n<title>T</title>\n'
        "<revision><timestamp>2024-02-01T00:00:00Z</timestamp><contributor><ip>192.0.2.1</ip>"
        '</contributor><text xml:space="preserve">newer</text></revision>\n'
        "<revision><timestamp>2023-01-01T00:00:00Z</timestamp><contributor><username>Old"
        '</username></contributor><text xml:space="preserve">older</text></revision>\n'
        "</page>\n</mediawiki>\n"
    )
    (doc,) = mediawiki.read(xml.encode("utf-16"), "d.xml")
    assert doc.revision is not None
    assert (doc.revision.author, doc.revision.timestamp) == ("192.0.2.1", "2024-02-01T00:00:00Z")
    assert doc.passages[0].text == "newer"
    assert doc.passages[0].span.start_line == 4


def test_truncated_dump_keeps_earlier_pages() -> None:
    source = (FIXTURES / "labwiki-dump.xml").read_text()
    cut = source[: source.index("It is [[L2")]
    (doc,) = mediawiki.read(cut.encode(), "cut.xml")
    assert doc.title == "Dropout"
    (problem,) = doc.problems
    assert "Weight decay" in problem.message
    assert problem.span.start_line == cut.count("\n") + 1


def test_truncated_first_page_raises() -> None:
    source = (FIXTURES / "labwiki-dump.xml").read_text()
    cut = source[: source.index("<comment>typo")]
    with pytest.raises(ReadError) as info:
        mediawiki.read(cut.encode(), "cut.xml")
    assert info.value.path == "cut.xml"
    assert "Dropout" in str(info.value)
    assert info.value.line == cut.count("\n") + 1


def test_misnested_dump() -> None:
    source = (FIXTURES / "labwiki-dump.xml").read_text()
    broken = source.replace("<title>Weight decay</title>", "<title>Weight decay</ns>")
    docs = mediawiki.read(broken.encode(), "bad.xml")
    assert [d.title for d in docs] == ["Dropout"]
    assert "mismatched tag" in docs[0].problems[-1].message
    line = broken.split("\n")[docs[0].problems[-1].span.start_line - 1]
    assert "Weight decay" in line


def test_billion_laughs_refused() -> None:
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE mediawiki [<!ENTITY lol0 "lol">{lol}]>\n'
           "<mediawiki><page><title>&lol9;</title></page></mediawiki>")
    with pytest.raises(ReadError) as info:
        mediawiki.read(xml.encode(), "bomb.xml")
    assert info.value.path == "bomb.xml"
    assert "refused" in str(info.value)


def test_xxe_refused_and_no_file_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
           "<mediawiki><page><title>A</title><revision><text>&x;</text></revision></page>"
           "</mediawiki>")
    with pytest.raises(ReadError) as info:
        mediawiki.read(xml.encode(), "xxe.xml")
    assert "TOP-SECRET-VALUE" not in str(info.value)
    assert info.value.line == 2


def test_external_dtd_refused_without_network() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/evil.dtd"
        xml = (f'<?xml version="1.0"?>\n<!DOCTYPE mediawiki SYSTEM "{url}">\n'
               "<mediawiki><page><title>A</title></page></mediawiki>")
        with pytest.raises(ReadError):
            mediawiki.read(xml.encode(), "dtd.xml")
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected


def test_xml_that_is_not_a_dump() -> None:
    with pytest.raises(ReadError, match="not <mediawiki>"):
        mediawiki.read(b'<?xml version="1.0"?>\n<rss><channel/></rss>', "feed.xml")
