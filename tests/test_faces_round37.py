"""Round 37 (faces37): a page that only points to another concept is a name of that concept on
every face; leftovers of round 36's faces. The notes are our own words, on a real store
(SQLite, and PostgreSQL in the suite's PostgreSQL pass) through the real CLI and server."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from grimoire.cli import main
from tests.test_faces_round36 import ingested
from tests.web.conftest import run_server

EARLY_EXIT = ("#serving\n\nA way of stopping a deep network partway through when an input is "
              "easy, answering from a small classifier attached to an inner layer.\n")
POINTERS = {
    ".obsidian/app.json": "{}\n",
    "early exit.md": EARLY_EXIT,
    "exhaustive scoring.md": "Running every layer of the network for every input, whatever "
                             "its difficulty.\n",
    # Pages with no words of their own: each is a name of the concept it points to.
    "shallow exit.md": "Another name for [[early exit|early exit]].\n",
    "exit branch.md": "#serving\n\nSynonym for shallow exit. See [[early exit|early exit]].\n",
    "full depth.md": "Synonym for [[exhaustive scoring|exhaustive scoring]].\n\n"
                     "Contrast with [[early exit|early exit]].\n",
    "exit head.md": "Short form of [[early exit|early exit]].\n",
    # A page with a sentence of its own is a concept of its own, though it opens with "See".
    "adaptive depth.md": "See [[early exit|early exit]]. Phones save battery this way because "
                         "fewer layers run.\n",
    "serving.md": "Serving notes: we turned on [[shallow exit]] for the small model and "
                  "[[exit branch|exit branches]] later.\n",
}


def run(db: str, *args: str) -> str:
    done = CliRunner().invoke(main, ["--db", db, *args])
    assert done.exit_code == 0, done.output
    return done.output


def test_a_page_that_only_points_to_a_concept_is_a_name_of_it(tmp_path: Path) -> None:
    # Before: "Another name for [[X]]", "Short form of [[X]]", "Synonym for Y. See [[X]]" and
    # "Synonym for [[X]]. Contrast with [[Z]]" were concepts of their own with no definition,
    # where a description of X's meaning could land.
    db, _ = ingested(tmp_path, POINTERS)
    early = json.loads(run(db, "show", "early exit", "--json"))
    assert early["label"] == "early exit"
    assert {"shallow exit", "exit branch", "exit head"} <= {n["name"] for n in early["names"]}
    for name in ("shallow exit", "exit branch", "exit head"):
        assert json.loads(run(db, "show", name, "--json"))["label"] == "early exit", name
    assert json.loads(run(db, "show", "full depth", "--json"))["label"] == "exhaustive scoring"
    assert json.loads(run(db, "show", "adaptive depth", "--json"))["label"] == "adaptive depth"
    listed = run(db, "list").splitlines()
    assert any(line.startswith("shallow exit → early exit") for line in listed), listed
    # Links to the pointing page reach the concept.
    links = json.loads(run(db, "show", "serving", "--json"))["links"]
    assert {(m["target"], m["status"], m["concept"]) for m in links} == {
        ("shallow exit", "resolved", "early exit"), ("exit branch", "resolved", "early exit")}
    # Name search finds the concept by the pointing page's name; no hit is that page alone.
    hits = json.loads(run(db, "search", "shallow exit", "--mode", "lexical", "--json"))
    labels = [h["concept"] for h in hits]
    assert labels[0] == "early exit" and "shallow exit" not in labels, labels
    described = json.loads(run(db, "search", "stop the network partway for an easy input",
                               "--mode", "lexical", "--json"))
    labels = [h["concept"] for h in described]
    assert not {"shallow exit", "exit branch", "exit head"} & set(labels), labels
    # The web's page of the pointing name is the concept's page.
    running = run_server(Path(db))
    url = next(running).url
    try:
        with urllib.request.urlopen(f"{url}/c/{urllib.parse.quote('exit head')}") as page:
            html = page.read().decode()
    finally:
        next(running, None)
    assert "an inner layer" in html and "exit head" in html


ANCHORS = {
    "glossary.md": "# Glossary\n\n## Attention mask\n\nA tensor of ones and zeros telling the "
                   "model which tokens of a padded batch to look at.\n\n## Encoder models\n\n"
                   "Models that turn a whole input into vectors at once, unlike [decoder "
                   "models](#decoder-models), which produce one token after another.\n\n"
                   "## Decoder models\n\nModels that write their output one token at a time, "
                   "each step reading the ones before. Compare [encoder "
                   "models](#encoder-models).\n",
    "accuracy.md": "# Accuracy\n\nThe share of predictions that were right. It misleads on "
                   "skewed classes, where [precision](#precision) tells more.\n",
    "precision.md": "# Precision\n\nOf the items a classifier called positive, the share that "
                    "truly were.\n",
}


def anchored(db: str, name: str) -> list[tuple[str, str, str]]:
    return [(m["href"], m["status"], m["concept"])
            for m in json.loads(run(db, "show", name, "--json"))["links"]]


def test_an_anchor_into_its_own_page_leads_to_the_concept_it_names(tmp_path: Path) -> None:
    # Before: every `[x](#anchor)` of a page of many terms led to the page's first concept
    # ("Attention mask"), and an anchor kept from a one-page glossary split into pages
    # (`#precision` on the page of accuracy) to the page itself.
    db, notes = ingested(tmp_path, ANCHORS)
    assert anchored(db, "Encoder models") == [("#decoder-models", "resolved", "Decoder models")]
    assert anchored(db, "Decoder models") == [("#encoder-models", "resolved", "Encoder models")]
    assert anchored(db, "Accuracy") == [("#precision", "resolved", "Precision")]
    # Incrementally as in full: with the page of precision gone the anchor is the page's own,
    # and back when it returns.
    (notes / "precision.md").unlink()
    run(db, "ingest", "--no-embed", str(notes))
    assert anchored(db, "Accuracy") == [("#precision", "resolved", "Accuracy")]
    (notes / "precision.md").write_text(ANCHORS["precision.md"], encoding="utf-8")
    run(db, "ingest", "--no-embed", str(notes))
    assert anchored(db, "Accuracy") == [("#precision", "resolved", "Precision")]


def test_a_bad_front_matter_date_is_warned_at_its_own_line(tmp_path: Path) -> None:
    # Before: "a.md:1: invalid front matter: month must be in 1..12" (PyYAML's date error
    # carries no place): the line to fix is the date's.
    note = "---\ntitle: Dropout\ntags: [regularisation]\ndate: 2024-14-03\n---\n\nText.\n"
    db, notes = ingested(tmp_path, {"a.md": note})
    shown = run(db, "sources", "--problems")
    assert f"{notes / 'a.md'}:4: invalid front matter: month must be in 1..12" in shown, shown


@pytest.mark.sqlite_only(reason="rebuild swaps SQLite files")
def test_rebuild_of_a_sound_store_keeps_the_old_file_as_old_not_damaged(tmp_path: Path) -> None:
    # Before: the old file was kept as kb.db.damaged whatever its check said.
    db, _ = ingested(tmp_path, {"a.md": "# Alpha\n\nAlpha is a note.\n"})
    out = run(db, "rebuild", "--no-embed")
    assert (tmp_path / "kb.db.old").is_file() and not (tmp_path / "kb.db.damaged").exists()
    assert "the old file is kept as" in out and "kb.db.old" in " ".join(out.split()), out


@pytest.mark.sqlite_only(reason="a SQLite file its user cannot write")
def test_a_read_only_store_merged_by_older_rules_says_so(tmp_path: Path) -> None:
    # Before: a read-only store resolved by older code answered with its old link statuses
    # and merges and said nothing (it cannot be resolved again without writing).
    import dataclasses
    import os
    import subprocess
    import sys

    import grimoire
    from grimoire.resolve import build

    db, _ = ingested(tmp_path, ANCHORS)
    drop = (["setpriv", "--inh-caps=-dac_override,-dac_read_search",
             "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])

    def shown() -> subprocess.CompletedProcess[str]:
        Path(db).chmod(0o444)
        tmp_path.chmod(0o555)
        try:
            return subprocess.run([*drop, sys.executable, "-m", "grimoire", "--db", db, "show",
                                   "Accuracy"], capture_output=True, text=True, timeout=300)
        finally:
            tmp_path.chmod(0o755)
            Path(db).chmod(0o644)

    def served() -> str:
        from tests.web.conftest import free_port

        port = free_port()
        Path(db).chmod(0o444)
        tmp_path.chmod(0o555)
        server = subprocess.Popen([*drop, sys.executable, "-m", "grimoire", "--db", db, "serve",
                                   "--port", str(port)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            for _ in range(600):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/c/Accuracy") as page:
                        return str(page.read().decode())
                except OSError:
                    time.sleep(0.1)
            raise AssertionError("the server did not answer")
        finally:
            server.terminate()
            server.wait(60)
            tmp_path.chmod(0o755)
            Path(db).chmod(0o644)

    current = shown()
    assert current.returncode == 0 and "note:" not in current.stderr, current.stderr
    with grimoire.open(db) as kb:
        store = kb.store
        with store.resolving():
            result = build(store.resolve_input())
            store.write_resolution(dataclasses.replace(result), "")  # an older Grimoire's
    old = shown()
    assert old.returncode == 0 and "Accuracy" in old.stdout, old.stderr
    assert "read-only" in old.stderr and "link statuses" in old.stderr, old.stderr
    page = served()
    assert '<p class="notice" role="status">this database is read-only' in page, page[:2000]


def test_a_huge_note_s_web_page_is_shown_in_part_with_the_file_s_link(tmp_path: Path) -> None:
    # Before: a card's folded rest was rendered whole, so a 10 MB note's page was 10 MB of
    # HTML. Now the page holds its first part and says where the rest is.
    shown = 200_000  # showing.SHOWN_CHARS
    lines = [f"Step {i} moves the weights a little against the slope of the loss."
             for i in range(shown // 60 * 2)]
    text = "# Long Walk\n\nLong Walk is a note we wrote to be long.\n\n" + "\n".join(lines) + "\n"
    db, notes = ingested(tmp_path, {"walk.md": text})
    running = run_server(Path(db))
    url = next(running).url
    try:
        with urllib.request.urlopen(f"{url}/c/{urllib.parse.quote('Long Walk')}") as page:
            html = page.read().decode()
    finally:
        next(running, None)
    assert len(html) < shown * 1.5 < len(text), len(html)
    assert "Step 0 moves" in html and f"Step {len(lines) - 1} moves" not in html
    assert "Shown in part:" in html and "more words are in the file" in html
    assert f'<a class="where" href="/source?path={notes / "walk.md"}&amp;hl=' in html


def test_mentioned_in_quotes_an_html_list_line_as_its_words(tmp_path: Path) -> None:
    # Before: "Mentioned in" quoted `<li>[[early exit|the exit&#39;s head]]</li>` as written,
    # tags and entity shown as text.
    notes = {**POINTERS, "kinds.md": "Kinds of serving tricks:\n\n<ul>\n"
             "<li>[[early exit|the exit&#39;s head]]</li>\n</ul>\n"}
    db, _ = ingested(tmp_path, notes)
    running = run_server(Path(db))
    url = next(running).url
    try:
        with urllib.request.urlopen(f"{url}/c/{urllib.parse.quote('early exit')}") as page:
            html = page.read().decode()
    finally:
        next(running, None)
    quoted = html[html.index("Mentioned in"):]
    assert ">the exit&#x27;s head</a></blockquote>" in quoted, quoted[:3000]
    assert "&lt;li&gt;" not in quoted and "&amp;#39;" not in quoted, quoted[:3000]
