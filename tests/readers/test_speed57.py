"""Round 57 (speed57): a Sphinx page's read takes the prolog its hash found, and a PDF's
figure test takes the walk's listing of its folder, each with the answer looking on disk
gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grimoire import readers
from grimoire.ingest import _Job, read_job
from tests.readers.test_read55 import _CHAPTER, _CONF
from tests.readers.test_read56 import one_page_pdf


def _project(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "docs" / "source"
    (source / "part1").mkdir(parents=True)
    (source / "conf.py").write_text(_CONF)
    chapter = source / "part1" / "least-squares.rst"
    chapter.write_text(_CHAPTER)
    return source, chapter


def _conf_stats(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = os.stat

    def counted(path: str, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).endswith("conf.py"):
            seen.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counted)
    return seen


def _tex(job_result: object) -> list[str]:
    docs = job_result.documents  # type: ignore[attr-defined]
    return [m.tex for d in docs for p in d.passages for m in p.math]


@pytest.mark.no_store
def test_a_pages_read_takes_the_prolog_its_hash_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, chapter = _project(tmp_path)
    job = _Job(path=str(chapter), root=str(tmp_path), file=str(chapter),
               size=chapter.stat().st_size, existed=False)
    seen = _conf_stats(monkeypatch)
    result = read_job(job)
    assert result.outcome == "ok"
    assert _tex(result)[0] == "\\mathbf{x}"
    # conf.py was found once, for the hash (one folder up: two stats), not again to read
    assert len(seen) == 2, seen
    # a read of other bytes (the same text, another object) looks on disk again, and sees
    # the prolog as it is now, not as the last hash found it
    data = chapter.read_bytes()
    readers.taken_from_others(data, str(chapter))
    (source / "conf.py").write_text(_CONF.replace("mathbf", "boldsymbol"))
    seen.clear()
    doc = readers.read_file("rst", bytes(bytearray(data)), str(chapter))[0]
    assert next(m.tex for p in doc.passages for m in p.math) == "\\boldsymbol{x}"
    assert len(seen) == 2, seen
    # and the read of the very bytes the hash took sees what that hash covered
    data = chapter.read_bytes()
    hashed = readers.taken_from_others(data, str(chapter))
    assert b"boldsymbol" in hashed
    seen.clear()
    doc = readers.read_file("rst", data, str(chapter))[0]
    assert next(m.tex for p in doc.passages for m in p.math) == "\\boldsymbol{x}"
    assert seen == []
    # what was kept is taken once: the next read of those bytes looks on disk
    readers.read_file("rst", data, str(chapter))
    assert len(seen) == 2, seen


@pytest.mark.no_store
def test_a_pages_job_reads_as_before_with_its_prolog(tmp_path: Path) -> None:
    _, chapter = _project(tmp_path)
    job = _Job(path=str(chapter), root=str(tmp_path), file=str(chapter),
               size=chapter.stat().st_size, existed=False)
    by_job = read_job(job).documents
    alone = readers.read_file("rst", chapter.read_bytes(), str(chapter))
    assert by_job == alone


@pytest.mark.no_store
def test_included_figure_answers_alike_with_the_folders_listing(tmp_path: Path) -> None:
    lecture = tmp_path / "Module 1"
    pics = lecture / "pics"
    pics.mkdir(parents=True)
    (lecture / "L1.tex").write_text(
        "\\includegraphics{pics/margin_plot}\n\\includegraphics{Figs/Local.pdf}\n", "utf-8")
    (lecture / "Figs").mkdir()
    (lecture / "Figs" / "local.tex").write_text("\\includegraphics{own}\n", "utf-8")
    drawing = one_page_pdf([(14, "Input")])
    for name in ("margin_plot.pdf", "handout.pdf", "svm.pdf", "Other.PDF"):
        (pics / name).write_bytes(drawing)
    for name in ("Local.pdf", "own.pdf", "alone.pdf"):
        (lecture / "Figs" / name).write_bytes(drawing)
    (pics / "svm.pdf_tex").write_text("\\begin{picture}(1,1)\\end{picture}\n")
    (pics / "Other.PDF_TEX").mkdir()  # a folder of that name is no Inkscape export
    (lecture / "top.pdf").write_bytes(drawing)
    answers = {}
    for folder in (pics, lecture / "Figs", lecture):
        names = sorted(p.name for p in folder.iterdir())
        beside = readers.folder_names(names)
        for name in names:
            if name.casefold().endswith(".pdf"):
                path = str(folder / name)
                answers[path] = readers.included_figure(path, beside)
                assert answers[path] == readers.included_figure(path), path
    assert {Path(p).name for p, yes in answers.items() if yes} == {
        "margin_plot.pdf", "svm.pdf", "Local.pdf", "own.pdf"}
    # a listing that names no `x.pdf_tex` and no LaTeX document means none is looked for
    assert not readers.included_figure(str(pics / "svm.pdf"), frozenset({"svm.pdf"}))
    assert not readers.included_figure(str(lecture / "Figs" / "own.pdf"),
                                       frozenset({"own.pdf"}))
