"""`python -m grimoire`: the same as the `grimoire` command (the background worker runs so)."""

from grimoire.cli import run

run(prog_name="grimoire")
