"""Notebooks, Org files and PDFs through the CLI ingest, list, show, search."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from grimoire.cli import main
from tests.readers._pdfgen import pdf_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def test_ingest_list_show_and_search_over_the_new_formats(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for fixture in [*(FIXTURES / "notebook").glob("*.ipynb"), *(FIXTURES / "org").glob("*.org")]:
        shutil.copy(fixture, notes / fixture.name)
    (notes / "optim.pdf").write_bytes(pdf_bytes(
        [["Gradient descent moves the weights against the gradient."],
         ["Adam scales each step by a running estimate of the gradient size."]],
        title="Optimizers, briefly",
    ))
    db = ["--db", str(tmp_path / "kb.db")]
    run = CliRunner().invoke
    result = run(main, [*db, "ingest", str(notes), "--no-embed"])
    assert result.exit_code == 0, result.output
    assert "read 6" in result.output and "failed 0" in result.output

    result = run(main, [*db, "list"])
    terms = {line.split("\t")[0] for line in result.output.splitlines()}
    assert {"LoRA", "Self-Attention", "Scaled Dot-Product Attention", "Dropout"} <= terms

    result = run(main, [*db, "show", "Low-Rank Adaptation"])  # by the org-roam alias
    assert result.exit_code == 0, result.output
    assert "lora.org:8-11 (org)" in result.output

    result = run(main, [*db, "search", "running estimate", "--mode", "lexical", "--json"])
    hits = json.loads(result.output)
    top = hits[0]
    assert top["title"] == "Optimizers, briefly"
    assert top["span"]["path"].endswith("optim.pdf") and top["span"]["start_line"] == 2

    result = run(main, [*db, "search", "square root of the key size", "--mode", "lexical",
                        "--json"])
    top = json.loads(result.output)[0]
    assert top["span"]["path"].endswith("attention.ipynb")
    lines = (notes / "attention.ipynb").read_text().split("\n")
    assert "Scaled dot-product attention weighs" in lines[top["span"]["start_line"] - 1]
