"""The CLI on real files, through click's CliRunner."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from tests.conftest import homonyms, reading, seed, write_notes

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """examples/ ingested by the CLI without vectors, once for the module's tests that only
    read it (until round 50 six stores of the same notes, six databases on PostgreSQL); left
    as they found it (`reading`: checked when the module ends)."""
    db = tmp_path_factory.mktemp("examples") / "kb.db"
    assert run(db, "ingest", "--no-embed", str(EXAMPLES))[0] == 0
    with reading(db):
        yield db


def test_ingest_stats_list_show_sources(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    code, out = run(db, "ingest", str(EXAMPLES), "--json", "--no-embed")
    assert code == 0, out
    report = json.loads(out)
    assert report["failed"] == 0
    assert report["read"] >= 15

    code, out = run(db, "stats", "--json")
    stats = json.loads(out)
    assert stats["entries"] > 20
    formats = {"markdown", "obsidian", "glossary", "rst", "html", "mediawiki"}
    assert formats <= set(stats["by_format"])

    code, out = run(db, "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == stats["entries"]
    assert all(":" in line.split("\t")[1] for line in lines)

    code, out = run(db, "show", "LoRA", "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown

    code, out = run(db, "sources", "--json")
    records = json.loads(out)
    assert all(r["status"] in {"ok", "attachment", "skipped"} for r in records)

    code, out = run(db, "ingest", str(EXAMPLES), "--no-embed")
    assert code == 0
    assert "unchanged" in out


def test_search_source_names_a_folder_as_ingest_stored_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # --source was resolved through symlinks, which ingest keeps: under a folder reached by a
    # symlink (~/notes -> a synced folder) every hit was filtered out; and a name that is not
    # UTF-8 (stored with \xNN escapes) raised UnicodeEncodeError.
    real = write_notes(tmp_path / "real", {
        "note.md": "# Zebra\n\nZebra stripes.\n",
    })
    (real / os.fsdecode(b"caf\xe9.md")).write_text("# Okapi\n\nOkapi stripes.\n")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    db = tmp_path / "kb.db"
    assert run(db, "ingest", "--no-embed", str(link))[0] == 0
    monkeypatch.chdir(tmp_path)
    both = ["Okapi", "Zebra"]
    for source, names in ((str(link), both), ("link", both), ("link/note.md", ["Zebra"]),
                          (os.fsdecode(b"link/caf\xe9.md"), ["Okapi"])):
        code, out = run(db, "search", "--mode", "lexical", "--source", source, "stripes")
        assert code == 0 and sorted(re.findall(r"^\d+\. (\w+) ", out, re.M)) == names, out


def test_show_indents_every_line_of_a_definition(tmp_path: Path) -> None:
    # A definition that spans lines (seed 003's LoRA) printed its later lines at the margin,
    # where they read as a new entry's heading.
    from tests.conftest import seed

    db = tmp_path / "kb.db"
    assert run(db, "ingest", "--no-embed", str(seed("003")))[0] == 0
    with grimoire.open(db) as kb:
        definition = kb.concept("LoRA").entries[0].entry.definition or ""
    assert "\n" in definition
    code, out = run(db, "show", "LoRA")
    assert code == 0
    for line in definition.splitlines():
        assert f"\n  {line}\n" in out, (line, out)


def test_an_empty_query_or_question_is_a_usage_error(tmp_path: Path) -> None:
    # `grimoire ask "$Q"` with Q unset answered "Your notes do not cover this." (exit 0), and
    # search printed "no results": the quoting mistake went unnoticed.
    db = tmp_path / "kb.db"
    (tmp_path / "x.md").write_text("# X\n\nX is a note.\n")
    assert run(db, "ingest", "--no-embed", str(tmp_path / "x.md"))[0] == 0
    for args in (["search", ""], ["search", "--mode", "lexical", " ", "\t"], ["ask", ""]):
        code, out = run(db, *args)
        assert code == 2 and "is empty" in out, (args, out)


def test_a_long_note_on_stderr_is_one_line_in_a_pipe(examples_db: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(examples_db), "search", "attention"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and "semantic search covers 0 of" in notes[0], result.stderr
    assert notes[0].rstrip().endswith("run `grimoire embed`") and len(notes[0]) > 80


def test_show_unknown_name_suggests_and_exits_1(examples_db: Path) -> None:
    code, out = run(examples_db, "show", "Zzyzx qwerty")
    assert code == 1
    assert "error:" in out


def test_failed_file_exits_1_and_is_listed(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "ok.md": "# Fine\n\nA fine note.\n",
        "dump.xml":
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n'
        '<mediawiki><page><title>&lol2;</title></page></mediawiki>\n',
    })
    db = tmp_path / "kb.db"
    code, out = run(db, "ingest", str(notes), "--no-embed")
    assert code == 1
    assert "dump.xml" in out
    code, out = run(db, "sources", "--failed", "--json")
    failed = json.loads(out)
    assert [Path(r["path"]).name for r in failed] == ["dump.xml"]
    assert failed[0]["reason"]


# -- terminal injection (issue 11, item 5) --------------------------------------------------

HOSTILE_TEXT = ("# Clipboard term\n\nClipboard term means a note that clears the screen \x1b[2J, "
                "writes the clipboard \x1b]52;c;ZWNobyBvd25lZA==\x07, hides a link "
                "\x1b]8;;http://evil.example/\x07here\x1b]8;;\x07 and conceals \x1b[8mthis\x1b[0m "
                "with a C1 CSI \x9b2J too.\n")
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    notes = root / "notes"
    (notes / "x[").mkdir(parents=True)
    (notes / "x[" / "]markup.md").write_text(HOSTILE_TEXT)  # the path holds `[/]`
    (notes / "invoice\u202edm.txt.md").write_text("# Spoof term\n\nSpoof term is a name "
                                                  "written right to left.\n")
    (notes / "two\nlines\tname.md").write_text("# Newline term\n\nNewline term is a file name "
                                               "with a newline and a tab in it.\n")
    # rich's emoji code and a name that ends in a backslash (round 51)
    (notes / ":rocket:.md").write_text("# Rocket :rocket: term\n\nRocket :rocket: term is a "
                                       "name with an emoji code in it.\n")
    (notes / "root.md").write_text("# Root C:\\\n\nRoot C:\\ is a name that ends in a "
                                   "backslash.\n")
    db = root / "kb.db"
    code, out = run(db, "ingest", str(notes), "--no-embed")
    assert code == 0, out
    return db


def test_no_raw_control_characters_reach_the_output(hostile_db: Path) -> None:
    for args in (("search", "clipboard term", "--mode", "lexical"), ("show", "clipboard term"),
                 ("list",), ("sources", "--problems"), ("show", "spoof term"),
                 ("search", "spoof", "--mode", "lexical", "--json"),
                 ("show", "clipboard term", "--json"), ("list", "--json"),
                 ("ask", "what does clipboard term mean?"),
                 ("ask", "what does clipboard term mean?", "--json")):
        code, out = run(hostile_db, *args)
        assert code == 0, (args, out)
        assert not [c for c in RAW if c in out], (args, out)
    _, out = run(hostile_db, "show", "clipboard term")
    assert "\\x1b[2J" in out  # shown, escaped, so the user sees what the note holds
    _, out = run(hostile_db, "search", "spoof", "--mode", "lexical", "--json")
    assert json.loads(out)[0]["span"]["path"].endswith("invoice\u202edm.txt.md")  # data intact


def test_a_terminal_shows_a_hit_or_a_citation_as_a_pipe_gets_it(hostile_db: Path) -> None:
    # Piped, `search` and `ask` print without rich (round 51, issue 14), each line as written;
    # a terminal's lines (FORCE_COLOR, wide) went through rich's markup: `:rocket:` in a name
    # or a path became an emoji there, and a citation's "(Root C:\\)" showed two backslashes.
    for args in (("search", "rocket term", "--mode", "lexical"), ("ask", "what is rocket term?"),
                 ("ask", "what is root C:?"), ("ask", "what is newline term?")):
        _, piped = run(hostile_db, *args)
        styled = CliRunner().invoke(main, ["--db", str(hostile_db), *args],
                                    env={"FORCE_COLOR": "1", "COLUMNS": "100000"}).output
        assert re.sub(r"\x1b\[[0-9;]*m", "", styled) == piped, args
        assert ":rocket:" in piped or "C:\\)" in piped or "two\\nlines" in piped, piped


def test_tab_separated_output_is_one_record_per_line(hostile_db: Path) -> None:
    _, out = run(hostile_db, "stats", "--json")
    entries, sources = json.loads(out)["entries"], json.loads(out)["sources"]
    _, out = run(hostile_db, "list")
    lines = out.splitlines()
    assert len(lines) == entries and all(line.count("\t") == 1 for line in lines)
    assert any("two\\nlines\\tname.md" in line for line in lines)
    _, out = run(hostile_db, "sources")
    lines = out.splitlines()
    assert len(lines) == sources and all(line.count("\t") == 4 for line in lines)


@pytest.mark.sqlite_only(reason="CLI children given the file by its path as --db")
def test_a_real_terminal_gets_escaped_markup_and_no_injection(hostile_db: Path) -> None:
    import sys

    from tests._terminal import on_a_terminal

    notes = hostile_db.parent / "notes"
    db = hostile_db.parent / "tty.db"
    for args in (("ingest", str(notes), "--no-embed"), ("sources", "--problems"),
                 ("search", "clipboard term", "--mode", "lexical"), ("show", "clipboard term"),
                 ("stats",), ("show", "no such thing [/] here")):
        exe = str(Path(sys.executable).parent / "grimoire")
        code, out = on_a_terminal([exe, "--db", str(db), *args], columns=200)
        assert "MarkupError" not in out and "Traceback" not in out, (args, out)
        assert code == (1 if args[0] == "show" and "no such" in args[1] else 0), (args, out)
        for bad in ("\x1b[2J", "\x1b]52", "\x1b]8;", "\x1b[8m", "\x9b", "\u202e"):
            assert bad not in out, (args, bad, out)


def test_a_snippet_with_a_backslash_before_a_matched_word_prints(tmp_path: Path) -> None:
    # `$\cos\theta$` in a note: the snippet marks `\«cos»\«theta»`; printed as rich markup,
    # the backslash escaped the highlight's opening tag and the closing one raised MarkupError.
    db = tmp_path / "kb.db"
    run(db, "ingest", str(EXAMPLES / "vault"), "--no-embed")
    code, out = run(db, "search", "cos theta", "--mode", "lexical")
    assert code == 0, out
    assert "Retrieval-Augmented Generation" in out
    assert "similarity $\\cos\\theta = \\frac{u" in out


@pytest.mark.no_store
def test_whether_output_is_styled_is_decided_as_rich_decides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `cli.terminal()` answers without importing rich; rich then prints, or plain lines do.
    import io
    import os
    import pty
    import sys

    from rich.console import Console

    from grimoire.cli import terminal

    leader, follower = pty.openpty()
    tty = io.TextIOWrapper(io.FileIO(follower, "w"))
    try:
        for stdout in (sys.stdout, tty):
            monkeypatch.setattr(sys, "stdout", stdout)
            for env in ({}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "1"},
                        {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "2"}):
                for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
                    monkeypatch.delenv(name, raising=False)
                for name, value in env.items():
                    monkeypatch.setenv(name, value)
                assert terminal() == Console().is_terminal, (stdout.isatty(), env)
    finally:
        monkeypatch.undo()
        tty.close()
        os.close(leader)


def test_search_refuses_a_format_no_reader_has(examples_db: Path) -> None:
    # `--format markdwn` answered "no results", as if the notes held nothing on the query.
    db = examples_db
    code, out = run(db, "search", "--mode", "lexical", "--format", "markdwn", "LoRA")
    assert code == 2 and "'markdwn' is not one of" in out and "markdown" in out, out
    code, out = run(db, "search", "--mode", "lexical", "--format", "obsidian", "LoRA")
    assert code == 0 and "Low-Rank Adaptation" in out, out


def test_sources_problems_lists_the_files_to_look_at(tmp_path: Path) -> None:
    # Ingest says "see the warnings with: grimoire sources --problems", which listed every file
    # (1,130 on the corpora) before the 26 warnings at the very end.
    db = tmp_path / "kb.db"
    assert run(db, "ingest", "--no-embed", str(EXAMPLES), str(seed("002")))[0] == 0
    code, out = run(db, "sources", "--problems")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines() if "\t" in line]
    assert [Path(r[0]).name for r in rows] == [seed("002").name], out
    assert rows[0][-1].endswith(("1 warning", "warnings"))
    assert f"{seed('002')}:14: malformed embed" in out
    assert "Softmax.md" not in out


def test_search_and_ask_fit_an_80_column_terminal(examples_db: Path) -> None:
    # On a terminal a snippet or quote was one long line: an 80-column terminal broke it
    # mid-word and ran it on at the margin, under the numbers and paths that head each hit.
    db = examples_db
    terminal = {"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"}
    runner = CliRunner(env=terminal)
    for args in (["search", "--mode", "lexical", "low rank adaptation"],
                 ["ask", "what does LoRA freeze?"]):
        result = runner.invoke(main, ["--db", str(db), *args])
        assert result.exit_code == 0, result.output
        text = re.sub(r"\x1b\[[0-9;]*m", "", result.output)
        body = [line for line in text.splitlines() if not re.match(r"(\d+\.|\[\d+\]) ", line)]
        # the heading lines too (number, name, file:lines, section): a long path ran on
        long = [line for line in text.splitlines() if len(line) > 80]
        assert not long, long
        if args[0] == "search":  # every line of a snippet under its hit, indented
            assert all(line.startswith("   ") for line in body if line.strip()), body


def test_search_cites_a_one_line_passage_as_ask_does(examples_db: Path) -> None:
    # A hit on one line of a glossary said `glossary.txt:45-45`; ask and show say `:45`.
    db = examples_db
    code, out = run(db, "search", "--mode", "lexical", "-k", "20", "weight decay")
    assert code == 0
    hits = json.loads(run(db, "search", "--mode", "lexical", "-k", "20", "--json",
                          "weight decay")[1])
    heads = [line for line in out.splitlines() if re.match(r"\d+\. ", line)]
    assert len(heads) == len(hits) > 5
    one = 0
    for head, hit in zip(heads, hits, strict=True):
        start, end = hit["span"]["start_line"], hit["span"]["end_line"]
        lines = f"{start}" if start == end else f"{start}-{end}"
        assert f"{Path(hit['span']['path']).name}:{lines}" in head, head
        one += start == end
    assert 0 < one < len(hits)
    assert not re.search(r":(\d+)-\1\b", out), out


def test_show_fits_an_80_column_terminal(tmp_path: Path, corpora: Path) -> None:
    # `show` printed each definition as the note's long lines: an 80-column terminal broke
    # words and ran them on at the margin, under the file:line headings. Piped, a source line
    # stays one line.
    db = tmp_path / "kb.db"
    vault = corpora / "google-ml-glossary-vault"
    assert run(db, "ingest", "--no-embed", str(vault / "softmax.md"), str(vault / "LoRA.md"),
               str(seed("000")), str(seed("003")))[0] == 0
    terminal = {"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"}
    for name in ("softmax", "lora"):
        shown = CliRunner(env=terminal).invoke(main, ["--db", str(db), "show", name])
        assert shown.exit_code == 0, shown.output
        text = re.sub(r"\x1b\[[0-9;]*m", "", shown.output)
        # Every line but a URL's, which stays whole: an entry's file:line heading, a formula,
        # "merged because" (two paths and a reason, 190 columns) and "mentioned in" too.
        long = [line for line in text.splitlines() if len(line) > 80
                and not line.lstrip().startswith("https://")]
        assert not long, long
        assert "merged because" in text and "mentioned in" in text
        piped = run(db, "show", name)[1]
        assert [line for line in piped.splitlines() if len(line) > 80
                and line.startswith("  ") and ":" not in line[:40]], name


def test_show_of_a_wanted_name_says_where_it_is_wanted(examples_db: Path) -> None:
    # `show QLoRA` said only "no concept named 'QLoRA'", though two notes link to it.
    db = examples_db
    code, out = run(db, "show", "qlora")
    assert code == 1
    assert "no concept named 'qlora'; 2 links want it: " in out
    assert "glossary-hash.txt:40" in out and "Low-Rank Adaptation.md:24" in out
    code, out = run(db, "show", "Nonexistent thing")
    assert code == 1 and "want it" not in out


@pytest.mark.sqlite_only(reason="a SQLite file that cannot be opened")
def test_watch_on_a_database_it_cannot_open_says_so_in_one_line(tmp_path: Path) -> None:
    # `watch` opened the store outside the error handling every other command has: a --db it
    # could not open ended in a StoreError traceback instead of the one line and exit 1.
    code, out = run(tmp_path / "missing" / "kb.db", "watch", str(tmp_path))
    assert code == 1, out
    assert out.startswith("error:") and "does not exist" in out, out
    assert len(out.splitlines()) == 1, out


def test_show_of_a_name_two_concepts_share_names_both(tmp_path: Path) -> None:
    # A label with its kind stripped ("LiveBench" of seed 003's "LiveBench Benchmark") is
    # shown by every face but was a name of nothing: `show LiveBench` said "no concept named".
    # ("Learning Method" was the example until round 35 kept its label whole.)
    db = tmp_path / "kb.db"
    notes = homonyms(tmp_path / "notes")
    assert run(db, "ingest", "--no-embed", str(notes))[0] == 0
    code, out = run(db, "show", "LiveBench")
    assert code == 0 and "LiveBench Benchmark" in out
    # Two concepts a grimoire.toml split apart keep one label: the name asks which, and the
    # JSON form gives each one's id (as search hits do)
    code, out = run(db, "show", "Lasso Regression")
    assert code == 1
    assert "'Lasso Regression' names 2 concepts; say which" in out
    code, out = run(db, "show", "Lasso Regression", "--json")
    assert code == 1
    choices = json.loads(out)["choices"]
    assert [c["concept"] for c in choices] == ["Lasso Regression"] * 2
    with grimoire.open(db, create=False) as kb:
        opened = [kb.concept(c["concept"], concept_id=c["concept_id"]) for c in choices]
    assert sorted(Path(c.entries[0].entry.span.path).name[:3] for c in opened) == ["000", "003"]
    code, out = run(db, "graph", "Lasso Regression")  # and every other lookup by name
    assert code == 1 and "names 2 concepts" in out
    # The text form printed "did you mean: Lasso Regression, Lasso Regression", and `show` had
    # no way to say which: each is listed with the --id that opens it and where it is written,
    # and `show`/`graph` take that id.
    listed = re.findall(r"--id (\d+)  Lasso Regression  \S*?(\d{3})_\w+\.txt:(\d+)", out)
    assert sorted((i, f) for i, f, _ in listed) == sorted(
        (c.id, Path(c.entries[0].entry.span.path).name[:3]) for c in opened), out
    assert "did you mean" not in out
    for concept_id, prefix, line in listed:
        code, shown = run(db, "show", "Lasso Regression", "--id", concept_id)
        assert code == 0, shown
        assert re.search(rf"{prefix}_\w+\.txt:{line}\b", shown), shown
        other = next(i for i, _, _ in listed if i != concept_id)
        assert f"(--id {other})" in shown  # the page says how to reach the other one
        code, drawn = run(db, "graph", "Lasso Regression", "--id", concept_id, "--json")
        assert code == 0 and concept_id in {n["id"] for n in json.loads(drawn)["nodes"]}


def test_summaries_and_notes_wrap_between_words_on_a_terminal(tmp_path: Path) -> None:
    # The ingest summary (113 columns on the corpora) and a search's notes were one line
    # each on a terminal, which an 80-column one broke mid-word at its margin.
    # Piped or in a log, each stays one line.
    db = tmp_path / "kb.db"
    terminal = CliRunner(env={"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"})
    shown = terminal.invoke(main, ["--db", str(db), "ingest", "--no-embed", str(EXAMPLES)])
    assert shown.exit_code == 0, shown.output
    # no vector yet: a note says so
    shown = shown.output + terminal.invoke(main, ["--db", str(db), "search", "qwzx vvbnm",
                                                  "-k", "1"]).output
    lines = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", shown).splitlines()
    assert [line for line in lines if len(line) > 80] == []
    assert [line for line in lines if line.startswith("note: semantic search covers 0 ")]
    words = set(re.findall(r"\w+", " ".join(lines)))
    piped = (run(db, "ingest", "--no-embed", str(EXAMPLES))[1]
             + run(db, "search", "qwzx vvbnm", "-k", "1")[1])
    whole = [x for x in piped.splitlines() if len(x) > 80]  # one line each, not wrapped
    assert len(whole) == 2 and whole[0].startswith("read ") and "note: " in whole[1]
    for line in whole:
        assert set(re.findall(r"\w+", line)) <= words  # no word of it split on a terminal


@pytest.mark.no_store
def test_every_command_but_the_long_running_ones_takes_json() -> None:
    # The README said "Every command takes --json"; serve, mcp and watch do not (they run
    # until stopped). It names them, and any other command without --json fails here.
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    without = sorted(name for name, command in main.commands.items()
                     if not any("--json" in p.opts for p in command.params))
    assert without == ["mcp", "serve", "watch"]
    assert "(all but the long-running\n  `serve`, `mcp` and `watch`)" in readme


def test_sources_with_nothing_to_list_says_so(tmp_path: Path) -> None:
    # A public vault read without a warning: `sources --problems` (and `--failed`) drew an
    # empty table on a terminal, a header over nothing, as if the command had broken.
    db = tmp_path / "kb.db"
    assert run(db, "ingest", "--no-embed", str(EXAMPLES / "vault"))[0] == 0
    terminal = CliRunner(env={"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"})
    for flag, said in (("--problems", "no file has a warning or failed"),
                       ("--failed", "no file failed")):
        result = terminal.invoke(main, ["--db", str(db), "sources", flag])
        assert result.exit_code == 0, result.output
        assert result.stdout == "" and result.stderr.strip() == said, result.output


def test_show_a_topic_offers_the_page_titled_with_it(tmp_path: Path) -> None:
    # Course notes title each folder's index "XGBoost — A to Z": `show xgboost` said only
    # "no concept named 'xgboost'" (round 31), with the page one name away.
    notes = write_notes(tmp_path / "notes", {
        "README.md":
                "# XGBoost — A to Z\n\nMy notes on XGBoost, boosted "
                "trees done properly.\n",
        "trees.md":
                "# Regression Trees\n\nA regression tree predicts a "
                "number at each leaf.\n",
    })
    db = tmp_path / "kb.db"
    assert run(db, "ingest", "--no-embed", str(notes))[0] == 0
    code, out = run(db, "show", "xgboost")
    assert code == 1
    assert "did you mean: XGBoost — A to Z" in out, out
    # A query that is a word of a longer name is offered that name (round 41: `show lasso`
    # offered nothing beside "Lasso Regression"); a word shared beside another word is not.
    code, out = run(db, "show", "regression")
    assert code == 1 and "did you mean: Regression Trees" in out, out
    code, out = run(db, "show", "boosted", "regression")
    assert code == 1 and "did you mean" not in out, out


def test_list_fits_an_80_column_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a terminal `list` printed "name<TAB>path:line": 164 of a course's 304 lines ran past
    # 80 columns, broken by the terminal and ragged. Piped, it stays one record a line.
    notes = tmp_path / "notes" / "18-frontier-genai"
    notes.mkdir(parents=True)
    (notes / "03-advanced-prompting-techniques.md").write_text(
        "# 03 — Advanced Prompting Techniques\n\nChain of thought and self-consistency.\n")
    (notes / "07-advanced-rag.md").write_text("# Advanced RAG\n\nReranking and HyDE.\n")
    db = tmp_path / "kb.db"
    assert run(db, "ingest", "--no-embed", str(tmp_path / "notes"))[0] == 0
    monkeypatch.chdir(tmp_path)
    piped = run(db, "list")[1].splitlines()
    assert len(piped) == 2 and all(line.count("\t") == 1 for line in piped), piped
    terminal = CliRunner(env={"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"})
    result = terminal.invoke(main, ["--db", str(db), "list"])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.output)
    assert "\t" not in text and max(len(line) for line in text.splitlines()) <= 80, text
    for line in piped:  # every name and every file:line, whole
        name, at = line.split("\t")
        assert name in text and at.rsplit("/", 1)[-1] in text, (line, text)


def test_stats_and_sources_tables_read_as_counts(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # On a terminal the counts were left-aligned, ungrouped ("4855" beside "5,158 passages"
    # in ingest's summary), and `sources` kept an empty "note" column on notes with no
    # warning while its paths folded mid-name at 80 columns.
    notes = tmp_path / "notes" / "01-python-basics"
    notes.mkdir(parents=True)
    (notes / "04-control-flow.md").write_text(
        "# 04 — Control Flow\n\n" + "".join(
            f"## Part {i}\n\nAn if statement picks a branch, part {i}.\n\n" for i in range(1200)))
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "kb.db"
    assert run(db, "ingest", "--no-embed", "notes")[0] == 0
    assert run(db, "stats")[1].splitlines()[0].split("\t")[2].isdigit()  # piped: as it was
    terminal = CliRunner(env={"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"})
    stats = terminal.invoke(main, ["--db", str(db), "stats"]).output
    row = next(line for line in stats.splitlines() if "│ all" in line)
    cells = [c for c in row.split("│")[2:] if c]
    assert cells[1].strip() == f"{int(json.loads(run(db, 'stats', '--json')[1])['passages']):,}"
    assert "," in cells[1] and all(c.endswith(" ") and c[-2].isdigit() for c in cells), cells
    sources = terminal.invoke(main, ["--db", str(db), "sources"]).output
    assert "note" not in sources.splitlines()[1], sources
    assert "notes/01-python-basics/04-control-flow.md" in sources, sources  # on one line
