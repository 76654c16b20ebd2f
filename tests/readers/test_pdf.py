"""The PDF reader on PDFs written by tests/readers/_pdfgen.py: pages, titles, scans, damage."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from pypdf import PdfWriter

from grimoire.errors import ReadError
from grimoire.readers import binary_reader, detect, pdf
from grimoire.readers.base import looks_binary
from tests.readers._pdfgen import IMAGE, pdf_bytes

PAGE_ONE = [
    "Gradient descent moves the weights against the gradient of the loss.",
    "The step size is the learning rate; too large a rate makes the loss diverge, too",
    "small a rate makes training slow. Momentum keeps a running average of past gradi-",
    "ents and follows it instead.",
]
PAGE_TWO = ["Adam scales each coordinate's step by a running estimate of the gradient's size."]


@pytest.mark.no_store
def test_text_is_read_page_by_page_and_spans_name_the_page() -> None:
    data = pdf_bytes([PAGE_ONE, PAGE_TWO, ["Weight decay shrinks the weights toward zero."]])
    (doc,) = pdf.read(data, "notes/optim.pdf")
    assert doc.format == "pdf"
    assert doc.meta["pages"] == 3 and doc.meta["span_unit"] == "page"
    pages = [(p.span.start_line, p.span.end_line, p.heading_path) for p in doc.passages]
    assert pages == [(1, 1, ("p. 1",)), (2, 2, ("p. 2",)), (3, 3, ("p. 3",))]
    assert str(doc.passages[1].span) == "notes/optim.pdf:2"
    first = doc.passages[0].text
    assert "past gradients and follows it" in first  # the hyphen at the line end is undone
    assert "Adam" not in first and "Adam scales" in doc.passages[1].text


@pytest.mark.no_store
def test_title_from_metadata_when_it_is_a_real_title() -> None:
    data = pdf_bytes([PAGE_ONE], title="Optimizers, briefly")
    assert pdf.read(data, "a.pdf")[0].title == "Optimizers, briefly"


@pytest.mark.parametrize(
    "junk", [None, "Microsoft Word - optim_v3.docx", "untitled", "slides.pptx"]
)
@pytest.mark.no_store
def test_title_from_the_largest_text_of_page_one_when_metadata_has_none(junk: str | None) -> None:
    data = pdf_bytes([PAGE_ONE], title=junk, heading="A Short Guide to Optimizers")
    assert pdf.read(data, "a.pdf")[0].title == "A Short Guide to Optimizers"


@pytest.mark.no_store
def test_a_title_word_broken_into_runs_at_its_hyphen_is_one_word() -> None:
    # Word wrote "Surpassing human", "-", "level performance" as three runs of a course's
    # slides: the concept was "Surpassing human - level performance".
    data = pdf_bytes([PAGE_ONE], heading=["Beating expert", "-", "level play"])
    assert pdf.read(data, "a.pdf")[0].title == "Beating expert-level play"
    data = pdf_bytes([PAGE_ONE], heading=["Part 2 - Optimizers", "in practice"])
    assert pdf.read(data, "a.pdf")[0].title == "Part 2 - Optimizers in practice"


@pytest.mark.no_store
def test_the_stamp_arxiv_prints_up_a_papers_margin_is_no_title() -> None:
    # The stamp is set larger than any text of the page: a paper was "arXiv:2310.06825v1
    # [cs.CL] 10 Oct 2023" (round 29).
    data = pdf_bytes([PAGE_ONE], heading=["arXiv:2401.01234v2 [cs.LG] 3 Jan 2024"])
    assert pdf.read(data, "paper.pdf")[0].title == PAGE_ONE[0]


@pytest.mark.no_store
def test_title_falls_back_to_the_first_line_then_the_stem() -> None:
    assert pdf.read(pdf_bytes([PAGE_ONE]), "a.pdf")[0].title == PAGE_ONE[0]
    (blank,) = pdf.read(pdf_bytes([[], []]), "drawings/blank.pdf")
    assert blank.title == "blank" and not blank.passages
    assert [p.message for p in blank.problems] == ["no text on any of its 2 pages"]


@pytest.mark.no_store
def test_a_scanned_pdf_is_reported_as_scanned_not_read_as_empty() -> None:
    with pytest.raises(ReadError, match=r"scanned PDF: 3 of 3 pages are images") as e:
        pdf.read(pdf_bytes([IMAGE, IMAGE, IMAGE]), "scans/lecture.pdf")
    assert e.value.path == "scans/lecture.pdf"
    assert "OCR" in str(e.value)


@pytest.mark.no_store
def test_scanned_pages_inside_a_text_pdf_are_problems_with_their_pages() -> None:
    (doc,) = pdf.read(pdf_bytes([PAGE_ONE, IMAGE, IMAGE, PAGE_TWO, IMAGE]), "mixed.pdf")
    assert [p.span.start_line for p in doc.passages] == [1, 4]
    (problem,) = doc.problems
    assert problem.message == "no text layer (scanned images) on page(s) 2-3, 5"
    assert problem.span.start_line == 2


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes([PAGE_ONE])))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.no_store
def test_encrypted_pdf_with_a_password_fails_cleanly_naming_the_file() -> None:
    with pytest.raises(ReadError) as e:
        pdf.read(_encrypted("secret"), "papers/locked.pdf")
    assert str(e.value) == "papers/locked.pdf: encrypted PDF: a password is needed to read it"


@pytest.mark.no_store
def test_an_encryption_pypdf_does_not_know_fails_cleanly_naming_the_file() -> None:
    # pypdf raises NotImplementedError for an /Encrypt version it lacks (V 9 here): it escaped
    # the reader, and ingest reported "reader pdf failed: NotImplementedError: ...".
    unknown = _encrypted("").replace(b"/V 2", b"/V 9", 1)
    with pytest.raises(ReadError) as e:
        pdf.read(unknown, "papers/odd.pdf")
    assert str(e.value) == "papers/odd.pdf: a PDF pypdf cannot read: Encryption V=9 NOT supported"


@pytest.mark.no_store
def test_encrypted_pdf_that_needs_no_password_to_read_is_read() -> None:
    (doc,) = pdf.read(_encrypted(""), "papers/owner-only.pdf")
    assert "Gradient descent" in doc.passages[0].text


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\nnot really a pdf", pdf_bytes([PAGE_ONE])[:300], b"%PDF-1.7\n" + b"\x00" * 64],
    ids=["garbage", "truncated", "nul-bytes"],
)
@pytest.mark.no_store
def test_broken_pdfs_fail_with_a_read_error_naming_the_file(data: bytes) -> None:
    with pytest.raises(ReadError) as e:
        pdf.read(data, "papers/broken.pdf")
    assert str(e.value).startswith("papers/broken.pdf: ")


@pytest.mark.no_store
def test_a_pdf_is_detected_although_it_is_binary() -> None:
    data = pdf_bytes([PAGE_ONE])
    found = binary_reader("a.pdf", data)
    assert found is not None and found.name == "pdf"
    assert binary_reader("a.md", data) is None
    assert binary_reader("a.pdf", b"\x89PNG\r\n\x1a\n\x00\x00") is None
    assert looks_binary(b"%PDF-1.4\n\x00")  # what the ingest check would otherwise skip
    found = detect("a.pdf", data.decode("latin-1"))
    assert found is not None and found.name == "pdf"


@pytest.mark.no_store
def test_a_500_page_pdf_is_read_whole_in_bounded_memory() -> None:
    pages = [
        [f"Page {k}: a paragraph on topic {k}, long enough to be a line of prose."] * 30
        for k in range(1, 501)
    ]
    data = pdf_bytes(pages)
    tracemalloc.start()
    try:
        (doc,) = pdf.read(data, "book.pdf")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert {p.span.start_line for p in doc.passages} == set(range(1, 501))
    assert all(p.text.startswith(f"Page {p.span.start_line}:") for p in doc.passages[::3])
    assert not doc.problems
    # One page's text at a time, plus what is kept (about 1.1 MB of text): far below the file
    # times any blow-up factor.
    assert peak < 48 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.no_store
def test_page_and_character_limits_stop_with_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [[f"Page {k} text."] for k in range(1, 41)]
    monkeypatch.setattr(pdf, "MAX_PAGES", 25)
    (doc,) = pdf.read(pdf_bytes(pages), "long.pdf")
    assert doc.passages[-1].span.start_line == 25
    assert [p.message for p in doc.problems] == ["stopped after page 25 of 40: the page limit"]
    monkeypatch.setattr(pdf, "MAX_CHARS", 100)
    (doc,) = pdf.read(pdf_bytes(pages), "long.pdf")
    assert doc.passages[-1].span.start_line == 9
    assert doc.problems[0].message.startswith("stopped after page 9 of 40")


def test_ingest_reads_a_pdf_and_reports_a_broken_one(tmp_path: Path) -> None:
    import grimoire

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "optim.pdf").write_bytes(pdf_bytes([PAGE_ONE, PAGE_TWO], title="Optimizers"))
    (notes / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    (notes / "scan.pdf").write_bytes(pdf_bytes([IMAGE]))
    kb = grimoire.open(tmp_path / "kb.db")
    report = kb.ingest([notes], embed=False)
    reasons = {Path(f.path).name: f.reason for f in report.failures}
    assert set(reasons) == {"broken.pdf", "scan.pdf"}
    assert reasons["scan.pdf"] is not None and "scanned PDF" in reasons["scan.pdf"]
    hits = kb.search("running estimate of the gradient", mode="lexical")
    assert hits and hits[0].title == "Optimizers"
    assert (Path(hits[0].span.path).name, hits[0].span.start_line) == ("optim.pdf", 2)
    (record,) = [s for s in kb.sources() if s.path.endswith("optim.pdf")]
    assert (record.status, record.format, record.problems) == ("ok", "pdf", ())  # no text warning
    kb.close()
