"""Round 35 (faces35) on a real server in real Chromium: a page named by its title shows its
note's opening words from the one API call every face uses (`Grimoire.said`), `/api/c/` gives
the JSON `grimoire show --json` prints, and a spelling resolve made only to match
("Selfattention") is not among the names a page shows. The notes are our own words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser

from grimoire.cli import main
from tests.test_faces_round35 import DROPOUT, ingested
from tests.web.conftest import Running, run_server


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested(tmp_path_factory.mktemp("faces35web"))


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[Running]:
    yield from run_server(db)


def test_the_page_shows_the_opening_words_the_api_gives(server: Running, browser: Browser,
                                                        tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(f"{server.url}/c/Dropout")
    quote_text = page.locator("section.card blockquote.opening").inner_text()
    read_on = page.locator("section.card blockquote.opening a.where").get_attribute("href")
    page.screenshot(path=str(tmp_path / "dropout.png"), full_page=True)
    page.close()
    assert DROPOUT in quote_text
    assert read_on is not None and read_on.startswith("/source?path=") and "Dropout.md" in \
        read_on


def test_the_api_page_is_what_show_json_prints(db: Path, server: Running) -> None:
    served = httpx.get(f"{server.url}/api/c/Dropout").json()
    printed = CliRunner().invoke(main, ["--db", str(db), "show", "Dropout", "--json"])
    assert printed.exit_code == 0, printed.output
    assert served == json.loads(printed.output)
    assert served["preview"]["text"] == DROPOUT
    hover = httpx.get(f"{server.url}/api/c/Dropout", params={"preview": "true"}).json()
    assert hover["text"] == DROPOUT


def test_a_spelling_made_to_match_is_no_name_on_the_page(server: Running,
                                                         browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{server.url}/c/{quote('Selfattention')}")  # it still finds the concept
    heading = page.locator("h1").inner_text()
    shown = page.inner_text("main")
    also = page.locator("p.names").count()
    page.close()
    assert heading == "Self-attention"
    assert "Selfattention" not in shown and also == 0, shown
    data = httpx.get(f"{server.url}/api/c/Self-attention").json()
    assert [n["name"] for n in data["names"]] == ["Self-attention"]
    assert data["matched_names"] == ["Selfattention"]
