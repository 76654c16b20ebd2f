"""Round 30: what seven more public repositories of ML notes (a Sphinx site of notebooks and
MyST pages, a course folder of numbered Markdown notes, two collections of paper notes, a
folder of notebooks and notes on tools, a Sphinx glossary, numbered beginner notes) gave as
concept names, each shape rebuilt here in our own words.

- A README listing papers by task, each section a paragraph of links (`[Title](path.md)` on
  lines broken by two trailing blanks), made every task a concept ("Efficiency",
  "Scalability"), and "Non-local Neural Networks" there was in conflict with the paper's note.
- Headings that name parts of a page were concepts: "Notations", "Uses", "Toy Example",
  "Example 4: Custom autograd Function (advanced)", "Step 1", a README's "Goal"; six notes
  opening "What is it?" or "What are they" were each named so (two in conflict).
- A README and a Sphinx index titled "Machine Learning Notes by <author>" were concepts.
- A paper note titled "[An Analysis of Scale Invariance in Object Detection - SNIP](url)" was
  named "snip" (its file): "Analysis of ..." read as a generic part of a page.
- A notebook whose first level-1 heading is a formula (`# $f(x) = ...$`) was named by it.
- `07-HiddenMarkovModels.md` and `01-Introduction.md` were named with their numbers.
- A paper note that opens "## [Paper Title](url)" and has "# Detailed notes" further down was
  named "Detailed notes"; a note template's "## [Title](pdf)" was the concept "Title".
- Notebooks opening "# If it is the local environment" or "## About the Model" were named so.
- A vault of paper notes named each "2017 - Attention Is All You Need" (the year first).
- A Quartz vault's `[[Source]]`, `[[Notes]]`, `[[See here]]` after a sentence were wanted pages.
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from tests.readers.conftest import labels, notebook, write_notes


def test_a_section_that_is_a_paragraph_of_links_defines_nothing(
        kb: Grimoire, tmp_path: Path) -> None:
    repo = write_notes(tmp_path / "papers", {
        "README.md": (
            "# Reading Notes by Topic\n\n"
            "## Graph Learning\n"
            "[Graph Learning at Scale](2019/graph_scale.md)  \n"
            "[Message Passing for Graph Learning](2019/message.md)  \n\n"
            "## Efficiency\n"
            "[Small Fast Networks](2018/small.md)  \n"
            "[Pruning Weights Early](2018/prune.md)  \n\n"
            "## Scalability\n"
            "[Scaling Laws Seen Early](2017/scaling.md)  \n\n"
            "## Sparse Attention\n"
            "[Sparse Attention](2019/sparse.md)  \n"
            "[Long Inputs With Sparse Attention](2019/long.md)  \n"),
        "2019/sparse.md": "# [Sparse Attention](https://example.org/sparse)\n\nSparse "
                          "attention is attention in which each position looks at a fixed "
                          "few others instead of all of them.\n",
        "2019/graph_scale.md": "# [Graph Learning at Scale](https://example.org/g)\n\nSampling "
                               "neighbours keeps the cost of a layer fixed.\n",
        # A section with a sentence around its link still has text of its own.
        "notes.md": "# Notes\n\n## Knowledge Distillation\n\nKnowledge distillation trains a "
                    "small model to match a large one, as [Hinton's note](kd.md) shows.\n",
    })
    kb.ingest([repo], embed=False)
    found = labels(kb)
    assert not {"Graph Learning", "Efficiency", "Scalability"} & found
    assert {"Sparse Attention", "Graph Learning at Scale", "Knowledge Distillation"} <= found
    sources = {Path(e.entry.span.path).name for e in kb.concept("Sparse Attention").entries}
    assert sources == {"sparse.md"}
    assert "conflict" not in kb.lint().by_group()


def test_parts_of_a_page_and_questions_about_it_are_no_concepts(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "README.md": "# Goal\n\nTo keep what I learn about data tools in one place, written "
                     "my own way.\n",
        "covariance.md": "# Covariance\n\nCovariance measures how two variables move "
                         "together.\n\n## Notations\n\nLet X and Y be random variables with "
                         "means mu_X and mu_Y.\n\n## Uses\n\nCovariance is used to build "
                         "correlation and to find principal components.\n\n## Toy Example\n\n"
                         "Two fair coins give a covariance of zero, as each ignores the "
                         "other.\n",
        "autograd.ipynb": notebook(
            ("markdown", "# Autograd\n\nAutograd records operations on tensors and replays "
                         "them backwards to get gradients."),
            ("markdown", "## Example 4: Custom Backward Function (advanced)\n\nA function "
                         "subclass defines its own forward and backward methods."),
            ("markdown", "## Step 1\n\nStandardize each feature so that it has mean zero."),
            ("markdown", "## Example: Two Layer Network\n\nA two layer network is the "
                         "smallest network whose gradient needs the chain rule.")),
        # Notes that open with a question about their subject by a pronoun
        "Hadoop Basics.ipynb": notebook(("markdown", "# What is it?\n\nA framework that "
                                                     "stores and processes data on many "
                                                     "machines.")),
        "Regex.md": "# What is it?\n\nA small language of patterns that match text.\n",
        "Filters.md": "# What are they\n\nRules that keep only the rows a view should show.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Covariance", "Autograd", "Hadoop Basics", "Regex", "Filters"} <= found
    parts = {"Goal", "Notations", "Uses", "Toy Example", "Step 1", "What is it",
             "What is it?", "What are they", "Example 4: Custom Backward Function (advanced)",
             "Example: Two Layer Network"}
    assert not parts & found
    assert "conflict" not in kb.lint().by_group()


def test_a_readme_titled_notes_by_its_author_names_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    site = write_notes(tmp_path / "site", {
        "README.md": "# Deep Learning Notes by A. Writer\n\nWhat I learn, written down.\n\n"
                     "## Backpropagation\n\nBackpropagation is the algorithm that computes a "
                     "network's gradients layer by layer, from the loss back.\n",
        "docs/index.rst": "Deep Learning Notes by A. Writer\n================================"
                          "\n\nThe pages of this site.\n",
    })
    kb.ingest([site], embed=False)
    found = labels(kb)
    assert "Backpropagation" in found
    assert "Deep Learning Notes by A. Writer" not in found


def test_a_paper_title_opening_with_an_article_names_its_note(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "papers", {
        "apv.md": "# [An Analysis of Pooling in Vision Models - APV](https://example.org/apv)"
                  "\n\nTags: vision\n\nMax pooling keeps more of the edges than average "
                  "pooling does.\n",
        # Without the article, "Summary of ..." is still a part of a page.
        "pooling.md": "# Pooling\n\nPooling shrinks a feature map.\n\n## Summary of pooling "
                      "types\n\nMax pooling is the pooling that keeps the largest value.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert "An Analysis of Pooling in Vision Models - APV" in found
    assert not {"apv", "Summary of pooling types"} & found


def test_a_formula_heading_does_not_name_a_notebook(kb: Grimoire, tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "nb", {"activations.ipynb": notebook(
        ("markdown", "## Activation Functions in NumPy"),
        ("markdown", "Each activation below is written as a NumPy function."),
        ("markdown", "## Rectifier\n\nThe rectifier is defined as:\n\n# $f(x) = \\max(0, x)$"),
        ("code", "def relu(x):\n    return np.maximum(0, x)"))})
    kb.ingest([folder], embed=False)
    found = labels(kb)
    assert "Activation Functions in NumPy" in found
    assert not [f for f in found if f.startswith("$")]


def test_a_file_numbered_for_its_order_is_named_without_its_number(
        kb: Grimoire, tmp_path: Path) -> None:
    course = write_notes(tmp_path / "course", {
        "02-Classification/03-GaussianMixtureModels.md": "A mixture of Gaussians, fitted by "
                                                         "expectation maximisation.\n",
        "05-TimeSeries/01-Introduction.md": "# Introduction\n\nA time series is a sequence of "
                                            "values ordered in time.\n\n## Stationarity\n\n"
                                            "Stationarity is the property of a series whose "
                                            "statistics do not change over time.\n",
        # A number before an acronym, and a model's name, stay as written.
        "3-SAT.md": "A satisfiability problem with three literals a clause.\n",
        "04-Networks/06-ResNet.md": "Residual blocks add their input to their output.\n",
        "DeepWalk.md": "Random walks on a graph, read as sentences by a word model.\n",
        "LidarMultiNet.md": "One network for three lidar tasks.\n",
    })
    kb.ingest([course], embed=False)
    found = labels(kb)
    assert {"Gaussian Mixture Models", "Stationarity", "3-SAT", "ResNet", "DeepWalk",
            "LidarMultiNet"} <= found
    assert not {"03-GaussianMixtureModels", "01-Introduction", "Introduction"} & found


def test_a_paper_note_is_named_by_its_opening_heading_over_a_later_generic_one(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "papers/learning-to-rank-with-trees.md": (
            "## [Learning To Rank With Trees](https://example.org/ltr)\n\n_Jun 2019_\n\n"
            "tl;dr: boosted trees rank documents well.\n\n#### 1a Features\n\n* query length"
            "\n\n# Detailed notes\n\nThe loss compares pairs of documents for one query.\n"),
        "template.md": "## [Title](pdf)\n\n_Month Year_\n\ntl;dr:\n\n#### Key ideas\n\n*\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert "Learning To Rank With Trees" in found
    assert not {"Detailed notes", "Title", "template"} & found


def test_a_notebook_opening_with_a_clause_is_named_by_its_file(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "tools", {
        "Vagrant.ipynb": notebook(("markdown", "# If it is the office environment\n\n* Start "
                                               "the machine before you log in.")),
        "Speeding up Dashboards.ipynb": notebook(("markdown", "# First, gather the timings\n\n"
                                                              "Record how long each view "
                                                              "takes to draw.")),
        "VGG.ipynb": notebook(("markdown", "## About the Model\n\nSixteen layers of small "
                                           "convolutions.")),
        # A heading that lists names with commas still names the note.
        "tensor.md": "# Vectors, Matrices, and Tensors\n\nArrays of one, two and more "
                     "axes.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Vagrant", "Speeding up Dashboards", "VGG", "Vectors, Matrices, and Tensors"} \
        <= found
    assert not {"If it is the office environment", "First, gather the timings",
                "About the Model"} & found


def test_a_paper_notes_year_is_no_part_of_its_name(kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "Papers/2017 - Attention Is All You Need.md": "Attention alone, with no recurrence, "
                                                      "translates as well as recurrent "
                                                      "models.\n",
        "Papers/2021 - Prompt Tuning.md": "Prompt tuning learns a few input vectors and "
                                          "freezes the model. Builds on "
                                          "[[2017 - Attention Is All You Need]].\n",
        "2048 Game.md": "A puzzle on a grid of tiles that merge when equal.\n",
    })
    kb.ingest([vault], embed=False)
    found = labels(kb)
    assert {"Attention Is All You Need", "Prompt Tuning", "2048 Game"} <= found
    assert not {"2017 - Attention Is All You Need", "2021 - Prompt Tuning"} & found
    # The link by the file's name still leads to the note.
    assert not kb.wanted()
    assert kb.concept("2017 - Attention Is All You Need").label == "Attention Is All You Need"


def test_a_link_named_as_a_part_of_a_page_is_no_wanted_page(
        kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "Pooling.md": "Adaptive pooling picks its window from the output size. [[Source]]\n\n"
                      "Each channel is pooled on its own. [[See here]]\n\nBuilds on "
                      "[[Strided Convolution]].\n",
        "MobileNet.md": "- Depthwise separable convolutions cut the cost. [[Notes]]\n",
    })
    kb.ingest([vault], embed=False)
    groups = kb.lint().by_group()
    assert [f.concept for f in groups["wanted"]] == ["Strided Convolution"]
    dead = [f.message for f in groups["dead-link"]]
    assert len(dead) == 3 and all("not a page to write" in m for m in dead)


def test_a_vault_note_titled_by_a_generic_heading_over_a_generic_file_is_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        # A course's overview: under each heading, links into its notes, one a line, with a
        # few words of its own between them.
        "Course/Overview.md": "# Introduction\n[[Nearest Neighbours]]\n\n# Neural Networks\n"
                              "[[Neural Networks - Basics]]\n[[Neural Networks - Math]]\n"
                              "Fully-connected networks\n\n# Image Classification\nData-driven "
                              "approach\n[[Nearest Neighbours]]\n[[Hyperparameters]]\n\n"
                              "# Linear Classifiers\n[[Linear Classifier - Intuition|Geometric "
                              "viewpoint]]\nSoftmax / SVM classifiers\n",
        "Course/Nearest Neighbours.md": "Predict the label of the closest training point.\n",
        "Diffusion/Tutorial Notes.md": "# Diffusion\n\n## General Idea\n\nAdd noise step by "
                                       "step, then learn to take it away again, one step at "
                                       "a time.\n",
        # A note its file names so stays a page (round 28: two tools' `Installation.md`).
        "Tools/Installation.md": "# Installation\n\nInstall the package with pip.\n",
    })
    kb.ingest([vault], embed=False)
    found = labels(kb)
    assert {"Nearest Neighbours", "Installation"} <= found
    assert not {"Introduction", "Overview", "General Idea", "Neural Networks",
                "Image Classification", "Linear Classifiers"} & found


def test_comment_marks_in_inline_code_hide_nothing(kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "Site Options.md": "# Site Options\n\nSite options are the switches a static site "
                           "generator reads.\n\n- `comments`: whether `%%` comments are "
                           "hidden\n- `highlight`: whether `==` marks highlight\n\n## Dark "
                           "Mode\n\nDark mode is the option that draws light text on a dark "
                           "page. %%a comment of mine%%\n",
    })
    report = kb.ingest([vault], embed=False)
    assert report.problems == 0
    hits = kb.search("light text on a dark page", mode="lexical")
    assert hits and Path(hits[0].span.path).name == "Site Options.md"
    # The comment itself is still hidden.
    assert not [h for h in kb.search("comment of mine", mode="lexical") if "mine" in h.text]
