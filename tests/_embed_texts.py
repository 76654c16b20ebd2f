"""Real passages for the embedding tests: paragraphs of ../shared/corpora, chosen by rule.

The texts are read from ../shared at test time (never copied into the project); the golden
vectors in tests/data/ are keyed by each text's sha256, so a changed corpus fails loudly.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

FOLDERS = ("ml-cheatsheet-rst", "hf-docs", "ml-glossary-terms")
PER_FOLDER = 32


def corpus_paragraphs(corpora: Path) -> list[str]:
    """32 paragraphs from each of three corpora, short to very long (past the 256-token cap)."""
    texts: list[str] = []
    for folder in FOLDERS:
        found: list[str] = []
        for path in sorted((corpora / folder).rglob("*")):
            if not path.is_file() or path.suffix not in (".md", ".rst", ".mdx"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            paragraphs = [p.strip() for p in text.split("\n\n") if len(p.strip()) >= 20]
            # Every seventh paragraph and the file's longest: a spread of lengths.
            picked = [*paragraphs[::7], max(paragraphs, key=len, default="")]
            found.extend(p for p in picked if p and p not in found)
            if len(found) >= PER_FOLDER:
                break
        texts.extend(found[:PER_FOLDER])
    return texts


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
