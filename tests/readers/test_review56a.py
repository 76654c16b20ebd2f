"""Round 56 (review56a): read56's rules on notes they were not written for. Readers called
directly (no store): milliseconds a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from tests.conftest import one_page_pdf


@pytest.mark.no_store
def test_a_chapter_showing_a_package_in_code_is_no_preamble() -> None:
    # a LaTeX tutorial's chapter, read in by its book, shows how to load a package in a
    # verbatim block, the line `\usepackage{...}` on its own: read56 skipped the whole chapter
    for block in ("verbatim", "lstlisting", "minted}{latex"):
        end = block.split("}")[0]
        chapter = (f"\\chapter{{Packages}}\nA package adds commands to a document; load it in"
                   f" the preamble:\n\\begin{{{block}}}\n\\usepackage{{amsmath}}\n"
                   f"\\end{{{end}}}\nThen the align environment numbers each equation.\n")
        data = chapter.encode()
        assert readers.not_a_note("book/ch2.tex", data, chapter) is None, block
    # a sectioned body with the line in plain text is a chapter too
    body = b"\\section{Setup}\n\\usepackage{tikz} goes before the document begins.\n"
    assert readers.not_a_note("book/ch3.tex", body, body.decode()) is None
    # a preamble with a shown block of its own is still a preamble
    preamble = (b"\\usepackage{listings}\n\\begin{comment}\nold settings\n\\end{comment}\n"
                b"\\AtBeginSection[]{\n  \\begin{frame}\\tableofcontents\\end{frame}\n}\n")
    assert readers.not_a_note("deck/setup.tex", preamble, preamble.decode()) \
        == readers.PREAMBLE_REASON


@pytest.mark.no_store
def test_a_pdf_named_as_a_figure_elsewhere_is_not_that_figure(tmp_path: Path) -> None:
    # a notes folder's LaTeX summary includes `figs/attention` (a PNG) and keeps the paper
    # `papers/attention.pdf` beside it: read56 matched the name alone and skipped the paper
    (tmp_path / "figs").mkdir()
    (tmp_path / "papers").mkdir()
    (tmp_path / "summary.tex").write_text(
        "\\documentclass{article}\n\\graphicspath{{drawings/}{./art/}}\n\\begin{document}\n"
        "\\includegraphics[width=5cm]{figs/attention}\n\\includegraphics{./tree.pdf}\n"
        "\\includegraphics{sketch}\n\\end{document}\n", "utf-8")
    page = one_page_pdf([(12, "Attention Is All You Need")])
    for name in ("papers/attention.pdf", "figs/attention.pdf", "tree.pdf", "papers/tree.pdf",
                 "drawings/sketch.pdf", "art/sketch.pdf", "papers/sketch.pdf"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(page)
    figures = {name for name in ("papers/attention.pdf", "figs/attention.pdf", "tree.pdf",
                                 "papers/tree.pdf", "drawings/sketch.pdf", "art/sketch.pdf",
                                 "papers/sketch.pdf")
               if readers.included_figure(str(tmp_path / name))}
    assert figures == {"figs/attention.pdf", "tree.pdf", "drawings/sketch.pdf",
                       "art/sketch.pdf"}, figures
    # a chapter's figure named from its book's folder (`figs/attention`) found from a folder
    # further down holds too
    (tmp_path / "part" / "figs").mkdir(parents=True)
    (tmp_path / "part" / "figs" / "attention.pdf").write_bytes(page)
    assert readers.included_figure(str(tmp_path / "part" / "figs" / "attention.pdf"))
    # a book's main file names the figures' folder, its chapter beside it includes them
    book = tmp_path / "book"
    (book / "figures").mkdir(parents=True)
    (book / "main.tex").write_text("\\documentclass{book}\n\\graphicspath{{figures/}}\n"
                                   "\\begin{document}\n\\input{ch1}\n\\end{document}\n", "utf-8")
    (book / "ch1.tex").write_text("\\chapter{Trees}\n\\includegraphics{split}\n", "utf-8")
    (book / "figures" / "split.pdf").write_bytes(page)
    assert readers.included_figure(str(book / "figures" / "split.pdf"))


@pytest.mark.no_store
def test_a_typst_at_reference_in_raw_or_math_stays_as_written() -> None:
    note = ("= Margins\n\n== Hinge Loss <hinge>\n\nThe hinge loss is zero beyond the"
            " margin.\n\n== Use\n\nType `see @hinge` to cite it, or $@hinge$; read @hinge.\n")
    doc = readers.read_file("typst", note.encode(), "svm/use.typ")[0]
    use = next(p for p in doc.passages if p.heading_path[-1] == "Use")
    assert "](#" not in use.text and "see @hinge" in use.text, use.text
    assert [(x.target, x.kind.value) for x in use.links] == [("Hinge Loss", "label")]


def test_an_ingest_skips_the_figures_and_preambles_only(tmp_path: Path) -> None:
    # the walk with read56's rules on a notes folder that has a figure, a paper of the same
    # name, a preamble and a chapter that shows a package: only the figure and the preamble
    # are skipped, and an edit that drops the figure's `\includegraphics` reads it next time
    import grimoire
    from grimoire.files import storable

    notes = tmp_path / "notes"
    for folder in ("figs", "papers"):
        (notes / folder).mkdir(parents=True)
    summary = notes / "summary.tex"
    summary.write_text("\\documentclass{article}\n\\begin{document}\n\\section{Attention}\n"
                       "Attention weighs the values by the match of a query and the keys.\n"
                       "\\includegraphics{figs/attention}\n\\end{document}\n", "utf-8")
    page = one_page_pdf([(20, "Attention Heads"), (11, "Each head attends to other positions"
                                                        " of the sequence than the others.")])
    (notes / "figs" / "attention.pdf").write_bytes(page)
    (notes / "papers" / "attention.pdf").write_bytes(page)
    (notes / "setup.tex").write_text("\\usepackage{graphicx}\n\\usepackage{amsmath}\n", "utf-8")
    (notes / "packages.tex").write_text(
        "\\chapter{Packages}\nA package adds commands; load it before the document:\n"
        "\\begin{verbatim}\n\\usepackage{amsmath}\n\\end{verbatim}\n", "utf-8")

    def sources(kb: grimoire.Grimoire) -> dict[str, tuple[str, str | None]]:
        stored = {s.path: (s.status, s.reason) for s in kb.sources()}
        return {name: stored[storable(str(notes / name))]
                for name in ("figs/attention.pdf", "papers/attention.pdf", "setup.tex",
                             "packages.tex")}

    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest(notes, embed=False, resolve=False)
        assert sources(kb) == {"figs/attention.pdf": ("skipped", readers.INCLUDED_REASON),
                               "papers/attention.pdf": ("ok", None),
                               "setup.tex": ("skipped", readers.PREAMBLE_REASON),
                               "packages.tex": ("ok", None)}, sources(kb)
        summary.write_text(summary.read_text("utf-8").replace(
            "\\includegraphics{figs/attention}\n", ""), "utf-8")
        kb.ingest(notes, embed=False, resolve=False)
        assert sources(kb)["figs/attention.pdf"] == ("ok", None), sources(kb)
