"""The codec's JSON of records, on the bundled examples and the corpora."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grimoire import readers
from grimoire.codec import dumps_records, to_data
from grimoire.ingest import ATTACHMENT_EXTENSIONS

from .conftest import EXAMPLES


def _documents(folder: Path) -> list[readers.Document]:
    docs = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix.lower() in ATTACHMENT_EXTENSIONS:
            continue
        data = path.read_bytes()
        reader = readers.detect(str(path), readers.sniff_head(data, str(path)))
        if reader is not None:
            docs.extend(readers.read_file(reader.name, data, str(path)))
    return docs


@pytest.mark.parametrize("which", ["examples", "corpora"])
def test_dumps_records_is_json_of_to_data(which: str, request: pytest.FixtureRequest) -> None:
    """What ingest stores for entries and marks (`dumps_records`) is exactly the JSON of
    `to_data`, for every entry, link, formula, image and reference read from real notes."""
    folder = EXAMPLES if which == "examples" else request.getfixturevalue("corpora")
    docs = _documents(folder)
    records = [e for d in docs for e in d.entries]
    records += [m for d in docs for p in d.passages
                for m in (p.links, p.math, p.images, p.references) if m]
    assert len(records) > 50
    assert sum(1 for r in records if isinstance(r, tuple)) > 10  # marks are among them
    for record in records:
        assert dumps_records(record) == json.dumps(to_data(record))
