"""Round 49 (read49): what the readers make of a talk's parts, a formula's lines, a preamble
that wraps, and a list of bold terms. Notes written here, in this test's own words; readers
called directly (no store), so each test costs milliseconds."""

from __future__ import annotations

from grimoire import readers
from grimoire.readers import latex

# A recitation's deck: slides under a section, one of which defines its title; the rest are
# moments of the talk (a warm-up question, its answer, a look back at last week's method).
DECK = r"""\documentclass{beamer}
\title{Recitation 7}
\begin{document}
\section{Recitation 7}
\subsection{Opening Question}
\begin{frame}
  \frametitle{Intro Question}
  Suppose we fit many shallow trees one after another, each to what the last left over.
  Which loss makes each new tree fit the residuals exactly, and why does that help?
\end{frame}
\begin{frame}
  \frametitle{Intro Solution}
  With the square loss, the negative gradient at each point is the residual itself, so each
  new tree fits what the ensemble so far gets wrong on the training points.
\end{frame}
\begin{frame}
  \frametitle{Bagging Review}
  Last week we averaged trees grown on bootstrap samples of the data; averaging lowers the
  variance of the ensemble while each tree keeps its low bias on the training points.
\end{frame}
\begin{frame}
  \frametitle{Stagewise Fitting}
  Stagewise fitting is a way of building an additive model one term at a time, never
  changing the terms already added when the next one is fitted to the data.
\end{frame}
\end{document}
"""

# The same course's notes as sections (no slides): a look back and a summary are parts of the
# page on the method they look back on; a section that defines its heading is still an entry.
NOTES = r"""\documentclass{article}
\begin{document}
\section{Recitation 7: Boosting}
\subsection{Intro Question}
Suppose we fit many shallow trees one after another, each to what the last left over.
Which loss makes each new tree fit the residuals exactly, and why does that help?
\subsection{Review of Bagging}
Bagging is what we did last week: trees grown on bootstrap samples of the data, averaged so
that the variance of the ensemble falls while each tree keeps its low bias.
\subsection{Shrinkage}
Shrinkage is a factor below one that scales each new tree before it joins the ensemble, so
that no single tree moves the fit too far and more trees share the work of fitting.
\subsection{Early Stopping}
Early stopping is a rule that ends the boosting rounds when the error on held-out points
has stopped falling for a while, which keeps the ensemble from fitting the noise.
\subsection{Boosting Summary}
Each new tree fits the negative gradient of the loss at the current fit; a small step size
and a cap on the rounds keep the sum from fitting the noise in the training points.
\section{Administrative}
Homework 4 is due next Tuesday at noon; office hours move to the second floor this week.
\section{Additive Models}
An additive model is a sum of simple functions, each of one input or of a few, fitted
together so that the whole stays easy to read term by term.
\end{document}
"""


def _terms(text: str, path: str) -> list[str]:
    return [e.term for d in latex.read(text.encode(), path) for e in d.entries]


def test_a_talks_parts_are_no_entries() -> None:
    deck = _terms(DECK, "Labs/7-Slides.tex")
    # a slide that defines its title is an entry; its neighbours are moments of the talk
    assert "Stagewise Fitting" in deck
    assert not {"Intro Question", "Intro Solution", "Bagging Review"} & set(deck), deck
    notes = _terms(NOTES, "Labs/7-Notes.tex")
    assert {"Shrinkage", "Early Stopping", "Additive Models"} <= set(notes), notes
    assert not {"Intro Question", "Review of Bagging", "Boosting Summary",
                "Administrative"} & set(notes), notes
    # the same parts written in Markdown are parts too
    md = NOTES.split("\\begin{document}\n")[1].replace("\\end{document}\n", "")
    md = md.replace("\\subsection{", "## ").replace("\\section{", "# ").replace("}\n", "\n")
    doc, = readers.read_file("markdown", md.encode(), "notes/boosting.md")
    terms = {e.term for e in doc.entries}
    assert "Shrinkage" in terms and not {"Review of Bagging", "Boosting Summary"} & terms, terms


def test_a_display_formula_passage_spans_all_its_lines() -> None:
    tex = ("\\documentclass{article}\n\\begin{document}\n\\section{Ridge}\n"  # 1-3
           "The penalty is added to the squared error:\n\n"  # 4-5
           "\\begin{align}\n  J(w) &= \\sum_i (y_i - w^T x_i)^2 \\\\\n"  # 6-7
           "       &+ \\lambda \\|w\\|^2\n\\end{align}\n\n"  # 8-10
           "A larger penalty shrinks every weight.\n\\end{document}\n")  # 11-13
    doc, = latex.read(tex.encode(), "ridge.tex")
    math = [p for p in doc.passages if p.kind == "math"]
    assert [(p.span.start_line, p.span.end_line) for p in math] == [(6, 9)], doc.passages
    md = ("# Ridge\n\nThe penalty is added to the squared error:\n\n"  # 1-4
          "$$\nJ(w) = \\sum_i (y_i - w^T x_i)^2\n  + \\lambda \\|w\\|^2\n$$\n\n"  # 5-9
          "A larger penalty shrinks every weight.\n")
    doc, = readers.read_file("markdown", md.encode(), "ridge.md")
    spans = [(p.span.start_line, p.span.end_line) for p in doc.passages]
    assert any(s <= 5 and e >= 8 for s, e in spans), (spans, doc.passages)


def test_a_documentclass_whose_options_wrap_is_latex() -> None:
    head = ("\\documentclass[\n  11pt,\n  a4paper,\n  twoside\n]{article}\n"
            "\\usepackage{amsmath}\n" + "\\newcommand{\\vect}[1]{\\mathbf{#1}}\n" * 3)
    assert readers.detect("lecture.txt", head) is latex  # no `\begin{document}` in the head
    assert readers.detect("lecture.txt", head.replace("]{article}", "]{article} % A4")) is latex
    # prose that quotes the command mid-line, or options that never close, stay text
    assert readers.detect("how-to.txt", "Start with \\documentclass[\n11pt]{article} then.\n") \
        is not latex
    assert readers.detect("odd.txt", "\\documentclass[\n" + "x,\n" * 400 + "]{article}\n") \
        is not latex


def test_bold_terms_closed_by_a_dash_lead_their_definitions() -> None:
    def terms(dash: str) -> list[str]:
        md = (f"# Pooling\n\nTwo ways to shrink a feature map.\n\n## Kinds\n\n"
              f"**Max pooling** {dash} Max pooling is an operation that keeps the largest "
              f"value of each window of the map.\n\n"
              f"**Average pooling** {dash} Average pooling is an operation that keeps the "
              f"mean of each window of the map.\n\n"
              f"**Note** {dash} both shrink the map by the stride.\n")
        doc, = readers.read_file("markdown", md.encode(), "notes/pooling.md")
        return [e.term for e in doc.entries]
    for dash in ("--", "\u2014", "\u2013"):
        assert terms(dash) == ["Pooling", "Max pooling", "Average pooling"], (dash, terms(dash))
    # the entry's text is the definition, without the dash
    md = ("# Pooling\n\nTwo ways.\n\n## Kinds\n\n**Max pooling** -- Max pooling is an operation "
          "that keeps the largest value.\n\n**Min pooling** -- Min pooling is an operation "
          "that keeps the smallest value.\n")
    doc, = readers.read_file("markdown", md.encode(), "notes/pooling.md")
    assert doc.entries[1].definition.startswith("Max pooling is"), doc.entries[1]


def test_a_titled_documents_sections_are_its_parts_not_topics() -> None:
    tex = (r"""\documentclass{article}
\title{Gradient Clipping}
\begin{document}
\section{Exploding Gradients}
Exploding gradients are updates so large that one step throws the weights far from any
good region, as happens in deep recurrent networks trained on long sequences.
\section{The Rule}
We cap the norm of the whole gradient at a threshold before each step and keep its
direction; the threshold is a hyper-parameter, often between one and ten.
\begin{definition}[Norm Clipping]
Norm clipping rescales a gradient whose norm exceeds a threshold back to that norm.
\end{definition}
\begin{definition}[Value Clipping]
Value clipping caps each component of a gradient at a threshold on its own.
\end{definition}
\section{Practical Advice}
Log the gradient norm during training; if it is clipped on most steps, the threshold is
too low or the learning rate too high for the model at hand.
\end{document}
""")
    doc, = latex.read(tex.encode(), "clipping.tex")
    terms = {e.term: e.reason for e in doc.entries}
    assert {"Exploding Gradients", "Norm Clipping", "Value Clipping"} <= set(terms), terms
    # a section that does not define its heading is a part of the document, not a topic
    assert not {"The Rule", "Practical Advice"} & set(terms), terms
