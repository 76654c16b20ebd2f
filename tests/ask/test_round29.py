"""Round 29: misses of the outsider set fresh19, each shape rebuilt here in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import answer_words, ask_notes, assert_quoted

SKEW = """---
title: Forecast skew
---
A number that says how far the mean of the forecasts sits from the mean of the true values in
a dataset.

Not the same thing as the offset term of a linear model.
"""


def test_what_x_does_is_about_x_not_about_the_verb(tmp_path: Path) -> None:
    # fresh19: "What does prediction bias measure?" was refused: "what does" took up to three
    # words as the subject ("prediction bias measure"), and the entry never writes "measure".
    note = tmp_path / "forecast skew.md"
    note.write_text(SKEW, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "What does forecast skew measure?")
    assert_quoted(answer, "how far the mean of the forecasts sits from the mean")
    # What X means still needs X's words in the best sentence's passage.
    (tmp_path / "other").mkdir()
    other = ask_notes(tmp_path / "other", [note], "What does forecast drift mean?")
    assert other.abstained, other.answer


MOMENTS = r"""Optimizers
==========

Adaptive moments
----------------

The optimizer keeps two running averages of the gradient and corrects both for their pull
towards zero in the first steps.

.. math::

    m_{w} = \beta_1 m_{w} + (1 - \beta_1) \frac{\partial L}{\partial w} \\
    r_{w} = \beta_2 r_{w} + (1 - \beta_2) (\frac{\partial L}{\partial w})^2 \\
    m^{unbiased}_{w} = \frac{m_{w}}{1 - (\beta_1)^t} \\
    r^{unbiased}_{w} = \frac{r_{w}}{1 - (\beta_2)^t} \\
    w = w - \eta \frac{m^{unbiased}_{w}}{\sqrt{r^{unbiased}_{w}} + \epsilon}

"""


def test_a_formula_of_many_rows_is_cut_at_its_row_breaks(tmp_path: Path) -> None:
    # fresh19: "What is the formula for Adam's bias-corrected first moment?" was answered with
    # the whole five-row update, 49 words: a formula is never cut inside, so the answer went
    # over its 40 words. Its rows are cut apart; the row asked about stays.
    note = tmp_path / "optimizers.rst"
    note.write_text(MOMENTS, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "What is the formula for the unbiased first moment?")
    assert_quoted(answer, r"m^{unbiased}_{w} = \frac{m_{w}}{1 - (\beta_1)^t}")
    assert answer_words(answer) <= 40
    assert answer.answer.count("$$") == 2, answer.answer  # still one formula, opened and closed
