"""Round 41 (read41b): leftovers of qa41's and read41's reading, each on notes written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.readers import pdf, read_file
from tests.readers._pdfgen import pdf_bytes


@pytest.mark.no_store
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


@pytest.mark.no_store
def test_ligature_presentation_forms_are_spelled_out_and_stray_controls_are_blanks() -> None:
    data = pdf_bytes([["the \x80nal e\x81ect of \x82ow", "step\x01size"]],
                     to_unicode={"\x80": "FB01", "\x81": "FB00", "\x82": "FB02"})
    (doc,) = pdf.read(data, "forms.pdf")
    assert [p.text for p in doc.passages] == ["the final effect of flow step size"]


def _vault_note(tmp_path: Path, name: str, text: str) -> list[str]:
    (tmp_path / ".obsidian").mkdir(exist_ok=True)
    note = tmp_path / "quiz" / name
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(text, encoding="utf-8")
    [doc] = read_file("obsidian", note.read_bytes(), str(note))
    return [e.term for e in doc.entries]


@pytest.mark.parametrize(("name", "term"), [
    ("Q7_Learning_Rate_Schedules_and_Warmup.md", "Q7 Learning Rate Schedules and Warmup"),
    # the part's number before a title in capitals is no part of its name (round 54, qa54)
    ("03_Part_2_Why_pre-norm_Helps_Deep_Stacks.md", "Why pre-norm Helps Deep Stacks"),
    ("Dropout_and_Weight_Decay_in_PyTorch.md", "Dropout and Weight Decay in PyTorch"),
    ("Step_1.5_Checking_the_1x1_Kernel.md", "Step 1.5 Checking the 1x1 Kernel"),
])
@pytest.mark.no_store
def test_a_file_name_that_writes_its_titles_blanks_as_underscores_names_it_with_blanks(
        tmp_path: Path, name: str, term: str) -> None:
    text = "Warmup raises the learning rate over the first steps, then a schedule lowers it.\n"
    assert _vault_note(tmp_path, name, text) == [term]


@pytest.mark.parametrize("stem", ["max_depth", "__init__", "Kohya_ss", "LD_PRELOAD",
                                  "random_state", "Conv2d_BN"])
@pytest.mark.no_store
def test_a_name_of_code_keeps_its_underscores(tmp_path: Path, stem: str) -> None:
    text = f"`{stem}` is set once, before training; the rest of the code reads it.\n"
    assert _vault_note(tmp_path, f"{stem}.md", text) in ([stem], [])


# A data set of messages a book classifies, one message a file, numbered; written here.
SAMPLE = "Huge Savings On Garden Tools Today\n\nRakes from $4.99, hoses 40% off.\nOrder now!\n"
REPLY = "Quick question\n\nAre we still meeting at noon? I can bring the slides.\nMaya\n"


@pytest.mark.no_store
def test_a_text_file_numbered_as_one_record_of_a_set_names_no_concept() -> None:
    for path, text in (("/book/ch4/mail/bad/17.txt", SAMPLE), ("/book/ch4/mail/ok/3.txt", REPLY)):
        [doc] = read_file("text", text.encode(), path)
        assert doc.entries == ()
        assert doc.title == text.split("\n")[0]
        assert "noon" in " ".join(p.text for p in doc.passages) or "Rakes" in doc.passages[1].text


@pytest.mark.no_store
def test_a_table_of_numbers_is_data_and_a_note_with_numbers_is_a_note() -> None:
    table = "% run, lr, loss\nrun lr loss\n\n1 0.1 2.5\n2 0.05 1.9  % slower\n3 0.01 1.7\n"
    [doc] = read_file("text", table.encode(), "/course/ex/loss_table.txt")
    assert doc.entries == ()
    note = ("Learning rate warmup\n\nWarmup raises the learning rate from 0 to 3e-4 over "
            "2000 steps.\nThen cosine decay takes it down to 1e-5 by step 50000.\n")
    [doc] = read_file("text", note.encode(), "/notes/warmup.txt")
    assert [e.term for e in doc.entries] == ["Learning rate warmup"]
