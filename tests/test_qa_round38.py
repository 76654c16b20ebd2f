"""Round 38 (qa38): what a new user met on a public repository of a book's companion notebooks
(with a PDF of the book's equations beside them), rebuilt in our own words on a real store,
through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from tests.conftest import write_notes
from tests.readers._pdfgen import pdf_bytes
from tests.web.conftest import make_app


def test_a_pdf_font_giving_half_a_utf16_pair_costs_no_other_file(tmp_path: Path) -> None:
    """A math font's ToUnicode map gave one glyph only the first half of a UTF-16 pair: pypdf
    passed the half on, writing the page failed with UnicodeEncodeError, and the ingest stopped
    with a traceback before the notes after the PDF were read, on every run."""
    notes = tmp_path / "book"
    notes.mkdir()
    (notes / "equations.pdf").write_bytes(pdf_bytes(
        [["The normal equation gives A = (XtX)-1 Xt y for the weights."],
         ["Ridge adds a penalty on the squared weights to the cost."]],
        title="Book equations", to_unicode={"A": "D835"}))
    (notes / "zz_ridge.md").write_text(
        "# Ridge regression\n\nRidge regression is least squares with a penalty on the size "
        "of the weights.\n", encoding="utf-8")
    db = tmp_path / "b.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(notes)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    with grimoire.open(db) as kb:
        assert "Ridge regression" in [c.label for c in kb.concepts()]
        pdf = str(notes / "equations.pdf")
        text = "\n".join(p.text for p in kb.store.passages() if p.span.path == pdf)
        assert "gives \ufffd = (XtX)" in text
        assert "Ridge adds a penalty" in text
    problems = CliRunner().invoke(main, ["--db", str(db), "sources", "--problems"]).output
    assert "equations.pdf:1: page 1: 1 character(s) the font maps to half a UTF-16 pair" \
        in problems


def _notebook(cells: list[tuple[str, str]]) -> str:
    """A notebook as Jupyter writes it: indented, every source a list of lines."""
    out = []
    for kind, text in cells:
        cell: dict[str, object] = {"cell_type": kind, "metadata": {},
                                   "source": text.splitlines(keepends=True)}
        if kind == "code":
            cell.update(outputs=[], execution_count=1)
        out.append(cell)
    return json.dumps({"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1)


def test_a_chapter_notebook_titled_in_bold_is_named_by_it_not_by_its_setup(
        tmp_path: Path) -> None:
    """A book's chapter notebooks open with the chapter's title in bold, a line on what the
    notebook holds, then "# Setup" over the imports: every chapter was titled "Setup" and no
    chapter was a concept ("show 'Kernel Methods'" found nothing)."""
    notes = write_notes(tmp_path / "book", {
        "07_kernels.ipynb":
                _notebook([
                ("markdown", "**Chapter 7 \u2013 Kernel Methods**"),
                ("markdown", "_The code of this chapter, with its exercises worked out._"),
                ("markdown", "# Setup"),
                ("code", "import numpy as np\nimport sklearn"),
                ("markdown", "# The Kernel Trick\n\nThe kernel trick computes inner products in a "
                "feature space without mapping the points into it."),
                ("code", "from sklearn.svm import SVC\nclf = SVC(kernel='rbf')"),
                ]),
        "kernels.ipynb":
                _notebook([
                ("markdown", "**Chapter 8 \u2013 Gaussian Processes**"),
                ("markdown", "# Setup"),
                ("code", "import numpy as np"),
                ]),
        "notes.md":
                "# Setup\n\n**Install the packages first**\n\npip install them before you start.\n",
    })
    db = tmp_path / "b.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(notes)])
    assert result.exit_code == 0, result.output
    with grimoire.open(db) as kb:
        labels = [c.label for c in kb.concepts()]
        assert "Kernel Methods" in labels and "Gaussian Processes" in labels
        assert "kernels" not in labels
        assert "Setup" not in labels
        assert "Install the packages first" not in labels
    shown = CliRunner().invoke(main, ["--db", str(db), "show", "Kernel Methods"])
    assert shown.exit_code == 0 and "07_kernels.ipynb" in shown.output, shown.output


def test_lint_reads_a_scale_word_after_a_result_as_its_magnitude(tmp_path: Path) -> None:
    """An exercise answer wrote "4 x 100 x 150 x 100 = 6 million bytes" (with times signs):
    lint flagged "= 6, but it computes to 6e+06" three times in one chapter. A result
    followed by "thousand", "million", "billion" is counted in them; a sum still wrong in
    millions stays flagged."""
    notes = write_notes(tmp_path / "n", {
        "memory.md":
            "# Activation memory\n\nActivation memory is what a layer's outputs take while the "
            "network runs. With 4 bytes a float, 100 maps of 150 by 100 take "
            "4 * 100 * 150 * 100 = 6 million bytes, and the next layer "
            "4 * 50 * 75 * 200 = 3 million bytes. A batch of 1,000 images of 200 by 300 "
            "pixels in three channels holds 1000 * 200 * 300 * 3 = 180 million numbers; "
            "a careless count says 2 * 3 = 9 million.\n".replace(" * ", " \u00d7 "),
    })
    db = tmp_path / "m.db"
    assert CliRunner().invoke(
        main, ["--db", str(db), "ingest", "--no-embed", str(notes)]).exit_code == 0
    out = CliRunner().invoke(main, ["--db", str(db), "lint", "--group", "arithmetic"]).output
    assert "2 \u00d7 3 = 9" in out, out
    assert "= 6" not in out and "= 3," not in out and "= 180" not in out, out


def test_a_broken_one_line_notebook_is_named_with_its_column(tmp_path: Path) -> None:
    """A notebook cut short on its one line failed "1: not a notebook: invalid JSON
    (Unterminated string starting at)": json's message without the place it names."""
    notes = write_notes(tmp_path / "n", {
        "cut.ipynb": '{"cells": [{"cell_type": "markdown", "source": ["# Perceptron',
    })
    db = tmp_path / "c.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(notes)])
    assert result.exit_code == 1
    assert "cut.ipynb:1: not a notebook: invalid JSON (Unterminated string starting at: " \
        "column 49)" in result.output, result.output


def test_mentioned_in_quotes_a_notebook_line_as_its_cell_holds_it(tmp_path: Path) -> None:
    """A course's index notebook lists its chapters as links, one JSON string a line: the
    chapter's page quoted the file's line under "Mentioned in" with its JSON quotes and
    `\\n` ('"6. Decision Trees\\n",')."""
    notes = write_notes(tmp_path / "course", {
        "index.ipynb":
            _notebook([
            ("markdown", "# Course notebooks\n\nThe notebooks of the course, one a chapter:\n\n"
            "1. [Kernel Methods](kernels.ipynb)\n2. [Trees](trees.ipynb)\n"),
            ]),
        "kernels.ipynb":
                _notebook([
                ("markdown", "# Kernel Methods\n\nKernel methods compare points through a kernel "
                "function instead of their coordinates."),
                ]),
    })
    db = tmp_path / "k.db"
    assert CliRunner().invoke(
        main, ["--db", str(db), "ingest", "--no-embed", str(notes)]).exit_code == 0
    app, kb = make_app(db)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            page = client.get("/c/Kernel Methods")
    finally:
        kb.close()
    assert page.status_code == 200
    mentions = page.text[page.text.index("Mentioned in"):]
    quote = re.sub(r"<[^>]+>", "", mentions[mentions.index("<blockquote>"):
                                            mentions.index("</blockquote>")])
    assert quote.strip() == "Kernel Methods", quote


@pytest.mark.sqlite_only(reason="rebuild swaps SQLite files")
def test_rebuild_keeps_the_vectors_of_texts_it_embedded_before(tmp_path: Path) -> None:
    """`rebuild` re-read the notes into a new file and embedded every passage again, though
    the old file held a vector for each text (stored by a hash of model and text): 534 s for
    a course's 52 notebooks. The vectors of a sound old file are carried over; one vector is
    changed by hand first, so that finding it in the new file shows it was carried, not
    computed again."""
    import sqlite3

    notes = write_notes(tmp_path / "n", {
        "gini.md":
            "# Gini impurity\n\nGini impurity is how often a sample drawn from a node would be "
            "mislabelled if it were labelled by the node's class shares.\n",
        "entropy.md": "# Entropy\n\nEntropy measures the disorder of the labels in a node.\n",
    })
    db = tmp_path / "r.db"
    assert CliRunner().invoke(
        main, ["--db", str(db), "ingest", "--wait", str(notes)]).exit_code == 0
    with sqlite3.connect(db) as conn:
        hash_, vec = conn.execute("SELECT hash, vec FROM vec_blobs LIMIT 1").fetchone()
        marked = bytes(reversed(vec))
        conn.execute("UPDATE vec_blobs SET vec = ? WHERE hash = ?", (marked, hash_))
        before = conn.execute("SELECT count(*) FROM vec_blobs").fetchone()[0]
    conn.close()
    result = CliRunner().invoke(main, ["--db", str(db), "rebuild"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT vec FROM vec_blobs WHERE hash = ?",
                            (hash_,)).fetchone()[0] == marked
        assert conn.execute("SELECT count(*) FROM vec_blobs").fetchone()[0] == before
    conn.close()
    status = CliRunner().invoke(main, ["--db", str(db), "embed", "--status"]).output
    assert "0 missing" in status, status


def test_a_paragraph_repeated_in_every_chapter_is_one_near_duplicate_finding(
        tmp_path: Path) -> None:
    """A book's chapter notebooks each repeat the same note on where figures are saved:
    lint gave one finding for every pair of chapters (75 of a repository's 89). A paragraph
    found in three files or more is one finding at its first copy, saying in how many; a
    paragraph two notes share is still a finding of its own."""
    notes = tmp_path / "book"
    notes.mkdir()
    template = ("Next we make the folder the figures of this chapter are written to, if it is "
                "not there yet, and a helper that saves each figure in high resolution for "
                "the printed book, so that every plot below can be saved under its own name.")
    topics = ["Kernel Methods", "Decision Stumps", "Boosting", "Bagging"]
    for n, topic in enumerate(topics, start=1):
        (notes / f"{n:02d}.md").write_text(
            f"# {topic}\n\n{topic} is the subject of chapter {n} of this book, with its "
            f"exercises worked out one by one.\n\n## Figures\n\n{template}\n", encoding="utf-8")
    shared = ("A learning rate that is too large makes the loss jump from one side of the "
              "valley to the other and never settle at the bottom of it.")
    (notes / "a.md").write_text(f"# Step size\n\nStep size is how far a step goes.\n\n"
                                f"## Too large\n\n{shared}\n", encoding="utf-8")
    (notes / "b.md").write_text(f"# Learning rate\n\nThe learning rate scales each step."
                                f"\n\n## Too large\n\n{shared}\n", encoding="utf-8")
    db = tmp_path / "d.db"
    assert CliRunner().invoke(
        main, ["--db", str(db), "ingest", "--no-embed", str(notes)]).exit_code == 0
    out = CliRunner().invoke(main, ["--db", str(db), "lint", "--group", "near-duplicate"]).output
    lines = [line.strip() for line in out.splitlines() if ".md:" in line]
    assert len(lines) == 2, out
    assert any(line.startswith(str(notes / "01.md"))
               and "a paragraph repeated in 4 files (4 passages)" in line for line in lines), out
    assert any(line.startswith(str(notes / "b.md")) and "the same as a.md:" in line
               for line in lines), out
