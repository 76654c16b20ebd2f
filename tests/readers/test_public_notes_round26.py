"""Round 26: what two public Obsidian vaults of ML notes gave as false names and false findings,
each shape rebuilt here in our own words.

- A note opening with a generic heading was named by it: seven notes that each open with
  `# Introduction` (RNN.md, ...) were one concept "Introduction", `show RNN` found nothing and
  lint reported six conflicts; QLoRA.md opening with `# Overview` was "Overview", and every
  "Overview" section of another note joined it.
- A Markdown page that opens with a paragraph on its subject was named by its first `##`
  heading, a part of it (BM25.md by "IDF").
- A vault note is opened by its file's name (`[[Backprop]]`), but `show Backprop` found
  nothing when its heading named it otherwise ("Backpropagation").
- Obsidian Excalidraw drawings (`*.excalidraw.md`, the labels of a drawing's shapes) were read
  as notes: 39 of a vault's 40 near-duplicate findings, and `ask` quoted a drawing.
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from tests.readers.conftest import write_notes


def _vault(root: Path, files: dict[str, str]) -> Path:
    (root / ".obsidian").mkdir(parents=True)
    return write_notes(root, files)


def test_notes_opening_with_introduction_are_named_by_their_files(
    kb: Grimoire, tmp_path: Path
) -> None:
    vault = _vault(tmp_path / "vault", {
        "RNN.md": "# Introduction\n\nAn RNN reads one token at a time and carries a hidden "
                  "state from step to step.\n\n## Training\n\nIt is trained through time.\n",
        "LSTM.md": "# Introduction\n\nAn LSTM adds gates that decide what the cell state "
                   "keeps.\n",
        "Adapters.md": "# Overview\n\nAdapters are small layers trained while the base model "
                       "stays frozen. See [[RNN]].\n",
        "Pruning.md": "## Overview\n\nPruning removes the weights that matter least.\n",
    })
    kb.ingest([vault], embed=False)
    labels = {c.label for c in kb.concepts()}
    assert {"RNN", "LSTM", "Adapters"} <= labels
    assert not {"Introduction", "Overview"} & labels
    rnn = kb.concept("RNN").entries[0].entry
    assert rnn.definition.startswith("An RNN reads one token at a time")
    assert rnn.span.start_line == 3  # its text, under the heading
    assert not [f for f in kb.lint().findings if str(f.group) == "conflict"]
    assert not kb.wanted(suggestions=False)


def test_a_generic_heading_still_names_nothing_when_the_file_names_nothing(
    kb: Grimoire, tmp_path: Path
) -> None:
    # `intro.md`, a README, a site's slug: the file names no concept either.
    notes = write_notes(tmp_path / "site", {
        "intro.md": "# Introduction\n\nThese pages collect what we read on transformers.\n",
        "README.md": "# Overview\n\nNotes from the reading group, one file a paper.\n",
        "my-first-post.md": "# Introduction\n\nThis blog starts with the basics.\n",
        "Quantization.md": "# Overview\n\nQuantization stores weights in fewer bits, trading "
                           "a little accuracy for memory.\n",
    })
    kb.ingest([notes], embed=False)
    terms = {e.entry.term for e in kb.entries()}
    assert "Quantization" in terms
    assert kb.concept("Quantization").entries[0].entry.definition.startswith(
        "Quantization stores weights in fewer bits")
    assert not {"Introduction", "Overview", "intro", "README", "my-first-post"} & terms


def test_a_page_opening_with_text_is_not_named_by_its_first_section(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes", {
        "BM25.md": "**BM25** ranks documents by how often the query's words occur in them, "
                   "damped by the document's length.\n\n## Inverse Document Frequency\n\n"
                   "Inverse document frequency weighs a word by how few documents hold it.\n",
    })
    kb.ingest([notes], embed=False)
    terms = {e.entry.term for e in kb.entries()}
    assert {"BM25", "Inverse Document Frequency"} <= terms
    (doc,) = {h.title for h in kb.search("documents", mode="lexical")}
    assert doc == "BM25"


def test_a_drawing_read_as_a_note_before_becomes_an_attachment(
    kb: Grimoire, tmp_path: Path
) -> None:
    vault = _vault(tmp_path / "vault", {
        "Sketch 2025-03-01.excalidraw.md": "---\nexcalidraw-plugin: parsed\n---\n"
                                           "# Excalidraw Data\n\n## Text Elements\n"
                                           "gradient step ^a1b2c3d4\n\nloss surface ^e5f6a7b8\n",
        "Descent.md": "Gradient descent takes a step down the loss surface.\n",
    })
    drawing = str(vault / "Sketch 2025-03-01.excalidraw.md")
    # Read as a note (as a Grimoire before this rule did, here by naming its format) ...
    kb.ingest([drawing], format="obsidian", embed=False)
    assert [h.span.path for h in kb.search("loss surface", mode="lexical")] == [drawing]
    # ... then ingested with its vault: an attachment, its text no longer searched or quoted.
    report = kb.ingest([vault], embed=False)
    assert report.attachments == 1
    assert {Path(r.path).name: r.status for r in kb.sources()} == {
        "Descent.md": "ok", "Sketch 2025-03-01.excalidraw.md": "attachment"}
    hits = kb.search("loss surface", mode="lexical")
    assert hits and all(h.span.path.endswith("Descent.md") for h in hits)


def test_a_vault_note_is_found_by_its_file_name_too(kb: Grimoire, tmp_path: Path) -> None:
    vault = _vault(tmp_path / "vault", {
        "Backprop.md": "# Backpropagation\n\nBackpropagation sends the loss's gradient back "
                       "through the layers by the chain rule.\n",
        "F.md": "# F1\n\nF1 is the harmonic mean of precision and recall.\n",
        "Training.md": "Each step runs [[Backprop]] once.\n",
    })
    kb.ingest([vault], embed=False)
    by_file = kb.concept("Backprop")
    assert [e.entry.span.path for e in by_file.entries] == [str(vault / "Backprop.md")]
    assert {"Backpropagation", "Backprop"} <= {n.name for n in by_file.names}
    # A file name the title goes on from is the title cut short, no name of it.
    assert "F" not in {n.name for n in kb.concept("F1").names}
    assert not kb.wanted(suggestions=False)


def test_a_readme_without_a_heading_names_no_concept(kb: Grimoire, tmp_path: Path) -> None:
    # A public course's notes open with a heading-less README.md ("Notes about deep learning
    # and [neural networks](...)"): it was a concept "README" in `list`, beside the real ones.
    notes = write_notes(tmp_path / "notes", {
        "README.md": "Course notes on deep learning and [attention](Attention.md).\n\n"
                     "Written during the spring term.\n",
        "Attention.md": "# Attention\n\nAttention weighs the parts of an input.\n",
    })
    kb.ingest([notes], embed=False)
    assert {c.label for c in kb.concepts()} == {"Attention"}
    hits = kb.search("written during the spring term", mode="lexical")
    assert hits and hits[0].span.path.endswith("README.md")


def test_a_section_number_with_a_dash_is_no_part_of_the_name(kb: Grimoire, tmp_path: Path) -> None:
    # A course's notebooks head their sections "4.1 - Linear Forward" and "d) L-Layer Model":
    # the concepts were "- Linear Forward" and "d) L-Layer Model".
    notes = write_notes(tmp_path / "notes", {
        "regularisation.md": "# Regularisation\n\nRegularisation keeps a model simple.\n\n"
                             "## 3.1 - Dropout\n\nDropout zeroes random activations while "
                             "training.\n\n"
                             "## b) Weight Decay\n\nWeight decay shrinks every weight a little "
                             "at each step.\n",
    })
    kb.ingest([notes], embed=False)
    assert {c.label for c in kb.concepts()} >= {"Dropout", "Weight Decay"}
    assert not [c.label for c in kb.concepts() if c.label[:1] in "-b" and " " in c.label[:3]]


def test_emoji_shortcodes_around_a_heading_are_no_part_of_its_name(
    kb: Grimoire, tmp_path: Path
) -> None:
    # GitHub renders `:rocket:` as an emoji; a public collection's headings carry them
    # ("# :loudspeaker: Prompt Engineering ... :studio_microphone:"), and the names kept them.
    notes = write_notes(tmp_path / "notes", {
        "decoding.md": "# Decoding\n\nDecoding turns scores into text.\n\n"
                       "## :rocket: Beam Search :sparkles:\n\nBeam search keeps the few best "
                       "partial outputs at every step.\n\n"
                       "## Greedy Decoding :zap:\n\nGreedy decoding takes the likeliest token "
                       "each time.\n",
    })
    kb.ingest([notes], embed=False)
    labels = {c.label for c in kb.concepts()}
    assert {"Beam Search", "Greedy Decoding"} <= labels, labels
    assert not [label for label in labels if ":" in label]
