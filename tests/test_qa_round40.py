"""Round 40 (qa40): what a new user met on a public Quarto book of statistical learning (`.qmd`
chapters, the pages Quarto built from them in `docs/`, LaTeX macros in a file of their own),
rebuilt in our own words on a real store, through the real faces."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.readers import read_file
from grimoire.watch import ignored
from grimoire.web.render import math_text
from tests.conftest import ingested, write_notes


def _book(root: Path, config: str, settings: str, out: str) -> None:
    root.mkdir()
    (root / config).write_text(settings, encoding="utf-8")
    (root / "ridge.qmd").write_text(
        "# Ridge Regression\n\nRidge regression shrinks the coefficients of a linear model "
        "by adding their squared sum, times a penalty, to the loss.\n", encoding="utf-8")
    write_notes(root / out, {
        "ridge.html":
            "<html><head><title>Ridge Regression</title></head><body><main><h1>Ridge Regression"
            "</h1><p>Ridge regression shrinks the coefficients of a linear model by adding "
            "their squared sum, times a penalty, to the loss.</p></main></body></html>",
    })


def test_the_folder_a_book_generator_builds_into_is_not_read(tmp_path: Path) -> None:
    """A Quarto book published on GitHub Pages builds its pages into `docs/`
    (`output-dir: docs` in `_quarto.yml`), beside the chapters they were built from. Every
    chapter was read twice, the source and its page: each entry listed twice, each section
    two concepts' worth of passages, the lint full of near-duplicates."""
    cases = [
        ("_quarto.yml", "project:\n  type: book\n  output-dir: docs\n", "docs"),
        ("_bookdown.yml", 'output_dir: "public/"\nbook_filename: "ml"\n', "public"),
        ("mkdocs.yml", "site_name: Notes\nsite_dir: ./built  # for Pages\n", "built"),
    ]
    for n, (config, settings, out) in enumerate(cases):
        root = tmp_path / f"book{n}"
        _book(root, config, settings, out)
        with ingested(tmp_path / f"kb{n}.db", root, embed=False) as kb:
            read = sorted(Path(s.path).name for s in kb.sources() if s.status == "ok")
            assert read == ["ridge.qmd"], (config, read)
            assert [e.entry.term for e in kb.entries()] == ["Ridge Regression"]
        # `watch` ignores changes there alike.
        assert ignored(root / out / "ridge.html", root)
        assert not ignored(root / "ridge.qmd", root)


def test_a_built_folder_is_read_when_no_generator_names_it(tmp_path: Path) -> None:
    """Only the folder the settings name is passed over: a `docs/` of notes in a Quarto
    project that builds elsewhere, and the built folder itself when it is what the user
    ingests, are read."""
    root = tmp_path / "book"
    _book(root, "_quarto.yml", "project:\n  type: website\n", "docs")
    with ingested(tmp_path / "kb.db", root, embed=False) as kb:
        read = sorted(Path(s.path).name for s in kb.sources() if s.status == "ok")
        assert read == ["ridge.html", "ridge.qmd"]
    other = tmp_path / "site"
    _book(other, "_quarto.yml", "project:\n  output-dir: docs\n", "docs")
    with ingested(tmp_path / "kb2.db", other / "docs", embed=False) as kb:
        assert [Path(s.path).name for s in kb.sources() if s.status == "ok"] == ["ridge.html"]


def _passages(tmp_path: Path, name: str, text: str) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [doc] = read_file("markdown", path.read_bytes(), str(path))
    return [p.text for p in doc.passages]


@pytest.mark.no_store
def test_what_a_quarto_page_hides_is_not_read(tmp_path: Path) -> None:
    """Every chapter of the book opens with its LaTeX macros' include in a `content-hidden`
    div. It was read as the chapter's first words ("$${{< include macros.tex >}}$$"), shown
    by `show` as the page's opening and found by searches."""
    text = ("::: content-hidden\n$$\n{{< include macros.tex >}}\n$$\n:::\n\n"
            "# Shrinkage {#sec-shrink}\n\nShrinkage pulls estimates towards zero.\n\n"
            "::: {.content-hidden when-format=\"pdf\"}\nShown on the web page.\n:::\n\n"
            "```\n::: content-hidden\n```\n\nAfter the code.\n")
    passages = _passages(tmp_path, "shrink.qmd", text)
    joined = "\n".join(passages)
    assert "include" not in joined and "macros" not in joined, passages
    assert "Shrinkage pulls estimates towards zero." in joined
    # Hidden only from one format: read. A fence inside code opens no div.
    assert "Shown on the web page." in joined and "After the code." in joined


@pytest.mark.no_store
def test_an_equation_label_closes_its_formula(tmp_path: Path) -> None:
    """Quarto numbers a display formula by a label after its closing `$$`. The label left
    the `$$` unclosed, so the formulas after it in the paragraph were read as text (their
    `_` as emphasis: `||z||_2` became `||z||2`) and the text between them as math."""
    text = ("# Norms\n\nThe penalty is\n$$\nf(b) = \\sum_j b_j^2\n$$ {#eq-ridge}\n"
            "and the norm of $z$ is\n$$\n||z||_2 = \\sqrt{\\sum_{j} z_j^2}\n$$\n"
            "while the other one is\n$$\n||z||_1 = \\sum_{j} |z_j|\n$$\n")
    joined = "\n".join(_passages(tmp_path, "norms.qmd", text))
    assert "$$||z||_2 = \\sqrt{\\sum_{j} z_j^2}$$" in joined, joined
    assert "$$||z||_1 = \\sum_{j} |z_j|$$" in joined, joined
    assert "{#eq-ridge}" not in joined


@pytest.mark.no_store
def test_an_image_s_attributes_and_a_span_s_class_are_no_text(tmp_path: Path) -> None:
    """`![Cell](cell.png){#fig-cell fig-align="center" width=80% .lightbox}`: the figure's
    attributes stayed in the text (127 times in the book) and came up in searches for
    words like "center"; `[hard for people]{.underline}` kept its brackets and class."""
    text = ("# Cells\n\nA cell keeps a state.\n\n"
            "![A cell](cell.png){#fig-cell fig-align=\"center\" width=80% .lightbox}\n\n"
            "Tasks [hard for people]{.underline} are easy for machines.\n")
    joined = "\n".join(_passages(tmp_path, "cells.qmd", text))
    assert "lightbox" not in joined and "fig-align" not in joined, joined
    assert "Tasks hard for people are easy for machines." in joined, joined


@pytest.mark.no_store
def test_a_bare_align_environment_is_a_formula(tmp_path: Path) -> None:
    """Pandoc (so Quarto) reads `\\begin{align*} ... \\end{align*}` on its own lines as
    display math, `$$` or not. Read as text, its row breaks `\\\\` became one `\\` and the
    concept page showed the derivation as TeX source."""
    text = ("# Fit\n\nThe fitted values are\n\n\\begin{align*}\n  \\hat{y} &= H y \\\\\n"
            "  e &= (I - H) y\n\\end{align*}\n\nwhere H is the hat matrix.\n\n"
            "$$\n\\begin{align}\na &= b\n\\end{align}\n$$\n")
    joined = "\n".join(_passages(tmp_path, "fit.qmd", text))
    assert "$$\\begin{align*}\n  \\hat{y} &= H y \\\\\n  e &= (I - H) y\n\\end{align*}$$" \
        in joined, joined
    assert "$$$$" not in joined and "$$\\begin{align}\na &= b\n\\end{align}$$" in joined
    # The web page draws one left bare in a note's text (a plain Markdown note) as a formula,
    # a display one, even inside a sentence.
    html = str(math_text("Then \\begin{align} x &= 1 \\end{align} follows."))
    assert 'class="math-block"' in html and "\\begin" not in html, html
