"""The plain-text glossary reader on seeds 000 (term-paragraph) and 003 (term-hash)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.errors import ReadError
from grimoire.model import Document, Entry, LinkKind
from grimoire.readers import detect, glossary
from grimoire.readers.base import decode


def _seed(folder: Path, prefix: str) -> Path:
    return next(folder.glob(f"{prefix}_*.txt"))


def _read(path: Path) -> Document:
    (doc,) = glossary.read(path.read_bytes(), str(path))
    return doc


def _text(data: str, path: str = "notes.glossary") -> Document:
    (doc,) = glossary.read(data.encode("utf-8"), path)
    return doc


def _entry(doc: Document, term: str) -> Entry:
    return next(e for e in doc.entries if e.term == term)


def _lines(path: Path) -> list[str]:
    return decode(path.read_bytes(), str(path)).split("\n")


@pytest.fixture(scope="module")
def seed000(seeds: Path) -> Path:
    return _seed(seeds, "000")


@pytest.fixture(scope="module")
def seed003(seeds: Path) -> Path:
    return _seed(seeds, "003")


@pytest.fixture(scope="module")
def doc000(seed000: Path) -> Document:
    return _read(seed000)


@pytest.fixture(scope="module")
def doc003(seed003: Path) -> Document:
    return _read(seed003)


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(("prefix", "expected"), [("000", True), ("001", False),
                                                  ("002", False), ("003", True),
                                                  ("004", False)])  # fmt: skip
def test_sniff_on_every_seed(seeds: Path, prefix: str, expected: bool) -> None:
    path = _seed(seeds, prefix)
    head = decode(path.read_bytes()[:16384], str(path))
    assert glossary.sniff(head, str(path)) is expected


def test_detect_picks_glossary_for_both_styles(seed000: Path, seed003: Path) -> None:
    for path in (seed000, seed003):
        head = decode(path.read_bytes()[:16384], str(path))
        reader = detect(str(path), head)
        assert reader is not None
        assert reader.name == "glossary"


def test_sniff_is_false_on_every_corpus_file(corpora: Path) -> None:
    claimed = []
    for path in sorted(corpora.rglob("*")):
        if path.suffix in {".md", ".rst", ".html", ".txt", ".json"} and path.is_file():
            head = decode(path.read_bytes()[:16384], str(path))
            if glossary.sniff(head, str(path)):
                claimed.append(path.name)
    assert claimed == []


# ---------------------------------------------------------------- seed 000: term-paragraph


def test_000_one_entry_per_term(doc000: Document, seed000: Path) -> None:
    lines = _lines(seed000)
    assert doc000.title == "Grimoire"
    assert doc000.meta["style"] == glossary.STYLE_TERM_PARAGRAPH
    terms = [e.term for e in doc000.entries]
    assert len(terms) == 33
    assert terms[0] == "Alignment"
    assert terms[-1] == "Surprise"
    assert "Grimoire" not in terms
    assert len(set(terms)) == len(terms)
    for e in doc000.entries:
        assert lines[e.span.start_line - 1].strip() == e.term
        assert e.definition
        assert e.span.end_line == e.span.start_line + 2
        assert not e.aliases and e.kind is None
    assert doc000.problems == ()


def test_000_bracket_links(doc000: Document, seed000: Path) -> None:
    lines = _lines(seed000)
    argmax = _entry(doc000, "Argmax")
    assert [(x.target, x.kind) for x in argmax.links] == [("softmax", LinkKind.BRACKET)]
    assert "[softmax]" in lines[argmax.links[0].span.start_line - 1]
    # link markup reduced to its label in the clean text
    assert "softmax" in argmax.definition and "[softmax]" not in argmax.definition
    assert [x.target for x in _entry(doc000, "Squared Residual").links] == ["cross entropy"]
    assert [x.target for x in _entry(doc000, "Lasso Regression").links] == ["L1 regularization"]
    for link in doc000.links:
        assert f"[{link.target}]" in lines[link.span.start_line - 1]


def test_000_false_bracket_links(doc000: Document) -> None:
    targets = {x.target.lower() for x in doc000.links}
    assert "yt" not in targets
    # intervals, one-hot vectors and matrix shapes written in brackets outside math
    for shape in ("0", "1", "0, 1", "n, m", "n, k", "k, m", "0, inf", "1, inf"):
        assert shape not in targets
    assert [x.target for x in _entry(doc000, "Cross Entropy").links] == [
        "softmax",
        "squared residual",
    ]
    assert [x.target for x in _entry(doc000, "LoRA").links] == ["PEFT"]
    assert _entry(doc000, "Poisson Distribution").links == ()
    # `\sqrt[n]{...}` inside math is not a link
    assert _entry(doc000, "Geometric Mean").links == ()


def test_000_yt_markers_are_references(doc000: Document, seed000: Path) -> None:
    lines = _lines(seed000)
    alignment = _entry(doc000, "Alignment")
    assert [(r.label, r.url) for r in alignment.references] == [("yt", "")]
    assert len(_entry(doc000, "Binomial Distribution").references) == 2
    for e in doc000.entries:
        for r in e.references:
            assert f"[{r.label}]" in lines[r.span.start_line - 1]
    assert "[yt]" in alignment.definition  # a lost link stays as the reader saw it


def test_000_math(doc000: Document, seed000: Path) -> None:
    lines = _lines(seed000)
    bayes = _entry(doc000, "Bayes Theorem")
    assert bayes.math[0].tex.startswith("P(H|E) = ")
    assert not bayes.math[0].display
    assert len(bayes.math) == 6
    assert "$P(H)$" in bayes.definition  # math kept as TeX in the text
    for e in doc000.entries:
        for m in e.math:
            assert m.tex in lines[m.span.start_line - 1]
    passage = next(p for p in doc000.passages if p.heading_path == ("Bayes Theorem",))
    assert passage.math == bayes.math


def test_000_redirects_and_passages(doc000: Document) -> None:
    assert _entry(doc000, "Lasso Regression").redirect == "L1 regularization"
    assert _entry(doc000, "Ridge Regression").redirect == "L2 regularization"
    assert _entry(doc000, "Argmax").redirect is None
    assert len(doc000.passages) == 33
    argmax = next(p for p in doc000.passages if p.heading_path == ("Argmax",))
    assert argmax.span.start_line == argmax.span.end_line == 9
    assert [x.target for x in argmax.links] == ["softmax"]


# ---------------------------------------------------------------- seed 003: term-hash


def test_003_entries(doc003: Document, seed003: Path) -> None:
    lines = _lines(seed003)
    # Titled by its file name: its first letter heading "L" is no name for the whole file.
    assert doc003.title == seed003.stem
    assert doc003.meta["style"] == glossary.STYLE_TERM_HASH
    # 95 lines end in `#`: one is the letter heading `L#`.
    assert len(doc003.entries) == 94
    assert doc003.entries[0].term == "L1 Regularization"
    assert doc003.entries[-1].term == "Ludwig Framework"
    for e in doc003.entries:
        assert lines[e.span.start_line - 1].strip() == e.term + "#"
        assert lines[e.span.end_line - 1].strip()
        assert not e.term.startswith("#")
        assert "pip install" not in e.term
        assert not e.aliases and e.kind is None
    lora = _entry(doc003, "Low-Rank Adaptation (LoRA) Fine-Tuning")
    assert lora.definition.startswith("A method for parameter-efficient fine-tuning (PEFT)")


def test_003_empty_entries(doc003: Document) -> None:
    l2 = _entry(doc003, "L2 Loss")
    assert (l2.definition, l2.glosses, l2.see_also) == ("", (), ())
    assert (l2.span.start_line, l2.span.end_line) == (6, 7)
    language_model = _entry(doc003, "Language Model")
    assert language_model.definition == ""
    assert language_model.span.start_line == language_model.span.end_line == 166


def test_003_glosses(doc003: Document) -> None:
    label = _entry(doc003, "Label")
    assert len(label.glosses) == 2
    assert label.glosses[0].startswith("think of your label")
    assert not label.definition.startswith("~")
    assert all("~" not in line[:2] for line in label.definition.split("\n"))
    parsing = _entry(doc003, "Language Parsing")
    assert parsing.definition == "" and len(parsing.glosses) == 1


def test_003_references(doc003: Document, seed003: Path) -> None:
    lines = _lines(seed003)
    labor = _entry(doc003, "Labor Market Impact")
    assert len(labor.references) == 5
    first = labor.references[0]
    assert first.label.endswith("GenAI and NYC")
    assert first.url.startswith("https://www.mckinsey.com/")
    lora = _entry(doc003, "Low-Rank Adaptation (LoRA) Fine-Tuning")
    assert ("paper", "https://arxiv.org/abs/2106.09685") in {
        (r.label, r.url) for r in lora.references
    }
    # URL-only line: no label; under a label-only caption line: the caption's label
    self_correction = _entry(doc003, "LLM Self-Correction Reasoning")
    assert [r.label for r in self_correction.references] == ["paper", "github", ""]
    langchain = _entry(doc003, "LangChain Python Module")
    assert "articles" in {r.label for r in langchain.references}
    assert all(r.url for r in langchain.references)  # `- tutorials` alone is a caption
    # `- paper https://...` without the dash
    llama = _entry(doc003, "Large Language Model Meta AI (LLaMA) Model Family")
    assert ("paper", "https://arxiv.org/abs/2302.13971") in {
        (r.label, r.url) for r in llama.references
    }
    for e in doc003.entries:
        for r in e.references:
            assert r.url in lines[r.span.start_line - 1]
    # `{% youtube "URL" %}` is a reference and leaves the text
    lnn = _entry(doc003, "Liquid Neural Network (LNN)")
    assert lnn.references[0].label == "youtube"
    assert lnn.references[0].url.startswith("https://youtu.be/")
    assert all("{%" not in p.text for p in doc003.passages)


def test_003_see_also(doc003: Document) -> None:
    service = _entry(doc003, "Labeling Service")
    assert [(x.target, x.exists_hint) for x in service.see_also] == [
        ("Dawid-Skene Algorithm", True),
        ("Majority Vote Algorithm", True),
        ("Unlabelled Data Algorithm", False),
    ]
    assert all(x.kind is LinkKind.SEE_ALSO for x in service.see_also)
    assert _entry(doc003, "L1 Regularization").see_also == ()  # `See also L, ...`
    assert [x.target for x in _entry(doc003, "LLMGraphTransformer Model").see_also] == [
        "GraphRAG System"
    ]
    targets = {x.target for e in doc003.entries for x in e.see_also}
    assert "L" not in targets and "T" not in targets and "..." not in targets
    lstm = _entry(doc003, "Long Short-Term Memory (LSTM) Network")
    assert {x.target for x in lstm.see_also if x.exists_hint is False} == {
        "Gated Recurrent Unit Cell",
        "Gradient Descent Algorithm",
        "Recurrent Neural Network",
        "Transformer Model",
    }


def test_003_stray_bracket_in_see_also_is_a_problem(doc003: Document, seed003: Path) -> None:
    (problem,) = doc003.problems
    assert "Encoder]Latent Variable" in _lines(seed003)[problem.span.start_line - 1]
    latent = _entry(doc003, "Latent Space")
    assert {"Encoder", "Latent Variable", "Pixel Space"} <= {x.target for x in latent.see_also}


def test_003_contrast_bracket_and_redirect(doc003: Document) -> None:
    l1 = _entry(doc003, "L1 Regularization")
    assert [(x.target, x.kind) for x in l1.links] == [("L2 regularization", LinkKind.CONTRAST)]
    label = _entry(doc003, "Label")
    assert [(x.target, x.kind) for x in label.links] == [
        ("supervised machine learning", LinkKind.BRACKET)
    ]
    pricing = _entry(doc003, "LLM Pricing")
    assert [x.target for x in pricing.links] == ["Tokenizer tax", "Prompt Tuning"]
    assert _entry(doc003, "Language AI").redirect == "Natural Language Processing"
    assert _entry(doc003, "Log Loss Function").redirect == "Binary Cross-Entropy Loss Function"
    # an unclosed `[` is prose, not a link
    lda = _entry(doc003, "Linear Discriminant Analysis (LDA)")
    assert not [x for x in lda.links if x.kind is LinkKind.BRACKET]


def test_003_code_lines_are_text_not_headings(doc003: Document) -> None:
    langchain = next(
        p for p in doc003.passages if p.heading_path == ("L", "LangChain Python Module")
    )
    assert "# pip install openai" in langchain.text
    for p in doc003.passages:
        assert p.heading_path[0] == "L" and len(p.heading_path) == 2
        assert not p.heading_path[1].startswith("#")


def test_003_passages(doc003: Document, seed003: Path) -> None:
    lines = _lines(seed003)
    assert len(doc003.passages) == 89
    for p in doc003.passages:
        assert 0 < len(p.text) <= 2000
        original = lines[p.span.start_line - 1].replace("[", "").replace("]", "")
        # a gloss line ends in a stop before the definition under it (read51)
        assert p.text.split("\n")[0][:40].removesuffix(".") in original
        for link in p.links:
            assert p.span.start_line <= link.span.start_line <= p.span.end_line
    terms = {p.heading_path[1] for p in doc003.passages}
    assert "L2 Loss" not in terms  # empty entries give no passage
    assert "Labor Market Impact" in terms


# ---------------------------------------------------------------- line ends and encodings


@pytest.mark.parametrize("prefix", ["000", "003"])
@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_crlf_and_cr_give_identical_entries(seeds: Path, prefix: str, newline: bytes) -> None:
    path = _seed(seeds, prefix)
    data = path.read_bytes()
    (lf,) = glossary.read(data, str(path))
    (other,) = glossary.read(data.replace(b"\n", newline), str(path))
    assert other.entries == lf.entries
    assert other.passages == lf.passages


def test_bom_and_latin1() -> None:
    text = "L#\nCafé Term#\nA definition.\nSee also L, ...\n"
    with_bom = glossary.read(b"\xef\xbb\xbf" + text.encode(), "g.glossary")[0]
    latin1 = glossary.read(text.encode("latin-1"), "g.glossary")[0]
    assert [e.term for e in with_bom.entries] == ["Café Term"]
    assert with_bom.entries == latin1.entries


def test_binary_input_is_a_read_error() -> None:
    with pytest.raises(ReadError):
        glossary.read(b"L#\x00\x00Term#", "g.glossary")


# ---------------------------------------------------------------- small fixtures


TERM_HASH = """\
A#
Alpha Thing (AT) Model#
~ a short gloss
Some text with [Beta] and a comment:
# pip install thing#
x = 1  #
#heading-like#
Contrast with Gamma.
More at :
- paper - https://example.org/a.
- https://example.org/b
- videos
- https://example.org/c
- label only
See also A, Beta, [Delta], ...
Beta#
"""


def test_term_hash_fixture() -> None:
    doc = _text(TERM_HASH)
    assert [e.term for e in doc.entries] == ["Alpha Thing (AT) Model", "Beta"]
    alpha, beta = doc.entries
    assert alpha.glosses == ("a short gloss",)
    assert "# pip install thing#" in alpha.definition
    assert "x = 1  #" in alpha.definition
    assert [(x.target, x.kind) for x in alpha.links] == [
        ("Beta", LinkKind.BRACKET),
        ("Gamma", LinkKind.CONTRAST),
    ]
    assert [(r.label, r.url) for r in alpha.references] == [
        ("paper", "https://example.org/a"),
        ("", "https://example.org/b"),
        ("videos", "https://example.org/c"),
    ]
    assert [(x.target, x.exists_hint) for x in alpha.see_also] == [
        ("Beta", True),
        ("Delta", False),
    ]
    assert (alpha.span.start_line, alpha.span.end_line) == (2, 15)
    assert beta.definition == "" and beta.span.start_line == 16


TERM_PARAGRAPH = """\
Notes

Interval

On $[a, b]$ with [ ] and [x] boxes, footnote [1] and [^2], a [video] and [N, k] shapes, \
see [Gradient Descent] and [cross entropy].

Short One

A short definition without a period

Empty Term

Money

It costs $37.5 million and $5 more.
"""


def test_term_paragraph_fixture() -> None:
    doc = _text(TERM_PARAGRAPH, "notes.txt")
    assert doc.title == "Notes"
    assert [e.term for e in doc.entries] == ["Interval", "Short One", "Empty Term", "Money"]
    interval, short, empty, money = doc.entries
    assert [x.target for x in interval.links] == ["Gradient Descent", "cross entropy"]
    assert [(m.tex, m.display) for m in interval.math] == [("[a, b]", False)]
    assert [(r.label, r.url) for r in interval.references] == [("video", "")]
    assert "[ ] and [x] boxes" in interval.definition
    assert short.definition == "A short definition without a period"
    assert empty.definition == ""
    assert [p.span.start_line for p in doc.problems] == [11]
    assert money.math == ()


def test_paragraph_before_any_term_defines_nothing() -> None:
    doc = _text("A paragraph that opens the file, ending with a period.\n\nTerm\n\nIts text.\n")
    assert [e.term for e in doc.entries] == ["Term"]
    assert len(doc.passages) == 2 and doc.passages[0].heading_path == ()


def test_empty_and_blank_files() -> None:
    for data in ("", "\n\n", "L#\n"):
        doc = _text(data)
        assert doc.entries == () and doc.passages == ()


def test_long_entry_is_split_into_passages() -> None:
    sentence = "This sentence is about forty characters. "
    doc = _text("L#\nLong#\n" + sentence * 150 + "[Linked]\n" + "second line\n")
    (entry,) = doc.entries
    assert len(entry.definition) > 6000
    assert len(doc.passages) >= 6
    assert all(len(p.text) <= 2000 for p in doc.passages)
    assert sum(len(p.links) for p in doc.passages) == 1  # marks of a cut line go once


# ---------------------------------------------------------------- hostile input


HOSTILE = [
    "[" * 100_000,
    "$1" * 50_000,
    "$$" * 50_000,
    "$a$[bb]" * 14_000,
    "a" * 100_000 + "#",
    '[]( "' * 20_000,
    " " * 100_000 + "$",
    '{% a "' * 20_000,
    "L#\nTerm#\nSee also " + "[a," * 30_000,
    "L#\nTerm#\nContrast with a" + " " * 100_000 + "b",
    "L#\nTerm#\nSee " + " " * 100_000 + "b",
    "L#\nTerm#\nMore at:\n- " + "x - " * 25_000,
    "L#\nTerm#\nMore at:\n- " + "http://" * 15_000,
    "T\n\nTerm\n\n" + "a " * 50_000,
]


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_pathological_lines_complete(data: str) -> None:
    (doc,) = glossary.read(data.encode(), "hostile.glossary")
    glossary.sniff(data[:16384], "hostile.txt")
    assert all(len(p.text) <= 2000 for p in doc.passages)
