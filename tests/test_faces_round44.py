"""Round 44 (faces44): the faces as a user sees them, on one store of our own words (SQLite,
and PostgreSQL in the suite's PostgreSQL pass): a search asked for more hits than it ranks
says so on every face; lint's findings fit an 80-column terminal and keep their file:line; a
note with no definition opens with its paragraphs and list items apart and stops at code;
MCP places nest `span` as the CLI and the web do; a typo in a name's 2nd and 3rd letters, or
among more names of a beginning than one run of the index holds, is offered the name."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from mcp import Client

import grimoire
from grimoire.cli import main
from grimoire.errors import NotFound
from grimoire.export import anki
from grimoire.mcp_server import build_server
from tests.conftest import write_notes
from tests.web.conftest import make_app

# 1,200 made-up names that begin "Sto", all shorter than the names the checks look for: more
# than a run of the index holds (NEAREST_RUN 200) and than a letter's run (1,000).
_SYLLABLES = ["ka", "lo", "mi", "ren", "va", "dun", "pel", "sir", "tam", "bex"]
_WORDS = ["Alpha", "Beta", "Gamma", "Delta", "Sigma", "Kappa", "Theta", "Zeta", "Iota", "Rho",
          "Chi", "Psi"]
MANY = [f"Sto{a}{b} {w}" for a, b, w in itertools.product(_SYLLABLES, _SYLLABLES, _WORDS)]
NAMED = ["Stochastic Gradient Descent", "Stochastic Rounding"]
DEEP = "a folder/another folder"
SETUP = """We tried the adapter on our own tickets first; the theory is on another page.

What mattered:

- Rank: higher changed nothing.
- Target modules: every linear layer.

Setting it up is a few lines:

```python
config = make_config(rank=16)
```

After the code, more words.
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("faces44")
    glossary = "".join(f"{term}#\nMade up.\n\n" for term in MANY + NAMED)
    notes = write_notes(folder / "notes", {
        "glossary.txt": glossary,
        "Adapter setup.md": SETUP,
        f"{DEEP}/reading list for the weeks ahead.md":
            "# Reading list\n\nFirst [[A Page Nobody Has Written Yet About Long Names]], then "
            "[[Another Page Nobody Wrote, With A Name Longer Still]].\n",
    })
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    yield path


def test_fewer_hits_than_asked_says_why_on_every_face(db: Path) -> None:
    """`search -k 1000 learning` gave 78 hits on all.db and said nothing: the search ranks the
    60 best candidates of each list (CANDIDATES). Now the CLI (stderr, and `--json`), the web
    page, /api/search's header and the same record say so; a search that ranked every match
    says nothing."""
    args = ["--db", str(db), "search", "made up", "--mode", "lexical"]
    shown = CliRunner().invoke(main, [*args, "-k", "1000"])
    assert shown.exit_code == 0, shown.output
    hits = len(re.findall(r"^\d+\. ", shown.stdout, re.M))
    assert 0 < hits < 1000
    assert f"note: {hits:,} hits, not 1,000: a search ranks only the 60 best matches by words" \
        in " ".join(shown.stderr.split())
    as_json = CliRunner().invoke(main, [*args, "-k", "1000", "--json"])
    notice = json.loads(as_json.stderr.strip().splitlines()[-1])
    assert notice["cut"] == hits == len(json.loads(as_json.stdout))
    few = CliRunner().invoke(main, [*args, "-k", "5"])  # as many as asked: nothing to say
    assert few.exit_code == 0 and "note:" not in few.stderr
    rare = CliRunner().invoke(main, ["--db", str(db), "search", "tickets", "-k", "1000",
                                     "--mode", "lexical"])
    assert rare.exit_code == 0 and "note:" not in rare.stderr  # every match ranked

    app, kb = make_app(db)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            api = client.get("/api/search", params={"q": "made up", "mode": "lexical",
                                                    "k": 100})
            header = json.loads(api.headers["grimoire-notice"])
            assert header["cut"] == len(api.json()) < 100
            assert "hits, not 100" in header["notice"]
            page = client.get("/search", params={"q": "made up", "mode": "lexical",
                                                 "k": 100}).text
            assert 'class="notice"' in page and "hits, not 100" in page
    finally:
        kb.close()


def test_lint_fits_an_80_column_terminal_and_keeps_file_line(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """lint printed `file:line: message` whole on a terminal (290 columns on all.db), which
    the terminal broke mid-path. Now a finding wider than the terminal ends its first line at
    `file:line:` and wraps its message under it; piped, each finding stays one line."""
    monkeypatch.chdir(db.parent / "notes")  # its paths as a user there sees them
    shown = CliRunner().invoke(main, ["--db", str(db), "lint", "--group", "wanted"],
                               env={"TTY_COMPATIBLE": "1", "COLUMNS": "80"})
    lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line).rstrip()
             for line in shown.stdout.splitlines()]
    assert shown.exit_code == 1
    assert lines and max(len(line) for line in lines) <= 80, lines
    place = f"  {DEEP}/reading list for the weeks ahead.md:3:"
    at = [n for n, line in enumerate(lines) if line == place]
    assert len(at) == 2, lines  # the two wanted pages' findings, each its own file:line
    assert lines[at[0] + 1].startswith("      'A Page Nobody Has Written Yet")

    piped = CliRunner().invoke(main, ["--db", str(db), "lint", "--group", "wanted"])
    found = [line for line in piped.stdout.splitlines() if "Nobody" in line]
    assert len(found) == 2 and all(":3: '" in line and line.endswith("defined nowhere")
                                   for line in found)


def test_a_note_with_no_definition_opens_with_its_paragraphs_and_list(
        db: Path, tmp_path: Path) -> None:
    """`showing.opening` ran a note's paragraphs and list items into one run of words and
    skipped its code: "a few lines:" ran into what followed the code. Now each paragraph is
    apart, each item on its line, and the opening stops at the code with " …", its lines
    ending there; `show` prints it so, the concept page keeps its line breaks (white-space:
    pre-line) and an Anki card breaks before each item."""
    opening = ("We tried the adapter on our own tickets first; the theory is on another page."
               "\n\nWhat mattered:\n\n- Rank: higher changed nothing.\n- Target modules: every "
               "linear layer.\n\nSetting it up is a few lines: …")
    with grimoire.open(db, create=False) as kb:
        said = [s for s in kb.said(kb.concept("Adapter setup")) if s.kind == "opening"]
    assert [s.text for s in said] == [opening]
    assert (said[0].span.start_line, said[0].span.end_line) == (1, 8)
    shown = CliRunner().invoke(main, ["--db", str(db), "show", "Adapter setup"])
    assert ("  What mattered:\n\n  - Rank: higher changed nothing.\n  - Target modules: every "
            "linear layer.\n\n  Setting it up is a few lines: …\n") in shown.stdout
    assert "After the code" not in shown.stdout
    app, kb = make_app(db)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            page = client.get("/c/Adapter setup").text
            css = client.get("/static/app.css").text
    finally:
        kb.close()
    assert f'<blockquote class="opening">{opening} <a class="where"' in page
    assert "blockquote.opening { white-space: pre-line; }" in css
    deck = tmp_path / "deck.apkg"  # the card `export anki` writes, of this concept alone
    with grimoire.open(db, create=False) as kb:
        assert anki.write([kb.concept("Adapter setup")], deck, said=kb.said) == 1
    with zipfile.ZipFile(deck) as z:
        (tmp_path / "c.db").write_bytes(z.read("collection.anki2"))
    with closing(sqlite3.connect(tmp_path / "c.db")) as cards:
        back = [f for (f,) in cards.execute("SELECT flds FROM notes")]
    assert ("What mattered:<br><br>- Rank: higher changed nothing.<br>- Target modules:"
            in back[0])


def test_mcp_places_nest_span_as_the_cli_and_the_web(db: Path) -> None:
    """MCP results named a place by flat `path`/`start_line`/`end_line` where `search --json`
    and /api/search nest `span`. Now each also carries `span`, the same record the CLI gives
    for the same hit; the flat fields stay for clients written against them, and the span
    opens the same lines through read_source."""
    cli = json.loads(CliRunner().invoke(main, ["--db", str(db), "search", "Stochastic Rounding",
                                               "--mode", "lexical", "-k", "3",
                                               "--json"]).stdout)
    kb = grimoire.open(db, create=False)

    async def session() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with Client(build_server(kb)) as client:
            found = (await client.call_tool("search", {"query": "Stochastic Rounding", "k": 3,
                                                       "mode": "lexical"})).structured_content
            shown = (await client.call_tool("show", {"name": "Adapter setup"})
                     ).structured_content
            lint = (await client.call_tool("lint", {"group": "wanted"})).structured_content
            first = found["results"][0]["span"]
            read = (await client.call_tool("read_source", first)).structured_content
            assert read["start_line"] == first["start_line"]
            return found, shown, lint

    try:
        found, shown, lint = anyio.run(session)
    finally:
        kb.close()
    assert [r["span"] for r in found["results"]] == [h["span"] for h in cli]
    for place in [*found["results"], *shown["sources"], *lint["findings"]]:
        # One serialization: the span nested, not again flat (round 45: +28-50% in size)
        assert set(place["span"]) == {"path", "start_line", "end_line"} and "path" not in place
    assert shown["sources"][0]["opening"]["end_line"] == 8  # a span alone stays a span


@pytest.mark.parametrize(("typed", "offered"), [
    ("sotchastic", "Stochastic Rounding"),  # 2nd and 3rd letters swapped
    ("stochastci", "Stochastic Rounding"),  # its beginning's run is cut at 200 names
    ("sotchastic rounding", "Stochastic Rounding"),
])
def test_a_typo_among_many_names_of_one_beginning_is_offered_the_name(
        db: Path, typed: str, offered: str) -> None:
    """On 40,000 names a beginning as common as "sto" (1,328 names) gave no offer: the run of
    its 3 letters is cut at its 200 shortest names, a letter's at 1,000, and "sot" is no
    beginning at all. `show`'s did-you-mean and the search box now read the runs of its
    first 5 letters too, and of the word with its 2nd and 3rd letters swapped."""
    with grimoire.open(db, create=False) as kb:
        with pytest.raises(NotFound) as caught:
            kb.concept(typed)
        assert offered in caught.value.suggestions
        assert offered in kb.suggest(typed[:8])  # the search box, half typed
    assert len(MANY) == 1200
