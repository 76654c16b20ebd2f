"""Round 36 (faces36) in real Chromium: a link out of the notes ("elsewhere") inside a
definition's "See also" is drawn as what it is, not as a link to a concept, and a file link to
no note as a dead link, as `show` and lint name them. The notes are our own words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.test_faces_round36 import ingested
from tests.web.conftest import Running, run_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    db, _ = ingested(tmp_path_factory.mktemp("faces36web"))
    yield from run_server(Path(db))


def test_a_see_also_link_out_of_the_notes_is_no_concept_link(server: Running, browser: Browser,
                                                             tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(f"{server.url}/c/Weight%20Decay")
    see = page.locator("section.card p.see")
    out = see.locator("span.elsewhere")
    dead = see.locator("span.dead")
    drawn = {
        "elsewhere": (out.inner_text(), out.get_attribute("title")),
        "dead": (dead.inner_text(), dead.get_attribute("title")),
        "links": [(a.inner_text(), a.get_attribute("href")) for a in see.locator("a").all()],
        "chips": page.locator("ul.chips li").all_inner_texts(),
    }
    page.screenshot(path=str(tmp_path / "weight-decay.png"), full_page=True)
    page.close()
    # Before: "learning rate schedules" was `<a class="internal" href="/c/schedules">`, a
    # concept page the notes do not have, and "regularisation" a red wanted page.
    assert drawn["elsewhere"] == ("learning rate schedules",
                                  "outside these notes: ../training/schedules.html")
    assert drawn["dead"] == ("regularisation", "dead link: no note at regularisation.html")
    assert [text for text, _ in drawn["links"]] == ["layer norm"]
    assert drawn["chips"] == ["Layer Norm", "regularisation.html"]
