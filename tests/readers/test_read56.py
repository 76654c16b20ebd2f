"""Round 56 (read56): faults met reading public notes no round had read, each on notes written
here in this test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from tests.conftest import one_page_pdf

_PRELUDE = """// the look of every chapter
#let chapter(body) = {
  text(size: 18pt)[
    #align(left)[
      #heading(level: 2)[#body]
      #v(8pt)
    ]
  ]
}
#let topic(name) = heading(level: 3, name)
#let boxed(title) = block(stroke: 1pt)[#strong(title)]
"""

_NOTE = """#import "../style.typ": *

#chapter("Kernel Methods")

A kernel method compares two inputs through a similarity computed in a feature space.

#topic[Kernel Trick] #index("kernel")

The kernel trick evaluates an inner product of feature maps without building the maps.

#boxed("Remember")
Check that the Gram matrix is positive semi-definite.
"""


@pytest.mark.no_store
def test_a_heading_made_by_a_function_the_note_imports_is_a_heading(tmp_path: Path) -> None:
    # a notes repository styled each heading through a function of its prelude
    # (`#let hd3(t) = { ... #heading(level: 3)[#t] ... }`, called `#hd3("VAE")`): round 55
    # read no heading in any of its files, and named each by its file's stem
    (tmp_path / "style.typ").write_text(_PRELUDE, encoding="utf-8")
    (tmp_path / "ml").mkdir()
    note = tmp_path / "ml" / "kernels.typ"
    note.write_text(_NOTE, encoding="utf-8")
    data = note.read_bytes()
    doc = readers.read_file("typst", data, str(note))[0]
    assert doc.title == "Kernel Methods", doc.title
    assert [e.term for e in doc.entries] == ["Kernel Methods", "Kernel Trick"], doc.entries
    paths = {p.heading_path for p in doc.passages}
    assert ("Kernel Methods", "Kernel Trick") in paths, paths
    # a function that does not make a heading of its argument stays text
    assert any("Remember" in p.text for p in doc.passages), doc.passages
    # the prelude's headings are in the note's hash: a change to them reads the note again
    before = readers.taken_from_others(data, str(note))
    (tmp_path / "style.typ").write_text(_PRELUDE.replace("level: 3", "level: 4"), "utf-8")
    assert readers.taken_from_others(data, str(note)) != before
    # read from memory (no folder), or with the prelude gone, the calls are text as before
    for path in ("kernels.typ", str(tmp_path / "a" / "b" / "kernels.typ")):
        doc = readers.read_file("typst", data, path)[0]
        assert ("Kernel Methods", "Kernel Trick") not in {p.heading_path for p in doc.passages}
    # a function defined in the note itself counts too
    own = "#let part(t) = heading(level: 1, t)\n\n#part(\"Gaussian Processes\")\n\n" \
          "A Gaussian process is a distribution over functions.\n"
    doc = readers.read_file("typst", own.encode(), "gp.typ")[0]
    assert doc.title == "Gaussian Processes", doc.title


@pytest.mark.no_store
def test_a_pdf_whose_fonts_map_glyphs_to_no_letters_is_no_note() -> None:
    # a Markdown editor's PDF export of Chinese notes embeds its fonts without a Unicode map:
    # pypdf gives the glyphs' numbers, a fifth of them control codes, and each such chapter
    # was an entry named by them ("3 \xa9 \xe5}...")
    numbers = "".join(chr(c) for c in (0x05, 0xC5, 0x7D, 0xD2, 0x02, 0x11, 0xE9, 0x18, 0xB4))
    runs = [(20, numbers * 3), (11, numbers * 6), (11, (numbers + " ") * 4)]
    with pytest.raises(readers.ReadError, match="unreadable text"):
        readers.read_file("pdf", one_page_pdf(runs), "notes/chapter3.pdf")
    # a TeX page whose T1 font writes its ligatures and quotes as control codes reads as before
    tex = [(20, "Arti\x1ccial Neural Networks"),
           (11, "A neuron sums its weighted inputs and passes the sum through an activation."),
           (11, "The \x1crst layer is \x10the input layer\x11 and the last is the output \x16 a"
                " layer with one unit per class.")]
    doc = readers.read_file("pdf", one_page_pdf(tex), "notes/neurons.pdf")[0]
    assert doc.title == "Artificial Neural Networks", doc.title
    assert not [p for p in doc.problems if "unreadable" in p.message], doc.problems


@pytest.mark.no_store
def test_a_pdf_drawing_a_latex_deck_includes_is_a_figure(tmp_path: Path) -> None:
    # a course's Beamer decks kept their drawings as PDFs in `pics/`: each was read as a page
    # and named by a label drawn in it ("x[n]", "Input", "PowerPoint Presentation")
    lecture = tmp_path / "Module 1"
    (lecture / "pics").mkdir(parents=True)
    (lecture / "L1.tex").write_text(
        "\\documentclass{beamer}\n\\begin{document}\n\\begin{frame}{Margins}\n"
        "\\includegraphics[width=0.6\\textwidth]{pics/margin_plot}\n"
        "\\includegraphics{pics/kernel.pdf}\n\\end{frame}\n\\end{document}\n", "utf-8")
    drawing = one_page_pdf([(14, "Input"), (12, "x[n]")])
    for name in ("margin_plot.pdf", "kernel.pdf", "lecture-handout.pdf", "svm.pdf"):
        (lecture / "pics" / name).write_bytes(drawing)
    (lecture / "pics" / "svm.pdf_tex").write_text("\\begin{picture}(1,1)\\end{picture}\n")
    assert readers.included_figure(str(lecture / "pics" / "margin_plot.pdf"))
    assert readers.included_figure(str(lecture / "pics" / "kernel.pdf"))
    assert readers.included_figure(str(lecture / "pics" / "svm.pdf"))  # Inkscape's, beside
    # a PDF no document includes is read as before
    assert not readers.included_figure(str(lecture / "pics" / "lecture-handout.pdf"))
    # nor is a PDF that only a file three folders up includes one of its
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (tmp_path / "main.tex").write_text("\\includegraphics{a/b/c/chart}\n", "utf-8")
    (deep / "chart.pdf").write_bytes(drawing)
    assert not readers.included_figure(str(deep / "chart.pdf"))


@pytest.mark.no_store
def test_a_latex_preamble_in_a_file_of_its_own_is_no_note() -> None:
    # a course's decks each `\input{preamble.tex}`, a file of `\usepackage`, `\definecolor`,
    # `\lstdefinestyle` lines: it was a concept "preamble", its text the settings' arguments
    preamble = (b"\\usetheme{Boadilla}\n\\usepackage{tikz}\n\\usepackage[T1]{fontenc}\n"
                b"\\definecolor{notegreen}{rgb}{0.1,0.5,0.2}\n"
                b"\\lstdefinestyle{plain}{basicstyle=\\ttfamily, numbers=left}\n")
    why = readers.not_a_note("course/setup.tex", preamble, preamble.decode())
    assert why == readers.PREAMBLE_REASON, why
    # a chapter read in by its book (no document of its own, no package) is read as before,
    # and so is a whole document, and a chapter that names a package in its prose
    chapter = (b"\\section{Dropout}\nDropout zeroes each unit with probability $p$ during"
               b" training.\n% \\usepackage{tikz} is loaded by the main file\n"
               b"Load it with \\verb|\\usepackage{dropout}| in a preamble.\n")
    whole = b"\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\nHi\n" \
            b"\\end{document}\n"
    for data in (chapter, whole):
        assert readers.not_a_note("course/ch.tex", data, data.decode()) is None


_DECK = """\\documentclass{beamer}
\\title{2. Probabilistic models}
\\subtitle{%s}
\\begin{document}
\\maketitle
\\begin{frame}{%s}
\\begin{itemize}
\\item Each hidden state depends only on the one before it.
\\item The observations depend only on the hidden state of their step.
\\end{itemize}
\\end{frame}
\\begin{frame}{Viterbi decoding}
Viterbi decoding finds the most likely sequence of hidden states by dynamic programming.
\\end{frame}
\\end{document}
"""


@pytest.mark.no_store
def test_a_deck_subtitled_by_a_part_of_its_titles_number_is_that_part() -> None:
    # a course's decks, files named L2.1.tex, L2.2.tex, each titled by its module ("2.
    # Probabilistic models") and subtitled by its own part ("2.3. Hidden Markov models"): all
    # the module's decks were one concept of the module's name, their topics lost
    for subtitle, frame in (("2.3. Hidden Markov models", "Assumptions"),
                            ("2.3b Hidden Markov models", "Hidden Markov models")):
        tex = _DECK % (subtitle, frame)
        doc = readers.read_file("latex", tex.encode(), "course/Module 2/L2.3.tex")[0]
        assert doc.title == "Hidden Markov models", doc.title
        terms = [e.term for e in doc.entries]
        assert terms[0] == "Hidden Markov models", terms
    # a subtitle of another number, or none, leaves the module's title
    for subtitle in ("3.1. Hidden Markov models", "Hidden Markov models, a first look"):
        tex = _DECK % (subtitle, "Assumptions")
        doc = readers.read_file("latex", tex.encode(), "course/Module 2/L2.3.tex")[0]
        assert doc.title.endswith("Probabilistic models"), doc.title


@pytest.mark.no_store
def test_chinese_section_parts_are_no_concepts_and_open_their_section() -> None:
    # a master's notes in Chinese headed the parts of a topic "问题定义" (problem statement),
    # "核心思想" (core idea), "动机与直觉" (motivation and intuition), "易错点补充" (pitfalls),
    # alone or after the topic with a space ("Federated Learning 核心思想") or before an
    # English gloss ("速查 Quick Ref"): each was a concept (qa55 counted about 15)
    from grimoire.readers.conventions import is_generic_heading

    for part in ("问题定义", "核心思想", "动机与直觉", "易错点补充", "补充",
                 "Federated Learning 核心思想", "Beam Search 详细示例", "速查 Quick Ref",
                 "动机\uff1aTransliteration"):
        assert is_generic_heading(part), part
    for name in ("注意力机制", "Federated Learning", "Beam Search 算法", "Affine 层"):
        assert not is_generic_heading(name), name
    # a section whose text all lies under such an opening part keeps its concept
    note = ("# Robust Networks\n\n## Certified Robustness\n\n### 问题定义\n\n"
            "Certified robustness proves that a network gives the same class on every input"
            " within a given distance of a point.\n\n### 方法\n\nInterval bounds, linear"
            " relaxations.\n")
    doc = readers.read_file("markdown", note.encode("utf-8"), "notes/robust.md")[0]
    terms = [e.term for e in doc.entries]
    assert "Certified Robustness" in terms and "问题定义" not in terms, terms


@pytest.mark.no_store
def test_a_chi_squared_name_is_also_found_in_words() -> None:
    # "$\chi^2$ Test" was named "\u03c72 Test", also "chi2 Test" (review55a), but notes and
    # searches write "chi-squared test"; a superscript two ("\u03c7\u00b2") was no alias at all
    for heading in ("$\\chi^2$ Test", "\u03c7\u00b2 Test"):
        note = (f"# Hypothesis Tests\n\n## {heading}\n\nThe {heading.split()[0]} test is a"
                " test of whether observed counts differ from the counts a model expects.\n")
        doc = readers.read_file("markdown", note.encode(), "stats/tests.md")[0]
        entry = next(e for e in doc.entries if e.term.endswith(" Test"))
        assert "chi-squared Test" in entry.aliases, (entry.term, entry.aliases)


@pytest.mark.no_store
def test_typst_references_to_a_headings_label_are_links_to_it() -> None:
    # `@label`, `#ref(<label>)` and `#link(<label>)[text]` made no link (round 55), and the
    # last read "#link()[text]"; a citation `@key` and an address `a@b` are no reference
    note = ("= Margins\n\n== Hinge Loss <hinge>\n\nThe hinge loss is zero for a point beyond"
            " the margin and grows linearly inside it.\n\n== Training\n\nMinimise @hinge over"
            " the data, as #link(<hinge>)[the loss above] says (#ref(<hinge>)); see"
            " @vapnik1995 or write to help@example.org.\n")
    doc = readers.read_file("typst", note.encode(), "svm/margins.typ")[0]
    training = next(p for p in doc.passages if p.heading_path[-1] == "Training")
    assert "the loss above" in training.text and "#link" not in training.text, training.text
    assert [(x.target, x.kind.value) for x in training.links] == [("Hinge Loss", "label")] * 3
    assert [h.heading_path[-1] for h in doc.passages][:1] == ["Hinge Loss"]
