"""The LaTeX reader (`readers/latex.py`): lecture notes and papers as their `.tex` source.

Notes written here, in this test's own words; one small ingest for what the store makes of
them (a section found by name, a definition environment as an entry, a `\\ref` resolved).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grimoire import readers
from grimoire.errors import ReadError
from grimoire.model import LinkKind
from grimoire.readers import latex
from tests.conftest import ingested, write_notes
from tests.hostile.test_linear import MAX_RATIO, ratio

LECTURE = r"""\documentclass{article}
\usepackage{amsmath}
\newcommand{\R}{\mathbb{R}}
\title{Notes on \emph{Kernel} Methods}
\author{A. Student}
\begin{document}
\maketitle
% a remark for myself, never text
\section{Feature Maps}\label{sec:maps}
We lift points into $\R^d$ with a map; 30\% of the work % and this is dropped
is choosing it. Section~\ref{sec:hinge} uses it \cite{vapnik95, cortes}.
See \href{https://example.org/kernels}{a survey} and \url{https://example.org/b}.

\begin{itemize}
  \item \textbf{linear} maps keep
  the inputs
  \item[poly] raises them to a power
\end{itemize}

\section*{Hinge Loss}
\label{sec:hinge}
The hinge loss is a loss function that charges a margin violation linearly.
\begin{definition}[Margin]
The margin of a classifier is the distance from the boundary to the nearest point.
\end{definition}

\begin{definition}
[informal]A \emph{support vector} is a point that lies on the margin.
\end{definition}
\begin{equation}\label{eq:svm}
\min_w \|w\|^2
\end{equation}
As \eqref{eq:svm} says, small weights.
\begin{figure}[h]
  \centering
  \includegraphics[width=3in]{img/margin.png}
  \caption{The margin of a separating line.}
\end{figure}
\[ K(x, y) = \langle \phi(x), \phi(y) \rangle \]
\input{appendix}
\end{document}
Never typeset.
"""


def _read(text: str, path: str = "notes/kernels.tex") -> latex.Document:
    return latex.read(text.encode(), path)[0]


def test_a_lecture_reads_as_its_outline_text_math_and_links() -> None:
    doc = _read(LECTURE)
    assert doc.format == "latex" and doc.title == "Notes on Kernel Methods"
    assert doc.meta["author"] == "A. Student"
    by_path = {}
    for p in doc.passages:
        by_path.setdefault(p.heading_path, p)
    intro = next(p for p in doc.passages if p.kind == "text")
    # its true lines; a command keeps its argument, a comment and `\cite` do not stay as TeX
    assert intro.heading_path == ("Feature Maps",) and intro.span.start_line == 10
    assert intro.text.startswith("We lift points into ${\\mathbb{R}}^d$ with a map; 30% of the "
                                 "work is choosing it. Section Hinge Loss uses it "
                                 "[vapnik95, cortes].")
    assert "remark" not in intro.text and "dropped" not in intro.text
    links = {x.target: x for x in intro.links}
    assert links["https://example.org/kernels"].label == "a survey"
    assert links["https://example.org/b"].kind == LinkKind.URL
    # `\ref` points at the heading its label names (`labels.link_local_labels`)
    assert (links["Hinge Loss"].kind, links["Hinge Loss"].fragment) == (LinkKind.LABEL, "sec:hinge")
    items = next(p for p in doc.passages if p.kind == "list")
    assert items.text == "- linear maps keep the inputs\n- poly: raises them to a power"
    assert items.span.start_line == 15
    hinge = by_path[("Hinge Loss",)]
    assert hinge.text.startswith("The hinge loss is a loss function")
    math = [p for p in doc.passages if p.kind == "math"]
    assert [p.text for p in math] == ["$$\\min_w \\|w\\|^2$$",
                                      "$$K(x, y) = \\langle \\phi(x), \\phi(y) \\rangle$$"]
    assert (math[0].span.start_line, math[0].math[0].span.end_line) == (30, 32)
    texts = " ".join(p.text for p in doc.passages)
    assert "The margin of a separating line." in texts and "centering" not in texts
    assert "Never typeset" not in texts and "usepackage" not in texts
    assert [i.target for p in doc.passages for i in p.images] == ["img/margin.png"]
    inputs = [x for x in doc.links if x.href == "appendix"]
    assert [x.target for x in inputs] == ["appendix.tex"]
    assert doc.meta["labels"] == {"sec:maps": "Feature Maps", "sec:hinge": "Hinge Loss",
                                  "eq:svm": "Hinge Loss"}
    entries = {e.term: e for e in doc.entries}
    # a definition named by its title, and one by the term it sets in italics
    assert entries["Margin"].definition.startswith("The margin of a classifier")
    assert (entries["Margin"].span.start_line, entries["Margin"].span.end_line) == (23, 25)
    assert entries["support vector"].definition.startswith("A support vector is a point")
    assert "Hinge Loss" in entries  # a section whose text defines its heading
    assert doc.problems == ()


def test_slides_bold_leads_and_sniffing() -> None:
    slides = "\n".join([
        r"\documentclass{beamer}",
        r"\begin{document}",
        r"\section{Losses}",
        r"\begin{frame}[t]{Two losses}",
        r"\textbf{Squared loss.} The squared loss is the square of the residual.",
        "",
        r"\textbf{Absolute loss.} The absolute loss is the size of the residual.",
        r"\end{frame}",
        r"\section{Robust Fitting}",
        r"\begin{frame}",
        r"\frametitle{Robustness}",
        r"Outliers weigh less under the absolute loss.",
        r"\begin{theorem}",
        r"[Huber]A loss can be both.",
        r"\end{theorem}",
        r"\end{frame}",
        r"\end{document}",
    ])
    doc = _read(slides, "slides/losses.tex")
    paths = [p.heading_path for p in doc.passages]
    assert paths == [("Losses", "Two losses"), ("Robust Fitting", "Robustness")]
    assert {e.term for e in doc.entries} >= {"Squared loss", "Absolute loss"}
    assert doc.passages[-1].text.endswith("absolute loss.\n\nHuber. A loss can be both.")
    # by content, for a file whose extension says nothing
    assert readers.detect("paper.txt", "\\documentclass{article}\n") is latex
    assert readers.detect("notes.txt", "% intro\n\\section{Kernels}\nText.\n") is latex
    assert readers.detect("notes.txt", "A section{ of prose}\n") is not latex


@pytest.mark.parametrize("text", [
    "\\section{A}\n\\textbf{open {brace\n\nnext \\emph{x}} }}}\n",  # unbalanced both ways
    "\\begin{itemize}\n\\item one\n\\begin{definition}\nNo end.\n",  # unclosed environments
    "\\begin{align}\nx = 1\n",  # an unclosed formula
    "$x and \\[ y and \\( z\n",  # unclosed math of each kind
    "\\def\\foo#1#2{\\textbf{#1}\\foo}\n\\foo{a}{b}\n\\newcommand{\\bar}[1]{\n",  # macros
    "\\end{itemize}\n\\item loose\n\\\\",  # an end without begin, a trailing backslash
])
def test_bad_input_reads_on_with_its_problems(text: str) -> None:
    doc = _read(text)
    assert all(p.span.path == "notes/kernels.tex" and p.span.start_line >= 1
               for p in doc.problems)


def test_problems_name_their_lines_and_bytes_decode() -> None:
    doc = _read("\\section{A}\ntext\n\\begin{align}\nx\n\nmore $y\n")
    assert [(p.span.start_line, p.message) for p in doc.problems] == [
        (3, "unclosed \\begin{align}: read on as text"), (6, "unclosed $: read as text")]
    latin = "\\section{Caf\xe9}\nna\xefve text\n".encode("cp1252")
    assert latex.read(latin, "a.tex")[0].passages[0].heading_path == ("Café",)
    with pytest.raises(ReadError, match=r"a\.tex"):
        latex.read(b"\x00\x01\x02binary", "a.tex")


@pytest.mark.parametrize("make", [
    lambda n: "\\begin{itemize}\n\\item a\n" * n,  # lists never closed
    lambda n: "\\section{S}\\label{s}\n" + "\\textbf{x $a " * n + "\\ref{s}\n",  # one line
])
def test_reading_is_linear_in_hostile_input(make: Callable[[int], str]) -> None:
    r = ratio(make, lambda text: latex.read(text.encode(), "a.tex"))
    assert r <= MAX_RATIO, f"2n costs {r:.1f}x n"


def test_a_latex_folder_in_the_store(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "kernels.tex": LECTURE,
        "appendix.tex": "\\section{Appendix}\nProofs of what Section~\\ref{sec:maps} claims.\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        margin = kb.concept("Margin")
        said = kb.said(margin)
        assert said and said[0].span.path.endswith("kernels.tex")
        assert (said[0].span.start_line, said[0].span.end_line) == (23, 25)
        hinge = kb.concept("Hinge Loss")
        assert hinge.label == "Hinge Loss"
        # the `\ref` within the file leads to its section; none is a dead link or a wanted page
        assert any(m.span.path.endswith("kernels.tex") for m in kb.backlinks("Hinge Loss"))
        assert kb.wanted(suggestions=False) == []
        assert [d for d in kb.dead_links(suggestions=False)
                if d.link.kind in (LinkKind.LABEL, LinkKind.MARKDOWN)] == []


def test_detection_leaves_prose_and_markdown_about_latex_alone() -> None:
    # (review48c) a `.txt` note that quotes LaTeX is no LaTeX: in a Markdown fence, indented
    # as code, or a command wrapped onto the start of a prose line
    fenced = "# Notes\n\nSome text.\n\n```latex\n\\section{Intro}\n\\documentclass{article}\n```\n"
    indented = "Notes on LaTeX\n\nA paper starts like this:\n\n    \\documentclass{article}\n"
    wrapped = "A paper starts with the line\n\\documentclass{article} and then the body.\n"
    for head in (fenced, indented, wrapped):
        assert readers.detect("notes.txt", head) is not latex, head
    # the lines a LaTeX file opens with, comment or label after them
    for head in ("\\documentclass[11pt,english]{article} % LyX\n",
                 "\\section*{Kernels}\\label{sec:k}\nText.\n", "\\begin{document}\n"):
        assert readers.detect("notes.txt", head) is latex, head


def test_verb_keeps_its_text_and_hides_what_it_quotes() -> None:
    # (review48c) `\verb|..|` quotes `%`, `\end{document}` and braces: never a comment, never
    # the end of the file, never an unbalanced brace
    doc = _read("\n".join([
        r"\documentclass{article}",
        r"\begin{document}",
        r"\section{Ending}",
        r"Write \verb|\end{document}| last; \verb+50% {+ of files forget it.",
        "",
        r"More text after.",
        r"\end{document}",
    ]))
    text = "\n\n".join(p.text for p in doc.passages)
    assert r"Write \end{document} last; 50% { of files forget it." in text
    assert "More text after." in text
    assert not doc.problems
    # a Beamer overlay on an item (`\item<2->`) is no text
    items = _read("\\begin{itemize}\n\\item<2->[Lasso] shrinks\n\\item<3> more\n\\end{itemize}\n")
    assert items.passages[0].text == "- Lasso: shrinks\n- more"
