"""Round 35 (faces35): what a concept says, and the names it is shown by, the same on every face.

A page named by its title (`Dropout.md`, one sentence) has no definition of its own: its text
stays in its passages. The web page showed its opening words; `grimoire show` said "(no
definition)" and MCP's `show` gave an empty preview. `Grimoire.said` is the one call all faces
use now. A spelling resolve makes only to match ("Selfattention" for "Self-attention") is found
by it, never shown or exported as a name someone wrote. The notes are our own words.

Real SQLite stores, the real CLI (its click command), a real MCP client, exports parsed by
rdflib, defusedxml and selectolax (lxml is not installed here).
"""

from __future__ import annotations

import ast
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import build_server
from tests.conftest import write_notes

SRC = Path(__file__).resolve().parents[1] / "src" / "grimoire"
DROPOUT = ("Dropout is a way to regularize a network: each unit is switched off at random "
           "while it trains.")
# The glossary's "term#" lines (the reader of examples/glossary-hash.txt): a hyphenated term.
TERMS = ("S#\nSelf-attention#\nEvery token of a sequence weighs every other token of it to "
         "build its output.\nT#\nTransformer#\nA network of stacked blocks built on "
         "[Self-attention], trained with [Dropout].\n")


def ingested(root: Path) -> Path:
    """A store of a page named by its title (Dropout.md) and a glossary of hyphenated terms."""
    notes = write_notes(root / "notes", {
        "Dropout.md": DROPOUT + "\n",
        "terms.txt": TERMS,
    })
    path = root / "kb.db"
    with grimoire.open(path) as kb:
        report = kb.ingest([notes], embed=False)
        assert not report.failed
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested(tmp_path_factory.mktemp("faces35"))


def cli(db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


# -- what a concept says ------------------------------------------------------------------------


def test_the_api_gives_a_page_without_a_definition_its_opening_words(db: Path) -> None:
    with grimoire.open(db, create=False) as kb:
        dropout = kb.concept("Dropout")
        assert [e.entry.definition for e in dropout.entries] == [""]  # by design
        said = kb.said(dropout)
        preview = kb.preview(dropout)
        defined = kb.preview(kb.concept("Self-attention"))
    assert [(s.kind, s.text, s.span.start_line, s.span.end_line) for s in said] == \
        [("opening", DROPOUT, 1, 1)]
    assert said[0].span.path.endswith("Dropout.md") and said[0].entry_id == dropout.entries[0].id
    assert preview == said[0]
    assert defined is not None and defined.kind == "definition"
    assert defined.text.startswith("Every token of a sequence weighs")


def test_show_prints_the_opening_words_where_it_said_no_definition(db: Path) -> None:
    shown = cli(db, "show", "Dropout")
    assert DROPOUT in shown, shown
    assert "(no definition)" not in shown
    assert "Dropout.md:1" in shown  # where the words are


def test_show_json_gives_what_it_says_with_file_and_line(db: Path) -> None:
    data = json.loads(cli(db, "show", "Dropout", "--json"))
    assert data["preview"]["text"] == DROPOUT and data["preview"]["kind"] == "opening"
    assert data["preview"]["span"]["start_line"] == 1
    assert data["preview"]["span"]["path"].endswith("Dropout.md")
    assert data["entries"][0]["opening"] == {k: data["preview"][k] for k in ("text", "span")}
    assert data["entries"][0]["entry"]["definition"] == ""
    defined = json.loads(cli(db, "show", "Self-attention", "--json"))
    assert defined["preview"]["kind"] == "definition"
    assert defined["preview"]["text"] == defined["entries"][0]["entry"]["definition"]
    assert "opening" not in defined["entries"][0]


def run(coro: Any) -> Any:
    return anyio.run(coro)


def test_mcp_show_previews_the_opening_words(db: Path) -> None:
    kb = grimoire.open(db, create=False)

    async def session() -> tuple[dict[str, Any], dict[str, Any], str]:
        async with Client(build_server(kb)) as client:
            dropout = await client.call_tool("show", {"name": "Dropout"})
            attention = await client.call_tool("show", {"name": "selfattention"})
            resource = await client.read_resource("grimoire://concept/Self-attention")
            assert not dropout.is_error and not attention.is_error
            text = resource.contents[0].text  # type: ignore[union-attr]
            return dropout.structured_content, attention.structured_content, text

    dropout, attention, resource = run(session)
    kb.close()
    assert dropout["sources"][0]["preview"] == DROPOUT
    assert dropout["sources"][0]["opening"]["start_line"] == 1
    # found by the spelling, but it is not given as one of its names
    assert attention["concept"] == "Self-attention"
    assert "Selfattention" not in attention["names"] and "Self-attention" in attention["names"]
    assert "Selfattention" not in resource


# -- names nobody wrote -------------------------------------------------------------------------


def test_a_spelling_made_to_match_finds_the_concept_and_is_never_shown(db: Path) -> None:
    with grimoire.open(db, create=False) as kb:
        concept = kb.concept("Selfattention")  # resolve and search still match it
        hits = kb.search("selfattention", mode="lexical", k=3)
        assert concept.label == "Self-attention"
        assert "Selfattention" in [n.name for n in concept.names]  # as stored, for matching
        assert [n.name for n in concept.shown_names] == ["Self-attention"]
        assert [n.name for n in concept.matched_names] == ["Selfattention"]
    assert hits and hits[0].concept == "Self-attention"
    shown = cli(db, "show", "Self-attention")
    assert "Selfattention" not in shown, shown
    data = json.loads(cli(db, "show", "selfattention", "--json"))
    assert [n["name"] for n in data["names"]] == ["Self-attention"]
    assert data["matched_names"] == ["Selfattention"]
    assert "Selfattention" not in cli(db, "list")


def test_did_you_mean_offers_the_name_written_not_the_spelling(db: Path) -> None:
    # A typo nearest the spelling resolve made ("selfattenton") was answered "did you mean:
    # Selfattention", a name nobody wrote: it is matched, and its concept's label offered.
    result = CliRunner().invoke(main, ["--db", str(db), "show", "selfattenton"])
    assert result.exit_code == 1
    assert "did you mean: Self-attention" in result.output, result.output
    assert "Selfattention" not in result.output
    with grimoire.open(db, create=False) as kb:
        assert kb.suggest_concepts("selfattentio") == ("Self-attention",)


def test_skos_gives_the_spelling_as_a_hidden_label_only(db: Path, tmp_path: Path) -> None:
    from rdflib import SKOS, Graph, Literal

    cli(db, "export", "skos", str(tmp_path / "kb.ttl"))
    graph = Graph().parse(tmp_path / "kb.ttl", format="turtle")
    iri = next(graph.subjects(SKOS.prefLabel, Literal("Self-attention")))
    assert set(graph.objects(iri, SKOS.hiddenLabel)) == {Literal("Selfattention")}
    assert Literal("Selfattention") not in set(graph.objects(iri, SKOS.altLabel))


def test_tbx_gives_no_term_nobody_wrote(db: Path, tmp_path: Path) -> None:
    import defusedxml.ElementTree as SafeET

    cli(db, "export", "tbx", str(tmp_path / "kb.tbx"))
    tree = SafeET.parse(tmp_path / "kb.tbx")
    terms = [t.text for t in tree.iter("term")]
    assert "Self-attention" in terms and "Selfattention" not in terms


def test_jsonl_site_and_anki_exports_show_no_spelling_and_the_opening(db: Path,
                                                                     tmp_path: Path) -> None:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    cli(db, "export", "jsonl", str(tmp_path / "kb.jsonl"))
    records = {r["label"]: r for r in map(json.loads,
                                          (tmp_path / "kb.jsonl").read_text().splitlines())}
    assert [n["name"] for n in records["Self-attention"]["names"]] == ["Self-attention"]
    assert records["Dropout"]["preview"]["text"] == DROPOUT

    cli(db, "export", "site", str(tmp_path / "site"))
    parsed = [HTMLParser(p.read_text(encoding="utf-8"))
              for p in (tmp_path / "site" / "c").glob("*.html")]
    pages = {tree.css_first("h1").text(strip=True): tree for tree in parsed}
    assert "Selfattention" not in pages["Self-attention"].body.text()
    opening = pages["Dropout"].css_first("blockquote.opening")  # "(no definition)" offline
    assert opening is not None and DROPOUT in opening.text(separator=" "), \
        pages["Dropout"].body.text()

    cli(db, "export", "anki", str(tmp_path / "kb.apkg"))
    with zipfile.ZipFile(tmp_path / "kb.apkg") as apkg:
        apkg.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    fields = " ".join(row[0] for row in conn.execute("SELECT flds FROM notes"))
    conn.close()
    assert "Self-attention" in fields and "Selfattention" not in fields
    assert DROPOUT in fields  # a page with no definition had no card at all


# -- layering -----------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.no_store
def test_the_api_the_cli_and_mcp_import_no_web_module() -> None:
    # `Grimoire.export` imported web.sources and `grimoire show` web.render: a face talks to
    # the Python API only, and the API is below every face. `grimoire serve` (the command that
    # starts the web UI) and the site export (the web UI's own pages, as files) are the two
    # modules outside web/ that import it.
    allowed = {SRC / "_cli_web.py", SRC / "export" / "site.py"}
    modules = [p for p in SRC.rglob("*.py") if (SRC / "web") not in p.parents
               and p not in allowed]
    importers = {str(p.relative_to(SRC)): sorted(m for m in _imports(p)
                                                 if m.startswith("grimoire.web"))
                 for p in modules}
    assert len(modules) > 50 and "knowledge.py" in importers and "_cli_concepts.py" in importers
    assert {name: found for name, found in importers.items() if found} == {}
    # and MCP, a face, imports neither the CLI
    assert not [m for m in _imports(SRC / "mcp_server.py") if m.startswith("grimoire.cli")]


@pytest.mark.no_store
def test_opening_words_are_words_not_link_or_image_syntax() -> None:
    # A reStructuredText note of the cheat sheet corpus holds Markdown as text: its opening
    # quoted "[Cheatsheet PDF](http://...) ![First Page](http://...)". Code is no opening.
    from grimoire.model import Span
    from grimoire.showing import opening

    said = opening([(Span("p.rst", 9, 9), "print(1)", "code"),
                    (Span("p.rst", 12, 14), "A reference. - [Sheet PDF](http://example.org/a) "
                     "![First Page](http://example.org/b.png) ends [[Bayes rule|Bayes]].", "text")],
                   "Probability")
    assert said is not None and said.kind == "opening"
    assert said.text == "A reference. - Sheet PDF ends Bayes."
    assert (said.span.start_line, said.span.end_line) == (12, 14)
    assert opening([(Span("p.md", 1, 1), "Probability", "text")], "Probability") is None
