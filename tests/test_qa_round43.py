"""Round 43 (qa43): what `lint` told a new user of a course's repository; notes in our own
words, stored in a real store."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes


def test_a_link_to_the_projects_build_or_licence_file_is_no_dead_link(tmp_path: Path) -> None:
    """A course's README points at the files that build its environment and at its licence,
    `[Dockerfile](./Dockerfile)`, `[MIT](LICENSE)`: `lint` listed "'./Dockerfile' leads to
    no note", though the file is there, beside the notes (no note, as an image or a script
    is none). A link to a missing page of the notes stays a dead link."""
    notes = write_notes(tmp_path / "course", {
        "README.md": "# Course notes\n\nThe notes run in a container built from the "
                     "[Dockerfile](./Dockerfile); see [the make targets](Makefile) and the "
                     "[MIT licence](LICENSE).\n\nStart with [the setup page](docs/setup.md).\n",
        "Dockerfile": "FROM python:3.11\n",
        "Makefile": "all:\n\techo build\n",
        "docs/intro.md": "# Gradient descent\n\nGradient descent steps against the gradient.\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        dead = [f.message for f in kb.lint().by_group().get("dead-link", [])]
    assert len(dead) == 1 and "docs/setup.md" in dead[0], dead
