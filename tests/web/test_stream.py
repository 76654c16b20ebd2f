"""Ask streams over server-sent events when an LLM writes the answer (a real HTTP server on
loopback speaking the OpenAI chat API, as in tests/test_llm.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
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


def test_answer_streams_then_arrives_checked(examples_db: Path, llm_url: str) -> None:
    kb = grimoire.open(examples_db)
    app = create_app(kb, Guard.for_bind("127.0.0.1", 8000),
                     Settings(llm=llm_url, llm_model="test"))
    events: list[tuple[str, object]] = []
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/ask").text
        assert "data-stream" in page  # the page's script will stream instead of waiting
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
    kinds = [k for k, _ in events]
    assert kinds.count("text") >= 2 and kinds[-1] == "answer", kinds
    final = events[-1][1]
    assert isinstance(final, dict)
    answer = final["answer"]
    assert not answer["abstained"] and answer["citations"]
    assert answer["citations"][0]["span"]["start_line"] >= 1
    assert "[42]" not in answer["answer"]  # a citation to no passage is removed
    assert 'class="cite"' in final["html"] and "/source?path=" in final["html"]
