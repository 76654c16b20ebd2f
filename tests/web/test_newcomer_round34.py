"""What a newcomer met in round 34 (qa34), on a real server in real Chromium: a note saved in
Windows-1252 or UTF-16, which ingest reads right, was shown in the source view as the file's
bytes read as UTF-8 ("Caf\ufffd", a NUL between every letter), and so quoted under "Mentioned
in" (the notes are our own words)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser

import grimoire
from tests.conftest import write_notes
from tests.web.conftest import Running, run_server

LATIN = ("# Caf\u00e9 notes\n\nA na\u00efve Bayes model treats the features as independent "
         "\u2013 see [[Bayes rule]].\n")
WIDE = ("# \u00dcber Notiz\n\nDie Kreuzentropie misst zwei Verteilungen \u2013 nach "
        "[[Bayes rule]].\n")


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("r34web")
    notes = root / "notes"
    notes.mkdir()
    (notes / "latin.md").write_bytes(LATIN.encode("cp1252"))
    (notes / "wide.md").write_bytes(WIDE.encode("utf-16"))
    (notes / "Bayes rule.md").write_text(
        "# Bayes rule\n\nBayes rule turns a likelihood and a prior into a posterior.\n",
        encoding="utf-8")
    db = root / "kb.db"
    with grimoire.open(db) as kb:
        report = kb.ingest([notes], embed=False)
        assert not report.failed
        assert kb.concept("Caf\u00e9 notes").entries  # ingest read them right
        assert kb.concept("\u00dcber Notiz").entries
    return db


@pytest.fixture(scope="module")
def encoded_server(encoded: Path) -> Iterator[Running]:
    yield from run_server(encoded)


@pytest.mark.parametrize(("name", "text"), [("latin.md", LATIN), ("wide.md", WIDE)])
def test_the_source_view_shows_a_note_as_ingest_read_it(
    encoded: Path, encoded_server: Running, browser: Browser, name: str, text: str
) -> None:
    path = encoded.parent / "notes" / name
    page = browser.new_page()
    page.goto(f"{encoded_server.url}/source?path={quote(str(path))}")
    shown = page.inner_text("main")
    page.close()
    for line in text.splitlines()[:3]:
        assert line in shown, shown
    assert "\ufffd" not in shown and "\x00" not in shown


def test_mentioned_in_quotes_such_a_note_as_written(encoded_server: Running,
                                                    browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{encoded_server.url}/c/{quote('Bayes rule')}")
    quotes = page.locator("ul.mentions blockquote").all_inner_texts()
    page.close()
    assert sorted(quotes) == [
        "A na\u00efve Bayes model treats the features as independent \u2013 see Bayes rule.",
        "Die Kreuzentropie misst zwei Verteilungen \u2013 nach Bayes rule."], quotes


@pytest.fixture(scope="module")
def only_images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    # A folder of figures ingested by mistake (a vault's Images/): files seen, no note.
    root = tmp_path_factory.mktemp("r34empty")
    figures = root / "Images"
    figures.mkdir()
    for name in ("gan.png", "vae.png"):
        (figures / name).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    db = root / "kb.db"
    with grimoire.open(db) as kb:
        report = kb.ingest([figures], embed=False)
        assert report.added == 0 and kb.stats().sources == 2
    yield from run_server(db)


def test_a_store_with_no_note_says_so_on_every_page(only_images: Running,
                                                    browser: Browser) -> None:
    # Its search said "No results for 'gan'" as if the notes lacked the word, its graph was
    # an empty 900-pixel frame under "0 concepts, 0 links", its home page an empty "A-Z".
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    said = {}
    for path in ("/", "/search?q=gan", "/graph"):
        page.goto(only_images.url + path)
        page.wait_for_load_state("networkidle")
        said[path] = page.inner_text("main")
    assert page.locator("#graph").count() == 0
    page.close()
    hint = "grimoire ingest ~/notes"
    assert hint in said["/search?q=gan"] and "No results" not in said["/search?q=gan"]
    assert "No concepts yet" in said["/graph"] and hint in said["/graph"]
    assert "A\u2013Z" not in said["/"] and hint in said["/"]
    assert errors == []


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    # A book's chapter titled in its front matter, its body opening with a `##` section:
    # an entry spanning line 1, with no definition (yshavit/llm-notes; our own words here).
    root = tmp_path_factory.mktemp("r34book")
    notes = write_notes(root / "book", {
        "norm.md":
            "---\ntitle: Layer normalization\n---\n\n## What and why?\n\nEach token's vector is "
            "shifted and scaled to mean zero and unit variance.\n\n## Where it sits\n\nBefore "
            "attention.\n",
    })
    db = root / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    yield from run_server(db)


def test_a_chapter_with_no_definition_shows_how_its_note_opens(book: Running,
                                                               browser: Browser) -> None:
    # Its page said "(no definition)" over the whole chapter, while hovering a link to it
    # showed its first words.
    page = browser.new_page()
    page.goto(f"{book.url}/c/{quote('Layer normalization')}")
    card = page.locator("section.card").first.inner_text()
    read_on = page.locator("section.card blockquote a.where")
    links = [read_on.nth(i).get_attribute("href") for i in range(read_on.count())]
    page.close()
    assert "Each token's vector is shifted and scaled to mean zero and unit variance." in card
    if "no definition" in card:  # (a reader that makes the first section its definition)
        assert len(links) == 1 and (links[0] or "").startswith("/source?path="), links
