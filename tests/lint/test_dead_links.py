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
