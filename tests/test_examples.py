"""The bundled sample knowledge base (examples/): present, in every format, well-formed."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTE_EXTENSIONS = (".md", ".txt", ".wiki", ".xml", ".html", ".rst", ".tex")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def notes() -> list[Path]:
    """Every note file under examples/, outside hidden folders, without the README."""
    return sorted(
        p
        for p in EXAMPLES.rglob("*")
        if p.is_file()
        and p.suffix in NOTE_EXTENSIONS
        and p.name != "README.md"
        and not any(part.startswith(".") for part in p.relative_to(EXAMPLES).parts)
    )


def test_at_least_fifteen_notes() -> None:
    assert len(notes()) >= 15, [str(p) for p in notes()]


@pytest.mark.parametrize("ext", NOTE_EXTENSIONS)
def test_one_note_per_extension(ext: str) -> None:
    assert any(p.suffix == ext for p in notes()), f"no {ext} note in examples/"


def test_readme_lists_every_note() -> None:
    readme = (EXAMPLES.parent / "docs" / "examples.md").read_text(encoding="utf-8")
    for path in notes():
        rel = path.relative_to(EXAMPLES).as_posix()
        assert rel in readme or path.name in readme, f"{rel} is not listed in docs/examples.md"


def test_obsidian_vault_marker() -> None:
    assert (EXAMPLES / "vault" / ".obsidian" / "app.json").read_text().strip() == "{}"


def test_png_is_valid() -> None:
    data = (EXAMPLES / "vault" / "lora-diagram.png").read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    # Walk the chunks: each CRC must match, IHDR first, IEND last, IDAT must inflate.
    pos, kinds, idat = len(PNG_SIGNATURE), [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        kinds.append(kind)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0
    assert len(zlib.decompress(idat)) > 0


def test_redirect_note_body() -> None:
    body = (EXAMPLES / "vault" / "LoRA.md").read_text(encoding="utf-8").strip()
    assert body == "Abbreviation for [[Low-Rank Adaptation]]."


def test_xml_dump_is_well_formed_mediawiki_export() -> None:
    ns = {"mw": "http://www.mediawiki.org/xml/export-0.11/"}
    root = ET.parse(EXAMPLES / "wiki" / "wiki-export.xml").getroot()
    pages = root.findall("mw:page", ns)
    assert len(pages) == 2
    revisions = [len(p.findall("mw:revision", ns)) for p in pages]
    assert 2 in revisions
    texts = [p.findall("mw:revision/mw:text", ns)[-1].text or "" for p in pages]
    assert any(t.startswith("#REDIRECT [[") for t in texts)


def test_planted_wrong_arithmetic_is_present() -> None:
    # docs/examples.md documents this deliberate mistake; keep the two in step.
    softmax = (EXAMPLES / "vault" / "Softmax.md").read_text(encoding="utf-8")
    assert "e^2 / (e^2 + e^1 + e^0) = 0.9" in softmax


def test_latex_lecture_reads_as_its_outline() -> None:
    # docs/examples.md describes the lecture: its two entries, its label links, its formula
    from grimoire.readers import latex

    path = EXAMPLES / "lectures" / "batch-normalization.tex"
    doc, = latex.read(path.read_bytes(), "lectures/batch-normalization.tex")
    assert doc.title == "Batch Normalization"
    assert [(e.term, e.span.start_line) for e in doc.entries] == [
        ("Internal Covariate Shift", 13), ("Batch Normalization", 18)]
    assert {x.fragment for p in doc.passages for x in p.links} == {"sec:shift", "eq:bn"}
    formula, = (p for p in doc.passages if p.kind == "math")
    assert (formula.span.start_line, formula.span.end_line) == (23, 26)
    assert "\\mathbb{E}_B" in formula.text or "{\\mathbb{E}}_B" in formula.text  # `\E` written out
    assert any("[ioffe2015]" in p.text for p in doc.passages)

