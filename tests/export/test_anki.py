"""Anki: the .apkg opened as what it is (a zip holding an SQLite collection), notes checked."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from grimoire.export import anki
from grimoire.model import ConceptId, Entry, Span
from grimoire.resolve.types import Concept, ConceptName
from grimoire.store import StoredEntry
from tests.export.conftest import as_exported


def _notes(apkg: Path, folder: Path) -> dict[str, list[str]]:
    """guid -> the note's fields, from the deck's collection."""
    with zipfile.ZipFile(apkg) as z:
        assert sorted(z.namelist()) == ["collection.anki2", "media"]
        z.extract("collection.anki2", folder)
    conn = sqlite3.connect(folder / "collection.anki2")
    try:
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        assert list(models) == [str(anki.MODEL_ID)]
        assert {d for (d,) in conn.execute("SELECT did FROM cards")} == {anki.DECK_ID}
        return {g: f.split("\x1f") for g, f in conn.execute("SELECT guid, flds FROM notes")}
    finally:
        conn.close()


def _records(kb: Any, folder: Path) -> list[dict[str, Any]]:
    kb.export("jsonl", folder / "all.jsonl", force=True)
    lines = (folder / "all.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_card_per_defined_concept(notes_kb: Any, tmp_path: Path) -> None:
    report = notes_kb.export("anki", tmp_path / "notes.apkg")
    notes = _notes(tmp_path / "notes.apkg", tmp_path)
    # every concept that says something (round 35: a page with no definition by its opening
    # words, `Grimoire.said`, which the JSON Lines export carries too)
    defined = [r for r in _records(notes_kb, tmp_path) if r["preview"]]
    assert len(defined) > len([r for r in defined if any(
        e["entry"]["definition"].strip() for e in r["entries"])])
    assert report.concepts == len(notes) == len(defined) > 100
    assert {anki.guid(r["key"]) for r in defined} == set(notes)
    concept = notes_kb.concept("Attention Mechanism")
    name, definition, source = notes[anki.guid(concept.key)]
    (entry,) = [e.entry for e in concept.entries]
    assert html.unescape(name) == concept.label
    assert html.unescape(definition) == entry.definition
    assert source == str(as_exported(notes_kb, entry.span))


def test_a_new_export_updates_the_same_notes(notes_kb: Any, other_order_kb: Any,
                                             tmp_path: Path) -> None:
    notes_kb.export("anki", tmp_path / "a.apkg")
    other_order_kb.export("anki", tmp_path / "b.apkg")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert set(_notes(tmp_path / "a.apkg", tmp_path / "a")) == set(
        _notes(tmp_path / "b.apkg", tmp_path / "b"))


def test_hostile_text_is_escaped(hostile_kb: Any, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.export.conftest import CONTROL_TERM
    from tests.web.hostile import PAYLOADS

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    hostile_kb.export("anki", tmp_path / "hostile.apkg")
    assert list(scratch.iterdir()) == []  # no copy of the collection left behind
    notes = _notes(tmp_path / "hostile.apkg", tmp_path)
    assert all(len(fields) == 3 for fields in notes.values())
    assert not any("<" in f.replace("<br>", "") for fields in notes.values() for f in fields)
    names = {html.unescape(fields[0]) for fields in notes.values()}
    assert CONTROL_TERM.split(" <")[0] in names
    assert set(PAYLOADS) & names  # the payloads some note defines


@pytest.mark.no_store
def test_a_field_separator_or_a_lone_surrogate_stays_inside_its_field(tmp_path: Path) -> None:
    entry = Entry("Broken", "half a pair \udc80 and a unit\x1fseparator", Span("n.md", 3, 4))
    concept = Concept(id=ConceptId("1"), key="broken", label="Broken", kind=None,
                      names=(ConceptName("Broken", "term", 3, entry.span),),
                      entries=(StoredEntry(1, entry, "markdown", "n"),))
    assert anki.write([concept], tmp_path / "s.apkg") == 1
    assert list(_notes(tmp_path / "s.apkg", tmp_path).values()) == [
        ["Broken", "half a pair \ufffd and a unit separator", "n.md:3-4"]]


def test_a_concept_only_a_page_section_describes_gets_a_card(cheatsheet_kb: Any,
                                                            tmp_path: Path) -> None:
    concept = cheatsheet_kb.concept("Calculus")  # a section of math_notation.rst
    assert not any(e.entry.definition.strip() for e in concept.entries)
    cheatsheet_kb.export("anki", tmp_path / "notes.apkg")
    _, back, source = _notes(tmp_path / "notes.apkg", tmp_path)[anki.guid(concept.key)]
    said = cheatsheet_kb.said(concept)  # its entry's opening words (round 35), its sections
    assert [s.kind for s in said] == ["opening"] + ["section"] * len(concept.sections)
    # its formulas in Anki's MathJax delimiters (round 36)
    from grimoire.showing import FORMULA

    def anki_math(text: str) -> str:
        parts = FORMULA.split(text)  # prose, display, inline, prose, ...
        return "".join(re.sub(r"\n\s*\n", "<br><br>", p) if i % 3 == 0
                       else "" if p is None else f"\\[{p.strip()}\\]" if i % 3 == 1
                       else f"\\({p}\\)" for i, p in enumerate(parts))

    assert html.unescape(back) == "<br><br>".join(anki_math(s.text) for s in said)
    assert any("$" in s.text for s in said) and "\\(" in back
    assert source == "<br>".join(str(as_exported(cheatsheet_kb, s.span)) for s in said)


def test_a_deck_not_named_apkg_is_written_with_a_note_that_anki_will_not_open_it(
        notes_kb: Any, tmp_path: Path) -> None:
    # Round 34 (qa34): `grimoire export anki deck.anki` wrote a deck Anki's File > Import
    # does not offer (it picks an importer by the name's ending), and said nothing.
    odd = notes_kb.export("anki", tmp_path / "deck.anki")
    assert (tmp_path / "deck.anki").is_file() and odd.concepts > 0  # written as asked
    assert odd.notices == ("Anki opens only files named *.apkg: rename deck.anki to "
                           "deck.apkg to import it",)
    for name in ("deck.apkg", "DECK.APKG"):
        assert notes_kb.export("anki", tmp_path / name, force=True).notices == ()
    # the other formats are opened by what they hold, whatever their name
    assert notes_kb.export("tbx", tmp_path / "terms.xml").notices == ()
