"""Round 41 (faces41): round 40's leftovers on the faces. The notes are our own words, on a real
store (SQLite, and PostgreSQL in the suite's PostgreSQL pass) through the public API, the CLI,
the web app and the MCP client."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from grimoire.errors import NotFound
from tests.test_faces_round39 import _mcp
from tests.web.conftest import make_app

# A lookup that misses offers the concepts nearest to it: a name the query begins, a name
# holding its words, a near spelling.
NOTES = {
    "Lasso Regression.md": "# Lasso Regression\n\nA linear model fitted with a penalty on the "
                           "absolute size of its weights, which sets some of them to zero.\n",
    "Ridge Regression.md": "# Ridge Regression\n\nA linear model fitted with a penalty on the "
                           "squared size of its weights, which shrinks all of them.\n",
    "KL Divergence.md": "# KL Divergence\n\nHow far one probability distribution is from a "
                        "second one, in expected extra bits.\n",
    "Transformer.md": "# Transformer\n\nA network built of attention layers and small "
                      "feed-forward layers, with no recurrence.\n",
    "Penalties.md": "# Penalties\n\nA weight penalty keeps a regression model small; see "
                    "[[Lasso Regression]] and [[Ridge Regression]].\n",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("faces41")
    notes = folder / "notes"
    notes.mkdir()
    for name, body in NOTES.items():
        (notes / name).write_text(body, encoding="utf-8")
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    yield path


def _offered(db: Path, name: str) -> tuple[str, ...]:
    with grimoire.open(db, create=False) as kb, pytest.raises(NotFound) as caught:
        kb.concept(name)
    return caught.value.suggestions


@pytest.mark.parametrize(("name", "first"), [
    ("lasso", "Lasso Regression"),  # the first word of a longer name
    ("kl div", "KL Divergence"),  # each word begins the name's word at its place
    ("transfomer", "Transformer"),  # a typo
    ("lasso regresion", "Lasso Regression"),  # a typo in one word of two
])
def test_a_lookup_that_misses_offers_the_nearest_concept(db: Path, name: str, first: str) -> None:
    # Before: `show lasso` said "no concept named 'lasso'" and offered nothing, though
    # "Lasso Regression" was there (round 40); "kl div" offered nothing either.
    assert _offered(db, name)[:1] == (first,)


def test_a_word_of_longer_names_offers_each_of_them(db: Path) -> None:
    # "regression" is a word of two names, and a word of no name is offered nothing.
    assert set(_offered(db, "regression")[:2]) == {"Lasso Regression", "Ridge Regression"}
    assert _offered(db, "gradient") == ()
    with grimoire.open(db, create=False) as kb:
        assert kb.suggest_concepts("lasso")[:1] == ("Lasso Regression",)


def test_every_face_offers_the_nearest_concept(db: Path) -> None:
    got = CliRunner().invoke(main, ["--db", str(db), "show", "lasso", "--json"])
    assert got.exit_code == 1, got.output
    assert json.loads(got.stdout)["suggestions"][:1] == ["Lasso Regression"]
    got = CliRunner().invoke(main, ["--db", str(db), "show", "lasso"])
    assert got.exit_code != 0 and "did you mean: Lasso Regression" in got.output, got.output

    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/c/lasso")
        api = client.get("/api/c/lasso")
    kb.close()
    assert page.status_code == 404 and 'href="/c/Lasso%20Regression"' in page.text
    assert api.json()["suggestions"][:1] == ["Lasso Regression"]

    reply, = _mcp(db, [("show", {"name": "lasso"})])
    assert reply.is_error and "Lasso Regression" in str(reply.content)


# A long note with a short tail: the card folded away its last line ("Further reading" and
# one link, 17 words on round 40's Early Stopping page) behind a "Show the rest".
_PARAGRAPH = ("Gradient noise scale sets how large a batch can grow before each extra example "
              "stops paying for itself; past it the steps are no better, only dearer. ")
LONG_TAIL = {
    "Batch Size.md": "# Batch Size\n\n" + "\n\n".join(_PARAGRAPH * 3 for _ in range(5))
                     + "\n\nFurther reading\n\n- [[Lasso Regression]]\n",
    "Learning Rate.md": "# Learning Rate\n\n" + "\n\n".join(_PARAGRAPH * 2 for _ in range(20))
                        + "\n",
}


@pytest.fixture(scope="module")
def folds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("faces41folds")
    notes = folder / "notes"
    notes.mkdir()
    for name, body in {**NOTES, **LONG_TAIL}.items():
        (notes / name).write_text(body, encoding="utf-8")
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    yield path


def test_a_card_folds_only_when_the_fold_saves_a_real_amount(folds: Path) -> None:
    app, kb = make_app(folds)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        short = client.get("/c/Batch Size").text
        long = client.get("/c/Learning Rate").text
    kb.close()
    # Before: "Show the rest (4 more words)" hid the tail of Batch Size.
    assert "Show the rest" not in short and "Further reading" in short
    # A tail of a dozen paragraphs is still folded.
    assert re.search(r"Show the rest \(\d[\d,]* more words\)", long)


def test_the_exported_site_is_portable(folds: Path, tmp_path: Path) -> None:
    # Before: every source's place was a file:// URI of the exporter's disk, which led
    # nowhere on another machine or a web host, and spelt out the exporter's home folder.
    notes = (folds.parent / "notes").resolve()
    (notes / "Shrinkage.md").write_text(
        "# Shrinkage\n\nShrinkage pulls a model's weights toward zero, as the "
        "[lasso note](Lasso%20Regression.md) and [a paper](papers/lasso.pdf) (never "
        "ingested) describe.\n", encoding="utf-8")
    with grimoire.open(folds, create=False) as kb:
        kb.ingest([notes], embed=False)
        kb.export("site", tmp_path / "site")
    site = tmp_path / "site"
    pages = list(site.rglob("*.html"))
    assert (site / "s").is_dir()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "file:" not in html and str(notes) not in html, page
        for link in re.findall(r'href="([^"]*)"', html):
            if link.startswith(("http", "#")) or not link:
                continue
            assert (page.parent / link.split("#")[0]).is_file(), (page, link)
    shrinkage = next(p for p in (site / "c").iterdir() if p.name.startswith("shrinkage"))
    cited = re.search(r'class="where" href="\.\./s/(shrinkage-md-[0-9a-f]{8}\.html)#L1"',
                      shrinkage.read_text(encoding="utf-8"))
    assert cited is not None
    source = (site / "s" / cited[1]).read_text(encoding="utf-8")
    assert '<p class="dim path">Shrinkage.md</p>' in source and 'id="L3"' in source


def test_a_stopped_watcher_does_not_wait_for_a_long_read(tmp_path: Path) -> None:
    # Before: a stop (Ctrl-C of `serve --watch` sets it) waited for the long read under way:
    # `serve --watch` took 20.6 s to stop during the long read of a 13 MB note (round 41).
    # The read writes its file in one transaction of its own: a process that ends then
    # stores nothing of it (the next start reads it again).
    from tests.test_faces_round40 import _read_of
    from tests.test_watch import Running, WatchOptions

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "short.md").write_text("# Short\n\nThe short note says WALLABY-8.\n",
                                     encoding="utf-8")
    run = Running(tmp_path / "kb.db", folder, WatchOptions(
        debounce_ms=300, step_ms=50, reconcile_s=3600, embed=False, settle_ms=0,
        long_read_bytes=128 << 10))
    try:
        big = tmp_path / "big.md"  # written whole elsewhere, then moved in: one event
        big.write_text("# Long Note\n\n" + "".join(
            f"## Part {i}\n\nSection {i} of a long note, about nothing in particular, with "
            f"enough words to make a passage of its own ({i}).\n\n" for i in range(10000)),
            encoding="utf-8")
        big.rename(folder / "big.md")
        run.eventually(lambda: getattr(run.watcher, "_long_pending", None)
                       or _read_of(run.batches, "big.md"), "the long read begun (or done)")
        run.stop.set()
        run.thread.join(60)
        assert not run.thread.is_alive()
        # the watcher stopped with the read under way, and nothing of the note is stored
        assert "big.md" not in run.paths()
        assert not [e for e in run.kb.entries() if e.entry.span.path.endswith("big.md")]
    finally:
        run.close()
