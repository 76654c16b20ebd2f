"""Nothing above the store names an engine: stages use the contract in `store/base.py`."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "grimoire"
ENGINE_MODULES = ("sqlite3", "psycopg", "psycopg_pool", "pgvector", "sqlite_vec")
BACKENDS = ("grimoire.store.sqlite", "grimoire.store.postgres", "grimoire.store._")
# `grimoire check/backup/rebuild` repair a SQLite file as a file, by design. `grimoire search`
# asks a SQLite file whether it holds vectors before any store module is imported, to start
# loading the model that early (cold start, `_preload.py`; read-only, one query). An Anki
# deck is an SQLite collection in a zip: its exporter writes that file, never the store.
ALLOWED = {"_cli_store.py": {"grimoire.store.sqlite_health"}, "_preload.py": {"sqlite3"},
           "export/anki.py": {"sqlite3"}}


def imports_of(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_no_stage_imports_a_backend_or_touches_a_connection() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "store":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = ALLOWED.get(str(rel), set())
        for name in imports_of(tree) - allowed:
            if name.split(".")[0] in ENGINE_MODULES or name.startswith(BACKENDS):
                offences.append(f"{rel}: imports {name}")
        for node in ast.walk(tree):
            # `store.conn`, `self.store.conn`: a connection only a backend may hold.
            if (isinstance(node, ast.Attribute) and node.attr == "conn"
                    and isinstance(node.value, ast.Attribute | ast.Name)
                    and (getattr(node.value, "attr", None) == "store"
                         or getattr(node.value, "id", None) == "store")):
                offences.append(f"{rel}:{node.lineno}: touches store.conn")
    assert offences == []


def test_the_rule_catches_an_offence() -> None:
    tree = ast.parse("from grimoire.store.sqlite import SQLiteStore\nimport psycopg\n")
    names = imports_of(tree)
    assert "grimoire.store.sqlite.SQLiteStore" in names and "psycopg" in names
