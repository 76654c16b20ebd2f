"""The Obsidian reader on seed 002, the Google ML glossary vault and inline edge cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grimoire.model import Document, Image, LinkKind
from grimoire.readers.base import decode
from grimoire.readers.markdown import obsidian


def read(text: str, path: str = "note.md") -> Document:
    return obsidian.read(text.encode("utf-8"), path)[0]


@pytest.fixture(scope="module")
def screenshots(seeds: Path) -> tuple[Document, list[str]]:
    path = next(seeds.glob("002_*.txt"))
    return obsidian.read(path.read_bytes(), str(path))[0], decode(
        path.read_bytes(), str(path)
    ).split("\n")


def images_of(doc: Document) -> list[Image]:
    return [i for p in doc.passages for i in p.images]


def test_seed_002_every_embed_is_an_image_on_its_line(
    screenshots: tuple[Document, list[str]],
) -> None:
    doc, lines = screenshots
    images = images_of(doc)
    assert len(images) == sum(line.count("![[") for line in lines)
    for img in images:
        assert img.target in lines[img.span.start_line - 1]
    sizes = {i.target: (i.width, i.height) for i in images}
    assert sizes["Pasted image 20231215171803.png"] == (300, None)
    assert sizes["Pasted image 20240330002147.png"] == (400, 300)
    assert sizes["Pasted image 20240510233232.png"] == (None, None)


def test_seed_002_malformed_embed_recovered_and_reported(
    screenshots: tuple[Document, list[str]],
) -> None:
    doc, lines = screenshots
    (problem,) = [p for p in doc.problems if "malformed embed" in p.message]
    assert "20231224160119.png]" in lines[problem.span.start_line - 1]
    assert "Pasted image 20231224160119.png" in {i.target for i in images_of(doc)}


def test_seed_002_captions(screenshots: tuple[Document, list[str]]) -> None:
    doc, lines = screenshots
    by_target = {i.target: i for i in images_of(doc)}
    captioned = [i for i in by_target.values() if i.caption]
    assert len(captioned) > 40
    for img in captioned:
        # the caption's words are on the line directly under the image's line
        below = lines[img.span.start_line]
        assert all(w in below for w in re.findall(r"\w+", img.caption)), img
    assert by_target["Pasted image 20231224160322.png"].caption.startswith("(Rotations")
    assert by_target["Pasted image 20240127145004.png"].caption.startswith(
        "(From Youtube: https://"
    )
    # an image followed by another embed has no caption
    assert by_target["Pasted image 20231224003841.png"].caption is None


def test_seed_002_wikilinks_labels_and_sizes(screenshots: tuple[Document, list[str]]) -> None:
    doc, lines = screenshots
    links = {x.target: x for x in doc.links if x.kind == LinkKind.WIKILINK}
    assert links["Bloom Filter"].label is None
    assert links["Top-P Sampling"].label == "Nucleus Sampling"
    assert links["Abstraction and Reasoning Corpus"].label == "ARC"
    assert links["Massive Multi-Task Language Understanding"].label == "MMLU"
    for x in links.values():
        assert f"[[{x.target}" in lines[x.span.start_line - 1]
    text = "\n".join(p.text for p in doc.passages)
    assert "Nucleus Sampling" in text and "ARC" in text and "|300" not in text
    assert "Pairwise Ranking" in text and "==" not in text and "[[" not in text
    # tab-indented nested list items are kept
    assert "Adversarial inputs can trigger" in text
    assert doc.entries == ()  # screenshots, no definition


def test_vault_one_entry_per_note_no_tags_left(corpora: Path) -> None:
    vault = corpora / "google-ml-glossary-vault"
    notes = sorted(vault.glob("*.md"))
    assert len(notes) > 500
    redirects = 0
    for note in notes:
        assert obsidian.sniff("", str(note))  # the .obsidian folder says so
        doc = obsidian.read(note.read_bytes(), str(note))[0]
        assert len(doc.entries) == 1, note
        entry = doc.entries[0]
        # a title cut at "<" when saved (`F<sub>1</sub>` as F.md) gets its subscript back
        assert entry.term == note.stem or (len(note.stem) <= 2 and entry.term.startswith(
            note.stem) and entry.term[len(note.stem)].isdigit()), note
        redirects += entry.redirect is not None
        source = note.read_text(encoding="utf-8")
        for p in doc.passages:
            for tag in re.findall(r"</?[A-Za-z][\w-]*[^<>\n]*>", p.text):
                # only entity-escaped markup (`&lt;ul&gt;` shown as text) may look like a tag
                assert "&lt;" in source, (note, tag)
            assert p.kind == "code" or not re.search(r"\[\[[^\[\]]+\]\]", p.text), note
    assert redirects > 50


def test_vault_note_details(corpora: Path) -> None:
    vault = corpora / "google-ml-glossary-vault"

    def note(name: str) -> Document:
        path = vault / f"{name}.md"
        return obsidian.read(path.read_bytes(), str(path))[0]

    ar = note("AR")
    assert ar.entries[0].redirect == "augmented reality"
    lora = note("LoRA")
    assert lora.tags == ("language", "generativeAI")
    assert lora.entries[0].redirect == "Low-Rank Adaptability (LoRA)"
    log_odds = note("log-odds")
    entry = log_odds.entries[0]
    assert entry.redirect is None and entry.definition.startswith("The logarithm of the odds")
    assert any(m.display and "odds" in m.tex for m in entry.math)
    assert any(x.kind == LinkKind.URL and "Natural_logarithm" in x.target for x in entry.links)
    assert "#fundamentals" not in entry.definition and log_odds.tags == ("fundamentals",)
    pax = note("Pax")
    assert [i.target for i in pax.entries[0].images] == ["images/Pax.png"]
    fairness = note("fairness constraint")
    assert fairness.tags == ("fairness",)
    assert fairness.entries[0].definition.startswith("Applying a constraint")


def test_inline_syntax() -> None:
    doc = read(
        "---\naliases: [LR]\n---\n"
        "Intro with #tag-one and ==marked text== and [[Note#Heading|shown]] and [[Other#^blk]].\n"
        "Embed ![[Other note]] and ![[pic.png|400x300]] and `#notatag [[nolink]]` here.\n"
        "Issue #123 and https://x.org/a#frag %%hidden%% end.\n\n"
        "```\n# not a heading #nottag\n```\n\n"
        "> [!tip] Callout title\n> body\n\n"
        "## Heading #htag\n\n- item\n\t- nested\n"
    )
    text = "\n".join(p.text for p in doc.passages)
    assert "marked text" in text and "==" not in text and "hidden" not in text
    assert "shown" in text and "Callout title" in text and "[!tip]" not in text
    assert "`" not in text and "#notatag [[nolink]]" in text
    assert doc.tags == ("tag-one",)
    links = [(x.target, x.kind, x.label, x.fragment) for x in doc.links]
    assert ("Note", LinkKind.WIKILINK, "shown", "Heading") in links
    assert ("Other", LinkKind.WIKILINK, None, "^blk") in links
    assert ("Other note", LinkKind.EMBED, None, None) in links
    assert not any(x[0] == "nolink" for x in links)
    (img,) = images_of(doc)
    assert (img.target, img.width, img.height) == ("pic.png", 400, 300)
    assert doc.entries[0].aliases == ("LR",)
    assert "- item\n  - nested" in text


def test_unclosed_comment_is_reported() -> None:
    doc = read("Visible.\n\n%% starts here\nand never ends\n")
    assert [p.span.start_line for p in doc.problems] == [3]
    assert "never ends" not in " ".join(p.text for p in doc.passages)


def test_crlf_same_as_lf(seeds: Path) -> None:
    path = next(seeds.glob("002_*.txt"))
    data = path.read_bytes().replace(b"\r\n", b"\n")
    assert obsidian.read(data, "x.md") == obsidian.read(data.replace(b"\n", b"\r\n"), "x.md")


@pytest.mark.parametrize(
    "hostile",
    [
        "[[" * 10000,
        "![[x" * 10000,
        "[[" + "a" * 100000,
        "==a " * 10000,
        "#a " * 10000,
        "%%" * 20000,
    ],
)
def test_pathological_input(hostile: str) -> None:
    # Read once here; its cost against its size is asserted by ratio in
    # tests/hostile/test_linear.py ("obsidian-pathological-*"), not by the clock. What it
    # reads as: every character kept as text (brackets, a long name, highlight marks), or,
    # for a line of tags and a run of comment marks, no passage (the tags kept as tags).
    doc = read(hostile)
    kept = "".join("".join(p.text for p in doc.passages).split())
    if hostile.startswith("#"):
        assert (kept, doc.tags) == ("", ("a",))
    elif hostile.startswith("%%"):
        assert kept == ""
    else:
        assert kept == "".join(hostile.split())


def test_sniff(seeds: Path, corpora: Path) -> None:
    verdicts = {}
    for f in sorted(seeds.glob("*.txt")):
        verdicts[f.name[:3]] = obsidian.sniff(decode(f.read_bytes()[:16384], str(f)), "")
    assert verdicts == {"000": False, "001": False, "002": True, "003": False, "004": False}
    for f in sorted((corpora / "hf-docs").rglob("*.md")):  # `[[autodoc]]`, `[[open-in-colab]]`
        assert not obsidian.sniff(f.read_text(encoding="utf-8")[:16384], "")
    assert obsidian.sniff("see [[Some Note]]", "")
    assert not obsidian.sniff("x = [[1, 2], [3]]\nif a == b: pass", "")


def test_a_txt_file_in_a_vault_is_not_an_obsidian_note(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    note, text = tmp_path / "Term.md", tmp_path / "SOURCE.txt"
    note.write_text("A plain definition.\n")
    text.write_text("Where these notes came from.\n")
    assert obsidian.sniff(note.read_text(), str(note))
    assert not obsidian.sniff(text.read_text(), str(text))


def test_html_character_references_from_an_export_are_characters() -> None:
    """A vault exported from HTML writes `&#39;` for a prime inside TeX and in wikilink labels;
    markdown-it decodes them in text but not there (round 2: the Google glossary vault)."""
    doc = read(
        "The update uses the [[large language model|model&#39;s]] weights.\n\n"
        "$$Q(s, a) = r + \\gamma \\max_{a&#39;} Q(s&#39;, a&#39;)$$\n\n"
        "Inline $x &lt; y$ and a matrix $\\begin{matrix} 1 &amp; 2 \\end{matrix}$.\n",
        "Bellman.md",
    )
    text = "\n".join(p.text for p in doc.passages)
    assert "&#39;" not in text and "&lt;" not in text and "&amp;" not in text
    assert "model's weights" in text
    tex = [m.tex for p in doc.passages for m in p.math]
    assert "Q(s, a) = r + \\gamma \\max_{a'} Q(s', a')" in tex
    assert "x < y" in tex and "\\begin{matrix} 1 & 2 \\end{matrix}" in tex
