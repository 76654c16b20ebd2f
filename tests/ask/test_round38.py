"""Round 38: a maker asked for and found only in a formula, a folder's description or a
reference cut before its authors; code lines with a comment quoted as an answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import grimoire.ask as ask_module
import grimoire.ask.extractive as extractive
from tests.conftest import CORPORA, ask_notes, assert_quoted, write_notes

CALCULUS = CORPORA / "ml-cheatsheet-rst" / "calculus.rst"
R_SQUARED = CORPORA / "google-ml-glossary-vault" / "R-squared.md"
OTHER_CONTENT = CORPORA / "ml-cheatsheet-rst" / "other_content.rst"


def _notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    """A Jupyter notebook of (kind, source) cells, written by us."""
    path.write_text(json.dumps({
        "cells": [{"cell_type": kind, "metadata": {}, "source": src.splitlines(keepends=True),
                   **({"execution_count": 1, "outputs": []} if kind == "code" else {})}
                  for kind, src in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_a_display_formula_names_no_maker(tmp_path: Path) -> None:
    # The cheat sheet defines the chain rule and never says who found it; the letters of
    # "$$f(x) = A(B(C(x)))$$" passed for makers' names.
    assert ask_notes(tmp_path, [CALCULUS], "Who invented the chain rule?").abstained


def test_without_the_rule_the_formula_s_letters_pass_for_a_maker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ask_module, "MAKER_DISPLAY", False)
    assert not ask_notes(tmp_path, [CALCULUS], "Who invented the chain rule?").abstained


@pytest.mark.parametrize("rule", [True, False])
def test_a_name_inside_a_thing_s_name_is_no_maker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # fresh28: R-squared's definition names the Pearson correlation coefficient, not who came
    # up with R-squared. Rule off, "Pearson" passes for the maker again.
    monkeypatch.setattr(ask_module, "MAKER_EPONYM", rule)
    if not rule:
        # Round 45's NEAR quotes a sentence of the definition that names no one before the
        # Pearson one: off here, so the rule off is asked on the sentences it was written for.
        monkeypatch.setattr(extractive, "NEAR", 9.0)
    answer = ask_notes(tmp_path, [R_SQUARED], "Who first came up with the R-squared metric?")
    assert answer.abstained is rule, answer.answer


@pytest.mark.parametrize("rule", [True, False])
def test_a_book_s_title_names_no_author(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # The cheat sheet lists the book by its title and subtitle and never names its authors:
    # the subtitle's capitalised words passed for them. Rule off, the title is the answer.
    monkeypatch.setattr(ask_module, "MAKER_TITLE", rule)
    answer = ask_notes(tmp_path, [OTHER_CONTENT],
                       "who wrote the elements of statistical learning?")
    assert answer.abstained is rule, answer.answer


TREE = [
    ("markdown", "# Reading the source of an inference runtime\n\n"
                 "Notes taken while finding my way around the repository."),
    ("markdown", "## /runtime/core\n\nThe C++ source of the runtime.\n\n"
                 "## /runtime/featurizer_ops\n\nImplementation of CPU transformer kernels.  \n"
                 "Only a few kernels, each a small operator for a processing pipeline.\n\n"
                 "## /runtime/python\n\nBindings that expose the runtime to Python."),
]


@pytest.mark.parametrize("rule", [True, False])
def test_a_folder_s_description_names_no_maker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # qa37 over MCP: "CPU" in a folder's line of a source tree passed for the transformer's
    # maker. Rule off, the folder's line is the answer again.
    monkeypatch.setattr(ask_module, "MAKER_TREE", rule)
    notes = _notebook(tmp_path / "tree.ipynb", TREE)
    answer = ask_notes(tmp_path, [notes], "who invented the transformer?")
    if rule:
        assert answer.abstained, answer.answer
    else:
        assert_quoted(answer, "CPU transformer kernels")


BOOKS = [("markdown", "# Books I learnt from\n\n"
          "- **Pattern Recognition and Machine Learning**. Information Science and Statistics,"
          " Springer. Bishop, C. M. (2006).\n\n\n"
          "- **Deep Learning Book**\n\n\n"
          "- **The Elements of Statistical Learning: data mining, inference and prediction**."
          " 2nd Edition, Springer Series in Statistics. Springer Verlag. Hastie, T.,"
          " Tibshirani, R., and Friedman, J. (2009).")]


@pytest.mark.parametrize("rule", [True, False])
def test_a_reference_is_quoted_up_to_its_authors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # The authors are a sentence of their own on the book's line, holding none of the
    # question's words: the answer stopped at the series' name. Rule off, it stops there again.
    monkeypatch.setattr(ask_module, "MAKER_AUTHORS", rule)
    notes = _notebook(tmp_path / "books.ipynb", BOOKS)
    answer = ask_notes(tmp_path, [notes], "who wrote the elements of statistical learning?")
    if rule:
        assert_quoted(answer, "Hastie, T., Tibshirani, R., and Friedman, J.")
        assert "Bishop" not in answer.answer
    else:
        assert "Hastie" not in answer.answer


CHEAT = [
    ("markdown", "# PyTorch cheat sheet\n\n"
                 "Short reminders for moving tensors and modules between devices."),
    ("markdown", "## Devices\n\nThe model and its data must sit on the same device; a GPU "
                 "trains faster than the CPU."),
    ("code", "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n\n"
             "x = torch.randn(2, 3)\n\nx.to(device, dtype=torch.float) #move tensor to cpu/gpu\n\n"
             "net = nn.Sequential(nn.Linear(4, 6), nn.ReLU())\n"
             "net.to(device) #copy all params / buffers of module to cpu/gpu\n\n"
             "x.cuda() #new tensor in GPU\nx.cpu() #new tensor in CPU\nNone"),
]


@pytest.mark.parametrize("rule", [True, False])
def test_calls_with_a_comment_are_code_not_an_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: bool) -> None:
    # "x.cuda() #new tensor in GPU": a call and a comment with no space after its "#" read
    # as prose and were quoted. Rule off, they are quoted again.
    monkeypatch.setattr(extractive, "CODE_COMMENT", rule)
    notes = _notebook(tmp_path / "cheat.ipynb", CHEAT)
    answer = ask_notes(tmp_path, [notes], "how do I move a tensor to the GPU?")
    assert not answer.abstained
    assert ("#move tensor" in answer.answer) is not rule, answer.answer


@pytest.mark.no_store
def test_a_one_line_loop_exit_is_code() -> None:
    assert extractive._code("if np.linalg.norm(old - new) < 1e-6: break")
    assert not extractive._code("If the loss stops falling: stop training early.")



@pytest.mark.parametrize("told", ["in the Vaswani et al. paper", "by the Vaswani et al. paper",
                                  "in the Vaswani group's paper", "in the Vaswani paper"])
def test_the_authors_of_a_paper_after_the_are_its_makers(tmp_path: Path, told: str) -> None:
    # review38b: "the Vaswani et al. paper" is no thing named after someone (MAKER_EPONYM):
    # the maker asked for is there, and the answer quotes it.
    notes = write_notes(tmp_path / "notes", {
        "transformer.md":
            "# Transformer\n\nThe transformer architecture was introduced "
            f"{told} in 2017. It replaces recurrence with self-attention over every position of "
            "the sequence.\n",
    })
    answer = ask_notes(tmp_path, [notes / "transformer.md"], "Who introduced the transformer?")
    assert not answer.abstained and "Vaswani" in answer.answer, answer.answer
