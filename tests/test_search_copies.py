"""One paragraph copied into many files is one result, not a page of them (search.COPIES,
round 40): a course's assignment page kept for each year filled `search dropout` with one
text (qa39, cs231n). Notes we wrote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from tests.conftest import ingested, notes_store

YEARS = (2019, 2020, 2021, 2022, 2023)

# The same assignment section each year; only the points and the year change.
ASSIGNMENT = """\
# Assignment 2 ({year})

## Q3: Dropout ({points} points)

The notebook Dropout.ipynb walks you through writing dropout yourself and checking how it
changes the way your network generalizes to new images.

## Q4: Batch normalization

The notebook BatchNorm.ipynb has you write the forward and backward passes of batch
normalization and compare training with and without it.
"""

# The lecture's paragraph: longer, so bm25 puts each short copy above it.
LECTURE = """\
# Regularization

## Dropout

Dropout is a regularization method for neural networks: during training every neuron is kept
with some probability p and set to zero otherwise, so each step trains a thinned network drawn at
random. At test time all neurons are kept and the activations are scaled by p, which averages
the many thinned networks. It keeps units from relying on one another and works alongside
weight decay and early stopping to reduce overfitting in large models.
"""

# Two one-line glosses that happen to agree: short texts are two results, never folded.
GLOSS_A = "# Terms A\n\n## Ridge\n\nA penalty on large weights added to the loss.\n"
GLOSS_B = "# Terms B\n\n## Weight decay\n\nA penalty on large weights added to the loss.\n"


def write_notes(folder: Path) -> list[Path]:
    files = []
    for n, year in enumerate(YEARS):
        path = folder / str(year) / "assignment2.md"
        path.parent.mkdir(parents=True)
        path.write_text(ASSIGNMENT.format(year=year, points=10 + n), encoding="utf-8")
        files.append(path)
    for name, text in (("regularization.md", LECTURE), ("terms_a.md", GLOSS_A),
                       ("terms_b.md", GLOSS_B)):
        (folder / name).write_text(text, encoding="utf-8")
        files.append(folder / name)
    return files


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    folder = tmp_path_factory.mktemp("copies-notes")
    yield from notes_store(tmp_path_factory, "search-copies", write_notes(folder))


def copied(hits: list[grimoire.model.Hit]) -> list[grimoire.model.Hit]:
    return [h for h in hits if "Dropout.ipynb" in h.text]


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_copies_of_one_paragraph_are_one_result(course: grimoire.Grimoire, mode: str) -> None:
    hits = course.search("dropout", k=3, mode=mode)
    shown = [(h.span.path, h.heading_path) for h in hits]
    # One of the five copies, the other four listed on it, and the lecture's paragraph.
    assert len(copied(hits)) == 1, shown
    copy = copied(hits)[0]
    others = {Path(s.path).parent.name for s in copy.copies}
    assert others == {str(y) for y in YEARS} - {Path(copy.span.path).parent.name}
    assert all(s.start_line == 5 for s in copy.copies)
    assert any(h.span.path.endswith("regularization.md") for h in hits), shown


def test_a_page_of_copies_is_filled_by_other_results(course: grimoire.Grimoire) -> None:
    # Five copies fold into one: the page is still k results, the next ones move up.
    hits = course.search("dropout", k=4)
    assert len(hits) == 4
    assert len({h.passage_id for h in hits}) == 4
    assert len(copied(hits)) == 1


def test_short_passages_that_agree_stay_two_results(course: grimoire.Grimoire) -> None:
    hits = course.search("penalty on large weights", k=5, mode="lexical")
    glosses = [h for h in hits if "penalty on large weights" in h.text]
    assert len(glosses) == 2, [(h.span.path, h.concept) for h in hits]
    assert all(not h.copies for h in glosses)


def test_the_cli_says_where_the_copies_are(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    files = write_notes(tmp_path / "notes")
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(db), "ingest", "--no-embed",
                                  *[str(f) for f in files]])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--db", str(db), "search", "dropout", "-k", "3",
                                  "--mode", "lexical"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Dropout.ipynb") == 1, result.output
    assert "also in 4 other files: " in result.output, result.output
    result = runner.invoke(main, ["--db", str(db), "search", "dropout", "-k", "3",
                                  "--mode", "lexical", "--json"])
    hits = json.loads(result.stdout)
    assert sorted(len(h["copies"]) for h in hits) == [0, 4], hits  # the lecture, the copies
    copy = next(h for h in hits if h["copies"])
    assert set(copy["copies"][0]) == {"path", "start_line", "end_line"}


def test_ask_s_search_keeps_every_copy(course: grimoire.Grimoire) -> None:
    # Ask weighs each passage itself: the searcher's own default lists the copies.
    hits = course.searcher.search("dropout", k=3, mode="lexical")
    assert len(copied(hits)) == 2
    assert all(not h.copies for h in hits)


def test_mcp_search_names_the_copies(course: grimoire.Grimoire) -> None:
    import anyio
    from mcp import Client

    from grimoire.mcp_server import build_server

    async def session() -> list[dict[str, object]]:
        async with Client(build_server(course)) as client:
            found = await client.call_tool("search", {"query": "dropout", "k": 3,
                                                      "mode": "lexical"})
            assert not found.is_error, found.content
            assert isinstance(found.structured_content, dict)
            results: list[dict[str, object]] = found.structured_content["results"]
            return results

    results = anyio.run(session)
    also = [r["also_in"] for r in results if "also_in" in r]
    assert len(also) == 1 and isinstance(also[0], list) and len(also[0]) == 4, results
    assert {"path", "start_line", "end_line"} == set(also[0][0])


def test_one_template_filled_in_for_several_concepts_is_no_copy(tmp_path: Path) -> None:
    # review40b: notes written from one template, each naming its own concept, were folded
    # into one result, two of the three concepts hidden as its copies.
    template = ("# {name}\n\n{name} is an activation function that the network applies "
                "elementwise to the output of every hidden layer during the forward pass, "
                "before the next layer reads it.\n")
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("Sigmoid", "Tanh", "Softplus"):
        (folder / f"{name.lower()}.md").write_text(template.format(name=name), encoding="utf-8")
    with ingested(tmp_path / "kb.db", folder, embed=False) as kb:
        hits = kb.search("activation function applied elementwise", k=5, mode="lexical")
    assert sorted(h.concept or "" for h in hits) == ["Sigmoid", "Softplus", "Tanh"], \
        [(h.concept, h.copies) for h in hits]
    assert all(not h.copies for h in hits)
