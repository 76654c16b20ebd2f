"""Round 41 (read41b): leftovers of qa41's and read41's reading, each on notes written here."""

from __future__ import annotations

from grimoire.readers import pdf
from tests.readers._pdfgen import pdf_bytes


def test_a_tex_fonts_ligatures_and_dashes_are_letters_not_control_characters() -> None:
    # A TeX font without a ToUnicode map hands pypdf its T1 byte codes: 0x1C is "fi", 0x1D "fl",
    # 0x1B "ff", 0x1F "ffl", 0x16 an em dash, 0x10/0x11 the double quotes; OT1 writes "fi" as 0x0C.
    line = ("Arti\x1ccial neural nets \x16 a \x10\x1dow\x11 of signals, no side e\x1bects, "
            "the \x0cnal layer; wa\x1f\x1ces")
    (doc,) = pdf.read(pdf_bytes([[line]], heading="Arti\x1ccial Intelligence"), "report.pdf")
    text = " ".join(p.text for p in doc.passages)
    assert "Artificial neural nets \u2014 a \u201cflow\u201d of signals" in text
    assert "no side effects, the final layer" in text
    assert doc.title == "Artificial Intelligence"
    assert not any(ord(c) < 32 for c in text)


def test_ligature_presentation_forms_are_spelled_out_and_stray_controls_are_blanks() -> None:
    data = pdf_bytes([["the \x80nal e\x81ect of \x82ow", "step\x01size"]],
                     to_unicode={"\x80": "FB01", "\x81": "FB00", "\x82": "FB02"})
    (doc,) = pdf.read(data, "forms.pdf")
    assert [p.text for p in doc.passages] == ["the final effect of flow step size"]
