"""Round 36 (qa36): what a new user met on a public glossary of Jekyll term pages, rebuilt in
our own words on a real store, through the real CLI and the MCP SDK's own client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client

import grimoire
from grimoire.cli import main
from grimoire.mcp_server import build_server
from tests.conftest import write_notes


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("qa36")
    notes = write_notes(root / "terms", {
        "adagrad-optimizer.md":
            "---\ntitle: Adagrad Optimizer\n---\nAdagrad gives every parameter its own step "
            "size, shrinking it as that parameter's squared gradients add up.\n\nIt suits sparse "
            "features.\n",
        "weight-decay.md":
                "---\ntitle: Weight decay\n---\nWeight decay pulls every weight a little towards "
                "zero at each step.\n",
        "softmax.md":
                "---\ntitle: Softmax\n---\nSoftmax turns scores into probabilities, "
                "$p_i = e^{z_i} / \\sum_j e^{z_j}$, so that each is in $(0, 1)$ and\n\n"
                "$$\\sum_i p_i = 1$$\n",
    })
    path = root / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    return path


def test_show_of_a_name_with_no_near_spelling_points_at_search(db: Path) -> None:
    # `show ADAM` on a glossary whose page is "ADAM Optimizer": "error: no concept named
    # 'ADAM'" and nothing else, where the web page links a search for it.
    done = CliRunner().invoke(main, ["--db", str(db), "show", "squared", "gradients"])
    assert done.exit_code == 1
    assert "no concept named 'squared gradients'" in done.output
    assert "grimoire search 'squared gradients'" in done.output, done.output
    # A name with an apostrophe is quoted as a shell user types it.
    done = CliRunner().invoke(main, ["--db", str(db), "show", "Adam's rule"])
    assert "grimoire search \"Adam's rule\"" in done.output, done.output
    # A near spelling still gets "did you mean", and no search line.
    done = CliRunner().invoke(main, ["--db", str(db), "show", "weight decy"])
    assert "did you mean: Weight decay" in done.output and "grimoire search" not in done.output
    # `graph` the same way.
    done = CliRunner().invoke(main, ["--db", str(db), "graph", "squared", "gradients"])
    assert done.exit_code == 1 and "grimoire search 'squared gradients'" in done.output
    # --json stays the record scripts read.
    done = CliRunner().invoke(main, ["--db", str(db), "show", "squared gradients", "--json"])
    assert '"error": "no concept named \'squared gradients\'"' in done.output


def test_mcp_show_of_an_unknown_name_points_at_the_search_tool(db: Path) -> None:
    kb = grimoire.open(db, create=False)

    async def session() -> tuple[Any, Any]:
        async with Client(build_server(kb)) as client:
            return (await client.call_tool("show", {"name": "squared gradients"}),
                    await client.call_tool("show", {"name": "weight decy"}))

    unknown, typo = anyio.run(session)
    kb.close()
    said = " ".join(getattr(c, "text", "") for c in unknown.content)
    assert unknown.is_error and "no concept named 'squared gradients'" in said
    assert "`search` finds" in said, said
    said = " ".join(getattr(c, "text", "") for c in typo.content)
    assert "did you mean: Weight decay" in said and "`search`" not in said, said


@pytest.mark.sqlite_only(reason="a CLI child given the file by its path as --db")
def test_the_reading_bar_marks_a_file_name_it_cuts(tmp_path: Path) -> None:
    # The bar showed the last 40 characters of a long path, "rms/training-validation-test-
    # datasets.md" for ".../terms/training-...": a folder "rms" the notes do not have.
    import sys

    from tests._terminal import on_a_terminal

    folder = tmp_path / "glossary" / "terms"
    folder.mkdir(parents=True)
    long = "training-validation-and-held-out-test-sets.md"  # 45 characters
    (folder / long).write_text("# Held-out set\n\nA held-out set is kept apart from "
                               "training to measure the model once.\n", encoding="utf-8")
    grimoire_cli = str(Path(sys.executable).with_name("grimoire"))
    code, shown = on_a_terminal([grimoire_cli, "--db", str(tmp_path / "kb.db"), "ingest",
                                 "--no-embed", str(tmp_path / "glossary")])
    assert code == 0, shown
    assert "reading" in shown, shown
    assert "…" + long[-39:] in shown, shown
    assert " " + long[-40:] not in shown, shown


def test_a_closed_knowledge_base_says_so_not_that_its_file_is_damaged(db: Path) -> None:
    # Used after its `with` block, every call said "database is damaged: run `grimoire
    # check`" (SQLite's "Cannot operate on a closed database" read as damage), and the file
    # was fine.
    from grimoire.errors import CorruptDatabase, StoreError

    with grimoire.open(db, create=False) as kb:
        assert kb.search("weight decay", k=1, mode="lexical")
    for call in (lambda: kb.search("weight decay", k=1, mode="lexical"),
                 lambda: kb.concept("Weight decay"), lambda: kb.stats()):
        with pytest.raises(StoreError) as caught:
            call()
        assert not isinstance(caught.value, CorruptDatabase)
        assert "closed" in str(caught.value) and "grimoire.open" in str(caught.value)
    with grimoire.open(db, create=False) as again:  # the file is intact
        assert again.concept("Weight decay").label == "Weight decay"


def test_an_anki_card_s_math_is_in_the_delimiters_anki_renders(db: Path,
                                                               tmp_path: Path) -> None:
    # Anki's MathJax reads \(...\) and \[...\]: the cards of a glossary with math showed
    # `$p_i = ...$` as typed.
    import sqlite3
    import zipfile

    with grimoire.open(db, create=False) as kb:
        kb.export("anki", tmp_path / "deck.apkg")
    with zipfile.ZipFile(tmp_path / "deck.apkg") as z:
        z.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    fields = [f.split("\x1f") for (f,) in conn.execute("SELECT flds FROM notes")]
    conn.close()
    back = next(f[1] for f in fields if f[0] == "Softmax")
    assert "\\(p_i = e^{z_i} / \\sum_j e^{z_j}\\)" in back, back
    assert "\\((0, 1)\\)" in back and "\\[\\sum_i p_i = 1\\]" in back, back
    assert "$" not in back
    # and its paragraphs stay apart (the card ran them together: a field is HTML)
    adagrad = next(f[1] for f in fields if f[0] == "Adagrad Optimizer")
    assert "add up.<br><br>It suits sparse features." in adagrad, adagrad
