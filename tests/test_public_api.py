"""The public API is what __all__ says, and every command and reader is documented."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from grimoire.readers import READERS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_all_is_exactly_the_public_names() -> None:
    public = {n for n in dir(grimoire) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(grimoire, n)).__name__ == "module"}
    assert set(grimoire.__all__) == public - modules


def test_every_command_is_in_the_readme() -> None:
    for name in main.commands:  # type: ignore[attr-defined]
        assert f"grimoire {name}" in README, name


def test_every_reader_is_in_the_readme() -> None:
    for reader in READERS:
        assert f"`{reader.name}`" in README, reader.name


def test_every_command_docstring_has_an_example() -> None:
    for name, command in main.commands.items():  # type: ignore[attr-defined]
        assert "Example: grimoire" in (command.help or ""), name


def test_every_option_help_speaks_to_the_user() -> None:
    # `ask --help` once printed a code comment: "(grimoire.llm.DEFAULT_DEADLINE; not imported
    # here: http and email modules cost every command 30 ms to start)".
    runner = CliRunner()
    for name in main.commands:  # type: ignore[attr-defined]
        text = runner.invoke(main, [name, "--help"], terminal_width=80).output
        options = text.split("Options:", 1)[1]
        assert "grimoire." not in options and "import" not in options, (name, options)
        for line in options.splitlines():
            assert line.count("[default:") <= 1, (name, line)
