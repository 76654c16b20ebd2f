"""Round 39 (faces39): round 38's leftovers on the faces. The notes are our own words, on a real
store (SQLite, and PostgreSQL in the suite's PostgreSQL pass) through the real CLI, web app and
MCP client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from mcp import Client

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import build_server
from tests.readers._pdfgen import pdf_bytes
from tests.web.conftest import make_app

PAGES = [["Gradient clipping caps the norm of the gradient before the update.",
          "It keeps the first steps of training from blowing up."],
         None,  # a page holding only an image: no text
         ["Warmup raises the step size over the first few hundred updates."]]
NOTES = {
    "clipping.md": "# Gradient clipping\n\nGradient clipping rescales a gradient whose norm is "
                   "above a threshold.\n",
    "terms.md": "# Glossary\n\n## Warmup\n\nA schedule that grows the step size over the first "
                "updates of training.\n\n## Weight decay\n\nA penalty on large weights added "
                "to the loss.\n",
    "top-p.md": "# Top-P Sampling\n\nTop-p sampling draws the next token from the smallest set "
                "of tokens whose probabilities add up to p.\n",
    "decoding.md": "# Decoding\n\nGreedy decoding, [[Top-K Sampling]] and [[Top-P Sampling]] "
                   "each pick the next token.\n",
    "l1.md": "# L1 Regularization\n\nL1 regularization adds the absolute weights to the loss.\n",
    "l2.md": "# L2 Regularization\n\nL2 regularization adds the squared weights to the loss.\n",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("faces39")
    notes = folder / "notes"
    notes.mkdir()
    for name, text in NOTES.items():
        (notes / name).write_text(text, encoding="utf-8")
    (notes / "tricks.pdf").write_bytes(pdf_bytes(PAGES, title="Training tricks"))
    path = folder / "kb.db"
    done = CliRunner().invoke(main, ["--db", str(path), "ingest", "--no-embed", str(notes)])
    assert done.exit_code == 0, done.output
    yield path


def _pdf(db: Path) -> str:
    with grimoire.open(db, create=False) as kb:
        return next(r.path for r in kb.sources() if r.path.endswith("tricks.pdf"))


def _mcp(db: Path, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    kb = grimoire.open(db, create=False)
    replies: list[Any] = []

    async def session() -> None:
        async with Client(build_server(kb)) as client:
            for tool, args in calls:
                replies.append(await client.call_tool(tool, args))

    try:
        anyio.run(session)
    finally:
        kb.close()
    return replies


def test_a_pdf_source_is_its_text_by_page_on_every_face(db: Path) -> None:
    # Before: the web's source view and MCP's read_source returned the PDF's bytes (operators,
    # streams; 2.2 MB for a textbook), and `tricks.pdf:3` opened line 3 of them.
    pdf = _pdf(db)
    reply, = _mcp(db, [("read_source", {"path": pdf, "start_line": 3, "end_line": 3})])
    assert not reply.is_error, reply.content
    got = reply.structured_content
    assert got["unit"] == "page" and got["total_lines"] == 3
    assert got["start_line"] == got["end_line"] == 3
    assert got["text"] == "[p. 3]\n" + PAGES[2][0]
    whole, = _mcp(db, [("read_source", {"path": pdf})])
    text = whole.structured_content["text"]
    assert "%PDF" not in text and "endobj" not in text
    assert text.startswith("[p. 1]\nGradient clipping caps the norm")
    assert "\n\n[p. 2] (no text read from it)\n\n[p. 3]\n" in text  # an image only

    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        api = client.get("/api/source", params={"path": pdf}).json()
        page = client.get("/source", params={"path": pdf, "hl": "3-3"}).text
    kb.close()
    assert api["unit"] == "page"
    assert api["lines"] == [" ".join(PAGES[0]), "", PAGES[2][0]]
    assert "%PDF" not in page and "endobj" not in page
    assert '<div class="line hl" id="L3"><a class="ln" href="#L3" aria-label="page 3">p. 3</a>' \
        '<span class="text">Warmup raises the step size' in page


def test_an_argument_name_a_tool_does_not_take_is_refused_by_name(db: Path) -> None:
    # Before: the SDK dropped an argument it did not know: `querry` searched for nothing said,
    # `start` read lines 1-40, and the assistant took the defaults' result for its answer.
    pdf = _pdf(db)
    typo, start, fine = _mcp(db, [
        ("search", {"querry": "gradient clipping", "mode": "lexical"}),
        ("read_source", {"path": pdf, "start": 3}),
        ("search", {"query": "gradient clipping", "k": 2, "mode": "lexical"})])
    assert typo.is_error and start.is_error
    said = typo.content[0].text
    assert "search takes no argument 'querry'" in said, said
    assert "its arguments are query, k, mode" in said and "did you mean query?" in said
    said = start.content[0].text
    assert "read_source takes no argument 'start'" in said, said
    assert "path, start_line, end_line" in said and "did you mean start_line?" in said
    assert not fine.is_error and fine.structured_content["results"]


def test_every_title_a_search_result_gives_opens_with_show(db: Path) -> None:
    # Before: MCP's search gave a hit's document title ("Glossary", a page of entries) beside
    # its concept, and `show` of that title said "no concept named 'Glossary'".
    calls = [("search", {"query": q, "k": 10, "mode": "lexical"})
             for q in ("warmup step size", "penalty weights loss", "gradient clipping")]
    titles = sorted({r["title"] for reply in _mcp(db, calls)
                     for r in reply.structured_content["results"]})
    assert "Glossary" in titles, titles
    shown = _mcp(db, [("show", {"name": t}) for t in titles])
    for title, reply in zip(titles, shown, strict=True):
        assert not reply.is_error, (title, reply.content)
    glossary = shown[titles.index("Glossary")].structured_content
    assert glossary["documents"][0]["span"]["path"].endswith("terms.md")
    assert glossary["documents"][0]["concepts"] == ["Warmup", "Weight decay"]
    done = CliRunner().invoke(main, ["--db", str(db), "show", "Glossary", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["documents"][0]["concepts"] == ["Warmup", "Weight decay"]
    done = CliRunner().invoke(main, ["--db", str(db), "show", "Glossary"])
    assert done.exit_code == 0, done.output
    assert "'Glossary' is the title of a document" in done.output
    assert "its concepts: Warmup, Weight decay" in done.output
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/c/Glossary").text
    kb.close()
    assert "terms.md</a> is a note of that name; it defines " in page, page
    assert '>Warmup</a>, <a class="internal" href="/c/Weight%20decay">Weight decay</a>' in page


def test_a_suggestion_is_no_other_concept_that_only_shares_words(db: Path) -> None:
    # Before: "did you mean Top-P Sampling?" for the wanted "Top-K Sampling" (one letter apart,
    # so a "near spelling"), and "L1 Regularizaton" was offered L2 Regularization beside L1.
    def suggested(*name: str) -> list[str]:
        done = CliRunner().invoke(main, ["--db", str(db), "show", *name, "--json"])
        assert done.exit_code == 1, done.output
        return list(json.loads(done.output)["suggestions"])

    assert "Top-P Sampling" not in suggested("Top-K", "Sampling")
    assert suggested("L1", "Regularizaton") == ["L1 Regularization"]
    assert suggested("Top-P", "Samplin") == ["Top-P Sampling"]  # a typo is still one
    with grimoire.open(db, create=False) as kb:
        wanted = {w.name: w.suggestions for w in kb.wanted()}
    assert wanted["Top-K Sampling"] == ()
    reply, = _mcp(db, [("show", {"name": "Top-K Sampling"})])
    assert reply.is_error and "Top-P" not in reply.content[0].text, reply.content


def _names_after(tmp_path: Path, folders: list[Path]) -> tuple[str, set[tuple[str, str, str]]]:
    db = tmp_path / "kb.db"
    for folder in folders:  # one ingest each: the first folder's entries get the lower ids
        done = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(folder)])
        assert done.exit_code == 0, done.output
    with grimoire.open(db, create=False) as kb:
        concept = kb.concept("hinge loss")
        return concept.label, {(n.name, n.reason, Path(n.span.path).name if n.span else "")
                               for n in concept.names}


def test_a_name_keeps_one_spelling_whatever_order_the_files_were_read_in(tmp_path: Path) -> None:
    # Before: the combined store's "hinge loss" (a vault page named by its file) and "Hinge
    # loss" (a glossary's title) merged, and the name kept the spelling of whichever entry got
    # the lower id: the order the files were written in, which a parallel ingest varies.
    vault, terms = tmp_path / "vault", tmp_path / "terms"
    vault.mkdir()
    terms.mkdir()
    (vault / "hinge loss.md").write_text(
        "A loss for [[classification]] that grows linearly with how far a point is on the "
        "wrong side of the margin.\n", encoding="utf-8")
    (terms / "hinge-loss.md").write_text(
        "---\ntitle: Hinge loss\n---\n\nThe loss a support vector machine minimises: zero "
        "past the margin, linear inside it.\n", encoding="utf-8")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = _names_after(tmp_path / "one", [vault, terms])
    second = _names_after(tmp_path / "two", [terms, vault])
    assert first == second
    # The label's spelling (a capital on a tie, `merge._label`) is the name's, stated where
    # the label is written.
    assert first[0] == "Hinge loss"
    assert ("Hinge loss", "term", "hinge-loss.md") in first[1], first
