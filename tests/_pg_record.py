"""Which tests of a PostgreSQL pass speak to the test server (a plugin, run by hand):

    GRIMOIRE_TEST_STORE=postgres GRIMOIRE_PG_RECORD=out.json \
        pytest -p tests._pg_record ...

Every connection made in this process (`psycopg.connect`, a pool's `connection()`) and every
database asked of `PgDatabases` (a URL a CLI child may be given) is counted against the test that
runs and, when a fixture is being set up, against that fixture (its value may hold the connection
for the module's later tests). `out.json` (and `out.jsonl`, written as the run goes) lists, per
test, whether it or a fixture it asks for reached the server: a test that did neither runs in the
PostgreSQL pass exactly as in the SQLite pass, and is a candidate for the `no_store` mark
(tests/conftest.py), whose guard the SQLite pass then applies."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The server itself (started once a run by whichever test comes first) and the switch that
# asks for it: not a store of any test.
INFRASTRUCTURE = {"pg", "_store_switch"}

_current: list[str] = [""]
_fixtures: list[str] = []  # the fixtures being set up, innermost last
_tests: dict[str, int] = {}  # node id -> connections made while it ran
_by_fixture: set[str] = set()  # fixtures whose setup connected
_outcomes: dict[str, str] = {}


def _write(row: dict[str, Any]) -> None:
    out = os.environ.get("GRIMOIRE_PG_RECORD")
    if out:  # a line at a time: a run stopped midway keeps what it saw
        with Path(f"{out}l").open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")


def _hit() -> None:
    _tests[_current[0]] = _tests.get(_current[0], 0) + 1
    for name in _fixtures:
        if name not in INFRASTRUCTURE and name not in _by_fixture:
            _by_fixture.add(name)
            _write({"fixture": name, "test": _current[0]})


def pytest_configure(config: pytest.Config) -> None:
    import psycopg
    from psycopg_pool import ConnectionPool

    from tests.conftest import PgDatabases

    patch = pytest.MonkeyPatch()
    config.add_cleanup(patch.undo)

    def counted(real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            _hit()
            return real(*args, **kwargs)
        return call

    patch.setattr(psycopg, "connect", counted(psycopg.connect))
    patch.setattr(psycopg.Connection, "connect", classmethod(
        counted(psycopg.Connection.connect.__func__)))  # type: ignore[attr-defined]
    patch.setattr(ConnectionPool, "connection", counted(ConnectionPool.connection))
    patch.setattr(PgDatabases, "_database", counted(PgDatabases._database))
    patch.setattr(PgDatabases, "copy", counted(PgDatabases.copy))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    _current[0] = item.nodeid
    _tests.setdefault(item.nodeid, 0)
    yield
    _write({"test": item.nodeid, "connections": _tests[item.nodeid],
            "fixtures": sorted(getattr(item, "fixturenames", ())),
            "outcome": _outcomes.get(item.nodeid)})
    _current[0] = ""


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any) -> Iterator[None]:
    _fixtures.append(fixturedef.argname)
    try:
        yield
    finally:
        _fixtures.pop()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.nodeid] = report.outcome


def pytest_collection_finish(session: pytest.Session) -> None:
    session.config._pg_record_items = {  # type: ignore[attr-defined]
        item.nodeid: sorted(getattr(item, "fixturenames", ())) for item in session.items}


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("GRIMOIRE_PG_RECORD")
    if not out:
        return
    items: dict[str, list[str]] = getattr(session.config, "_pg_record_items", {})
    rows = {}
    for nodeid, fixtures in items.items():
        via = sorted((set(fixtures) & _by_fixture) | ({"pg"} & set(fixtures)))
        rows[nodeid] = {"connections": _tests.get(nodeid), "via_fixtures": via,
                        "outcome": _outcomes.get(nodeid)}
    with Path(out).open("w", encoding="utf-8") as f:
        json.dump({"fixtures_that_connect": sorted(_by_fixture), "tests": rows}, f, indent=1)
