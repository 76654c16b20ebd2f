"""Shared fixtures: the seeds and corpora in ../shared, real SQLite files in tmp_path."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# Property tests check what a function gives, never how fast: Hypothesis's 200 ms deadline is
# a timing assertion, and a loaded machine failed test_rst_inline_shortcuts on it (round 29).
settings.register_profile("grimoire", deadline=None)
settings.load_profile("grimoire")
# GRIMOIRE_SHARED: where ../shared is when the clone is not beside it (a git worktree elsewhere)
SHARED = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"
EXAMPLES = ROOT / "examples"

# A shell starts a background job (`pytest &`, nohup) with Ctrl-C ignored, and an ignored
# signal stays ignored across exec: every CLI the tests start would then ignore the SIGINT
# that the Ctrl-C tests send (exit 0, or a watcher that never stops). A handler of our own is
# reset to the default on exec, so the children get Python's KeyboardInterrupt as a user's
# terminal would give it.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _need(path: Path) -> Path:
    if path.is_dir():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing: CI must run with ../shared beside the clone")
    pytest.skip(f"{path} is missing: clone the project next to shared/ to run this test")


@pytest.fixture(scope="session")
def seeds() -> Path:
    return _need(SEEDS)


@pytest.fixture(scope="session")
def corpora() -> Path:
    return _need(CORPORA)


def seed(name_prefix: str) -> Path:
    """The seed file whose name starts with `name_prefix` (e.g. "003")."""
    folder = _need(SEEDS)
    return next(folder.glob(f"{name_prefix}_*.txt"))


def homonyms(folder: Path) -> Path:
    """Seeds 000 and 003 copied into `folder` with a `grimoire.toml` that splits their two
    entries of "Lasso Regression" (a user's word that one name means two things): two
    concepts of one label, which only their ids tell apart."""
    folder.mkdir(parents=True, exist_ok=True)
    for prefix in ("000", "003"):
        shutil.copy(seed(prefix), folder)
    heads = [f"{p.name}:{n}" for p in sorted(folder.glob("00*.txt"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if line.rstrip("#").strip() == "Lasso Regression"]
    assert len(heads) == 2, heads
    (folder / "grimoire.toml").write_text(f"[[split]]\nnames = {json.dumps(heads)}\n",
                                          encoding="utf-8")
    return folder


# -- notes a test writes, read into a store of its own ----------------------------------------


def write_notes(root: Path, files: dict[str, str]) -> Path:
    """Each of `files` (a path under `root` and its text) written in UTF-8, folders made, in
    the order given; `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def ingested(db: Path | str, *paths: Path | str, embed: bool = True) -> Any:
    """A knowledge base at `db` (a file, or the test's PostgreSQL database for that path),
    open, with `paths` ingested into it; a `with` block closes it. The set-up of most tests
    that write a few notes of their own: `with ingested(tmp_path / "kb.db", write_notes(
    tmp_path / "notes", {...})) as kb:`."""
    import grimoire

    kb = grimoire.open(db)
    try:
        kb.ingest(list(paths), embed=embed)
    except BaseException:
        kb.close()
        raise
    return kb


def written_store(factory: pytest.TempPathFactory, name: str,
                  files: dict[str, str]) -> Iterator[Any]:
    """A module's store of notes it writes (`files`, under a temporary folder named `name`),
    ingested without vectors, open while the module runs: `yield from written_store(
    tmp_path_factory, "qa49", NOTES)` in a module-scoped fixture (`notes_store` is the same
    for files that exist already, embedded)."""
    root = factory.mktemp(name)
    with ingested(root / "kb.db", write_notes(root / "notes", files), embed=False) as kb:
        yield kb


# -- stores: SQLite files and a real PostgreSQL (pgserver: PostgreSQL 16 with pgvector) --------

# GRIMOIRE_TEST_STORE=postgres runs the whole suite on PostgreSQL: every knowledge base a test
# opens by file path gets a database of its own on the test server instead.
TEST_STORE = os.environ.get("GRIMOIRE_TEST_STORE", "sqlite")
ENGINES = ("sqlite", "postgres")


class PgDatabases:
    """Databases on one test server: a new one per name, the same one for the same name."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.names: dict[str, str] = {}
        self.count = itertools.count()
        self.empty_store: str | None = None  # `store_url`'s template
        self.last = ""  # the database made last

    def url(self, key: str | None = None) -> str:
        """A database URL for `key` (a new, empty database the first time; None: always new)."""
        return self._database(key, "template1")

    def store_url(self, key: str, open_store: Callable[[str], Any]) -> str:
        """The database of the store a test opens at the path `key`: new the first time, a
        copy of a database where `open_store` made an empty store (its schema: the tables,
        indexes, pgvector, the text-search configuration), made once a pass. Making that
        schema in each of the ~1,000 stores a pass opens cost 0.075-0.14 s of CPU a store, most
        of it the server's (bench/README.md, round 42); the copy is what opening a new
        database leaves, row for row. Making the schema, and every migration, stays checked
        on new databases (`url`: tests/store)."""
        if self.empty_store is None:
            empty = self._database(None, "template1")
            open_store(empty).close()
            self.empty_store = self.last
        return self._database(key, self.empty_store)

    def _database(self, key: str | None, template: str) -> str:
        if key is not None and key in self.names:
            return str(self.server.get_uri(self.names[key]))
        name = self.last = f"t{os.getpid()}_{next(self.count)}"
        self._create(name, template)
        if key is not None:
            self.names[key] = name
        return str(self.server.get_uri(name))

    def copy(self, source: str, key: str) -> None:
        """The database of `key` made a copy of the one of `source`."""
        name = f"t{os.getpid()}_{next(self.count)}"
        self._create(name, self.names[source])
        self.names[key] = name

    def _create(self, name: str, template: str) -> None:
        """A new database, a copy of `template` (PostgreSQL's template copy: `template` must
        have no open connection, so a server still closing one is waited for)."""
        import time

        import psycopg

        with psycopg.connect(self.server.get_uri(), autocommit=True) as conn:
            for attempt in range(100):
                try:
                    conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
                    return
                except psycopg.errors.ObjectInUse:
                    if attempt == 99:
                        raise
                    time.sleep(0.1)


def settings_off(server: Any, *more: str) -> None:
    """A server made for the tests: nothing it holds must outlive a crash of the machine, so it
    does not flush to disk (fsync, full_page_writes: PostgreSQL's "non-durable settings"; a
    crash of the server itself loses nothing by them, the files are written). No autovacuum
    either: its launcher visits every database of the server in turn (a pass makes hundreds,
    none dropped) and analyzes each store a test wrote, on the server's CPU beside both
    passes, at moments no test chooses; a test that needs the planner's statistics runs
    ANALYZE itself (tests/store/test_postgres_plans.py). `more`: other settings made off."""
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        for setting in ("fsync", "full_page_writes", "autovacuum", *more):
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute("SELECT pg_reload_conf()")


@pytest.fixture(scope="session")
def pg() -> Iterator[PgDatabases]:
    """A PostgreSQL server for this test run, started here (nothing preinstalled)."""
    import tempfile
    import warnings

    # Not under pytest's tmp folder: as root, pgserver runs the server as another user, who
    # must be able to reach the data folder (pytest's is private to root).
    folder = Path(tempfile.mkdtemp(prefix="grimoire-pg-"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR in CI
        import pgserver

        # Stopped here, not by pgserver (whose stop waits for the shutdown checkpoint).
        server = pgserver.get_server(folder, cleanup_mode=None)
    from pgserver._commands import pg_ctl

    try:
        # The processes the tests kill are its clients; the server itself keeps running, so
        # a commit may also return before its log is written (synchronous_commit).
        settings_off(server, "synchronous_commit")
        yield PgDatabases(server)
    finally:
        # No shutdown checkpoint either: the data is deleted next.
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=folder, user=server.system_user)
        # The data folder holds a copy of template1 (8 MB, about 400 files) for every
        # database the run made: removing it was the last test's teardown, 27-35 s at the end
        # of a loaded pass (tests/web alone: 29 databases, 383 MB, 5.5 s; stopping the server
        # 0.2 s), on a disk mounted with `discard`. Nothing needs to wait for it: a process of
        # its own (in a session of its own, the shell that starts it gone at once) removes it
        # while the run ends.
        import subprocess

        subprocess.run(["sh", "-c", 'rm -rf -- "$1" </dev/null >/dev/null 2>&1 &', "sh",
                        str(folder)], check=True, start_new_session=True)


@pytest.fixture(scope="session", autouse=True)
def _store_switch(request: pytest.FixtureRequest) -> Iterator[None]:
    if TEST_STORE != "postgres":
        yield
        return
    from grimoire import knowledge

    databases: PgDatabases = request.getfixturevalue("pg")
    real = knowledge.open_store

    def open_on_postgres(url: str, **options: Any) -> Any:
        if url.startswith(("postgres://", "postgresql://")):
            return real(url, **options)
        path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
        return real(databases.store_url(str(Path(path).resolve()), real))

    patch = pytest.MonkeyPatch()
    patch.setattr(knowledge, "open_store", open_on_postgres)
    yield
    patch.undo()


# Modules whose tests open no knowledge base (readers, parsers, codecs): the PostgreSQL pass
# would run them exactly as the SQLite pass did (a third of the suite), so it skips them, and
# so it does a single test marked `no_store` in a module that opens stores elsewhere. A
# CLI child given a file path opens SQLite in both passes: a test whose only store is a
# child's runs the same in both, and counts as one that opens none. The SQLite pass checks
# the claim: such a test that opens a store in its own process fails. Which tests of a
# PostgreSQL pass reach the server at all is recorded by tests/_pg_record.py (round 44 marked
# by its list the tests that reached none; a test written later runs in both passes until it
# is marked).
NO_STORE = frozenset(f"tests/{name}.py" for name in (
    "readers/test_base", "readers/test_fast_paths", "readers/test_glossary",
    "readers/test_golden", "readers/test_html", "readers/test_markdown",
    "readers/test_new_formats_linear", "readers/test_notebook", "readers/test_obsidian",
    "readers/test_org", "readers/test_rst", "lint/test_arithmetic", "hostile/test_fuzz",
    "hostile/test_linear", "hostile/test_backtracking", "readers/test_mediawiki",
    "readers/test_reading_round22", "test_codec", "test_names", "test_public_api",
    "test_examples", "test_readpool"))


# A test that opens no store runs the same in either pass. In the split run (SPLIT, below)
# the PostgreSQL pass, the shorter, runs these tests of NO_STORE (a module, or a module's
# test by name) and the SQLite pass skips them, so that the two end closer together; the
# check that they open no store goes with them. Run alone, the SQLite pass runs them.
# test_backtracking whole (its CLI children get a file as `--db`: SQLite in both passes): a
# fresh-clone run with its CLI children alone moved had the SQLite pass end 1:33 after the
# PostgreSQL pass (14:28 and 12:55); the rest of the module is about 26 s on a quiet machine.
# test_linear's test_reader_cost_is_linear (every reader on every pathological input, 52 s of
# the 100 s of CPU the SQLite pass gave NO_STORE, round 39): round 38's fresh clone had the
# SQLite pass end 1:48 after the PostgreSQL pass (13:59 and 12:11). With test_new_formats_linear
# moved too, round 39's whole run had the PostgreSQL pass end last (12:07 and 12:54).
# test_embed's tests of the model alone (about 31 s of CPU, round 41): the PostgreSQL pass
# no longer makes a schema for each store it opens (`PgDatabases.store_url`), so it has the
# room (round 42). test_new_formats_linear (16 s of CPU): round 43's fresh clone with it moved
# had the PostgreSQL pass end last, 34 s after the SQLite pass (14:19 and 13:45), and without it
# the SQLite pass ended last, 21 s after (14:42 and 14:21); round 44 took the tests that reach no
# PostgreSQL database out of the PostgreSQL pass (the no_store marks, about 15-25 s), so it
# moves again. Round 44 also ran ask's answer-choice tests in the SQLite pass alone (ASK_CHOICE,
# below: about two minutes of the PostgreSQL pass), and five readers' modules moved with it.
NO_STORE_ON_POSTGRES = frozenset(f"tests/{name}" for name in (
    "hostile/test_backtracking.py", "hostile/test_linear.py::test_reader_cost_is_linear",
    "test_embed.py", "readers/test_new_formats_linear.py", "readers/test_pdf.py",
    "readers/test_fast_paths.py", "readers/test_obsidian.py", "readers/test_rst.py",
    "readers/test_mediawiki_stream.py",
    # Round 52: two worker starts of 1.2 s and 0.5 s, in the shorter pass.
    "test_readpool.py::test_a_workers_imports_are_not_its_first_files_time",
    # Round 53: 100 workers forked from the test process, each dying at its start (5.3 s in
    # round 52's fresh clone, the SQLite pass's 12th slowest test; that pass ended 35 s last).
    "test_readpool.py::test_a_worker_dead_before_its_first_read_fails_its_files_and_stops_nothing"))


# The regression tests of ask's answer choice (each round's questions over real pages): what
# they check is which sentence ask picks from what search gives, and search gives the same on
# both engines (tests/store's contract suite and tests/test_search.py run on both). They run in
# the SQLite pass alone, keeping the pass's session stores shared between them (a module moved
# to the PostgreSQL pass would ingest its pages again there). tests/test_ask.py,
# test_ask_vectors.py and tests/ask/test_abstain_*.py still ask on both engines.
ASK_CHOICE = ("tests/ask/test_round*.py", "tests/ask/test_review*.py",
              "tests/ask/test_follow_*.py", "tests/test_ask_round*.py",
              "tests/test_ask_acronyms.py", "tests/test_ask_fresh*.py")


def _asks_once(item: pytest.Item) -> bool:
    return any(fnmatch(_module(item), pattern) for pattern in ASK_CHOICE)

# A one_pass test the PostgreSQL pass runs instead of the SQLite pass, to even the two (round
# 44's fresh clone: SQLite 13:32, PostgreSQL 13:16; this test is 11 s of the SQLite pass).
ONE_PASS_ON_POSTGRES = frozenset({
    "tests/web/test_browser.py::test_csp_alone_stops_inline_script"})


def _module(item: pytest.Item) -> str:
    return Path(item.path).relative_to(ROOT).as_posix()


def _moved_to_postgres(item: pytest.Item) -> bool:
    """In the split run, the PostgreSQL pass runs this test that opens no store (a module
    named in NO_STORE_ON_POSTGRES moves its tests that open none, the others stay)."""
    return (_opens_no_store(item)
            and bool({_module(item), item.nodeid.split("[")[0]} & NO_STORE_ON_POSTGRES))


def _opens_no_store(item: pytest.Item) -> bool:
    return _module(item) in NO_STORE or item.get_closest_marker("no_store") is not None


@pytest.fixture(autouse=True)
def _no_store_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    # Checked in the pass that runs the test (the PostgreSQL pass skips the others).
    if not _opens_no_store(request.node):
        yield
        return
    from grimoire import knowledge

    def refuse(url: str, **options: Any) -> Any:
        raise AssertionError(f"{request.node.nodeid} opens a store ({url}), but it is marked "
                             "no_store or its module is in NO_STORE (tests/conftest.py): only "
                             "one of the two passes runs it")

    patch = pytest.MonkeyPatch()
    patch.setattr(knowledge, "open_store", refuse)
    yield
    patch.undo()


# tests/store runs each test on each engine itself (its fixtures' "sqlite" and "postgres"
# params, or a `pg` of its own), whatever the switch. Run alone, either pass runs the lot as
# before (the PostgreSQL pass: none of it). When scripts/test.sh runs the two passes side by
# side it sets GRIMOIRE_TEST_SPLIT=1, and each pass runs its own engine's half: the SQLite pass
# the tests that open no PostgreSQL database, the PostgreSQL pass those that do (with the real
# `open_store`: tests/store/conftest.py), so neither is run twice and the SQLite pass (the
# longer) no longer waits for PostgreSQL. The SQLite pass checks the split: a test it runs that
# asks the server for a database fails (tests/store/conftest.py).
SPLIT = os.environ.get("GRIMOIRE_TEST_SPLIT") == "1"
STORE_TESTS = ROOT / "tests" / "store"


def on_postgres(item: pytest.Item) -> bool:
    """A tests/store test that opens a PostgreSQL database (in a split run, the PostgreSQL
    pass runs it)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return ("pg" in getattr(item, "fixturenames", ()) or "postgres" in params.values()
            or item.get_closest_marker("postgres") is not None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if TEST_STORE != "postgres":
        if SPLIT:
            for item in items:
                if Path(item.path).is_relative_to(STORE_TESTS) and on_postgres(item):
                    item.add_marker(pytest.mark.skip(
                        reason="tests/store on PostgreSQL: the PostgreSQL pass runs it"))
                elif _moved_to_postgres(item):
                    item.add_marker(pytest.mark.skip(
                        reason="opens no store: the PostgreSQL pass runs it"))
                elif item.nodeid in ONE_PASS_ON_POSTGRES:
                    item.add_marker(pytest.mark.skip(
                        reason="checks nothing the engine decides: the PostgreSQL pass runs it"))
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        once = item.get_closest_marker("one_pass")
        if marker is not None:
            why = marker.kwargs.get("reason", "reads or breaks the SQLite file itself")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))
        elif once is not None and not (SPLIT and item.nodeid in ONE_PASS_ON_POSTGRES):
            item.add_marker(pytest.mark.skip(
                reason=f"checks nothing the engine decides: the SQLite pass ran it "
                       f"({once.kwargs['reason']})"))
        elif _asks_once(item) and not _opens_no_store(item):
            item.add_marker(pytest.mark.skip(
                reason="checks ask's choice among what search gives: the SQLite pass ran it"))
        elif Path(item.path).is_relative_to(STORE_TESTS):
            if not SPLIT:
                # The contract suite runs on both engines in the SQLite pass.
                item.add_marker(pytest.mark.skip(reason="tests/store runs both engines anyway"))
            elif not on_postgres(item):
                item.add_marker(pytest.mark.skip(
                    reason="tests/store without PostgreSQL: the SQLite pass runs it"))
        elif _opens_no_store(item) and not (SPLIT and _moved_to_postgres(item)):
            item.add_marker(pytest.mark.skip(reason="opens no store: the SQLite pass ran it"))


# scripts/test.sh starts the PostgreSQL pass once the SQLite pass has collected the suite: the
# SQLite pass's collection writes the test modules' bytecode (their asserts rewritten) and
# Grimoire's, which the PostgreSQL pass then reads (until round 48 a collection run of its own
# did, and each pass collected again after it).
def pytest_collection_finish(session: pytest.Session) -> None:
    collected = os.environ.get("GRIMOIRE_TEST_COLLECTED")
    if collected:
        Path(collected).touch()


# Each file's time (its tests' set-up, call and tear-down, the session fixtures it was first to
# ask for among them), listed after `--durations`' tests when a run asks for those (scripts/
# test.sh: the 15 slowest files of each pass, beside its 15 slowest tests): a module's many
# short tests can cost more than the slowest test, and only a file's total shows it.
_FILE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    module = report.nodeid.split("::", 1)[0]
    _FILE_SECONDS[module] = _FILE_SECONDS.get(module, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    count = config.getoption("durations", None)
    if not count or not _FILE_SECONDS:
        return
    slowest = sorted(_FILE_SECONDS.items(), key=lambda kv: -kv[1])
    if count > 0:
        slowest = slowest[:count]
    terminalreporter.write_sep("=", f"slowest {len(slowest)} files (set-up, call, tear-down)")
    for module, seconds in slowest:
        terminalreporter.write_line(f"{seconds:9.2f}s {module}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): about SQLite itself (its file, its locking, a path"
                   " given as --db, another process opening that path); not run on PostgreSQL")
    config.addinivalue_line(
        "markers", "postgres: a tests/store test that opens a PostgreSQL database with neither"
                   " a `pg` argument nor a \"postgres\" param (the split run puts it in the"
                   " PostgreSQL pass)")
    config.addinivalue_line(
        "markers", "one_pass(reason): opens a store, but what it checks the engine does not"
                   " decide (a browser's handling of a header, a file served from disk): the"
                   " PostgreSQL pass skips it")
    config.addinivalue_line(
        "markers", "no_store: opens no knowledge base in this process (the embedding model"
                   " alone, a reader): the PostgreSQL pass skips it, as a module in NO_STORE")


# -- the model's vectors, each text embedded once a pass ---------------------------------------

# Many tests read the same notes (the seeds, the corpora's pages) into stores of their own, and the
# packaged model embedded each of those texts again in each store: of the 3,296 texts tests/ask and
# tests/export gave the model in a pass, 2,354 were distinct (round 39). Here the process's model
# (the one `default_embedder()` gives every store that is not handed another) keeps each text's
# vector for the rest of the pass, keyed by the text and the session that ran it (the one-thread
# query session for a call of `QUERY_TOKENS` or fewer, the bulk session otherwise, as `MiniLM.embed`
# picks): a later call gets the vector the model gave, computed by the model, and only its new texts
# run. The bulk session's vector of a text does not depend on the other texts of its batch (checked
# bitwise, bench/README.md, round 39), so a store gets the vectors it would have computed itself,
# bit for bit; the store's own embedding code (units, hashes, chunks, saving and indexing the
# vectors) runs as before on both engines. Not kept: a model instance of a test's own (its loading
# or batching is what it checks), a process that made a `warm(once=True)` session, the text
# `warm(ahead=...)` embedded, and the modules that check the model itself (EMBEDS_ITSELF). CLI
# children embed for themselves. A test of such a module named in KEEPS_VECTORS checks something
# above the model (what is handed to it), not the model: it gets the kept vectors.
EMBEDS_ITSELF = frozenset(f"tests/{name}.py" for name in (
    "test_embed", "test_ask_vectors", "test_cold_start", "test_search_prepare",
    "test_background", "test_vectors_shared"))
# Round 43: test_the_question_is_embedded_once_per_ask counts the texts ask hands its embedder
# (a wrapper around the process's model) while the seeds are embedded and a question asked;
# the killed-worker test's `embed` after the kill embeds the seeds the worker left, in this
# process, and compares the worker's vectors with the model's. Each was the model's second
# embedding of the seeds in its pass (13-15 s each, round 42's slowest lists).
KEEPS_VECTORS = frozenset({
    "tests/test_ask_vectors.py::test_the_question_is_embedded_once_per_ask",
    "tests/test_background.py::test_a_killed_worker_loses_nothing_and_the_next_run_continues"})
_VECTORS: dict[tuple[bool, str], Any] = {}
_KEEP_VECTORS = [True]


@pytest.fixture(scope="session", autouse=True)
def _vectors_once() -> Iterator[None]:
    from grimoire import embed
    from tests._vectors_shared import bulk_batch, from_environment

    real = embed.MiniLM.embed
    shared = from_environment(postgres=TEST_STORE == "postgres")

    def embed_once(self: Any, texts: Any, *, progress: Any = None) -> Any:
        sessions = self._sessions
        if (not _KEEP_VECTORS[0] or self is not embed._default or not texts
                or self._ahead is not None
                or (sessions.get(True) is not None and sessions.get(True) is sessions.get(False))):
            return real(self, texts, progress=progress)
        import numpy as np

        rows = self.tokenize(texts)
        query = sum(len(r) for r in rows) <= embed.QUERY_TOKENS
        new: dict[str, int] = {}
        for i, text in enumerate(texts):
            if (query, text) not in _VECTORS and text not in new:
                new[text] = i
        lengths = {text: len(row) for text, row in zip(texts, rows, strict=True)}
        if new and shared is not None:  # the other pass's vectors (tests/_vectors_shared.py)
            got = shared.vectors(query, list(new), lengths, lambda run: real(self, run), texts)
            for text, vector in got.items():
                _VECTORS[query, text] = vector
        elif new:
            # Alone, a few short new texts would run on the query session: a few of the call's
            # other texts go with them.
            run = list(new) if query else bulk_batch(list(new), lengths, texts)
            for text, vector in zip(run, real(self, run), strict=True):
                _VECTORS[query, text] = vector.copy()
        out = np.stack([_VECTORS[query, text] for text in texts])
        if progress is not None:
            progress(len(texts), len(texts))
        return out

    patch = pytest.MonkeyPatch()
    patch.setattr(embed.MiniLM, "embed", embed_once)
    yield
    patch.undo()
    _VECTORS.clear()
    if shared is not None:  # shown under -s
        print(f"\nvectors shared between the passes: {shared.computed} computed here, "
              f"{shared.read} read from the other pass")


@pytest.fixture(autouse=True)
def _fresh_consoles() -> None:
    """Each test starts with the CLI's rich consoles unmade (`cli.out()`, `cli.err()`, cached
    for the process): a console takes COLUMNS when it is made, so the first test to print
    through one chose the width of every later test's terminal output. Round 51: at
    COLUMNS=40 test_faces_round45 wrapped at the 80 columns of a console test_faces_round44
    had made, and failed after it in one process."""
    cli = sys.modules.get("grimoire.cli")
    if cli is not None:
        cli.out.cache_clear()
        cli.err.cache_clear()


@pytest.fixture(autouse=True)
def _vectors_kept(request: pytest.FixtureRequest) -> Iterator[None]:
    _KEEP_VECTORS[0] = (_module(request.node) not in EMBEDS_ITSELF
                        or request.node.nodeid in KEEPS_VECTORS)
    yield
    _KEEP_VECTORS[0] = True


# -- real notes in a store of their own (the ask tests) ---------------------------------------


def notes_store(tmp_path_factory: pytest.TempPathFactory, name: str,
                files: list[Path]) -> Iterator[Any]:
    """A store holding `files` alone, for a module's tests: a fixture yields from it. When the
    files are all in ../shared it is the session's store of them (`shared_store`), which the
    module must leave as it found it (checked when the module ends)."""
    import grimoire

    names = [str(f) for f in files]
    if _in_shared(names):
        with reading(shared_store(names)) as base:
            yield base
        return
    base = grimoire.open(tmp_path_factory.mktemp(name) / "notes.db")
    base.ingest(names)
    yield base
    base.close()


# The stores of ../shared notes that ask_notes and notes_store built, by the files given (in
# their order): one store per set for the whole session. Asking writes nothing (checked on
# every question, and when a module fixture's handle closes), so every test that asks of the
# same notes reads the store the first one built, vectors and all: the Distill articles, or
# every hf-docs page, are read and embedded once, not once a test. Only the path is kept (a
# handle is opened for each question, or for a module, and closed after it; on PostgreSQL the
# path names the same database each time). A module that adds notes starts from a copy
# (`copy_store`): test_ask's and test_search's stores both start from the seeds' store.
_SHARED_NOTES: dict[tuple[str, ...], Path] = {}
_SHARED_LEXICAL: set[Path] = set()  # those built with `embed=False`, no vector yet
_SHARED_PLACE: list[Path] = []  # the session's folder for them
_SHARED_COUNT = itertools.count()


def _in_shared(files: list[str]) -> bool:
    """Every file is in ../shared (read-only for the tests): a store of them can be reused."""
    shared = SHARED.resolve()
    return all(Path(f).resolve().is_relative_to(shared) for f in files)


def shared_store(files: list[str], embed: bool = True) -> Path:
    """The session's store of `files` (all in ../shared, in this order), built by the first
    caller; later callers get the same path (on PostgreSQL, the same database). Embedded
    unless every caller so far read it without vectors (`embed=False`: an export, a lexical
    search): the first caller that needs them embeds it (`Grimoire.embed`, what an ingest
    that embeds runs after reading and resolving), before its handle opens. Round 56: the
    PostgreSQL pass's first caller of the cheat sheet was export/test_anki, which embedded it
    early in the pass (its slowest setup, 21-24 s); test_search embeds it there later, mostly
    from the vectors the SQLite pass left (tests/_vectors_shared.py)."""
    import grimoire

    key = tuple(files)
    built = _SHARED_NOTES.get(key)
    if built is None:
        built = _SHARED_PLACE[0] / f"notes-{next(_SHARED_COUNT)}.db"
        with grimoire.open(built) as base:
            base.ingest(list(files), embed=embed)
        _SHARED_NOTES[key] = built
        if not embed:
            _SHARED_LEXICAL.add(built)
    elif embed and built in _SHARED_LEXICAL:
        with grimoire.open(built) as base:
            base.embed()
        _SHARED_LEXICAL.discard(built)
    return built


def copy_store(request: pytest.FixtureRequest, files: list[str], to: Path) -> Path:
    """A copy at `to` of the session's store of `files` (`shared_store`), for a module that
    adds notes to it or writes: the copy starts where a store built from `files` would be,
    vectors and all, and costs a file copy (on PostgreSQL, a database made from it)."""
    built = shared_store(files)
    if TEST_STORE == "postgres":
        databases: PgDatabases = request.getfixturevalue("pg")
        databases.copy(str(built.resolve()), str(to.resolve()))
    else:
        for tail in ("", "-wal"):  # no handle is open on it: the log is folded in or absent
            if Path(f"{built}{tail}").exists():
                shutil.copyfile(f"{built}{tail}", f"{to}{tail}")
    return to


@contextmanager
def reading(path: Path) -> Iterator[Any]:
    """A handle on a shared store, which the user must leave unchanged: every test that
    reads the same notes reads the store the first one built, so a write would change the
    notes of the next."""
    import grimoire

    with grimoire.open(path) as base:
        before = base.store.change_counter()
        yield base
        assert base.store.change_counter() == before, f"{path} was written: it is shared"


def ask_notes(folder: Path, files: list[Path], question: str) -> Any:
    """The answer to `question` from a store holding `files` alone: a new store in `folder`,
    or, when the files are all in ../shared, the store of them an earlier test of this session
    built (`shared_store`)."""
    import grimoire

    names = [str(f) for f in files]
    if not _in_shared(names):
        with grimoire.open(folder / "notes.db") as base:
            base.ingest(names)
            return base.ask(question)
    with reading(shared_store(names)) as base:
        return base.ask(question)


@pytest.fixture(scope="session", autouse=True)
def _shared_notes(tmp_path_factory: pytest.TempPathFactory) -> None:
    _SHARED_NOTES.clear()
    _SHARED_LEXICAL.clear()
    _SHARED_PLACE[:] = [tmp_path_factory.mktemp("shared-notes")]


def one_page_pdf(runs: list[tuple[int, str]], top: int = 740, step: int = 60,
                 producer: str = "", figure_producer: str = "") -> bytes:
    """A one-page PDF showing each (size, text) run on a line of its own, top down; the
    program that made it in its /Info dictionary when `producer` is given; with
    `figure_producer`, the /Info of a figure it includes, as pdfTeX copies it into the file
    (`/PTEX.InfoDict`), ahead of the file's own."""
    ops = "\n".join(f"BT /F1 {size} Tf 40 {top - step * k} Td ({text}) Tj ET"
                    for k, (size, text) in enumerate(runs)).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if figure_producer:
        objects.append(b"<< /Producer (%s) >>" % figure_producer.encode("latin-1"))
    if producer:
        objects.append(b"<< /Producer (%s) >>" % producer.encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    info = b" /Info %d 0 R" % len(objects) if producer else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, info, xref)
    return bytes(out)



def answer_words(answer: Any) -> int:
    """An answer's length in words, its citation marks ("[1]") left out."""
    return len(re.sub(r"\s*\[\d+\]", "", answer.answer).split())


def span_of(path: Path, first: str, last: str) -> str:
    """The note's words from `first` to the next `last`, emphasis marks dropped and lines
    joined as an answer shows them: read from the corpus when the test runs."""
    text = " ".join(path.read_text(encoding="utf-8").replace("*", "").split())
    found = re.search(rf"\b{re.escape(first)}\b.*?\b{re.escape(last)}\b", text)
    assert found, (path, first, last)
    return found.group(0)


def assert_quoted(answer: Any, span: str) -> None:
    """`answer` is an answer, not an abstention: it holds `span`, in at most 40 words, and
    every citation checks out against its file."""
    from grimoire.ask import verify_citation

    assert not answer.abstained
    assert span in answer.answer, answer.answer
    assert answer_words(answer) <= 40
    assert all(verify_citation(c) for c in answer.citations)
