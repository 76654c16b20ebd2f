"""Round 38 (faces38): round 37's leftovers on the faces. The notes are our own words, on a real
store (SQLite, and PostgreSQL in the suite's PostgreSQL pass) through the real CLI, server and
MCP client."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner

from grimoire.cli import main
from tests.test_faces_round36 import ingested
from tests.test_faces_round37 import ANCHORS


def run(db: str, *args: str) -> str:
    done = CliRunner().invoke(main, ["--db", db, *args])
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.sqlite_only(reason="a SQLite file its user cannot write")
def test_mcp_says_a_read_only_store_was_merged_by_older_rules(tmp_path: Path) -> None:
    # Before: the CLI said so on stderr and the web atop every page, but an assistant over MCP
    # read the old link statuses and merges as current, with nothing said.
    import dataclasses

    from mcp import Client
    from mcp.client.stdio import StdioServerParameters, stdio_client

    import grimoire
    from grimoire.resolve import build

    db, _ = ingested(tmp_path, ANCHORS)
    with grimoire.open(db) as kb:
        store = kb.store
        with store.resolving():
            result = build(store.resolve_input())
            store.write_resolution(dataclasses.replace(result), "")  # an older Grimoire's
    drop = (["setpriv", "--inh-caps=-dac_override,-dac_read_search",
             "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])
    command = [*drop, sys.executable, "-m", "grimoire", "--db", db, "mcp"]
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    replies: dict[str, Any] = {}

    async def session() -> None:
        with (tmp_path / "stderr.txt").open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                for tool, args in [("show", {"name": "Accuracy"}), ("wanted", {}),
                                   ("search", {"query": "precision", "mode": "lexical"})]:
                    reply = await client.call_tool(tool, args)
                    assert not reply.is_error, reply.content
                    replies[tool] = reply.structured_content
                resource = await client.read_resource("grimoire://concept/Accuracy")
                replies["resource"] = resource.contents[0].text

    Path(db).chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        anyio.run(session)
    finally:
        tmp_path.chmod(0o755)
        Path(db).chmod(0o644)
    for tool in ("show", "wanted", "search"):
        notices = replies[tool].get("store_notices", [])
        assert any("read-only" in n and "link statuses" in n for n in notices), replies[tool]
    assert replies["resource"].startswith("> note: this database is read-only"), \
        replies["resource"][:300]


LABELS = {
    "warmup.md": "# Learning rate\n\n(sec-warmup)=\n## Warmup schedules\n\nRaise the step size "
                 "linearly over the first few hundred updates, then let it decay.\n",
    "ramp.md": "# Ramps\n\n(sec-warmup)=\n## Linear ramp\n\nGrow the step size by the same "
               "amount after every update until it reaches its peak.\n",
    # Two concepts called LDA (the user split them): a reference `{ref}`lda`` to a label no
    # file defines is looked up by its words, and they name both.
    "lda1.md": "# LDA\n\nA classifier that projects the data onto the directions that separate "
               "the class means best.\n",
    "topics/lda.md": "# LDA\n\nA topic model that explains each document as a mixture of "
                     "topics, each topic a mixture of words.\n",
    "grimoire.toml": '[[split]]\nnames = ["lda1.md:1", "topics/lda.md:1"]\n',
    "overview.md": "# Overview\n\nStart from {ref}`sec-warmup` before the main phase, and "
                   "compare {ref}`lda` for the projection.\n",
}


def test_lint_names_the_files_that_define_a_label_twice(tmp_path: Path) -> None:
    # Before: "the label 'sec-warmup' is defined in more than one file" named neither file, and
    # the same words were said of `lda`, which no file defines as a label.
    db, _ = ingested(tmp_path, LABELS)
    done = CliRunner().invoke(main, ["--db", db, "lint", "--json"])
    assert done.exit_code == 1, done.output
    found = {f["message"]: f for f in json.loads(done.output)["dead-link"]}
    twice = found["the label 'sec-warmup' is defined in 2 files (ramp.md:6, warmup.md:6); "
                  "rename all but one so the reference leads to one heading"]
    assert [(Path(s["path"]).name, s["start_line"]) for s in twice["others"]] == [
        ("ramp.md", 6), ("warmup.md", 6)]
    assert "'lda' names more than one concept" in found, sorted(found)
    shown = CliRunner().invoke(main, ["--db", db, "lint"]).output
    assert shown.endswith("2 findings in 1 group\n"), shown  # not "1 groups"


REDIRECTS = {
    "vault/.obsidian/app.json": "{}\n",
    "vault/filling.md": "Short form of [[value imputation]].\n",
    "vault/gap filling.md": "Short form of [[value imputation]].\n",
    "vault/value imputation.md": "Filling in a missing value of a feature with a stand-in, such "
                                 "as the mean of the column.\n",
    # Another glossary defines "Filling": the vault's redirect of that name joins it.
    "terms/filling.md": "# Filling\n\nReplacing the gaps in a table with guessed values, drawn "
                        "from a distribution or taken from the median of the column.\n",
}


def test_list_shows_a_redirect_that_joined_its_namesake_as_an_entry_of_it(
        tmp_path: Path) -> None:
    # Before: `list` printed "filling → value imputation", though `show filling` opens the
    # concept Filling, which the redirect joined by its name (round 37, all corpora's
    # "imputation").
    db, _ = ingested(tmp_path, REDIRECTS)
    rows = {line.split("\t")[0] for line in run(db, "list").splitlines()}
    assert rows == {"Filling", "filling", "gap filling → value imputation", "value imputation"}
    shown = json.loads(run(db, "show", "filling", "--json"))
    assert shown["label"] == "Filling", shown["label"]
    gap = json.loads(run(db, "show", "gap filling", "--json"))
    assert gap["label"] == "value imputation", gap["label"]


NOTATION = {
    # A page titled by a generic word: searchable, but no concept is named after it.
    "notation.md": "# Notation\n\nWe write vectors in bold lower case and matrices in bold "
                   "capitals throughout these notes.\n",
    "matrix.md": "# Matrix\n\nA rectangular table of numbers that maps vectors to vectors by "
                 "multiplication.\n",
}


def test_every_name_ask_offers_as_nearest_opens_with_show(tmp_path: Path) -> None:
    # Before: "Your notes do not cover this. Nearest in your notes: Notation." named the
    # page's title, and `show Notation` (and the web's link) said no concept is called so.
    db, _ = ingested(tmp_path, NOTATION)
    answer = json.loads(run(db, "ask", "who decided the notation of these notes?", "--json"))
    assert answer["abstained"], answer
    assert "Notation" not in answer["answer"], answer["answer"]
    for name in answer["nearest"]:
        run(db, "show", name)


RECIPE = {
    "recipe.md": "# Embed, encode, attend, predict\n\nA four step recipe for building text "
                 "models, from word vectors to a prediction.\n",
    "wv.md": "# Word vector\n\nA list of numbers standing for a word, the first step of the "
             "text recipe.\n",
}


def test_ask_s_nearest_names_stay_apart_when_one_holds_a_comma(tmp_path: Path) -> None:
    # Before: "Nearest in your notes: Word vector, Embed, encode, attend, predict." read as
    # five names, four of which `show` cannot open.
    db, _ = ingested(tmp_path, RECIPE)
    answer = json.loads(run(db, "ask", "who wrote the text recipe?", "--json"))
    assert answer["abstained"] and len(answer["nearest"]) == 2, answer
    listed = answer["answer"].partition("Nearest in your notes: ")[2].removesuffix(".")
    assert listed.split("; ") == answer["nearest"], answer["answer"]
    for name in answer["nearest"]:
        run(db, "show", name)
