"""Web UI fixtures: real stores built from examples/ and from hostile notes, a real server.

The stores are built once per session; the server runs uvicorn on a free loopback port in a
thread, exactly as `grimoire serve` runs it.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

import grimoire
from grimoire.web import Guard, Settings, create_app
from tests.conftest import EXAMPLES, seed
from tests.web.hostile import write_hostile_notes

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ ingested and embedded, with the folder copied (so the test owns its files)."""
    root = tmp_path_factory.mktemp("web-examples")
    notes = root / "examples"
    shutil.copytree(EXAMPLES, notes)
    db = root / "examples.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes])
        kb.resolve()
    return db


@pytest.fixture(scope="session")
def examples_and_seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ and seed 000 (long inline formulas; Softmax defined differently), no vectors."""
    root = tmp_path_factory.mktemp("web-seed")
    db = root / "seed.db"
    with grimoire.open(db) as kb:
        kb.ingest([EXAMPLES, seed("000")], embed=False)
    return db


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Notes carrying every payload of RELIABILITY case 25 in every place text reaches a page."""
    root = tmp_path_factory.mktemp("web-hostile")
    notes = root / "vault"
    write_hostile_notes(notes)
    db = root / "hostile.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    return db


def make_app(db: Path, port: int = 8000, *, token: str | None = None,
             sanitize: bool = True, host: str = "127.0.0.1") -> tuple[FastAPI, grimoire.Grimoire]:
    kb = grimoire.open(db)
    return create_app(kb, Guard.for_bind(host, port, token), Settings(sanitize=sanitize)), kb


@pytest.fixture(scope="session")
def client(examples_db: Path) -> Iterator[TestClient]:
    app, kb = make_app(examples_db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c
    kb.close()


@pytest.fixture(scope="session")
def hostile_client(hostile_db: Path) -> Iterator[TestClient]:
    app, kb = make_app(hostile_db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c
    kb.close()


@dataclass
class Running:
    """A server on loopback."""

    url: str
    port: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_server(db: Path, *, sanitize: bool = True) -> Iterator[Running]:
    port = free_port()
    app, kb = make_app(db, port, sanitize=sanitize)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield Running(f"http://127.0.0.1:{port}", port)
    server.should_exit = True
    thread.join(10)
    kb.close()


@pytest.fixture(scope="session")
def server(examples_db: Path) -> Iterator[Running]:
    yield from run_server(examples_db)


@pytest.fixture(scope="session")
def seed_server(examples_and_seed_db: Path) -> Iterator[Running]:
    yield from run_server(examples_and_seed_db)


@pytest.fixture(scope="session")
def hostile_server(hostile_db: Path) -> Iterator[Running]:
    yield from run_server(hostile_db)


@pytest.fixture(scope="session")
def unsanitized_server(hostile_db: Path) -> Iterator[Running]:
    """The hostile notes with the sanitizer switched off: only the CSP stands (case 31)."""
    yield from run_server(hostile_db, sanitize=False)


CHROMIUM = Path("/usr/bin/chromium")


# One headless Chromium for a module's pages, kept for the next module when that module's first
# test uses one too: launching it (and playwright's driver) is about 1.4 s of CPU. Each test
# still opens a context of its own (its own cookies, cache and storage). Any other test finds it
# closed, as before: playwright's sync API holds an event loop on this thread while it runs, and
# a test's `anyio.run` or `asyncio.run` fails under it.
_CHROMIUM: list[tuple[Any, Browser]] = []  # (playwright, its Chromium) while in use
_HELD_BY: list[Path] = []  # the module whose fixture holds it


def _close_chromium() -> None:
    if _CHROMIUM:
        driver, chromium = _CHROMIUM.pop()
        chromium.close()
        driver.stop()


def _next_test_uses_browser(request: pytest.FixtureRequest) -> bool:
    items, here = request.session.items, request.node.path
    last = max((n for n, item in enumerate(items) if item.path == here), default=len(items))
    return last + 1 < len(items) and "browser" in getattr(items[last + 1], "fixturenames", ())


def limited(pages: Any) -> None:
    """A context's (or a page's) waits: 20 s for an element, so a wrong selector fails fast
    (playwright's own is 30 s), and 120 s for a page's load (goto, `wait_for_url`, a click's
    navigation). A page loaded waits for the server's work, which the first visit of a process
    does more of: the first /health imports datasketch and scipy for lint (0.6 s of CPU) and
    runs it, 1.7 s of CPU in all against 0.5-0.9 s for a later /health; the first ask loads
    the embedding model. At load 30 on two cores (a process gets 7% of a core) that first
    /health took 25 s, past the 20 s an element's wait is given (round 53's reverse run; round
    54). The tests check what a page shows, not how fast: a page that never loads still fails."""
    pages.set_default_timeout(20_000)
    pages.set_default_navigation_timeout(120_000)


class _Limited:
    """The module's Chromium, whose contexts and pages (`new_context`, `new_page`) have the
    waits of `limited`; the rest is the Browser's own."""

    def __init__(self, chromium: Browser) -> None:
        self._chromium = chromium

    def new_context(self, **options: Any) -> Any:
        context = self._chromium.new_context(**options)
        limited(context)
        return context

    def new_page(self, **options: Any) -> Any:
        page = self._chromium.new_page(**options)
        limited(page)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chromium, name)


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """A headless Chromium (test_browser.py's tests, and modules that import this fixture);
    its contexts' and pages' waits are `limited`'s."""
    if not _CHROMIUM:
        from playwright.sync_api import sync_playwright

        if not CHROMIUM.exists():
            pytest.fail("/usr/bin/chromium is missing: run scripts/setup.sh "
                        "(apt-get install chromium)")
        driver = sync_playwright().start()
        request.config.add_cleanup(_close_chromium)
        _CHROMIUM.append((driver, driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])))
    _HELD_BY[:] = [request.node.path]
    yield cast("Browser", _Limited(_CHROMIUM[0][1]))  # a Browser but for its waits
    if not _next_test_uses_browser(request):
        _close_chromium()


@pytest.fixture(autouse=True)
def _no_chromium_left(request: pytest.FixtureRequest) -> None:
    # Kept for the next module's first test, which was skipped (the PostgreSQL pass).
    if _CHROMIUM and "browser" not in request.fixturenames and request.node.path not in _HELD_BY:
        _close_chromium()
