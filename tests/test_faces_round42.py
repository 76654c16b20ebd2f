"""Round 42 (faces42): the faces' name offers on a store with many names, found through the
store's indexes and never by reading every name (issue 14); a typo inside one word of a
longer name; the site export. The notes are our own words, on a real store (SQLite, and
PostgreSQL in the suite's PostgreSQL pass) through the public API, the CLI and the web app."""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from grimoire.errors import NotFound
from grimoire.resolve import view
from tests.conftest import write_notes
from tests.web.conftest import make_app

# 1,500 made-up names (three words each), and a few that the checks look for among them.
_FIRST = ["Sparse", "Dense", "Causal", "Latent", "Robust", "Greedy", "Masked", "Gated",
          "Shallow", "Noisy"]
_SECOND = ["Kernel", "Encoder", "Decoder", "Sampler", "Tokenizer", "Scheduler", "Optimizer",
           "Regularizer", "Estimator", "Router", "Probe", "Buffer", "Critic", "Planner",
           "Embedder"]
_THIRD = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Theta", "Kappa", "Lambda",
          "Sigma"]
MANY = [" ".join(words) for words in itertools.product(_FIRST, _SECOND, _THIRD)]
NAMED = ["Stochastic Gradient Descent", "Attention Mechanism", "LoRA",
         # "Snorkel" is this concept's label (its kind word dropped) but none of its names
         "Snorkel Python Module", "Snorkel Model"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("faces42")
    glossary = "".join(f"{term}#\nA made-up term, number {i} of a long list of names.\n\n"
                       for i, term in enumerate(MANY + NAMED))
    notes = write_notes(folder / "notes", {
        "glossary.txt": glossary,
        "reading.md": "# Reading list\n\nSee [[Stochastic Gradiant Descent]] first, then "
                      "[[Atention Mechanism]].\n",
    })
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
        assert len(kb.concepts()) == len(MANY) + len(NAMED) + 1  # the reading list's title
    yield path


def _every_row_of(kb: Any, tables: tuple[str, ...], call: Callable[[], Any]) -> list[str]:
    """The statements `call` ran that read one of `tables` with no WHERE: every row of it
    (SQLite's own record of what it ran; an empty list on PostgreSQL, which is not traced)."""
    conn = getattr(kb.store, "conn", None)
    if not isinstance(conn, sqlite3.Connection):
        call()
        return []
    ran: list[str] = []
    conn.set_trace_callback(ran.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    names = "|".join(tables)
    return [s for s in ran if re.search(rf"\bFROM\s+({names})\b", s)
            and not re.search(r"\bWHERE\b", s)]


def _offered(kb: Any, name: str) -> tuple[str, ...]:
    with pytest.raises(NotFound) as caught:
        kb.concept(name)
    return caught.value.suggestions


@pytest.mark.parametrize(("typed", "offered"), [
    ("gradint descent", "Stochastic Gradient Descent"),  # a typo in a word inside the name
    ("stochastic gradint descent", "Stochastic Gradient Descent"),  # the whole name misspelt
    ("attension", "Attention Mechanism"),  # a typo in the first word of a longer name
    ("lora adaptr", None),  # no word of a name near "adaptr": nothing made up
])
def test_a_typo_inside_one_word_of_a_longer_name_is_offered_the_name(
        db: Path, typed: str, offered: str | None) -> None:
    with grimoire.open(db, create=False) as kb:
        kb.concept("LoRA")  # the tables fresh: what follows is the lookup alone
        found: list[tuple[str, ...]] = []
        full = _every_row_of(kb, ("concept_names", "concepts", "entry_names"),
                             lambda: found.append(_offered(kb, typed)))
    assert (offered in found[0]) if offered else found[0] == ()
    assert full == []


def test_a_label_with_its_kind_dropped_is_found_without_reading_every_concept(db: Path) -> None:
    with grimoire.open(db, create=False) as kb:
        kb.concept("LoRA")
        found: list[Any] = []
        full = _every_row_of(kb, ("concept_names", "concepts", "entry_names"),
                             lambda: found.append(kb.concept("snorkel")))
    assert (found[0].label, found[0].kind) == ("Snorkel", "Python Module")
    assert full == []  # main read every concept's label on this miss of the names


def test_lint_offers_the_names_it_meant_without_reading_every_name(db: Path) -> None:
    with grimoire.open(db, create=False) as kb:
        kb.concept("LoRA")
        pages: list[Any] = []
        full = _every_row_of(kb, ("concept_names", "entry_names"),
                             lambda: pages.extend(view.wanted_pages(kb.store)))
        links = view.dead_links(kb.store)
    assert {p.name: p.suggestions for p in pages} == {
        "Stochastic Gradiant Descent": ("Stochastic Gradient Descent",),
        "Atention Mechanism": ("Attention Mechanism",)}
    assert {d.target: d.suggestions for d in links} == {
        "Stochastic Gradiant Descent": ("Stochastic Gradient Descent",),
        "Atention Mechanism": ("Attention Mechanism",)}
    assert full == []  # main read all 1,506 names once per wanted page
    out = CliRunner().invoke(main, ["--db", str(db), "lint"])
    assert "did you mean Stochastic Gradient Descent?" in out.output


def test_the_search_box_offers_names_without_reading_every_name(db: Path) -> None:
    with grimoire.open(db, create=False) as kb:
        kb.concept("LoRA")
        offers: list[tuple[str, ...]] = []
        full = _every_row_of(kb, ("concept_names", "entry_names"),
                             lambda: offers.append(kb.suggest("lor")))
        assert kb.suggest("lora")[0] == "LoRA"  # a whole name typed is offered first
        assert "Attention Mechanism" in kb.suggest("attensio")  # half typed, misspelt
        assert "Stochastic Gradient Descent" in kb.suggest("stochastic gradint")
    assert "LoRA" in offers[0]
    assert full == []  # main scored every entry name per keystroke
    app, web_kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/typeahead", params={"q": "attension"})
    web_kb.close()
    assert page.status_code == 200
    assert "Attention Mechanism" in page.text


def test_show_offers_the_longer_name_for_a_typo_in_one_word(db: Path) -> None:
    out = CliRunner().invoke(main, ["--db", str(db), "show", "gradint descent"])
    assert out.exit_code == 1
    assert "Stochastic Gradient Descent" in out.output


# -- the site export: the same pages, less work ---------------------------------------------------

_LOOP = ("{% for n, line in rendered %}<div class=\"line{{ ' hl' if lo <= n <= hi }}\" "
         "id=\"L{{ n }}\"><a class=\"ln\" href=\"#L{{ n }}\" aria-label=\"{{ unit }} {{ n }}\">"
         "{{ 'p. ' if unit == 'page' }}{{ n }}</a><span class=\"text\">{{ line }}</span></div>\n"
         "{% endfor %}")


@pytest.mark.no_store
@pytest.mark.parametrize(("fmt", "unit"), [("markdown", "line"), ("rst", "line"),
                                           ("pdf", "page")])
def test_a_source_page_numbers_its_lines_as_the_template_loop_did(fmt: str, unit: str) -> None:
    # The source page's lines are written by `render.numbered` (the served page and the site
    # export alike), no longer by a Jinja loop: byte for byte what round 41's loop wrote.
    from jinja2 import Environment

    from grimoire.web.render import Renderer, numbered, render_note

    lines = ("# Softmax <b>", "", "Turns scores into $p_i = e^{z_i} / \\sum_j e^{z_j}$ & more.",
             "", "`code < 3`", "")
    rendered = render_note(Renderer(), fmt, lines, unit)
    loop = Environment(autoescape=True).from_string(_LOOP)
    for lo, hi in ((0, -1), (3, 3), (2, 5)):
        assert str(numbered(rendered, unit, lo, hi)) == loop.render(
            rendered=rendered, unit=unit, lo=lo, hi=hi)


@pytest.mark.no_store  # the child opens a SQLite file in either pass
def test_export_site_needs_no_web_server(tmp_path: Path) -> None:
    # `export site` renders with the web UI's templates and renderer; importing the server
    # (FastAPI, Starlette, pydantic) was a third of its time on a 500-page vault.
    import subprocess
    import sys

    notes = write_notes(tmp_path / "notes", {
        "Softmax.md": "# Softmax\n\nTurns scores into probabilities: $e^{z_i} / \\sum_j "
                      "e^{z_j}$. See [[Logits]].\n",
        "Logits.md": "# Logits\n\nThe scores a model writes before [[Softmax]].\n",
    })
    script = ("import sys, grimoire\n"
              f"with grimoire.open({str(tmp_path / 'kb.db')!r}) as kb:\n"
              f"    kb.ingest([{str(notes)!r}], embed=False)\n"
              f"    kb.export('site', {str(tmp_path / 'site')!r})\n"
              "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
    page = next((tmp_path / "site" / "c").glob("softmax-*.html")).read_text(encoding="utf-8")
    assert "Turns scores into probabilities" in page and "<math" in page
