"""Round 56 (review56c): AsciiDoc the qa56 reader was not written for, each shape rebuilt in
our own words from what a book in `.asc` files and an Antora documentation site showed."""

from __future__ import annotations

from pathlib import Path

from grimoire import readers

# A table opened by a longer run of `=` (`|======`, as wide as the table in the source): its
# rows were read as one paragraph, "|======" and every `|` in it.
_WIDE_TABLE = """\
= Git Settings

.Editors and their command
[cols="1,2",options="header"]
|==========================
|Editor |Setting
|Emacs |`core.editor emacs`
|nano |`core.editor "nano -w"`
|==========================

After the table, a paragraph of prose.
"""


def test_a_table_opened_by_a_longer_delimiter_is_a_table() -> None:
    doc = readers.read_file("asciidoc", _WIDE_TABLE.encode(), "book/settings.asc")[0]
    text = "\n".join(p.text for p in doc.passages)
    assert "===" not in text, text
    rows = next(p for p in doc.passages if "Emacs" in p.text)
    assert "|Emacs" not in rows.text and "Emacs | " in rows.text, rows.text
    assert "Emacs | core.editor emacs" in rows.text, rows.text


# A `#` at a line's start is no heading in AsciiDoc (`#text#` marks text; a partial's include
# tags are written `# tag::name[]`): the Markdown reader read each as a level-1 heading, and a
# site's partial was named "tag::eol[]".
_HASH_LINES = """\
# tag::retired[]

[CAUTION]
====
This release is retired; read the current one.
====

# end::retired[]
"""

_HASH_TEXT = """\
= Tokenizers

A tokenizer splits text into units.
# of merges is the vocabulary size less the base alphabet.
"""


def test_a_line_opening_with_a_hash_is_no_heading() -> None:
    doc = readers.read_file("asciidoc", _HASH_LINES.encode(), "partials/notes.adoc")[0]
    assert "tag::" not in doc.title, doc.title
    assert not any("tag::" in e.term or "end::" in e.term for e in doc.entries), doc.entries
    text = "\n".join(p.text for p in doc.passages)
    assert "tag::" not in text and "This release is retired" in text, text
    doc = readers.read_file("asciidoc", _HASH_TEXT.encode(), "bpe.adoc")[0]
    assert {p.heading_path for p in doc.passages} == {("Tokenizers",)}, doc.passages
    text = "\n".join(p.text for p in doc.passages)
    assert "of merges is the vocabulary size" in text, text
    assert not any("merges" in e.term for e in doc.entries), doc.entries


def test_an_antora_partial_with_no_heading_names_no_concept(tmp_path: Path) -> None:
    """An Antora module's `partials/` holds fragments its pages include: 35 parameter tables
    of one site, each `specific-configuration.adoc`, were one concept by their file's name."""
    module = tmp_path / "docs" / "modules" / "ROOT"
    (module / "pages").mkdir(parents=True)
    fragment = module / "partials" / "node2vec" / "specific-configuration.adoc"
    fragment.parent.mkdir(parents=True)
    text = "| walkLength | Integer | 80 | The number of steps in one random walk.\n"
    doc = readers.read_file("asciidoc", text.encode(), str(fragment))[0]
    assert not doc.entries, doc.entries
    assert any("steps in one random walk" in p.text for p in doc.passages), doc.passages
    # A partial with a heading is named by it; a folder named so elsewhere is no partial.
    headed = module / "partials" / "migration.adoc"
    doc = readers.read_file("asciidoc", b"= Link Prediction\n\nModels moved.\n", str(headed))[0]
    assert "Link Prediction" in {e.term for e in doc.entries}, doc.entries
    other = tmp_path / "notes" / "partials" / "random-walks.adoc"
    other.parent.mkdir(parents=True)
    doc = readers.read_file("asciidoc", text.encode(), str(other))[0]
    assert doc.entries, "a folder called partials with no pages beside it holds notes"


def test_a_pem_key_or_certificate_armored_as_asc_is_no_note() -> None:
    """Only OpenPGP's armor was no note: a PEM key kept as `.asc` was a concept named by its
    file, its key material a passage search returned."""
    for armor in ("RSA PRIVATE KEY", "PUBLIC KEY", "CERTIFICATE"):
        text = f"-----BEGIN {armor}-----\nMIIBexampleexample\n-----END {armor}-----\n"
        assert readers.read_file("asciidoc", text.encode(), "keys/deploy.asc") == [], armor
    # Prose that tells of a key's armor is a note.
    prose = "= Keys\n\nA PEM file opens with -----BEGIN PUBLIC KEY----- on its first line.\n"
    assert readers.read_file("asciidoc", prose.encode(), "keys.adoc")[0].title == "Keys"


def test_keyboard_and_button_macros_are_their_text() -> None:
    """`kbd:[Ctrl+C]` and `btn:[Save]` (with `:experimental:`) kept their markup: the
    pattern wanted `kbd[` with no colon."""
    note = ("= Training\n:experimental:\n\nPress kbd:[Ctrl+C] to stop, then btn:[Save] the "
            "checkpoint and indexterm2:[early stopping] applies.\n")
    doc = readers.read_file("asciidoc", note.encode(), "training.adoc")[0]
    text = "\n".join(p.text for p in doc.passages)
    assert "Press Ctrl+C to stop, then Save the checkpoint" in text, text
    assert "early stopping applies" in text and ":[" not in text, text
