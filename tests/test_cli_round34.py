"""Round 34 (qa34): what a new user typing commands on public notes got wrong, on a real store
of the bundled examples."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grimoire.cli import main
from tests.conftest import write_notes

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("r34")
    shutil.copytree(EXAMPLES, folder / "notes")
    path = folder / "kb.db"
    result = CliRunner().invoke(main, ["--db", str(path), "ingest", "--no-embed",
                                       str(folder / "notes")])
    assert result.exit_code == 0, result.output
    return path


def test_show_and_graph_take_a_name_of_several_words_unquoted(db: Path) -> None:
    # `grimoire show Self attention`, typed as `search` and `ask` take their words, was
    # "Error: Got unexpected extra argument (attention)".
    quoted = CliRunner().invoke(main, ["--db", str(db), "show", "Gradient Descent", "--json"])
    assert quoted.exit_code == 0, quoted.output
    words = CliRunner().invoke(main, ["--db", str(db), "show", "Gradient", "Descent", "--json"])
    assert words.exit_code == 0, words.output
    assert json.loads(words.output)["label"] == json.loads(quoted.output)["label"]
    # the options may come before or after the words
    graph = CliRunner().invoke(main, ["--db", str(db), "graph", "--json", "Gradient", "Descent",
                                      "--depth", "1"])
    assert graph.exit_code == 0, graph.output
    centre = json.loads(graph.output)["nodes"][0]
    assert centre["label"] == json.loads(quoted.output)["label"]
    # a name that is only blanks is a usage error, as an empty query is
    blank = CliRunner().invoke(main, ["--db", str(db), "show", " "])
    assert blank.exit_code == 2 and "the name is empty" in blank.output


def test_did_you_mean_offers_each_concept_once(db: Path) -> None:
    # "did you mean: Self-attention, Selfattention": one concept offered twice, under its
    # label and under a spelling of it, as if there were two to choose from. The examples'
    # Byte-Pair Encoding is also called "BytePair Encoding".
    import grimoire
    from grimoire.errors import NotFound

    with grimoire.open(db, create=False) as kb:
        names = {n.name for n in kb.concept("Byte-Pair Encoding").names}
        assert {"Byte-Pair Encoding", "BytePair Encoding"} <= names
        with pytest.raises(NotFound) as e:
            kb.concept("byte pair encodng")
    assert e.value.suggestions == ("Byte-Pair Encoding",)
    typo = CliRunner().invoke(main, ["--db", str(db), "show", "byte", "pair", "encodng"])
    assert typo.exit_code == 1
    assert typo.output.splitlines()[-1] == "did you mean: Byte-Pair Encoding"


def test_search_in_a_store_with_no_note_says_nothing_is_ingested(tmp_path: Path) -> None:
    # A folder of figures ingested by mistake: every search said "no results".
    figures = tmp_path / "Images"
    figures.mkdir()
    (figures / "gan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    db = tmp_path / "kb.db"
    assert CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed",
                                     str(figures)]).exit_code == 0
    found = CliRunner().invoke(main, ["--db", str(db), "search", "--mode", "lexical", "gan"])
    assert found.exit_code == 0
    assert found.output.splitlines() == [
        "no results: nothing is ingested yet (grimoire ingest ~/notes)"]
    # with notes, a query nothing matches is still a plain "no results"
    notes = write_notes(tmp_path / "notes", {
        "GAN.md": "# GAN\n\nA GAN pits a generator against a critic.\n",
    })
    CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(notes)])
    none = CliRunner().invoke(main, ["--db", str(db), "search", "--mode", "lexical", "qqzzxx"])
    assert none.output.splitlines() == ["no results"]


def test_show_folds_a_long_definition_on_a_terminal_and_prints_it_whole_when_piped(
        tmp_path: Path) -> None:
    # A note whose definition was one line of 2 MB printed 20,000 terminal lines of it; the
    # web UI's card folds after about a screen, and `lint` folds its groups on a terminal.
    notes = tmp_path / "notes"
    notes.mkdir()
    words = " ".join(f"w{i}" for i in range(3000))
    (notes / "Long thing.md").write_text(
        f"# Long thing\n\nLong thing is a note that goes on: {words} and ends here.\n",
        encoding="utf-8")
    db = tmp_path / "kb.db"
    CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-embed", str(notes)])
    tty = CliRunner(env={"TTY_COMPATIBLE": "1", "COLUMNS": "100", "NO_COLOR": "1"})
    shown = tty.invoke(main, ["--db", str(db), "show", "Long thing"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert len(lines) < 40, len(lines)
    assert "w2999" not in shown.output and "ends here" not in shown.output
    # NO_COLOR takes the colours, not the dim style: what the reader sees is the text.
    more = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in lines if "more words" in line]
    assert len(more) == 1 and more[0].endswith("more words: grimoire show 'Long thing' | less")
    piped = CliRunner().invoke(main, ["--db", str(db), "show", "Long thing"])
    assert "w2999 and ends here." in piped.output and "more words" not in piped.output
