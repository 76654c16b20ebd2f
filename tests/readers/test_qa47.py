"""Round 47 (qa47): what a new user met reading an Obsidian vault of interview notes (each
note titled in its front matter, with a list of aliases that doubles as a list of keywords),
a wiki written in Chinese that names each concept by its English acronym run into the
Chinese name, and a lecture set whose network notes glue the year to the name; each note
rebuilt here in our own words. One store, built once for the module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grimoire.errors import NotFound
from tests.conftest import written_store

NOTES = {
    # Two notes of one vault list the same keyword among their aliases: neither is the other.
    "vault/residual-block.md": (
        "---\ntitle: Residual Block\naliases: [residual block, skip connection, shortcut "
        "path]\n---\n\n# Residual Block\n\nA residual block adds its input back to its output, "
        "so the layers inside learn only a correction.\n"),
    "vault/unet.md": (
        "---\ntitle: U-Net — Encoder-Decoder with Skip Connections\naliases: [U-Net, UNet, "
        "skip connections, contracting path]\n---\n\n# U-Net\n\nU-Net shrinks an image to a "
        "small code and grows it back, passing each scale's features across to the decoder."
        "\n"),
    "vault/linear-regression.md": (
        "---\ntitle: Linear Regression\naliases: [OLS, ridge regression, linear model]\n---\n\n"
        "# Linear Regression\n\nLinear regression predicts a number as a weighted sum of the "
        "inputs.\n"),
    "vault/weight-decay.md": (
        "---\ntitle: Weight Decay\naliases: [weight decay, L2 penalty, ridge regression]\n"
        "---\n\n# Weight Decay\n\nWeight decay shrinks every weight a little at each step, "
        "which keeps a model from leaning on any one input.\n"),
    # An alias that names another note's title still joins the two: one concept, two notes.
    "vault/long-short-term-memory.md": (
        "---\ntitle: Long Short-Term Memory\naliases: [LSTM]\n---\n\n# Long Short-Term Memory"
        "\n\nLong short-term memory is a recurrent cell with gates that decide what to keep."
        "\n"),
    "vault/lstm-cell-notes.md": (
        "---\ntitle: Gated Memory Cells\naliases: [Long Short-Term Memory]\n---\n\n"
        "# Gated Memory Cells\n\nGated memory cells hold a running state that a forget gate "
        "can clear.\n"),
    # A study guide links notes of other folders by their file names, as Obsidian finds them.
    "vault/training/cosine-annealing.md": (
        "---\ntitle: Cosine Annealing and Warm Restarts\naliases: [cosine annealing, SGDR]\n"
        "---\n\n# Cosine Annealing and Warm Restarts\n\nCosine annealing lowers the learning "
        "rate along half a cosine wave, then may jump back up.\n"),
    "vault/training/lr-schedules.md": (
        "---\ntitle: Learning Rate Schedules\naliases: [step decay, cosine annealing]\n---\n\n"
        "# Learning Rate Schedules\n\nA schedule changes the learning rate as training goes "
        "on.\n"),
    "vault/guide.md": (
        "# Study Guide\n\nRead [[cosine-annealing]] before [[lr-schedules]].\n"),
    # A wiki in Chinese: the English acronym, then the Chinese name, no space between.
    "wiki/cnn/cnn.md": (
        "# CNN卷积神经网络\n\n卷积神经网络用一个小窗口在图像上滑动并逐块提取局部特征。\n\n"
        "## CNN训练原理\n\n训练时用反向传播更新卷积核里的权重。\n"),
    # a page whose second top heading is its references (参考资料) under a rule
    "wiki/bnn/bnn/bnn.md": (
        "# 贝叶斯网络笔记\n\n* [回到上一层](../bnn.md)\n\n\n\n# 参考资料\n\n===\n\n"
        "[贝叶斯网络从先验到后验](https://example.org/a)\n\n[变分推断入门笔记]"
        "(https://example.org/b)\n\n\n\n[Weight Noise in Deep Networks]"
        "(https://example.org/c)\n"),
    "wiki/pca/pca.md": (
        "# PCA主成分分析\n\n主成分分析把数据投影到方差最大的几个方向上。\n\n"
        "## PCA的优缺点\n\n优点是简单快速但只能找到线性结构。\n"),
    "wiki/logistic/logistic.md": (
        "# Logistic回归\n\n逻辑回归用一个S形函数把线性得分变成概率。\n"),
    # A lecture set's network notes: the year glued to the name, a decade, a subtitle after.
    "lectures/09. Famous Network Architecture/"
    "Famous network: ResNet(2015): Residual Network.md": (
        "# Famous network: ResNet(2015): Residual Network\n\nResNet stacks residual blocks so "
        "that a very deep network still trains.\n"),
    "lectures/09. Famous Network Architecture/Famous network: Diffusion Models(2020s).md": (
        "# Famous network: Diffusion Models(2020s)\n\nDiffusion models learn to undo noise "
        "added step by step, and make new samples by undoing it from pure noise.\n"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa47", NOTES)


def test_a_keyword_two_vault_notes_list_as_an_alias_merges_neither(kb: Any) -> None:
    """The interview vault's aliases are keywords as much as names: "skip connection(s)" on
    the residual block's note and on U-Net's, "ridge regression" on linear regression's and
    on weight decay's. `show U-Net` printed the residual block, `show "Weight Decay"` linear
    regression, and five self-supervised notes were one concept. Two notes that only share
    an alias stay two concepts; an alias that is another note's title still joins them."""
    assert kb.concept("U-Net").label.startswith("U-Net"), kb.concept("U-Net").label
    assert len(kb.concept("Residual Block").entries) == 1
    assert kb.concept("Weight Decay").label == "Weight Decay"
    assert len(kb.concept("Linear Regression").entries) == 1
    # each note's own aliases still find it
    assert kb.concept("UNet").label == kb.concept("U-Net").label
    assert kb.concept("L2 penalty").label == "Weight Decay"
    assert kb.concept("OLS").label == "Linear Regression"
    # a link by a note's file name leads to that note, though its alias is now two notes'
    assert [m.span.path.rsplit("/", 1)[-1] for m in kb.backlinks(
        "Cosine Annealing and Warm Restarts")] == ["guide.md"]
    # the alias naming another note's title joins the two notes
    joined = kb.concept("Gated Memory Cells")
    assert joined.label == kb.concept("Long Short-Term Memory").label and len(joined.entries) == 2


def test_an_acronym_run_into_its_chinese_name_finds_the_concept(kb: Any) -> None:
    """The Chinese wiki titles its notes "CNN卷积神经网络", "PCA主成分分析": `show CNN` found
    nothing ("did you mean: CNN卷积神经网络"). The English acronym before the Chinese name is
    a name of the concept; an English word that only modifies the Chinese noun after it
    ("Logistic回归", logistic regression) is none, and a section about the acronym ("PCA的
    优缺点", its pros and cons) is not what the acronym names. The wiki's 61 "参考资料"
    (references) sections were concepts too."""
    # the page, not its part on how a CNN trains ("CNN训练原理"), is what "CNN" names
    assert kb.concept("CNN").label == "CNN卷积神经网络"
    assert kb.concept("PCA").label == "PCA主成分分析"
    with pytest.raises(NotFound):
        kb.concept("Logistic")
    # "参考资料" (references) closes a page as "References" does: no concept
    with pytest.raises(NotFound):
        kb.concept("参考资料")


def test_a_year_glued_to_a_network_name_is_no_part_of_it(kb: Any) -> None:
    """"ResNet(2015): Residual Network" and "Diffusion Models(2020s)": `show ResNet` and
    `show "Diffusion Models"` found nothing; the year (or decade) in brackets is when the
    network came out, as "AlexNet (2012)" already was read."""
    assert "2015" not in kb.concept("ResNet").label
    assert kb.concept("Diffusion Models").label == "Diffusion Models"
