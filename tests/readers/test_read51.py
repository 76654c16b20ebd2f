"""Round 51 (read51): the reading faults round 50 left, on notes written here in this test's
own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from grimoire.model import Document
from grimoire.readers import latex


def _tex(text: str, path: str = "notes/lecture.tex") -> Document:
    return latex.read(text.encode(), path)[0]


def _texts(doc: Document) -> str:
    return "\n".join(p.text for p in doc.passages)


SECTIONS = r"""\documentclass{article}
\begin{document}
\section{Shrinking the Weights}\label{sec:shrink}
Penalising the norm of the weights keeps them small.
\subsection{A Closed Form}\label{sec:closed}
The penalised least squares problem has a closed form solution.
\section{Dual Form}
As Section~\ref{sec:shrink} and \ref{sec:closed} showed, and \autoref{sec:shrink} again,
while \nameref{sec:closed} gives the name.
\end{document}
"""


def test_a_reference_to_a_section_reads_as_its_number_not_its_title() -> None:
    # LaTeX prints "Section 1" and "1.1"; the title read in its place made a sentence no
    # reader of the typeset page sees ("As Section Shrinking the Weights ...")
    text = _texts(_tex(SECTIONS))
    assert "As Section 1 and 1.1 showed, and section 1 again," in text, text
    assert "while A Closed Form gives the name" in text, text  # \nameref prints the title


def test_a_section_number_this_file_cannot_know_reads_as_its_label() -> None:
    # a file of a book's chapters (its numbers hang on the chapter's) or a piece of a
    # document read alone (no `\begin{document}`: another file's sections come first)
    book = _texts(_tex(SECTIONS.replace(r"\begin{document}", "\\begin{document}\n\\chapter{Ridge}")))
    assert "As Section sec:shrink and sec:closed showed" in book, book
    piece = SECTIONS.split("\\begin{document}\n", 1)[1].replace("\\end{document}\n", "")
    alone = _texts(_tex(piece, "notes/part.tex"))
    assert "As Section sec:shrink and sec:closed showed" in alone, alone
