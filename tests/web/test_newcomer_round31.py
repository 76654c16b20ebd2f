"""What a newcomer met on course notes of one folder per topic (round 31, qa31): each folder
has a `README.md` titled "Topic — A to Z" that lists its notes. In real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

import grimoire
from tests.web.conftest import Running, run_server

CLOSING = ("Next up is the bridge file, which ties this whole section to the next one: every "
           "idea here shows up again there, so reread the summary table before moving on and "
           "keep the cheat sheet open while working through the exercises at the end.")


def write_course(root: Path) -> None:
    """Two topic folders, each a README index and a note, as the public course notes are."""
    for folder, topic, note, text in (
            ("02-numpy", "NumPy", "05-broadcasting.md",
             "Broadcasting stretches the smaller array to the shape of the larger one."),
            ("07-xgboost", "XGBoost", "05-regularization.md",
             "XGBoost regularization adds reg_lambda and reg_alpha penalties to the leaves.")):
        (root / folder).mkdir(parents=True)
        (root / folder / "README.md").write_text(
            f"# {topic} — A to Z\n\nMy notes on {topic}, written while going through it "
            f"properly for the ML roadmap.\n\n## Index\n\n| # | File |\n|---|---|\n"
            f"| 05 | [{note}]({note}) |\n\n## What's next\n\n{CLOSING}\n")
        (root / folder / note).write_text(f"# 05 — {note[3:-3].title()}\n\n{text}\n")
    (root / "08-pytorch").mkdir()
    (root / "08-pytorch" / "09-regularization.md").write_text(
        "# 09 — Regularization\n\n" + " ".join(
            f"Weight decay, dropout and early stopping each fight overfitting, way {i}."
            for i in range(60)) + "\n")
    (root / "07-xgboost" / "06-objective.md").write_text(
        "# 06 — The Objective $\\mathcal{L}(\\phi)$\n\nThe objective adds a penalty "
        "$\\Omega(f)$ for each tree to the training loss.\n")


@pytest.fixture(scope="module")
def course_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("course")
    write_course(root / "notes")
    db = root / "course.db"
    with grimoire.open(db) as kb:
        kb.ingest([root / "notes"], embed=False)
    yield from run_server(db)



def test_two_folders_readmes_are_told_apart_on_every_page(browser: Browser,
                                                           course_server: Running) -> None:
    # The Health page listed twenty "README.md:26" findings, each "the same as" a file named
    # relative to a folder it never showed; a search listed "README.md:3" twice.
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for path in ("/search?q=reread+the+summary+table&mode=lexical", "/health"):
        page.goto(course_server.url + path)
        places = [t for t in page.locator("a.where").all_inner_texts() if "README" in t]
        assert places, path
        assert all(re.fullmatch(r"(02-numpy|07-xgboost)/README\.md:\d+(-\d+)?", t)
                   for t in places), (path, places)
        if path.startswith("/search"):
            assert len({t.split("/")[0] for t in places}) == 2, places
    # the search found both; the Health page's near-duplicate names the other relative to it
    assert "the same as ../02-numpy/README.md" in page.inner_text("main") or \
        "the same as ../07-xgboost/README.md" in page.inner_text("main")
    # a note whose name no other file has keeps its name alone
    page.goto(course_server.url + "/search?q=broadcasting+stretches&mode=lexical")
    assert "05-broadcasting.md:3" in page.locator("a.where").all_inner_texts()
    page.close()


def test_a_topic_name_leads_to_its_titled_index(browser: Browser,
                                                course_server: Running) -> None:
    # /c/xgboost said "No note defines this yet" beside a search link, with the page titled
    # "XGBoost — A to Z" one click away but not offered.
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    response = page.goto(course_server.url + "/c/xgboost")
    assert response is not None and response.status == 404
    assert "No note defines this yet" not in page.inner_text("main")
    page.get_by_role("link", name="XGBoost — A to Z").click()
    page.wait_for_url(re.compile(r"/c/XGBoost"))
    assert page.locator("h1").first.inner_text().startswith("XGBoost — A to Z")
    page.close()


def test_a_title_with_math_is_math_wherever_it_is_named(browser: Browser,
                                                        course_server: Running) -> None:
    # The concept's own page drew "The Objective L(φ)" as MathML, but the home page's chips
    # and A-Z, a search hit's title and its page's document title showed "$\mathcal{L}(\phi)$".
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    for path, where in (("/", "main a"), ("/search?q=objective+penalty&mode=lexical", ".hit"),
                        ("/c/The Objective $\\mathcal{L}(\\phi)$", ".card .doc")):
        page.goto(course_server.url + path)
        named = page.locator(where).filter(has_text="The Objective")
        assert named.count() >= 1, path
        for i in range(named.count()):
            assert "$" not in named.nth(i).inner_text(), (path, named.nth(i).inner_text())
            assert named.nth(i).locator("math").count() >= 1, path
    page.close()


def test_a_short_card_beside_a_long_one_keeps_its_own_height(browser: Browser,
                                                             course_server: Running) -> None:
    # Cards side by side were stretched to one height: an entry of one line beside a
    # 400-line page section was a box 30,000 px tall, empty below its line.
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(course_server.url + "/c/Regularization")
    cards = page.locator(".sources .card")
    assert cards.count() == 2
    heights = sorted(cards.nth(i).bounding_box()["height"] for i in range(2))  # type: ignore[index]
    tops = {round(cards.nth(i).bounding_box()["y"]) for i in range(2)}  # type: ignore[index]
    assert len(tops) == 1  # side by side
    assert heights[0] < heights[1] / 2, heights
    page.close()
