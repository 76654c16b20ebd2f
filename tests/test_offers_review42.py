"""Round 42 (review42b): the search box's offers after they stopped scoring every name.
A half-typed word with a typo in its first three letters ("grpah", "custeri") was offered
nothing, where main (WRatio over every name) offered the name; and hostile text typed in
the box is answered, fast and without an error. Our own notes, on a real store (SQLite, and
PostgreSQL in the suite's PostgreSQL pass), through the API and the web app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import grimoire
from grimoire.errors import NotFound
from tests.conftest import ingested, write_notes
from tests.web.conftest import make_app

TERMS = ["Graph", "Clustering", "Confusion Matrix", "Regularization", "Segmentation",
         "Configuration", "Baseline", "Gradient Boosting"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("offers42")
    glossary = "".join(f"{term}#\nA made-up term, number {i} of a short list.\n\n"
                       for i, term in enumerate(TERMS))
    with ingested(folder / "kb.db", write_notes(folder / "notes", {"glossary.txt": glossary}),
                  embed=False):
        pass
    return folder / "kb.db"


@pytest.fixture(scope="module")
def kb(db: Path) -> Iterator[Any]:
    with grimoire.open(db, create=False) as opened:
        yield opened


@pytest.mark.parametrize(("typed", "offered"), [
    ("grpah", "Graph"),  # two letters swapped among the first three
    ("custeri", "Clustering"),  # a letter left out among the first three, half typed
    ("confsi", "Confusion Matrix"),  # the typo ends the word typed so far
    ("sgmentati", "Segmentation"),
    ("regulariati", "Regularization"),
])
def test_a_typo_in_the_first_letters_of_a_half_typed_word_is_offered_the_name(
        kb: Any, typed: str, offered: str) -> None:
    assert offered in kb.suggest(typed)


def test_a_half_typed_word_is_not_offered_names_of_another_beginning(kb: Any) -> None:
    assert "Baseline" not in kb.suggest("grpah")
    assert kb.suggest("zqxw") == ()


HOSTILE = ["%", "_", "a%b_c", "o'reilly \"x\"", "att\x00ention", "\u202egraph \u05d0\u05d1",
           "\U0010ffff", "grap\U0010ffff", "abc\ud7ff", "\\", 'NEAR("a" "b")', "-a -b",
           "a" * 100_000, "graph " * 5_000, " ".join(f"w{i}" for i in range(10_000)),
           "5.1 " + "x" * 5_000]


@pytest.mark.parametrize("typed", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_typed_in_the_search_box_is_answered(kb: Any, typed: str) -> None:
    offers = kb.suggest(typed)
    assert isinstance(offers, tuple)
    assert set(offers) <= set(TERMS)


@pytest.mark.parametrize("typed", HOSTILE[-3:], ids=range(3))
def test_show_of_thousands_of_words_says_no_concept(kb: Any, typed: str) -> None:
    # PostgreSQL: "database query failed: target lists can have at most 1664 entries"
    with pytest.raises(NotFound):
        kb.concept(typed)


def test_hostile_text_in_the_typeahead_page(db: Path) -> None:
    app, web_kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        for typed in HOSTILE[:12]:
            assert client.get("/typeahead", params={"q": typed}).status_code == 200
        assert "Graph" in client.get("/typeahead", params={"q": "grpah"}).text
    web_kb.close()
