"""Plain text: paragraphs separated by blank lines. The fallback for any text file.

A pip requirements file (`requirements.txt`, every line a package), a mail or news message
(`.eml`, `.mbox`, a data set's `Subject:` files), a tool's dump of compiled code (`javap -c`,
`objdump -d`), a settings file (`.ini`, `.cfg`, `.conf`, `key = value` lines) and a model's
data (`classes.txt`, one label a line; a table of numbers; a file named by a number alone,
one record of a numbered set such as a data set's e-mails) and a Python program saved as text
(its first line an import) are searchable text named by its
file or subject, never a page about a thing: their first line ("torch", "Subject: ...",
"[server]", "car") is no concept."""

from __future__ import annotations

import re
from pathlib import PurePath

from grimoire.model import Document, Passage, Span
from grimoire.readers.base import decode

name = "text"
extensions = (".txt", ".text", "", ".eml", ".mbox", ".mbx", ".ini", ".cfg", ".conf")

_MAIL_EXTENSIONS = frozenset({".eml", ".mbox", ".mbx"})
_SETTINGS_EXTENSIONS = frozenset({".ini", ".cfg", ".conf"})
# A message's header line (RFC 5322, and Usenet's), and the line an mbox opens each with.
_HEADER = re.compile(r"[A-Za-z][\w-]{0,40}:(?:\s|$)")
_MBOX_FROM = re.compile(r"From \S+ ")
_ADDRESSING = re.compile(r"(?:subject|from|to|newsgroups|message-id|received|return-path):",
                         re.IGNORECASE)
_MANIFEST = re.compile(r"apiVersion:\s*[\w./-]+$")
# A settings line: `[section]`, `key = value`, or a comment.
_SETTING = re.compile(r"\[[^\]\n]+\]|[\w.-]+\s*=.*|[#;].*")


# A first line that is a row of a table, an item of a list, a quotation or code is the text
# itself, not its title: the file is then named by its file name.
_NOT_A_TITLE = re.compile(r"[^\w(\"'$]|\d+[.):]\s")


# A line of a pip requirements file: a package, its extras, a version pin or marker, or an
# option (`-r base.txt`, `--index-url ...`). Possessive, and a `!` inside a version is the
# next operator when a version follows it: `!` is both, and a line of 200 `!` (`A!!!...x`)
# had 2^200 ways to be cut into pins (a reader worker's whole budget, then "failed"; audit30).
# Only lines with two `!` apart by blanks alone (`1!a!! a`) are read otherwise than before.
# A comment may end a line (`flake8==7.1.1   # only for CI`, round 31: a dev-requirements file).
_REQUIREMENT = re.compile(
    r"[A-Za-z0-9][\w.-]*+\s*+(?:\[[\w,\s-]*+\]\s*+)?+"
    r"(?:[<>=!~]=?+\s*+[\w.*+!-](?:[\w.*+-]|!(?!\s*+[\w.*+!-]))*+\s*+,?+\s*+)*+"
    r"(?:;.*)?(?:#.*)?|-{1,2}[a-z][\w-]*(?:[ =]\S+)?|#.*|(?:git|hg|svn|bzr)\+\S+"
    # a direct reference (PEP 508): `theme @ git+https://...`, `theme@https://...whl`
    r"|[A-Za-z0-9][\w.-]*+(?:\[[\w,\s-]*+\])?\s*@\s*(?:git\+|https?://|file:)\S+(?:\s*#.*)?")
_REQUIREMENTS_NAME = re.compile(r"requi?re?ments?|constraints|packages", re.IGNORECASE)


def package_list(lines: list[str], path: str) -> bool:
    """Whether a text file lists the Python packages a project needs (`requirements.txt`,
    misspelled or not): the list a notes repository keeps beside its notes, not a note."""
    rows = [line.strip() for line in lines if line.strip()]
    if not rows or not all(_REQUIREMENT.fullmatch(r) for r in rows):
        return False
    pinned = any(re.search(r"[<>=~]=|^-r\b", r) for r in rows)
    return pinned or _REQUIREMENTS_NAME.search(PurePath(path).stem) is not None


def message(lines: list[str], path: str) -> bool:
    """Whether a text file is a mail or news message: its extension says so, or it opens with
    an mbox `From ` line, a `Subject:` line, or a block of headers that address it."""
    if PurePath(path).suffix.lower() in _MAIL_EXTENSIONS:
        return True
    first = next((line for line in lines if line.strip()), "")
    if _MBOX_FROM.match(first) or first.lower().startswith("subject:"):
        return True
    headers = []
    for line in lines:
        if not line.strip() or not _HEADER.match(line):
            break
        headers.append(line)
    return len(headers) >= 2 and any(_ADDRESSING.match(h) for h in headers)


def settings(lines: list[str], path: str) -> bool:
    """Whether a text file holds a program's settings: its extension says so, or every line
    is a `[section]`, a `key = value` or a comment, two of them settings at least."""
    if PurePath(path).suffix.lower() in _SETTINGS_EXTENSIONS:
        return True
    rows = [line.strip() for line in lines if line.strip()]
    if rows and _MANIFEST.match(rows[0]):
        return True  # a Kubernetes manifest saved as text (`job.yaml.txt`)
    if not rows or not all(_SETTING.fullmatch(r) for r in rows):
        return False
    return sum(not r.startswith(("#", ";")) for r in rows) >= 2


# A row of data: no sentence ends in it.
_SENTENCE = re.compile(r"[.!?:](?:\s|$)")


def data_rows(lines: list[str]) -> bool:
    """Whether a text file is rows of data a program reads (a model's class labels, one a
    line; a list of images and their labels): five lines or more in one block, none of them
    (or, of 20 or more, one in 8) a sentence, an item of a list or a table's row. A note's
    text has sentences, or blank lines between its parts."""
    rows = [line.strip() for line in lines]
    while rows and not rows[-1]:
        rows.pop()
    while rows and not rows[0]:
        rows.pop(0)
    if len(rows) < 5 or not all(rows):
        return False
    # A long list may hold titles with a stop ("Mr. Holland's Opus", "Free Willy 2: The
    # Adventure Home": 132 of 1,682 films); a paragraph wrapped into lines has a stop in
    # most of them.
    odd = sum(1 for r in rows if _SENTENCE.search(r) or r.startswith(("-", "*", "|", "\u2022")))
    return odd == 0 or (len(rows) >= 20 and odd * 8 <= len(rows))


# A table of numbers a program loads (`np.loadtxt`'s exercise files: "c1 c2 c3 c4" over rows
# of numbers, "01, 01, 2000, ad766, 30" under `%` comments; round 41: each was a concept named
# by its header or file): a row of two fields or more, two in three of them numbers.
_FIELD_SPLIT = re.compile(r"[\s,;]+")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?")


def number_table(lines: list[str]) -> bool:
    """Whether a text file is a table of numbers: two rows of numbers or more (above), and
    they are half of its lines at least, a comment (`%`, `#`, `//`) not counted."""
    rows = [line.strip() for line in lines
            if line.strip() and not line.lstrip().startswith(("%", "#", "//"))]
    numeric = 0
    for row in rows:
        fields = [f for f in _FIELD_SPLIT.split(row) if f]
        if len(fields) >= 2 and 3 * sum(_NUMBER.fullmatch(f) is not None for f in fields) \
                >= 2 * len(fields):
            numeric += 1
    return numeric >= 2 and 2 * numeric >= len(rows)


# A program's report of a run, as a script prints it and a repository keeps it beside the
# code: "Epoch: 001/001 | Batch 0100/0421 | Loss: 0.2646", "Time elapsed: 0.29 min", with its
# first line the library's version ("torch 1.11.0", which named 11 logs of one repository,
# round 31). Short lines, nearly all with a number, most a measure after a colon.
_MEASURE = re.compile(r"[A-Za-z][\w ./()-]{0,40}:\s*[-+]?\d")
_LOG_WORD = re.compile(r"[A-Za-z]{2,}")


def program_output(lines: list[str]) -> bool:
    """Whether a text file is what a program printed (a training log), not a note: eight
    lines or more, each of ten words at most, three in four with a number, half of them a
    measure after a colon (`Loss: 0.2646`). One line in ten may be longer: a warning a
    library printed during the run (round 43: a course's log with one matplotlib warning was
    a note, and its first line, the command that ran it, a concept)."""
    rows = [line.strip() for line in lines if line.strip()]
    if len(rows) < 8 or sum(len(_LOG_WORD.findall(r)) > 10 for r in rows) * 10 > len(rows):
        return False
    numbered = sum(1 for r in rows if any(c.isdigit() for c in r))
    measures = sum(1 for r in rows if _MEASURE.search(r))
    return numbered * 4 >= len(rows) * 3 and measures * 2 >= len(rows)


# A tool's listing of compiled code, saved as text beside the source (a class file as `javap -c`
# prints it, a binary as `objdump -d` does): its lines open with an offset or an address
# (`12: iadd`, `0000dd: 10 02 | call 2`, `0000dc func[1]:`), and its first line is the tool's
# banner ("Compiled from ...", "x.wasm: file format ..."), no concept (round 37: a course's
# bytecode dumps were six concepts).
_OFFSET = re.compile(r"(?:0x)?(?=[0-9a-fA-F]*\d)(?:[0-9a-fA-F]+:(?:\s|$)|[0-9a-fA-F]{4,}\s)")


def listing(lines: list[str]) -> bool:
    """Whether a text file is a disassembly or dump: eight lines or more, half of them opening
    with an offset or address and no sentence in them."""
    rows = [line.strip() for line in lines if line.strip()]
    if len(rows) < 8:
        return False
    at = [r for r in rows if (m := _OFFSET.match(r)) and not _SENTENCE.search(r, m.end())]
    if len(at) * 2 < len(rows):
        return False
    # A writer's list numbered "1:", "2:", "3:" ... counts from one by one; a dump's offsets
    # start at 0 or an address and grow by each instruction's size (round 37's leftover: a
    # note of eight numbered points was read as a dump).
    # Every numbered line counts, a point written as a sentence too (it is no offset row:
    # "4: keep the running mean. Eval mode uses it." made a gap, and ten points a dump;
    # review38b), and a second list may count from one again.
    numbers = [int(m.group(1)) for r in rows if (m := _POINT.match(r))]
    return not numbers or any(n != 1 and n != p + 1 for p, n in zip([0, *numbers[:-1]], numbers,
                                                                            strict=True))


_POINT = re.compile(r"(\d{1,4}):\s")


# A Python program's first line: an import (round 52, qa52: a course kept a demo's code as
# `concentration_demos.txt`, and "import numpy as np" was a concept), after a shebang or a
# coding line if any; and its next line code too, an import, a comment, a definition, a
# statement, an assignment or a call (review52c: a note opening "import duties" then a
# sentence on them was no page).
_IMPORT = re.compile(r"(?:import\s+[\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*"
                     r"|from\s+[\w.]+\s+import\s+(?:\*|\(?[\w\s,]+\)?))\s*(?:#.*)?")
_SCRIPT_HEAD = re.compile(r"#!.*python.*|#.*coding[:=].*")
_CODE = re.compile(r"(?:import|from)\s|#|@\w|(?:def|class)\s+\w|(?:for|while|if|with|try)\b.*:$"
                   r"|[A-Za-z_][\w.]*(?:\[[^\]]*\])?(?:\s*,\s*[A-Za-z_]\w*)*(?:\s*[-+*/]?=(?!=)|\()")


def program(lines: list[str]) -> bool:
    """Whether a text file is a Python program: its first line imports a module
    ("import numpy as np", "from torch import nn") and the next is code; "Importance
    sampling" is a name, "import duties" over a sentence a title."""
    said = (line.strip() for line in lines if line.strip())
    first = next(said, "")
    for _ in range(2):
        if _SCRIPT_HEAD.fullmatch(first) is None:
            break
        first = next(said, "")
    return _IMPORT.fullmatch(first) is not None and _CODE.match(next(said, "")) is not None


def sniff(head: str, path: str) -> bool:
    return True


def read(data: bytes, path: str) -> list[Document]:
    text = decode(data, path)
    lines = text.split("\n")
    passages: list[Passage] = []
    start: int | None = None
    for i, line in enumerate([*lines, ""], start=1):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            body = "\n".join(lines[start - 1 : i - 1]).strip()
            passages.append(Passage(text=body, span=Span(path, start, i - 1)))
            start = None
    if package_list(lines, path):
        # Searchable as text, named by its file, and no page about a thing (a concept "torch").
        return [Document(path=path, format=name, title=PurePath(path).stem,
                         passages=tuple(passages), meta={"package_list": True})]
    if message(lines, path):
        subject = next((line[8:].strip() for line in lines
                        if line.lower().startswith("subject:")), "")
        return [Document(path=path, format=name, title=subject or PurePath(path).stem,
                         passages=tuple(passages), meta={"message": True})]
    if settings(lines, path):
        return [Document(path=path, format=name, title=PurePath(path).name,
                         passages=tuple(passages), meta={"settings": True})]
    if data_rows(lines) or program_output(lines) or listing(lines) or number_table(lines) \
            or program(lines):
        return [Document(path=path, format=name, title=PurePath(path).name,
                         passages=tuple(passages), meta={"data": True})]
    first = passages[0].text.split("\n")[0].strip() if passages else ""
    title = PurePath(path).stem if not first or _NOT_A_TITLE.match(first) else first
    if PurePath(path).stem.isdigit() and first:
        # A text file named by a number alone (`15.txt`) is one record of a numbered set: a
        # data set's samples (a book's spam and ham e-mails, `1.txt` ... `25.txt`, round 41:
        # 16 were concepts named by a subject line, "Get Up to 75% OFF ..."), a corpus's
        # documents. A note is named by what it is about. Searchable, titled by its first
        # line, no page about a thing.
        return [Document(path=path, format=name, title=title, passages=tuple(passages),
                         meta={"data": True})]
    return [Document(path=path, format=name, title=title, passages=tuple(passages))]
