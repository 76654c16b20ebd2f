"""The search box's type-ahead and the concept page's "Mentioned in", on real notes: an
Obsidian vault of the Google glossary (wiki-links with labels, display math), a Distill
article (a page that is a concept and whose sections are passages) and seed 003 (two entries
of one file under one name)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Route

import grimoire
from grimoire.web.render import concept_href
from tests.conftest import homonyms, write_notes
from tests.web.conftest import Running, make_app, run_server
from tests.web.test_browser import browser, open_context, watched_page

__all__ = ["browser"]  # module-scoped fixtures, used here under their names

ANGLE = "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"  # between a name and its section
VAULT_NOTES = ("softmax.md", "candidate sampling.md", "full softmax.md", "logits.md",
               "temperature.md", "perplexity.md", "sigmoid function.md", "linear.md")


@pytest.fixture(scope="module")
def notes_db(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> Path:
    root = tmp_path_factory.mktemp("suggest")
    db = root / "kb.db"
    vault = corpora / "google-ml-glossary-vault"
    with grimoire.open(db) as kb:
        kb.ingest([*(vault / n for n in VAULT_NOTES),
                   corpora / "distill-articles" / "momentum.html",
                   homonyms(root / "seeds")],  # seeds 000 and 003, "Lasso Regression" split
                  embed=False)
    return db


@pytest.fixture(scope="module")
def notes_client(notes_db: Path) -> Iterator[TestClient]:
    app, kb = make_app(notes_db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c
    kb.close()


@pytest.fixture(scope="module")
def notes_server(notes_db: Path) -> Iterator[Running]:
    yield from run_server(notes_db)


def _lines(fragment: str) -> list[str]:
    """The visible words of each suggestion (its snippet left out)."""
    items = re.findall(r'<a class="ta-item"[^>]*>(.*?)<small>', fragment, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", i).split()) for i in items]


def test_typeahead_shows_each_destination_once(notes_client: TestClient) -> None:
    # A page that is a concept ("Why Momentum Really Works") and its own passages were two
    # lines of one name; two concepts of one label (seed 003) two lines to one page.
    for q in ("momentum", "lstm", "softmax"):
        fragment = notes_client.get("/typeahead", params={"q": q}).text
        lines = _lines(fragment)
        assert lines, q
        assert len(lines) == len({x.casefold() for x in lines}), (q, lines)
        hrefs = re.findall(r'<a class="ta-item" role="option" href="([^"]+)"', fragment)
        assert len(hrefs) == len(set(hrefs)), (q, hrefs)
    momentum = _lines(notes_client.get("/typeahead", params={"q": "momentum"}).text)
    # a passage of the page says which section it is in
    section = f"Why Momentum Really Works {ANGLE}"
    assert any(x.startswith(section) for x in momentum), momentum


def test_a_hit_opens_its_own_concept_when_two_share_a_name(notes_client: TestClient) -> None:
    # Seed 003's "Linear Activation Function" is also named `Linear` (without its kind word),
    # the vault's note is `linear`: the search hits of both led to the page the name finds, one
    # concept's. (Until round 18 both were labelled `Linear`; a label now keeps its kind word
    # when another concept shows the same label.)
    hits = notes_client.get("/api/search", params={"q": "linear", "mode": "lexical",
                                                   "k": 20}).json()
    wanted = {"linear", "linear activation function"}
    linear = {h["concept_id"]: h for h in hits if (h["concept"] or "").casefold() in wanted}
    assert len(linear) == 2, hits
    assert {h["concept"] for h in linear.values()} == {"linear", "Linear Activation Function"}
    page = notes_client.get("/search", params={"q": "linear", "mode": "lexical"}).text
    for cid, hit in linear.items():
        href = concept_href(hit["concept"], cid)
        assert f'href="{href}"' in page
        opened = notes_client.get(href).text
        # the page of the concept the hit belongs to: the hit's own file is its source
        assert f"{Path(hit['span']['path']).name}:" in opened, cid
        others = [Path(h["span"]["path"]).name for c, h in linear.items() if c != cid]
        assert not [o for o in others if f"{o}:" in opened], cid
        preview = notes_client.get(f"/api/c/{hit['concept']}",
                                   params={"preview": "true", "id": cid})
        assert preview.json()["href"] == href
    # the type-ahead keeps both, each under its own label
    lines = [x.casefold() for x in _lines(notes_client.get("/typeahead",
                                                           params={"q": "linear"}).text)]
    assert {"linear", "linear activation function"} <= set(lines), lines
    # an id that is not one of the name's concepts (a stale link) falls back to the name
    assert notes_client.get("/c/Linear", params={"id": "999999"}).status_code == 200


def test_a_hostile_concept_id_opens_the_page_of_the_name(browser: Browser,
                                                         notes_server: Running,
                                                         notes_db: Path) -> None:
    # `/c/NAME?id=ID` comes from a bookmark, a pasted link or a hand: an id no store integer
    # can be (a superscript digit, which `str.isdigit` passes; 30 digits) was an error page
    # (int() or the database refused it), where a stale id opens the page of the name.
    with grimoire.open(notes_db) as kb:
        softmax = kb.concept("softmax")
        for bad in ("\N{SUPERSCRIPT TWO}", "9" * 30, "9223372036854775808", "-1", "1e3", ""):
            assert kb.concept("softmax", concept_id=bad).id == softmax.id, bad
            assert kb.near_duplicates("softmax", concept_id=bad) == \
                kb.near_duplicates("softmax"), bad
    context, watch = open_context(browser, notes_server)
    page = watched_page(context, watch)
    for bad in ("\N{SUPERSCRIPT TWO}", "9" * 30):
        opened = page.goto(f"{notes_server.url}/c/softmax?id={quote(bad)}")
        assert opened is not None and opened.status == 200, bad
        assert page.locator("h1").inner_text().casefold() == softmax.label.casefold(), bad
        preview = context.request.get(f"{notes_server.url}/api/c/softmax",
                                      params={"preview": "true", "id": bad})
        assert preview.status == 200 and preview.json()["label"] == softmax.label, bad
    context.close()


def test_the_hover_preview_of_a_name_holding_id_is_that_concept(browser: Browser,
                                                                tmp_path: Path) -> None:
    # The popover split a link's name at "?id=" to find a hit's concept id: a concept called
    # "Beta?id=7" was previewed as a concept "Beta" of id 7, "No note defines this yet".
    notes = write_notes(tmp_path / "notes", {
        "alpha.md": "# Alpha\n\nAlpha comes before [[Beta?id=7]].\n",
        "beta.md": "# Beta?id=7\n\nBeta?id=7 is the odd name of a test.\n",
    })
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
    running = run_server(tmp_path / "kb.db")
    server = next(running)
    try:
        context, watch = open_context(browser, server)
        page = watched_page(context, watch)
        page.goto(server.url + "/c/Alpha")
        page.locator("main a[href^='/c/']", has_text="Beta?id=7").first.hover()
        pop = page.locator("#popover")
        pop.wait_for(state="visible")
        assert "odd name of a test" in pop.inner_text(), pop.inner_text()
        context.close()
    finally:
        next(running, None)


def test_typeahead_renders_formulas_not_tex(notes_client: TestClient) -> None:
    fragment = notes_client.get("/typeahead", params={"q": "cross entropy"}).text
    assert "<math" in fragment
    assert "\\text" not in fragment and "$$" not in fragment, fragment


def test_mentioned_in_shows_a_wiki_link_as_its_label(notes_client: TestClient) -> None:
    page = notes_client.get("/c/softmax").text
    mentions = page.split("<h2>Mentioned in</h2>", 1)[1].split("</section>", 1)[0]
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", mentions, re.S)
    assert len(quotes) >= 3
    assert not [q for q in quotes if "[[" in q or "]]" in q], quotes
    # to the page's own concept, by its id: the store resolved the link to it
    link = re.compile(r'<a class="internal" href="/c/Softmax\?id=\d+">softmax</a>')
    assert link.search(mentions), mentions
    # seed 000, a glossary, links with `[softmax]`: shown as a link, not in brackets
    glossary = [q for q in quotes if "softmax" in q and "[" not in re.sub(r"<[^>]+>", "", q)
                and link.search(q)]
    assert len(glossary) >= 2, quotes


def _typed_while_held(page: Page, words: str, last: str) -> list[Route]:
    """Types `words` while the server holds back every offer asked for (a slow server), until
    the request for the box's last words (`last`) is held too."""
    held: list[Route] = []
    page.route("**/typeahead?*", lambda route: held.append(route))
    page.keyboard.type(words, delay=30)
    asked = "/typeahead?q=" + quote(last)
    for _ in range(400):  # sent 120 ms after the last key, late on a loaded machine
        if any(r.request.url.endswith(asked) for r in held):
            break
        page.wait_for_timeout(50)
    assert held and held[-1].request.url.endswith(asked), [r.request.url for r in held]
    return held


def _released(page: Page, held: list[Route], last: str) -> None:
    """Lets the offers of `last` through and waits for them (their own last line is the
    search for those words); then the older words' offers, which must change nothing."""
    shown = page.locator(f'#typeahead a[href="/search?q={quote(last)}"]')
    held[-1].continue_()
    shown.wait_for()
    for route in held[:-1]:
        with page.expect_event("requestfinished"):
            route.continue_()
    page.unroute("**/typeahead?*")
    page.evaluate("() => new Promise((done) => setTimeout(done, 0))")
    assert shown.count() == 1


def _picked(page: Page) -> str | None:
    """The link of the offer the box tells a screen reader is picked (aria-activedescendant),
    checked to be the one, and the only one, marked selected."""
    picked, selected = page.evaluate("""() => {
        const id = document.querySelector("#q").getAttribute("aria-activedescendant");
        const a = id === null ? null : document.getElementById(id);
        const on = [...document.querySelectorAll("#typeahead a[aria-selected=true]")];
        return [a === null ? id : a.getAttribute("href"), on.map((x) => x.getAttribute("href"))];
    }""")
    assert selected == ([] if picked is None else [picked])
    return picked if picked is None else str(picked)


def _offers(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all("#typeahead a",
                                      "els => els.map((a) => a.getAttribute('href'))")
    return [str(h) for h in hrefs]


def test_typeahead_in_the_browser(browser: Browser, notes_server: Running) -> None:
    """The offers for the whole words can arrive after the reader picked one of those for the
    first letters (a slow server): they reset the pick, and Enter searched instead of opening
    it (suite55, PostgreSQL under load). The pick stays on its link, or none is picked."""
    context, watch = open_context(browser, notes_server, viewport={"width": 390, "height": 844})
    page = watched_page(context, watch)
    page.goto(notes_server.url + "/")
    page.focus("#q")
    page.keyboard.type("cross", delay=30)
    page.locator('#typeahead a[href="/search?q=cross"]').wait_for()
    # the offers for "cross e" come back after those for "cross entropy"
    held = _typed_while_held(page, " e", "cross e") + _typed_while_held(page, "ntropy",
                                                                          "cross entropy")
    page.keyboard.press("ArrowDown")
    first = _picked(page)
    assert first is not None and first.startswith("/c/Leave-One-Out"), first
    _released(page, held, "cross entropy")
    # the same offer stays picked, in its new place
    assert _picked(page) == first and _offers(page).index(first) > 0, _offers(page)
    assert page.locator("#typeahead math").count() >= 1
    assert "\\text" not in page.locator("#typeahead").inner_text()
    # the list fits a phone's width
    box = page.locator("#typeahead").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/c/Leave-One-Out"))
    assert "[[" not in page.locator("main").inner_text()

    # An offer the new words no longer bring is no longer picked, for a screen reader too,
    # and Enter searches for the words.
    page.focus("#q")
    page.keyboard.type("cross", delay=30)
    page.locator('#typeahead a[href="/search?q=cross"]').wait_for()
    page.keyboard.press("ArrowUp")  # up from none is the last offer
    assert _picked(page) == "/search?q=cross"
    page.keyboard.press("ArrowUp")
    gone = _picked(page)
    assert gone is not None and gone.startswith("/c/Latent"), gone
    _released(page, _typed_while_held(page, " entropy", "cross entropy"), "cross entropy")
    assert gone not in _offers(page) and _picked(page) is None
    assert page.get_attribute("#q", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert _picked(page) == _offers(page)[0]
    page.keyboard.press("Escape")
    assert _picked(page) is None and page.get_attribute("#q", "aria-expanded") == "false"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=cross\+entropy"))
    # Offers on their way when the box is emptied to one letter stay away. (The search page's
    # header box is empty since round 57: its words are in the page's own box.)
    assert page.input_value("#q") == "" and page.input_value("#sq") == "cross entropy"
    page.focus("#q")
    held = _typed_while_held(page, "cross entropys", "cross entropys")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("c")
    with page.expect_event("requestfinished"):
        held[-1].continue_()
    page.unroute("**/typeahead?*")
    page.evaluate("() => new Promise((done) => setTimeout(done, 0))")
    assert not page.is_visible("#typeahead")
    assert watch.blocked == [] and not [m for m in watch.console if m.startswith("error")]
    context.close()


def test_health_links_a_wanted_name_to_the_places_that_want_it(notes_client: TestClient
                                                               ) -> None:
    # A wanted page on /health was plain text: to see who links to it the user had to guess
    # its URL. Each finding about a name now links to it (the wanted page lists its links).
    page = notes_client.get("/health").text
    wanted = page.split('id="g-wanted"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<a class="red" href="(/c/[^"]+)">who links to it</a>', wanted)
    items = wanted.count("<li>")
    assert links and len(links) == items
    opened = notes_client.get(links[0].replace("&amp;", "&"))
    assert opened.status_code == 404 and "want" in opened.text and 'class="where"' in opened.text
    api = notes_client.get("/api/health").json()
    assert all(f["concept"] for f in api["wanted"])


def test_health_compares_a_conflict_on_its_own_concept(browser: Browser,
                                                       notes_server: Running) -> None:
    # A conflict's "compare" went to /c/<label>: for a label two concepts share, the page the
    # name finds, not the concept in conflict. It carries the concept's id now, as a hit does.
    context, watch = open_context(browser, notes_server, viewport={"width": 1280, "height": 900})
    page = watched_page(context, watch)
    # The page ends once lint has run on this module's store: the first lint of the process
    # when the module runs first, as in reverse order or alone (`watched_page`'s wait for a
    # page; round 53 gave this one 120 s of its own).
    page.goto(f"{notes_server.url}/health")
    compare = page.locator("#g-conflict + ul.findings li")
    assert compare.count() >= 1
    api = context.request.get(f"{notes_server.url}/api/health").json()["conflict"]
    assert len(api) == compare.count() and all(f["concept_id"] for f in api)
    for n, finding in enumerate(api):
        link = compare.nth(n).locator("a.internal")
        assert link.get_attribute("href") == (f"/c/{quote(finding['concept'], safe='')}"
                                               f"?id={finding['concept_id']}")
    compare.first.locator("a.internal").click()
    page.wait_for_load_state()
    shown = page.locator("main").inner_text()
    # the concept page holds the entry the finding points at
    assert Path(api[0]["span"]["path"]).name in shown
    assert api[0]["concept"].casefold() in shown.casefold()
    assert watch.blocked == [] and not [m for m in watch.console if m.startswith("error")]
    context.close()


def _lasso(db: Path) -> list[str]:
    """The ids of the two concepts labelled "Lasso Regression", seed 000's first."""
    with grimoire.open(db, create=False) as kb:
        labelled = [kb.concept(c.label, concept_id=c.id)
                    for c in kb.concepts() if c.label == "Lasso Regression"]
    assert len(labelled) == 2
    return [c.id for c in sorted(labelled, key=lambda c: Path(c.entries[0].entry.span.path).name)]


def test_a_citation_opens_its_own_concept_when_two_share_a_name(
        notes_client: TestClient) -> None:
    # An answer's citation linked its concept by label alone: for one of two concepts called
    # "Lasso Regression" that is the page asking which. It carries the concept's id now, in
    # the JSON and in the link.
    answer = notes_client.get("/api/ask", params={
        "q": "what happens to the weights in lasso regression?"}).json()
    cited = [c for c in answer["citations"] if c["concept"] == "Lasso Regression"]
    assert cited, answer
    page = notes_client.get("/ask", params={
        "q": "what happens to the weights in lasso regression?"}).text
    for c in cited:
        href = concept_href(c["concept"], c["concept_id"])
        assert f'href="{href}"' in page
        opened = notes_client.get(href).text  # the concept whose entry holds the quote
        assert f"{Path(c['span']['path']).name}:" in opened
        assert "names 2 concepts" not in opened


def test_a_name_two_concepts_share_asks_which(browser: Browser, notes_server: Running,
                                              notes_db: Path) -> None:
    # Two concepts a grimoire.toml split apart keep one label: the page asking which linked
    # both to /c/<label>, that is back to itself. Each links by id now, beside its file.
    with grimoire.open(notes_db, create=False) as kb:
        with pytest.raises(grimoire.NotFound, match="'Lasso Regression' names 2 concepts") as e:
            kb.concept("Lasso Regression")
        assert [label for label, _ in e.value.choices] == ["Lasso Regression"] * 2
        # a label with its kind stripped ("LiveBench" of "LiveBench Benchmark") opens its
        # concept; "Learning Method" keeps its words (round 35: it showed as "Learning")
        assert kb.concept("LiveBench").kind == "Benchmark"
        assert kb.concept("Learning Method").label == "Learning Method"
    first, second = _lasso(notes_db)
    context, watch = open_context(browser, notes_server, viewport={"width": 390, "height": 800})
    page = watched_page(context, watch)
    page.goto(f"{notes_server.url}/c/Lasso%20Regression")
    main = page.locator("main")
    assert "several concepts" in main.inner_text()
    choices = main.locator("li")
    assert choices.count() == 2
    assert "003_" in choices.nth(0).inner_text() or "003_" in choices.nth(1).inner_text()
    main.locator("li", has_text="003_").get_by_role("link", name="Lasso Regression").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/c/Lasso%20Regression?id={second}")
    assert "several concepts" not in page.locator("main").inner_text()
    assert "003_" in page.locator("main").inner_text()
    api = context.request.get(f"{notes_server.url}/api/c/Lasso%20Regression")
    assert sorted(c["concept_id"] for c in api.json()["choices"]) == sorted([first, second])
    assert watch.blocked == []
    assert not [m for m in watch.console if m.startswith("error") and "300" not in m]
    context.close()


def test_the_graph_of_a_name_two_concepts_share_asks_which_graph(browser: Browser,
                                                                 notes_server: Running,
                                                                 notes_db: Path) -> None:
    # /graph?c=<name> of two concepts listed them as links to their pages, not their graphs,
    # and a graph's "Around ..." linked to /c/<label>, which asks which again.
    first, _ = _lasso(notes_db)
    context, watch = open_context(browser, notes_server, viewport={"width": 1280, "height": 900})
    page = watched_page(context, watch)
    page.goto(f"{notes_server.url}/graph?c=Lasso%20Regression&depth=2")
    assert "several concepts" in page.locator("main").inner_text()
    page.locator("main li", has_text="000_").get_by_role("link").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{notes_server.url}/graph?c=Lasso")
    assert f"id={first}" in page.url
    assert page.locator("select[name=depth]").input_value() == "2"
    heading = page.locator("h1 a.internal")
    assert heading.inner_text() == "Lasso Regression"
    heading.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/c/Lasso%20Regression?id={first}")
    assert "000_" in page.locator("main").inner_text()
    assert watch.blocked == []
    context.close()


def test_a_graph_node_opens_its_own_concept(browser: Browser, notes_server: Running,
                                            notes_db: Path) -> None:
    # A node opened /c/<label>: for two concepts of one label the page asking which. Nodes go
    # by id, as hits do.
    _, second = _lasso(notes_db)
    context, watch = open_context(browser, notes_server, viewport={"width": 1280, "height": 900})
    page = watched_page(context, watch)
    where = f"{notes_server.url}/graph?c=Lasso%20Regression&id={second}"
    drawn = context.request.get(where).text()
    assert re.search(rf'<a href="/c/Lasso%20Regression\?id={second}"><title>Lasso Regression'
                     "</title>", drawn)
    page.goto(where)
    page.locator("#graph[data-ready=true]").wait_for()
    node = page.evaluate("""() => {
        const n = window.grimoireGraph.nodes().filter(n => n.data('depth') === 0)[0];
        const p = n.renderedPosition();
        return {label: n.data('label'), x: p.x, y: p.y};
    }""")
    assert node["label"] == "Lasso Regression"
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + node["x"], box["y"] + node["y"])
    page.wait_for_url(re.compile(rf"/c/Lasso%20Regression\?id={second}$"))
    assert "003_" in page.locator("main").inner_text()
    assert "several concepts" not in page.locator("main").inner_text()
    assert watch.blocked == []
    assert not [m for m in watch.console if m.startswith("error")], watch.console
    context.close()


def test_every_concept_of_the_a_to_z_opens_its_own_page(browser: Browser,
                                                        notes_server: Running) -> None:
    # The home page's A-Z linked /c/<label>: two concepts of one label both opened the page
    # asking which (neither could be reached from the list). Each links by id now.
    context, watch = open_context(browser, notes_server, viewport={"width": 1280, "height": 900})
    page = watched_page(context, watch)
    page.goto(notes_server.url + "/")
    items = page.locator(".az li")
    labels = items.locator("a").all_inner_texts()
    shared = sorted({x for x in labels if labels.count(x) > 1})
    assert shared == ["Lasso Regression"]
    rows = items.filter(has=page.get_by_role("link", name="Lasso Regression", exact=True))
    opened = set()
    for n in range(rows.count()):
        rows.nth(n).get_by_role("link", name="Lasso Regression", exact=True).click()
        page.wait_for_load_state()
        text = page.locator("main").inner_text()
        assert "several concepts" not in text
        opened.add(text)
        page.go_back()
    assert len(opened) == rows.count() == 2  # each a page of its own
    assert watch.blocked == []
    context.close()


def test_a_concept_page_points_at_the_other_concept_of_its_label(browser: Browser,
                                                                notes_server: Running,
                                                                notes_db: Path) -> None:
    # Of two concepts labelled alike, the page of one did not say the other exists, and its
    # graph link opened the graph by the name (which asks which).
    first, second = _lasso(notes_db)
    context, watch = open_context(browser, notes_server, viewport={"width": 390, "height": 800})
    page = watched_page(context, watch)
    page.goto(f"{notes_server.url}/c/Lasso%20Regression?id={first}")
    note = page.locator(".namesakes")
    assert note.inner_text().startswith("Another concept is also called Lasso Regression")
    graph = page.locator("a.graph-link").get_attribute("href")
    assert graph is not None and f"id={first}" in graph
    note.locator("a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/c/Lasso%20Regression?id={second}")
    assert "003_" in page.locator("main").inner_text()
    assert page.locator(".namesakes a").get_attribute("href") == (
        f"/c/Lasso%20Regression?id={first}")
    assert watch.blocked == []
    assert not [m for m in watch.console if m.startswith("error")], watch.console
    context.close()
