"""Round 49 (qa49): what a new user met reading a bilingual Quarto book of paper notes
(English and Japanese), an Obsidian vault of course notes with Bases views and hub notes, and
a Chinese course's notes kept as Markdown, an editor's HTML export and notebooks; each shape
rebuilt here in our own words. One store, built once for the module, no vectors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from grimoire.errors import NotFound
from tests.conftest import written_store


def _notebook(*cells: tuple[str, str]) -> str:
    return json.dumps({
        "cells": [{"cell_type": kind, "metadata": {}, "source": text,
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                  for kind, text in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


NOTES = {
    # A vault's hub notes carry the tag `index` (the course's home, each lecture's page): a
    # lecture's page lists the notes of that lecture, one idea per note, tagged `atom`.
    "vault/STAT101 Lecture 2.md": (
        "---\ntags: index\ntitle: STAT101 Lecture 2\n---\n\n# STAT101 Lecture 2\n\n"
        "**Second lecture.** It walks from a straight-line fit to [[Kernel width]] and "
        "local fits.\n\n## Notes of this lecture\n\n![[Lecture View.base]]\n"),
    "vault/Kernel width.md": (
        "---\ntags: atom\ntitle: Kernel width\n---\n\n# Kernel width\n\n"
        "Kernel width is the distance over which a local fit still counts a neighbour: wide "
        "gives a smooth curve, narrow a jagged one.\n"),
    # Obsidian's Bases plugin keeps a table view of notes as a `.base` file (YAML); the hub
    # embeds it with `![[Lecture View.base]]`.
    "vault/Lecture View.base": (
        "views:\n  - type: table\n    name: Table\n    filters:\n      and:\n"
        "        - file.hasLink(this.file)\n"),
    # A notebook and the page `jupyter nbconvert --to html` made of it, beside it; and the
    # slides nbconvert makes (`x.slides.html`). The page's headings end in a pilcrow link.
    "course/descent.ipynb": _notebook(
        ("markdown", "# Step size study\n\nWe watch how the step size changes the path of "
                     "plain gradient descent on a bowl."),
        ("code", "import numpy as np")),
    "course/descent.html": (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>descent</title></head>"
        "<body><div class='jp-Cell'><h1 id='Step-size-study'>Step size study<a "
        "class='anchor-link' href='#Step-size-study'>\u00b6</a></h1><p>We watch how the "
        "step size changes the path of plain gradient descent on a bowl.</p></div>"
        "</body></html>\n"),
    "course/descent.slides.html": (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>descent slides</title>"
        "</head><body><section><h1>Step size study</h1><p>We watch how the step size "
        "changes the path of plain gradient descent on a bowl.</p></section></body></html>\n"),
    # A Japanese chapter on one model: sections on why to read it, a comparison whose
    # heading shares its first characters with the phrase that opens its text, a summary,
    # an overview, links to other chapters; and one true topic in English words.
    "book/ja/llada.qmd": (
        "# LLaDA\n\n"
        "LLaDA は、マスク型の拡散言語モデルを大きな規模まで訓練した最初のモデルである。\n\n"
        "## 概要\n\n"
        "この章では推論の手順と、指示に従わせる訓練とを順に見ていく。全体の流れを先に"
        "押さえておくと、後の節が読みやすくなる。\n\n"
        "## なぜ LLaDA を読むべきか\n\n"
        "LLaDA は、前の章の目的関数を実際に大きく訓練したときに何が起きるかを具体的に示して"
        "いる。実装の細部まで書かれた報告は他に少ない。\n\n"
        "## サンプリング戦略の比較\n\n"
        "サンプリング戦略の概観を先に示す。信頼度の低い位置から順にマスクを戻すやり方と、"
        "ブロックごとに左から進めるやり方とがある。\n\n"
        "## Low-confidence remasking\n\n"
        "Low-confidence remasking は、予測の確信度が低い位置だけを次のステップで再びマスク"
        "する手法である。\n\n"
        "## 連続拡散モデルとの対応\n\n"
        "連続の拡散モデルでの逆向きの過程と、ここでの反復の手順とは形が似ている。\n\n"
        "## 評価\n\n"
        "評価では、同じ規模の自己回帰モデルと並べて、多くの課題で近い点を取ることを示す。\n\n"
        "## LLaDA の手法\n\n"
        "LLaDA の手法は、前の章の目的関数をそのまま使い、規模と訓練の手順だけを変える。\n\n"
        "## まとめ\n\n"
        "この章で見た推論の手順は、以後の章のほとんどのモデルが前提にしている。\n\n"
        "## 章のまとめ\n\n"
        "規模を大きくしても同じ目的関数で足りることが、この報告の主な教えである。\n\n"
        "## 関連章へのリンク\n\n"
        "- 目的関数の章\n- 推論の高速化の章\n"),
    # The book's English chapter on a paper: its sidebar and tab name it by the model
    # (`pagetitle`), its heading by the paper's title; the Japanese chapter by the model.
    "book/en/mdlm.qmd": (
        "---\npagetitle: \"MDLM\"\n---\n\n"
        "# MDLM: Simple and Effective Masked Diffusion Language Models\n\n"
        "MDLM (Masked Diffusion Language Model) trains a text model to fill in masked "
        "tokens at a random mask rate, a weighted sum of cross-entropy terms.\n"),
    "book/ja/mdlm.qmd": (
        "---\npagetitle: \"MDLM\"\n---\n\n# MDLM\n\n"
        "MDLM は、ランダムな割合でトークンを隠し、それを当てる訓練で文を生成するモデルである。\n"),
    # The book's overview dates each method by the month its paper came out; the method's own
    # chapter names it by `pagetitle` over the paper's title.
    "book/en/one-step.qmd": (
        "# One-Step Generation\n\n"
        "Several recent methods draw a sample in a single network call.\n\n"
        "## MeanFlow (May 2025)\n\n"
        "MeanFlow learns the average velocity over an interval instead of the velocity at a "
        "point, so one step can cross the whole path.\n\n"
        "## Transition Matching (June 2025)\n\n"
        "Transition Matching learns the kernel of a discrete-time Markov chain that carries "
        "noise to data.\n"),
    "book/en/mean-flow.qmd": (
        "---\npagetitle: \"MeanFlow\"\n---\n\n"
        "# MeanFlow: One-Step Generation via Average Velocity\n\n"
        "Flow models need many solver steps; this chapter follows the paper that trains for "
        "one step from scratch.\n"),
    # The English side of the same book closes each chapter with "Chapter Summary".
    "book/en/tree-search.qmd": (
        "# Tree Search\n\n"
        "Tree search explores several partial chains of reasoning and keeps the promising "
        "ones.\n\n"
        "## Beam Search\n\n"
        "Beam Search keeps the k best partial answers at each step and drops the rest.\n\n"
        "## Chapter Summary\n\n"
        "Searching over partial answers trades more compute at answer time for accuracy, "
        "and each method differs in how it scores a partial answer.\n"),
    # Round 50 (qa50): the English chapters of a bilingual Quarto book title each page by its
    # subject, a colon and the question the page answers; the book's part pages by the part.
    "book/en/momentum.qmd": (
        "---\ntitle: \"4.2 Momentum: Why Does an Update Keep Going the Way It Went "
        "Before?\"\n---\n\n"
        "Plain gradient steps zigzag across a narrow valley. Keeping a running average of "
        "past gradients, momentum, smooths the path and speeds the walk along the valley floor.\n\n"
        "## 4.2.1 Averaging past steps\n\n"
        "Each update adds a fraction of the previous one, so steps that agree add up and steps "
        "that cancel shrink.\n"),
    "book/en/part2.qmd": (
        "---\ntitle: \"Part 2: How Do Networks Learn?\"\n---\n\n"
        "This part covers the optimizers, from the plain step to the adaptive ones.\n"),
    # Round 50 (qa50): a tokenizer's merge list kept as a test fixture, one pair a line; pairs
    # of "=" signs among them.
    "book/fixtures/merges.txt": "".join(
        f"{a} {b}\n" for a, b in (("t", "h"), ("h", "e"), ("i", "n"), ("==", "=="), ("e", "r"),
                                  ("====", "===="), ("a", "n"), ("o", "n"), ("==", "="))),
    # Round 50 (qa50): an MkDocs site's page of two level-1 topics, the first an introduction
    # with one letter typed twice.
    "site/docs/unsupervised/section_01.md": (
        "# Introducction\n\nWithout labels, a method looks for structure the data hold on "
        "their own: groups, directions of spread, rare points.\n\n"
        "# Centroids\n\nA centroid is the mean of the points assigned to one cluster; k-means "
        "moves each centroid to that mean after every assignment.\n"),
    # Round 50 (qa50): a chapter on a variant whose name is one letter longer.
    "book/zh/lionw.qmd": (
        "# LionW\n\nLionW 在 Lion 的更新之外单独做权重衰减\uff0c两者互不干扰。\n"),
    # Round 50 (qa50): a Chinese chapter of a bilingual Quarto book on one optimizer. Its
    # sections are headed by the optimizer's name and a question ("X 为什么省显存", why X
    # saves memory), a part ("X 的核心想法", X's core idea; "X 的 PyTorch 实现"), a sentence,
    # "背景知识" (background) before a colon and "本章小结" (chapter summary); one section
    # is a true topic.
    "book/zh/lion.qmd": (
        "---\ntitle: \"Lion\uff1a只看梯度符号的优化器\"\n---\n\n"
        "Lion 是一种只根据梯度符号更新参数的优化器\uff0c每一步的更新幅度都相同。\n\n"
        "## Lion 的核心想法\n\n"
        "Lion 把动量和当前梯度混合以后只取符号\uff0c所以每个参数每一步走的距离一样长。\n\n"
        "## Lion 为什么省显存\uff1f\n\n"
        "Lion 只需要为每个参数保存一份动量\uff0c而 Adam 需要保存两份统计量\uff0c所以更省显存。\n\n"
        "## Lion 在训练中如何设置学习率\n\n"
        "Lion 的更新幅度固定\uff0c因此学习率通常要比 Adam 小几倍\uff0c权重衰减则相应调大。\n\n"
        "## Lion 的 PyTorch 实现\n\n"
        "Lion 在 PyTorch 里可以写成一个优化器类\uff0c在 step 方法中先更新动量再取符号。\n\n"
        "## Lion 的学习率并不是越大越好\n\n"
        "Lion 的每一步都走满学习率那么远\uff0c学习率太大时训练会来回震荡\uff0c损失难以下降。\n\n"
        "## 背景知识\uff1a符号函数\n\n"
        "符号函数把正数变成一\uff0c负数变成负一\uff0c零保持为零\uff0c只保留方向而丢掉大小。\n\n"
        "## Nesterov 动量\n\n"
        "Nesterov 动量 是一种动量方法\uff1a先沿动量方向走一步\uff0c"
        "再在新位置计算梯度来修正这一步。\n\n"
        "## 什么是 Lookahead\n\n"
        "Lookahead 是包在另一个优化器外面的方法\uff1a内层走几步以后\uff0c"
        "外层权重朝它们的终点挪一段。\n\n"
        "## 本章小结\n\n"
        "这一章说明了 Lion 如何只用符号更新参数\uff0c以及它的学习率为什么要设得更小。\n"),
    # Round 50 (review50a): a Chinese glossary whose headings are names that open with a
    # word qa50's rules read as a sentence's or an instruction's, or give the name twice.
    "book/zh/glossary.md": (
        "# 术语表\n\n## 没有免费午餐定理\n\n"
        "没有免费午餐定理 是一个结论\uff1a"
        "没有哪一个学习算法在所有问题上都比别的算法好\uff0c"
        "要在某一类问题上胜出就得对这类问题做出假设。\n\n"
        "## 逐层预训练\n\n逐层预训练 是一种初始化方法\uff1a"
        "深层网络先一层一层地用无监督目标训练\uff0c再整体微调。\n\n"
        "## 长短期记忆网络 (Long Short-Term Memory)\n\n"
        "长短期记忆网络 是一种循环网络\uff0c"
        "用输入门、遗忘门和输出门控制细胞状态\uff0c"
        "因此能记住比普通循环网络长得多的依赖。\n"),
    # Round 50 (review50a): a course's module page and a worked case titled by a label, a
    # colon and a question: the label is no subject.
    "book/en/module3.qmd": (
        "---\ntitle: \"Module 3: Why Do Deep Networks Generalize?\"\n---\n\n"
        "Overparameterized networks fit random labels yet still do well on real data.\n"),
    "book/en/case.qmd": (
        "---\ntitle: \"Case Study: Does Early Stopping Regularize?\"\n---\n\n"
        "Halting training when validation error rises limits how far weights travel.\n"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa49", NOTES)


def test_a_vault_hub_note_and_its_embedded_bases_view(kb: Any) -> None:
    """The CS229 vault tags its course home and each lecture's and problem set's page
    `index` (8 notes): each was a concept named after the lecture ("CS229 Lecture 1"). Its
    lecture pages embed an Obsidian Bases view (`![[Unit Preview.base]]`, a file in the
    vault): lint listed six dead links. A note tagged only as an index is a hub, no page about
    a thing (as `type: index` is); a link to a `.base` file names a file, not a note."""
    with pytest.raises(NotFound):
        kb.concept("STAT101 Lecture 2")
    assert kb.concept("Kernel width").label == "Kernel width"
    # lint's dead links are the links `dead_links` calls "dead"
    dead = [d.target for d in kb.dead_links(suggestions=False) if d.status == "dead"]
    assert not [d for d in dead if d.endswith(".base")], dead
    # the hub is still read and searched
    assert any(s.path.endswith("STAT101 Lecture 2.md") and s.status == "ok"
               for s in kb.sources())


def test_a_notebooks_html_and_slides_beside_it_are_built_copies(kb: Any) -> None:
    """A Chinese course's notebook folder kept `Gradient-Descent-Demo.html` (nbconvert's
    page) beside `Gradient-Descent-Demo.ipynb`: its title "Regression: linear model¶" was a
    second concept beside the notebook's, pilcrow and all. `x.html` and `x.slides.html`
    beside `x.ipynb` are what nbconvert renders from it: skipped as built copies, as a
    Quarto or R Markdown page beside its source is."""
    status = {s.path.rsplit("/", 1)[-1]: s.status for s in kb.sources()}
    assert status["descent.ipynb"] == "ok"
    assert status["descent.html"] == "skipped", status
    assert status["descent.slides.html"] == "skipped", status
    labels = [c.label for c in kb.concepts()]
    assert [label for label in labels if "\u00b6" in label or "slides" in label] == []
    assert labels.count("Step size study") == 1, labels


def test_japanese_page_parts_and_questions_are_no_concepts(kb: Any) -> None:
    """The Japanese half of the Quarto book had 480 entries for the English half's 263: its
    "まとめ" (summary, 8 chapters), "章のまとめ" (chapter summary, 6), "概要" (overview, 4),
    "関連章へのリンク" (links to related chapters, 3) were concepts in conflict in lint, its
    "なぜ X を読むべきか" (why read X) sections concepts, and "サンプリング戦略の比較"
    (comparing sampling strategies) was "defined" by a text opening "サンプリング戦略の概観"
    (an overview of them): a run of Japanese is one "word" to the section rules, and two
    such runs sharing their first characters read as one word's forms. The English half's
    "Chapter Summary" (4) was a concept too. The true topics stay."""
    for part in ("まとめ", "章のまとめ", "概要", "関連章へのリンク", "なぜ LLaDA を読むべきか",
                 "評価", "LLaDA の手法",
                 "サンプリング戦略の比較", "連続拡散モデルとの対応", "Chapter Summary"):
        with pytest.raises(NotFound):
            kb.concept(part)
    assert kb.concept("Low-confidence remasking").label == "Low-confidence remasking"
    assert kb.concept("LLaDA").label == "LLaDA"
    assert kb.concept("Beam Search").label == "Beam Search"


def test_a_quarto_pagetitle_that_heads_the_title_names_the_page(kb: Any) -> None:
    """The book's English chapters carry the model's name as `pagetitle` (the tab's and the
    sidebar's name) over the paper's title ("MDLM: Simple and Effective ..."): `show MDLM`
    found only the Japanese chapter, and the English one was a concept named by the whole
    paper title. The `pagetitle` that heads the title before its colon names the page."""
    mdlm = kb.concept("MDLM")
    folders = {e.entry.span.path.rsplit("/", 2)[-2] for e in mdlm.entries}
    assert folders == {"en", "ja"}, folders


def test_a_month_and_year_after_a_name_is_no_part_of_it(kb: Any) -> None:
    """The book's overview heads each method with the month its paper came out ("MeanFlow (May
    2025)", "Transition Matching (June 2025)"): "May 2025" was read as the expansion of the
    acronym "MeanFlow", and the overview's section and the method's chapter were two concepts.
    A month and a year in brackets after a name are its date, as a year alone is."""
    meanflow = kb.concept("MeanFlow")
    files = {e.entry.span.path.rsplit("/", 1)[-1] for e in meanflow.entries}
    assert files == {"one-step.qmd", "mean-flow.qmd"}, files
    assert kb.concept("Transition Matching").label == "Transition Matching"
    with pytest.raises(NotFound):
        kb.concept("May 2025")


def test_chinese_page_parts_and_questions_are_no_concepts(kb: Any) -> None:
    """Round 50 (qa50): the Chinese half of a bilingual Quarto book had 318 entries for the
    English half's 99: 228 of its section headings were concepts whose English twins were
    not ("Adagrad 的核心想法", the core idea of Adagrad; "Muon 适合所有参数吗", is Muon
    for every parameter?; "BatchNorm 的 PyTorch 实现"; 33 "本章小结", chapter summary, in
    conflict in lint). A run of Chinese is one "word" to the section rules, so a sentence
    of twelve characters was a short name; a full-width question mark or colon ended
    nothing; "的 + a part" and question words said nothing. The true topic stays."""
    for part in ("Lion 的核心想法", "Lion 为什么省显存\uff1f", "Lion 在训练中如何设置学习率",
                 "Lion 的 PyTorch 实现", "Lion 的学习率并不是越大越好", "背景知识\uff1a符号函数",
                 "本章小结"):
        with pytest.raises(NotFound):
            kb.concept(part)
    assert kb.concept("Nesterov 动量").label == "Nesterov 动量"
    # "什么是 X" (what is X) names X, as "What is X?" does in English
    assert kb.concept("Lookahead").label == "Lookahead"


def test_a_page_titled_by_its_subject_and_a_question_is_named_by_the_subject(kb: Any) -> None:
    """Round 50 (qa50): the bilingual book's English chapter "1.2 Loss Function: How Does a
    Model Know How Wrong It Is?" had no entry (a title ending in "?" is a question, no
    name), nor "ELBO: Where Does the VAE Objective Function Come From?": `show "Loss
    Function"` found nothing, while the Chinese twin was a concept. The name before the colon
    names the page; a course's part before it ("Part 2") names none, nor does the question
    after the part (it was a concept)."""
    momentum = kb.concept("Momentum")
    assert [e.entry.span.path.rsplit("/", 1)[-1] for e in momentum.entries] == ["momentum.qmd"]
    for title in ("Part 2", "Part 2: How Do Networks Learn?", "How Do Networks Learn?"):
        with pytest.raises(NotFound):
            kb.concept(title)


def test_a_name_asked_for_offers_the_page_it_titles_first(kb: Any) -> None:
    """Round 50 (qa50): every chapter of the bilingual book is titled "Name: what it does"
    ("Adam: Combining Momentum and RMSprop", its Chinese twin with a full-width colon):
    `show Adam` offered "AdamW..." four times before the Adam chapters, and the Chinese one
    was no name with a subtitle (its colon is not ": "). A page titled by the name asked
    for and a subtitle is offered first. Round 51 (read51): such a page is named by the name
    (`sections._describes`), its whole title a name of it: `show Lion` opens it."""
    lion = kb.concept("Lion")
    assert lion.label == "Lion", lion.label
    assert "Lion\uff1a只看梯度符号的优化器" in {n.name for n in lion.names}, lion.names


def test_a_merge_list_with_pairs_of_equals_signs_is_no_wikitext(kb: Any) -> None:
    """Round 50 (qa50): the book's package kept GPT-2's BPE merge list as a test fixture
    (`gpt2_merges.txt`, "h e", "i n", ...): its lines "== ==" and "==== ====" were read as
    two MediaWiki headings, the file as a wiki page. A heading holds a word between its marks."""
    formats = {s.path.rsplit("/", 1)[-1]: s.format for s in kb.sources()}
    assert formats["merges.txt"] != "mediawiki", formats["merges.txt"]


def test_an_introduction_with_a_letter_typed_twice_is_a_part_of_the_page(kb: Any) -> None:
    """Round 50 (qa50): an MkDocs site's page opened with the level-1 heading "Inttroduction"
    beside "Clusters": a concept, though "Introduction" is a part of a page and a letter left
    out or two swapped ("Definiton") were already read as one. A letter typed twice is too."""
    with pytest.raises(NotFound):
        kb.concept("Introducction")
    assert kb.concept("Centroids").label == "Centroids"


def test_chinese_names_opening_like_a_sentence_stay_concepts(kb: Any) -> None:
    """Round 50 (review50a): qa50's Chinese rules took "没有" (not), "逐层" (layer by layer)
    for a sentence's or an instruction's words and counted a name's English twin in
    parentheses as more words of it: "没有免费午餐定理" (the no free lunch theorem), "逐层
    预训练" (layer-wise pretraining) and "长短期记忆网络 (Long Short-Term Memory)" were no
    concepts. A course's module or a case study before a title's question names no subject."""
    for name in ("没有免费午餐定理", "逐层预训练", "长短期记忆网络"):
        assert kb.concept(name).label.startswith(name), name
    for label in ("Module 3", "Case Study"):
        with pytest.raises(NotFound):
            kb.concept(label)
