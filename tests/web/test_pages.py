"""Pages and their JSON twins: one serialization shared with the CLI's --json."""

from __future__ import annotations

import json
import re
import shutil
from html import escape as html_escape
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from grimoire.web.app import snippet_html
from tests.conftest import write_notes
from tests.web.conftest import make_app


def _walk(value: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(value, dict):
        found.append(value)
        for v in value.values():
            found += _walk(v)
    elif isinstance(value, list):
        for v in value:
            found += _walk(v)
    return found


def _cli(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--db", str(db), *args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_every_json_output_nests_the_span(examples_db: Path, client: TestClient) -> None:
    outputs = {
        "list": _cli(examples_db, "list"),
        "lint": _cli(examples_db, "lint"),
        "search": _cli(examples_db, "search", "kl", "divergence"),
        "ask": _cli(examples_db, "ask", "what", "is", "perplexity?"),
        "show": _cli(examples_db, "show", "LoRA"),
        "sources": _cli(examples_db, "sources"),
        "/api/c": client.get("/api/c/LoRA").json(),
        "/api/search": client.get("/api/search", params={"q": "kl divergence"}).json(),
        "/api/ask": client.get("/api/ask", params={"q": "what is perplexity?"}).json(),
        "/api/health": client.get("/api/health").json(),
        "/api/home": client.get("/api/home").json(),
    }
    for name, data in outputs.items():
        records = _walk(data)
        assert records, name
        assert not [r for r in records if {"line_start", "line_end"} & set(r)], name
        spans = [r["span"] for r in records if "span" in r and r["span"] is not None]
        if name not in ("sources", "/api/home"):
            assert spans, name
        for span in spans:
            assert set(span) == {"path", "start_line", "end_line"}, name
    assert outputs["list"][0]["entry"]["span"]["path"]
    assert outputs["lint"]["wanted"][0]["span"]["start_line"] >= 1


def test_json_twin_is_the_cli_record(examples_db: Path, client: TestClient) -> None:
    assert client.get("/api/c/LoRA").json() == _cli(examples_db, "show", "LoRA")
    api = client.get("/api/search", params={"q": "kl divergence", "k": 10}).json()
    cli = _cli(examples_db, "search", "kl", "divergence")
    assert [h["span"] for h in api] == [h["span"] for h in cli]
    assert client.get("/api/health").json() == _cli(examples_db, "lint")
    graph = client.get("/api/graph", params={"c": "LoRA", "depth": 2}).json()
    cli_graph = _cli(examples_db, "graph", "LoRA", "--depth", "2")
    assert graph["nodes"] == cli_graph["nodes"] and graph["edges"] == cli_graph["edges"]
    assert set(graph["positions"]) == {n["id"] for n in graph["nodes"]}


def test_openapi_documents_every_twin(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for twin in ("/api/home", "/api/c/{name}", "/api/search", "/api/ask", "/api/ask/stream",
                 "/api/graph", "/api/health", "/api/source"):
        assert twin in paths, twin


def test_pages_have_titles_and_links_to_their_lines(client: TestClient,
                                                    examples_db: Path) -> None:
    titles = {
        "/": "Home · Grimoire",
        "/c/kl-divergence": "KL divergence · Grimoire",
        "/search?q=perplexity": "Search: perplexity · Grimoire",
        "/ask?q=what+is+perplexity%3F": "Ask: what is perplexity? · Grimoire",
        "/graph?c=LoRA": "Graph: Low-Rank Adaptation (LoRA) · Grimoire",
        "/health": "Health · Grimoire",
    }
    for url, title in titles.items():
        page = client.get(url)
        assert page.status_code == 200, url
        assert re.search(r"<title>(.*?)</title>", page.text).group(1) == title  # type: ignore[union-attr]
    health = client.get("/health").text
    link = re.search(r'href="(/source\?path=[^"#]+&amp;hl=(\d+)[^"]*#L(\d+))"', health)
    assert link is not None and link.group(2) == link.group(3)
    source = client.get(link.group(1).replace("&amp;", "&")).text
    assert f'id="L{link.group(3)}"' in source
    assert re.search(rf'class="line hl" id="L{link.group(3)}"', source)


def test_concept_page_shows_what_each_source_says(client: TestClient) -> None:
    page = client.get("/c/LoRA").text
    cards = page.count('<section class="card">')
    assert cards >= 2  # the vault note and the glossary entry, side by side
    assert "<math" in page and "mfrac" in page  # the display formula, as MathML
    assert 'class="red"' in page  # a wanted link (QLoRA, PEFT) drawn red
    assert "Mentioned in" in page and "<blockquote>" in page  # backlinks with their line
    assert "Why these were merged" in page
    missing = client.get("/c/QLoRA")
    assert missing.status_code == 404 and "No note defines this yet" in missing.text


def test_graph_works_without_javascript(client: TestClient) -> None:
    page = client.get("/graph", params={"c": "LoRA", "depth": 2}).text
    svg = page.split('<svg class="graph-svg"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<circle") >= 5 and 'href="/c/' in svg
    whole = client.get("/api/graph").json()
    assert whole["whole"] and len(whole["nodes"]) == len(client.get("/api/home").json()
                                                         ["concepts"])


def test_search_filters_and_modes(client: TestClient) -> None:
    lexical = client.get("/api/search", params={"q": "perplexity", "mode": "lexical"}).json()
    assert any("«perplexity»" in h["snippet"].lower() for h in lexical)
    only_rst = client.get("/api/search", params={"q": "reward", "format": "rst"}).json()
    assert only_rst and all(h["format"] == "rst" for h in only_rst)
    assert client.get("/api/search", params={"q": "x", "mode": "bogus"}).status_code == 422
    page = client.get("/search", params={"q": "perplexity"}).text
    assert "<mark>" in page
    for hostile in ('"', "AND", "NEAR(", "'; DROP TABLE", "C++", "title:x"):
        assert client.get("/api/search", params={"q": hostile}).status_code == 200, hostile


def test_search_snippets_render_their_formulas(client: TestClient) -> None:
    page = client.get("/search", params={"q": "weight decay", "mode": "lexical"}).text
    hits = page.split('<ol class="hits">', 1)[1].split("</ol>", 1)[0]
    assert "<math" in hits and "<mark>" in hits
    assert "\\lambda" not in hits and "$" not in hits  # no TeX source left in the text
    # A matched word inside a formula leaves the formula whole; the text around is escaped.
    html = str(snippet_html("the $\\text{«softmax»}(z)$ of «softmax» <b>x</b>"))
    assert html.count("<mark>") == 1 and "<mtext>softmax</mtext>" in html
    assert "&lt;b&gt;" in html
    # A formula the snippet's window cut in two is left out, at either end; a price is not.
    cut = str(snippet_html("… a «matrix»: $$W' = W + \\Delta W = …"))
    assert cut == "… a <mark>matrix</mark>: …"
    opened = str(snippet_html("…\\frac{a}{b}$ and then $x^2$ is fine"))
    assert opened.startswith("… and then <math") and "frac" not in opened
    assert "$5 and more" in str(snippet_html("… costs $5 and more …"))


def test_vendored_assets_are_pinned_and_licensed(client: TestClient) -> None:
    import hashlib

    vendor = Path(__file__).resolve().parents[2] / "src/grimoire/web/static/vendor"
    versions = (vendor / "VERSIONS.txt").read_text()
    for name, digest in re.findall(r"^sha256 ([0-9a-f]{64}) (\S+)$", versions, re.M):
        data = (vendor / digest).read_bytes()
        assert hashlib.sha256(data).hexdigest() == name, digest
        served = client.get(f"/static/vendor/{digest}")
        assert served.status_code == 200 and served.content == data
    assert (vendor / "cytoscape.LICENSE").read_text().startswith("Copyright")
    assert re.search(r"^cytoscape \d+\.\d+\.\d+ MIT", versions, re.M)


def test_a_long_mention_is_cut_between_words_and_outside_formulas(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "vault", {
        "Alpha.md": "# Alpha\n\nAlpha is a made-up quantity.\n",
    })
    # One long line: a link, filler words, then a formula across the 400th character.
    filler = " ".join(f"word{i}" for i in range(50))
    formula = "$a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 = b$"
    line = f"See [[Alpha]] here: {filler} and then {formula} ends it."
    assert line.index("$") < 400 < line.rindex("$")
    (notes / "Beta.md").write_text(f"# Beta\n\n{line}\n", encoding="utf-8")
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/c/Alpha").text
    kb.close()
    quote = page.split('<ul class="mentions">', 1)[1].split("<blockquote>", 1)[1]
    quote = quote.split("</blockquote>", 1)[0]
    assert quote.endswith("and then …"), quote[-80:]  # not inside the formula, nor a word
    assert "$" not in quote and "word49" in quote


def test_a_wanted_page_says_who_wants_it(client: TestClient) -> None:
    # A red link (or the home page's "Most wanted") opened a dead end: "no concept named
    # 'QLoRA'" and nothing to click; a missing file's page said "No note defines this yet".
    page = client.get("/c/QLoRA")
    assert page.status_code == 404
    assert "No note defines this yet; 2 links want it:" in page.text
    wanting = re.findall(r'<a class="where" href="(/source\?path=[^"]+)">([^<]+)</a>', page.text)
    assert sorted(label.split(":")[0] for _, label in wanting) == [
        "Low-Rank Adaptation.md", "glossary-hash.txt"]
    for href, label in wanting:
        line = label.split(":")[1]
        assert f'class="line hl" id="L{line}"' in client.get(href.replace("&amp;", "&")).text
    assert 'href="/search?q=QLoRA"' in page.text
    unknown = client.get("/c/Nonexistent thing").text
    assert "links want" not in unknown and 'href="/search?q=Nonexistent%20thing"' in unknown
    no_file = client.get("/source", params={"path": "/etc/passwd"}).text
    assert "no such note here" in no_file and "No note defines" not in no_file


def test_an_abstention_names_the_nearest_concepts_once(client: TestClient) -> None:
    # The answer's text ends "Nearest in your notes: A, B." and the page listed them again
    # below it as links: each name twice. The page says them once, as links.
    api = client.get("/api/ask", params={"q": "what is the capital of Australia?"}).json()
    assert api["abstained"] and api["nearest"]
    assert "Nearest in your notes:" in api["answer"]  # the text for a terminal or a script
    page = client.get("/ask", params={"q": "what is the capital of Australia?"}).text
    answer = page.split('<section class="answer', 1)[1].split("</section>", 1)[0]
    assert answer.count("Nearest in your notes:") == 1
    for name in api["nearest"]:
        shown = re.sub(r"<[^>]+>", "", answer)
        assert shown.count(name) == 1, name
        assert re.search(rf'<a class="internal" href="[^"]+">{re.escape(name)}</a>', answer)


def test_a_list_in_a_sphinx_page_is_a_list(tmp_path: Path, corpora: Path) -> None:
    # Text that is not Markdown (rst, a glossary, a wiki) was paragraphs and line breaks
    # only: a Sphinx page's bullet list showed its "- " markers as text, one line each.
    page = corpora / "ml-cheatsheet-rst" / "optimizers.rst"
    shutil.copy(page, tmp_path)
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([tmp_path / page.name], embed=False)
    lines = page.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line == "Adam")
    steps = []  # the section's first list, its items without the marker, read from the page
    for line in lines[start:]:
        if line.startswith("- "):
            steps.append(line[2:])
        elif steps:
            break
    assert len(steps) >= 3
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        html = client.get("/c/Adam").text
    kb.close()
    first = re.escape(html_escape(steps[0].split(" (")[0]))
    lists = re.findall(r"<ul>(.*?)</ul>", html, re.S)
    found = [x for x in lists if re.search(rf"<li>{first}", x)]
    assert found, html
    assert found[0].count("<li>") == len(steps)
    assert f"- {html_escape(steps[1][:30])}" not in html  # no marker left as text


def test_a_wrong_address_in_the_browser_gets_a_page(client: TestClient) -> None:
    # A mistyped address or an out-of-range parameter showed FastAPI's bare JSON
    # (`{"detail":"Not Found"}`) in the browser. A page path answers with a page that has the
    # search box and says what was wrong; /api/ and /static/ keep their JSON for scripts.
    page = client.get("/lint")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no page at /lint." in page.text and 'name="q"' in page.text
    bad = client.get("/graph", params={"depth": "9"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert "depth: Input should be less than or equal to 2" in bad.text
    assert "path: Field required" in client.get("/source").text
    # round 50: with "error" in words, as every other API error and each --json error
    assert client.get("/api/nope").json() == {"error": "There is no page at /api/nope.",
                                              "detail": "Not Found"}
    api = client.get("/api/graph", params={"depth": "9"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["query", "depth"]
    assert api.json()["error"] == "depth: Input should be less than or equal to 2"
    assert client.get("/api/search", params={"q": "x", "k": "0"}).json()["error"] == \
        "k: Input should be greater than or equal to 1"
    assert client.get("/static/nope.js").status_code == 404


def test_a_missing_name_is_the_same_json_on_the_cli_and_the_api(client: TestClient,
                                                                 examples_db: Path) -> None:
    # `grimoire show NAME --json` printed {"error", "suggestions", "choices", "name"},
    # /api/c/NAME the same without "name"; `grimoire graph NAME --json` printed no JSON at all
    # (an error line on stderr), /api/graph did.
    name = "Low-Rank Adaptaton"
    for args, url in ((["show", name], f"/api/c/{name}"),
                      (["graph", name], f"/api/graph?c={name}")):
        result = CliRunner().invoke(main, ["--db", str(examples_db), *args, "--json"])
        api = client.get(url)
        assert result.exit_code == 1 and api.status_code == 404
        assert json.loads(result.stdout) == api.json(), (args, result.output)
        assert api.json()["name"] == name and api.json()["suggestions"]


def test_a_task_list_shows_boxes_not_brackets(tmp_path: Path) -> None:
    # An Obsidian index of planned notes ("- [x] LoRA", "- [ ] Token Optimization") was a
    # column of "[x]" and "[ ]" on its concept page.
    notes = write_notes(tmp_path / "vault", {
        "Study Plan.md":
                "# Study Plan\n\nThe study plan lists what to read next about [[Adapters]].\n\n"
                "- [x] Low-rank adapters\n- [ ] Prefix tuning\n- [X] Prompt tuning\n\n"
                "Brackets elsewhere stay: [x] marks the spot.\n",
    })
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/c/Study Plan").text
    kb.close()
    items = re.findall(r"<li>(.*?)</li>", page.split('<div class="prose">', 1)[1], re.S)
    assert [re.sub(r"<[^>]+>", "", i).strip() for i in items[:3]] == [
        "☑ Low-rank adapters", "☐ Prefix tuning", "☑ Prompt tuning"], items
    assert "Brackets elsewhere stay: [x] marks the spot." in page


def test_a_chapter_whose_body_opens_with_a_section_previews_its_first_words(
        tmp_path: Path) -> None:
    # Round 34 (yshavit/llm-notes, our own words here): a book chapter titled in its front
    # matter, whose body opens with a `##` section, is an entry spanning line 1 with no
    # definition; hovering a link to it showed "---", the front matter's fence. Its first
    # words show now; a saved web page's raw lines (tags) are never a preview.
    notes = write_notes(tmp_path / "book", {
        "chapter.md":
            "---\ntitle: Layer normalization\n---\n\n## What and why?\n\nEach token's vector is "
            "shifted and scaled to mean zero and unit variance.\n\n## Where it sits\n\nBefore "
            "attention.\n",
        "index.md": "# Reading list\n\nStart with [[Layer normalization]].\n",
    })
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        data = client.get("/api/c/Layer normalization", params={"preview": "true"}).json()
    kb.close()
    # (whether the reader makes the first section the page's definition or not)
    assert data["text"].startswith("Each token's vector is shifted and scaled"), data


def test_a_page_without_a_definition_previews_its_opening_words(client: TestClient) -> None:
    # Since a page's opening links count (round 27), "LoRA in practice" is the first note
    # "mentioned in" on the LoRA page; hovering it showed its name alone: a page named by its
    # title has no definition. Its opening lines show now, as words (no link syntax).
    data = client.get("/api/c/LoRA in practice", params={"preview": "true"}).json()
    assert data["label"] == "LoRA in practice"
    assert data["text"].startswith("I fine-tuned a 7B model"), data
    assert "Low-Rank Adaptation note;" in data["text"]
    assert "](" not in data["text"] and "%20" not in data["text"]


def test_a_note_deleted_since_its_ingest_says_so_on_its_source_page(tmp_path: Path) -> None:
    # Round 34 (qa34): a concept page's `file:line` to a note renamed since the ingest led to
    # "no such note here", as for a path that was never a note; MCP's read_source said why.
    notes = tmp_path / "vault"
    notes.mkdir()
    for name in ("Dropout", "Momentum"):
        (notes / f"{name}.md").write_text(f"# {name}\n\n{name} is a training trick.\n",
                                          encoding="utf-8")
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    (notes / "Dropout.md").rename(notes / "Dropout (regularization).md")
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        gone = client.get("/source", params={"path": str(notes / "Dropout.md")})
        api = client.get("/api/source", params={"path": str(notes / "Dropout.md")})
        never = client.get("/source", params={"path": str(tmp_path / "elsewhere.md")})
        there = client.get("/source", params={"path": str(notes / "Momentum.md")})
    kb.close()
    said = ("this note cannot be read now: deleted, moved or renamed since it was ingested "
            "(`grimoire ingest` its folder again)")
    assert gone.status_code == 404 and html_escape(said, quote=False) in gone.text
    assert api.status_code == 404 and api.json() == {"error": said}
    assert never.status_code == 404 and "no such note here" in never.text
    assert "(`grimoire sources` lists them)" in never.text  # what to do (round 50)
    assert there.status_code == 200 and "Momentum is a training trick." in there.text
