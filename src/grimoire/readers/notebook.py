"""Jupyter notebooks (`.ipynb`, nbformat 4, and 3 as older Jupyter wrote it).

What becomes what:

- Markdown cells are Markdown: read by the Markdown reader, so headings, `$`/`$$` math, links,
  entries (a titled note, a glossary section) and front matter in a first cell (Jupyter Book,
  MyST) behave as in a `.md` file.
- Code cells are kept as code passages, fenced in the kernel's language.
- Outputs are dropped: they are results, not notes, and a plot's base64 would drown the text.
  Images (an output's `image/*` data, a markdown cell's `attachments`) are recorded as `Image`s
  on the cell's passage, their target `cell-N/output-K.png` or `cell-N/name.png`, never as text.
- Raw cells (nbconvert templates) are dropped.
- Title: the notebook metadata's `title`, else the Markdown rule (front matter, first H1, stem);
  a notebook named only by a stem that names a file (numbered, "_test", "nlp_figs") is
  no concept (its sections' entries stay).

Spans point at lines of the `.ipynb` file itself: each line of a cell's `source` is one JSON
string on its own line when Jupyter saves a notebook, so a citation opens the editor on the very
line inside the JSON. A cell whose source is one string (as some tools write it) maps every line
to the line where that string starts.

nbformat (the library) is not used: it validates and upgrades, but cannot say where a cell sits
in the file, which a citation needs. The JSON is walked here with `json`'s own C scanner and
string positions are kept only for cell sources and outputs.
"""

from __future__ import annotations

import dataclasses
import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from grimoire.errors import ReadError
from grimoire.model import Document, Image, Passage, Problem, Span
from grimoire.readers import markdown, sniffs
from grimoire.readers.base import decode, stem_of, whole_number
from grimoire.readers.conventions import is_generic_title

name = "notebook"
extensions: tuple[str, ...] = (".ipynb",)
sniff = sniffs.notebook

_WS = re.compile(r"[ \t\n\r]*")
_NUMBERED_FILE = re.compile(r"_|\d+[-_. ]")
_STEM_PARTS = re.compile(r"[-_.\s]+")
# Words that join a stem's parts into a phrase: "transformer_from_scratch", "intro_to_pytorch"
_JOINING = frozenset({"from", "to", "of", "on", "with", "for", "in", "and", "vs"})
_DECODER = json.JSONDecoder(parse_int=whole_number)
# Keys whose values are skipped whole by the C decoder (never looked into for positions).
_SKIP = frozenset({"metadata", "data", "text", "traceback", "execution_count", "id"})


def _file_name(stem: str) -> bool:
    """Whether a notebook's stem names a file, not a thing: numbered ("02-math-figs",
    "003_gates"), hidden ("_test"), or written as a file's name (no space) with a generic
    part ("nlp_figs", "rnn_examples", `is_generic_title`); "Hadoop Basics" is a title, and so
    is a phrase its joining words show ("transformer_from_scratch": "scratch" is generic as a
    scratch page is; review44a)."""
    parts = [part for part in _STEM_PARTS.split(stem) if part]
    return bool(_NUMBERED_FILE.match(stem)) or (
        " " not in stem and _JOINING.isdisjoint(map(str.lower, parts))
        and any(is_generic_title(part) for part in parts))


# --------------------------------------------------------------------------- JSON with positions


@dataclass(slots=True)
class _Positions:
    """Offsets of the strings and objects the reader cites, keyed by their JSON path."""

    strings: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    objects: dict[tuple[str | int, ...], int] = field(default_factory=dict)


def _ws(text: str, pos: int) -> int:
    m = _WS.match(text, pos)
    return m.end() if m else pos


def _walk(text: str, pos: int, path: tuple[str | int, ...], out: _Positions) -> int:
    """Walk one JSON value at `pos` (valid JSON: `json.loads` ran first); return its end."""
    pos = _ws(text, pos)
    c = text[pos]
    if c == '"':
        out.strings[path] = pos
        return int(scanstring(text, pos + 1)[1])
    if c == "{":
        out.objects[path] = pos
        pos = _ws(text, pos + 1)
        if text[pos] == "}":
            return pos + 1
        while True:
            key, pos = scanstring(text, _ws(text, pos) + 1)
            pos = _ws(text, pos) + 1  # past ':'
            if key in _SKIP:
                pos = _DECODER.raw_decode(text, _ws(text, pos))[1]
            else:
                pos = _walk(text, pos, (*path, key), out)
            pos = _ws(text, pos)
            if text[pos] == "}":
                return pos + 1
            pos += 1  # ','
    if c == "[":
        pos = _ws(text, pos + 1)
        if text[pos] == "]":
            return pos + 1
        k = 0
        while True:
            pos = _walk(text, pos, (*path, k), out)
            pos = _ws(text, pos)
            if text[pos] == "]":
                return pos + 1
            pos += 1
            k += 1
    return int(_DECODER.raw_decode(text, pos)[1])


# --------------------------------------------------------------------------- cells to Markdown


@dataclass(slots=True)
class _Builder:
    """Markdown text made of the cells, with the `.ipynb` line of every line it holds."""

    lines: list[str] = field(default_factory=list)
    origin: list[int] = field(default_factory=list)  # origin[k]: file line of lines[k]
    images: list[tuple[int, Image]] = field(default_factory=list)  # (cell's file line, image)

    def add(self, line: str, file_line: int) -> None:
        self.lines.append(line)
        self.origin.append(file_line)


def _source_lines(
    source: Any, path: tuple[str | int, ...], pos: _Positions, line_at: Callable[[int], int]
) -> list[tuple[str, int]]:
    """A cell's source as (line, file line) pairs, whether a list of strings or one string."""
    if isinstance(source, str):
        first = line_at(pos.strings.get(path, 0))
        return [(ln, first) for ln in source.split("\n")]
    out: list[tuple[str, int]] = []
    if not isinstance(source, list):
        return out
    pending = ""
    pending_line = 0
    for k, piece in enumerate(source):
        if not isinstance(piece, str):
            continue
        here = line_at(pos.strings.get((*path, k), 0))
        parts = piece.split("\n")
        # A list element normally ends with '\n'; one that does not continues on the next.
        for j, part in enumerate(parts[:-1]):
            out.append((pending + part, pending_line if pending and j == 0 else here))
            pending = ""
        if parts[-1]:
            if not pending:
                pending_line = here
            pending += parts[-1]
    if pending:
        out.append((pending, pending_line))
    return out


def _output_images(
    cell: dict[str, Any], n: int, base: tuple[str | int, ...], pos: _Positions,
    line_at: Callable[[int], int],
) -> list[Image]:
    images: list[Image] = []
    outputs = cell.get("outputs")
    for k, output in enumerate(outputs if isinstance(outputs, list) else []):
        data = output.get("data") if isinstance(output, dict) else None
        if not isinstance(data, dict):
            continue
        for mime in data:
            if isinstance(mime, str) and mime.startswith("image/"):
                ext = mime.split("/", 1)[1].split("+", 1)[0]
                line = line_at(pos.objects.get((*base, "outputs", k), 0))
                images.append(Image(f"cell-{n}/output-{k}.{ext}", Span("", line, line)))
    return images


def _attachment_images(
    cell: dict[str, Any], n: int, lines: list[tuple[str, int]], cell_line: int
) -> tuple[list[tuple[str, int]], list[Image]]:
    """A markdown cell's attachments: `attachment:NAME` in its text becomes `cell-N/NAME` (an
    image the Markdown reader records where it is shown); the unshown ones are returned."""
    attachments = cell.get("attachments")
    if not isinstance(attachments, dict) or not attachments:
        return lines, []
    shown = [(line.replace("attachment:", f"cell-{n}/"), at) for line, at in lines]
    text = "\n".join(line for line, _ in lines)
    unshown = [
        Image(f"cell-{n}/{key}", Span("", cell_line, cell_line))
        for key in attachments
        if f"attachment:{key}" not in text
    ]
    return shown, unshown


def _cells(nb: dict[str, Any], path: str) -> tuple[list[Any], tuple[str | int, ...], str]:
    """The cell list, its JSON path, and the key holding a code cell's source."""
    version = nb.get("nbformat")
    if version == 4 or (version is None and isinstance(nb.get("cells"), list)):
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise ReadError("notebook has no 'cells' list", path, 1)
        return cells, ("cells",), "source"
    if version == 3:
        sheets = nb.get("worksheets")
        if isinstance(sheets, list) and sheets and isinstance(sheets[0], dict):
            cells = sheets[0].get("cells")
            if isinstance(cells, list):
                return cells, ("worksheets", 0, "cells"), "input"
        return [], ("worksheets", 0, "cells"), "input"
    raise ReadError(f"unsupported notebook format {version!r} (nbformat 3 and 4 are read)", path, 1)


def _has_prose(nb: dict[str, Any], path: str) -> bool:
    """Whether any markdown (or nbformat 3 heading) cell of the notebook holds some text."""
    for cell in _cells(nb, path)[0]:
        if isinstance(cell, dict) and cell.get("cell_type") in ("markdown", "heading"):
            source = cell.get("source")
            text = "".join(map(str, source)) if isinstance(source, list) else str(source or "")
            if text.strip():
                return True
    return False


def _language(nb: dict[str, Any]) -> str:
    meta = nb.get("metadata")
    if isinstance(meta, dict):
        for key in ("kernelspec", "language_info"):
            info = meta.get(key)
            if isinstance(info, dict):
                lang = info.get("language") or info.get("name")
                if isinstance(lang, str) and lang.isidentifier():
                    return lang.lower()
    return ""


def _to_markdown(
    nb: dict[str, Any], text: str, path: str, problems: list[Problem]
) -> _Builder:
    cells, base, code_key = _cells(nb, path)
    pos = _Positions()
    _walk(text, 0, (), pos)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_at(offset: int) -> int:
        return bisect_right(starts, offset)

    lang = _language(nb)
    out = _Builder()
    for n, cell in enumerate(cells, start=1):
        cell_path = (*base, n - 1)
        cell_line = line_at(pos.objects.get(cell_path, 0))
        if not isinstance(cell, dict):
            problems.append(Problem(f"cell {n} is not an object", Span(path, cell_line, cell_line)))
            continue
        kind = cell.get("cell_type")
        key = code_key if kind == "code" else "source"
        lines = _whole_characters(_source_lines(cell.get(key), (*cell_path, key), pos, line_at),
                                  n, path, problems)
        while lines and not lines[-1][0].strip():
            lines.pop()
        if kind == "markdown" or kind == "heading":  # nbformat 3 had heading cells
            if kind == "heading" and lines:
                level = cell.get("level")
                depth = max(1, min(6, level)) if isinstance(level, int) else 1
                lines[0] = ("#" * depth + " " + lines[0][0], lines[0][1])
            anchor = lines[0][1] if lines else cell_line
            lines, unshown = _attachment_images(cell, n, lines, cell_line)
            for line, file_line in lines:
                out.add(line, file_line)
            out.images.extend((anchor, im) for im in unshown)
        elif kind == "code":
            if not lines:
                out.images.extend(
                    (cell_line, im) for im in _output_images(cell, n, cell_path, pos, line_at)
                )
                continue
            # A fence longer than any backtick run inside keeps the code from closing it.
            runs = [len(m) for line, _ in lines for m in re.findall(r"`{3,}", line)]
            fence = "`" * max(3, max(runs, default=0) + 1)
            out.add(fence + lang, lines[0][1])
            for line, file_line in lines:
                out.add(line, file_line)
            out.add(fence, lines[-1][1])
            out.images.extend(
                (lines[0][1], im) for im in _output_images(cell, n, cell_path, pos, line_at)
            )
        elif kind != "raw":
            problems.append(
                Problem(f"cell {n}: unknown cell type {kind!r}, skipped",
                        Span(path, cell_line, cell_line))
            )
            continue
        if out.lines:
            out.add("", out.origin[-1])
    return out


# JSON's `\ud800` escapes a UTF-16 half that pairs with nothing: json.loads takes it, no text
# encoding does, and the whole notebook failed on writing its first such line.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_characters(
    lines: list[tuple[str, int]], n: int, path: str, problems: list[Problem]
) -> list[tuple[str, int]]:
    """`lines` with each lone surrogate replaced by U+FFFD, and a warning at its line."""
    out = []
    for line, file_line in lines:
        if not line.isascii() and _SURROGATE.search(line):
            problems.append(Problem(
                f"cell {n}: a lone surrogate escape in the JSON string, replaced by U+FFFD",
                Span(path, file_line, file_line)))
            line = _SURROGATE.sub("\ufffd", line)
        out.append((line, file_line))
    return out


def _scrub(value: Any) -> Any:
    """Metadata kept from the notebook (title, kernel, authors) without lone surrogates."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


# --------------------------------------------------------------------------- spans back to the file


def _remap(value: Any, fix: Callable[[Span], Span]) -> Any:
    """`value` with every Span inside it (dataclasses, tuples) passed through `fix`."""
    if isinstance(value, Span):
        return fix(value)
    if isinstance(value, tuple):
        return tuple(_remap(v, fix) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _remap(getattr(value, f.name), fix)
            for f in dataclasses.fields(value)
            if isinstance(getattr(value, f.name), Span | tuple)
            or dataclasses.is_dataclass(getattr(value, f.name))
        }
        return dataclasses.replace(value, **changes)
    return value


def _attach_images(doc: Document, images: list[tuple[int, Image]], path: str) -> Document:
    """Each image onto its cell's passage: the first passage ending at or after the cell's first
    line (outputs follow their code), else the last passage; a notebook of images only gets
    one empty passage to hold them."""
    if not images:
        return doc
    passages = list(doc.passages)
    if not passages:
        first = min(anchor for anchor, _ in images)
        passages.append(Passage("", Span(path, first, first)))
    ends: list[int] = []  # running maximum of the passages' last lines, for bisect
    for p in passages:
        ends.append(max(p.span.end_line, ends[-1] if ends else 0))
    extra: dict[int, list[Image]] = {}
    for anchor, image in images:
        image = dataclasses.replace(image, span=dataclasses.replace(image.span, path=path))
        k = min(bisect_left(ends, anchor), len(passages) - 1)
        extra.setdefault(k, []).append(image)
    for k, ims in extra.items():
        passages[k] = dataclasses.replace(passages[k], images=(*passages[k].images, *ims))
    return dataclasses.replace(doc, passages=tuple(passages))


def read(data: bytes, path: str) -> list[Document]:
    text = decode(data, path)
    if not text.strip():
        # A notebook saved before its first cell was written, or a placeholder (round 35: a
        # course's 0-byte `lab1.ipynb` failed "invalid JSON (Expecting value)"): read as the
        # empty note it is, with a warning that says so.
        (doc,) = markdown.read(b"", path)
        size = "0 bytes" if not data else "only blank space"
        return [dataclasses.replace(doc, format=name, problems=(
            *doc.problems, Problem(f"empty notebook ({size}): nothing to read", Span(path, 1, 1))))]
    try:
        nb = json.loads(text, parse_int=whole_number)
    except json.JSONDecodeError as e:
        # The column too: json's message ends "starting at" and leaves the place to its
        # fields, and a notebook written on one line (minified) is all line 1 (round 38).
        raise ReadError(f"not a notebook: invalid JSON ({e.msg}: column {e.colno})", path,
                        e.lineno) from e
    except RecursionError as e:
        raise ReadError("not a notebook: JSON nested too deeply", path, 1) from e
    if not isinstance(nb, dict):
        raise ReadError("not a notebook: the JSON is not an object", path, 1)
    problems: list[Problem] = []
    try:
        built = _to_markdown(nb, text, path, problems)
    except RecursionError as e:
        raise ReadError("notebook JSON nested too deeply", path, 1) from e
    source = "\n".join(built.lines)
    (doc,) = markdown.read(source.encode("utf-8"), path)
    origin = built.origin

    def fix(span: Span) -> Span:
        if not origin:
            return span
        start = origin[min(max(span.start_line, 1), len(origin)) - 1]
        end = origin[min(max(span.end_line, 1), len(origin)) - 1]
        return Span(span.path, start, max(start, end))

    doc = _attach_images(_remap(doc, fix), built.images, path)
    meta = _scrub(nb.get("metadata"))
    title = meta.get("title") if isinstance(meta, dict) else None
    notebook_meta = dict(doc.meta)
    if isinstance(meta, dict):
        for key in ("kernelspec", "authors"):
            if key in meta:
                notebook_meta[key] = meta[key]
    notebook_meta["nbformat"] = nb.get("nbformat")
    if not (isinstance(title, str) and title.strip()) and (not _has_prose(nb, path) or (
            doc.title == stem_of(path) and _file_name(doc.title))):
        # No title of its own (a heading, front matter, metadata) and a file's name: no term
        # (round 44: "nlp_figs", "02-math-figs", "_test", "11-rl_figs" over "## Q-Learning").
        # "LD_PRELOAD", "Kohya_ss" (round 28), "svm", "k-means-clustering" name things;
        # "dbscan" over "# Read data" is named by its file on purpose (round 29); a notebook of
        # code alone defines nothing (round 48, qa48b: a course's "sgd-animation",
        # "gd_fixed_and_backtracking" were concepts defined by their imports).
        notebook_meta["untitled"] = True  # `sections.not_a_page`
    return [
        dataclasses.replace(
            doc,
            format=name,
            title=title.strip() if isinstance(title, str) and title.strip() else doc.title,
            meta=notebook_meta,
            problems=(*doc.problems, *problems),
        )
    ]
