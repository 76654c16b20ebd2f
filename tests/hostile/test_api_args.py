"""What a caller's mistake gets from the Python API and the CLI: an error naming the argument
or the name, never an AttributeError from deep inside, a screenful of echo, or a folder read
by accident (round 15 audit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grimoire.cli import main
from grimoire.errors import GrimoireError, NotFound
from tests.conftest import ingested

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = tmp_path_factory.mktemp("api") / "kb.db"
    with ingested(db, EXAMPLES, embed=False) as kb:
        yield kb


WRONG = [
    ("query", lambda kb: kb.search(None), TypeError),
    ("query", lambda kb: kb.search(b"lora"), TypeError),
    ("query", lambda kb: kb.search(["lora"]), TypeError),
    ("k", lambda kb: kb.search("lora", k="5"), TypeError),
    ("k", lambda kb: kb.search("lora", k=0, mode="lexical"), ValueError),
    ("k", lambda kb: kb.search("lora", k=True, mode="lexical"), TypeError),
    ("source", lambda kb: kb.search("lora", source=5, mode="lexical"), TypeError),
    ("tag", lambda kb: kb.search("lora", tag=[], mode="lexical"), TypeError),
    ("question", lambda kb: kb.ask(None), TypeError),
    ("k", lambda kb: kb.ask("what is lora?", k=-3), ValueError),
    ("name", lambda kb: kb.concept(None), TypeError),
    ("name", lambda kb: kb.entry(3), TypeError),
    ("name", lambda kb: kb.backlinks(None), TypeError),
    ("name", lambda kb: kb.suggest_concepts(None), TypeError),
    ("name", lambda kb: kb.path(None, "LoRA"), TypeError),
    ("depth", lambda kb: kb.graph("LoRA", depth="2"), TypeError),
    ("depth", lambda kb: kb.graph("LoRA", depth=-1), ValueError),
    ("paths", lambda kb: kb.ingest(None), TypeError),
    ("paths", lambda kb: kb.ingest(b"/tmp"), TypeError),
    ("path", lambda kb: kb.ingest([None]), TypeError),
    ("format", lambda kb: kb.ingest([EXAMPLES], format="zz", embed=False), ValueError),
]


@pytest.mark.parametrize(("argument", "call", "error"), WRONG,
                         ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(WRONG)])
def test_a_wrong_argument_is_named(kb: Any, argument: str, call: Any, error: type) -> None:
    with pytest.raises(error, match=argument):
        call(kb)


def test_an_empty_path_reads_nothing(kb: Any, tmp_path: Path, monkeypatch: Any) -> None:
    # Path("") is the working folder: `kb.ingest("")` read whatever folder Python ran in.
    (tmp_path / "stray.md").write_text("# Stray\n\nStray is a note nobody asked for.\n")
    monkeypatch.chdir(tmp_path)
    before = kb.stats()
    with pytest.raises(GrimoireError, match="empty path"):
        kb.ingest("", embed=False)
    assert kb.stats() == before
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "cli.db"), "ingest", "",
                                       "--no-embed"])
    assert result.exit_code == 1 and "empty path" in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["???", "->", "...", "∑"])
def test_a_name_without_letters_or_digits_says_so(kb: Any, name: str) -> None:
    with pytest.raises(NotFound, match="letters and digits"):
        kb.concept(name)
    with pytest.raises(NotFound, match="letters and digits"):
        kb.graph(name)


def test_a_long_name_is_not_echoed_whole(kb: Any) -> None:
    with pytest.raises(NotFound) as caught:
        kb.concept("lora " * 20_000)
    assert len(str(caught.value)) < 200 and "100,000 characters" in str(caught.value)


def test_a_query_the_size_of_a_file_is_refused_on_every_face(kb: Any, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from grimoire._api_args import MAX_QUERY_CHARS
    from grimoire.web.app import create_app
    from grimoire.web.security import Guard

    pasted = "what is lora " * (MAX_QUERY_CHARS // 10)
    for call in (kb.search, kb.ask):
        with pytest.raises(GrimoireError, match="characters, over the 20,000"):
            call(pasted)
    assert kb.search(pasted[:MAX_QUERY_CHARS], mode="lexical")  # at the limit: answered
    # A store of its own: the URL a PostgreSQL store shows has no user (nor password) in it.
    db = str(tmp_path / "cli.db")
    result = CliRunner().invoke(main, ["--db", db, "search", pasted, "--mode", "lexical"])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    client = TestClient(create_app(kb, Guard.for_bind("127.0.0.1", 8000)),
                        base_url="http://127.0.0.1:8000")
    response = client.post("/api/ask", json={"question": pasted})
    assert response.status_code == 400 and "over the 20,000" in response.json()["error"]


def test_a_filter_that_is_not_utf8_matches_as_the_file_was_stored(tmp_path: Path) -> None:
    # A command line's byte that is not UTF-8 reaches Python as a lone surrogate, which no
    # database driver encodes: `search --tag $'\xff'` and `kb.search(q, source=<a name from
    # os.listdir>)` failed with UnicodeEncodeError from inside the store, on both engines.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "caf\udce9.md").write_bytes(b"# Bytes Name\n\nBytes Name is named in Latin-1.\n")
    (notes / "plain.md").write_bytes(b"# Plain Name\n\nPlain Name is another note.\n")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        named = kb.search("name", mode="lexical", source=str(notes / "caf\udce9.md"))
        assert {h.span.path for h in named} == {str(notes / "caf\\xe9.md")}
        for kw in ({"tag": "\udcff"}, {"format": "\udcff"}, {"source": "\udcff"}):
            assert kb.search("name", mode="lexical", **kw) == []
        # A NUL is no part of any stored value (PostgreSQL drops it): the same on both engines.
        assert len(kb.search("name", mode="lexical", source=str(notes) + "\x00")) == 2
    # The same path: on PostgreSQL the test store gives it the same database.
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "kb.db"), "search", "name",
                                       "--mode", "lexical", "--tag", "\udcff"])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "no results" in result.output


def test_a_lone_surrogate_in_a_posted_question_is_answered(kb: Any) -> None:
    # JSON's "\ud800" decodes to a lone surrogate; the answer repeats the question, and the
    # web API's reply could not be encoded: a 500 on both engines.
    from fastapi.testclient import TestClient

    from grimoire.web.app import create_app
    from grimoire.web.security import Guard

    client = TestClient(create_app(kb, Guard.for_bind("127.0.0.1", 8000)),
                        base_url="http://127.0.0.1:8000")
    response = client.post("/api/ask", content=b'{"question": "what is lora \\ud800?"}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["question"] == "what is lora \ufffd?"
    assert kb.search("lora \udcff", mode="lexical") == kb.search("lora \ufffd", mode="lexical")
