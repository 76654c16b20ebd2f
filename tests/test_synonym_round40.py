"""Round 40 (synonym40): a note that opens by declaring itself a synonym of another concept
("Synonym for [[X]]." and then more) names X, whatever follows; its text stays a source of X.
The notes are our own words, on a real store (SQLite, and PostgreSQL in the suite's PostgreSQL
pass) through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from grimoire.cli import main
from tests.test_faces_round36 import ingested

NOTES = {
    ".obsidian/app.json": "{}\n",
    "sensitivity.md": "#metrics\n\nOf all the items that truly are positive, the share a "
                      "classifier catches.\n",
    "specificity.md": "Of all the items that truly are negative, the share a classifier leaves "
                      "alone.\n",
    # Opens as a synonym, then words of its own (a formula, a remark): a name of sensitivity.
    "hit rate.md": "#metrics\n\nSynonym for [[sensitivity|sensitivity]]. In symbols:\n\n"
                   "$$\\text{hit rate} = \\frac{TP}{TP + FN}$$\n\n"
                   "Plotted upward on a [[ROC curve|ROC curve]], against the false alarm "
                   "share.\n",
    "true negative share.md": "Another name for [[specificity|specificity]]. Screening "
                              "teams quote it when false alarms cost money.\n",
    # Narrowed to a context: no synonym, a concept of its own.
    "selectivity.md": "Synonym for [[specificity|specificity]] in the context of chemical "
                      "assays, where it counts the reagents that do not react.\n",
    # "See" then words of its own is a pointer, no synonym (round 37's rule, unchanged).
    "catch rate.md": "See [[sensitivity|sensitivity]]. Fishing fleets use the phrase for "
                     "something else entirely.\n",
}


def run(db: str, *args: str) -> str:
    done = CliRunner().invoke(main, ["--db", db, *args])
    assert done.exit_code == 0, done.output
    return done.output


def shown(db: str, name: str) -> dict[str, object]:
    return json.loads(run(db, "show", name, "--json"))  # type: ignore[no-any-return]


def test_a_note_opening_as_a_synonym_names_that_concept_and_keeps_its_text(
        tmp_path: Path) -> None:
    # Before: "hit rate" and "true negative share" were concepts of their own beside the one
    # they declare themselves synonyms of, so a description of sensitivity found two concepts.
    db, _ = ingested(tmp_path, NOTES)
    assert shown(db, "hit rate")["label"] == "sensitivity"
    assert shown(db, "true negative share")["label"] == "specificity"
    sensitivity = shown(db, "sensitivity")
    assert "hit rate" in {n["name"] for n in sensitivity["names"]}  # type: ignore[attr-defined]
    # The synonym's own words are one more source of the concept, with file and line.
    text = json.dumps(sensitivity)
    assert "hit rate.md" in text and "Plotted upward" in text, text
    assert shown(db, "selectivity")["label"] == "selectivity"
    assert shown(db, "catch rate")["label"] == "catch rate"
    listed = run(db, "list").splitlines()
    assert any(line.startswith("hit rate → sensitivity") for line in listed), listed
    # A description of the synonym's own words finds the concept, and no concept of its own.
    hits = json.loads(run(db, "search", "plotted upward on a ROC curve", "--mode", "lexical",
                          "--json"))
    labels = [h["concept"] for h in hits]
    assert labels[0] == "sensitivity" and "hit rate" not in labels, labels
    out = run(db, "show", "sensitivity")
    assert "hit rate" in out and "Plotted upward" in out, out
