"""What ingest stores does not depend on how the files were spread over reader workers.

Two workers read the largest files first and each sees a different run of files before any
one of them; one worker reads them in the walk's order. A reader that kept something of one
file for the next (a memo, a cache keyed wrongly, a parser left in a state), or a pool that
mixed up two files' results, would store other rows for some file in one of the two runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import grimoire
from grimoire.ingest import ingest
from grimoire.store.records import TABLES


def _rows(store: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the tables reading fills, with row ids replaced by what they stand
    for (a file's path, a document's path and title, an entry's document and lines), sorted."""
    def table(name: str) -> list[dict[str, Any]]:
        return [dict(zip(TABLES[name], row, strict=True)) for row in store.dump(name)]

    sources = {r["id"]: r["path"] for r in table("sources")}
    documents = {r["id"]: (sources[r["source_id"]], r["page"], r["title"])
                 for r in table("documents")}
    entries = {r["id"]: (documents[r["document_id"]], r["start_line"], r["term"])
               for r in table("entries")}
    rows: dict[str, Any] = {
        "sources": ((r["path"], r["root"], r["format"], r["status"], r["reason"], r["sha256"],
                     r["size"], str(r["problems"])) for r in table("sources")),
        "documents": ((documents[r["id"]], r["format"], str(r["tags"]), str(r["meta"]),
                       str(r["revision"])) for r in table("documents")),
        "entries": ((entries[r["id"]], r["norm"], r["end_line"], r["redirect"], str(r["data"]))
                    for r in table("entries")),
        "entry_names": ((entries[r["entry_id"]], r["name"], r["norm"])
                        for r in table("entry_names")),
        "passages": ((documents[r["document_id"]], r["seq"], entries.get(r["entry_id"]),
                      r["kind"], str(r["heading_path"]), r["text"], r["start_line"],
                      r["end_line"], str(r["marks"])) for r in table("passages")),
        "links": ((documents[r["document_id"]], entries.get(r["entry_id"]), r["target"],
                   r["norm"], r["label"], r["kind"], r["fragment"], r["exists_hint"],
                   r["start_line"], r["end_line"]) for r in table("links")),
    }
    out = {name: sorted(found, key=repr) for name, found in rows.items()}
    return out


# The subject is how the reading workers share the files, not the engine: the PostgreSQL pass
# ran it too (11.5 s in round 42's list). Both engines storing the same rows of the same notes
# is tests/store/test_contract.py's test_same_corpus_same_store_on_both_engines, and the whole
# corpora are read into PostgreSQL by tests/test_resolve.py's whole-corpora test.
@pytest.mark.one_pass(reason="how the reading workers share the files")
def test_two_workers_store_what_one_worker_stores(corpora: Path, tmp_path: Path) -> None:
    stored = []
    for workers in (1, 2):
        with grimoire.open(tmp_path / f"{workers}.db") as kb:
            report = ingest(kb.store, [corpora], workers=workers)
            assert report.added > 1000 and report.failed == 0
            stored.append(_rows(kb.store))
    one, two = stored
    assert one.keys() == two.keys()
    for name in one:
        assert len(one[name]) == len(two[name]), name
        assert one[name] == two[name], name
    assert len(one["passages"]) > 2000 and len(one["entries"]) > 1000
