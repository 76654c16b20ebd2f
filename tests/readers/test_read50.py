"""Round 50 (read50): LaTeX and exports as users write them, on notes written here in this
test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from pathlib import Path

from grimoire import readers
from grimoire.model import Document
from grimoire.readers import latex
from tests.conftest import ingested, write_notes


def _read(text: str, path: str = "notes/lecture.tex") -> Document:
    return latex.read(text.encode(), path)[0]


def _texts(doc: Document) -> str:
    return "\n".join(p.text for p in doc.passages)


EQUATIONS = r"""\documentclass{article}
\begin{document}
\section{Shrinking the Weights}
Penalising the squared norm of the weights gives
\begin{equation}\label{eq:penalty}
\min_w \|Xw - y\|^2 + \lambda \|w\|^2
\end{equation}
and its solution has a closed form:
\begin{align}
w^* &= (X^\top X + \lambda I)^{-1} X^\top y \label{eq:closed} \\
\hat y &= X w^* \nonumber \\
r &= y - \hat y \label{eq:resid}
\end{align}
\section{Dual Form}
Starting from Eq.~\eqref{eq:penalty}, equation \ref{eq:resid} and \eqref{eq:closed} we see
more, as Section~\ref{sec:none} will not say.
\end{document}
"""


def test_a_reference_to_an_equation_reads_as_its_number_not_its_section() -> None:
    # `\eqref` of a labelled equation is "(1)" in the typeset text, never the title of the
    # section the equation stands in ("Eq. Shrinking the Weights")
    text = _texts(_read(EQUATIONS))
    assert "Eq. (1), equation 3 and (2) we see" in text, text
    assert "Eq. Shrinking" not in text


def test_an_equation_numbered_by_the_section_reads_as_its_label() -> None:
    # numbers that depend on a counter this reader does not keep are not guessed
    text = _texts(_read(EQUATIONS.replace(r"\begin{document}",
                                          "\\numberwithin{equation}{section}\n\\begin{document}")))
    assert "Eq. (eq:penalty), equation eq:resid and (eq:closed)" in text, text


def test_math_inside_a_text_box_inside_math_is_kept() -> None:
    doc = _read(r"""\documentclass{article}
\begin{document}
\section{Densities}
The density is $f(\theta) = \mbox{$2\theta$ for $0<\theta<1$}$ and zero elsewhere, and
$$g(\theta) = \text{$3\theta^2$ on $[0,1]$}$$ is another.
\end{document}
""")
    text = _texts(doc)
    assert r"\mbox{$2\theta$ for $0<\theta<1$}" in text, text
    assert r"\text{$3\theta^2$ on $[0,1]$}" in text, text
    formulas = [m.tex for p in doc.passages for m in p.math]
    assert r"f(\theta) = \mbox{$2\theta$ for $0<\theta<1$}" in formulas, formulas


LYX = r"""\documentclass[english]{article}
\begin{document}
\title{Feature Templates}
\maketitle
\section{Suffix Features}
The ``suffix'' template maps a word to the indicator of its last letters, as in
\texttt{\textcolor{black}{\{\textquotedbl{}suffix\_\textquotedbl{}+w{[}-2:{]}:~1\}}}.
\begin{lyxcode}
\textcolor{black}{\{\textquotedbl{}suffix\_ed\textquotedbl{}:~1\}}~\\
for~$i=1,\ldots,n$~do~\textbf{nothing}
\end{lyxcode}
\end{document}
"""


def test_lyx_quotes_and_code_read_as_typeset() -> None:
    text = _texts(_read(LYX))
    assert "The “suffix” template" in text, text
    assert '{"suffix_"+w[-2:]: 1}' in text, text
    assert '{"suffix_ed": 1}' in text, text
    assert "for i=1" not in text and "for $i=1,\\ldots,n$ do nothing" in text, text
    assert "textquotedbl" not in text and "~" not in text and "``" not in text


ALGORITHM = r"""\documentclass{article}
\usepackage{algorithm,algpseudocode}
\begin{document}
\section{Training a Perceptron}
The update rule is run until no point is misclassified, as Algorithm~\ref{alg:train} shows.
\begin{algorithm}[ht]
\caption{Mistake-driven training}\label{alg:train}
\begin{algorithmic}[1]
\Require points $x_i$ with signs $y_i$
\State $w \gets 0$
\While{some $y_i w^\top x_i \le 0$}
  \State $w \gets w + y_i x_i$ \Comment{move towards the point}
\EndWhile
\State \Return $w$
\end{algorithmic}
\end{algorithm}
\end{document}
"""


def test_an_algorithm_float_reads_its_title_and_its_steps() -> None:
    doc = _read(ALGORITHM)
    text = _texts(doc)
    assert "[ht]" not in text and "algorithm[" not in text, text
    assert "Algorithm 1: Mistake-driven training" in text, text
    steps = [p for p in doc.passages if "w \\gets w + y_i x_i" in p.text]
    assert len(steps) == 1 and steps[0].kind != "code", doc.passages
    step = steps[0].text
    assert "Require: points $x_i$ with signs $y_i$" in step, step
    assert "while some $y_i w^\\top x_i \\le 0$" in step, step
    assert "end while" in step and "return $w$" in step, step
    assert "move towards the point" in step, step
    assert "as Algorithm 1 shows" in text, text


def test_a_frame_title_keeps_a_macro_it_cannot_expand() -> None:
    # `\reals` comes from a style file that is not read: the title keeps its source
    doc = _read(r"""\documentclass{beamer}
\usepackage{coursemacros}
\begin{document}
\section{Kernels}
\begin{frame}{Polynomial Features in $\reals^{d}$}
A degree-two feature map on $\reals^{d}$ has about $d^2/2$ coordinates.
\end{frame}
\end{document}
""", "slides/kernels.tex")
    paths = {p.heading_path for p in doc.passages}
    assert ("Kernels", r"Polynomial Features in $\reals^{d}$") in paths, paths


def test_a_label_in_two_overlays_of_one_frame_is_defined_once() -> None:
    frame = r"""\documentclass{beamer}
\begin{document}
\section{Margins}
\begin{frame}{Two Views}
\only<1>{The margin is the gap.\label{fig:gap}}
\only<2>{The margin is a distance.\label{fig:gap}}
\end{frame}
\begin{frame}{Again}
Some text.\label{fig:gap}
\end{frame}
\end{document}
"""
    problems = [p.message for p in _read(frame, "slides/margins.tex").problems]
    # the third definition, on another slide, is one LaTeX warns about
    assert len([m for m in problems if "fig:gap" in m]) == 1, problems


def test_a_file_including_its_own_name_from_elsewhere_is_no_link_to_itself() -> None:
    doc = _read(r"""\documentclass{book}
\begin{document}
\include{chapters/intro}
\include{intro}
\input{appendix.tex}
Some words so the links have a passage.
\end{document}
""", "book/intro.tex")
    targets = [link.target for p in doc.passages for link in p.links]
    assert "chapters/intro.tex" in targets and "appendix.tex" in targets, targets
    assert "intro.tex" not in targets, targets


def _terms(doc: Document) -> list[str]:
    return [e.term for e in doc.entries]


def test_a_section_named_the_kernel_trick_whose_text_defines_it_is_an_entry() -> None:
    # "The X" is a phrase as a heading, but a lecture's "The Kernel Trick" over "The kernel
    # trick is ..." names a thing; a page's "The Model" / "The Loss Function" over "The model
    # is ..." is that page's own part and stays one (Markdown and LaTeX alike)
    lecture = r"""\documentclass{article}
\title{Learning with Similarities}
\begin{document}
\section{Lifting Inputs}
Inputs are sent to a space of many coordinates so that a straight boundary there is a curved
one in the space they came from.
\section{The Kernel Trick}
The kernel trick is a way to get inner products of lifted inputs without writing the lift
down, by evaluating a similarity function on the inputs as they are.
\section{The Model}
The model is a weighted sum of similarities to the training points, one weight a point.
\section{The Loss Function}
The loss function is the squared error of that sum on each training point, summed.
\end{document}
"""
    terms = _terms(_read(lecture))
    assert "Kernel Trick" in terms, terms
    assert not {"Model", "The Model", "Loss Function", "The Loss Function"} & set(terms), terms
    note = """# Least Squares

Fitting a line by its squared errors.

## The Model

The model is a line through the data, a slope and an intercept.

## The Normal Equations

The normal equations are the linear system whose solution minimises the squared error of a
linear fit, one equation for each weight.
"""
    doc, = readers.read_file("markdown", note.encode(), "notes/least-squares.md")
    terms = _terms(doc)
    assert "Normal Equations" in terms and "Model" not in terms, terms
    assert "The Model" not in terms, terms


def test_a_deck_whose_section_is_named_as_its_title_has_its_subject_entry() -> None:
    deck = r"""\documentclass{beamer}
\title{Decision Stumps}
\begin{document}
\maketitle
\section{Warm-up}
\begin{frame}{A Question}
What is the best split of ten points on a line into two groups?
\end{frame}
\section{Decision Stumps}
\begin{frame}{One Split}
A rule that compares one feature with one threshold and predicts a label on each side is a
tree of depth one.
\end{frame}
\begin{frame}{Choosing the Threshold}
Every midpoint between two sorted values is tried and the best kept.
\end{frame}
\end{document}
"""
    doc = _read(deck, "slides/stumps.tex")
    entries = {e.term: e for e in doc.entries}
    assert "Decision Stumps" in entries, entries
    assert "tree of depth one" in entries["Decision Stumps"].definition, entries
    assert "ten points" not in entries["Decision Stumps"].definition


def _typora_page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='UTF-8'><title>{title}</title></head>"
            f"<body class='typora-export os-windows'><div id='write'>{body}</div></body></html>")


def test_an_editor_export_in_a_folder_apart_from_its_markdown_is_a_built_copy(
        tmp_path: Path) -> None:
    # Typora's HTML export of each chapter in `html/`, the chapters in `md/`: one note each
    notes = write_notes(tmp_path / "course", {
        "md/03_Gradient Descent.md": "# Gradient Descent\n\nGradient descent is an iterative "
                                     "method that steps against the gradient of a loss.\n",
        "html/03_Gradient-Descent.html": _typora_page(
            "03_Gradient Descent", "<h1>Gradient Descent</h1><p>Gradient descent is an "
            "iterative method that steps against the gradient of a loss.</p>"),
        # an export whose Markdown is not in the notes is the only copy: read
        "html/04_Momentum.html": _typora_page(
            "04_Momentum", "<h1>Momentum</h1><p>Momentum is a method that keeps a running "
            "average of past gradients to smooth each step.</p>"),
        # a page written by hand that names a Markdown file is no export
        "html/notes.html": "<html><head><title>03_Gradient Descent</title></head><body><p>"
                           "A page of my own.</p></body></html>",
    })
    folder = str(notes.resolve())
    assert readers.built_copy(str(notes / "html/03_Gradient-Descent.html"), folder)
    assert not readers.built_copy(str(notes / "html/04_Momentum.html"), folder)
    assert not readers.built_copy(str(notes / "html/notes.html"), folder)
    # the export's folder ingested alone: its Markdown is not among the notes, so it is read
    assert not readers.built_copy(str(notes / "html/03_Gradient-Descent.html"),
                                  str((notes / "html").resolve()))
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        said = kb.said(kb.concept("Gradient Descent"))
        assert [s.span.path.rsplit("/", 2)[-2] for s in said] == ["md"], said
        assert kb.concept("Momentum") is not None


def test_a_reference_to_a_theorem_reads_as_its_title_or_label_not_its_section() -> None:
    text = _texts(_read(r"""\documentclass{article}
\newtheorem{theorem}{Theorem}
\newtheorem{lemma}{Lemma}
\begin{document}
\section{Kernels}
\begin{theorem}[Representer Theorem]\label{thm:rep}
A minimiser of a regularised loss lies in the span of the training points.
\end{theorem}
\begin{lemma}\label{lem:psd}
A sum of two kernels is a kernel.
\end{lemma}
\section{Uses}
By Theorem~\ref{thm:rep} and Lemma~\ref{lem:psd} we may fit in the span; see also
Section~\ref{sec:none}.
\end{document}
"""))
    assert "By Theorem Representer Theorem and Lemma lem:psd we may" in text, text
