"""Round 29: what four more public repositories of ML notes (an Obsidian vault of paper
notes, a Quartz site, a course repository of notebooks and model code, a folder of Markdown
notes) gave as concept names, each shape rebuilt here in our own words.

- A vault's reading list `Papers.md` (opening text, then "# Information Retrieval" over its
  papers) was the concept "Information Retrieval", in conflict with the note of that name; its
  README (text, then "# Resources") was the concept "Resources".
- A note opening "# Fundamentals" over a checklist of readings was named "Fundamentals";
  sections headed "Note" and "Output" were concepts.
- "ResNet-50 (2015)" on a list of architectures had the short form "2015"; a heading
  "Named Entity Recognition :" kept its colon; a vault's "3_1 - LLM evaluation.md" its number.
- A model's class labels (`classes.txt`, one a line) and a list of images were concepts
  named by their first line ("car").
- A notebook opening with "# Read data" was named so; `VC_Dimensions.md` kept its underscore.
- Pages titled "What is Supervised Learning?" were concepts of that name. (Read as names,
  "## Dropout" over "### What is Dropout?" made two sections open at one passage, and the
  cheatsheet's Regularization page failed to read: caught by the collection diff.)
- A course's notebooks link their own anchors (`[part 1](#section1)` to `<a id="section1">`):
  96 dead links.
- A list of 1,682 films, one of them "Mr. Holland's Opus", was a concept "1 Toy Story".
- A paper turned into Markdown by OCR gave "Figure 1" ... "Figure 14", "Copyright",
  "Erratum" and "Abbreviations" as concepts; a repository's AGENTS.md (what it tells coding
  assistants) gave "Repository Guidelines".
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from tests.readers.conftest import labels, notebook, write_notes


def test_a_vaults_reading_list_and_readme_name_no_topic_of_their_headings(
        kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "README.md": "My notes on what I read.\n\n# Resources\n\n[[Retrieval]] : how search "
                     "engines rank pages\n",
        "Papers.md": "## Survey Papers\n\n[[Efficient Transformers]] : a survey of faster "
                     "attention\n\n# Retrieval\n\n[[Dense Passage Retrieval]] : one vector "
                     "per passage, compared by dot product\n",
        "Retrieval.md": "# Retrieval\n\nRetrieval finds the documents of a collection that "
                        "answer a query, ranked by how well they match it.\n",
    })
    report = kb.ingest([vault], embed=False)
    assert report.failed == 0
    found = labels(kb)
    assert "Resources" not in found
    # The note of that name is the only definition: no second one from the reading list.
    assert "Retrieval" in found
    sources = {Path(e.entry.span.path).name for e in kb.concept("Retrieval").entries}
    assert sources == {"Retrieval.md"}
    assert "conflict" not in kb.lint().by_group()
    # The reading list is still searched.
    hits = kb.search("one vector per passage dot product", mode="lexical")
    assert hits and Path(hits[0].span.path).name == "Papers.md"


def test_parts_of_a_note_are_no_concepts(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "Reading Guide.md": "\n# Fundamentals\n\n- [x] [Linear models](Linear.md)\n"
                            "- [ ] Kernels and how to pick one\n",
        "gpu.md": "# GPUs\n\nA GPU runs thousands of threads at once.\n\n## Memory Bandwidth\n\n"
                  "Memory bandwidth is how many bytes a second the device memory delivers to "
                  "the cores.\n\n## Note\n\nThe figures above are for one card only, measured "
                  "on a quiet machine.\n",
        "GRU.md": "# GRU\n\nA gated recurrent unit keeps a hidden state and two gates.\n\n"
                  "## Reset Gate\n\nThe reset gate is the gate that decides how much of the "
                  "past state feeds the candidate.\n\n## Output\n\nThe output at each "
                  "step is the new hidden state, passed to the next layer.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Reading Guide", "GPUs", "Memory Bandwidth", "Reset Gate"} <= found
    assert not {"Fundamentals", "Note", "Output"} & found


def test_a_year_or_colon_after_a_name_is_no_part_of_it(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "architectures.md": "# CNN Architectures\n\nNetworks that won image benchmarks.\n\n"
                            "## ResNet-50 (2015)\n\nResNet-50 is a residual network of fifty "
                            "layers whose blocks add their input to their output.\n\n"
                            "## Xception(2016)\n\nXception is a network built from depthwise "
                            "separable convolutions only.\n",
        # A file numbered for its folder's order ("3_1 - ", as "0- " was before).
        "evaluation/3_1 - Model Evaluation.md": "Model evaluation compares a model's outputs "
                                                "with held-out answers.\n",
        "nlp.md": "# NLP\n\nTasks on text.\n\n### Named Entity Recognition :\n\nNamed entity "
                  "recognition is the task of finding the names of people, places and "
                  "companies in a text.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"ResNet-50", "Xception", "Named Entity Recognition", "Model Evaluation"} <= found
    assert not {"ResNet-50 (2015)", "Named Entity Recognition :"} & found
    names = {n.name for n in kb.concept("ResNet-50").names}
    assert "2015" not in names
    assert not [c for c in kb.concepts() if c.label == "2015"]


def test_a_page_titled_by_its_question_is_named_by_its_subject(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "supervised.md": "# What is Supervised Learning?\n\nLearning a mapping from inputs "
                         "to outputs from examples that carry their answers.\n",
        "ranking.md": "# What is Ranking\n\nOrdering candidates by how relevant each is to "
                      "a query.\n",
        "attention.md": "# What is the role of attention?\n\nIt lets a decoder look at "
                        "every encoder state.\n",
        "index.md": "# Index\n\n- [[Supervised Learning]]\n- [[Ranking]]\n",
        # A section opened by the question its heading names: one entry, the section's.
        "regularization.md": "# Regularization\n\n## Dropout\n\n### What is Dropout?\n\n"
                             "Dropout is a regularizer that zeroes a random share of a "
                             "layer's units at each training step.\n\n## Early Stopping\n\n"
                             "Early stopping is a regularizer that ends training when the "
                             "validation loss stops falling.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Supervised Learning", "Ranking"} <= found
    assert not {"What is Supervised Learning?", "What is Ranking"} & found
    # A question about something else is no name of a thing.
    assert "the role of attention" not in {f.casefold() for f in found}
    assert not kb.wanted()
    assert Path(kb.concept("Ranking").entries[0].entry.span.path).name == "ranking.md"
    dropout = kb.concept("Dropout").entries
    assert len(dropout) == 1
    assert dropout[0].entry.definition.startswith("Dropout is a regularizer")
    assert "Early Stopping" in found


def test_a_notebooks_links_to_its_own_anchors_are_no_dead_links(
        kb: Grimoire, tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "ex", {"exercise1.ipynb": notebook(
        ("markdown", "# Exercise 1: Linear Regression\n\n| Part | Function |\n|---|---|\n"
                     "| [Warm up](#section1) | [`warmUp`](#warmUp) |\n\nSee [nowhere](other.md)."),
        ("markdown", '<a id="section1"></a>\n## Warm up\n\nReturn a 5x5 identity matrix.\n\n'
                     '<a id="warmUp"></a>'))})
    kb.ingest([folder], embed=False)
    dead = {d.target for d in kb.dead_links()}
    assert dead == {"other"}


def test_a_models_data_files_are_searchable_but_name_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    repo = write_notes(tmp_path / "repo", {
        "model_data/classes.txt": "car\nperson\ncycle\ntruck\nbus\n",
        "client/input_images.txt": "images/cat.jpeg 281\nimages/dog.jpeg 207\n"
                                   "images/owl.jpeg 24\nimages/fox.jpeg 277\n"
                                   "images/bee.jpeg 309\n",
        # A note in plain text keeps its first line as its name.
        "notes/dropout.txt": "Dropout\n\nDropout zeroes a random share of a layer's units at "
                             "each training step.\n",
        # A short list in a note's shape is still a note.
        "notes/todo.txt": "Read about\nattention\n",
        # A long list with one stop in a row is still a list.
        "data/films.txt": "".join(f"{i} Film number {i} (1995)\n" for i in range(1, 40))
                          + "40 Mr. Holland's Opus (1995)\n",
        # A table a person wrote is a note.
        "notes/trees-vs-forests": "| | tree | forest |\n|---|---|---|\n| variance | high | "
                                  "low |\n| speed | fast | slower |\n| reading | easy | hard "
                                  "|\n",
        # A paragraph wrapped into lines is a note.
        "notes/bagging.txt": "Bagging\n" + "".join(
            f"trains model {i} on a resample of the data. Each model votes\n"
            for i in range(1, 25)),
    })
    report = kb.ingest([repo], embed=False)
    assert report.failed == 0
    assert labels(kb) == {"Dropout", "Read about", "Bagging", "trees-vs-forests"}
    hits = kb.search("truck", mode="lexical")
    assert hits and Path(hits[0].span.path).name == "classes.txt"


def test_a_notebook_opening_with_its_data_step_is_named_by_its_file(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "nb", {
        "dbscan.ipynb": notebook(("markdown", "# Read data"),
                                 ("code", "import pandas as pd\ndf = pd.read_csv('x.csv')"),
                                 ("markdown", "DBSCAN groups points that lie in dense "
                                              "regions and marks the rest as noise.")),
        # A heading that names its subject stays the name.
        "intro.ipynb": notebook(("markdown", "# Loading Dock Scheduling\n\nTrucks wait for "
                                             "a free dock.")),
        "VC_Dimensions.md": "Vapnik and Chervonenkis measured what a model class can fit.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"dbscan", "Loading Dock Scheduling", "VC Dimensions"} <= found
    assert not {"Read data", "VC_Dimensions"} & found


def test_a_papers_figures_and_back_matter_and_an_agents_file_name_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    repo = write_notes(tmp_path / "repo", {
        "AGENTS.md": "# Repository Guidelines\n\nRun the formatter before every commit and "
                     "keep each notebook's outputs cleared.\n",
        # A note on agents, named as a note is.
        "llm/Agents.md": "# Agents\n\nAn agent is a model that calls tools in a loop until "
                         "its task is done.\n",
        "ocr/guide.md": "# Thyroid Nodule Scoring\n\nA scoring system assigns points to a "
                        "nodule's features on ultrasound.\n\n## Echogenicity\n\nEchogenicity "
                        "is the brightness of a nodule compared with the tissue around it.\n\n"
                        "## Figure 1\n\nA nodule brighter than the gland around it, scored one "
                        "point.\n\n## Table 2: Points by feature\n\nComposition, echogenicity "
                        "and shape each add points to the total score.\n\n## Abbreviations\n\n"
                        "US is ultrasound, FNA is fine-needle aspiration.\n\n## Copyright\n\n"
                        "The society holds the rights to this guide and its figures.\n",
    })
    report = kb.ingest([repo], embed=False)
    assert report.failed == 0
    assert labels(kb) == {"Thyroid Nodule Scoring", "Echogenicity", "Agents"}
    hits = kb.search("formatter before every commit", mode="lexical")
    assert hits and Path(hits[0].span.path).name == "AGENTS.md"
