"""A dead file link is reported as its source wrote it, with file and line (round 22).

The readers keep a file link's last path segment as its name (`/machine-learning/practica/
image-classification` is the name `image-classification`), which is right for resolving it but
no help to whoever fixes it: lint shows the address as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import grimoire


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_site_absolute_href_is_shown_whole_with_file_and_line(
    tmp_path: Path, corpora: Path
) -> None:
    vault = corpora / "google-ml-glossary-vault" / "image recognition.md"
    terms = corpora / "ml-glossary-terms" / "terms" / "padding-convolution.md"
    docs = corpora / "hf-docs" / "peft" / "soft-prompts.md"
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([vault, terms, docs], embed=False)
        dead = kb.lint().by_group()["dead-link"]
    shown = {(Path(f.span.path).name, f.span.start_line): f.message.split("'")[1] for f in dead}
    text = vault.read_text()
    # The vault's HTML anchor: `href="/machine-learning/.../image-classification"`.
    href = re.search(r'href="(/[^"]*image-classification)"', text)
    assert href is not None
    line = _line_of(vault, href.group(1))
    assert shown[(vault.name, line)] == href.group(1)
    assert any(Path(f.span.path) == vault and f"'{href.group(1)}' leads to no note" in str(f)
               for f in dead)
    # A reference-style link (`[Zero-padding][2]`): its address is on the definition line.
    ref = re.search(r"^\[\d+\]:\s*(\S*zero-pad\S*)", terms.read_text(), re.MULTILINE)
    assert ref is not None
    assert ref.group(1) in shown.values()
    # A relative link to a page the export left out keeps its "../" and its '#'.
    relative = [v for (name, _), v in shown.items() if name == docs.name]
    assert relative and all(v.startswith("../") for v in relative)


def test_the_address_shown_is_the_one_ingested_whatever_the_file_says_now(
    tmp_path: Path, corpora: Path
) -> None:
    """Lint reads the address from the store, as the ingest kept it (round 23): a source file
    edited, moved or deleted since does not change the message (round 22 read the file again
    at lint time, and showed whatever it held then, or the bare name once it was gone)."""
    page = tmp_path / "notes" / "soft-prompts.md"
    page.parent.mkdir()
    page.write_bytes((corpora / "hf-docs" / "peft" / "soft-prompts.md").read_bytes())
    db = tmp_path / "kb.db"

    def dead_links() -> list[str]:
        with grimoire.open(db) as kb:
            return [str(f) for f in kb.lint().by_group()["dead-link"]]

    with grimoire.open(db) as kb:
        kb.ingest([page.parent], embed=False)
    first = dead_links()
    assert first and all("'../task_guides/" in f for f in first)
    # The same pages, moved: each link keeps its name (the last segment), so a lookup by
    # name in the file as it is now finds the new address.
    page.write_text(page.read_text().replace("../task_guides/", "../guides/moved/"))
    assert dead_links() == first
    page.unlink()
    assert dead_links() == first
