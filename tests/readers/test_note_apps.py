"""Round 23 (read23): notes as other tools write them, read as their user expects.

One small vault per tool under `fixtures/tools/` (our own words): a Notion Markdown export, a
Logseq graph, a Dendron workspace, a Foam/Zettelkasten folder and an org-roam directory, each
with a few ML notes, links, one stub and one journal page. What a user of the tool would
count wrong: a journal day, an id or a timestamp as a concept name; a property line as (part
of) a definition; a link that the tool follows shown as a wanted page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.days import is_date_title
from grimoire.knowledge import Grimoire
from grimoire.readers.conventions import stem_title
from tests.conftest import ingested, write_notes

TOOLS = Path(__file__).parent / "fixtures" / "tools"

# Each vault's concepts, as its tool lists its pages (journal pages and Dendron's root aside).
CONCEPTS = {
    "notion": {"ML Notes", "Attention", "Dropout", "Layer Normalization",
               "Reading log 2023-03-05"},
    # Logseq's own `contents` and `card` pages aside.
    "logseq": {"Attention", "Transformer", "Self Attention", "Layer Norm", "Deep Learning",
               "Dropout"},
    "dendron": {"ML", "Attention", "Self Attention", "Dropout", "Layer"},
    "zettel": {"Attention", "Dropout", "Layer Normalization", "Batch Normalization"},
    "org-roam": {"Attention", "Dropout", "Layer Normalization"},
}


@pytest.fixture(scope="module", params=sorted(CONCEPTS))
def vault(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[str, Grimoire]]:
    name = str(request.param)
    kb = grimoire.open(tmp_path_factory.mktemp(name) / "kb.db")
    report = kb.ingest([TOOLS / name], embed=False)
    assert report.failed == 0
    yield name, kb
    kb.close()


def test_concepts_are_the_pages_a_user_named(vault: tuple[str, Grimoire]) -> None:
    name, kb = vault
    assert {c.label for c in kb.concepts()} == CONCEPTS[name]


def test_no_property_line_or_block_id_is_text(vault: tuple[str, Grimoire]) -> None:
    _, kb = vault
    for entry in kb.entries():
        text = entry.entry.definition
        assert "::" not in text and "((" not in text and "{{" not in text, entry.entry.term
        assert not any(line.startswith(("Created: ", "Tags: ", "Status: "))
                       for line in text.split("\n")), entry.entry.term


def test_links_the_tool_follows_are_not_wanted(vault: tuple[str, Grimoire]) -> None:
    _, kb = vault
    wanted = {w.name for w in kb.wanted(suggestions=False)}
    # An org-roam `[[id:...][label]]` resolves by its label: the store keeps no note's `:ID:`.
    # A label that names no note ("where attention uses it") leads to a note that exists
    # (org-roam makes an id link by picking one), never to a wanted page (round 25).
    assert wanted == set()
    assert not [d for d in kb.dead_links(suggestions=False) if d.status != "wanted"]


@pytest.fixture(scope="module")
def logseq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Grimoire]:
    kb = grimoire.open(tmp_path_factory.mktemp("logseq") / "kb.db")
    kb.ingest([TOOLS / "logseq"], embed=False)
    yield kb
    kb.close()


def test_logseq_title_alias_and_tags(logseq: Grimoire) -> None:
    attention = logseq.concept("attention mechanism")  # `alias::` is a name of the page
    assert attention.label == "Attention"  # `title::` over the file name `attention.md`
    assert attention.entries[0].entry.definition.startswith("- Attention lets a network")
    # `tags:: [[deep learning]], nlp` tags the page; it links nowhere.
    assert "deep learning" not in {m.target for m in attention.links}
    assert logseq.concept("intra-attention").label == "Self Attention"  # `- alias::` first block
    # `ml___Transformer.md` is the namespaced page `ml/Transformer`, which `[[ml/Transformer]]`
    # reaches.
    transformer = logseq.concept("Transformer")
    assert any(m.span.path.endswith("attention.md") for m in transformer.backlinks)


def test_logseq_macros_and_org_pages(logseq: Grimoire) -> None:
    formats = {Path(s.path).name: s.format for s in logseq.sources()}
    # A page of `{{embed [[...]]}}` macros is Markdown with embeds, not MediaWiki templates.
    assert formats["Deep Learning.md"] == "obsidian"
    embeds = {m.target for m in logseq.concept("Deep Learning").links if m.status == "resolved"}
    assert embeds == {"Attention", "ml/Transformer"}
    # `{{cloze softmax}}` shows its words; the drawing linked beside it (`[[draws/...
    # .excalidraw]]`) is no wanted page (`test_links_the_tool_follows_are_not_wanted`).
    attention = logseq.concept("Attention")
    assert "from a softmax over the scores" in attention.entries[0].entry.definition
    assert not any(m.target.endswith(".excalidraw") for m in logseq.dead_links(suggestions=False))
    # An Org page of the graph: named by its file, its `*` blocks are text.
    assert formats["Dropout.org"] == "org"
    hits = logseq.search("co-adapt", mode="lexical")
    assert any(Path(h.span.path).name == "Dropout.org" for h in hits)


def test_dendron_labelled_links_lead_to_their_target(tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", TOOLS / "dendron", embed=False) as kb:
        attention = kb.concept("Attention")
        out = {(m.target, m.label, m.status) for m in attention.links}
        # `[[self-attention|ml.attention.self]]`: the label first, as Dendron writes it.
        assert ("ml.attention.self", "self-attention", "resolved") in out
        assert "ml.attention.self" not in {n.name for n in kb.concept("Self Attention").names}


def test_org_roam_links_by_title(tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", TOOLS / "org-roam", embed=False) as kb:
        backlinks = kb.concept("Layer Normalization").backlinks
        # `[[id:...][Layer Normalization]]` by its label, `[[roam:Layer Normalization]]`.
        assert sorted(m.kind for m in backlinks if m.span.path.endswith("attention.org")) == [
            "wikilink", "wikilink"]


def test_zettel_id_link_resolves_when_its_note_comes_later(tmp_path: Path) -> None:
    # Incremental resolve: the link is stored first, wanted; the note with that id arrives.
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(TOOLS / "zettel" / "202303051200 Attention.md", notes)
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        assert "202303051215" in {w.name for w in kb.wanted(suggestions=False)}
        shutil.copy(TOOLS / "zettel" / "202303051215 Dropout.md", notes)
        kb.ingest([notes], embed=False)
        kb.refresh()
        assert "202303051215" not in {w.name for w in kb.wanted(suggestions=False)}
        assert any(m.span.path.endswith("Attention.md")
                   for m in kb.concept("Dropout").backlinks)


@pytest.mark.parametrize("title", [
    "2023_03_05", "2023-03-05", "Mar 5th, 2023", "Monday, 5 March 2023", "2023.03.05",
    "daily.journal.2023.03.05", "05.03.2023", "2023-W10", "2023-03", "2022-03-21T09_48_00.759Z",
])
@pytest.mark.no_store
def test_a_day_is_a_journal_title(title: str) -> None:
    assert is_date_title(title)


@pytest.mark.parametrize("title", [
    "2023 Recap", "May 2023", "GPT-4", "Reading log 2023-03-05", "Epoch 5, 2023", "1984",
    "Attention", "1984-85", "2023-13",
])
@pytest.mark.no_store
def test_other_titles_are_no_day(title: str) -> None:
    assert not is_date_title(title)


@pytest.mark.parametrize(("stem", "name"), [
    ("Attention 8a1b2c3d4e5f60718293a4b5c6d7e8f9", "Attention"),
    ("202303051200 Attention", "Attention"),
    ("20230305120000-layer_normalization", "layer_normalization"),
    ("ml___Transformer", "Transformer"),
    ("ml%2FTransformer", "Transformer"),
    ("202303051200", "202303051200"),
    ("neural-networks-2", "neural-networks-2"),
])
@pytest.mark.no_store
def test_ids_in_a_file_name_are_no_part_of_the_name(stem: str, name: str) -> None:
    assert stem_title(stem) == name


def test_an_excalidraw_drawing_is_an_attachment_and_block_ids_are_no_text(tmp_path: Path) -> None:
    # Obsidian's Excalidraw plugin saves a drawing as `.excalidraw.md`: its "# Text Elements"
    # are the labels of its shapes, each with a block id. It is kept as an attachment: no
    # concept, nothing to search or quote (a drawing's labels near-duplicated each other).
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Drawing 2023-03-05 10.30.12.excalidraw.md").write_text(
        "---\n\nexcalidraw-plugin: parsed\ntags: [excalidraw]\n\n---\n"
        "==Switch to EXCALIDRAW VIEW to edit the drawing==\n\n\n# Text Elements\n"
        "Query ^q1w2e3r4\n\nKey ^t5y6u7i8\n\n%%\n# Drawing\n```json\n{\"elements\": []}\n```\n%%\n",
        encoding="utf-8")
    (vault / "Attention.md").write_text(
        "Attention mixes values by query-key weights. ^att01\n\n"
        "Sketch: ![[Drawing 2023-03-05 10.30.12.excalidraw]]\n", encoding="utf-8")
    with ingested(tmp_path / "kb.db", vault, embed=False) as kb:
        assert {c.label for c in kb.concepts()} == {"Attention"}
        definition = kb.concept("Attention").entries[0].entry.definition
        assert definition.startswith("Attention mixes values by query-key weights.\n")
        assert "^" not in definition
        hits = kb.search("query key", mode="lexical")
        assert hits and not [h for h in hits if h.span.path.endswith(".excalidraw.md")]
        assert {Path(r.path).name: r.status for r in kb.sources()} == {
            "Attention.md": "ok", "Drawing 2023-03-05 10.30.12.excalidraw.md": "attachment"}
        assert not kb.wanted(suggestions=False)


def test_org_roam_v1_keywords_and_a_namespaced_logseq_title(tmp_path: Path) -> None:
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text("{:meta/version 1}\n", encoding="utf-8")
    pages = write_notes(tmp_path / "pages", {
        "ml___Transformer.md":
            "title:: ml/Transformer\n\n- A Transformer stacks attention and feed-forward blocks.\n",
        "Attention.md": "- Attention is what a [[ml/Transformer]] stacks.\n",
    })
    roam = write_notes(tmp_path / "roam", {
        "20200305120000-lora.org":
            "#+TITLE: Low-Rank Adaptation\n#+ROAM_ALIAS: \"LoRA\" \"low rank adapters\"\n"
            "#+ROAM_TAGS: finetuning\n\nLow-Rank Adaptation trains two small matrices per layer.\n",
    })
    with ingested(tmp_path / "kb.db", pages, roam, embed=False) as kb:
        assert kb.concept("Transformer").backlinks
        assert not kb.wanted(suggestions=False)
        lora = kb.concept("LoRA")
        assert lora.label == "Low-Rank Adaptation"
        assert "low rank adapters" in {n.name for n in lora.names}


def test_an_untitled_note_is_no_concept(tmp_path: Path) -> None:
    # Obsidian names a new note `Untitled.md`, `Untitled 2.md`; Notion a page nobody titled
    # `Untitled <id>.md` under `# Untitled`. Their text is still searched.
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Untitled.md").write_text("Beam search keeps the k best prefixes.\n", encoding="utf-8")
    (vault / "Untitled 2.md").write_text("# Untitled 2\n\nGreedy decoding keeps one.\n",
                                         encoding="utf-8")
    (vault / "Untitled 0a1b2c3d4e5f60718293a4b5c6d7e8f9.md").write_text(
        "# Untitled\n\nCreated: March 7, 2023 9:00 AM\n\nTop-k sampling draws from the k best.\n",
        encoding="utf-8")
    (vault / "Decoding.md").write_text("Decoding turns scores into text: [[Untitled]].\n",
                                       encoding="utf-8")
    with ingested(tmp_path / "kb.db", vault, embed=False) as kb:
        assert {c.label for c in kb.concepts()} == {"Decoding"}
        assert kb.search("top-k sampling", mode="lexical")
        assert not kb.wanted(suggestions=False)  # `[[Untitled]]` leads to a note that exists


def test_a_note_template_is_no_concept(tmp_path: Path) -> None:
    # A template's placeholders in its (quoted) front matter or its title. Unquoted,
    # `{{date}}` is no YAML string (a flow mapping): such a template is still a page.
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Templates").mkdir()
    (vault / "Templates" / "Paper Note.md").write_text(
        "---\ncreated: \"{{date:YYYY-MM-DD}}\"\ntags: [paper]\n---\nSummary of the paper in two "
        "lines.\n\n## Method\n\n## Results\n", encoding="utf-8")
    (vault / "Templates" / "Concept.md").write_text(
        "# <% tp.file.title %>\n\nWhat it is, in one sentence.\n", encoding="utf-8")
    (vault / "Dropout.md").write_text("Dropout zeroes random activations while training.\n",
                                      encoding="utf-8")
    with ingested(tmp_path / "kb.db", vault, embed=False) as kb:
        assert {c.label for c in kb.concepts()} == {"Dropout"}
