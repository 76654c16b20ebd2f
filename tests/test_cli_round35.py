"""Round 35 (qa35): what a new user running the commands on two public note repositories got
wrong (a folder of paper summaries, and an interview book kept with its built site), each
shape rebuilt here in our own words, on a real store through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from grimoire.cli import main
from tests.conftest import write_notes


def test_a_books_built_pages_are_not_read_beside_its_markdown(tmp_path: Path) -> None:
    # A GitBook/HonKit book keeps `_book/`, its chapters built into HTML, beside the Markdown:
    # every chapter was read twice (two concepts a page, "3.1.4 Compensation" beside
    # "Compensation", and a near-duplicate finding for each).
    book = write_notes(tmp_path / "book", {
        "book.json": '{"root": "./"}\n',
        "SUMMARY.md": "# Summary\n\n* [Early stopping](contents/early-stopping.md)\n",
        "contents/early-stopping.md": "## 4.2 Early stopping\n\nEarly stopping ends training "
                                      "when the validation loss has not improved for a few "
                                      "epochs in a row.\n",
        "_book/contents/early-stopping.html":
            "<html><head><title>Early stopping</title></head><body><main><h2>4.2 Early "
            "stopping</h2><p>Early stopping ends training when the validation loss has not "
            "improved for a few epochs in a row.</p></main></body></html>\n",
        "_book/index.html": "<html><head><title>Introduction</title></head><body><main>"
                            "<h1>Introduction</h1><p>A book of interview questions.</p>"
                            "</main></body></html>\n",
    })
    db = str(tmp_path / "kb.db")
    done = CliRunner().invoke(main, ["--db", db, "ingest", "--no-embed", str(book)])
    assert done.exit_code == 0, done.output
    listed = CliRunner().invoke(main, ["--db", db, "sources", "--json"])
    paths = [s["path"] for s in json.loads(listed.output)]
    assert paths and not [p for p in paths if "/_book/" in p], paths
    lint = CliRunner().invoke(main, ["--db", db, "lint", "--json"])
    assert "near-duplicate" not in lint.output


def test_graph_of_a_concept_without_links_says_it_has_none(tmp_path: Path) -> None:
    # `grimoire graph "Layer Normalization"` printed only "● Layer Normalization": it looked
    # cut short. Paper summaries link only to their papers.
    notes = write_notes(tmp_path / "papers", {
        "layer-norm.md": "## [Layer Normalization](https://example.org/paper)\n\nThe authors "
                         "normalise each unit over the features of one example, not over a "
                         "batch.\n",
        "dropout.md": "# Dropout\n\nDropout zeroes random units while training; see "
                      "[[Layer Normalization]].\n",
    })
    db = str(tmp_path / "kb.db")
    assert CliRunner().invoke(main, ["--db", db, "ingest", "--no-embed",
                                     str(notes)]).exit_code == 0
    lone = CliRunner().invoke(main, ["--db", db, "graph", "Dropout", "--depth", "1"])
    assert lone.exit_code == 0, lone.output
    assert "Layer Normalization" in lone.output
    assert "no link" not in lone.output
    write_notes(notes, {"dropout.md": "# Dropout\n\nDropout zeroes random units while training.\n"})
    assert CliRunner().invoke(main, ["--db", db, "ingest", "--no-embed",
                                     str(notes)]).exit_code == 0
    lone = CliRunner().invoke(main, ["--db", db, "graph", "Layer", "Normalization"])
    assert lone.exit_code == 0, lone.output
    assert "no link to or from another concept" in lone.output
    # depth 0 asks for the concept alone: nothing to explain
    alone = CliRunner().invoke(main, ["--db", db, "graph", "Dropout", "--depth", "0"])
    assert "no link" not in alone.output


def test_a_kind_word_that_heads_the_name_stays_in_the_label(tmp_path: Path) -> None:
    # A note "Generative Model" was shown everywhere (show, list of concepts, search results,
    # the web, exports) as "Generative", "Loss Function" as "Loss", and the paper "A Neural
    # Conversational Model" as "A Neural Conversational": "Model" and "Function" are kind
    # words a glossary writes after a name ("LangChain Python Module"). After a coined name
    # they are still dropped.
    notes = write_notes(tmp_path / "notes", {
        "generative.md": "# Generative Model\n\nA generative model learns how the inputs and "
                         "their labels are spread together, so it can draw new examples.\n",
        "loss.md": "# Loss Function\n\nA loss function scores how far a prediction lands from "
                   "its target.\n",
        "chat.md": "## [A Neural Conversational Model](https://example.org/chat)\n\nTLDR; The "
                   "authors train a sequence model on film dialogue and chat logs.\n",
        "gpt.md": "# GPT-4 Model\n\nA large model that reads text and images and writes text.\n",
        "terms.txt": "L#\nLabeling Service#\nA company or tool that has people mark examples "
                     "with their labels.\nSee also L\nLangChain Python Module#\nA library that "
                     "chains calls to language models with tools and memory.\nSee also L\n",
    })
    db = str(tmp_path / "kb.db")
    assert CliRunner().invoke(main, ["--db", db, "ingest", "--no-embed",
                                     str(notes)]).exit_code == 0
    out = CliRunner().invoke(main, ["--db", db, "export", "jsonl", str(tmp_path / "c.jsonl")])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert sorted((r["label"], r["kind"]) for r in rows) == [
        ("A Neural Conversational Model", None), ("GPT-4", "Model"),
        ("Generative Model", None), ("Labeling Service", None), ("LangChain", "Python Module"),
        ("Loss Function", None)]
    shown = CliRunner().invoke(main, ["--db", db, "show", "Generative Model", "--json"])
    assert json.loads(shown.output)["label"] == "Generative Model"
    found = CliRunner().invoke(main, ["--db", db, "search", "how far a prediction lands",
                                      "--mode", "lexical", "--json"])
    assert json.loads(found.output)[0]["concept"] == "Loss Function"
