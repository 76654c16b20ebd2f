"""The Markdown reader on the seeds, the corpora and hostile inline cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grimoire.model import Document, LinkKind, Span
from grimoire.readers import markdown
from grimoire.readers.base import decode


def read(text: str, path: str = "note.md") -> Document:
    return markdown.read(text.encode("utf-8"), path)[0]


def lines_of(path: Path) -> list[str]:
    return decode(path.read_bytes(), str(path)).split("\n")


def cited(lines: list[str], span: Span) -> str:
    return "\n".join(lines[span.start_line - 1 : span.end_line])


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{4,}", text)


# --------------------------------------------------------------------------- seed 001


@pytest.fixture(scope="module")
def post(seeds: Path) -> tuple[Document, list[str]]:
    path = next(seeds.glob("001_*.txt"))
    return markdown.read(path.read_bytes(), str(path))[0], lines_of(path)


def test_seed_001_front_matter(post: tuple[Document, list[str]]) -> None:
    doc, _ = post
    assert doc.title == "Axiom Futures AI Safety Week 1 Notes"
    assert doc.tags == ("Machine Learning", "AI Safety")
    assert doc.meta["layout"] == "post"
    assert doc.entries == ()  # a blog post is not a glossary


def test_seed_001_sections_and_spans(post: tuple[Document, list[str]]) -> None:
    doc, lines = post
    paths = {p.heading_path for p in doc.passages}
    assert ("2.LLM video notes:", "Training an LLM") in paths
    assert ("Exercise solutions:",) in paths
    for p in doc.passages:
        source = cited(lines, p.span)
        # every word of the passage is on the cited lines
        for w in words(p.text)[:30]:
            assert w in source, (w, p.span)
        assert len(p.text) <= markdown.MAX_PASSAGE_CHARS
    kinds = {p.kind for p in doc.passages}
    assert {"text", "list"} <= kinds


def test_seed_001_math_links_and_unclosed_fence(post: tuple[Document, list[str]]) -> None:
    doc, lines = post
    math = [m for p in doc.passages for m in p.math]
    assert any(r"\mathbb{R}^n" in m.tex for m in math)
    for m in math:
        assert m.tex.split("{")[0][:5] in cited(lines, m.span)
    urls = [x for x in doc.links if x.kind == LinkKind.URL]
    assert any("aircAruvnKk" in x.target and x.label == "video1" for x in urls)
    fence = [p for p in doc.problems if "unclosed code fence" in p.message]
    assert len(fence) == 1 and lines[fence[0].span.start_line - 1].startswith("```")


# --------------------------------------------------------------------------- corpora


def test_ml_glossary_terms(corpora: Path) -> None:
    folder = corpora / "ml-glossary-terms" / "terms"
    files = sorted(folder.glob("*.md"))
    entries = []
    for f in files:
        doc = markdown.read(f.read_bytes(), str(f))[0]
        assert len(doc.entries) == 1, f
        assert doc.entries[0].term == doc.meta["title"].strip()
        entries.append((f, doc.entries[0]))
    assert len(entries) == len(files) > 300
    by_name = {f.stem: e for f, e in entries}
    one = by_name["1x1-convolution"]
    assert [r.url for r in one.references] == [
        "https://arxiv.org/abs/1312.4400",
        "http://www.cs.unc.edu/~wliu/papers/GoogLeNet.pdf",
    ]
    assert {x.target for x in one.see_also} == {
        "convolutional-neural-network-cnn",
        "convolution",
        "filter-convolution",
    }
    assert all(x.kind == LinkKind.RELATED for x in one.see_also)
    lines = lines_of(folder / "1x1-convolution.md")
    for x in one.see_also:
        assert x.target in lines[x.span.start_line - 1]
    for r in one.references:
        assert "link_title" in lines[r.span.start_line - 1]
    assert by_name["backprop"].redirect == "backpropagation"
    stub = by_name["bayesian-optimization"]
    assert stub.definition == "" and len(stub.see_also) == 2
    assert "$1 \\times 1$" in one.definition


def test_hf_glossary_headings_are_entries(corpora: Path) -> None:
    path = corpora / "hf-docs" / "transformers" / "glossary.md"
    doc = markdown.read(path.read_bytes(), str(path))[0]
    terms = {e.term: e for e in doc.entries}
    assert len(terms) > 40
    assert "attention mask" in terms and "A" not in terms and "Glossary" not in terms
    assert terms["attention mask"].definition.startswith("The attention mask is")
    lines = lines_of(path)
    for e in doc.entries:
        assert (
            lines[e.span.start_line - 1] == f"### {e.term}"
            or e.term in lines[e.span.start_line - 1]
        )
    # `[`BertTokenizer`]` is a documentation-site API reference, not bracketed text
    assert "[BertTokenizer]" not in terms["attention mask"].definition
    assert any(
        x.kind == LinkKind.API and x.target == "BertTokenizer"
        for x in terms["attention mask"].links
    )


def test_hf_docs_have_no_markup_left(corpora: Path) -> None:
    files = sorted((corpora / "hf-docs").rglob("*.md"))
    assert len(files) >= 10
    for f in files:
        doc = markdown.read(f.read_bytes(), str(f))[0]
        assert doc.passages, f
        for p in doc.passages:
            for mark in (
                "<Tip",
                "[[autodoc]]",
                "<!--",
                "<hfoption",
                "<Youtube",
                "[!TIP]",
                "[!NOTE]",
            ):
                assert mark not in p.text, (f, mark, p.span)
            if p.kind != "code":
                assert not re.search(r"</?(div|img|iframe|small|a|Tip)\b", p.text), (f, p.span)
        if "peft" in f.parts or "trl" in f.parts:
            # Articles: at most the page's own short H1 is a term, defined by the lead section
            # only; other entries are sections that define their heading, each with its reason.
            sections = [e for e in doc.entries if e.reason is not None]
            assert all(e.reason.startswith("section") for e in sections), f
            assert len(doc.entries) - len(sections) <= 1, f
            for entry in doc.entries:
                if entry.reason is not None:
                    continue
                assert entry.term == doc.title, f
                assert f"# {entry.term}" in f.read_text(encoding="utf-8").splitlines()[
                    entry.span.start_line - 1], f
    dpo = corpora / "hf-docs" / "trl" / "dpo_trainer.md"
    doc = markdown.read(dpo.read_bytes(), str(dpo))[0]
    api = {x.target for x in doc.links if x.kind == LinkKind.API}
    assert {"DPOTrainer", "DPOConfig"} <= api
    # `[[autodoc]] DPOTrainer` lists members (`    - train`): they are not references of their own
    assert not any(t.startswith("-") or t == "train" for t in api)


def test_hf_doubled_backslash_math(corpora: Path) -> None:
    path = corpora / "hf-docs" / "transformers" / "perplexity.md"
    doc = markdown.read(path.read_bytes(), str(path))[0]
    texts = "\n".join(p.text for p in doc.passages)
    assert "$x_{<i}$" in texts and "\\\\(" not in texts
    assert any(m.display and "PPL" in m.tex for p in doc.passages for m in p.math)


# --------------------------------------------------------------------------- inline fixtures


def test_title_fallbacks() -> None:
    assert read("# Heading One\n\ntext\n").title == "Heading One"
    assert read("just text\n", "dir/my-note.md").title == "my-note"
    doc = read("---\ntitle: [a, b]\n---\n# H\n")
    assert doc.title == "H" and any("title" in p.message for p in doc.problems)


def test_crlf_and_bom_give_the_same_document() -> None:
    text = "---\ntitle: T\ntags: x, y\n---\n# H\n\nPara $a+b$ [l](other.md#sec).\n"
    lf = markdown.read(text.encode(), "n.md")[0]
    crlf = markdown.read(text.replace("\n", "\r\n").encode(), "n.md")[0]
    bom = markdown.read(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), "n.md")[0]
    assert lf == crlf == bom
    assert lf.title == "T" and lf.tags == ("x", "y")
    link = lf.passages[0].links[0]
    assert (link.target, link.kind, link.fragment, link.span.start_line) == (
        "other",
        LinkKind.MARKDOWN,
        "sec",
        7,
    )
    assert lf.passages[0].span.start_line == 7


def test_front_matter_problems_keep_the_body() -> None:
    doc = read("---\ntitle: x\nno closing fence\n\nBody text here.\n")
    assert any("unclosed front matter" in p.message for p in doc.problems)
    assert any("Body text here." in p.text for p in doc.passages)
    evil = read("---\ntitle: x\nrun: !!python/object/apply:os.system ['true']\n---\nBody.\n")
    assert [p.span.start_line for p in evil.problems if "invalid front matter" in p.message] == [3]
    assert evil.meta == {} and evil.passages[0].text == "Body."
    assert evil.passages[0].span.start_line == 5


def test_yaml_alias_bomb_is_refused() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for k in range(1, 9):
        prev, name_ = chr(ord("a") + k - 1), chr(ord("a") + k)
        levels.append(f"{name_}: &{name_} [" + ", ".join([f"*{prev}"] * 9) + "]")
    doc = read("---\n" + "\n".join(levels) + "\n---\nok\n")  # expanded, it would not end
    assert doc.meta == {} and any("invalid front matter" in p.message for p in doc.problems)
    many = read("---\n" + "".join(f"k{i}: &a{i} v\nr{i}: *a{i}\n" for i in range(80)) + "---\nok\n")
    assert any("anchors" in p.message for p in many.problems)


def test_toml_front_matter_and_dates() -> None:
    doc = read('+++\ntitle = "Hugo note"\ndate = 2024-01-02\n+++\nBody.\n')
    assert doc.title == "Hugo note" and doc.meta["date"] == "2024-01-02"
    doc = read("---\ntitle: Y\ndate: 2024-01-02 10:00:00\n---\nBody.\n")
    assert doc.meta["date"].startswith("2024-01-02")


def test_dangerous_links_dropped_label_kept() -> None:
    doc = read(
        "[click](javascript:alert(1)) [x](JaVaScRiPt:alert(1)) [d](data:text/html,hi) "
        "[ok](https://example.org)\n\n<script>alert('no')</script>\n\n<style>p{}</style>\n"
    )
    text = " ".join(p.text for p in doc.passages)
    assert "click" in text and "alert" not in text and "p{}" not in text
    assert [x.target for x in doc.links] == ["https://example.org"]


def test_html_and_mdx_reduce_to_text() -> None:
    doc = read(
        "<!--Copyright\nline two\n-->\n\n# T\n\n"
        "<Tip warning={true}>\n\nInner tip text.\n\n</Tip>\n\n"
        '<div class="x">\n  <b>bold</b> &amp; <a href="https://e.org/p">linked</a>\n</div>\n\n'
        "> [!NOTE]\n> Callout body.\n\n[[autodoc]] pkg.Thing\n"
    )
    texts = [p.text for p in doc.passages]
    assert texts[0] == "Inner tip text.\n\nbold & linked"
    assert doc.passages[0].span == Span("note.md", 9, 14)
    assert "Callout body." in texts
    assert not any("Copyright" in t or "autodoc" in t or "<" in t for t in texts)
    assert {(x.target, x.kind) for x in doc.links} >= {
        ("https://e.org/p", LinkKind.URL),
        ("Thing", LinkKind.API),  # the package is dropped, the class kept
    }


def test_glossary_rule_and_redirects() -> None:
    doc = read(
        "# My Glossary\n\n## B\n\n### bias\n\nA constant added to a sum.\n\n"
        "### BN\n\nSee [batch norm](#batch-norm).\n\n### batch norm\n\nNormalising activations.\n"
    )
    terms = {e.term: e for e in doc.entries}
    assert set(terms) == {"bias", "BN", "batch norm"}
    assert terms["BN"].redirect == "batch norm"
    assert terms["bias"].span.start_line == 5 and terms["bias"].span.end_line == 7
    article = read("# Guide\n\n## Setup\n\nInstall it.\n\n## Usage\n\nRun it.\n")
    assert article.entries == ()


def test_code_lists_tables_and_splitting() -> None:
    body = "\n\n".join(f"Paragraph {i} " + "word " * 60 for i in range(12))
    doc = read(
        "# H\n\n```python\nx = 1\n```\n\n- one\n  - two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        + body
    )
    kinds = [p.kind for p in doc.passages]
    assert kinds[:3] == ["code", "list", "table"]
    assert doc.passages[0].text == "x = 1" and doc.passages[0].span.start_line == 4
    assert doc.passages[1].text == "- one\n  - two"
    assert doc.passages[2].text == "a | b\n1 | 2"
    assert all(len(p.text) <= markdown.MAX_PASSAGE_CHARS for p in doc.passages)
    assert sum(p.kind == "text" for p in doc.passages) >= 3


@pytest.mark.parametrize(
    "hostile",
    [
        "[]:0" + " " * 4321 + "0",
        "```" + " " * 4321,
        "`" * 5000 + "x" + "``" * 3000,
        '[]( "' * 800,
        " " * 100000 + "$",
        "[[" * 20000,
        "\\(" * 30000,
        "<!--" * 20000,
        "$a " * 30000,
    ],
)
def test_pathological_input_is_read(hostile: str) -> None:
    # That such input costs time linear in its size is asserted by ratio, not by the clock,
    # in tests/hostile/test_linear.py (its "markdown-pathological-*" shapes).
    doc = read(hostile)
    assert doc.path == "note.md"


def test_sniff_on_the_seeds(seeds: Path) -> None:
    verdicts = {}
    for f in sorted(seeds.glob("*.txt")):
        verdicts[f.name[:3]] = markdown.sniff(decode(f.read_bytes()[:16384], str(f)), str(f))
    assert verdicts == {"000": False, "001": True, "002": False, "003": False, "004": False}


def test_a_paragraph_on_one_long_line_is_cut_between_sentences() -> None:
    # Editors that do not wrap write a paragraph as one line; a cut inside a sentence split
    # it over two passages, and neither could be found or quoted whole.
    sentences = [
        f"Sentence {i} says that the {'quick ' * (i % 7)}model learns from example number {i}."
        for i in range(60)
    ]
    doc = read("# Title\n\n" + " ".join(sentences) + "\n")
    assert len(doc.passages) > 2
    texts = [p.text for p in doc.passages]
    for text in texts:
        assert text.endswith(".") and len(text) <= 2000, text[-40:]
    for sentence in sentences:
        assert any(sentence in text for text in texts), sentence
