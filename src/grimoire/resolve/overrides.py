"""`grimoire.toml` in a notes folder: the user's word on merges, which survives re-ingest.

```toml
[[join]]                       # these names are one concept
names = ["Top-P Sampling", "Nucleus Sampling"]

[[split]]                      # never in one concept (a name, or "file:line" of an entry)
names = ["LoRA", "Low-Rank Adaptation (LoRA) Fine-Tuning"]

[[alias]]                      # extra names for a concept
name = "LoRA"
aliases = ["low-rank adapters"]
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grimoire.errors import GrimoireError, ReadError
from grimoire.files import read_capped

FILENAME = "grimoire.toml"
MAX_BYTES = 4 * 1024 * 1024  # a file of rules; a bigger one is not read into memory
ACTIONS = ("join", "split", "alias")


@dataclass(frozen=True, slots=True)
class Rule:
    """One `[[join]]`, `[[split]]` or `[[alias]]` table, with the file it came from."""

    action: str
    names: tuple[str, ...]
    path: str
    reason: str | None = None


# The version of resolve's rules (its labels, names, link statuses), as `ingest.READ_VERSION`
# is the readers': part of every fingerprint the concept tables are stored with, so a store
# resolved by older rules is resolved again, once, in full, when it is next opened or ingested
# (round 36: a store kept round 34's labels and "wanted" file links until a file changed).
# A store resolved by these rules costs nothing more: the fingerprint is compared as before.
# Add one whenever a change to resolve changes what it writes (2: a reference to a label
# another file defines leads to its heading's concept, `resolve.labels`; 3: an anchor into its
# own page leads to the concept its words name, round 37; 4: a label leads to a concept of its
# own page only, and is matched in any case, review37b; 5: a link its reader marked as asking
# for no page, `[[Source]]` or `[[@smith2019]]`, is dead, not wanted, round 38; 6: a name
# claimed alike by several entries keeps the label's spelling, then the entry first in file
# order, not the one with the lowest id, round 39; 7: a link to the address a page's front
# matter publishes it at, `permalink: /setup-instructions/`, leads to that page,
# `resolve.addresses`, round 40; 8: two names of one key merge only when they write the same
# operators, `C++` and `C#`, `-> operator` and `Operator`, round 43; a link to
# a project's own file by its fixed name, `./Dockerfile`, is not dead, round 43; 9: a title
# opening with an article keeps its last word, "The Lean Startup", round 47; an alias
# two notes list merges neither, "CNN" of "CNN卷积神经网络" finds it, a wikilink by a file
# name that a shared name left ambiguous leads to that file, qa47; 10: a label two
# projects in one store define leads to the nearer definition, round 48; 11: a link to an
# Obsidian Bases view, `![[Notes.base]]`, names a file, not a note, and an alias more than
# `merge.ALIAS_NOTES` notes list joins none to the page it titles, round 49).
RESOLVE_VERSION = "resolve-11"


@dataclass(frozen=True, slots=True)
class Overrides:
    """Every rule from every `grimoire.toml`, and a fingerprint to notice edits (and a change
    of resolve's rules: `RESOLVE_VERSION`)."""

    rules: tuple[Rule, ...] = ()
    fingerprint: str = RESOLVE_VERSION

    def of(self, action: str) -> list[Rule]:
        """The rules of one kind, in file order."""
        return [r for r in self.rules if r.action == action]


def load_overrides(folders: list[str]) -> Overrides:
    """Read `grimoire.toml` from each folder that has one.

    Raises GrimoireError naming the file (and line, when TOML reports it) on a bad file.
    """
    rules: list[Rule] = []
    read: list[bytes] = []
    for folder in sorted(set(folders)):
        path = Path(folder) / FILENAME
        if not path.is_file():
            continue
        try:  # a regular file only (not a FIFO), and never past the cap
            data = read_capped(path, MAX_BYTES)
        except ReadError as e:
            raise GrimoireError(f"cannot read overrides: {e.message}", str(path)) from e
        except OSError as e:
            raise GrimoireError(f"cannot read overrides: {e.strerror or e}", str(path)) from e
        read.append(str(path).encode() + b"\0" + data + b"\0")
        rules.extend(_parse(data, str(path)))
    if not read:
        return Overrides(tuple(rules), RESOLVE_VERSION)
    import hashlib  # only with a grimoire.toml: loading OpenSSL is ~20 ms of a search's start

    return Overrides(tuple(rules),
                     f"{RESOLVE_VERSION}:{hashlib.sha256(b''.join(read)).hexdigest()}")


_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)$")


def _parse(data: bytes, path: str) -> list[Rule]:
    import tomllib  # only with a grimoire.toml (cold start of a search)

    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        # `file:line: why`, as every other error: tomllib ends its message "(at line 1,
        # column 7)" and names the line nowhere else before Python 3.14.
        at = _TOML_AT.search(str(e))
        raise GrimoireError(f"cannot read overrides: {e}", path,
                            int(at[1]) if at else None) from e
    except RecursionError as e:  # tomllib recurses once a level of [ or {
        raise GrimoireError("cannot read overrides: arrays or tables nested too deeply",
                            path) from e
    for key in doc:
        if key not in ACTIONS:  # a misspelt rule would otherwise do nothing, and say nothing
            raise GrimoireError(f"unknown table [[{key}]]: a grimoire.toml holds [[join]], "
                                "[[split]] and [[alias]]", path, _line_of(data, key))
    rules: list[Rule] = []
    for action in ACTIONS:
        tables = doc.get(action, [])
        if not isinstance(tables, list):
            raise GrimoireError(f"[[{action}]] must be an array of tables", path)
        for table in tables:
            if not isinstance(table, dict):
                raise GrimoireError(f"[[{action}]] must be a table", path)
            names = [table["name"]] if "name" in table else []
            names += list(table.get("names", [])) + list(table.get("aliases", []))
            if not all(isinstance(n, str) and n.strip() for n in names):
                raise GrimoireError(f"[[{action}]] names must be non-empty strings", path)
            if len(names) < 2:
                raise GrimoireError(f"[[{action}]] needs at least two names, got {names!r}", path)
            reason = table.get("reason")
            rules.append(Rule(action, tuple(names), path, str(reason) if reason else None))
    return rules


def _line_of(data: bytes, key: str) -> int | None:
    """The line where the table or key `key` starts (tomllib keeps no positions)."""
    import re

    head = re.compile(rf"^\s*(?:\[\[?\s*{re.escape(key)}\s*\]|{re.escape(key)}\s*=)")
    lines = data.decode("utf-8").splitlines()
    return next((n for n, line in enumerate(lines, 1) if head.match(line)), None)
