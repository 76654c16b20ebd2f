"""Round 25: what three public collections in other shapes gave as false names, false wanted
pages and broken math (an org-roam notebook, its Hugo export, an MkDocs site of paper notes),
each shape rebuilt here in our own words.

- An Org note's first `*` heading named its entry when it named a part of a page ("* Links",
  "* Resources", "* Key Findings" under `#+TITLE: Awk`).
- An org-roam `[[id:...][label]]` whose label is not the note's title was a wanted page.
- Names carried what decorates them: an org-cite citation (`BytePS [cite:@key]`), a citation key
  before a paper's title (`hjelm_learning_2019: Learning ...`), a star (`Neuroscience ⭐`), a
  step label (`Approach 1: Test and Set`); a list's `[cite:key]` and `https://...` terms were
  entries.
- A Hugo heading's anchor (`## DQN {#dqn}`), and the task keyword ox-hugo keeps
  (`TODO Case Control Sampling`), were part of its name.
- `V^{\\pi}(s_{t+1})` in a Markdown equation was read as inline math from `}(` to `})`:
  broken math in lint, and the text between lost.
- An Org special block (`#+BEGIN_DEFINITION`) was dropped with its text.
- Org verbatim `~x[[1, 2]]~` (code) was read as a link to a wanted page "1, 2".
- A `requirments.txt` beside the notes made a concept "torch".
- A Hugo home page's link to the folder `/posts/` (a list page Hugo makes) was a dead link.
- The sections of a paper's write-up ("Baseline", "Experiments/Results", "Architecture
  Comparison") were entries.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.knowledge import Grimoire
from grimoire.readers import read_file
from tests.readers.conftest import write_notes


def _terms(kb: Grimoire) -> set[str]:
    return {e.entry.term for e in kb.entries()}


def _org(node_id: str, title: str, body: str) -> str:
    return f":PROPERTIES:\n:ID:       {node_id}\n:END:\n#+title: {title}\n\n{body}"


def test_an_org_note_is_not_named_by_a_generic_first_heading(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "roam", {
        "sed.org": _org("a1", "Sed", "* Links\n[[https://example.org/sed-one-liners]]\n"),
        "gans.org": _org("a2", "Generative Adversarial Networks",
                         "* Resources\n- [[https://example.org/gan-course][A GAN course]]\n"),
        "dropout.org": "* Dropout\nDropout zeroes random units while training.\n",
    })
    kb.ingest([notes], embed=False)
    terms = _terms(kb)
    assert {"Sed", "Generative Adversarial Networks", "Dropout"} <= terms
    assert not {"Links", "Resources"} & terms


def test_a_note_opening_with_a_generic_heading_is_not_named_by_it(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes", {
        "awk.md": "# Links\n\nSee the manual at example.org for the whole language.\n",
    })
    kb.ingest([notes], embed=False)
    assert "Links" not in _terms(kb)


def test_an_org_roam_id_link_under_another_label_is_no_wanted_page(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "roam", {
        "zettel.org": _org("c178-1", "The Slip-Box Method",
                           "Each card holds one idea and links to its neighbours.\n"),
        "para.org": _org("c178-2", "PARA", "Unlike the [[id:c178-1][slip-box]], PARA sorts "
                         "notes by project.\n"),
        "missing.org": _org("c178-3", "Todo", "Write up [[id:dead-beef][a note nobody made]].\n"
                            "And [[Curriculum Learning]] too.\n"),
    })
    kb.ingest([notes], embed=False)
    wanted = {p.name for p in kb.wanted()}
    assert "slip-box" not in wanted and "a note nobody made" not in wanted
    assert "Curriculum Learning" in wanted  # a plain link to no note is still wanted
    groups = kb.lint().by_group()
    assert [f.concept for f in groups.get("wanted", [])] == ["Curriculum Learning"]
    # The id link still leads to the note when its label names it.
    write_notes(notes, {"more.org": _org("c178-4", "More",
                                         "See [[id:c178-1][The Slip-Box Method]].\n")})
    kb.ingest([notes], embed=False)
    assert [Path(m.span.path).name for m in kb.backlinks("The Slip-Box Method")] == ["more.org"]


LIT = """:PROPERTIES:
:ID:       b1
:ROAM_REFS: cite:hinton_distilling_2015
:END:
#+title: hinton_distilling_2015: Distilling the Knowledge in a Neural Network

A small student model learns from the soft targets of a large teacher.

* Temperature [cite:@hinton_distilling_2015]
The temperature is the number the logits are divided by before the softmax: a high one
softens the teacher's distribution, so the student sees how it ranks the wrong classes.

* Approach 1: Matching Logits
Matching logits is distillation in the limit of a high temperature, where the soft targets
only differ by their logits.

* Approach 2: Soft Targets
Soft targets are the probabilities of the teacher at a raised temperature, which the student
is trained to match.

* Approach 3: Hard Targets
Hard targets are the true labels, which the student may also be trained on, with a small
weight.
"""


def test_names_are_read_without_citations_keys_labels_or_decorations(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "roam", {
        "hinton_distilling_2015.org": LIT,
        "neuro.org": _org("b2", "Neuroscience ⭐", "The study of nervous systems.\n"),
        "how.org": _org("b3", "How I Cite", "* Kinds\n- [cite:key] :: a paper or a book\n"
                        "- https://example.org :: a web page, by its address\n"),
    })
    kb.ingest([notes], embed=False)
    terms = _terms(kb)
    assert {"Distilling the Knowledge in a Neural Network", "Temperature", "Matching Logits",
            "Soft Targets", "Hard Targets", "Neuroscience"} <= terms
    assert not [t for t in terms if "cite" in t or "_2015" in t or "Approach" in t
                or "⭐" in t or "://" in t]
    # A page keeps its title as written as an alias: a link by the title still leads to it.
    page = kb.concept("hinton_distilling_2015: Distilling the Knowledge in a Neural Network")
    assert page.entries[0].entry.term == "Distilling the Knowledge in a Neural Network"


@pytest.mark.no_store
def test_a_heading_anchor_is_no_part_of_its_name() -> None:
    text = ("---\ntitle: \"Q-Learning\"\n---\n\n## DQN {#dqn}\n\nDQN is Q-learning with a deep "
            "network that estimates the values of actions.\n\n## Double DQN {#double-dqn .x}\n\n"
            "Double DQN is DQN with a second network that picks the action it rates.\n\n"
            "## <span class=\"org-todo todo TODO\">TODO</span> Dueling DQN {#dueling-dqn}\n\n"
            "Dueling DQN is DQN with one head for the state's value and one for each action.\n")
    doc = read_file("markdown", text.encode(), "q_learning.md")[0]
    assert {"DQN", "Double DQN", "Dueling DQN"} <= {e.term for e in doc.entries}
    assert all("{" not in h for p in doc.passages for h in p.heading_path)


@pytest.mark.no_store
def test_a_function_applied_after_a_brace_is_not_inline_math() -> None:
    text = ("# Critic\n\nWe can write:\n\n\\begin{equation}\n  Q(s\\_t, a\\_t) \\approx "
            "r(s\\_t) + V^{\\pi}(s\\_{t+1})\n\\end{equation}\n\nand fit \\\\(V^{\\pi}\\\\).\n")
    doc = read_file("markdown", text.encode(), "critic.md")[0]
    texs = [m.tex for p in doc.passages for m in p.math]
    assert texs == ["V^{\\pi}"]  # only the \\( ... \\) of the last line
    assert any("V^{\\pi}(s_{t+1})" in p.text for p in doc.passages)


T5_NOTES = """# A Unified Text-to-Text Transformer

## Setup

### Baseline

The baseline is an encoder-decoder of the size of BERT-base, pre-trained on the span corruption
objective and then fine-tuned on every task.

### Architecture Comparison

Encoder-decoder models beat decoder-only language models at the same cost, and sharing the
parameters of both stacks costs little.

### Experiments/Results

Experiments show that scaling the model and the data both help, in that order.

### Span Corruption

Span corruption is a pre-training objective that replaces random spans of the input with
sentinel tokens and asks the model to write the dropped spans.
"""


def test_the_parts_of_a_paper_write_up_are_not_entries(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "docs", {"t5.md": T5_NOTES})
    kb.ingest([notes], embed=False)
    terms = _terms(kb)
    assert "Span Corruption" in terms
    assert not {"Baseline", "Architecture Comparison", "Experiments/Results"} & terms


@pytest.mark.no_store
def test_an_org_special_block_is_text() -> None:
    """`#+BEGIN_DEFINITION` ... `#+END_DEFINITION` (a special block: the exporter wraps its
    lines) held the note's definition, and none of it was stored or searched."""
    text = _org("d1", "PAC Learning", "* Formulation\n#+begin_definition\nA class is PAC "
                "learnable when some algorithm, given enough samples, returns a hypothesis that "
                "is probably approximately correct.\n#+end_definition\n\n#+begin_comment\n"
                "not for readers\n#+end_comment\n")
    doc = read_file("org", text.encode(), "pac.org")[0]
    body = " ".join(p.text for p in doc.passages)
    assert "returns a hypothesis that is probably approximately correct" in body
    assert "#+" not in body and "not for readers" not in body


def test_a_requirements_file_is_no_concept(kb: Grimoire, tmp_path: Path) -> None:
    """A notes repository's (misspelled) `requirments.txt` listing torch, torchvision and
    torchaudio made a concept "torch"; its lines are still searchable text."""
    notes = write_notes(tmp_path / "repo", {
        "requirments.txt": "torch\ntorchvision\ntorchaudio\n",
        "deps.txt": "numpy==1.26\nscipy>=1.11\n",
        "kernels.txt": "Kernel trick\n\nA kernel computes an inner product in a feature space.\n",
    })
    kb.ingest([notes], embed=False)
    assert _terms(kb) == {"Kernel trick"}
    assert any("torchvision" in h.text for h in kb.search("torchvision", 5, mode="lexical"))


@pytest.mark.no_store
def test_org_verbatim_holds_no_link_or_math() -> None:
    """`~x[[1, 2]]~` (NumPy's advanced indexing, as code) was a link to a wanted page "1, 2"."""
    text = ("#+title: Indexing\n\n- Fancy indexing :: ~x[[0, 3]]~ picks rows 0 and 3; "
            "=a[$k$]= is code too; see [[Broadcasting]].\n")
    doc = read_file("org", text.encode(), "indexing.org")[0]
    assert [link.target for p in doc.passages for link in p.links] == ["Broadcasting"]
    assert not [m for p in doc.passages for m in p.math]
    assert "x[[0, 3]]" in doc.passages[0].text


def test_a_link_to_a_folder_of_notes_is_no_dead_link(kb: Grimoire, tmp_path: Path) -> None:
    """A Hugo home page's "[full index](/posts/)" names the list page Hugo makes of the
    folder `posts/`, which holds notes: no file, but not a dead link either."""
    notes = write_notes(tmp_path / "content", {
        "_index.md": "# Home\n\nStart from the [full index](/posts/) or [papers](papers/).\n"
                     "A [missing part](/talks/) is still dead.\n",
        "posts/dropout.md": "# Dropout\n\nDropout zeroes random units while training.\n",
        "papers/lora.md": "# LoRA\n\nLoRA trains two low-rank matrices beside a frozen weight.\n",
    })
    kb.ingest([notes], embed=False)
    assert [d.target for d in kb.dead_links(suggestions=False)] == ["talks"]
