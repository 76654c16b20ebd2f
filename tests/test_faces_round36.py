"""Round 36 (faces36): what a link is, given once by resolve and read by every face.

A file link to no note is a dead link (a path to fix) on every face, one into a folder that
holds none of the notes leads "elsewhere" (a page of a site not copied here), and only a name
nobody defines is a wanted page; a store resolved by older rules is resolved again once; a
kind word the label keeps is no name to leave out. The notes are our own words, on a real
store (SQLite, and PostgreSQL in the suite's PostgreSQL pass) through the real CLI."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import Tools
from grimoire.names import term_names
from grimoire.resolve import build
from grimoire.resolve.merge import labelled
from grimoire.store.concept_records import MATCHING_ONLY
from tests.conftest import write_notes

DROPOUT = ("# Dropout\n\nDropout zeroes random units while training; see [the derivation]"
           "(appendix/derivation.md), [batch norm](batch-norm.md), [layer norm](layer-norm.md) "
           "and [[Weight Decay]].\n")
GLOSSARY = """<!DOCTYPE html>
<html><head><title>Glossary</title></head><body>
<h1>Glossary</h1>
<dl>
<dt>Weight Decay</dt>
<dd>A penalty on the size of the weights added to the loss, so that large weights cost more.
See also <a href="../training/schedules.html">learning rate schedules</a>,
<a href="regularisation.html">regularisation</a> and <a href="layer-norm.md">layer norm</a>.</dd>
</dl>
</body></html>
"""
NOTES = {
    "dropout.md": DROPOUT,
    "layer-norm.md": "# Layer Norm\n\nLayer norm rescales each example over its features.\n",
    "glossary.html": GLOSSARY,
    "papers/chatbot.md": "# A Neural Conversational Model\n\nA paper that trains a sequence "
                         "model on whole dialogues so that it answers in turn.\n",
    "papers/generative.md": "# Generative Model\n\nA model of how the data came about, from "
                            "which new examples can be drawn.\n",
}


def ingested(tmp_path: Path, files: dict[str, str] = NOTES) -> tuple[str, Path]:
    notes = write_notes(tmp_path / "notes", files)
    db = str(tmp_path / "kb.db")
    done = CliRunner().invoke(main, ["--db", db, "ingest", "--no-embed", str(notes)])
    assert done.exit_code == 0, done.output
    return db, notes


def statuses(db: str, name: str) -> dict[str, str]:
    shown = CliRunner().invoke(main, ["--db", db, "show", name, "--json"])
    assert shown.exit_code == 0, shown.output
    return {m["href"] or m["target"]: m["status"] for m in json.loads(shown.output)["links"]}


def test_resolve_stores_what_a_file_link_is(tmp_path: Path) -> None:
    # Before: the store said "wanted" for all three file links, and `Grimoire.concept` alone
    # relabelled the one out of the notes after reading every source; lint, MCP and the
    # exports read the store.
    db, _ = ingested(tmp_path)
    with grimoire.open(db) as kb:
        kb.refresh()
        stored = {use.href: status for status in ("wanted", "dead", "elsewhere")
                  for use in kb.store.unresolved_links(status) if use.href}
    assert stored["appendix/derivation.md"] == "elsewhere"
    assert stored["../training/schedules.html"] == "elsewhere"
    assert stored["batch-norm.md"] == "dead"
    assert stored["regularisation.html"] == "dead"
    expected = {"appendix/derivation.md": "elsewhere", "batch-norm.md": "dead",
                "layer-norm.md": "resolved", "Weight Decay": "resolved"}
    assert statuses(db, "Dropout") == expected
    # The export reads the same statuses, and MCP names no concept by a file link.
    out = tmp_path / "c.jsonl"
    assert CliRunner().invoke(main, ["--db", db, "export", "jsonl", str(out)]).exit_code == 0
    rows = {r["label"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert {m["href"] or m["target"]: m["status"] for m in rows["Dropout"]["links"]} == expected
    with grimoire.open(db) as kb:
        told = Tools(kb, threading.Lock()).show("Dropout")
    assert told["links"] == ["Layer Norm", "Weight Decay"] and told["wanted"] == []
    assert told["dead_links"] == ["batch-norm.md"]


def test_a_missing_file_in_the_notes_is_a_dead_link_on_every_face(tmp_path: Path) -> None:
    # `show` listed `[batch norm](batch-norm.md)` as a wanted page while lint called it a
    # dead link: it is a path to fix (a typo, a file renamed), not a concept to write up.
    db, _ = ingested(tmp_path, {**NOTES, "dropout.md": DROPOUT.replace("[[Weight Decay]]",
                                                                       "[[Max Norm]]")})
    shown = CliRunner().invoke(main, ["--db", db, "show", "Dropout"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    wanted = [line for line in lines if line.startswith("wanted")]
    dead = [line for line in lines if line.startswith("dead links")]
    assert len(wanted) == 1 and "Max Norm" in wanted[0] and "batch-norm" not in wanted[0], lines
    assert len(dead) == 1 and "batch-norm.md" in dead[0] and "derivation" not in dead[0], lines
    lint = json.loads(CliRunner().invoke(main, ["--db", db, "lint", "--json"]).output)
    findings = [(f["group"], f["message"]) for group in lint.values() for f in group]
    dead_links = [m for g, m in findings if g == "dead-link"]
    assert any("batch-norm.md" in m for m in dead_links)
    assert any("regularisation.html" in m for m in dead_links)
    assert not any("derivation" in m or "schedules" in m for _, m in findings)
    with grimoire.open(db) as kb:
        assert [p.name for p in kb.wanted()] == ["Max Norm"]
        assert [m.written for m in kb.concept("Dropout").dead] == ["batch-norm.md"]


def test_a_store_resolved_by_older_rules_is_resolved_again_once(tmp_path: Path) -> None:
    # A store resolved before this round holds "wanted" for every file link to no note, and
    # the fingerprint older code wrote (""): opened, it is resolved again, once.
    db, _ = ingested(tmp_path)
    with grimoire.open(db) as kb:
        kb.refresh()
        store = kb.store
        with store.resolving():
            result = build(store.resolve_input())
            old = replace(result, links=[
                replace(t, status="wanted") if t.status in ("dead", "elsewhere") else t
                for t in result.links])
            store.write_resolution(old, "")
        assert not store.unresolved_links("elsewhere")
    with grimoire.open(db) as kb:
        assert kb.refresh() is not None  # the older rules' tables are resolved again
        assert {use.href for use in kb.store.unresolved_links("elsewhere")} == {
            "appendix/derivation.md", "../training/schedules.html"}
        assert kb.refresh() is None  # and a current store is not
    with grimoire.open(db) as kb:
        assert kb.refresh() is None


def test_a_folder_that_gains_its_first_note_turns_links_into_it_dead(tmp_path: Path) -> None:
    # "elsewhere" depends on which folders hold notes: a first note in `appendix/` makes the
    # link to `appendix/derivation.md` a dead link, the note it names makes it resolve (by
    # its address: its name, "derivation", is no concept's), and emptying the folder makes it
    # lead out of the notes again. Each time the incremental resolve an ingest runs gives
    # what a full resolve of the same files gives.
    db, notes = ingested(tmp_path)
    steps = [({"appendix/proof.md": "# Proof of Convergence\n\nA bound on the steps taken "
                                    "before the loss stops falling.\n"}, (), "dead"),
             ({"appendix/derivation.md": "# Dropout Derivation\n\nWhy the kept units are "
                                         "scaled up by the inverse of the keep rate.\n"}, (),
              "resolved"),
             ({}, ("appendix/derivation.md", "appendix/proof.md"), "elsewhere")]
    assert statuses(db, "Dropout")["appendix/derivation.md"] == "elsewhere"
    for added, removed, status in steps:
        write_notes(notes, added)
        for name in removed:
            (notes / name).unlink()
        with grimoire.open(db) as kb:
            kb.ingest([notes], embed=False)
            report = kb.refresh()
            assert report is None or report.incremental
            incremental = _link_statuses(kb)
        assert statuses(db, "Dropout")["appendix/derivation.md"] == status
        with grimoire.open(db) as kb:
            kb.resolve()
            assert _link_statuses(kb) == incremental


def _link_statuses(kb: grimoire.Grimoire) -> dict[tuple[str, int, str], str]:
    return {(use.span.path, use.span.start_line, use.href or use.name): status
            for status in ("wanted", "dead", "elsewhere")
            for use in kb.store.unresolved_links(status)}


def test_a_kind_word_the_label_keeps_is_in_every_name(tmp_path: Path) -> None:
    # `show` of a paper listed "A Neural Conversational (without kind)" as a name, while the
    # label kept "Model" (round 35's rule): one rule for both now.
    for term in ("A Neural Conversational Model", "Generative Model", "Loss Function"):
        assert labelled(term) == (term, None)
        assert [n.reason for n in term_names(term)
                if n.reason not in MATCHING_ONLY] == ["term"], term
    # The words before a kept kind still find the concept: `[[Gradient Descent Algorithm]]`
    # is a link to "Gradient Descent", no name of it any face shows.
    assert [(n.name, n.reason) for n in term_names("Gradient Descent Algorithm")] == [
        ("Gradient Descent Algorithm", "term"), ("Gradient Descent", "without head word")]
    # Words after an aside that are no kind word go on with a paper's title.
    title = ("A Survey of (and a Field Guide to) Recurrent Networks for Speech Tagging")
    assert labelled(title) == (title, None)
    assert [n.name for n in term_names(title) if n.reason == "without qualifier"] == [
        "A Survey of Recurrent Networks for Speech Tagging"]
    # A kind after a coined name is still dropped, and still states the name without it.
    assert labelled("LangChain Python Module") == ("LangChain", "Python Module")
    assert [(n.name, n.reason) for n in term_names("GPT-4 Model")] == [
        ("GPT-4 Model", "term"), ("GPT-4", "without kind")]
    db, _ = ingested(tmp_path)
    shown = CliRunner().invoke(main, ["--db", db, "show", "A Neural Conversational Model"])
    assert shown.exit_code == 0, shown.output
    assert "without" not in shown.output and "names:" not in shown.output, shown.output
    as_json = json.loads(CliRunner().invoke(
        main, ["--db", db, "show", "A Neural Conversational Model", "--json"]).output)
    assert [n["name"] for n in as_json["names"]] == ["A Neural Conversational Model"]
    assert as_json["matched_names"] == ["A Neural Conversational"]
