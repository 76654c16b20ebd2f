"""Ask, round 24 (lead): a function's docstring inside a code block is no answer. On a public
collection of notes, "Who invented the perceptron?" was answered by the docstring of a
`perceptron` function ("Returns: -------- float Output of the perceptron"), a sentence of a
code block that read as prose; alone, that note's docstring answered what the function
returns. The note here is ours, in the same shape."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes

NOTE = '''# The perceptron

The perceptron is the simplest neural network: one neuron that weighs its inputs, adds a
bias and passes the sum through a step function.

```python
def perceptron(inputs, weights, bias):
    """
    One neuron.

    Parameters
    ----------
    inputs : array-like
        The features of one example

    Returns:
    --------
    float
        Output of the perceptron
    """
    return step(inputs @ weights + bias)
```
'''


def test_the_prose_around_the_code_answers_not_the_docstring(tmp_path: Path) -> None:
    # The answer was the docstring, its quotes, rules and the `return` line included.
    note = tmp_path / "perceptron.md"
    note.write_text(NOTE, encoding="utf-8")
    answer = ask_notes(tmp_path, [note], "What does the perceptron function return?")
    assert not answer.abstained, answer.answer
    assert '"""' not in answer.answer and "----" not in answer.answer, answer.answer
    assert "one neuron that weighs its inputs" in " ".join(answer.answer.split())
