"""Round 51 (read51): the reading faults round 50 left, on notes written here in this test's
own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from grimoire import readers
from grimoire.model import Document
from tests.readers.test_read50 import _read as _tex
from tests.readers.test_read50 import _texts

SECTIONS = r"""\documentclass{article}
\begin{document}
\section{Shrinking the Weights}\label{sec:shrink}
Penalising the norm of the weights keeps them small.
\subsection{A Closed Form}\label{sec:closed}
The penalised least squares problem has a closed form solution.
\section{Dual Form}
As Section~\ref{sec:shrink} and \ref{sec:closed} showed, and \autoref{sec:shrink} again,
while \nameref{sec:closed} gives the name.
\begin{enumerate}
\item \label{it:kernel}Replace inner products by a kernel.
\item Solve the dual.
\item Compare with step~\ref{it:kernel}.
\end{enumerate}
\end{document}
"""


def test_a_reference_to_a_section_reads_as_its_number_not_its_title() -> None:
    # LaTeX prints "Section 1" and "1.1"; the title read in its place made a sentence no
    # reader of the typeset page sees ("As Section Shrinking the Weights ...")
    text = _texts(_tex(SECTIONS))
    assert "As Section 1 and 1.1 showed, and section 1 again," in text, text
    assert "while A Closed Form gives the name" in text, text  # \nameref prints the title
    assert "Compare with step 1." in text, text  # a label in an item: the item's number


def test_a_section_number_this_file_cannot_know_reads_as_its_title() -> None:
    # a file of a book's chapters (its numbers hang on the chapter's) or a piece of a
    # document read alone (no `\begin{document}`: another file's sections come first): the
    # title, as before read51 (review51a: the label read "see Section sec:Bayesian-decision-
    # theory" in a book's chapter files)
    chapters = SECTIONS.replace(r"\begin{document}", "\\begin{document}\n\\chapter{Ridge}")
    book = _texts(_tex(chapters))
    assert "As Section Shrinking the Weights and A Closed Form showed" in book, book
    piece = SECTIONS.split("\\begin{document}\n", 1)[1].replace("\\end{document}\n", "")
    alone = _texts(_tex(piece, "notes/part.tex"))
    assert "As Section Shrinking the Weights and A Closed Form showed" in alone, alone


def _md(text: str, path: str = "vault/Regularisation.md") -> Document:
    data = text.encode()
    reader = readers.detect(path, readers.sniff_head(data, path))
    assert reader is not None
    return readers.read_file(reader.name, data, path)[0]


def test_a_callouts_title_ends_before_its_body() -> None:
    # the box's title is its bar, no words of its first sentence: joined by a space in a
    # snippet or an answer it read "Weight decay in practice Shrinking every weight ..."
    doc = _md("# Regularisation\n\nPenalties keep a model simple.\n\n"
              "> [!note] Weight decay in practice\n"
              "> Shrinking every weight a little at each step keeps noise out.\n\n"
              "> [!question] Why stop early?\n> The validation loss climbs.\n\n"
              "> [!NOTE]\n> A bare marker has no title.\n")
    text = _texts(doc)
    assert "Weight decay in practice.\nShrinking every weight" in text, text
    assert "Why stop early?\nThe validation" in text, text  # its own mark kept, none added
    assert "\nA bare marker has no title." in text and ".." not in text, text


def test_a_hash_glossarys_gloss_ends_before_its_definition() -> None:
    doc = _md("G#\nGradient Clipping#\n~ cap the step when it grows too long\n"
              "Rescales the gradient whenever its norm passes a threshold, so one bad batch "
              "cannot throw the weights far.\nSee also G, Exploding Gradient\n",
              "glossary/g.txt")
    text = _texts(doc)
    assert "cap the step when it grows too long.\nRescales the gradient" in text, text
    entry = next(e for e in doc.entries if e.term == "Gradient Clipping")
    assert entry.glosses == ("cap the step when it grows too long",)


WIKI_DUMP = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">
  <page>
    <title>Softmax</title>
    <ns>0</ns>
    <revision>
      <timestamp>2025-03-01T10:00:00Z</timestamp>
      <model>wikitext</model>
      <text xml:space="preserve">The '''softmax''' turns scores into probabilities, \
<math>p_i = e^{z_i} / \\sum_j e^{z_j}</math>, each above zero.
== Temperature ==
Dividing by <math display="block">T &lt; 1</math> sharpens it.<ref>A note.</ref></text>
    </revision>
  </page>
</mediawiki>
"""


def test_a_wiki_exports_math_written_as_a_tag_reads_as_a_formula() -> None:
    # an export edited by hand holds `<math>` unescaped: an element of the XML inside the
    # page's text, whose TeX reached the passage bare ("... probabilities, p_i = e^{z_i} ...")
    doc = readers.read_file("mediawiki", WIKI_DUMP.encode(), "wiki/export.xml")[0]
    text = _texts(doc)
    assert r"probabilities, $p_i = e^{z_i} / \sum_j e^{z_j}$, each" in text, text
    assert "Dividing by $$T < 1$$ sharpens it." in text, text
    formulas = [m.tex for p in doc.passages for m in p.math]
    assert formulas == [r"p_i = e^{z_i} / \sum_j e^{z_j}", "T < 1"], formulas
    assert doc.passages[-1].span.start_line == 10


def test_a_test_fixtures_text_and_quartos_environment_are_no_notes() -> None:
    # a book's package keeps its tests' inputs (`tests/.../fixtures/corpus.en.txt`, a
    # tokenizer's merge list) beside the chapters, and Quarto its `_environment` variables:
    # each was an entry named by its file ("corpus.en", "environment")
    for path in ("book/pkg/tests/test_bpe/fixtures/corpus.en.txt",
                 "book/pkg/tests/unit/snapshots/merges.txt", "repo/test/__snapshots__/a.txt",
                 "repo/internal/testdata/golden.txt", "book/_environment",
                 "book/_environment.local", "book/_environment-production"):
        assert readers.tool_file(path), path
    for path in ("notes/fixtures/fixed effects.txt", "notes/tests/hypothesis tests.txt",
                 "notes/tests/fixtures/mocking.md", "notes/environment.txt",
                 "notes/_environment notes.md", "notes/test data.txt"):
        assert not readers.tool_file(path), path


ZH = """# 优化笔记

这一页记录训练神经网络时用到的几种优化方法\uff0c以及它们各自的优缺点和使用时的注意事项。

## 梯度下降

梯度下降是一种沿着负梯度方向反复更新参数\u3001使损失函数的值一步一步变小的优化方法\uff0c几乎所有的模型都用它的某个变体来训练。

## 动量法\uff08Momentum\uff09

动量法\uff08Momentum\uff09是指在梯度下降的每一步更新中加入过去梯度的滑动平均\uff0c让参数在平坦的方向上走得更快\u3001在陡峭的方向上少一些震荡。

## Adam

Adam是把动量法和按坐标缩放的学习率结合起来的优化器\uff0c它为每个参数分别记住梯度的一阶矩和二阶矩\uff0c再用它们来调整每一步的大小。

## 学习率衰减

学习率衰减是否有用\uff0c要看训练的阶段和数据的规模\uff0c这里只记下我们在实验中看到的几种情况和对应的设置\uff0c以后再补充。
"""


def test_a_chinese_definition_with_no_space_defines_its_heading() -> None:
    # Chinese writes no space between a name and 是 ("is"): "梯度下降是一种..." opens by
    # defining its heading as "梯度下降 是一种..." did
    terms = {e.term for e in _md(ZH, "notes/优化笔记.md").entries}
    assert {"梯度下降", "动量法\uff08Momentum\uff09", "Adam"} <= terms, terms
    assert "学习率衰减" not in terms, terms  # 是否: "whether", no definition


def _page(title: str, body: str, path: str = "book/en/adam.qmd") -> tuple[str, tuple[str, ...]]:
    doc = _md(f"---\ntitle: \"{title}\"\n---\n\n{body}\n", path)
    if not doc.entries:
        return "", ()  # a title that names nothing
    page = min(doc.entries, key=lambda e: e.span.start_line)
    return page.term, page.aliases


ADAM_EN = ("Adam keeps a running mean of the gradients and of their squares, and divides the "
           "first by the root of the second for each weight.")
ADAM_ZH = ("Adam 同时记住梯度的滑动平均和梯度平方的滑动平均\uff0c"
           "再用后者的平方根去缩放每个参数的步长。")


def test_a_chapter_titled_by_a_name_and_what_it_does_is_named_by_the_name() -> None:
    # "4.5 Adam: Combining Momentum and RMSprop": the chapter is Adam's, the rest says what
    # it does; named by the whole title, `show Adam` only suggested it, and the book's
    # Chinese chapter "Adam:..." was a second concept. The whole title stays a name.
    term, aliases = _page("4.5 Adam: Combining Momentum and RMSprop", ADAM_EN)
    assert term == "Adam" and "4.5 Adam: Combining Momentum and RMSprop" in aliases, (term, aliases)
    term, aliases = _page("4.5 Adam\uff1aMomentum 与 RMSprop 的结合", ADAM_ZH, "book/zh/adam.qmd")
    assert term == "Adam" and "4.5 Adam\uff1aMomentum 与 RMSprop 的结合" in aliases, (term, aliases)


def test_a_title_whose_head_names_no_subject_of_its_own_stays_whole() -> None:
    for title, body in (
            ("Attention: A Survey", "We read the survey on attention in one sitting."),
            ("Python: Lists and Tuples", "Python lists grow; tuples do not."),
            ("Softmax and Cross Entropy: From Logits to a Loss", "Softmax and cross entropy meet."),
            ("Dropout: Regularisation", "Dropout zeroes units at random."),
            ("Case Study: Pricing Houses with Linear Models", "We fit a linear model to prices."),
            ("Building a Small CNN: From Features to Classes", "A small CNN has two layers."),
            ("Runtimes: Interpreters and Compilers Ahead of Time", "Runtimes run programs."),
            ("Review: Three Papers on Sparse Attention", "A review of sparse attention."),
            ("ML101 Assignment 2: Fitting a Line by Hand", "Fit a line to the points.")):
        term, _ = _page(title, body, "notes/page.md")
        assert term in (title, ""), (title, term)


def test_a_subtitled_page_whose_section_names_its_subject_keeps_one_entry_of_it() -> None:
    # the chapter "AutoEncoder: Starting with ..." over its lead, then "## What Is an
    # AutoEncoder": one entry of that name (the section's, the title a name of it), not a
    # page entry named so beside it
    doc = _md("---\ntitle: \"Dropout: Zeroing Units at Random While Training\"\n---\n\n"
              "This chapter follows the lecture on regularisation and its exercises, and "
              "keeps the code we wrote for it in the second half.\n\n## What Is Dropout\n\n"
              "Dropout is a regulariser that zeroes random units while training, so that no "
              "unit can lean on another one.\n", "book/en/dropout.qmd")
    named = [e for e in doc.entries if e.term == "Dropout"]
    assert len(named) == 1, doc.entries
    assert "Dropout: Zeroing Units at Random While Training" in named[0].aliases, named[0]
