"""A search in a new process loads only what it uses (cold start, issue 14).

Which modules a process imported is a fact about the code, not a timing: the figures are in
bench/scale.py (`--cold`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import grimoire
from grimoire.lint import GROUPS

HEAVY = ("numpy", "onnxruntime", "tokenizers", "grimoire.ingest", "grimoire.readers",
         "grimoire.embed", "rich.progress", "rich.table", "http", "ssl",
         # the embedding thread, the background worker's process and lock, the concept graph,
         # tokens for servers: about 30 ms of a lexical search's start
         "concurrent", "grimoire._background", "grimoire.graph", "secrets",
         # OpenSSL, for hashes only ingest, embedding and a grimoire.toml need: about 20 ms
         "_hashlib",
         # the web server's socket (`grimoire serve`): about 4 ms of every command's start
         "socket")


def imported_after(code: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """The `heavy` modules (or their submodules) a fresh interpreter has after running `code`."""
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps(sorted({{m.split('.')[0] if m.split('.')[0] != 'grimoire' "
             f"and m.split('.')[0] != 'rich' else '.'.join(m.split('.')[:2]) "
             f"for m in sys.modules}} & set({list(heavy)!r}))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.no_store
def test_importing_the_cli_loads_no_reader_model_or_numpy() -> None:
    assert imported_after("import grimoire.cli") == []


@pytest.mark.no_store
def test_the_cli_and_the_package_load_the_store_only_when_used() -> None:
    # `import grimoire` brings the API on first use (`grimoire/__init__.py`).
    store = ("grimoire.knowledge", "grimoire.store", "grimoire.search", "grimoire.resolve",
             "grimoire.model")
    assert imported_after("import grimoire.cli", store) == []
    assert imported_after("import grimoire\nassert grimoire.Span", store) == ["grimoire.model"]
    assert imported_after("from grimoire import open", store) == sorted(store)


@pytest.mark.sqlite_only(reason="another process opens the database by its file path")
def test_a_lexical_search_loads_no_reader_model_or_numpy(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([seeds], embed=False)
    code = (f"import grimoire\nkb = grimoire.open({str(db)!r})\n"
            "hits = kb.search('perplexity', mode='lexical')\nassert hits, 'no hits'")
    assert imported_after(code) == []
    # Concepts are current, so resolve's merging, links and views stay unread (about 15 ms).
    probe = (f"import sys\n{code}\nprint(sorted(m for m in sys.modules if m.startswith("
             "'grimoire.resolve.') and m != 'grimoire.resolve.overrides'))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    # The lazily imported names still work.
    assert {"grimoire.ingest", "grimoire.readers"} <= set(
        imported_after("from grimoire import IngestReport"))


@pytest.mark.sqlite_only(reason="another process opens the database by its file path")
def test_a_lexical_search_builds_none_of_resolves_records(seeds: Path, tmp_path: Path) -> None:
    # Resolve's and the concept lookups' records are 19 dataclasses, about 20 ms to build: a
    # search opens the store that returns them, and builds none.
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([seeds], embed=False)
        kb.resolve()
    module = "grimoire.store.concept_records"
    search = (f"import grimoire\nkb = grimoire.open({str(db)!r})\n"
              "assert kb.search('perplexity', mode='lexical'), 'no hits'\n")
    command = (f"from grimoire.cli import main\ntry:\n    main(['--db', {str(db)!r}, 'search', "
               f"'perplexity', '--mode', 'lexical'])\nexcept SystemExit as e:\n"
               f"    assert not e.code, e.code\n")
    concept = search + "assert kb.concept('perplexity').names\n"
    loaded = []
    for code in (search, command, concept):
        done = subprocess.run([sys.executable, "-c", f"{code}import sys\n"
                               f"print({module!r} in sys.modules)"],
                              capture_output=True, text=True, check=True)
        loaded.append(done.stdout.strip().splitlines()[-1])
    # A concept's page is where they are built.
    assert loaded == ["False", "False", "True"]


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HYBRID = "fine-tune a big model with two low-rank matrices"


def cli_search(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`grimoire search` in a new process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "grimoire", "--db", str(db), "search", *args],
                          capture_output=True, text=True, check=True)


@pytest.mark.sqlite_only(reason="the command line's preload reads the SQLite file by its path")
def test_the_search_command_loads_the_model_ahead_only_when_it_will_embed(
    tmp_path: Path,
) -> None:
    from grimoire import _preload

    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([EXAMPLES / "vault"], embed=False)
    # No vectors: no preload, and a hybrid search command imports no model at all.
    assert not _preload.has_vectors(str(db))
    assert _preload.start(str(db)) is None
    code = (f"from grimoire.cli import main\ntry:\n    main(['--db', {str(db)!r}, 'search', "
            f"{HYBRID!r}])\nexcept SystemExit as e:\n    assert not e.code, e.code")
    assert "onnxruntime" not in imported_after(code)
    # Not a store: nothing is started, and nothing is created or written.
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    assert not _preload.has_vectors(str(notes))
    assert _preload.start(str(tmp_path / "missing.db")) is None
    assert not (tmp_path / "missing.db").exists()
    assert notes.read_text() == "not a database\n"

    with grimoire.open(db) as kb:
        kb.embed()
        expected = kb.search(HYBRID, mode="hybrid")
    assert _preload.has_vectors(str(db))
    # With vectors: the thread leaves one session loaded, for the query and for an answer's
    # sentences alike (in a new process, so that no other test's model counts).
    code = (f"from grimoire import _preload\nfrom grimoire.embed import default_embedder\n"
            f"_preload.start({str(db)!r}).join()\n"
            f"s = default_embedder()._sessions\n"
            f"assert list(s) == [True, False] and s[True] is s[False], s")
    assert "onnxruntime" in imported_after(code)
    # The command, its model loaded ahead, finds what the API finds, in the same order, and
    # a lexical search command still imports neither numpy nor the model.
    found = json.loads(cli_search(db, HYBRID, "--json").stdout)
    assert [(h["passage_id"], h["score"]) for h in found] == [
        (h.passage_id, h.score) for h in expected]
    # Piped, the loading spinner's test of a terminal imports no rich (~60 ms of a one-shot
    # hybrid search or question, round 49).
    code = (f"from grimoire.cli import main\ntry:\n    main(['--db', {str(db)!r}, 'search', "
            f"{HYBRID!r}])\nexcept SystemExit as e:\n    assert not e.code, e.code")
    assert imported_after(code, ("rich.console", "rich.live")) == []
    # A piped question prints its answer and citations as rich prints them there, without
    # importing it (as a search its hits; 25-40 ms of a one-shot `ask`, issue 14).
    # Then, in the same process (the model loaded), as rich prints it: FORCE_COLOR makes it
    # take the pipe for a terminal this wide (as in the test below), its styles taken off.
    ask = ["--db", str(db), "ask", "what does LoRA replace a weight update with?"]
    code = (f"import json, os, sys\nfrom grimoire.cli import main\n"
            f"def ask():\n    try:\n        main({ask!r})\n    except SystemExit as e:\n"
            f"        assert not e.code, e.code\n"
            f"ask()\nprint('@@', json.dumps([m for m in sys.modules if m.startswith('rich')]))\n"
            f"os.environ.update(FORCE_COLOR='1', COLUMNS='100000')\nask()")
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout
    piped, rest = printed.split("@@ ")
    imported, through_rich = rest.split("\n", 1)
    assert json.loads(imported) == [] and "\n[1] " in piped, printed
    assert piped == re.sub(r"\x1b\[[0-9;]*m", "", through_rich)
    code = (f"from grimoire.cli import main\ntry:\n    main(['--db', {str(db)!r}, "
            f"'search', 'low-rank', '--mode', 'lexical'])\n"
            f"except SystemExit as e:\n    assert not e.code, e.code")
    assert imported_after(code) == []


@pytest.mark.no_store
def test_ask_loads_no_near_duplicate_machinery(tmp_path: Path) -> None:
    # `ask` checks the arithmetic of its answer with `grimoire.lint`; the near-duplicate
    # finder beside it imports datasketch, which imports scipy: 0.4-0.6 s of a cold
    # `grimoire ask`, for a check ask never runs. Nor does the web app's start import it: a
    # first /health pays it where lint runs (round 55). One interpreter for the three (a
    # module imported stays imported: none of them is there after the last, so after none).
    assert imported_after("import grimoire.ask\nimport grimoire.lint\n"
                          "import grimoire, grimoire.web as w\n"
                          f"kb = grimoire.open({str(tmp_path / 'notes.db')!r})\n"
                          "w.create_app(kb, w.Guard.for_bind('127.0.0.1', 8000, None), "
                          "w.Settings())", ("datasketch", "scipy")) == []


@pytest.mark.no_store
def test_ask_loads_no_reader() -> None:
    # Checking an answer's citations reads the cited files (`grimoire.files`) but parses
    # none: the readers' package imports every reader, docutils and markdown-it among them
    # (0.5 s of a cold `grimoire ask`).
    assert imported_after("import grimoire.ask", ("grimoire.readers", "docutils",
                                                  "markdown_it")) == []


# The parsers of the readers: markdown-it-py, docutils, mwparserfromhell, selectolax and
# defusedxml's SAX driver, 0.3 s of imports each or near it.
PARSERS = ("markdown_it", "docutils", "mwparserfromhell", "selectolax", "defusedxml")


def readers_after(code: str) -> set[str]:
    """The reader modules (`grimoire.readers.*`) and parsers a fresh interpreter has after
    running `code`."""
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return {m for m in done.stdout.strip().splitlines()[-1].split()
            if m.startswith("grimoire.readers.") or m.split(".")[0] in PARSERS}


@pytest.mark.no_store
def test_the_readers_package_imports_no_reader() -> None:
    # `ask` (its citations' files), `lint` and `show` use the readers' base and conventions;
    # the package imported every reader with them (issue 14: 2.1 s of imports a command).
    assert readers_after("import grimoire.readers.base\nimport grimoire.readers.conventions") \
        == {"grimoire.readers.base", "grimoire.readers.sniffs", "grimoire.readers.conventions"}


@pytest.mark.no_store
def test_each_format_of_the_registry_is_its_readers_module() -> None:
    from grimoire import readers

    for known, reader in zip(readers.FORMATS, readers.READERS, strict=True):
        assert (reader.name, reader.extensions, getattr(reader, "binary", False)) \
            == (known.name, known.extensions, known.binary), known.module
        assert known.sniff is None or known.sniff is reader.sniff, known.module
    assert [f.name for f in readers.FORMATS] == ["pdf", "notebook", "org", "obsidian",
                                                 "markdown", "mediawiki", "glossary", "rst",
                                                 "latex", "typst", "asciidoc", "tiddlywiki", "html",
                                                 "text"]


@pytest.mark.sqlite_only(reason="another process opens the database by its file path")
def test_reading_a_note_imports_its_reader_alone(tmp_path: Path) -> None:
    # A reader is imported when a file of its format is met: reading one Markdown note (as
    # an ingest's reader worker does) loads markdown-it and no other reader or parser (the
    # wikitext test every `.md` file takes is in `sniffs`); a plain-text note, sniffed by
    # every reader in turn, loads none; the ingest command's own process loads no reader.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "attention.md").write_text("# Attention\n\nWeights tokens by relevance.\n")
    (notes / "todo.txt").write_text("Things to read\n\nthe paper on attention\n")
    loaded = {}
    for name in ("attention.md", "todo.txt"):
        path = str(notes / name)
        loaded[name] = readers_after(
            f"from pathlib import Path\nfrom grimoire import readers\n"
            f"data = Path({path!r}).read_bytes()\nhead = readers.sniff_head(data, {path!r})\n"
            f"assert readers.not_a_note({path!r}, data, head) is None\n"
            f"assert readers.read_file(readers.detect({path!r}, head).name, data, {path!r})")
    command = readers_after(
        f"from grimoire.cli import main\ntry:\n    main(['--db', {str(tmp_path / 'kb.db')!r},"
        f" 'ingest', {str(notes)!r}, '--no-embed'])\nexcept SystemExit as e:\n"
        f"    assert not e.code, e.code")
    others = {"docutils", "mwparserfromhell", "selectolax", "defusedxml",
              *(f"grimoire.readers.{r}" for r in ("rst", "html", "latex", "org", "notebook",
                                                  "glossary", "pdf", "text", "mediawiki"))}
    assert {"markdown_it", "grimoire.readers.markdown"} \
        <= loaded["attention.md"]
    assert not loaded["attention.md"] & others, loaded["attention.md"]
    assert "grimoire.readers.text" in loaded["todo.txt"]
    assert not loaded["todo.txt"] & {*PARSERS, "grimoire.readers.markdown",
                                     "grimoire.readers.rst", "grimoire.readers.html",
                                     "grimoire.readers.latex"}, loaded["todo.txt"]
    assert not command & {*PARSERS, "grimoire.readers.markdown", "grimoire.readers.text"}, \
        command


@pytest.mark.sqlite_only(reason="another process opens the database by its file path")
def test_a_piped_or_json_search_command_imports_no_rich_and_prints_what_rich_would(
    seeds: Path, tmp_path: Path
) -> None:
    # Rich costs a search about 60 ms to import; it is for terminals. Piped, the command prints
    # the lines rich printed there (its own test of a terminal, made without it).
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([seeds], embed=False)
    for extra in ([], ["--json"]):
        args = ["--db", str(db), "search", "perplexity", "--mode", "lexical", *extra]
        code = (f"from grimoire.cli import main\ntry:\n    main({args!r})\n"
                f"except SystemExit as e:\n    assert not e.code, e.code")
        assert imported_after(code, (*HEAVY, "rich")) == [], extra
    piped = cli_search(db, "perplexity", "--mode", "lexical").stdout
    assert piped.count("\n") >= 2 and "«" not in piped
    # FORCE_COLOR makes rich take the pipe for a terminal, one this wide wraps no snippet (a
    # narrow one wraps them under their indent), and its styles are taken off (TERM=dumb would
    # print none, but would also make the terminal 80 columns wide).
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "100000"}
    through_rich = subprocess.run([sys.executable, "-m", "grimoire", "--db", str(db), "search",
                                   "perplexity", "--mode", "lexical"], capture_output=True,
                                  text=True, check=True, env=env).stdout
    assert piped == re.sub(r"\x1b\[[0-9;]*m", "", through_rich)


@pytest.mark.sqlite_only(reason="the lock of a database file lies beside it")
def test_the_vector_status_of_a_file_starts_no_process_machinery(tmp_path: Path) -> None:
    # A hybrid search counts the vectors and asks the lock while its model loads: subprocess
    # and tempfile (shutil, bz2, lzma, random) are for starting a worker and for server URLs.
    db = tmp_path / "kb.db"
    grimoire.open(db).close()
    code = f"import grimoire\nkb = grimoire.open({str(db)!r})\nprint(kb.vector_status())"
    assert imported_after(code, ("subprocess", "tempfile")) == []


@pytest.mark.sqlite_only(reason="another process opens the database by its file path")
def test_a_search_command_ends_without_teardown_and_loses_no_output(
    seeds: Path, tmp_path: Path,
) -> None:
    # After a search or an ask, the command ends the process at once (`cli.run`): no
    # teardown (an exit handler never runs), yet its output is whole and its exit status the
    # command's, whether it found something or not. Other commands, errors and a process
    # under a profiler exit the usual way.
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([seeds], embed=False)
        expected = kb.search("perplexity", k=50, mode="lexical")

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        code = ("import atexit, sys\natexit.register(lambda: print('TORN DOWN', file=sys.stderr))\n"
                f"sys.argv = ['grimoire', '--db', {str(db)!r}, *{list(args)!r}]\n"
                "from grimoire.cli import run\nrun(prog_name='grimoire')")
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    found = command("search", "perplexity", "-k", "50", "--mode", "lexical", "--json")
    assert found.returncode == 0 and "TORN DOWN" not in found.stderr
    hits = json.loads(found.stdout)
    assert len(hits) == len(expected) > 1
    assert [h["passage_id"] for h in hits] == [h.passage_id for h in expected]
    shown = command("search", "perplexity", "--mode", "lexical")
    assert shown.returncode == 0 and "TORN DOWN" not in shown.stderr
    assert shown.stdout.count("\n") >= 2 * min(len(expected), 10)
    none = command("search", "zzzzqqqq", "--mode", "lexical")
    assert none.returncode == 0 and none.stderr.strip() == "no results"
    answered = command("ask", "what is perplexity?")
    assert answered.returncode == 0 and "TORN DOWN" not in answered.stderr
    assert "perplexity" in answered.stdout.lower()
    stats = command("stats")
    assert stats.returncode == 0 and "TORN DOWN" in stats.stderr
    failed = command("search", "perplexity", "--mode", "nonsense")
    assert failed.returncode == 2 and "TORN DOWN" in failed.stderr
    # With standard output closed (`>&-`), a search still exits as it did before.
    closed = subprocess.run(
        f"{shlex.quote(sys.executable)} -m grimoire --db {shlex.quote(str(db))} search "
        "perplexity --mode lexical >&-", shell=True, capture_output=True, text=True)
    assert closed.returncode == 0 and "Traceback" not in closed.stderr, closed.stderr
    # Under a profiler the process exits the usual way, so that the profile is written.
    profile = tmp_path / "search.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "grimoire",
                    "--db", str(db), "search", "perplexity", "--mode", "lexical"],
                   check=True, capture_output=True)
    assert profile.stat().st_size > 0


@pytest.mark.sqlite_only(reason="another process opens the database by its file path")
def test_a_piped_ingest_and_stats_import_no_rich_and_print_what_rich_would(
    seeds: Path, tmp_path: Path
) -> None:
    # Piped, their lines are our own words (counts, no markup): printed as rich prints them
    # there, without importing its console (~40 modules, 25-80 ms a command, issue 14).
    def commands(db: Path) -> list[list[str]]:
        return [["--db", str(db), "ingest", str(seeds), "--no-embed"], ["--db", str(db), "stats"]]

    code = "import json, sys\nfrom grimoire.cli import main\n" + "".join(
        f"try:\n    main({command!r})\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        for command in commands(tmp_path / "piped.db")) + (
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'rich')))")
    piped = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    *printed, imported = piped.stdout.splitlines(keepends=True)
    assert json.loads(imported) == []
    assert "·" in printed[0] and "files seen" in printed[-1], printed
    assert piped.stderr == "see the warnings with: grimoire sources --problems\n"  # the seeds'
    # FORCE_COLOR makes rich take the pipe for a terminal this wide (as above).
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "100000"}
    through_rich = subprocess.run([sys.executable, "-m", "grimoire",
                                   *commands(tmp_path / "rich.db")[0]],
                                  capture_output=True, text=True, check=True, env=env)
    assert printed[0] == re.sub(r"\x1b\[[0-9;]*m", "", through_rich.stdout)
    # after the reading bar a terminal gets
    assert re.sub(r"\x1b\[\??[0-9;]*[a-zA-Z]", "", through_rich.stderr).endswith(
        piped.stderr)
    assert re.fullmatch(r"\d+ files seen, 0 failed\n", printed[-1]), printed
    # `lint` and `graph`, piped, the same way (review52b): no rich, and `lint --group` of a
    # group that is no near-duplicate imports no datasketch, scipy or numpy (0.4-0.6 s); then,
    # in the same process, as rich prints them (as above).
    # (every group but near-duplicates, which the seeds have none of)
    groups = [arg for group in GROUPS if group != "near-duplicate" for arg in ("--group", group)]
    lint_graph = [["graph"], ["graph", "LoRA"], ["lint", *groups]]
    heavy = "{'rich', 'datasketch', 'scipy'}"
    run = "".join(f"try:\n    main({['--db', str(tmp_path / 'piped.db'), *command]!r})\n"
                  f"except SystemExit:\n    pass\nprint('@@', json.dumps(sorted("
                  f"{{m.split('.')[0] for m in sys.modules}} & {heavy})))\n"
                  for command in lint_graph)
    code = (f"import json, os, sys\nfrom grimoire.cli import main\n{run}"
            f"os.environ.update(FORCE_COLOR='1', COLUMNS='100000')\n{run}")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    *printed, _ = re.split(r"^@@ (.*)\n", done.stdout, flags=re.MULTILINE)
    shown, imported = printed[::2], [json.loads(m) for m in printed[1::2]]
    assert imported[:3] == [[], [], []], imported
    assert "    → " in shown[1] and "findings in" in shown[2], shown
    assert shown[:3] == [re.sub(r"\x1b\[[0-9;]*m", "", text) for text in shown[3:]]


# Round 53: terms whose names and definitions hold what rich reads as markup, a backslash at
# the end, a tab, and a title too long for its heading's rule.
ODD_TERMS = """B#
Bracketed [bold] Term#
A term written with [bold] and [/] in it\tand a tab, ending on a backslash \\
P#
Plain Term#
A plain term.\tIt links [Bracketed [bold] Term].
A#
A Term Whose Name Is Far Too Long To Fit In The Heading Rule Of An Eighty Column Page#
Its definition is short, C:\\temp\\[bold].
"""
# review53d: a tab after wide and combining characters, a title whose vowel sign rich counts
# as no column (a second note, ingested once `lint` has seen a store of one)
WIDE_TERMS = """W#
Wide Term#
Wide characters, then a tab:\u6ce8\u610f\tcombining e\u0301\tan emoji \U0001f680\tend.
K#
Kaam \u0915\u093e\u092e#
A title rich measures two columns wide in three characters (a vowel sign).
"""


@pytest.mark.sqlite_only(reason="another process opens the database by its file path")
def test_a_piped_show_or_lint_of_one_note_imports_neither_rich_nor_datasketch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A piped `show` printed through rich's console (41 modules, for its heading's rule and
    its markup); `lint` of a store of one passage imported datasketch and scipy (0.6 s) to
    compare it with nothing. Piped, `show` prints rich's own plain lines without it."""
    from rich.console import Console

    from grimoire._cli_concepts import Piped, narrow, render_concept
    from grimoire.cli import _wrapping, where

    monkeypatch.setenv("COLUMNS", "80")  # as the console below, whatever runs the test
    shown: dict[str, str] = {}
    wide: list[str] = []  # titles `show` prints through rich
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "odd.txt").write_text(ODD_TERMS)
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    # both in one interpreter (each starts one: seconds of the suite under load)
    code = "from grimoire.cli import main\n" + "".join(
        f"try:\n    main({['--db', str(db), *command]!r})\n"
        f"except SystemExit as e:\n    assert e.code in (0, 1, None), e.code\n"
        for command in (["show", "Plain Term"], ["lint"]))
    assert imported_after(code, ("rich", "datasketch", "scipy")) == []
    (notes / "wide.txt").write_text(WIDE_TERMS)
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
        labels = [s.label for s in kb.concepts()]
        assert len(labels) == 7 and "Bracketed [bold] Term" in labels, labels
        for s in kb.concepts():
            c = kb.concept(s.label, concept_id=s.id)
            if not narrow(f"{c.label} · {c.kind or ''}"):
                wide.append(c.label)
                continue
            said, copies = kb.said(c), kb.near_duplicates(c.label, concept_id=c.id)
            with contextlib.redirect_stdout(io.StringIO()) as piped:
                render_concept(Piped(), c, where, copies, kb.namesakes(c), said)
            through_rich = _wrapping(Console)(width=80, emoji=False, highlight=False)
            with through_rich.capture() as captured:
                render_concept(through_rich, c, where, copies, kb.namesakes(c), said)
            printed = piped.getvalue()
            assert printed == captured.get(), (printed, captured.get())
            shown[c.label] = printed
    assert "─ Bracketed [bold] Term ─" in shown["Bracketed [bold] Term"]
    # review53d: a tab after wide or combining characters stops where rich's does, and a
    # title whose vowel sign rich counts as no column is measured by rich
    assert "\u6ce8\u610f      combining" in shown["Wide Term"], shown["Wide Term"]
    assert wide == ["Kaam \u0915\u093e\u092e"], wide
    assert "…" in shown[labels[0]].splitlines()[0]  # the long title, cut as rich cuts it


@pytest.mark.no_store
@pytest.mark.parametrize("columns", ["0", "20", "500", ""])
def test_columns_of_0_is_no_width_and_piped_measures_as_rich(
        columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """review53d: `COLUMNS=0` made rich's consoles 0 wide and print nothing (`show` of an
    emoji's title, "no concept named" on stderr: exit 1, no word), while `Piped` took 80."""
    from rich.console import Console

    from grimoire._cli_concepts import Piped
    from grimoire.cli import _wrapping

    monkeypatch.setenv("COLUMNS", columns)
    printed = io.StringIO()
    console = _wrapping(Console)(file=printed, emoji=False, highlight=False)
    console.print("error: no concept named 'Wide'")
    assert printed.getvalue() == "error: no concept named 'Wide'\n"
    assert Piped().width == console.width, (Piped().width, console.width)
