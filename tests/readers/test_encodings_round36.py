"""Round 36: text encodings told apart by structure, never guessed into mojibake.

A note in Shift-JIS was read as Windows-1252 (its Japanese stored as mojibake), a UTF-16 note
saved without a byte order mark was skipped as binary, and a note in any other legacy
encoding was stored as mojibake too. Notes written here, in our own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.errors import ReadError
from grimoire.readers.base import decode, decode_warning, looks_binary
from tests.conftest import ingested

JAPANESE = ("# 過学習\n\n"
            "過学習とは、訓練データに合わせすぎて新しいデータでの性能が落ちることです。\n")
ENGLISH = "# Softmax\n\nSoftmax turns a vector of scores into probabilities that sum to one.\n"


def _ingest(tmp_path: Path, files: dict[str, bytes]) -> tuple[dict[str, tuple[str, str]], set[str]]:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, data in files.items():
        (notes / name).write_bytes(data)
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        status = {Path(r.path).name: (r.status, r.reason or "") for r in kb.sources()}
        terms = {e.entry.term for e in kb.entries()}
    return status, terms


@pytest.mark.parametrize(("codec", "label"), [("shift_jis", "Shift-JIS"), ("euc_jp", "EUC-JP")])
def test_a_japanese_note_in_a_legacy_encoding_is_read_as_japanese(
        tmp_path: Path, codec: str, label: str) -> None:
    data = JAPANESE.encode(codec)
    assert decode(data, "ja.md") == JAPANESE
    assert decode_warning(data, "ja.md") == (1, f"not UTF-8; read as {label}")
    status, terms = _ingest(tmp_path, {"ja.md": data})
    assert status["ja.md"][0] == "ok"
    assert "過学習" in terms


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [ENGLISH, JAPANESE])
def test_utf16_without_a_byte_order_mark_is_text(tmp_path: Path, codec: str, text: str) -> None:
    data = text.encode(codec)
    assert not looks_binary(data)
    assert decode(data, "n.md") == text
    assert decode_warning(data, "n.md") is None
    status, terms = _ingest(tmp_path, {"n.md": data})
    assert status["n.md"][0] == "ok"
    assert text[2:text.index("\n")] in terms


@pytest.mark.parametrize(("codec", "text"), [
    ("gbk", "# 过拟合\n\n过拟合是指模型只记住了训练样本。\n"),
    ("euc_kr", "# 과적합\n\n과적합은 모델이 훈련 데이터만 외우는 것입니다.\n"),
    ("cp1251", "# Переобучение\n\nМодель запоминает обучающие примеры.\n"),  # noqa: RUF001
    ("big5", "# 過擬合\n\n過擬合是指模型只記住了訓練樣本。\n"),
    ("cp1253", "# Υπερπροσαρμογή\n\nΤο μοντέλο απομνημονεύει τα δείγματα.\n"),  # noqa: RUF001
])
def test_an_encoding_that_cannot_be_told_is_an_error_naming_the_file(
        tmp_path: Path, codec: str, text: str) -> None:
    data = text.encode(codec)
    with pytest.raises(ReadError, match="cannot be told") as raised:
        decode(data, "other.md")
    assert "other.md" in str(raised.value)
    status, terms = _ingest(tmp_path, {"other.md": data, "fine.md": ENGLISH.encode()})
    assert status["other.md"][0] == "failed"
    assert "save it as UTF-8" in status["other.md"][1]
    assert terms == {"Softmax"}  # the batch goes on; nothing garbled is stored


@pytest.mark.no_store
def test_western_notes_and_binary_data_are_as_before() -> None:
    latin = "# Régularisation\n\nUne méthode contre le sur-apprentissage, « ação ».\n"
    assert decode(latin.encode("latin-1"), "l.md") == latin
    assert decode_warning(latin.encode("latin-1"), "l.md") == (1, "not UTF-8; read as Windows-1252")
    ruled = "# Notes\n\n\u2014\u2014\u2014\u2014\u2014\u2014\n\nCaf\u00e9 au lait.\n"
    assert decode(ruled.encode("cp1252"), "r.md") == ruled  # a rule of dashes, not Japanese
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    # 16-bit numbers with NULs on one side decode to control characters: binary.
    assert looks_binary(bytes(b for i in range(200) for b in (i % 7, 0)))


@pytest.mark.no_store
def test_a_western_note_with_quotes_beside_an_accented_letter_is_read() -> None:
    # Review of round 36: cp1252 curly quotes around a one-letter word ("\u201c\u00e0\u201d",
    # three high bytes in a row) looked like a double-byte encoding, and the note failed.
    note = "# Voir\n\nLa pr\u00e9position \u201c\u00e0\u201d ici.\n"
    assert decode(note.encode("cp1252"), "v.md") == note
    assert decode_warning(note.encode("cp1252"), "v.md") == (3, "not UTF-8; read as Windows-1252")


def test_utf16_whose_sniffed_head_ends_inside_an_emoji_is_read_whole(tmp_path: Path) -> None:
    # Review of round 36: the file's first 16 KB, decoded to tell its format, ended between
    # the two halves of a surrogate pair, and the whole note failed.
    note = "# Caf\u00e9\n\n" + "a" * 8183 + "\U0001f600 rest\n"
    data = note.encode("utf-16-le")
    status, terms = _ingest(tmp_path, {"emoji.md": data})
    assert status["emoji.md"][0] == "ok", status
    assert "Caf\u00e9" in terms
