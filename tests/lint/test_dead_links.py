"""A dead file link is reported as its source wrote it, with file and line (round 22).

The readers keep a file link's last path segment as its name (`/machine-learning/practica/
image-classification` is the name `image-classification`), which is right for resolving it but
no help to whoever fixes it: lint shows the address as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import grimoire
from tests.conftest import ingested, write_notes


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_dead_link_is_shown_as_written_and_one_outside_the_notes_is_left_out(
    tmp_path: Path, corpora: Path
) -> None:
    """The address as written, with file and line (round 22); a link into a folder that holds
    none of the notes leads to a part of the site they were copied from that is not here, and
    is no dead link (round 23): the vault's `/machine-learning/...` and the PEFT pages'
    `../task_guides/...`. A missing page of a folder that holds notes stays one."""
    vault = corpora / "google-ml-glossary-vault" / "image recognition.md"
    terms = corpora / "ml-glossary-terms" / "terms"
    docs = corpora / "hf-docs" / "peft" / "soft-prompts.md"
    trainer = corpora / "hf-docs" / "trl" / "kto_trainer.md"
    with ingested(tmp_path / "kb.db", vault, terms, docs, trainer, embed=False) as kb:
        dead = kb.lint().by_group()["dead-link"]
        targets = {d.span.path: d.target for d in kb.dead_links()}
    shown = {(Path(f.span.path).name, f.span.start_line): f.message.split("'")[1] for f in dead}
    # The vault's HTML anchor, site-absolute, into a folder no note is in: not listed, but
    # still a link that leads nowhere in the store.
    href = re.search(r'href="(/[^"]*image-classification)"', vault.read_text())
    assert href is not None
    assert str(vault) in targets
    assert not [f for f in dead if Path(f.span.path) == vault]
    # A reference-style link (`[Zero-padding][2]`): its address is on the definition line, and
    # `terms/` is a folder of the notes.
    ref = re.search(r"^\[\d+\]:\s*(\S*zero-pad\S*)", (terms / "padding-convolution.md").read_text(),
                    re.MULTILINE)
    assert ref is not None
    assert ref.group(1) in shown.values()
    # Relative links up into folders the copy left out: not listed.
    assert str(docs) in targets and not [f for f in dead if Path(f.span.path) == docs]
    # A page of the trainer's own folder that the copy left out: listed, '#' and all.
    line = _line_of(trainer, "](dataset_formats#")
    text = trainer.read_text().splitlines()[line - 1]
    written = re.findall(r"\]\((dataset_formats#[^)]*)\)", text)
    assert written
    assert {v for (name, n), v in shown.items() if name == trainer.name and n == line} \
        == set(written)


def test_the_address_shown_is_the_one_ingested_whatever_the_file_says_now(
    tmp_path: Path, corpora: Path
) -> None:
    """Lint reads the address from the store, as the ingest kept it (round 23): a source file
    edited, moved or deleted since does not change the message (round 22 read the file again
    at lint time, and showed whatever it held then, or the bare name once it was gone)."""
    page = tmp_path / "notes" / "kto_trainer.md"
    page.parent.mkdir()
    page.write_bytes((corpora / "hf-docs" / "trl" / "kto_trainer.md").read_bytes())
    db = tmp_path / "kb.db"

    def dead_links() -> list[str]:
        with grimoire.open(db) as kb:
            return [str(f) for f in kb.lint().by_group()["dead-link"]]

    with grimoire.open(db) as kb:
        kb.ingest([page.parent], embed=False)
    first = dead_links()
    assert any("'dataset_formats#" in f for f in first)
    # The same pages, moved: each link keeps its name (the last segment), so a lookup by
    # name in the file as it is now finds the new address.
    page.write_text(page.read_text().replace("](dataset_formats", "](moved/dataset_formats"))
    assert dead_links() == first
    page.unlink()
    assert dead_links() == first


def test_a_percent_encoded_dead_link_reads_as_its_name(tmp_path: Path) -> None:
    # A note app writes a Markdown link to a note as its file name, spaces encoded
    # (`[judges](LLM%20as%20a%20Judge)`): lint showed only the encoded address.
    notes = write_notes(tmp_path / "notes", {
        "evals.md":
        "# Evals\n\nScoring answers with [a model as judge](Model%20as%20a%20Judge.md) is cheap.\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        (finding,) = kb.lint().by_group()["dead-link"]
    assert finding.message.startswith(
        "'Model as a Judge.md' (written Model%20as%20a%20Judge.md) leads to no note"), \
        finding.message
    assert finding.span.start_line == 3


def test_a_web_address_without_its_scheme_is_told_so(tmp_path: Path) -> None:
    # A public collection links `[ChatGPT](chat.openai.com/)`: a browser and GitHub open it as
    # a file beside the note. The finding said only that it leads to no note.
    notes = write_notes(tmp_path / "notes", {
        "prompting.md":
                "# Prompting\n\nTry the prompts in [the playground](play.example.com/chat) or in\n"
                "[the notes on tuning](tuning.md).\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        dead = {f.message.split("'")[1]: f.message for f in kb.lint().by_group()["dead-link"]}
    assert dead["play.example.com/chat"].endswith(
        "a web address needs its scheme: https://play.example.com/chat")
    assert "scheme" not in dead["tuning.md"]
