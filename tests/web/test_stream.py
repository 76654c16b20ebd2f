"""Ask streams over server-sent events when an LLM writes the answer (a real HTTP server on
loopback speaking the OpenAI chat API, as in tests/test_llm.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import grimoire
from grimoire.web import Guard, Settings, create_app
from tests.test_llm import Gullible


@pytest.fixture(scope="module")
def llm_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Gullible)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


class StandIn(BaseHTTPRequestHandler):
    """A stand-in model's server, quiet: `begin` reads the request and opens the reply's
    event stream, `piece` writes one piece of the answer."""

    def log_message(self, *args: object) -> None:
        return

    def begin(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()

    def piece(self, text: str) -> None:
        chunk = {"choices": [{"delta": {"content": text}, "finish_reason": None}]}
        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.flush()


class Cut(StandIn):
    """A model whose reply breaks off: two pieces, then the connection closes (a server
    stopped, a proxy's timeout)."""

    def do_POST(self) -> None:
        self.begin()
        for piece in ("Low-rank adaptation ", "trains "):
            self.piece(piece)
        self.close_connection = True


def streamed(examples_db: Path, llm: str, page: bool = False) -> list[tuple[str, object]]:
    """The events of /api/ask/stream for a question on LoRA, the model at `llm`."""
    kb = grimoire.open(examples_db)
    app = create_app(kb, Guard.for_bind("127.0.0.1", 8000), Settings(llm=llm, llm_model="test"))
    events: list[tuple[str, object]] = []
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        if page:
            assert "data-stream" in client.get("/ask").text  # the script streams, not waits
        with client.stream("GET", "/api/ask/stream",
                           params={"q": "what does LoRA train instead of the full weights?"}
                           ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            kind = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    events.append((kind, json.loads(line[6:])))
    kb.close()
    return events


def test_a_reply_cut_off_is_an_error_not_an_abstention(examples_db: Path) -> None:
    """Round 53: the model's first words were taken for its whole answer, too few citations
    were found in them, and the page said "Your notes do not cover this"."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Cut)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        events = streamed(examples_db, f"http://127.0.0.1:{httpd.server_address[1]}/v1")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert events[-1][0] == "error", events
    assert "broke off" in str(events[-1][1]), events


def test_answer_streams_then_arrives_checked(examples_db: Path, llm_url: str) -> None:
    events = streamed(examples_db, llm_url, page=True)
    kinds = [k for k, _ in events]
    assert kinds.count("text") >= 2 and kinds[-1] == "answer", kinds
    final = events[-1][1]
    assert isinstance(final, dict)
    answer = final["answer"]
    assert not answer["abstained"] and answer["citations"]
    assert answer["citations"][0]["span"]["start_line"] >= 1
    assert "[42]" not in answer["answer"]  # a citation to no passage is removed
    assert 'class="cite"' in final["html"] and "/source?path=" in final["html"]
