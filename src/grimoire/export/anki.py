"""An Anki deck (.apkg) with genanki: a card per concept, its name on the front, what each
source says on the back with the file and lines it says it in.

Re-exporting updates the cards already imported rather than adding copies: the note type and
the deck keep fixed ids, and each note's guid comes from the concept's key, not from its text
(genanki's default guid hashes every field, so an edited definition would be a new card).
"""

from __future__ import annotations

import errno
import html
import itertools
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from grimoire._api_args import scalars
from grimoire.export.base import Exporter, NamedLine, definitions
from grimoire.model import Span
from grimoire.resolve.types import Concept
from grimoire.showing import FORMULA, NoteFiles, Said, as_written, dollars, unprinted

# Chosen once at random in genanki's range (its README: generate once, then hard-code); Anki
# knows the note type and the deck by these ids across imports.
MODEL_ID = 1_782_204_153
DECK_ID = 1_407_339_912
DECK_NAME = "Grimoire"
FIELDS = ("Name", "Definition", "Source")
_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; }\n" \
       ".source { font-size: 12px; color: #666; }\n"


def guid(key: str) -> str:
    """The note's guid: the same concept gives the same note in every export."""
    import genanki  # type: ignore[import-untyped]

    return str(genanki.guid_for("grimoire", scalars(key)))


def _field(text: str) -> str:
    """A field's HTML: Anki shows fields as HTML (genanki's FAQ: escape them), and joins a
    note's fields with U+001F in one column, so that character must not occur inside one."""
    return html.escape(scalars(text).replace("\x1f", " "))


_ITEM_LINE = re.compile(r"\n(?=(?:[-*+•]|\d{1,3}[.)])\s)")  # a line break before a list item


def _math_field(text: str, code: frozenset[str] = frozenset()) -> str:
    """`_field` with each `$…$` and `$$…$$` formula put in the delimiters Anki's MathJax reads,
    `\\(…\\)` and `\\[…\\]`: a card showed `$\\odot$` as typed (round 36, a glossary with
    math), without what prints nothing (`unprinted`: MathJax drew `\\pause` in red). The
    formulas are found as the web page finds them; a blank line between paragraphs
    is a break (the card ran them together), and so is a line that opens a list item (a
    note's opening words keep them one a line, `showing.opening`). A `$…$` of `code` (its
    note writes it in a code span, `showing.as_written`) is code, as on every other face, and
    a `\\$` a dollar sign unless `code` keeps it (`showing.dollars`)."""
    def prose(part: str) -> str:  # its paragraphs kept: Anki shows a field as HTML
        return _ITEM_LINE.sub("<br>", re.sub(r"\n\s*\n", "<br><br>", _field(dollars(part, code))))

    pieces: list[str] = []
    last = 0
    for m in FORMULA.finditer(text):
        pieces.append(prose(text[last:m.start()]))
        if m.group(0) in code:
            pieces.append(f"<code>{_field(m.group(0))}</code>")
            last = m.end()
            continue
        display, inline = m.group(1), m.group(2)
        tex = unprinted(display.strip() if display is not None else inline)
        if tex.strip():  # `$\pause$` alone is nothing to draw
            pieces.append(f"\\[{_field(tex)}\\]" if display is not None
                          else f"\\({_field(tex)}\\)")
        last = m.end()
    pieces.append(prose(text[last:]))
    return "".join(pieces)


def _note_fields(concept: Concept, shown: Sequence[Said] | None = None,
                 files: Callable[[str, Span], frozenset[str]] | None = None
                 ) -> tuple[str, str, str] | None:
    """Name, definitions, sources; None when no source says anything (a card without a
    back). With `shown` (`Grimoire.said`), a page with no definition says its opening words:
    a vault of notes that open without a `# Title` heading gave no card at all."""
    said = definitions(concept) if shown is None else [(s.text, s.span) for s in shown]
    if not said:
        return None
    texts = "<br><br>".join(_math_field(text, files(text, span) if files else frozenset())
                            for text, span in said)
    sources = "<br>".join(_field(str(span)) for _, span in said)
    return _field(concept.label), texts, sources


def _as_written(line: object) -> Callable[[str, Span], frozenset[str]] | None:
    """`showing.as_written` over the notes `line` reads (`NoteFiles.line`, as `Grimoire.export`
    gives it, each note asked by its name inside its folder: `NamedLine`), or None."""
    path = line.path if isinstance(line, NamedLine) else None
    files = getattr(line.read if isinstance(line, NamedLine) else line, "__self__", None)
    if not isinstance(files, NoteFiles):
        return None
    notes = files

    def written(text: str, span: Span) -> frozenset[str]:
        return as_written(notes, [replace(span, path=path(span.path)) if path else span], text)
    return written


def write(concepts: Iterable[Concept], path: Path, *, line: object = None,
          said: Callable[[Concept], Sequence[Said]] | None = None) -> int:
    """The concepts that some source defines, one card each, in the deck "Grimoire"; with
    `said` (`Grimoire.said`) a page's opening words stand for the definition it lacks."""
    import genanki

    model = genanki.Model(
        MODEL_ID, "Grimoire concept", fields=[{"name": f} for f in FIELDS],
        templates=[{"name": "Definition", "qfmt": "{{Name}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Definition}}'
                            '<div class="source">{{Source}}</div>'}],
        css=_CSS)
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    written = _as_written(line)
    for concept in concepts:
        fields = _note_fields(concept, said(concept) if said is not None else None, written)
        if fields is not None:
            deck.add_note(genanki.Note(model=model, fields=list(fields), guid=guid(concept.key)))
    _write_package(genanki.Package(deck), path)
    return len(deck.notes)


def _write_package(package: Any, path: Path) -> None:
    """`Package.write_to_file`, with its collection in a folder that is removed afterwards:
    genanki's own makes it with `mkstemp` and never deletes it, leaving a copy of every deck in
    /tmp (genanki issues 102/103, PR 104 not merged)."""
    with tempfile.TemporaryDirectory(prefix="grimoire-anki-") as scratch:
        collection = Path(scratch) / "collection.anki2"
        conn = sqlite3.connect(collection)
        try:
            now = time.time()
            package.write_to_db(conn.cursor(), now, itertools.count(int(now * 1000)))
            conn.commit()
        except sqlite3.Error as e:  # a full disk, a file-size limit: a message, no traceback
            raise OSError(errno.EIO, f"the deck's collection could not be written in "
                                     f"{scratch} ({e})") from e
        finally:
            conn.close()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as apkg:
            apkg.write(collection, "collection.anki2")
            apkg.writestr("media", "{}")  # no media files: the cards are text


EXPORTER = Exporter("anki", ".apkg", write, quotes_notes=True, opened_by="Anki")
