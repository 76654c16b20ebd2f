"""Round 35 (follow35): what qa35, a new user on two public note repositories, found left
over, each shape rebuilt here in our own words, on a real store through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from grimoire.cli import main
from tests.conftest import write_notes


def _ingested(tmp_path: Path, files: dict[str, str]) -> str:
    notes = write_notes(tmp_path / "notes", files)
    db = str(tmp_path / "kb.db")
    done = CliRunner().invoke(main, ["--db", db, "ingest", "--no-embed", str(notes)])
    assert done.exit_code == 0, done.output
    return db


def test_words_after_a_bracketed_acronym_that_head_the_name_stay_in_the_label(
        tmp_path: Path) -> None:
    # "Kullback-Leibler (KL) Divergence" was labelled `Kullback-Leibler (KL)`: every word
    # after the brackets was taken for a kind word. A kind word the acronym leaves out is
    # still dropped, and so is a word after a long form headed by a noun of action.
    db = _ingested(tmp_path, {
        "kl.md": "# Kullback-Leibler (KL) Divergence\n\nHow far one probability distribution "
                 "is from a second one, measured in bits or nats.\n",
        "roc.md": "# Receiver Operating Characteristic (ROC) Curve\n\nThe true positive rate "
                  "plotted against the false positive rate at every threshold.\n",
        "lora.md": "# Low-Rank Adaptation (LoRA) Fine-Tuning\n\nTrain two small matrices "
                   "whose product updates a frozen weight.\n",
        "rag.md": "# Retrieval-Augmented Generation (RAG) System\n\nA model answers after "
                  "reading passages a search found for the question.\n",
        "llm.md": "# Large Language (LLM) Model\n\nA model of text trained on a great many "
                  "documents.\n",
    })
    out = CliRunner().invoke(main, ["--db", db, "export", "jsonl", str(tmp_path / "c.jsonl")])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert sorted((r["label"], r["kind"]) for r in rows) == [
        ("Kullback-Leibler (KL) Divergence", None),
        ("Large Language (LLM) Model", None),
        ("Low-Rank Adaptation (LoRA)", "Fine-Tuning"),
        ("Receiver Operating Characteristic (ROC) Curve", None),
        ("Retrieval-Augmented Generation (RAG)", "System"),
    ]
    shown = CliRunner().invoke(main, ["--db", db, "show", "KL divergence", "--json"])
    assert json.loads(shown.output)["label"] == "Kullback-Leibler (KL) Divergence"


def test_show_and_lint_agree_on_a_link_into_a_folder_outside_the_notes(
        tmp_path: Path) -> None:
    # `show` listed `[the derivation](appendix/derivation.md)` as "wanted" while `lint` rightly
    # left it out: the folder holds none of the notes, so the page is somewhere not ingested.
    db = _ingested(tmp_path, {
        "dropout.md": "# Dropout\n\nDropout zeroes random units while training; see [the "
                      "derivation](appendix/derivation.md), [batch norm](batch-norm.md) and "
                      "[[Weight Decay]].\n",
        "layer-norm.md": "# Layer Norm\n\nLayer norm rescales each example over its "
                         "features.\n",
    })
    lint = CliRunner().invoke(main, ["--db", db, "lint", "--json"])
    said = json.dumps(json.loads(lint.output))
    assert "Weight Decay" in said and "batch-norm.md" in said
    assert "derivation" not in said
    shown = CliRunner().invoke(main, ["--db", db, "show", "Dropout"])
    assert shown.exit_code == 0, shown.output
    wanted = [line for line in shown.output.splitlines() if line.startswith("wanted")]
    assert len(wanted) == 1 and "Weight Decay" in wanted[0], shown.output
    assert "derivation" not in wanted[0]
    as_json = json.loads(CliRunner().invoke(main, ["--db", db, "show", "Dropout",
                                                   "--json"]).output)
    statuses = {m["href"] or m["target"]: m["status"] for m in as_json["links"]}
    assert statuses["appendix/derivation.md"] == "elsewhere"
    assert statuses["Weight Decay"] == "wanted"


def test_a_query_with_no_word_says_only_that_nothing_was_searched(tmp_path: Path) -> None:
    # `search '?!.'` on a store not yet embedded said how much semantic search covers, then
    # that nothing was searched: a note about vectors no search used.
    db = _ingested(tmp_path, {"dropout.md": "# Dropout\n\nRandomly zeroes activations while "
                                            "a network trains, so units cannot co-adapt.\n"})
    runner = CliRunner()
    for args in ([], ["--json"]):
        shown = runner.invoke(main, ["--db", db, "search", "?!.", *args])
        assert shown.exit_code == 0, shown.output
        assert "nothing was searched" in shown.stderr
        assert "semantic search covers" not in shown.stderr
        assert '"vectors"' not in shown.stderr
    worded = runner.invoke(main, ["--db", db, "search", "dropout"])
    assert "semantic search covers" in worded.stderr  # a real query still hears of them
