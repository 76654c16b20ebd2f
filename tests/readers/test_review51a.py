"""Round 51 (review51a): a second look at read51's reading rules, on notes written here in
this test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from grimoire import readers
from tests.readers.test_read50 import _read as _tex
from tests.readers.test_read50 import _texts
from tests.readers.test_read51 import _md, _page

ZH_LEAD = "# 优化笔记\n\n这一页记录训练时用到的几种优化方法\uff0c以及它们各自的优缺点和注意事项。\n"
ZH_TAIL = "\uff0c下面记下几次对比实验的设置和结果\uff0c以及训练时要留意的几件事情和对应的参数。"


def _zh_defined(sentence: str) -> bool:
    doc = _md(f"{ZH_LEAD}\n## Adam\n\n{sentence}{ZH_TAIL}\n", "notes/优化笔记.md")
    return any(e.term == "Adam" for e in doc.entries)


def test_a_word_that_opens_with_a_chinese_copula_defines_nothing() -> None:
    # 即使 "even if", 即可 "will do", 即将 "about to", 即便 "even though"; 是怎么 / 是如何
    # "how is it ..." asks; Japanese とはいえ "even so" and とは限らない "not always": the
    # character read51 takes for "is" or "that is" opens another word there
    for sentence in ("Adam即使在很大的模型上也照样常用", "Adam即可得到不错的结果",
                     "Adam即将被新的方法取代", "Adam即便如此也要调参", "Adam是怎么工作的",
                     "Adam是如何工作的", "Adamとはいえ、いつも最良の選択", "Adamとは限らない"):
        assert not _zh_defined(sentence), sentence
    for sentence in ("Adam即自适应矩估计\uff0c一种优化器", "Adam是一种自适应学习率的优化器",
                     "Adamとは、勾配の一次と二次のモーメントを使う最適化手法"):
        assert _zh_defined(sentence), sentence


ADAM = ("Adam keeps a running mean of the gradients and of their squares. The update, the tip, "
        "the warning, the theorem, the case study and the takeaway below all use it.")


def test_a_label_before_a_titles_colon_names_no_subject() -> None:
    # "Update: ...", "TL;DR: ...", "Q: ...": a label the writer puts before the title, no
    # thing the page is about; with the label said in the page, read51 named the page by it
    for title in ("Update: Adam Keeps Running Means Now", "TL;DR: Adam Keeps Running Means",
                  "Q: Why Does Adam Keep Running Means", "Tip: Warm Up Before Using Adam",
                  "Warning: Adam Can Diverge at Large Steps",
                  "Theorem: Adam Converges on Convex Losses",
                  "Case Study: Adam on a Small Transformer", "Takeaway: Adam Needs Warmup Steps"):
        head = title.split(":")[0]
        term, _ = _page(title, f"{ADAM} {head} here.", "notes/page.md")
        assert term != head, (title, term)  # the whole title, or what `bare_name` leaves
    # a Chinese chapter's number or a label before the full-width colon, the same
    body = "梯度下降沿着负梯度的方向更新参数\uff0c使损失一步一步变小。"
    for title in ("第三章\uff1a梯度下降的原理和实现方法", "第3讲\uff1a梯度下降的原理和实现方法",
                  "注意\uff1a梯度下降的步长不能太大", "笔记\uff1a梯度下降的原理和实现方法",
                  "问\uff1a梯度下降的原理是什么\uff1f", "更新\uff1a梯度下降的原理和实现方法"):
        head = title.split("\uff1a")[0]
        term, _ = _page(title, f"{body}{head}写在这里。", "notes/page.md")
        assert term != head, (title, term)
    term, aliases = _page("梯度下降\uff1a沿负梯度方向更新参数", body, "notes/page.md")
    assert term == "梯度下降" and "梯度下降\uff1a沿负梯度方向更新参数" in aliases, (term, aliases)


INPUTS = r"""\documentclass{article}
\begin{document}
\section{Shrinking the Weights}\label{sec:shrink}
Penalising the norm of the weights keeps them small, as page~\pageref{sec:shrink} says.
\input{chapters/dual}
\section{Kernels}\label{sec:kernels}
Section~\ref{sec:kernels} follows the file read in, and \ref{sec:shrink} comes first.
\end{document}
"""


def test_a_section_after_an_included_file_reads_as_its_label() -> None:
    # `\input{chapters/dual}` may hold sections of its own: LaTeX numbers "Kernels" after
    # them, so "2" (read51) was a number the typeset page may not show; a page number is no
    # section's number either. Not this file's number: the title, as before read51
    text = _texts(_tex(INPUTS))
    assert "Section Kernels follows the file read in, and 1 comes first." in text, text
    assert "as page Shrinking the Weights says" in text, text


def test_a_notes_folder_named_test_data_is_read() -> None:
    # "test_data/" or "test-data/" in a notes folder is a topic (held-out data, leakage),
    # no test suite's inputs unless inside one; Go's one-word `testdata` stays a tool folder
    for path in ("ml/test_data/leakage.txt", "ml/test-data/held out sets.txt"):
        assert not readers.tool_file(path), path
    for path in ("pkg/tests/test_data/merges.txt", "pkg/internal/testdata/golden.txt"):
        assert readers.tool_file(path), path


def test_a_chinese_heading_deriving_a_numbered_formula_names_no_concept() -> None:
    # "式(3.27)的推导" (the derivation of formula 3.27) among "梯度下降法是一种..." and its
    # siblings was a concept through their definitions (read51's Chinese copula), where
    # "Derivation of Eq. (3.27)" names a part of a page
    doc = _md("# 线性模型\n\n## 3.3 对数几率回归\n\n### 3.3.1 式(3.27)的推导\n\n把前一个式子代入"
              "后一个式子就可以得到这个结果\uff0c下面一步一步写出来\uff0c每一步都写清楚用到了哪个性质。"
              "\n\n### 3.3.2 梯度下降法\n\n梯度下降法是一种迭代求解的算法\uff0c先在定义域中随机选一"
              "个点\uff0c再沿着负梯度的方向走一小步\uff0c反复进行直到收敛为止。\n\n### 3.3.3 牛顿法"
              "\n\n牛顿法也是一种迭代求解的算法\uff0c它在选下一个点时用到了二阶导数的信息\uff0c所以"
              "通常比梯度下降法收敛得更快。\n\n### 3.3.4 式(3.30)和式(3.31)的解释\n\n这两个式子分别"
              "是一阶导数和二阶导数\uff0c牛顿法要用到它们\uff0c下面分别说明它们的来历和含义。\n",
              "book/chapter3.md")
    terms = {e.term for e in doc.entries}
    assert "梯度下降法" in terms, terms
    assert not {"式(3.27)的推导", "式(3.30)和式(3.31)的解释"} & terms, terms


def test_a_subtitled_chapter_keeps_its_whole_title_without_its_number_as_a_name() -> None:
    # before read51 the chapter was named "Adam: Combining ..." (the number dropped) and
    # `show "Adam: Combining ..."` found it; named "Adam", its only other name kept the
    # number ("4.5 Adam: ..."), and the title as people write it found nothing
    body = "Adam keeps a running mean of the gradients and of their squares for each weight."
    term, aliases = _page("4.5 Adam: Combining Momentum and RMSprop", body)
    assert term == "Adam", term
    assert "Adam: Combining Momentum and RMSprop" in aliases, aliases
    doc = _md("---\ntitle: \"13.1 Dropout: Zeroing Units at Random While Training\"\n---\n\n"
              "This chapter follows the lecture on regularisation and keeps its code.\n\n"
              "## What Is Dropout\n\nDropout is a regulariser that zeroes random units while "
              "training, so that no unit can lean on another one.\n", "book/en/dropout.qmd")
    named = next(e for e in doc.entries if e.term == "Dropout")
    assert "Dropout: Zeroing Units at Random While Training" in named.aliases, named
