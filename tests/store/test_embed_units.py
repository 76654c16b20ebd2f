"""What needs a vector (issue 14): a long code passage is embedded by its first lines, every
other passage by its whole text."""

from __future__ import annotations

from pathlib import Path

from grimoire.fences import split_fences
from grimoire.ingest import ingest
from grimoire.store import Store
from grimoire.store._embed_text import CODE_CHARS, passage_embed_text, passage_unit_text


def test_code_is_embedded_by_its_first_lines(store: Store, corpora: Path) -> None:
    ingest(store, [corpora / "hf-docs"], workers=1)
    by_id = {u.id: u.text for u in store.embed_units("m") if u.kind == "passage"}
    own = code = 0
    for p in store.passages():
        text = by_id[p.id]
        if text.endswith(p.text):
            own += 1
        else:  # the context names, then the code's first lines, cut at a line break
            code += 1
            kept = text[text.rindex(": " + p.text[:20]) + 2:]
            assert len(kept) <= CODE_CHARS < len(p.text) and p.text.startswith(kept)
            assert p.text[len(kept)] == "\n"
    assert own >= 100 and code >= 10  # hf-docs holds long code blocks


def test_prose_and_short_code_keep_their_whole_text() -> None:
    long_line = "x = 1  # " + "word " * 80
    for text, kind in (("word " * 100, "text"), ("print(1)\n", "code"), (long_line, "code")):
        unit = passage_unit_text(text, ("Loss",), "Page", None, kind)
        if kind == "code" and len(text) > CODE_CHARS:
            # One line longer than the cut: its first CODE_CHARS characters.
            assert unit == passage_embed_text(text[:CODE_CHARS], ("Loss",), "Page", None)
        else:
            assert unit == passage_embed_text(text, ("Loss",), "Page", None)


def test_an_entry_is_embedded_without_its_fenced_code(store: Store, corpora: Path) -> None:
    # Round 34: a definition keeps its code passages fenced (the card shows them as code);
    # the entry's vector reads its prose only, the code has its own passage's vector.
    ingest(store, [corpora / "hf-docs"], workers=1)
    units = {u.id: u.text for u in store.embed_units("m") if u.kind == "entry"}
    fenced = [e for e in store.entries() if "\n```\n" in e.entry.definition]
    assert len(fenced) >= 3  # the transformers glossary's entries that show code
    for e in fenced:
        text = units[e.id]
        assert "```" not in text and text.startswith(e.entry.term + ": ")
        prose = [t for t in e.entry.definition.split("\n\n") if "```" not in t and t.strip()]
        assert prose and all(t in text for t in prose[:2])
        for code in (t for is_code, t in split_fences(e.entry.definition) if is_code):
            assert code.strip().split("\n")[0] not in text
