"""TBX-Basic: the file parsed back (defusedxml, as the readers parse XML), entries checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest

from grimoire.export import tbx
from grimoire.model import ConceptId, Entry, Span
from grimoire.resolve.types import Concept, ConceptName
from grimoire.store import StoredEntry
from tests.export.conftest import as_exported

LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _entries(path: Path) -> dict[str, Element]:
    root = SafeET.parse(path).getroot()
    assert root.tag == "martif" and root.get("type") == "TBX-Basic" and root.get(LANG) == "en"
    return {e.get("id"): e for e in root.iter("termEntry")}


def _terms(entry: Element) -> list[str]:
    return [t.text or "" for t in entry.iter("term")]


def test_a_term_entry_per_concept(notes_kb: Any, tmp_path: Path) -> None:
    report = notes_kb.export("tbx", tmp_path / "notes.tbx")
    entries = _entries(tmp_path / "notes.tbx")
    assert report.concepts == len(entries) == len(notes_kb.concepts()) > 100
    concept = notes_kb.concept("KL")  # "Kullback-Leibler (KL)" in the examples
    entry = entries[tbx.entry_id(concept.key)]
    terms = _terms(entry)
    assert terms[0] == concept.label and "KL" in terms
    preferred = [t.text for t in entry.iter("termNote") if t.text == "preferredTerm-admn-sts"]
    assert len(preferred) == 1
    groups = [(g.findtext("descrip"), g.findtext("admin")) for g in entry.iter("descripGrp")]
    assert groups == [(e.entry.definition, str(as_exported(notes_kb, e.entry.span)))
                      for e in concept.entries
                      if e.entry.definition.strip()]
    assert groups


def test_links_are_cross_references_to_entries_in_the_file(notes_kb: Any,
                                                           tmp_path: Path) -> None:
    notes_kb.export("tbx", tmp_path / "notes.tbx")
    entries = _entries(tmp_path / "notes.tbx")
    concept = notes_kb.concept("Attention Mechanism")
    refs = list(entries[tbx.entry_id(concept.key)].iter("ref"))
    assert {r.text for r in refs} == {m.concept for m in concept.links
                                      if m.status == "resolved"} - {concept.label}
    all_refs = [r for e in entries.values() for r in e.iter("ref")]
    assert len(all_refs) > 50
    assert all(r.get("target") in entries for r in all_refs)
    assert all(len({r.get("target") for r in e.iter("ref")}) == len(list(e.iter("ref")))
               for e in entries.values())  # one cross-reference per linked concept


def test_hostile_text_stays_well_formed(hostile_kb: Any, tmp_path: Path) -> None:
    from tests.export.conftest import CONTROL_TERM
    from tests.web.hostile import PAYLOADS

    hostile_kb.export("tbx", tmp_path / "hostile.tbx")
    entries = _entries(tmp_path / "hostile.tbx")  # parses: nothing broke the markup
    terms = {t for e in entries.values() for t in _terms(e)}
    assert set(PAYLOADS) <= terms
    bell = CONTROL_TERM.split(" <")[0].replace("\x07", "\ufffd")
    assert bell in terms
    definitions = [d.text or "" for e in entries.values() for d in e.iter("descrip")]
    assert any("\ufffd[31m" in d and "a < b && c > d" in d for d in definitions)


@pytest.mark.no_store
def test_a_lone_surrogate_and_controls_become_replacement_characters(tmp_path: Path) -> None:
    entry = Entry("Broken", "half a pair \udc80, a NUL\x00 and a tab\t", Span("n.md", 3, 4))
    concept = Concept(id=ConceptId("1"), key="broken \udc80", label="Broken \udc80",
                      kind=None, names=(ConceptName("Broken", "term", 3, entry.span),),
                      entries=(StoredEntry(1, entry, "markdown", "n"),))
    assert tbx.write([concept], tmp_path / "s.tbx") == 1
    (parsed,) = _entries(tmp_path / "s.tbx").values()
    assert _terms(parsed) == ["Broken \ufffd", "Broken"]
    assert parsed.findtext(".//descrip") == "half a pair \ufffd, a NUL\ufffd and a tab\t"


def test_page_sections_are_definitions_too(cheatsheet_kb: Any, tmp_path: Path) -> None:
    concept = cheatsheet_kb.concept("Calculus")  # a section of math_notation.rst
    cheatsheet_kb.export("tbx", tmp_path / "notes.tbx")
    entry = _entries(tmp_path / "notes.tbx")[tbx.entry_id(concept.key)]
    groups = [(g.findtext("descrip"), g.findtext("admin")) for g in entry.iter("descripGrp")]
    assert groups == [(s.text, str(as_exported(cheatsheet_kb, s.span))) for s in concept.sections]
    assert "math_notation.rst:41-" in groups[0][1]
