"""`kb.export("jsonl", …)` and `grimoire export`: the registry, the file rules, the CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import grimoire
from grimoire import serialize
from grimoire.cli import main
from grimoire.export import jsonl
from grimoire.model import ConceptId, Span
from grimoire.resolve.types import Concept, ConceptName
from tests.conftest import EXAMPLES
from tests.export.conftest import as_exported, exported_file


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_line_per_concept_as_show_json_prints_it(notes_kb: Any, tmp_path: Path) -> None:
    report = notes_kb.export("jsonl", tmp_path / "notes.jsonl")
    records = _lines(tmp_path / "notes.jsonl")
    summaries = notes_kb.concepts()
    assert report.concepts == len(records) == len(summaries) > 100
    assert [r["label"] for r in records] == [s.label for s in summaries]
    attention = next(r for r in records if r["label"] == "Attention")
    concept = notes_kb.concept("Attention")
    shown = serialize.concept(as_exported(notes_kb, concept),
                              said=as_exported(notes_kb, notes_kb.said(concept)))
    assert attention == json.loads(serialize.dumps(shown))


def test_every_definition_cites_a_line_of_its_file(notes_kb: Any, tmp_path: Path) -> None:
    notes_kb.export("jsonl", tmp_path / "notes.jsonl")
    checked = 0
    for record in _lines(tmp_path / "notes.jsonl"):
        for stored in record["entries"]:
            span = stored["entry"]["span"]
            lines = exported_file(notes_kb, span["path"]).read_text(encoding="utf-8").splitlines()
            assert 1 <= span["start_line"] <= span["end_line"] <= len(lines) + 1, span
            checked += 1
    assert checked > 100


def test_links_name_the_concept_they_lead_to(notes_kb: Any, tmp_path: Path) -> None:
    notes_kb.export("jsonl", tmp_path / "notes.jsonl")
    labels = {r["label"] for r in _lines(tmp_path / "notes.jsonl")}
    resolved = [m for r in _lines(tmp_path / "notes.jsonl") for m in r["links"]
                if m["status"] == "resolved"]
    assert len(resolved) > 50
    assert all(m["concept"] in labels for m in resolved)


def test_hostile_text_stays_as_written(hostile_kb: Any, tmp_path: Path) -> None:
    from tests.export.conftest import CONTROL_TERM
    from tests.web.hostile import PAYLOADS

    hostile_kb.export("jsonl", tmp_path / "hostile.jsonl")
    text = (tmp_path / "hostile.jsonl").read_text(encoding="utf-8")
    assert all(line.startswith("{") for line in text.splitlines())  # no line broken in two
    labels = {r["label"] for r in _lines(tmp_path / "hostile.jsonl")}
    assert set(PAYLOADS) <= labels
    assert CONTROL_TERM.split(" <")[0] in labels


@pytest.mark.no_store
def test_a_lone_surrogate_is_escaped_not_lost(tmp_path: Path) -> None:
    name = "broken \udc80 pair"
    concept = Concept(id=ConceptId("1"), key="broken pair", label=name, kind=None,
                      names=(ConceptName(name, "term", 3, Span("n.md", 1, 1)),), entries=())
    assert jsonl.write([concept], tmp_path / "s.jsonl") == 1
    assert _lines(tmp_path / "s.jsonl")[0]["label"] == name


def test_an_existing_file_is_kept_without_force(notes_kb: Any, tmp_path: Path) -> None:
    from grimoire import GrimoireError

    out = tmp_path / "notes.jsonl"
    out.write_text("mine\n", encoding="utf-8")
    with pytest.raises(GrimoireError, match="exists"):
        notes_kb.export("jsonl", out)
    assert out.read_text(encoding="utf-8") == "mine\n"
    notes_kb.export("jsonl", out, force=True)
    assert len(_lines(out)) == len(notes_kb.concepts())
    assert list(tmp_path.iterdir()) == [out]  # no scratch file left beside it


def test_a_folder_or_a_missing_folder_is_refused(notes_kb: Any, tmp_path: Path) -> None:
    from grimoire import GrimoireError

    with pytest.raises(GrimoireError, match="is a folder"):
        notes_kb.export("jsonl", tmp_path, force=True)
    with pytest.raises(GrimoireError, match="no such folder"):
        notes_kb.export("jsonl", tmp_path / "nowhere" / "notes.jsonl")


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's read-only /sys")
def test_a_folder_that_cannot_be_written_is_named(notes_kb: Any) -> None:
    from grimoire import GrimoireError

    # /sys refuses new files even to root, where a chmod'ed folder would not.
    with pytest.raises(GrimoireError, match=r"^/sys/notes.jsonl: cannot write here"):
        notes_kb.export("jsonl", "/sys/notes.jsonl")


@pytest.mark.no_store
def test_every_format_is_in_the_readme() -> None:
    from grimoire.export import EXPORTERS
    from tests.test_public_api import README

    for exporter in EXPORTERS:
        assert f"| `{exporter.name}` |" in README, exporter.name


def test_an_unknown_format_lists_the_formats(notes_kb: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="the formats are: jsonl, skos, anki, tbx"):
        notes_kb.export("xml", tmp_path / "notes.xml")


def _cli(db: str, *argv: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "export", *argv])


def test_cli_export_and_its_refusals(tmp_path: Path) -> None:
    # The command opens the store by its path, as a user types it (under
    # GRIMOIRE_TEST_STORE=postgres the path stands for one database; a store's URL has no user).
    db = str(tmp_path / "kb.db")
    with grimoire.open(db) as kb:
        kb.ingest([str(EXAMPLES)], embed=False)
    out = tmp_path / "notes.jsonl"
    done = _cli(db, "jsonl", str(out), "--json")
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output)
    assert summary == {"format": "jsonl", "path": str(out), "concepts": len(_lines(out)),
                       "bytes": out.stat().st_size, "notices": []}
    again = _cli(db, "jsonl", str(out))
    assert again.exit_code == 1 and "exists; replace it with --force" in again.output
    assert _cli(db, "jsonl", str(out), "--force").exit_code == 0
    unknown = _cli(db, "xml", str(out))
    assert unknown.exit_code == 2 and "jsonl" in unknown.output
    folder = _cli(db, "jsonl", str(tmp_path))
    assert folder.exit_code == 1 and "is a folder" in folder.output


@pytest.mark.sqlite_only(reason="about the SQLite file and its -wal, -shm, -journal")
@pytest.mark.parametrize("side", ["", "-wal", "-shm", "-journal"])
def test_force_never_replaces_the_database_itself(tmp_path: Path, side: str) -> None:
    # `export jsonl kb.db --force` renamed the export over the open database: every note
    # gone, the next command "database is damaged" (audit29). A -wal replaced loses the
    # commits not yet folded in; a -journal written there is replayed into the file.
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([str(EXAMPLES)], embed=False)
        sources = kb.stats().sources
    (tmp_path / "link.db").symlink_to(f"kb.db{side}")
    for target in (f"{db}{side}", str(tmp_path / "link.db")):
        refused = _cli(str(db), "jsonl", target, "--force")
        assert refused.exit_code == 1, refused.output
        assert "is the database itself" in refused.output and target in refused.output
    with grimoire.open(db) as kb:
        assert kb.stats().sources == sources
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
