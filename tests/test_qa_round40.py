"""Round 40 (qa40): what a new user met on a public Quarto book of statistical learning (`.qmd`
chapters, the pages Quarto built from them in `docs/`, LaTeX macros in a file of their own),
rebuilt in our own words on a real store, through the real faces."""

from __future__ import annotations

from pathlib import Path

import grimoire
from grimoire.watch import ignored


def _book(root: Path, config: str, settings: str, out: str) -> None:
    root.mkdir()
    (root / config).write_text(settings, encoding="utf-8")
    (root / "ridge.qmd").write_text(
        "# Ridge Regression\n\nRidge regression shrinks the coefficients of a linear model "
        "by adding their squared sum, times a penalty, to the loss.\n", encoding="utf-8")
    built = root / out
    built.mkdir()
    (built / "ridge.html").write_text(
        "<html><head><title>Ridge Regression</title></head><body><main><h1>Ridge Regression"
        "</h1><p>Ridge regression shrinks the coefficients of a linear model by adding "
        "their squared sum, times a penalty, to the loss.</p></main></body></html>",
        encoding="utf-8")


def test_the_folder_a_book_generator_builds_into_is_not_read(tmp_path: Path) -> None:
    """A Quarto book published on GitHub Pages builds its pages into `docs/`
    (`output-dir: docs` in `_quarto.yml`), beside the chapters they were built from. Every
    chapter was read twice, the source and its page: each entry listed twice, each section
    two concepts' worth of passages, the lint full of near-duplicates."""
    cases = [
        ("_quarto.yml", "project:\n  type: book\n  output-dir: docs\n", "docs"),
        ("_bookdown.yml", 'output_dir: "public/"\nbook_filename: "ml"\n', "public"),
        ("mkdocs.yml", "site_name: Notes\nsite_dir: ./built  # for Pages\n", "built"),
    ]
    for n, (config, settings, out) in enumerate(cases):
        root = tmp_path / f"book{n}"
        _book(root, config, settings, out)
        with grimoire.open(tmp_path / f"kb{n}.db") as kb:
            kb.ingest([root], embed=False)
            read = sorted(Path(s.path).name for s in kb.sources() if s.status == "ok")
            assert read == ["ridge.qmd"], (config, read)
            assert [e.entry.term for e in kb.entries()] == ["Ridge Regression"]
        # `watch` ignores changes there alike.
        assert ignored(root / out / "ridge.html", root)
        assert not ignored(root / "ridge.qmd", root)


def test_a_built_folder_is_read_when_no_generator_names_it(tmp_path: Path) -> None:
    """Only the folder the settings name is passed over: a `docs/` of notes in a Quarto
    project that builds elsewhere, and the built folder itself when it is what the user
    ingests, are read."""
    root = tmp_path / "book"
    _book(root, "_quarto.yml", "project:\n  type: website\n", "docs")
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([root], embed=False)
        read = sorted(Path(s.path).name for s in kb.sources() if s.status == "ok")
        assert read == ["ridge.html", "ridge.qmd"]
    other = tmp_path / "site"
    _book(other, "_quarto.yml", "project:\n  output-dir: docs\n", "docs")
    with grimoire.open(tmp_path / "kb2.db") as kb:
        kb.ingest([other / "docs"], embed=False)
        assert [Path(s.path).name for s in kb.sources() if s.status == "ok"] == ["ridge.html"]
