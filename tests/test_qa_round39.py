"""Round 39 (qa39): what a new user met on a public repository of a course's lecture notes
(Markdown with MathJax, a few notebooks and PDFs, a Jekyll site's layouts beside them), rebuilt
in our own words on a real store, through the real faces."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from grimoire.cli import main
from grimoire.lint.arithmetic import wrong_claims
from grimoire.mcp_server import Tools
from grimoire.web.render import Renderer, math_html, math_text
from tests.conftest import write_notes
from tests.readers._pdfgen import pdf_bytes
from tests.web.conftest import make_app


@pytest.mark.no_store
def test_a_round_count_before_a_magnitude_suffix_is_rounded_not_wrong() -> None:
    """A lecture's memory table writes 112*112*32 (401,408) as "400K": the zeros before the
    suffix are the rounding. lint flagged every such row ("= 400K, but it computes to 401408")
    while it let "3.2M" for 3,211,264 pass."""
    table = ("POOL: memory: 112*112*32=400K\n"
             "CONV: memory: 14*14*512=100K\n"
             "FC: memory: 56*56*64=200K\n")
    assert wrong_claims(table) == []
    # Half a unit of the last digit that is not zero, no more: these are still wrong.
    assert len(wrong_claims("memory: 112*112*32=300K")) == 1
    assert len(wrong_claims("2*2 = 10K")) == 1
    assert len(wrong_claims("3 * 7 = 20")) == 1


@pytest.mark.no_store
def test_double_dollar_math_inside_a_sentence_is_inline() -> None:
    """kramdown (Jekyll's Markdown, which many course sites use) reads `$$x$$` inside a
    sentence as inline math. The web drew each one as a centred block, so a sentence naming
    five symbols was cut into eleven lines, on the concept page and in the source view."""
    note = ("At time $$k$$, the memory $$m_k$$ and the output\n$$y_k$$ are vectors of size "
            "$$n$$.\n\n"
            "The update has the form:\n\n$$m_k = f(m_{k-1}, x_k)$$\n\n"
            "It is written as $$m_k = f(m_{k-1}, x_k)$$\n")
    for html in (str(Renderer().markdown(note)), str(math_text(note))):
        first = html.split("The update")[0]
        assert first.count("<math") == 4 and "math-block" not in first, html
        # A formula alone on its line, or closing its line, is still display math.
        assert html.count("math-block") == 2, html


@pytest.mark.no_store
def test_an_aligned_derivation_renders_as_math() -> None:
    """`\\begin{aligned}` is how MathJax notes write a derivation of several rows; latex2mathml
    gave it a bare `&`, so the formula fell back to its source in a grey box."""
    tex = ("\\begin{aligned}\nz_t &= \\sigma(A h_{t-1} + B x_t) \\\\\n"
           "h_t &= z_t \\odot \\text{tanh}(x_t)\n\\end{aligned}")
    html = str(math_html(tex, True))
    assert html.startswith("<math") and html.count("<mtr>") == 2, html
    assert "tex" not in html.split(">")[0]


def test_a_pdf_source_shows_its_pages_text_not_its_bytes(tmp_path: Path) -> None:
    """A search hit on a lecture's PDF write-up (`notes.pdf:2`, page 2) opened a source view of
    the PDF's own bytes (`%PDF-1.5`, `endobj`, streams), and MCP's `read_source` handed the same
    bytes to an assistant. Line N of a PDF is page N's text, as its spans count."""
    notes = tmp_path / "course"
    notes.mkdir()
    (notes / "notes.pdf").write_bytes(pdf_bytes(
        [["Radiance fields map a point and a direction to a colour and a density."],
         ["Volume rendering sums the colours along each ray, weighted by transmittance."]],
        title="Course notes"))
    db = tmp_path / "c.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(notes)])
    assert result.exit_code == 0, result.output
    pdf = str(notes / "notes.pdf")
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/source", params={"path": pdf, "hl": "2"})
        source = client.get("/api/source", params={"path": pdf})
    tools = Tools(kb, threading.Lock())
    read = tools.read_source(pdf, 2, 2)
    kb.close()
    assert page.status_code == 200 and "%PDF" not in page.text and "endobj" not in page.text
    assert "transmittance" in page.text
    assert "%PDF" not in json.dumps(source.json())
    assert "Volume rendering sums the colours" in read["text"] and "%PDF" not in read["text"]
    assert read["total_lines"] == 2


def test_a_markdown_source_view_renders_escaped_mathjax_delimiters(tmp_path: Path) -> None:
    """kramdown notes write MathJax's `\\(x\\)` with doubled backslashes. The concept page drew
    them (the reader reads them as math) but the source view showed `\\\\(p\\\\)` as written."""
    notes = write_notes(tmp_path / "course", {
        "reg.md":
            "# Weight decay\n\nWeight decay adds \\\\( \\lambda \\|w\\|^2 \\\\) to the loss, where "
            "\\\\(\\lambda\\\\) sets its strength.\n",
    })
    db = tmp_path / "c.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(notes)])
    assert result.exit_code == 0, result.output
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/source", params={"path": str(notes / "reg.md"), "hl": "3"})
    kb.close()
    assert page.status_code == 200
    assert "\\\\(" not in page.text and page.text.count("<math") == 2, page.text
