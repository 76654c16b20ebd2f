"""Round 36 (follow36f): a Jekyll glossary of term pages, as qa36 met it, rebuilt with term
pages of our own words: names a title or a definition states find the page, a front
matter's related-term slugs read as the concepts they name, and "Mentioned in" quotes words,
not Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from tests.web.conftest import make_app

PAGES = {
    "rmsprop-optimizer.md": (
        "---\ntitle: RMSP Optimizer\nrelated_terms:\n- momentum-method\n- learning-rate\n"
        "- adaptive-steps\n---\n"
        "RMSP, or Root Mean Square Propagation, divides each step by a running average of "
        "recent squared gradients.\n"),
    "momentum-method.md": (
        "---\ntitle: Momentum method\nrelated_terms:\n- rmsprop-optimizer\n---\n"
        "Momentum keeps a running sum of past steps. Unlike [RMSP][1], it does not rescale "
        "each weight.\n\n[1]: /terms/rmsprop-optimizer/\n"),
    "learning-rate.md": (
        "---\ntitle: Learning rate\n---\nThe learning rate scales each step; an optimiser "
        "such as [RMSP]({% link terms/rmsprop-optimizer.md %}) adapts it per weight.\n"),
    "rms-propagation.md": (
        "---\ntitle: RMS propagation\nlayout: redirect\ndestination: rmsprop-optimizer\n---\n"),
    "adaptive-steps.md": (
        "---\ntitle: Step sizes per weight\n---\nSome optimisers give every weight a step "
        "size of its own.\n"),
    "step-rule.md": (
        "---\ntitle: Plain step rule\n---\nEach weight moves against its gradient:\n\n"
        "$$w_{t+1} = w_t - \\eta \\nabla L(w_t)$$\n"),
    "plain-steps.md": (
        "---\ntitle: Plain steps (update rule)\nlayout: redirect\ndestination: step-rule\n---\n"),
    "2-step-gradient-clipping-2-step-gc.md": (
        "---\ntitle: 2-step Gradient Clipping (2-step GC)\n---\nClipping done in two "
        "passes: first per layer, then over the whole model.\n"),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jekyll")
    terms = root / "terms"
    terms.mkdir()
    for name, text in PAGES.items():
        (terms / name).write_text(text, encoding="utf-8")
    path = root / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([terms], embed=False)
    return path


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c
    kb.close()


def _show(db: Path, *name: str) -> str:
    done = CliRunner().invoke(main, ["--db", str(db), "show", *name])
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("name", ["RMSP", "rmsp", "Root Mean Square Propagation"])
def test_the_acronym_a_definition_opens_with_finds_its_page(db: Path, name: str) -> None:
    # "RMSP Optimizer" whose definition opens "RMSP, or Root Mean Square Propagation, ...":
    # `show RMSP` said no concept was named so.
    assert "RMSP Optimizer" in _show(db, name).splitlines()[0]


def test_a_bracketed_short_form_repeating_the_title_s_first_word_finds_it(db: Path) -> None:
    # "(2-step GC)" repeats "2-step" and abbreviates the rest: it was read as a qualifier.
    for name in ("2-step GC", "2-step Gradient Clipping"):
        assert "2-step Gradient Clipping (2-step GC)" in _show(db, name).splitlines()[0]


def test_related_term_slugs_read_as_the_concepts_they_name(db: Path, client: TestClient) -> None:
    out = _show(db, "RMSP")
    # the last slug names its page only by the file's name, not by the page's title
    assert "see also: Momentum method, Learning rate, Step sizes per weight" in out, out
    page = client.get("/c/RMSP Optimizer").text
    see = re.search(r'<p class="see">.*?</p>', page, re.S)
    assert see is not None
    assert ">Momentum method</a>" in see.group(0) and ">Learning rate</a>" in see.group(0)
    assert ">Step sizes per weight</a>" in see.group(0)
    assert "momentum-method" not in re.sub(r'href="[^"]*"', "", see.group(0))


def test_mentioned_in_quotes_a_link_s_words_not_its_markdown(client: TestClient) -> None:
    page = client.get("/c/RMSP Optimizer").text
    mentions = page[page.index("<h2>Mentioned in</h2>"):]
    mentions = mentions[:mentions.index("</section>")]
    quotes = " ".join(re.findall(r"<blockquote>(.*?)</blockquote>", mentions, re.S))
    assert "it does not rescale" in quotes and "adapts it per weight" in quotes
    for raw in ("[RMSP]", "[1]", "{%", "link terms/"):
        assert raw not in quotes, quotes
    # a related-terms line of front matter is a slug: no quote of it
    assert "rmsprop-optimizer" not in re.sub(r'href="[^"]*"', "", quotes)


def test_a_redirect_reads_as_the_concept_it_reached(db: Path) -> None:
    # `destination: rmsprop-optimizer` was shown as that slug by `list` and `show`.
    done = CliRunner().invoke(main, ["--db", str(db), "list"])
    assert "RMS propagation → RMSP Optimizer\t" in done.output, done.output
    assert "→ rmsprop-optimizer" not in done.output
    out = _show(db, "RMS propagation")
    assert "redirect: RMS propagation → RMSP Optimizer" in out, out


def test_a_formula_the_definition_printed_is_not_listed_again(db: Path) -> None:
    out = _show(db, "Plain step rule")
    assert out.count("w_{t+1} = w_t") == 1, out


def test_show_names_a_related_terms_mention_without_its_slug(db: Path) -> None:
    out = _show(db, "RMSP")
    mentions = out[out.index("mentioned in"):]
    assert "momentum-method.md:4 in its related terms" in mentions, mentions
    assert "as 'rmsprop-optimizer'" not in mentions


def test_a_redirect_is_found_by_the_names_its_title_states(db: Path) -> None:
    # "Plain steps (update rule)" redirects to step-rule.md (a slug, no title): `show` by its
    # name without the aside found nothing.
    assert "Plain step rule" in _show(db, "Plain steps").splitlines()[0]
