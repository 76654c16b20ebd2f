"""The Reader protocol and the helpers every reader shares (decoding, line bookkeeping)."""

from __future__ import annotations

import codecs
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath
from typing import Any, Protocol

from grimoire.errors import ReadError
from grimoire.files import MAX_BYTES
from grimoire.model import Document


class Reader(Protocol):
    """One input format. A module with these attributes is a reader."""

    # Read-only, so that a module's `extensions = (".md", ".markdown")` satisfies it.
    @property
    def name(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    def sniff(self, head: str, path: str) -> bool:
        """Whether `head` (the first few KB of the decoded file) looks like this format."""
        ...

    def read(self, data: bytes, path: str) -> list[Document]:
        """Parse one file into documents (one, except for multi-page files such as dumps)."""
        ...


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Limits that keep one hostile file from taking the machine down.

    Pathological lines are each reader's concern (they fall back to plain text with a warning),
    since a saved web page may legitimately be one long line.
    """

    max_bytes: int = MAX_BYTES
    # The reader worker's budget for one file: past it the worker is stopped and replaced, and
    # the file reported as failed (README, "Limits").
    max_seconds: float = 120.0
    max_memory: int = 2 * 1024 * 1024 * 1024


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)

# C0 control characters other than tab, line ends, form feed and ESC (terminal logs), and DEL.
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\r\f\v\x1b") + b"\x7f"


# The last bytes `looks_binary` found to be text: a worker asks it twice of each note, one
# call after the other (the ingest's check, then the reader's `decode`), and the count of
# control characters was 1% of a note's instructions (issue 14). Compared by identity, as
# `_memo` is (bytes are immutable, and the object is held, so its id is not reused); only
# files up to `_MEMO_BYTES`.
_text_bytes: bytes | None = None


def looks_binary(data: bytes) -> bool:
    """Not text: NUL bytes (unless they are UTF-16's without a BOM), or many control
    characters, in the first 8 KB, without a UTF-16/32 BOM.

    Random bytes hold a control character in about one byte of nine; notes almost never do.
    """
    global _text_bytes
    if data is _text_bytes:
        return False
    head = data[:8192]
    if head.startswith(_BOM_PREFIXES):
        return False
    if b"\x00" in head:
        if _utf16_order(head) is None:
            return True
    else:
        controls = len(head) - len(head.translate(None, _CONTROLS))
        if controls > 8 and controls * 50 > len(head):
            return True
    if len(data) <= _MEMO_BYTES:
        _text_bytes = data
    return False


# The last file decoded, with its text and warning: a worker decodes each note three times
# (the head for detection, the whole for the reader, again for `decode_warning`), one after
# the other, so one remembered file serves all three (issue 14). Compared by identity: bytes
# are immutable, and the memo holds the object, so its id cannot be reused meanwhile. Only
# files up to `_MEMO_BYTES`, so that a large file's text is not held after it is read. One
# tuple, read once and replaced whole, so that threads never see a mixed state.
_MEMO_BYTES = 1 << 20
_Decoded = tuple[str, tuple[int, str] | None]
_memo: tuple[bytes, _Decoded, str | None] | None = None


def _decoded(data: bytes, path: str) -> _Decoded:
    """`_choose(data, path)`, remembered for the last file."""
    global _memo
    last = _memo
    if last is not None and last[0] is data:
        return last[1]
    chosen = _choose(data, path)
    if len(data) <= _MEMO_BYTES:
        _memo = (data, chosen, None)
    return chosen


def _choose(data: bytes, path: str) -> tuple[str, tuple[int, str] | None]:
    """The text, and a warning when it was not clean UTF-8 (or UTF-16/32)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError as e:
                line = line_of(data, e.start)
                raise ReadError(f"invalid {encoding} text: {e.reason}", path, line) from e
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        first = line_of(data, e.start)
    if (order := _utf16_order(data[:8192])) is not None:
        # UTF-16 saved without its byte order mark (some Windows tools): the NULs of its
        # ASCII characters fall on one side of every pair (`_utf16_order`).
        try:
            return data.decode(order), None
        except UnicodeDecodeError as e:
            raise ReadError(f"invalid {order} text: {e.reason}", path,
                            line_of(data.decode(order, errors="replace"), e.start // 2)) from e
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for c in text if c > "\x7f") - text.count("\ufffd")
    if good >= bad:
        # UTF-8 with a few damaged bytes (a bad copy, a truncated character): reading it as
        # cp1252 would garble every correct accent ("CafÃ©"), so only the damage is lost.
        return text, (first, f"invalid UTF-8 ({bad} bad byte{'s' if bad > 1 else ''}, "
                             "shown as \ufffd)")
    return _legacy(data, path, first)


def _utf16_order(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when `head` looks like UTF-16 text without a BOM: NULs on
    one side of a sixteenth or more of its byte pairs (the high bytes of ASCII characters,
    which even a Japanese note has: line ends, spaces, markup) and four times as often as on
    the other (a character such as U+4E00 has a NUL low byte); valid UTF-16 with no control
    characters once decoded. Binary data has NULs on both sides, or decodes to
    controls; UTF-8 and the legacy code pages have no NUL."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    odd = head[1:2 * pairs:2].count(0)
    even = head[0:2 * pairs:2].count(0)
    if odd >= 2 and odd * 16 >= pairs and even * 4 <= odd:
        order = "utf-16-le"
    elif even >= 2 and even * 16 >= pairs and odd * 4 <= even:
        order = "utf-16-be"
    else:
        return None
    text = _strictly(head[:2 * pairs], order)
    if text is None:
        return None
    controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f\v\x1b")
    return order if controls * 50 <= len(text) and "\x00" not in text else None


# Legacy code pages told apart without a detector library. charset-normalizer and chardet
# guess from letter frequencies and are known to misread short texts with confidence 1.0
# (UTF-8 as Big5, Spanish cp1252 as Big5 or mac_latin2, ASCII as UTF-16: their issue
# trackers); a note is often short, and a wrong guess is stored silently. So only what can
# be told by structure is decided: Western text has its non-ASCII letters alone or in pairs
# between ASCII ones ("Régularisation", "ação"); Japanese (Shift-JIS, EUC-JP) decodes
# strictly, in Japanese script with hiragana in it. Anything else (Chinese, Korean,
# Cyrillic, ...) is an error naming the file, never a page of mojibake.
_JAPANESE = (("cp932", "Shift-JIS"), ("euc_jp", "EUC-JP"))
_HIGH_RUN = re.compile(rb"[\x80-\xff]{3,}")


def _legacy(data: bytes, path: str, first: int) -> tuple[str, tuple[int, str] | None]:
    if _western(data, marks_around_letters=False):
        return _windows(data, first)
    for codec, label in _JAPANESE:
        text = _strictly(data, codec)
        if text is not None and _japanese(text):
            return text, (first, f"not UTF-8; read as {label}")
    # Not Japanese: a Western note's quotes and dashes may stand beside its accented letters
    # (cp1252 curly quotes around "\xe0": three high bytes, one letter), while Cyrillic, Greek
    # and the double-byte encodings write words: runs of letters, or of bytes no Western
    # punctuation mark is.
    if _western(data, marks_around_letters=True):
        return _windows(data, first)
    raise ReadError("not UTF-8, and its encoding cannot be told (of the older encodings only "
                    "Western and Japanese ones are recognised): save it as UTF-8", path, first)


def _western(data: bytes, marks_around_letters: bool) -> bool:
    """Most of the high bytes of `data` stand alone or in pairs between ASCII ones (or, with
    `marks_around_letters`, in runs of Western marks around at most two letters). A rule of one
    character repeated ("———" in cp1252, a row of no-break spaces) is no sign of a double-byte
    encoding."""
    high = len(data) - len(data.translate(None, _HIGH))
    runs = sum(len(m) for m in _HIGH_RUN.findall(data) if m.count(m[:1]) != len(m)
               and not (marks_around_letters and _marked_letters(m)))
    return runs * 2 <= high


def _marked_letters(run: bytes) -> bool:
    """A run of cp1252 quotes, dashes, guillemets and spaces around at most two letters
    (cp1252's and Latin-1's letters are 0xC0 and up)."""
    rest = run.translate(None, _LETTERS)
    return len(run) - len(rest) <= 2 and not rest.translate(None, _WESTERN_MARKS)


def _windows(data: bytes, first: int) -> tuple[str, tuple[int, str]]:
    """Old notes saved from Windows editors: cp1252 covers curly quotes, Latin-1 the rest."""
    try:
        return data.decode("cp1252"), (first, "not UTF-8; read as Windows-1252")
    except UnicodeDecodeError:
        return data.decode("latin-1"), (first, "not UTF-8; read as Latin-1")


_HIGH = bytes(range(0x80, 0x100))
_LETTERS = bytes(range(0xC0, 0x100))
# cp1252's ellipsis, bullet, curly quotes, dashes, angle quotes, no-break space, guillemets and
# middle dot: the marks written beside a word.
_WESTERN_MARKS = bytes([0x85, 0x8B, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x9B,
                        0xA0, 0xAB, 0xB7, 0xBB])


def _strictly(data: bytes, codec: str) -> str | None:
    """`data` decoded by `codec` with no error, forgiving only a character cut at the end
    (a file's head, read for detection, may end inside one)."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        if e.start < len(data) - 1:
            return None
    try:
        return data[:-1].decode(codec)
    except UnicodeDecodeError:
        return None


def _japanese(text: str) -> bool:
    """Japanese text: of its non-ASCII characters, 95% or more kana, kanji, CJK punctuation or
    full-width forms, a tenth of those or more hiragana (Japanese prose writes its particles
    in hiragana). Half-width katakana, which Cyrillic or Western bytes decode to in
    Shift-JIS, does not count."""
    wide = hiragana = non_ascii = 0
    for c in text:
        if c < "\x80":
            continue
        non_ascii += 1
        if "\u3040" <= c <= "\u309f":
            hiragana += 1
            wide += 1
        elif ("\u30a0" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff"
              or "\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff60"):
            wide += 1
    return hiragana * 10 >= wide > 0 and wide * 20 >= non_ascii * 19


def decode_warning(data: bytes, path: str) -> tuple[int, str] | None:
    """(line, message) when `decode` had to guess or replace bytes; None for clean text."""
    last = _memo
    if last is not None and last[0] is data:  # decoded just now: not binary
        return last[1][1]
    if looks_binary(data):
        return None
    try:
        return _decoded(data, path)[1]
    except ReadError:
        return None  # the reader itself fails on this file, with the line


def decode(data: bytes, path: str) -> str:
    """Bytes to text with LF line ends: BOM-aware, UTF-8 first (damaged bytes replaced), then
    cp1252/Latin-1 for files with no UTF-8 in them (`decode_warning` says which).

    CRLF and lone CR become LF so that line numbers agree whatever the source's line ends.
    Raises ReadError for binary data.
    """
    global _memo
    last = _memo
    if last is not None and last[0] is data and last[2] is not None:
        return last[2]
    if looks_binary(data):
        raise ReadError("binary file, not a text note", path)
    chosen = _decoded(data, path)
    text = chosen[0].lstrip("\ufeff")
    if "\x00" in text:
        # PostgreSQL text cannot hold NUL; no note means one.
        text = text.replace("\x00", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(data) <= _MEMO_BYTES:
        _memo = (data, chosen, text)
    return text


@lru_cache(maxsize=256)  # a file's readers ask for it 5-10 times (issue 14)
def suffix_of(path: str) -> str:
    """`PurePath(path).suffix`, without building the path: detecting a file's format asks
    for it several times, and building a PurePath was a third of that work (issue 14)."""
    name = _last_name(path)
    if name is None:  # not a plain last name: let pathlib tell
        return PurePath(path).suffix
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _last_name(path: str) -> str | None:
    """What follows the last separator, or None when that is no plain name ("", ".", "..")."""
    cut = path.rfind(os.sep)
    if os.altsep:
        cut = max(cut, path.rfind(os.altsep))
    name = path[cut + 1:]
    return None if name in ("", ".", "..") else name


@lru_cache(maxsize=256)
def stem_of(path: str) -> str:
    """`PurePath(path).stem`, without building the path (4-9 us): every Markdown note asks
    for its stem, a vault note twice (issue 14)."""
    name = _last_name(path)
    if name is None:  # not a plain last name: let pathlib tell
        return PurePath(path).stem
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def folder_of(path: str) -> str:
    """`str(PurePath(path).parent)`, built once per folder rather than once per file: a plain
    last name (not "." or "..") after the last separator leaves the folder part as it is
    (unless that part is the root alone: POSIX keeps "//" there)."""
    cut = path.rfind(os.sep)
    if cut > 0 and path[cut + 1:] not in ("", ".", "..") and path[:cut].strip(os.sep) and not (
            os.altsep and os.altsep in path):
        return _folder(path[:cut])
    return str(PurePath(path).parent)


@lru_cache(maxsize=4096)
def _folder(folder: str) -> str:
    return str(PurePath(folder))


def line_of(data: bytes | str, offset: int) -> int:
    """1-based line number of a character (or byte) offset."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


# What ends a sentence or a clause, in English and Chinese: a title or a gloss ending in none
# gets a stop before the text it heads, so joined by a space the two stay apart (read51).
SENTENCE_MARKS = frozenset(".!?:;\u2026\u3002\uff01\uff1f\uff1a\uff1b")


def ended(text: str) -> str:
    """`text` with a full stop unless it already ends a sentence or is empty."""
    return text + "." if text and text[-1] not in SENTENCE_MARKS else text


def collapse(text: str) -> str:
    """Whitespace runs to single spaces, trimmed."""
    return " ".join(text.split())


def too_many_digits(number: str) -> bool:
    """Whether `number` has more digits than Python converts to `int`
    (`sys.get_int_max_str_digits`, 4300 unless set: a guard against slow conversion)."""
    limit = sys.get_int_max_str_digits()
    return bool(limit) and len(number) > limit and sum(c.isdigit() for c in number) > limit


def whole_number(digits: str) -> int | str:
    """A JSON number written without a point, as `int`; past Python's digit limit its digits
    as text. `int` would raise a ValueError that fails the file and tells the user to call
    `sys.set_int_max_str_digits()` (round 37: a notebook whose `execution_count` was 5,000
    nines), though nothing of the note needs the number's value."""
    return digits if too_many_digits(digits) else int(digits)


# Nikola's metadata: `.. key: value` comments, one a line, at the top of a reST page (of a
# Markdown one inside `<!-- -->`). A target `.. _x:` starts with an underscore, a directive
# `.. x::` has two colons.
_NIKOLA_FIELD = re.compile(r"\.\. ([A-Za-z][\w-]{0,40}):(?!:)[ \t]*(.*?)\s*")
_NIKOLA_LINES = 60


def nikola_metadata(lines: list[str], *, whole: bool = False) -> dict[str, Any]:
    """The fields of Nikola's metadata comments that open `lines` (`whole`: that make up all
    of them), when they give the page a title (the empty ones left out, `tags` a list as
    Nikola splits it at commas); none otherwise: a comment of that shape alone is a comment
    (round 51, qa51: a Nikola site's pages were each named by their first section, or
    "index").

    >>> nikola_metadata([".. title: Kernel Trick", ".. tags: svm, kernels", ".. link:", ""])
    {'title': 'Kernel Trick', 'tags': ['svm', 'kernels']}
    >>> nikola_metadata([".. _kernel-trick:", "", "Kernel Trick"]), nikola_metadata([".. todo: x"])
    ({}, {})
    """
    fields: dict[str, Any] = {}
    for line in lines[:_NIKOLA_LINES]:
        found = _NIKOLA_FIELD.fullmatch(line)
        if found is None:
            if whole and line.strip():
                return {}
            break
        key, value = found.group(1).lower(), collapse(found.group(2))
        if value and key not in fields:
            fields[key] = [t.strip() for t in value.split(",") if t.strip()] \
                if key == "tags" else value
    return fields if fields.get("title") else {}
