"""Golden reader cases: an input note beside the entries, links and passages read from it.

Each file in `inputs/` is one case; `expected/<name>.yaml` is what the readers give for it,
as YAML that reads well in a diff. The format is detected as ingest detects it (extension
and content), so a case also pins detection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from grimoire import readers
from grimoire.model import Document, Entry, Link, Passage

HERE = Path(__file__).parent
INPUTS = HERE / "inputs"
EXPECTED = HERE / "expected"
CASES = sorted(p for p in INPUTS.rglob("*") if p.is_file())


def expected_path(case: Path) -> Path:
    return EXPECTED / (case.relative_to(INPUTS).as_posix().replace("/", "__") + ".yaml")


def read_case(case: Path) -> list[Document]:
    data = case.read_bytes()
    path = case.relative_to(HERE).as_posix()
    reader = readers.detect(path, readers.sniff_head(data, path))
    assert reader is not None, f"{case} is not detected as a note"
    return reader.read(data, path)


def _lines(span: Any) -> str:
    return f"{span.start_line}-{span.end_line}" if span.start_line != span.end_line else \
        str(span.start_line)


def _link(link: Link) -> str:
    text = f"{link.kind.value} {link.target!r}"
    if link.label is not None and link.label != link.target:
        text += f" label={link.label!r}"
    if link.fragment:
        text += f" #{link.fragment}"
    return f"{text} @{_lines(link.span)}"


def _entry(e: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"term": e.term, "lines": _lines(e.span)}
    if e.aliases:
        out["aliases"] = list(e.aliases)
    if e.redirect:
        out["redirect"] = e.redirect
    if e.reason:
        out["reason"] = e.reason
    if e.see_also:
        out["see_also"] = [_link(x) for x in e.see_also]
    out["definition"] = e.definition[:160]
    return out


def _passage(p: Passage) -> dict[str, Any]:
    out: dict[str, Any] = {"lines": _lines(p.span), "kind": p.kind}
    if p.heading_path:
        out["path"] = " > ".join(p.heading_path)
    out["text"] = p.text[:240]
    if p.math:
        out["math"] = [m.tex for m in p.math]
    return out


def _document(doc: Document) -> dict[str, Any]:
    out: dict[str, Any] = {"format": doc.format, "title": doc.title}
    if doc.tags:
        out["tags"] = list(doc.tags)
    out["entries"] = [_entry(e) for e in doc.entries]
    out["links"] = [_link(x) for x in doc.links]
    out["passages"] = [_passage(p) for p in doc.passages]
    if doc.problems:
        out["problems"] = [f"{_lines(p.span)}: {p.message}" for p in doc.problems]
    return out


def render(case: Path) -> str:
    """The golden text of one case."""
    docs = [_document(d) for d in read_case(case)]
    return yaml.safe_dump(docs, sort_keys=False, allow_unicode=True, width=100)
