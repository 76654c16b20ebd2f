"""The notebook reader on fixtures/notebook (written for these tests) and generated notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grimoire.errors import ReadError
from grimoire.model import Document, LinkKind
from grimoire.readers import detect, notebook, sniff_head

FIXTURES = Path(__file__).parent / "fixtures" / "notebook"


def read(name: str) -> tuple[Document, list[str]]:
    path = FIXTURES / name
    data = path.read_bytes()
    return notebook.read(data, str(path))[0], data.decode().split("\n")


def test_markdown_cells_are_passages_with_headings_math_and_links() -> None:
    doc, _ = read("attention.ipynb")
    assert doc.format == "notebook"
    assert doc.title == "Scaled Dot-Product Attention"
    text = [p for p in doc.passages if p.kind == "text"]
    assert [p.heading_path for p in text] == [
        ("Scaled Dot-Product Attention",),
        ("Scaled Dot-Product Attention", "Multi-head attention"),
    ]
    display = [m for p in text for m in p.math if m.display]
    assert len(display) == 1 and display[0].tex.startswith(r"\mathrm{Attention}(Q, K, V)")
    assert {m.tex for m in text[1].math} >= {"h", "W_i^Q, W_i^K, W_i^V"}
    (link,) = [x for x in doc.links if x.kind == LinkKind.MARKDOWN]
    assert link.target == "transformer.ipynb"


def test_code_cells_are_code_and_outputs_and_raw_cells_are_dropped() -> None:
    doc, _ = read("attention.ipynb")
    code = [p for p in doc.passages if p.kind == "code"]
    assert len(code) == 2
    assert code[0].text.startswith("import numpy as np\n\n\ndef attention(q, k, v):")
    everything = "\n".join(p.text for p in doc.passages)
    for absent in ("OUTPUT-TEXT-MUST-NOT-APPEAR", "RAW-CELL-MUST-NOT-APPEAR", "iVBOR", "0.67",
                   "```", "Figure size"):
        assert absent not in everything


def test_images_are_attachments_on_their_cell_not_text() -> None:
    doc, lines = read("attention.ipynb")
    images = {i.target: (p.kind, i.span.start_line) for p in doc.passages for i in p.images}
    assert set(images) == {"cell-2/output-1.png", "cell-3/heads.png"}
    kind, line = images["cell-2/output-1.png"]
    assert kind == "code"  # an output rides on the code that made it
    assert lines[line - 1].strip() == "{"  # the output object, in the JSON file
    assert '"output_type": "display_data"' in "\n".join(lines[line - 1 : line + 12])
    assert images["cell-3/heads.png"][0] == "text"


def test_spans_point_at_the_cells_lines_in_the_json_file() -> None:
    doc, lines = read("attention.ipynb")
    for passage in doc.passages:
        first = passage.text.split("\n")[0]
        source_line = lines[passage.span.start_line - 1].strip()
        # The JSON string on that line is the passage's first line (markup aside).
        assert json.loads(source_line.rstrip(","))[:12] in (first[:12], "#" * 2 + " " + first[:9])
        last = lines[passage.span.end_line - 1].strip()
        assert last.startswith('"')
    (entry,) = doc.entries
    assert entry.term == "Scaled Dot-Product Attention"
    assert json.loads(lines[entry.span.start_line - 1].rstrip(",")).startswith("# Scaled")
    assert "the core of the" in json.loads(lines[entry.span.end_line - 1].rstrip(","))


def test_a_source_kept_as_one_string_maps_to_its_line_and_metadata_title_wins() -> None:
    doc, lines = read("one-string-sources.ipynb")
    assert doc.title == "Dropout notes"
    (entry,) = doc.entries
    assert entry.term == "Dropout" and "$p$" in entry.definition
    (passage,) = doc.passages
    assert lines[passage.span.start_line - 1].strip().startswith('"source": "# Dropout')


def test_notebooks_are_detected_by_extension_and_content() -> None:
    data = (FIXTURES / "attention.ipynb").read_bytes()
    for path in ("a.ipynb", "a.txt"):
        reader = detect(path, sniff_head(data, path))
        assert reader is not None and reader.name == "notebook"


def test_nbformat_3_worksheets_and_heading_cells() -> None:
    nb = {
        "nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "old"},
        "worksheets": [{"cells": [
            {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Batch Norm"]},
            {"cell_type": "markdown", "metadata": {},
             "source": ["Batch norm rescales each feature by its batch statistics."]},
            {"cell_type": "code", "language": "python", "metadata": {}, "outputs": [],
             "input": ["x = (x - mu) / sigma"]},
        ]}],
    }
    doc = notebook.read(json.dumps(nb, indent=1).encode(), "old.ipynb")[0]
    assert doc.title == "Batch Norm"
    assert [p.kind for p in doc.passages] == ["text", "code"]
    assert doc.passages[1].text == "x = (x - mu) / sigma"
    assert [e.term for e in doc.entries] == ["Batch Norm"]


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b'{\n "cells": [\n  {"cell_type": "markdown",\n', "invalid JSON", 4),
        (b"[1, 2]", "not an object", 1),
        (b'{"nbformat": 9, "cells": []}', "unsupported notebook format 9", 1),
        (b'{"nbformat": 4, "cells": {}}', "no 'cells' list", 1),
    ],
)
def test_broken_notebooks_fail_naming_file_and_line(data: bytes, message: str, line: int) -> None:
    with pytest.raises(ReadError, match=message) as e:
        notebook.read(data, "broken.ipynb")
    assert (e.value.path, e.value.line) == ("broken.ipynb", line)


def test_odd_cells_are_problems_and_the_rest_is_read() -> None:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        "not a cell",
        {"cell_type": "widget", "metadata": {}, "source": ["?"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["Still read."]},
    ]}
    doc = notebook.read(json.dumps(nb, indent=1).encode(), "odd.ipynb")[0]
    assert [p.text for p in doc.passages] == ["Still read."]
    assert [p.message for p in doc.problems] == [
        "cell 1 is not an object", "cell 2: unknown cell type 'widget', skipped",
    ]
