"""Round 38 (qa38): what a new user met on a public repository of a book's companion notebooks
(with a PDF of the book's equations beside them), rebuilt in our own words on a real store,
through the real CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from tests.readers._pdfgen import pdf_bytes


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
