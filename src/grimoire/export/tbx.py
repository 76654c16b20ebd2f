"""TBX-Basic (ISO 30042:2008, the `martif` document): a `termEntry` per concept, its names as
terms, what each source says (entries and page sections) as a definition with the file and
lines as its source, links as cross-references.

The notes' language is not recorded, so every `langSet` says English (`en`), the language
Grimoire's readers and name rules are written for. Text XML cannot hold (most C0 controls,
lone surrogates) becomes U+FFFD; ElementTree escapes the rest.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from grimoire.export._text import xml_text
from grimoire.export.base import Exporter, definitions
from grimoire.resolve.types import Concept

LANG = "en"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# A name resolve derived itself (a link's label) is not a term a source uses for the concept.
STATED = 2


def entry_id(key: str) -> str:
    """The termEntry's id: an XML name made from the concept's key, the same in every export."""
    return "c-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def write(concepts: Iterable[Concept], path: Path) -> int:
    """The concepts as one TBX-Basic file."""
    root = ET.Element("martif", {"type": "TBX-Basic", _XML_LANG: LANG})
    header = ET.SubElement(root, "martifHeader")
    source = ET.SubElement(ET.SubElement(header, "fileDesc"), "sourceDesc")
    ET.SubElement(source, "p").text = "Concepts exported by Grimoire from a knowledge base"
    encoding = ET.SubElement(header, "encodingDesc")
    ET.SubElement(encoding, "p", {"type": "XCSURI"}).text = "TBXBasicXCSV02.xcs"
    body = ET.SubElement(ET.SubElement(root, "text"), "body")
    ids: dict[str, str] = {}  # concept id -> termEntry id, for links to entries written later
    refs: list[tuple[ET.Element, dict[str, str]]] = []  # (termEntry, {concept id: label})
    for concept in concepts:
        ids[concept.id] = entry_id(concept.key)
        term_entry = _term_entry(concept, ids[concept.id])
        body.append(term_entry)
        linked: dict[str, str] = {}
        for m in concept.links:
            if m.status == "resolved" and m.concept_id and m.concept_id != concept.id:
                linked.setdefault(m.concept_id, m.concept or m.target)
        refs.append((term_entry, linked))
    for term_entry, linked in refs:
        for target, label in linked.items():
            if target in ids:
                ref = ET.Element("ref", {"type": "crossReference", "target": ids[target]})
                ref.text = xml_text(label)
                # Before the langSet: the DTD puts a termEntry's refs ahead of its langSets.
                term_entry.insert(len(term_entry) - 1, ref)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    return len(ids)


def _term_entry(concept: Concept, xml_id: str) -> ET.Element:
    term_entry = ET.Element("termEntry", {"id": xml_id})
    lang_set = ET.SubElement(term_entry, "langSet", {_XML_LANG: LANG})
    for text, span in definitions(concept):
        group = ET.SubElement(lang_set, "descripGrp")
        ET.SubElement(group, "descrip", {"type": "definition"}).text = xml_text(text)
        ET.SubElement(group, "admin", {"type": "source"}).text = xml_text(str(span))
    label = xml_text(concept.label)
    # Not a spelling resolve made only to match ("Selfattention" for "Self-attention"): TBX has
    # no term a termbase keeps hidden, and an admitted (or a deprecated) term says that
    # writers use it. It is left out; SKOS keeps it as a hidden label.
    names = dict.fromkeys([label] + [xml_text(n.name) for n in concept.shown_names
                                     if n.strength >= STATED])
    for name in names:
        tig = ET.SubElement(lang_set, "tig")
        ET.SubElement(tig, "term").text = name
        status = "preferredTerm-admn-sts" if name == label else "admittedTerm-admn-sts"
        ET.SubElement(tig, "termNote", {"type": "administrativeStatus"}).text = status
    return term_entry


EXPORTER = Exporter("tbx", ".tbx", write)
