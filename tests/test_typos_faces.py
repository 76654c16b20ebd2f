"""Every face says what a misspelt query was searched as (round 41): "showing results for
gaussian splatting" on the CLI's stderr (and as JSON with --json), in the notice the web page,
`/api/search` and the MCP result all take from `Grimoire.search_notice`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import grimoire
from grimoire.cli import main


def _notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "splatting.md").write_text(
        "# Scene rendering\n\nGaussian splatting draws a scene as many small Gaussian blobs"
        " splatted onto the image plane.\n", encoding="utf-8")
    (folder / "marching.md").write_text(
        "# Surfaces\n\nMarching cubes extracts a mesh from a voxel grid.\n", encoding="utf-8")
    return folder


def test_the_notice_names_the_words_searched(tmp_path: Path) -> None:
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([_notes(tmp_path)], embed=False)
        for mode in ("lexical", "hybrid"):
            hits = kb.search("gausian splating", mode=mode)
            assert hits and hits[0].span.path.endswith("splatting.md")
            assert kb.search_notice("gausian splating", hits, mode) == {
                "searched_for": "gaussian splatting",
                "notice": "showing results for gaussian splatting"}
        assert kb.search_notice("gaussian splatting", kb.search("gaussian splatting")) is None


def test_the_cli_says_it_plain_and_as_json(tmp_path: Path) -> None:
    db = str(tmp_path / "kb.db")
    assert CliRunner().invoke(main, ["--db", db, "ingest", "--no-embed",
                                     str(_notes(tmp_path))]).exit_code == 0
    plain = CliRunner().invoke(main, ["--db", db, "search", "gausian splating",
                                      "--mode", "lexical"])
    assert plain.exit_code == 0
    assert "showing results for gaussian splatting" in plain.stderr
    assert "splatting.md" in plain.stdout
    as_json = CliRunner().invoke(main, ["--db", db, "search", "gausian splating",
                                        "--mode", "lexical", "--json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.stderr.strip().splitlines()[-1])["searched_for"] == \
        "gaussian splatting"


def test_the_web_page_the_api_and_mcp_say_it(tmp_path: Path) -> None:
    import threading

    from fastapi.testclient import TestClient

    from grimoire.mcp_server import Tools
    from tests.web.conftest import make_app

    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([_notes(tmp_path)], embed=False)
    app, kb = make_app(db)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            page = client.get("/search", params={"q": "gausian splating", "mode": "lexical"})
            assert "showing results for gaussian splatting" in page.text
            api = client.get("/api/search", params={"q": "gausian splating"})
            assert json.loads(api.headers["grimoire-notice"])["searched_for"] == \
                "gaussian splatting"
        told = Tools(kb, threading.Lock()).search("gausian splating", mode="lexical")
        assert told["searched_for"] == "gaussian splatting"
        assert told["results"][0]["span"]["path"].endswith("splatting.md")
    finally:
        kb.close()


def test_the_notice_keeps_the_query_as_typed_but_the_words_changed(tmp_path: Path) -> None:
    """Only the corrected words change in the notice: "pre-trained gausian" was shown as
    "pre trained gaussian", a hyphen the search never dropped (review41c)."""
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([_notes(tmp_path)], embed=False)
        query = 'pre-trained "gausian splating"'
        notice = kb.search_notice(query, kb.search(query, mode="lexical"), "lexical")
        assert notice is not None
        assert notice["searched_for"] == 'pre-trained "gaussian splatting"'
