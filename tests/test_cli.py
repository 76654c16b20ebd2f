"""The CLI on real files, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from grimoire.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result.exit_code, result.output


def test_ingest_stats_list_show_sources(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    code, out = run(db, "ingest", str(EXAMPLES), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["failed"] == 0
    assert report["read"] >= 15

    code, out = run(db, "stats", "--json")
    stats = json.loads(out)
    assert stats["entries"] > 20
    formats = {"markdown", "obsidian", "glossary", "rst", "html", "mediawiki"}
    assert formats <= set(stats["by_format"])

    code, out = run(db, "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == stats["entries"]
    assert all(":" in line.split("\t")[1] for line in lines)

    code, out = run(db, "show", "LoRA", "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown

    code, out = run(db, "sources", "--json")
    records = json.loads(out)
    assert all(r["status"] in {"ok", "attachment", "skipped"} for r in records)

    code, out = run(db, "ingest", str(EXAMPLES))
    assert code == 0
    assert "unchanged" in out


def test_show_unknown_name_suggests_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    run(db, "ingest", str(EXAMPLES))
    code, out = run(db, "show", "Zzyzx qwerty")
    assert code == 1
    assert "error:" in out


def test_failed_file_exits_1_and_is_listed(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ok.md").write_text("# Fine\n\nA fine note.\n")
    (notes / "dump.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n'
        '<mediawiki><page><title>&lol2;</title></page></mediawiki>\n'
    )
    db = tmp_path / "kb.db"
    code, out = run(db, "ingest", str(notes))
    assert code == 1
    assert "dump.xml" in out
    code, out = run(db, "sources", "--failed", "--json")
    failed = json.loads(out)
    assert [Path(r["path"]).name for r in failed] == ["dump.xml"]
    assert failed[0]["reason"]
