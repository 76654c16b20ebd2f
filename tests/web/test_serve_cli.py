"""`grimoire serve` and `grimoire mcp --http` started as a user starts them: a port in use, a
database that does not exist, `--port 0`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from grimoire.web import Guard, Settings, create_app
from tests._child import readline
from tests.web.test_stream import StandIn

GRIMOIRE = str(Path(sys.executable).with_name("grimoire"))


def test_a_port_in_use_is_one_clear_line_before_anything_is_announced(examples_db: Path
                                                                      ) -> None:
    # It printed "Grimoire on http://127.0.0.1:PORT/", then uvicorn's "[Errno 98] error
    # while attempting to bind" (exit 3); `mcp --http` printed its bearer token first.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (["serve", "--port", str(port)], ["mcp", "--http", f"127.0.0.1:{port}"]):
            result = CliRunner().invoke(main, ["--db", str(examples_db), *args])
            assert result.exit_code == 1, result.output
            assert result.stderr.startswith(
                f"error: cannot listen on 127.0.0.1:{port}: Address already in use; "), args
            assert "Grimoire" not in result.stderr and "token" not in result.stderr
            assert "Traceback" not in result.output


@pytest.mark.sqlite_only(reason="on PostgreSQL the tests give every path a database of its own")
def test_a_missing_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    for args in (["serve"], ["mcp"]):
        result = CliRunner().invoke(main, ["--db", str(tmp_path / "none.db"), *args])
        assert result.exit_code == 1
        assert result.stderr.startswith("error: ") and "does not exist" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


class Endless(StandIn):
    """A model that writes a long answer, a piece every 50 ms, while its client listens (5,000
    pieces: minutes); it counts the pieces it sent."""

    sent = 0
    asked = 0  # the answers asked of it
    wrote = threading.Event()  # set at each piece

    def do_POST(self) -> None:  # noqa: N802 (http.server names it so)
        Endless.asked += 1
        self.begin()
        paced = threading.Event()
        for _ in range(5000):
            try:
                self.piece("More words. ")
            except OSError:
                return
            Endless.sent += 1
            Endless.wrote.set()
            paced.wait(0.05)


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_port_0_announces_the_port_it_serves_on(examples_and_seed_db: Path) -> None:
    """Round 54 too: SIGTERM (or Ctrl-C) while an answer streams ends it with the words so far
    and an event saying why; uvicorn waited for the answer to be written to its end. (A store
    without vectors: the child loads no embedding model to find the passages.)"""
    model = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=model.serve_forever, daemon=True).start()
    proc = subprocess.Popen([GRIMOIRE, "--db", str(examples_and_seed_db), "serve", "--port", "0",
                             "--llm", f"http://127.0.0.1:{model.server_address[1]}/v1",
                             "--model", "test"],
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        line = readline(proc, proc.stderr)
        m = re.match(r"Grimoire on http://127\.0\.0\.1:(\d+)/", line)
        assert m is not None, line
        port = int(m.group(1))
        assert port != 0
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as page:
                    assert page.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"nothing answers on the announced port {port}")
        events: list[str] = []
        said = b""
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ask/stream?q=what+does+"
                                    "LoRA+train", timeout=600) as stream:
            for raw in stream:
                if raw.startswith(b"event: "):
                    events.append(raw[7:].decode().strip())
                    if events.count("text") == 3:
                        proc.send_signal(signal.SIGTERM)
                elif raw.startswith(b"data: "):
                    said = raw
        proc.wait(timeout=120)  # stopped (uvicorn raises the signal again once shut down)
        assert events[:3] == ["text"] * 3 and events[-1] == "error", events
        assert b"Grimoire is shutting down" in said, said
        assert Endless.sent < 5000
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
        model.shutdown()
        model.server_close()


@pytest.mark.sqlite_only(reason="the server's stop, not the store's: the session's store "
                         "without vectors is built for SQLite only")
def test_a_stopping_server_ends_a_model_answer_that_is_not_streamed(
        examples_and_seed_db: Path) -> None:
    """review54d: the `/ask` page and `/api/ask` write no pieces, and uvicorn waited for their
    model to write the whole answer as it stopped (46 s for 2,000 pieces): the server's stop
    (`serve`'s SIGTERM calls `stop_streams`) ends it at the model's next piece, with why."""
    model = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=model.serve_forever, daemon=True).start()
    kb = grimoire.open(examples_and_seed_db)
    client = TestClient(create_app(kb, Guard.for_bind("127.0.0.1", 8000, None), Settings(
        llm=f"http://127.0.0.1:{model.server_address[1]}/v1", llm_model="test")),
        base_url="http://127.0.0.1:8000")
    said: list[tuple[int, str]] = []

    def ask() -> None:
        got = client.get("/api/ask", params={"q": "what does LoRA train"})
        said.append((got.status_code, got.text))

    def ask_streamed() -> None:
        with client.stream("GET", "/api/ask/stream", params={"q": "what is LoRA"}) as got:
            said.append((got.status_code, got.read().decode()))

    site = client.app.state.stop_streams.__self__  # type: ignore[attr-defined]
    before, Endless.wrote = Endless.sent, threading.Event()
    asking = threading.Thread(target=ask)
    queued = threading.Thread(target=ask_streamed)
    try:
        asking.start()
        assert Endless.wrote.wait(120)  # the model writes the answer
        # round 55: a streamed answer waits behind it (its page open, its thread on the lock)
        queued.start()
        for _ in range(1200):
            if len(site.streams) == 1:
                break
            threading.Event().wait(0.05)
        assert len(site.streams) == 1
        asked = Endless.asked
        client.app.state.stop_streams()  # type: ignore[attr-defined]
        asking.join(120)
        queued.join(120)
        assert not asking.is_alive() and not queued.is_alive()
        for worker in [t for t in threading.enumerate() if t.name.endswith("(work)")]:
            worker.join(120)  # the queued answer's thread, once the first let the store go
        assert Endless.asked == asked  # faces55: it asked its model once after the stop
        # faces55: a stopped server is not the client's fault (it answered 400, as a bad query)
        by_code = dict(said)
        assert sorted(by_code) == [200, 503], said  # the stream, begun, ends with an event
        assert "Grimoire is shutting down" in by_code[503], said
        assert "event: error" in by_code[200] and "shutting down" in by_code[200], said
        assert Endless.sent < before + 5000
        for path in ("/api/ask", "/ask"):  # asked after the stop: no model, 503
            got = client.get(path, params={"q": "what does LoRA train"})
            assert got.status_code == 503 and "Grimoire is shutting down" in got.text, got.text
            assert got.headers.get("retry-after"), got.headers
        assert Endless.asked == asked
    finally:
        kb.close()
        model.shutdown()
        model.server_close()


@pytest.mark.sqlite_only(reason="another process opens the file by its path")
def test_sigterm_stops_the_watcher_inside_serve(tmp_path: Path) -> None:
    """review54d: uvicorn raises the SIGTERM it caught again once stopped, and its default
    action ended `serve --watch` before the watcher was told to stop (its batch under way was
    cut off). The watcher stops and says so, and the process still ends by SIGTERM."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "note.md").write_text("# Watched\n\nA note the server keeps ingested.\n")
    proc = subprocess.Popen([GRIMOIRE, "--db", str(tmp_path / "kb.db"), "serve", "--port", "0",
                             "--watch", str(notes)],
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        said: list[str] = []
        while not any("start:" in line for line in said):  # the watcher's first batch
            said.append(readline(proc, proc.stderr))
            assert said[-1], said  # the server ended
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGTERM, (said, rest)
        assert rest.strip().splitlines()[-1:] == ["stopped watching"], (said, rest)
        assert "Traceback" not in rest, rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
