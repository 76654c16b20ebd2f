"""The reStructuredText reader, on the ml-cheatsheet Sphinx sources and small fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docutils.core import publish_doctree
from docutils.parsers.rst import directives, roles

from grimoire.model import Document, Image, Link, LinkKind, Math
from grimoire.readers import detect, rst

FIXTURES = Path(__file__).parent / "fixtures" / "rst"
WORD = re.compile(r"\w+")
# Markup that must never reach clean text (outside code passages).
LEAKS = (re.compile(r"(?:^|\n)\.\. "), re.compile(r":(?:math|ref|doc|term):`"), re.compile("``"))


def read(text: str | bytes, path: str = "note.rst") -> Document:
    data = text.encode() if isinstance(text, str) else text
    docs = rst.read(data, path)
    assert len(docs) == 1
    return docs[0]


@pytest.fixture(scope="module")
def cheatsheet(corpora: Path) -> dict[str, tuple[Document, list[str]]]:
    """Every page of the corpus, read once: name -> (document, source lines)."""
    out = {}
    for path in sorted((corpora / "ml-cheatsheet-rst").glob("*.rst")):
        data = path.read_bytes()
        out[path.name] = (read(data, str(path)), data.decode("utf-8").split("\n"))
    return out


def fixture(name: str) -> tuple[Document, list[str]]:
    path = FIXTURES / name
    return read(path.read_bytes(), str(path)), path.read_text().split("\n")


def cited(lines: list[str], start: int, end: int) -> str:
    return "\n".join(lines[start - 1 : end])


def words(text: str) -> list[str]:
    # Auto-numbered footnotes ([#]_ shows as [1]) and admonition labels are not in the source.
    return [w for w in WORD.findall(text) if not w.isdigit() and w not in ("Note", "Warning")]


# ------------------------------------------------------------------- the corpus


def test_every_page_reads(cheatsheet: dict[str, tuple[Document, list[str]]]) -> None:
    assert len(cheatsheet) == 31
    for name, (doc, _) in cheatsheet.items():
        assert doc.format == "rst"
        assert doc.passages, name
        assert all(len(p.text) <= 2000 for p in doc.passages), name


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("glossary.rst", "Glossary"),
        ("linear_regression.rst", "Linear Regression"),
        ("loss_functions.rst", "Loss Functions"),
        ("index.rst", "Machine Learning Glossary"),
        ("math_notation.rst", "Notation"),
        ("activation_functions.rst", "Activation Functions"),
    ],
)
def test_titles(cheatsheet: dict[str, tuple[Document, list[str]]], page: str, title: str) -> None:
    doc, _ = cheatsheet[page]
    assert doc.title == title
    assert all(p.heading_path[0] == title for p in doc.passages if p.heading_path)


def test_glossary_page_gives_one_entry_per_term(
    cheatsheet: dict[str, tuple[Document, list[str]]],
) -> None:
    doc, lines = cheatsheet["glossary.rst"]
    terms = [e.term for e in doc.entries]
    assert len(terms) == 59
    assert terms[0] == "Accuracy"
    assert "ROC (Receiver Operating Characteristic) Curve" in terms
    assert terms[-1] == "Variance"
    for e in doc.entries:
        assert lines[e.span.start_line - 1].strip() == e.term
        assert e.definition
        assert words(e.definition)[-1] in cited(lines, e.span.start_line, e.span.end_line)
    by_term = {e.term: e for e in doc.entries}
    algorithm = by_term["Algorithm"]
    # a :ref: to a label of the same file points at what the label names
    assert algorithm.links == (
        Link("Model", LinkKind.LABEL, algorithm.links[0].span, "model", "glossary_model"),
    )
    assert "machine learning model." in algorithm.definition
    rate = by_term["Learning Rate"]
    assert [(x.target, x.kind) for x in rate.links] == [("gradient_descent", LinkKind.DOC)]
    precision = by_term["Precision"]
    assert [m.display for m in precision.math] == [True]
    assert "\\frac{True Positives}" in precision.math[0].tex
    assert precision.math[0].tex in lines[precision.math[0].span.start_line - 1]
    assert "$$P = " in precision.definition
    # Lists inside a definition stay in it.
    assert "- Low bias could mean" in by_term["Bias metric"].definition
    assert doc.meta["labels"]["glossary_model"] == "Model"
    # The definitions are also passages, under the term.
    assert any(p.heading_path == ("Glossary", "Epoch") for p in doc.passages)


def test_definition_lists_outside_a_glossary_are_not_entries(
    cheatsheet: dict[str, tuple[Document, list[str]]],
) -> None:
    doc, _ = cheatsheet["linear_regression.rst"]
    terms = {e.term for e in doc.entries}
    assert not terms & {"Weight", "Bias", "Radio", "Sales"}  # a formula's symbols
    assert any("Weight: the coefficient" in p.text for p in doc.passages)
    # What entries there are come from sections that define their heading (issue 10, 12).
    for e in doc.entries:
        assert e.reason is not None and e.reason.startswith("section"), e.term
    # "Gradient descent consists of ..." defines its heading; "What we need is a cost function
    # so we can ..." only mentions it (round 2: a mention is not a definition).
    assert "Gradient descent" in terms and "Cost function" not in terms


def test_math_and_sections(cheatsheet: dict[str, tuple[Document, list[str]]]) -> None:
    doc, lines = cheatsheet["linear_regression.rst"]
    maths = [m for p in doc.passages for m in p.math]
    assert any(m.display for m in maths) and any(not m.display for m in maths)
    for m in maths:
        assert m.tex.split("\n")[0] in lines[m.span.start_line - 1]
    cost = [
        p
        for p in doc.passages
        if p.heading_path[:3] == ("Linear Regression", "Simple regression", "Cost function")
    ]
    assert any("$y = mx + b$" in p.text for p in cost)
    # A rubric is a heading of its own, inside the section.
    assert any(p.heading_path[-1] == "Code" and p.kind == "code" for p in cost)
    loss, _ = cheatsheet["loss_functions.rst"]
    assert sum(len(p.math) for p in loss.passages) >= 10


def _notes_opening_with_a_list(lines: list[str]) -> list[tuple[int, int]]:
    """(line of `.. note::`, number of its list's items) for each note whose content starts
    with a bullet list, read from the source."""
    out = []
    for n, line in enumerate(lines):
        if line.strip() != ".. note::":
            continue
        body = [x for x in lines[n + 1 :] if x.strip()]
        if not body or not body[0].lstrip().startswith("- "):
            continue
        margin = len(body[0]) - len(body[0].lstrip())
        items = 0
        for x in body:
            if len(x) - len(x.lstrip()) < margin:
                break
            items += len(x) - len(x.lstrip()) == margin and x.lstrip().startswith("- ")
        out.append((n + 1, items))
    return out


def test_a_list_that_opens_a_note_stays_a_list(
    cheatsheet: dict[str, tuple[Document, list[str]]],
) -> None:
    # `.. note::` over a bullet list read "Note: - first item": the web drew the first item
    # as text. The list starts a line of its own, as under a definition's term.
    from grimoire.web.render import Renderer

    doc, lines = cheatsheet["linear_regression.rst"]
    notes = _notes_opening_with_a_list(lines)
    assert notes, "linear_regression.rst has a note that opens with a list"
    renderer = Renderer()
    for line, items in notes:
        passage = next(p for p in doc.passages if p.span.start_line <= line <= p.span.end_line)
        assert "Note:\n" in passage.text, passage.text[:200]
        after = passage.text.split("Note:\n", 1)[1].split("\n")
        assert len(after) >= items and all(x.startswith("- ") for x in after[:items])
        html = str(renderer.text(passage.text))
        assert html.count("<li>") >= items and "Note: -" not in html
    for name, (doc, lines) in cheatsheet.items():
        texts = [p.text for p in doc.passages] + [e.definition for e in doc.entries]
        assert not [t for t in texts if "Note: - " in t], name
        for line, _ in _notes_opening_with_a_list(lines):
            passage = next(p for p in doc.passages
                           if p.span.start_line <= line <= p.span.end_line)
            assert "Note:\n- " in passage.text, (name, line)


def test_spans_cite_the_text(cheatsheet: dict[str, tuple[Document, list[str]]]) -> None:
    for name, (doc, lines) in cheatsheet.items():
        for p in doc.passages:
            text = cited(lines, p.span.start_line, p.span.end_line)
            found = words(p.text)
            if found:
                assert found[0] in text and found[-1] in text, (name, p.span, p.text[:80])
            for r in (*p.links, *p.math, *p.images, *p.references):
                assert p.span.start_line <= r.span.start_line <= p.span.end_line, (name, r)


def test_no_markup_left_in_text(cheatsheet: dict[str, tuple[Document, list[str]]]) -> None:
    for name, (doc, _) in cheatsheet.items():
        problem_lines = {x.span.start_line for x in doc.problems}
        for p in doc.passages:
            if p.kind == "code":
                continue
            if any(leak.search(p.text) for leak in LEAKS):
                # Only where the source itself is broken (`:math: \`x\`` with a space).
                assert problem_lines & set(range(p.span.start_line, p.span.end_line + 1)), (
                    name,
                    p.text[:120],
                )


def test_a_term_that_ends_in_a_colon_keeps_one(
    cheatsheet: dict[str, tuple[Document, list[str]]],
) -> None:
    # "5. For each step:" over a more indented list is a definition list to docutils: its
    # term already ends in a colon, and the text read "For each step:: 1. ...". The list
    # starts a line of its own (inline, its "1." read as the end of a sentence).
    doc = read("1. For each step:\n    1. Do this.\n\nTerm\n    Its meaning.\n")
    first, second = doc.passages[0].text.split("\n")[:2]
    assert first == "1. For each step:" and second.strip() == "1. Do this."
    assert "Term: Its meaning." in doc.passages[0].text
    for name, (doc, _) in cheatsheet.items():
        assert not [p.text for p in doc.passages if p.kind != "code" and ":: " in p.text], name


def test_links_images_code(cheatsheet: dict[str, tuple[Document, list[str]]]) -> None:
    doc, lines = cheatsheet["linear_regression.rst"]
    urls = [x for x in doc.links if x.kind == LinkKind.URL]
    assert any(x.label == "dataset" and x.target.endswith("Advertising.csv") for x in urls)
    for x in doc.links:
        assert x.target in lines[x.span.start_line - 1]
    images = [i for p in doc.passages for i in p.images]
    assert images and all(i.target.startswith("images/") for i in images)
    assert all(i.target in lines[i.span.start_line - 1] for i in images)
    code = [p for p in doc.passages if p.kind == "code"]
    assert code and code[0].text.startswith("def predict_sales(")
    assert "def predict_sales(" in lines[code[0].span.start_line - 1]
    index, _ = cheatsheet["index.rst"]
    docs = {x.target for x in index.links if x.kind == LinkKind.DOC}
    assert {"linear_regression", "glossary", "loss_functions"} <= docs


def test_sniff(seeds: Path, cheatsheet: dict[str, tuple[Document, list[str]]]) -> None:
    for path in sorted(seeds.glob("*.txt")):
        head = path.read_text(encoding="utf-8", errors="replace")[:16384]
        assert not rst.sniff(head, str(path)), path.name
    for name, (_, lines) in cheatsheet.items():
        assert rst.sniff("\n".join(lines)[:16384], name.replace(".rst", ".txt")), name
    assert rst.sniff("", "x.rst")
    markdown = "Title\n=====\n\nSome *text* and a [link](http://x.org).\n"
    assert not rst.sniff(markdown, "notes.txt")
    assert detect("page.rst", "") is rst


# ------------------------------------------------------------------ fixtures


def test_sphinx_glossary_directive() -> None:
    doc, lines = fixture("sphinx_glossary.rst")
    assert doc.problems == ()
    assert [(e.term, e.aliases) for e in doc.entries] == [
        ("softmax", ()),
        ("LoRA", ("low-rank adaptation",)),
        ("perplexity", ()),  # "term : classifier"
    ]
    lora = doc.entries[1]
    assert lines[lora.span.start_line - 1].strip() == "LoRA"
    assert lines[lora.span.start_line].strip() == "low-rank adaptation"
    assert lora.definition.startswith("Fine-tuning with low-rank updates: $W + BA$.")
    assert "second paragraph" in lora.definition
    assert "second paragraph" in cited(lines, lora.span.start_line, lora.span.end_line)
    assert [m.tex for m in lora.math] == ["W + BA"]
    softmax = doc.entries[0]
    assert [(x.target, x.kind, x.label) for x in softmax.links] == [
        ("softmax-math", LinkKind.LABEL, "the formula")
    ]
    assert softmax.definition.endswith("see the formula.")


def test_sphinx_roles_and_directives_keep_text() -> None:
    doc, lines = fixture("sphinx_glossary.rst")
    text = "\n".join(p.text for p in doc.passages)
    assert "torch.nn.functional.softmax" in text  # :py:func: is text, not a link
    assert "torch.nn.Linear" in text  # autoclass argument
    assert "Added the glossary." in text  # versionadded content
    assert "example.py" not in text  # literalinclude reads nothing
    targets = {(x.target, x.kind, x.label) for x in doc.links}
    assert ("softmax", LinkKind.REF, None) in targets
    assert ("intro", LinkKind.DOC, None) in targets
    assert ("advanced/index", LinkKind.DOC, "Advanced topics") in targets
    assert ("other", LinkKind.DOC, "the other page") in targets
    assert ("https://arxiv.org/abs/2106.09685", LinkKind.URL, "paper") in targets
    code = [p for p in doc.passages if p.kind == "code"]
    assert [p.text for p in code] == ["import torch\nx = torch.ones(3)"]
    assert lines[code[0].span.start_line - 1].strip() == "import torch"
    assert lines[code[0].span.end_line - 1].strip() == "x = torch.ones(3)"
    maths = [m for p in doc.passages for m in p.math if m.display]
    assert [m.tex for m in maths] == [r"\sigma(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}"]
    assert maths[0].tex in lines[maths[0].span.start_line - 1]
    images = [i for p in doc.passages for i in p.images]
    assert images == [
        Image(
            "images/attention.png",
            images[0].span,
            caption="Attention weights of one head.",
            alt="attention map",
            width=400,
        )
    ]
    assert "attention.png" in lines[images[0].span.start_line - 1]


def test_unknown_directives_and_roles_make_no_problems() -> None:
    source = "".join(
        f"Para {i} :unknownrole{i}:`value {i}` and :py:class:`~pkg.mod.Klass{i}`.\n\n"
        f".. unknowndirective{i}:: argument {i}\n   :someoption: 1\n\n   Body {i}.\n\n"
        for i in range(50)
    )
    doc = read(source)
    assert doc.problems == ()
    text = "\n".join(p.text for p in doc.passages)
    for i in (0, 49):
        assert f"value {i}" in text
        assert f"Klass{i}" in text and "pkg.mod" not in text
        assert f"argument {i}" in text and f"Body {i}." in text


def test_docutils_registries_are_left_alone() -> None:
    read(".. glossary::\n\n   term\n      def\n\n.. role:: custom\n\n:custom:`x` :ref:`y`\n")
    assert "glossary" not in directives._directives
    assert "custom" not in roles._roles and "ref" not in roles._roles
    messages: list[str] = []
    publish_doctree(
        ".. glossary::\n\n   term\n",
        settings_overrides={
            "report_level": 5,
            "halt_level": 5,
            "_disable_config": True,
            "warning_stream": False,
        },
    )
    tree = publish_doctree(
        ".. glossary::\n\n   term\n",
        settings_overrides={
            "report_level": 1,
            "halt_level": 5,
            "_disable_config": True,
            "warning_stream": False,
        },
    )
    messages = [m.astext() for m in tree.findall(lambda n: n.tagname == "system_message")]
    assert any('Unknown directive type "glossary"' in m for m in messages)


def test_malformed_input_reports_problems_and_keeps_text() -> None:
    doc, _lines = fixture("malformed.rst")
    found = {(p.span.start_line, p.message) for p in doc.problems}
    assert (2, "Title underline too short.") in found
    assert (6, "Unexpected indentation.") in found
    assert any(line == 14 and "emphasis" in msg for line, msg in found)
    text = "\n".join(p.text for p in doc.passages)
    assert "indented line three" in text and "Final words" in text
    assert doc.title == "Title"


def test_include_and_raw_read_nothing() -> None:
    doc = read(
        "Title\n=====\n\n.. include:: /etc/passwd\n\n.. literalinclude:: /etc/passwd\n\n"
        ".. raw:: html\n\n   <script>alert(1)</script>\n\n.. role:: raw-html(raw)\n\n"
        "Text :raw-html:`<b>bold</b>` after.\n\n.. csv-table::\n   :file: /etc/passwd\n"
    )
    text = "\n".join(p.text for p in doc.passages)
    assert "root:" not in text and "<" not in text and "alert" not in text
    assert "Text after." in text
    problems = {(p.span.start_line, p.message) for p in doc.problems}
    assert (4, '"include" directive disabled.') in problems
    assert (8, '"raw" directive disabled.') in problems


def test_crlf_and_bom_read_like_lf() -> None:
    path = FIXTURES / "sphinx_glossary.rst"
    lf = read(path.read_bytes())
    crlf = read(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert crlf.passages == lf.passages
    assert crlf.entries == lf.entries


def test_empty_and_untitled() -> None:
    assert read("", "empty.rst").title == "empty"
    assert read("", "empty.rst").passages == ()
    doc = read("Just a paragraph with :math:`x`.\n", "plain.rst")
    assert doc.title == "plain"
    assert doc.passages[0].text == "Just a paragraph with $x$."
    assert doc.passages[0].math == (Math("x", False, doc.passages[0].span),)


def test_long_text_is_cut_with_exact_lines() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 60 for i in range(40)]
    source = "Title\n=====\n\n" + "\n\n".join(paragraphs) + "\n"
    lines = source.split("\n")
    doc = read(source)
    assert len(doc.passages) > 3
    for p in doc.passages:
        assert len(p.text) <= 2000
        first = p.text.split()[:2]
        assert " ".join(first) in lines[p.span.start_line - 1]
    # One paragraph of one very long line is cut too.
    doc = read("Title\n=====\n\n" + "A sentence of some words. " * 400 + "\n")
    assert len(doc.passages) > 3 and all(len(p.text) <= 2000 for p in doc.passages)


@pytest.mark.parametrize(
    "hostile",
    [
        " " * 100_000 + "$",
        "[]:0" + " " * 4321 + "0",
        "```" + " " * 4321,
        "`" * 5000,
        '[]( "' * 800,
        "\n".join("  " * i + "- x" for i in range(2000)),
        "\n\n".join(" " * i + "x" for i in range(500)),
        "".join("   " * i + ".. note::\n\n" for i in range(40)) + "   " * 40 + "deep\n",
        "a_ " * 3000,
    ],
)
def test_hostile_input_is_read(hostile: str) -> None:
    doc = read(hostile)
    assert doc.format == "rst"
    assert all(p.span.start_line >= 1 for p in (*doc.passages, *doc.problems))
    assert rst.sniff(hostile[:16384], "x.txt") in (True, False)


def test_too_deep_or_too_long_falls_back_to_text() -> None:
    doc = read("\n".join("  " * i + "- item" for i in range(300)))
    assert doc.problems[0].message.startswith("indented more than")
    assert doc.passages and "item" in doc.passages[0].text
    doc = read("Title\n=====\n\n" + "word " * 5000)
    assert doc.problems[0].span.start_line == 4
    assert "word word" in doc.passages[1].text


def test_bundled_sphinx_examples() -> None:
    examples = Path(__file__).parents[2] / "examples" / "sphinx"
    glossary = read((examples / "glossary.rst").read_bytes(), "glossary.rst")
    page = read((examples / "rlhf.rst").read_bytes(), "rlhf.rst")
    assert glossary.problems == () and page.problems == ()
    assert len(glossary.entries) == 7
    assert ("KL divergence", ("Kullback-Leibler divergence",)) in [
        (e.term, e.aliases) for e in glossary.entries
    ]
    assert page.title == "Reinforcement learning from feedback"
    assert page.meta["labels"]["rlhf-pipeline"] == "The pipeline"
    assert any("See also:\n\nglossary, and" in p.text for p in page.passages)


def test_glossary_without_a_term_is_a_problem() -> None:
    doc = read("Words\n=====\n\n.. glossary::\n\n      orphan definition\n\n   term\n      def\n")
    assert [e.term for e in doc.entries] == ["term"]
    assert [(p.span.start_line, "indentation" in p.message) for p in doc.problems] == [(6, True)]
