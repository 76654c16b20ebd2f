"""RELIABILITY cases 22-31 and 34 against the real app, over HTTP (the browser ones are in
test_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from grimoire.cli import main
from grimoire.web import is_loopback
from grimoire.web.render import Renderer, math_html, safe_url
from grimoire.web.security import CSP
from tests.conftest import ingested
from tests.web.conftest import make_app
from tests.web.hostile import MATH, PAYLOADS, URLS, live_markup

SCRIPTS = ("/static/app.js", "/static/vendor/cytoscape.min.js")


@pytest.mark.no_store
def test_case25_payloads_are_neutralised_by_the_renderer() -> None:
    r = Renderer()
    for payload in PAYLOADS:
        out = r.markdown(f"{payload}\n\n# {payload}\n\n[[{payload}]]\n")
        assert not live_markup(out), (payload, out)
    for url in URLS:
        out = r.markdown(f"[x]({url}) ![y]({url}) <{url}>")
        assert not live_markup(out), (url, out)


@pytest.mark.no_store
def test_urls_are_refused_after_normalisation() -> None:
    for bad in ("JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)", "java\tscript:alert(1)",
                " \x01javascript:alert(1)", "vbscript:x", "data:text/html,<script>",
                "&#x6A;avascript&colon;alert(1)", "java\nscript:alert(1)",
                "data:image/svg+xml;base64,PHN2Zz4="):
        assert safe_url(bad) is None, bad
        assert safe_url(bad, images=True) is None, bad
    assert safe_url("https://arxiv.org/abs/2106.09685") == "https://arxiv.org/abs/2106.09685"
    assert safe_url("notes/lora.md") == "notes/lora.md"
    assert safe_url("data:image/png;base64,iVBORw0KGgo=", images=True) is not None
    assert safe_url("data:image/png;base64,iVBORw0KGgo=") is None


@pytest.mark.no_store
def test_case29_math_output_is_filtered() -> None:
    for tex in MATH:
        out = str(math_html(tex))
        assert not live_markup(out), (tex[:40], out[:300])
        assert "href" not in out and "999em" not in out
    # latex2mathml itself turns \href into an href attribute: the filter is what stops it
    from latex2mathml.converter import convert

    assert "javascript:" in convert(r"\href{javascript:alert(1)}{x}")
    assert "<math" in str(math_html(r"\frac{\alpha}{r} B A"))
    broken = str(math_html(r"\frac{<b>"))
    assert "<b>" not in broken


@pytest.mark.no_store
def test_case28_fence_info_is_escaped() -> None:
    out = Renderer().markdown("```<style/onload=alert(1)>\n<b>x</b>\n```\n")
    assert "<style" not in out and "onload" not in out.split("<code")[1].split(">")[0]
    assert "&lt;b&gt;x&lt;/b&gt;" in out


def test_hostile_pages_carry_no_live_markup(hostile_client: TestClient) -> None:
    home = hostile_client.get("/")
    assert home.status_code == 200
    pages = sorted(set(re.findall(r'href="(/c/[^"]+)"', home.text)))
    assert len(pages) >= len(PAYLOADS)
    for url in [*pages, "/search?q=hostile", "/health", "/graph", "/api/home"]:
        r = hostile_client.get(url.replace("&amp;", "&"))
        assert r.status_code in (200, 300, 404), url
        # the page's own scripts aside, nothing a note wrote may open a tag or a handler
        if url.startswith("/api/"):
            assert r.headers["content-type"] == "application/json"
            continue
        main = r.text.split('<main id="main">', 1)[1]
        assert not live_markup(main, SCRIPTS), url
        head = r.text.split("<main", 1)[0]
        assert not live_markup(head.split("</head>", 1)[1], SCRIPTS), url


def test_hostile_typeahead_carries_no_live_markup(hostile_client: TestClient) -> None:
    # The type-ahead's lines are an HTML fragment the page inserts (they were built from JSON
    # with textContent): nothing a note wrote may open a tag or a handler in it either.
    for q in ("hostile", "script", "img", "javascript", "onerror", "svg", "math"):
        r = hostile_client.get("/typeahead", params={"q": q})
        assert r.status_code == 200, q
        assert not live_markup(r.text, SCRIPTS), q
    assert 'class="ta-item"' in hostile_client.get("/typeahead", params={"q": "hostile"}).text


def test_case27_titles_are_escaped(hostile_client: TestClient) -> None:
    home = hostile_client.get("/")
    url = next(u for u in re.findall(r'href="(/c/[^"]+)"', home.text) if "%3Cscript%3E" in u)
    page = hostile_client.get(url.replace("&amp;", "&")).text
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and "&lt;script&gt;" in title.group(1)


def test_csp_and_headers_on_every_response(client: TestClient) -> None:
    for url in ("/", "/c/LoRA", "/search?q=lora", "/api/home", "/static/app.js", "/nope"):
        r = client.get(url)
        assert r.headers["content-security-policy"] == CSP, url
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP.split("script-src")[1]


def test_case34_foreign_host_is_refused(client: TestClient) -> None:
    assert client.get("/", headers={"host": "evil.com"}).status_code == 403
    assert client.get("/api/home", headers={"host": "127.0.0.1.evil.com:8000"}).status_code == 403
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_case34_cross_site_posts_are_refused(client: TestClient) -> None:
    body = {"question": "what is perplexity?"}
    assert client.post("/api/ask", json=body,
                       headers={"origin": "http://evil.com"}).status_code == 403
    assert client.post("/api/ask", json=body,
                       headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert client.post("/api/ask", content='{"question": "x"}',
                       headers={"content-type": "text/plain"}).status_code == 403
    assert client.post("/api/ask", data={"question": "x"}).status_code == 403
    ok = client.post("/api/ask", json=body, headers={"origin": "http://127.0.0.1:8000"})
    assert ok.status_code == 200 and ok.json()["citations"]


def test_case34_non_loopback_needs_a_token(examples_db: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    app, kb = make_app(examples_db, 8000, token="s3cret", host="0.0.0.0")
    with TestClient(app, base_url="http://0.0.0.0:8000", follow_redirects=False) as c:
        assert c.get("/api/home").status_code == 401
        assert c.get("/api/home", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/home", headers={"authorization": "Bearer s3cret"}).status_code == 200
        r = c.get("/?token=s3cret")
        assert r.status_code == 303 and "HttpOnly" in r.headers["set-cookie"]
        assert r.headers["location"] == "/"
        assert c.get("/", headers={"cookie": "grimoire_token=s3cret"}).status_code == 200
        assert c.get("/", headers={"cookie": "grimoire_token=nope"}).status_code == 401
    kb.close()


@pytest.mark.no_store
def test_serve_refuses_to_run_open_off_loopback() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert "--token" in result.output and "127.0.0.1" in result.output


def test_case23_attachments_only_from_inside_roots(hostile_client: TestClient,
                                                    hostile_db: Path) -> None:
    vault = hostile_db.parent / "vault"
    for path in ("/etc/passwd", str(vault / ".." / ".." / "etc" / "passwd"),
                 str(vault) + "/%2e%2e/%2e%2e/etc/passwd", "C:\\Windows\\win.ini",
                 str(vault / "payload-00.md") + "\x00.png", str(hostile_db)):
        assert hostile_client.get("/file", params={"path": path}).status_code == 404, path
    page = hostile_client.get("/source", params={"path": str(vault / "urls-and-math.md")})
    assert page.status_code == 200
    assert "/etc/passwd" not in "".join(re.findall(r'src="([^"]*)"', page.text))
    outside = hostile_client.get("/source", params={"path": "/etc/passwd"})
    assert outside.status_code == 404


def test_case30_svg_is_sandboxed(hostile_client: TestClient, hostile_db: Path) -> None:
    svg = hostile_db.parent / "vault" / "evil.svg"
    r = hostile_client.get("/file", params={"path": str(svg)})
    assert r.status_code == 200
    assert "sandbox" in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_notes_own_image_is_served(client: TestClient) -> None:
    page = client.get("/c/Low-Rank Adaptation").text
    src = re.search(r'<img src="(/file\?path=[^"]+lora-diagram\.png)"', page)
    assert src is not None, "the vault's own image is shown"
    r = client.get(src.group(1).replace("&amp;", "&"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content[:4] == b"\x89PNG"


def test_quoted_paths_stay_inside(client: TestClient, examples_db: Path) -> None:
    root = examples_db.parent / "examples"
    sneaky = quote(str(root / "vault" / ".." / ".." / "examples.db"))
    assert client.get(f"/file?path={sneaky}").status_code == 404


def test_case23_a_note_replaced_by_a_link_out_of_its_folder_is_not_shown(
        tmp_path: Path) -> None:
    # A note the store read, replaced afterwards by a symlink to a file outside its folder
    # (~/.ssh/id_rsa), was served whole by /source, /api/source and MCP's read_source; one
    # replaced by a FIFO (or a link to /dev/zero) held a server thread reading forever.
    import os

    import anyio
    from mcp import Client

    import grimoire
    from grimoire.mcp_server import build_server

    notes, outside = tmp_path / "notes", tmp_path / "outside"
    notes.mkdir()
    outside.mkdir()
    for name in ("key.md", "fifo.md", "inner.md"):
        (notes / name).write_text(f"# {name}\n\nA note called {name}.\n")
    (outside / "id_rsa").write_text("PRIVATE-KEY-5521\n")
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    (notes / "key.md").unlink()
    (notes / "key.md").symlink_to(outside / "id_rsa")
    (notes / "fifo.md").unlink()
    os.mkfifo(notes / "fifo.md")
    (notes / "inner.md").rename(notes / "moved.md")
    (notes / "inner.md").symlink_to(notes / "moved.md")  # inside the folder: still shown
    app, kb = make_app(db)
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    for name, shown in (("key.md", False), ("fifo.md", False), ("inner.md", True)):
        path = str(notes / name)
        for url in ("/source", "/api/source"):
            response = client.get(url, params={"path": path})
            assert response.status_code == (200 if shown else 404), (url, name)
            assert "PRIVATE-KEY" not in response.text

    async def session() -> None:
        async with Client(build_server(kb)) as mcp:
            for name, shown in (("key.md", False), ("fifo.md", False), ("inner.md", True)):
                result = await mcp.call_tool("read_source", {"path": str(notes / name)})
                assert result.is_error is not shown, name
                assert "PRIVATE-KEY" not in str(result.content)

    anyio.run(session)
    kb.close()


def test_a_note_whose_name_is_not_utf8_is_shown(tmp_path: Path) -> None:
    # Stored as 'caf\xe9.md' (storable): the web UI and MCP opened that text as a path, and
    # the note's source was "no such note here".
    import os


    notes = tmp_path / "notes"
    notes.mkdir()
    name = os.fsdecode(b"caf\xe9.md")
    (notes / name).write_text("# Cafe\n\nCafe is a note named in Latin-1.\n")
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False) as kb:
        (stored,) = (r.path for r in kb.sources())
    assert stored.endswith("caf\\xe9.md")
    app, kb = make_app(db)
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    response = client.get("/api/source", params={"path": stored})
    assert response.status_code == 200 and "Cafe is a note" in response.text
    kb.close()
