"""RELIABILITY case 1, the embedding worker on PostgreSQL (SQLite's is
tests/test_background.py::test_a_killed_worker_loses_nothing_and_the_next_run_continues): the
background worker SIGKILLed once it has committed its first chunk. The server drops the dead
session and its lock file's flock goes with the process: the next embed neither waits nor
fails, embeds only what was left, and every unit ends with exactly one vector, its text's.

The worker `ingest` starts is given the database's URL as the store shows it, without its user
and password: it could not connect to a server that asks for them (pgserver's `postgres` user
here: "role "root" does not exist" in its log, no vector ever made). It gets the URL as given
now, through its environment (never its command line, which `ps` shows).

review55b: the worker embeds through an OpenAI-compatible endpoint served here by this
process's model (the suite's shared one, and its vectors already made: `_vectors_once`), which
holds the worker's first request past its first committed chunk until the kill: the worker
loads no model of its own, and the kill falls between two chunks every time (33-110 s before,
the worker's model load, its first chunk and a race with its second). The URL carries a
password in its query (`?password=`, which libpq takes): it was shown whole, on the worker's
command line too."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest

import grimoire
from grimoire._background import last_error
from grimoire.embed import OpenAIEmbeddings
from tests.conftest import PgDatabases
from tests.test_background import until
from tests.test_embed import send_embeddings

SECRET = "p%40ss%3Aw%25rd"  # "p@ss:w%rd", as a URL carries it (pgserver trusts: not asked)


def _vectors(url: str) -> list[tuple[str, int]]:
    """(table, unit id) of every stored vector, duplicates kept."""
    import psycopg

    with psycopg.connect(url) as conn:
        return [(t, int(i)) for t, i in conn.execute(
            "SELECT 'passage', passage_id FROM passage_vecs"
            " UNION ALL SELECT 'entry', entry_id FROM entry_vecs")]


class _Model(BaseHTTPRequestHandler):
    """The process's own model behind an OpenAI-compatible endpoint. Once vectors are stored,
    one request (the worker's first of its second chunk) is held: `held` set, never
    answered."""

    server: _Server

    def do_POST(self) -> None:
        from grimoire import embed

        server = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not server.held.is_set() and _vectors(server.db):
            server.held.set()
            server.done.wait(120)
            return  # its worker killed: no answer
        vectors = embed.default_embedder().embed(body["input"])
        send_embeddings(self, [{"index": i, "embedding": [float(x) for x in v]}
                               for i, v in enumerate(vectors)], body["model"])

    def log_message(self, *args: object) -> None:
        pass


class _Server(HTTPServer):
    db = ""
    held = threading.Event()
    done = threading.Event()


@pytest.fixture
def endpoint() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Model)
    httpd.held, httpd.done = threading.Event(), threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.done.set()
    httpd.shutdown()
    httpd.server_close()


def _given(pid: int, url: str) -> None:
    """The worker `pid` has `url` in its environment alone, not on its command line (which
    `ps` shows), whatever GRIMOIRE_DB the user had set."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes()
    assert b"postgresql" not in command and SECRET.encode() not in command
    assert f"GRIMOIRE_DB={url}".encode() in Path(f"/proc/{pid}/environ").read_bytes().split(
        b"\0")


def test_a_killed_embedding_worker_on_postgres_loses_nothing_and_the_next_run_finishes(
        pg: PgDatabases, seeds: Path, endpoint: _Server, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    endpoint.db = pg.url()
    url = f"{endpoint.db}&password={SECRET}"
    monkeypatch.setenv("GRIMOIRE_DB", str(tmp_path / "another.db"))  # the user's own
    with grimoire.open(url) as plain:  # the bundled model's worker: given the URL too
        pid = plain.embed_in_background()
        _given(pid, url)
        os.kill(pid, signal.SIGKILL)
        assert until(lambda: plain.vector_status().worker is None, 60)
    api = OpenAIEmbeddings(f"http://127.0.0.1:{endpoint.server_port}/v1", "minilm")
    with grimoire.open(url, embedder=api) as kb:
        assert SECRET not in kb.store.url  # shown: no password
        kb.ingest([seeds], embed=False)
        total = kb.vector_status().total
        pid = kb.embed_in_background()  # as `grimoire ingest` starts it: detached
        assert kb.vector_status().worker == pid
        _given(pid, url)
        # Its first chunk committed, its next request is held: the kill falls between two.
        assert until(lambda: endpoint.held.is_set() or kb.vector_status().worker is None, 300)
        assert endpoint.held.is_set(), last_error(kb.store.url)
        os.kill(pid, signal.SIGKILL)
        assert until(lambda: kb.vector_status().worker is None, 60)
        endpoint.done.set()
        after_kill = kb.vector_status()
        assert after_kill.have > 0 and after_kill.missing > 0
        stored = _vectors(url)
        assert len(stored) == len(set(stored)) == after_kill.have  # whole chunks, once each
        assert kb.store.integrity_check() == "ok"

        report = kb.embed()  # the next run: no wait for a dead worker's lock or session
        assert 0 < report.embedded <= after_kill.missing  # only what was left
        status = kb.vector_status()
        assert (status.have, status.missing, status.worker) == (total, 0, None)
        stored = _vectors(url)
        assert len(stored) == len(set(stored)) == total
        # The vectors kept across the kill are the model's vectors of their texts.
        model = api.name
        units = {(u.kind, u.id): u.text for u in kb.store.embed_units(model, only_missing=False)}
        kinds, ids, _docs, _entries, matrix = kb.store.load_vectors(model)
        assert len(ids) == total
        picked = list(range(0, len(ids), max(1, len(ids) // 6)))
        texts = [units["entry" if kinds[i] else "passage", int(ids[i])] for i in picked]
        from grimoire import embed

        assert np.allclose(embed.default_embedder().embed(texts), matrix[picked], atol=1e-4)
        assert kb.search(texts[0], mode="semantic")
