"""`python -m grimoire`: the same as the `grimoire` command (the background worker runs so)."""

from grimoire.cli import main

main(prog_name="grimoire")
