"""PostgreSQL's incremental resolve (schema step 10), reviewed: a write that waits for a
refresh is resolved by the next one, a full write of the keys that fails leaves their indexes,
and concept tables rewritten by a Grimoire that keeps no keys are brought back in line."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from grimoire.model import LinkKind
from grimoire.resolve import resolve
from grimoire.resolve.overrides import Overrides
from grimoire.resolve.run import _build
from grimoire.store import open_store
from grimoire.store.records import SourceRecord
from tests.test_resolve_incremental import Vault, _document

LORA = ([("Low-Rank Adaptation (LoRA)", [], None, [("Attention", LinkKind.WIKILINK, None)],
          "")], [])
ATTENTION = ([("Attention", ["Self-Attention"], None, [("LoRA", LinkKind.WIKILINK, None)],
               "")], [])

GATED = ([("LoRA", [], None, [], "")], [])
GATED_RECORD = SourceRecord(path="/v/gated.md", status="ok", format="markdown", sha256="x",
                            root="/v")
KEY_INDEXES = "SELECT indexname FROM pg_indexes WHERE tablename = 'resolve_keys' ORDER BY 1"


def _waiting_for_a_lock(url: str) -> bool:
    """Whether any session of this database waits for an advisory lock."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE d.datname = current_database() AND l.locktype = 'advisory'"
            " AND NOT l.granted").fetchone() is not None


def test_postgres_incremental_resolve_under_writers_failures_and_an_older_grimoire(
        tmp_path: Path, pg: Any) -> None:
    url = pg.url()
    vault = Vault(tmp_path, open_store(url))
    store = vault.incremental
    vault.write("/v/lora.md", LORA)
    vault.write("/v/attention.md", ATTENTION)
    vault.check()

    # 1. Another connection (as another process) writes a file while a refresh holds the
    # files' lock: the write waits for it, and the next refresh (incremental) resolves it.
    other = open_store(url)
    done: list[BaseException | None] = []

    def write() -> None:
        try:
            other.replace_source(GATED_RECORD, [_document("/v/gated.md", GATED)])
            done.append(None)
        except BaseException as e:  # said by the assert below
            done.append(e)

    writer = threading.Thread(target=write)
    with store.resolving():
        writer.start()
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock(url):
            assert time.monotonic() < deadline, "the write did not wait for the resolve"
            time.sleep(0.05)
        assert not done
    writer.join()
    other.close()
    assert done == [None]
    vault.files["/v/gated.md"] = GATED  # the same file in the store resolved in full
    vault.full.replace_source(GATED_RECORD, [_document("/v/gated.md", GATED)])
    vault.check()

    # 2. A full write of every key that fails after its indexes were dropped: nothing of it
    # is kept, the indexes are there, and the keys still describe the concept tables.
    keys = store.resolve_keys_of_paths(["/v/lora.md", "/v/attention.md", "/v/gated.md"])

    def failing() -> Any:
        yield from keys
        raise OSError("the resolve was killed")

    with pytest.raises(OSError):
        store.write_resolve_keys(failing(), None, 0)
    with psycopg.connect(url) as conn:
        assert [r[0] for r in conn.execute(KEY_INDEXES)] == [
            "resolve_keys_item", "resolve_keys_norm", "resolve_keys_path"]
    assert store.resolve_state_ready()
    vault.write("/v/attention.md", ([("Attention", [], None, [], "")], []))
    vault.check()

    # 3. A Grimoire from before step 10 still running against the upgraded store resolves
    # in full: it rewrites the concept tables, but not the keys nor the log.
    vault.write("/v/b.md", ([("Self-Attention", ["LoRA"], None, [], "")], []))
    vault.delete("/v/gated.md")
    with store.resolving():
        old = Overrides()
        store.write_resolution(_build(store.resolve_input(), old)[0], old.fingerprint)
    vault.write("/v/c.md", ([("Attention", [], None, [("LoRA", LinkKind.WIKILINK, None)],
                              "")], []))
    vault.check()
    resolve(vault.full)
    # The last refresh is a full one: the keys describe concept tables it rewrote no more.
    assert vault.refreshes == [False, True, True, False]
    vault.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_store_copied_into_one_resolved_empty_refreshes_as_a_full_resolve(
        tmp_path: Path, engine: str, request: pytest.FixtureRequest) -> None:
    """`grimoire migrate` into a store that was opened (so resolved, with nothing) before:
    the keys it kept describe no file, and the next refresh must not build on them."""
    from grimoire.store.migrate import copy_store

    (tmp_path / "source").mkdir()
    source = Vault(tmp_path / "source")
    source.write("/v/lora.md", LORA)
    source.write("/v/attention.md", ATTENTION)
    source.check()
    url = (request.getfixturevalue("pg").url() if engine == "postgres"
           else str(tmp_path / "copy.db"))
    copy = open_store(url)
    resolve(copy)  # nothing in it yet: its keys say so
    copy_store(source.incremental, copy)
    source.incremental.close()
    vault = Vault(tmp_path, copy)
    vault.files = dict(source.files)
    for path, spec in vault.files.items():
        vault.full.replace_source(SourceRecord(path=path, status="ok", format="markdown",
                                               sha256="0", root="/v"), [_document(path, spec)])
    vault.write("/v/b.md", ([("Self-Attention", ["LoRA"], None, [], "")], []))
    vault.check()
    vault.write("/v/c.md", ([("LoRA", [], None, [], "")], []))
    vault.check()
    assert vault.refreshes == [False, True]  # in full once, as after any first resolve
    vault.close()
    source.full.close()
