"""Review of round 46 (review46a): read46's and faces46's changes at a user's edges.

- read46 made a section whose text opens "It <verb>s ..." define its heading. Under a part of
  a page or an aspect of its subject the pronoun is the page's subject: a paper summary's
  "## Method" over "It proposes ...", "## Experimental setup" over "It uses ...", a notebook's
  "## Plot" over "It draws ..." each became a concept named so. Such a heading, all of its
  words a page's furniture or a kind word, is no thing the pronoun describes.
- faces46 begins a snippet's line (and the concept page a code block) at a line of code among
  prose; a line inside an inline formula or inline code the line before left open ("$L =
  \\sum_i" over "x_i = y_i$"), or a row of a LaTeX matrix, was taken for code and split there.
- faces46 made a command's error under --json JSON on stdout; a usage error (an empty query,
  a mode that does not exist, an unknown lint group) still printed text on stderr alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grimoire.cli import main
from grimoire.readers import read_file
from grimoire.search import snippet
from grimoire.web.render import Renderer


def _terms(text: str) -> set[str]:
    [doc] = read_file("markdown", text.encode(), "/notes/n.md")
    return {e.term for e in doc.entries}


@pytest.mark.no_store
def test_a_pronoun_under_a_part_of_the_page_defines_no_part() -> None:
    parts = {
        "Method": "It proposes a ranking loss that pushes matching pairs above the rest.",
        "Experimental setup": "It uses four accelerators and a cosine schedule for the rate.",
        "Training details": "It trains the encoder first and the projection head after it.",
        "Model": "It stacks twelve blocks of attention with a shared embedding table.",
        "Paper summary": "It describes a contrastive objective over paired images and text.",
        "Plot": "It draws a histogram of the residuals with thirty bins for the report.",
        "Dataset": "It holds forty thousand labelled pairs gathered from public forums.",
    }
    page = "# Notes on a ranking paper\n\n" + "".join(f"## {h}\n\n{t}\n\n" for h, t in
                                                   parts.items())
    assert _terms(page) == {"Notes on a ranking paper"}
    # Things the pronoun describes stay concepts, one of them headed by a kind word.
    things = ("# Libraries and models\n\n## PyTorch\n\nIt provides tensors and automatic "
              "differentiation for deep learning in Python.\n\n## Gompertz model\n\nIt "
              "describes growth that slows as a population nears its ceiling.\n\n")
    assert {"PyTorch", "Gompertz model"} <= _terms(things)


@pytest.mark.no_store
def test_no_line_breaks_inside_a_formula_or_inline_code_left_open() -> None:
    words = {"loss", "adapter"}
    formula = "The loss of the adapter is $L = \\sum_i\nx_i = y_i$ over the data we hold."
    assert "\n" not in snippet(formula, words)
    spanned = "Call the adapter's `setup(\nrank = 8)` to set the loss weight of each layer."
    assert "\n" not in snippet(spanned, words)
    matrix = ("The adapter loss uses\n\\begin{bmatrix}\na = 1 & b \\\\\nc = 2 & d\n"
              "\\end{bmatrix}\nas its weights.")
    assert "\n" not in snippet(matrix, words)
    page = str(Renderer(sanitize=True).text(matrix + "\nconfig = load()\nrun(config)"))
    assert "<pre><code>config = load()\nrun(config)</code></pre>" in page  # code still is
    assert page.count("<pre>") == 1, page
    # a code line after prose still begins a line
    assert snippet("The adapter loss is small.\nfrom peft import x", words) == \
        "The «adapter» «loss» is small.\nfrom peft import x"


@pytest.mark.no_store
def test_usage_errors_under_json_are_json_on_stdout(tmp_path: Path) -> None:
    # said before any store is opened: the file need not exist
    runner = CliRunner()
    db = ["--db", str(tmp_path / "none.db")]
    for args in (["search", " ", "--json"], ["search", "attention", "--mode", "bogus", "--json"],
                 ["lint", "--json", "--group", "bogus"], ["ask", "--json", " "]):
        got = runner.invoke(main, [*db, *args])
        assert got.exit_code == 2, (args, got.output)
        assert list(json.loads(got.stdout)) == ["error"], (args, got.stdout)
        assert got.stderr == "", (args, got.stderr)
    plain = runner.invoke(main, [*db, "search", " "])  # without --json: click's usage text
    assert plain.exit_code == 2 and plain.stdout == "" and "Usage:" in plain.stderr
